package server

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/evidence"
	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/store/duckdb"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

const (
	mmsiMaia   = 273354710 // fixture MMSI for MAIA-1 (IMO 9358010, a public fact)
	mmsiAngara = 273214860 // fixture MMSI for ANGARA (IMO 9179842)
	tokViewer  = "viewer-token"
	tokAnalyst = "analyst-token"
	tokAdmin   = "admin-token"
)

var t0 = time.Date(2023, 9, 14, 0, 0, 0, 0, time.UTC)

// fixture is a server over a real DuckDB store and a real evidence log.
type fixture struct {
	srv  *Server
	http *httptest.Server
	st   *duckdb.Store
	log  *evidence.Log
	evs  []event.Event // as stored, with IDs
}

type fixtureOpt func(*Config, *Deps)

// manyVessels makes n vessels with one position each at t0+9h, spread
// over the seas between Japan, Korea and Russia.
func manyVessels(n int) []vessel.TrackPoint {
	pts := make([]vessel.TrackPoint, n)
	for i := range pts {
		// A fixed low-discrepancy spread, so runs are repeatable.
		fx, fy := math.Mod(float64(i)*0.6180339887, 1), math.Mod(float64(i)*0.7548776662, 1)
		pts[i] = vessel.TrackPoint{Position: vessel.Position{MMSI: uint32(200000000 + i), Time: t0.Add(9*time.Hour - time.Duration(i%3600)*time.Second),
			Lat: 30 + 20*fy, Lon: 125 + 25*fx, SOG: float32(i % 20), COG: float32(i % 360), Heading: 511, Class: vessel.ClassA, MsgType: 1, Source: "many"}, Segment: 1}
	}
	return pts
}

func newFixture(t *testing.T, opts ...fixtureOpt) *fixture {
	t.Helper()
	return newFixtureN(t, 0, opts...)
}

