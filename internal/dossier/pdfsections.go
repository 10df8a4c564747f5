package dossier

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
)

// The PDF's sections after the maps and the timeline, in reading order.

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
	d.glance()
}

// glance writes the case at a glance: a row per vessel, then the dark
// port visits.
func (d *pdfDoc) glance() {
	v := d.v
	if len(v.Glance) == 0 && len(v.DarkCalls) == 0 {
		return
	}
	d.h2("At a glance")
	if len(v.Glance) > 0 {
		var rows [][]string
		for _, g := range v.Glance {
			rows = append(rows, []string{g.Label + "\n" + g.IDs, g.Sanctions, g.Dark, g.Calls, g.Risk})
		}
		d.table("", []string{"Vessel", "Sanctions designations (list, programme: listed names)", "Dark port visits inferred", "Port calls seen over AIS", "Risk rating"},
			[]float64{.16, .27, .21, .17, .19}, rows, 8)
	}
	if len(v.DarkCalls) > 0 {
		var rows [][]string
		for _, dc := range v.DarkCalls {
			rows = append(rows, []string{chip(dc.Ev.Color, dc.Ev.N), dc.Vessel, fmtShort(dc.Ev.E.Start), fmtShort(dc.Ev.E.End),
				fmtDuration(dc.Ev.E.Duration()), dc.Port, dc.Draught, dc.Related})
		}
		d.table(fmt.Sprintf("Dark port visits: AIS silent, a port call inferred (%d)", len(v.DarkCalls)),
			[]string{"#", "Vessel", "AIS off (UTC)", "AIS back (UTC)", "Silent", "Most plausible port, score", "Draught", "Related events"},
			[]float64{.06, .1, .15, .15, .09, .18, .11, .16}, rows, 8)
		d.muted("Each is told in full, with all the ports within reach, under Events. Draught: as broadcast before and after the silence (deeper after: cargo likely loaded).", 7.5)
	}
}

// sceneSummary lists the scenes under the inset map.
func (d *pdfDoc) sceneSummary() {
	if len(d.v.SceneRows) == 0 {
		return
	}
	var rows [][]string
	for _, r := range d.v.SceneRows {
		rows = append(rows, []string{r.ID, r.When, r.Sensor, strconv.Itoa(r.Detected), strconv.Itoa(r.Dark), r.Lengths, r.Events})
	}
	d.table("Satellite scenes of the case", []string{"Scene", "Acquired (UTC)", "Sensor", "Vessels", "No AIS", "Lengths of those without AIS", "Events"},
		[]float64{.2, .15, .17, .08, .08, .17, .15}, rows, 8)
}

func (d *pdfDoc) vessels() {
	if d.GetY() > pageH-90 {
		d.AddPage()
	}
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
				rows = append(rows, []string{s.List, fmtListVersion(s.ListVersion), s.Program, s.ListedName, fmtDate(s.Listed), s.MatchedOn, d.v.sourceText(&v, s)})
			}
			d.table("Sanctions designations", []string{"List", "Published", "Programme", "Listed as", "Listed on", "Matched on", "Source"},
				[]float64{.1, .1, .15, .14, .09, .2, .22}, rows, 8)
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
	d.AddPage()
	d.h2("Events")
	if len(d.v.Events) == 0 {
		d.muted("No events.", 10)
		return
	}
	d.muted(fmt.Sprintf("%d events, numbered in time order as on the maps and the timeline, grouped here by vessel and kind. "+
		"Routine events are one row each; events.csv and the HTML dossier hold every event whole. "+
		"Ref: the evidence item holding the event, else the start of its key. "+
		"The detectors' parameters are listed once, under Detectors and parameters.", len(d.v.Events)), 8.5)
	for _, sec := range d.v.Sections {
		if d.GetY() > pageH-60 {
			d.AddPage()
		}
		d.Ln(2)
		d.SetFont("Helvetica", "B", 12.5)
		d.CellFormat(contentW, 6.5, d.tr(sec.Title), "B", 1, "L", false, 0, "")
		d.muted(sec.IDs, 8.5)
		for _, b := range sec.Blocks {
			if d.GetY() > pageH-45 {
				d.AddPage()
			}
			d.SetFont("Helvetica", "B", 10)
			d.SetTextColor(60, 66, 76)
			d.CellFormat(contentW, 6, d.tr(b.Title), "", 1, "L", false, 0, "")
			d.SetTextColor(0, 0, 0)
			if t := b.Table; t != nil {
				var rows [][]string
				for _, r := range t.Rows {
					cells := append([]string{chip(r.Ev.Color, r.Ev.N)}, r.Cells[1:]...)
					rows = append(rows, cells)
				}
				d.table("", t.Head, t.Widths, rows, 7.5)
				continue
			}
			for _, e := range b.Full {
				d.fullEvent(e)
			}
		}
	}
	d.paramSets()
}

