// Package detect holds the behaviour detectors: port visits, AIS gaps,
// dark port visits, encounters, loitering, spoofing, draught and identity
// changes, geofence crossings. They run streaming over what the tracker
// (internal/track) emits — de-duplicated track points in time order per
// vessel and identity batches — plus the static reports as read, and emit
// event.Event values.
//
// # Time and order
//
// Detectors run on event time only. Points of one vessel are expected in
// time order (the tracker's guarantee); across vessels any interleaving
// gives the same final events, so a re-run over stored positions, vessel
// by vessel (see Batch), equals the streaming result. A point older than
// one already processed for its vessel ("late", e.g. files ingested out of
// order) re-evaluates the gaps it falls in: a gap it closes is withdrawn,
// one it shortens is revised under the same Key (or, shortened at its
// start, withdrawn and replaced under the new start's Key), together with
// the gap's dark port visit and draught change. Other detectors count late
// points but do not revisit their past (see Stats.Late).
//
// # Events
//
// Every event has a stable Key (event.MakeKey over detector, MMSI and the
// event's start...), so re-detection replaces rather than duplicates. An
// event re-published with different content carries a higher Revision;
// one that no longer holds is re-published with Withdrawn set. Events a
// stream publishes early (an open gap, an ongoing port visit at Flush) are
// revised as data arrives.
//
// # State
//
// State per active vessel is bounded (a few hundred bytes plus the gap
// history of Config.LateWindow and the encounter slots of
// Config.Encounter.Retention, both capped); a vessel silent for
// Config.Idle is dropped. BenchmarkEngine and TestStatePerVessel measure
// both.
package detect

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math"
	"slices"
	"strings"
	"time"
	"unsafe"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/geo"
	"github.com/lookout-maritime/lookout/internal/vcache"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// Stats counts what an Engine did.
type Stats struct {
	Points     int64 // track points seen
	Late       int64 // points older than one already processed for their vessel
	Statics    int64
	Identities int64
	Events     int64 // events published (revisions and withdrawals included)
	Revisions  int64
	Withdrawn  int64
	Vessels    int // vessels with state now
	Slots      int // encounter slots indexed now
	Evicted    int64
}

// Engine runs every enabled detector. It satisfies internal/ingest's
// Observer (Point, Identity, Static, Drain, Flush). It is not safe for
// concurrent use; partition vessels by MMSI across engines only if
// encounters between partitions do not matter.
type Engine struct {
	cfg  Config
	deps Deps
	log  *slog.Logger

	vessels   map[uint32]*vstate
	vcache    vcache.Cache[vstate] // in front of vessels (see vessel)
	out       []event.Event
	published map[string]pubRec
	now       int64 // newest event time seen, Unix ns
	nextSweep int64
	enc       *encounters
	imos      map[uint32]*imoState
	stats     Stats
	params    map[string]map[string]any
}

// pubRec is what is remembered of a published event.
type pubRec struct {
	rev       int
	hash      uint64
	withdrawn bool
	until     int64 // forget after this event time (ns) of its vessel
	mmsi      uint32
	ev        *event.Event
}

const sweepStep = int64(30 * time.Minute)

// New returns an Engine. Zero Config is not valid: start from Default or
// Profile. A nil logger discards.
func New(cfg Config, deps Deps, logger *slog.Logger) (*Engine, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	for i := range deps.Zones {
		deps.Zones[i].prepare()
	}
	e := &Engine{cfg: cfg, deps: deps, log: logger, vessels: map[uint32]*vstate{}, vcache: vcache.New[vstate](),
		published: map[string]pubRec{}, imos: map[uint32]*imoState{}, now: math.MinInt64,
		nextSweep: math.MinInt64, params: map[string]map[string]any{}}
	for _, n := range Names {
		e.params[n] = cfg.params(n)
	}
	e.enc = newEncounters(e)
	return e, nil
}

// Config returns the configuration in force.
func (e *Engine) Config() Config { return e.cfg }

// Stats returns the counters so far.
func (e *Engine) Stats() Stats {
	s := e.stats
	s.Vessels = len(e.vessels)
	s.Slots = e.enc.slots
	return s
}

// Drain returns the events published since the last call (none when
// Deps.Emit is set).
func (e *Engine) Drain() []event.Event {
	out := e.out
	e.out = nil
	return out
}

// fix is a position as detectors keep it.
type fix struct {
	t        int64 // Unix ns
	lat, lon float64
	sog      float32 // knots, NaN unknown
	cog      float32
}

