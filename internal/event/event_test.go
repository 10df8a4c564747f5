package event

import (
	"encoding/json"
	"testing"
	"time"
)

func TestMakeKeyStable(t *testing.T) {
	t0 := time.Date(2023, 9, 7, 12, 0, 0, 0, time.UTC)
	a := MakeKey("gap/v1", Gap, uint32(273), t0)
	b := MakeKey("gap/v1", Gap, uint32(273), t0.In(time.FixedZone("x", 3600)))
	if a != b || len(a) != 24 {
		t.Fatalf("same instant in another zone must give the same key: %s %s", a, b)
	}
	for _, other := range []string{
		MakeKey("gap/v2", Gap, uint32(273), t0),
		MakeKey("gap/v1", Loitering, uint32(273), t0),
		MakeKey("gap/v1", Gap, uint32(274), t0),
		MakeKey("gap/v1", Gap, uint32(273), t0.Add(time.Microsecond)),
	} {
		if other == a {
			t.Errorf("different events share key %s", a)
		}
	}
}

func TestKindValid(t *testing.T) {
	for _, k := range Kinds {
		if !k.Valid() {
			t.Errorf("%s not valid", k)
		}
	}
	if Kind("port-visit").Valid() {
		t.Error("unknown kind accepted")
	}
}

func TestJSONFieldNames(t *testing.T) {
	e := Event{Kind: DarkPortVisit, MMSI: 273, Port: "Najin", OtherMMSI: 1,
		Candidates: []Candidate{{Port: "Najin", Score: 0.9, HighRisk: true}}}
	b, _ := json.Marshal(e)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	for _, f := range []string{"kind", "mmsi", "start", "end", "lat", "lon", "port", "candidates", "other_mmsi", "confidence", "explanation", "detector"} {
		if _, ok := m[f]; !ok {
			t.Errorf("JSON lacks %q: %s", f, b)
		}
	}
}
