package dossier

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/go-pdf/fpdf"
)

// The PDF uses the standard PDF fonts (Helvetica, Courier), which need no
// embedding and are in every viewer; they cover Windows-1252, so text is
// translated to it: Cyrillic transliterated, common signs spelled out
// ("→" as "->"), and each run of anything else (Korean, Chinese…) shown
// as "[*]", which a note at the end explains. The HTML keeps the original
// text.

const (
	pageW    = 210.0
	pageH    = 297.0
	margin   = 15.0
	contentW = pageW - 2*margin
	maxImage = 64 << 20 // largest image embedded in the PDF
	// sceneImageH is the tallest a scene's image is drawn (mm): two
	// scenes with their detections fit a page; the full image is in
	// evidence/.
	sceneImageH = 78.0
)

type pdfDoc struct {
	*fpdf.Fpdf
	v   *view
	tr  func(string) string
	err error
	// foreign is set when text in a script the fonts lack was replaced.
	foreign bool
}

func writePDF(w io.Writer, v *view) error {
	f := fpdf.New("P", "mm", "A4", "")
	d := &pdfDoc{Fpdf: f, v: v}
	d.tr = pdfText(f.UnicodeTranslatorFromDescriptor(""), &d.foreign)
	c := v.C
	f.SetTitle(d.tr(c.ID+" "+c.Title), false)
	f.SetAuthor(d.tr(c.Author), false)
	f.SetCreator("Lookout", false)
	f.SetCreationDate(c.Generated)
	f.SetModificationDate(c.Generated)
	f.SetMargins(margin, 20, margin)
	f.SetAutoPageBreak(true, 18)
	f.AliasNbPages("{nb}")
	f.SetHeaderFunc(func() {
		f.SetFont("Helvetica", "", 8)
		f.SetTextColor(110, 110, 110)
		f.SetXY(margin, 8)
		f.CellFormat(contentW*0.7, 5, d.tr(fmt.Sprintf("Lookout dossier %s · %s", c.ID, c.Title)), "", 0, "L", false, 0, "")
		if c.Simulated {
			f.SetFont("Helvetica", "B", 9)
			f.SetTextColor(201, 42, 42)
			f.CellFormat(contentW*0.3, 5, "SIMULATED DATA", "", 0, "R", false, 0, "")
		}
		f.SetDrawColor(200, 200, 200)
		f.Line(margin, 14, pageW-margin, 14)
		f.SetTextColor(0, 0, 0)
		f.SetY(20)
	})
	f.SetFooterFunc(func() {
		f.SetY(-12)
		f.SetFont("Helvetica", "", 8)
		f.SetTextColor(110, 110, 110)
		f.CellFormat(contentW/2, 5, d.tr("Generated "+fmtTime(c.Generated)), "", 0, "L", false, 0, "")
		f.CellFormat(contentW/2, 5, fmt.Sprintf("Page %d of {nb}", f.PageNo()), "", 0, "R", false, 0, "")
		f.SetTextColor(0, 0, 0)
	})

	d.titlePage()
	d.mapPage()
	d.timelineSection()
	d.vessels()
	d.events()
	d.imagery()
	d.evidenceSection()
	d.verification()
	if d.err != nil {
		return d.err
	}
	if err := f.Error(); err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	return f.Output(w)
}

// wrap splits cp1252 text (already translated) into lines no wider than
// w at the current font. fpdf's SplitText and MultiCell read the text as
// UTF-8 and fail on translated bytes, hence this.
func (d *pdfDoc) wrap(s string, w float64) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			cand := word
			if line != "" {
				cand = line + " " + word
			}
			if d.GetStringWidth(cand) <= w {
				line = cand
				continue
			}
			if line != "" {
				out = append(out, line)
			}
			// A word wider than the line (a hash, a URL) is cut.
			for d.GetStringWidth(word) > w && len(word) > 1 {
				n := len(word)
				for n > 1 && d.GetStringWidth(word[:n]) > w {
					n--
				}
				out = append(out, word[:n])
				word = word[n:]
			}
			line = word
		}
		out = append(out, line)
	}
	return out
}

// multi writes wrapped text lines at the current position, like MultiCell.
func (d *pdfDoc) multi(w, h float64, s, border, align string, fill bool) {
	x := d.GetX()
	for _, ln := range d.wrap(s, w-1) {
		d.SetX(x)
		d.CellFormat(w, h, ln, border, 1, align, fill, 0, "")
	}
}

