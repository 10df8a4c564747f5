package ingest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/source"
	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// callLog is an Observer that writes down its calls and finds an event at
// every 7th point.
type callLog struct {
	calls   strings.Builder
	points  int
	pending []event.Event
	flushed bool
}

func (c *callLog) Point(p vessel.TrackPoint) {
	fmt.Fprintf(&c.calls, "P%d ", p.MMSI)
	c.points++
	if c.points%7 == 0 {
		c.pending = append(c.pending, event.Event{Key: fmt.Sprint(p.MMSI)})
	}
}
func (c *callLog) Identity(id vessel.Identity, isNew bool) {
	fmt.Fprintf(&c.calls, "I%d/%v ", id.MMSI, isNew)
}
func (c *callLog) Static(s vessel.Static) { fmt.Fprintf(&c.calls, "S%d ", s.MMSI) }
func (c *callLog) Drain() []event.Event {
	e := c.pending
	c.pending = nil
	return e
}
func (c *callLog) Flush() {
	c.flushed = true
	c.pending = append(c.pending, event.Event{Key: "final"})
}

// The observer behind asyncObserver sees the calls in the order made, and
// every event it finds comes out of Drain, in order, by the Drain after
// Flush.
func TestAsyncObserverOrder(t *testing.T) {
	var direct, behind callLog
	a := asyncOf(&behind)
	var got, want []string
	drain := func() {
		for _, e := range a.Drain() {
			got = append(got, e.Key)
		}
		for _, e := range direct.Drain() {
			want = append(want, e.Key)
		}
	}
	for i := range 3 * obsChunkCalls {
		m := uint32(i)
		switch i % 5 {
		case 0, 1, 2:
			p := vessel.TrackPoint{Position: vessel.Position{MMSI: m, Time: time.Unix(int64(i), 0)}}
			direct.Point(p)
			a.Point(p)
		case 3:
			direct.Identity(vessel.Identity{MMSI: m}, i%2 == 0)
			a.Identity(vessel.Identity{MMSI: m}, i%2 == 0)
		case 4:
			direct.Static(vessel.Static{MMSI: m})
			a.Static(vessel.Static{MMSI: m})
		}
		if i%1000 == 999 {
			drain()
		}
	}
	direct.Flush()
	a.Flush()
	drain()
	a.stop()
	if behind.calls.String() != direct.calls.String() || !behind.flushed {
		t.Fatal("the observer saw other calls, or in another order, than were made")
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("events %d, want %d (or in another order)", len(got), len(want))
	}
}

// pointLog keeps the points it is given.
type pointLog struct{ points []vessel.TrackPoint }

func (p *pointLog) Point(tp vessel.TrackPoint)     { p.points = append(p.points, tp) }
func (p *pointLog) Identity(vessel.Identity, bool) {}
func (p *pointLog) Static(vessel.Static)           {}
func (p *pointLog) Drain() []event.Event           { return nil }
func (p *pointLog) Flush()                         {}

// The queue holds points in a compact form: what comes out equals what
// went in, field for field (sources, NaN speeds, the zero time, every
// class and segment), across chunks.
func TestAsyncObserverKeepsPoints(t *testing.T) {
	var got pointLog
	a := asyncOf(&got)
	var want []vessel.TrackPoint
	t0 := time.Date(2023, 11, 1, 12, 0, 0, 123456789, time.UTC)
	nan := float32(math.NaN())
	for i := range 2*obsChunkCalls + 17 {
		p := vessel.TrackPoint{Position: vessel.Position{MMSI: uint32(273000000 + i%50), Time: t0.Add(time.Duration(i) * time.Second),
			Lat: 42.1 + float64(i)*1e-7, Lon: -179.99 + float64(i)*1e-6, SOG: float32(i%300) / 10, COG: 359.9, Heading: uint16(i % 512),
			Status: uint8(i % 16), Class: vessel.Class(i % 3), MsgType: uint8(i % 28), Source: fmt.Sprintf("rx-%d", i%5)},
			Segment: uint32(i % 9)}
		switch i % 97 {
		case 1:
			p.SOG, p.COG = nan, nan
		case 2:
			p.Time = time.Time{}
		}
		want = append(want, p)
		a.Point(p)
	}
	a.Flush()
	a.stop()
	if len(got.points) != len(want) {
		t.Fatalf("%d points out, %d in", len(got.points), len(want))
	}
	for i := range want {
		w, g := want[i], got.points[i]
		// NaN != NaN: compare those by bits.
		same := math.Float32bits(w.SOG) == math.Float32bits(g.SOG) && math.Float32bits(w.COG) == math.Float32bits(g.COG)
		w.SOG, w.COG, g.SOG, g.COG = 0, 0, 0, 0
		if !same || !reflect.DeepEqual(w, g) {
			t.Fatalf("point %d:\n in  %+v\n out %+v", i, want[i], got.points[i])
		}
	}
}

// prefetchLog is a callLog that also notes Prefetch calls.
type prefetchLog struct {
	callLog
	prefetched []uint32
	seen       []uint32 // points' MMSIs, in order
}

