package coast

import (
	"container/heap"
	"fmt"
	"io"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/geojson"

	"github.com/lookout-maritime/lookout/internal/geo"
)

// BuildConfig controls BuildAsset.
type BuildConfig struct {
	Source    string // recorded in the header, e.g. "Natural Earth 1:10m land v4.1.0 (world-atlas 2.0.2)"
	FieldStep int    // distance-field nodes per degree; 0 means 4 (1/4°); -1 means no field
	// MaxBytes bounds the GeoJSON read; 0 means 64 MiB.
	MaxBytes int64
}

// BuildAsset reads land polygons from a GeoJSON FeatureCollection (Polygon
// and MultiPolygon features) and writes the asset Load embeds. It is what
// internal/coast/gen runs; tests run it on a small region.
func BuildAsset(r io.Reader, cfg BuildConfig) ([]byte, error) {
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = 64 << 20
	}
	if cfg.FieldStep == 0 {
		cfg.FieldStep = 4
	}
	b, err := io.ReadAll(io.LimitReader(r, cfg.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("coast: read land GeoJSON: %w", err)
	}
	if int64(len(b)) > cfg.MaxBytes {
		return nil, fmt.Errorf("coast: land GeoJSON larger than %d bytes", cfg.MaxBytes)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		return nil, fmt.Errorf("coast: land GeoJSON: %w", err)
	}
	var polys []polygon
	for i, f := range fc.Features {
		var mp orb.MultiPolygon
		switch g := f.Geometry.(type) {
		case orb.Polygon:
			mp = orb.MultiPolygon{g}
		case orb.MultiPolygon:
			mp = g
		default:
			return nil, fmt.Errorf("coast: land GeoJSON feature %d: %s, want Polygon or MultiPolygon", i, f.Geometry.GeoJSONType())
		}
		for j, p := range mp {
			parts, err := splitPolygon(p)
			if err != nil {
				return nil, fmt.Errorf("coast: land GeoJSON feature %d polygon %d: %w", i, j, err)
			}
			polys = append(polys, parts...)
		}
	}
	d := &assetData{header: Header{Source: cfg.Source}, polys: polys}
	if cfg.FieldStep > 0 {
		ix := buildIndex(polys, IndexConfig{})
		d.field = distanceField(ix, cfg.FieldStep)
		d.header.FieldStep = cfg.FieldStep
		d.header.FieldRows = 180*cfg.FieldStep + 1
		d.header.FieldCols = 360 * cfg.FieldStep
	}
	return encodeAsset(d)
}

// splitPolygon converts a polygon to microdegrees, cutting it at the
// antimeridian. The world-atlas GeoJSON is a mechanical decode of TopoJSON
// made for spherical rendering: a few rings (Chukotka, Wrangel Island, Fiji)
// jump across ±180° and Antarctica's ring goes round the South Pole without
// touching it. In the plane those rings would stripe the whole map, so each
// ring is unwrapped to continuous longitudes, closed along the pole if it
// circles one, and clipped back into [-180, 180] (pieces beyond are shifted
// by 360°). Holes go with the piece whose box holds their first vertex.
func splitPolygon(p orb.Polygon) ([]polygon, error) {
	var outers []orb.Ring
	var holes []orb.Ring
	for k, ring := range p {
		pieces, err := splitRing(ring)
		if err != nil {
			return nil, fmt.Errorf("ring %d: %w", k, err)
		}
		if k == 0 {
			outers = pieces
		} else {
			holes = append(holes, pieces...)
		}
	}
	out := make([]polygon, 0, len(outers))
	bounds := make([]orb.Bound, 0, len(outers))
	for _, r := range outers {
		ir, err := toIntRing(r)
		if err != nil {
			return nil, err
		}
		if ir != nil {
			out = append(out, polygon{ir})
			bounds = append(bounds, r.Bound())
		}
	}
	for _, h := range holes {
		ir, err := toIntRing(h)
		if err != nil {
			return nil, err
		}
		if ir == nil {
			continue
		}
		for i, b := range bounds {
			if b.Contains(h[0]) {
				out[i] = append(out[i], ir)
				break
			}
		}
	}
	return out, nil
}

