package server

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/lookout-maritime/lookout/internal/dossier"
	"github.com/lookout-maritime/lookout/internal/evidence"
)

// logDossier renders a dossier from the evidence log alone (the CLI's
// builder also adds each vessel's track and events from the store).
type logDossier struct{ log *evidence.Log }

func (d logDossier) ExportZip(_ context.Context, caseID, who string, w io.Writer) error {
	c := &dossier.Case{Generated: time.Now().UTC(), Author: who}
	if err := dossier.FromLog(d.log, caseID, c); err != nil {
		return err
	}
	_, err := dossier.WriteZip(w, c, dossier.Options{Sign: d.log.SignNote})
	return err
}

func findChromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no headless Chromium on PATH (Debian: apt-get install -y chromium); the browser end-to-end test needs one")
	return ""
}

// artifacts is where screenshots go: $LOOKOUT_ARTIFACTS (kept for CI) or
// a temporary directory.
func artifacts(t *testing.T) string {
	dir := os.Getenv("LOOKOUT_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	dir = filepath.Join(dir, "web")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// browserT is a headless Chromium tab with the test's helpers.
type browserT struct {
	t        *testing.T
	ctx      context.Context
	out      string
	mu       sync.Mutex
	problems []string
}

func newBrowser(t *testing.T, timeout time.Duration) *browserT {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	chrome := findChromium(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chrome),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 900),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelA)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	ctx, cancelT := context.WithTimeout(ctx, timeout)
	t.Cleanup(cancelT)
	b := &browserT{t: t, ctx: ctx, out: artifacts(t)}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException || m.Type == chromedp.ConsoleType("assert") {
				b.mu.Lock()
				b.problems = append(b.problems, string(m.Type)+": "+m.Text)
				b.mu.Unlock()
			}
		}
	}()
	return b
}

func (b *browserT) shot(name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		buf, err := chromedp.CaptureScreenshot()(ctx, tg)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(b.out, name+".png"), buf, 0o644)
	})
}

func (b *browserT) step(name string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	sctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		_ = chromedp.Do(b.ctx, b.shot("failed-"+name))
		bodyText, _ := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS("body")))
		b.mu.Lock()
		defer b.mu.Unlock()
		b.t.Fatalf("%s: %v\npage text: %.600s\nproblems: %v", name, err, bodyText, b.problems)
	}
}

func (b *browserT) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func (b *browserT) eval(expr string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		b.t.Fatalf("%s: %v", expr, err)
	}
	return s
}

func poll(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(20*time.Second))(ctx, tg)
		return err
	})
}

// checkConsole fails the test on console errors and exceptions.
func (b *browserT) checkConsole() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.problems) > 0 {
		b.t.Errorf("browser console problems:\n%s", strings.Join(b.problems, "\n"))
	}
	b.t.Logf("screenshots in %s", b.out)
}

func (b *browserT) signIn(url, token string) {
	b.step("open and sign in",
		chromedp.Navigate(url+"/"),
		chromedp.WaitVisible(chromedp.ID("login-token")),
		b.shot("00-login"),
		chromedp.SendKeys(chromedp.ID("login-token"), token),
		chromedp.Click(chromedp.CSS("#login-form button")),
		chromedp.WaitReady(chromedp.CSS(`body[data-ready="1"]`)),
	)
}

