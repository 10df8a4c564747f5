package track

import "github.com/lookout-maritime/lookout/internal/vessel"

// Emitter receives what a Tracker produces. The Tracker calls it
// synchronously from Add and Flush, on the caller's goroutine; values are
// passed by copy and may be kept.
type Emitter interface {
	// Point receives a position accepted into a track: de-duplicated, in
	// time order per vessel (except late fixes, see Config.Reorder), with
	// its segment number.
	Point(p vessel.TrackPoint)

	// Identity receives one batch of static reports of one identity: the
	// identity's key fields (vessel.Identity.Key), the first and last
	// report time and the number of reports of this batch only, the
	// latest destination, dimensions and class, and the source of the
	// batch's first report. Batches of one identity are disjoint: a
	// store that upserts them by (MMSI, Key()), taking the earliest
	// FirstSeen, the latest LastSeen and the sum of Reports (the rule of
	// store.IdentityWriter), rebuilds the identity history exactly.
	//
	// isNew is true for the first batch of an identity this Tracker has
	// not seen on this MMSI before (including across eviction of the
	// vessel): a rename, a new IMO or call sign, or the first identity of
	// an MMSI. It is a hint for detectors; a store must upsert every
	// batch the same way.
	Identity(id vessel.Identity, isNew bool)
}

// PackedEmitter is an Emitter that takes points as the Tracker holds
// them, packed: the ingest pipeline, which packs them again for its
// batches, would otherwise get each as a TrackPoint built only for that.
// The Tracker then calls PackedPoint instead of Point: point k of vessel
// mmsi in segment seg, its source in sources (valid during the call
// only). k goes by value: a pointer into the Tracker's state would make
// that escape to the heap, one allocation per point.
type PackedEmitter interface {
	Emitter
	PackedPoint(mmsi, seg uint32, k vessel.Packed, sources *vessel.SourceTable)
}

// IdentityEvent is one Emitter.Identity call.
type IdentityEvent struct {
	vessel.Identity
	New bool
}

// Collector is an Emitter that appends to slices, for tests and callers
// that want every point as a TrackPoint (the ingest pipeline batches them
// packed, see PackedEmitter). Reset empties it keeping the capacity.
type Collector struct {
	Points     []vessel.TrackPoint
	Identities []IdentityEvent
}

// Point implements Emitter.
func (c *Collector) Point(p vessel.TrackPoint) { c.Points = append(c.Points, p) }

// Identity implements Emitter.
func (c *Collector) Identity(id vessel.Identity, isNew bool) {
	c.Identities = append(c.Identities, IdentityEvent{id, isNew})
}

// Reset empties c, keeping its capacity.
func (c *Collector) Reset() {
	clear(c.Points)
	clear(c.Identities)
	c.Points, c.Identities = c.Points[:0], c.Identities[:0]
}
