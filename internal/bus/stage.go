package bus

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// CellPublisher publishes a worker's fixes to the cell stream.
type CellPublisher struct {
	cfg CellConfig
	pub *Publisher
	buf []Out
	ps  []int
	// labels are the vessels' name and IMO reports of each run, and which
	// partitions have been sent them (see Static).
	labels map[string]map[uint32]*labels
}

// labels are the distinct name/IMO reports of a vessel (the latest
// maxLabels), version counting changes, and the version each cell
// partition was last sent.
type labels struct {
	reports []vessel.Static
	version int
	sent    map[int]int
}

const maxLabels = 4

// NewCellPublisher makes sure the cell stream exists and returns a
// publisher to it on nc.
func NewCellPublisher(ctx context.Context, nc *nats.Conn, cfg CellConfig) (*CellPublisher, error) {
	cfg = cfg.withDefaults()
	pub, err := NewPublisher(ctx, nc, cfg.Config)
	if err != nil {
		return nil, err
	}
	return &CellPublisher{cfg: cfg, pub: pub, labels: map[string]map[uint32]*labels{}}, nil
}

// Static notes a static report of run: its name and IMO label the
// encounter events of the vessel. They go to a cell partition with the
// vessel's first fix there, and again when they change: the stage's
// detector labels events as the single-process one does, from the
// reports it has seen.
func (c *CellPublisher) Static(run string, s vessel.Static) {
	if s.Has&(vessel.HasName|vessel.HasIMO) == 0 {
		return
	}
	byMMSI := c.labels[run]
	if byMMSI == nil {
		byMMSI = map[uint32]*labels{}
		c.labels[run] = byMMSI
	}
	l := byMMSI[s.MMSI]
	if l == nil {
		l = &labels{sent: map[int]int{}}
		byMMSI[s.MMSI] = l
	}
	for i, r := range l.reports {
		if r.Has&(vessel.HasName|vessel.HasIMO) == s.Has&(vessel.HasName|vessel.HasIMO) && r.Name == s.Name && r.IMO == s.IMO {
			// The same label reported again: it keeps the time it was
			// first reported, so the stage applies it early enough, unless
			// another label came in between (a rename and back), which the
			// later report overrides.
			for _, o := range l.reports {
				if o.Time.After(r.Time) && s.Time.After(o.Time) {
					l.reports[i].Time = s.Time
					l.version++
					break
				}
			}
			return
		}
	}
	l.reports = append(l.reports, vessel.Static{MMSI: s.MMSI, Time: s.Time, Has: s.Has & (vessel.HasName | vessel.HasIMO), IMO: s.IMO, Name: s.Name})
	if len(l.reports) > maxLabels {
		l.reports = l.reports[1:]
	}
	l.version++
}

// Config returns the cell configuration, defaults filled in.
func (c *CellPublisher) Config() CellConfig { return c.cfg }

// PublishFixes publishes fixes of run to the partition of every cell
// within MarginKm of them (each partition once) and returns when
// JetStream has stored them all. Message IDs derive from the run, the
// partition and the fix, so publishing the same fixes again (a replayed
// partition) within the duplicate window stores nothing twice. A
// CellPublisher is not safe for concurrent use.
func (c *CellPublisher) PublishFixes(ctx context.Context, run string, fixes []Fix) error {
	if len(run) > 255 {
		return fmt.Errorf("%w: run name of %d bytes", ErrConfig, len(run))
	}
	c.buf = c.buf[:0]
	for _, f := range fixes {
		if !vessel.ValidPosition(f.Lat, f.Lon) {
			continue
		}
		data := encodeFix(run, f)
		c.ps = c.cfg.partitionsNear(c.ps[:0], f.Lat, f.Lon)
		l := c.labels[run][f.MMSI]
		for _, p := range c.ps {
			if l != nil && l.sent[p] != l.version {
				for i := range l.reports {
					d := encodeLabel(run, &l.reports[i])
					h := fnv.New64a()
					h.Write(d)
					fmt.Fprint(h, p)
					c.buf = append(c.buf, Out{MMSI: f.MMSI, ID: fmt.Sprintf("s:%x", h.Sum64()), Data: d, part: p + 1})
				}
				l.sent[p] = l.version
			}
			h := fnv.New64a()
			h.Write(data)
			fmt.Fprint(h, p)
			c.buf = append(c.buf, Out{MMSI: f.MMSI, ID: fmt.Sprintf("f:%x", h.Sum64()), Data: data, part: p + 1})
		}
	}
	if len(c.buf) == 0 {
		return nil
	}
	return c.pub.Publish(ctx, c.buf)
}

