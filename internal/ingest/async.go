package ingest

import (
	"sync"

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
type asyncObserver struct {
	obs   Observer
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
)

func newAsyncObserver(obs Observer) *asyncObserver {
	a := &asyncObserver{obs: obs, todo: make(chan *obsChunk, obsChunks), free: make(chan *obsChunk, obsChunks),
		done: make(chan struct{})}
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
	pf, _ := a.obs.(prefetcher)
	for c := range a.todo {
		if c == nil {
			a.done <- struct{}{}
			continue
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
		a.collect()
		c.points.Reset()
		clear(c.ids)
		clear(c.st)
		c.calls, c.ids, c.st = c.calls[:0], c.ids[:0], c.st[:0]
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
	a.cur = <-a.free
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
	a.obs.Flush()
	a.collect()
}

// stop ends the goroutine (after the calls queued so far).
func (a *asyncObserver) stop() {
	a.send()
	close(a.todo)
	for range a.done {
	}
}
