package ingest

import (
	"context"
	"errors"

	"github.com/lookout-maritime/lookout/internal/source"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// Read-ahead: a file source is read and decoded on a goroutine of its own,
// in chunks handed to the pipeline's goroutine, so that decoding and
// tracking run on two cores while the store is idle. The order of
// observations and rejects is kept. Live streams are not read ahead: a
// chunk would hold a slow feed's messages back until it filled.

const (
	chunkItems = 1024 // observations or rejects per chunk
	chunks     = 4    // chunks circulating between the two goroutines
)

// item is one result of Source.Next. The Position or Static of obs, if
// any, is in the chunk's storage (pos, st: index or -1), because the
// source may reuse its own for the next observation.
type item struct {
	obs     vessel.Observation
	err     error
	pos, st int32
}

type chunk struct {
	items []item
	pos   []vessel.Position
	st    []vessel.Static
	done  int64 // bytes the source had read after the chunk's last item
	err   error // the error that ended the source (io.EOF at the end) after items
}

type readAhead struct {
	full   chan *chunk // filled chunks, closed when the reader stops
	free   chan *chunk
	cur    *chunk
	next   int // next item of cur
	parent context.Context
	cancel context.CancelFunc
}

// startReadAhead starts reading src on a new goroutine. The caller must
// call stop before closing src.
func startReadAhead(ctx context.Context, src source.Source) *readAhead {
	r := &readAhead{full: make(chan *chunk, chunks), free: make(chan *chunk, chunks), parent: ctx}
	ctx, r.cancel = context.WithCancel(ctx)
	for range chunks {
		r.free <- &chunk{items: make([]item, 0, chunkItems)}
	}
	go r.read(ctx, src)
	return r
}

func (r *readAhead) read(ctx context.Context, src source.Source) {
	defer close(r.full)
	for {
		var c *chunk
		select {
		case c = <-r.free:
		case <-ctx.Done():
			return
		}
		c.items, c.pos, c.st, c.err = c.items[:0], c.pos[:0], c.st[:0], nil
		for len(c.items) < chunkItems {
			obs, err := src.Next(ctx)
			if err != nil && !isReject(err) {
				c.err = err
				break
			}
			it := item{obs: obs, err: err, pos: -1, st: -1}
			if obs.Position != nil {
				it.pos = int32(len(c.pos))
				c.pos = append(c.pos, *obs.Position)
				it.obs.Position = nil
			}
			if obs.Static != nil {
				it.st = int32(len(c.st))
				c.st = append(c.st, *obs.Static)
				it.obs.Static = nil
			}
			c.items = append(c.items, it)
		}
		c.done, _ = src.Progress()
		select {
		case r.full <- c:
		case <-ctx.Done():
			return
		}
		if c.err != nil {
			return
		}
	}
}

func isReject(err error) bool {
	var rej *source.Reject
	return errors.As(err, &rej)
}

// Next returns the source's next observation or error, as Source.Next
// would: an observation's Position and Static are valid until the next
// call.
func (r *readAhead) Next() (vessel.Observation, error) {
	for r.cur == nil || r.next >= len(r.cur.items) {
		if r.cur != nil {
			if r.cur.err != nil {
				return vessel.Observation{}, r.cur.err
			}
			r.free <- r.cur
		}
		c, ok := <-r.full
		if !ok {
			// The reader gave up on its context without a last chunk.
			if err := r.parent.Err(); err != nil {
				return vessel.Observation{}, err
			}
			return vessel.Observation{}, context.Canceled
		}
		r.cur, r.next = c, 0
	}
	it := &r.cur.items[r.next]
	r.next++
	obs := it.obs
	if it.pos >= 0 {
		obs.Position = &r.cur.pos[it.pos]
	}
	if it.st >= 0 {
		obs.Static = &r.cur.st[it.st]
	}
	return obs, it.err
}

// mmsiAhead returns the MMSI of the observation k calls of Next ahead, if
// it is in the chunk at hand (and is an observation, not a reject): the
// pipeline has the tracker prefetch its state (track.Tracker.Prefetch).
func (r *readAhead) mmsiAhead(k int) (uint32, bool) {
	if r.cur == nil || r.next+k-1 >= len(r.cur.items) {
		return 0, false
	}
	switch it := &r.cur.items[r.next+k-1]; {
	case it.pos >= 0:
		return r.cur.pos[it.pos].MMSI, true
	case it.st >= 0:
		return r.cur.st[it.st].MMSI, true
	}
	return 0, false
}

// Progress returns the bytes read by the time of the last observation
// returned.
func (r *readAhead) Progress() int64 {
	if r.cur == nil {
		return 0
	}
	return r.cur.done
}

// stop ends the reading goroutine and waits for it.
func (r *readAhead) stop() {
	r.cancel()
	for range r.full {
	}
}
