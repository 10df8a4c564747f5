// Package track keeps per-vessel streaming state: it turns observations,
// in arrival order, into de-duplicated, time-ordered, segmented track
// points and into identity history.
//
// # Pipeline, per vessel (MMSI)
//
//  1. De-duplication: a report heard by several receivers (same MMSI,
//     event times within Config.Duplicate, same content) is kept once.
//  2. Reordering: observations wait in a small per-vessel buffer and are
//     released in event-time order once Config.Reorder has passed (in the
//     vessel's own event time, or the input's for a vessel that fell
//     silent), or sooner when more than Config.ReorderDepth wait (the
//     oldest first). Flush releases everything at the end of input. An
//     observation older than one already released is "late": it is never
//     dropped but processed at once and counted. Input sorted by MMSI
//     then time (some CSV exports) is in order per vessel and fine; input
//     whose files are concatenated out of time order makes late data.
//  3. Segmentation of positions, after gpsdio-segment (Global Fishing
//     Watch): each MMSI has up to Config.MaxSegments open segments, each
//     remembered by its last fix. A fix joins the open segment it is
//     plausible for — at most Config.MaxGap after it and either within
//     Config.Noise of it or reachable at no more than Config.MaxSpeed —
//     choosing, among the plausible ones, the one with the smallest
//     time × distance (gpsdio-segment's metric). If none is plausible a
//     new segment opens. Two ships sharing an MMSI thus become two
//     interleaved segments instead of a zig-zag, a teleport starts a new
//     segment that the next fix near the old position does not join, and a
//     day's silence starts a new segment. Segment numbers start at 1 per
//     MMSI, count up, and depend only on the input and the Config.
//     (gpsdio-segment compares a fix with the best segment by that metric
//     only; here a fix impossible for the nearest segment may still join
//     another plausible one.)
//  4. Identity from static reports: see below.
//
// # Identity
//
// An identity is the key fields IMO, name, call sign and ship type under
// the MMSI's flag (vessel.FlagOf: the MID's country, constant per MMSI, so
// a re-flag shows as a new MMSI with the same IMO or name). A static
// report's placeholder values — IMO 0, an empty name or call sign
// (after trimming spaces and '@'), ship type 0 — are treated as absent: they
// neither change nor blank a known value. A report starts a new identity
// when it changes a known key field to another value (a rename, a new IMO,
// call sign or ship type); key fields the new report lacks carry over from
// the previous identity (a type 24 part A rename keeps the call sign),
// except that fields the report carries as placeholders are cleared (a
// type 5 of a different ship with IMO 0 does not inherit the old IMO).
// A report that only fills in a key field still unknown (a part B's call
// sign after a part A's name) completes the current identity while that
// identity has not been reported yet; an identity is reported once it has
// name, call sign and ship type (from one report or from both halves of a
// type 24) or after Config.IdentityGrace. A fill-in after that is a new
// identity (its Key differs). A report with no key value at all starts no
// identity. A late static report (see Reordering) counts for the current
// identity if it matches it and is otherwise emitted as a one-report
// identity of its own, leaving the current one as it is.
//
// Destination, dimensions (length, beam) and class are not part of the
// key: destinations change per voyage, and transponder reference points
// are often mis-set or missing, so they update the current identity (latest
// non-empty value) without starting a new one (vessel.Identity.Key
// excludes them, and the store keeps their latest value). Draught and ETA
// are not kept: vessel.Identity has no field for them.
//
// Identities are emitted in batches (see Emitter.Identity) when an
// identity is first reported, when it is superseded, when its oldest
// unreported confirmation is Config.IdentityRefresh old, when the vessel is
// evicted, and at Flush.
//
// # Memory
//
// State per active vessel is a 128-byte struct, its open segments (40
// bytes each, usually one) and, once it has sent static data, its identity
// (224 bytes plus its name and call sign): about 470 bytes of heap per
// vessel with an identity, map entry included (measured by
// TestMemoryPerVessel). Its reorder buffer holds at most
// Config.ReorderDepth observations of 56 bytes (a position's fields
// inline; a static report points to the Tracker's copy, recycled on
// release), in a ring that is allocated once: 448 bytes at the default
// depth of 8, about 850 bytes per vessel in all on the benchmark corpus
// (BenchmarkTrackStatePerVessel in internal/ingest). A vessel with
// nothing added for Config.Idle of event time is evicted down to a record
// of about 200 bytes (next segment number, last identity key and
// dimensions), kept for the Tracker's lifetime so that numbering and
// identity continue when the MMSI reappears.
//
// A Tracker is not safe for concurrent use; partition by MMSI to scale out.
package track

