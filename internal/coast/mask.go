// Package coast answers "is this point on land?" and "how far is it from the
// shore?" from the Natural Earth 1:10m land polygons (public domain), fast
// enough to ask for every AIS position, and draws those polygons as GeoJSON
// for offline base maps.
//
// The polygons are embedded as a compact asset (land10m.lkc, made by
// `go run ./internal/coast/gen`); Load decodes it and builds an in-memory
// index: a quadtree under each 1° block whose leaves are all land, all water,
// or a few coastline segments with the land/water state of the leaf's centre
// (a point's state is the centre's, flipped once per segment crossed on the
// way), and a 1/8° grid of coastline segments for distances.
//
// Accuracy: OnLand and DistanceToShoreKm are exact with respect to the 1:10m
// polygons (whose own accuracy is a few hundred metres to about 1 km) up to
// ExactRadiusKm from the coast. Beyond that, the distance comes from a
// precomputed 1/4° field and is good to about ±20 km.
package coast

import (
	_ "embed"
	"fmt"
	"math"
	"sync"
)

//go:embed land10m.lkc
var embedded []byte

// ExactRadiusKm is how far from the coast DistanceToShoreKm searches the
// coastline itself; farther points use the coarse field.
const ExactRadiusKm = 200

// Mask is the land mask and distance-to-shore index. It is immutable and safe
// for concurrent use.
type Mask struct {
	header Header
	polys  []polygon
	pbox   []bbox // per polygon, in microdegrees
	ix     *index
	field  []uint16
}

type bbox struct{ x0, y0, x1, y1 int32 }

var loadEmbedded = sync.OnceValues(func() (*Mask, error) {
	return LoadAsset(embedded, IndexConfig{})
})

// Load returns the mask built from the embedded Natural Earth 1:10m asset.
// The first call decodes it and builds the index (a few hundred ms); later
// calls return the same Mask.
func Load() (*Mask, error) { return loadEmbedded() }

// LoadAsset builds a mask from an asset written by BuildAsset.
func LoadAsset(b []byte, cfg IndexConfig) (*Mask, error) {
	d, err := decodeAsset(b)
	if err != nil {
		return nil, err
	}
	m := &Mask{header: d.header, polys: d.polys, field: d.field}
	m.pbox = make([]bbox, len(d.polys))
	for i, p := range d.polys {
		b := bbox{math.MaxInt32, math.MaxInt32, math.MinInt32, math.MinInt32}
		for _, v := range p[0] {
			b.x0, b.y0 = min(b.x0, v.x), min(b.y0, v.y)
			b.x1, b.y1 = max(b.x1, v.x), max(b.y1, v.y)
		}
		m.pbox[i] = b
	}
	m.ix = buildIndex(d.polys, cfg)
	return m, nil
}

// Header describes the asset the mask was built from.
func (m *Mask) Header() Header { return m.header }

// MemBytes is the approximate heap held by the index (not the polygons
// kept for LandGeoJSON).
func (m *Mask) MemBytes() int { return m.ix.memBytes() + 2*len(m.field) }

// OnLand reports whether the point is on land. Longitudes wrap; latitudes
// are clamped to [-90, 90] (the South Pole is on land, the North Pole not).
// Points within a few centimetres of the coastline may go either way.
func (m *Mask) OnLand(lat, lon float64) bool {
	if math.IsNaN(lat) || math.IsNaN(lon) || math.IsInf(lon, 0) {
		return false
	}
	x, y := toUnits(lat, lon)
	return m.ix.onLand(x, y)
}

// Region is where the answer OnLand gave for a point holds for every
// other point: the index cell around it — all of the cell when Uniform
// (all land or all water), else only the part of it within R degrees of
// (Lat, Lon), measured in the plane of latitude and longitude (where the
// coastline's segments are straight), short of the nearest coastline.
type Region struct {
	Box      BBox // MinLat <= lat < MaxLat, MinLon <= lon < MaxLon
	Uniform  bool
	Lat, Lon float64
	R        float64
}