func (d *pdfDoc) h2(s string) {
	if d.GetY() > pageH-50 {
		d.AddPage()
	}
	d.Ln(3)
	d.SetFont("Helvetica", "B", 14)
	d.CellFormat(contentW, 8, d.tr(s), "B", 1, "L", false, 0, "")
	d.Ln(2)
}

func (d *pdfDoc) h3(s string) {
	if d.GetY() > pageH-45 {
		d.AddPage()
	}
	d.Ln(1)
	d.SetFont("Helvetica", "B", 11)
	d.multi(contentW, 5.5, d.tr(s), "", "L", false)
}

func (d *pdfDoc) para(s string, size float64, style string) {
	d.SetFont("Helvetica", style, size)
	d.multi(contentW, size*0.48, d.tr(s), "", "L", false)
	d.Ln(1)
}

func (d *pdfDoc) muted(s string, size float64) {
	d.SetTextColor(95, 107, 122)
	d.para(s, size, "")
	d.SetTextColor(0, 0, 0)
}

// kvTable writes label/value rows.
func (d *pdfDoc) kvTable(rows [][2]string, labelW float64) {
	for _, r := range rows {
		d.SetFont("Helvetica", "", 9.5)
		lines := d.wrap(d.tr(r[1]), contentW-labelW)
		h := float64(max(len(lines), 1)) * 4.6
		if d.GetY()+h > pageH-20 {
			d.AddPage()
		}
		y := d.GetY()
		d.SetTextColor(95, 107, 122)
		d.SetXY(margin, y)
		d.multi(labelW, 4.6, d.tr(r[0]), "", "L", false)
		d.SetTextColor(0, 0, 0)
		d.SetXY(margin+labelW, y)
		d.multi(contentW-labelW, 4.6, d.tr(r[1]), "", "L", false)
		d.SetY(y + h + 0.6)
	}
}

// Table cells may start with a marker byte: cellMono for a monospaced
// cell (hashes, keys), cellChip followed by a colour "#rrggbb" for an
// event's number on its kind's colour.
const (
	cellMono  = "\x00"
	cellChip  = "\x01"
	cellMuted = "\x02" // a label, in grey
)

func chip(color string, n int) string { return cellChip + color + strconv.Itoa(n) }

// table writes a table whose cells wrap; widths are fractions of the
// content width.
func (d *pdfDoc) table(caption string, head []string, widths []float64, rows [][]string, size float64) {
	lh := size * 0.45
	if caption != "" {
		if d.GetY() > pageH-40 {
			d.AddPage()
		}
		d.SetFont("Helvetica", "B", size)
		d.SetTextColor(95, 107, 122)
		d.CellFormat(contentW, lh+1.5, d.tr(caption), "", 1, "L", false, 0, "")
		d.SetTextColor(0, 0, 0)
	}
	ws := make([]float64, len(widths))
	for i, w := range widths {
		ws[i] = w * contentW
	}
	font := func(c string) (string, string, string) { // family, style, text
		switch {
		case strings.HasPrefix(c, cellMono):
			return "Courier", "", c[1:]
		case strings.HasPrefix(c, cellChip) && len(c) >= 8:
			return "Helvetica", "B", c[8:]
		case strings.HasPrefix(c, cellMuted):
			return "Helvetica", "", c[1:]
		}
		return "Helvetica", "", c
	}
	row := func(cells []string) {
		n := 1
		split := make([][]string, len(cells))
		for i, c := range cells {
			fam, st, text := font(c)
			d.SetFont(fam, st, size)
			split[i] = d.wrap(d.tr(text), ws[i]-1.5)
			n = max(n, len(split[i]))
		}
		h := float64(n)*lh + 1.6
		if d.GetY()+h > pageH-20 {
			d.AddPage()
			if head != nil {
				d.tableHead(head, ws, size, lh)
			}
		}
		y := d.GetY()
		x := margin
		for i, c := range cells {
			fam, st, _ := font(c)
			d.SetFont(fam, st, size)
			if strings.HasPrefix(c, cellChip) && len(c) >= 8 && len(split[i]) > 0 {
				r, g, b := hexRGB(c[1:8])
				d.SetFillColor(r, g, b)
				w := d.GetStringWidth(split[i][0]) + 2
				d.RoundedRect(x, y+0.5, w, lh+0.6, 0.8, "1234", "F")
				d.SetTextColor(255, 255, 255)
				d.SetXY(x, y+0.8)
				d.CellFormat(w, lh, split[i][0], "", 0, "C", false, 0, "")
				d.SetTextColor(0, 0, 0)
				x += ws[i]
				continue
			}
			if strings.HasPrefix(c, cellMuted) {
				d.SetTextColor(95, 107, 122)
			}
			for j, ln := range split[i] {
				d.SetXY(x, y+0.8+float64(j)*lh)
				d.CellFormat(ws[i]-1.5, lh, ln, "", 0, "L", false, 0, "")
			}
			d.SetTextColor(0, 0, 0)
			x += ws[i]
		}
		d.SetDrawColor(213, 219, 227)
		d.Line(margin, y+h, margin+contentW, y+h)
		d.SetY(y + h)
	}
	if head != nil {
		d.tableHead(head, ws, size, lh)
	}
	for _, r := range rows {
		row(r)
	}
	d.Ln(3)
}

