package dossier

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// The map and the timeline are computed once, in abstract units, and drawn
// by both the HTML (SVG) and the PDF renderer, so both show the same thing.

// pt is a projected point in map units (x right, y down).
type pt struct{ X, Y float64 }

type mapModel struct {
	W, H       float64 // map units
	West, East float64
	South      float64
	North      float64
	Land       [][]pt // closed rings
	Tracks     []mapTrack
	Ports      []mapLabel
	Events     []mapEvent
	Footprints []mapFootprint
	Grid       []gridLine
	Scale      scaleBar
}

type mapTrack struct {
	Label      string
	Color      string
	Lines      [][]pt  // parts with AIS reception
	Gaps       [][2]pt // straight dashes across reception gaps (AIS off or not received)
	Start, End pt      // first and last positions
}

type mapLabel struct {
	P     pt
	Label string
	Left  bool    // label drawn left of the point (it would leave the map)
	Off   float64 // distance of the label from the point
}

type mapEvent struct {
	P     pt
	At    pt  // the event's true position when P was moved off it
	N     int // number in the event list
	Kind  event.Kind
	Color string
}

type mapFootprint struct {
	Ring  []pt
	Label string
}

type gridLine struct {
	A, B  pt
	Label string
	Lon   bool
}

type scaleBar struct {
	Len   float64 // map units
	Label string
}

// gapThreshold is the silence after which a track is drawn as a dashed
// jump rather than a line: longer than a Class A transponder's slowest
// reporting interval (3 minutes at anchor, ITU-R M.1371-5 Table 1) by far,
// so a dash means AIS was off or out of reception.
const gapThreshold = 2 * time.Hour

var palette = []string{"#1f5fbf", "#d9480f", "#2b8a3e", "#862e9c", "#c2255c", "#0b7285", "#5c940d", "#e67700"}

func kindColor(k event.Kind) string {
	switch k {
	case event.DarkPortVisit, event.SanctionsHit, event.DarkDetection:
		return "#c92a2a"
	case event.Gap, event.Spoofing:
		return "#e8590c"
	case event.PortVisit:
		return "#1864ab"
	case event.Encounter, event.Loitering:
		return "#862e9c"
	default:
		return "#495057"
	}
}

func trackColor(i int) string { return palette[i%len(palette)] }

// mercY is the Web Mercator northing of a latitude, in radians of
// longitude, so x and y share a scale.
func mercY(lat float64) float64 {
	lat = math.Max(-85, math.Min(85, lat))
	r := lat * math.Pi / 180
	return math.Log(math.Tan(math.Pi/4 + r/2))
}

// MapBounds returns the area the dossier's map will show (west, south,
// east, north in degrees): the case's tracks, ports, events and scene
// footprints with a margin. Ask the coastline for this box (e.g.
// coast.Mask.LandGeoJSON) to fill Case.LandGeoJSON. ok is false when the
// case has nothing to map.
func (c *Case) MapBounds() (west, south, east, north float64, ok bool) {
	cc := *c
	cc.LandGeoJSON = nil
	m, err := buildMap(&cc, 1000)
	if err != nil || m == nil {
		return 0, 0, 0, 0, false
	}
	return m.West, m.South, m.East, m.North, true
}

