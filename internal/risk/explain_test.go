package risk

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update after checking):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// maia1 is the founding case as the engine would see it: MAIA-1 (IMO
// 9358010) on the OFAC SDN list (RUSSIA-EO14024, designated 2022-05-08 per
// the list), its AIS going dark with Najin the most plausible call, draught
// up on its return, and a sanctioned sister ship met off Vostochny. The
// event keys are what the detectors would produce; the numbers are
// illustrative.
func maia1() Input {
	const mmsi = 273359640
	history := []vessel.Identity{
		ident(mmsi, 9358010, "MAIA-1", "RU", date("2023-01-04"), date("2024-01-10")),
	}
	hit := hitEv("2f1c0d6a9b8e7f6a5b4c3d2e", "direct", 1, "2022-05-08")
	hit.MMSI, hit.Name = mmsi, "MAIA-1"
	hit.Details[DetailEntityName] = "MAIA-1"
	hit.Details[DetailEntityID] = "33128"
	dark := darkNajin("8a7b6c5d4e3f2a1b0c9d8e7f", date("2023-09-23"), 0.82)
	dark.MMSI = mmsi
	gap := gapEv("0a1b2c3d4e5f6a7b8c9d0e1f", date("2023-09-22").Add(18*time.Hour), 6*24*time.Hour+20*time.Hour, true)
	gap.MMSI, gap.Confidence = mmsi, 0.9
	draught := ev(event.DraughtChange, mmsi, "5e4d3c2b1a0f9e8d7c6b5a49", date("2023-09-29"), 0)
	draught.Details[DetailDark], draught.Details[DetailBeforeM], draught.Details[DetailAfterM] = true, 4.1, 6.3
	enc := ev(event.Encounter, mmsi, "c0ffee00c0ffee00c0ffee00", date("2023-11-14"), 5*time.Hour)
	enc.OtherMMSI, enc.OtherName = 273214860, "ANGARA"
	return Input{MMSI: mmsi, History: history, Lat: 42.77, Lon: 132.88,
		Events: []event.Event{hit, dark, gap, draught, enc}}
}

func TestExplanationGolden(t *testing.T) {
	r := mustRater(t, nil).WithCounterparties(CounterpartyMap{273214860: Sanctioned})
	p := r.Rate(maia1(), at0)
	if p.Rating != Sanctioned {
		t.Fatalf("rating %s", p.Rating)
	}
	golden(t, "explain_maia1.golden", []byte(p.Explain()))
	j, err := p.JSON()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "profile_maia1.golden.json", append(j, '\n'))

	// An unremarkable vessel says so.
	q := r.Rate(Input{MMSI: 211000001, History: []vessel.Identity{ident(211000001, 9179842, "ELBE TRADER", "DE", date("2023-01-01"), date("2024-01-01"))}}, at0)
	golden(t, "explain_clean.golden", []byte(q.Explain()))
}

// A floor lifts the rating above the band and the explanation says why.
func TestFloorExplained(t *testing.T) {
	p := DefaultPolicy()
	f := p.Factors[SanctionsOwner]
	f.Weight = 5
	p.Factors[SanctionsOwner] = f
	r := mustRater(t, p)
	prof := r.Rate(Input{MMSI: 273000001, Events: []event.Event{hitEv("h", "owner", 0.9, "")}}, at0)
	if prof.Band != Low || prof.Rating != High || !near(prof.Score, 4.5) {
		t.Fatalf("band %s rating %s score %v", prof.Band, prof.Rating, prof.Score)
	}
	if !strings.Contains(prof.Explain(), "The score alone rates low; sanctions_owner sets the floor at high.") {
		t.Errorf("explanation:\n%s", prof.Explain())
	}
}

func TestChangeEvent(t *testing.T) {
	r := mustRater(t, nil)
	in := maia1()
	in.Events = in.Events[1:3] // the dark Najin call and the gap: no list hit yet
	before := r.Rate(Input{MMSI: in.MMSI, History: in.History, Events: in.Events[1:]}, date("2023-10-01"))
	after := r.Rate(in, date("2023-10-01"))
	if before.Rating != Low || after.Rating != High {
		t.Fatalf("ratings %s → %s", before.Rating, after.Rating)
	}
	e, ok := Change(before, after)
	if !ok {
		t.Fatal("no change event")
	}
	if e.Kind != event.RiskChange || e.MMSI != in.MMSI || !e.Start.Equal(date("2023-10-01")) || e.Details["new_rating"] != "high" ||
		e.Details["old_rating"] != "low" || e.Details["direction"] != "up" || e.Lat != 42.77 {
		t.Errorf("event %+v", e)
	}
	if !strings.HasPrefix(e.Explanation, "MAIA-1 became high risk (was low; score ") || !strings.Contains(e.Explanation, "dark_high_risk_port_call +") {
		t.Errorf("explanation %q", e.Explanation)
	}
	if ev := e.Details["evidence"].([]string); len(ev) != 1 || ev[0] != in.Events[0].Key {
		t.Errorf("evidence %v", ev)
	}
	// The key is stable: recomputing gives the same event.
	e2, _ := Change(before, after)
	if e2.Key != e.Key {
		t.Error("key not stable")
	}
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "risk_change.golden.json", append(b, '\n'))

	// Same rating: no event, even when the score moved.
	if _, ok := Change(after, r.Rate(in, date("2023-10-03"))); ok {
		t.Error("event without a rating change")
	}
	// Decay brings it down: an event the other way.
	later := r.Rate(in, date("2026-01-01"))
	d, ok := Change(after, later)
	if !ok || d.Details["direction"] != "down" || !strings.Contains(d.Explanation, "fell to") {
		t.Errorf("down: %v %+v", ok, d)
	}
	// Never rated before and now sanctioned.
	s, ok := Change(Profile{}, r.Rate(maia1(), at0))
	if !ok || s.Details["old_rating"] != "low" || !strings.Contains(s.Explanation, "became sanctioned") {
		t.Errorf("first rating: %v %q", ok, s.Explanation)
	}
	// A factor that went away is named.
	gone, ok := Change(r.Rate(maia1(), at0), r.Rate(Input{MMSI: in.MMSI, History: in.History}, at0))
	if !ok || !strings.Contains(gone.Explanation, "No longer counted: sanctions_direct") {
		t.Errorf("removed: %q", gone.Explanation)
	}
}
