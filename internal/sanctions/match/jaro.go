package match

// JaroWinkler is the Jaro-Winkler similarity the matcher uses (exported
// for the differential test against a reference implementation).
func JaroWinkler(a, b string) float64 { return jaroWinkler(a, b) }

// jaroWinkler is the Jaro-Winkler similarity of a and b, compared byte by
// byte (names are upper-case ASCII after normalisation): Jaro similarity
// with matching window max(len)/2-1, plus the Winkler bonus of 0.1 per
// common prefix byte (up to 4) when the Jaro similarity exceeds 0.7. It
// equals github.com/xrash/smetrics' JaroWinkler(a, b, 0.7, 4), which the
// benchmark module checks, and allocates nothing for names up to 64 bytes.
func jaroWinkler(a, b string) float64 {
	if a == b {
		if a == "" {
			return 0
		}
		return 1
	}
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 {
		return 0
	}
	if la > lb {
		a, b, la, lb = b, a, lb, la
	}
	window := lb/2 - 1
	if window < 0 {
		window = 0
	}
	var fa, fb [64]bool
	ma, mb := fa[:], fb[:]
	if lb > 64 {
		ma, mb = make([]bool, la), make([]bool, lb)
	}
	matches := 0
	for i := 0; i < la; i++ {
		lo, hi := i-window, i+window+1
		if lo < 0 {
			lo = 0
		}
		if hi > lb {
			hi = lb
		}
		for j := lo; j < hi; j++ {
			if !mb[j] && a[i] == b[j] {
				ma[i], mb[j] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	t, k := 0, 0
	for i := 0; i < la; i++ {
		if !ma[i] {
			continue
		}
		for !mb[k] {
			k++
		}
		if a[i] != b[k] {
			t++
		}
		k++
	}
	m := float64(matches)
	sim := (m/float64(la) + m/float64(lb) + (m-float64(t/2))/m) / 3
	if sim > 0.7 {
		p := 0
		for p < 4 && p < la && a[p] == b[p] {
			p++
		}
		sim += 0.1 * float64(p) * (1 - sim)
	}
	return sim
}