// buildMap fits the case's tracks, ports, events and scene footprints in a
// map width units wide.
func buildMap(c *Case, width float64) (*mapModel, error) {
	w, s, e, n := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	add := func(lat, lon float64) {
		if !vessel.ValidPosition(lat, lon) {
			return
		}
		w, e = math.Min(w, lon), math.Max(e, lon)
		s, n = math.Min(s, lat), math.Max(n, lat)
	}
	for _, v := range c.Vessels {
		for _, p := range v.Track {
			add(p.Lat, p.Lon)
		}
	}
	for _, p := range c.Ports {
		add(p.Lat, p.Lon)
	}
	for _, ev := range c.Events {
		add(ev.Lat, ev.Lon)
	}
	for _, sc := range c.Scenes {
		if sc.Bounds != [4]float64{} {
			add(sc.Bounds[1], sc.Bounds[0])
			add(sc.Bounds[3], sc.Bounds[2])
		}
	}
	if math.IsInf(w, 1) {
		return nil, nil // nothing to draw
	}
	// Pad by 8% and at least 0.2°, and keep the map between 1:2 and 2:1.
	padX := math.Max((e-w)*0.08, 0.2)
	padY := math.Max((n-s)*0.08, 0.2)
	w, e, s, n = w-padX, e+padX, math.Max(s-padY, -84), math.Min(n+padY, 84)
	m := &mapModel{W: width}
	x0 := w * math.Pi / 180
	spanX := (e - w) * math.Pi / 180
	spanY := mercY(n) - mercY(s)
	if spanY < spanX/1.6 { // too flat: widen the latitude range
		mid := (mercY(n) + mercY(s)) / 2
		spanY = spanX / 1.6
		n, s = invMercY(mid+spanY/2), invMercY(mid-spanY/2)
	} else if spanY > spanX*1.2 { // too tall: widen the longitude range
		mid := (w + e) / 2
		spanX = spanY * 1.2
		w, e = mid-spanX*90/math.Pi, mid+spanX*90/math.Pi
		x0 = w * math.Pi / 180
	}
	m.West, m.East, m.South, m.North = w, e, s, n
	k := width / spanX
	m.H = spanY * k
	yN := mercY(n)
	proj := func(lat, lon float64) pt {
		return pt{(lon*math.Pi/180 - x0) * k, (yN - mercY(lat)) * k}
	}

	if len(c.LandGeoJSON) > 0 {
		rings, err := landRings(c.LandGeoJSON)
		if err != nil {
			return nil, err
		}
		for _, r := range rings {
			if !ringTouches(r, w-1, s-1, e+1, n+1) {
				continue
			}
			var out []pt
			for _, ll := range r {
				out = appendSimplified(out, proj(ll[1], ll[0]), 0.6)
			}
			if len(out) >= 3 {
				m.Land = append(m.Land, out)
			}
		}
	}
	for i, v := range c.Vessels {
		t := mapTrack{Label: v.Label(), Color: trackColor(i)}
		var line []pt
		for j, p := range v.Track {
			if !vessel.ValidPosition(p.Lat, p.Lon) {
				continue
			}
			q := proj(p.Lat, p.Lon)
			if j > 0 && (p.Time.Sub(v.Track[j-1].Time) > gapThreshold || p.Segment != v.Track[j-1].Segment) && len(line) > 0 {
				t.Gaps = append(t.Gaps, [2]pt{line[len(line)-1], q})
				t.Lines = append(t.Lines, line)
				line = nil
			}
			if len(line) == 0 && len(t.Lines) == 0 {
				t.Start = q
			}
			line = appendSimplified(line, q, 0.8)
			t.End = q
		}
		if len(line) > 0 {
			t.Lines = append(t.Lines, line)
		}
		m.Tracks = append(m.Tracks, t)
	}
	for _, p := range c.Ports {
		q := proj(p.Lat, p.Lon)
		// About 7.5 units a character at the map's label size.
		m.Ports = append(m.Ports, mapLabel{P: q, Label: p.Name, Off: 8})
	}
	for i, ev := range c.sortedEvents() {
		if !vessel.ValidPosition(ev.Lat, ev.Lon) {
			continue
		}
		at := proj(ev.Lat, ev.Lon)
		// Events at one place (a visit and a sanctions hit in port) would
		// hide each other: fan them out around the spot.
		p := at
		for k := 0; k < 12 && m.crowded(p); k++ {
			a := float64(k) * math.Pi / 3
			r := 22.0 * float64(1+k/6)
			p = pt{at.X + r*math.Cos(a), at.Y + r*math.Sin(a)}
		}
		m.Events = append(m.Events, mapEvent{P: p, At: at, N: i + 1, Kind: ev.Kind, Color: kindColor(ev.Kind)})
	}
	// Port labels clear the event markers at the port, and go left of the
	// point when they would leave the map (about 7.5 units a character).
	for i := range m.Ports {
		p := &m.Ports[i]
		for _, e := range m.Events {
			if math.Hypot(e.P.X-p.P.X, e.P.Y-p.P.Y) < 14 {
				p.Off = 16
			}
		}
		p.Left = p.P.X+p.Off+7.5*float64(len([]rune(p.Label))) > width
	}
	for _, sc := range c.Scenes {
		if b := sc.Bounds; b != [4]float64{} {
			m.Footprints = append(m.Footprints, mapFootprint{Label: sc.ID, Ring: []pt{
				proj(b[1], b[0]), proj(b[1], b[2]), proj(b[3], b[2]), proj(b[3], b[0])}})
		}
	}
	// Graticule at a round step giving 3-8 lines.
	step := niceStep(math.Max(e-w, n-s) / 5)
	for lon := math.Ceil(w/step) * step; lon <= e; lon += step {
		m.Grid = append(m.Grid, gridLine{A: proj(n, lon), B: proj(s, lon), Label: fmtDeg(lon, "E", "W"), Lon: true})
	}
	for lat := math.Ceil(s/step) * step; lat <= n; lat += step {
		m.Grid = append(m.Grid, gridLine{A: proj(lat, w), B: proj(lat, e), Label: fmtDeg(lat, "N", "S")})
	}
	// Scale bar: a round distance near a fifth of the width, at mid-latitude.
	midLat := (n + s) / 2
	kmPerUnit := 6371.0088 * math.Cos(midLat*math.Pi/180) / k
	target := width / 5 * kmPerUnit
	km := niceStep(target)
	m.Scale = scaleBar{Len: km / kmPerUnit, Label: fmt.Sprintf("%g km", km)}
	return m, nil
}

