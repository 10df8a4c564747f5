package hugepage

import "testing"

func TestWithin(t *testing.T) {
	const mb = 1 << 20
	for _, tc := range []struct {
		start, n, lo, hi uintptr
	}{
		{0, 2 * mb, 0, 2 * mb},                      // exactly one
		{0, 2*mb - 1, 0, 0},                         // one byte short: none
		{4096, 4 * mb, 2 * mb, 4 * mb},              // unaligned: the one page inside
		{2*mb - 1, 2*mb + 1, 2 * mb, 4 * mb},        // just reaching the end of a page
		{2*mb + 1, 3 * mb, 4 * mb, 4 * mb},          // none whole
		{10*mb + 4096, 9 * mb, 12 * mb, 18 * mb},    // several
		{6 * mb, 64*mb + 12345, 6 * mb, 70 * mb},    // aligned start, ragged end
		{1 * mb, 1 * mb, 2 * mb, 2 * mb},            // small: none
		{3 * mb, 0, 4 * mb, 2 * mb},                 // empty: hi < lo
		{8*mb - 4096, 2*mb + 8192, 8 * mb, 10 * mb}, // straddling both ends
	} {
		if lo, hi := within(tc.start, tc.n); lo != tc.lo || hi != tc.hi {
			t.Errorf("within(%#x, %#x) = [%#x, %#x), want [%#x, %#x)", tc.start, tc.n, lo, hi, tc.lo, tc.hi)
		}
	}
}
