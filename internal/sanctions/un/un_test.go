package un

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/lookout-maritime/lookout/internal/sanctions"
)

const dprk = "../testdata/un/UN_consolidated_2026-02-27_DPRK_only.xml"

func load(t testing.TB) *sanctions.List {
	t.Helper()
	f, err := os.Open(dprk)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l, err := Load(f)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestDPRKList(t *testing.T) {
	l := load(t)
	kinds := map[sanctions.Kind]int{}
	for _, e := range l.Entities {
		kinds[e.Kind]++
	}
	if kinds[sanctions.KindPerson] != 80 || kinds[sanctions.KindOrganization] != 75 {
		t.Errorf("kinds %v, want 80 individuals and 75 entities", kinds)
	}
	if l.Published.Format("2006-01-02T15:04:05Z") != "2026-02-27T00:00:09Z" {
		t.Errorf("published %v", l.Published)
	}
	byID := l.ByID()
	omm := byID["KPe.020"]
	if omm == nil || omm.Name != "OCEAN MARITIME MANAGEMENT COMPANY, LIMITED (OMM)" || omm.Listed.Format("2006-01-02") != "2014-07-28" ||
		!slices.Contains(omm.IDs, sanctions.Identifier{Type: "IMO company number", Value: "1790183"}) || len(omm.Aliases) != 3 {
		t.Fatalf("KPe.020: %+v", omm)
	}
	if !strings.HasPrefix(omm.Record.Raw, "<ENTITY>") || !strings.Contains(omm.Record.Raw, "<DATAID>6908046</DATAID>") {
		t.Errorf("raw record %q", omm.Record.Raw[:80])
	}
	// Vessels named in the narratives, with the relation the text gives.
	for _, c := range []struct{ id, role, flag string }{
		{"KPe.020/vessel/CHONG CHON GANG", sanctions.RoleOperator, ""},
		{"KPe.055/vessel/HUA FU", sanctions.RoleOwner, "PA"},
		{"KPe.056/vessel/CHON MYONG 1", sanctions.RoleOwner, ""},
		{"KPe.064/vessel/SAM JONG 2", sanctions.RoleOwner, ""},
		{"KPe.065/vessel/SAM MA 2", sanctions.RoleOwner, ""},
		{"KPe.067/vessel/KOTI", sanctions.RoleManager, "PA"},
		{"KPe.067/vessel/KUM UN SAN 3", sanctions.RoleNamed, "KP"},
		{"KPe.075/vessel/YUK TUNG", sanctions.RoleManager, ""},
		{"KPe.073/vessel/HAO FAN 6", sanctions.RoleManager, ""},
	} {
		v := byID[c.id]
		if v == nil {
			t.Errorf("%s not extracted", c.id)
			continue
		}
		parent := strings.Split(c.id, "/")[0]
		if v.Kind != sanctions.KindVessel || v.Designated || v.Links[0].ID != parent || v.Links[0].Role != c.role || v.Vessel.FlagCode != c.flag || v.Derived == "" {
			t.Errorf("%s: %+v %+v", c.id, v, v.Vessel)
		}
	}
	// Company names and abbreviations are not vessels.
	for _, e := range l.Entities {
		if e.Kind == sanctions.KindVessel && (strings.Contains(e.Name, "SHIPPING") || e.Name == "DPRK" || e.Name == "OMM") {
			t.Errorf("not a vessel: %s", e.ID)
		}
	}
}

func TestRejects(t *testing.T) {
	for _, c := range []struct {
		name, xml string
		want      error
	}{
		{"truncated", `<CONSOLIDATED_LIST><ENTITIES><ENTITY><DATAID>1</DATAID>`, sanctions.ErrMalformed},
		{"root", `<sdnList/>`, sanctions.ErrMalformed},
		{"empty", `<CONSOLIDATED_LIST dateGenerated="2026-02-27T00:00:09.554Z"><INDIVIDUALS/><ENTITIES/></CONSOLIDATED_LIST>`, sanctions.ErrEmpty},
		{"no name", `<CONSOLIDATED_LIST><ENTITIES><ENTITY><DATAID>1</DATAID><REFERENCE_NUMBER>KPe.1</REFERENCE_NUMBER></ENTITY></ENTITIES></CONSOLIDATED_LIST>`, sanctions.ErrField},
		{"bad date", `<CONSOLIDATED_LIST dateGenerated="yesterday"><ENTITIES/></CONSOLIDATED_LIST>`, sanctions.ErrField},
		{"bad listed", "<CONSOLIDATED_LIST>\n<ENTITIES><ENTITY><REFERENCE_NUMBER>K</REFERENCE_NUMBER><FIRST_NAME>X</FIRST_NAME><LISTED_ON>soon</LISTED_ON></ENTITY></ENTITIES></CONSOLIDATED_LIST>", sanctions.ErrField},
	} {
		_, err := Load(strings.NewReader(c.xml))
		var pe *sanctions.ParseError
		if !errors.As(err, &pe) || !errors.Is(err, c.want) || pe.File != "consolidated.xml" {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

func FuzzLoad(f *testing.F) {
	data, err := os.ReadFile(dprk)
	if err != nil {
		f.Fatal(err)
	}
	// Seeds: the first entity with the list's header, and one DPRK shipping company.
	i := bytes.Index(data, []byte("</INDIVIDUAL>"))
	f.Add(append(append([]byte{}, data[:i]...), []byte("</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>")...))
	j := bytes.Index(data, []byte("<DATAID>6908670</DATAID>"))
	k := bytes.LastIndex(data[:j], []byte("<ENTITY>"))
	e := k + bytes.Index(data[k:], []byte("</ENTITY>")) + len("</ENTITY>")
	f.Add([]byte("<CONSOLIDATED_LIST><ENTITIES>" + string(data[k:e]) + "</ENTITIES></CONSOLIDATED_LIST>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Load(bytes.NewReader(data))
		if err != nil {
			var pe *sanctions.ParseError
			if !errors.As(err, &pe) || l != nil {
				t.Fatalf("%v", err)
			}
			return
		}
		for _, e := range l.Entities {
			if e.ID == "" || e.Name == "" {
				t.Fatalf("%+v", e)
			}
		}
	})
}
