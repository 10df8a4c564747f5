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
	"runtime"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/hugepage"
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
	// NewObserver, when set, is used instead of Observer: it builds the
	// observer on the observer's goroutine while reading starts, so the
	// detectors' set-up (the coastline's index, ~0.2 s) overlaps the
	// first batch instead of delaying it. The run fails if it does.
	NewObserver func() (Observer, error)
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
	quantum := 0
	if q, ok := st.(Quantizer); ok {
		quantum = q.BatchQuantum()
	}
	sum, _, err := RunOpening(ctx, func(context.Context) (Store, error) { return st, nil }, quantum, specs, cfg)
	return sum, err
}

// RunOpening is Run on the store open returns, which it opens on the
// writer's goroutine while the first batch is read: opening a store takes
// a fixed time (a new DuckDB store: 50-200 ms to start DuckDB and create
// the schema, 5-20 % of a million-line ingest) that the run would
// otherwise wait for before reading its first line. quantum is the store's BatchQuantum
// (0: none; see Quantizer), which sizes the batches before the store is
// there. It returns the store for the caller to close, S's zero value
// when it did not open; a store that fails to open or to begin the run
// fails the run at the next check of the read (each source, every 65,536
// messages, each batch).
func RunOpening[S Store](ctx context.Context, open func(context.Context) (S, error), quantum int, specs []string, cfg Config) (Summary, S, error) {
	start := time.Now()
	var st S // what open returned, for the caller
	opener := func(ctx context.Context) (Store, error) {
		s, err := open(ctx)
		if err != nil {
			return nil, err
		}
		st = s
		return s, nil
	}
	quantum = max(quantum, 0)
	cfg.batchDefaults(quantum)
	if cfg.Open == nil {
		cfg.Open = func(spec string) (source.Source, error) {
			return source.New(spec, source.Options{NMEA: source.NMEAConfig{BaseStationClock: true}})
		}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	var async *asyncObserver
	if cfg.Observer != nil || cfg.NewObserver != nil {
		// The detectors run beside the tracker (see asyncObserver).
		build := cfg.NewObserver
		if build == nil {
			obs := cfg.Observer
			build = func() (Observer, error) { return obs, nil }
		}
		async = newAsyncObserver(build)
		defer async.stop()
		cfg.Observer = async
	}
	// A live stream (FlushEvery set) shares the store with the queries
	// of a server: no bulk mode for it.
	w := newWriter(ctx, opener, specs, cfg.FlushEvery == 0, cfg.BatchPoints)
	p := &pipeline{cfg: cfg, quantum: quantum, w: w, async: async, tr: track.New(cfg.Track, cfg.Logger),
		sum: Summary{ByReason: map[string]int64{}}, shipped: time.Now()}
	p.cur = w.get()
	// out feeds the current batch and the observer; one value for the
	// whole run, so handing it to the tracker allocates nothing.
	p.out = &tee{b: p.cur, obs: cfg.Observer}
	runErr := p.run(ctx, specs)
	if runErr == nil {
		runErr = p.failure() // an observer that failed to build
	}
	werr := w.close()
	if runErr == nil {
		runErr = werr
	}
	sum := p.sum
	sum.Added, sum.Duplicates, sum.Identities, sum.Events = w.added, w.dups, w.idents, w.events
	sum.Track = p.tr.Stats()
	sum.Status = store.RunOK
	if runErr != nil {
		sum.Status = store.RunFailed
	}
	if w.endBulk != nil {
		defer w.endBulk()
	}
	if w.began {
		sum.Run = w.run
		// Record the run even when the context was cancelled.
		if err := w.st.FinishRun(context.WithoutCancel(ctx), w.run, store.RunResult{Status: sum.Status, Lines: sum.Lines,
			Decoded: sum.Decoded, Rejected: sum.Rejected, RejectedByReason: sum.ByReason}); err != nil && runErr == nil {
			runErr = err
		}
	}
	sum.Elapsed = time.Since(start)
	if runErr != nil {
		return sum, st, fmt.Errorf("ingest: %w", runErr)
	}
	return sum, st, nil
}

// pipeline is one run's reading side: it feeds the tracker and ships
// batches to the writer.
type pipeline struct {
	cfg     Config
	quantum int
	w       *writer
	async   *asyncObserver // nil without an observer
	tr      *track.Tracker
	out     *tee
	cur     *batch // being filled; out.b
	sum     Summary
	shipped time.Time // when the last batch was shipped
	batches int       // shipped so far
}

// run reads specs in turn; then what the tracker and the detectors hold
// back is final, and shipped with the last batch.
func (p *pipeline) run(ctx context.Context, specs []string) error {
	var readErr error
	for _, spec := range specs {
		if readErr = p.readSource(ctx, spec); readErr != nil {
			break
		}
	}
	if readErr != nil && (ctx.Err() == nil || !errors.Is(readErr, ctx.Err())) {
		return readErr // a failed source or store: what is held back stays unstored
	}
	// The input ended, or the run was interrupted: what the tracker
	// and the detectors hold back is final now, and stored.
	p.tr.Flush(p.out)
	if p.cfg.Observer != nil {
		p.cfg.Observer.Flush()
	}
	if err := p.ship(); err != nil {
		return err
	}
	return readErr
}

// shipN hands the first n points of the current batch to the writer,
// with its identities, and takes a free batch that starts with the rest.
// Events found so far go with the batch of the last point: they rest on
// points shipped now or held back, and every point held back goes with
// the next batch (fewer than a quantum, and the next ships at least one),
// so an event is never stored before its points.
func (p *pipeline) shipN(n int) error {
	p.shipped = time.Now()
	p.batches++
	var events []event.Event
	if p.cfg.Observer != nil {
		events = p.cfg.Observer.Drain()
	}
	rest := p.cur.pts.Len() > n
	if !rest {
		p.cur.events = append(p.cur.events, events...)
	}
	prev := p.cur
	next := p.w.get()
	if rest {
		prev.pts.MoveTail(n, &next.pts)
		next.events = append(next.events, events...)
	}
	if err := p.w.put(prev); err != nil {
		return err
	}
	p.cur = next
	p.out.b = next
	return nil
}

// failure returns the error of a writer or an observer that failed.
func (p *pipeline) failure() error {
	if err := p.w.fault.get(); err != nil {
		return err
	}
	if p.async != nil {
		return p.async.fault.get()
	}
	return nil
}

// ship hands the whole current batch to the writer.
func (p *pipeline) ship() error { return p.shipN(p.cur.pts.Len()) }

// shipFull ships the points that fill whole quanta, or all of them.
func (p *pipeline) shipFull() error {
	n := p.cur.pts.Len()
	if p.quantum > 0 && n >= p.quantum {
		n -= n % p.quantum
	}
	return p.shipN(n)
}

// minBatch grows with the batches shipped, from MinBatchPoints (for the
// first few: the store starts early and keeps pace) to BatchPoints: more
// small batches would each cost the store a transaction's fixed work for
// little more overlap.
func (p *pipeline) minBatch() int {
	return min(p.cfg.MinBatchPoints*(1+max(p.batches-4, 0)), p.cfg.BatchPoints)
}

// due reports whether the current batch has waited FlushEvery.
func (p *pipeline) due() bool { return time.Since(p.shipped) >= p.cfg.FlushEvery }

// reuser is a source that can reuse an observation's Position and Static
// for the next one (source.NMEA and source.Stream): the pipeline keeps
// nothing of them past the next Next — the tracker and the observer copy.
type reuser interface{ Reuse() }

// readSource reads one source to its end, shipping batches as they
// fill (or, when the store is idle, as they reach minBatch).
func (p *pipeline) readSource(ctx context.Context, spec string) error {
	cfg, tr, out, sum := &p.cfg, p.tr, p.out, &p.sum
	if err := p.failure(); err != nil {
		return err // many small files: the check below may never come
	}
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
			if err := p.failure(); err != nil {
				return err // a feed of few positions ships seldom
			}
			if out.b.pts.Len() > 0 && p.due() {
				return p.ship()
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
			// A store that failed (or did not open), or detectors
			// that could not be built, end the read now rather than
			// at the next batch or the end.
			if err := p.failure(); err != nil {
				return err
			}
			if bar != nil {
				bar.Update(progress(), n)
			}
		}
		switch np := out.b.pts.Len(); {
		case cfg.FlushEvery > 0 && np > 0 && p.due():
			if err := p.ship(); err != nil {
				return err
			}
		case np >= cfg.BatchPoints || (np >= p.minBatch() && n%256 == 0 && p.w.idle()):
			if err := p.shipFull(); err != nil {
				return err
			}
		}
	}
}

