// Package ingest is the pipeline from sources to the store: read and
// decode (source), build tracks and identities (track), let observers such
// as the detectors see every accepted fix, and write batches to the store
// on a goroutine of its own so that decoding and storing overlap. The CLI's
// `lookout ingest`, `lookout demo` and `lookout serve --ingest` all run it.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/source"
	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/track"
	"github.com/lookout-maritime/lookout/internal/vcache"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// Store is what the pipeline writes to.
type Store interface {
	BeginRun(ctx context.Context, sources []string) (store.RunID, error)
	FinishRun(ctx context.Context, id store.RunID, res store.RunResult) error
	AddPositions(ctx context.Context, run store.RunID, pts []vessel.TrackPoint) (store.LoadStats, error)
	UpsertIdentities(ctx context.Context, ids []vessel.Identity) error
	PutEvents(ctx context.Context, evs []event.Event) error
}

// Observer sees what the tracker accepts, in the tracker's order: the
// streaming detectors. Run calls it from one goroutine of its own (see
// asyncObserver), Stream from the caller's. Events it returns from Drain
// are stored with or after the batch of the points they rest on, so a
// crash never stores an event without the positions it rests on.
type Observer interface {
	track.Emitter
	// Static receives every static report as read (draught, ETA, and
	// destination change every voyage and are not part of an identity).
	Static(s vessel.Static)
	// Drain returns the events found since the last call.
	Drain() []event.Event
	// Flush ends the input: open state becomes final events (returned by
	// the next Drain).
	Flush()
}

// Progress is told how far each source has got.
type Progress interface {
	Update(done, messages int64)
	Finish()
}

// Config tunes a run; zero fields take defaults.
type Config struct {
	Track track.Config
	// BatchPoints is the most track points that go to the store per
	// transaction (default 500 000, or the multiple of the store's
	// BatchQuantum nearest below): large batches load fastest; a crash
	// loses at most the batches in flight, which a rerun of the same
	// ingest restores without duplicates.
	BatchPoints int
	// MinBatchPoints: when the store is idle, a batch of at least this
	// many points is shipped before it fills (default: two of the
	// store's BatchQuantum, else BatchPoints/4). Storing then starts early
	// and keeps pace with decoding instead of waiting for full batches,
	// and the last batch — stored after the input ends, with nothing left
	// to overlap — is small: batch sizes follow the store's speed. Two
	// quanta, not one: the store drops the points it holds already, so a
	// batch of one quantum stores a little less than one, which a store
	// loads at its slow pace (DuckDB: see duckdb.Store.BatchQuantum).
	MinBatchPoints int
	// Open opens a source spec (default source.New with stdin nil).
	Open func(spec string) (source.Source, error)
	// OnReject is called for each rejected line (default: ignore; they
	// are counted either way).
	OnReject func(*source.Reject)
	// NewProgress returns a progress display for a source of total bytes
	// (-1 when unknown); nil: none.
	NewProgress func(spec string, total int64) Progress
	// Observer, when set, sees every accepted fix and static report.
	Observer Observer
	// FlushEvery, when positive, also ships a batch that has waited this
	// long, however small: a live feed then reaches the store (and the
	// map, and the alerts) within about FlushEvery of arriving instead of
	// when BatchPoints fill. Checked as messages arrive; 0 for files.
	FlushEvery time.Duration
	Logger     *slog.Logger
}

// Summary is what a run did; every count is exact.
type Summary struct {
	Run                      store.RunID
	Status                   store.RunStatus
	Lines, Decoded, Rejected int64
	ByReason                 map[string]int64
	Added, Duplicates        int // positions stored / already stored
	Identities               int // identity batches upserted
	Events                   int // events stored
	Track                    track.Stats
	Elapsed                  time.Duration
}

// batch is one store transaction's worth of output. Its points are
// packed (see vessel.Points): the two batches in circulation hold up to
// 1.1 million points, which the garbage collector would otherwise read on
// every cycle.
type batch struct {
	pts    vessel.Points
	ids    []vessel.Identity
	events []event.Event
}