// PublishEnd tells every cell partition that partition from of the
// observation stream's of partitions has published all its fixes of run.
func (c *CellPublisher) PublishEnd(ctx context.Context, run string, from, of int) error {
	if len(run) > 255 || run == "" || from < 0 || from >= of || of > math.MaxUint16 {
		return fmt.Errorf("%w: cell end of run %q from %d of %d", ErrConfig, run, from, of)
	}
	delete(c.labels, run)
	data := encodeCellEnd(run, from, of)
	out := make([]Out, c.cfg.Partitions)
	for p := range out {
		out[p] = Out{ID: fmt.Sprintf("e:%s:%d:%d", run, from, p), Data: data, part: p + 1}
	}
	return c.pub.Publish(ctx, out)
}

// PublishWatermark tells every cell partition that partition from of the
// observation stream's of partitions will publish no fix of run older
// than t: the stage may pass the fixes before t to its detector, in time
// order, without waiting for the end of the run.
func (c *CellPublisher) PublishWatermark(ctx context.Context, run string, from, of int, t time.Time) error {
	if len(run) > 255 || run == "" || from < 0 || from >= of || of > math.MaxUint16 {
		return fmt.Errorf("%w: watermark of run %q from %d of %d", ErrConfig, run, from, of)
	}
	data := encodeWatermark(run, from, of, t)
	out := make([]Out, c.cfg.Partitions)
	for p := range out {
		out[p] = Out{ID: fmt.Sprintf("w:%s:%d:%d:%d", run, from, t.UnixNano(), p), Data: data, part: p + 1}
	}
	return c.pub.Publish(ctx, out)
}

// Detector is a cross-vessel detector one cell partition runs over the
// fixes its cells receive, one per run: internal/detect's Engine with
// only the encounter detector enabled satisfies it.
type Detector interface {
	Point(p vessel.TrackPoint)
	Static(s vessel.Static)
	Drain() []event.Event
	Flush()
}

// EventSink stores events (store.EventWriter's PutEvents: an upsert by
// event key, so writing the same events again changes nothing).
type EventSink interface {
	PutEvents(ctx context.Context, evs []event.Event) error
}

// StageConfig configures an EncounterStage.
type StageConfig struct {
	// Cells is the cell stream; CellsOf(the observation stream).
	Cells CellConfig
	// Worker tunes the stage's worker; its Config is set to Cells'.
	Worker WorkerConfig
	// NewDetector returns the detector of one run of one partition.
	NewDetector func() (Detector, error)
	// Sink stores the events found.
	Sink EventSink
}

