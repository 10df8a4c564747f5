package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/lookout-maritime/lookout/internal/bus"
	"github.com/lookout-maritime/lookout/internal/detect"
	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/ingest"
	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

func init() { register(newWorkerCmd) }

func newWorkerCmd() *cobra.Command {
	var busURL, storeFlag string
	var opt workerOptions
	var det detectFlags
	cmd := &cobra.Command{
		Use:   "worker --bus URL [--store URL] [flags]",
		Short: "Track and store observations from the bus (`lookout ingest --bus`), sharing partitions with other workers",
		Long: `Worker consumes observations that 'lookout ingest --bus' published to NATS JetStream. The
stream is partitioned by MMSI; each worker holds some partitions (the workers of one stream
share them out, and take over those of a worker that dies), runs each partition's vessels
through the tracker in order, and writes positions and identities to the store. A partition's
messages are acknowledged when the end of the publisher's run has been tracked and stored; a
partition that changes hands is replayed from its first unacknowledged message with a fresh
tracker, so the store ends up exactly as one 'lookout ingest' of the same input would leave it
(writes are idempotent). With detectors, a second stage finds encounters between vessels of
different partitions (see docs/SCALE.md). It runs until SIGINT or SIGTERM (or, with
--until-empty, until the streams are empty), then finishes the batches in progress and hands
its partitions back.`,
		Example: `  lookout worker --bus nats://127.0.0.1:4222 --store postgres://lookout@db/lookout
  lookout worker --bus 'nats://nats:4222?stream=AIS&partitions=128' --store postgres://db/lookout`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if busURL == "" {
				return usageError{fmt.Errorf("worker: --bus is required")}
			}
			logger := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelWarn}))
			d, err := det.workerDetectors(logger)
			if err != nil {
				return fmt.Errorf("worker: %w", err)
			}
			opt.det = d
			return runWorker(cmd, busURL, storePath(storeFlag), opt)
		},
	}
	cmd.Flags().StringVar(&busURL, "bus", "", "NATS server and stream: nats://host:port[?stream=NAME&subject=PREFIX&partitions=N]")
	addStoreFlag(cmd, &storeFlag)
	cmd.Flags().IntVar(&opt.partitions, "partitions", 0, "partitions of the stream (overrides the URL's; default "+fmt.Sprint(bus.DefaultPartitions)+")")
	cmd.Flags().IntVar(&opt.batch, "batch", 5000, "messages per fetch and store write")
	cmd.Flags().StringVar(&opt.id, "id", "", "worker name in leases and logs (default host-pid-random)")
	cmd.Flags().BoolVarP(&opt.quiet, "quiet", "q", false, "log warnings only")
	cmd.Flags().BoolVar(&opt.untilEmpty, "until-empty", false, "exit once the streams hold no more work (a backlog, a benchmark)")
	cmd.Flags().DurationVar(&opt.leaseTTL, "lease-ttl", 0, "how long a dead worker keeps its partitions (default 10s)")
	_ = cmd.Flags().MarkHidden("lease-ttl")
	det.add(cmd, true)
	return cmd
}

type workerOptions struct {
	id         string
	partitions int
	batch      int
	leaseTTL   time.Duration
	quiet      bool
	untilEmpty bool
	// det are the detectors; nil: none.
	det *workerDetectors
}

// workerDetectors are the detectors a worker runs: per vessel in each
// partition's pipeline, and encounters in the spatial stage
// (bus.EncounterStage), which sees vessels of every partition.
type workerDetectors struct {
	// perVessel returns the observer of one run of one partition, with
	// the encounter detector off when encounters is set; nil: none.
	perVessel func() ingest.Observer
	// encounters returns the encounter detector of one run of one cell
	// partition; nil: no spatial stage.
	encounters func() (bus.Detector, error)
	// indexKn is the encounter detector's IndexKn: the speed up to which
	// fixes go to the spatial stage (bus.FixFilter).
	indexKn float64
}

