// Package geo holds the spherical-earth geometry Lookout needs: great-circle
// distance and speed between fixes. Longitudes wrap at ±180°, so every
// function is correct across the antimeridian.
package geo

import "math"

// EarthRadiusM is the mean Earth radius (IUGG), in metres.
const EarthRadiusM = 6371008.8

// MetresPerNauticalMile is the international nautical mile.
const MetresPerNauticalMile = 1852.0

// DistanceM is the great-circle (haversine) distance between two points in
// degrees, in metres.
func DistanceM(lat1, lon1, lat2, lon2 float64) float64 {
	const rad = math.Pi / 180
	dLat := (lat2 - lat1) * rad
	dLon := (lon2 - lon1) * rad
	s1, s2 := math.Sin(dLat/2), math.Sin(dLon/2)
	a := s1*s1 + math.Cos(lat1*rad)*math.Cos(lat2*rad)*s2*s2
	if a > 1 {
		a = 1
	}
	return 2 * EarthRadiusM * math.Asin(math.Sqrt(a))
}

// KnotsBetween is the speed in knots needed to cover distM in seconds;
// +Inf for a non-zero distance in no time.
func KnotsBetween(distM, seconds float64) float64 {
	if seconds <= 0 {
		if distM <= 0 {
			return 0
		}
		return math.Inf(1)
	}
	return distM / MetresPerNauticalMile / (seconds / 3600)
}

// Point is a position with its latitude's cosine cached, for the hot path of
// comparing one fix against several others.
type Point struct {
	Lat, Lon float64 // degrees
	cosLat   float64
}

// At returns the Point at lat, lon (degrees).
func At(lat, lon float64) Point {
	return Point{Lat: lat, Lon: lon, cosLat: math.Cos(lat * math.Pi / 180)}
}

// Hav is the haversine of the central angle between p and q: a number that
// grows with distance and is cheaper than the distance itself. Compare it
// with HavOf(metres); convert with DistanceOfHav.
func (p Point) Hav(q Point) float64 {
	const rad = math.Pi / 180
	s1 := math.Sin((q.Lat - p.Lat) * rad / 2)
	s2 := math.Sin((q.Lon - p.Lon) * rad / 2)
	h := s1*s1 + p.cosLat*q.cosLat*s2*s2
	if h > 1 {
		h = 1
	}
	return h
}

// Distance is the great-circle distance from p to q in metres.
func (p Point) Distance(q Point) float64 { return DistanceOfHav(p.Hav(q)) }

// HavOf is the haversine value of a distance in metres (see Point.Hav).
func HavOf(metres float64) float64 {
	s := math.Sin(metres / EarthRadiusM / 2)
	return s * s
}

// DistanceOfHav converts a haversine value back to metres.
func DistanceOfHav(h float64) float64 { return 2 * EarthRadiusM * math.Asin(math.Sqrt(h)) }

// DistanceBoundM is an upper bound on DistanceM(p.Lat, p.Lon, lat, lon)
// with no trigonometry: the length of the path from p along its parallel
// to lon, then along the meridian to lat (never shorter than the great
// circle), plus rounding slack. It is tight for nearby points away from
// the poles, which is what it is for: ruling out, cheaply, that a fix has
// moved far from a point whose answer is known.
func (p Point) DistanceBoundM(lat, lon float64) float64 {
	return boundM(p.Lat, p.Lon, lat, lon, p.cosLat)
}

// DistanceBoundM is Point.DistanceBoundM without a cached cosine: the path
// along the parallel is taken at the equator's scale, a looser bound.
func DistanceBoundM(lat1, lon1, lat2, lon2 float64) float64 {
	return boundM(lat1, lon1, lat2, lon2, 1)
}

func boundM(lat1, lon1, lat2, lon2, cosLat1 float64) float64 {
	const rad = math.Pi / 180
	dLon := math.Abs(lon2 - lon1)
	if dLon > 180 {
		dLon = math.Mod(dLon, 360)
		if dLon > 180 {
			dLon = 360 - dLon
		}
	}
	arc := (math.Abs(lat2-lat1) + math.Abs(cosLat1)*dLon) * rad
	return EarthRadiusM*arc*(1+1e-9) + 1e-6
}