func fixOf(p *vessel.TrackPoint) fix {
	return fix{t: p.Time.UnixNano(), lat: p.Lat, lon: p.Lon, sog: p.SOG, cog: p.COG}
}

func (f fix) time() time.Time { return time.Unix(0, f.t).UTC() }

func (f fix) ref(mmsi uint32) event.Ref {
	return event.Ref{MMSI: mmsi, Time: f.time(), Lat: f.lat, Lon: f.lon}
}

func distKm(a, b fix) float64 { return geo.DistanceM(a.lat, a.lon, b.lat, b.lon) / 1000 }

// vstate is one vessel's detector state. Its fields are in the order
// Point uses them for every fix, the rarely used ones last: with thousands
// of vessels the state is not in the processor's cache, and each cache
// line a fix touches costs more than the detectors' arithmetic.
type vstate struct {
	mmsi    uint32
	hasLast bool
	idChk   bool // MMSI checked
	inPort  bool // pv.in, kept here: most fixes need no more of pv
	// behind: the latest fix arrived when the input's event time was
	// already Gap.OpenAfter past it, i.e. this vessel's track is being
	// replayed behind the clock (input sorted by vessel, a file
	// concatenated after a later one). Its silence since then is not
	// observed live and more of its track may still be on the way, so its
	// open gap waits for Flush instead of being published at every sweep.
	behind  bool
	jumpOn  bool    // a spoofing episode of impossible jumps is open (sp)
	landOn  bool    // one of fixes on land is
	maxSOG  float32 // fastest plausible SOG seen
	cruise  float32 // running average of SOG under way (> 3 kn)
	points  int64   // in-order fixes seen; the times of the latest are in recent
	last    fix     // the latest in-order fix
	encLast int64   // encounter slots up to this one are decided
	sea     seaCache
	gaps    gapState
	lo      loiterState
	recent  ring // times of the latest fixes (points of them), for reception density
	sp      spoofState

	// Below: what most fixes do not touch.
	pv     portState
	imo    uint32
	imoChk [2]uint32
	name   string
	nameT  int64 // time of the static report name/imo came from
	dr     draughtState
	ids    identityState
	zones  []uint64 // bit set: inside Deps.Zones[i]
	// The land mask's regions of the last points looked up LandMarginKm
	// north, south, east and west of a fix on land (see inlandAt).
	margin [4]marginRegion
}

// ringSize is how many fix times a vessel keeps for the reception
// density before a gap (gap.min_positions_before is at most this).
const ringSize = 24

// ring keeps the times of the latest fixes. How many were pushed is
// kept by its owner (vstate.points, in the cache line every fix touches
// anyway).
type ring [ringSize]int64

// push adds the time of fix number n (0-based).
func (r *ring) push(n int64, t int64) { r[n%ringSize] = t }

// countSince returns how many of the kept times of n pushed are >= from
// and <= to.
func (r *ring) countSince(n int64, from, to int64) int {
	c := 0
	for i := range int(min(n, ringSize)) {
		if r[i] >= from && r[i] <= to {
			c++
		}
	}
	return c
}

// vessel returns the state of mmsi, created on first use. Every fix and
// static report asks, so a small cache (vcache) answers most of them
// before the map (a tenth of Point's time was the map's lookups).
func (e *Engine) vessel(mmsi uint32) *vstate {
	if v := e.vcache.Get(mmsi); v != nil {
		return v
	}
	v := e.vessels[mmsi]
	if v == nil {
		v = &vstate{mmsi: mmsi}
		e.vessels[mmsi] = v
	}
	e.vcache.Put(mmsi, v)
	return v
}

// Prefetch starts loading the state of vessel mmsi into the processor's
// cache, for a caller that knows the fixes to come: called vcache.Ahead
// calls before Point gets a fix of mmsi (internal/ingest does, from its
// queue), it keeps the fix from waiting for memory (see package vcache).
// The lines loaded are those a fix at sea touches: the fields up to the
// loitering hour, in vstate's order.
func (e *Engine) Prefetch(mmsi uint32) {
	if v, _ := e.vcache.Prefetch(mmsi); v != nil {
		vcache.Lines(unsafe.Pointer(v), unsafe.Offsetof(v.lo)+unsafe.Offsetof(v.lo.bFirst))
	}
}

func (e *Engine) advance(t int64) {
	if t > e.now {
		e.now = t
	}
	if e.nextSweep == math.MinInt64 {
		e.nextSweep = t + sweepStep
	}
	if e.now >= e.nextSweep {
		e.sweep(false)
	}
}

