package sim

import "math"

// rng is a small deterministic generator (SplitMix64). The simulator does
// not use math/rand: its helpers (Float64, NormFloat64, ...) are not
// promised to give the same values in every Go release, and the demo's
// files must be byte-identical for a seed.
type rng struct{ s uint64 }

// newRNG returns the generator of one stream of a seed: each vessel and
// each part of the scenario draws from its own stream, so adding a vessel
// does not change the others.
func newRNG(seed int64, stream uint64) *rng {
	r := &rng{s: uint64(seed)*0x9E3779B97F4A7C15 ^ (stream+1)*0xD1B54A32D192ED03}
	r.u64()
	return r
}

func (r *rng) u64() uint64 {
	r.s += 0x9E3779B97F4A7C15
	z := r.s
	z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
	z = (z ^ z>>27) * 0x94D049BB133111EB
	return z ^ z>>31
}

// float returns a uniform value in [0, 1).
func (r *rng) float() float64 { return float64(r.u64()>>11) / (1 << 53) }

// intn returns a uniform value in [0, n).
func (r *rng) intn(n int) int {
	if n <= 0 {
		return 0
	}
	return int(r.u64() % uint64(n))
}

// between returns a uniform value in [a, b).
func (r *rng) between(a, b float64) float64 { return a + (b-a)*r.float() }

// chance is true with probability p.
func (r *rng) chance(p float64) bool { return r.float() < p }

// norm returns a standard normal value (Box–Muller, one value per call so
// the stream does not depend on call parity).
func (r *rng) norm() float64 {
	u := r.float()
	for u == 0 {
		u = r.float()
	}
	return math.Sqrt(-2*math.Log(u)) * math.Cos(2*math.Pi*r.float())
}

// pickWeighted returns an index with probability proportional to w[i].
func (r *rng) pickWeighted(w []float64) int {
	sum := 0.0
	for _, x := range w {
		sum += x
	}
	x := r.float() * sum
	for i, v := range w {
		if x < v {
			return i
		}
		x -= v
	}
	return len(w) - 1
}