func (b *batch) reset() {
	b.pts.Reset()
	clear(b.ids)
	b.ids = b.ids[:0]
	clear(b.events)
	b.events = b.events[:0]
}

// tee is the tracker's Emitter: what it emits goes to the current batch
// and to the observer.
type tee struct {
	b   *batch
	obs Observer
}

func (t *tee) Point(p vessel.TrackPoint) {
	t.b.pts.Add(&p)
	if t.obs != nil {
		t.obs.Point(p)
	}
}

// PackedPoint implements track.PackedEmitter.
func (t *tee) PackedPoint(mmsi, seg uint32, k vessel.Packed, sources *vessel.SourceTable) {
	t.b.pts.AddPacked(mmsi, seg, k, sources)
	switch o := t.obs.(type) {
	case nil:
	case track.PackedEmitter:
		o.PackedPoint(mmsi, seg, k, sources)
	default:
		o.Point(vessel.TrackPoint{Position: sources.Unpack(mmsi, &k), Segment: seg})
	}
}

func (t *tee) Identity(id vessel.Identity, isNew bool) {
	t.b.ids = append(t.b.ids, id)
	if t.obs != nil {
		t.obs.Identity(id, isNew)
	}
}

// PackedLoader is a Store that takes a batch packed (DuckDB); a Store
// without it is given the batch's points unpacked through AddPositions.
// A wrapper that embeds a PackedLoader and intercepts AddPositions must
// intercept AddPacked as well: the pipeline calls AddPacked only.
type PackedLoader interface {
	AddPacked(ctx context.Context, run store.RunID, pts *vessel.Points) (store.LoadStats, error)
}

// Quantizer is a Store that loads batches best in whole multiples of
// BatchQuantum points (DuckDB: its row group, see duckdb.Store.
// BatchQuantum). Run then ships such multiples when it can, holding the
// rest of a batch back for the next.
type Quantizer interface {
	BatchQuantum() int
}

// BulkLoader is a Store with a mode for bulk loads (DuckDB: one thread,
// see duckdb.Store.BeginBulk). Run uses it unless it feeds a live stream
// (FlushEvery set): the store is then shared with the queries of a server.
type BulkLoader interface {
	BeginBulk(ctx context.Context) (end func(), err error)
}

// batchDefaults fills in the batch sizes for a store's quantum (0: none).
func (cfg *Config) batchDefaults(quantum int) {
	if cfg.BatchPoints <= 0 {
		cfg.BatchPoints = 500_000
		if quantum > 0 && cfg.BatchPoints >= quantum {
			cfg.BatchPoints -= cfg.BatchPoints % quantum
		}
	}
	if cfg.MinBatchPoints <= 0 {
		cfg.MinBatchPoints = max(cfg.BatchPoints/4, 1)
		if quantum > 0 && quantum <= cfg.BatchPoints {
			cfg.MinBatchPoints = min(2*quantum, cfg.BatchPoints-cfg.BatchPoints%quantum)
		}
	}
	cfg.MinBatchPoints = min(cfg.MinBatchPoints, cfg.BatchPoints)
}