// workerDetectors builds the detectors of a worker from the flags, as
// engine does for ingest: the per-vessel detectors with the encounter
// detector off, and the encounter detector alone for the spatial stage.
// Every partition and run gets engines of its own; they share the
// gazetteer and the coastline, which are only read. nil with --no-detect.
func (f *detectFlags) workerDetectors(logger *slog.Logger) (*workerDetectors, error) {
	if f.off {
		return nil, nil
	}
	cfg, g, shore, err := f.setup()
	if err != nil {
		return nil, err
	}
	// detect.New prepares the zones it is given: each engine gets its own
	// copies.
	deps := func() detect.Deps {
		return detect.Deps{Ports: g, Shore: shore, Zones: slices.Clone(g.Zones())}
	}
	d := &workerDetectors{}
	perVessel := cfg
	if cfg.Encounter.Enabled {
		perVessel.Encounter.Enabled = false
		enc := cfg.Only(detect.NameEncounter)
		if _, err := detect.New(enc, deps(), logger); err != nil {
			return nil, err
		}
		d.indexKn = cfg.Encounter.IndexKn
		d.encounters = func() (bus.Detector, error) { return detect.New(enc, deps(), logger) }
	}
	if _, err := detect.New(perVessel, deps(), logger); err != nil {
		return nil, err
	}
	d.perVessel = func() ingest.Observer {
		e, err := detect.New(perVessel, deps(), logger)
		if err != nil { // checked above: the configuration is valid
			panic(err)
		}
		return e
	}
	return d, nil
}

// workerTotals counts a worker's messages over all its partitions (the
// store writes are counted by groupStore).
type workerTotals struct {
	messages, observations, bad, runs, fixes, skipped atomic.Int64
}

// countingSink counts the events the spatial stage stores.
type countingSink struct {
	st interface {
		PutEvents(ctx context.Context, evs []event.Event) error
	}
	n atomic.Int64
}

func (c *countingSink) PutEvents(ctx context.Context, evs []event.Event) error {
	if err := c.st.PutEvents(ctx, evs); err != nil {
		return err
	}
	c.n.Add(int64(len(evs)))
	return nil
}

