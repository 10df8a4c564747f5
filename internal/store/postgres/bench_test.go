package postgres

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// synth generates an AIS-like stream in time order: vessels ships moving
// at ~12 knots around the world, one fix every interval each, in rounds
// (as an ingest of time-ordered files delivers them).
type synth struct {
	vessels  int
	interval time.Duration
	start    time.Time
	lat, lon []float64
	hdg      []float64
	round    int
	rng      *rand.Rand
}

func newSynth(vessels int, interval time.Duration) *synth {
	s := &synth{vessels: vessels, interval: interval, start: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), rng: rand.New(rand.NewPCG(1, 1))}
	for i := 0; i < vessels; i++ {
		s.lat = append(s.lat, -60+120*s.rng.Float64())
		s.lon = append(s.lon, -180+360*s.rng.Float64())
		s.hdg = append(s.hdg, 2*math.Pi*s.rng.Float64())
	}
	return s
}

func synthMMSI(i int) uint32 { return uint32(200000000 + i*7) }

// next returns the next n fixes.
func (s *synth) next(n int) []vessel.TrackPoint {
	buf := make([]vessel.TrackPoint, n)
	for i := range buf {
		v := i % s.vessels
		if v == 0 && i > 0 {
			s.round++
		}
		t := s.start.Add(time.Duration(s.round)*s.interval + time.Duration(v)*s.interval/time.Duration(s.vessels))
		d := 0.2 / 60 * s.interval.Minutes() // 12 knots
		s.hdg[v] += (s.rng.Float64() - 0.5) * 0.2
		s.lat[v] = math.Max(-80, math.Min(80, s.lat[v]+d*math.Cos(s.hdg[v])))
		s.lon[v] = math.Mod(s.lon[v]+d*math.Sin(s.hdg[v])+540, 360) - 180
		buf[i] = vessel.TrackPoint{Position: vessel.Position{MMSI: synthMMSI(v), Time: t,
			Lat: math.Round(s.lat[v]*1e6) / 1e6, Lon: math.Round(s.lon[v]*1e6) / 1e6, SOG: 12, COG: float32(s.hdg[v] * 180 / math.Pi),
			Heading: 511, Class: vessel.ClassA, MsgType: 1, Source: "synthetic.nmea"}, Segment: 1}
	}
	s.round++
	return buf
}

// BenchmarkLoad loads b.N new positions in batches of 100,000 into a
// fresh schema, then loads them all again (every one a duplicate).
func BenchmarkLoad(b *testing.B) {
	const batch = 100_000
	ctx := context.Background()
	s := openTest(b, newSchema(b))
	gen := newSynth(5000, time.Minute)
	var batches [][]vessel.TrackPoint
	for left := b.N; left > 0; left -= batch {
		batches = append(batches, gen.next(min(left, batch)))
	}
	b.ResetTimer()
	start := time.Now()
	for _, buf := range batches {
		if _, err := s.AddPositions(ctx, 0, buf); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "new-pos/s")
	start = time.Now()
	for _, buf := range batches {
		st, err := s.AddPositions(ctx, 0, buf)
		if err != nil {
			b.Fatal(err)
		}
		if st.Added != 0 {
			b.Fatalf("reload added %d", st.Added)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "dup-pos/s")
}

// queryStore is a store of LOOKOUT_PG_BENCH_POSITIONS positions (default
// 1,000,000): 2,000 vessels reporting every 10 minutes, so a vessel's
// track is positions/2000 points over positions/2000 × 10 minutes.
var queryStore struct {
	once sync.Once
	s    *Store
	n    int
	err  error
}

func benchStore(b *testing.B) (*Store, int) {
	b.Helper()
	testDatabase(b)
	queryStore.once.Do(func() {
		n, _ := strconv.Atoi(os.Getenv("LOOKOUT_PG_BENCH_POSITIONS"))
		if n <= 0 {
			n = 1_000_000
		}
		schema := "bench_" + strconv.Itoa(n)
		ctx := context.Background()
		s, err := Open(ctx, Config{URL: testDatabase(b), Schema: schema})
		if err != nil {
			queryStore.err = err
			return
		}
		st, err := s.Stats(ctx)
		if err != nil {
			queryStore.err = err
			return
		}
		// The schema is kept between runs: loading is the slow part.
		if st.Positions != int64(n) {
			gen := newSynth(2000, 10*time.Minute)
			for left := n - int(st.Positions); left > 0; left -= 200_000 {
				if _, err := s.AddPositions(ctx, 0, gen.next(min(left, 200_000))); err != nil {
					queryStore.err = err
					return
				}
			}
			if _, err := s.pool.Exec(ctx, `ANALYZE`); err != nil {
				queryStore.err = err
				return
			}
		}
		queryStore.s, queryStore.n = s, n
	})
	if queryStore.err != nil {
		b.Fatal(queryStore.err)
	}
	return queryStore.s, queryStore.n
}

// BenchmarkTrack reads one vessel's whole track, and one day of it.
func BenchmarkTrack(b *testing.B) {
	s, n := benchStore(b)
	ctx := context.Background()
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	span := time.Duration(n/2000) * 10 * time.Minute
	for _, c := range []struct {
		name     string
		from, to time.Time
	}{{"all", time.Time{}, time.Time{}}, {"day", start.Add(span / 2), start.Add(span/2 + 24*time.Hour)}} {
		b.Run(c.name, func(b *testing.B) {
			var pts int
			for i := 0; b.Loop(); i++ {
				tr, err := s.Track(ctx, synthMMSI(i%2000), c.from, c.to)
				if err != nil {
					b.Fatal(err)
				}
				pts += len(tr)
			}
			b.ReportMetric(float64(pts)/float64(b.N), "points/op")
		})
	}
}

// BenchmarkNear asks who was within 10 km of a vessel's position over a
// day, and within 100 km over the whole time range.
func BenchmarkNear(b *testing.B) {
	s, n := benchStore(b)
	ctx := context.Background()
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	span := time.Duration(n/2000) * 10 * time.Minute
	for _, c := range []struct {
		name     string
		r        float64
		from, to time.Time
	}{{"10km-day", 10, start.Add(span / 2), start.Add(span/2 + 24*time.Hour)}, {"100km-all", 100, time.Time{}, time.Time{}}} {
		b.Run(c.name, func(b *testing.B) {
			// Centres: where vessels were half-way through the data.
			var centres [][2]float64
			for v := 0; v < 50; v++ {
				tr, err := s.Track(ctx, synthMMSI(v*40), start.Add(span/2), start.Add(span/2+time.Hour))
				if err != nil || len(tr) == 0 {
					b.Fatalf("track: %d points %v", len(tr), err)
				}
				centres = append(centres, [2]float64{tr[0].Lat, tr[0].Lon})
			}
			var hits int
			for i := 0; b.Loop(); i++ {
				c0 := centres[i%len(centres)]
				h, err := s.Near(ctx, store.NearQuery{Lat: c0[0], Lon: c0[1], RadiusKm: c.r, From: c.from, To: c.to})
				if err != nil {
					b.Fatal(err)
				}
				hits += len(h)
			}
			b.ReportMetric(float64(hits)/float64(b.N), "hits/op")
		})
	}
}
