package cfar

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/lookout-maritime/lookout/internal/imagery/synth"
)

func TestMultiplier(t *testing.T) {
	// Single look: the closed form N(Pfa^(-1/N) - 1).
	for _, n := range []int{8, 100, 1392} {
		for _, pfa := range []float64{1e-3, 1e-6, 1e-9} {
			want := float64(n) * (math.Pow(pfa, -1/float64(n)) - 1)
			if got := Multiplier(pfa, 1, n); math.Abs(got-want) > 1e-6*want {
				t.Errorf("n=%d pfa=%g: %v, closed form %v", n, pfa, got, want)
			}
		}
	}
	// Large N, many looks: tends to the Γ(L, 1/L) quantile; for L=4 and
	// Pfa=1e-6 that is 14.9/4 (chi-square with 8 dof at 1-1e-6: 41.6/8
	// per look... computed independently below by Monte Carlo bisection).
	m := Multiplier(1e-3, 4, 100000)
	rng := rand.New(rand.NewPCG(1, 2))
	over := 0
	const trials = 2_000_000
	for i := 0; i < trials; i++ {
		s := rng.ExpFloat64() + rng.ExpFloat64() + rng.ExpFloat64() + rng.ExpFloat64()
		if s/4 > m {
			over++
		}
	}
	if r := float64(over) / trials; r < 0.9e-3 || r > 1.1e-3 {
		t.Errorf("L=4 multiplier %v exceeded by %g of gamma samples, want 1e-3", m, r)
	}
}

// TestFalseAlarmRate: on pure clutter the hit rate is the configured Pfa
// (within a factor of two, and not far below it either).
func TestFalseAlarmRate(t *testing.T) {
	for _, looks := range []int{1, 4} {
		pix, _, err := synth.SAR(synth.SARConfig{W: 1000, H: 1000, Looks: looks, Seed: uint64(looks)})
		if err != nil {
			t.Fatal(err)
		}
		const pfa = 1e-4
		res, err := Detect(Image{1000, 1000, pix}, nil, Config{Pfa: pfa, Looks: float64(looks)})
		if err != nil {
			t.Fatal(err)
		}
		rate := float64(res.Hits) / float64(res.Tested)
		t.Logf("looks %d: %d hits in %d tested: rate %.2g (Pfa %g), %d targets", looks, res.Hits, res.Tested, rate, pfa, len(res.Targets))
		if rate > 2*pfa || rate < pfa/2 {
			t.Errorf("looks %d: false-alarm rate %.3g, configured %g", looks, rate, pfa)
		}
	}
}

type truth struct {
	synth.Ship
}

