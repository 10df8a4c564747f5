package sim

import (
	"math"

	"github.com/lookout-maritime/lookout/internal/geo"
)

// Point is a position in degrees (WGS84).
type Point struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

const rad = math.Pi / 180

// distM is the great-circle distance between two points in metres.
func distM(a, b Point) float64 { return geo.DistanceM(a.Lat, a.Lon, b.Lat, b.Lon) }

// bearing is the initial great-circle bearing from a to b, degrees true in
// [0, 360).
func bearing(a, b Point) float64 {
	φ1, φ2 := a.Lat*rad, b.Lat*rad
	dλ := (b.Lon - a.Lon) * rad
	y := math.Sin(dλ) * math.Cos(φ2)
	x := math.Cos(φ1)*math.Sin(φ2) - math.Sin(φ1)*math.Cos(φ2)*math.Cos(dλ)
	return math.Mod(math.Atan2(y, x)/rad+360, 360)
}

// interpolate returns the point a fraction f of the way from a to b along
// the great circle (spherical linear interpolation), so long legs follow the
// great circle rather than a straight line in degrees.
func interpolate(a, b Point, f float64) Point {
	if f <= 0 {
		return a
	}
	if f >= 1 {
		return b
	}
	d := distM(a, b) / geo.EarthRadiusM
	if d < 1e-9 {
		return a
	}
	φ1, λ1 := a.Lat*rad, a.Lon*rad
	φ2, λ2 := b.Lat*rad, b.Lon*rad
	sa := math.Sin((1-f)*d) / math.Sin(d)
	sb := math.Sin(f*d) / math.Sin(d)
	x := sa*math.Cos(φ1)*math.Cos(λ1) + sb*math.Cos(φ2)*math.Cos(λ2)
	y := sa*math.Cos(φ1)*math.Sin(λ1) + sb*math.Cos(φ2)*math.Sin(λ2)
	z := sa*math.Sin(φ1) + sb*math.Sin(φ2)
	return Point{Lat: math.Atan2(z, math.Hypot(x, y)) / rad, Lon: math.Atan2(y, x) / rad}
}

// destination is the point distM metres from p on bearing brg (degrees).
func destination(p Point, brg, dist float64) Point {
	δ := dist / geo.EarthRadiusM
	θ := brg * rad
	φ1, λ1 := p.Lat*rad, p.Lon*rad
	φ2 := math.Asin(math.Sin(φ1)*math.Cos(δ) + math.Cos(φ1)*math.Sin(δ)*math.Cos(θ))
	λ2 := λ1 + math.Atan2(math.Sin(θ)*math.Sin(δ)*math.Cos(φ1), math.Cos(δ)-math.Sin(φ1)*math.Sin(φ2))
	lon := math.Mod(λ2/rad+540, 360) - 180
	return Point{Lat: φ2 / rad, Lon: lon}
}

// pathLenM is the length of a polyline in metres.
func pathLenM(p []Point) float64 {
	s := 0.0
	for i := 1; i < len(p); i++ {
		s += distM(p[i-1], p[i])
	}
	return s
}

// splitPath cuts a polyline at distance m from its start (clamped to the
// path), returning the two parts; both contain the cut point.
func splitPath(p []Point, m float64) (head, tail []Point) {
	if len(p) < 2 || m <= 0 {
		return []Point{p[0]}, append([]Point(nil), p...)
	}
	acc := 0.0
	for i := 1; i < len(p); i++ {
		d := distM(p[i-1], p[i])
		if acc+d >= m {
			c := interpolate(p[i-1], p[i], (m-acc)/d)
			head = append(append([]Point(nil), p[:i]...), c)
			tail = append([]Point{c}, p[i:]...)
			return head, tail
		}
		acc += d
	}
	return append([]Point(nil), p...), []Point{p[len(p)-1]}
}

// reversed returns a reversed copy of p.
func reversed(p []Point) []Point {
	r := make([]Point, len(p))
	for i, q := range p {
		r[len(p)-1-i] = q
	}
	return r
}
