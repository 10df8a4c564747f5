// Package imagery holds satellite scenes as evidence, the vessels detected
// in them, analysts' annotations on photos, and the glue from a SAR
// GeoTIFF to ship detections. Sub-packages do the work that needs no
// catalogue: geotiff (reading and writing georeferenced rasters), proj
// (map projections), cfar (the ship detector), match (detections to AIS)
// and synth (synthetic scenes for tests and the demo).
package imagery

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Sentinel errors.
var (
	ErrFormat   = errors.New("imagery: malformed input")
	ErrNotFound = errors.New("imagery: not found")
	ErrNoTime   = errors.New("imagery: no acquisition time")
	ErrTooLarge = errors.New("imagery: input too large")
)

// Media types of registered scene files.
const (
	MediaGeoTIFF = "image/tiff; application=geotiff"
	MediaJPEG    = "image/jpeg"
	MediaPNG     = "image/png"
	MediaSTAC    = "application/geo+json" // a STAC Item without its image
)

// Ring is a closed polygon ring of [lon, lat] pairs (GeoJSON order).
type Ring [][2]float64

// Footprint is the area a scene imaged: one or more polygons (more than
// one for a scene cut by the antimeridian), outer rings only.
type Footprint []Ring

// Scene is a satellite image or photo registered as evidence.
type Scene struct {
	ID        string    `json:"id"`
	Acquired  time.Time `json:"acquired"`
	Footprint Footprint `json:"footprint"`
	// Platform is the satellite or camera platform ("sentinel-1a",
	// "WorldView-3"); Instrument its sensor ("c-sar").
	Platform   string `json:"platform,omitempty"`
	Instrument string `json:"instrument,omitempty"`
	// Source is who supplied the image (a provider, an archive, a person).
	Source string `json:"source,omitempty"`
	// ResolutionM is the ground sample distance in metres, 0 when unknown.
	ResolutionM float64 `json:"resolution_m,omitempty"`
	// File is the path the scene was registered from; SHA256 its content
	// digest (hex) and Size its length in bytes.
	File      string `json:"file,omitempty"`
	SHA256    string `json:"sha256,omitempty"`
	Size      int64  `json:"size,omitempty"`
	MediaType string `json:"media_type"`
	// Width and Height are the image's size in pixels (0 for a STAC Item).
	Width  int `json:"width,omitempty"`
	Height int `json:"height,omitempty"`
	// EPSG and GeoTransform place a GeoTIFF's pixels (see
	// geotiff.Georef); zero for photos and STAC Items.
	EPSG         int         `json:"epsg,omitempty"`
	GeoTransform *[6]float64 `json:"geotransform,omitempty"`
	// Assets are a STAC Item's asset links by key.
	Assets map[string]string `json:"assets,omitempty"`
	// Notes says where each field came from when that is not obvious
	// ("acquisition time from the TIFF DateTime tag").
	Notes []string `json:"notes,omitempty"`
}

// Bounds is the footprint's box: west, south, east, north (the dossier's
// order). A footprint across the antimeridian has west > east.
func (f Footprint) Bounds() [4]float64 {
	b := [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, r := range f {
		for _, p := range r {
			b[0], b[1] = math.Min(b[0], p[0]), math.Min(b[1], p[1])
			b[2], b[3] = math.Max(b[2], p[0]), math.Max(b[3], p[1])
		}
	}
	return b
}

// Contains reports whether lat, lon lies inside the footprint (even-odd
// rule per polygon; longitudes compared on the polygon's side of the
// antimeridian).
func (f Footprint) Contains(lat, lon float64) bool {
	for _, r := range f {
		if r.contains(lat, lon) {
			return true
		}
	}
	return false
}

func (r Ring) contains(lat, lon float64) bool {
	if len(r) < 4 {
		return false
	}
	ref := r[0][0]
	unwrap := func(x float64) float64 { // bring x within 180° of ref
		for x-ref > 180 {
			x -= 360
		}
		for ref-x > 180 {
			x += 360
		}
		return x
	}
	x := unwrap(lon)
	in := false
	for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
		xi, yi := unwrap(r[i][0]), r[i][1]
		xj, yj := unwrap(r[j][0]), r[j][1]
		if (yi > lat) != (yj > lat) && x < (xj-xi)*(lat-yi)/(yj-yi)+xi {
			in = !in
		}
	}
	return in
}

// validate checks a footprint read from outside input.
func (f Footprint) validate() error {
	if len(f) == 0 {
		return fmt.Errorf("%w: empty footprint", ErrFormat)
	}
	for i, r := range f {
		if len(r) < 4 {
			return fmt.Errorf("%w: footprint ring %d has %d points, need at least 4 (closed)", ErrFormat, i, len(r))
		}
		if r[0] != r[len(r)-1] {
			return fmt.Errorf("%w: footprint ring %d is not closed", ErrFormat, i)
		}
		for _, p := range r {
			if !(p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90) {
				return fmt.Errorf("%w: footprint point %v is not a longitude, latitude", ErrFormat, p)
			}
		}
	}
	return nil
}
