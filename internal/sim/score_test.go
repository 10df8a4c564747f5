package sim

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
)

// The founding scenario's truth: a port visit for every stay with AIS on
// of every vessel, none at Najin (those stays are dark); a gap and a dark
// port visit at Najin for each of the 24 dark legs; the STS encounter;
// nothing optional but stays cut by the window's edges.
func TestTruthEvents(t *testing.T) {
	s := founding(t)
	truth := s.truthEvents()
	byKind := map[event.Kind][]TruthEvent{}
	visits := map[uint32]int{}
	for _, e := range truth {
		byKind[e.Kind] = append(byKind[e.Kind], e)
		if e.Kind == event.PortVisit {
			visits[e.MMSI]++
			if e.Port == "Najin" || e.Port == "" || !e.Start.Before(e.End) {
				t.Errorf("port visit %+v", e)
			}
			edge := e.Start.Before(s.cfg.Start.Add(6*time.Hour)) || e.End.After(s.cfg.End.Add(-6*time.Hour))
			if e.Optional && !edge {
				t.Errorf("optional visit inside the window: %+v", e)
			}
		}
	}
	if len(visits) != len(s.ships) {
		t.Errorf("%d of %d vessels have port visits", len(visits), len(s.ships))
	}
	legs := s.truth.DarkLegs
	gaps, dark := byKind[event.Gap], byKind[event.DarkPortVisit]
	if len(legs) != 24 || len(gaps) != 24 || len(dark) != 24 {
		t.Fatalf("%d dark legs, %d gaps, %d dark port visits", len(legs), len(gaps), len(dark))
	}
	for i, d := range legs {
		g, v := findTruth(gaps, d.MMSI, d.Off), findTruth(dark, d.MMSI, d.Arrived)
		if g == nil || !g.End.Equal(d.On) || g.Optional || v == nil || v.Port != "Najin" || !v.End.Equal(d.Departed) || v.Optional {
			t.Errorf("leg %d %+v: gap %+v, dark port visit %+v", i, d, g, v)
		}
	}
	enc := byKind[event.Encounter]
	if len(enc) != 1 || enc[0].MMSI != s.truth.STS.MMSI[0] || enc[0].OtherMMSI != s.truth.STS.MMSI[1] || !enc[0].Start.Equal(s.truth.STS.Start) {
		t.Errorf("encounters %+v, STS %+v", enc, s.truth.STS)
	}
	if n := len(byKind[event.Loitering]); n != 0 {
		t.Errorf("%d loitering events in the truth", n)
	}
	// The founding ships' Russian port calls are port visits too.
	for _, sh := range s.ships[:3] {
		for _, sg := range sh.plan.segs {
			if sg.kind == segStay && sg.port != "Najin" && sg.t1 > unix(s.cfg.Start) && sg.t0 < unix(s.cfg.End) {
				if e := findTruth(byKind[event.PortVisit], sh.MMSI, timeUTC(sg.t0)); e == nil || e.Port != sg.port {
					t.Errorf("%s at %s from %s: no port visit", sh.Name, sg.port, fmtT(sg.t0))
				}
			}
		}
	}
}

func findTruth(ts []TruthEvent, mmsi uint32, start time.Time) *TruthEvent {
	for i := range ts {
		if ts[i].MMSI == mmsi && ts[i].Start.Equal(start) {
			return &ts[i]
		}
	}
	return nil
}

// A window that cuts the story: the small scenario ends on 12 September
// with MARIA's second leg not yet begun and ANGARA's first just closed;
// a stay running past the end with hours inside the window is required,
// one begun minutes before the end is optional. The manifest carries the
// truth and reads it back.
func TestTruthWindow(t *testing.T) {
	dir, m := writeSmall(t)
	if len(m.Truth) == 0 {
		t.Fatal("no truth in the manifest")
	}
	end := m.End
	var required, optional int
	for _, e := range m.Truth {
		if e.Kind != event.PortVisit || !e.End.After(end) {
			continue
		}
		// Required from two reporting intervals alongside inside the
		// window: 1.5 h for the story's ships, 3–6 h for the others.
		switch inside := end.Sub(e.Start); {
		case inside < 45*time.Minute && !e.Optional, inside > 6*time.Hour && e.Optional:
			t.Errorf("visit with %v inside the window: optional %v", inside, e.Optional)
		}
		if e.Optional {
			optional++
		} else {
			required++
		}
	}
	if required == 0 {
		t.Error("no stay runs past the end of the window")
	}
	t.Logf("stays past the end of the window: %d required, %d optional", required, optional)
	for _, e := range m.Truth {
		if (e.Kind == event.Gap || e.Kind == event.DarkPortVisit) && e.Optional != (e.End.After(end) || e.Start.Before(m.Start)) {
			t.Errorf("%s %+v: optional %v", e.Kind, e, e.Optional)
		}
	}
	got, err := ReadManifest(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Truth) != len(m.Truth) || got.Truth[0] != m.Truth[0] || got.Truth[len(got.Truth)-1] != m.Truth[len(m.Truth)-1] {
		t.Errorf("truth read back differs: %d of %d events", len(got.Truth), len(m.Truth))
	}
}

func ts(h int) time.Time {
	return time.Date(2023, 10, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(h) * time.Hour)
}

