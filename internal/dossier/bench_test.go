package dossier

import (
	"testing"
)

// BenchmarkWrite renders the fixture case (2 vessels, 4 events, 5 items,
// a scene) into a fresh directory: HTML, PDF, exports, proofs, manifest.
func BenchmarkWrite(b *testing.B) {
	f := newFixture(b)
	for b.Loop() {
		if _, err := Write(b.TempDir()+"/d", f.Case, Options{Sign: f.Log.SignNote}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify checks the fixture's bundle.
func BenchmarkVerify(b *testing.B) {
	f := newFixture(b)
	dir := b.TempDir() + "/d"
	if _, err := Write(dir, f.Case, Options{Sign: f.Log.SignNote}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		r, err := Verify(dir, VerifyOptions{TrustedKey: f.Log.PublicKey()})
		if err != nil || !r.OK {
			b.Fatal(err, r.Problems)
		}
	}
}