// Point takes one track point (track.Emitter).
func (e *Engine) Point(tp vessel.TrackPoint) {
	e.stats.Points++
	if !vessel.ValidPosition(tp.Lat, tp.Lon) || tp.Time.IsZero() {
		return
	}
	f := fixOf(&tp)
	v := e.vessel(tp.MMSI)
	if v.hasLast && f.t < v.last.t {
		e.stats.Late++
		if e.cfg.Gap.Enabled {
			e.gapLate(v, f)
		}
		e.advance(f.t)
		return
	}
	if !v.idChk {
		v.idChk = true
		if e.cfg.Spoofing.Enabled && e.cfg.Spoofing.CheckIDs {
			e.checkMMSI(v, f, tp.Class)
		}
	}
	speed := f.sog
	if speed != speed && v.hasLast && f.t > v.last.t {
		speed = float32(geo.KnotsBetween(distKm(v.last, f)*1000, float64(f.t-v.last.t)/1e9))
	}
	if e.cfg.Spoofing.Enabled {
		e.spoofPoint(v, f)
	}
	if e.cfg.PortVisit.Enabled && e.deps.Ports != nil {
		e.portPoint(v, f, speed)
	}
	if e.cfg.Gap.Enabled {
		e.gapPoint(v, f)
	}
	if e.cfg.Loitering.Enabled {
		e.loiterPoint(v, f, speed)
	}
	if e.cfg.Encounter.Enabled {
		e.enc.point(v, f, speed)
	}
	if e.cfg.Geofence.Enabled && len(e.deps.Zones) > 0 {
		e.geofencePoint(v, f)
	}
	if speed == speed && speed < 40 {
		v.maxSOG = max(v.maxSOG, speed)
		if speed > 3 {
			if v.cruise == 0 {
				v.cruise = speed
			} else {
				v.cruise += (speed - v.cruise) / 16
			}
		}
	}
	v.recent.push(v.points, f.t)
	v.behind = e.now != math.MinInt64 && e.now-f.t >= int64(e.cfg.Gap.OpenAfter)
	v.last, v.hasLast = f, true
	v.points++
	e.advance(f.t)
}

// Static takes a static report as read (not de-duplicated, arrival order):
// draught and the name/IMO events are labelled with.
func (e *Engine) Static(s vessel.Static) {
	e.stats.Statics++
	if s.Time.IsZero() {
		return
	}
	v := e.vessel(s.MMSI)
	t := s.Time.UnixNano()
	if t >= v.nameT {
		if s.Has&vessel.HasName != 0 {
			if n := cleanText(s.Name); n != "" {
				v.name, v.nameT = n, t
			}
		}
		if s.Has&vessel.HasIMO != 0 && s.IMO != 0 {
			v.imo, v.nameT = s.IMO, t
		}
	}
	if s.Has&vessel.HasIMO != 0 && s.IMO != 0 && e.cfg.Spoofing.Enabled && e.cfg.Spoofing.CheckIDs {
		e.checkIMO(v, s.IMO, t)
	}
	if s.Has&vessel.HasDraught != 0 && s.Draught > 0 && e.cfg.Draught.Enabled {
		e.draughtReport(v, t, float64(s.Draught))
	}
}

// Identity takes an identity batch from the tracker (track.Emitter).
func (e *Engine) Identity(id vessel.Identity, isNew bool) {
	e.stats.Identities++
	v := e.vessel(id.MMSI)
	t := id.FirstSeen.UnixNano()
	if t >= v.nameT {
		if id.Name != "" {
			v.name, v.nameT = id.Name, t
		}
		if id.IMO != 0 {
			v.imo, v.nameT = id.IMO, t
		}
	}
	if id.IMO != 0 && e.cfg.Spoofing.Enabled && e.cfg.Spoofing.CheckIDs {
		e.checkIMO(v, id.IMO, t)
	}
	if e.cfg.Identity.Enabled {
		e.identity(v, id)
	}
}

// Flush ends the input: open gaps, ongoing port visits, loitering and
// encounters are published with what is known (and revised if more data
// follows).
func (e *Engine) Flush() {
	e.sweep(true)
}