import (
	"cmp"
	"log/slog"
	"math"
	"slices"
	"time"
	"unsafe"

	"github.com/lookout-maritime/lookout/internal/geo"
	"github.com/lookout-maritime/lookout/internal/vcache"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// Stats counts what a Tracker did. Every observation passed to Add ends in
// exactly one of Invalid, Duplicates, Points, Statics or Buffered:
// Observations = Invalid + Duplicates + Points + Statics + Buffered.
type Stats struct {
	Observations int64 // observations passed to Add
	Invalid      int64 // dropped: no position or static, an invalid position, or no time
	Duplicates   int64 // dropped: a copy of a report already taken (Config.Duplicate)
	Points       int64 // track points emitted
	Statics      int64 // static reports applied to identity history
	Buffered     int64 // observations waiting in reorder buffers now
	Late         int64 // observations (points or statics) accepted after a later one of their vessel was released
	Segments     int64 // segments started
	NewIdentity  int64 // identity batches emitted with isNew
	IdentityUpd  int64 // identity batches emitted without isNew
	Evictions    int64 // vessels evicted after Config.Idle
	Vessels      int   // vessels tracked now
	Retired      int   // evicted vessels remembered now
}

// entry is an observation waiting in a reorder buffer: a position packed
// inline (the MMSI is the buffer's vessel's, the source interned in
// Tracker.sources), or a static report, which is rare and kept as the
// Tracker's own copy (see keep). 56 bytes. pos.T is the event time of
// either kind.
type entry struct {
	pos vessel.Packed
	st  *vessel.Static // nil for a position
}

type vesselState struct {
	mmsi    uint32
	nextSeg uint32 // number the next segment gets
	pending bool   // in Tracker.pending
	maxT    int64  // newest event time added
	lastAdd int64  // Stats.Observations when it was last added to
	idDue   int64  // event time from which id has something to emit (id.dueAt)
	relT    int64  // event time of the newest released observation
	buf     ring   // observations waiting, in event-time order
	segs    []segment
	lastStT int64  // event time of the newest released static report
	lastStH uint64 // and its staticHash, for de-duplication
	id      *identity
}

// retired is what is kept of an evicted vessel.
type retired struct {
	nextSeg      uint32
	class        vessel.Class
	length, beam uint16
	hasID        bool
	key          keyFields
	keyHash      uint64 // of key if it was reported
}

// Tracker is the streaming per-vessel state. Create it with New.
type Tracker struct {
	cfg Config
	log *slog.Logger

	reorder, dup, maxGap, idle, grace, refresh int64   // ns; reorder/dup < 0: off
	maxSpeed                                   float64 // metres per ns
	noise                                      float64 // metres
	havNoise                                   float64 // geo.HavOf(noise)

	vessels   map[uint32]*vesselState
	vcache    vcache.Cache[vesselState] // in front of vessels
	retired   map[uint32]retired
	pending   []*vesselState // vessels with a non-empty buffer
	now       int64          // newest event time of the input
	nextSweep int64
	nextMaint int64
	maintObs  int64 // Stats.Observations at the previous maintenance
	sweepStep int64
	maintStep int64
	stats     Stats

	// Copies of buffered static reports are recycled once released, so
	// that buffering allocates nothing in the steady state (see keep).
	freeSt []*vessel.Static

	// Sources of buffered positions, interned: a feed or file name is
	// shared by all of its observations.
	sources vessel.SourceTable
}

// maxFree bounds the recycled copies kept: in the steady state releases
// and new copies alternate and a few suffice; a burst of releases (a sweep,
// evictions) leaves the rest to the garbage collector.
const maxFree = 4096

const never = math.MinInt64

// New returns a Tracker; zero fields of cfg take their defaults. A nil
// logger discards.
func New(cfg Config, logger *slog.Logger) *Tracker {
	cfg = cfg.withDefaults()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	t := &Tracker{
		cfg:      cfg,
		log:      logger,
		reorder:  int64(cfg.Reorder),
		dup:      int64(cfg.Duplicate),
		maxGap:   int64(cfg.MaxGap),
		idle:     int64(cfg.Idle),
		grace:    int64(cfg.IdentityGrace),
		refresh:  int64(cfg.IdentityRefresh),
		maxSpeed: cfg.MaxSpeed * 1852 / 3600 / 1e9,
		noise:    cfg.Noise,
		havNoise: geo.HavOf(cfg.Noise),
		vessels:  map[uint32]*vesselState{},
		vcache:   vcache.New[vesselState](),
		retired:  map[uint32]retired{},
		now:      never,
	}
	t.sweepStep = max(t.reorder/4, int64(time.Second))
	t.maintStep = max(min(t.grace, t.idle/4, t.refresh/2), int64(time.Minute))
	return t
}

// Config returns the configuration in force, defaults filled in.
func (t *Tracker) Config() Config { return t.cfg }

// Stats returns the counters so far.
func (t *Tracker) Stats() Stats {
	s := t.stats
	s.Vessels, s.Retired = len(t.vessels), len(t.retired)
	return s
}

// Add takes one observation in arrival order and emits what it releases.
// The Tracker copies what it keeps (until release: at most Config.Reorder
// of event time, or until Flush), so the caller may reuse obs.Position and
// obs.Static once Add returns.
func (t *Tracker) Add(obs vessel.Observation, emit Emitter) {
	t.stats.Observations++
	var e entry
	var mmsi uint32
	switch {
	case obs.Position != nil:
		p := obs.Position
		if p.Time.IsZero() || !vessel.Packable(p.Time) || !vessel.ValidPosition(p.Lat, p.Lon) {
			t.stats.Invalid++
			return
		}
		e = entry{pos: t.sources.Pack(p)}
		mmsi = p.MMSI
	case obs.Static != nil:
		if obs.Static.Time.IsZero() || !vessel.Packable(obs.Static.Time) {
			t.stats.Invalid++
			return
		}
		e = entry{pos: vessel.Packed{T: obs.Static.Time.UnixNano()}, st: obs.Static}
		mmsi = obs.Static.MMSI
	default:
		t.stats.Invalid++
		return
	}
	v := t.vcache.Get(mmsi)
	if v == nil {
		if v = t.vessels[mmsi]; v == nil {
			v = t.newVessel(mmsi)
		}
		t.vcache.Put(mmsi, v)
	}
	if e.pos.T > t.now {
		t.now = e.pos.T
	}
	if e.pos.T > v.maxT {
		v.maxT = e.pos.T
	}
	v.lastAdd = t.stats.Observations
	if e.pos.T < v.relT {
		// Late: a later observation of this vessel is already out.
		if t.dupReleased(v, e) || t.dupBuffered(v, e) {
			t.stats.Duplicates++
			return
		}
		t.stats.Late++
		t.process(v, e, true, emit)
	} else {
		if t.dupReleased(v, e) || !t.insert(v, e, emit) {
			t.stats.Duplicates++
			return
		}
		if t.reorder < 0 {
			t.release(v, math.MaxInt64, emit)
		} else {
			t.release(v, v.maxT-t.reorder, emit)
			if v.buf.len() > 0 && !v.pending {
				v.pending = true
				t.pending = append(t.pending, v)
			}
		}
	}
	if t.now >= t.nextSweep {
		t.sweep(emit)
	}
	if t.now >= t.nextMaint {
		t.maintain(emit)
	}
}

// Prefetch starts loading the state of vessel mmsi into the processor's
// cache, for a caller that knows the observations to come: called
// vcache.Ahead calls before Add gets one of mmsi (internal/ingest does,
// from its read-ahead chunk), it keeps the observation from waiting for
// memory (see package vcache). A vessel's state is its vesselState, then
// what that points to: the reorder buffer around its newest and oldest
// entries (an in-order observation is compared with the newest and, with
// the buffer at its depth, releases the oldest) and the open segments.
func (t *Tracker) Prefetch(mmsi uint32) {
	v, d := t.vcache.Prefetch(mmsi)
	if v != nil {
		vcache.Lines(unsafe.Pointer(v), unsafe.Sizeof(*v))
	}
	if d != nil {
		q := &d.buf
		if q.n > 0 {
			vcache.Lines(unsafe.Pointer(q.at(q.n-1)), unsafe.Sizeof(entry{}))
			vcache.Lines(unsafe.Pointer(q.at(0)), unsafe.Sizeof(entry{}))
		}
		if len(d.segs) > 0 {
			vcache.Lines(unsafe.Pointer(&d.segs[0]), uintptr(len(d.segs))*unsafe.Sizeof(segment{}))
		}
	}
}

// Flush releases every buffered observation and emits every identity
// batch not yet emitted, at the end of input. The Tracker stays usable:
// observations added afterwards that are older than what was released
// count as late.
func (t *Tracker) Flush(emit Emitter) {
	for _, v := range t.pending {
		t.release(v, math.MaxInt64, emit)
		v.pending = false
		v.buf.reset(0)
	}
	clear(t.pending)
	t.pending = t.pending[:0]
	t.freeSt = nil // the input is over
	for _, v := range t.sortedVessels(nil) {
		if v.id != nil {
			v.id.emitPending(t, v.mmsi, emit)
			v.idDue = v.id.dueAt(t)
		}
	}
}

func (t *Tracker) newVessel(mmsi uint32) *vesselState {
	v := &vesselState{mmsi: mmsi, nextSeg: 1, maxT: never, relT: never, idDue: math.MaxInt64}
	if r, ok := t.retired[mmsi]; ok {
		v.nextSeg = r.nextSeg
		if r.hasID {
			v.id = newIdentity(mmsi) // not active: nothing due
			v.id.key = r.key
			v.id.length, v.id.beam, v.id.class = r.length, r.beam, r.class
			if r.keyHash != 0 {
				v.id.addKnown(r.keyHash)
			}
		}
		delete(t.retired, mmsi)
	}
	t.vessels[mmsi] = v
	return v
}

// insert puts e into v's buffer in time order (after equal times), unless
// a copy of it is already there; it reports whether e was taken. A buffer
// at ReorderDepth first releases its oldest observation — e itself, when e
// is older than everything waiting.
func (t *Tracker) insert(v *vesselState, e entry, emit Emitter) bool {
	q := &v.buf
	i := q.len()
	for i > 0 && q.at(i-1).pos.T > e.pos.T {
		i--
	}
	if t.dup >= 0 {
		// Copies within the window sit on either side of i.
		for j := i; j < q.len() && q.at(j).pos.T-e.pos.T <= t.dup; j++ {
			if same(q.at(j), &e) {
				return false
			}
		}
		for j := i - 1; j >= 0 && e.pos.T-q.at(j).pos.T <= t.dup; j-- {
			if same(q.at(j), &e) {
				return false
			}
		}
	}
	depth := t.cfg.ReorderDepth
	if depth > 0 && q.len() >= depth {
		if i == 0 {
			t.process(v, e, false, emit)
			return true
		}
		old := q.pop()
		t.stats.Buffered--
		t.process(v, old, false, emit)
		t.recycle(&old)
		i--
	}
	t.keep(&e)
	q.insert(i, e, depth)
	t.stats.Buffered++
	return true
}

// position is the Position a buffer entry of v holds.
func (t *Tracker) position(v *vesselState, e *entry) vessel.Position {
	return t.sources.Unpack(v.mmsi, &e.pos)
}

// keep makes a static entry's report the Tracker's own copy, from the
// recycled ones when there are; positions are held inline.
func (t *Tracker) keep(e *entry) {
	if e.st == nil {
		return
	}
	var c *vessel.Static
	if n := len(t.freeSt); n > 0 {
		c = t.freeSt[n-1]
		t.freeSt = t.freeSt[:n-1]
	} else {
		c = new(vessel.Static)
	}
	*c = *e.st
	e.st = c
}

// recycle takes back the copy a released entry held: nothing refers to it
// any more (emitters get values, not pointers).
func (t *Tracker) recycle(e *entry) {
	if e.st != nil && len(t.freeSt) < maxFree {
		*e.st = vessel.Static{} // drop its strings
		t.freeSt = append(t.freeSt, e.st)
	}
}

// dupBuffered reports whether a copy of e waits in v's buffer.
func (t *Tracker) dupBuffered(v *vesselState, e entry) bool {
	if t.dup < 0 {
		return false
	}
	q := &v.buf
	for j := 0; j < q.len() && q.at(j).pos.T-e.pos.T <= t.dup; j++ {
		if abs(q.at(j).pos.T-e.pos.T) <= t.dup && same(q.at(j), &e) {
			return true
		}
	}
	return false
}

// dupReleased reports whether e copies a report already released: the
// last fix of an open segment or the last static report.
func (t *Tracker) dupReleased(v *vesselState, e entry) bool {
	if t.dup < 0 {
		return false
	}
	if e.st == nil {
		for i := range v.segs {
			s := &v.segs[i]
			if abs(s.t-e.pos.T) <= t.dup && s.lat == e.pos.Lat && s.lon == e.pos.Lon {
				return true
			}
		}
		return false
	}
	return v.lastStH != 0 && abs(v.lastStT-e.pos.T) <= t.dup && staticHash(e.st) == v.lastStH
}

// staticHash is FNV-1a over the content sameStatic compares; never 0.
func staticHash(s *vessel.Static) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	num := func(x uint64) {
		for range 8 {
			h = (h ^ (x & 0xff)) * prime
			x >>= 8
		}
	}
	str := func(x string) {
		for i := 0; i < len(x); i++ {
			h = (h ^ uint64(x[i])) * prime
		}
		h = (h ^ 0xff) * prime
	}
	num(uint64(s.MsgType)<<56 | uint64(s.Has)<<40 | uint64(s.ShipType)<<32 | uint64(s.IMO))
	num(uint64(s.ToBow)<<48 | uint64(s.ToStern)<<32 | uint64(s.ToPort)<<16 | uint64(s.ToStarboard))
	num(uint64(math.Float32bits(s.Draught)))
	str(s.Name)
	str(s.CallSign)
	str(s.Destination)
	str(s.ETA)
	if h == 0 {
		h = 1
	}
	return h
}

