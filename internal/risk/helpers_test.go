package risk

import (
	"fmt"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// at0 is the evaluation time of most tests: after the founding case's
// Najin calls (Sept–Dec 2023).
var at0 = time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC)

func date(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func mustRater(t testing.TB, p *Policy) *Rater {
	t.Helper()
	r, err := New(Config{Policy: p})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func ev(kind event.Kind, mmsi uint32, key string, start time.Time, dur time.Duration) event.Event {
	return event.Event{Key: key, Kind: kind, MMSI: mmsi, Start: start, End: start.Add(dur), Confidence: 1,
		Detector: "test", Details: map[string]any{}}
}

// gaps returns n ordinary 14-hour gaps a week apart, ending before at0.
func gaps(n int) []event.Event {
	var out []event.Event
	for i := range n {
		out = append(out, ev(event.Gap, 273000001, fmt.Sprintf("gap-%d", i), at0.Add(-time.Duration(i+1)*7*24*time.Hour), 14*time.Hour))
	}
	return out
}

func gapEv(key string, start time.Time, dur time.Duration, disabling bool) event.Event {
	e := ev(event.Gap, 273000001, key, start, dur)
	e.Details[DetailSuspectedDisabling] = disabling
	return e
}

func hitEv(key, match string, score float64, designated string) event.Event {
	e := ev(event.SanctionsHit, 273000001, key, date("2023-01-01"), 300*24*time.Hour)
	e.Confidence = score
	e.Details = map[string]any{DetailMatch: match, DetailScore: score, DetailList: "OFAC SDN", DetailProgram: "RUSSIA-EO14024",
		DetailEntityID: "12345", DetailEntityName: "MAIA-1", "alert": true}
	if designated != "" {
		e.Details[DetailDesignationDate] = designated
	}
	return e
}

// darkNajin is a dark port visit with Najin the top candidate.
func darkNajin(key string, start time.Time, plausibility float64) event.Event {
	e := ev(event.DarkPortVisit, 273000001, key, start, 6*24*time.Hour)
	e.Port = "Najin"
	e.Candidates = []event.Candidate{
		{Port: "Najin", Country: "KP", Score: plausibility, HighRisk: true, DetourKm: 410, MaxDwellH: 60},
		{Port: "Vladivostok", Country: "RU", Score: plausibility / 2, DetourKm: 120, MaxDwellH: 120},
	}
	return e
}

func ident(mmsi, imo uint32, name, flag string, first, last time.Time) vessel.Identity {
	return vessel.Identity{MMSI: mmsi, IMO: imo, Name: name, Flag: flag, FirstSeen: first, LastSeen: last, Reports: 10}
}

func near(a, b float64) bool {
	d := a - b
	return d < 1e-9 && d > -1e-9
}
