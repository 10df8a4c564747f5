package track

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/lookout-maritime/lookout/internal/vessel"
)

// TestRing: random inserts and pops on the ring equal the same operations
// on a plain slice, across wrap-around and growth, with and without a bound.
func TestRing(t *testing.T) {
	for _, limit := range []int{-1, 3, 8} {
		rng := rand.New(rand.NewPCG(1, uint64(limit+10)))
		var r ring
		var model []int64
		for step := range 20000 {
			if len(model) > 0 && (rng.IntN(2) == 0 || limit > 0 && len(model) == limit) {
				if got, want := r.pop().pos.T, model[0]; got != want {
					t.Fatalf("limit %d step %d: pop %d, want %d", limit, step, got, want)
				}
				model = model[1:]
			} else {
				i := rng.IntN(len(model) + 1)
				v := int64(step)
				r.insert(i, entry{pos: vessel.Packed{T: v}}, limit)
				model = slices.Insert(model, i, v)
			}
			if r.len() != len(model) {
				t.Fatalf("limit %d step %d: len %d, want %d", limit, step, r.len(), len(model))
			}
			for i, want := range model {
				if got := r.at(i).pos.T; got != want {
					t.Fatalf("limit %d step %d: at(%d) = %d, want %d", limit, step, i, got, want)
				}
			}
			if limit > 0 && len(r.buf) > limit {
				t.Fatalf("limit %d: storage grew to %d", limit, len(r.buf))
			}
		}
	}
}
