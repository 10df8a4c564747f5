package cli

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/sanctions/fetch"
	"github.com/lookout-maritime/lookout/internal/sanctions/match"
	"github.com/lookout-maritime/lookout/internal/server"
	"github.com/lookout-maritime/lookout/internal/store"
)

// syncBuffer is a bytes.Buffer the server goroutine writes while the test
// reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServe runs `lookout serve ARGS...` in-process until the returned
// stop is called; it waits for the server to listen and returns what it
// printed by then.
func startServe(t *testing.T, args ...string) (printed string, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	root := newRoot(strings.NewReader(""), &out, &errb)
	root.SetArgs(append([]string{"serve", "--addr", "127.0.0.1:0", "--log-level", "warn"}, args...))
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), "Stop with Ctrl-C.") {
		select {
		case err := <-done:
			cancel()
			t.Fatalf("serve ended before listening: %v\n%s\n%s", err, out.String(), errb.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve did not start:\n%s\n%s", out.String(), errb.String())
		}
	}
	var once sync.Once
	var stopErr error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(15 * time.Second):
				stopErr = errors.New("serve did not shut down within 15 s")
			}
		})
		return stopErr
	}
	t.Cleanup(func() { stop() })
	return out.String(), stop
}

var (
	urlRE   = regexp.MustCompile(`at (http://127\.0\.0\.1:\d+/)`)
	tokenRE = regexp.MustCompile(`(?m)^\s+(lk_[A-Za-z0-9_-]+)$`)
)

type apiClient struct {
	t     *testing.T
	base  string
	token string
}

func (c *apiClient) do(method, path, token string, body io.Reader) (*http.Response, []byte) {
	c.t.Helper()
	req, err := http.NewRequest(method, strings.TrimSuffix(c.base, "/")+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp, b
}

// get fetches path with the client's token and decodes a 200 JSON answer.
func (c *apiClient) get(path string, v any) {
	c.t.Helper()
	resp, b := c.do("GET", path, c.token, nil)
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			c.t.Fatalf("GET %s: %v: %s", path, err, b)
		}
	}
}

type geoJSON struct {
	Type     string `json:"type"`
	Features []struct {
		Geometry struct {
			Type string `json:"type"`
		} `json:"geometry"`
		Properties map[string]any `json:"properties"`
	} `json:"features"`
}

