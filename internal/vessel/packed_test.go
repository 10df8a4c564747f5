package vessel

import (
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"
)

// Packing and unpacking give the Position back field for field: times in
// UTC to the nanosecond, the zero time, NaN speeds, every class, and
// sources past the table's linear scan; a Reset table starts over.
func TestPackRoundTrip(t *testing.T) {
	var tab SourceTable
	t0 := time.Date(2023, 11, 1, 12, 0, 0, 123456789, time.UTC)
	nan := float32(math.NaN())
	for i := range 200 {
		p := Position{MMSI: 273000000 + uint32(i), Time: t0.Add(time.Duration(i) * time.Millisecond), Lat: 42.1 + float64(i)*1e-7,
			Lon: -179.99, SOG: float32(i) / 10, COG: 359.9, Heading: uint16(i % 512), Status: uint8(i % 16), Class: Class(i % 3),
			MsgType: uint8(i % 28), Source: fmt.Sprintf("rx-%d", i%40)}
		if i%50 == 1 {
			p.SOG, p.COG = nan, nan
		}
		if i%50 == 2 {
			p.Time = time.Time{}
		}
		k := tab.Pack(&p)
		got := tab.Unpack(p.MMSI, &k)
		same := math.Float32bits(got.SOG) == math.Float32bits(p.SOG) && math.Float32bits(got.COG) == math.Float32bits(p.COG)
		got.SOG, got.COG, p.SOG, p.COG = 0, 0, 0, 0
		if !same || !reflect.DeepEqual(got, p) {
			t.Fatalf("%d: packed %+v, unpacked %+v", i, p, got)
		}
	}
	if n := tab.Index("rx-39"); n != 39 {
		t.Errorf("rx-39 at %d, want 39 (first seen 40th)", n)
	}
	tab.Reset()
	if n := tab.Index("new"); n != 0 {
		t.Errorf("after Reset, the first name got %d", n)
	}
}

// A batch gives back what was added; MoveTail leaves the head in place
// and the tail, sources re-interned, behind what the other batch holds.
func TestPointsMoveTail(t *testing.T) {
	t0 := time.Date(2023, 9, 20, 6, 0, 0, 0, time.UTC)
	var a, b Points
	var want []TrackPoint
	for i := range 10 {
		p := TrackPoint{Position: Position{MMSI: 273_000_000 + uint32(i%3), Time: t0.Add(time.Duration(i) * time.Second),
			Lat: 42.7, Lon: 130.4, SOG: 9, COG: 90, Heading: 511, Class: ClassA, MsgType: 1,
			Source: fmt.Sprintf("rx-%d", i%4)}, Segment: uint32(i)}
		a.Add(&p)
		want = append(want, p)
	}
	b.Add(&TrackPoint{Position: Position{MMSI: 1, Time: t0, Source: "rx-3"}})
	a.MoveTail(6, &b)
	if a.Len() != 6 || b.Len() != 5 {
		t.Fatalf("lengths %d and %d after moving 4, want 6 and 5", a.Len(), b.Len())
	}
	for i := range 6 {
		if got := a.At(i); !reflect.DeepEqual(got, want[i]) {
			t.Errorf("head %d: %+v, want %+v", i, got, want[i])
		}
	}
	for i := range 4 {
		if got := b.At(1 + i); !reflect.DeepEqual(got, want[6+i]) {
			t.Errorf("tail %d: %+v, want %+v", i, got, want[6+i])
		}
	}
	// Points 6-9 came from rx-2, rx-3, rx-0, rx-1; b had rx-3 already.
	if got := b.Sources.Names(); !reflect.DeepEqual(got, []string{"rx-3", "rx-2", "rx-0", "rx-1"}) {
		t.Errorf("moved-to sources %q, want rx-3 (its own), rx-2, rx-0, rx-1", got)
	}
	a.Reset()
	if a.Len() != 0 || len(a.Sources.Names()) != 0 {
		t.Errorf("Reset left %d points, %d sources", a.Len(), len(a.Sources.Names()))
	}
}

// Packable bounds are those of int64 nanoseconds; outside them Pack
// would wrap around.
func TestPackable(t *testing.T) {
	for _, c := range []struct {
		t    time.Time
		want bool
	}{
		{time.Time{}, true},
		{time.Date(2023, 11, 1, 0, 0, 0, 0, time.UTC), true},
		{time.Date(1677, 9, 22, 0, 0, 0, 0, time.UTC), true},
		{time.Date(2262, 4, 10, 0, 0, 0, 0, time.UTC), true},
		{time.Date(1677, 9, 20, 0, 0, 0, 0, time.UTC), false},
		{time.Date(2262, 4, 12, 0, 0, 0, 0, time.UTC), false},
		{time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), false},
	} {
		if got := Packable(c.t); got != c.want {
			t.Errorf("Packable(%v) = %v, want %v", c.t, got, c.want)
		}
	}
}

// AddPacked gives each point its own source whichever table it comes
// from, alternating tables and sources, and after a Reset.
func TestPointsAddPacked(t *testing.T) {
	var a, b SourceTable
	for _, n := range []string{"rx-0", "rx-1", "rx-2"} {
		a.Index(n)
	}
	for _, n := range []string{"rx-2", "rx-9"} {
		b.Index(n)
	}
	var pts Points
	type add struct {
		from *SourceTable
		src  uint32
		want string
	}
	adds := []add{{&a, 1, "rx-1"}, {&a, 0, "rx-0"}, {&b, 1, "rx-9"}, {&a, 2, "rx-2"}, {&b, 0, "rx-2"}, {&a, 1, "rx-1"}, {&b, 1, "rx-9"}}
	for round := range 2 {
		for i, c := range adds {
			pts.AddPacked(uint32(i), 1, Packed{T: int64(i), Src: c.src}, c.from)
		}
		for i, c := range adds {
			if got := pts.At(i).Source; got != c.want {
				t.Errorf("round %d, point %d: source %q, want %q", round, i, got, c.want)
			}
		}
		if n := len(pts.Sources.Names()); n != 4+round {
			t.Errorf("round %d: %d sources in the batch, want %d", round, n, 4+round)
		}
		pts.Reset()
		pts.Sources.Index("taken first") // the next round's indexes differ
	}
}
