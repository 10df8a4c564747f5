package imagery

import (
	"fmt"
	"log/slog"
	"math"

	"github.com/lookout-maritime/lookout/internal/imagery/cfar"
	"github.com/lookout-maritime/lookout/internal/imagery/geotiff"
)

// LandMask says whether a point is on land (internal/coast's Mask is one).
type LandMask interface {
	OnLand(lat, lon float64) bool
}

// LandFunc adapts a function to LandMask.
type LandFunc func(lat, lon float64) bool

// OnLand implements LandMask.
func (f LandFunc) OnLand(lat, lon float64) bool { return f(lat, lon) }

// DetectorName is the Source of detections DetectGeoTIFF makes.
const DetectorName = "cfar/v1"

// DetectConfig sets DetectGeoTIFF.
type DetectConfig struct {
	CFAR cfar.Config
	// Amplitude says the pixels are amplitude (Sentinel-1 GRD digital
	// numbers are): they are squared into intensity before detection.
	Amplitude bool
	// ZeroIsNoData treats 0 pixels as outside the swath (Sentinel-1 GRD
	// borders), besides the file's own no-data value.
	ZeroIsNoData bool
	// LandBlock is the block size, in pixels, at which the land mask is
	// first sampled (default 16); blocks whose corners and centre disagree
	// are resolved pixel by pixel.
	LandBlock int
	// LandBufferPx grows the land mask by this many pixels (default 2):
	// the coastline data is accurate to a few hundred metres, and piers
	// and breakwaters are bright.
	LandBufferPx int
	Limits       geotiff.Limits
	Logger       *slog.Logger
}

// DetectGeoTIFF runs the CFAR detector over a one-band SAR GeoTIFF
// registered as scene and returns the detections in geographic
// coordinates, with the detector's figures.
func DetectGeoTIFF(path string, scene Scene, land LandMask, cfg DetectConfig) ([]Detection, *cfar.Result, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	in, pix, err := geotiff.ReadFile(path, cfg.Limits)
	if err != nil {
		return nil, nil, err
	}
	if in.Geo == nil {
		return nil, nil, fmt.Errorf("%s: %w", path, in.GeoErr)
	}
	nodata := float32(in.NoData)
	hasNoData := !math.IsNaN(in.NoData)
	nan := float32(math.NaN())
	for i, v := range pix {
		switch {
		case hasNoData && v == nodata, cfg.ZeroIsNoData && v == 0:
			pix[i] = nan
		case cfg.Amplitude:
			pix[i] = v * v
		}
	}
	var mask *cfar.Mask
	if land != nil {
		mask = LandRaster(land, in.Geo, in.Width, in.Height, cfg.LandBlock)
		buf := cfg.LandBufferPx
		if buf == 0 {
			buf = 2
		}
		if buf > 0 {
			mask = dilate(mask, buf)
		}
		log.Debug("land mask", "file", path, "land_pixels", mask.Count())
	}
	res, err := cfar.Detect(cfar.Image{W: in.Width, H: in.Height, Pix: pix}, mask, cfg.CFAR)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	out := make([]Detection, 0, len(res.Targets))
	for i, t := range res.Targets {
		out = append(out, targetDetection(t, in.Geo, scene, i, res.Multiplier))
	}
	log.Info("cfar", "file", path, "tested", res.Tested, "hits", res.Hits, "targets", len(out))
	return out, res, nil
}