func runWorker(cmd *cobra.Command, busURL, storeSpec string, opt workerOptions) error {
	ctx := cmd.Context()
	stderr := cmd.ErrOrStderr()
	server, bcfg, err := parseBus(busURL)
	if err != nil {
		return err
	}
	if opt.partitions > 0 {
		bcfg.Partitions = opt.partitions
	}
	level := slog.LevelInfo
	if opt.quiet {
		level = slog.LevelWarn
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	bcfg.Logger = logger
	cells := bus.CellsOf(bcfg)

	st, err := openStore(ctx, storeSpec, false)
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	defer st.Close()
	nc, err := connectBus(server, "lookout worker")
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	defer nc.Close()

	totals := &workerTotals{}
	runLog, err := bus.OpenRunLog(ctx, nc, bcfg)
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	gs := newGroupStore(ctx, st)
	stage := opt.det != nil && opt.det.encounters != nil
	var run store.RunID // set before w.Run opens any partition
	open := func(ctx context.Context, p int) (bus.PartitionConsumer, error) {
		pp := &partitionPipe{p: p, of: bcfg.Partitions, totals: totals, log: logger, runLog: runLog, finished: map[string]bool{},
			clock: map[string]time.Time{}, water: map[string]time.Time{}}
		if stage {
			cp, err := bus.NewCellPublisher(ctx, nc, cells)
			if err != nil {
				return nil, err
			}
			pp.cells = cp
		}
		pp.s = ingest.NewStream(gs, run, ingest.StreamConfig{Logger: logger, NewObserver: pp.newObserver(opt.det)})
		return pp, nil
	}
	wcfg := bus.WorkerConfig{Config: bcfg, ID: opt.id, Batch: opt.batch, LeaseTTL: opt.leaseTTL}
	w, err := bus.NewStatefulWorker(nc, wcfg, open)
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	sink := &countingSink{st: gs}
	var sw *bus.Worker
	if stage {
		scfg := wcfg
		scfg.ID = w.ID()
		sw, err = bus.NewEncounterStage(nc, bus.StageConfig{Cells: cells, Worker: scfg, NewDetector: opt.det.encounters, Sink: sink})
		if err != nil {
			return fmt.Errorf("worker: %w", err)
		}
	}
	// Every partition's pipeline writes against this worker's run, so the
	// run's PositionsAdded counts what this worker stored.
	run, err = st.BeginRun(ctx, []string{fmt.Sprintf("bus %s stream %s worker %s", server, bcfg.Stream, w.ID())})
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}

	start := time.Now()
	logger.Info("worker started", "worker", w.ID(), "stream", bcfg.Stream, "store", storeSpec, "run", run, "encounter_stage", stage)
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	errs := make([]error, 3)
	wg.Add(1)
	go func() { defer wg.Done(); errs[0] = w.Run(wctx); stop() }()
	if sw != nil {
		wg.Add(1)
		go func() { defer wg.Done(); errs[1] = sw.Run(wctx); stop() }()
	}
	if opt.untilEmpty {
		streams := []string{bcfg.Stream}
		if stage {
			streams = append(streams, cells.Stream)
		}
		wg.Add(1)
		go func() { defer wg.Done(); errs[2] = bus.WaitEmpty(wctx, nc, streams); stop() }()
	}
	wg.Wait()
	gs.close()
	runErr := errors.Join(errs...)
	elapsed := time.Since(start)
	status := store.RunOK
	if runErr != nil {
		status = store.RunFailed
	}
	if err := st.FinishRun(context.WithoutCancel(ctx), run, store.RunResult{Status: status, Lines: totals.messages.Load(),
		Decoded: totals.observations.Load(), Rejected: totals.bad.Load(),
		RejectedByReason: map[string]int64{"bad_message": totals.bad.Load()}}); err != nil && runErr == nil {
		runErr = err
	}
	fmt.Fprintf(stderr, "worker %s: %d messages (%d observations, %d bad, %d ends of run, %d of finished runs), %d positions stored (%d already stored), %d identity records, %d events\n",
		w.ID(), totals.messages.Load(), totals.observations.Load(), totals.bad.Load(), totals.runs.Load(), totals.skipped.Load(), gs.added.Load(), gs.dups.Load(), gs.idents.Load(), gs.events.Load())
	if stage {
		fmt.Fprintf(stderr, "  spatial stage: %d fixes published, %d encounter events stored\n", totals.fixes.Load(), sink.n.Load())
	}
	fmt.Fprintf(stderr, "  %s, %.0f messages/s, store %s\n", elapsed.Round(time.Millisecond), float64(totals.messages.Load())/elapsed.Seconds(), storeSpec)
	if runErr != nil {
		return fmt.Errorf("worker: %w", runErr)
	}
	return nil
}

// partitionPipe is one partition's pipeline in a worker: the ingest
// pipeline's tracker, detectors and store writer fed from the bus, and
// the publisher of its fixes to the spatial stage.
type partitionPipe struct {
	p, of  int // partition, of the stream's
	s      *ingest.Stream
	cells  *bus.CellPublisher // nil: no spatial stage
	tap    *fixTap            // of the current run
	totals *workerTotals
	log    *slog.Logger
	// runLog records the runs the partition has finished; finished caches
	// it for the runs this consumer has seen (only the partition's holder
	// finishes its runs).
	runLog   *bus.RunLog
	finished map[string]bool
	// clock is the newest event time read of each run not yet ended;
	// water the watermark last published for it, and when.
	clock map[string]time.Time
	water map[string]time.Time
	wall  time.Time
}

