package eu

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/lookout-maritime/lookout/internal/sanctions"
)

const fixture = "../testdata/eu/eu_fsf_fixture.xml"

func TestFixture(t *testing.T) {
	f, err := os.Open(fixture)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l, err := Load(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Entities) != 3 || l.Published.Format("2006-01-02T15:04") != "2026-02-20T16:02" || l.Source != sanctions.SourceEU {
		t.Fatalf("%d entities, published %v", len(l.Entities), l.Published)
	}
	omm := l.Entities[0]
	if omm.ID != "900101" || omm.Name != "Ocean Maritime Management Company, Limited" || omm.Kind != sanctions.KindOrganization ||
		omm.Listed.Format("2006-01-02") != "2016-03-04" || !slices.Equal(omm.Programs, []string{"PRK"}) {
		t.Errorf("OMM %+v", omm)
	}
	want := []sanctions.Alias{{Name: "OMM", Kind: sanctions.AKA, Weak: true}, {Name: "East Sea Shipping Company", Kind: sanctions.AKA}}
	if !slices.Equal(omm.Aliases, want) {
		t.Errorf("aliases %+v", omm.Aliases)
	}
	// The IMO number from the identification and from the remark is one company number.
	n := 0
	for _, id := range omm.IDs {
		if id.Type == "IMO company number" {
			n++
			if id.Value != "1790183" {
				t.Errorf("IMO company number %q", id.Value)
			}
		}
	}
	if n != 1 || !slices.Contains(omm.IDs, sanctions.Identifier{Type: "UN reference number", Value: "KPe.020"}) {
		t.Errorf("IDs %+v", omm.IDs)
	}
	// No designationDate: the regulation's entry into force.
	if c := l.Entities[1]; c.Listed.Format("2006-01-02") != "2018-03-31" || len(c.Aliases) != 1 {
		t.Errorf("%+v", c)
	}
	if p := l.Entities[2]; p.Kind != sanctions.KindPerson || p.Name != "Yun Ho-jin" || !strings.HasPrefix(p.Record.Raw, "<sanctionEntity") {
		t.Errorf("%+v", p)
	}
}

func TestRejects(t *testing.T) {
	for _, c := range []struct {
		name, xml string
		want      error
	}{
		{"truncated", `<export><sanctionEntity logicalId="1">`, sanctions.ErrMalformed},
		{"root", `<sdnList/>`, sanctions.ErrMalformed},
		{"empty", `<export generationDate="2026-02-20"/>`, sanctions.ErrEmpty},
		{"no id", `<export><sanctionEntity><nameAlias wholeName="X"/></sanctionEntity></export>`, sanctions.ErrField},
		{"no name", `<export><sanctionEntity logicalId="1"><subjectType code="person"/></sanctionEntity></export>`, sanctions.ErrField},
		{"bad date", `<export><sanctionEntity logicalId="1" designationDate="03/04/2016"><nameAlias wholeName="X"/></sanctionEntity></export>`, sanctions.ErrField},
	} {
		_, err := Load(strings.NewReader(c.xml))
		var pe *sanctions.ParseError
		if !errors.As(err, &pe) || !errors.Is(err, c.want) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

func FuzzLoad(f *testing.F) {
	data, err := os.ReadFile(fixture)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(`<export><sanctionEntity logicalId="1"><subjectType code="vessel"/><nameAlias wholeName="X"/><identification identificationTypeCode="imo" number="9179842"/></sanctionEntity></export>`))
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
