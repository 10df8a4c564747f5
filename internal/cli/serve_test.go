package cli

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/sanctions/match"
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
