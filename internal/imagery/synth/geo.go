package synth

import (
	"fmt"
	"io"
	"math"
	"time"

	"github.com/lookout-maritime/lookout/internal/imagery/geotiff"
	"github.com/lookout-maritime/lookout/internal/imagery/proj"
)

// GeoShip is a ship placed on the earth.
type GeoShip struct {
	Lat, Lon        float64
	LengthM, WidthM float64 // width 0: a sixth of the length
	HeadingDeg      float64 // degrees true
	SCRdB           float64 // 0: 10 dB
}

// GeoScene is a synthetic SAR scene centred on a point, in the WGS84 UTM
// zone of its centre, north-up.
type GeoScene struct {
	CentreLat, CentreLon float64
	W, H                 int
	PixelM               float64 // default 10 (Sentinel-1 GRDH)
	Looks                int     // default 4
	Mean                 float64
	Seed                 uint64
	// Land, when set, says which points are land.
	Land     func(lat, lon float64) bool
	Ships    []GeoShip
	Acquired time.Time // written to the DateTime tag when set
}

// WriteSARScene draws the scene and writes it as a 16-bit GeoTIFF. It
// returns the georeferencing and the ships in raster terms (the ground
// truth a detector should recover).
func WriteSARScene(w io.Writer, s GeoScene) (*geotiff.Georef, []Ship, error) {
	if s.PixelM == 0 {
		s.PixelM = 10
	}
	if s.Looks == 0 {
		s.Looks = 4
	}
	if !(s.CentreLat > -80 && s.CentreLat < 84) || !(s.CentreLon >= -180 && s.CentreLon <= 180) || !(s.PixelM > 0) {
		return nil, nil, fmt.Errorf("synth: scene centre %v,%v, pixel %v m", s.CentreLat, s.CentreLon, s.PixelM)
	}
	zone := int(math.Floor((s.CentreLon+180)/6)) + 1
	if zone > 60 {
		zone = 60
	}
	code := 32600 + zone
	if s.CentreLat < 0 {
		code = 32700 + zone
	}
	p, err := proj.ForEPSG(code)
	if err != nil {
		return nil, nil, err
	}
	cx, cy := p.FromLonLat(s.CentreLon, s.CentreLat)
	x0 := math.Round(cx - float64(s.W)/2*s.PixelM)
	y0 := math.Round(cy + float64(s.H)/2*s.PixelM)
	g := &geotiff.Georef{EPSG: code, Proj: p, GeoTransform: [6]float64{x0, s.PixelM, 0, y0, 0, -s.PixelM}}
	var ships []Ship
	for _, gs := range s.Ships {
		col, row := g.Pixel(gs.Lon, gs.Lat)
		// The heading in raster space: map a point 100 m ahead (grid
		// convergence makes grid north differ from true north).
		la, lo := ahead(gs.Lat, gs.Lon, gs.HeadingDeg, 100)
		c2, r2 := g.Pixel(lo, la)
		axis := math.Mod(math.Atan2(c2-col, -(r2-row))*180/math.Pi+360, 360)
		wm := gs.WidthM
		if wm == 0 {
			wm = gs.LengthM / 6
		}
		scr := gs.SCRdB
		if scr == 0 {
			scr = 10
		}
		ships = append(ships, Ship{Col: col, Row: row, LengthPx: gs.LengthM / s.PixelM, WidthPx: wm / s.PixelM, AxisDeg: axis, SCRdB: scr})
	}
	cfg := SARConfig{W: s.W, H: s.H, Looks: s.Looks, Mean: s.Mean, Seed: s.Seed, Ships: ships}
	if s.Land != nil {
		cfg.Land = func(c, r int) bool {
			lon, lat := g.LonLat(float64(c)+0.5, float64(r)+0.5)
			return s.Land(lat, lon)
		}
	}
	pix, _, err := SAR(cfg)
	if err != nil {
		return nil, nil, err
	}
	err = WriteGeoTIFF(w, pix, s.W, s.H, geotiff.WriteOptions{EPSG: code, GeoTransform: g.GeoTransform, DateTime: s.Acquired})
	return g, ships, err
}

func ahead(lat, lon, brg, d float64) (float64, float64) {
	const r, rad = 6371008.8, math.Pi / 180
	a := d / r
	p1, l1, t := lat*rad, lon*rad, brg*rad
	p2 := math.Asin(math.Sin(p1)*math.Cos(a) + math.Cos(p1)*math.Sin(a)*math.Cos(t))
	l2 := l1 + math.Atan2(math.Sin(t)*math.Sin(a)*math.Cos(p1), math.Cos(a)-math.Sin(p1)*math.Sin(p2))
	return p2 / rad, l2 / rad
}
