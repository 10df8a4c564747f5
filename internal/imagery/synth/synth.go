// Package synth makes synthetic imagery with known ground truth for tests
// and the demo: SAR intensity scenes of speckled gamma sea clutter, bright
// textured land and ships of known size, heading and brightness, written
// as real GeoTIFFs.
package synth

import (
	"fmt"
	"image"
	"io"
	"math"
	"math/rand/v2"

	"github.com/lookout-maritime/lookout/internal/imagery/geotiff"
)

// Ship is a ship to draw: a rectangle in raster coordinates.
type Ship struct {
	Col, Row          float64 // centre; pixel (c, r) spans [c, c+1)×[r, r+1)
	LengthPx, WidthPx float64
	// AxisDeg is the bow direction in raster space, clockwise from up.
	AxisDeg float64
	// SCRdB is the ship's mean intensity over the sea clutter mean, in dB.
	SCRdB float64
}

// SARConfig describes a scene.
type SARConfig struct {
	W, H int
	// Looks is the clutter's number of looks, an integer (default 1).
	Looks int
	// Mean is the mean sea intensity (default 100).
	Mean float64
	Seed uint64
	// Land reports whether pixel (col, row) is land; nil: all sea. Land is
	// drawn 9 dB brighter than sea with a coarse texture, so a detector
	// that does not mask it fires there.
	Land  func(col, row int) bool
	Ships []Ship
	// NoShipSpeckle draws ships at their mean intensity; by default ship
	// pixels are speckled like the sea.
	NoShipSpeckle bool
}

// SAR draws the scene. It returns the intensity pixels (row-major) and the
// land mask as a bool per pixel.
func SAR(c SARConfig) (pix []float32, land []bool, err error) {
	if c.W <= 0 || c.H <= 0 || int64(c.W)*int64(c.H) > 400_000_000 {
		return nil, nil, fmt.Errorf("synth: scene of %d×%d pixels", c.W, c.H)
	}
	if c.Looks <= 0 {
		c.Looks = 1
	}
	if c.Mean <= 0 {
		c.Mean = 100
	}
	rng := rand.New(rand.NewPCG(c.Seed, c.Seed^0x9e3779b97f4a7c15))
	speckle := func() float64 {
		s := 0.0
		for i := 0; i < c.Looks; i++ {
			s += rng.ExpFloat64()
		}
		return s / float64(c.Looks)
	}
	pix = make([]float32, c.W*c.H)
	land = make([]bool, c.W*c.H)
	for y := 0; y < c.H; y++ {
		for x := 0; x < c.W; x++ {
			m := c.Mean
			if c.Land != nil && c.Land(x, y) {
				land[y*c.W+x] = true
				// Texture: fields and slopes vary over tens of pixels.
				m *= 8 * (1 + 0.5*math.Sin(float64(x)/13)*math.Cos(float64(y)/17))
			}
			pix[y*c.W+x] = float32(m * speckle())
		}
	}
	for _, s := range c.Ships {
		drawShip(pix, c.W, c.H, s, c.Mean, c.NoShipSpeckle, speckle)
	}
	return pix, land, nil
}

// drawShip replaces the pixels a ship covers by its return, scaled by the
// fraction of the pixel covered (4×4 sub-samples) mixed with the clutter.
func drawShip(pix []float32, W, H int, s Ship, mean float64, flat bool, speckle func() float64) {
	a := s.AxisDeg * math.Pi / 180
	ux, uy := math.Sin(a), -math.Cos(a) // bow direction in (col, row)
	r := math.Hypot(s.LengthPx, s.WidthPx)/2 + 1
	level := mean * math.Pow(10, s.SCRdB/10)
	for y := int(s.Row - r); y <= int(s.Row+r); y++ {
		for x := int(s.Col - r); x <= int(s.Col+r); x++ {
			if x < 0 || y < 0 || x >= W || y >= H {
				continue
			}
			in := 0
			for sy := 0; sy < 4; sy++ {
				for sx := 0; sx < 4; sx++ {
					px, py := float64(x)+(float64(sx)+0.5)/4-s.Col, float64(y)+(float64(sy)+0.5)/4-s.Row
					along, across := px*ux+py*uy, -px*uy+py*ux
					if math.Abs(along) <= s.LengthPx/2 && math.Abs(across) <= s.WidthPx/2 {
						in++
					}
				}
			}
			if in == 0 {
				continue
			}
			f := float64(in) / 16
			v := level
			if !flat {
				v *= speckle()
			}
			i := y*W + x
			pix[i] = float32(f*v + (1-f)*float64(pix[i]))
		}
	}
}

// WriteGeoTIFF writes intensity pixels as a 16-bit GeoTIFF (values
// rounded and clipped to 0–65535), deflate-compressed.
func WriteGeoTIFF(w io.Writer, pix []float32, width, height int, o geotiff.WriteOptions) error {
	if len(pix) != width*height {
		return fmt.Errorf("synth: %d pixels for %d×%d", len(pix), width, height)
	}
	img := image.NewGray16(image.Rect(0, 0, width, height))
	for i, v := range pix {
		u := math.Round(float64(v))
		if u < 0 || u != u {
			u = 0
		} else if u > 65535 {
			u = 65535
		}
		img.Pix[2*i], img.Pix[2*i+1] = byte(uint16(u)>>8), byte(uint16(u))
	}
	o.Deflate = true
	return geotiff.Write(w, img, o)
}