func (d *pdfDoc) tableHead(head []string, ws []float64, size, lh float64) {
	d.SetFont("Helvetica", "B", size)
	split := make([][]string, len(head))
	n := 1
	for i, h := range head {
		split[i] = d.wrap(d.tr(h), ws[i]-1.5)
		n = max(n, len(split[i]))
	}
	hh := float64(n)*lh + 1.5
	if d.GetY()+hh+lh*2 > pageH-20 {
		d.AddPage()
	}
	d.SetFont("Helvetica", "B", size)
	y := d.GetY()
	x := margin
	for i := range head {
		for j, ln := range split[i] {
			d.SetXY(x, y+float64(j)*lh)
			d.CellFormat(ws[i]-1.5, lh+1.5, ln, "", 0, "L", false, 0, "")
		}
		x += ws[i]
	}
	d.SetDrawColor(29, 36, 48)
	d.SetLineWidth(0.35)
	d.Line(margin, y+hh+0.1, margin+contentW, y+hh+0.1)
	d.SetLineWidth(0.2)
	d.SetY(y + hh + 0.3)
}

func hexRGB(s string) (int, int, int) {
	v, err := strconv.ParseUint(strings.TrimPrefix(s, "#"), 16, 32)
	if err != nil {
		return 0, 0, 0
	}
	return int(v >> 16 & 0xff), int(v >> 8 & 0xff), int(v & 0xff)
}

func (d *pdfDoc) mapPage() {
	m := d.v.Map
	if m == nil {
		return
	}
	d.AddPage()
	d.h2("Maps")
	d.drawMap(m, contentW)
	// Legend.
	d.SetFont("Helvetica", "", 8)
	x := margin
	for _, le := range mapLegend(m, d.v.Inset) {
		label := d.tr(le.Label)
		w := 9 + d.GetStringWidth(label) + 5
		if x+w > margin+contentW {
			x = margin
			d.SetY(d.GetY() + 5)
		}
		y := d.GetY() + 2.5
		r, g, b := hexRGB(le.Color)
		d.SetDrawColor(r, g, b)
		d.SetFillColor(r, g, b)
		switch le.Kind {
		case "event":
			d.Circle(x+3, y, 1.5, "F")
		case "group":
			d.Circle(x+3, y, 1.5, "F")
			d.SetLineWidth(0.3)
			d.Circle(x+3, y, 2.1, "D")
		case "port", "hrport":
			d.Rect(x+2, y-1, 2, 2, "F")
		case "frame":
			d.SetLineWidth(0.3)
			d.Rect(x, y-1.5, 7, 3, "D")
		case "gap", "scene":
			d.SetLineWidth(0.5)
			d.SetDashPattern([]float64{1.2, 0.8}, 0)
			d.Line(x, y, x+7, y)
			d.SetDashPattern(nil, 0)
		default:
			d.SetLineWidth(0.8)
			d.Line(x, y, x+7, y)
		}
		d.SetLineWidth(0.2)
		d.Text(x+9, y+1, label)
		x += w
	}
	d.SetY(d.GetY() + 7)
	note := "Numbers are the events' numbers in the event list. A line ends in a white dot where the vessel's track begins; where tracks share a route, the one listed first is drawn widest. Web Mercator projection."
	if d.v.C.LandSource != "" {
		note += " Coastline: " + d.v.C.LandSource + "."
	}
	if n := mapNote(m); n != "" {
		note += " " + n
	}
	d.muted(note, 8)
	if in := d.v.Inset; in != nil {
		if d.GetY()+in.H*contentW/in.W > pageH-30 {
			d.AddPage()
		}
		w := math.Min(contentW, 150*in.W/in.H)
		d.drawMap(in, w)
		if len(d.v.C.InsetLandGeoJSON) == 0 {
			d.muted("The coastline is drawn at the overview's detail and is only approximate at this scale; positions are exact.", 8)
		}
		d.sceneSummary()
	}
}

