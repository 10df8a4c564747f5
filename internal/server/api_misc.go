package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/sanctions/match"
	"github.com/lookout-maritime/lookout/internal/store"
)

var errorsIs = errors.Is

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request, _ *query) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request, _ *query) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(s.openapi)
}

func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request, _ *query) {
	s.metrics.handler().ServeHTTP(w, r)
}

type loginInput struct {
	Token string `json:"token"`
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request, _ *query) {
	var in loginInput
	if err := decodeBody(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	in.Token = strings.TrimSpace(in.Token)
	p, ok := s.deps.Tokens.Lookup(HashToken(in.Token))
	if in.Token == "" || !ok {
		writeError(w, http.StatusUnauthorized, "unknown or revoked token")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: in.Token, Path: "/", HttpOnly: true,
		Secure: s.cfg.SecureCookie, SameSite: http.SameSiteStrictMode, MaxAge: 12 * 3600})
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request, _ *query) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", HttpOnly: true,
		Secure: s.cfg.SecureCookie, SameSite: http.SameSiteStrictMode, MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

// whoamiJSON tells the UI who is signed in and which backends this server
// has, so it never asks for what would be a 501.
type whoamiJSON struct {
	Authenticated bool `json:"authenticated"`
	Principal
	Features map[string]bool `json:"features,omitempty"`
}

func (s *Server) whoami(p Principal) whoamiJSON {
	d := s.deps
	return whoamiJSON{Authenticated: true, Principal: p, Features: map[string]bool{
		"screening": d.Screener != nil, "cases": d.Cases != nil, "dossier": d.Dossier != nil && d.Cases != nil,
		"imagery": d.Imagery != nil, "basemap": d.Basemap != nil, "places": d.Places != nil, "snapshot": d.Snapshot != nil,
	}}
}

func (s *Server) handleWhoami(w http.ResponseWriter, r *http.Request, _ *query) {
	writeJSON(w, http.StatusOK, s.whoami(principalOf(r.Context())))
}

// handleSession lets the UI ask whether its cookie is still good without
// a 401 (which browsers log as an error).
func (s *Server) handleSession(w http.ResponseWriter, r *http.Request, _ *query) {
	p, ok, _ := s.authenticate(r, false)
	if !ok {
		writeJSON(w, http.StatusOK, whoamiJSON{})
		return
	}
	writeJSON(w, http.StatusOK, s.whoami(p))
}

func (s *Server) handleStats(w http.ResponseWriter, r *http.Request, _ *query) {
	st, err := s.deps.Store.Stats(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"positions": st.Positions, "vessels": st.Vessels, "identities": st.Identities,
		"runs": st.Runs, "schema_version": st.SchemaVersion, "event_kinds": event.Kinds})
}