func (p *prefetchLog) Prefetch(mmsi uint32) { p.prefetched = append(p.prefetched, mmsi) }
func (p *prefetchLog) Point(tp vessel.TrackPoint) {
	p.callLog.Point(tp)
	p.seen = append(p.seen, tp.MMSI)
}

// An observer that prefetches is told, ahead of them, of the points it
// will see — within a chunk, prefetchAhead calls before each — and sees
// the same calls as one that does not.
func TestAsyncObserverPrefetches(t *testing.T) {
	var direct callLog
	var behind prefetchLog
	a := asyncOf(&behind)
	for i := range 2*obsChunkCalls + 100 {
		m := uint32(1000 + i%37)
		if i%3 == 2 {
			direct.Static(vessel.Static{MMSI: m})
			a.Static(vessel.Static{MMSI: m})
			continue
		}
		p := vessel.TrackPoint{Position: vessel.Position{MMSI: m, Time: time.Unix(int64(i), 0)}}
		direct.Point(p)
		a.Point(p)
	}
	a.Flush()
	a.stop()
	if behind.calls.String() != direct.calls.String() {
		t.Fatal("prefetching changed the calls the observer saw")
	}
	// Each chunk's points but those in its last prefetchAhead calls are
	// prefetched, in order: the prefetched MMSIs are a subsequence of the
	// points', missing only a few per chunk.
	j := 0
	for _, m := range behind.prefetched {
		for j < len(behind.seen) && behind.seen[j] != m {
			j++
		}
		if j == len(behind.seen) {
			t.Fatalf("prefetched %d, which is not among the points that followed", m)
		}
		j++
	}
	chunks := (2*obsChunkCalls+100)/obsChunkCalls + 1
	if missed := len(behind.seen) - len(behind.prefetched); missed < 0 || missed > chunks*prefetchAhead {
		t.Fatalf("%d points, %d prefetched: want all but at most %d", len(behind.seen), len(behind.prefetched), chunks*prefetchAhead)
	}
}

// asyncOf runs obs, built already, on a goroutine of its own.
func asyncOf(obs Observer) *asyncObserver {
	return newAsyncObserver(func() (Observer, error) { return obs, nil })
}

// countingSource counts the observations read from it.
type countingSource struct {
	source.Source
	n *atomic.Int64
}

func (c countingSource) Next(ctx context.Context) (vessel.Observation, error) {
	obs, err := c.Source.Next(ctx)
	c.n.Add(1)
	return obs, err
}

// Config.NewObserver builds the observer while the input is read: here
// the build waits until far more has been read than the queue holds by
// default, which a pipeline waiting for the observer would never read.
// The observer then still sees every call, and its events are stored.
func TestObserverBuiltWhileReading(t *testing.T) {
	in, _ := writeCorpus(t, 200_000)
	ctx := context.Background()
	db := openDuck(t)
	var read atomic.Int64
	// Twice what is read before the default queue of obsChunks is full
	// (~60,000 observations: the read-ahead and the tracker's
	// reordering hold many back).
	const enough = 120_000
	rec := &recorder{}
	cfg := Config{
		Open: func(spec string) (source.Source, error) {
			src, err := source.New(spec, source.Options{})
			return countingSource{src, &read}, err
		},
		NewObserver: func() (Observer, error) {
			for deadline := time.Now().Add(10 * time.Second); read.Load() < enough; time.Sleep(time.Millisecond) {
				if time.Now().After(deadline) {
					return nil, fmt.Errorf("only %d observations read while the observer was being built", read.Load())
				}
			}
			return rec, nil
		},
	}
	sum, err := Run(ctx, db, []string{in}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !rec.flushed || rec.statics == 0 || rec.idents != sum.Identities || rec.points != sum.Added+sum.Duplicates {
		t.Errorf("observer saw %d points, %d identities, %d statics (flushed %v); the store was given %d points, %d identities",
			rec.points, rec.idents, rec.statics, rec.flushed, sum.Added+sum.Duplicates, sum.Identities)
	}
	if sum.Events != rec.points/100 {
		t.Errorf("%d events stored, the observer made %d", sum.Events, rec.points/100)
	}
}

// An observer that cannot be built fails the run with its error.
func TestObserverBuildFails(t *testing.T) {
	in, _ := writeCorpus(t, 20_000)
	ctx := context.Background()
	db := openDuck(t)
	errBuild := errors.New("coastline asset damaged")
	sum, err := Run(ctx, db, []string{in}, Config{NewObserver: func() (Observer, error) { return nil, errBuild }})
	if !errors.Is(err, errBuild) || sum.Status != store.RunFailed || sum.Events != 0 {
		t.Fatalf("error %v, status %s, %d events; want the build's error and a failed run", err, sum.Status, sum.Events)
	}
	run, err := db.Run(ctx, sum.Run)
	if err != nil || run.Status != store.RunFailed {
		t.Errorf("run record %+v (%v), want failed", run, err)
	}
}