// drawMap draws a map w mm wide at the current position, with its title
// above it, and moves below it.
func (d *pdfDoc) drawMap(m *mapModel, w float64) {
	if m.Title != "" {
		d.SetFont("Helvetica", "B", 9.5)
		d.CellFormat(w, 5, d.tr(m.Title), "", 1, "L", false, 0, "")
	}
	s := w / m.W
	// Fonts follow the map's scale: labels were placed for a map about
	// 180 mm wide.
	fs := math.Max(0.8, s/(contentW/1000))
	hmm := m.H * s
	x0, y0 := margin, d.GetY()
	P := func(p pt) (float64, float64) { return x0 + p.X*s, y0 + p.Y*s }
	d.ClipRect(x0, y0, w, hmm, false)
	d.SetFillColor(220, 235, 247)
	d.Rect(x0, y0, w, hmm, "F")
	d.SetFillColor(241, 237, 227)
	d.SetDrawColor(168, 156, 131)
	d.SetLineWidth(0.15)
	for _, r := range m.Land {
		for i, p := range r {
			x, y := P(p)
			if i == 0 {
				d.MoveTo(x, y)
			} else {
				d.LineTo(x, y)
			}
		}
		d.ClosePath()
		d.DrawPath("FD")
	}
	// Graticule.
	d.SetDrawColor(159, 182, 204)
	d.SetLineWidth(0.1)
	d.SetDashPattern([]float64{0.8, 1.2}, 0)
	d.SetFont("Helvetica", "", 6.5)
	d.SetTextColor(95, 122, 150)
	for _, g := range m.Grid {
		ax, ay := P(g.A)
		bx, by := P(g.B)
		d.Line(ax, ay, bx, by)
		if g.Lon {
			d.Text(ax+0.6, y0+3, d.tr(g.Label))
		} else if g.A.Y > 24 {
			d.Text(x0+1, ay-0.8, d.tr(g.Label))
		}
	}
	d.SetDashPattern(nil, 0)
	d.SetTextColor(0, 0, 0)
	if d.v.C.Simulated {
		d.SetFont("Helvetica", "B", 30*math.Min(1, w/contentW))
		d.SetTextColor(230, 170, 170)
		lbl := "SIMULATED DATA"
		d.Text(x0+w/2-d.GetStringWidth(lbl)/2, y0+hmm/2, lbl)
		d.SetTextColor(0, 0, 0)
	}
	if f := m.Frame; f != nil {
		ax, ay := P(f.A)
		bx, by := P(f.B)
		d.SetDrawColor(51, 51, 51)
		d.SetLineWidth(0.3)
		d.Rect(ax, ay, bx-ax, by-ay, "D")
	}
	for _, fp := range m.Footprints {
		d.SetDrawColor(68, 68, 68)
		d.SetLineWidth(0.25)
		d.SetDashPattern([]float64{1.5, 0.8}, 0)
		d.polyline(fp.Ring, P, true)
		d.SetDashPattern(nil, 0)
		if fp.Ring[1].X-fp.Ring[0].X > 90 {
			x, y := P(fp.Ring[3])
			d.SetFont("Helvetica", "", 6.5*fs)
			d.haloText(x+0.8, y+2.8*fs, d.tr(fp.Label))
		}
	}
	for _, t := range m.Tracks {
		r, g, b := hexRGB(t.Color)
		d.SetDrawColor(r, g, b)
		d.SetLineWidth(math.Max(0.3, t.Width*s*0.8))
		d.SetDashPattern([]float64{1.6, 1.2}, 0)
		for _, gp := range t.Gaps {
			ax, ay := P(gp[0])
			bx, by := P(gp[1])
			d.Line(ax, ay, bx, by)
		}
		d.SetDashPattern(nil, 0)
		d.SetLineWidth(t.Width * s)
		d.SetLineCapStyle("round")
		d.SetLineJoinStyle("round")
		for _, l := range t.Lines {
			d.polyline(l, P, false)
		}
		d.SetLineCapStyle("butt")
		d.SetLineJoinStyle("miter")
		sx, sy := P(t.Start)
		d.SetFillColor(255, 255, 255)
		d.SetLineWidth(0.35)
		d.Circle(sx, sy, 0.9, "FD")
	}
	d.SetLineWidth(0.2)
	d.SetDrawColor(51, 51, 51)
	for _, mk := range m.Markers {
		if mk.P != mk.At {
			ax, ay := P(mk.At)
			bx, by := P(mk.P)
			d.Line(ax, ay, bx, by)
		}
	}
	for _, mk := range m.Markers {
		x, y := P(mk.P)
		r, g, b := hexRGB(mk.Color)
		rad := mk.R() * s
		if len(mk.Ns) > 1 {
			d.SetDrawColor(r, g, b)
			d.SetLineWidth(0.35)
			d.Circle(x, y, rad+0.45, "D")
		}
		d.SetFillColor(r, g, b)
		d.SetDrawColor(255, 255, 255)
		d.SetLineWidth(0.3)
		d.Circle(x, y, rad, "FD")
		lbl := d.tr(mk.Label())
		size := 6.5 * fs
		if len(lbl) > 2 {
			size = 5.6 * fs
		}
		d.SetFont("Helvetica", "B", size)
		d.SetTextColor(255, 255, 255)
		d.Text(x-d.GetStringWidth(lbl)/2, y+size*0.13, lbl)
		d.SetTextColor(0, 0, 0)
	}
	// Ports last, so no marker or line hides them.
	for _, p := range m.Ports {
		x, y := P(p.P)
		d.SetDrawColor(255, 255, 255)
		d.SetLineWidth(0.3)
		if p.HighRisk {
			d.SetFillColor(201, 42, 42)
		} else {
			d.SetFillColor(34, 34, 34)
		}
		d.Rect(x-0.9, y-0.9, 1.8, 1.8, "FD")
		d.SetFont("Helvetica", "B", 7.5*fs)
		name := d.tr(p.Name)
		lx, ly := P(pt{p.LX, p.LY})
		place := func(s string) float64 {
			switch p.Anchor {
			case "end":
				return lx - d.GetStringWidth(s)
			case "middle":
				return lx - d.GetStringWidth(s)/2
			}
			return lx
		}
		col := [3]int{34, 34, 34}
		if p.HighRisk {
			col = [3]int{201, 42, 42}
		}
		d.haloTextColor(place(name), ly, name, col)
		if p.Sub != "" {
			d.SetFont("Helvetica", "", 6.3*fs)
			sub := d.tr(p.Sub)
			d.haloTextColor(place(sub), ly+subLineH*s, sub, col)
		}
	}
	// Scale bar.
	d.SetDrawColor(34, 34, 34)
	d.SetLineWidth(0.3)
	bx, by := x0+w-4-m.Scale.Len*s, y0+hmm-4
	d.Line(bx, by, bx+m.Scale.Len*s, by)
	d.Line(bx, by-1.2, bx, by)
	d.Line(bx+m.Scale.Len*s, by-1.2, bx+m.Scale.Len*s, by)
	d.SetFont("Helvetica", "", 7)
	d.Text(bx+m.Scale.Len*s/2-d.GetStringWidth(m.Scale.Label)/2, by-1.8, m.Scale.Label)
	d.ClipEnd()
	d.SetDrawColor(159, 182, 204)
	d.SetLineWidth(0.2)
	d.Rect(x0, y0, w, hmm, "D")
	d.SetY(y0 + hmm + 3)
}

