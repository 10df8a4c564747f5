package coast

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/lookout-maritime/lookout/internal/geo"
)

func mustLoad(t testing.TB) *Mask {
	t.Helper()
	m, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestOnLandKnownPoints(t *testing.T) {
	m := mustLoad(t)
	for _, tc := range []struct {
		name     string
		lat, lon float64
		land     bool
	}{
		{"Sea of Japan", 40, 135, false},
		{"mid-Pacific", 0, -150, false},
		{"North Atlantic", 45, -30, false},
		{"Moscow", 55.75, 37.62, true},
		{"Pyongyang", 39.03, 125.75, true},
		{"Sahara", 23, 10, true},
		{"Najin town", 42.25, 130.30, true},
		{"Najin harbour basin", 42.2325, 130.30, false},
		{"Najin bay east of the port", 42.24, 130.37, false},
		{"Vladivostok Golden Horn bay", 43.110, 131.915, false},
		{"Vladivostok centre", 43.118, 131.885, true},
		{"Churkin peninsula", 43.100, 131.930, true},
		{"Fokino town", 42.97, 132.41, true},
		{"Strelok Bay off Dunay", 42.885, 132.365, false},
		{"Dunay peninsula", 42.885, 132.340, true},
		{"Vostochny, Wrangel Bay", 42.75, 133.05, false},
		{"spit at Vostochny", 42.7412, 133.04, true},
		{"Chukotka west of the antimeridian", 65.5, 178, true},
		{"Chukotka east of the antimeridian", 66, -175, true},
		{"Bering Sea at the antimeridian", 60, 180, false},
		{"Bering Sea at -180", 60, -180, false},
		{"Fiji Taveuni across the antimeridian", -16.85, -179.97, true},
		{"Pacific at lon 540", 0, 540, false},
		{"South Pole", -90, 0, true},
		{"near South Pole", -89.9, 123, true},
		{"North Pole", 90, 0, false},
		{"Arctic Ocean", 88, 45, false},
		{"Caspian Sea (a hole in Eurasia)", 42, 51, false},
		{"Greenland ice", 72, -40, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := m.OnLand(tc.lat, tc.lon); got != tc.land {
				t.Errorf("OnLand(%v, %v) = %v, want %v", tc.lat, tc.lon, got, tc.land)
			}
		})
	}
	if m.OnLand(math.NaN(), 0) || m.OnLand(0, math.Inf(1)) {
		t.Error("NaN/Inf must not be land")
	}
}