func TestServe(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.duckdb")
	for _, env := range []string{"LOOKOUT_IMAGERY", "LOOKOUT_TOKENS", "LOOKOUT_EVIDENCE"} {
		t.Setenv(env, "")
	}
	t.Setenv("LOOKOUT_USER", "analyst1")
	seedNajinAIS(t, db)
	mustRun(t, "sanctions", "load", "--store", db, ofacVessels)
	mustRun(t, "imagery", "add", "--store", db, najinPhoto)
	mustRun(t, "imagery", "import-detections", "--store", db, "testdata/imagery/najin-detections.csv", "--scene", najinScene)
	mustRun(t, "imagery", "match", "--store", db, najinScene)
	out, _ := mustRun(t, "case", "new", "--store", db, "Najin, October 2023")
	caseID := strings.TrimSpace(out)
	mustRun(t, "case", "add", "--store", db, caseID, "--vessel", "273000001")
	mustRun(t, "case", "add", "--store", db, caseID, "--scene", najinScene)

	printed, stop := startServe(t, "--store", db)
	m, tm := urlRE.FindStringSubmatch(printed), tokenRE.FindStringSubmatch(printed)
	if m == nil || tm == nil || !strings.Contains(printed, "shown only now") {
		t.Fatalf("first start did not print the URL and an admin token:\n%s", printed)
	}
	c := &apiClient{t: t, base: m[1], token: tm[1]}

	if resp, _ := c.do("GET", "/healthz", "", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("healthz: %d", resp.StatusCode)
	}
	for _, tok := range []string{"", "lk_not-a-token"} {
		resp, b := c.do("GET", "/api/vessels", tok, nil)
		if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("vessels with token %q: %d %s", tok, resp.StatusCode, b)
		}
	}
	var doc map[string]any
	c.get("/openapi.json", &doc)
	if _, ok := doc["openapi"]; !ok || doc["paths"] == nil {
		t.Errorf("openapi.json: %v", doc)
	}
	var who struct {
		Name     string          `json:"name"`
		Role     string          `json:"role"`
		Features map[string]bool `json:"features"`
	}
	c.get("/api/whoami", &who)
	if who.Name != "admin" || who.Role != "admin" || !who.Features["cases"] || !who.Features["imagery"] || !who.Features["screening"] ||
		!who.Features["basemap"] || !who.Features["dossier"] {
		t.Errorf("whoami: %+v", who)
	}
	var vs struct {
		Count   int              `json:"count"`
		Vessels []map[string]any `json:"vessels"`
	}
	c.get("/api/vessels", &vs)
	if vs.Count != 3 || !strings.Contains(strings.ToUpper(jsonString(t, vs.Vessels)), "MAIA-1") {
		t.Errorf("vessels: %+v", vs)
	}
	var evs struct {
		Count  int              `json:"count"`
		Events []map[string]any `json:"events"`
	}
	c.get("/api/events?kind=dark_detection", &evs)
	if evs.Count != 1 || !strings.Contains(jsonString(t, evs.Events), najinScene) {
		t.Errorf("events: %+v", evs)
	}
	var dets geoJSON
	c.get("/api/imagery/detections", &dets)
	if len(dets.Features) != 2 || dets.Features[0].Properties["mmsi"] != float64(273000001) || dets.Features[1].Properties["dark"] != true {
		t.Errorf("detections: %+v", dets)
	}
	var scenes geoJSON
	c.get("/api/imagery/scenes?bbox=130,42,131,43", &scenes)
	if len(scenes.Features) != 1 || scenes.Features[0].Properties["id"] != najinScene {
		t.Errorf("scenes: %+v", scenes)
	}
	c.get("/api/imagery/scenes?bbox=0,0,1,1", &scenes)
	if len(scenes.Features) != 0 {
		t.Errorf("scenes far away: %+v", scenes)
	}
	var hits struct {
		Count int              `json:"count"`
		Hits  []map[string]any `json:"hits"`
	}
	c.get("/api/screen?imo=9358010", &hits)
	if hits.Count == 0 || hits.Hits[0]["name"] != "MAIA-1" || hits.Hits[0]["list"] != "OFAC-SDN" {
		t.Errorf("screen: %+v", hits)
	}
	var land geoJSON
	c.get("/api/basemap.geojson?bbox=130,42,131,43", &land)
	if land.Type != "FeatureCollection" || len(land.Features) == 0 {
		t.Errorf("basemap: %+v", land)
	}
	var cases struct {
		Cases []map[string]any `json:"cases"`
	}
	c.get("/api/cases", &cases)
	if !strings.Contains(jsonString(t, cases), caseID) {
		t.Errorf("cases: %+v", cases)
	}
	resp, zipped := c.do("POST", "/api/cases/"+caseID+"/dossier", c.token, nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("dossier: %d %s %.200s", resp.StatusCode, resp.Header.Get("Content-Type"), zipped)
	}
	// The dossier shows the case's scene with its detections, as the CLI's.
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil {
		t.Fatal(err)
	}
	var index []byte
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "index.html") {
			rc, _ := f.Open()
			index, _ = io.ReadAll(rc)
			rc.Close()
		}
	}
	if !bytes.Contains(index, []byte(najinScene)) || !bytes.Contains(index, []byte("MAIA-1")) {
		t.Errorf("dossier index.html (%d bytes) lacks the scene or the vessel", len(index))
	}

	// While the server holds the evidence log, the CLI is told so.
	if _, errOut, code := run(t, "", "case", "list", "--store", db); code != 1 || !strings.Contains(errOut, "in use") {
		t.Errorf("case list beside the server: %d %s", code, errOut)
	}

	if err := stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "s.tokens")); err != nil {
		t.Fatalf("token file: %v", err)
	}
	// The export was recorded in the case's chain of custody.
	out, _ = mustRun(t, "case", "show", "--store", db, caseID)
	if !strings.Contains(out, "admin (admin) exported") {
		t.Errorf("custody lacks the export:\n%s", out)
	}

	// A second start creates no token; the first still works. The map's
	// places are the gazetteer's with the user's own.
	zones := filepath.Join(dir, "zones.geojson")
	os.WriteFile(zones, []byte(`{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "Test box", "kind": "zone"},
	 "geometry": {"type": "Polygon", "coordinates": [[[130.3, 42.2], [130.5, 42.2], [130.5, 42.3], [130.3, 42.3], [130.3, 42.2]]]}}]}`), 0o644)
	printed, stop = startServe(t, "--store", db, "--open-case", caseID, "--gazetteer", zones)
	if tokenRE.MatchString(printed) || !strings.Contains(printed, "#/case/"+caseID) || !strings.Contains(printed, "lookout token create") {
		t.Errorf("second start:\n%s", printed)
	}
	c.base = urlRE.FindStringSubmatch(printed)[1]
	c.get("/api/stats", nil)
	var places geoJSON
	c.get("/api/places", &places)
	found := map[string]string{}
	for _, f := range places.Features {
		if name, _ := f.Properties["name"].(string); name == "Najin" && f.Properties["high_risk"] == true || name == "Test box" {
			found[name] = f.Geometry.Type
		}
	}
	if found["Najin"] != "Point" || found["Test box"] != "Polygon" || len(places.Features) < 100 {
		t.Errorf("places: %v of %d", found, len(places.Features))
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

func jsonString(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestServeIngest: serveStore with a live ingest into a new store; the
// positions reach the API and the ingest metric.
func TestServeIngest(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "live.duckdb")
	ready := make(chan serveInfo, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- serveStore(ctx, serveOptions{Addr: "127.0.0.1:0", StorePath: db, Ingest: []string{"../../testdata/sample.nmea"},
			NewToken: "demo", Out: &out, Ready: func(i serveInfo) { ready <- i }})
	}()
	var info serveInfo
	select {
	case info = <-ready:
	case err := <-done:
		t.Fatalf("serveStore: %v\n%s", err, out.String())
	case <-time.After(30 * time.Second):
		t.Fatal("not ready")
	}
	if info.Token == "" || info.TokenFile != filepath.Join(dir, "live.tokens") || !strings.HasPrefix(info.URL, "http://127.0.0.1:") {
		t.Fatalf("info: %+v", info)
	}
	c := &apiClient{t: t, base: info.URL, token: info.Token}
	deadline := time.Now().Add(30 * time.Second)
	for {
		var vs struct {
			Count int `json:"count"`
		}
		c.get("/api/vessels", &vs)
		if vs.Count > 0 && strings.Contains(out.String(), "ingest run") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no vessels from the live ingest:\n%s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	_, metrics := c.do("GET", "/metrics", c.token, nil)
	if m := regexp.MustCompile(`(?m)^lookout_ingest_positions_total ([0-9.e+]+)$`).FindSubmatch(metrics); m == nil || string(m[1]) == "0" {
		t.Errorf("ingest metric: %s", m)
	}
	// The detectors' events were published to the alert stream as stored.
	if !regexp.MustCompile(`(?m)^lookout_events_total\{kind="[a-z_]+"\} [1-9]`).Match(metrics) {
		t.Errorf("no events published:\n%s", metrics)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("no shutdown")
	}
}

func TestStoreScreenerWithoutLists(t *testing.T) {
	s := &storeScreener{st: noLists{}}
	_, err := s.Screen(context.Background(), match.VesselQuery{Name: "MAIA 1"})
	if !errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), "sanctions load") {
		t.Errorf("err = %v", err)
	}
}