func (d *pdfDoc) polyline(pts []pt, P func(pt) (float64, float64), closed bool) {
	if len(pts) < 2 {
		return
	}
	for i, p := range pts {
		x, y := P(p)
		if i == 0 {
			d.MoveTo(x, y)
		} else {
			d.LineTo(x, y)
		}
	}
	if closed {
		d.ClosePath()
	}
	d.DrawPath("D")
}

// haloText writes text with a white outline so it reads over land and lines.
func (d *pdfDoc) haloText(x, y float64, s string) {
	d.haloTextColor(x, y, s, [3]int{34, 34, 34})
}

func (d *pdfDoc) haloTextColor(x, y float64, s string, c [3]int) {
	// The halo is the same text stroked in white under it, at the same
	// place, so text extraction (pdftotext, search) reads it once.
	d.SetDrawColor(255, 255, 255)
	d.SetLineWidth(0.55)
	d.SetLineJoinStyle("round")
	d.SetTextRenderingMode(1)
	d.Text(x, y, s)
	d.SetTextRenderingMode(0)
	d.SetLineJoinStyle("miter")
	d.SetLineWidth(0.2)
	d.SetTextColor(c[0], c[1], c[2])
	d.Text(x, y, s)
	d.SetTextColor(0, 0, 0)
}

