package ingest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/lookout-maritime/lookout/bench/decode/corpus"
	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/store/duckdb"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

func writeCorpus(t *testing.T, lines int) (string, corpus.Stats) {
	t.Helper()
	var buf bytes.Buffer
	st, err := corpus.Generate(&buf, corpus.Config{Lines: lines, Seed: 3, ClassA: 200, ClassB: 50, Rate: 5})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "c.nmea")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p, st
}

// The summary's counts equal what the generator says it wrote, and what
// the store holds; a second run stores nothing new.
func TestRunCountsAndIdempotence(t *testing.T) {
	in, gen := writeCorpus(t, 40_000)
	ctx := context.Background()
	st, err := duckdb.Open(ctx, duckdb.Config{Path: filepath.Join(t.TempDir(), "s.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sum, err := Run(ctx, st, []string{in}, Config{BatchPoints: 3000}) // many batches
	if err != nil {
		t.Fatal(err)
	}
	// Lines the source counts: one per observation or rejected line
	// (fragments of a multi-part message make one observation).
	if sum.Lines != sum.Decoded+sum.Rejected || sum.Lines > int64(gen.Lines) {
		t.Errorf("lines %d = %d decoded + %d rejected, generated %d", sum.Lines, sum.Decoded, sum.Rejected, gen.Lines)
	}
	corrupt := sum.ByReason["checksum"] + sum.ByReason["no_checksum"] + sum.ByReason["payload_char"] + sum.ByReason["orphan_fragment"]
	if corrupt != int64(gen.CorruptLines()) {
		t.Errorf("corrupt lines rejected %d (%v), generator wrote %d", corrupt, sum.ByReason, gen.CorruptLines())
	}
	stats, err := st.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if int64(sum.Added) != stats.Positions || sum.Status != store.RunOK {
		t.Errorf("summary says %d added, store holds %d", sum.Added, stats.Positions)
	}
	run, err := st.Run(ctx, sum.Run)
	if err != nil || run.Lines != sum.Lines || run.Rejected != sum.Rejected || run.PositionsAdded != int64(sum.Added) {
		t.Errorf("run record %+v vs summary %+v (%v)", run, sum, err)
	}
	again, err := Run(ctx, st, []string{in}, Config{})
	if err != nil || again.Added != 0 || again.Duplicates != sum.Added+sum.Duplicates {
		t.Errorf("second run: %d added, %d duplicates (first added %d): %v", again.Added, again.Duplicates, sum.Added, err)
	}
}

// failingStore fails AddPacked after n calls: a disk that fills up.
type failingStore struct {
	*duckdb.Store
	n int
}

var errDiskFull = errors.New("disk full")

func (f *failingStore) AddPacked(ctx context.Context, run store.RunID, pts *vessel.Points) (store.LoadStats, error) {
	if f.n == 0 {
		return store.LoadStats{}, errDiskFull
	}
	f.n--
	return f.Store.AddPacked(ctx, run, pts)
}

func TestStoreFailureStopsTheRun(t *testing.T) {
	in, _ := writeCorpus(t, 20_000)
	ctx := context.Background()
	db, err := duckdb.Open(ctx, duckdb.Config{Path: filepath.Join(t.TempDir(), "s.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sum, err := Run(ctx, &failingStore{db, 2}, []string{in}, Config{BatchPoints: 1000})
	if !errors.Is(err, errDiskFull) || sum.Status != store.RunFailed {
		t.Fatalf("want the store's error and a failed run: %v %s", err, sum.Status)
	}
	run, _ := db.Run(ctx, sum.Run)
	if run.Status != store.RunFailed || run.PositionsAdded != int64(sum.Added) || sum.Added == 0 {
		t.Fatalf("run record %+v, summary added %d", run, sum.Added)
	}
}

// canceller cancels the run after n points (an interrupt mid-file).
type canceller struct {
	recorder
	n      int
	cancel func()
}

func (c *canceller) Point(p vessel.TrackPoint) {
	c.recorder.Point(p)
	if c.n--; c.n == 0 {
		c.cancel()
	}
}

// An interrupted run reports the interruption, is recorded as failed, and
// still stores every fix it accepted (what the tracker held back for
// reordering included) with the detectors' events: nothing accepted is
// lost to a Ctrl-C or a server stopping its live feed.
func TestCancel(t *testing.T) {
	in, _ := writeCorpus(t, 200_000)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db, err := duckdb.Open(context.Background(), duckdb.Config{Path: filepath.Join(t.TempDir(), "s.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	obs := &canceller{n: 1000, cancel: cancel}
	sum, err := Run(ctx, db, []string{in}, Config{Observer: obs})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run: %v", err)
	}
	runs, _ := db.Runs(context.Background())
	if len(runs) != 1 || runs[0].Status != store.RunFailed {
		t.Fatalf("a cancelled run is recorded as failed: %+v", runs)
	}
	stats, err := db.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// The store drops as duplicates the fixes that repeat one already
	// stored (same MMSI, time and position).
	if !obs.flushed || obs.points < 1000 || stats.Positions != int64(sum.Added) || sum.Added+sum.Duplicates != obs.points {
		t.Errorf("accepted %d fixes (flushed %v), stored %d (summary: %d added, %d duplicates)", obs.points, obs.flushed, stats.Positions, sum.Added, sum.Duplicates)
	}
	if sum.Events != obs.points/100 {
		t.Errorf("%d events stored, the observer made %d", sum.Events, obs.points/100)
	}
}

// recorder is an Observer that turns every 100th point into an event.
type recorder struct {
	points, statics, idents int
	flushed                 bool
	pending                 []event.Event
}

func (r *recorder) Point(p vessel.TrackPoint) {
	r.points++
	if r.points%100 == 0 {
		r.pending = append(r.pending, event.Event{Key: event.MakeKey("test", event.Loitering, p.MMSI, p.Time),
			Kind: event.Loitering, MMSI: p.MMSI, Start: p.Time, End: p.Time, Lat: p.Lat, Lon: p.Lon, Detector: "test", Version: "1"})
	}
}
func (r *recorder) Identity(vessel.Identity, bool) { r.idents++ }
func (r *recorder) Static(vessel.Static)           { r.statics++ }
func (r *recorder) Drain() []event.Event {
	e := r.pending
	r.pending = nil
	return e
}
func (r *recorder) Flush() { r.flushed = true }

func TestObserverSeesEverythingAndEventsAreStored(t *testing.T) {
	in, _ := writeCorpus(t, 20_000)
	ctx := context.Background()
	db, err := duckdb.Open(ctx, duckdb.Config{Path: filepath.Join(t.TempDir(), "s.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rec := &recorder{}
	sum, err := Run(ctx, db, []string{in}, Config{Observer: rec, BatchPoints: 2000})
	if err != nil {
		t.Fatal(err)
	}
	if !rec.flushed || rec.statics == 0 || rec.idents != sum.Identities {
		t.Errorf("observer: %+v, summary %+v", rec, sum)
	}
	if rec.points != sum.Added+sum.Duplicates {
		t.Errorf("observer saw %d points, the store was given %d", rec.points, sum.Added+sum.Duplicates)
	}
	evs, err := db.Events(ctx, store.EventQuery{})
	if err != nil || len(evs) != rec.points/100 || sum.Events != len(evs) {
		t.Errorf("events stored %d (summary %d), want %d: %v", len(evs), sum.Events, rec.points/100, err)
	}
}
