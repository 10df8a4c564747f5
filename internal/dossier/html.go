package dossier

import (
	_ "embed"
	"html/template"
	"io"
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
	"fmtTime":    fmtTime,
	"fmtDate":    fmtDate,
	"paragraphs": paragraphs,
	"pct":        func(f float64) float64 { return f * 100 },
	"add":        func(a, b float64) float64 { return a + b },
}).Parse(indexTmpl))

// writeHTML writes index.html: one file with its CSS and script inline;
// images are the bundle's own evidence files, linked relatively.
func writeHTML(w io.Writer, v *view) error {
	data := struct {
		*view
		CSS         template.CSS
		JS          template.JS
		MapSVG      template.HTML
		TimelineSVG template.HTML
		Legend      []legendEntry
	}{
		view: v, CSS: template.CSS(styleCSS), JS: template.JS(appJS),
		// Both are built by svgMap/svgTimeline with every label escaped.
		MapSVG: template.HTML(svgMap(v.Map, v.C.Simulated)), TimelineSVG: template.HTML(svgTimeline(v.TL)),
		Legend: mapLegend(v.Map),
	}
	return htmlTmpl.Execute(w, data)
}
