package corpus

import (
	"bytes"
	"testing"
)

// The benchmark's numbers are only comparable across runs and machines if
// the corpus is: same Config, same bytes, exactly Lines lines.
func TestDeterministic(t *testing.T) {
	gen := func(seed uint64) ([]byte, Stats) {
		var buf bytes.Buffer
		st, err := Generate(&buf, Config{Lines: 20_001, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		return buf.Bytes(), st
	}
	a, st := gen(1)
	b, _ := gen(1)
	c, _ := gen(2)
	if !bytes.Equal(a, b) {
		t.Error("same seed, different corpus")
	}
	if bytes.Equal(a, c) {
		t.Error("different seeds, same corpus")
	}
	if n := bytes.Count(a, []byte{'\n'}); n != 20_001 || st.Lines != n || st.Bytes != int64(len(a)) {
		t.Errorf("%d lines, stats say %d lines and %d bytes of %d", n, st.Lines, st.Bytes, len(a))
	}
	if share := float64(st.ByType[5]) / float64(st.Messages); share < 0.08 || share > 0.12 {
		t.Errorf("type 5 is %.3f of messages, want about 0.10", share)
	}
	if share := float64(st.CorruptLines()) / float64(st.Lines); share < 0.005 || share > 0.015 {
		t.Errorf("corrupt lines %.4f, want about 0.01", share)
	}
}
