package dossier

import (
	"fmt"
	"html"
	"slices"
	"strconv"
	"strings"

	"github.com/lookout-maritime/lookout/internal/event"
)

func f1(x float64) string { return fmt.Sprintf("%.1f", x) }

func pathData(pts []pt, closed bool) string {
	var b strings.Builder
	for i, p := range pts {
		if i == 0 {
			b.WriteString("M")
		} else {
			b.WriteString("L")
		}
		b.WriteString(f1(p.X) + " " + f1(p.Y))
	}
	if closed {
		b.WriteString("Z")
	}
	return b.String()
}

// svgMap draws the map model as inline SVG: no script, no fonts or tiles
// from elsewhere, so it shows from disk and prints.
func svgMap(m *mapModel, id string, simulated bool) string {
	if m == nil {
		return ""
	}
	var b strings.Builder
	esc := html.EscapeString
	fmt.Fprintf(&b, `<svg id="%s" class="map" viewBox="0 0 %s %s" role="img" aria-label="%s">`, id, f1(m.W), f1(m.H), esc(m.Title))
	fmt.Fprintf(&b, `<rect class="sea" width="%s" height="%s"/>`, f1(m.W), f1(m.H))
	if len(m.Land) > 0 {
		b.WriteString(`<path class="land" fill-rule="evenodd" d="`)
		for _, r := range m.Land {
			b.WriteString(pathData(r, true))
		}
		b.WriteString(`"/>`)
	}
	b.WriteString(`<g class="grid">`)
	for _, g := range m.Grid {
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s"/>`, f1(g.A.X), f1(g.A.Y), f1(g.B.X), f1(g.B.Y))
		if g.Lon {
			fmt.Fprintf(&b, `<text x="%s" y="14" text-anchor="middle">%s</text>`, f1(g.A.X), esc(g.Label))
		} else if g.A.Y > 24 {
			fmt.Fprintf(&b, `<text x="4" y="%s">%s</text>`, f1(g.A.Y-3), esc(g.Label))
		}
	}
	b.WriteString(`</g>`)
	if simulated {
		fmt.Fprintf(&b, `<text class="simmark" x="%s" y="%s" text-anchor="middle">SIMULATED DATA</text>`, f1(m.W/2), f1(m.H/2))
	}
	if f := m.Frame; f != nil {
		fmt.Fprintf(&b, `<rect class="frame" x="%s" y="%s" width="%s" height="%s"><title>%s</title></rect>`,
			f1(f.A.X), f1(f.A.Y), f1(f.B.X-f.A.X), f1(f.B.Y-f.A.Y), esc(f.Label))
	}
	for _, fp := range m.Footprints {
		fmt.Fprintf(&b, `<path class="footprint" d="%s"><title>Scene %s</title></path>`, pathData(fp.Ring, true), esc(fp.Label))
		if w := fp.Ring[1].X - fp.Ring[0].X; w > 90 {
			fmt.Fprintf(&b, `<text class="fplabel" x="%s" y="%s">%s</text>`, f1(fp.Ring[3].X+4), f1(fp.Ring[3].Y+13), esc(fp.Label))
		}
	}
	for _, t := range m.Tracks {
		fmt.Fprintf(&b, `<g class="track" style="--c:%s;--w:%s"><title>%s</title>`, t.Color, f1(t.Width), esc(t.Label))
		for _, g := range t.Gaps {
			fmt.Fprintf(&b, `<line class="gap" x1="%s" y1="%s" x2="%s" y2="%s"/>`, f1(g[0].X), f1(g[0].Y), f1(g[1].X), f1(g[1].Y))
		}
		for _, l := range t.Lines {
			if len(l) == 1 {
				fmt.Fprintf(&b, `<circle class="fix" cx="%s" cy="%s" r="2"/>`, f1(l[0].X), f1(l[0].Y))
				continue
			}
			fmt.Fprintf(&b, `<path class="line" d="%s"/>`, pathData(l, false))
		}
		fmt.Fprintf(&b, `<circle class="start" cx="%s" cy="%s" r="4"/>`, f1(t.Start.X), f1(t.Start.Y))
		b.WriteString(`</g>`)
	}
	for _, mk := range m.Markers {
		if mk.P != mk.At {
			fmt.Fprintf(&b, `<line class="leader" x1="%s" y1="%s" x2="%s" y2="%s"/>`, f1(mk.At.X), f1(mk.At.Y), f1(mk.P.X), f1(mk.P.Y))
		}
	}
	for _, mk := range m.Markers {
		cls := "ev"
		if len(mk.Ns) > 1 {
			cls = "ev group"
		}
		fmt.Fprintf(&b, `<g class="%s" data-ev="%s">`, cls, evList(mk.Ns))
		if len(mk.Ns) > 1 {
			fmt.Fprintf(&b, `<circle class="ring" cx="%s" cy="%s" r="%s" stroke="%s"/>`, f1(mk.P.X), f1(mk.P.Y), f1(mk.R()+2.5), mk.Color)
		}
		fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="%s" fill="%s"/><text x="%s" y="%s">%s</text><title>%s</title></g>`,
			f1(mk.P.X), f1(mk.P.Y), f1(mk.R()), mk.Color, f1(mk.P.X), f1(mk.P.Y+4), esc(mk.Label()), esc(mk.Title()))
	}
	// Ports last, so no marker or line hides them.
	for _, p := range m.Ports {
		cls := "port"
		if p.HighRisk {
			cls = "port hr"
		}
		fmt.Fprintf(&b, `<g class="%s"><rect x="%s" y="%s" width="9" height="9"/><text x="%s" y="%s" text-anchor="%s">%s`,
			cls, f1(p.P.X-4.5), f1(p.P.Y-4.5), f1(p.LX), f1(p.LY), p.Anchor, esc(p.Name))
		if p.Sub != "" {
			fmt.Fprintf(&b, `<tspan class="sub" x="%s" dy="%s">%s</tspan>`, f1(p.LX), f1(subLineH), esc(p.Sub))
		}
		b.WriteString(`</text></g>`)
	}
	// Scale bar, bottom right.
	x0, y0 := m.W-20-m.Scale.Len, m.H-20
	fmt.Fprintf(&b, `<g class="scale"><path d="M%s %sv6h%sv-6"/><text x="%s" y="%s" text-anchor="middle">%s</text></g>`,
		f1(x0), f1(y0-6), f1(m.Scale.Len), f1(x0+m.Scale.Len/2), f1(y0-10), esc(m.Scale.Label))
	b.WriteString(`</svg>`)
	return b.String()
}

// evList is a marker's event numbers for its data-ev attribute.
func evList(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, " ")
}

// legend lists the vessels' colours and the event kinds on the map.
type legendEntry struct {
	Color, Label string
	Kind         string // "track", "gap", "event", "group", "port", "hrport", "scene", "frame"
}

func mapLegend(maps ...*mapModel) []legendEntry {
	var out []legendEntry
	var kinds []event.Kind
	tracks := map[string]bool{}
	ports, hrPorts, scenes, groups, frame := false, false, false, false, false
	for _, m := range maps {
		if m == nil {
			continue
		}
		for _, t := range m.Tracks {
			if !tracks[t.Label] {
				tracks[t.Label] = true
				out = append(out, legendEntry{t.Color, t.Label, "track"})
			}
		}
		for _, p := range m.Ports {
			hrPorts = hrPorts || p.HighRisk
			ports = ports || !p.HighRisk
		}
		for _, mk := range m.Markers {
			if !slices.Contains(kinds, mk.Kind) {
				kinds = append(kinds, mk.Kind)
			}
			groups = groups || len(mk.Ns) > 1
		}
		scenes = scenes || len(m.Footprints) > 0
		frame = frame || m.Frame != nil
	}
	if len(out) == 0 && len(kinds) == 0 && !ports && !hrPorts {
		return nil
	}
	out = append(out, legendEntry{"#555", "AIS silent > 2 h (straight dashes)", "gap"})
	if ports {
		out = append(out, legendEntry{"#222", "Port", "port"})
	}
	if hrPorts {
		out = append(out, legendEntry{"#c92a2a", "High-risk port", "hrport"})
	}
	for _, k := range kinds {
		out = append(out, legendEntry{kindColor(k), kindLabel(k), "event"})
	}
	if groups {
		out = append(out, legendEntry{"#868e96", "×N: N events of one kind at one place", "group"})
	}
	if scenes {
		out = append(out, legendEntry{"#444", "Satellite scene footprint", "scene"})
	}
	if frame {
		out = append(out, legendEntry{"#333", "Area shown in map 2", "frame"})
	}
	return out
}

// mapNote says what the map leaves out, so a reader does not look for it.
func mapNote(m *mapModel) string {
	if m == nil || len(m.Omitted) == 0 {
		return ""
	}
	order := []event.Kind{event.PortVisit, event.DraughtChange, event.SanctionsHit, event.RiskChange}
	var parts []string
	for _, k := range order {
		if n := m.Omitted[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, plural(n, lowerKind(k))))
		}
	}
	var rest []string
	for k, n := range m.Omitted {
		if !slices.Contains(order, k) && n > 0 {
			rest = append(rest, fmt.Sprintf("%d %s", n, plural(n, lowerKind(k))))
		}
	}
	slices.Sort(rest)
	parts = append(parts, rest...)
	if len(parts) == 0 {
		return ""
	}
	return "Not drawn, but in the event list: " + joinAnd(parts) + "."
}

// plural makes a kind label plural for n ≠ 1 ("port visit" → "port visits").
func plural(n int, s string) string {
	if n == 1 {
		return s
	}
	switch {
	case strings.HasSuffix(s, "match"):
		return s + "es"
	case strings.HasSuffix(s, " in imagery"):
		return strings.Replace(s, "vessel in", "vessels in", 1)
	case strings.HasSuffix(s, "Loitering"), strings.HasSuffix(s, "loitering"), strings.HasSuffix(s, "poofing"):
		return s
	}
	return s + "s"
}

func joinAnd(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

const (
	tlWidth  = 1000.0
	tlLabelW = 150.0
	tlRowH   = 36.0
	tlTop    = 26.0
)

// tlRowHeight is a timeline row's height in SVG units: the coverage bar
// and a lane per set of overlapping events.
func tlRowHeight(r *tlRow) float64 { return 16 + float64(r.Lanes)*18 }

// svgTimeline draws one row per vessel: AIS reception as a thin bar and
// each event as a numbered block below it.
func svgTimeline(tl *timeline) string {
	if tl == nil {
		return ""
	}
	esc := html.EscapeString
	h := tlTop + 8
	for i := range tl.Rows {
		h += tlRowHeight(&tl.Rows[i])
	}
	plotW := tlWidth - tlLabelW - 10
	var b strings.Builder
	fmt.Fprintf(&b, `<svg id="timeline" class="timeline" viewBox="0 0 %s %s" role="img" aria-label="Timeline">`, f1(tlWidth), f1(h))
	for _, tk := range tl.Ticks {
		x := tlLabelW + tl.frac(tk.T)*plotW
		fmt.Fprintf(&b, `<line class="tick" x1="%s" y1="%s" x2="%s" y2="%s"/><text class="ticklabel" x="%s" y="14" text-anchor="middle">%s</text>`,
			f1(x), f1(tlTop-6), f1(x), f1(h-4), f1(x), esc(tk.Label))
	}
	y := tlTop
	for i := range tl.Rows {
		r := &tl.Rows[i]
		rh := tlRowHeight(r)
		fmt.Fprintf(&b, `<text class="rowlabel" x="0" y="%s">%s</text>`, f1(y+12), esc(r.Label))
		fmt.Fprintf(&b, `<line class="rowline" x1="%s" y1="%s" x2="%s" y2="%s"/>`, f1(tlLabelW), f1(y+8), f1(tlLabelW+plotW), f1(y+8))
		for _, cv := range r.Coverage {
			x1 := tlLabelW + tl.frac(cv[0])*plotW
			x2 := tlLabelW + tl.frac(cv[1])*plotW
			fmt.Fprintf(&b, `<rect class="cov" x="%s" y="%s" width="%s" height="6" fill="%s"><title>AIS received %s – %s</title></rect>`,
				f1(x1), f1(y+5), f1(max(x2-x1, 1.5)), r.Color, fmtTime(cv[0]), fmtTime(cv[1]))
		}
		for _, e := range r.Events {
			x1 := tlLabelW + tl.frac(e.Start)*plotW
			x2 := tlLabelW + tl.frac(e.End)*plotW
			w := max(x2-x1, 16)
			ey := y + 16 + float64(e.Lane)*18
			fmt.Fprintf(&b, `<g class="ev" data-ev="%d"><rect x="%s" y="%s" width="%s" height="15" rx="3" fill="%s"/><text x="%s" y="%s" text-anchor="middle">%d</text><title>%d. %s %s</title></g>`,
				e.N, f1(x1), f1(ey), f1(w), e.Color, f1(x1+w/2), f1(ey+11.5), e.N, e.N, esc(kindLabel(e.Kind)), fmtTime(e.Start))
		}
		y += rh
	}
	b.WriteString(`</svg>`)
	return b.String()
}