// TestBrowserEndToEnd drives the real UI in headless Chromium against a
// server over a real DuckDB store and evidence log: sign in, search a
// vessel with the keyboard, see its track, sanctions hit and events, open
// an event, open a case, add the vessel to it, export the dossier, receive
// a live alert — with no console errors on the way.
func TestBrowserEndToEnd(t *testing.T) {
	// The fixture first: cleanups run last-in first-out, so the browser
	// closes its alert stream before the server waits for connections.
	f := newFixture(t, func(_ *Config, d *Deps) { d.Dossier = logDossier{log: d.Cases.(*evidence.Log)} })
	b := newBrowser(t, 120*time.Second)
	step, shot, text := b.step, b.shot, b.text
	b.signIn(f.http.URL, tokAnalyst)
	step("map", chromedp.Sleep(800*time.Millisecond), shot("01-map")) // base map and events load after the move ends
	if who := text("#who"); !strings.Contains(who, "ana") {
		t.Errorf("signed in as %q", who)
	}

	step("search with the keyboard",
		chromedp.KeyEvent("/"),
		chromedp.SendKeys(chromedp.ID("search"), "maia"),
		chromedp.WaitVisible(chromedp.CSS(`#search-results li[data-i="0"]`)),
		shot("02-search"),
		chromedp.SendKeys(chromedp.ID("search"), kb.ArrowDown+kb.ArrowUp+kb.Enter),
		chromedp.WaitVisible(chromedp.ID("vessel-title")),
		poll(`document.getElementById('track-info').textContent.startsWith('Track:')`),
		chromedp.Sleep(500*time.Millisecond),
		shot("03-vessel-track"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('panel').scrollTop = 10000`),
		chromedp.Sleep(200*time.Millisecond),
		shot("03b-vessel-events"),
	)
	title, trackInfo, events := text("#vessel-title"), text("#track-info"), text("#vessel-events")
	if title != "MAIA-1" || !strings.Contains(trackInfo, "60 positions") || !strings.Contains(events, "AIS gap") || !strings.Contains(events, "Sanctions hit") {
		t.Errorf("vessel page: title %q, track %q, events %q", title, trackInfo, events)
	}
	if hits := text(".hit"); !strings.Contains(hits, "OFAC-SDN") || !strings.Contains(hits, "imo") {
		t.Errorf("sanctions box: %q", hits)
	}

	step("open an event",
		chromedp.Click(chromedp.CSS(`#vessel-events a[href^="#/event/"]`)),
		chromedp.WaitVisible(chromedp.CSS(".explanation")),
		chromedp.Sleep(500*time.Millisecond),
		shot("04-event"),
	)
	if expl := text(".explanation"); expl == "" {
		t.Error("event page without explanation")
	}

	step("open a case, collect the vessel, export the dossier",
		chromedp.Navigate(f.http.URL+"/#/cases"),
		chromedp.WaitVisible(chromedp.ID("case-title")),
		chromedp.SendKeys(chromedp.ID("case-title"), "Najin calls, autumn 2023"),
		chromedp.Click(chromedp.CSS("#new-case button")),
		chromedp.WaitVisible(chromedp.ID("btn-collect")),
		chromedp.Navigate(f.http.URL+fmt.Sprintf("/#/vessel/%d", mmsiMaia)),
		chromedp.WaitVisible(chromedp.ID("btn-add")),
		chromedp.Click(chromedp.ID("btn-add")),
		poll(`document.getElementById('toast').textContent.includes('Added to case')`),
		chromedp.Navigate(f.http.URL+"/#/case/C0"),
		chromedp.WaitVisible(chromedp.CSS("#case-items li")),
		chromedp.Click(chromedp.ID("btn-dossier")),
		chromedp.WaitReady(chromedp.CSS("body[data-dossier]")),
		chromedp.WaitVisible(chromedp.CSS(".custody li:nth-child(3)")),
		shot("05-case"),
	)
	if items, custody := text("#case-items"), text(".custody"); !strings.Contains(items, "MMSI 273354710") || !strings.Contains(custody, "exported") {
		t.Errorf("case page: items %q custody %q", items, custody)
	}

	// A live alert: a watch on gaps, an event published by "the ingest".
	var w Watch
	f.postJSON(t, "/api/watches", tokAnalyst, `{"name":"Dark near Najin","kinds":["gap"]}`, 201, &w)
	step("alerts page",
		chromedp.Navigate(f.http.URL+"/#/alerts"),
		chromedp.WaitVisible(chromedp.ID("alert-list")),
		poll(`document.body.dataset.alerts === 'open'`),
	)
	f.srv.Publish(najinGap())
	step("alert arrives",
		poll(`document.getElementById('alert-list').textContent.includes('Dark near Najin')`),
		chromedp.Sleep(300*time.Millisecond),
		shot("06-alerts"),
	)

	b.checkConsole()
}

// TestBrowserManyVessels loads 100 000 vessels and checks the map draws
// them (clustered when zoomed out, one by one when zoomed in) without
// console errors. The times are logged, not asserted.
func TestBrowserManyVessels(t *testing.T) {
	const n = 100000
	f := newFixtureN(t, n)
	b := newBrowser(t, 180*time.Second)
	start := time.Now()
	b.signIn(f.http.URL, tokViewer)
	ready := time.Since(start)
	b.step("overview", chromedp.Sleep(500*time.Millisecond), b.shot("10-many-overview"))
	if got := b.eval(`document.body.dataset.vessels`); got != fmt.Sprint(n+2) {
		t.Errorf("vessels on the map: %s, want %d", got, n+2)
	}
	// Zoom in far enough for single vessels; time one redraw.
	start = time.Now()
	b.step("zoom in",
		chromedp.Click(chromedp.CSS(".leaflet-control-zoom-in")),
		chromedp.Sleep(400*time.Millisecond),
		chromedp.Click(chromedp.CSS(".leaflet-control-zoom-in")),
		chromedp.Sleep(400*time.Millisecond),
		chromedp.Click(chromedp.CSS(".leaflet-control-zoom-in")),
		chromedp.Sleep(600*time.Millisecond),
		b.shot("11-many-zoomed"),
	)
	zoom := time.Since(start)
	b.step("zoom in more",
		chromedp.Click(chromedp.CSS(".leaflet-control-zoom-in")),
		chromedp.Sleep(400*time.Millisecond),
		chromedp.Click(chromedp.CSS(".leaflet-control-zoom-in")),
		chromedp.Sleep(400*time.Millisecond),
		chromedp.Click(chromedp.CSS(".leaflet-control-zoom-in")),
		chromedp.Sleep(600*time.Millisecond),
		b.shot("12-many-close"),
	)
	t.Logf("%d vessels: signed in and drawn in %v; three zoom steps in %v", n, ready, zoom)
	b.checkConsole()
}
