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