// fullEvent writes one event in full: heading, explanation, candidate
// ports, measurements and where its parameters and proof are.
func (d *pdfDoc) fullEvent(e *evView) {
	// Keep an event on one page when it fits on one.
	if h := d.fullEventHeight(e); d.GetY()+h > pageH-20 && h < pageH-45 {
		d.AddPage()
	}

	y := d.GetY() + 1
	r, g, b := hexRGB(e.Color)
	d.SetFillColor(r, g, b)
	d.SetFont("Helvetica", "B", 8)
	lbl := strconv.Itoa(e.N)
	w := d.GetStringWidth(lbl) + 2.4
	d.RoundedRect(margin, y+0.4, w, 4.4, 1, "1234", "F")
	d.SetTextColor(255, 255, 255)
	d.SetXY(margin, y+0.6)
	d.CellFormat(w, 4, lbl, "", 0, "C", false, 0, "")
	d.SetTextColor(0, 0, 0)
	d.SetXY(margin+w+1.5, y)
	d.SetFont("Helvetica", "B", 10)
	d.multi(contentW-w-1.5, 5.2, d.tr(e.Title()), "", "L", false)
	when := e.When
	if e.Duration != "" {
		when += " (" + e.Duration + ")"
	}
	meta := when
	if e.Where != "" {
		meta += " · " + e.Where
	}
	meta += fmt.Sprintf(" · confidence %.0f%%", e.E.Confidence*100)
	if e.Item != "" {
		meta += " · evidence item " + e.Item
	}
	d.muted(meta, 8)
	d.para(e.E.Explanation, 9, "")
	if len(e.E.Candidates) > 0 {
		d.SetFont("Helvetica", "B", 7.5)
		d.SetTextColor(95, 107, 122)
		d.CellFormat(contentW, 3.6, d.tr(fmt.Sprintf("Ports within reach (%d): plausibility, detour, longest possible stay", len(e.E.Candidates))), "", 1, "L", false, 0, "")
		d.SetTextColor(0, 0, 0)
		d.para(candidatesText(e.E.Candidates), 7.5, "")
	}
	d.kvGrid(e.Details, 7.5)
	foot := "detector " + strings.TrimSpace(e.E.Detector+" "+e.E.Version)
	if e.ParamLabel != "" && len(e.Params) > 0 {
		foot = "detector " + e.ParamLabel + " (parameters under Detectors and parameters)"
	}
	d.SetFont("Courier", "", 7)
	d.SetTextColor(95, 107, 122)
	d.multi(contentW, 3.4, d.tr(foot+" · key "+e.E.Key), "", "L", false)
	d.SetTextColor(0, 0, 0)
	d.SetDrawColor(213, 219, 227)
	d.Line(margin, d.GetY()+1.2, margin+contentW, d.GetY()+1.2)
	d.Ln(3)
}

