package duckdb

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/store"

	"github.com/lookout-maritime/lookout/internal/vessel"
)

// synth generates a deterministic AIS-like stream: vessels ships moving
// around the world, one fix every interval each, batch by batch in time
// order (as an ingest of time-ordered files delivers them). It is what
// the load benchmark and the latency measurement use.
type synth struct {
	vessels  int
	interval time.Duration
	start    time.Time
	lat, lon []float64
	hdg      []float64
	step     int // fixes emitted per vessel so far
	rng      *rand.Rand
}

func newSynth(vessels int, interval time.Duration) *synth {
	s := &synth{vessels: vessels, interval: interval, start: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		rng: rand.New(rand.NewPCG(1, 1))}
	for i := 0; i < vessels; i++ {
		s.lat = append(s.lat, -60+120*s.rng.Float64())
		s.lon = append(s.lon, -180+360*s.rng.Float64())
		s.hdg = append(s.hdg, 2*math.Pi*s.rng.Float64())
	}
	return s
}

func mmsiOf(i int) uint32 { return uint32(200000000 + i*7) }

// next fills buf with the next len(buf) fixes (whole rounds of all
// vessels, so the time order holds across batches).
func (s *synth) next(buf []vessel.TrackPoint) {
	for i := range buf {
		v := i % s.vessels
		if v == 0 && i > 0 {
			s.step++
		}
		t := s.start.Add(time.Duration(s.step)*s.interval + time.Duration(v)*s.interval/time.Duration(s.vessels))
		// ~12 knots: 0.0033° per minute.
		d := 0.0033 * s.interval.Minutes()
		s.hdg[v] += (s.rng.Float64() - 0.5) * 0.2
		s.lat[v] = math.Max(-80, math.Min(80, s.lat[v]+d*math.Cos(s.hdg[v])))
		lon := s.lon[v] + d*math.Sin(s.hdg[v])
		if lon > 180 {
			lon -= 360
		} else if lon < -180 {
			lon += 360
		}
		s.lon[v] = lon
		buf[i] = vessel.TrackPoint{Position: vessel.Position{
			MMSI: mmsiOf(v), Time: t, Lat: math.Round(s.lat[v]*1e6) / 1e6, Lon: math.Round(s.lon[v]*1e6) / 1e6,
			SOG: 12, COG: float32(s.hdg[v] * 180 / math.Pi), Heading: 511, Status: 0, Class: vessel.ClassA, MsgType: 1,
			Source: "synthetic.nmea",
		}, Segment: 1}
	}
	s.step++
}