func same(a, b *entry) bool {
	if a.st == nil && b.st == nil {
		return samePosition(a, b)
	}
	if a.st != nil && b.st != nil {
		return sameStatic(a.st, b.st)
	}
	return false
}

func samePosition(a, b *entry) bool {
	p, q := &a.pos, &b.pos
	return p.Lat == q.Lat && p.Lon == q.Lon && sameFloat(p.SOG, q.SOG) && sameFloat(p.COG, q.COG) &&
		p.Heading == q.Heading && p.Status == q.Status && p.MsgType == q.MsgType
}

func sameFloat(a, b float32) bool { return a == b || (a != a && b != b) }

func sameStatic(a, b *vessel.Static) bool {
	return a.MsgType == b.MsgType && a.Has == b.Has && a.IMO == b.IMO && a.Name == b.Name &&
		a.CallSign == b.CallSign && a.ShipType == b.ShipType && a.ToBow == b.ToBow &&
		a.ToStern == b.ToStern && a.ToPort == b.ToPort && a.ToStarboard == b.ToStarboard &&
		sameFloat(a.Draught, b.Draught) && a.Destination == b.Destination && a.ETA == b.ETA
}

// release processes v's buffered observations up to cutoff, in time order.
func (t *Tracker) release(v *vesselState, cutoff int64, emit Emitter) {
	q := &v.buf
	for q.len() > 0 && q.at(0).pos.T <= cutoff {
		e := q.pop()
		t.stats.Buffered--
		t.process(v, e, false, emit)
		t.recycle(&e)
	}
}