// Watermarks: a partition tells the spatial stage how far its fixes have
// got, so that the stage can pass fixes from all partitions to its
// detector in time order as they come instead of at the end of the run.
// The tracker releases a fix at most its reorder window (5 min) and a
// sweep step after the newest observation read, so the watermark lags the
// newest observation by an hour; fixes of input more out of order than
// that reach the stage late (see bus.NewEncounterStage). It is published
// when it has moved by waterStep, at most every waterEvery.
const (
	waterLag   = time.Hour
	waterStep  = 10 * time.Minute
	waterEvery = 2 * time.Second
)

// newObserver returns the Stream's observer factory: the per-vessel
// detectors, with a tap collecting fixes for the spatial stage.
func (pp *partitionPipe) newObserver(det *workerDetectors) func() ingest.Observer {
	if det == nil {
		return nil
	}
	return func() ingest.Observer {
		var inner ingest.Observer
		if det.perVessel != nil {
			inner = det.perVessel()
		}
		if pp.cells == nil {
			return inner // nil when there are no detectors at all
		}
		pp.tap = &fixTap{inner: inner, cells: pp.cells, filter: bus.NewFixFilter(det.indexKn), fixes: map[string][]bus.Fix{}}
		return pp.tap
	}
}

// Handle tracks the messages and stores what the tracker and detectors
// emitted. At an end-of-run marker the run is ended (as a single-process
// ingest ends at the end of its input), stored, its fixes and its end
// published to the spatial stage; what precedes the marker is then done.
// Observations after the last marker stay unacknowledged: the tracker
// may still hold them (reorder buffers, identities not yet reported), and
// if this worker dies the partition's next owner must replay them from
// the start of the run to rebuild the same state.
func (pp *partitionPipe) Handle(ctx context.Context, msgs []bus.Msg) (int, error) {
	done := 0
	for i, m := range msgs {
		pp.totals.messages.Add(1)
		dm, err := bus.DecodeMessage(m.Data)
		switch {
		case err != nil:
			pp.totals.bad.Add(1)
			pp.log.Warn("worker: skipping a bad message", "partition", pp.p, "id", m.ID, "err", err)
		case pp.isFinished(ctx, dm.Run):
			// The rest of a run finished by an earlier consumer of the
			// partition, cut short while acknowledging it (bus.RunLog).
			pp.totals.skipped.Add(1)
			if done == i {
				done = i + 1
			}
		case dm.End:
			pp.totals.runs.Add(1)
			tap := pp.tap
			if tap != nil {
				tap.run = dm.Run // what the tracker still holds belongs to the run ending
			}
			pp.s.End()
			if err := pp.write(ctx, tap); err != nil {
				return 0, err
			}
			if pp.cells != nil {
				if err := pp.cells.PublishEnd(ctx, dm.Run, pp.p, pp.of); err != nil {
					return 0, fmt.Errorf("partition %d: %w", pp.p, err)
				}
			}
			delete(pp.clock, dm.Run)
			delete(pp.water, dm.Run)
			if err := pp.runLog.Finish(ctx, pp.p, dm.Run); err != nil {
				return 0, fmt.Errorf("partition %d: %w", pp.p, err)
			}
			pp.finished[dm.Run] = true
			done = i + 1
		default:
			pp.totals.observations.Add(1)
			if pp.tap != nil {
				pp.tap.run = dm.Run
				var t time.Time
				if p := dm.Obs.Position; p != nil {
					t = p.Time
				} else {
					t = dm.Obs.Static.Time
				}
				if t.After(pp.clock[dm.Run]) {
					pp.clock[dm.Run] = t
				}
			}
			pp.s.Add(dm.Obs)
		}
	}
	if err := pp.write(ctx, pp.tap); err != nil {
		return 0, err
	}
	return done, nil
}