func splitRing(r orb.Ring) ([]orb.Ring, error) {
	if len(r) == 0 {
		return nil, nil
	}
	for _, p := range r {
		if !(p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90) {
			return nil, fmt.Errorf("vertex %v out of range", p)
		}
	}
	u := make(orb.Ring, len(r))
	u[0] = r[0]
	wraps := false
	for i := 1; i < len(r); i++ {
		dx := r[i][0] - r[i-1][0]
		switch {
		case dx > 180:
			dx -= 360
			wraps = true
		case dx < -180:
			dx += 360
			wraps = true
		}
		u[i] = orb.Point{u[i-1][0] + dx, r[i][1]}
	}
	if !wraps {
		return []orb.Ring{r}, nil
	}
	first, last := u[0], u[len(u)-1]
	if shift := last[0] - first[0]; math.Abs(shift) > 180 {
		// Circles a pole: close along it.
		pole := -90.0
		if first[1]+last[1] > 0 {
			pole = 90
		}
		u = append(u, orb.Point{last[0], pole}, orb.Point{first[0], pole}, first)
	}
	b := u.Bound()
	var out []orb.Ring
	for k := math.Floor((b.Min[0]+180)/360) * 360; k-180 < b.Max[0]; k += 360 {
		shifted := make(orb.Ring, len(u))
		for i, p := range u {
			shifted[i] = orb.Point{p[0] - k, p[1]}
		}
		c := clip.Ring(orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}, shifted)
		if len(c) >= 4 {
			out = append(out, c)
		}
	}
	return out, nil
}

// toIntRing converts to microdegrees, drops repeated vertices and closes the
// ring; a ring with under three distinct vertices is dropped (nil).
func toIntRing(r orb.Ring) ([]ipt, error) {
	out := make([]ipt, 0, len(r)+1)
	for _, p := range r {
		if !(p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90) {
			return nil, fmt.Errorf("vertex %v out of range", p)
		}
		v := ipt{int32(math.Round(p[0] * 1e6)), int32(math.Round(p[1] * 1e6))}
		if len(out) > 0 && out[len(out)-1] == v {
			continue
		}
		out = append(out, v)
	}
	if len(out) > 1 && out[0] == out[len(out)-1] {
		out = out[:len(out)-1]
	}
	if len(out) < 3 {
		return nil, nil
	}
	return append(out, out[0]), nil
}

// distanceField computes the distance (km, rounded) from every field node to
// the nearest coastline: exactly for nodes within ExactRadiusKm of it, and
// beyond by propagating each node's nearest coast point to its neighbours
// (a vector distance transform, accurate to a few km on a 1/4° grid).
func distanceField(ix *index, step int) []uint16 {
	rows, cols := 180*step+1, 360*step
	n := rows * cols
	dist := make([]float64, n)
	nlat := make([]float64, n)
	nlon := make([]float64, n)
	pq := &nodeHeap{}
	for i := range dist {
		r, c := i/cols, i%cols
		lat, lon := -90+float64(r)/float64(step), -180+float64(c)/float64(step)
		d, la, lo, ok := ix.nearest(lat, lon, ExactRadiusKm)
		if !ok {
			dist[i] = math.Inf(1)
			continue
		}
		dist[i], nlat[i], nlon[i] = d, la, lo
		pq.items = append(pq.items, heapItem{int32(i), d})
	}
	heap.Init(pq)
	done := make([]bool, n)
	for pq.Len() > 0 {
		i := int(heap.Pop(pq).(heapItem).i)
		if done[i] {
			continue
		}
		done[i] = true
		r, c := i/cols, i%cols
		for dr := -1; dr <= 1; dr++ {
			for dc := -1; dc <= 1; dc++ {
				rr, cc := r+dr, (c+dc+cols)%cols
				if rr < 0 || rr >= rows || (dr == 0 && dc == 0) {
					continue
				}
				j := rr*cols + cc
				if done[j] {
					continue
				}
				lat, lon := -90+float64(rr)/float64(step), -180+float64(cc)/float64(step)
				d := geo.DistanceM(lat, lon, nlat[i], nlon[i]) / 1000
				if d < dist[j] {
					dist[j], nlat[j], nlon[j] = d, nlat[i], nlon[i]
					heap.Push(pq, heapItem{int32(j), d})
				}
			}
		}
	}
	out := make([]uint16, n)
	for i, d := range dist {
		if math.IsInf(d, 1) {
			d = 65535 // no coastline at all (an empty region)
		}
		out[i] = uint16(math.Min(65535, math.Round(d)))
	}
	return out
}

// heapItem is a field node and its distance when queued (lazy deletion:
// stale entries are skipped when popped).
type heapItem struct {
	i int32
	d float64
}

type nodeHeap struct{ items []heapItem }

func (h *nodeHeap) Len() int           { return len(h.items) }
func (h *nodeHeap) Less(i, j int) bool { return h.items[i].d < h.items[j].d }
func (h *nodeHeap) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *nodeHeap) Push(x any)         { h.items = append(h.items, x.(heapItem)) }
func (h *nodeHeap) Pop() any {
	x := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return x
}