// TestDetectShips: ships 10 dB above speckled clutter beside a coast are
// found (≥ 0.9), placed within 2 pixels, measured; land is masked.
func TestDetectShips(t *testing.T) {
	const W, H = 1200, 900
	rng := rand.New(rand.NewPCG(7, 7))
	coast := func(col, row int) bool { return float64(col) > 1000+40*math.Sin(float64(row)/60) }
	var ships []synth.Ship
	for len(ships) < 60 {
		s := synth.Ship{
			Col: 40 + rng.Float64()*(900), Row: 40 + rng.Float64()*(H-80),
			LengthPx: 6 + rng.Float64()*24, WidthPx: 2 + rng.Float64()*2,
			AxisDeg: rng.Float64() * 360, SCRdB: 10,
		}
		ok := true
		for _, o := range ships {
			if math.Hypot(o.Col-s.Col, o.Row-s.Row) < 45 {
				ok = false
			}
		}
		if ok {
			ships = append(ships, s)
		}
	}
	pix, land, err := synth.SAR(synth.SARConfig{W: W, H: H, Looks: 4, Seed: 11, Land: coast, Ships: ships})
	if err != nil {
		t.Fatal(err)
	}
	mask := NewMask(W, H)
	for i, l := range land {
		if l {
			mask.Set(i%W, i/W)
		}
	}
	cfg := Config{Pfa: 1e-6, Looks: 4, GuardRadius: 16, BackgroundRadius: 26}
	res, err := Detect(Image{W, H, pix}, mask, cfg)
	if err != nil {
		t.Fatal(err)
	}
	found, lenOK, axisOK, elongated := 0, 0, 0, 0
	used := map[int]bool{}
	for _, s := range ships {
		best, bd := -1, 2.0
		for i, tg := range res.Targets {
			if d := math.Hypot(tg.Col-s.Col, tg.Row-s.Row); d <= bd {
				best, bd = i, d
			}
		}
		if best < 0 {
			continue
		}
		found++
		used[best] = true
		tg := res.Targets[best]
		if math.Abs(tg.LengthPx-s.LengthPx) <= math.Max(2, 0.2*s.LengthPx) {
			lenOK++
		}
		if s.LengthPx >= 3*s.WidthPx {
			elongated++
			d := math.Abs(math.Mod(tg.AxisDeg-s.AxisDeg+720, 180))
			if d > 90 {
				d = 180 - d
			}
			if d <= 10 {
				axisOK++
			}
		}
	}
	rate := float64(found) / float64(len(ships))
	extra := len(res.Targets) - len(used)
	t.Logf("found %d/%d (%.2f) within 2 px; length within 20%%: %d; axis within 10°: %d/%d; other targets %d; hits %d tested %d",
		found, len(ships), rate, lenOK, axisOK, elongated, extra, res.Hits, res.Tested)
	if rate < 0.9 {
		t.Errorf("detection rate %.2f < 0.9", rate)
	}
	if float64(lenOK) < 0.8*float64(found) {
		t.Errorf("length within 20%% for only %d of %d", lenOK, found)
	}
	if float64(axisOK) < 0.8*float64(elongated) {
		t.Errorf("axis within 10° for only %d of %d", axisOK, elongated)
	}
	// Expected false-alarm pixels: tested × Pfa ≈ 1; allow a few.
	if extra > 5 {
		t.Errorf("%d targets that are no ship", extra)
	}
	for _, tg := range res.Targets {
		if mask.Get(int(tg.Col), int(tg.Row)) {
			t.Errorf("target on land at %v,%v", tg.Col, tg.Row)
		}
	}
	// Without the land mask the bright land floods the detector: the hit
	// limit stops it with a clear error rather than exhausting memory.
	cfg.MaxHits = 1000
	if _, err := Detect(Image{W, H, pix}, nil, cfg); !errors.Is(err, ErrTooManyHits) {
		t.Errorf("unmasked land: %v", err)
	}
}

func TestMeasure(t *testing.T) {
	// A diagonal line of 5 pixels at 45°: length 5√2, axis 135° (down-right).
	W := 20
	var hits []hit
	for i := 0; i < 5; i++ {
		hits = append(hits, hit{idx: (3+i)*W + 3 + i, v: 10, bg: 1})
	}
	ts := group(hits, W, 1, 1)
	if len(ts) != 1 {
		t.Fatalf("%d targets", len(ts))
	}
	tg := ts[0]
	if math.Abs(tg.LengthPx-5*math.Sqrt2) > 1e-9 || math.Abs(tg.AxisDeg-135) > 1e-9 || tg.Col != 5.5 || tg.Row != 5.5 || tg.SCR != 10 {
		t.Errorf("%+v", tg)
	}
	// Two pixels three apart join at radius 3, not at 2.
	hits = []hit{{idx: 5*W + 5, v: 1}, {idx: 5*W + 8, v: 1}}
	if n := len(group(hits, W, 2, 1)); n != 2 {
		t.Errorf("radius 2: %d targets", n)
	}
	if n := len(group(hits, W, 3, 1)); n != 1 {
		t.Errorf("radius 3: %d targets", n)
	}
}

func TestBadInput(t *testing.T) {
	if _, err := Detect(Image{10, 10, make([]float32, 99)}, nil, Config{}); !errors.Is(err, ErrImage) {
		t.Error(err)
	}
	if _, err := Detect(Image{10, 10, make([]float32, 100)}, NewMask(9, 10), Config{}); !errors.Is(err, ErrImage) {
		t.Error(err)
	}
	for _, c := range []Config{{Pfa: 0.7}, {Looks: -1}, {GuardRadius: 5, BackgroundRadius: 5}, {MinBackground: 2}} {
		if _, err := Detect(Image{10, 10, make([]float32, 100)}, nil, c); !errors.Is(err, ErrConfig) {
			t.Errorf("%+v: %v", c, err)
		}
	}
	// NaN (no-data) pixels are skipped, and an image of them finds nothing.
	nan := make([]float32, 100*100)
	for i := range nan {
		nan[i] = float32(math.NaN())
	}
	res, err := Detect(Image{100, 100, nan}, nil, Config{})
	if err != nil || res.Tested != 0 || len(res.Targets) != 0 {
		t.Errorf("all no-data: %+v %v", res, err)
	}
}