// crowded reports whether an event marker at p would overlap another.
func (m *mapModel) crowded(p pt) bool {
	for _, e := range m.Events {
		if math.Hypot(e.P.X-p.X, e.P.Y-p.Y) < 20 {
			return true
		}
	}
	return false
}

func invMercY(y float64) float64 { return (2*math.Atan(math.Exp(y)) - math.Pi/2) * 180 / math.Pi }

func niceStep(x float64) float64 {
	if x <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, f := range []float64{1, 2, 5, 10} {
		if f*p >= x {
			return f * p
		}
	}
	return 10 * p
}

func fmtDeg(v float64, pos, neg string) string {
	h := pos
	if v < 0 {
		h, v = neg, -v
	}
	return fmt.Sprintf("%g°%s", math.Round(v*100)/100, h)
}

// appendSimplified drops a point closer than tol map units to the last kept
// one: a 10m coastline has far more detail than a printed map shows.
func appendSimplified(line []pt, p pt, tol float64) []pt {
	if n := len(line); n > 0 && math.Hypot(p.X-line[n-1].X, p.Y-line[n-1].Y) < tol {
		return line
	}
	return append(line, p)
}

func ringTouches(r [][2]float64, w, s, e, n float64) bool {
	for _, c := range r {
		if c[0] >= w && c[0] <= e && c[1] >= s && c[1] <= n {
			return true
		}
	}
	// A ring may surround the whole view (a continent around a bay).
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, c := range r {
		minX, maxX = math.Min(minX, c[0]), math.Max(maxX, c[0])
		minY, maxY = math.Min(minY, c[1]), math.Max(maxY, c[1])
	}
	return minX <= e && maxX >= w && minY <= n && maxY >= s
}

// landRings reads the polygon rings of a GeoJSON document.
func landRings(doc []byte) ([][][2]float64, error) {
	var g struct {
		Type        string            `json:"type"`
		Features    []json.RawMessage `json:"features"`
		Geometry    json.RawMessage   `json:"geometry"`
		Geometries  []json.RawMessage `json:"geometries"`
		Coordinates json.RawMessage   `json:"coordinates"`
	}
	if err := json.Unmarshal(doc, &g); err != nil {
		return nil, fmt.Errorf("dossier: land GeoJSON: %w", err)
	}
	var rings [][][2]float64
	switch g.Type {
	case "FeatureCollection":
		for i, f := range g.Features {
			r, err := landRings(f)
			if err != nil {
				return nil, fmt.Errorf("feature %d: %w", i, err)
			}
			rings = append(rings, r...)
		}
	case "GeometryCollection":
		for _, f := range g.Geometries {
			r, err := landRings(f)
			if err != nil {
				return nil, err
			}
			rings = append(rings, r...)
		}
	case "Feature":
		if len(g.Geometry) == 0 || string(g.Geometry) == "null" {
			return nil, nil
		}
		return landRings(g.Geometry)
	case "Polygon":
		var p [][][2]float64
		if err := json.Unmarshal(g.Coordinates, &p); err != nil {
			return nil, fmt.Errorf("dossier: land GeoJSON polygon: %w", err)
		}
		rings = append(rings, p...)
	case "MultiPolygon":
		var mp [][][][2]float64
		if err := json.Unmarshal(g.Coordinates, &mp); err != nil {
			return nil, fmt.Errorf("dossier: land GeoJSON multipolygon: %w", err)
		}
		for _, p := range mp {
			rings = append(rings, p...)
		}
	default:
		// Points and lines are not land; skip them.
	}
	return rings, nil
}

// timeline is the time axis shared by the HTML and PDF timelines.
type timeline struct {
	From, To time.Time
	Rows     []tlRow
	Ticks    []tlTick
}

type tlRow struct {
	Label    string
	Color    string
	Coverage [][2]time.Time // spans with AIS reception
	Events   []tlEvent
	Lanes    int // event lanes: events that overlap in time go one under another
}

type tlEvent struct {
	Lane       int
	N          int
	Start, End time.Time
	Color      string
	Kind       event.Kind
}

type tlTick struct {
	T     time.Time
	Label string
}