// process applies one released (or late) observation.
func (t *Tracker) process(v *vesselState, e entry, late bool, emit Emitter) {
	if e.st == nil {
		seg := t.assign(v, &e.pos, late)
		t.stats.Points++
		if pe, ok := emit.(PackedEmitter); ok {
			pe.PackedPoint(v.mmsi, seg, e.pos, &t.sources)
		} else {
			emit.Point(vessel.TrackPoint{Position: t.position(v, &e), Segment: seg})
		}
	} else {
		t.stats.Statics++
		if v.id == nil {
			v.id = newIdentity(v.mmsi)
		}
		if late {
			v.id.late(t, v.mmsi, e.st, emit)
		} else {
			v.id.apply(t, v.mmsi, e.st, e.pos.T, emit)
			v.lastStT, v.lastStH = e.pos.T, staticHash(e.st)
		}
		v.idDue = v.id.dueAt(t)
	}
	if e.pos.T > v.relT {
		v.relT = e.pos.T
	}
	if !late && e.pos.T >= v.idDue {
		t.tick(v, emit)
	}
}

// tick lets v's identity emit what is due.
func (t *Tracker) tick(v *vesselState, emit Emitter) {
	v.id.emitPending(t, v.mmsi, emit)
	v.idDue = v.id.dueAt(t)
}

