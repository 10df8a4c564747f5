package geo

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		name                   string
		lat1, lon1, lat2, lon2 float64
		wantKm, tolKm          float64
	}{
		{"same point", 42.35, 130.38, 42.35, 130.38, 0, 1e-9},
		{"one degree of latitude", 0, 0, 1, 0, 111.195, 0.01},
		{"Rajin to Vostochny", 42.245, 130.30, 42.74, 133.08, 234, 5},
		{"across the antimeridian", 60, 179.9, 60, -179.9, 11.12, 0.05},
		{"antimeridian on the equator", 0, -179.95, 0, 179.95, 11.12, 0.05},
		{"pole to pole", 90, 0, -90, 0, 20015.1, 0.5},
		{"antipodes", 0, 0, 0, 180, 20015.1, 0.5},
	} {
		got := DistanceM(tc.lat1, tc.lon1, tc.lat2, tc.lon2) / 1000
		if math.Abs(got-tc.wantKm) > tc.tolKm {
			t.Errorf("%s: %.3f km, want %.3f", tc.name, got, tc.wantKm)
		}
	}
}

func TestKnotsBetween(t *testing.T) {
	if v := KnotsBetween(1852, 3600); math.Abs(v-1) > 1e-9 {
		t.Errorf("1 nm in 1 h = %v kn", v)
	}
	if v := KnotsBetween(10, 0); !math.IsInf(v, 1) {
		t.Errorf("instant jump = %v", v)
	}
	if v := KnotsBetween(0, 0); v != 0 {
		t.Errorf("no move = %v", v)
	}
}

func TestPointHav(t *testing.T) {
	for _, c := range [][4]float64{{42.245, 130.30, 42.74, 133.08}, {60, 179.9, 60, -179.9}, {-33, 18, 51, 0}} {
		p, q := At(c[0], c[1]), At(c[2], c[3])
		want := DistanceM(c[0], c[1], c[2], c[3])
		if d := p.Distance(q); math.Abs(d-want) > 1e-6*want+1e-6 {
			t.Errorf("%v: %v, want %v", c, d, want)
		}
		if h := p.Hav(q); math.Abs(DistanceOfHav(HavOf(want))-want) > 1e-3 || h > HavOf(want+1) || h < HavOf(want-1) {
			t.Errorf("%v: hav %v inconsistent with HavOf(%v)", c, h, want)
		}
	}
}

// TestDistanceBound: the bound is never below the distance (random pairs
// anywhere, across the antimeridian, near the poles, with longitudes past
// ±180) and is close to it for nearby points at moderate latitudes.
func TestDistanceBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 200000 {
		lat1, lon1 := rng.Float64()*180-90, rng.Float64()*360-180
		var lat2, lon2 float64
		switch i % 4 {
		case 0: // anywhere
			lat2, lon2 = rng.Float64()*180-90, rng.Float64()*360-180
		case 1: // nearby
			lat2, lon2 = math.Max(-90, math.Min(90, lat1+rng.NormFloat64()*0.05)), lon1+rng.NormFloat64()*0.05
		case 2: // across the antimeridian, unwrapped longitudes
			lon1 = 179.9 + rng.Float64()*0.2
			lat2, lon2 = lat1+rng.NormFloat64()*0.01, -180+rng.Float64()*0.1
		case 3: // near a pole
			lat1 = 89.9 + rng.Float64()*0.1
			lat2, lon2 = 89.5+rng.Float64()*0.5, rng.Float64()*720-360
		}
		d := DistanceM(lat1, lon1, lat2, lon2)
		if b := At(lat1, lon1).DistanceBoundM(lat2, lon2); b < d {
			t.Fatalf("Point bound (%v,%v)-(%v,%v): %v < distance %v", lat1, lon1, lat2, lon2, b, d)
		}
		if b := DistanceBoundM(lat1, lon1, lat2, lon2); b < d {
			t.Fatalf("bound (%v,%v)-(%v,%v): %v < distance %v", lat1, lon1, lat2, lon2, b, d)
		}
	}
	// 1 km east-north-east at 45°N: within 40 % of the distance.
	p := At(45, 10)
	lat2, lon2 := 45+0.004, 10+0.012
	if d, b := DistanceM(45, 10, lat2, lon2), p.DistanceBoundM(lat2, lon2); b > 1.4*d {
		t.Errorf("bound %v for a distance of %v: too loose to be of use", b, d)
	}
	if DistanceBoundM(0, 0, 0, 0) > 1e-3 {
		t.Error("bound between a point and itself above a millimetre")
	}
}
