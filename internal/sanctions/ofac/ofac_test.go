package ofac

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/lookout-maritime/lookout/internal/sanctions"
)

const testdata = "../testdata/ofac/"

func open(t testing.TB, name string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join(testdata, name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func loadExtract(t testing.TB) *sanctions.List {
	t.Helper()
	l, err := LoadCSV(open(t, "sdn_2024-05-03_vessels_and_owners.csv"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestCSVRealExtract(t *testing.T) {
	l := loadExtract(t)
	if got := len(l.Entities); got != 1013 {
		t.Fatalf("entities = %d, want 1013 (the extract's rows)", got)
	}
	kinds := map[sanctions.Kind]int{}
	for _, e := range l.Entities {
		kinds[e.Kind]++
	}
	if kinds[sanctions.KindVessel] != 851 || kinds[sanctions.KindPerson] != 13 || kinds[sanctions.KindOrganization] != 149 {
		t.Errorf("kinds = %v, want 851 vessels, 13 persons, 149 organisations", kinds)
	}
	byID := l.ByID()
	// Case facts, read from the file's own rows.
	for _, c := range []struct {
		id, name string
		imo      uint32
		flag     string
		link     string
	}{
		{"37059", "ANGARA", 9179842, "RU", "M LEASING LLC"},
		{"37057", "ADLER", 9179854, "RU", "M LEASING LLC"},
		{"37098", "MAIA-1", 9358010, "RU", "TRANSMORFLOT LLC"},
		{"37095", "LADY R", 9161003, "RU", "TRANSMORFLOT LLC"},
		{"37089", "LADY MARIIA", 9220641, "RU", "TRANSMORFLOT LLC"},
		{"46773", "MARIA", 8517839, "RU", "IBEX SHIPPING INC"},
		{"36716", "MARIA E", 9617923, "TG", "OBORONLOGISTIKA OOO"},
		{"37029", "SPARTA IV", 9743033, "RU", "SC SOUTH LLC"},
		{"44245", "SASCO ANGARA", 9242986, "RU", "PUBLIC JOINT STOCK COMPANY SAKHALIN SHIPPING COMPANY"},
	} {
		e := byID[c.id]
		if e == nil {
			t.Errorf("%s missing", c.id)
			continue
		}
		if e.Name != c.name || e.Kind != sanctions.KindVessel || e.Vessel == nil {
			t.Errorf("%s: %q %s", c.id, e.Name, e.Kind)
			continue
		}
		v := e.Vessel
		if v.IMO != c.imo || !v.IMOValid || v.FlagCode != c.flag {
			t.Errorf("%s %s: IMO %d valid %v flag %q, want %d %s", c.id, c.name, v.IMO, v.IMOValid, v.FlagCode, c.imo, c.flag)
		}
		if len(e.Links) == 0 || e.Links[0].Name != c.link || e.Links[0].ID == "" {
			t.Errorf("%s: links %+v, want resolved %q", c.id, e.Links, c.link)
		}
		if !slices.Contains(e.Programs, "RUSSIA-EO14024") {
			t.Errorf("%s: programs %v", c.id, e.Programs)
		}
		if !strings.HasPrefix(e.Record.Raw, c.id+",\""+c.name+"\"") || e.Record.Line == 0 {
			t.Errorf("%s: record %d %q", c.id, e.Record.Line, e.Record.Raw)
		}
	}
	if e := byID["36716"]; len(e.Aliases) != 1 || e.Aliases[0] != (sanctions.Alias{Name: "MARIA", Kind: sanctions.AKA}) {
		t.Errorf("MARIA E aliases %+v", e.Aliases)
	}
	if e := byID["15036"]; e.Vessel.MMSI != 572469210 || e.Vessel.CallSign != "T2EU4" ||
		!reflect.DeepEqual(e.Vessel.FormerFlags, []string{"Malta", "Tuvalu", "None Identified", "Tanzania"}) ||
		len(e.Aliases) != 1 || e.Aliases[0].Kind != sanctions.FKA || e.Aliases[0].Name != "ALPHA" || e.Vessel.Tonnage != 99144 {
		t.Errorf("ARTAVIL %+v %+v", e, e.Vessel)
	}
	// IMO numbers on companies are company numbers, not ship numbers.
	if e := byID["37065"]; e.Vessel != nil || !slices.Contains(e.IDs, sanctions.Identifier{Type: "IMO company number", Value: "6246853"}) {
		t.Errorf("M LEASING LLC %+v", e)
	}
	// "Vessel Registration Identification 15411 (Malta)" is kept, not an IMO.
	if e := byID["23424"]; e.Vessel.IMO != 0 || len(e.IDs) == 0 {
		t.Errorf("BONU 5: %+v %+v", e.Vessel, e.IDs)
	}
	// "IMO 9256860 (Russia)": the country does not hide the number.
	if e := byID["34942"]; e.Vessel.IMO != 9256860 {
		t.Errorf("34942: IMO %d", e.Vessel.IMO)
	}
	if len(l.SHA256) != 64 || l.Published != (l.Published) || !l.Published.IsZero() {
		t.Errorf("hash %q published %v", l.SHA256, l.Published)
	}
}

// The closure file adds the entities linked from the extract's owners, so
// chains resolve several levels deep.
func TestCSVLinkedClosure(t *testing.T) {
	l, err := LoadCSV(io.MultiReader(open(t, "sdn_2024-05-03_vessels_and_owners.csv"), open(t, "sdn_2024-05-03_linked_closure.csv")), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	byID := l.ByID()
	unresolved := 0
	for _, e := range l.Entities {
		for _, k := range e.Links {
			if k.ID == "" {
				unresolved++
			} else if byID[k.ID] == nil {
				t.Errorf("%s links to missing %s", e.ID, k.ID)
			}
		}
	}
	// Only links to entities absent from the full list stay unresolved.
	if unresolved > 20 {
		t.Errorf("%d unresolved links", unresolved)
	}
}

func TestCSVWatchmanFixtures(t *testing.T) {
	dir := "watchman-ofactest/"
	l, err := LoadCSVFiles(CSVFiles{SDN: open(t, dir+"sdn.csv"), Add: open(t, dir+"add.csv"), Alt: open(t, dir+"alt.csv"), Comments: open(t, dir+"sdn_comments.csv")})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Entities) != 17 || len(l.Files) != 4 {
		t.Fatalf("entities %d files %v", len(l.Entities), l.Files)
	}
	byID := l.ByID()
	if e := byID["11195"]; len(e.Addresses) == 0 || len(e.Aliases) < 4 {
		t.Errorf("11195: addresses %v aliases %v", e.Addresses, e.Aliases)
	}
	if e := byID["47371"]; e.Vessel == nil || e.Vessel.IMO != 9339301 || e.Vessel.MMSI != 636013272 || e.Vessel.FlagCode != "GA" {
		t.Errorf("NS LEADER: %+v", e.Vessel)
	}
	if e := byID["40716"]; e.Vessel == nil || e.Vessel.IMO != 9486910 || len(e.Aliases) != 1 || e.Aliases[0].Name != "MAKRAN" {
		t.Errorf("IRIS MAKRAN: %+v %+v", e.Vessel, e.Aliases)
	}
	// sdn_comments.csv continues remarks cut off in sdn.csv.
	if e := byID["33151"]; e == nil || !strings.Contains(e.Remarks, "Digital Currency Address - ETH 0x2f389ce8") {
		t.Errorf("33151 remarks not extended: %+v", e)
	}
}

// sdn.xml fixture (hand-built from the schema with the CSV rows' content)
// must give the same entities as the CSV rows it transcribes.
func TestXMLMatchesCSV(t *testing.T) {
	x, err := LoadXML(open(t, "sdn_fixture.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if x.Published.Format("2006-01-02") != "2024-05-03" || len(x.Warnings) != 0 && len(x.Entities) == 0 {
		t.Errorf("published %v warnings %v", x.Published, x.Warnings)
	}
	c := loadExtract(t).ByID()
	for _, xe := range x.Entities {
		ce := c[xe.ID]
		if ce == nil {
			t.Errorf("%s not in CSV", xe.ID)
			continue
		}
		for _, f := range []struct {
			name string
			a, b any
		}{
			{"Name", xe.Name, ce.Name}, {"Kind", xe.Kind, ce.Kind}, {"Programs", xe.Programs, ce.Programs},
			{"Aliases", xe.Aliases, ce.Aliases}, {"Links", linkNames(xe.Links), linkNames(ce.Links)}, {"Vessel", xe.Vessel, ce.Vessel},
		} {
			if f.name == "Vessel" && xe.Vessel != nil && ce.Vessel != nil {
				a, b := *xe.Vessel, *ce.Vessel
				a.IMOText, b.IMOText = "", ""
				if !reflect.DeepEqual(a, b) {
					t.Errorf("%s %s: XML %+v\nCSV %+v", xe.ID, f.name, a, b)
				}
				continue
			}
			if !reflect.DeepEqual(f.a, f.b) {
				t.Errorf("%s %s: XML %+v, CSV %+v", xe.ID, f.name, f.a, f.b)
			}
		}
		if !strings.HasPrefix(xe.Record.Raw, "<sdnEntry>") || !strings.HasSuffix(xe.Record.Raw, "</sdnEntry>") {
			t.Errorf("%s raw %q", xe.ID, xe.Record.Raw)
		}
	}
}

func linkNames(links []sanctions.Link) []string {
	var s []string
	for _, l := range links {
		s = append(s, l.Role+": "+l.Name)
	}
	return s
}

func TestRejectsMalformed(t *testing.T) {
	good := `37059,"ANGARA","vessel","RUSSIA-EO14024",-0- ,-0- ,"Roll-on Roll-off",-0- ,"8811","Russia",-0- ,"Vessel Registration Identification IMO 9179842."` + "\r\n"
	for _, c := range []struct {
		name, csv string
		line      int
		sentinel  error
	}{
		{"too few fields", good + `1,"X","vessel"` + "\r\n", 2, sanctions.ErrMalformed},
		{"bad ent_num", `x1,"X",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ` + "\r\n", 1, sanctions.ErrField},
		{"no name", good + `2,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ` + "\r\n", 2, sanctions.ErrField},
		{"duplicate", good + good, 2, sanctions.ErrField},
		{"bare quote", good + `3,"X"Y",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ` + "\r\n", 2, sanctions.ErrMalformed},
		{"empty", "\x1a", 0, sanctions.ErrEmpty},
	} {
		_, err := LoadCSV(strings.NewReader(c.csv), nil, nil)
		var pe *sanctions.ParseError
		if !errors.As(err, &pe) || !errors.Is(err, c.sentinel) || pe.Line != c.line || pe.File != "sdn.csv" {
			t.Errorf("%s: %v (want line %d, %v)", c.name, err, c.line, c.sentinel)
		}
	}
	for _, c := range []struct {
		name, xml string
		sentinel  error
	}{
		{"truncated", `<sdnList><sdnEntry><uid>1</uid><lastName>X</lastName>`, sanctions.ErrMalformed},
		{"wrong root", `<CONSOLIDATED_LIST></CONSOLIDATED_LIST>`, sanctions.ErrMalformed},
		{"no entries", `<sdnList><publshInformation/></sdnList>`, sanctions.ErrEmpty},
		{"no uid", `<sdnList><sdnEntry><lastName>X</lastName></sdnEntry></sdnList>`, sanctions.ErrField},
		{"no name", `<sdnList><sdnEntry><uid>1</uid></sdnEntry></sdnList>`, sanctions.ErrField},
		{"not xml", "37059,\"ANGARA\"", sanctions.ErrMalformed},
	} {
		_, err := LoadXML(strings.NewReader(c.xml))
		var pe *sanctions.ParseError
		if !errors.As(err, &pe) || !errors.Is(err, c.sentinel) || pe.File != "sdn.xml" {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	// Files report their own name.
	_, err := LoadXML(open(t, "sdn_2024-05-03_vessels_and_owners.csv"))
	if err == nil || !strings.Contains(err.Error(), "sdn_2024-05-03_vessels_and_owners.csv:1") {
		t.Errorf("file name: %v", err)
	}
}

func TestRemarksSplit(t *testing.T) {
	got := splitRemarks("DOB 01 Jan 1979; a.k.a. 'AHMAD, Abu'; a.k.a. 'ABU-'ALI'; a.k.a. 'X; Y'; Linked To: PETROLEOS DE VENEZUELA, S.A.")
	want := []string{"DOB 01 Jan 1979", "a.k.a. 'AHMAD, Abu'", "a.k.a. 'ABU-'ALI'", "a.k.a. 'X; Y'", "Linked To: PETROLEOS DE VENEZUELA, S.A"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestDiffVersions(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testdata, "sdn_2024-05-03_vessels_and_owners.csv"))
	if err != nil {
		t.Fatal(err)
	}
	old, err := LoadCSV(bytes.NewReader(data), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A new version: ANGARA renamed and re-flagged, ADLER delisted, one added.
	mod := strings.Replace(string(data), `37059,"ANGARA","vessel","RUSSIA-EO14024",-0- ,-0- ,"Roll-on Roll-off",-0- ,"8811","Russia"`,
		`37059,"NEW ANGARA","vessel","RUSSIA-EO14024",-0- ,-0- ,"Roll-on Roll-off",-0- ,"8811","Cameroon"`, 1)
	lines := strings.Split(mod, "\n")
	var kept []string
	for _, ln := range lines {
		if !strings.HasPrefix(ln, "37057,") {
			kept = append(kept, ln)
		}
	}
	kept = append(kept[:len(kept)-1], `99999,"TEST SHIP","vessel","IRAN",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Vessel Registration Identification IMO 9179842."`, "")
	nw, err := LoadCSV(strings.NewReader(strings.Join(kept, "\n")), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	d := sanctions.Diff(old, nw)
	if len(d.Added) != 1 || d.Added[0].ID != "99999" || len(d.Removed) != 1 || d.Removed[0].ID != "37057" || len(d.Changed) != 1 {
		t.Fatalf("diff: +%d -%d ~%d", len(d.Added), len(d.Removed), len(d.Changed))
	}
	if c := d.Changed[0]; c.ID != "37059" || !reflect.DeepEqual(c.Fields, []string{"Name", "Vessel.Flag", "Vessel.FlagCode"}) {
		t.Errorf("changed %s %v", c.ID, c.Fields)
	}
	if d.Unchanged != 1011 || d.Old.SHA256 == d.New.SHA256 {
		t.Errorf("unchanged %d", d.Unchanged)
	}
	if same := sanctions.Diff(old, old); !same.Empty() {
		t.Errorf("self diff not empty")
	}
}
