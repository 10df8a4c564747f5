package server

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/simplify"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// identityJSON is vessel.Identity as the API writes it.
type identityJSON struct {
	MMSI        uint32    `json:"mmsi"`
	IMO         uint32    `json:"imo,omitempty"`
	Name        string    `json:"name,omitempty"`
	CallSign    string    `json:"callsign,omitempty"`
	ShipType    uint8     `json:"ship_type,omitempty"`
	Length      uint16    `json:"length,omitempty"`
	Beam        uint16    `json:"beam,omitempty"`
	Flag        string    `json:"flag,omitempty"`
	Class       string    `json:"class,omitempty"`
	FirstSeen   time.Time `json:"first_seen"`
	LastSeen    time.Time `json:"last_seen"`
	Reports     int       `json:"reports"`
	Source      string    `json:"source,omitempty"`
	Destination string    `json:"destination,omitempty"`
}

func identityOut(id *vessel.Identity) *identityJSON {
	if id == nil {
		return nil
	}
	out := &identityJSON{MMSI: id.MMSI, IMO: id.IMO, Name: id.Name, CallSign: id.CallSign, ShipType: id.ShipType,
		Length: id.Length, Beam: id.Beam, Flag: id.Flag, FirstSeen: id.FirstSeen, LastSeen: id.LastSeen,
		Reports: id.Reports, Source: id.Source, Destination: id.Destination}
	if id.Class != vessel.ClassUnknown {
		out.Class = string(rune(id.Class))
	}
	return out
}

// vesselJSON is store.VesselSummary as the API writes it.
type vesselJSON struct {
	MMSI       uint32        `json:"mmsi"`
	Flag       string        `json:"flag,omitempty"` // claimed by the MMSI's MID
	Latest     *identityJSON `json:"latest,omitempty"`
	Identities int           `json:"identities"`
	Positions  int64         `json:"positions"`
	FirstSeen  time.Time     `json:"first_seen"`
	LastSeen   time.Time     `json:"last_seen"`
}

func vesselOut(v *store.VesselSummary) vesselJSON {
	return vesselJSON{MMSI: v.MMSI, Flag: vessel.FlagOf(v.MMSI), Latest: identityOut(v.Latest), Identities: v.Identities,
		Positions: v.Positions, FirstSeen: v.FirstSeen, LastSeen: v.LastSeen}
}

func (s *Server) handleVessels(w http.ResponseWriter, r *http.Request, q *query) {
	text := q.str("q")
	limit := q.intRange("limit", 20, 1, 1000)
	if err := q.err(); err != nil {
		s.fail(w, r, err)
		return
	}
	vs, err := s.searchVessels(r.Context(), text, limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]vesselJSON, len(vs))
	for i := range vs {
		out[i] = vesselOut(&vs[i])
	}
	writeJSON(w, http.StatusOK, map[string]any{"vessels": out, "count": len(out)})
}

// searchVessels answers exact identifiers from the store (MMSI, IMO,
// which cover every identity ever seen), then text from the searcher.
func (s *Server) searchVessels(ctx context.Context, text string, limit int) ([]store.VesselSummary, error) {
	st := s.deps.Store
	if text == "" {
		return st.Vessels(ctx, store.VesselQuery{Order: store.ByLastSeen, Limit: limit})
	}
	var out []store.VesselSummary
	seen := map[uint32]bool{}
	add := func(v store.VesselSummary) {
		if !seen[v.MMSI] && len(out) < limit {
			seen[v.MMSI] = true
			out = append(out, v)
		}
	}
	digits := strings.TrimSpace(strings.TrimPrefix(strings.ToUpper(text), "IMO"))
	if n, err := strconv.ParseUint(digits, 10, 32); err == nil {
		if len(digits) == 7 {
			hs, err := st.VesselsByIMO(ctx, uint32(n))
			if err != nil && !isNotFound(err) {
				return nil, err
			}
			for _, h := range hs {
				add(h.VesselSummary)
			}
		}
		if len(digits) == 9 {
			h, err := st.Vessel(ctx, uint32(n))
			if err != nil && !isNotFound(err) {
				return nil, err
			}
			if err == nil {
				add(h.VesselSummary)
			}
		}
	}
	var more []store.VesselSummary
	var err error
	if s.deps.Search != nil {
		more, err = s.deps.Search.SearchVessels(ctx, text, limit)
	} else {
		more, err = s.search.find(ctx, text, limit)
	}
	if err != nil {
		return nil, err
	}
	for _, v := range more {
		add(v)
	}
	return out, nil
}

