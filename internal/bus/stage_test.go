package bus

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/lookout-maritime/lookout/internal/detect"
	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

type eventSink struct {
	mu   sync.Mutex
	puts []event.Event
}

func (s *eventSink) PutEvents(_ context.Context, evs []event.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.puts = append(s.puts, evs...)
	return nil
}

func (s *eventSink) events() []event.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]event.Event(nil), s.puts...)
}

// cellTestConfig is the cell stream of cfg, removed at the end.
func cellTestConfig(t *testing.T, cfg Config) CellConfig {
	c := CellsOf(cfg)
	nc := connect(t)
	t.Cleanup(func() {
		js, err := jetstream.New(nc)
		if err != nil {
			return
		}
		js.DeleteStream(context.Background(), c.Stream)
		js.DeleteKeyValue(context.Background(), c.Stream+"_leases")
		js.DeleteKeyValue(context.Background(), c.Stream+"_runs")
	})
	return c
}

// TestEncounterStage: two vessels tracked by different workers (different
// partitions of the observation stream) meet at sea, at the corner of four
// cells. Their workers publish what the filter passes to the cell stream
// and the end of the run from every observation partition; two stage
// workers share the cell partitions; exactly one encounter event is
// stored, once, labelled with the names the vessels' static reports gave,
// and the cell stream ends empty.
func TestEncounterStage(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	obs := testConfig(t, 4)
	cells := cellTestConfig(t, obs)

	// The corner pair of the scenario, and the ships passing near it.
	var pts []vessel.TrackPoint
	for _, p := range scenario(rand.New(rand.NewPCG(7, 7))) {
		if p.MMSI == 273000001 || p.MMSI == 273000002 || p.MMSI >= 273100000 {
			pts = append(pts, p)
		}
	}
	a, b := uint32(273000001), uint32(273000002)
	if Partition(a, obs.Partitions) == Partition(b, obs.Partitions) {
		t.Fatalf("the pair shares observation partition %d; pick others", Partition(a, obs.Partitions))
	}
	if ps := cells.partitionsNear(nil, 10, 60); len(ps) < 2 {
		t.Fatalf("the meeting point goes to cell partitions %v; the test wants several", ps)
	}

	sink := &eventSink{}
	wcfg := WorkerConfig{MaxWait: 50 * time.Millisecond, LeaseTTL: time.Second, RetryPause: 50 * time.Millisecond, Batch: 100}
	newDet := func() (Detector, error) { return detect.New(encounterOnly(), detect.Deps{}, nil) }
	var wg sync.WaitGroup
	sctx, stop := context.WithCancel(ctx)
	for _, id := range []string{"s1", "s2"} {
		wcfg.ID = id
		w, err := NewEncounterStage(connect(t), StageConfig{Cells: cells, Worker: wcfg, NewDetector: newDet, Sink: sink})
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() { defer wg.Done(); w.Run(sctx) }()
	}

	// One publisher per observation partition, as the workers holding
	// them would publish: the filter's fixes, then the end of the run.
	for op := range obs.Partitions {
		pub, err := NewCellPublisher(ctx, connect(t), cells)
		if err != nil {
			t.Fatal(err)
		}
		// The names the events are labelled with, each reported twice
		// (the second time changes nothing).
		t0 := pts[0].Time
		for _, l := range []struct {
			mmsi uint32
			name string
		}{{a, "ALPHA"}, {b, "BRAVO"}} {
			if Partition(l.mmsi, obs.Partitions) == op {
				for k := range 2 {
					pub.Static("run-1", vessel.Static{MMSI: l.mmsi, Time: t0.Add(time.Duration(k) * time.Hour), Has: vessel.HasName | vessel.HasShipType, Name: l.name, ShipType: 80})
				}
			}
		}
		x := NewFixFilter(encounterOnly().Encounter.IndexKn)
		var fixes []Fix
		for _, p := range pts {
			if Partition(p.MMSI, obs.Partitions) == op {
				fixes = x.Add(fixes, FixOf(p))
			}
		}
		if err := pub.PublishFixes(ctx, "run-1", fixes); err != nil {
			t.Fatal(err)
		}
		if err := pub.PublishFixes(ctx, "run-1", fixes); err != nil { // a replay: de-duplicated
			t.Fatal(err)
		}
		if err := pub.PublishEnd(ctx, "run-1", op, obs.Partitions); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the cell stream to empty", 20*time.Second, func() bool { return streamMsgs(t, connect(t), cells.Config) == 0 })
	stop()
	wg.Wait()
	evs := sink.events()
	if len(evs) != 1 {
		for _, e := range evs {
			t.Logf("%s %s", e.Key, e.Explanation)
		}
		t.Fatalf("%d events stored, want one encounter", len(evs))
	}
	e := evs[0]
	if e.Kind != event.Encounter || e.MMSI != a || e.OtherMMSI != b || e.End.Sub(e.Start) < 2*time.Hour || e.Name != "ALPHA" || e.OtherName != "BRAVO" {
		t.Errorf("event %+v", e)
	}
	t.Log(e.Explanation)
}

// recDetector records the times of what it is given.
type recDetector struct{ times []int64 }

func (r *recDetector) Point(p vessel.TrackPoint) { r.times = append(r.times, p.Time.Unix()) }
func (r *recDetector) Static(s vessel.Static)    { r.times = append(r.times, -s.Time.Unix()) }
func (r *recDetector) Drain() []event.Event      { return nil }
func (r *recDetector) Flush()                    {}

// A cell run passes fixes on in time order up to the least watermark of
// the observation partitions (none until each has one, or has ended), a
// fix behind what was passed on at once.
func TestCellRunWatermark(t *testing.T) {
	det := &recDetector{}
	r := &cellRun{det: det, ended: map[int]bool{}, water: map[int]int64{}, out: math.MinInt64}
	add := func(sec int64) {
		if sec*1e9 < r.out {
			r.det.Point(Fix{Time: time.Unix(sec, 0)}.TrackPoint())
			return
		}
		r.seq++
		r.held.push(queuedFix{t: sec * 1e9, seq: r.seq, f: Fix{Time: time.Unix(sec, 0)}})
	}
	check := func(stage string, want ...int64) {
		t.Helper()
		r.release()
		if !slices.Equal(det.times, want) {
			t.Fatalf("%s: passed on %v, want %v", stage, det.times, want)
		}
	}
	r.of = 3
	for _, s := range []int64{50, 10, 30, 20, 40, 60} { // partitions 0 and 1 at their own pace
		add(s)
	}
	r.water[0], r.water[1] = 45e9, 100e9
	check("partition 2 unheard of")
	r.water[2] = 25e9
	check("watermarks 45, 100, 25 s", 10, 20)
	r.ended[2] = true
	check("partition 2 ended", 10, 20, 30, 40)
	add(35) // behind: at once
	check("late fix", 10, 20, 30, 40, 35)
	r.ended[0], r.ended[1] = true, true
	check("all ended", 10, 20, 30, 40, 35, 50, 60)
}