// NewEncounterStage returns the worker of the spatial stage: it holds
// partitions of the cell stream (leases in their own bucket, as the
// observation workers do) and runs, per partition and run, a Detector
// over the fixes received. Fixes arrive from every observation partition,
// each at its own pace (one may be months of event time ahead of
// another), while the detector wants them in time order across vessels:
// the stage holds them back and passes them on in time order up to the
// least watermark of the observation partitions
// (CellPublisher.PublishWatermark; an ended partition's is infinite). A
// fix older than what was passed on already goes on at once (the detector
// counts it late). Events are stored as the
// detector finds them, each by the partition that owns the cell of its
// position only; when every partition of the observation stream has sent
// the end of a run (CellPublisher.PublishEnd), the run's detector is
// flushed, its last events stored, and the run's messages acknowledged.
// Runs are kept apart, each acknowledged when it ends, so the fixes of a
// run that starts before another has ended everywhere wait for nothing.
// A partition that changes hands is replayed from its first
// unacknowledged message: every unfinished run, from its start.
func NewEncounterStage(nc *nats.Conn, cfg StageConfig) (*Worker, error) {
	if cfg.NewDetector == nil || cfg.Sink == nil {
		return nil, fmt.Errorf("%w: encounter stage without detector or sink", ErrConfig)
	}
	cfg.Cells = cfg.Cells.withDefaults()
	wc := cfg.Worker
	wc.Config = cfg.Cells.Config
	var w *Worker
	var mu sync.Mutex
	var runs *RunLog
	w, err := NewStatefulWorker(nc, wc, func(ctx context.Context, p int) (PartitionConsumer, error) {
		mu.Lock()
		defer mu.Unlock()
		if runs == nil {
			l, err := OpenRunLog(ctx, nc, cfg.Cells.Config)
			if err != nil {
				return nil, err
			}
			runs = l
		}
		return &cellConsumer{w: w, p: p, cfg: cfg, runLog: runs, runs: map[string]*cellRun{}, finished: map[string]bool{}}, nil
	})
	if err != nil {
		return nil, err
	}
	w.selfAck = true
	return w, nil
}

// cellConsumer runs one cell partition.
type cellConsumer struct {
	w        *Worker
	p        int
	cfg      StageConfig
	runLog   *RunLog // finished runs, across consumers
	runs     map[string]*cellRun
	finished map[string]bool // runs ended and acknowledged (ignore stragglers)
	order    []string        // finished, oldest first, to bound the set
	stray    *ackList        // messages to acknowledge at once
}

type cellRun struct {
	det   Detector
	ended map[int]bool  // observation partitions whose end arrived
	water map[int]int64 // their watermarks (Unix ns)
	of    int
	acks  *ackList
	held  fixHeap // fixes not yet passed to det, oldest first
	seq   int64   // arrival counter: equal times keep arrival order
	out   int64   // newest time passed to det
	late  int64   // fixes passed on behind out
}

type queuedFix struct {
	t   int64
	seq int64
	f   Fix
	st  *vessel.Static // a label instead of a fix
}

// fixHeap is a min-heap by time, then arrival.
type fixHeap []queuedFix

func (h fixHeap) less(i, j int) bool {
	return h[i].t < h[j].t || (h[i].t == h[j].t && h[i].seq < h[j].seq)
}

func (h *fixHeap) push(x queuedFix) {
	*h = append(*h, x)
	for i := len(*h) - 1; i > 0; {
		p := (i - 1) / 2
		if !h.less(i, p) {
			break
		}
		(*h)[i], (*h)[p] = (*h)[p], (*h)[i]
		i = p
	}
}

func (h *fixHeap) pop() queuedFix {
	old := *h
	x := old[0]
	n := len(old) - 1
	old[0] = old[n]
	*h = old[:n]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && h.less(l, m) {
			m = l
		}
		if r < n && h.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		(*h)[i], (*h)[m] = (*h)[m], (*h)[i]
		i = m
	}
	return x
}

// watermark is the time up to which every observation partition has
// published its fixes of the run: the least of their watermarks, ended
// partitions counting as infinite; math.MinInt64 while one is unheard of.
func (r *cellRun) watermark() int64 {
	if r.of == 0 {
		return math.MinInt64
	}
	w := int64(math.MaxInt64)
	for from := range r.of {
		if r.ended[from] {
			continue
		}
		t, ok := r.water[from]
		if !ok {
			return math.MinInt64
		}
		w = min(w, t)
	}
	return w
}

// release passes the held fixes up to the watermark to the detector.
func (r *cellRun) release() {
	w := r.watermark()
	for len(r.held) > 0 && r.held[0].t <= w {
		x := r.held.pop()
		r.out = max(r.out, x.t)
		if x.st != nil {
			r.det.Static(*x.st)
			continue
		}
		r.det.Point(x.f.TrackPoint())
	}
}

const keepFinished = 1024

