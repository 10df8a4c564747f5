package imagery

import (
	"fmt"
	"image"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
)

// RenderShip is a vessel to draw.
type RenderShip struct {
	Lat, Lon        float64
	LengthM, WidthM float64 // width 0: a sixth of the length
	HeadingDeg      float64 // bow direction, degrees true
}

// RenderSpec describes a synthetic photo: a grey, north-up image of the
// box Bounds (west, south, east, north) with land from Land and ships.
type RenderSpec struct {
	Bounds        [4]float64
	Width, Height int
	Land          LandMask // nil: all sea
	Ships         []RenderShip
	Seed          uint64
}

// Render draws a synthetic harbour photo for evidence in the demo and
// tests: textured sea, brighter land, and each ship as a bright hull with
// a pointed bow and a dark shadow on its starboard side. It is an
// illustration, not imagery: callers must label it synthetic.
func Render(spec RenderSpec) (*image.Gray, error) {
	w, h := spec.Width, spec.Height
	b := spec.Bounds
	if w <= 0 || h <= 0 || w*h > 64<<20 {
		return nil, fmt.Errorf("%w: render size %d×%d", ErrFormat, w, h)
	}
	if !(b[0] < b[2] && b[1] < b[3]) {
		return nil, fmt.Errorf("%w: render bounds %v", ErrFormat, b)
	}
	img := image.NewGray(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(spec.Seed, 7))
	lonPerPx, latPerPx := (b[2]-b[0])/float64(w), (b[3]-b[1])/float64(h)
	for y := 0; y < h; y++ {
		lat := b[3] - (float64(y)+0.5)*latPerPx
		for x := 0; x < w; x++ {
			lon := b[0] + (float64(x)+0.5)*lonPerPx
			v := 62 + 6*math.Sin(float64(x)/9+float64(y)/23) + 4*rng.NormFloat64()
			if spec.Land != nil && spec.Land.OnLand(lat, lon) {
				v = 160 + 25*math.Sin(float64(x)/17)*math.Cos(float64(y)/13) + 10*rng.NormFloat64()
			}
			img.Pix[y*img.Stride+x] = clamp8(v)
		}
	}
	midLat := (b[1] + b[3]) / 2
	mPerPxX := lonPerPx * 111320 * math.Cos(midLat*math.Pi/180)
	mPerPxY := latPerPx * 111320
	for _, s := range spec.Ships {
		cx, cy := (s.Lon-b[0])/lonPerPx, (b[3]-s.Lat)/latPerPx
		L := s.LengthM
		W := s.WidthM
		if W <= 0 {
			W = L / 6
		}
		a := s.HeadingDeg * math.Pi / 180
		ux, uy := math.Sin(a), -math.Cos(a) // bow direction in image x, y (metres)
		r := (L/2 + W) / math.Min(mPerPxX, mPerPxY)
		for y := int(cy - r - 1); y <= int(cy+r+1); y++ {
			for x := int(cx - r - 1); x <= int(cx+r+1); x++ {
				if x < 0 || y < 0 || x >= w || y >= h {
					continue
				}
				px, py := (float64(x)+0.5-cx)*mPerPxX, (float64(y)+0.5-cy)*mPerPxY
				along, across := px*ux+py*uy, -px*uy+py*ux
				half := W / 2
				if along > L/2-W { // the bow narrows to a point
					half = W / 2 * (L/2 - along) / W
				}
				switch {
				case math.Abs(along) <= L/2 && math.Abs(across) <= half:
					v := 225 + 12*rng.NormFloat64()
					if math.Abs(along) < L/8 && math.Abs(across) < half/2 {
						v = 250 // superstructure
					}
					img.Pix[y*img.Stride+x] = clamp8(v)
				case math.Abs(along) <= L/2 && across > half && across <= half+W/3:
					img.Pix[y*img.Stride+x] = clamp8(35 + 5*rng.NormFloat64()) // shadow
				}
			}
		}
	}
	return img, nil
}

// RenderPNG writes Render's image as PNG.
func RenderPNG(w io.Writer, spec RenderSpec) error {
	img, err := Render(spec)
	if err != nil {
		return err
	}
	return png.Encode(w, img)
}

func clamp8(v float64) uint8 {
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return uint8(v)
}