// Run ingests specs into st as one ingest run. It returns the summary
// also when it fails; a failed or cancelled run is recorded as failed
// with the counts it reached.
func Run(ctx context.Context, st Store, specs []string, cfg Config) (Summary, error) {
	start := time.Now()
	quantum := 0
	if q, ok := st.(Quantizer); ok {
		quantum = max(q.BatchQuantum(), 0)
	}
	cfg.batchDefaults(quantum)
	if cfg.Open == nil {
		cfg.Open = func(spec string) (source.Source, error) {
			return source.New(spec, source.Options{NMEA: source.NMEAConfig{BaseStationClock: true}})
		}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	sum := Summary{ByReason: map[string]int64{}}
	if b, ok := st.(BulkLoader); ok && cfg.FlushEvery == 0 {
		end, err := b.BeginBulk(ctx)
		if err != nil {
			return sum, fmt.Errorf("ingest: %w", err)
		}
		defer end()
	}
	run, err := st.BeginRun(ctx, specs)
	if err != nil {
		return sum, fmt.Errorf("ingest: %w", err)
	}
	sum.Run = run
	// The writer finishes its batches even when ctx is cancelled: an
	// interrupted run (Ctrl-C, a server stopping its live feed) still
	// stores every fix it accepted, then reports the interruption.
	if cfg.Observer != nil {
		// The detectors run beside the tracker (see asyncObserver).
		a := newAsyncObserver(cfg.Observer)
		defer a.stop()
		cfg.Observer = a
	}
	w := newWriter(context.WithoutCancel(ctx), st, run, cfg.BatchPoints)
	tr := track.New(cfg.Track, cfg.Logger)
	cur := w.get()
	// out feeds the current batch and the observer; one value for the
	// whole run, so handing it to the tracker allocates nothing.
	out := &tee{b: cur, obs: cfg.Observer}
	// shipN hands the first n points of the current batch to the writer,
	// with its identities, and takes a free batch that starts with the
	// rest. Events found so far go with the batch of the last point:
	// they rest on points shipped now or held back, and every point held
	// back goes with the next batch (fewer than a quantum, and the next
	// ships at least one), so an event is never stored before its points.
	shipped := time.Now()
	batches := 0
	shipN := func(n int) error {
		shipped = time.Now()
		batches++
		var events []event.Event
		if cfg.Observer != nil {
			events = cfg.Observer.Drain()
		}
		rest := cur.pts.Len() > n
		if !rest {
			cur.events = append(cur.events, events...)
		}
		prev := cur
		next := w.get()
		if rest {
			prev.pts.MoveTail(n, &next.pts)
			next.events = append(next.events, events...)
		}
		if err := w.put(prev); err != nil {
			return err
		}
		cur = next
		out.b = cur
		return nil
	}
	// minBatch grows with the batches shipped, from MinBatchPoints (for
	// the first few: the store starts early and keeps pace) to
	// BatchPoints: more small batches would each cost the store a
	// transaction's fixed work for little more overlap.
	minBatch := func() int {
		return min(cfg.MinBatchPoints*(1+max(batches-4, 0)), cfg.BatchPoints)
	}
	// ship hands the whole current batch to the writer.
	ship := func() error { return shipN(cur.pts.Len()) }
	// shipFull ships the points that fill whole quanta, or all of them.
	shipFull := func() error {
		n := cur.pts.Len()
		if quantum > 0 && n >= quantum {
			n -= n % quantum
		}
		return shipN(n)
	}
	due := func() bool { return time.Since(shipped) >= cfg.FlushEvery }
	runErr := func() error {
		var readErr error
		for _, spec := range specs {
			if readErr = readSource(ctx, spec, cfg, tr, out, &sum, ship, shipFull, due, w.idle, minBatch); readErr != nil {
				break
			}
		}
		if readErr != nil && (ctx.Err() == nil || !errors.Is(readErr, ctx.Err())) {
			return readErr // a failed source or store: what is held back stays unstored
		}
		// The input ended, or the run was interrupted: what the tracker
		// and the detectors hold back is final now, and stored.
		tr.Flush(out)
		if cfg.Observer != nil {
			cfg.Observer.Flush()
		}
		if err := ship(); err != nil {
			return err
		}
		return readErr
	}()
	werr := w.close()
	if runErr == nil {
		runErr = werr
	}
	sum.Added, sum.Duplicates, sum.Identities, sum.Events = w.added, w.dups, w.idents, w.events
	sum.Track = tr.Stats()
	sum.Status = store.RunOK
	if runErr != nil {
		sum.Status = store.RunFailed
	}
	// Record the run even when the context was cancelled.
	if err := st.FinishRun(context.WithoutCancel(ctx), run, store.RunResult{Status: sum.Status, Lines: sum.Lines,
		Decoded: sum.Decoded, Rejected: sum.Rejected, RejectedByReason: sum.ByReason}); err != nil && runErr == nil {
		runErr = err
	}
	sum.Elapsed = time.Since(start)
	if runErr != nil {
		return sum, fmt.Errorf("ingest: %w", runErr)
	}
	return sum, nil
}

// reuser is a source that can reuse an observation's Position and Static
// for the next one (source.NMEA and source.Stream): the pipeline keeps
// nothing of them past the next Next — the tracker and the observer copy.
type reuser interface{ Reuse() }

func readSource(ctx context.Context, spec string, cfg Config, tr *track.Tracker, out *tee, sum *Summary, ship, shipFull func() error, due, idle func() bool, minBatch func() int) error {
	src, err := cfg.Open(spec)
	if err != nil {
		return err
	}
	defer src.Close()
	_, total := src.Progress()
	live := total < 0 && cfg.FlushEvery > 0
	if r, ok := src.(reuser); ok && !live { // a live feed's observations cross goroutines
		r.Reuse()
	}
	var bar Progress
	if cfg.NewProgress != nil {
		bar = cfg.NewProgress(spec, total)
		defer bar.Finish()
	}
	next := func() (vessel.Observation, error) { return src.Next(ctx) }
	progress := func() int64 { done, _ := src.Progress(); return done }
	var ra *readAhead
	if total >= 0 {
		// A file: read ahead on a goroutine of its own (see readAhead).
		ra = startReadAhead(ctx, src)
		defer ra.stop() // before src.Close
		next, progress = ra.Next, ra.Progress
	}
	if live {
		// A live feed is read on a goroutine of its own so that a batch
		// that has waited FlushEvery is stored even while the feed is
		// quiet.
		lctx, stop := context.WithCancel(ctx)
		defer stop() // before src.Close, which unblocks a pending Next
		next = liveNext(lctx, src, cfg.FlushEvery, func() error {
			if out.b.pts.Len() > 0 && due() {
				return ship()
			}
			return nil
		})
	}
	var n int64
	// Declared once: errors.As takes its address, which would otherwise
	// allocate it on the heap for every message.
	var rej *source.Reject
	for {
		obs, err := next()
		if ra != nil {
			// The tracker loads the state of the vessel it will see
			// vcache.Ahead observations on (see package vcache).
			if m, ok := ra.mmsiAhead(vcache.Ahead); ok {
				tr.Prefetch(m)
			}
		}
		switch {
		case errors.Is(err, io.EOF):
			if bar != nil {
				bar.Update(progress(), n)
			}
			return nil
		case errors.As(err, &rej):
			sum.Lines++
			sum.Rejected++
			sum.ByReason[rej.Reason]++
			if cfg.OnReject != nil {
				cfg.OnReject(rej)
			}
			continue
		case err != nil:
			return err
		}
		sum.Lines++
		sum.Decoded++
		n++
		if cfg.Observer != nil && obs.Static != nil {
			cfg.Observer.Static(*obs.Static)
		}
		tr.Add(obs, out)
		if n%65536 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if bar != nil {
				bar.Update(progress(), n)
			}
		}
		switch np := out.b.pts.Len(); {
		case cfg.FlushEvery > 0 && np > 0 && due():
			if err := ship(); err != nil {
				return err
			}
		case np >= cfg.BatchPoints || (np >= minBatch() && n%256 == 0 && idle()):
			if err := shipFull(); err != nil {
				return err
			}
		}
	}
}