type noLists struct{ listStore }

func (noLists) ListVersions(context.Context) ([]store.ListVersion, error) { return nil, nil }

// TestPublishingStore: events reach the alert stream only once stored.
func TestPublishingStore(t *testing.T) {
	var published []event.Event
	added := 0
	fs := &failingEvents{}
	p := &publishingStore{Store: fs, publish: func(e event.Event) { published = append(published, e) }, added: func(n int) { added += n }}
	evs := []event.Event{{Key: "a", Kind: event.Gap}, {Key: "b", Kind: event.Encounter}}
	if err := p.PutEvents(context.Background(), evs); err != nil || len(published) != 2 {
		t.Fatalf("stored: %v, %d published", err, len(published))
	}
	fs.fail = true
	if err := p.PutEvents(context.Background(), evs); err == nil || len(published) != 2 {
		t.Fatalf("failed store: %v, %d published", err, len(published))
	}
}

type failingEvents struct {
	store.Store
	fail bool
}

func (f *failingEvents) PutEvents(context.Context, []event.Event) error {
	if f.fail {
		return errors.New("disk full")
	}
	return nil
}

// TestServeFailedStart: a start that cannot listen says why and leaves no
// token nobody saw; a missing store is named.
func TestServeFailedStart(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.duckdb")
	t.Setenv("LOOKOUT_TOKENS", "")
	if _, errOut, code := run(t, "", "serve", "--store", db, "--addr", "127.0.0.1:0"); code != 1 || !strings.Contains(errOut, "does not exist") {
		t.Errorf("missing store: %d %s", code, errOut)
	}
	seedNajinAIS(t, db)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = serveStore(context.Background(), serveOptions{Addr: ln.Addr().String(), StorePath: db})
	if err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Errorf("busy port: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "s.tokens")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("token file after a failed start: %v", err)
	}
}

