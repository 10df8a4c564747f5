package dossier

import (
	"fmt"
	"sort"
	"strings"

	"github.com/lookout-maritime/lookout/internal/event"
)

// The case at a glance: the tables a reader sees first, drawn from the
// events so they cannot disagree with them.

type glanceVessel struct {
	Label     string
	IDs       string
	Sanctions string
	Dark      string // dark port visits and where they most likely were
	Calls     string // port calls seen over AIS
	Risk      string
}

type darkCall struct {
	Ev      *evView
	Vessel  string
	Port    string // the most plausible port, with its score
	Draught string
	Related string // the gap and draught change of the same silence
}

type sceneRow struct {
	ID       string
	When     string
	Sensor   string
	Detected int
	Dark     int
	Lengths  string // of the dark vessels
	Events   string
	Item     string
}

func (v *view) buildGlance() {
	c := v.C
	for vi := range c.Vessels {
		vs := &c.Vessels[vi]
		g := glanceVessel{Label: vs.Label(), IDs: fmt.Sprintf("MMSI %d", vs.MMSI)}
		if vs.IMO != 0 {
			g.IDs = fmt.Sprintf("IMO %d, ", vs.IMO) + g.IDs
		}
		if vs.Flag != "" {
			g.IDs += ", flag " + vs.Flag
		}
		// Sanctions: the listed names, per list and programme.
		type lp struct{ list, prog string }
		var order []lp
		names := map[lp][]string{}
		for _, d := range vs.Sanctions {
			k := lp{d.List, d.Program}
			if _, ok := names[k]; !ok {
				order = append(order, k)
			}
			n := d.ListedName
			if !strings.EqualFold(n, vs.Name) {
				n += " (linked)"
			}
			names[k] = append(names[k], n)
		}
		var parts []string
		for _, k := range order {
			parts = append(parts, strings.TrimSpace(k.list+" "+k.prog)+": "+strings.Join(names[k], "; "))
		}
		g.Sanctions = strings.Join(parts, ". ")
		if g.Sanctions == "" {
			g.Sanctions = "none matched"
		}
		dark := map[string]int{}
		var darkOrder []string
		calls := map[string]int{}
		nDark := 0
		for i := range v.Events {
			ev := &v.Events[i]
			if ev.E.MMSI != vs.MMSI {
				continue
			}
			switch ev.E.Kind {
			case event.DarkPortVisit:
				nDark++
				p := ev.E.Port
				if len(ev.E.Candidates) > 0 {
					p = ev.E.Candidates[0].Port
					if ev.E.Candidates[0].HighRisk {
						p += " (high risk)"
					}
				}
				if p == "" {
					p = "no port named"
				}
				if dark[p] == 0 {
					darkOrder = append(darkOrder, p)
				}
				dark[p]++
			case event.PortVisit:
				calls[ev.E.Port]++
			case event.RiskChange:
				if r, ok := ev.E.Details["new_rating"].(string); ok {
					g.Risk = r
					if sc, ok := ev.E.Details["new_score"].(float64); ok {
						g.Risk += fmt.Sprintf(", score %.0f", sc)
					}
					g.Risk += fmt.Sprintf(" (event %d)", ev.N)
				}
			}
		}
		switch {
		case nDark == 0:
			g.Dark = "none inferred"
		case len(darkOrder) == 1:
			g.Dark = fmt.Sprintf("%d, most plausibly each at %s", nDark, darkOrder[0])
			if nDark == 1 {
				g.Dark = "1, most plausibly at " + darkOrder[0]
			}
		default:
			var ps []string
			for _, p := range darkOrder {
				ps = append(ps, fmt.Sprintf("%s %d", p, dark[p]))
			}
			g.Dark = fmt.Sprintf("%d; most plausible ports: %s", nDark, strings.Join(ps, ", "))
		}
		g.Calls = countList(calls)
		if g.Calls == "" {
			g.Calls = "none"
		}
		if g.Risk == "" {
			g.Risk = "not rated in this case"
		}
		v.Glance = append(v.Glance, g)
	}
	// Dark calls vessel by vessel (in the case's order), each in time
	// order, so a vessel's rhythm shows.
	var darks []*evView
	for i := range v.Events {
		if v.Events[i].E.Kind == event.DarkPortVisit {
			darks = append(darks, &v.Events[i])
		}
	}
	rank := func(mmsi uint32) int {
		for i := range c.Vessels {
			if c.Vessels[i].MMSI == mmsi {
				return i
			}
		}
		return len(c.Vessels)
	}
	sort.SliceStable(darks, func(a, b int) bool { return rank(darks[a].E.MMSI) < rank(darks[b].E.MMSI) })
	for _, ev := range darks {
		dc := darkCall{Ev: ev, Vessel: ev.Vessel, Port: ev.E.Port}
		if len(ev.E.Candidates) > 0 {
			cd := ev.E.Candidates[0]
			dc.Port = fmt.Sprintf("%s %.2f", cd.Port, cd.Score)
			if cd.HighRisk {
				dc.Port = fmt.Sprintf("%s (high risk) %.2f", cd.Port, cd.Score)
			}
		}
		if dc.Port == "" {
			dc.Port = "—"
		}
		d := ev.E.Details
		if b, ok := num(d, "draught_before_m"); ok {
			if a, ok := num(d, "draught_after_m"); ok {
				dc.Draught = fmt.Sprintf("%.1f to %.1f m", b, a)
			}
		}
		if dc.Draught == "" {
			dc.Draught = "—"
		}
		var rel []string
		if n := v.sameSpan(ev, event.Gap); n > 0 {
			rel = append(rel, fmt.Sprintf("gap %d", n))
		}
		if n := v.sameSpan(ev, event.DraughtChange); n > 0 {
			rel = append(rel, fmt.Sprintf("draught %d", n))
		}
		dc.Related = strings.Join(rel, ", ")
		v.DarkCalls = append(v.DarkCalls, dc)
	}
	for _, s := range v.Scenes {
		r := sceneRow{ID: s.ID, When: fmtShort(s.Acquired), Sensor: dedupeWords(s.Sensor), Detected: len(s.Detections), Item: s.Item}
		var lengths []string
		for _, d := range s.Detections {
			if d.MMSI == 0 {
				r.Dark++
				if d.LengthM > 0 {
					lengths = append(lengths, fmt.Sprintf("%.0f", d.LengthM))
				}
			}
		}
		if len(lengths) > 0 {
			r.Lengths = strings.Join(lengths, ", ") + " m"
		}
		var ns []int
		for i := range v.Events {
			ev := &v.Events[i]
			if id, _ := ev.E.Details["scene_id"].(string); ev.E.Kind == event.DarkDetection && id == s.ID {
				ns = append(ns, ev.N)
			}
		}
		r.Events = numList(ns)
		v.SceneRows = append(v.SceneRows, r)
	}
}

// countList writes counts by name, largest first: "Dunay 11, Vostochny 1".
func countList(m map[string]int) string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if m[names[i]] != m[names[j]] {
			return m[names[i]] > m[names[j]]
		}
		return names[i] < names[j]
	})
	var parts []string
	for _, n := range names {
		label := n
		if label == "" {
			label = "unnamed port"
		}
		parts = append(parts, fmt.Sprintf("%s %d", label, m[n]))
	}
	return strings.Join(parts, ", ")
}

// dedupeWords drops a repeated leading phrase: platform and instrument
// are often named alike ("X optical X optical imager" → "X optical
// imager").
func dedupeWords(s string) string {
	w := strings.Fields(s)
	for k := len(w) / 2; k >= 1; k-- {
		if strings.Join(w[:k], " ") == strings.Join(w[k:2*k], " ") {
			return strings.Join(w[k:], " ")
		}
	}
	return s
}