// writer stores batches on its own goroutine. Two batches circulate: one
// filled by the pipeline while the other is written, so the pipeline
// waits only when the store is slower than decoding.
type writer struct {
	ctx    context.Context
	st     Store
	run    store.RunID
	todo   chan *batch
	free   chan *batch
	done   chan struct{}
	failed chan struct{} // closed when a write fails
	err    error         // set by the goroutine before failed closes
	// unpacked holds a batch's points for a Store that is not a
	// PackedLoader, reused from batch to batch.
	unpacked []vessel.TrackPoint
	added    int
	dups     int
	idents   int
	events   int
}

func newWriter(ctx context.Context, st Store, run store.RunID, size int) *writer {
	w := &writer{ctx: ctx, st: st, run: run, todo: make(chan *batch, 1), free: make(chan *batch, 2),
		done: make(chan struct{}), failed: make(chan struct{})}
	for range 2 {
		b := &batch{}
		b.pts.P = make([]vessel.PackedPoint, 0, size+size/8)
		w.free <- b
	}
	go w.loop()
	return w
}

func (w *writer) loop() {
	defer close(w.done)
	for b := range w.todo {
		if w.err == nil {
			if w.err = w.write(b); w.err != nil {
				close(w.failed)
			}
		}
		b.reset()
		w.free <- b
	}
}

