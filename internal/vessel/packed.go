package vessel

import (
	"math"
	"time"
)

// Packed is a Position without its MMSI, in 48 bytes and without pointers:
// the time as Unix nanoseconds, the source as an index into a SourceTable.
// It is what holds positions in bulk on the hot path — the tracker's
// reorder buffers, the queue to the detectors — where a Position's 80
// bytes (a time.Time and a string) cost memory and cache misses.
type Packed struct {
	T                      int64 // Unix ns; math.MinInt64 for the zero time
	Lat, Lon               float64
	SOG, COG               float32
	Src                    uint32 // index into the SourceTable that packed it
	Heading                uint16
	Status, Class, MsgType uint8
}

// SourceTable interns the sources of packed positions. The zero value is
// ready to use; it is not safe for concurrent use.
type SourceTable struct {
	names []string
	idx   map[string]uint32
	last  uint32 // index of the name seen last, checked first
}

// Index returns name's index, adding it if it is new.
func (t *SourceTable) Index(name string) uint32 {
	if int(t.last) < len(t.names) && t.names[t.last] == name {
		return t.last
	}
	if len(t.names) <= 16 { // a file's few receivers: cheaper than hashing
		for i, s := range t.names {
			if s == name {
				t.last = uint32(i)
				return t.last
			}
		}
	}
	i, ok := t.idx[name]
	if !ok {
		if t.idx == nil {
			t.idx = map[string]uint32{}
		}
		i = uint32(len(t.names))
		t.names = append(t.names, name)
		t.idx[name] = i
	}
	t.last = i
	return i
}

// Reset empties the table (indexes handed out before mean nothing after).
func (t *SourceTable) Reset() {
	clear(t.names)
	t.names = t.names[:0]
	clear(t.idx)
	t.last = 0
}

// Names are the sources in index order; the caller must not modify them.
func (t *SourceTable) Names() []string { return t.names }

// Packable times are those a Packed holds: Unix nanoseconds in an int64
// reach from 1677-09-21 to 2262-04-11; the zero time is packable too.
// Anything else would wrap around silently.
func Packable(tm time.Time) bool {
	return tm.IsZero() || !tm.Before(minPackable) && !tm.After(maxPackable)
}

var minPackable, maxPackable = time.Unix(0, math.MinInt64+1), time.Unix(0, math.MaxInt64)

// Pack packs p, interning its source in t. p.Time must be Packable.
func (t *SourceTable) Pack(p *Position) Packed {
	ns := int64(math.MinInt64)
	if !p.Time.IsZero() {
		ns = p.Time.UnixNano()
	}
	return Packed{T: ns, Lat: p.Lat, Lon: p.Lon, SOG: p.SOG, COG: p.COG, Src: t.Index(p.Source),
		Heading: p.Heading, Status: p.Status, Class: uint8(p.Class), MsgType: p.MsgType}
}

// Unpack is the Position of vessel mmsi that k, packed by t, holds; its
// time is in UTC.
func (t *SourceTable) Unpack(mmsi uint32, k *Packed) Position {
	var tm time.Time
	if k.T != math.MinInt64 {
		tm = time.Unix(0, k.T).UTC()
	}
	return Position{MMSI: mmsi, Time: tm, Lat: k.Lat, Lon: k.Lon, SOG: k.SOG, COG: k.COG, Heading: k.Heading,
		Status: k.Status, Class: Class(k.Class), MsgType: k.MsgType, Source: t.names[k.Src]}
}

// PackedPoint is a TrackPoint packed: 56 bytes and no pointers.
type PackedPoint struct {
	Packed
	MMSI, Segment uint32
}

// Points is a batch of track points packed, with the table of their
// sources: how the ingest pipeline carries batches to the store and the
// detectors. Its backing array holds no pointers, so the garbage
// collector never reads it (a 500,000-point batch is 28 MB; read, every
// page of it costs a page fault where memory is first touched lazily, as
// on virtual machines), and only the pages written are ever touched. The
// zero value is an empty batch; it is not safe for concurrent use.
type Points struct {
	P       []PackedPoint
	Sources SourceTable
}

// Add appends p. p.Time must be Packable.
func (b *Points) Add(p *TrackPoint) {
	b.P = append(b.P, PackedPoint{Packed: b.Sources.Pack(&p.Position), MMSI: p.MMSI, Segment: p.Segment})
}

// AddPacked appends point k of vessel mmsi in segment seg, whose source
// is in table from.
func (b *Points) AddPacked(mmsi, seg uint32, k Packed, from *SourceTable) {
	p := PackedPoint{Packed: k, MMSI: mmsi, Segment: seg}
	p.Src = b.Sources.Index(from.names[k.Src])
	b.P = append(b.P, p)
}

// Len is the number of points.
func (b *Points) Len() int { return len(b.P) }

// At is point i unpacked; its time is in UTC.
func (b *Points) At(i int) TrackPoint {
	k := &b.P[i]
	return TrackPoint{Position: b.Sources.Unpack(k.MMSI, &k.Packed), Segment: k.Segment}
}

// Reset empties b, keeping its capacity.
func (b *Points) Reset() {
	b.P = b.P[:0]
	b.Sources.Reset()
}

// MoveTail moves the points from n on to the end of dst, whose source
// table they join, and keeps the first n in b.
func (b *Points) MoveTail(n int, dst *Points) {
	for _, k := range b.P[n:] {
		dst.AddPacked(k.MMSI, k.Segment, k.Packed, &b.Sources)
	}
	b.P = b.P[:n]
}
