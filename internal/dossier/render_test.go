package dossier

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// These tests render the dossier with real tools: poppler's pdftotext and
// pdftoppm (Debian poppler-utils) and headless Chromium (Debian chromium).
// They skip when the tool is absent; .ci/run installs both.

// LOOKOUT_DOSSIER_OUT keeps the rendered bundle (and page images) in that
// directory for a person to look at.
func keepDir(t *testing.T, sub string) string {
	if d := os.Getenv("LOOKOUT_DOSSIER_OUT"); d != "" {
		d = filepath.Join(d, sub)
		os.RemoveAll(d)
		return d
	}
	return t.TempDir() + "/out"
}

func TestPDFText(t *testing.T) {
	for _, tool := range []string{"pdftotext", "pdftoppm", "pdfinfo"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (Debian package poppler-utils): %v", tool, err)
		}
	}
	f := newFixture(t)
	dir := f.write(t)
	pdf := filepath.Join(dir, "report.pdf")
	out, err := exec.Command("pdftotext", "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := string(out)
	for _, s := range []string{"MAIA-1, ANGARA and MARIA at Najin, autumn 2023", "ANGARA", "MAIA-1", "IMO 9179842", "9358010",
		"2023-09-01", "2023-12-20", "SIMULATED DATA", "Rajin (Najin)", "OFAC SDN", "RUSSIA-EO14024", "Dark port visit", "Page 1 of",
		"Liniya sudna Maya-1", f.Case.Items[1].SHA256[:16]} {
		if !strings.Contains(text, s) {
			t.Errorf("report.pdf text lacks %q", s)
		}
	}
	info, err := exec.Command("pdfinfo", pdf).Output()
	if err != nil {
		t.Fatalf("pdfinfo: %v", err)
	}
	m := regexp.MustCompile(`Pages:\s+(\d+)`).FindSubmatch(info)
	if m == nil || len(m[1]) == 1 && m[1][0] < '4' {
		t.Fatalf("pdfinfo: %s", info)
	}
	// Every page renders.
	png := keepDir(t, "pdf")
	os.MkdirAll(png, 0o755)
	if out, err := exec.Command("pdftoppm", "-r", "70", "-png", pdf, filepath.Join(png, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(png, "page-*.png"))
	if len(pages) < 4 {
		t.Fatalf("pdftoppm rendered %d pages", len(pages))
	}
	for _, p := range pages {
		if st, err := os.Stat(p); err != nil || st.Size() < 2000 {
			t.Errorf("page image %s is empty", p)
		}
	}
}

func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("chromium not installed (Debian package chromium)")
	return ""
}

func chromiumArgs(t *testing.T, extra ...string) []string {
	return append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
		"--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0"}, extra...)
}

func TestHTMLInChromium(t *testing.T) {
	bin := chromium(t)
	f := newFixture(t)
	dir := f.write(t)
	page := "file://" + filepath.Join(dir, "index.html")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, chromiumArgs(t, "--virtual-time-budget=3000", "--dump-dom", page)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	dom, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	// Script errors and failed loads show in the console log.
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(line, "CONSOLE") || strings.Contains(line, "Uncaught") || strings.Contains(line, "net::ERR") {
			t.Errorf("console: %s", line)
		}
	}
	d := string(dom)
	if !strings.Contains(d, `data-ready="1"`) {
		t.Error("the page script did not run to its end")
	}
	if n := strings.Count(d, `class="track"`); n != 2 {
		t.Errorf("map draws %d tracks, want 2", n)
	}
	if !regexp.MustCompile(`<path class="land"[^>]* d="M-?[0-9.]+ -?[0-9.]+L`).MatchString(d) {
		t.Error("map has no coastline")
	}
	// Map 1 draws the gap and the dark port visit (the routine port visit
	// is counted on Vostochny's label, the sanctions match has no place);
	// map 2, zoomed on Rajin and its scene, the dark port visit again; the
	// timeline every event but the sanctions match.
	if n := strings.Count(d, `<g class="ev" data-ev=`); n != 6 {
		t.Errorf("%d event markers, want 6", n)
	}
	if !strings.Contains(d, `<svg id="inset"`) || !strings.Contains(d, "1 port call") {
		t.Error("no inset map, or Vostochny's label does not count its port call")
	}
	for _, id := range []string{"event-1", "event-2", "event-3", "event-4"} { // every event has an anchor the maps link to
		if !strings.Contains(d, `id="`+id+`"`) {
			t.Errorf("no element with id %s", id)
		}
	}
	// A screenshot for a person to look at (kept with LOOKOUT_DOSSIER_OUT).
	out := keepDir(t, "html")
	os.MkdirAll(out, 0o755)
	shot := filepath.Join(out, "index.png")
	cmd = exec.CommandContext(ctx, bin, chromiumArgs(t, "--window-size=1200,2600", "--hide-scrollbars", "--screenshot="+shot, page)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("screenshot: %v\n%s", err, b)
	}
	if st, err := os.Stat(shot); err != nil || st.Size() < 20000 {
		t.Fatalf("screenshot %s: %v", shot, err)
	}
}