func (c *cellConsumer) Handle(ctx context.Context, msgs []Msg) (int, error) {
	log := c.w.cfg.Logger.With("stage", "encounters", "partition", c.p)
	if c.stray == nil {
		c.stray = newAckList()
	}
	for _, m := range msgs {
		cm, err := decodeCell(m.Data)
		if err != nil {
			log.Warn("bus: skipping a bad cell message", "id", m.ID, "err", err)
			c.stray.add(m.reply)
			continue
		}
		r := c.runs[cm.run]
		if r == nil && !c.finished[cm.run] {
			// A run this consumer has not seen: finished already if a
			// previous consumer of the partition finished it and was cut
			// short acknowledging it.
			done, err := c.runLog.Finished(ctx, c.p, cm.run)
			if err != nil {
				return 0, err
			}
			c.finished[cm.run] = done
		}
		if c.finished[cm.run] {
			// The rest of a finished run (see RunLog), or a replayed
			// publisher's message after the duplicate window.
			c.stray.add(m.reply)
			continue
		}
		if r == nil {
			det, err := c.cfg.NewDetector()
			if err != nil {
				return 0, fmt.Errorf("encounter stage: %w", err)
			}
			r = &cellRun{det: det, ended: map[int]bool{}, water: map[int]int64{}, acks: newAckList(), out: math.MinInt64}
			c.runs[cm.run] = r
		}
		r.acks.add(m.reply)
		switch cm.kind {
		case cellFix:
			t := cm.fix.Time.UnixNano()
			if t < r.out {
				r.late++
				r.det.Point(cm.fix.TrackPoint())
				break
			}
			r.seq++
			r.held.push(queuedFix{t: t, seq: r.seq, f: cm.fix})
		case cellStatic:
			st := cm.static
			if t := st.Time.UnixNano(); t < r.out {
				r.det.Static(st)
			} else {
				r.seq++
				r.held.push(queuedFix{t: t, seq: r.seq, st: &st})
			}
		case cellWater:
			r.of = cm.of
			r.water[cm.from] = max(r.water[cm.from], cm.water)
		case cellEnd:
			if r.of != 0 && r.of != cm.of {
				log.Warn("bus: run ends announced with different partition counts", "run", cm.run, "of", r.of, "now", cm.of)
			}
			r.of = cm.of
			r.ended[cm.from] = true
		}
	}
	names := make([]string, 0, len(c.runs))
	for name := range c.runs {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		r := c.runs[name]
		r.release()
		complete := r.of > 0 && len(r.ended) >= r.of
		evs := r.det.Drain()
		if complete {
			r.det.Flush()
			evs = append(evs, r.det.Drain()...)
		}
		if evs = c.owned(evs); len(evs) > 0 {
			if err := c.cfg.Sink.PutEvents(ctx, evs); err != nil {
				return 0, fmt.Errorf("encounter stage: storing %d events: %w", len(evs), err)
			}
		}
		if complete {
			if err := c.runLog.Finish(ctx, c.p, name); err != nil {
				return 0, err
			}
			if r.acks.len() > 0 {
				c.w.ack(ctx, log, r.acks, r.acks.len())
			}
			delete(c.runs, name)
			c.finished[name] = true
			c.order = append(c.order, name)
			if len(c.order) > keepFinished {
				delete(c.finished, c.order[0])
				c.order = c.order[1:]
			}
			log.Debug("bus: run done", "run", name, "late_fixes", r.late)
		}
	}
	if c.stray.len() > 0 {
		c.w.ack(ctx, log, c.stray, c.stray.len())
		c.stray.reset()
	}
	return 0, nil
}

// owned keeps the events whose position lies in a cell of this
// partition: the neighbouring partitions that saw the same vessels drop
// them.
func (c *cellConsumer) owned(evs []event.Event) []event.Event {
	out := evs[:0]
	for _, e := range evs {
		if c.cfg.Cells.ownerOf(e.Lat, e.Lon) == c.p {
			out = append(out, e)
		}
	}
	return out
}

func (c *cellConsumer) Close() {}
