package track

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/vessel"
)

type discard struct{ points, ids int }

func (d *discard) Point(vessel.TrackPoint)        { d.points++ }
func (d *discard) Identity(vessel.Identity, bool) { d.ids++ }

// fleet is a ring of observations: vessels report in turn every interval,
// moving at about 10 kn (up and down a meridian); every staticEvery-th report of a vessel is a
// type 5, and every dupEvery-th report is heard twice (0: never).
func fleet(vessels, rounds int, interval time.Duration, staticEvery, dupEvery int) ([]vessel.Observation, time.Duration) {
	obs := make([]vessel.Observation, 0, vessels*rounds*11/10)
	names := make([]string, vessels)
	for v := range vessels {
		names[v] = fmt.Sprintf("SHIP %d", v)
	}
	for r := range rounds {
		for v := range vessels {
			mmsi := uint32(201_000_000 + v*1009)
			tm := t0.Add(time.Duration(r)*interval + time.Duration(v)*interval/time.Duration(vessels))
			if staticEvery > 0 && r%staticEvery == v%staticEvery {
				obs = append(obs, type5(mmsi, tm, 9000000+uint32(v), names[v], "CALL", 70, "PORT"))
				continue
			}
			// Out and back, so that pass after pass the track goes on
			// without a jump.
			lat := -60 + float64(v%1200)*0.1 + float64(min(r, rounds-r))*0.0005
			lon := -179 + float64(v/1200)*0.3
			o := pos(mmsi, tm, lat, lon)
			obs = append(obs, o)
			if dupEvery > 0 && r%dupEvery == v%dupEvery {
				obs = append(obs, posFrom("rx2", o))
			}
		}
	}
	return obs, time.Duration(rounds) * interval
}

// benchFleet runs b.N observations through one Tracker, cycling through
// the ring with its times moved on by the ring's span each pass. (Moving
// the times of positions still buffered breaks Add's contract, harmlessly
// here: the Tracker orders by the time it read at Add, and discard does
// not look at what it gets.) One untimed pass warms the Tracker up, so
// that B/op and allocs/op are the steady state.
func benchFleet(b *testing.B, cfg Config, obs []vessel.Observation, span time.Duration) {
	tr := New(cfg, nil)
	var d discard
	next := func() {
		for j := range obs {
			if p := obs[j].Position; p != nil {
				p.Time = p.Time.Add(span)
			} else {
				obs[j].Static.Time = obs[j].Static.Time.Add(span)
			}
		}
	}
	for _, o := range obs {
		tr.Add(o, &d)
	}
	next()
	base := tr.Stats()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := i % len(obs)
		if k == 0 && i > 0 {
			b.StopTimer()
			next()
			b.StartTimer()
		}
		tr.Add(obs[k], &d)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "obs/s")
	tr.Flush(&d)
	s := tr.Stats()
	if s.Points+s.Statics+s.Duplicates-base.Points-base.Statics-base.Duplicates-base.Buffered != int64(b.N) {
		b.Fatalf("stats %+v after %d observations", s, b.N)
	}
}

// BenchmarkAddPositions: 10,000 vessels reporting positions every 10 s,
// in order, default Config (5 min reorder buffer).
func BenchmarkAddPositions(b *testing.B) {
	obs, span := fleet(10_000, 60, 10*time.Second, 0, 0)
	benchFleet(b, Config{}, obs, span)
}

// BenchmarkAddPositionsNoReorder: the same without the reorder buffer.
func BenchmarkAddPositionsNoReorder(b *testing.B) {
	obs, span := fleet(10_000, 60, 10*time.Second, 0, 0)
	benchFleet(b, Config{Reorder: -1}, obs, span)
}

// BenchmarkAddMixed: one report in ten a type 5, one in ten heard twice.
func BenchmarkAddMixed(b *testing.B) {
	obs, span := fleet(10_000, 60, 10*time.Second, 10, 10)
	benchFleet(b, Config{}, obs, span)
}

// TestMemoryPerVessel measures the steady-state heap per vessel (no
// observations buffered): with its identity, and after eviction.
func TestMemoryPerVessel(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates 20k vessels")
	}
	const n = 20_000
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	before := heap()
	tr := New(Config{}, nil)
	var d discard
	for v := range n {
		mmsi := uint32(273_000_000 + v)
		tr.Add(type5(mmsi, t0, 9000000+uint32(v), fmt.Sprintf("SHIP %d", v), fmt.Sprintf("UB%d", v), 70, "NOVOROSSIYSK"), &d)
		for k := range 3 {
			tr.Add(pos(mmsi, t0.Add(time.Duration(k)*time.Minute), 44+float64(v)*1e-4, 37+float64(k)*1e-3), &d)
		}
	}
	tr.Flush(&d)
	active := float64(heap()-before) / n
	// Evict them all: another vessel moves the clock past Idle.
	tr.Add(pos(201_000_001, t0.Add(25*time.Hour), 0, 1), &d)
	tr.Add(pos(201_000_001, t0.Add(26*time.Hour), 0, 1.001), &d)
	if s := tr.Stats(); s.Retired != n {
		t.Fatalf("not evicted: %+v", s)
	}
	retired := float64(heap()-before) / n
	runtime.KeepAlive(tr)
	t.Logf("heap per active vessel (identity, one open segment, strings included): %.0f B; per evicted vessel: %.0f B", active, retired)
	if active > 1024 {
		t.Errorf("%.0f B per active vessel, want under 1 KiB", active)
	}
	if retired > 256 {
		t.Errorf("%.0f B per evicted vessel, want under 256 B", retired)
	}
}