// Contains reports whether (lat, lon) is in r.
func (r *Region) Contains(lat, lon float64) bool {
	if lat < r.Box.MinLat || lat >= r.Box.MaxLat || lon < r.Box.MinLon || lon >= r.Box.MaxLon {
		return false
	}
	dlat, dlon := lat-r.Lat, lon-r.Lon
	return r.Uniform || dlat*dlat+dlon*dlon < r.R*r.R
}

// Cell is OnLand and the region around the point where its answer holds,
// in one lookup, for callers testing a ship's successive fixes: until one
// leaves the region, OnLand need not be asked again. ok is false when the
// point lies on a coastline, or within a few units of the index's grid
// of it.
func (m *Mask) Cell(lat, lon float64) (land bool, r Region, ok bool) {
	if math.IsNaN(lat) || math.IsNaN(lon) || math.IsInf(lon, 0) {
		return false, Region{}, false
	}
	x, y := toUnits(lat, lon)
	e, bi, x0, y0, size := m.ix.leaf(x, y)
	// Units are 2^-20 degree, so these conversions are exact and a point
	// inside the box maps back into the cell (toUnits floors).
	r.Box = BBox{MinLon: float64(x0) / unitsPerDeg, MinLat: float64(y0) / unitsPerDeg,
		MaxLon: float64(x0+size) / unitsPerDeg, MaxLat: float64(y0+size) / unitsPerDeg}
	if t := e & tagMask; t == tagWater || t == tagLand {
		r.Uniform = true
		return t == tagLand, r, true
	}
	land = m.ix.leafHolds(e, bi, x0, y0, size, x, y)
	// Within the cell, a point nearer to (x, y) than every coastline
	// segment of the cell is on the same side of all of them. Both points
	// are floored to units, so 3 units (0.3 m) are kept in hand.
	d := m.ix.leafClearance(e, bi, x, y) - 3
	if d <= 0 {
		return land, Region{}, false
	}
	r.Lat, r.Lon, r.R = lat, wrapLon(lon), d/unitsPerDeg
	return land, r, true
}

// DistanceToShoreKm is the great-circle distance in km from a point at sea
// to the nearest coastline; 0 on land. Exact (to the 1:10m data) within
// ExactRadiusKm of the coast, within about ±20 km beyond.
func (m *Mask) DistanceToShoreKm(lat, lon float64) float64 {
	if m.OnLand(lat, lon) {
		return 0
	}
	km, _, _ := m.NearestShore(lat, lon)
	return km
}

// NearestShore is the distance in km from any point (land or sea) to the
// nearest coastline and that coastline point. Beyond ExactRadiusKm the point
// is not known and NaNs are returned for it.
func (m *Mask) NearestShore(lat, lon float64) (km, shoreLat, shoreLon float64) {
	if math.IsNaN(lat) || math.IsNaN(lon) || math.IsInf(lon, 0) {
		return math.NaN(), math.NaN(), math.NaN()
	}
	if d, nlat, nlon, ok := m.ix.nearest(lat, lon, ExactRadiusKm); ok {
		return d, nlat, nlon
	}
	return math.Max(ExactRadiusKm, m.fieldAt(lat, lon)), math.NaN(), math.NaN()
}

// fieldAt interpolates the coarse distance field bilinearly.
func (m *Mask) fieldAt(lat, lon float64) float64 {
	h := m.header
	if len(m.field) == 0 {
		return math.Inf(1)
	}
	s := float64(h.FieldStep)
	fy := (math.Max(-90, math.Min(90, lat)) + 90) * s
	fx := (wrapLon(lon) + 180) * s
	r0, c0 := int(fy), int(fx)
	r0 = min(r0, h.FieldRows-2)
	ty, tx := fy-float64(r0), fx-float64(c0)
	c1 := (c0 + 1) % h.FieldCols
	c0 %= h.FieldCols
	v := func(r, c int) float64 { return float64(m.field[r*h.FieldCols+c]) }
	return (1-ty)*((1-tx)*v(r0, c0)+tx*v(r0, c1)) + ty*((1-tx)*v(r0+1, c0)+tx*v(r0+1, c1))
}

func (m *Mask) String() string {
	return fmt.Sprintf("coast.Mask(%s: %d polygons, %d vertices)", m.header.Source, m.header.Polygons, m.header.Vertices)
}