// Score matches one to one by vessel, overlapping time and port (the top
// candidate for dark port visits; either order of the pair for
// encounters), leaves optional truth and withdrawn events out, and
// counts a split visit's second half as spurious.
func TestScore(t *testing.T) {
	visit := func(mmsi uint32, port string, a, b int) TruthEvent {
		return TruthEvent{Kind: event.PortVisit, MMSI: mmsi, Port: port, Start: ts(a), End: ts(b)}
	}
	ev := func(k event.Kind, mmsi uint32, port string, a, b int) event.Event {
		return event.Event{Kind: k, MMSI: mmsi, Port: port, Start: ts(a), End: ts(b)}
	}
	opt := visit(3, "Busan", 100, 110)
	opt.Optional = true
	truth := []TruthEvent{
		visit(1, "Vostochny", 0, 10),
		visit(1, "Dunay", 20, 30),
		visit(2, "Busan", 0, 10),
		opt,
		{Kind: event.Gap, MMSI: 1, Start: ts(40), End: ts(140)},
		{Kind: event.DarkPortVisit, MMSI: 1, Port: "Najin", Start: ts(60), End: ts(120)},
		{Kind: event.Encounter, MMSI: 5, OtherMMSI: 6, Start: ts(200), End: ts(203)},
	}
	withdrawn := ev(event.PortVisit, 2, "Busan", 1, 9)
	withdrawn.Withdrawn = true
	enc := ev(event.Encounter, 6, "", 200, 203)
	enc.OtherMMSI = 5
	events := []event.Event{
		ev(event.PortVisit, 1, "vostochny", 0, 4),  // case-insensitive port
		ev(event.PortVisit, 1, "Vostochny", 5, 10), // the split's longer half wins, this one
		ev(event.PortVisit, 1, "Kozmino", 20, 21),  // wrong port
		ev(event.PortVisit, 3, "Busan", 105, 110),  // optional truth: not counted
		withdrawn, // ignored: visit 2 missed
		ev(event.Gap, 1, "", 39, 141),
		ev(event.DarkPortVisit, 1, "Yingkou", 39, 141), // top candidate wrong
		enc,
		ev(event.Loitering, 9, "", 0, 5),
	}
	want := map[event.Kind][4]int{ // truth, found, events, correct
		event.PortVisit:      {3, 1, 3, 1},
		event.Gap:            {1, 1, 1, 1},
		event.DarkPortVisit:  {1, 0, 1, 0},
		event.Encounter:      {1, 1, 1, 1},
		event.Loitering:      {0, 0, 1, 0},
		event.Spoofing:       {0, 0, 0, 0},
		event.IdentityChange: {0, 0, 0, 0},
	}
	scores := Score(truth, events)
	if len(scores) != len(ScoredKinds) {
		t.Fatalf("%d scores", len(scores))
	}
	for _, s := range scores {
		w := want[s.Kind]
		if got := [4]int{s.Truth, s.Found, s.Events, s.Correct}; got != w {
			t.Errorf("%s: truth, found, events, correct = %v, want %v", s.Kind, got, w)
		}
		if s.Truth-s.Found != len(s.Missed) || s.Events-s.Correct != len(s.Spurious) {
			t.Errorf("%s: %d missed, %d spurious listed", s.Kind, len(s.Missed), len(s.Spurious))
		}
	}
	pv := scores[0]
	if pv.Precision != 1.0/3 || pv.Recall != 1.0/3 {
		t.Errorf("port visits: precision %v, recall %v", pv.Precision, pv.Recall)
	}
	if sp := scores[6]; sp.Precision != 1 || sp.Recall != 1 {
		t.Errorf("nothing to find, nothing found: precision %v, recall %v, want 1", sp.Precision, sp.Recall)
	}
	if lo := scores[4]; lo.Precision != 0 || lo.Recall != 1 {
		t.Errorf("loitering where there is none: precision %v, recall %v", lo.Precision, lo.Recall)
	}
	table := ScoreTable(scores)
	if !strings.Contains(table, "| port_visit | 3 | 1 | 3 | 1 | 0.333 | 0.333 |") {
		t.Errorf("table:\n%s", table)
	}
}

func TestMatches(t *testing.T) {
	tr := TruthEvent{Kind: event.Gap, MMSI: 1, Start: ts(10), End: ts(20)}
	for _, tc := range []struct {
		e    event.Event
		want bool
	}{
		{event.Event{Kind: event.Gap, MMSI: 1, Start: ts(20), End: ts(30)}, true}, // touching counts
		{event.Event{Kind: event.Gap, MMSI: 1, Start: ts(21), End: ts(30)}, false},
		{event.Event{Kind: event.Gap, MMSI: 1, Start: ts(0), End: ts(9)}, false},
		{event.Event{Kind: event.Gap, MMSI: 2, Start: ts(10), End: ts(20)}, false},
		{event.Event{Kind: event.PortVisit, MMSI: 1, Start: ts(10), End: ts(20)}, false},
		{event.Event{Kind: event.Gap, MMSI: 1, Start: ts(0), End: ts(40)}, true},
	} {
		if got := Matches(tr, &tc.e); got != tc.want {
			t.Errorf("%+v: %v, want %v", tc.e, got, tc.want)
		}
	}
}