// squareIsland is a GeoJSON FeatureCollection of axis-aligned boxes.
func boxesGeoJSON(t testing.TB, boxes ...[4]float64) []byte {
	t.Helper()
	fc := geojson.NewFeatureCollection()
	for _, b := range boxes {
		fc.Append(geojson.NewFeature(orb.Polygon{{{b[0], b[1]}, {b[2], b[1]}, {b[2], b[3]}, {b[0], b[3]}, {b[0], b[1]}}}))
	}
	j, err := fc.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func buildMask(t testing.TB, gj []byte, step int) *Mask {
	t.Helper()
	a, err := BuildAsset(bytes.NewReader(gj), BuildConfig{Source: "test", FieldStep: step})
	if err != nil {
		t.Fatal(err)
	}
	m, err := LoadAsset(a, IndexConfig{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestDistanceHandComputed checks distances against values worked out by
// hand on a synthetic 1°×1° island at the equator and one split by the
// antimeridian (one degree of a great circle is 111.195 km).
func TestDistanceHandComputed(t *testing.T) {
	m := buildMask(t, boxesGeoJSON(t, [4]float64{0, 0, 1, 1}, [4]float64{179.5, 10, 180, 11}, [4]float64{-180, 10, -179.5, 11}), 1)
	deg := geo.EarthRadiusM / 1000 * math.Pi / 180
	for _, tc := range []struct {
		name           string
		lat, lon, want float64
		tol            float64
	}{
		{"inside", 0.5, 0.5, 0, 0},
		{"north of it", 1.5, 0.5, 0.5 * deg, 0.01},
		{"south of it", -0.2, 0.5, 0.2 * deg, 0.01},
		{"east of it", 0.5, 1.25, 0.25 * deg * math.Cos(0.5*math.Pi/180), 0.05},
		{"off a corner", -0.3, -0.4, geo.DistanceM(-0.3, -0.4, 0, 0) / 1000, 0.05},
		{"east across the antimeridian", 10.5, -179.0, 0.5 * deg * math.Cos(10.5*math.Pi/180), 0.1},
		{"west across the antimeridian", 10.5, 179.0, 0.5 * deg * math.Cos(10.5*math.Pi/180), 0.1},
		{"north of the seam", 11.3, 180, 0.3 * deg, 0.05},
		{"on the island over the seam", 10.5, -179.99, 0, 0},
		{"150 km out, still exact", 0.5, 1 + 150/deg, 150 * math.Cos(0.5*math.Pi/180), 0.5},
		{"beyond the exact radius: field", 5, 0.5, 4 * deg, 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := m.DistanceToShoreKm(tc.lat, tc.lon)
			if math.Abs(got-tc.want) > tc.tol {
				t.Errorf("DistanceToShoreKm(%v, %v) = %.3f, want %.3f ± %v", tc.lat, tc.lon, got, tc.want, tc.tol)
			}
		})
	}
}

// TestFieldAgainstExact compares the coarse field used beyond ExactRadiusKm
// with an exhaustive search, on the real data.
func TestFieldAgainstExact(t *testing.T) {
	m := mustLoad(t)
	rng := rand.New(rand.NewPCG(1, 2))
	checked := 0
	for checked < 25 {
		lat, lon := rng.Float64()*140-70, rng.Float64()*360-180
		if m.OnLand(lat, lon) {
			continue
		}
		if _, _, _, ok := m.ix.nearest(lat, lon, ExactRadiusKm); ok {
			continue
		}
		exact, _, _, ok := m.ix.nearest(lat, lon, 20000)
		if !ok {
			t.Fatalf("no coast at all from %v,%v", lat, lon)
		}
		got := m.DistanceToShoreKm(lat, lon)
		if math.Abs(got-exact) > 20+0.01*exact {
			t.Errorf("(%.3f, %.3f): field %.1f km, exact %.1f km", lat, lon, got, exact)
		}
		checked++
	}
}

func TestDistanceRealCoast(t *testing.T) {
	m := mustLoad(t)
	// Golden Horn bay is a few hundred metres wide.
	if d := m.DistanceToShoreKm(43.110, 131.915); d <= 0 || d > 0.6 {
		t.Errorf("Golden Horn: %.3f km from shore, want (0, 0.6]", d)
	}
	// Najin harbour basin.
	if d := m.DistanceToShoreKm(42.2325, 130.30); d <= 0 || d > 1.5 {
		t.Errorf("Najin harbour: %.3f km, want (0, 1.5]", d)
	}
	// The nearest shore point is really on the coast: land lies within
	// metres of it and water too.
	km, la, lo := m.NearestShore(40, 135)
	if km < 150 || km > 400 {
		t.Errorf("Sea of Japan 40N 135E: %.1f km from shore", km)
	}
	_ = la
	_ = lo
	km, la, lo = m.NearestShore(42.24, 130.37)
	near := func(dlat, dlon float64) bool { return m.OnLand(la+dlat, lo+dlon) }
	lands := 0
	for _, d := range [][2]float64{{1e-4, 0}, {-1e-4, 0}, {0, 1e-4}, {0, -1e-4}} {
		if near(d[0], d[1]) {
			lands++
		}
	}
	if lands == 0 || lands == 4 {
		t.Errorf("nearest shore point %v,%v (%.3f km) is not on the coastline (%d of 4 neighbours on land)", la, lo, km, lands)
	}
	if m.DistanceToShoreKm(55.75, 37.62) != 0 {
		t.Error("Moscow should be 0 km from shore (on land)")
	}
}

// TestRegionMatchesEmbedded builds an asset with the generator's code from a
// clip of the same source (testdata/region.geojson, Peter the Great Bay and
// Najin) and checks the embedded mask answers identically inside it.
func TestRegionMatchesEmbedded(t *testing.T) {
	gj, err := os.ReadFile("testdata/region.geojson")
	if err != nil {
		t.Fatal(err)
	}
	a, err := BuildAsset(bytes.NewReader(gj), BuildConfig{Source: "region", FieldStep: -1})
	if err != nil {
		t.Fatal(err)
	}
	h, _, err := readHeader(a)
	if err != nil {
		t.Fatal(err)
	}
	const golden = "testdata/region.sha256"
	if os.Getenv("UPDATE_GOLDEN") != "" {
		os.WriteFile(golden, []byte(h.BodySHA256+"\n"), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if h.BodySHA256+"\n" != string(want) {
		t.Errorf("region asset body %s, golden %s (rerun with UPDATE_GOLDEN=1 if the format changed on purpose)", h.BodySHA256, want)
	}
	region, err := LoadAsset(a, IndexConfig{})
	if err != nil {
		t.Fatal(err)
	}
	m := mustLoad(t)
	diff, n := 0, 0
	for lat := 41.52; lat < 43.48; lat += 0.0071 {
		for lon := 129.52; lon < 133.48; lon += 0.0093 {
			n++
			if region.OnLand(lat, lon) != m.OnLand(lat, lon) {
				diff++
				t.Errorf("OnLand(%.4f, %.4f) differs", lat, lon)
			}
			edge := math.Min(math.Min(lat-41.5, 43.5-lat)*111, math.Min(lon-129.5, 133.5-lon)*80)
			if d := m.DistanceToShoreKm(lat, lon); d < edge-1 {
				if rd := region.DistanceToShoreKm(lat, lon); math.Abs(rd-d) > 1e-6 {
					t.Errorf("distance at %.4f, %.4f: region %.4f, embedded %.4f", lat, lon, rd, d)
				}
			}
			if diff > 10 {
				t.Fatal("too many differences")
			}
		}
	}
	if n < 100000 {
		t.Fatalf("only %d points checked", n)
	}
}

func TestEmbeddedHeader(t *testing.T) {
	h, _, err := readHeader(embedded)
	if err != nil {
		t.Fatal(err)
	}
	m := mustLoad(t)
	if m.Header() != h {
		t.Errorf("header %+v, mask says %+v", h, m.Header())
	}
	if h.Polygons < 4000 || h.Vertices < 400000 || h.FieldStep != 4 {
		t.Errorf("embedded asset is not the 1:10m set: %+v", h)
	}
	if m2, _ := Load(); m2 != m {
		t.Error("Load built a second mask")
	}
}

func TestBadAssets(t *testing.T) {
	good, err := BuildAsset(bytes.NewReader(boxesGeoJSON(t, [4]float64{0, 0, 1, 1})), BuildConfig{FieldStep: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LoadAsset(good, IndexConfig{}); err != nil {
		t.Fatal(err)
	}
	flip := bytes.Clone(good)
	flip[len(flip)-5] ^= 0xff
	for name, b := range map[string][]byte{
		"empty":     nil,
		"magic":     append([]byte("XXXXXXXX"), good[8:]...),
		"truncated": good[:len(good)/2],
		"flipped":   flip,
	} {
		if _, err := LoadAsset(b, IndexConfig{}); !errors.Is(err, ErrBadAsset) {
			t.Errorf("%s: err %v, want ErrBadAsset", name, err)
		}
	}
	for name, gj := range map[string]string{
		"not json":    "{",
		"point":       `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{}}]}`,
		"lat too big": `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,95],[0,0]]]},"properties":{}}]}`,
	} {
		if _, err := BuildAsset(bytes.NewReader([]byte(gj)), BuildConfig{FieldStep: -1}); err == nil {
			t.Errorf("%s: BuildAsset accepted it", name)
		}
	}
}

func FuzzDecodeAsset(f *testing.F) {
	good, err := BuildAsset(bytes.NewReader(boxesGeoJSON(f, [4]float64{0, 0, 1, 1})), BuildConfig{FieldStep: -1})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:20])
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := LoadAsset(b, IndexConfig{})
		if err == nil {
			m.OnLand(0.5, 0.5)
			m.DistanceToShoreKm(2, 2)
		}
	})
}

func TestLandGeoJSON(t *testing.T) {
	m := mustLoad(t)
	for _, tc := range []struct {
		name string
		box  BBox
		tol  float64
	}{
		{"Najin", BBox{130.2, 42.1, 130.5, 42.4}, 0},
		{"Peter the Great Bay", BBox{130, 42, 134, 44}, 0.01},
		{"Bering Strait over the antimeridian", BBox{170, 60, -165, 70}, 0.05},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := m.LandGeoJSON(tc.box, tc.tol)
			if err != nil {
				t.Fatal(err)
			}
			fc, err := geojson.UnmarshalFeatureCollection(b)
			if err != nil {
				t.Fatal(err)
			}
			if len(fc.Features) != 1 {
				t.Fatalf("%d features", len(fc.Features))
			}
			mp, ok := fc.Features[0].Geometry.(orb.MultiPolygon)
			if !ok || len(mp) == 0 {
				t.Fatalf("geometry %T with %d polygons", fc.Features[0].Geometry, len(mp))
			}
			bd := mp.Bound()
			if tc.box.MinLon < tc.box.MaxLon && (bd.Min[0] < tc.box.MinLon || bd.Max[0] > tc.box.MaxLon || bd.Min[1] < tc.box.MinLat || bd.Max[1] > tc.box.MaxLat) {
				t.Errorf("bound %v outside box %+v", bd, tc.box)
			}
			var props map[string]any
			json.Unmarshal(b, &struct {
				Features []struct{ Properties *map[string]any }
			}{[]struct{ Properties *map[string]any }{{&props}}})
		})
	}
	// Simplification shrinks the output.
	full, _ := m.LandGeoJSON(BBox{130, 42, 134, 44}, 0)
	simple, _ := m.LandGeoJSON(BBox{130, 42, 134, 44}, 0.02)
	if len(simple)*2 > len(full) {
		t.Errorf("tolerance 0.02 gave %d bytes, unsimplified %d", len(simple), len(full))
	}
	for _, bad := range []BBox{{0, 10, 1, 5}, {math.NaN(), 0, 1, 1}, {0, -91, 1, 1}, {0, 0, 181, 1}} {
		if _, err := m.LandGeoJSON(bad, 0); !errors.Is(err, ErrBadBBox) {
			t.Errorf("%+v: err %v, want ErrBadBBox", bad, err)
		}
	}
}

var sink float64

func benchPoints(m *Mask, n int, lat0, lat1, lon0, lon1 float64) [][2]float64 {
	rng := rand.New(rand.NewPCG(7, 8))
	pts := make([][2]float64, n)
	for i := range pts {
		pts[i] = [2]float64{lat0 + rng.Float64()*(lat1-lat0), lon0 + rng.Float64()*(lon1-lon0)}
	}
	return pts
}

func BenchmarkOnLandWorld(b *testing.B) {
	m := mustLoad(b)
	pts := benchPoints(m, 4096, -80, 80, -180, 180)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := pts[i&4095]
		if m.OnLand(p[0], p[1]) {
			sink++
		}
	}
}

