package ingest

import (
	"sync"
	"sync/atomic"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/vcache"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// asyncObserver runs an Observer on a goroutine of its own, so that the
// detectors and the tracker use two cores instead of taking turns on the
// pipeline's goroutine (the detectors cost about as much CPU as decoding
// and tracking together). The observer sees exactly the calls it would
// see in line, in the same order: they are queued in chunks and replayed.
// The events it finds are collected after each chunk; Drain returns those
// found so far without waiting for the observer to catch up, so a batch
// may ship before the events of its last points, which then go with a
// later batch (an event is stored with or after its points, never before).
// Flush waits for the observer to see everything, and the Drain after it
// returns every event left.
//
// The observer is built on its goroutine (Config.NewObserver), while the
// pipeline starts: calls queue meanwhile, up to obsMaxChunks chunks.
type asyncObserver struct {
	build func() (Observer, error)
	obs   Observer     // built; set by the goroutine, read elsewhere after a sync
	built atomic.Bool  // the build returned
	fault fault        // the build's
	extra atomic.Int32 // chunks in circulation beyond obsChunks
	mu    sync.Mutex
	ready []event.Event // found and not drained yet
	cur   *obsChunk
	todo  chan *obsChunk // to the observer's goroutine; nil chunk: a barrier
	free  chan *obsChunk
	done  chan struct{} // the goroutine signals each barrier here
}

type obsKind uint8

const (
	obsPoint obsKind = iota
	obsIdentity
	obsStatic
)

// obsCall is one Observer call: kind says which field holds its argument.
type obsCall struct {
	kind  obsKind
	isNew bool
	i     int32 // index into the chunk's slice of that kind
}

// obsChunk is a chunk of queued calls. Its points are packed (56 bytes
// instead of a TrackPoint's 88, no pointers), so that less crosses from
// the pipeline's core to the observer's and a used chunk needs no
// clearing for the garbage collector.
type obsChunk struct {
	calls  []obsCall
	points vessel.Points
	ids    []vessel.Identity
	st     []vessel.Static
}

const (
	obsChunkCalls = 4096
	obsChunks     = 4
	// obsMaxChunks bounds the chunks made while the observer is built:
	// 64 hold 0.26 M calls, the first ~0.25 s of a file (the detectors'
	// set-up takes ~0.2 s), in ~18 MB.
	obsMaxChunks = 64
)

func newAsyncObserver(build func() (Observer, error)) *asyncObserver {
	a := &asyncObserver{build: build, todo: make(chan *obsChunk, obsMaxChunks), free: make(chan *obsChunk, obsMaxChunks),
		done: make(chan struct{}), fault: newFault()}
	for range obsChunks - 1 {
		a.free <- &obsChunk{}
	}
	a.cur = &obsChunk{}
	go a.loop()
	return a
}

// prefetcher is an Observer that can start loading a vessel's state
// before its next call (detect.Engine): the loop asks prefetchAhead calls
// ahead (calls of any kind, most of them points), so that the cache misses
// of one vessel's state overlap the work on the fixes before it instead of
// stalling it.
type prefetcher interface{ Prefetch(mmsi uint32) }

const prefetchAhead = vcache.Ahead

func (a *asyncObserver) loop() {
	if obs, err := a.build(); err != nil {
		a.fault.fail(err)
	} else {
		a.obs = obs
	}
	a.built.Store(true)
	pf, _ := a.obs.(prefetcher)
	for c := range a.todo {
		if c == nil {
			a.done <- struct{}{}
			continue
		}
		if a.obs == nil { // the build failed: the calls are dropped
			c.calls = c.calls[:0]
		}
		for i, call := range c.calls {
			if pf != nil && i+prefetchAhead < len(c.calls) {
				if next := c.calls[i+prefetchAhead]; next.kind == obsPoint {
					pf.Prefetch(c.points.P[next.i].MMSI)
				}
			}
			switch call.kind {
			case obsPoint:
				a.obs.Point(c.points.At(int(call.i)))
			case obsIdentity:
				a.obs.Identity(c.ids[call.i], call.isNew)
			case obsStatic:
				a.obs.Static(c.st[call.i])
			}
		}
		if a.obs != nil {
			a.collect()
		}
		c.points.Reset()
		clear(c.ids)
		clear(c.st)
		c.calls, c.ids, c.st = c.calls[:0], c.ids[:0], c.st[:0]
		if a.extra.Load() > 0 {
			// Made while the observer was built: no longer needed
			// (each holds a few hundred KB).
			a.extra.Add(-1)
			continue
		}
		a.free <- c
	}
	close(a.done)
}

// send queues the current chunk and takes a free one.
func (a *asyncObserver) send() {
	if len(a.cur.calls) == 0 {
		return
	}
	a.todo <- a.cur
	select {
	case a.cur = <-a.free:
	default:
		// While the observer is being built, chunks pile up rather
		// than the pipeline waiting for it.
		if !a.built.Load() && a.extra.Load() < obsMaxChunks-obsChunks {
			a.cur = &obsChunk{}
			a.extra.Add(1)
		} else {
			a.cur = <-a.free
		}
	}
}

func (a *asyncObserver) add(call obsCall) {
	a.cur.calls = append(a.cur.calls, call)
	if len(a.cur.calls) >= obsChunkCalls {
		a.send()
	}
}

func (a *asyncObserver) Point(p vessel.TrackPoint) {
	a.cur.points.Add(&p)
	a.add(obsCall{kind: obsPoint, i: int32(a.cur.points.Len() - 1)})
}

// PackedPoint implements track.PackedEmitter.
func (a *asyncObserver) PackedPoint(mmsi, seg uint32, k vessel.Packed, sources *vessel.SourceTable) {
	a.cur.points.AddPacked(mmsi, seg, k, sources)
	a.add(obsCall{kind: obsPoint, i: int32(a.cur.points.Len() - 1)})
}

func (a *asyncObserver) Identity(id vessel.Identity, isNew bool) {
	a.cur.ids = append(a.cur.ids, id)
	a.add(obsCall{kind: obsIdentity, isNew: isNew, i: int32(len(a.cur.ids) - 1)})
}

func (a *asyncObserver) Static(s vessel.Static) {
	a.cur.st = append(a.cur.st, s)
	a.add(obsCall{kind: obsStatic, i: int32(len(a.cur.st) - 1)})
}

// sync waits until the observer has seen every call made so far; it is
// then idle until the next call, so it may be used directly.
func (a *asyncObserver) sync() {
	a.send()
	a.todo <- nil
	<-a.done
}

// collect moves the observer's events to ready; called where the
// observer is not running.
func (a *asyncObserver) collect() {
	if evs := a.obs.Drain(); len(evs) > 0 {
		a.mu.Lock()
		a.ready = append(a.ready, evs...)
		a.mu.Unlock()
	}
}

func (a *asyncObserver) Drain() []event.Event {
	a.mu.Lock()
	defer a.mu.Unlock()
	evs := a.ready
	a.ready = nil
	return evs
}

func (a *asyncObserver) Flush() {
	a.sync()
	if a.obs != nil {
		a.obs.Flush()
		a.collect()
	}
}

// stop ends the goroutine (after the calls queued so far).
func (a *asyncObserver) stop() {
	a.send()
	close(a.todo)
	for range a.done {
	}
}
