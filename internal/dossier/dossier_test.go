package dossier

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lookout-maritime/lookout/internal/evidence"
)

func TestWriteAndVerify(t *testing.T) {
	f := newFixture(t)
	dir := f.write(t)
	if keep := os.Getenv("LOOKOUT_DOSSIER_OUT"); keep != "" {
		os.RemoveAll(filepath.Join(keep, "bundle"))
		os.Rename(copyDir(t, dir), filepath.Join(keep, "bundle"))
	}
	r, err := Verify(dir, VerifyOptions{TrustedKey: f.Log.PublicKey()})
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK || !r.TrustedKey || !r.ManifestSigned {
		t.Fatalf("fresh dossier does not verify: %+v", r.Problems)
	}
	if len(r.Items) != 5 {
		t.Fatalf("items %+v", r.Items)
	}
	for _, it := range r.Items {
		if !it.OK {
			t.Errorf("item %s not proved", it.Item)
		}
	}
	want := []string{"index.html", "report.pdf", "case.geojson", "case.kml", "events.csv", "VERIFY.txt", CheckpointPath, PublicKeyPath,
		"evidence/E2-najin_2023-09-06.png", "evidence/E1.json", "evidence/E5-sdn_extract.csv", "proofs/E2.proof.json", "proofs/E2.entry.json"}
	man, err := ParseManifest(must(os.ReadFile(filepath.Join(dir, ManifestPath))))
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, mf := range man.Files {
		listed = append(listed, mf.Path)
	}
	for _, w := range want {
		if !slices.Contains(listed, w) {
			t.Errorf("manifest lacks %s (has %v)", w, listed)
		}
	}
	// The evidence file is byte for byte the content added to the log.
	rc := must(f.Log.OpenItem("E2"))
	orig := must(io.ReadAll(rc))
	rc.Close()
	if !bytes.Equal(orig, must(os.ReadFile(filepath.Join(dir, "evidence/E2-najin_2023-09-06.png")))) {
		t.Fatal("evidence file differs from the logged content")
	}

	// events.csv: one row per event, in time order, with explanations.
	rows := must(csv.NewReader(bytes.NewReader(must(os.ReadFile(filepath.Join(dir, "events.csv"))))).ReadAll())
	if len(rows) != 5 || rows[1][2] != "gap" || rows[2][2] != "dark_port_visit" || rows[2][11] != "Rajin (Najin)" || !strings.Contains(rows[2][17], "Rajin") {
		t.Fatalf("events.csv = %q", rows)
	}
	// case.geojson: tracks, ports, events and the scene.
	var fc struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(must(os.ReadFile(filepath.Join(dir, "case.geojson"))), &fc); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, ft := range fc.Features {
		kinds[ft.Properties["kind"].(string)]++
	}
	if kinds["track"] < 2 || kinds["port"] != 3 || kinds["event"] != 4 || kinds["scene"] != 1 || kinds["detection"] != 1 {
		t.Fatalf("geojson kinds %v", kinds)
	}
	kml := string(must(os.ReadFile(filepath.Join(dir, "case.kml"))))
	if !strings.Contains(kml, "<name>Events</name>") || !strings.Contains(kml, "Rajin (Najin)") || !strings.HasSuffix(kml, "</kml>\n") {
		t.Fatal("case.kml lacks events or ports")
	}
	html := string(must(os.ReadFile(filepath.Join(dir, "index.html"))))
	for _, s := range []string{"SIMULATED DATA", "MAIA-1", "IMO 9179842", "OFAC SDN", "2023-12-12", "Rajin (Najin)", `<svg id="map"`, `class="land"`, "evidence/E2-najin_2023-09-06.png", "ANGARA?"} {
		if !strings.Contains(html, s) {
			t.Errorf("index.html lacks %q", s)
		}
	}
	for _, s := range []string{"ZgotmplZ", "http://", "https://cdn", "<link "} {
		if s == "http://" {
			// Only the namespace-free SVG is inline; no resource is fetched.
			if strings.Contains(html, `src="http`) || strings.Contains(html, `href="http`) {
				t.Errorf("index.html loads a remote resource")
			}
			continue
		}
		if strings.Contains(html, s) {
			t.Errorf("index.html contains %q", s)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// copyDir copies a bundle so each tamper case starts from the original.
func copyDir(t *testing.T, src string) string {
	dst := t.TempDir() + "/copy"
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		return os.WriteFile(filepath.Join(dst, rel), must(os.ReadFile(p)), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestVerifyNamesEveryAlteredFile flips one byte in each file of the
// bundle in turn (evidence, manifest, its signature, proofs, checkpoint,
// key, reports) and checks Verify fails and names that file.
func TestVerifyNamesEveryAlteredFile(t *testing.T) {
	f := newFixture(t)
	orig := f.write(t)
	var files []string
	filepath.WalkDir(orig, func(p string, d fs.DirEntry, err error) error {
		if !d.IsDir() {
			rel, _ := filepath.Rel(orig, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if len(files) < 20 {
		t.Fatalf("only %d files", len(files))
	}
	for _, name := range files {
		for _, where := range []string{"start", "middle", "end"} {
			t.Run(name+"/"+where, func(t *testing.T) {
				dir := copyDir(t, orig)
				p := filepath.Join(dir, name)
				b := must(os.ReadFile(p))
				i := map[string]int{"start": 0, "middle": len(b) / 2, "end": len(b) - 2}[where]
				b[i] ^= 0x01
				must(0, os.WriteFile(p, b, 0o644))
				r := must(Verify(dir, VerifyOptions{}))
				if r.OK {
					t.Fatalf("byte %d of %s altered, dossier still verifies", i, name)
				}
				if !slices.Contains(r.Altered, name) {
					t.Fatalf("byte %d of %s altered; altered = %v, problems = %v", i, name, r.Altered, r.Problems)
				}
			})
		}
	}
}

func TestVerifyAddedMissingAndKeys(t *testing.T) {
	f := newFixture(t)
	orig := f.write(t)

	dir := copyDir(t, orig)
	must(0, os.WriteFile(filepath.Join(dir, "evidence", "extra.txt"), []byte("planted"), 0o644))
	must(0, os.Remove(filepath.Join(dir, "evidence", "E5-sdn_extract.csv")))
	must(0, os.Remove(filepath.Join(dir, "proofs", "E3.entry.json")))
	r := must(Verify(dir, VerifyOptions{}))
	if r.OK || !slices.Equal(r.Added, []string{"evidence/extra.txt"}) ||
		!slices.Equal(r.Missing, []string{"evidence/E5-sdn_extract.csv", "proofs/E3.entry.json"}) {
		t.Fatalf("added %v missing %v problems %v", r.Added, r.Missing, r.Problems)
	}
	var text strings.Builder
	r.WriteText(&text)
	for _, s := range []string{"FAILED", "evidence/extra.txt: present but not listed", "evidence/E5-sdn_extract.csv: listed in the manifest but missing",
		"1 added", "2 missing", "key inside the bundle only"} {
		if !strings.Contains(text.String(), s) {
			t.Errorf("report text lacks %q:\n%s", s, text.String())
		}
	}

	// A trusted key other than the installation's fails the bundle, even
	// though it is self-consistent.
	other := must(evidence.Open(t.TempDir(), evidence.Config{}))
	defer other.Close()
	r = must(Verify(orig, VerifyOptions{TrustedKey: other.PublicKey()}))
	if r.OK || r.TrustedKey {
		t.Fatal("bundle verified under a key that did not sign it")
	}

	dir = copyDir(t, orig)
	must(0, os.Remove(filepath.Join(dir, ManifestSigPath)))
	r = must(Verify(dir, VerifyOptions{}))
	if !r.OK || r.ManifestSigned {
		t.Fatalf("unsigned manifest: ok=%v signed=%v %v", r.OK, r.ManifestSigned, r.Problems)
	}
	// With a trusted key, an unsigned manifest is not enough: items could
	// have been dropped whole.
	r = must(Verify(dir, VerifyOptions{TrustedKey: f.Log.PublicKey()}))
	if r.OK || !slices.Equal(r.Missing, []string{ManifestSigPath}) {
		t.Fatalf("unsigned manifest under a trusted key: ok=%v missing=%v", r.OK, r.Missing)
	}
}

func TestZip(t *testing.T) {
	f := newFixture(t)
	var buf bytes.Buffer
	if _, err := WriteZip(&buf, f.Case, Options{Sign: f.Log.SignNote}); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "case.zip")
	must(0, os.WriteFile(p, buf.Bytes(), 0o644))
	r := must(Verify(p, VerifyOptions{TrustedKey: f.Log.PublicKey()}))
	if !r.OK {
		t.Fatalf("zip does not verify: %v", r.Problems)
	}
	// The same zip with one evidence file replaced.
	zr := must(zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len())))
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, zf := range zr.File {
		w := must(zw.Create(zf.Name))
		rc := must(zf.Open())
		data := must(io.ReadAll(rc))
		rc.Close()
		if strings.HasSuffix(zf.Name, "E5-sdn_extract.csv") {
			data = bytes.Replace(data, []byte("MAIA-1"), []byte("MAIA-2"), 1)
		}
		w.Write(data)
	}
	zw.Close()
	must(0, os.WriteFile(p, out.Bytes(), 0o644))
	r = must(Verify(p, VerifyOptions{}))
	if r.OK || !slices.Equal(r.Altered, []string{"evidence/E5-sdn_extract.csv"}) {
		t.Fatalf("altered zip: %v %v", r.Altered, r.Problems)
	}
	if _, err := Verify(filepath.Join(t.TempDir(), "nope.zip"), VerifyOptions{}); err == nil {
		t.Fatal("missing bundle gave no error")
	}
}

func TestWriteRefusesNonEmptyDir(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	must(0, os.WriteFile(filepath.Join(dir, "old.txt"), nil, 0o644))
	if _, err := Write(dir, f.Case, Options{}); err == nil {
		t.Fatal("wrote into a non-empty directory")
	}
}

func TestMapBounds(t *testing.T) {
	f := newFixture(t)
	w, s, e, n, ok := f.Case.MapBounds()
	if !ok || w > 130.25 || e < 133.05 || s > 42.2 || n < 42.88 || e-w > 6 || n-s > 4 {
		t.Fatalf("bounds %v %v %v %v %v", w, s, e, n, ok)
	}
	if _, _, _, _, ok := (&Case{}).MapBounds(); ok {
		t.Fatal("empty case has bounds")
	}
}

func TestHumanKey(t *testing.T) {
	for in, want := range map[string]string{"min_gap_h": "min gap (h)", "gap_km": "gap (km)", "program": "program", "h": "h", "max_speed_kn": "max speed (kn)"} {
		if got := humanKey(in); got != want {
			t.Errorf("humanKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// A case with nothing in it yet still renders and verifies.
func TestMinimalCase(t *testing.T) {
	c := &Case{ID: "C9", Title: "Empty", Generated: f0()}
	dir := t.TempDir() + "/d"
	if _, err := Write(dir, c, Options{}); err != nil {
		t.Fatal(err)
	}
	r := must(Verify(dir, VerifyOptions{}))
	if !r.OK {
		t.Fatalf("minimal dossier: %v", r.Problems)
	}
	if _, err := Write(t.TempDir()+"/x", &Case{ID: "C1"}, Options{}); err == nil {
		t.Fatal("case without a title rendered")
	}
	// Items need a checkpoint to be proved.
	bad := &Case{ID: "C1", Title: "x", Generated: f0(), Items: []Item{{Item: evidence.Item{ID: "E1"}, Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("")), nil }}}}
	if _, err := Write(t.TempDir()+"/y", bad, Options{}); err == nil {
		t.Fatal("items without a checkpoint rendered")
	}
}
