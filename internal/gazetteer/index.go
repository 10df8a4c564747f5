package gazetteer

import (
	"math"

	"github.com/lookout-maritime/lookout/internal/detect"
	"github.com/lookout-maritime/lookout/internal/geo"
)

// grid is a 1° latitude × 1° longitude bucket index of points, stored
// compressed (CSR): the points of cell c are idx[start[c]:start[c+1]]. A
// query reads the few cells its bounding box covers, wrapping longitude
// across ±180 and taking whole rows near the poles, then checks each
// candidate's great-circle distance. A dense offset array makes a cell
// lookup two loads; 180×360 cells cost 260 kB, whatever the number of
// places.
type grid struct {
	start []uint32 // len cells+1
	idx   []int32
}

const (
	gridRows  = 180
	gridCols  = 360
	gridCells = gridRows * gridCols
	// kmPerDeg is the length of a degree of great circle on the sphere
	// internal/geo uses.
	kmPerDeg = geo.EarthRadiusM / 1000 * math.Pi / 180
)

func cellRow(lat float64) int {
	r := int(math.Floor(lat)) + 90
	return min(max(r, 0), gridRows-1)
}

func cellCol(lon float64) int {
	c := int(math.Floor(lon)) + 180
	c %= gridCols
	if c < 0 {
		c += gridCols
	}
	return c
}

func normLon(lon float64) float64 {
	if lon >= -180 && lon <= 180 {
		return lon
	}
	lon = math.Mod(lon+180, 360)
	if lon < 0 {
		lon += 360
	}
	return lon - 180
}

func newGrid(pts []detect.Place) grid {
	g := grid{start: make([]uint32, gridCells+1), idx: make([]int32, len(pts))}
	cells := make([]int32, len(pts))
	for i, p := range pts {
		c := cellRow(p.Lat)*gridCols + cellCol(normLon(p.Lon))
		cells[i] = int32(c)
		g.start[c+1]++
	}
	for c := 1; c <= gridCells; c++ {
		g.start[c] += g.start[c-1]
	}
	fill := make([]uint32, gridCells)
	copy(fill, g.start[:gridCells])
	for i, c := range cells {
		g.idx[fill[c]] = int32(i)
		fill[c]++
	}
	return g
}

// within returns the points at most km from (lat, lon).
func (g *grid) within(pts []detect.Place, lat, lon, km float64) []detect.Place {
	if len(pts) == 0 || math.IsNaN(lat) || math.IsNaN(lon) || math.IsInf(lon, 0) || math.IsNaN(km) || km < 0 {
		return nil
	}
	lat = math.Max(-90, math.Min(90, lat))
	lon = normLon(lon)
	// A hair of slack so a place exactly km away is not lost to rounding.
	limitM := km*1000 + 1e-6
	var out []detect.Place
	check := func(i int32) {
		p := &pts[i]
		if geo.DistanceM(lat, lon, p.Lat, p.Lon) <= limitM {
			out = append(out, *p)
		}
	}
	r := km / kmPerDeg // angular radius, degrees
	if r >= 90 {
		for i := range pts {
			check(int32(i))
		}
		return out
	}
	row0, row1 := cellRow(lat-r), cellRow(lat+r)
	// The longitude half-width of a spherical cap of angular radius r
	// centred at latitude φ is asin(sin r / cos φ); a cap reaching a pole
	// spans every longitude.
	cols := gridCols
	var col0 int
	if lat+r < 90 && lat-r > -90 {
		s := math.Sin(r*math.Pi/180) / math.Cos(lat*math.Pi/180)
		if s < 1 {
			dlon := math.Asin(s)*180/math.Pi*1.0001 + 1e-9
			if w := cellCol(lon+dlon) - cellCol(lon-dlon); 2*dlon < 359 {
				col0 = cellCol(lon - dlon)
				if w < 0 {
					w += gridCols
				}
				cols = w + 1
			}
		}
	}
	// A wide query touches more cells than there are points: scan them all.
	if (row1-row0+1)*cols > len(pts) {
		for i := range pts {
			check(int32(i))
		}
		return out
	}
	for row := row0; row <= row1; row++ {
		base := row * gridCols
		for k := 0; k < cols; k++ {
			c := base + (col0+k)%gridCols
			for _, i := range g.idx[g.start[c]:g.start[c+1]] {
				check(i)
			}
		}
	}
	return out
}
