package match

import (
	"math"
	"math/rand/v2"
	"testing"
)

// bruteForce tries every permutation.
func bruteForce(c [][]float64) float64 {
	n := len(c)
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	best := math.Inf(1)
	var rec func(k int, s float64)
	rec = func(k int, s float64) {
		if k == n { // no pruning: costs may be negative
			best = math.Min(best, s)
			return
		}
		for i := k; i < n; i++ {
			p[k], p[i] = p[i], p[k]
			rec(k+1, s+c[k][p[k]])
			p[k], p[i] = p[i], p[k]
		}
	}
	rec(0, 0)
	return best
}

func TestAssignAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 2000; trial++ {
		n := 1 + rng.IntN(7)
		c := make([][]float64, n)
		for i := range c {
			c[i] = make([]float64, n)
			for j := range c[i] {
				switch rng.IntN(4) {
				case 0:
					c[i][j] = Forbidden
				case 1:
					c[i][j] = float64(rng.IntN(5)) // ties
				default:
					c[i][j] = rng.NormFloat64() * 10 // negative costs too
				}
			}
		}
		p, total := Assign(c)
		seen := make([]bool, n)
		sum := 0.0
		for i, j := range p {
			if seen[j] {
				t.Fatalf("column %d used twice: %v", j, p)
			}
			seen[j] = true
			sum += c[i][j]
		}
		want := bruteForce(c)
		if math.Abs(sum-total) > 1e-9 || math.Abs(total-want) > 1e-6*math.Max(1, math.Abs(want)) {
			t.Fatalf("n=%d: Assign %v (sum %v), brute force %v\n%v", n, total, sum, want, c)
		}
	}
}