// writer stores batches on its own goroutine. Two batches circulate: one
// filled by the pipeline while the other is written, so the pipeline
// waits only when the store is slower than decoding.
type writer struct {
	// open, specs and bulk start the run (see start); st, run, began
	// and endBulk are what it started, set on the writer's goroutine
	// and read after done.
	open    func(context.Context) (Store, error)
	openCtx context.Context
	specs   []string
	bulk    bool
	st      Store
	run     store.RunID
	began   bool
	endBulk func()

	ctx   context.Context // for writes: not cancelled (see newWriter)
	todo  chan *batch
	free  chan *batch
	done  chan struct{}
	fault fault // of the start or a write
	// unpacked holds a batch's points for a Store that is not a
	// PackedLoader, reused from batch to batch.
	unpacked []vessel.TrackPoint
	added    int
	dups     int
	idents   int
	events   int
}

// newWriter starts a writer that opens the store and begins the run
// (bulk: in the store's bulk mode, see BulkLoader) before it writes the
// first batch. Only the opening can be cancelled with ctx (a connection
// that hangs): once the store is open, an interrupted run (Ctrl-C, a
// server stopping its live feed) still stores every fix it accepted, then
// reports the interruption.
func newWriter(ctx context.Context, open func(context.Context) (Store, error), specs []string, bulk bool, size int) *writer {
	w := &writer{open: open, openCtx: ctx, specs: specs, bulk: bulk, ctx: context.WithoutCancel(ctx),
		todo: make(chan *batch, 1), free: make(chan *batch, 2), done: make(chan struct{}), fault: newFault()}
	for range 2 {
		b := &batch{}
		b.pts.P = make([]vessel.PackedPoint, 0, size+size/8)
		hugepage.Advise(b.pts.P) // 31 MB each at the default size
		w.free <- b
	}
	go w.loop()
	return w
}

