package server

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/store"
)

func najinGap() event.Event {
	return event.Event{ID: 77, Key: "gap-najin", Kind: event.Gap, MMSI: mmsiMaia, IMO: 9358010, Name: "MAIA-1",
		Start: t0, End: t0.Add(70 * time.Hour), Lat: 42.25, Lon: 130.3, Explanation: "AIS silent near Najin", Detector: "gap", Version: "1"}
}

// readAlert reads SSE lines until one "alert" event arrives.
func readAlert(t *testing.T, br *bufio.Reader) Alert {
	t.Helper()
	var ev, data string
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended: %v", err)
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case strings.HasPrefix(line, "event: "):
			ev = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = strings.TrimPrefix(line, "data: ")
		case line == "" && ev == "alert":
			var a Alert
			if err := json.Unmarshal([]byte(data), &a); err != nil {
				t.Fatalf("alert data %q: %v", data, err)
			}
			return a
		}
	}
}

func TestStreamDeliversMatchingAlerts(t *testing.T) {
	f := newFixture(t)
	var w Watch
	f.postJSON(t, "/api/watches", tokAnalyst, `{"name":"Najin","kinds":["gap","dark_port_visit"],"bbox":[129.5,41.5,131,43]}`, 201, &w)
	var other Watch
	f.postJSON(t, "/api/watches", tokAnalyst, `{"name":"ANGARA","mmsis":[273214860]}`, 201, &other)

	// EventSource cannot set headers: the token rides in the query.
	resp, err := http.Get(f.http.URL + "/api/alerts/stream?watch=" + w.ID + "&token=" + tokViewer)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %v", resp.StatusCode, resp.Header)
	}
	br := bufio.NewReader(resp.Body)
	if line, _ := br.ReadString('\n'); !strings.HasPrefix(line, ":") {
		t.Fatalf("first line %q", line)
	}
	// Wait until the subscription is registered before publishing.
	deadline := time.Now().Add(5 * time.Second)
	for {
		f.srv.alerts.mu.Lock()
		n := len(f.srv.alerts.subs)
		f.srv.alerts.mu.Unlock()
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no subscriber")
		}
		time.Sleep(5 * time.Millisecond)
	}
	notKind := najinGap()
	notKind.Kind, notKind.Key = event.PortVisit, "pv"
	outside := najinGap()
	outside.Lat, outside.Key = 50, "outside"
	withdrawn := najinGap()
	withdrawn.Withdrawn, withdrawn.Key = true, "withdrawn"
	angara := event.Event{Key: "angara", Kind: event.Loitering, MMSI: mmsiAngara, Lat: 42.75, Lon: 133.07}
	for _, e := range []event.Event{notKind, outside, withdrawn, angara, najinGap()} {
		f.srv.Publish(e)
	}
	a := readAlert(t, br)
	if a.Watch != w.ID || a.Event.Key != "gap-najin" || a.Name != "Najin" {
		t.Errorf("alert: %+v", a)
	}
	// The ANGARA alert matched the other watch: not on this stream.
	code, body, _ := f.do(t, "GET", "/metrics", tokAdmin, nil)
	if code != 200 || !strings.Contains(string(body), "lookout_alerts_total 2") || !strings.Contains(string(body), `lookout_events_total{kind="gap"} 3`) {
		t.Errorf("metrics after publishing:\n%s", grepLines(string(body), "lookout_alerts_total", "lookout_events_total"))
	}
}

func grepLines(s string, prefixes ...string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		for _, p := range prefixes {
			if strings.HasPrefix(l, p) {
				out = append(out, l)
			}
		}
	}
	return strings.Join(out, "\n")
}

func TestWatchValidation(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct{ body, want string }{
		{`{"name":"x"}`, "at least one of"},
		{`{"name":"","kinds":["gap"]}`, "name"},
		{`{"name":"x","kinds":["nap"]}`, `kind \"nap\"`},
		{`{"name":"x","bbox":[1,2,3]}`, "bbox"},
		{`{"name":"x","bbox":[0,50,10,40]}`, "bbox"},
		{`{"name":"x","kinds":["gap"],"webhook":"file:///etc/passwd"}`, "webhook"},
		{`{"name":"x","kinds":["gap"]} {}`, "after the JSON"},
	} {
		code, body, _ := f.do(t, "POST", "/api/watches", tokAnalyst, strings.NewReader(c.body))
		if code != 400 || !strings.Contains(string(body), c.want) {
			t.Errorf("%s: %d %s", c.body, code, body)
		}
	}
	var w Watch
	f.postJSON(t, "/api/watches", tokAnalyst, `{"name":"x","kinds":["gap"]}`, 201, &w)
	if code, _, _ := f.do(t, "DELETE", "/api/watches/"+w.ID, tokAnalyst, nil); code != 204 {
		t.Errorf("delete: %d", code)
	}
	if code, _, _ := f.do(t, "DELETE", "/api/watches/"+w.ID, tokAnalyst, nil); code != 404 {
		t.Errorf("delete twice: %d", code)
	}
}