// listFeed is a local stand-in for a list's publication URL: it serves
// body with an ETag, answers 304 to a matching If-None-Match, and counts
// requests. block, when set, holds each request until it is closed.
type listFeed struct {
	mu            sync.Mutex
	body          []byte
	etag          string
	requests, nms int
	entered       chan struct{}
	block         chan struct{}
}

func (f *listFeed) set(body []byte, etag string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.body, f.etag = body, etag
}

func (f *listFeed) counts() (requests, notModified int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests, f.nms
}

func (f *listFeed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests++
	body, etag, block, entered := f.body, f.etag, f.block, f.entered
	if r.Header.Get("If-None-Match") == etag {
		f.nms++
		f.mu.Unlock()
		w.WriteHeader(http.StatusNotModified)
		return
	}
	f.mu.Unlock()
	if block != nil {
		entered <- struct{}{}
		<-block
	}
	w.Header().Set("ETag", etag)
	w.Write(body)
}

// sdnWithout returns the SDN XML fixture without the entry holding uid.
func sdnWithout(t *testing.T, full []byte, uid string) []byte {
	t.Helper()
	i := bytes.Index(full, []byte("<uid>"+uid+"</uid>"))
	start := bytes.LastIndex(full[:i], []byte("<sdnEntry>"))
	end := i + bytes.Index(full[i:], []byte("</sdnEntry>")) + len("</sdnEntry>")
	if i < 0 || start < 0 || end < i {
		t.Fatalf("no entry %s in the fixture", uid)
	}
	return append(append([]byte{}, full[:start]...), full[end:]...)
}

// refreshFixture is a server over a seeded store with a list refresher
// fetching from a local feed.
type refreshFixture struct {
	ctx      context.Context
	st       store.Store
	feed     *listFeed
	r        *listRefresher
	api      *apiClient
	logs     *syncBuffer
	sdn      []byte // the whole SDN fixture
	feedURL  string
	screener *storeScreener
}

