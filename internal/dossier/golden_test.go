package dossier

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// TestGoldenExports pins the formats a reader's tools parse: events.csv
// (spreadsheets) and case.geojson (QGIS, web maps). Neither depends on the
// random signing key.
func TestGoldenExports(t *testing.T) {
	f := newFixture(t)
	dir := f.write(t)
	for _, name := range []string{"events.csv", "case.geojson"} {
		got := must(os.ReadFile(filepath.Join(dir, name)))
		golden := filepath.Join("testdata", "golden."+name)
		if *update {
			must(0, os.WriteFile(golden, got, 0o644))
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test -run TestGoldenExports -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s; if the change is intended, rerun with -update and review the diff", name, golden)
		}
	}
}
