package dossier

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/go-pdf/fpdf"
)

// The PDF uses the standard PDF fonts (Helvetica, Courier), which need no
// embedding and are in every viewer; they cover Windows-1252, so text is
// translated to it, with Cyrillic transliterated and anything else shown
// as "?". The HTML keeps the original text.

const (
	pageW    = 210.0
	pageH    = 297.0
	margin   = 15.0
	contentW = pageW - 2*margin
	maxImage = 64 << 20 // largest image embedded in the PDF
)

type pdfDoc struct {
	*fpdf.Fpdf
	v   *view
	tr  func(string) string
	err error
}

func writePDF(w io.Writer, v *view) error {
	f := fpdf.New("P", "mm", "A4", "")
	d := &pdfDoc{Fpdf: f, v: v}
	cp := f.UnicodeTranslatorFromDescriptor("")
	d.tr = func(s string) string { return cp(translit(s)) }
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

func (d *pdfDoc) titlePage() {
	c := d.v.C
	d.AddPage()
	if c.Simulated {
		d.SetFillColor(201, 42, 42)
		d.SetTextColor(255, 255, 255)
		d.SetFont("Helvetica", "B", 12)
		msg := "SIMULATED DATA - this dossier shows no real vessel's behaviour."
		if c.SimulatedNote != "" {
			msg += " " + c.SimulatedNote
		}
		d.multi(contentW, 7, d.tr(msg), "", "C", true)
		d.SetTextColor(0, 0, 0)
		d.Ln(4)
	}
	d.SetFont("Helvetica", "", 10)
	d.SetTextColor(95, 107, 122)
	d.CellFormat(contentW, 6, d.tr("LOOKOUT CASE DOSSIER · "+c.ID), "", 1, "L", false, 0, "")
	d.SetTextColor(0, 0, 0)
	d.SetFont("Helvetica", "B", 22)
	d.multi(contentW, 10, d.tr(c.Title), "", "L", false)
	d.Ln(3)
	rows := [][2]string{{"Case opened", fmtTime(c.Created)}, {"Dossier generated", fmtTime(c.Generated)}}
	if c.Author != "" {
		rows = append(rows, [2]string{"Prepared by", c.Author})
	}
	var names []string
	for _, v := range c.Vessels {
		n := v.Label()
		if v.IMO != 0 && v.Name != "" {
			n += fmt.Sprintf(" (IMO %d)", v.IMO)
		}
		names = append(names, n)
	}
	rows = append(rows, [2]string{"Vessels", strings.Join(names, ", ")},
		[2]string{"Events", strconv.Itoa(len(d.v.Events))}, [2]string{"Evidence items", strconv.Itoa(len(d.v.Items))})
	if cp := d.v.Checkpoint; cp != nil {
		rows = append(rows, [2]string{"Evidence log checkpoint", fmt.Sprintf("%d entries, root %s, signed %s by key %s", cp.Size, cp.Root, fmtTime(cp.Time), d.v.KeyName)})
	}
	d.kvTable(rows, 45)
	d.h2("Summary")
	ps := paragraphs(c.Summary)
	if len(ps) == 0 {
		d.muted("No summary was written for this case.", 10)
	}
	for _, p := range ps {
		d.para(p, 10.5, "")
	}
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
	row := func(cells []string, style string, border string) {
		d.SetFont("Helvetica", style, size)
		n := 1
		split := make([][]string, len(cells))
		for i, c := range cells {
			font := "Helvetica"
			if strings.HasPrefix(c, "\x00") { // monospaced cell
				font, c = "Courier", c[1:]
			}
			d.SetFont(font, style, size)
			split[i] = d.wrap(d.tr(c), ws[i]-1.5)
			n = max(n, len(split[i]))
		}
		h := float64(n)*lh + 1.6
		if d.GetY()+h > pageH-20 {
			d.AddPage()
			if style == "" && head != nil {
				d.tableHead(head, ws, size, lh)
			}
		}
		y := d.GetY()
		x := margin
		for i, c := range cells {
			font := "Helvetica"
			if strings.HasPrefix(c, "\x00") {
				font = "Courier"
			}
			d.SetFont(font, style, size)
			for j, ln := range split[i] {
				d.SetXY(x, y+0.8+float64(j)*lh)
				d.CellFormat(ws[i]-1.5, lh, ln, "", 0, "L", false, 0, "")
			}
			x += ws[i]
		}
		d.SetDrawColor(213, 219, 227)
		d.Line(margin, y+h, margin+contentW, y+h)
		d.SetY(y + h)
	}
	if head != nil {
		d.tableHead(head, ws, size, lh)
	}
	_ = row
	for _, r := range rows {
		row(r, "", "")
	}
	d.Ln(3)
}

func (d *pdfDoc) tableHead(head []string, ws []float64, size, lh float64) {
	if d.GetY()+lh*3 > pageH-20 {
		d.AddPage()
	}
	d.SetFont("Helvetica", "B", size)
	y := d.GetY()
	x := margin
	for i, h := range head {
		d.SetXY(x, y)
		d.CellFormat(ws[i]-1.5, lh+1.5, d.tr(h), "", 0, "L", false, 0, "")
		x += ws[i]
	}
	d.SetDrawColor(29, 36, 48)
	d.SetLineWidth(0.35)
	d.Line(margin, y+lh+1.6, margin+contentW, y+lh+1.6)
	d.SetLineWidth(0.2)
	d.SetY(y + lh + 1.8)
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
	d.h2("Map")
	s := contentW / m.W
	hmm := m.H * s
	x0, y0 := margin, d.GetY()
	P := func(p pt) (float64, float64) { return x0 + p.X*s, y0 + p.Y*s }
	d.ClipRect(x0, y0, contentW, hmm, false)
	d.SetFillColor(220, 235, 247)
	d.Rect(x0, y0, contentW, hmm, "F")
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
		} else {
			d.Text(x0+1, ay-0.8, d.tr(g.Label))
		}
	}
	d.SetDashPattern(nil, 0)
	d.SetTextColor(0, 0, 0)
	if d.v.C.Simulated {
		d.SetFont("Helvetica", "B", 30)
		d.SetTextColor(230, 170, 170)
		lbl := "SIMULATED DATA"
		d.Text(x0+contentW/2-d.GetStringWidth(lbl)/2, y0+hmm/2, lbl)
		d.SetTextColor(0, 0, 0)
	}
	for _, fp := range m.Footprints {
		d.SetDrawColor(68, 68, 68)
		d.SetDashPattern([]float64{1.5, 0.8}, 0)
		d.polyline(fp.Ring, P, true)
		d.SetDashPattern(nil, 0)
	}
	for _, t := range m.Tracks {
		r, g, b := hexRGB(t.Color)
		d.SetDrawColor(r, g, b)
		d.SetLineWidth(0.45)
		d.SetDashPattern([]float64{1.6, 1.2}, 0)
		for _, gp := range t.Gaps {
			ax, ay := P(gp[0])
			bx, by := P(gp[1])
			d.Line(ax, ay, bx, by)
		}
		d.SetDashPattern(nil, 0)
		d.SetLineWidth(0.6)
		for _, l := range t.Lines {
			d.polyline(l, P, false)
		}
		sx, sy := P(t.Start)
		d.SetFillColor(255, 255, 255)
		d.Circle(sx, sy, 0.9, "FD")
	}
	d.SetLineWidth(0.2)
	for _, p := range m.Ports {
		x, y := P(p.P)
		d.SetFillColor(34, 34, 34)
		d.Rect(x-0.9, y-0.9, 1.8, 1.8, "F")
		d.SetFont("Helvetica", "B", 7.5)
		lbl := d.tr(p.Label)
		off := p.Off * s
		if p.Left {
			d.haloText(x-off-d.GetStringWidth(lbl), y+1, lbl)
		} else {
			d.haloText(x+off, y+1, lbl)
		}
	}
	d.SetDrawColor(51, 51, 51)
	for _, e := range m.Events {
		if e.P != e.At {
			ax, ay := P(e.At)
			bx, by := P(e.P)
			d.Line(ax, ay, bx, by)
		}
	}
	for _, e := range m.Events {
		x, y := P(e.P)
		r, g, b := hexRGB(e.Color)
		d.SetFillColor(r, g, b)
		d.SetDrawColor(255, 255, 255)
		d.SetLineWidth(0.4)
		d.Circle(x, y, 2.2, "FD")
		d.SetFont("Helvetica", "B", 6.5)
		d.SetTextColor(255, 255, 255)
		lbl := strconv.Itoa(e.N)
		d.Text(x-d.GetStringWidth(lbl)/2, y+0.9, lbl)
		d.SetTextColor(0, 0, 0)
	}
	// Scale bar.
	d.SetDrawColor(34, 34, 34)
	d.SetLineWidth(0.3)
	bx, by := x0+contentW-4-m.Scale.Len*s, y0+hmm-4
	d.Line(bx, by, bx+m.Scale.Len*s, by)
	d.Line(bx, by-1.2, bx, by)
	d.Line(bx+m.Scale.Len*s, by-1.2, bx+m.Scale.Len*s, by)
	d.SetFont("Helvetica", "", 7)
	d.Text(bx+m.Scale.Len*s/2-d.GetStringWidth(m.Scale.Label)/2, by-1.8, m.Scale.Label)
	d.ClipEnd()
	d.SetDrawColor(159, 182, 204)
	d.SetLineWidth(0.2)
	d.Rect(x0, y0, contentW, hmm, "D")
	d.SetY(y0 + hmm + 3)
	// Legend.
	d.SetFont("Helvetica", "", 8)
	x := margin
	for _, le := range mapLegend(m) {
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
		case "port":
			d.Rect(x+2, y-1, 2, 2, "F")
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
	note := "Numbered circles are the events listed under Events. Web Mercator projection."
	if d.v.C.LandSource != "" {
		note += " Coastline: " + d.v.C.LandSource + "."
	}
	d.muted(note, 8)
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
	d.SetTextColor(255, 255, 255)
	for _, o := range [][2]float64{{-0.25, 0}, {0.25, 0}, {0, -0.25}, {0, 0.25}} {
		d.Text(x+o[0], y+o[1], s)
	}
	d.SetTextColor(34, 34, 34)
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
	d.muted("Thin bars: AIS positions received (a break means more than 2 hours without a position). Numbered blocks: events. Times in UTC.", 8)
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

func (d *pdfDoc) vessels() {
	d.AddPage()
	d.h2("Vessels and sanctions designations")
	for _, v := range d.v.C.Vessels {
		d.h3(v.Label())
		ids := fmt.Sprintf("MMSI %d", v.MMSI)
		if v.IMO != 0 {
			ids = fmt.Sprintf("IMO %d · ", v.IMO) + ids
		}
		if v.Flag != "" {
			ids += " · flag " + v.Flag
		}
		d.muted(ids, 9)
		if len(v.Sanctions) > 0 {
			var rows [][]string
			for _, s := range v.Sanctions {
				src := s.Source
				if s.Remarks != "" {
					src += " — " + s.Remarks
				}
				rows = append(rows, []string{s.List, s.ListVersion, s.Program, s.ListedName, fmtDate(s.Listed), s.MatchedOn, src})
			}
			d.table("Sanctions designations", []string{"List", "Version", "Programme", "Listed as", "Listed on", "Matched on", "Source"},
				[]float64{.11, .11, .17, .13, .1, .13, .25}, rows, 8)
		} else {
			d.muted("No sanctions designation matched this vessel.", 9)
		}
		if len(v.Identities) > 0 {
			var rows [][]string
			for _, id := range v.Identities {
				imo := ""
				if id.IMO != 0 {
					imo = strconv.Itoa(int(id.IMO))
				}
				rows = append(rows, []string{id.Name, imo, strconv.Itoa(int(id.MMSI)), id.CallSign, id.Flag, fmtTime(id.FirstSeen), fmtTime(id.LastSeen)})
			}
			d.table("Identity history (as broadcast over AIS)", []string{"Name", "IMO", "MMSI", "Call sign", "Flag", "First seen", "Last seen"},
				[]float64{.19, .1, .12, .1, .07, .21, .21}, rows, 8)
		}
	}
}

func (d *pdfDoc) events() {
	d.h2("Events")
	if len(d.v.Events) == 0 {
		d.muted("No events.", 10)
	}
	for _, e := range d.v.Events {
		if d.GetY() > pageH-60 {
			d.AddPage()
		}
		y := d.GetY() + 1
		r, g, b := hexRGB(e.Color)
		d.SetFillColor(r, g, b)
		d.Circle(margin+2.6, y+2.6, 2.6, "F")
		d.SetFont("Helvetica", "B", 8)
		d.SetTextColor(255, 255, 255)
		lbl := strconv.Itoa(e.N)
		d.Text(margin+2.6-d.GetStringWidth(lbl)/2, y+3.5, lbl)
		d.SetTextColor(0, 0, 0)
		d.SetXY(margin+7, y)
		d.SetFont("Helvetica", "B", 11)
		d.multi(contentW-7, 5.4, d.tr(e.Kind+" — "+e.Vessel), "", "L", false)
		when := e.When
		if e.Duration != "" {
			when += " (" + e.Duration + ")"
		}
		d.muted(fmt.Sprintf("%s · %s · confidence %.0f%%", when, e.Where, e.E.Confidence*100), 8.5)
		d.para(e.E.Explanation, 9.5, "")
		if len(e.E.Candidates) > 0 {
			var rows [][]string
			for _, c := range e.E.Candidates {
				p := c.Port
				if c.HighRisk {
					p += " (high risk)"
				}
				rows = append(rows, []string{p, c.Country, fmt.Sprintf("%.2f", c.Score), fmt.Sprintf("%.0f km", c.DetourKm), fmt.Sprintf("%.1f h", c.MaxDwellH)})
			}
			d.table("Candidate ports", []string{"Port", "Country", "Score", "Detour", "Longest possible stay"}, []float64{.3, .15, .15, .15, .25}, rows, 8)
		}
		var rows [][]string
		for _, kv := range e.Details {
			rows = append(rows, []string{"measured: " + kv[0], kv[1]})
		}
		rows = append(rows, []string{"detector", e.E.Detector + " " + e.E.Version})
		for _, kv := range e.Params {
			rows = append(rows, []string{"parameter: " + kv[0], kv[1]})
		}
		if e.E.Key != "" {
			rows = append(rows, []string{"event key", "\x00" + e.E.Key})
		}
		d.table("", nil, []float64{.35, .65}, rows, 8)
	}
}

func (d *pdfDoc) imagery() {
	if len(d.v.Scenes) == 0 {
		return
	}
	d.AddPage()
	d.h2("Imagery")
	for _, s := range d.v.Scenes {
		d.h3(s.ID)
		meta := s.When
		for _, x := range []string{s.Provider, s.Sensor} {
			if x != "" {
				meta += " · " + x
			}
		}
		if s.Item != "" {
			meta += " · evidence item " + s.Item
		}
		d.muted(meta, 8.5)
		if s.Path != "" {
			d.sceneImage(s)
		}
		if s.Caption != "" {
			d.para(s.Caption, 9.5, "")
		}
		if len(s.Detections) > 0 {
			var rows [][]string
			for _, det := range s.Detections {
				match := "none (dark)"
				if det.MMSI != 0 {
					match = fmt.Sprintf("MMSI %d", det.MMSI)
				}
				l := ""
				if det.LengthM > 0 {
					l = fmt.Sprintf("%.0f m", det.LengthM)
				}
				rows = append(rows, []string{fmt.Sprintf("%.4f°, %.4f°", det.Lat, det.Lon), l, fmt.Sprintf("%.0f%%", det.Confidence*100), match, det.Note})
			}
			d.table("Vessel detections", []string{"Position", "Length", "Confidence", "AIS match", "Note"}, []float64{.22, .1, .12, .16, .4}, rows, 8)
		}
	}
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
	w := contentW
	h := w * info.Height() / info.Width()
	if h > 150 {
		h = 150
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

func (d *pdfDoc) evidenceSection() {
	d.AddPage()
	d.h2("Evidence items")
	var rows [][]string
	for _, it := range d.v.Items {
		id := it.ID
		if it.Corrects != "" {
			id += "\ncorrects " + it.Corrects
		}
		if it.Corrected != "" {
			id += "\ncorrected by " + it.Corrected
		}
		kind := string(it.Kind)
		if it.Ref != "" {
			kind += "\n" + it.Ref
		}
		file := fmt.Sprintf("%s\n%s, %d bytes", it.Path, it.MediaType, it.Size)
		if it.FileName != "" {
			file += "\noriginally " + it.FileName
		}
		if it.Description != "" {
			file += "\n" + it.Description
		}
		rows = append(rows, []string{id, kind, file, fmtTime(it.Captured), it.Source, fmtTime(it.Added) + "\nby " + it.AddedBy, "\x00" + chunk(it.SHA256, 16)})
	}
	if len(rows) == 0 {
		d.muted("No evidence items.", 10)
	} else {
		d.table("", []string{"Item", "Kind", "File", "Captured", "Source", "Added", "SHA-256"}, []float64{.08, .1, .24, .12, .12, .14, .2}, rows, 7.5)
	}
	if len(d.v.C.Custody) > 0 {
		d.h3("Chain of custody")
		var rows [][]string
		for _, e := range d.v.C.Custody {
			rows = append(rows, []string{strconv.FormatInt(e.Index, 10), fmtTime(e.Time), e.Who, string(e.Action), e.Target, e.Detail})
		}
		d.table("", []string{"Entry", "Time", "Who", "Action", "Item", "Detail"}, []float64{.08, .2, .14, .12, .08, .38}, rows, 8)
	}
}

func (d *pdfDoc) verification() {
	d.h2("Verification")
	if cp := d.v.Checkpoint; cp != nil {
		d.para(fmt.Sprintf("Every evidence file is named, with its SHA-256, in an entry of the installation's append-only evidence log (a Merkle tree as in RFC 6962). The signed checkpoint in proofs/checkpoint covers %d entries with root hash %s, signed %s by key %s (proofs/key.pub).",
			cp.Size, cp.Root, fmtTime(cp.Time), d.v.KeyName), 9.5, "")
		d.SetFont("Courier", "", 7.5)
		d.multi(contentW, 3.6, d.tr(strings.TrimSpace(d.v.C.PublicKey)), "", "L", false)
		d.Ln(2)
	}
	d.para("To check this dossier, run \"lookout verify\" on its folder or zip, giving the investigating body's published key with --key; or follow VERIFY.txt by hand with sha256sum. manifest.json lists every file with its SHA-256 and size.", 9.5, "")
}

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