func newRefreshFixture(t *testing.T) *refreshFixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "s.duckdb")
	seedVessels(t, db) // MAIA-1 (IMO 9358010), ANGARA renamed BLUE HORIZON, MARIA GRACE
	sdn, err := os.ReadFile("../sanctions/testdata/ofac/sdn_fixture.xml")
	if err != nil {
		t.Fatal(err)
	}
	st, err := openStore(ctx, db, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	tokPath := filepath.Join(dir, "s.tokens")
	tok, err := server.CreateToken(tokPath, server.RoleAdmin, "admin", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := server.OpenTokenFile(tokPath)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	sc := &storeScreener{st: st}
	srv, err := server.New(server.Config{WatchFile: filepath.Join(dir, "w.json")}, server.Deps{Store: st, Tokens: tokens, Screener: sc}, logger)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	feed := &listFeed{}
	fs := httptest.NewServer(feed)
	t.Cleanup(fs.Close)
	f := &refreshFixture{ctx: ctx, st: st, feed: feed, logs: logs, sdn: sdn, feedURL: fs.URL + "/SDN.XML", screener: sc,
		api: &apiClient{t: t, base: hs.URL + "/", token: tok}}
	f.r = &listRefresher{st: st, fetcher: fetch.New(fetch.Config{}), feeds: []fetch.Feed{{Source: "OFAC-SDN", URL: f.feedURL}},
		sink: srv, screener: sc, log: logger}
	return f
}

// metric returns a sample's value from /metrics, or -1 when it is absent.
func (f *refreshFixture) metric(t *testing.T, sample string) float64 {
	t.Helper()
	_, b := f.api.do("GET", "/metrics", f.api.token, nil)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, sample+" "); ok {
			var x float64
			if _, err := fmt.Sscan(v, &x); err != nil {
				t.Fatalf("metric %s: %q", sample, line)
			}
			return x
		}
	}
	return -1
}

// screenIMO screens an IMO as the API does and returns the alerting hits.
func (f *refreshFixture) screenIMO(t *testing.T, imo string) []match.Hit {
	t.Helper()
	hits, err := f.screener.Screen(f.ctx, match.VesselQuery{IMO: imo})
	if err != nil {
		t.Fatal(err)
	}
	var alerting []match.Hit
	for _, h := range hits {
		if h.Alert {
			alerting = append(alerting, h)
		}
	}
	return alerting
}

// sanctionHits are the stored sanctions_hit events' vessels, by MMSI.
func (f *refreshFixture) sanctionHits(t *testing.T) map[uint32]event.Event {
	t.Helper()
	evs, err := f.st.Events(f.ctx, store.EventQuery{Kinds: []event.Kind{event.SanctionsHit}})
	if err != nil {
		t.Fatal(err)
	}
	out := map[uint32]event.Event{}
	for _, e := range evs {
		out[e.MMSI] = e
	}
	return out
}

// alertStream opens the SSE stream for a watch on sanctions hits and
// rating changes, once the server counts it connected.
func (f *refreshFixture) alertStream(t *testing.T) *bufio.Reader {
	t.Helper()
	resp, b := f.api.do("POST", "/api/watches", f.api.token, strings.NewReader(`{"name":"lists","kinds":["sanctions_hit","risk_change"]}`))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("watch: %d %s", resp.StatusCode, b)
	}
	sresp, err := http.Get(f.api.base + "api/alerts/stream?token=" + f.api.token)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sresp.Body.Close() })
	if sresp.StatusCode != http.StatusOK {
		t.Fatalf("stream: %d", sresp.StatusCode)
	}
	deadline := time.Now().Add(10 * time.Second)
	for f.metric(t, "lookout_alert_streams") != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the alert stream was not registered")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return bufio.NewReader(sresp.Body)
}

// nextAlert reads SSE lines until an alert arrives, or fails after 10 s.
func nextAlert(t *testing.T, br *bufio.Reader) server.Alert {
	t.Helper()
	type res struct {
		a   server.Alert
		err error
	}
	ch := make(chan res, 1)
	go func() {
		var ev, data string
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				ch <- res{err: err}
				return
			}
			line = strings.TrimRight(line, "\n")
			switch {
			case strings.HasPrefix(line, "event: "):
				ev = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				data = strings.TrimPrefix(line, "data: ")
			case line == "" && ev == "alert":
				var a server.Alert
				err := json.Unmarshal([]byte(data), &a)
				ch <- res{a, err}
				return
			}
		}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			t.Fatalf("alert stream: %v", r.err)
		}
		return r.a
	case <-time.After(10 * time.Second):
		t.Fatal("no alert within 10 s")
	}
	return server.Alert{}
}

