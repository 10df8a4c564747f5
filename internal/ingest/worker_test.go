package ingest

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/source"
	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/store/duckdb"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// readAll decodes a file into observations (copies: the source may reuse
// its values).
func readAll(t *testing.T, path string) []vessel.Observation {
	t.Helper()
	src, err := source.New(path, source.Options{NMEA: source.NMEAConfig{BaseStationClock: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var out []vessel.Observation
	var rej *source.Reject
	for {
		o, err := src.Next(context.Background())
		if errors.Is(err, io.EOF) {
			return out
		}
		if errors.As(err, &rej) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if o.Position != nil {
			p := *o.Position
			o.Position = &p
		}
		if o.Static != nil {
			s := *o.Static
			o.Static = &s
		}
		out = append(out, o)
	}
}

type content struct {
	positions []vessel.TrackPoint
	vessels   []store.VesselHistory
	events    []string // keys
}

func dump(t *testing.T, st *duckdb.Store) content {
	t.Helper()
	ctx := context.Background()
	var c content
	if err := st.ScanPositions(ctx, time.Time{}, time.Time{}, func(ps []vessel.TrackPoint) error {
		c.positions = append(c.positions, ps...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	vs, err := st.Vessels(ctx, store.VesselQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		h, err := st.Vessel(ctx, v.MMSI)
		if err != nil {
			t.Fatal(err)
		}
		c.vessels = append(c.vessels, h)
	}
	evs, err := st.Events(ctx, store.EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		c.events = append(c.events, e.Key)
	}
	return c
}

func openDuck(t *testing.T) *duckdb.Store {
	t.Helper()
	st, err := duckdb.Open(context.Background(), duckdb.Config{Path: filepath.Join(t.TempDir(), "s.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// A Stream fed the input in pieces, written after each, and ended at the
// end stores exactly what Run stores: positions, identity history and the
// observer's events.
func TestStreamEqualsRun(t *testing.T) {
	in, _ := writeCorpus(t, 20_000)
	ctx := context.Background()
	want := openDuck(t)
	if _, err := Run(ctx, want, []string{in}, Config{Observer: &recorder{}, BatchPoints: 3000}); err != nil {
		t.Fatal(err)
	}
	got := openDuck(t)
	var recs []*recorder
	s := NewStream(got, 0, StreamConfig{NewObserver: func() Observer {
		r := &recorder{}
		recs = append(recs, r)
		return r
	}})
	obs := readAll(t, in)
	for i, o := range obs {
		s.Add(o)
		if i%777 == 0 {
			if err := s.Write(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	s.End()
	if err := s.Write(ctx); err != nil {
		t.Fatal(err)
	}
	w, g := dump(t, want), dump(t, got)
	if len(w.positions) < 5000 || len(w.events) == 0 {
		t.Fatalf("reference holds %d positions, %d events", len(w.positions), len(w.events))
	}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("stream stored %d positions, %d vessels, %d events; run %d, %d, %d (or their content differs)",
			len(g.positions), len(g.vessels), len(g.events), len(w.positions), len(w.vessels), len(w.events))
	}
	if len(recs) != 2 || !recs[0].flushed || recs[1].points != 0 {
		t.Errorf("observers: %d, the first flushed %v; the second (after End) saw %d points", len(recs), recs[0].flushed, recs[1].points)
	}
	st := s.Stats()
	if st.Added != len(w.positions) || st.Track.Points != int64(st.Added+st.Duplicates) {
		t.Errorf("stats %+v for %d positions", st, len(w.positions))
	}
}

// End starts a new run: fresh track state (segments numbered from 1
// again, as a second ingest run numbers them) and a fresh observer.
func TestStreamEndStartsAfresh(t *testing.T) {
	ctx := context.Background()
	st := openDuck(t)
	n := 0
	s := NewStream(st, 0, StreamConfig{NewObserver: func() Observer { n++; return &recorder{} }})
	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	pos := func(min int, lat float64) vessel.Observation {
		return vessel.Observation{Position: &vessel.Position{MMSI: 273000001, Time: t0.Add(time.Duration(min) * time.Minute), Lat: lat, Lon: 30, SOG: 10, COG: 0}}
	}
	s.Add(pos(0, 40))
	s.Add(pos(1, 40.003))
	s.End()
	s.Add(pos(2, 40.006))
	s.End()
	if err := s.Write(ctx); err != nil {
		t.Fatal(err)
	}
	tr, err := st.Track(ctx, 273000001, time.Time{}, time.Time{})
	if err != nil || len(tr) != 3 {
		t.Fatalf("track %v %v", tr, err)
	}
	if tr[0].Segment != 1 || tr[1].Segment != 1 || tr[2].Segment != 1 {
		t.Errorf("segments %d %d %d: each run numbers its own from 1", tr[0].Segment, tr[1].Segment, tr[2].Segment)
	}
	if n != 3 {
		t.Errorf("%d observers made for two runs and the next", n)
	}
}

// A failed Write loses what it was writing; replaying the input into a
// fresh Stream (as the bus worker does) stores everything, once: the same
// positions, and identity history with the same report counts although
// the replay writes in other pieces than the first attempt.
func TestStreamReplayAfterFailure(t *testing.T) {
	in, _ := writeCorpus(t, 10_000)
	ctx := context.Background()
	want := openDuck(t)
	if _, err := Run(ctx, want, []string{in}, Config{}); err != nil {
		t.Fatal(err)
	}
	got := openDuck(t)
	obs := readAll(t, in)
	s := NewStream(&failingStore{got, 2}, 0, StreamConfig{})
	var werr error
	for i, o := range obs {
		s.Add(o)
		if i%1000 == 999 {
			if werr = s.Write(ctx); werr != nil {
				break
			}
		}
	}
	if !errors.Is(werr, errDiskFull) {
		t.Fatalf("write: %v", werr)
	}
	s = NewStream(got, 0, StreamConfig{})
	for _, o := range obs {
		s.Add(o)
	}
	s.End()
	if err := s.Write(ctx); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.Duplicates == 0 {
		t.Errorf("nothing stored before the failure was stored again: %+v", st)
	}
	w, g := dump(t, want), dump(t, got)
	for i := range min(len(g.vessels), len(w.vessels)) {
		if !reflect.DeepEqual(g.vessels[i], w.vessels[i]) {
			t.Errorf("vessel %d after the replay: %+v\nafter one run: %+v", g.vessels[i].MMSI, g.vessels[i].History, w.vessels[i].History)
			break
		}
	}
	if !reflect.DeepEqual(g.positions, w.positions) || !reflect.DeepEqual(g.vessels, w.vessels) {
		t.Fatalf("after the replay %d positions, %d vessels; run %d, %d", len(g.positions), len(g.vessels), len(w.positions), len(w.vessels))
	}
}
