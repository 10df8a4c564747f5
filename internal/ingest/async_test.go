package ingest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
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
	a := newAsyncObserver(&behind)
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