// readRefreshAlerts reads the alerts one refresh published (its new hits
// and rating changes, all watched) and checks that the hits are on mmsi,
// stored (with an ID) and that nothing else arrived.
func readRefreshAlerts(t *testing.T, br *bufio.Reader, res refreshResult, mmsi uint32) {
	t.Helper()
	hits, changes := 0, 0
	for range len(res.NewHits) + len(res.RiskChanges) {
		a := nextAlert(t, br)
		switch a.Event.Kind {
		case event.SanctionsHit:
			hits++
			if a.Event.MMSI != mmsi || a.Event.ID == 0 {
				t.Errorf("alerted hit on %d (ID %d), want a stored hit on %d", a.Event.MMSI, a.Event.ID, mmsi)
			}
		case event.RiskChange:
			changes++
		default:
			t.Errorf("unexpected alert %+v", a.Event)
		}
	}
	if hits != len(res.NewHits) || changes != len(res.RiskChanges) {
		t.Errorf("alerts: %d hits, %d rating changes; published %d, %d", hits, changes, len(res.NewHits), len(res.RiskChanges))
	}
}

// TestListRefresh: the scheduled refresh stores a new version and alerts
// its hits; a 304 stores nothing; a changed list is a new version whose
// new hits (only) are alerted and which the API screens against; a corrupt
// download is refused, logged and counted, the stored version staying in
// use.
func TestListRefresh(t *testing.T) {
	f := newRefreshFixture(t)
	withoutMaia := sdnWithout(t, f.sdn, "37098")
	f.feed.set(withoutMaia, `"v1"`)
	br := f.alertStream(t)

	// 1. First refresh: version 1, ANGARA's hit (by its former name) as
	// an event and on the stream; the vessels are re-rated.
	res, err := f.r.refresh(f.ctx)
	if err != nil || len(res.NewVersions) != 1 || len(res.Failed) != 0 {
		t.Fatalf("first refresh: %v %+v", err, res)
	}
	v1 := res.NewVersions[0]
	if v1.Source != "OFAC-SDN" || v1.URL != f.feedURL || v1.ETag != `"v1"` || res.Screened != 3 {
		t.Errorf("version 1: %+v, screened %d", v1, res.Screened)
	}
	hits := f.sanctionHits(t)
	if len(hits) != 1 || hits[273000002].Details["list_version"] != v1.ID && hits[273000002].Details["list_version"] != float64(v1.ID) {
		t.Fatalf("stored hits after version 1: %+v", hits)
	}
	// ANGARA is a hit twice: as the listed vessel and through its owner.
	if len(res.NewHits) != 2 || len(res.RiskChanges) == 0 {
		t.Errorf("first refresh published %d hits, %d rating changes", len(res.NewHits), len(res.RiskChanges))
	}
	readRefreshAlerts(t, br, res, 273000002)
	if len(f.screenIMO(t, "9358010")) != 0 {
		t.Error("MAIA-1 is not on version 1, yet the API screens it as a hit")
	}
	if got := f.metric(t, `lookout_sanctions_list_version{source="OFAC-SDN"}`); got != float64(v1.ID) {
		t.Errorf("version metric %v, want %d", got, v1.ID)
	}

	// 2. Not modified: a conditional request answered 304, nothing stored,
	// nothing alerted.
	res, err = f.r.refresh(f.ctx)
	if req, nm := f.feed.counts(); err != nil || len(res.NewVersions) != 0 || res.Screened != 0 || req != 2 || nm != 1 {
		t.Fatalf("304 refresh: %v %+v (requests %d, 304s %d)", err, res, req, nm)
	}
	if vs, _ := f.st.ListVersions(f.ctx); len(vs) != 1 {
		t.Errorf("304 stored a version: %d versions", len(vs))
	}
	if got := f.metric(t, `lookout_sanctions_fetches_total{outcome="unchanged",source="OFAC-SDN"}`); got != 1 {
		t.Errorf("unchanged fetches: %v", got)
	}

	// 3. The list changed (MAIA-1 designated): version 2; only the new hit
	// is alerted, and the API screens against version 2.
	f.feed.set(f.sdn, `"v2"`)
	res, err = f.r.refresh(f.ctx)
	if err != nil || len(res.NewVersions) != 1 || res.NewVersions[0].ID == v1.ID {
		t.Fatalf("changed list: %v %+v", err, res)
	}
	v2 := res.NewVersions[0]
	if len(res.NewHits) == 0 {
		t.Errorf("changed list alerted no hits")
	}
	readRefreshAlerts(t, br, res, 273000001) // MAIA-1's only: ANGARA's are not alerted again
	if h := f.screenIMO(t, "9358010"); len(h) == 0 || h[0].Name != "MAIA-1" || h[0].ListSHA256 != v2.SHA256 {
		t.Errorf("API screening after version 2: %+v", h)
	}
	if hits := f.sanctionHits(t); len(hits) != 2 {
		t.Errorf("stored hits after version 2: %d", len(hits))
	}

	// 4. A corrupt download (cut in half) is refused and logged; version 2
	// stays in use and nothing is re-screened.
	f.feed.set(f.sdn[:len(f.sdn)/2], `"v3"`)
	res, err = f.r.refresh(f.ctx)
	if err == nil || len(res.NewVersions) != 0 || len(res.Failed) != 1 || res.Screened != 0 {
		t.Fatalf("corrupt list: %v %+v", err, res)
	}
	if vs, _ := f.st.ListVersions(f.ctx); len(vs) != 2 || vs[0].ID != v2.ID {
		t.Errorf("versions after a corrupt download: %+v", vs)
	}
	if h := f.screenIMO(t, "9358010"); len(h) == 0 || h[0].ListSHA256 != v2.SHA256 {
		t.Errorf("API screening after a corrupt download: %+v", h)
	}
	logs := f.logs.String()
	if !strings.Contains(logs, "sanctions refresh failed") || !strings.Contains(logs, "integrity check") || !strings.Contains(logs, "OFAC-SDN") {
		t.Errorf("corrupt download not logged:\n%s", logs)
	}
	for sample, want := range map[string]float64{
		`lookout_sanctions_fetches_total{outcome="failed",source="OFAC-SDN"}`:      1,
		`lookout_sanctions_fetches_total{outcome="new_version",source="OFAC-SDN"}`: 2,
		`lookout_sanctions_refresh_failures_total{stage="fetch"}`:                  1,
		`lookout_sanctions_list_version{source="OFAC-SDN"}`:                        float64(v2.ID),
	} {
		if got := f.metric(t, sample); got != want {
			t.Errorf("%s = %v, want %v", sample, got, want)
		}
	}
	if hits := f.sanctionHits(t); len(hits) != 2 {
		t.Errorf("stored hits after a corrupt download: %d", len(hits))
	}
}

