package ftm

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/lookout-maritime/lookout/internal/sanctions"
)

const fixture = "../testdata/ftm/ftm_fixture.jsonl"

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
	b := l.ByID()
	if len(l.Entities) != 8 {
		t.Fatalf("%d entities", len(l.Entities))
	}
	sb := b["lk-vessel-sea-breeze"]
	if sb.Kind != sanctions.KindVessel || sb.Designated || sb.Vessel.IMO != 9305609 || sb.Vessel.MMSI != 636019825 || sb.Vessel.FlagCode != "LR" ||
		sb.Vessel.CallSign != "D5AB7" || sb.Vessel.YearBuilt != 2005 || len(sb.Aliases) != 1 || sb.Aliases[0].Kind != sanctions.FKA {
		t.Errorf("SEA BREEZE %+v %+v", sb, sb.Vessel)
	}
	// The ownership chain: vessel <- BLUE HORIZON <- NORTHERN CROSS <- PETRO FRONTIER (sanctioned).
	chain := []string{"lk-vessel-sea-breeze", "lk-co-blue-horizon", "lk-co-northern-cross", "lk-co-petro-frontier"}
	for i := 0; i+1 < len(chain); i++ {
		e := b[chain[i]]
		if !slices.ContainsFunc(e.Links, func(k sanctions.Link) bool {
			return k.ID == chain[i+1] && k.Role == sanctions.RoleOwner && k.Name != ""
		}) {
			t.Errorf("%s links %+v", e.ID, e.Links)
		}
	}
	pf := b["lk-co-petro-frontier"]
	if !pf.Designated || pf.Listed.Format("2006-01-02") != "2024-02-23" || !slices.Equal(pf.Programs, []string{"RUSSIA-EO14024"}) || !strings.Contains(pf.Record.Raw, "lk-sanction-petro-frontier") {
		t.Errorf("PETRO FRONTIER %+v", pf)
	}
	if nc := b["lk-co-northern-cross"]; !slices.ContainsFunc(nc.Links, func(k sanctions.Link) bool { return k.Role == sanctions.RoleDirector && k.ID == "lk-person-director" }) {
		t.Errorf("directorship missing: %+v", nc.Links)
	}
	if a := b["lk-vessel-angara"]; !a.Designated || a.Links[0].Role != sanctions.RoleOperator || a.Links[0].Name != "M LEASING LLC" {
		t.Errorf("ANGARA %+v", a)
	}
}

func TestRejects(t *testing.T) {
	for _, c := range []struct {
		name, in string
		line     int
		want     error
	}{
		{"not json", `{"id":"a","schema":"Vessel","properties":{"name":["X"]}}` + "\n{oops\n", 2, sanctions.ErrMalformed},
		{"no id", `{"schema":"Vessel","properties":{"name":["X"]}}`, 1, sanctions.ErrField},
		{"no name", `{"id":"a","schema":"Vessel","properties":{}}`, 1, sanctions.ErrField},
		{"duplicate", `{"id":"a","schema":"Vessel","properties":{"name":["X"]}}` + "\n" + `{"id":"a","schema":"Vessel","properties":{"name":["X"]}}`, 2, sanctions.ErrField},
		{"no things", `{"id":"s","schema":"Sanction","properties":{"entity":["a"]}}`, 0, sanctions.ErrEmpty},
	} {
		_, err := Load(strings.NewReader(c.in))
		var pe *sanctions.ParseError
		if !errors.As(err, &pe) || !errors.Is(err, c.want) || pe.Line != c.line {
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
	for _, ln := range bytes.Split(data, []byte("\n"))[:4] {
		f.Add(ln)
	}
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
