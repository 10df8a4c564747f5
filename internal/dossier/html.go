package dossier

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
)

var (
	//go:embed assets/index.html.tmpl
	indexTmpl string
	//go:embed assets/style.css
	styleCSS string
	//go:embed assets/app.js
	appJS string
)

var htmlTmpl = template.Must(template.New("index").Funcs(template.FuncMap{
	"fmtTime":        fmtTime,
	"fmtDate":        fmtDate,
	"fmtShort":       fmtShort,
	"fmtListVersion": fmtListVersion,
	"paragraphs":     paragraphs,
	"numList":        numList,
	"tabulated":      tabulated,
	"latlon":         fmtLatLon,
	"cell":           cellHTML,
	"long":           func(s string) bool { return len([]rune(s)) > 44 },
	"pct":            func(f float64) float64 { return f * 100 },
	"add":            func(a, b float64) float64 { return a + b },
	// Bound to the view in writeHTML.
	"sourceText":     func(Vessel, Designation) string { return "" },
	"detectionEvent": func(string, Detection) int { return 0 },
}).Parse(indexTmpl))

// cellHTML renders a table cell built for both renderers: a monospaced
// cell (a key) as such, the PDF's other markers dropped.
func cellHTML(s string) template.HTML {
	switch {
	case strings.HasPrefix(s, cellMono):
		return template.HTML(`<span class="hash">` + template.HTMLEscapeString(s[1:]) + `</span>`)
	case strings.HasPrefix(s, cellMuted):
		s = s[1:]
	case strings.HasPrefix(s, cellChip) && len(s) >= 8:
		s = s[8:]
	}
	return template.HTML(template.HTMLEscapeString(s))
}

// writeHTML writes index.html: one file with its CSS and script inline;
// images are the bundle's own evidence files, linked relatively.
func writeHTML(w io.Writer, v *view) error {
	t, err := htmlTmpl.Clone()
	if err != nil {
		return fmt.Errorf("html: %w", err)
	}
	t.Funcs(template.FuncMap{
		"sourceText":     func(vs Vessel, d Designation) string { return v.sourceText(&vs, d) },
		"detectionEvent": v.detectionEvent,
	})
	data := struct {
		*view
		CSS         template.CSS
		JS          template.JS
		MapSVG      template.HTML
		InsetSVG    template.HTML
		MapNote     string
		TimelineSVG template.HTML
		Legend      []legendEntry
	}{
		view: v, CSS: template.CSS(styleCSS), JS: template.JS(appJS),
		// Both are built by svgMap/svgTimeline with every label escaped.
		MapSVG: template.HTML(svgMap(v.Map, "map", v.C.Simulated)), InsetSVG: template.HTML(svgMap(v.Inset, "inset", v.C.Simulated)),
		TimelineSVG: template.HTML(svgTimeline(v.TL)),
		Legend:      mapLegend(v.Map, v.Inset), MapNote: mapNote(v.Map),
	}
	return t.Execute(w, data)
}