func BenchmarkOnLandCoastal(b *testing.B) {
	m := mustLoad(b)
	pts := benchPoints(m, 4096, 42.1, 43.2, 130.2, 133.2) // Najin to Vostochny
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := pts[i&4095]
		if m.OnLand(p[0], p[1]) {
			sink++
		}
	}
}

func BenchmarkDistanceCoastal(b *testing.B) {
	m := mustLoad(b)
	pts := benchPoints(m, 4096, 42.1, 43.2, 130.2, 133.2)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := pts[i&4095]
		sink += m.DistanceToShoreKm(p[0], p[1])
	}
}

func BenchmarkDistanceWorld(b *testing.B) {
	m := mustLoad(b)
	pts := benchPoints(m, 4096, -80, 80, -180, 180)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := pts[i&4095]
		sink += m.DistanceToShoreKm(p[0], p[1])
	}
}

func BenchmarkLoad(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := LoadAsset(embedded, IndexConfig{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestWaterBox: an open-water cell Cell returns holds its query point and
// no land anywhere, edges included (random points, the corners, the last
// representable values below the upper edges), on the real data.
func TestWaterBox(t *testing.T) {
	m := mustLoad(t)
	waterBox := func(lat, lon float64) (BBox, bool) {
		land, r, ok := m.Cell(lat, lon)
		return r.Box, ok && r.Uniform && !land
	}
	if _, ok := waterBox(48.85, 2.35); ok { // Paris
		t.Error("water box on land: ok")
	}
	if b, ok := waterBox(30.5, -40.5); !ok || b != (BBox{MinLon: -41, MinLat: 30, MaxLon: -40, MaxLat: 31}) {
		t.Errorf("mid-Atlantic: %+v %v, want the whole 1° block", b, ok)
	}
	if _, ok := waterBox(math.NaN(), 0); ok {
		t.Error("NaN: ok")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	boxes, small := 0, 0
	for range 4000 {
		// Half the queries near coasts, where cells are small.
		lat, lon := rng.Float64()*160-80, rng.Float64()*360-180
		if rng.IntN(2) == 0 {
			lat, lon = 42.3+rng.Float64()*0.4, 130.2+rng.Float64()*0.4 // Rason / Tumen estuary
		}
		b, ok := waterBox(lat, lon)
		if !ok {
			continue
		}
		boxes++
		if b.MaxLat-b.MinLat < 0.1 {
			small++
		}
		if lat < b.MinLat || lat >= b.MaxLat || lon < b.MinLon || lon >= b.MaxLon {
			t.Fatalf("(%v, %v) outside its box %+v", lat, lon, b)
		}
		below := func(x float64) float64 { return math.Nextafter(x, math.Inf(-1)) }
		probes := [][2]float64{{b.MinLat, b.MinLon}, {below(b.MaxLat), b.MinLon}, {b.MinLat, below(b.MaxLon)},
			{below(b.MaxLat), below(b.MaxLon)}}
		for range 8 {
			probes = append(probes, [2]float64{b.MinLat + rng.Float64()*(b.MaxLat-b.MinLat), b.MinLon + rng.Float64()*(b.MaxLon-b.MinLon)})
		}
		for _, p := range probes {
			if m.OnLand(p[0], p[1]) {
				t.Fatalf("box %+v of (%v, %v) holds land at (%v, %v)", b, lat, lon, p[0], p[1])
			}
		}
	}
	if boxes < 1000 || small == 0 {
		t.Errorf("%d boxes, %d of them small: the test did not reach coasts and open sea", boxes, small)
	}
}

// TestCell: Cell agrees with OnLand for its point, and every point of the
// region it returns has the same answer — a uniform cell's edges included,
// and points of a coastal cell near the edge of its disc — on land, at sea
// and along coasts.
func TestCell(t *testing.T) {
	m := mustLoad(t)
	rng := rand.New(rand.NewPCG(7, 8))
	kinds := map[string]int{}
	below := func(x float64) float64 { return math.Nextafter(x, math.Inf(-1)) }
	for range 6000 {
		lat, lon := rng.Float64()*160-80, rng.Float64()*360-180
		if rng.IntN(2) == 0 {
			lat, lon = 54.5+rng.Float64()*3, 9.5+rng.Float64()*3.5 // Denmark and its straits
		}
		land, r, ok := m.Cell(lat, lon)
		if land != m.OnLand(lat, lon) {
			t.Fatalf("Cell(%v, %v) land = %v, OnLand says otherwise", lat, lon, land)
		}
		if !ok {
			kinds["none"]++
			continue
		}
		if !r.Contains(lat, lon) {
			t.Fatalf("(%v, %v) outside its region %+v", lat, lon, r)
		}
		b := r.Box
		var probes [][2]float64
		if r.Uniform {
			kinds[map[bool]string{true: "land", false: "water"}[land]]++
			probes = [][2]float64{{b.MinLat, b.MinLon}, {below(b.MaxLat), b.MinLon}, {b.MinLat, below(b.MaxLon)},
				{below(b.MaxLat), below(b.MaxLon)}}
			for range 6 {
				probes = append(probes, [2]float64{b.MinLat + rng.Float64()*(b.MaxLat-b.MinLat), b.MinLon + rng.Float64()*(b.MaxLon-b.MinLon)})
			}
		} else {
			kinds["coastal "+map[bool]string{true: "land", false: "water"}[land]]++
			for range 12 {
				// Near the rim of the disc, where a mistake would show.
				a, d := rng.Float64()*2*math.Pi, r.R*(0.9+0.0999*rng.Float64())
				probes = append(probes, [2]float64{lat + d*math.Sin(a), lon + d*math.Cos(a)})
			}
		}
		for _, p := range probes {
			if r.Contains(p[0], p[1]) && m.OnLand(p[0], p[1]) != land {
				t.Fatalf("region %+v of (%v, %v), land=%v, has a point (%v, %v) of the other kind", r, lat, lon, land, p[0], p[1])
			}
		}
	}
	for _, k := range []string{"land", "water", "coastal land", "coastal water"} {
		if kinds[k] < 50 {
			t.Errorf("regions met: %v; the test did not reach all kinds", kinds)
			break
		}
	}
}
