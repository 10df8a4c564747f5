package dossier

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
)

// The event list is grouped by vessel and, within a vessel, by kind. The
// events that carry a case (sanctions matches, dark port visits, risk
// changes, encounters…) are told in full; the many routine ones (port
// visits, AIS gaps, draught changes, imaged dark vessels) are one table
// row each, with the whole event in the HTML and in events.csv. A
// detector's parameters, the same for all its events, are listed once.

// evSection is one vessel's events (or the events of no known vessel).
type evSection struct {
	ID     string // HTML anchor
	Title  string
	IDs    string // "IMO 9179842 · MMSI 273219850"
	Blocks []evBlock
}

// evBlock is the events of one kind in a section: in full, or as a table.
type evBlock struct {
	Kind  event.Kind
	Title string // "Dark port visits (11)"
	Full  []*evView
	Table *evTable
}

type evTable struct {
	Head   []string
	Widths []float64 // fractions of the width, summing to 1
	Rows   []evRow
}

type evRow struct {
	Ev    *evView
	Cells []string
}

// paramSet is one detector's parameters, shared by the events it found.
type paramSet struct {
	Detector string
	Version  string
	Label    string // "port_visit 2", or "port_visit 2 (set B)" when a detector ran with several
	Params   [][2]string
	Events   []int
}

// kindOrder is the order of kinds within a vessel: what carries the case
// first.
var kindOrder = []event.Kind{event.SanctionsHit, event.RiskChange, event.DarkPortVisit, event.Encounter, event.Spoofing,
	event.IdentityChange, event.Loitering, event.Geofence, event.Gap, event.DraughtChange, event.PortVisit, event.DarkDetection}

// tabulated kinds are listed one row per event.
func tabulated(k event.Kind) bool {
	switch k {
	case event.PortVisit, event.Gap, event.DraughtChange, event.DarkDetection:
		return true
	}
	return false
}

func kindRank(k event.Kind) int {
	if i := slices.Index(kindOrder, k); i >= 0 {
		return i
	}
	return len(kindOrder)
}

