package track

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/geo"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// A fix joins its vessel's open segment exactly when the great-circle
// distance says it is plausible (within Noise, or reachable at MaxSpeed),
// also where the trigonometry-free bound settles it: fixes at distances
// around both thresholds, at every latitude and across the antimeridian.
func TestSegmentPlausibility(t *testing.T) {
	tr := New(Config{}, nil)
	rng := rand.New(rand.NewPCG(7, 7))
	joined, split := 0, 0
	for i := range 20000 {
		lat := rng.Float64()*178 - 89
		lon := rng.Float64()*360 - 180
		if i%10 == 0 {
			lon = 179.999 // near the antimeridian
		}
		dt := time.Duration(rng.IntN(600)+1) * time.Second
		reach := tr.cfg.MaxSpeed * 1852 / 3600 * dt.Seconds()
		// A distance near Noise or near the reach, either side.
		target := tr.cfg.Noise
		if i%2 == 0 {
			target = reach
		}
		d := target * (1 + (rng.Float64()-0.5)*0.02)
		bearing := rng.Float64() * 2 * math.Pi
		lat2 := lat + d/111_195*math.Cos(bearing)
		lon2 := lon + d/111_195*math.Sin(bearing)/math.Cos(lat*math.Pi/180)
		if lon2 > 180 {
			lon2 -= 360
		}
		if lat2 > 90 || lat2 < -90 {
			continue
		}
		t0 := int64(1_700_000_000e9)
		v := &vesselState{nextSeg: 2, segs: []segment{{t: t0, lat: lat, lon: lon, num: 1}}}
		p := &vessel.Packed{T: t0 + int64(dt), Lat: lat2, Lon: lon2}
		got := tr.assign(v, p, false) == 1
		h := geo.At(lat, lon).Hav(geo.At(lat2, lon2))
		r := tr.maxSpeed * float64(dt)
		want := h <= tr.havNoise || (r > tr.noise && h <= geo.HavOf(r))
		if got != want {
			t.Fatalf("fix %.1f m from the segment's (%.4f, %.4f) after %v (noise %.0f m, reach %.0f m): joined %v, want %v",
				geo.DistanceOfHav(h), lat, lon, dt, tr.noise, r, got, want)
		}
		if got {
			joined++
		} else {
			split++
		}
	}
	if joined < 1000 || split < 1000 {
		t.Fatalf("joined %d, split %d: the thresholds were not exercised", joined, split)
	}
}
