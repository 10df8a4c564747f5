package dossier

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/geo"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// The map and the timeline are computed once, in abstract units, and drawn
// by both the HTML (SVG) and the PDF renderer, so both show the same thing.

// pt is a projected point in map units (x right, y down).
type pt struct{ X, Y float64 }

type mapModel struct {
	Title      string
	W, H       float64 // map units
	West, East float64
	South      float64
	North      float64
	Land       [][]pt // closed rings
	Tracks     []mapTrack
	Ports      []mapPort
	Markers    []mapMarker
	Footprints []mapFootprint
	Grid       []gridLine
	Scale      scaleBar
	// Frame outlines, on the overview, the area an inset map shows.
	Frame *mapFrame
	// Omitted counts the located events of each kind left off this map
	// (they are in the event list).
	Omitted map[event.Kind]int
}

type mapTrack struct {
	Label      string
	Color      string
	Width      float64 // line width in map units: wider for tracks drawn first, so one on top of another still shows
	Lines      [][]pt  // parts with AIS reception
	Gaps       [][2]pt // straight dashes across reception gaps (AIS off or not received)
	Start, End pt      // first and last positions
}

// mapPort is a port with its label placed where it hides no marker.
type mapPort struct {
	P        pt
	Name     string
	Sub      string // second line: "high-risk port", "7 port calls"
	HighRisk bool
	// Label box: text starts at (LX, LY) (baseline of the first line),
	// anchored "start", "end" or "middle".
	LX, LY float64
	Anchor string
}

// mapMarker is one event, or several of one kind at one place (a group,
// drawn with its count), on the map.
type mapMarker struct {
	P     pt    // where the marker is drawn
	At    pt    // the events' position (their centre for a group); a leader joins it to P when they differ
	Ns    []int // event numbers in the event list
	Kind  event.Kind
	Color string
}

// Label is the text in the marker: the event's number, or "×N" for a group.
func (mk *mapMarker) Label() string {
	if len(mk.Ns) == 1 {
		return strconv.Itoa(mk.Ns[0])
	}
	return "×" + strconv.Itoa(len(mk.Ns))
}

// R is the marker's radius in map units.
func (mk *mapMarker) R() float64 {
	if len(mk.Ns) > 1 {
		return 15
	}
	return 10
}

// Title is the marker's tooltip: its kind and event numbers.
func (mk *mapMarker) Title() string {
	if len(mk.Ns) == 1 {
		return fmt.Sprintf("%d. %s", mk.Ns[0], kindLabel(mk.Kind))
	}
	return fmt.Sprintf("%d × %s: events %s", len(mk.Ns), kindLabel(mk.Kind), numList(mk.Ns))
}

type mapFootprint struct {
	Ring  []pt
	Label string // scene ID, or "5 scenes" for scenes sharing one footprint
}