func (d *pdfDoc) timelineSection() {
	tl := d.v.TL
	if tl == nil {
		return
	}
	rowH := func(r *tlRow) float64 { return 4 + float64(r.Lanes)*4.4 }
	need := 30.0
	for i := range tl.Rows {
		need += rowH(&tl.Rows[i])
	}
	if d.GetY()+need > pageH-20 {
		d.AddPage()
	}
	d.h2("Timeline")
	labelW := 32.0
	plotW := contentW - labelW - 2
	y0 := d.GetY() + 5
	X := func(f float64) float64 { return margin + labelW + f*plotW }
	bottom := y0
	for i := range tl.Rows {
		bottom += rowH(&tl.Rows[i])
	}
	d.SetFont("Helvetica", "", 7)
	d.SetTextColor(95, 107, 122)
	for _, tk := range tl.Ticks {
		x := X(tl.frac(tk.T))
		d.SetDrawColor(225, 230, 236)
		d.Line(x, y0-1, x, bottom)
		d.Text(x-d.GetStringWidth(tk.Label)/2, y0-2, tk.Label)
	}
	d.SetTextColor(0, 0, 0)
	y := y0
	for i := range tl.Rows {
		r := &tl.Rows[i]
		d.SetFont("Helvetica", "B", 8)
		d.Text(margin, y+3, d.tr(truncate(r.Label, 22)))
		d.SetDrawColor(204, 211, 220)
		d.Line(X(0), y+2, X(1), y+2)
		cr, cg, cb := hexRGB(r.Color)
		d.SetFillColor(cr, cg, cb)
		d.SetAlpha(0.55, "Normal")
		for _, cv := range r.Coverage {
			x1, x2 := X(tl.frac(cv[0])), X(tl.frac(cv[1]))
			d.Rect(x1, y+1.3, max(x2-x1, 0.4), 1.4, "F")
		}
		d.SetAlpha(1, "Normal")
		for _, e := range r.Events {
			x1, x2 := X(tl.frac(e.Start)), X(tl.frac(e.End))
			w := max(x2-x1, 3.6)
			ey := y + 4 + float64(e.Lane)*4.4
			er, eg, eb := hexRGB(e.Color)
			d.SetFillColor(er, eg, eb)
			d.Rect(x1, ey, w, 3.6, "F")
			d.SetFont("Helvetica", "B", 6.5)
			d.SetTextColor(255, 255, 255)
			lbl := strconv.Itoa(e.N)
			d.Text(x1+w/2-d.GetStringWidth(lbl)/2, ey+2.7, lbl)
			d.SetTextColor(0, 0, 0)
		}
		y += rowH(r)
	}
	d.SetY(bottom + 3)
	d.muted("Thin bars: AIS positions received (a break means more than 2 hours without a position). Numbered blocks: events, coloured by kind as on the maps. Sanctions matches, which hold for the whole period, are not drawn. Times in UTC.", 8)
}

