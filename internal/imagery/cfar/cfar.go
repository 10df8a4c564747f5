// Package cfar finds ships in a one-band SAR intensity image with a
// cell-averaging constant-false-alarm-rate (CA-CFAR) detector.
//
// Each sea pixel is compared with the mean of a square background ring
// around it: the cells within BackgroundRadius but outside GuardRadius
// (the guard keeps the ship's own pixels out of its background). The sums
// come from integral images built per strip of rows, so the cost per
// pixel is constant whatever the window size, and strips run in parallel.
//
// Clutter model: multi-look intensity with L looks is gamma distributed,
// X ~ Γ(L, μ/L) (L = 1: single-look, exponential). With N background
// cells the ratio of a clutter pixel to the background mean follows an F
// distribution with (2L, 2NL) degrees of freedom, so the threshold
// multiplier for a false-alarm probability Pfa is exactly that
// distribution's 1-Pfa quantile (for L = 1 it reduces to the classic
// N(Pfa^(-1/N) - 1)). Real sea clutter has heavier tails than gamma
// (K-distributed at high resolution), so the measured false-alarm rate on
// real scenes is higher than Pfa; Looks should be the scene's equivalent
// number of looks (about 4.4 for Sentinel-1 IW GRDH).
//
// Pixels over the threshold are grouped into targets (pixels within
// MergeRadius of each other join), each with an intensity-weighted
// centroid, and a length, width and orientation from the principal axes
// of its pixels.
package cfar

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/mathext"
)

// Sentinel errors.
var (
	ErrConfig      = errors.New("cfar: bad configuration")
	ErrImage       = errors.New("cfar: bad image")
	ErrTooManyHits = errors.New("cfar: too many pixels over the threshold")
)

// Image is a one-band intensity image, row-major. NaN pixels are no-data.
type Image struct {
	W, H int
	Pix  []float32
}

// Mask marks excluded pixels (land, no-data): they are neither tested nor
// used as background.
type Mask struct {
	W, H int
	bits []uint64
}

// NewMask returns an empty mask for a w×h image.
func NewMask(w, h int) *Mask {
	return &Mask{W: w, H: h, bits: make([]uint64, (w*h+63)/64)}
}

// Set marks pixel (x, y).
func (m *Mask) Set(x, y int) { i := y*m.W + x; m.bits[i>>6] |= 1 << (i & 63) }

// Get reports whether pixel (x, y) is marked.
func (m *Mask) Get(x, y int) bool { i := y*m.W + x; return m.bits[i>>6]&(1<<(i&63)) != 0 }

// Count is the number of marked pixels.
func (m *Mask) Count() int {
	n := 0
	for _, w := range m.bits {
		for ; w != 0; w &= w - 1 {
			n++
		}
	}
	return n
}

// Config sets the detector; zero fields take the defaults.
type Config struct {
	// Pfa is the per-pixel false-alarm probability (default 1e-6).
	Pfa float64
	// Looks is the clutter's equivalent number of looks (default 1).
	Looks float64
	// GuardRadius: cells within it of the pixel are not background
	// (default 8 pixels: a 17×17 guard, a 170 m ship at 10 m pixels).
	GuardRadius int
	// BackgroundRadius is the outer edge of the background ring
	// (default 20 pixels: 41×41 window, 1 392 background cells).
	BackgroundRadius int
	// MinBackground is the smallest fraction of the ring's cells that must
	// be valid sea for a pixel to be tested (default 0.5): next to land or
	// the image edge the estimate would rest on too few cells.
	MinBackground float64
	// MergeRadius joins over-threshold pixels this close (Chebyshev
	// distance, default 2) into one target: a ship's return is speckled
	// and a few of its pixels fall below the threshold.
	MergeRadius int
	// MinPixels drops targets with fewer pixels (default 1).
	MinPixels int
	// MaxHits bounds the over-threshold pixels kept (default 2 000 000):
	// an unmasked coast or a bad calibration otherwise floods memory.
	MaxHits int
	// Workers is the number of strips processed at once (default
	// GOMAXPROCS).
	Workers int
}