func TestWatchMatches(t *testing.T) {
	e := najinGap()
	enc := event.Event{Kind: event.Encounter, MMSI: 1, OtherMMSI: mmsiMaia, Lat: 0, Lon: 179.9}
	for _, c := range []struct {
		w    Watch
		e    event.Event
		want bool
	}{
		{Watch{Kinds: []event.Kind{event.Gap}}, e, true},
		{Watch{Kinds: []event.Kind{event.Encounter}}, e, false},
		{Watch{MMSIs: []uint32{mmsiMaia}}, enc, true}, // the other vessel
		{Watch{IMOs: []uint32{9358010}}, e, true},
		{Watch{IMOs: []uint32{9358010}}, enc, false},
		{Watch{BBox: &store.BBox{MinLat: -1, MaxLat: 1, MinLon: 179, MaxLon: -179}}, enc, true}, // across the antimeridian
		{Watch{BBox: &store.BBox{MinLat: -1, MaxLat: 1, MinLon: 179, MaxLon: -179}}, e, false},
	} {
		if got := c.w.Matches(&c.e); got != c.want {
			t.Errorf("%+v on %s: %v", c.w, c.e.Kind, got)
		}
	}
}

func TestWatchFilePersists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "watches.json")
	ctx := context.Background()
	wf, err := OpenWatchFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := wf.PutWatch(ctx, Watch{ID: fmt.Sprint("w", i), Name: "n", Kinds: []event.Kind{event.Gap}, Created: t0.Add(time.Duration(i))}); err != nil {
			t.Fatal(err)
		}
	}
	if err := wf.DeleteWatch(ctx, "w1"); err != nil {
		t.Fatal(err)
	}
	again, err := OpenWatchFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ws, _ := again.Watches(ctx)
	if len(ws) != 2 || ws[0].ID != "w0" || ws[1].ID != "w2" {
		t.Errorf("reopened: %+v", ws)
	}
	if err := os.WriteFile(path, []byte("[{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenWatchFile(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("corrupt file: %v", err)
	}
}

// TestWebhookRetries runs the whole server on a loopback listener: a watch
// with a webhook whose receiver fails twice (503) and then accepts.
func TestWebhookRetries(t *testing.T) {
	var calls atomic.Int32
	got := make(chan Alert, 1)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		if r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("content type %q", r.Header.Get("Content-Type"))
		}
		if n <= 2 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		var a Alert
		if err := json.NewDecoder(r.Body).Decode(&a); err != nil {
			t.Errorf("webhook body: %v", err)
		}
		got <- a
	}))
	defer hook.Close()
	f := newFixture(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	var runErr error
	go func() { defer wg.Done(); runErr = f.srv.Serve(ctx, ln) }()
	var w Watch
	f.postJSON(t, "/api/watches", tokAnalyst, `{"name":"hook","kinds":["gap"],"webhook":"`+hook.URL+`/alerts?secret=s"}`, 201, &w)
	f.srv.Publish(najinGap())
	select {
	case a := <-got:
		if a.Watch != w.ID || a.Event.Key != "gap-najin" {
			t.Errorf("webhook alert: %+v", a)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("webhook not delivered after %d calls", calls.Load())
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("%d calls, want 3 (two failures, one success)", n)
	}
	cancel()
	wg.Wait()
	if runErr != nil {
		t.Errorf("Serve after cancel: %v", runErr)
	}
}

func TestWebhookGivesUp(t *testing.T) {
	var calls atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		code := http.StatusInternalServerError
		if r.URL.Path == "/gone" {
			code = http.StatusGone
		}
		w.WriteHeader(code)
	}))
	defer hook.Close()
	ctx := context.Background()
	err := deliverWebhook(ctx, hook.Client(), hook.URL+"/x", []byte("{}"), 2, time.Millisecond)
	if err == nil || calls.Load() != 3 || !strings.Contains(err.Error(), "3 attempts") {
		t.Errorf("5xx: %v after %d calls", err, calls.Load())
	}
	calls.Store(0)
	err = deliverWebhook(ctx, hook.Client(), hook.URL+"/gone", []byte("{}"), 2, time.Millisecond)
	if err == nil || calls.Load() != 1 {
		t.Errorf("410 is final: %v after %d calls", err, calls.Load())
	}
	// A receiver slower than the timeout counts as a failure.
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond)
	}))
	defer slow.Close()
	client := &http.Client{Timeout: 50 * time.Millisecond}
	err = deliverWebhook(ctx, client, slow.URL, []byte("{}"), 0, time.Millisecond)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("slow receiver: %v", err)
	}
	if got := redactURL("https://user:pw@hooks.example/x?token=s"); strings.Contains(got, "pw") || strings.Contains(got, "token") {
		t.Errorf("redact: %s", got)
	}
}

func TestShutdownEndsStreams(t *testing.T) {
	f := newFixture(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.srv.Serve(ctx, ln) }()
	req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+"/api/alerts/stream", nil)
	req.Header.Set("Authorization", "Bearer "+tokViewer)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("shutdown waited for the open stream")
	}
	if _, err := io.ReadAll(resp.Body); err != nil {
		t.Logf("stream read after shutdown: %v", err)
	}
}