// TestListRefreshNeverOverlaps: a refresh asked for while one runs returns
// at once without fetching.
func TestListRefreshNeverOverlaps(t *testing.T) {
	f := newRefreshFixture(t)
	f.feed.set(f.sdn, `"v1"`)
	f.feed.entered, f.feed.block = make(chan struct{}, 1), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := f.r.refresh(f.ctx)
		done <- err
	}()
	<-f.feed.entered // the first refresh is downloading
	if _, err := f.r.refresh(f.ctx); !errors.Is(err, errRefreshBusy) {
		t.Errorf("overlapping refresh: %v", err)
	}
	if req, _ := f.feed.counts(); req != 1 {
		t.Errorf("the overlapping refresh fetched: %d requests", req)
	}
	close(f.feed.block)
	if err := <-done; err != nil {
		t.Fatalf("first refresh: %v", err)
	}
	if vs, _ := f.st.ListVersions(f.ctx); len(vs) != 1 {
		t.Errorf("%d versions", len(vs))
	}
}

// TestServeRefreshLists: `lookout serve --refresh-lists D --feed ...` on a
// store without lists fetches on schedule; the API then screens against
// the list, and the metrics say so.
func TestServeRefreshLists(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.duckdb")
	t.Setenv("LOOKOUT_TOKENS", "")
	seedVessels(t, db)
	sdn, err := os.ReadFile("../sanctions/testdata/ofac/sdn_fixture.xml")
	if err != nil {
		t.Fatal(err)
	}
	feed := &listFeed{body: sdn, etag: `"v1"`}
	fs := httptest.NewServer(feed)
	defer fs.Close()
	for _, bad := range [][]string{{"--refresh-lists", "-1h"}, {"--feed", "NOPE=http://x/"}} {
		if _, _, code := run(t, "", append([]string{"serve", "--store", db, "--addr", "127.0.0.1:0"}, bad...)...); code != 2 {
			t.Errorf("serve %v: exit %d, want 2", bad, code)
		}
	}
	printed, stop := startServe(t, "--store", db, "--refresh-lists", "200ms", "--feed", "OFAC-SDN="+fs.URL+"/SDN.XML")
	defer stop()
	if !strings.Contains(printed, "refreshed every 200ms (OFAC-SDN)") {
		t.Errorf("start did not announce the refresh:\n%s", printed)
	}
	c := &apiClient{t: t, base: urlRE.FindStringSubmatch(printed)[1], token: tokenRE.FindStringSubmatch(printed)[1]}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, b := c.do("GET", "/api/screen?imo=9179842", c.token, nil)
		if resp.StatusCode == http.StatusOK && strings.Contains(string(b), `"ANGARA"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no screening after the scheduled refresh: %d %s", resp.StatusCode, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Later refreshes ask conditionally and store nothing new.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if _, nm := feed.counts(); nm > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no conditional request on the next refresh")
		}
	}
	_, m := c.do("GET", "/metrics", c.token, nil)
	if !regexp.MustCompile(`(?m)^lookout_sanctions_list_version\{source="OFAC-SDN"\} 1$`).Match(m) ||
		!regexp.MustCompile(`(?m)^lookout_sanctions_fetches_total\{outcome="new_version",source="OFAC-SDN"\} 1$`).Match(m) {
		t.Errorf("metrics:\n%s", regexp.MustCompile(`(?m)^lookout_sanctions.*$`).FindAll(m, -1))
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// TestServeReorder: with --reorder -1s a live TCP stream's positions are
// not held back for the tracker's 5-minute reorder window: they reach the
// store (once a stream batch fills) while the connection is still open.
func TestServeReorder(t *testing.T) {
	sample, err := os.ReadFile("../../testdata/sample.nmea")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		// Arrival-dated lines: each copy is new positions, not duplicates.
		for range 3 {
			if _, err := conn.Write(sample); err != nil {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(time.Minute) // the connection stays open
	}()
	db := filepath.Join(t.TempDir(), "live.duckdb")
	ready := make(chan serveInfo, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- serveStore(ctx, serveOptions{Addr: "127.0.0.1:0", StorePath: db, Ingest: []string{"tcp://" + ln.Addr().String()},
			Reorder: -time.Second, NewToken: "t", Ready: func(i serveInfo) { ready <- i }})
	}()
	var info serveInfo
	select {
	case info = <-ready:
	case err := <-done:
		t.Fatalf("serveStore: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("not ready")
	}
	c := &apiClient{t: t, base: info.URL, token: info.Token}
	stored := regexp.MustCompile(`(?m)^lookout_ingest_positions_total ([1-9][0-9.e+]*)$`)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if _, m := c.do("GET", "/metrics", c.token, nil); stored.Match(m) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no positions stored from the open stream")
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