// isFinished reports whether run (of a message) is finished already; a
// failed look-up says no (the run is tracked again: idempotent, only
// slower).
func (pp *partitionPipe) isFinished(ctx context.Context, run string) bool {
	if run == "" {
		return false
	}
	fin, ok := pp.finished[run]
	if !ok {
		var err error
		if fin, err = pp.runLog.Finished(ctx, pp.p, run); err != nil {
			pp.log.Warn("worker: run log", "partition", pp.p, "run", run, "err", err)
			return false
		}
		pp.finished[run] = fin
	}
	return fin
}

// write stores what the pipeline emitted, then publishes the fixes tap
// collected: the stage gets a fix only once its positions are stored.
func (pp *partitionPipe) write(ctx context.Context, tap *fixTap) error {
	if err := pp.s.Write(ctx); err != nil {
		return fmt.Errorf("partition %d: %w", pp.p, err)
	}
	if pp.cells == nil || tap == nil {
		return nil
	}
	for run, fixes := range tap.fixes {
		if len(fixes) == 0 {
			continue
		}
		if err := pp.cells.PublishFixes(ctx, run, fixes); err != nil {
			return fmt.Errorf("partition %d: %w", pp.p, err)
		}
		pp.totals.fixes.Add(int64(len(fixes)))
		tap.fixes[run] = fixes[:0]
	}
	if time.Since(pp.wall) < waterEvery {
		return nil
	}
	for run, t := range pp.clock {
		w := t.Add(-waterLag).Truncate(waterStep)
		if !w.After(pp.water[run]) {
			continue
		}
		if err := pp.cells.PublishWatermark(ctx, run, pp.p, pp.of, w); err != nil {
			return fmt.Errorf("partition %d: %w", pp.p, err)
		}
		pp.water[run], pp.wall = w, time.Now()
	}
	return nil
}

// Close ends the partition's pipeline: what it holds is replayed by the
// partition's next consumer.
func (pp *partitionPipe) Close() {}

// fixTap passes what the tracker emits to the per-vessel detectors and
// keeps the fixes the spatial stage needs (bus.FixFilter), by run, and the
// names and IMOs static reports give.
type fixTap struct {
	inner  ingest.Observer // nil: none
	cells  *bus.CellPublisher
	filter *bus.FixFilter
	run    string // of the observations being tracked
	fixes  map[string][]bus.Fix
}

func (f *fixTap) Point(p vessel.TrackPoint) {
	if f.inner != nil {
		f.inner.Point(p)
	}
	f.fixes[f.run] = f.filter.Add(f.fixes[f.run], bus.FixOf(p))
}

func (f *fixTap) Identity(id vessel.Identity, isNew bool) {
	if f.inner != nil {
		f.inner.Identity(id, isNew)
	}
}

func (f *fixTap) Static(s vessel.Static) {
	if f.inner != nil {
		f.inner.Static(s)
	}
	f.cells.Static(f.run, s) // names and IMOs label encounters
}

func (f *fixTap) Drain() []event.Event {
	if f.inner != nil {
		return f.inner.Drain()
	}
	return nil
}

func (f *fixTap) Flush() {
	if f.inner != nil {
		f.inner.Flush()
	}
}

// groupStore merges the writes of a worker's partitions into shared store
// calls (group commit). Every partition writes its own small batches, a
// fetch at a time; written one by one they would be many small
// transactions, and on PostgreSQL each AddPositions of one ingest run
// also updates the run's row, so that they queue behind each other. A
// call waits until its batch is committed with whatever other partitions
// wrote meanwhile: the partition's order of writes (identities,
// positions, events) holds, and a failed group fails every call in it
// (their partitions replay). Positions of different partitions never
// share an MMSI, so merging them changes nothing stored; counts are kept
// here, for the merged calls, and the calls report none.
type groupStore struct {
	st   store.Store
	ctx  context.Context // of the store calls: the worker's, never cancelled
	reqs chan *groupReq
	done chan struct{}

	added, dups, idents, events atomic.Int64
}

type groupKind int

const (
	groupIdentities groupKind = iota
	groupPositions
	groupEvents
)