func (c Config) withDefaults() (Config, error) {
	if c.Pfa == 0 {
		c.Pfa = 1e-6
	}
	if c.Looks == 0 {
		c.Looks = 1
	}
	if c.GuardRadius == 0 {
		c.GuardRadius = 8
	}
	if c.BackgroundRadius == 0 {
		c.BackgroundRadius = 20
	}
	if c.MinBackground == 0 {
		c.MinBackground = 0.5
	}
	if c.MergeRadius == 0 {
		c.MergeRadius = 2
	}
	if c.MinPixels == 0 {
		c.MinPixels = 1
	}
	if c.MaxHits == 0 {
		c.MaxHits = 2_000_000
	}
	if c.Workers <= 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	switch {
	case !(c.Pfa > 0 && c.Pfa < 0.5):
		return c, fmt.Errorf("%w: Pfa %g not in (0, 0.5)", ErrConfig, c.Pfa)
	case !(c.Looks > 0 && c.Looks < 1000):
		return c, fmt.Errorf("%w: Looks %g", ErrConfig, c.Looks)
	case c.GuardRadius < 0 || c.BackgroundRadius <= c.GuardRadius || c.BackgroundRadius > 1000:
		return c, fmt.Errorf("%w: guard radius %d, background radius %d", ErrConfig, c.GuardRadius, c.BackgroundRadius)
	case !(c.MinBackground > 0 && c.MinBackground <= 1):
		return c, fmt.Errorf("%w: MinBackground %g", ErrConfig, c.MinBackground)
	case c.MergeRadius < 1 || c.MergeRadius > 50:
		return c, fmt.Errorf("%w: MergeRadius %d", ErrConfig, c.MergeRadius)
	}
	return c, nil
}

// Multiplier is the CA-CFAR threshold multiplier: a pixel is a hit when
// its intensity exceeds Multiplier × the mean of n background cells. It is
// the 1-pfa quantile of F(2L, 2nL), computed through the regularized
// incomplete beta function: P(F > x) = I_z(nL, L) with z = 2nL/(2nL+2Lx).
func Multiplier(pfa, looks float64, n int) float64 {
	d1, d2 := 2*looks, 2*float64(n)*looks
	z := mathext.InvRegIncBeta(d2/2, d1/2, pfa)
	return d2 * (1 - z) / (d1 * z)
}

// Target is a group of over-threshold pixels.
type Target struct {
	// Col, Row: intensity-weighted centroid in raster coordinates (the
	// centre of pixel (c, r) is (c+0.5, r+0.5)).
	Col, Row float64
	Pixels   int
	Peak     float32
	// SCR is the peak over its background mean (signal-to-clutter).
	SCR float64
	// LengthPx, WidthPx: extent along and across the principal axis, in
	// pixels (a single pixel is 1 × 1).
	LengthPx, WidthPx float64
	// AxisDeg is the principal axis's direction in raster space,
	// degrees clockwise from "up" (decreasing row) in [0, 180).
	AxisDeg float64
	// Bounding box, inclusive.
	MinCol, MinRow, MaxCol, MaxRow int
}

// Result is what Detect found and how much it looked at.
type Result struct {
	Targets []Target
	// Tested is the number of pixels compared with a threshold (sea, valid,
	// enough background); Hits how many exceeded it. Hits/Tested on a
	// target-free scene estimates the false-alarm rate.
	Tested, Hits int64
	// Multiplier is the threshold multiplier for a full background ring.
	Multiplier float64
	Config     Config
}

// hit is an over-threshold pixel.
type hit struct {
	idx int
	v   float32
	bg  float32 // background mean
}