// frac places t on the axis in [0,1].
func (tl *timeline) frac(t time.Time) float64 {
	span := tl.To.Sub(tl.From)
	if span <= 0 {
		return 0
	}
	return math.Max(0, math.Min(1, float64(t.Sub(tl.From))/float64(span)))
}

func buildTimeline(c *Case) *timeline {
	tl := &timeline{}
	grow := func(t time.Time) {
		if t.IsZero() {
			return
		}
		if tl.From.IsZero() || t.Before(tl.From) {
			tl.From = t
		}
		if t.After(tl.To) {
			tl.To = t
		}
	}
	evs := c.sortedEvents()
	for _, v := range c.Vessels {
		if len(v.Track) > 0 {
			grow(v.Track[0].Time)
			grow(v.Track[len(v.Track)-1].Time)
		}
	}
	for _, e := range evs {
		grow(e.Start)
		grow(e.End)
	}
	if tl.From.IsZero() {
		return nil
	}
	pad := tl.To.Sub(tl.From) / 50
	if pad < time.Hour {
		pad = time.Hour
	}
	tl.From, tl.To = tl.From.Add(-pad).UTC(), tl.To.Add(pad).UTC()
	rowOf := map[uint32]int{}
	for i, v := range c.Vessels {
		r := tlRow{Label: v.Label(), Color: trackColor(i)}
		var start, last time.Time
		for j, p := range v.Track {
			if j == 0 || p.Time.Sub(last) > gapThreshold {
				if j > 0 {
					r.Coverage = append(r.Coverage, [2]time.Time{start, last})
				}
				start = p.Time
			}
			last = p.Time
		}
		if len(v.Track) > 0 {
			r.Coverage = append(r.Coverage, [2]time.Time{start, last})
		}
		rowOf[v.MMSI] = len(tl.Rows)
		tl.Rows = append(tl.Rows, r)
	}
	for i, e := range evs {
		ri, ok := rowOf[e.MMSI]
		if !ok {
			ri = len(tl.Rows)
			rowOf[e.MMSI] = ri
			label := e.Name
			if label == "" {
				label = fmt.Sprintf("MMSI %d", e.MMSI)
			}
			tl.Rows = append(tl.Rows, tlRow{Label: label, Color: "#495057"})
		}
		tl.Rows[ri].Events = append(tl.Rows[ri].Events, tlEvent{N: i + 1, Start: e.Start, End: e.End, Color: kindColor(e.Kind), Kind: e.Kind})
	}
	// Lanes: an event goes in the first lane whose last event ends
	// (with room for its number) before it starts.
	minGap := tl.To.Sub(tl.From) / 60
	for ri := range tl.Rows {
		var ends []time.Time
		for ei, e := range tl.Rows[ri].Events {
			lane := 0
			for lane < len(ends) && !e.Start.After(ends[lane].Add(minGap)) {
				lane++
			}
			end := e.End
			if end.Sub(e.Start) < minGap {
				end = e.Start.Add(minGap)
			}
			if lane == len(ends) {
				ends = append(ends, end)
			} else {
				ends[lane] = end
			}
			tl.Rows[ri].Events[ei].Lane = lane
		}
		tl.Rows[ri].Lanes = max(1, len(ends))
	}
	tl.Ticks = ticks(tl.From, tl.To)
	return tl
}

// ticks picks calendar ticks: days, weeks or months, 4-12 of them.
func ticks(from, to time.Time) []tlTick {
	span := to.Sub(from)
	var out []tlTick
	switch {
	case span <= 10*24*time.Hour:
		t := time.Date(from.Year(), from.Month(), from.Day()+1, 0, 0, 0, 0, time.UTC)
		step := 1
		if span > 5*24*time.Hour {
			step = 2
		}
		for ; t.Before(to); t = t.AddDate(0, 0, step) {
			out = append(out, tlTick{t, t.Format("2 Jan")})
		}
	case span <= 90*24*time.Hour:
		t := time.Date(from.Year(), from.Month(), from.Day()+1, 0, 0, 0, 0, time.UTC)
		for t.Weekday() != time.Monday {
			t = t.AddDate(0, 0, 1)
		}
		step := 7
		if span > 60*24*time.Hour {
			step = 14
		}
		for ; t.Before(to); t = t.AddDate(0, 0, step) {
			out = append(out, tlTick{t, t.Format("2 Jan")})
		}
	default:
		t := time.Date(from.Year(), from.Month()+1, 1, 0, 0, 0, 0, time.UTC)
		step := int(math.Ceil(span.Hours() / 24 / 30 / 10))
		for ; t.Before(to); t = t.AddDate(0, step, 0) {
			out = append(out, tlTick{t, t.Format("Jan 2006")})
		}
	}
	return slices.Clip(out)
}
