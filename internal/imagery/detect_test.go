package imagery

import (
	"math"
	"testing"

	"github.com/lookout-maritime/lookout/internal/imagery/cfar"
	"github.com/lookout-maritime/lookout/internal/imagery/geotiff"
	"github.com/lookout-maritime/lookout/internal/imagery/proj"
)

// TestLandRaster: sampling per block and refining where the samples
// disagree gives the same mask as asking for every pixel, with far fewer
// calls, for a winding coast.
func TestLandRaster(t *testing.T) {
	g := &geotiff.Georef{EPSG: 32652, GeoTransform: [6]float64{600000, 10, 0, 4690000, 0, -10}}
	g.Proj, _ = proj.ForEPSG(32652)
	const W, H = 700, 500
	calls := 0
	coast := LandFunc(func(lat, lon float64) bool {
		calls++
		x, y := g.Proj.FromLonLat(lon, lat)
		return x > 604000+500*math.Sin((y-4687000)/400) // a bay every 2.5 km
	})
	m := LandRaster(coast, g, W, H, 16)
	blockCalls := calls
	calls = 0
	diff := 0
	for y := 0; y < H; y++ {
		for x := 0; x < W; x++ {
			lon, lat := g.LonLat(float64(x)+0.5, float64(y)+0.5)
			if coast.OnLand(lat, lon) != m.Get(x, y) {
				diff++
			}
		}
	}
	if diff != 0 {
		t.Errorf("%d pixels differ from per-pixel sampling", diff)
	}
	if blockCalls > W*H/3 {
		t.Errorf("%d calls for %d pixels", blockCalls, W*H)
	}
	t.Logf("%d land pixels, %d OnLand calls for %d pixels", m.Count(), blockCalls, W*H)
}

func TestDilate(t *testing.T) {
	m := cfar.NewMask(20, 10)
	m.Set(5, 5)
	m.Set(19, 0)
	d := dilate(m, 2)
	for y := 0; y < 10; y++ {
		for x := 0; x < 20; x++ {
			near := (abs(x-5) <= 2 && abs(y-5) <= 2) || (abs(x-19) <= 2 && y <= 2)
			if d.Get(x, y) != near {
				t.Fatalf("pixel %d,%d = %v", x, y, d.Get(x, y))
			}
		}
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