// BenchmarkLoad loads b.N positions in batches of 1M into a fresh store,
// then loads them all again (every one a duplicate).
func BenchmarkLoad(b *testing.B) {
	const batch = 1 << 20
	ctx := context.Background()
	s, err := Open(ctx, Config{Path: filepath.Join(b.TempDir(), "bench.duckdb")})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	gen := newSynth(5000, time.Minute)
	var batches [][]vessel.TrackPoint
	for left := b.N; left > 0; left -= batch {
		buf := make([]vessel.TrackPoint, min(left, batch))
		gen.next(buf)
		batches = append(batches, buf)
	}
	b.ResetTimer()
	start := time.Now()
	for _, buf := range batches {
		if _, err := s.AddPositions(ctx, 0, buf); err != nil {
			b.Fatal(err)
		}
	}
	first := time.Since(start)
	b.ReportMetric(float64(b.N)/first.Seconds(), "new-pos/s")
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

// TestScale measures load rate and query latencies on a large store. It
// runs only when LOOKOUT_STORE_SCALE gives the number of positions (e.g.
// 20000000); LOOKOUT_STORE_SCALE_PATH keeps the file for later runs.
// 2,000 vessels report over one year, so a vessel's track for the year is
// rows/2000 points and a 4-month window holds a third of the rows.
func TestScale(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("LOOKOUT_STORE_SCALE"))
	if n == 0 {
		t.Skip("set LOOKOUT_STORE_SCALE=<positions> to run")
	}
	ctx := context.Background()
	path := os.Getenv("LOOKOUT_STORE_SCALE_PATH")
	if path == "" {
		path = filepath.Join(t.TempDir(), "scale.duckdb")
	}
	const vessels = 2000
	s, err := Open(ctx, Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st, _ := s.Stats(ctx)
	if st.Positions < int64(n) {
		year := 365 * 24 * time.Hour
		gen := newSynth(vessels, year/time.Duration(n/vessels))
		buf := make([]vessel.TrackPoint, 1<<20)
		start := time.Now()
		var gen0 time.Duration
		for left := n; left > 0; left -= len(buf) {
			g := time.Now()
			b := buf[:min(left, len(buf))]
			gen.next(b)
			gen0 += time.Since(g)
			if _, err := s.AddPositions(ctx, 0, b); err != nil {
				t.Fatal(err)
			}
		}
		load := time.Since(start) - gen0
		t.Logf("loaded %d positions in %v: %.0f positions/s (generation excluded)", n, load.Round(time.Millisecond), float64(n)/load.Seconds())
		c := time.Now()
		if err := s.Compact(ctx); err != nil {
			t.Fatal(err)
		}
		t.Logf("compact: %v", time.Since(c).Round(time.Millisecond))
	}
	st, _ = s.Stats(ctx)
	t.Logf("store: %+v", st)
	if fi, err := os.Stat(path); err == nil {
		t.Logf("file: %.1f MB", float64(fi.Size())/1e6)
	}
	y0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var tracks []time.Duration
	for i := 0; i < 20; i++ {
		q := time.Now()
		pts, err := s.Track(ctx, mmsiOf(i*97%vessels), y0, y0.AddDate(1, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		tracks = append(tracks, time.Since(q))
		if i == 0 {
			t.Logf("track: %d points", len(pts))
		}
	}
	var nears []time.Duration
	for i := 0; i < 10; i++ {
		// Centres on the tracks of vessels, four months around mid-year.
		tr, _ := s.Track(ctx, mmsiOf(i*131%vessels), y0.AddDate(0, 6, 0), y0.AddDate(0, 6, 7))
		if len(tr) == 0 {
			continue
		}
		c := tr[0]
		q := time.Now()
		hits, err := s.Near(ctx, store.NearQuery{Lat: c.Lat, Lon: c.Lon, RadiusKm: 10, From: y0.AddDate(0, 4, 0), To: y0.AddDate(0, 8, 0)})
		if err != nil {
			t.Fatal(err)
		}
		nears = append(nears, time.Since(q))
		if len(hits) == 0 {
			t.Errorf("near its own position, vessel %d not found", c.MMSI)
		}
	}
	t.Logf("warm track (one vessel, one year): %s", latencies(tracks))
	t.Logf("warm near (10 km, 4 months): %s", latencies(nears))
	// Cold: a fresh open per query, as a CLI invocation does (the OS page
	// cache stays warm).
	s.Close()
	tracks, nears = nil, nil
	for i := 0; i < 10; i++ {
		ro, err := Open(ctx, Config{Path: path, ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		q := time.Now()
		if _, err := ro.Track(ctx, mmsiOf((i*211+5)%vessels), y0, y0.AddDate(1, 0, 0)); err != nil {
			t.Fatal(err)
		}
		tracks = append(tracks, time.Since(q))
		ro.Close()
		ro, err = Open(ctx, Config{Path: path, ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		q = time.Now()
		if _, err := ro.Near(ctx, store.NearQuery{Lat: -50 + float64(i)*10, Lon: -170 + float64(i)*35, RadiusKm: 10,
			From: y0.AddDate(0, 4, 0), To: y0.AddDate(0, 8, 0)}); err != nil {
			t.Fatal(err)
		}
		nears = append(nears, time.Since(q))
		ro.Close()
	}
	t.Logf("cold track (one vessel, one year): %s", latencies(tracks))
	t.Logf("cold near (10 km, 4 months): %s", latencies(nears))
}

func latencies(ds []time.Duration) string {
	slices.Sort(ds)
	if len(ds) == 0 {
		return "none"
	}
	return fmt.Sprintf("min %v, median %v, max %v (%d queries)", ds[0].Round(100*time.Microsecond),
		ds[len(ds)/2].Round(100*time.Microsecond), ds[len(ds)-1].Round(100*time.Microsecond), len(ds))
}

// BenchmarkTrack50k reads one vessel's year (50,000 fixes, as in the
// 100-million-position measurement) from a small store: the cost of
// turning rows into track points, which dominates a track query once the
// zone maps have found the vessel's row groups.
func BenchmarkTrack50k(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, Config{Path: filepath.Join(b.TempDir(), "bench.duckdb")})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	gen := newSynth(20, 365*24*time.Hour/50_000)
	buf := make([]vessel.TrackPoint, 20*50_000)
	gen.next(buf)
	if _, err := s.AddPositions(ctx, 0, buf); err != nil {
		b.Fatal(err)
	}
	if err := s.Compact(ctx); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		pts, err := s.Track(ctx, mmsiOf(7), time.Time{}, time.Time{})
		if err != nil || len(pts) != 50_000 {
			b.Fatalf("%d points, %v", len(pts), err)
		}
	}
}

// BenchmarkUpsertIdentities: the identity batch an ingest writes with each
// position batch, in the steady state: 2,000 identities of 3,000 vessels,
// nine in ten already stored (their last seen and report counts move on).
func BenchmarkUpsertIdentities(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, Config{Path: filepath.Join(b.TempDir(), "bench.duckdb")})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	ident := func(v, gen int, at time.Time) vessel.Identity {
		return vessel.Identity{MMSI: mmsiOf(v), IMO: 9000000 + uint32(v), Name: fmt.Sprintf("SHIP %d/%d", v, gen),
			CallSign: fmt.Sprintf("C%d", v), ShipType: 70, Length: 100, Beam: 20, Flag: "PA", Class: vessel.ClassA,
			FirstSeen: at, LastSeen: at.Add(time.Minute), Reports: 3, Source: "bench.nmea", Destination: "ROTTERDAM"}
	}
	var ids []vessel.Identity
	for v := range 3000 {
		ids = append(ids, ident(v, 0, t0), ident(v, 1, t0.Add(time.Hour)))
	}
	if err := s.UpsertIdentities(ctx, ids); err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		at := t0.Add(time.Duration(2+i) * time.Hour)
		ids = ids[:0]
		for k := range 2000 {
			v := (i*2000 + k) % 3000
			gen := 1
			if k%10 == 0 {
				gen = 2 + i // a rename: a new identity
			}
			ids = append(ids, ident(v, gen, at))
		}
		if err := s.UpsertIdentities(ctx, ids); err != nil {
			b.Fatal(err)
		}
	}
}