// write stores one batch: identities, positions, then the events that
// rest on them, each an atomic call.
func (w *writer) write(b *batch) error {
	if len(b.ids) > 0 {
		if err := w.st.UpsertIdentities(w.ctx, b.ids); err != nil {
			return err
		}
		w.idents += len(b.ids)
	}
	if b.pts.Len() > 0 {
		var ls store.LoadStats
		var err error
		if pl, ok := w.st.(PackedLoader); ok {
			ls, err = pl.AddPacked(w.ctx, w.run, &b.pts)
		} else {
			w.unpacked = w.unpacked[:0]
			for i := range b.pts.Len() {
				w.unpacked = append(w.unpacked, b.pts.At(i))
			}
			ls, err = w.st.AddPositions(w.ctx, w.run, w.unpacked)
			clear(w.unpacked)
		}
		if err != nil {
			return err
		}
		w.added += ls.Added
		w.dups += ls.Duplicates
	}
	if len(b.events) > 0 {
		if err := w.st.PutEvents(w.ctx, b.events); err != nil {
			return err
		}
		w.events += len(b.events)
	}
	return nil
}

// idle reports whether the writer has nothing to write: the batch it
// wrote last is back.
func (w *writer) idle() bool { return len(w.free) > 0 }

// get returns a free batch, waiting for the writer if both are in use.
func (w *writer) get() *batch { return <-w.free }

// put queues b for writing; it fails when an earlier write failed.
func (w *writer) put(b *batch) error {
	select {
	case <-w.failed:
		return w.err
	default:
	}
	w.todo <- b
	return nil
}

// close waits for queued batches and returns the first write error.
func (w *writer) close() error {
	close(w.todo)
	<-w.done
	return w.err
}

// liveNext reads src on a new goroutine until it fails or ctx ends, and
// returns a Next that calls tick every half period while it waits.
func liveNext(ctx context.Context, src source.Source, period time.Duration, tick func() error) func() (vessel.Observation, error) {
	type result struct {
		obs vessel.Observation
		err error
	}
	ch := make(chan result, 256)
	go func() {
		defer close(ch)
		for {
			obs, err := src.Next(ctx)
			select {
			case ch <- result{obs, err}:
			case <-ctx.Done():
				return
			}
			if err != nil && !isReject(err) {
				return
			}
		}
	}()
	ticker := time.NewTicker(period / 2)
	return func() (vessel.Observation, error) {
		for {
			select {
			case r, ok := <-ch:
				if !ok {
					ticker.Stop()
					if err := ctx.Err(); err != nil {
						return vessel.Observation{}, err
					}
					return vessel.Observation{}, io.EOF
				}
				return r.obs, r.err
			case <-ticker.C:
				if err := tick(); err != nil {
					return vessel.Observation{}, err
				}
			}
		}
	}
}