// searchIndex is the fallback VesselSearcher: each vessel's latest name,
// call sign and MMSI, rebuilt when older than refresh. At 100 000 vessels
// a rebuild is one listing query and a scan is a few milliseconds.
type searchIndex struct {
	st      Store
	refresh time.Duration

	mu      sync.Mutex
	built   time.Time
	entries []searchEntry
}

type searchEntry struct {
	v          store.VesselSummary
	name, call string // normalised
	mmsi       string
}

func normName(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToUpper(s) {
		switch {
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r > 127:
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	return b.String()
}

func (ix *searchIndex) load(ctx context.Context) ([]searchEntry, error) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.entries != nil && time.Since(ix.built) < ix.refresh {
		return ix.entries, nil
	}
	vs, err := ix.st.Vessels(ctx, store.VesselQuery{Order: store.ByLastSeen})
	if err != nil {
		return nil, err
	}
	es := make([]searchEntry, len(vs))
	for i, v := range vs {
		es[i] = searchEntry{v: v, mmsi: strconv.FormatUint(uint64(v.MMSI), 10)}
		if v.Latest != nil {
			es[i].name, es[i].call = normName(v.Latest.Name), normName(v.Latest.CallSign)
		}
	}
	ix.entries, ix.built = es, time.Now()
	return es, nil
}

// find ranks: exact name or call sign, then name prefix, then a word of
// the name starting with the text, then the text anywhere in the name or
// at the start of the MMSI. Within a rank, most recently seen first.
func (ix *searchIndex) find(ctx context.Context, text string, limit int) ([]store.VesselSummary, error) {
	es, err := ix.load(ctx)
	if err != nil {
		return nil, err
	}
	t := normName(text)
	if t == "" {
		return nil, nil
	}
	var ranked [4][]store.VesselSummary
	for i := range es {
		e := &es[i]
		switch {
		case e.name == t || e.call == t:
			ranked[0] = append(ranked[0], e.v)
		case strings.HasPrefix(e.name, t):
			ranked[1] = append(ranked[1], e.v)
		case strings.Contains(e.name, " "+t):
			ranked[2] = append(ranked[2], e.v)
		case strings.Contains(e.name, t) || strings.HasPrefix(e.mmsi, t):
			ranked[3] = append(ranked[3], e.v)
		}
		if len(ranked[0]) >= limit {
			break
		}
	}
	var out []store.VesselSummary
	for _, r := range ranked {
		for _, v := range r {
			if len(out) == limit {
				return out, nil
			}
			out = append(out, v)
		}
	}
	return out, nil
}

func isNotFound(err error) bool { return err != nil && errorsIs(err, store.ErrNotFound) }

// sanctionJSON is one sanctions hit on the vessel page, read from a
// sanctions_hit event's details (see sanctions/match).
type sanctionJSON struct {
	EventID     int64   `json:"event_id"`
	List        string  `json:"list"`
	Program     string  `json:"program,omitempty"`
	EntityName  string  `json:"entity_name,omitempty"`
	EntityID    string  `json:"entity_id,omitempty"`
	Score       float64 `json:"score"`
	Reasons     any     `json:"reasons,omitempty"`
	Explanation string  `json:"explanation"`
}

type vesselDetailJSON struct {
	vesselJSON
	History   []*identityJSON `json:"history"`
	Sanctions []sanctionJSON  `json:"sanctions"`
	Events    []event.Event   `json:"events"`
}

func (s *Server) handleVessel(w http.ResponseWriter, r *http.Request, q *query) {
	mmsi := q.mmsi("mmsi", "path")
	if err := q.err(); err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.vesselDetail(r.Context(), mmsi)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) vesselDetail(ctx context.Context, mmsi uint32) (*vesselDetailJSON, error) {
	h, err := s.deps.Store.Vessel(ctx, mmsi)
	if err != nil {
		return nil, fmt.Errorf("vessel %d: %w", mmsi, err)
	}
	evs, err := s.deps.Store.Events(ctx, store.EventQuery{MMSI: mmsi, Limit: 1000})
	if err != nil {
		return nil, err
	}
	d := &vesselDetailJSON{vesselJSON: vesselOut(&h.VesselSummary), History: []*identityJSON{}, Sanctions: []sanctionJSON{}, Events: evs}
	if d.Events == nil {
		d.Events = []event.Event{}
	}
	for i := range h.History {
		d.History = append(d.History, identityOut(&h.History[i]))
	}
	for _, e := range evs {
		if e.Kind != event.SanctionsHit {
			continue
		}
		str := func(k string) string { v, _ := e.Details[k].(string); return v }
		sc, _ := e.Details["score"].(float64)
		if sc == 0 {
			sc = e.Confidence
		}
		d.Sanctions = append(d.Sanctions, sanctionJSON{EventID: e.ID, List: str("list"), Program: str("program"),
			EntityName: str("entity_name"), EntityID: str("entity_id"), Score: sc, Reasons: e.Details["reasons"],
			Explanation: e.Explanation})
	}
	return d, nil
}

// The track is GeoJSON: one LineString feature per segment, with the time
// (Unix seconds) and speed of each kept vertex as parallel arrays, so the
// UI's time slider can interpolate without a second request.
type trackFeature struct {
	Type       string         `json:"type"`
	Geometry   map[string]any `json:"geometry"`
	Properties trackProps     `json:"properties"`
}

type trackProps struct {
	MMSI    uint32    `json:"mmsi"`
	Segment uint32    `json:"segment"`
	Times   []int64   `json:"times"`
	SOG     []float32 `json:"sog"`
}

type trackCollection struct {
	Type      string         `json:"type"`
	Features  []trackFeature `json:"features"`
	Positions int            `json:"positions"` // before simplification
	Vertices  int            `json:"vertices"`  // after
	Tolerance float64        `json:"tolerance_deg"`
}

func (s *Server) handleTrack(w http.ResponseWriter, r *http.Request, q *query) {
	mmsi := q.mmsi("mmsi", "path")
	from, to := q.timeRange()
	zoom := q.intRange("zoom", -1, 0, 22)
	if err := q.err(); err != nil {
		s.fail(w, r, err)
		return
	}
	pts, err := s.deps.Store.Track(r.Context(), mmsi, from, to)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	tol := 0.0
	if zoom >= 0 {
		// Half a 256-pixel tile's pixel at this zoom, in degrees.
		tol = 360 / (256 * math.Exp2(float64(zoom))) / 2
	}
	w.Header().Set("Content-Type", "application/geo+json")
	_ = json.NewEncoder(w).Encode(buildTrack(mmsi, pts, tol, s.cfg.MaxTrackPoints))
}

// buildTrack splits pts into segments (and at antimeridian crossings),
// simplifies each with Douglas-Peucker at tol degrees, doubling tol until
// at most maxVertices remain.
func buildTrack(mmsi uint32, pts []vessel.TrackPoint, tol float64, maxVertices int) trackCollection {
	var parts [][]vessel.TrackPoint
	start := 0
	for i := 1; i <= len(pts); i++ {
		if i == len(pts) || pts[i].Segment != pts[i-1].Segment || math.Abs(pts[i].Lon-pts[i-1].Lon) > 180 {
			parts = append(parts, pts[start:i])
			start = i
		}
	}
	for {
		tc := trackCollection{Type: "FeatureCollection", Features: []trackFeature{}, Positions: len(pts), Tolerance: tol}
		for _, part := range parts {
			f := simplifyPart(mmsi, part, tol)
			tc.Vertices += len(f.Properties.Times)
			tc.Features = append(tc.Features, f)
		}
		if tc.Vertices <= maxVertices || len(pts) == 0 {
			return tc
		}
		if tol == 0 {
			// Start near where the cap is likely met: a fraction of the
			// track's extent per allowed vertex.
			minLat, maxLat, minLon, maxLon := 90.0, -90.0, 180.0, -180.0
			for _, p := range pts {
				minLat, maxLat = min(minLat, p.Lat), max(maxLat, p.Lat)
				minLon, maxLon = min(minLon, p.Lon), max(maxLon, p.Lon)
			}
			tol = max(1e-6, (maxLat-minLat+maxLon-minLon)/float64(maxVertices)/8)
		} else {
			tol *= 2
		}
	}
}

func simplifyPart(mmsi uint32, part []vessel.TrackPoint, tol float64) trackFeature {
	ls := make(orb.LineString, len(part))
	for i, p := range part {
		ls[i] = orb.Point{p.Lon, p.Lat}
	}
	kept := ls
	if tol > 0 && len(ls) > 2 {
		kept = simplify.DouglasPeucker(tol).LineString(slices.Clone(ls))
	}
	// Douglas-Peucker keeps a subsequence: walk the original alongside to
	// recover each kept vertex's time and speed.
	props := trackProps{MMSI: mmsi, Segment: part[0].Segment, Times: make([]int64, 0, len(kept)), SOG: make([]float32, 0, len(kept))}
	coords := make([][2]float64, 0, len(kept))
	j := 0
	for _, k := range kept {
		for j < len(ls) && ls[j] != k {
			j++
		}
		if j == len(ls) {
			break
		}
		p := part[j]
		coords = append(coords, [2]float64{round6(p.Lon), round6(p.Lat)})
		props.Times = append(props.Times, p.Time.Unix())
		sog := p.SOG
		if math.IsNaN(float64(sog)) {
			sog = -1
		}
		props.SOG = append(props.SOG, sog)
		j++
	}
	geom := map[string]any{"type": "LineString", "coordinates": coords}
	if len(coords) == 1 {
		geom = map[string]any{"type": "Point", "coordinates": coords[0]}
	}
	return trackFeature{Type: "Feature", Geometry: geom, Properties: props}
}

func round6(f float64) float64 { return math.Round(f*1e6) / 1e6 }

// positionsJSON is column-wise: at 100 000 vessels it is a third of the
// size of GeoJSON and the UI draws straight from the arrays.
type positionsJSON struct {
	At     time.Time `json:"at"`
	Count  int       `json:"count"`
	Approx bool      `json:"approximate,omitempty"`
	MMSI   []uint32  `json:"mmsi"`
	Lat    []float64 `json:"lat"`
	Lon    []float64 `json:"lon"`
	COG    []float32 `json:"cog"` // -1: not available
	SOG    []float32 `json:"sog"`
	Time   []int64   `json:"time"` // Unix seconds of each position
}

func (s *Server) handlePositions(w http.ResponseWriter, r *http.Request, q *query) {
	at := q.time("at")
	box := q.bbox("bbox")
	maxAge := time.Duration(q.intRange("max_age", int(s.cfg.SnapshotMaxAge/time.Second), 1, 366*86400)) * time.Second
	limit := q.intRange("limit", 200000, 1, 1000000)
	if err := q.err(); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	if at.IsZero() {
		vs, err := s.deps.Store.Vessels(ctx, store.VesselQuery{Order: store.ByLastSeen, Limit: 1})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if len(vs) == 0 {
			writeJSON(w, http.StatusOK, positionsJSON{MMSI: []uint32{}, Lat: []float64{}, Lon: []float64{}, COG: []float32{}, SOG: []float32{}, Time: []int64{}})
			return
		}
		at = vs[0].LastSeen.Add(time.Second)
	}
	sq := SnapshotQuery{At: at, MaxAge: maxAge, BBox: box, Limit: limit}
	var pts []vessel.TrackPoint
	var err error
	approx := false
	if s.deps.Snapshot != nil {
		pts, err = s.deps.Snapshot.PositionsAt(ctx, sq)
	} else {
		pts, err = s.approxSnapshot(ctx, sq)
		approx = true
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := positionsJSON{At: at, Count: len(pts), Approx: approx, MMSI: make([]uint32, len(pts)), Lat: make([]float64, len(pts)),
		Lon: make([]float64, len(pts)), COG: make([]float32, len(pts)), SOG: make([]float32, len(pts)), Time: make([]int64, len(pts))}
	for i, p := range pts {
		out.MMSI[i], out.Lat[i], out.Lon[i], out.Time[i] = p.MMSI, round6(p.Lat), round6(p.Lon), p.Time.Unix()
		out.COG[i], out.SOG[i] = p.COG, p.SOG
		if math.IsNaN(float64(p.COG)) {
			out.COG[i] = -1
		}
		if math.IsNaN(float64(p.SOG)) {
			out.SOG[i] = -1
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// approxSnapshot stands in for a Snapshotter: Near over a circle covering
// the box in the age window, then each vessel's last position from its
// track (up to 100 vessels), else the closest approach.
func (s *Server) approxSnapshot(ctx context.Context, q SnapshotQuery) ([]vessel.TrackPoint, error) {
	lat, lon, radius := 0.0, 0.0, 20000.0
	if b := q.BBox; b != nil {
		maxLon := b.MaxLon
		if maxLon < b.MinLon {
			maxLon += 360
		}
		lat, lon = (b.MinLat+b.MaxLat)/2, math.Remainder((b.MinLon+maxLon)/2, 360)
		radius = 0
		for _, c := range [][2]float64{{b.MinLat, b.MinLon}, {b.MinLat, b.MaxLon}, {b.MaxLat, b.MinLon}, {b.MaxLat, b.MaxLon}} {
			radius = max(radius, store.HaversineKm(lat, lon, c[0], c[1]))
		}
		radius = min(max(radius*1.01, 1), 20000)
	}
	hits, err := s.deps.Store.Near(ctx, store.NearQuery{Lat: lat, Lon: lon, RadiusKm: radius, From: q.At.Add(-q.MaxAge), To: q.At})
	if err != nil {
		return nil, err
	}
	out := make([]vessel.TrackPoint, 0, len(hits))
	for _, h := range hits {
		if q.Limit > 0 && len(out) == q.Limit {
			break
		}
		p := vessel.TrackPoint{Position: vessel.Position{MMSI: h.MMSI, Time: h.Closest.Time, Lat: h.Closest.Lat, Lon: h.Closest.Lon,
			SOG: vessel.NA, COG: vessel.NA}}
		if len(hits) <= 100 {
			tr, err := s.deps.Store.Track(ctx, h.MMSI, h.LastSeen, h.LastSeen.Add(time.Microsecond))
			if err != nil {
				return nil, err
			}
			if len(tr) > 0 {
				p = tr[len(tr)-1]
			}
		}
		if q.BBox != nil && !q.BBox.Contains(p.Lat, p.Lon) {
			continue
		}
		out = append(out, p)
	}
	return out, nil
}

type nearJSON struct {
	vesselJSON0
	Positions  int64     `json:"positions"`
	FirstSeen  time.Time `json:"first_seen"`
	LastSeen   time.Time `json:"last_seen"`
	DistanceKm float64   `json:"closest_km"`
	ClosestAt  time.Time `json:"closest_time"`
	ClosestLat float64   `json:"closest_lat"`
	ClosestLon float64   `json:"closest_lon"`
}

type vesselJSON0 struct {
	MMSI   uint32        `json:"mmsi"`
	Latest *identityJSON `json:"latest,omitempty"`
}

func (s *Server) handleNear(w http.ResponseWriter, r *http.Request, q *query) {
	lat, okLat := q.float("lat", -90, 90)
	lon, okLon := q.float("lon", -180, 180)
	rad, okRad := q.float("radius_km", 0, 20000)
	from, to := q.timeRange()
	limit := q.intRange("limit", 1000, 1, 100000)
	for name, ok := range map[string]bool{"lat": okLat, "lon": okLon, "radius_km": okRad} {
		if !ok && q.v.Get(name) == "" {
			q.bad(name, "required")
		}
	}
	if okRad && rad <= 0 {
		q.bad("radius_km", "must be > 0")
	}
	if err := q.err(); err != nil {
		s.fail(w, r, err)
		return
	}
	hits, err := s.deps.Store.Near(r.Context(), store.NearQuery{Lat: lat, Lon: lon, RadiusKm: rad, From: from, To: to})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]nearJSON, 0, min(len(hits), limit))
	for _, h := range hits[:min(len(hits), limit)] {
		out = append(out, nearJSON{vesselJSON0: vesselJSON0{MMSI: h.MMSI, Latest: identityOut(h.Latest)}, Positions: h.Positions,
			FirstSeen: h.FirstSeen, LastSeen: h.LastSeen, DistanceKm: h.Closest.DistanceKm, ClosestAt: h.Closest.Time,
			ClosestLat: h.Closest.Lat, ClosestLon: h.Closest.Lon})
	}
	writeJSON(w, http.StatusOK, map[string]any{"vessels": out, "count": len(out)})
}