// buildEventList groups the numbered events into sections and blocks, and
// the detectors' parameters into sets.
func (v *view) buildEventList() {
	c := v.C
	type secKey struct{ mmsi uint32 }
	secOf := map[uint32]int{}
	for _, vs := range c.Vessels {
		ids := fmt.Sprintf("MMSI %d", vs.MMSI)
		if vs.IMO != 0 {
			ids = fmt.Sprintf("IMO %d · ", vs.IMO) + ids
		}
		secOf[vs.MMSI] = len(v.Sections)
		v.Sections = append(v.Sections, evSection{ID: fmt.Sprintf("events-%d", vs.MMSI), Title: vs.Label(), IDs: ids})
	}
	byKind := map[int]map[event.Kind][]*evView{}
	for i := range v.Events {
		ev := &v.Events[i]
		si, ok := secOf[ev.E.MMSI]
		if !ok {
			si = len(v.Sections)
			secOf[ev.E.MMSI] = si
			s := evSection{ID: fmt.Sprintf("events-%d", ev.E.MMSI), Title: ev.E.Name, IDs: fmt.Sprintf("MMSI %d", ev.E.MMSI)}
			if ev.E.MMSI == 0 {
				s.Title, s.IDs = "Not identified", "no AIS identity: vessels seen only in imagery, or events tied to no one vessel"
				if ev.E.Kind == event.DarkDetection {
					s.Title, s.IDs = "Seen in imagery, no AIS", "vessels in satellite scenes that no AIS transmission accounts for"
				}
			} else if s.Title == "" {
				s.Title = s.IDs
			}
			v.Sections = append(v.Sections, s)
		}
		if byKind[si] == nil {
			byKind[si] = map[event.Kind][]*evView{}
		}
		byKind[si][ev.E.Kind] = append(byKind[si][ev.E.Kind], ev)
	}
	// Sections of no known vessel go last, the unidentified one at the end.
	for si := range v.Sections {
		kinds := make([]event.Kind, 0, len(byKind[si]))
		for k := range byKind[si] {
			kinds = append(kinds, k)
		}
		sort.Slice(kinds, func(a, b int) bool {
			ra, rb := kindRank(kinds[a]), kindRank(kinds[b])
			if ra != rb {
				return ra < rb
			}
			return kinds[a] < kinds[b]
		})
		for _, k := range kinds {
			evs := byKind[si][k]
			b := evBlock{Kind: k, Title: fmt.Sprintf("%s (%d)", plural(len(evs), kindLabel(k)), len(evs))}
			if tabulated(k) {
				b.Table = v.table(k, evs)
			} else {
				b.Full = evs
			}
			v.Sections[si].Blocks = append(v.Sections[si].Blocks, b)
		}
	}
	v.Sections = slices.DeleteFunc(v.Sections, func(s evSection) bool { return len(s.Blocks) == 0 })

	// Parameter sets: one per detector, version and parameters.
	idx := map[string]int{}
	perDetector := map[string]int{}
	for i := range v.Events {
		ev := &v.Events[i]
		pj, _ := json.Marshal(ev.E.Params)
		key := ev.E.Detector + "\x00" + ev.E.Version + "\x00" + string(pj)
		pi, ok := idx[key]
		if !ok {
			pi = len(v.ParamSets)
			idx[key] = pi
			perDetector[ev.E.Detector+" "+ev.E.Version]++
			v.ParamSets = append(v.ParamSets, paramSet{Detector: ev.E.Detector, Version: ev.E.Version, Params: ev.Params})
		}
		v.ParamSets[pi].Events = append(v.ParamSets[pi].Events, ev.N)
		ev.ParamSet = pi
	}
	seen := map[string]int{}
	for i := range v.ParamSets {
		ps := &v.ParamSets[i]
		name := strings.TrimSpace(ps.Detector + " " + ps.Version)
		ps.Label = name
		if perDetector[name] > 1 {
			seen[name]++
			ps.Label = fmt.Sprintf("%s (set %c)", name, 'A'+rune(seen[name]-1))
		}
	}
	sort.SliceStable(v.ParamSets, func(a, b int) bool { return v.ParamSets[a].Label < v.ParamSets[b].Label })
	for i := range v.Events {
		for pi := range v.ParamSets {
			if slices.Contains(v.ParamSets[pi].Events, v.Events[i].N) {
				v.Events[i].ParamLabel = v.ParamSets[pi].Label
			}
		}
	}
}

// lowerKind is a kind's label inside a sentence: "port visit", but
// "AIS gap".
func lowerKind(k event.Kind) string {
	l := kindLabel(k)
	if r := []rune(l); len(r) > 1 && r[1] >= 'a' && r[1] <= 'z' {
		return strings.ToLower(l[:1]) + l[1:]
	}
	return l
}

// ref is an event's short reference for a table: its evidence item, or
// the start of its key.
func (ev *evView) ref() string {
	if ev.Item != "" {
		return ev.Item
	}
	k := ev.E.Key
	if len(k) > 12 {
		k = k[:12]
	}
	return "\x00" + k
}

// fmtShort is a time for a table cell: the year is in the section's
// dates, UTC is in the heading.
func fmtShort(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04")
}

func num(m map[string]any, k string) (float64, bool) {
	f, ok := m[k].(float64)
	return f, ok
}

func fmtNum(m map[string]any, k, format string) string {
	if f, ok := num(m, k); ok {
		return fmt.Sprintf(format, f)
	}
	return "—"
}