// chunk breaks a hex digest into lines of n characters, so a wrapped
// digest reads in even blocks.
func chunk(s string, n int) string {
	var parts []string
	for len(s) > n {
		parts = append(parts, s[:n])
		s = s[n:]
	}
	return strings.Join(append(parts, s), "\n")
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func (d *pdfDoc) sceneImage(s sceneView) {
	it := d.v.C.item(s.Item)
	rc, err := it.Open()
	if err != nil {
		d.err = fmt.Errorf("scene %s image: %w", s.ID, err)
		return
	}
	data, err := io.ReadAll(io.LimitReader(rc, maxImage+1))
	rc.Close()
	if err != nil {
		d.err = fmt.Errorf("scene %s image: %w", s.ID, err)
		return
	}
	if len(data) > maxImage {
		d.muted("(image too large to embed; see "+s.Path+")", 8.5)
		return
	}
	typ := "PNG"
	if strings.HasPrefix(s.MediaType, "image/jpeg") {
		typ = "JPG"
	}
	opt := fpdf.ImageOptions{ImageType: typ}
	info := d.RegisterImageOptionsReader(s.Item, opt, bytes.NewReader(data))
	if d.Ok() == false || info == nil {
		d.ClearError()
		d.muted("(image could not be embedded; see "+s.Path+")", 8.5)
		return
	}
	// Small enough for two scenes with their detections on a page; the
	// full image is in evidence/.
	w := contentW
	h := w * info.Height() / info.Width()
	if h > sceneImageH {
		h = sceneImageH
		w = h * info.Width() / info.Height()
	}
	if d.GetY()+h > pageH-20 {
		d.AddPage()
	}
	x, y := margin, d.GetY()
	d.ImageOptions(s.Item, x, y, w, h, false, opt, 0, "")
	d.SetDrawColor(255, 212, 59)
	d.SetLineWidth(0.6)
	for _, a := range s.Annotations {
		d.Rect(x+a.X*w, y+a.Y*h, a.W*w, a.H*h, "D")
		d.SetFont("Helvetica", "B", 7.5)
		d.SetFillColor(255, 212, 59)
		lbl := d.tr(a.Label)
		lw := d.GetStringWidth(lbl) + 2
		d.Rect(x+a.X*w, y+(a.Y+a.H)*h, lw, 3.6, "F")
		d.Text(x+a.X*w+1, y+(a.Y+a.H)*h+2.7, lbl)
	}
	d.SetLineWidth(0.2)
	d.SetY(y + h + 3)
}

// pdfText returns the translation of text for the PDF's fonts (cp is
// fpdf's Windows-1252 translator, which turns what it cannot encode into
// "."); it sets *foreign when it marks a run of untranslatable text.
func pdfText(cp func(string) string, foreign *bool) func(string) string {
	known := map[rune]bool{}
	return func(s string) string {
		s = symbols.Replace(translit(s))
		var b strings.Builder
		in := false
		for _, r := range s {
			ok, seen := known[r]
			if !seen {
				ok = r < 0x80 || cp(string(r)) != "."
				known[r] = ok
			}
			if ok {
				b.WriteRune(r)
				in = false
				continue
			}
			if !in {
				b.WriteString("[*]")
				*foreign, in = true, true
			}
		}
		return cp(b.String())
	}
}

// symbols spells out the signs Windows-1252 lacks, which would otherwise
// print as "." (an arrow between two scores read as a decimal point).
var symbols = strings.NewReplacer("→", "->", "←", "<-", "↔", "<->", "≈", "~", "≤", "<=", "≥", ">=", "≠", "!=",
	"−", "-", "‑", "-", "‐", "-", "√", "sqrt", "∞", "inf", "′", "'", "″", "\"", "✓", "yes", "✗", "no", "\u00a0", " ", "\u202f", " ")

// translit maps Cyrillic to Latin letters (a simple scheme after ISO 9 /
// GOST 7.79 system B) so Russian names stay readable in the PDF's fonts.
func translit(s string) string {
	ok := true
	for _, r := range s {
		if r >= 0x400 && r <= 0x4ff {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		lower := r
		upper := false
		if r >= 'А' && r <= 'Я' || r == 'Ё' {
			upper = true
			lower = []rune(strings.ToLower(string(r)))[0]
		}
		t, found := cyr[lower]
		if !found {
			b.WriteRune(r)
			continue
		}
		if upper && t != "" {
			t = strings.ToUpper(t[:1]) + t[1:]
		}
		b.WriteString(t)
	}
	return b.String()
}

var cyr = map[rune]string{'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "yo", 'ж': "zh", 'з': "z", 'и': "i",
	'й': "j", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f",
	'х': "kh", 'ц': "cz", 'ч': "ch", 'ш': "sh", 'щ': "shh", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu", 'я': "ya"}
