package detect

import (
	"math"

	"github.com/lookout-maritime/lookout/internal/event"
)

// Place is a port or anchorage, as the detectors need it.
type Place struct {
	Name     string
	Country  string // ISO 3166-1 alpha-2
	Lat, Lon float64
	RadiusKm float64 // the place's own extent; entry is within max(EntryKm, RadiusKm)
	HighRisk bool    // flagged in dark_port_visit candidates (DPRK ports...)
}

// Ports finds places near a position. The CLI adapts internal/gazetteer to
// it.
type Ports interface {
	// Within returns the places whose centre is at most km from
	// (lat, lon), in any order. It must handle the antimeridian and be
	// cheap enough to call for every fix (a spatial index).
	Within(lat, lon, km float64) []Place
}

// Shore answers how far a position is from land (internal/coast.Mask
// satisfies it).
type Shore interface {
	// DistanceToShoreKm is the distance from a point at sea to the
	// nearest coastline; 0 on land.
	DistanceToShoreKm(lat, lon float64) float64
	OnLand(lat, lon float64) bool
}

// Zone is a user-defined area for geofence events: a simple polygon of
// (lat, lon) vertices (closing vertex optional). Longitudes of one zone
// must not jump by more than 180° between vertices; a zone across the
// antimeridian uses longitudes beyond ±180 (e.g. 179 to 181).
type Zone struct {
	Name    string
	Polygon [][2]float64 // [lat, lon]

	box [4]float64 // minLat, minLon, maxLat, maxLon, filled by prepare
}

func (z *Zone) prepare() {
	z.box = [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, v := range z.Polygon {
		z.box[0], z.box[1] = math.Min(z.box[0], v[0]), math.Min(z.box[1], v[1])
		z.box[2], z.box[3] = math.Max(z.box[2], v[0]), math.Max(z.box[3], v[1])
	}
}

// Contains reports whether (lat, lon) is inside z (even-odd rule).
func (z *Zone) Contains(lat, lon float64) bool {
	if len(z.Polygon) < 3 {
		return false
	}
	if z.box[0] > z.box[2] { // not prepared
		z.prepare()
	}
	if lat < z.box[0] || lat > z.box[2] {
		return false
	}
	// Bring lon into the zone's longitude range (zones across ±180).
	for lon < z.box[1] && lon+360 <= z.box[3]+1e-9 {
		lon += 360
	}
	for lon > z.box[3] && lon-360 >= z.box[1]-1e-9 {
		lon -= 360
	}
	if lon < z.box[1] || lon > z.box[3] {
		return false
	}
	in := false
	n := len(z.Polygon)
	for i, j := 0, n-1; i < n; j, i = i, i+1 {
		yi, xi := z.Polygon[i][0], z.Polygon[i][1]
		yj, xj := z.Polygon[j][0], z.Polygon[j][1]
		if (yi > lat) != (yj > lat) && lon < (xj-xi)*(lat-yi)/(yj-yi)+xi {
			in = !in
		}
	}
	return in
}

// Deps are what the detectors consult outside the track. Nil Ports or
// Shore switch off what needs them: without Ports no port visits, dark
// port visits or encounter port exclusion; without Shore no offshore tests
// (gaps are never "suspected disabling", loitering is not limited to the
// open sea) and no on-land spoofing.
type Deps struct {
	Ports Ports
	Shore Shore
	Zones []Zone
	// Emit, when set, receives every event as it is found; otherwise
	// events collect until Drain.
	Emit func(event.Event)
}