// fullEventHeight estimates the height fullEvent will take.
func (d *pdfDoc) fullEventHeight(e *evView) float64 {
	h := 6.0 + 4.5 + 5 // heading, dates, footer
	d.SetFont("Helvetica", "", 9)
	h += float64(len(d.wrap(d.tr(e.E.Explanation), contentW-1)))*9*0.48 + 1
	if len(e.E.Candidates) > 0 {
		d.SetFont("Helvetica", "", 7.5)
		h += 3.6 + float64(len(d.wrap(d.tr(candidatesText(e.E.Candidates)), contentW-1)))*7.5*0.48 + 1
	}
	short, long := splitKV(e.Details)
	d.SetFont("Helvetica", "", 7.5)
	h += float64(len(d.wrap(d.tr(kvLine(short)), contentW-1)))*7.5*0.48 + 1
	for _, kv := range long {
		h += float64(len(d.wrap(d.tr(kv[1]), contentW*.83-1.5)))*7.5*0.45 + 1.6
	}
	return h
}

// splitKV parts measurements into short ones, written as one paragraph,
// and long ones (match reasons, chains, factors), a row each.
func splitKV(kvs [][2]string) (short, long [][2]string) {
	for _, kv := range kvs {
		if len([]rune(kv[1])) > 44 {
			long = append(long, kv)
		} else {
			short = append(short, kv)
		}
	}
	return short, long
}

// kvLine writes measurements as "key: value unit; …", the unit moved
// from the key ("gap (h)") to the value.
func kvLine(kvs [][2]string) string {
	parts := make([]string, 0, len(kvs))
	for _, kv := range kvs {
		k, v := kv[0], kv[1]
		if i := strings.LastIndex(k, " ("); i > 0 && strings.HasSuffix(k, ")") {
			if v != "—" {
				v += " " + k[i+2:len(k)-1]
			}
			k = k[:i]
		}
		parts = append(parts, k+": "+v)
	}
	return strings.Join(parts, "; ")
}

// kvGrid writes measurements: the short ones as one paragraph, each long
// one as a row of its own.
func (d *pdfDoc) kvGrid(kvs [][2]string, size float64) {
	if len(kvs) == 0 {
		return
	}
	short, long := splitKV(kvs)
	if len(short) > 0 {
		d.SetTextColor(60, 66, 76)
		d.para("Measured: "+kvLine(short), size, "")
		d.SetTextColor(0, 0, 0)
	}
	if len(long) > 0 {
		var rows [][]string
		for _, kv := range long {
			rows = append(rows, []string{cellMuted + kv[0], kv[1]})
		}
		d.table("", nil, []float64{.17, .83}, rows, size)
		d.SetY(d.GetY() - 3)
	}
	d.Ln(1)
}

// paramSets lists each detector's parameters once.
func (d *pdfDoc) paramSets() {
	if len(d.v.ParamSets) == 0 {
		return
	}
	d.h2("Detectors and parameters")
	d.muted("Each event was found by a detector run with these parameters; re-running it on the same positions gives the same events.", 8.5)
	var rows [][]string
	for _, ps := range d.v.ParamSets {
		var parts []string
		for _, kv := range ps.Params {
			parts = append(parts, kv[0]+" = "+kv[1])
		}
		p := strings.Join(parts, "; ")
		if p == "" {
			p = "—"
		}
		rows = append(rows, []string{ps.Label, p, fmt.Sprintf("%d: %s", len(ps.Events), numList(ps.Events))})
	}
	d.table("", []string{"Detector, version", "Parameters", "Events"}, []float64{.2, .5, .3}, rows, 8)
}

func (d *pdfDoc) imagery() {
	if len(d.v.Scenes) == 0 {
		return
	}
	d.AddPage()
	d.h2("Imagery")
	for _, s := range d.v.Scenes {
		if d.GetY() > pageH-20-sceneHeight(&s) {
			d.AddPage()
		}
		d.h3(s.ID)
		meta := s.When
		for _, x := range []string{s.Provider, dedupeWords(s.Sensor)} {
			if x != "" {
				meta += " · " + x
			}
		}
		if s.Item != "" {
			meta += " · evidence item " + s.Item
		}
		d.muted(meta, 8)
		if s.Path != "" {
			d.sceneImage(s)
		}
		if s.Caption != "" {
			d.para(s.Caption, 8.5, "")
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
				ev := ""
				if n := d.v.detectionEvent(s.ID, det); n > 0 {
					ev = chip(kindColor(event.DarkDetection), n)
				}
				rows = append(rows, []string{ev, fmtLatLon(det.Lat, det.Lon), l, pct(det.Confidence), match, det.Note})
			}
			d.table("Vessel detections", []string{"Event", "Position", "Length", "Conf.", "AIS match", "Note"}, []float64{.08, .22, .09, .08, .15, .38}, rows, 7.5)
		}
	}
}