// sweep releases what the input's event time has moved past, for vessels
// that fell silent with observations still buffered.
func (t *Tracker) sweep(emit Emitter) {
	t.nextSweep = t.now + t.sweepStep
	cutoff := t.now - t.reorder
	keep := t.pending[:0]
	for _, v := range t.pending {
		t.release(v, cutoff, emit)
		if v.buf.len() > 0 {
			keep = append(keep, v)
			continue
		}
		v.pending = false
		v.buf.reset(64) // a burst (no depth bound) is over: do not hold its storage
	}
	clear(t.pending[len(keep):])
	t.pending = keep
}

// maintain evicts idle vessels and reports identities whose grace or
// refresh time has passed for vessels that have gone quiet.
//
// A vessel is idle when its newest event time is Idle behind the input's
// and nothing was added to it since the previous maintenance: the second
// condition keeps an input sorted by MMSI (whose later vessels start in
// the past of the earlier ones' last fixes) from evicting the vessel being
// read.
func (t *Tracker) maintain(emit Emitter) {
	t.nextMaint = t.now + t.maintStep
	var idle []*vesselState
	for _, v := range t.vessels {
		if v.maxT < t.now-t.idle && v.lastAdd <= t.maintObs {
			idle = append(idle, v)
		}
	}
	t.maintObs = t.stats.Observations
	slices.SortFunc(idle, func(a, b *vesselState) int { return cmp.Compare(a.mmsi, b.mmsi) })
	for _, v := range idle {
		t.evict(v, emit)
	}
	for _, v := range t.sortedVessels(func(v *vesselState) bool { return t.now >= v.idDue }) {
		t.tick(v, emit)
	}
	if len(idle) > 0 {
		t.log.Debug("track: evicted idle vessels", "evicted", len(idle), "vessels", len(t.vessels),
			"retired", len(t.retired), "event_time", time.Unix(0, t.now).UTC())
	}
}

