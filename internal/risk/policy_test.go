package risk

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/lookout-maritime/lookout/internal/vessel"
)

var update = flag.Bool("update", false, "rewrite golden files and the canonical default policy")

// The embedded default is in canonical form: parsed and written again it
// is byte-identical, and every factor kind has an entry.
func TestDefaultPolicyRoundTrips(t *testing.T) {
	p := DefaultPolicy()
	out, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("default_policy.json", out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(out, defaultPolicyJSON) {
		t.Errorf("default_policy.json is not in canonical form; run go test -run TestDefaultPolicyRoundTrips -update\n%s", out)
	}
	q, err := ParsePolicy(out)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p, q) {
		t.Errorf("round trip changed the policy:\n%+v\n%+v", p, q)
	}
	for _, k := range FactorKinds {
		if _, ok := p.Factors[k]; !ok {
			t.Errorf("default policy has no entry for %s", k)
		}
		if p.Factors[k].Why == "" {
			t.Errorf("default policy does not say why %s counts", k)
		}
	}
	if p.ID() != "lookout-default@2025.1" {
		t.Errorf("ID %q", p.ID())
	}
}

// A user's edited policy (weights changed, a port added) survives a
// write/read cycle exactly, and the change takes effect.
func TestEditedPolicyRoundTrips(t *testing.T) {
	p := DefaultPolicy()
	p.Version = "local-1"
	f := p.Factors[AISGap]
	f.Weight, f.HalfLifeDays, f.Cap = 4.5, 30, 0
	p.Factors[AISGap] = f
	p.HighRiskPorts = append(p.HighRiskPorts, "Bandar Abbas")
	delete(p.Factors, Loitering)
	b, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	q, err := ReadPolicy(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p, q) {
		t.Fatalf("round trip changed the policy")
	}
	b2, _ := q.Marshal()
	if !bytes.Equal(b, b2) {
		t.Fatalf("second write differs")
	}
	if q.Factors[AISGap].Weight != 4.5 || q.Factors[AISGap].Cap != 0 {
		t.Errorf("edit lost: %+v", q.Factors[AISGap])
	}
	// The file is used as written.
	path := t.TempDir() + "/policy.json"
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	fp, err := ReadPolicyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(Config{Policy: fp})
	if err != nil {
		t.Fatal(err)
	}
	prof := r.Rate(Input{MMSI: 273000001, Events: gaps(1)}, at0)
	if len(prof.Factors) != 1 || prof.Factors[0].Weight != 4.5 || prof.Policy != "lookout-default@local-1" {
		t.Errorf("edited policy not applied: %+v", prof)
	}
}

func TestPolicyErrors(t *testing.T) {
	good := string(DefaultPolicyJSON())
	cases := []struct {
		name, in, want string
	}{
		{"not json", "{", "unexpected EOF"},
		{"syntax with line", strings.Replace(good, `"schema": 1,`, `"schema": 1,,`, 1), "line 3, column"},
		{"unknown field", strings.Replace(good, `"half_life_days": 90`, `"half_life_day": 90`, 1), `unknown field "half_life_day"`},
		{"wrong type", strings.Replace(good, `"elevated": 15`, `"elevated": "15"`, 1), "line "},
		{"format", strings.Replace(good, PolicyFormat, "other", 1), "format is \"other\""},
		{"schema", strings.Replace(good, `"schema": 1`, `"schema": 2`, 1), "schema 2 is not supported"},
		{"thresholds", strings.Replace(good, `"high": 40`, `"high": 10`, 1), "thresholds"},
		{"unknown factor", strings.Replace(good, `"ais_gap"`, `"ais_gapp"`, 1), `unknown factor "ais_gapp"`},
		{"negative weight", strings.Replace(good, `"weight": 2,`, `"weight": -2,`, 1), "weight -2"},
		{"bad floor", strings.Replace(good, `"floor": "high"`, `"floor": "severe"`, 1), `floor "severe"`},
		{"bad strength", strings.Replace(good, `"min_strength": 0.8`, `"min_strength": 1.8`, 1), "min_strength 1.8"},
		{"bad flag", strings.Replace(good, `"AG",`, `"Antigua",`, 1), `"Antigua" is not an ISO`},
		{"multiplier", strings.Replace(good, `"after_designation_multiplier": 3`, `"after_designation_multiplier": 0.5`, 1), "after_designation_multiplier"},
		{"trailing", good + "{}", "trailing data"},
		{"no name", strings.Replace(good, `"name": "lookout-default"`, `"name": ""`, 1), "name and version"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.in == good {
				t.Fatal("test case did not change the policy")
			}
			_, err := ParsePolicy([]byte(c.in))
			if err == nil || !errors.Is(err, ErrPolicy) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want ErrPolicy containing %q", err, c.want)
			}
		})
	}
	if _, err := ReadPolicyFile("/nonexistent/policy.json"); err == nil {
		t.Error("missing file: no error")
	}
}

// Every flag in the default lists is a country the MID table knows, so no
// entry is dead.
func TestDefaultFlagListsAreMIDCountries(t *testing.T) {
	known := map[string]bool{}
	for mid := uint16(200); mid < 800; mid++ {
		if c, ok := vessel.MIDCountry(mid); ok {
			known[c.Code] = true
		}
	}
	p := DefaultPolicy()
	for _, l := range [][]string{p.FlagsOfConvenience, p.HighRiskFlags, p.HighRiskCountries} {
		seen := map[string]bool{}
		for _, c := range l {
			if !known[c] {
				t.Errorf("%s is in no MID allocation", c)
			}
			if seen[c] {
				t.Errorf("%s listed twice", c)
			}
			seen[c] = true
		}
	}
}

func FuzzParsePolicy(f *testing.F) {
	f.Add(DefaultPolicyJSON())
	f.Add([]byte(`{"format":"lookout-risk-policy","schema":1,"name":"x","version":"1","thresholds":{"elevated":1,"high":2},"after_designation_multiplier":1,"factors":{"ais_gap":{"weight":1e308,"cap":1e308}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePolicy(b)
		if err != nil {
			return
		}
		// A policy that parses rates, writes and parses again the same.
		r, err := New(Config{Policy: p})
		if err != nil {
			t.Fatalf("valid policy rejected by New: %v", err)
		}
		_ = r.Rate(Input{MMSI: 273000001, Events: gaps(3)}, at0)
		out, err := p.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		q, err := ParsePolicy(out)
		if err != nil {
			t.Fatalf("written policy does not parse: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("round trip changed the policy")
		}
	})
}