// sceneHeight estimates a scene's height in the PDF, to keep it on one
// page.
func sceneHeight(s *sceneView) float64 {
	h := 18.0 // title, dates, caption
	if s.Path != "" {
		h += sceneImageH + 3
	}
	if len(s.Detections) > 0 {
		h += 10 + float64(len(s.Detections))*5
	}
	return h
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
		what := string(it.Kind)
		if it.Event > 0 {
			what = it.What
		} else {
			if it.Ref != "" {
				what += " " + it.Ref
			}
			if it.What != "" {
				what += " — " + it.What
			}
		}
		file := fmt.Sprintf("%s\n%s, %s", it.Path, it.MediaType, fmtBytes(it.Size))
		if it.FileName != "" {
			file += "\noriginally " + it.FileName
		}
		rows = append(rows, []string{id, what, file, fmtShortBreak(it.Captured), it.Source, fmtShort(it.Added) + "\n" + it.AddedBy, cellMono + chunk(it.SHA256, 22)})
	}
	if len(rows) == 0 {
		d.muted("No evidence items.", 10)
	} else {
		d.muted("Every item's file is in evidence/, byte for byte as logged; its log entry and inclusion proof are in proofs/. Times in UTC.", 8.5)
		d.table("", []string{"Item", "What", "File", "Captured", "Source", "Added", "SHA-256"}, []float64{.05, .25, .18, .08, .11, .125, .205}, rows, 6.5)
	}
	if len(d.v.C.Custody) > 0 {
		d.h3("Chain of custody")
		var rows [][]string
		for _, e := range d.v.C.Custody {
			rows = append(rows, []string{strconv.FormatInt(e.Index, 10), fmtTime(e.Time), e.Who, string(e.Action), e.Target, e.Detail})
		}
		d.table("", []string{"Log entry", "Time", "Who", "Action", "Item", "Detail"}, []float64{.08, .2, .14, .12, .08, .38}, rows, 8)
	}
}

func (d *pdfDoc) verification() {
	// The section is short: keep it whole rather than leave a line over.
	if d.GetY() > pageH-20-62 {
		d.AddPage()
	}
	d.h2("Verification")
	if cp := d.v.Checkpoint; cp != nil {
		d.para(fmt.Sprintf("Every evidence file is named, with its SHA-256, in an entry of the installation's append-only evidence log (a Merkle tree as in RFC 6962). The signed checkpoint in proofs/checkpoint covers %d entries with root hash %s, signed %s by key %s (proofs/key.pub).",
			cp.Size, cp.Root, fmtTime(cp.Time), d.v.KeyName), 9.5, "")
		d.SetFont("Courier", "", 7.5)
		d.multi(contentW, 3.6, d.tr(strings.TrimSpace(d.v.C.PublicKey)), "", "L", false)
		d.Ln(2)
	}
	d.para("To check this dossier, run \"lookout verify\" on its folder or zip, giving the investigating body's published key with --key; or follow VERIFY.txt by hand with sha256sum. manifest.json lists every file with its SHA-256 and size.", 9.5, "")
	if d.foreign {
		d.muted("[*] stands for text in a script this PDF's standard fonts cannot show (Korean, Chinese…); index.html shows it as written, and Cyrillic is transliterated here.", 8.5)
	}
}

// fmtShortBreak is a time on two lines (date, then time) for a narrow cell.
func fmtShortBreak(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02\n15:04")
}

func fmtBytes(n int64) string {
	switch {
	case n >= 10<<20:
		return fmt.Sprintf("%.0f MB", float64(n)/(1<<20))
	case n >= 10<<10:
		return fmt.Sprintf("%.0f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
