package uk

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/lookout-maritime/lookout/internal/sanctions"
)

const fixture = "../testdata/uk/uk_sanctions_list_fixture.xml"

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
	if len(l.Entities) != 4 || l.Published.Format("2006-01-02") != "2026-02-26" {
		t.Fatalf("%d entities, published %v", len(l.Entities), l.Published)
	}
	b := l.ByID()
	a := b["RUS9001"]
	if a.Kind != sanctions.KindVessel || a.Name != "ANGARA" || a.Vessel.IMO != 9179842 || !a.Vessel.IMOValid || a.Vessel.FlagCode != "RU" ||
		a.Listed.Format("2006-01-02") != "2024-02-24" || !slices.Equal(a.Programs, []string{"Russia"}) || len(a.Aliases) != 1 || a.Aliases[0].Name != "АНГАРА" {
		t.Errorf("ANGARA %+v %+v", a, a.Vessel)
	}
	m := b["RUS9002"]
	if m.Vessel.IMO != 9358010 || len(m.Links) != 1 || m.Links[0].ID != "RUS9003" || m.Links[0].Role != sanctions.RoleOwner || !slices.Equal(m.Vessel.FormerFlags, []string{"Malta"}) {
		t.Errorf("MAIA-1 %+v %+v", m, m.Vessel)
	}
	// An owner the list does not designate keeps its name only.
	if a.Links[0].ID != "" || a.Links[0].Name != "M LEASING LLC" {
		t.Errorf("ANGARA links %+v", a.Links)
	}
	if p := b["RUS9004"]; p.Kind != sanctions.KindPerson || p.Name != "Ivan PETROV" {
		t.Errorf("%+v", p)
	}
}

func TestRejects(t *testing.T) {
	for _, c := range []struct {
		name, xml string
		want      error
	}{
		{"truncated", `<Designations><Designation><UniqueID>1</UniqueID>`, sanctions.ErrMalformed},
		{"root", `<export/>`, sanctions.ErrMalformed},
		{"empty", `<Designations><DateGenerated>2026-02-26</DateGenerated></Designations>`, sanctions.ErrEmpty},
		{"no id", `<Designations><Designation><IndividualEntityShip>Ship</IndividualEntityShip></Designation></Designations>`, sanctions.ErrField},
		{"bad type", `<Designations><Designation><UniqueID>1</UniqueID><IndividualEntityShip>Plane</IndividualEntityShip></Designation></Designations>`, sanctions.ErrField},
		{"bad date", `<Designations><Designation><UniqueID>1</UniqueID><IndividualEntityShip>Ship</IndividualEntityShip><Names><Name><Name6>X</Name6><NameType>Primary Name</NameType></Name></Names><DateDesignated>31/31/2024</DateDesignated></Designation></Designations>`, sanctions.ErrField},
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
