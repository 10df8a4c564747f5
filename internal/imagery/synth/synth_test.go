package synth

import (
	"bytes"
	"math"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/imagery/geotiff"
)

func TestSARStatistics(t *testing.T) {
	pix, land, err := SAR(SARConfig{W: 400, H: 300, Looks: 4, Mean: 50, Seed: 1, Land: func(c, r int) bool { return c >= 300 }})
	if err != nil {
		t.Fatal(err)
	}
	var s, s2, n float64
	for i, v := range pix {
		if !land[i] {
			s += float64(v)
			s2 += float64(v) * float64(v)
			n++
		}
	}
	mean := s / n
	enl := mean * mean / (s2/n - mean*mean) // equivalent number of looks
	if math.Abs(mean-50) > 1 || math.Abs(enl-4) > 0.2 {
		t.Errorf("sea mean %.2f ENL %.2f, want 50 and 4", mean, enl)
	}
	if _, _, err := SAR(SARConfig{W: 0, H: 10}); err == nil {
		t.Error("empty scene accepted")
	}
}

func TestWriteSARScene(t *testing.T) {
	when := time.Date(2023, 10, 21, 21, 14, 3, 0, time.UTC)
	var buf bytes.Buffer
	g, ships, err := WriteSARScene(&buf, GeoScene{CentreLat: 42.25, CentreLon: 130.30, W: 300, H: 200, Seed: 2, Acquired: when,
		Ships: []GeoShip{{Lat: 42.25, Lon: 130.30, LengthM: 120, HeadingDeg: 90}}})
	if err != nil {
		t.Fatal(err)
	}
	if g.EPSG != 32652 || len(ships) != 1 || math.Abs(ships[0].Col-150) > 0.6 || math.Abs(ships[0].Row-100) > 0.6 || ships[0].LengthPx != 12 {
		t.Fatalf("%d %+v", g.EPSG, ships)
	}
	// Grid convergence east of zone 52's central meridian (129°E): true
	// north lies about Δλ·sin φ = 1.3°·0.67 ≈ 0.9° west of grid north, so
	// a ship heading due east points at about 89.1° in the grid.
	if a := ships[0].AxisDeg; a > 90 || a < 88.5 {
		t.Errorf("axis %v", a)
	}
	in, err := geotiff.ReadInfo(bytes.NewReader(buf.Bytes()), int64(buf.Len()), geotiff.Limits{})
	if err != nil || in.Geo == nil || in.Geo.GeoTransform != g.GeoTransform || !in.DateTime.Equal(when) {
		t.Fatalf("%v %+v", err, in)
	}
	lon, lat := in.Geo.LonLat(ships[0].Col, ships[0].Row)
	if math.Abs(lat-42.25) > 1e-9 || math.Abs(lon-130.30) > 1e-9 {
		t.Errorf("ship at %v,%v", lat, lon)
	}
}
