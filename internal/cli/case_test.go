package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lookout-maritime/lookout/internal/evidence"
)

func TestCaseCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.duckdb")
	seedVessels(t, db)
	t.Setenv("LOOKOUT_USER", "analyst1")
	out, errOut, code := run(t, "", "case", "new", "--store", db, "DPRK–Russia shipments via Najin")
	if code != 0 {
		t.Fatalf("case new: %s", errOut)
	}
	id := strings.TrimSpace(out)
	photo := filepath.Join(dir, "najin.jpg")
	os.WriteFile(photo, []byte("\xff\xd8\xff fake jpeg"), 0o644)
	for _, args := range [][]string{
		{"--vessel", "273000001"},
		{"--vessel", "IMO 9358010"},
		{"--file", photo, "--source", "test imagery", "--description", "Najin pier"},
		{"--note", "Three ships alongside at Najin"},
	} {
		if out, errOut, code := run(t, "", append([]string{"case", "add", "--store", db, id}, args...)...); code != 0 || !strings.Contains(out, "sha256") {
			t.Fatalf("case add %v: %d %s %s", args, code, out, errOut)
		}
	}
	if _, _, code := run(t, "", "case", "add", "--store", db, id, "--note", "x", "--file", photo); code != 2 {
		t.Error("two sources accepted")
	}
	if _, errOut, code := run(t, "", "case", "add", "--store", db, "NOPE", "--note", "x"); code != 1 || !strings.Contains(errOut, "NOPE") {
		t.Errorf("unknown case: %d %s", code, errOut)
	}
	out, _, code = run(t, "", "case", "show", "--store", db, "--json", id)
	var c evidence.Case
	if code != 0 || json.Unmarshal([]byte(out), &c) != nil {
		t.Fatalf("case show: %s", out)
	}
	if len(c.Items) != 4 || c.Items[0].Kind != evidence.KindVessel || c.Items[2].FileName != "najin.jpg" || c.Items[2].MediaType != "image/jpeg" ||
		c.Items[3].AddedBy != "analyst1" || len(c.Custody) != 1 || c.Custody[0].Action != evidence.ActionViewed {
		t.Fatalf("case: %+v", c)
	}
	out, _, _ = run(t, "", "case", "list", "--store", db)
	if !strings.Contains(out, "Najin") || !strings.Contains(out, id) {
		t.Fatalf("case list: %s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "s.evidence")); err != nil {
		t.Fatalf("evidence log not next to the store: %v", err)
	}
}

func TestDossierAndVerify(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.duckdb")
	seedVessels(t, db)
	if _, errOut, code := run(t, "", "sanctions", "load", "--store", db, ofacVessels); code != 0 {
		t.Fatal(errOut)
	}
	if _, errOut, code := run(t, "", "screen", "--store", db); code != 0 {
		t.Fatal(errOut)
	}
	out, _, _ := run(t, "", "case", "new", "--store", db, "MAIA-1 at Najin")
	id := strings.TrimSpace(out)
	for _, args := range [][]string{{"--vessel", "273000001"}, {"--event", "1"}, {"--note", "seen at Najin"}} {
		if _, errOut, code := run(t, "", append([]string{"case", "add", "--store", db, id}, args...)...); code != 0 {
			t.Fatalf("add %v: %s", args, errOut)
		}
	}
	bundle := filepath.Join(dir, "dossier")
	out, errOut, code := run(t, "", "dossier", "--store", db, id, "-o", bundle)
	if code != 0 || !strings.Contains(out, "1 vessels") {
		t.Fatalf("dossier: %d %s %s", code, out, errOut)
	}
	for _, f := range []string{"index.html", "report.pdf", "case.geojson", "case.kml", "events.csv", "manifest.json"} {
		if _, err := os.Stat(filepath.Join(bundle, f)); err != nil {
			t.Errorf("dossier lacks %s", f)
		}
	}
	html, _ := os.ReadFile(filepath.Join(bundle, "index.html"))
	if !strings.Contains(string(html), "MAIA-1") || !strings.Contains(string(html), "RUSSIA-EO14024") {
		t.Error("index.html lacks the vessel or its designation")
	}
	out, _, code = run(t, "", "verify", bundle)
	if code != 0 || !strings.Contains(out, "OK") {
		t.Fatalf("verify: %d %s", code, out)
	}
	// One altered byte in the events table is caught and named.
	p := filepath.Join(bundle, "events.csv")
	b, _ := os.ReadFile(p)
	b[len(b)/2] ^= 1
	os.WriteFile(p, b, 0o644)
	out, _, code = run(t, "", "verify", bundle)
	if code != 1 || !strings.Contains(out, "altered: events.csv") {
		t.Fatalf("tampered dossier: %d %s", code, out)
	}
	// The export is in the chain of custody.
	out, _, _ = run(t, "", "case", "show", "--store", db, "--json", id)
	if !strings.Contains(out, `"exported"`) {
		t.Errorf("export not logged: %s", out)
	}
	// A zip too.
	zipPath := filepath.Join(dir, "d.zip")
	if _, errOut, code := run(t, "", "dossier", "--store", db, id, "-o", zipPath, "--zip"); code != 0 {
		t.Fatal(errOut)
	}
	if out, _, code := run(t, "", "verify", zipPath); code != 0 {
		t.Fatalf("verify zip: %s", out)
	}
}
