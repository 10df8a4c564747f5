package duckdb

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/vessel"
)

func BenchmarkPrepare(b *testing.B) {
	buf := make([]vessel.TrackPoint, 1<<20)
	newSynth(5000, time.Minute).next(buf)
	var pts vessel.Points
	for i := range buf {
		pts.Add(&buf[i])
	}
	var sc scratch
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := prepare(&pts, &sc); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(buf))/b.Elapsed().Seconds(), "pos/s")
}

// TestSlotTable: the table numbers MMSIs as a map would, through growth
// and reuse, MMSI 0 and the largest included.
func TestSlotTable(t *testing.T) {
	var tab slotTable
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 3 {
		tab.reset()
		want := map[uint32]int32{}
		mmsis := []uint32{0, math.MaxUint32, 273000000, 273001000, 273002000}
		for range 20000 + round*10000 {
			mmsis = append(mmsis, rng.Uint32N(1_000_000_000))
			if rng.IntN(4) == 0 {
				mmsis = append(mmsis, 273000000+1000*rng.Uint32N(5000)) // low bits alike
			}
		}
		for pass := range 2 {
			for _, m := range mmsis {
				next := int32(len(want))
				got := tab.get(m, next)
				w, ok := want[m]
				if !ok {
					if pass > 0 {
						t.Fatalf("round %d: %d unknown on the second pass", round, m)
					}
					want[m], w = next, next
				}
				if got != w {
					t.Fatalf("round %d pass %d: mmsi %d slot %d, want %d", round, pass, m, got, w)
				}
			}
		}
		if tab.n != len(want) {
			t.Errorf("round %d: %d entries, want %d", round, tab.n, len(want))
		}
	}
}
