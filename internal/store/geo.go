package store

import (
	"fmt"
	"math"
)

// EarthRadiusKm is the mean Earth radius (IUGG) used for every distance.
const EarthRadiusKm = 6371.0088

// HaversineKm is the great-circle distance between two points in km.
func HaversineKm(lat1, lon1, lat2, lon2 float64) float64 {
	const rad = math.Pi / 180
	dLat := (lat2 - lat1) * rad
	dLon := (lon2 - lon1) * rad
	s1 := math.Sin(dLat / 2)
	s2 := math.Sin(dLon / 2)
	a := s1*s1 + math.Cos(lat1*rad)*math.Cos(lat2*rad)*s2*s2
	return 2 * EarthRadiusKm * math.Asin(math.Min(1, math.Sqrt(a)))
}

// LonRange is a closed longitude interval with MinLon <= MaxLon.
type LonRange struct{ MinLon, MaxLon float64 }

// Box is a bounding-box prefilter for a circle: latitudes in [MinLat,
// MaxLat] and longitudes in any of Lons (one range, or two when the box
// crosses the antimeridian; one full range when it contains a pole).
// Every point of the circle is inside the box; the box contains more, so
// an exact distance test must follow.
type Box struct {
	MinLat, MaxLat float64
	Lons           []LonRange
}

// CircleBox returns the bounding box of the circle of radiusKm around
// (lat, lon), following J. P. Matuschek's "Finding Points Within a
// Distance of a Latitude/Longitude Using Bounding Coordinates", with a
// small margin for floating-point error.
func CircleBox(lat, lon, radiusKm float64) (Box, error) {
	if lat < -90 || lat > 90 || lon < -180 || lon > 180 || math.IsNaN(lat) || math.IsNaN(lon) {
		return Box{}, fmt.Errorf("%w: centre %g,%g", ErrInvalid, lat, lon)
	}
	if !(radiusKm > 0) || radiusKm > math.Pi*EarthRadiusKm {
		return Box{}, fmt.Errorf("%w: radius %g km", ErrInvalid, radiusKm)
	}
	const deg = 180 / math.Pi
	const margin = 1e-9           // degrees
	r := radiusKm / EarthRadiusKm // angular radius, radians
	minLat := lat - r*deg - margin
	maxLat := lat + r*deg + margin
	if minLat <= -90 || maxLat >= 90 {
		// A pole is inside: every longitude.
		return Box{MinLat: math.Max(minLat, -90), MaxLat: math.Min(maxLat, 90), Lons: []LonRange{{-180, 180}}}, nil
	}
	dLon := math.Asin(math.Min(1, math.Sin(r)/math.Cos(lat/deg)))*deg + margin
	lo, hi := lon-dLon, lon+dLon
	b := Box{MinLat: minLat, MaxLat: maxLat}
	switch {
	case hi-lo >= 360:
		b.Lons = []LonRange{{-180, 180}}
	case lo < -180:
		b.Lons = []LonRange{{lo + 360, 180}, {-180, hi}}
	case hi > 180:
		b.Lons = []LonRange{{lo, 180}, {-180, hi - 360}}
	default:
		b.Lons = []LonRange{{lo, hi}}
	}
	return b, nil
}
