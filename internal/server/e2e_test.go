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

// TestBrowserEndToEnd drives the real UI in headless Chromium against a
// server over a real DuckDB store and evidence log: sign in, search a
// vessel with the keyboard, see its track, sanctions hit and events, open
// an event, open a case, add the vessel to it, export the dossier, receive
// a live alert — with no console errors on the way.
func TestBrowserEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	chrome := findChromium(t)
	f := newFixture(t, func(_ *Config, d *Deps) { d.Dossier = logDossier{log: d.Cases.(*evidence.Log)} })
	out := artifacts(t)

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
	defer cancelA()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 120*time.Second)
	defer cancelT()

	var mu sync.Mutex
	var problems []string
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException || m.Type == chromedp.ConsoleType("assert") {
				mu.Lock()
				problems = append(problems, string(m.Type)+": "+m.Text)
				mu.Unlock()
			}
		}
	}()
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			buf, err := chromedp.CaptureScreenshot()(ctx, tg)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(out, name+".png"), buf, 0o644)
		})
	}
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			_ = chromedp.Do(ctx, shot("failed-"+name))
			bodyText, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
			mu.Lock()
			defer mu.Unlock()
			t.Fatalf("%s: %v\npage text: %.600s\nproblems: %v", name, err, bodyText, problems)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	poll := func(expr string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(10*time.Second))(ctx, tg)
			return err
		})
	}

	step("open and sign in",
		chromedp.Navigate(f.http.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("login-token")),
		shot("00-login"),
		chromedp.SendKeys(chromedp.ID("login-token"), tokAnalyst),
		chromedp.Click(chromedp.CSS("#login-form button")),
		chromedp.WaitReady(chromedp.CSS(`body[data-ready="1"]`)),
		chromedp.Sleep(800*time.Millisecond), // base map and events load after the move ends
		shot("01-map"),
	)
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

	mu.Lock()
	defer mu.Unlock()
	if len(problems) > 0 {
		t.Errorf("browser console problems:\n%s", strings.Join(problems, "\n"))
	}
	t.Logf("screenshots in %s", out)
}