// sweep does what the passing of event time decides.
func (e *Engine) sweep(final bool) {
	e.nextSweep = e.now + sweepStep
	for _, v := range e.sortedVessels() {
		if e.cfg.Gap.Enabled {
			e.gapOpen(v, final)
		}
		if final {
			if e.cfg.PortVisit.Enabled {
				e.portFlush(v)
			}
			if e.cfg.Loitering.Enabled {
				e.loiterFlush(v)
			}
			if e.cfg.Spoofing.Enabled {
				e.spoofFlush(v)
			}
		}
		if !final && v.hasLast && e.now-v.last.t > int64(e.cfg.Idle) {
			e.evict(v)
		}
	}
	e.enc.sweep(final)
	// Forget published records nothing can revise any more. What can
	// revise an event is late data of its vessel, bounded in that
	// vessel's own time (its gap history reaches LateWindow behind its
	// newest fix), so a record is measured against its vessel's newest
	// fix, not the input's newest: a track replayed behind the clock keeps
	// its records until it has moved on itself.
	if !final {
		for k, r := range e.published {
			ref := e.now
			if v := e.vessels[r.mmsi]; v != nil && v.hasLast {
				ref = v.last.t
			}
			if r.until < ref {
				delete(e.published, k)
			}
		}
	}
}

func (e *Engine) evict(v *vstate) {
	if e.cfg.PortVisit.Enabled {
		e.portFlush(v)
	}
	if e.cfg.Loitering.Enabled {
		e.loiterFlush(v)
	}
	if e.cfg.Spoofing.Enabled {
		e.spoofFlush(v)
	}
	delete(e.vessels, v.mmsi)
	e.vcache.Forget(v.mmsi)
	e.stats.Evicted++
}

func (e *Engine) sortedVessels() []*vstate {
	vs := make([]*vstate, 0, len(e.vessels))
	for _, v := range e.vessels {
		vs = append(vs, v)
	}
	slices.SortFunc(vs, func(a, b *vstate) int { return cmp.Compare(a.mmsi, b.mmsi) })
	return vs
}

// newEvent fills the fields every event of a detector shares.
func (e *Engine) newEvent(det string, kind event.Kind, v *vstate, start, end int64) event.Event {
	ev := event.Event{Kind: kind, Start: time.Unix(0, start).UTC(), End: time.Unix(0, end).UTC(),
		Detector: det, Version: Version, Params: e.params[det], Details: map[string]any{}}
	if v != nil {
		ev.MMSI, ev.IMO, ev.Name = v.mmsi, v.imo, v.name
	}
	return ev
}

// publish emits ev unless the same content was already published under
// its Key; a change is a new Revision. keep is how long after the event's
// End it may still be revised.
func (e *Engine) publish(ev event.Event, keep time.Duration) {
	h := contentHash(&ev)
	r, ok := e.published[ev.Key]
	if ok && !r.withdrawn && r.hash == h {
		return
	}
	if ok {
		ev.Revision = r.rev + 1
		e.stats.Revisions++
	}
	cp := ev
	e.published[ev.Key] = pubRec{rev: ev.Revision, hash: h, until: ev.End.UnixNano() + int64(keep), mmsi: ev.MMSI, ev: &cp}
	e.emit(ev)
}

// withdraw re-publishes a published event as withdrawn.
func (e *Engine) withdraw(key string) {
	r, ok := e.published[key]
	if !ok || r.withdrawn {
		return
	}
	ev := *r.ev
	ev.Revision = r.rev + 1
	ev.Withdrawn = true
	r.rev, r.withdrawn = ev.Revision, true
	e.published[key] = r
	e.stats.Withdrawn++
	e.emit(ev)
}

func (e *Engine) emit(ev event.Event) {
	e.stats.Events++
	if e.deps.Emit != nil {
		e.deps.Emit(ev)
		return
	}
	e.out = append(e.out, ev)
}

// contentHash hashes what a reader sees of an event (not its revision).
func contentHash(ev *event.Event) uint64 {
	c := *ev
	c.Revision, c.Withdrawn, c.ID = 0, false, 0
	h := fnv.New64a()
	fmt.Fprintf(h, "%v", c) // fmt prints maps sorted by key
	return h.Sum64()
}

func cleanText(s string) string { return strings.Trim(s, " @") }

// label is how explanations name a vessel: "NAME (MMSI m, IMO i)",
// leaving out what is unknown.
func (v *vstate) label() string {
	id := fmt.Sprintf("MMSI %d", v.mmsi)
	if v.imo != 0 {
		id += fmt.Sprintf(", IMO %d", v.imo)
	}
	if v.name == "" {
		if v.imo == 0 {
			return id
		}
		return fmt.Sprintf("MMSI %d (IMO %d)", v.mmsi, v.imo)
	}
	return fmt.Sprintf("%s (%s)", v.name, id)
}

func hours(ns int64) float64 { return float64(ns) / float64(time.Hour) }

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

func fmtTime(t int64) string { return time.Unix(0, t).UTC().Format("2006-01-02 15:04Z") }