func (s *Server) handleRuns(w http.ResponseWriter, r *http.Request, _ *query) {
	runs, err := s.deps.Store.Runs(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	type runJSON struct {
		ID               int64            `json:"id"`
		Started          time.Time        `json:"started"`
		Finished         *time.Time       `json:"finished,omitempty"`
		Sources          []string         `json:"sources"`
		Status           string           `json:"status"`
		Lines            int64            `json:"lines"`
		Decoded          int64            `json:"decoded"`
		Rejected         int64            `json:"rejected"`
		RejectedByReason map[string]int64 `json:"rejected_by_reason"`
		PositionsAdded   int64            `json:"positions_added"`
		Duplicates       int64            `json:"duplicates_skipped"`
	}
	out := make([]runJSON, 0, len(runs))
	for _, x := range runs {
		j := runJSON{ID: int64(x.ID), Started: x.Started, Sources: x.Sources, Status: string(x.Status), Lines: x.Lines,
			Decoded: x.Decoded, Rejected: x.Rejected, RejectedByReason: x.RejectedByReason, PositionsAdded: x.PositionsAdded,
			Duplicates: x.DuplicatesSkipped}
		if !x.Finished.IsZero() {
			f := x.Finished
			j.Finished = &f
		}
		out = append(out, j)
	}
	writeJSON(w, http.StatusOK, map[string]any{"runs": out})
}

// Events.

func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request, q *query) {
	eq := store.EventQuery{Kinds: q.kinds("kind"), BBox: q.bbox("bbox"), MMSI: q.mmsi("mmsi", "query"),
		IncludeWithdrawn: q.boolean("withdrawn"), Limit: q.intRange("limit", 1000, 1, 100000)}
	eq.From, eq.To = q.timeRange()
	if d := q.str("detector"); d != "" {
		eq.Detectors = []string{d}
	}
	format := q.str("format")
	if format != "" && format != "json" && format != "geojson" {
		q.bad("format", "%q is not json or geojson", format)
	}
	if err := q.err(); err != nil {
		s.fail(w, r, err)
		return
	}
	evs, err := s.deps.Store.Events(r.Context(), eq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if evs == nil {
		evs = []event.Event{}
	}
	if format == "geojson" {
		fc := newFC()
		for i := range evs {
			e := &evs[i]
			fc.add(pointGeom(e.Lon, e.Lat), map[string]any{"id": e.ID, "kind": e.Kind, "mmsi": e.MMSI, "name": e.Name,
				"start": e.Start, "end": e.End, "port": e.Port, "confidence": e.Confidence, "explanation": e.Explanation,
				"detector": e.Detector})
		}
		writeGeoJSON(w, fc)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": evs, "count": len(evs)})
}

func (s *Server) handleEvent(w http.ResponseWriter, r *http.Request, q *query) {
	id, err := strconv.ParseInt(q.path("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, badRequest("id: %q is not an event ID", q.path("id")))
		return
	}
	e, err := s.deps.Store.Event(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, e)
}

// Screening.

type hitJSON struct {
	Kind            string            `json:"kind"`
	Score           float64           `json:"score"`
	Alert           bool              `json:"alert"`
	List            string            `json:"list"`
	ListSHA256      string            `json:"list_sha256"`
	EntityID        string            `json:"entity_id"`
	Name            string            `json:"name"`
	Programs        []string          `json:"programs"`
	DesignationDate string            `json:"designation_date,omitempty"`
	Reasons         []reasonJSON      `json:"reasons"`
	Chain           []match.ChainLink `json:"chain,omitempty"`
}

type reasonJSON struct {
	Field    string  `json:"field"`
	Query    string  `json:"query"`
	Listed   string  `json:"listed"`
	Strength float64 `json:"strength"`
	Note     string  `json:"note,omitempty"`
}

func (s *Server) handleScreen(w http.ResponseWriter, r *http.Request, q *query) {
	mq := match.VesselQuery{Name: q.str("name"), IMO: q.str("imo"), MMSI: q.str("mmsi"), CallSign: q.str("callsign"), Flag: q.str("flag")}
	all := q.boolean("all")
	if mq.Name == "" && mq.IMO == "" && mq.MMSI == "" && mq.CallSign == "" {
		q.bad("name", "give at least one of name, imo, mmsi, callsign")
	}
	if err := q.err(); err != nil {
		s.fail(w, r, err)
		return
	}
	if s.deps.Screener == nil {
		s.fail(w, r, notImplemented("screening", "a sanctions screener (load lists with 'lookout sanctions load')"))
		return
	}
	hits, err := s.deps.Screener.Screen(r.Context(), mq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := []hitJSON{}
	for _, h := range hits {
		if !all && !h.Alert {
			continue
		}
		j := hitJSON{Kind: string(h.Kind), Score: h.Score, Alert: h.Alert, List: string(h.List), ListSHA256: h.ListSHA256,
			EntityID: h.EntityID, Name: h.Name, Programs: h.Programs, Chain: h.Chain, Reasons: []reasonJSON{}}
		if !h.DesignationDate.IsZero() {
			j.DesignationDate = h.DesignationDate.Format("2006-01-02")
		}
		for _, x := range h.Reasons {
			j.Reasons = append(j.Reasons, reasonJSON{Field: x.Field, Query: x.Query, Listed: x.Listed, Strength: x.Strength, Note: x.Note})
		}
		out = append(out, j)
	}
	writeJSON(w, http.StatusOK, map[string]any{"hits": out, "count": len(out)})
}

// GeoJSON helpers.

type featureCollection struct {
	Type     string    `json:"type"`
	Features []feature `json:"features"`
}

type feature struct {
	Type       string         `json:"type"`
	Geometry   any            `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

func newFC() *featureCollection {
	return &featureCollection{Type: "FeatureCollection", Features: []feature{}}
}

func (fc *featureCollection) add(g any, props map[string]any) {
	fc.Features = append(fc.Features, feature{Type: "Feature", Geometry: g, Properties: props})
}

func pointGeom(lon, lat float64) map[string]any {
	return map[string]any{"type": "Point", "coordinates": [2]float64{round6(lon), round6(lat)}}
}

func polygonGeom(ring [][2]float64) map[string]any {
	return map[string]any{"type": "Polygon", "coordinates": [][][2]float64{ring}}
}

func writeGeoJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/geo+json")
	_ = json.NewEncoder(w).Encode(v)
}

// Imagery.

func (s *Server) imageryQuery(q *query) ImageryQuery {
	iq := ImageryQuery{BBox: q.bbox("bbox"), Limit: q.intRange("limit", 1000, 1, 100000)}
	iq.From, iq.To = q.timeRange()
	return iq
}

func (s *Server) handleScenes(w http.ResponseWriter, r *http.Request, q *query) {
	iq := s.imageryQuery(q)
	if err := q.err(); err != nil {
		s.fail(w, r, err)
		return
	}
	if s.deps.Imagery == nil {
		s.fail(w, r, notImplemented("satellite imagery", "an imagery catalogue"))
		return
	}
	scenes, err := s.deps.Imagery.Scenes(r.Context(), iq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	fc := newFC()
	for _, sc := range scenes {
		b := sc.Bounds
		ring := [][2]float64{{b[0], b[1]}, {b[2], b[1]}, {b[2], b[3]}, {b[0], b[3]}, {b[0], b[1]}}
		fc.add(polygonGeom(ring), map[string]any{"id": sc.ID, "provider": sc.Provider, "sensor": sc.Sensor,
			"acquired": sc.Acquired, "caption": sc.Caption, "detections": len(sc.Detections), "item": sc.Item})
	}
	writeGeoJSON(w, fc)
}

func (s *Server) handleDetections(w http.ResponseWriter, r *http.Request, q *query) {
	iq := s.imageryQuery(q)
	dark := q.boolean("dark")
	if err := q.err(); err != nil {
		s.fail(w, r, err)
		return
	}
	if s.deps.Imagery == nil {
		s.fail(w, r, notImplemented("satellite imagery", "an imagery catalogue"))
		return
	}
	scenes, err := s.deps.Imagery.Scenes(r.Context(), iq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	fc := newFC()
	for _, sc := range scenes {
		for _, d := range sc.Detections {
			if dark && d.MMSI != 0 {
				continue
			}
			if iq.BBox != nil && !iq.BBox.Contains(d.Lat, d.Lon) {
				continue
			}
			fc.add(pointGeom(d.Lon, d.Lat), map[string]any{"scene": sc.ID, "acquired": sc.Acquired, "length_m": d.LengthM,
				"confidence": d.Confidence, "mmsi": d.MMSI, "dark": d.MMSI == 0, "note": d.Note})
		}
	}
	writeGeoJSON(w, fc)
}

// Map layers.

func (s *Server) handleBasemap(w http.ResponseWriter, r *http.Request, q *query) {
	box := q.bbox("bbox")
	tol, ok := q.float("tolerance", 0, 10)
	if !ok {
		tol = 0.05
	}
	if err := q.err(); err != nil {
		s.fail(w, r, err)
		return
	}
	if box == nil {
		box = &store.BBox{MinLon: -180, MinLat: -90, MaxLon: 180, MaxLat: 90}
	}
	if s.deps.Basemap == nil {
		s.fail(w, r, notImplemented("the base map", "a coastline source"))
		return
	}
	data, err := s.deps.Basemap.LandGeoJSON(box.MinLon, box.MinLat, box.MaxLon, box.MaxLat, tol)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/geo+json")
	w.Header().Set("Cache-Control", "private, max-age=3600")
	_, _ = w.Write(data)
}

func (s *Server) handlePlaces(w http.ResponseWriter, r *http.Request, _ *query) {
	if s.deps.Places == nil {
		s.fail(w, r, notImplemented("ports and zones", "a gazetteer"))
		return
	}
	ps, err := s.deps.Places.Places(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	fc := newFC()
	for _, p := range ps {
		var g any = pointGeom(p.Lon, p.Lat)
		if len(p.Polygon) >= 3 {
			ring := slices.Clone(p.Polygon)
			if ring[0] != ring[len(ring)-1] {
				ring = append(ring, ring[0])
			}
			g = polygonGeom(ring)
		}
		fc.add(g, map[string]any{"name": p.Name, "country": p.Country, "kind": p.Kind, "high_risk": p.HighRisk,
			"lat": p.Lat, "lon": p.Lon, "source": p.Source})
	}
	w.Header().Set("Cache-Control", "private, max-age=3600")
	writeGeoJSON(w, fc)
}

// jsonBytes encodes v (for small fixed documents).
func jsonBytes(v any) []byte {
	var b bytes.Buffer
	_ = json.NewEncoder(&b).Encode(v)
	return b.Bytes()
}