// sortedVessels returns the vessels (that keep returns true for, if keep
// is not nil) in MMSI order, so that output order does not depend on map
// iteration.
func (t *Tracker) sortedVessels(keep func(*vesselState) bool) []*vesselState {
	var vs []*vesselState
	for _, v := range t.vessels {
		if keep == nil || keep(v) {
			vs = append(vs, v)
		}
	}
	slices.SortFunc(vs, func(a, b *vesselState) int { return cmp.Compare(a.mmsi, b.mmsi) })
	return vs
}

func (t *Tracker) evict(v *vesselState, emit Emitter) {
	if v.buf.len() > 0 {
		t.release(v, math.MaxInt64, emit)
	}
	if v.pending {
		i := slices.Index(t.pending, v)
		t.pending = slices.Delete(t.pending, i, i+1)
		v.pending = false
	}
	r := retired{nextSeg: v.nextSeg}
	if id := v.id; id != nil {
		id.emitPending(t, v.mmsi, emit)
		r.hasID, r.key, r.class, r.length, r.beam = true, id.key, id.class, id.length, id.beam
		if id.active {
			r.keyHash = id.key.hash() // reported by emitPending
		} else if id.nknown > 0 {
			r.keyHash = id.known[0]
		}
	}
	t.retired[v.mmsi] = r
	delete(t.vessels, v.mmsi)
	t.vcache.Forget(v.mmsi)
	t.stats.Evictions++
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
