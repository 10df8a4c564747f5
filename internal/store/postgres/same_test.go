package postgres

import (
	"context"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/store/duckdb"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// gen makes a deterministic AIS-like data set: vessels wandering around
// places that stress proximity queries (both sides of the antimeridian,
// near both poles, the equator at 0°, Najin), over three months.
func gen(seed uint64, vessels, perVessel int) []vessel.TrackPoint {
	rng := rand.New(rand.NewPCG(seed, 99))
	centres := [][2]float64{{0, 179.95}, {0, -179.95}, {65, 179.99}, {-70, -179.9}, {89.95, 10}, {-89.9, -100}, {0.01, 0.01}, {42.25, 130.3}}
	t0 := time.Date(2023, 9, 20, 0, 0, 0, 0, time.UTC)
	var pts []vessel.TrackPoint
	for v := 0; v < vessels; v++ {
		mmsi := uint32(273000000 + v*13)
		c := centres[v%len(centres)]
		lat := c[0] + rng.NormFloat64()*0.05
		lon := c[1] + rng.NormFloat64()*0.05
		t := t0.Add(time.Duration(rng.IntN(3600)) * time.Second)
		for i := 0; i < perVessel; i++ {
			lat = math.Max(-90, math.Min(90, lat+rng.NormFloat64()*0.02))
			lon += rng.NormFloat64() * 0.02
			lon = math.Mod(lon+540, 360) - 180
			t = t.Add(time.Duration(1+rng.IntN(4*3600)) * time.Second).Add(time.Duration(rng.IntN(1e6)) * time.Microsecond)
			p := vessel.TrackPoint{Position: vessel.Position{MMSI: mmsi, Time: t, Lat: math.Round(lat*1e6) / 1e6, Lon: math.Round(lon*1e6) / 1e6,
				SOG: float32(rng.IntN(200)) / 10, COG: float32(rng.IntN(3600)) / 10, Heading: uint16(rng.IntN(360)), Status: uint8(rng.IntN(16)),
				Class: vessel.ClassA, MsgType: 1, Source: []string{"rx-a", "rx-b", "file.nmea"}[rng.IntN(3)]}, Segment: uint32(1 + i/50)}
			switch rng.IntN(10) {
			case 0:
				p.SOG, p.COG, p.Heading = vessel.NA, vessel.NA, 511
			case 1:
				p.Class, p.MsgType = vessel.ClassB, 18
			}
			pts = append(pts, p)
		}
	}
	rng.Shuffle(len(pts), func(i, j int) { pts[i], pts[j] = pts[j], pts[i] })
	return pts
}

// TestSameAsDuckDB loads the same data, with overlapping batches, into
// both backends and asks both the same questions: Track, Near, vessel
// listings and stats must answer alike, distances to the last bit.
func TestSameAsDuckDB(t *testing.T) {
	ctx := context.Background()
	pg := openTest(t, newSchema(t))
	dd, err := duckdb.Open(ctx, duckdb.Config{Path: filepath.Join(t.TempDir(), "same.duckdb"), MemoryLimit: "1GB", Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer dd.Close()
	pts := gen(1, 64, 300)
	// Batches overlap: every point is loaded twice, some three times.
	batches := [][]vessel.TrackPoint{pts[:8000], pts[6000:14000], pts[12000:], pts[:500]}
	for i, b := range batches {
		a, err := pg.AddPositions(ctx, 0, b)
		if err != nil {
			t.Fatal(err)
		}
		d, err := dd.AddPositions(ctx, 0, b)
		if err != nil {
			t.Fatal(err)
		}
		if a != d {
			t.Fatalf("batch %d: postgres %+v, duckdb %+v", i, a, d)
		}
	}
	rng := rand.New(rand.NewPCG(5, 5))
	var ids []vessel.Identity
	for v := 0; v < 64; v += 3 {
		first := time.Date(2023, 9, 20, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.IntN(1000)) * time.Hour)
		ids = append(ids, vessel.Identity{MMSI: uint32(273000000 + v*13), IMO: uint32(9000000 + v), Name: "SHIP " + string(rune('A'+v%26)),
			CallSign: "C" + string(rune('A'+v%26)), ShipType: 70, Length: 120, Beam: 20, Flag: "RU", Class: vessel.ClassA,
			FirstSeen: first, LastSeen: first.Add(48 * time.Hour), Reports: 4, Source: "rx-a", Destination: "NAJIN"})
	}
	for _, s := range []store.Store{pg, dd} {
		if err := s.UpsertIdentities(ctx, ids); err != nil {
			t.Fatal(err)
		}
	}

	ps, err := pg.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := dd.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ps.SchemaVersion, ds.SchemaVersion = 0, 0
	if ps != ds || ps.Positions != int64(len(pts)) {
		t.Fatalf("stats: postgres %+v, duckdb %+v (%d points generated)", ps, ds, len(pts))
	}
	for _, order := range []store.VesselOrder{store.ByMMSI, store.ByPositions, store.ByLastSeen} {
		a, err := pg.Vessels(ctx, store.VesselQuery{Order: order})
		if err != nil {
			t.Fatal(err)
		}
		d, err := dd.Vessels(ctx, store.VesselQuery{Order: order})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, d) {
			t.Fatalf("vessels by %d differ:\npostgres %+v\nduckdb   %+v", order, a, d)
		}
	}

	// Tracks: whole, and random windows.
	for v := 0; v < 64; v++ {
		m := uint32(273000000 + v*13)
		from := time.Date(2023, 10, 1+rng.IntN(40), rng.IntN(24), 0, 0, 0, time.UTC)
		for _, w := range [][2]time.Time{{}, {from, from.Add(time.Duration(1+rng.IntN(500)) * time.Hour)}} {
			a, err := pg.Track(ctx, m, w[0], w[1])
			if err != nil {
				t.Fatal(err)
			}
			d, err := dd.Track(ctx, m, w[0], w[1])
			if err != nil {
				t.Fatal(err)
			}
			if len(a) != len(d) {
				t.Fatalf("track %d %v: postgres %d points, duckdb %d", m, w, len(a), len(d))
			}
			for i := range a {
				if !samePoint(a[i], d[i]) {
					t.Fatalf("track %d point %d:\npostgres %+v\nduckdb   %+v", m, i, a[i], d[i])
				}
			}
		}
	}

	// Near: the data's centres and random ones, several radii and windows.
	type q = store.NearQuery
	var queries []q
	for _, c := range [][2]float64{{0, 180}, {0, -180}, {0, 179.95}, {65, -179.99}, {-70, 179.95}, {90, 0}, {89.95, -170}, {-90, 0}, {-89.9, 80}, {0, 0}, {42.25, 130.3}} {
		for _, r := range []float64{0.5, 3, 12, 60, 400} {
			queries = append(queries, q{Lat: c[0], Lon: c[1], RadiusKm: r})
		}
	}
	for i := 0; i < 60; i++ {
		from := time.Date(2023, 9, 20+rng.IntN(60), 0, 0, 0, 0, time.UTC)
		queries = append(queries, q{Lat: -90 + 180*rng.Float64(), Lon: -180 + 360*rng.Float64(), RadiusKm: math.Pow(10, 4*rng.Float64()),
			From: from, To: from.Add(time.Duration(rng.IntN(2000)) * time.Hour)})
	}
	queries = append(queries, q{Lat: 10, Lon: 10, RadiusKm: math.Pi * store.EarthRadiusKm}) // the whole Earth
	var hits int
	for _, nq := range queries {
		a, err := pg.Near(ctx, nq)
		if err != nil {
			t.Fatal(err)
		}
		d, err := dd.Near(ctx, nq)
		if err != nil {
			t.Fatal(err)
		}
		hits += len(a)
		if !reflect.DeepEqual(a, d) {
			t.Errorf("near %+v:\npostgres %+v\nduckdb   %+v", nq, a, d)
		}
	}
	t.Logf("%d Near queries, %d hits, all equal", len(queries), hits)
	if hits < 200 {
		t.Fatalf("only %d hits over %d queries: the comparison proves little", hits, len(queries))
	}
}

// samePoint compares points treating NaN speeds and courses as equal.
func samePoint(a, b vessel.TrackPoint) bool {
	eqf := func(x, y float32) bool { return x == y || (x != x && y != y) }
	return a.MMSI == b.MMSI && a.Time.Equal(b.Time) && a.Lat == b.Lat && a.Lon == b.Lon && eqf(a.SOG, b.SOG) && eqf(a.COG, b.COG) &&
		a.Heading == b.Heading && a.Status == b.Status && a.Class == b.Class && a.MsgType == b.MsgType && a.Source == b.Source &&
		a.Segment == b.Segment
}