type groupReq struct {
	ctx  context.Context
	kind groupKind
	run  store.RunID
	ids  []vessel.Identity
	pts  []vessel.TrackPoint
	evs  []event.Event
	err  chan error
}

// groupMax bounds a merged call (items).
const groupMax = 200_000

func newGroupStore(ctx context.Context, st store.Store) *groupStore {
	g := &groupStore{st: st, ctx: context.WithoutCancel(ctx), reqs: make(chan *groupReq), done: make(chan struct{})}
	go g.loop()
	return g
}

// close stops the loop once no call is in progress.
func (g *groupStore) close() { close(g.reqs); <-g.done }

func (g *groupStore) loop() {
	defer close(g.done)
	var pending []*groupReq
	for {
		if len(pending) == 0 {
			r, ok := <-g.reqs
			if !ok {
				return
			}
			pending = append(pending, r)
		}
	more:
		for {
			select {
			case r, ok := <-g.reqs:
				if !ok {
					break more
				}
				pending = append(pending, r)
			default:
				break more
			}
		}
		// The oldest request's kind, with every other waiting request of
		// that kind and run, up to groupMax items.
		first := pending[0]
		var group, rest []*groupReq
		n := 0
		for _, r := range pending {
			size := len(r.ids) + len(r.pts) + len(r.evs)
			if r.kind == first.kind && r.run == first.run && (len(group) == 0 || n+size <= groupMax) {
				group = append(group, r)
				n += size
			} else {
				rest = append(rest, r)
			}
		}
		pending = rest
		err := g.write(first.kind, first.run, group)
		for _, r := range group {
			r.err <- err
		}
	}
}

func (g *groupStore) write(kind groupKind, run store.RunID, group []*groupReq) error {
	// Not a request's context: a partition released meanwhile must not
	// fail the writes of the others in its group. A write in progress
	// finishes (as a single store call would).
	ctx := g.ctx
	switch kind {
	case groupIdentities:
		var ids []vessel.Identity
		for _, r := range group {
			ids = append(ids, r.ids...)
		}
		if err := g.st.UpsertIdentities(ctx, ids); err != nil {
			return err
		}
		g.idents.Add(int64(len(ids)))
	case groupPositions:
		var pts []vessel.TrackPoint
		for _, r := range group {
			pts = append(pts, r.pts...)
		}
		ls, err := g.st.AddPositions(ctx, run, pts)
		if err != nil {
			return err
		}
		g.added.Add(int64(ls.Added))
		g.dups.Add(int64(ls.Duplicates))
	case groupEvents:
		var evs []event.Event
		for _, r := range group {
			evs = append(evs, r.evs...)
		}
		if err := g.st.PutEvents(ctx, evs); err != nil {
			return err
		}
		g.events.Add(int64(len(evs)))
	}
	return nil
}

func (g *groupStore) call(r *groupReq) error {
	r.err = make(chan error, 1)
	select {
	case g.reqs <- r:
	case <-r.ctx.Done():
		return r.ctx.Err()
	}
	return <-r.err
}

func (g *groupStore) UpsertIdentities(ctx context.Context, ids []vessel.Identity) error {
	return g.call(&groupReq{ctx: ctx, kind: groupIdentities, ids: ids})
}

func (g *groupStore) AddPositions(ctx context.Context, run store.RunID, pts []vessel.TrackPoint) (store.LoadStats, error) {
	return store.LoadStats{}, g.call(&groupReq{ctx: ctx, kind: groupPositions, run: run, pts: pts})
}

func (g *groupStore) PutEvents(ctx context.Context, evs []event.Event) error {
	return g.call(&groupReq{ctx: ctx, kind: groupEvents, evs: evs})
}

func (g *groupStore) BeginRun(ctx context.Context, sources []string) (store.RunID, error) {
	return g.st.BeginRun(ctx, sources)
}

func (g *groupStore) FinishRun(ctx context.Context, id store.RunID, res store.RunResult) error {
	return g.st.FinishRun(ctx, id, res)
}
