package sim

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/coast"
	"github.com/lookout-maritime/lookout/internal/detect"
	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/gazetteer"
	"github.com/lookout-maritime/lookout/internal/ingest"
	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/store/duckdb"
)

// evalConfig is the evaluation's scenario: the whole story (September to
// December 2023: 24 dark legs, the STS meeting) with 60 ordinary vessels,
// reporting every 10–20 min at sea and 30–60 min alongside (the story's
// ships twice as often). That is still far sparser than real AIS (every
// 2–10 s under way, 3 min moored) but dense enough that 30 % loss tests
// the detectors rather than the decimation: at the demo's rates (a report
// every 1.5–3 h alongside) a few reports lost in a row leave a moored ship
// silent for 6–15 h, which the gap detector rightly reports (an open
// "AIS off" at the end of the data, or a gap): a silence in the data that
// the truth, which knows the AIS was on, counts as a false positive.
func evalConfig(seed int64) Config {
	c := DefaultConfig(seed)
	c.Background = 60
	c.SeaEvery, c.PortEvery = 10*time.Minute, 30*time.Minute
	c.NoImages, c.NoSAR = true, true
	return c
}

// issueDegraded is issue 4's degraded reception: 30 % message loss per
// receiver, 50 m position noise, two receivers; 5 % of lines a minute late.
var issueDegraded = Reception{Receivers: 2, Loss: 0.3, NoiseM: 50, Late: 0.05}

// evalRun is what evaluate measured.
type evalRun struct {
	man    Manifest
	sum    ingest.Summary
	events []event.Event
	scores []KindScore
}

// evaluate writes cfg's scenario, ingests its AIS into a DuckDB store
// with the streaming detectors as `lookout ingest` runs them, reads the
// events back and scores them against the manifest's truth.
func evaluate(t *testing.T, cfg Config) evalRun {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	t0 := time.Now()
	man, err := New(cfg).Write(filepath.Join(dir, "data"))
	if err != nil {
		t.Fatal(err)
	}
	tWrite := time.Since(t0)
	g, err := gazetteer.Default()
	if err != nil {
		t.Fatal(err)
	}
	shore, err := coast.Load()
	if err != nil {
		t.Fatal(err)
	}
	dcfg := detect.Default()
	dcfg.PortVisit.SearchKm = max(dcfg.PortVisit.SearchKm, g.MaxRadiusKm()) // as internal/cli does
	eng, err := detect.New(dcfg, detect.Deps{Ports: g, Shore: shore}, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := duckdb.Open(ctx, duckdb.Config{Path: filepath.Join(dir, "s.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sum, err := ingest.Run(ctx, st, []string{filepath.Join(dir, "data", man.AIS.File)}, ingest.Config{Observer: eng})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rejected != 0 || sum.Decoded != int64(man.AIS.Messages) {
		t.Fatalf("ingest: %d decoded of %d messages, %d rejected: %v", sum.Decoded, man.AIS.Messages, sum.Rejected, sum.ByReason)
	}
	evs, err := st.Events(ctx, store.EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %d AIS messages (%d lines) in %v; ingested in %v: %d positions stored, %d copies dropped as duplicates, %d late; %d events",
		man.AIS.Messages, man.AIS.Lines, tWrite.Round(time.Millisecond), sum.Elapsed.Round(time.Millisecond),
		sum.Added, sum.Track.Duplicates, sum.Track.Late, len(evs))
	return evalRun{man: man, sum: sum, events: evs, scores: Score(man.Truth, evs)}
}

// logMisses logs what a kind missed and found wrongly (at most ten each).
func logMisses(t *testing.T, s KindScore) {
	t.Helper()
	for i, m := range s.Missed {
		if i == 10 {
			t.Logf("%s: %d missed in all", s.Kind, len(s.Missed))
			break
		}
		t.Logf("%s missed: %s (%d) %s %s – %s", s.Kind, m.Name, m.MMSI, m.Port, m.Start.Format(time.RFC3339), m.End.Format(time.RFC3339))
	}
	for i, e := range s.Spurious {
		if i == 10 {
			t.Logf("%s: %d spurious in all", s.Kind, len(s.Spurious))
			break
		}
		t.Logf("%s spurious: %s", s.Kind, e.Explanation)
	}
}

// TestDetectorsAgainstTruth is issue 4's evaluation: the streaming
// detectors, run as ingest runs them, find the simulator's ground truth
// with precision and recall 1.0 on clean AIS, and at least 0.95 with 30 %
// message loss per receiver, 50 m position noise and two receivers (lines
// duplicated, up to 2 s apart, 5 % up to a minute out of order).
//
//	go test ./internal/sim/ -run TestDetectorsAgainstTruth -v
//
// prints the table docs/EVENTS.md gives.
func TestDetectorsAgainstTruth(t *testing.T) {
	for _, tc := range []struct {
		name string
		rc   Reception
		min  float64
	}{
		{"clean", Reception{}, 1},
		{"degraded", issueDegraded, 0.95},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if testing.Short() && tc.rc.active() {
				t.Skip("the degraded run ingests 0.9 M lines")
			}
			cfg := evalConfig(1)
			cfg.Reception = tc.rc
			run := evaluate(t, cfg)
			if tc.rc.active() {
				// The data really is degraded as asked.
				if run.man.AIS.Unheard == 0 || run.sum.Track.Duplicates == 0 {
					t.Errorf("reception not degraded: %d unheard, %d duplicates", run.man.AIS.Unheard, run.sum.Track.Duplicates)
				}
			}
			t.Logf("%s:\n%s", tc.name, ScoreTable(run.scores))
			for _, s := range run.scores {
				if s.Kind != event.Loitering && s.Kind != event.Spoofing && s.Kind != event.IdentityChange && s.Truth == 0 {
					t.Errorf("%s: no ground truth in the scenario", s.Kind)
				}
				if s.Precision < tc.min || s.Recall < tc.min {
					t.Errorf("%s: precision %.3f, recall %.3f, want at least %.2f", s.Kind, s.Precision, s.Recall, tc.min)
				}
				logMisses(t, s)
				// Known limit of internal/detect (reported, not ours to
				// fix here): a Vostochny berth lies about 4.1 km from the
				// Kozmino terminal's point, and the approaches pass within
				// 3 km of it. The port-visit detector keeps a vessel in the
				// first port it entered until it is beyond that port's
				// 4 km exit radius, so when noise puts the first fix at the
				// berth (stopped) inside 4 km of Kozmino, the stop counts
				// for Kozmino: a spurious Kozmino visit before the true
				// Vostochny one. Any other spurious visit is a new problem.
				if s.Kind == event.PortVisit {
					for _, e := range s.Spurious {
						if e.Port != "Kozmino" || !strings.Contains(e.Explanation, "a stop") {
							t.Errorf("spurious port visit not explained by the Kozmino overlap: %s", e.Explanation)
						}
					}
				}
			}
		})
	}
}