// targetDetection converts a raster target: position from its centroid,
// length and axis from the ends of its principal axis mapped to the
// ground.
func targetDetection(t cfar.Target, g *geotiff.Georef, scene Scene, i int, mult float64) Detection {
	lon, lat := g.LonLat(t.Col, t.Row)
	a := t.AxisDeg * math.Pi / 180
	dc, dr := math.Sin(a)*t.LengthPx/2, -math.Cos(a)*t.LengthPx/2
	lon1, lat1 := g.LonLat(t.Col-dc, t.Row-dr)
	lon2, lat2 := g.LonLat(t.Col+dc, t.Row+dr)
	wc, wr := math.Cos(a)*t.WidthPx/2, math.Sin(a)*t.WidthPx/2
	lon3, lat3 := g.LonLat(t.Col-wc, t.Row-wr)
	lon4, lat4 := g.LonLat(t.Col+wc, t.Row+wr)
	d := Detection{
		ID: fmt.Sprintf("%s/%d", DetectorName, i+1), SceneID: scene.ID, Time: scene.Acquired,
		Lat: lat, Lon: lon, Source: DetectorName, Col: t.Col, Row: t.Row, SCR: t.SCR,
		LengthM: roundTo(distance(lat1, lon1, lat2, lon2), 0.1),
		WidthM:  roundTo(distance(lat3, lon3, lat4, lon4), 0.1),
		AxisDeg: math.Round(math.Mod(bearing(lat1, lon1, lat2, lon2)+360, 180)*10) / 10,
	}
	// Confidence grows with how far the peak clears the threshold: at the
	// threshold 0.5, 3 dB above 0.75, 10 dB above about 0.99; a one-pixel
	// target is discounted (it may be a sidelobe or a clutter spike).
	margin := 10 * math.Log10(t.SCR/mult)
	c := 1 / (1 + math.Exp(-margin/2.2))
	if t.Pixels == 1 {
		c *= 0.7
	}
	d.Confidence = math.Round(c*1000) / 1000
	return d
}

func distance(lat1, lon1, lat2, lon2 float64) float64 {
	const r, rad = 6371008.8, math.Pi / 180
	s1 := math.Sin((lat2 - lat1) * rad / 2)
	s2 := math.Sin((lon2 - lon1) * rad / 2)
	h := s1*s1 + math.Cos(lat1*rad)*math.Cos(lat2*rad)*s2*s2
	return 2 * r * math.Asin(math.Sqrt(math.Min(h, 1)))
}

// bearing is the initial great-circle bearing, degrees true.
func bearing(lat1, lon1, lat2, lon2 float64) float64 {
	const rad = math.Pi / 180
	y := math.Sin((lon2-lon1)*rad) * math.Cos(lat2*rad)
	x := math.Cos(lat1*rad)*math.Sin(lat2*rad) - math.Sin(lat1*rad)*math.Cos(lat2*rad)*math.Cos((lon2-lon1)*rad)
	return math.Atan2(y, x) / rad
}

// LandRaster samples a land mask on a raster: at the corners and centre
// of block×block blocks first, pixel by pixel only where they disagree, so
// a scene of open sea or inland costs a few calls per block.
func LandRaster(land LandMask, g *geotiff.Georef, w, h, block int) *cfar.Mask {
	if block <= 0 {
		block = 16
	}
	m := cfar.NewMask(w, h)
	on := func(c, r float64) bool {
		lon, lat := g.LonLat(c, r)
		return land.OnLand(lat, lon)
	}
	for by := 0; by < h; by += block {
		for bx := 0; bx < w; bx += block {
			x1, y1 := min(bx+block, w), min(by+block, h)
			c0 := on(float64(bx)+0.5, float64(by)+0.5)
			same := c0 == on(float64(x1)-0.5, float64(by)+0.5) && c0 == on(float64(bx)+0.5, float64(y1)-0.5) &&
				c0 == on(float64(x1)-0.5, float64(y1)-0.5) && c0 == on(float64(bx+x1)/2, float64(by+y1)/2)
			for y := by; y < y1; y++ {
				for x := bx; x < x1; x++ {
					if same && c0 || !same && on(float64(x)+0.5, float64(y)+0.5) {
						m.Set(x, y)
					}
				}
			}
		}
	}
	return m
}

// dilate grows a mask by r pixels (square structuring element), in two
// separable passes.
func dilate(m *cfar.Mask, r int) *cfar.Mask {
	tmp := cfar.NewMask(m.W, m.H)
	for y := 0; y < m.H; y++ {
		last := -1 << 30 // column of the latest set pixel seen
		for x := 0; x < m.W+r; x++ {
			if x < m.W && m.Get(x, y) {
				last = x
			}
			// Pixel x-r is within r of a set pixel on its left or right.
			if t := x - r; t >= 0 && x-last <= 2*r {
				tmp.Set(t, y)
			}
		}
	}
	out := cfar.NewMask(m.W, m.H)
	for x := 0; x < m.W; x++ {
		last := -1 << 30
		for y := 0; y < m.H+r; y++ {
			if y < m.H && tmp.Get(x, y) {
				last = y
			}
			if t := y - r; t >= 0 && y-last <= 2*r {
				out.Set(x, t)
			}
		}
	}
	return out
}
