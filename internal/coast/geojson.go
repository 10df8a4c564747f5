package coast

import (
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/simplify"
)

// BBox is a longitude/latitude box in degrees. MinLon > MaxLon means the box
// crosses the antimeridian (e.g. 170 to -170).
type BBox struct {
	MinLon, MinLat, MaxLon, MaxLat float64
}

// ErrBadBBox is returned for a box with NaN or out-of-range values or
// MinLat > MaxLat.
var ErrBadBBox = errors.New("coast: bad bounding box")

// maxGeoJSONVertices bounds LandGeoJSON's output so a whole-world request at
// tolerance 0 cannot build hundreds of MB of JSON.
const maxGeoJSONVertices = 2_000_000

// LandGeoJSON returns the land inside box as a GeoJSON FeatureCollection
// holding one MultiPolygon feature, clipped to the box and simplified with
// Douglas-Peucker at toleranceDeg (0 keeps every vertex; 0.01° is about 1 km,
// fine for a harbour map; 0.1° for a sea). The feature's properties name the
// source. For an offline base map in the web UI and dossiers.
func (m *Mask) LandGeoJSON(box BBox, toleranceDeg float64) ([]byte, error) {
	for _, v := range []float64{box.MinLon, box.MinLat, box.MaxLon, box.MaxLat, toleranceDeg} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%w: %+v tolerance %v", ErrBadBBox, box, toleranceDeg)
		}
	}
	if box.MinLat > box.MaxLat || box.MinLat < -90 || box.MaxLat > 90 || math.Abs(box.MinLon) > 180 || math.Abs(box.MaxLon) > 180 || toleranceDeg < 0 {
		return nil, fmt.Errorf("%w: %+v tolerance %v", ErrBadBBox, box, toleranceDeg)
	}
	bounds := []orb.Bound{{Min: orb.Point{box.MinLon, box.MinLat}, Max: orb.Point{box.MaxLon, box.MaxLat}}}
	if box.MinLon > box.MaxLon {
		bounds = []orb.Bound{
			{Min: orb.Point{box.MinLon, box.MinLat}, Max: orb.Point{180, box.MaxLat}},
			{Min: orb.Point{-180, box.MinLat}, Max: orb.Point{box.MaxLon, box.MaxLat}},
		}
	}
	var out orb.MultiPolygon
	nv := 0
	for _, b := range bounds {
		ib := bbox{int32(math.Floor(b.Min[0] * 1e6)), int32(math.Floor(b.Min[1] * 1e6)), int32(math.Ceil(b.Max[0] * 1e6)), int32(math.Ceil(b.Max[1] * 1e6))}
		for i, p := range m.polys {
			pb := m.pbox[i]
			if pb.x1 < ib.x0 || pb.x0 > ib.x1 || pb.y1 < ib.y0 || pb.y0 > ib.y1 {
				continue
			}
			op := make(orb.Polygon, len(p))
			for k, r := range p {
				rr := make(orb.Ring, len(r))
				for j, v := range r {
					rr[j] = orb.Point{float64(v.x) / 1e6, float64(v.y) / 1e6}
				}
				op[k] = rr
			}
			cp := clip.Polygon(b, op)
			if len(cp) == 0 || len(cp[0]) < 4 {
				continue
			}
			if toleranceDeg > 0 {
				cp = simplify.DouglasPeucker(toleranceDeg).Polygon(cp)
				if len(cp) == 0 || len(cp[0]) < 4 {
					continue
				}
			}
			for _, r := range cp {
				nv += len(r)
			}
			if nv > maxGeoJSONVertices {
				return nil, fmt.Errorf("%w: more than %d vertices; use a smaller box or a larger tolerance", ErrBadBBox, maxGeoJSONVertices)
			}
			out = append(out, cp)
		}
	}
	f := geojson.NewFeature(out)
	f.Properties["source"] = m.header.Source
	f.Properties["tolerance_deg"] = toleranceDeg
	fc := geojson.NewFeatureCollection().Append(f)
	return fc.MarshalJSON()
}