// table lays out events of one tabulated kind.
func (v *view) table(k event.Kind, evs []*evView) *evTable {
	t := &evTable{}
	switch k {
	case event.PortVisit:
		t.Head = []string{"#", "Port", "Arrival (UTC)", "Departure (UTC)", "Hours", "Seen", "Conf.", "Ref"}
		t.Widths = []float64{.06, .16, .16, .16, .07, .19, .07, .13}
		for _, ev := range evs {
			seen := ""
			if _, after, ok := strings.Cut(ev.E.Explanation, "seen: "); ok {
				seen = strings.TrimSuffix(strings.TrimSpace(after), ".")
				if i := strings.Index(seen, " ("); i > 0 {
					seen = seen[:i]
				}
			}
			port := ev.E.Port
			if hr, _ := ev.E.Details["high_risk"].(bool); hr {
				port += " (high risk)"
			}
			t.Rows = append(t.Rows, evRow{ev, []string{fmt.Sprint(ev.N), port, fmtShort(ev.E.Start), fmtShort(ev.E.End),
				fmt.Sprintf("%.1f", ev.E.Duration().Hours()), seen, pct(ev.E.Confidence), ev.ref()}})
		}
	case event.Gap:
		t.Head = []string{"#", "AIS off (UTC)", "Last position", "AIS back (UTC)", "Next position", "Silent", "Apart", "Ref"}
		t.Widths = []float64{.06, .15, .16, .15, .16, .09, .1, .13}
		for _, ev := range evs {
			d := ev.E.Details
			t.Rows = append(t.Rows, evRow{ev, []string{fmt.Sprint(ev.N), fmtShort(ev.E.Start), fixPos(d["last_fix"]), fmtShort(ev.E.End), fixPos(d["next_fix"]),
				fmtDuration(ev.E.Duration()), fmtNum(d, "distance_km", "%.1f km"), ev.ref()}})
		}
	case event.DraughtChange:
		t.Head = []string{"#", "From (UTC)", "To (UTC)", "Across", "Before", "After", "Change", "Ref"}
		t.Widths = []float64{.06, .16, .16, .21, .09, .09, .1, .13}
		for _, ev := range evs {
			d := ev.E.Details
			across, _ := d["across"].(string)
			switch across {
			case "gap":
				across = "AIS gap"
				if n := v.sameSpan(ev, event.Gap); n > 0 {
					across += fmt.Sprintf(" (event %d)", n)
				}
			case "port_visit":
				across = "visit to " + ev.E.Port
				if ev.E.Port == "" {
					across = "port visit"
				}
			}
			change := fmtNum(d, "delta_m", "%+.1f m")
			t.Rows = append(t.Rows, evRow{ev, []string{fmt.Sprint(ev.N), fmtShort(ev.E.Start), fmtShort(ev.E.End), across,
				fmtNum(d, "before_m", "%.1f m"), fmtNum(d, "after_m", "%.1f m"), change, ev.ref()}})
		}
	case event.DarkDetection:
		t.Head = []string{"#", "Scene", "Time (UTC)", "Position", "Length", "Conf.", "Why dark", "Ref"}
		t.Widths = []float64{.06, .17, .14, .16, .07, .07, .22, .11}
		for _, ev := range evs {
			d := ev.E.Details
			scene, _ := d["scene_id"].(string)
			why := ev.E.Explanation
			if _, after, ok := strings.Cut(why, "no AIS vessel accounts for it: "); ok {
				why = strings.TrimSuffix(after, ".")
			}
			t.Rows = append(t.Rows, evRow{ev, []string{fmt.Sprint(ev.N), scene, fmtShort(ev.E.Start), fmtLatLon(ev.E.Lat, ev.E.Lon),
				fmtNum(d, "length_m", "%.0f m"), pct(ev.E.Confidence), why, ev.ref()}})
		}
	}
	return t
}

func pct(f float64) string { return fmt.Sprintf("%.0f%%", f*100) }

func fmtLatLon(lat, lon float64) string {
	ns, ew := "N", "E"
	if lat < 0 {
		ns, lat = "S", -lat
	}
	if lon < 0 {
		ew, lon = "W", -lon
	}
	return fmt.Sprintf("%.4f°%s %.4f°%s", lat, ns, lon, ew)
}

