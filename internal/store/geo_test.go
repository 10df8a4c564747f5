package store

import (
	"errors"
	"math"
	"testing"
)

func TestHaversine(t *testing.T) {
	cases := []struct{ lat1, lon1, lat2, lon2, want float64 }{
		{0, 0, 0, 1, 111.195},
		{0, 179.5, 0, -179.5, 111.195}, // across the antimeridian
		{89.5, 0, 89.5, 180, 111.195},  // across the pole
		{51.5, 0, 40.7, -74, 5579.4},
	}
	for _, c := range cases {
		if got := HaversineKm(c.lat1, c.lon1, c.lat2, c.lon2); math.Abs(got-c.want) > 0.1 {
			t.Errorf("%v: %g km", c, got)
		}
	}
}

func TestCircleBox(t *testing.T) {
	b, err := CircleBox(10, 20, 10)
	if err != nil || len(b.Lons) != 1 || b.MinLat > 9.911 || b.MaxLat < 10.089 {
		t.Fatalf("%+v %v", b, err)
	}
	// Crossing the antimeridian: two ranges.
	b, _ = CircleBox(0, 179.95, 10)
	if len(b.Lons) != 2 || b.Lons[0].MaxLon != 180 || b.Lons[1].MinLon != -180 || b.Lons[1].MaxLon < -179.97 {
		t.Fatalf("antimeridian: %+v", b)
	}
	b, _ = CircleBox(0, -179.95, 10)
	if len(b.Lons) != 2 || b.Lons[0].MaxLon != 180 || b.Lons[0].MinLon > 179.97 {
		t.Fatalf("antimeridian west: %+v", b)
	}
	// Containing a pole: every longitude.
	b, _ = CircleBox(89.95, 0, 10)
	if len(b.Lons) != 1 || b.Lons[0] != (LonRange{-180, 180}) || b.MaxLat != 90 {
		t.Fatalf("pole: %+v", b)
	}
	// Every point of the circle is in the box.
	for _, c := range [][2]float64{{60, 179.9}, {-70, -179.8}, {0, 0}, {85, 10}} {
		b, _ := CircleBox(c[0], c[1], 50)
		for a := 0.0; a < 360; a += 1 {
			lat, lon := destination(c[0], c[1], 49.999, a)
			in := lat >= b.MinLat && lat <= b.MaxLat
			lonIn := false
			for _, r := range b.Lons {
				lonIn = lonIn || (lon >= r.MinLon && lon <= r.MaxLon)
			}
			if !in || !lonIn {
				t.Fatalf("centre %v bearing %g: %g,%g outside %+v", c, a, lat, lon, b)
			}
		}
	}
	for _, bad := range [][3]float64{{0, 0, 0}, {0, 0, -1}, {91, 0, 1}, {0, 181, 1}, {0, 0, math.NaN()}, {0, 0, 30000}} {
		if _, err := CircleBox(bad[0], bad[1], bad[2]); !errors.Is(err, ErrInvalid) {
			t.Errorf("%v: %v", bad, err)
		}
	}
}

// destination is the point d km from (lat, lon) on bearing deg.
func destination(lat, lon, d, bearing float64) (float64, float64) {
	const rad = math.Pi / 180
	r := d / EarthRadiusKm
	p1, l1, th := lat*rad, lon*rad, bearing*rad
	p2 := math.Asin(math.Sin(p1)*math.Cos(r) + math.Cos(p1)*math.Sin(r)*math.Cos(th))
	l2 := l1 + math.Atan2(math.Sin(th)*math.Sin(r)*math.Cos(p1), math.Cos(r)-math.Sin(p1)*math.Sin(p2))
	lon2 := math.Mod(l2/rad+540, 360) - 180
	return p2 / rad, lon2
}
