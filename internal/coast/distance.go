package coast

import (
	"math"

	"github.com/lookout-maritime/lookout/internal/geo"
)

// kmPerDeg is the length of one degree of a great circle, in km.
const kmPerDeg = geo.EarthRadiusM / 1000 * math.Pi / 180

// nearest finds the coastline point nearest to (lat, lon) within about
// maxKm, searching boxes of doubling size in the sub-cell grid. Distances
// are compared in a local equirectangular projection centred on the query
// (good to a fraction of a percent over the distances searched); the
// returned distance is the great-circle distance to the point found.
func (ix *index) nearest(lat, lon, maxKm float64) (km float64, nlat, nlon float64, ok bool) {
	n := ix.cfg.SubCells
	cols, rows := 360*n, 180*n
	cellDeg := 1 / float64(n)
	lon = wrapLon(lon)
	lat = math.Max(-90, math.Min(90, lat))
	cosLat := math.Cos(lat * math.Pi / 180)
	kx := math.Max(kmPerDeg*cosLat, 1e-6)
	ky := kmPerDeg
	posX := (lon + 180) * float64(n)
	posY := (lat + 90) * float64(n)
	pc, pr := int(posX), int(posY)
	fx, fy := posX-float64(pc), posY-float64(pr)
	pr = min(pr, rows-1)

	best2 := math.Inf(1)
	var bx, by float64 // best point, in degrees relative to the query (x unwrapped)
	// Box already scanned, in sub-cell offsets from (pc, pr): none yet.
	doneC, doneR := -1, -1
	for r := 16.0; ; r *= 2 {
		hc := int(math.Ceil(r/(kx*cellDeg))) + 1
		hr := int(math.Ceil(r/(ky*cellDeg))) + 1
		allCols := 2*hc+1 >= cols
		if allCols {
			hc = cols/2 + 1
		}
		for dr := -hr; dr <= hr; dr++ {
			row := pr + dr
			if row < 0 || row >= rows {
				continue
			}
			// Lower bound on the distance to this row of cells.
			var ly float64
			switch {
			case dr > 0:
				ly = (float64(dr) - fy) * cellDeg * ky
			case dr < 0:
				ly = (fy - float64(dr+1)) * cellDeg * ky
			}
			if ly*ly >= best2 {
				continue
			}
			c0, c1 := -hc, hc
			if allCols {
				c0, c1 = -cols/2, cols/2-1
			}
			for dc := c0; dc <= c1; dc++ {
				if dr >= -doneR && dr <= doneR && dc >= -doneC && dc <= doneC {
					continue
				}
				col := ((pc+dc)%cols + cols) % cols
				b := (row/n)*blockCols + col/n
				if ix.top[b]&tagMask != tagMixed {
					// Skip the rest of this empty block's columns.
					skip := n - 1 - col%n
					dc += skip
					continue
				}
				var lx float64
				switch {
				case dc > 0:
					lx = (float64(dc) - fx) * cellDeg * kx
				case dc < 0:
					lx = (fx - float64(dc+1)) * cellDeg * kx
				}
				if lx*lx+ly*ly >= best2 {
					continue
				}
				bi := ix.block(b)
				slot := (row%n)*n + col%n
				for _, s := range bi.subSegs[bi.subStart[slot]:bi.subStart[slot+1]] {
					ax := wrapLon(float64(ix.vx[s])/unitsPerDeg-lon) * kx
					ay := (float64(ix.vy[s])/unitsPerDeg - lat) * ky
					bxk := wrapLon(float64(ix.vx[s+1])/unitsPerDeg-lon) * kx
					byk := (float64(ix.vy[s+1])/unitsPerDeg - lat) * ky
					// Closest point of segment a–b to the origin.
					dx, dy := bxk-ax, byk-ay
					t := 0.0
					if l2 := dx*dx + dy*dy; l2 > 0 {
						t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l2))
					}
					qx, qy := ax+t*dx, ay+t*dy
					if d2 := qx*qx + qy*qy; d2 < best2 {
						best2, bx, by = d2, qx/kx, qy/ky
					}
				}
			}
		}
		if best2 <= r*r || allCols && hr >= rows {
			break
		}
		if r >= maxKm {
			return 0, 0, 0, false
		}
		doneC, doneR = hc, hr
		if allCols {
			doneC = cols
		}
	}
	if math.IsInf(best2, 1) {
		return 0, 0, 0, false
	}
	nlat, nlon = lat+by, wrapLon(lon+bx)
	return geo.DistanceM(lat, lon, nlat, nlon) / 1000, nlat, nlon, true
}