func (w *writer) loop() {
	defer close(w.done)
	// The store's calls stay on one OS thread. DuckDB keeps the blocks
	// a thread frees in a cache of that thread's own (up to 256 blocks
	// of 256 KiB) and takes fresh memory on a thread whose cache is
	// empty: calls that hopped from thread to thread, as a goroutine's
	// do, kept taking fresh memory, whose page faults cost 10-15 µs a
	// page on some VMs. On a 1M-line ingest: 14 % less time and CPU,
	// 30 MB less peak RSS (docs/BENCHMARKS.md).
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := w.start(); err != nil {
		w.fault.fail(err)
	}
	for b := range w.todo {
		if w.fault.get() == nil {
			if err := w.write(b); err != nil {
				w.fault.fail(err)
			}
		}
		b.reset()
		w.free <- b
	}
}

// start opens the store and begins the run.
func (w *writer) start() error {
	st, err := w.open(w.openCtx)
	if err != nil {
		return err
	}
	w.st = st
	if b, ok := st.(BulkLoader); ok && w.bulk {
		end, err := b.BeginBulk(w.ctx)
		if err != nil {
			return err
		}
		w.endBulk = end
	}
	run, err := st.BeginRun(w.ctx, w.specs)
	if err != nil {
		return err
	}
	w.run, w.began = run, true
	return nil
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

// put queues b for writing; it fails when the start or an earlier
// write failed.
func (w *writer) put(b *batch) error {
	if err := w.fault.get(); err != nil {
		return err
	}
	w.todo <- b
	return nil
}

// close waits for queued batches and returns the first write error.
func (w *writer) close() error {
	close(w.todo)
	<-w.done
	return w.fault.get()
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