// Detect runs the detector over img with the excluded pixels of mask (nil:
// none).
func Detect(img Image, mask *Mask, cfg Config) (*Result, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if img.W <= 0 || img.H <= 0 || len(img.Pix) != img.W*img.H {
		return nil, fmt.Errorf("%w: %d×%d with %d pixels", ErrImage, img.W, img.H, len(img.Pix))
	}
	if mask != nil && (mask.W != img.W || mask.H != img.H) {
		return nil, fmt.Errorf("%w: mask %d×%d for image %d×%d", ErrImage, mask.W, mask.H, img.W, img.H)
	}
	B, G := cfg.BackgroundRadius, cfg.GuardRadius
	full := (2*B+1)*(2*B+1) - (2*G+1)*(2*G+1)
	minN := int(math.Ceil(cfg.MinBackground * float64(full)))
	if minN < 1 {
		minN = 1
	}
	// Thresholds for every background count that can occur.
	alpha := make([]float64, full+1)
	for n := minN; n <= full; n++ {
		alpha[n] = Multiplier(cfg.Pfa, cfg.Looks, n)
	}
	const strip = 128
	nStrips := (img.H + strip - 1) / strip
	type stripOut struct {
		hits     []hit
		tested   int64
		overflow bool
	}
	outs := make([]stripOut, nStrips)
	var next int
	var mu sync.Mutex
	var total int64
	var wg sync.WaitGroup
	for w := 0; w < cfg.Workers && w < nStrips; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var s scratch
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= nStrips {
					return
				}
				y0, y1 := i*strip, min((i+1)*strip, img.H)
				o := &outs[i]
				o.hits, o.tested = s.run(img, mask, y0, y1, B, G, minN, alpha)
				mu.Lock()
				total += int64(len(o.hits))
				if total > int64(cfg.MaxHits) {
					next = nStrips
					o.overflow = true
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	res := &Result{Multiplier: alpha[full], Config: cfg}
	var hits []hit
	for _, o := range outs {
		if o.overflow {
			return nil, fmt.Errorf("%w: more than %d (Pfa %g): land not masked, or the image is not calibrated intensity?", ErrTooManyHits, cfg.MaxHits, cfg.Pfa)
		}
		res.Tested += o.tested
		hits = append(hits, o.hits...)
	}
	res.Hits = int64(len(hits))
	res.Targets = group(hits, img.W, cfg.MergeRadius, cfg.MinPixels)
	return res, nil
}

// scratch holds one worker's integral images, reused across strips.
type scratch struct {
	sum []float64
	cnt []int32
}

// run tests rows [y0, y1). It builds integral images over the rows
// [y0-B, y1+B) clipped to the image: sum and count of valid pixels.
func (s *scratch) run(img Image, mask *Mask, y0, y1, B, G, minN int, alpha []float64) ([]hit, int64) {
	W := img.W
	b0, b1 := max(y0-B, 0), min(y1+B, img.H)
	rows := b1 - b0
	stride := W + 1
	need := (rows + 1) * stride
	if cap(s.sum) < need {
		s.sum = make([]float64, need)
		s.cnt = make([]int32, need)
	}
	sum, cnt := s.sum[:need], s.cnt[:need]
	for x := 0; x <= W; x++ {
		sum[x], cnt[x] = 0, 0
	}
	for r := 0; r < rows; r++ {
		y := b0 + r
		row := img.Pix[y*W : (y+1)*W]
		prevS, prevC := sum[r*stride:(r+1)*stride], cnt[r*stride:(r+1)*stride]
		curS, curC := sum[(r+1)*stride:(r+2)*stride], cnt[(r+1)*stride:(r+2)*stride]
		curS[0], curC[0] = 0, 0
		var rs float64
		var rc int32
		for x, v := range row {
			if v == v && (mask == nil || !mask.Get(x, y)) { // v == v: not NaN
				rs += float64(v)
				rc++
			}
			curS[x+1] = prevS[x+1] + rs
			curC[x+1] = prevC[x+1] + rc
		}
	}
	var hits []hit
	var tested int64
	for y := y0; y < y1; y++ {
		// Window rows in integral coordinates (relative to b0).
		oy0, oy1 := max(y-B, 0)-b0, min(y+B+1, img.H)-b0
		gy0, gy1 := max(y-G, 0)-b0, min(y+G+1, img.H)-b0
		so0, so1 := sum[oy0*stride:], sum[oy1*stride:]
		sg0, sg1 := sum[gy0*stride:], sum[gy1*stride:]
		co0, co1 := cnt[oy0*stride:], cnt[oy1*stride:]
		cg0, cg1 := cnt[gy0*stride:], cnt[gy1*stride:]
		row := img.Pix[y*W : (y+1)*W]
		for x, v := range row {
			if v != v || mask != nil && mask.Get(x, y) {
				continue
			}
			ox0, ox1 := max(x-B, 0), min(x+B+1, W)
			gx0, gx1 := max(x-G, 0), min(x+G+1, W)
			n := int(co1[ox1]-co1[ox0]-co0[ox1]+co0[ox0]) - int(cg1[gx1]-cg1[gx0]-cg0[gx1]+cg0[gx0])
			if n < minN {
				continue
			}
			tested++
			bs := so1[ox1] - so1[ox0] - so0[ox1] + so0[ox0] - (sg1[gx1] - sg1[gx0] - sg0[gx1] + sg0[gx0])
			if float64(v)*float64(n) > alpha[n]*bs {
				hits = append(hits, hit{idx: y*W + x, v: v, bg: float32(bs / float64(n))})
			}
		}
	}
	return hits, tested
}

// group joins hits within radius r of each other (hits are in row-major
// order) and measures each group.
func group(hits []hit, W, r, minPixels int) []Target {
	if len(hits) == 0 {
		return nil
	}
	// Union-find over hits; neighbours found through a map from pixel
	// index to hit, which stays small because hits are sparse.
	at := make(map[int]int, len(hits))
	for i, h := range hits {
		at[h.idx] = i
	}
	parent := make([]int, len(hits))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for i, h := range hits {
		x, y := h.idx%W, h.idx/W
		// Only look back (earlier rows, or this row to the left): every
		// pair is seen once.
		for dy := -r; dy <= 0; dy++ {
			for dx := -r; dx <= r; dx++ {
				if dy == 0 && dx >= 0 {
					break
				}
				nx := x + dx
				if nx < 0 || nx >= W || y+dy < 0 {
					continue
				}
				if j, ok := at[(y+dy)*W+nx]; ok {
					a, b := find(i), find(j)
					if a != b {
						parent[a] = b
					}
				}
			}
		}
	}
	members := map[int][]int{}
	var roots []int
	for i := range hits {
		root := find(i)
		if _, ok := members[root]; !ok {
			roots = append(roots, root)
		}
		members[root] = append(members[root], i)
	}
	var out []Target
	for _, root := range roots {
		m := members[root]
		if len(m) < minPixels {
			continue
		}
		out = append(out, measure(hits, m, W))
	}
	return out
}

func measure(hits []hit, m []int, W int) Target {
	t := Target{Pixels: len(m), MinCol: math.MaxInt, MinRow: math.MaxInt, MaxCol: -1, MaxRow: -1}
	var sw, sx, sy, mx, my float64
	var bgPeak float32
	for _, i := range m {
		h := hits[i]
		x, y := float64(h.idx%W)+0.5, float64(h.idx/W)+0.5
		w := float64(h.v)
		sw += w
		sx += w * x
		sy += w * y
		mx += x
		my += y
		if h.v > t.Peak {
			t.Peak, bgPeak = h.v, h.bg
		}
		t.MinCol, t.MaxCol = min(t.MinCol, h.idx%W), max(t.MaxCol, h.idx%W)
		t.MinRow, t.MaxRow = min(t.MinRow, h.idx/W), max(t.MaxRow, h.idx/W)
	}
	t.Col, t.Row = sx/sw, sy/sw
	if bgPeak > 0 {
		t.SCR = float64(t.Peak) / float64(bgPeak)
	}
	// Principal axes of the pixel positions (unweighted: shape, not
	// brightness).
	n := float64(len(m))
	mx, my = mx/n, my/n
	var cxx, cyy, cxy float64
	for _, i := range m {
		x, y := float64(hits[i].idx%W)+0.5-mx, float64(hits[i].idx/W)+0.5-my
		cxx += x * x
		cyy += y * y
		cxy += x * y
	}
	phi := 0.5 * math.Atan2(2*cxy, cxx-cyy) // from +col toward +row
	ux, uy := math.Cos(phi), math.Sin(phi)
	lo, hi, wlo, whi := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, i := range m {
		x, y := float64(hits[i].idx%W)+0.5-mx, float64(hits[i].idx/W)+0.5-my
		a := x*ux + y*uy
		b := -x*uy + y*ux
		lo, hi = math.Min(lo, a), math.Max(hi, a)
		wlo, whi = math.Min(wlo, b), math.Max(whi, b)
	}
	// A pixel's own extent along a direction at angle phi is
	// |cos|+|sin|: add it so a single pixel measures 1 and a diagonal
	// line of n pixels measures n√2.
	ext := math.Abs(ux) + math.Abs(uy)
	t.LengthPx = hi - lo + ext
	t.WidthPx = whi - wlo + ext
	// Clockwise from up (-row): the vector (ux, uy) in (col, row) has
	// bearing atan2(ux, -uy).
	deg := math.Atan2(ux, -uy) * 180 / math.Pi
	deg = math.Mod(deg+360, 180)
	t.AxisDeg = deg
	return t
}