type mapFrame struct {
	A, B  pt // top left, bottom right
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

// The tracks' colours keep clear of the events' reds, oranges and greys.
var palette = []string{"#1c7ed6", "#2b8a3e", "#f59f00", "#0b7285", "#ae3ec9", "#5c940d", "#8d5524", "#343a40"}

func kindColor(k event.Kind) string {
	switch k {
	case event.DarkPortVisit, event.SanctionsHit:
		return "#c92a2a"
	case event.DarkDetection:
		return "#212529" // a dark vessel
	case event.Gap, event.Spoofing:
		return "#e8590c"
	case event.PortVisit:
		return "#1864ab"
	case event.Encounter, event.Loitering:
		return "#862e9c"
	default:
		return "#6c757d"
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
// coast.Mask.LandGeoJSON) to fill Case.LandGeoJSON; the inset map, when
// there is one, lies inside it. ok is false when the case has nothing to
// map.
func (c *Case) MapBounds() (west, south, east, north float64, ok bool) {
	cc := *c
	cc.LandGeoJSON = nil
	m, err := buildMap(&cc, 1000, nil)
	if err != nil || m == nil {
		return 0, 0, 0, 0, false
	}
	return m.West, m.South, m.East, m.North, true
}

// InsetBounds returns the area of map 2 (west, south, east, north in
// degrees), the zoom on the high-risk port and the imagery, so the caller
// can fill InsetLandGeoJSON with a coastline at its detail. ok is false
// when the dossier has no map 2.
func (c *Case) InsetBounds() (west, south, east, north float64, ok bool) {
	w, s, e, n, ok := c.MapBounds()
	if !ok {
		return 0, 0, 0, 0, false
	}
	box, _, ok := c.insetBox(w, s, e, n)
	if !ok {
		return 0, 0, 0, 0, false
	}
	// buildMap widens a box to its aspect limits; report what it shows.
	cc := *c
	cc.LandGeoJSON, cc.InsetLandGeoJSON = nil, nil
	m, err := buildMap(&cc, 1000, &box)
	if err != nil || m == nil {
		return 0, 0, 0, 0, false
	}
	return m.West, m.South, m.East, m.North, true
}

// onMap says whether an event is drawn on the map. The map shows where the
// case's behaviour happened: events that are not about a place (a
// sanctions match, a change of risk rating), draught changes (told with
// the gap or visit they belong to) and calls at ordinary ports (counted on
// the port's label) stay in the event list, or a busy case's map would be
// a pile of circles over its home ports.
func onMap(e *event.Event, highRisk map[string]bool) bool {
	switch e.Kind {
	case event.SanctionsHit, event.RiskChange, event.DraughtChange:
		return false
	case event.PortVisit:
		hr, _ := e.Details["high_risk"].(bool)
		return hr || highRisk[strings.ToLower(e.Port)]
	}
	return vessel.ValidPosition(e.Lat, e.Lon)
}

// highRiskPorts names (lower case) the case's ports marked high-risk:
// by Port.HighRisk, by a note saying so, or by a dark port visit's
// candidate.
func (c *Case) highRiskPorts() map[string]bool {
	hr := map[string]bool{}
	for _, p := range c.Ports {
		if p.HighRisk || strings.Contains(strings.ToLower(p.Note), "high-risk") || strings.Contains(strings.ToLower(p.Note), "high risk") {
			hr[strings.ToLower(p.Name)] = true
		}
	}
	for _, e := range c.Events {
		for _, cd := range e.Candidates {
			if cd.HighRisk {
				hr[strings.ToLower(cd.Port)] = true
			}
		}
	}
	return hr
}

// insetBox is the area worth a second, zoomed map: the scene footprints,
// the dark detections and the high-risk ports the case's dark calls point
// at. ok is false when there is none, or when it is not much smaller than
// the overview (whose bounds are w, s, e, n).
func (c *Case) insetBox(w, s, e, n float64) (box [4]float64, label string, ok bool) {
	bw, bs, be, bn := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	add := func(lat, lon float64) {
		if vessel.ValidPosition(lat, lon) {
			bw, be = math.Min(bw, lon), math.Max(be, lon)
			bs, bn = math.Min(bs, lat), math.Max(bn, lat)
		}
	}
	hr := c.highRiskPorts()
	for _, p := range c.Ports {
		if hr[strings.ToLower(p.Name)] {
			add(p.Lat, p.Lon)
			if label == "" {
				label = p.Name
			}
		}
	}
	for _, sc := range c.Scenes {
		if b := sc.Bounds; b != [4]float64{} {
			add(b[1], b[0])
			add(b[3], b[2])
		}
		for _, d := range sc.Detections {
			add(d.Lat, d.Lon)
		}
	}
	for _, ev := range c.Events {
		if ev.Kind == event.DarkDetection {
			add(ev.Lat, ev.Lon)
		}
	}
	if math.IsInf(bw, 1) {
		return box, "", false
	}
	// A margin of a quarter, at least about 2 km, so the port's
	// surroundings show; then wide enough for a landscape map.
	padX := math.Max((be-bw)/4, 0.025)
	padY := math.Max((bn-bs)/4, 0.02)
	box = [4]float64{bw - padX, bs - padY, be + padX, bn + padY}
	if spanX, spanY := (box[2]-box[0])*math.Pi/180, mercY(box[3])-mercY(box[1]); spanX < spanY*1.5 {
		grow := (spanY*1.5 - spanX) * 90 / math.Pi
		box[0], box[2] = box[0]-grow, box[2]+grow
	}
	if (box[2]-box[0])*4 > e-w && (box[3]-box[1])*4 > n-s {
		return box, "", false
	}
	if label == "" {
		label = "the imagery"
	}
	return box, label, true
}

// buildMap fits the case's tracks, ports, events and scene footprints in a
// map width units wide; box (west, south, east, north), when given, is the
// area to show instead (an inset).
func buildMap(c *Case, width float64, box *[4]float64) (*mapModel, error) {
	w, s, e, n := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	add := func(lat, lon float64) {
		if !vessel.ValidPosition(lat, lon) {
			return
		}
		w, e = math.Min(w, lon), math.Max(e, lon)
		s, n = math.Min(s, lat), math.Max(n, lat)
	}
	if box != nil {
		w, s, e, n = box[0], box[1], box[2], box[3]
	} else {
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
		// Pad by 8% and at least 0.2°.
		padX := math.Max((e-w)*0.08, 0.2)
		padY := math.Max((n-s)*0.08, 0.2)
		w, e, s, n = w-padX, e+padX, math.Max(s-padY, -84), math.Min(n+padY, 84)
	}
	// Keep the map between 1:1.6 and 1.2:1.
	m := &mapModel{W: width, Omitted: map[event.Kind]int{}}
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
	// Anything beyond a margin around the view is left out (an inset
	// needs none of the rest of the tracks).
	mx, my := (e-w)/2, (n-s)/2
	inView := func(lat, lon float64) bool {
		return lon >= w-mx && lon <= e+mx && lat >= s-my && lat <= n+my
	}

	land := c.LandGeoJSON
	if box != nil && len(c.InsetLandGeoJSON) > 0 {
		land = c.InsetLandGeoJSON
	}
	if len(land) > 0 {
		rings, err := landRings(land)
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
	nv := len(c.Vessels)
	for i, v := range c.Vessels {
		t := mapTrack{Label: v.Label(), Color: trackColor(i), Width: 2.2 + 3*float64(nv-1-i)}
		var line []pt
		started := false
		var prev *vessel.TrackPoint
		for j := range v.Track {
			p := &v.Track[j]
			if !vessel.ValidPosition(p.Lat, p.Lon) {
				continue
			}
			if !inView(p.Lat, p.Lon) {
				if len(line) > 0 {
					t.Lines = append(t.Lines, line)
					line = nil
				}
				prev = nil
				continue
			}
			q := proj(p.Lat, p.Lon)
			if prev != nil && (p.Time.Sub(prev.Time) > gapThreshold || p.Segment != prev.Segment) && len(line) > 0 {
				t.Gaps = append(t.Gaps, [2]pt{line[len(line)-1], q})
				t.Lines = append(t.Lines, line)
				line = nil
			}
			if !started {
				t.Start, started = q, true
			}
			line = appendSimplified(line, q, 0.8)
			t.End = q
			prev = p
		}
		if len(line) > 0 {
			t.Lines = append(t.Lines, line)
		}
		if started {
			m.Tracks = append(m.Tracks, t)
		}
	}

	// Events: the ones that carry the case, those of one kind at one spot
	// gathered into one marker with their count.
	hr := c.highRiskPorts()
	const near = 24.0      // map units: events closer than this share a marker
	calls := map[int]int{} // port index → ordinary calls seen
	for i, ev := range c.sortedEvents() {
		if !vessel.ValidPosition(ev.Lat, ev.Lon) || !inView(ev.Lat, ev.Lon) {
			continue
		}
		at := proj(ev.Lat, ev.Lon)
		if !onMap(&ev, hr) {
			if ev.Kind == event.PortVisit {
				if pi := c.portOf(&ev); pi >= 0 {
					calls[pi]++
					continue
				}
			}
			m.Omitted[ev.Kind]++
			continue
		}
		grouped := false
		for mi := range m.Markers {
			mk := &m.Markers[mi]
			if mk.Kind == ev.Kind && math.Hypot(mk.At.X-at.X, mk.At.Y-at.Y) < near {
				// Keep the marker at the group's centre.
				nn := float64(len(mk.Ns))
				mk.At = pt{(mk.At.X*nn + at.X) / (nn + 1), (mk.At.Y*nn + at.Y) / (nn + 1)}
				mk.Ns = append(mk.Ns, i+1)
				grouped = true
				break
			}
		}
		if !grouped {
			m.Markers = append(m.Markers, mapMarker{At: at, Ns: []int{i + 1}, Kind: ev.Kind, Color: kindColor(ev.Kind)})
		}
	}
	for pi, p := range c.Ports {
		if !inView(p.Lat, p.Lon) {
			continue
		}
		mp := mapPort{P: proj(p.Lat, p.Lon), Name: p.Name, HighRisk: hr[strings.ToLower(p.Name)]}
		var sub []string
		if mp.HighRisk {
			sub = append(sub, "high-risk port")
		}
		switch n := calls[pi]; {
		case n == 1:
			sub = append(sub, "1 port call")
		case n > 1:
			sub = append(sub, fmt.Sprintf("%d port calls", n))
		}
		mp.Sub = strings.Join(sub, ", ")
		m.Ports = append(m.Ports, mp)
	}
	m.placeMarkers()
	m.placeLabels()

	// Scenes sharing a footprint (repeat acquisitions) are one outline.
	footprint := map[[4]float64]int{}
	var first, last []Scene
	var shared []int
	for _, sc := range c.Scenes {
		b := sc.Bounds
		if b == [4]float64{} {
			continue
		}
		key := [4]float64{math.Round(b[0] * 1e4), math.Round(b[1] * 1e4), math.Round(b[2] * 1e4), math.Round(b[3] * 1e4)}
		if fi, ok := footprint[key]; ok {
			shared[fi]++
			if sc.Acquired.Before(first[fi].Acquired) {
				first[fi] = sc
			}
			if sc.Acquired.After(last[fi].Acquired) {
				last[fi] = sc
			}
			m.Footprints[fi].Label = fmt.Sprintf("%d scenes, %s to %s", shared[fi], fmtDate(first[fi].Acquired), fmtDate(last[fi].Acquired))
			continue
		}
		footprint[key] = len(m.Footprints)
		shared, first, last = append(shared, 1), append(first, sc), append(last, sc)
		m.Footprints = append(m.Footprints, mapFootprint{Label: sc.ID, Ring: []pt{
			proj(b[1], b[0]), proj(b[1], b[2]), proj(b[3], b[2]), proj(b[3], b[0])}})
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
	if box == nil {
		if ib, label, ok := c.insetBox(w, s, e, n); ok {
			m.Frame = &mapFrame{A: proj(ib[3], ib[0]), B: proj(ib[1], ib[2]), Label: "Map 2: " + label}
		}
	}
	return m, nil
}

// portOf finds the case's port an event names (or, failing the name, the
// nearest within 15 km); -1 when none.
func (c *Case) portOf(e *event.Event) int {
	best, bestKm := -1, 15.0
	for i, p := range c.Ports {
		if e.Port != "" && strings.EqualFold(p.Name, e.Port) {
			return i
		}
		if d := geo.DistanceM(p.Lat, p.Lon, e.Lat, e.Lon) / 1000; d < bestKm {
			best, bestKm = i, d
		}
	}
	return best
}

// placeMarkers puts each marker at its events' position or, when that
// would cover another marker or a port, on rings around it (joined to it
// by a leader line).
func (m *mapModel) placeMarkers() {
	for i := range m.Markers {
		mk := &m.Markers[i]
		r := mk.R()
		mk.P = mk.At
		for k := 0; k < 24 && m.crowded(mk.P, r, i); k++ {
			a := float64(k%8)*math.Pi/4 + float64(k/8)*math.Pi/8
			d := (r + 12) * float64(1+k/8)
			mk.P = pt{mk.At.X + d*math.Cos(a), mk.At.Y + d*math.Sin(a)}
		}
	}
}

// crowded reports whether marker i, drawn at p with radius r, would
// overlap a marker placed before it or a port's symbol, or leave the map.
func (m *mapModel) crowded(p pt, r float64, i int) bool {
	if p.X-r < 0 || p.Y-r < 16 || p.X+r > m.W || p.Y+r > m.H {
		return true
	}
	for j := range i {
		o := &m.Markers[j]
		if math.Hypot(o.P.X-p.X, o.P.Y-p.Y) < r+o.R()+2 {
			return true
		}
	}
	for _, pp := range m.Ports {
		if math.Hypot(pp.P.X-p.X, pp.P.Y-p.Y) < r+6 {
			return true
		}
	}
	return false
}

// Label sizes in map units, at the renderers' label fonts.
const (
	portCharW = 7.8 // a character of a port's name
	subCharW  = 6.0 // a character of its second line
	portLineH = 14.0
	subLineH  = 12.0
)

func (p *mapPort) labelSize() (w, h float64) {
	w = portCharW * float64(len([]rune(p.Name)))
	h = portLineH
	if p.Sub != "" {
		w = math.Max(w, subCharW*float64(len([]rune(p.Sub))))
		h += subLineH
	}
	return w, h
}

type rect struct{ X0, Y0, X1, Y1 float64 }

func overlap(a, b rect) float64 {
	w := math.Min(a.X1, b.X1) - math.Max(a.X0, b.X0)
	h := math.Min(a.Y1, b.Y1) - math.Max(a.Y0, b.Y0)
	if w <= 0 || h <= 0 {
		return 0
	}
	return w * h
}

// placeLabels puts each port's label right, left, above or below its
// symbol, wherever it covers the least of the markers, the other labels
// and the map's edge.
func (m *mapModel) placeLabels() {
	var placed []rect
	for i := range m.Ports {
		p := &m.Ports[i]
		w, h := p.labelSize()
		type cand struct {
			box    rect
			anchor string
		}
		x, y := p.P.X, p.P.Y
		var cands []cand
		// Beside the symbol first; further out when markers crowd it.
		for _, gap := range []float64{8, 22, 38} {
			cands = append(cands,
				cand{rect{x + gap, y - portLineH*0.75, x + gap + w, y - portLineH*0.75 + h}, "start"},
				cand{rect{x - gap - w, y - portLineH*0.75, x - gap, y - portLineH*0.75 + h}, "end"},
				cand{rect{x - w/2, y - gap - h, x + w/2, y - gap}, "middle"},
				cand{rect{x - w/2, y + gap, x + w/2, y + gap + h}, "middle"},
				cand{rect{x + gap, y - gap - h, x + gap + w, y - gap}, "start"},
				cand{rect{x + gap, y + gap, x + gap + w, y + gap + h}, "start"},
				cand{rect{x - gap - w, y - gap - h, x - gap, y - gap}, "end"},
				cand{rect{x - gap - w, y + gap, x - gap, y + gap + h}, "end"})
		}
		best, bestCost := 0, math.Inf(1)
		for ci, cd := range cands {
			cost := float64(ci) * 4 // prefer the earlier places when all are clear
			b := cd.box
			frame := rect{0, 18, m.W, m.H - 30}
			cost += (w*h - overlap(b, frame)) * 20
			for _, mk := range m.Markers {
				r := mk.R() + 1
				cost += overlap(b, rect{mk.P.X - r, mk.P.Y - r, mk.P.X + r, mk.P.Y + r}) * 4
			}
			for _, o := range placed {
				cost += overlap(b, o) * 8
			}
			for j, o := range m.Ports {
				if j != i {
					cost += overlap(b, rect{o.P.X - 5, o.P.Y - 5, o.P.X + 5, o.P.Y + 5}) * 8
				}
			}
			if cost < bestCost {
				best, bestCost = ci, cost
			}
		}
		cd := cands[best]
		placed = append(placed, cd.box)
		p.Anchor = cd.anchor
		p.LY = cd.box.Y0 + portLineH*0.75
		switch cd.anchor {
		case "start":
			p.LX = cd.box.X0
		case "end":
			p.LX = cd.box.X1
		default:
			p.LX = (cd.box.X0 + cd.box.X1) / 2
		}
	}
}

// numList writes event numbers compactly: "3, 7–9, 12".
func numList(ns []int) string {
	var parts []string
	for i := 0; i < len(ns); {
		j := i
		for j+1 < len(ns) && ns[j+1] == ns[j]+1 {
			j++
		}
		switch {
		case j == i:
			parts = append(parts, strconv.Itoa(ns[i]))
		case j == i+1:
			parts = append(parts, strconv.Itoa(ns[i]), strconv.Itoa(ns[j]))
		default:
			parts = append(parts, fmt.Sprintf("%d–%d", ns[i], ns[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
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
		// A sanctions match spans the whole time its identity was seen:
		// it is not a moment of the case, and would take a lane for it.
		if e.Kind == event.SanctionsHit {
			continue
		}
		ri, ok := rowOf[e.MMSI]
		if !ok {
			ri = len(tl.Rows)
			rowOf[e.MMSI] = ri
			label := e.Name
			switch {
			case label != "":
			case e.MMSI == 0 && e.Kind == event.DarkDetection:
				label = "Imagery, no AIS"
			case e.MMSI == 0:
				label = "Not identified"
			default:
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