// newFixtureN adds extra vessels to the fixture's store.
func newFixtureN(t testing.TB, extra int, opts ...fixtureOpt) *fixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := duckdb.Open(ctx, duckdb.Config{Path: filepath.Join(dir, "lookout.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	// MAIA-1 sails from Vladivostok (43.1N 131.9E) south-west towards
	// Najin (42.25N 130.30E), one fix every 10 minutes; ANGARA lies off
	// Vostochny (42.75N 133.07E).
	var pts []vessel.TrackPoint
	for i := range 60 {
		f := float64(i) / 59
		pts = append(pts, vessel.TrackPoint{Position: vessel.Position{MMSI: mmsiMaia, Time: t0.Add(time.Duration(i) * 10 * time.Minute),
			Lat: 43.1 - 0.85*f, Lon: 131.9 - 1.6*f + 0.02*float64(i%3), SOG: 11.5, COG: 225, Heading: 225, Status: 0, Class: vessel.ClassA, MsgType: 1, Source: "test"},
			Segment: 1})
	}
	for i := range 10 {
		pts = append(pts, vessel.TrackPoint{Position: vessel.Position{MMSI: mmsiAngara, Time: t0.Add(time.Duration(i) * time.Hour),
			Lat: 42.75 + 0.001*float64(i), Lon: 133.07, SOG: 0.1, COG: vessel.NA, Heading: 511, Class: vessel.ClassA, MsgType: 1, Source: "test"},
			Segment: 1})
	}
	if _, err := st.AddPositions(ctx, 0, pts); err != nil {
		t.Fatal(err)
	}
	if extra > 0 {
		if _, err := st.AddPositions(ctx, 0, manyVessels(extra)); err != nil {
			t.Fatal(err)
		}
	}
	ids := []vessel.Identity{
		{MMSI: mmsiMaia, IMO: 9358010, Name: "MAIA-1", CallSign: "UBXY7", ShipType: 70, Length: 120, Beam: 20, Flag: "RU", Class: vessel.ClassA,
			FirstSeen: t0, LastSeen: t0.Add(9 * time.Hour), Reports: 10, Source: "test"},
		{MMSI: mmsiAngara, IMO: 9179842, Name: "HAI XING", CallSign: "UBAA1", ShipType: 70, Flag: "RU", Class: vessel.ClassA,
			FirstSeen: t0.Add(-400 * 24 * time.Hour), LastSeen: t0.Add(-300 * 24 * time.Hour), Reports: 3, Source: "test"},
		{MMSI: mmsiAngara, IMO: 9179842, Name: "ANGARA", CallSign: "UBAA1", ShipType: 70, Flag: "RU", Class: vessel.ClassA,
			FirstSeen: t0, LastSeen: t0.Add(9 * time.Hour), Reports: 5, Source: "test"},
	}
	if err := st.UpsertIdentities(ctx, ids); err != nil {
		t.Fatal(err)
	}
	evs := []event.Event{
		{Key: "gap-maia", Kind: event.Gap, MMSI: mmsiMaia, IMO: 9358010, Name: "MAIA-1", Start: t0.Add(9*time.Hour + 50*time.Minute),
			End: t0.Add(80 * time.Hour), Lat: 42.25, Lon: 130.3, Confidence: 0.9, Explanation: "AIS silent for 70 h near Najin",
			Detector: "gap", Version: "1", Params: map[string]any{"min_gap_h": 12.0},
			Positions: []event.Ref{{MMSI: mmsiMaia, Time: t0.Add(9*time.Hour + 50*time.Minute), Lat: 42.25, Lon: 130.3}}},
		{Key: "hit-maia", Kind: event.SanctionsHit, MMSI: mmsiMaia, IMO: 9358010, Name: "MAIA-1", Start: t0, End: t0,
			Lat: 43.1, Lon: 131.9, Confidence: 1, Explanation: "IMO 9358010 is listed by OFAC SDN (RUSSIA-EO14024)",
			Detector: "screen", Version: "1", Details: map[string]any{"list": "OFAC-SDN", "program": "RUSSIA-EO14024",
				"entity_name": "MAIA-1", "score": 1.0, "reasons": []any{map[string]any{"field": "imo", "query": "9358010", "listed": "9358010", "strength": 1.0}}}},
		{Key: "port-angara", Kind: event.PortVisit, MMSI: mmsiAngara, Name: "ANGARA", Start: t0, End: t0.Add(9 * time.Hour),
			Lat: 42.75, Lon: 133.07, Port: "Vostochny", Confidence: 1, Explanation: "In port at Vostochny for 9 h",
			Detector: "portvisit", Version: "1"},
	}
	if err := st.PutEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	stored, err := st.Events(ctx, store.EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	elog, err := evidence.Open(filepath.Join(dir, "evidence"), evidence.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { elog.Close() })
	tokens := &MemTokens{}
	tokens.Add(tokViewer, Principal{Name: "vera", Role: RoleViewer})
	tokens.Add(tokAnalyst, Principal{Name: "ana", Role: RoleAnalyst})
	tokens.Add(tokAdmin, Principal{Name: "adam", Role: RoleAdmin})
	cfg := Config{TempDir: dir, WebhookBackoff: 10 * time.Millisecond, WebhookTimeout: time.Second}
	deps := Deps{Store: st, Tokens: tokens, Cases: elog, Basemap: BasemapFunc(tinyLand)}
	for _, o := range opts {
		o(&cfg, &deps)
	}
	srv, err := New(cfg, deps, nil)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &fixture{srv: srv, http: hs, st: st, log: elog, evs: stored}
}

// tinyLand is the test's base map: a box of "land" over the Korean
// peninsula's north-east coast, standing in for internal/coast.
func tinyLand(minLon, minLat, maxLon, maxLat, tol float64) ([]byte, error) {
	return []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"source":"test"},"geometry":{"type":"Polygon","coordinates":[[[129.5,41.0],[130.6,41.0],[130.6,42.5],[131.2,43.0],[132.5,43.2],[133.5,43.5],[133.5,45.0],[129.5,45.0],[129.5,41.0]]]}}]}`), nil
}

// do sends a request with token ("" none) and returns status and body.
func (f *fixture) do(t *testing.T, method, path, token string, body io.Reader) (int, []byte, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, f.http.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := f.http.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, data, resp.Header
}

// getJSON GETs path and decodes the answer, failing unless it is want.
func (f *fixture) getJSON(t *testing.T, path, token string, want int, v any) {
	t.Helper()
	code, body, _ := f.do(t, "GET", path, token, nil)
	if code != want {
		t.Fatalf("GET %s: status %d, want %d: %s", path, code, want, body)
	}
	if v != nil {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("GET %s: %v: %s", path, err, body)
		}
	}
}

func (f *fixture) postJSON(t *testing.T, path, token, body string, want int, v any) {
	t.Helper()
	code, data, _ := f.do(t, "POST", path, token, strings.NewReader(body))
	if code != want {
		t.Fatalf("POST %s: status %d, want %d: %s", path, code, want, data)
	}
	if v != nil {
		if err := json.Unmarshal(data, v); err != nil {
			t.Fatalf("POST %s: %v: %s", path, err, data)
		}
	}
}

func (f *fixture) event(t *testing.T, key string) event.Event {
	t.Helper()
	for _, e := range f.evs {
		if e.Key == key {
			return e
		}
	}
	t.Fatalf("no fixture event %s", key)
	return event.Event{}
}