// fixPos formats a {"lat","lon"} detail.
func fixPos(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return "—"
	}
	lat, ok1 := m["lat"].(float64)
	lon, ok2 := m["lon"].(float64)
	if !ok1 || !ok2 {
		return "—"
	}
	return fmtLatLon(lat, lon)
}

// sameSpan finds the event of a kind with the same vessel and time span
// as ev (a gap and the draught change across it); 0 when none.
func (v *view) sameSpan(ev *evView, k event.Kind) int {
	for i := range v.Events {
		o := &v.Events[i]
		if o.E.Kind == k && o.E.MMSI == ev.E.MMSI && o.E.Start.Equal(ev.E.Start) && o.E.End.Equal(ev.E.End) {
			return o.N
		}
	}
	return 0
}

// details formats an event's measurements for reading: times as times,
// event keys as the events' numbers, the structures detectors record
// (match reasons, ownership chains, risk factors) as sentences.
func (v *view) details(e *event.Event) [][2]string {
	keys := make([]string, 0, len(e.Details))
	for k := range e.Details {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out [][2]string
	for _, k := range keys {
		val := e.Details[k]
		switch k {
		case "top_factors": // the first of "factors"
			if _, ok := e.Details["factors"]; ok {
				continue
			}
		case "evidence": // the events of "factors"
			if _, ok := e.Details["factors"]; ok {
				continue
			}
		}
		s := v.fmtDetail(k, val)
		if s == "" {
			s = "—"
		}
		// A long value equal to an earlier one (a risk change's factors
		// and what it added, from a score of 0) is said once.
		for _, o := range out {
			if len(s) > 40 && o[1] == s {
				s = "same as " + o[0]
				break
			}
		}
		label := humanKey(k)
		if base, ok := strings.CutSuffix(k, "_key"); ok && strings.HasPrefix(s, "event ") {
			label = humanKey(base) // "gap key: 9f2…" reads "gap: event 11"
		}
		out = append(out, [2]string{label, s})
	}
	return out
}

func (v *view) fmtDetail(k string, val any) string {
	switch x := val.(type) {
	case string:
		if n, ok := v.numByKey[x]; ok {
			return fmt.Sprintf("event %d", n)
		}
		if t, err := time.Parse(time.RFC3339, x); err == nil {
			return fmtTime(t)
		}
		return x
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case []any:
		if len(x) == 0 {
			return "none"
		}
		if s, ok := v.fmtList(k, x); ok {
			return s
		}
	case map[string]any:
		if s, ok := v.fmtObject(x); ok {
			return s
		}
	}
	return fmtValue(val)
}

// fmtList formats lists of event keys, strings, match reasons, chain
// links and risk factors.
func (v *view) fmtList(k string, xs []any) (string, bool) {
	var strs []string
	var nums []int
	allKeys := true
	for _, x := range xs {
		s, ok := x.(string)
		if !ok {
			allKeys = false
			break
		}
		strs = append(strs, s)
		n, ok := v.numByKey[s]
		if !ok {
			allKeys = false
		}
		nums = append(nums, n)
	}
	if len(strs) == len(xs) {
		if allKeys {
			slices.Sort(nums)
			return plural(len(nums), "event") + " " + numList(nums), true
		}
		return strings.Join(strs, ", "), true
	}
	if s, ok := v.fmtFactors(xs); ok {
		return s, true
	}
	var parts []string
	for _, x := range xs {
		m, ok := x.(map[string]any)
		if !ok {
			return "", false
		}
		switch {
		case m["field"] != nil && m["strength"] != nil: // a match reason
			field, _ := m["field"].(string)
			note, _ := m["note"].(string)
			if field == "identity" {
				parts = append(parts, note)
				continue
			}
			st, _ := m["strength"].(float64)
			parts = append(parts, fmt.Sprintf("%s %q ~ listed %q: %s (%.2f)", field, fmt.Sprint(m["query"]), fmt.Sprint(m["listed"]), note, st))
		case m["entity_id"] != nil: // a link of an ownership chain
			name, _ := m["name"].(string)
			role, _ := m["role"].(string)
			s := fmt.Sprintf("%s (%v", name, m["entity_id"])
			if d, _ := m["designated"].(bool); d {
				s += ", designated"
			}
			s += ")"
			if role != "" {
				s = role + " " + s
			}
			parts = append(parts, s)
		default:
			return "", false
		}
	}
	sep := "; "
	if k == "chain" {
		sep = " → "
	}
	return strings.Join(parts, sep), true
}

func evRefs(ns []int) string {
	if len(ns) == 0 {
		return ""
	}
	slices.Sort(ns)
	return " (" + plural(len(ns), "event") + " " + numList(ns) + ")"
}

// fmtFactors formats risk factors ({"kind","contribution","events"}),
// those of one kind summed: a dozen dark calls are one line with their
// events, not a dozen.
func (v *view) fmtFactors(xs []any) (string, bool) {
	type agg struct {
		sum float64
		n   int
		ns  []int
	}
	var order []string
	by := map[string]*agg{}
	for _, x := range xs {
		m, ok := x.(map[string]any)
		if !ok {
			return "", false
		}
		kind, ok1 := m["kind"].(string)
		c, ok2 := m["contribution"].(float64)
		if !ok1 || !ok2 {
			return "", false
		}
		a := by[kind]
		if a == nil {
			a = &agg{}
			by[kind] = a
			order = append(order, kind)
		}
		a.sum += c
		a.n++
		evs, _ := m["events"].([]any)
		for _, e := range evs {
			if s, ok := e.(string); ok {
				if n, ok := v.numByKey[s]; ok {
					a.ns = append(a.ns, n)
				}
			}
		}
	}
	parts := make([]string, 0, len(order))
	for _, k := range order {
		a := by[k]
		s := fmt.Sprintf("%s %+.1f", k, a.sum)
		if a.n > 1 {
			s += fmt.Sprintf(" (%d factors)", a.n)
		}
		parts = append(parts, s+evRefs(a.ns))
	}
	return strings.Join(parts, "; "), true
}

// fmtObject formats an AIS identity or a position.
func (v *view) fmtObject(m map[string]any) (string, bool) {
	if _, ok := m["lat"]; ok {
		s := fixPos(m)
		if t, ok := m["time"].(string); ok {
			if tt, err := time.Parse(time.RFC3339, t); err == nil {
				s += " at " + fmtTime(tt)
			}
		}
		return s, true
	}
	if name, ok := m["name"].(string); ok {
		parts := []string{name}
		if imo, ok := m["imo"].(float64); ok && imo != 0 {
			parts = append(parts, fmt.Sprintf("IMO %.0f", imo))
		}
		if cs, ok := m["callsign"].(string); ok && cs != "" {
			parts = append(parts, "call sign "+cs)
		}
		if fl, ok := m["flag"].(string); ok && fl != "" {
			parts = append(parts, "flag "+fl)
		}
		a, _ := m["first_seen"].(string)
		b, _ := m["last_seen"].(string)
		ta, ea := time.Parse(time.RFC3339, a)
		tb, eb := time.Parse(time.RFC3339, b)
		if ea == nil && eb == nil {
			parts = append(parts, "seen "+fmtDate(ta)+" to "+fmtDate(tb))
		}
		return strings.Join(parts, ", "), true
	}
	return "", false
}

// candidatesText lists a dark port visit's candidate ports on one line.
func candidatesText(cs []event.Candidate) string {
	var parts []string
	for _, c := range cs {
		p := c.Port
		if c.Country != "" {
			p += " (" + c.Country
			if c.HighRisk {
				p += ", high risk"
			}
			p += ")"
		} else if c.HighRisk {
			p += " (high risk)"
		}
		parts = append(parts, fmt.Sprintf("%s %.2f, %.0f km, %.0f h", p, c.Score, c.DetourKm, math.Round(c.MaxDwellH)))
	}
	return strings.Join(parts, "; ")
}
