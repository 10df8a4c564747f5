package dossier

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/lookout-maritime/lookout/internal/event"
)

// busyCase is the fixture grown to the founding case's size: ANGARA calls
// at Dunay every fortnight (routine visits, draught changes) and goes dark
// towards Rajin in between (gap, dark port visit), a sanctions match and
// a risk change; eighteen dark vessels in imagery at Rajin.
func busyCase(t *testing.T) *fixture {
	f := newFixture(t)
	c := f.Case
	const angara = 273456780
	var evs []event.Event
	var darkKeys []any
	for i := range 12 {
		t1 := t0.Add(time.Duration(i) * 10 * 24 * time.Hour)
		visit := event.Event{Key: fmt.Sprintf("pv-d%02d", i), Kind: event.PortVisit, MMSI: angara, Name: "ANGARA", Start: t1, End: t1.Add(80 * time.Hour),
			Lat: dunay[0] + 0.002*float64(i%3), Lon: dunay[1], Port: "Dunay", Confidence: 1, Detector: "port_visit", Version: "2",
			Explanation: "ANGARA visited Dunay; seen: entry, a stop, exit (GFW confidence 4 of 4).", Params: map[string]any{"stop_kn": 0.2},
			Details: map[string]any{"high_risk": false, "port": "Dunay"}}
		draught := event.Event{Key: fmt.Sprintf("dc-d%02d", i), Kind: event.DraughtChange, MMSI: angara, Name: "ANGARA", Start: t1, End: t1.Add(80 * time.Hour),
			Lat: dunay[0], Lon: dunay[1], Port: "Dunay", Confidence: 0.8, Detector: "draught_change", Version: "3", Explanation: "Draught changed at Dunay.",
			Details: map[string]any{"across": "port_visit", "before_m": 6.9, "after_m": 4.9, "delta_m": -2.0}}
		off := t1.Add(100 * time.Hour)
		gap := event.Event{Key: fmt.Sprintf("gap-%02d", i), Kind: event.Gap, MMSI: angara, Name: "ANGARA", Start: off, End: off.Add(110 * time.Hour),
			Lat: 42.36 + 0.01*float64(i%4), Lon: 130.81, Confidence: 0.5, Detector: "gap", Version: "3", Explanation: "ANGARA sent no position for 110 h.",
			Details: map[string]any{"distance_km": 1.5, "last_fix": map[string]any{"lat": 42.36, "lon": 130.81, "time": off.Format(time.RFC3339)}}}
		dark := event.Event{Key: fmt.Sprintf("dpv-%02d", i), Kind: event.DarkPortVisit, MMSI: angara, Name: "ANGARA", Start: off, End: off.Add(110 * time.Hour),
			Lat: najin[0], Lon: najin[1], Port: "Rajin (Najin)", Confidence: 0.99, Detector: "dark_port_visit", Version: "3",
			Candidates:  []event.Candidate{{Port: "Rajin (Najin)", Country: "KP", Score: 0.99, HighRisk: true, DetourKm: 88, MaxDwellH: 100}},
			Explanation: "ANGARA was silent for 110 h; the most plausible port is Rajin (Najin), a high-risk port.",
			Details:     map[string]any{"gap_key": gap.Key, "draught_before_m": 4.9, "draught_after_m": 6.9}}
		evs = append(evs, visit, draught, gap, dark)
		darkKeys = append(darkKeys, dark.Key)
	}
	for i := range 18 {
		at := t0.Add(time.Duration(i/3) * 20 * 24 * time.Hour)
		evs = append(evs, event.Event{Key: fmt.Sprintf("dd-%02d", i), Kind: event.DarkDetection, Start: at, End: at, Lat: najin[0] - 0.004*float64(i%3), Lon: najin[1],
			Confidence: 0.9, Detector: "imagery-match", Version: "1", Explanation: "A vessel about 120 m long, and no AIS vessel accounts for it: no AIS vessel was within 50 km.",
			Details: map[string]any{"scene_id": "S2B_MSIL2A_20230906", "length_m": 120.0}})
	}
	evs = append(evs, event.Event{Key: "risk-1", Kind: event.RiskChange, MMSI: angara, Name: "ANGARA", Start: t0.Add(130 * 24 * time.Hour), End: t0.Add(130 * 24 * time.Hour),
		Lat: dunay[0], Lon: dunay[1], Confidence: 1, Detector: "risk", Version: "1", Explanation: "ANGARA became sanctioned (was low; score 0.0 → 120.5).",
		Details: map[string]any{"new_rating": "sanctioned", "new_score": 120.5, "policy": "lookout-default@2025.1",
			"factors": []any{map[string]any{"kind": "dark_high_risk_port_call", "contribution": 8.0, "events": darkKeys[:1]},
				map[string]any{"kind": "dark_high_risk_port_call", "contribution": 7.5, "events": darkKeys[1:2]}}}})
	c.Events = append(c.Events, evs...)
	return f
}

func TestBusyCaseMap(t *testing.T) {
	f := busyCase(t)
	v, err := newView(f.Case)
	if err != nil {
		t.Fatal(err)
	}
	m := v.Map
	// Dunay's 12 routine calls (and Vostochny's one) are counted on their
	// labels, not drawn; draught changes, sanctions matches and risk
	// changes are not drawn.
	for _, p := range m.Ports {
		want := map[string]string{"Dunay": "12 port calls", "Vostochny": "1 port call", "Rajin (Najin)": "high-risk port"}[p.Name]
		if p.Sub != want {
			t.Errorf("port %s: label %q, want %q", p.Name, p.Sub, want)
		}
		if p.Name == "Rajin (Najin)" && !p.HighRisk {
			t.Error("Rajin is not marked high-risk (its dark calls' candidate is)")
		}
	}
	if m.Omitted[event.DraughtChange] != 12 || m.Omitted[event.SanctionsHit] != 1 || m.Omitted[event.RiskChange] != 1 || m.Omitted[event.PortVisit] != 0 {
		t.Errorf("omitted %v", m.Omitted)
	}
	kinds := map[event.Kind][]int{}
	for _, mk := range m.Markers {
		kinds[mk.Kind] = append(kinds[mk.Kind], len(mk.Ns))
		if mk.Kind == event.PortVisit || mk.Kind == event.DraughtChange || mk.Kind == event.SanctionsHit {
			t.Errorf("a %s marker on the map", mk.Kind)
		}
	}
	// The 12 dark port visits at Rajin are one marker; the 12 gaps,
	// within a few km of each other, one; the fixture's own gap and dark
	// visit are elsewhere or of the same spot.
	if got := kinds[event.DarkPortVisit]; len(got) != 1 || got[0] != 13 {
		t.Errorf("dark port visit markers %v, want one of 13", got)
	}
	if got := kinds[event.Gap]; len(got) != 2 {
		t.Errorf("gap markers %v, want the busy ones grouped and the fixture's apart", got)
	}
	if len(m.Markers) > 6 {
		t.Errorf("%d markers on the overview", len(m.Markers))
	}
	// No two markers overlap, none hides a port's symbol.
	for i, a := range m.Markers {
		for _, b := range m.Markers[i+1:] {
			if d := math.Hypot(a.P.X-b.P.X, a.P.Y-b.P.Y); d < a.R()+b.R() {
				t.Errorf("markers %v and %v overlap (%.1f apart)", a.Ns, b.Ns, d)
			}
		}
		for _, p := range m.Ports {
			if math.Hypot(a.P.X-p.P.X, a.P.Y-p.P.Y) < a.R()+4 {
				t.Errorf("marker %v covers port %s", a.Ns, p.Name)
			}
		}
	}
	// Labels are placed clear of the markers.
	for _, p := range m.Ports {
		w, h := p.labelSize()
		x0 := map[string]float64{"start": p.LX, "end": p.LX - w, "middle": p.LX - w/2}[p.Anchor]
		box := rect{x0, p.LY - portLineH*0.75, x0 + w, p.LY - portLineH*0.75 + h}
		for _, mk := range m.Markers {
			r := mk.R()
			if overlap(box, rect{mk.P.X - r, mk.P.Y - r, mk.P.X + r, mk.P.Y + r}) > 0 {
				t.Errorf("label of %s covers marker %v", p.Name, mk.Ns)
			}
		}
	}
	// Tracks are drawn widest first, so one on another's route still shows.
	if len(m.Tracks) != 2 || m.Tracks[0].Width <= m.Tracks[1].Width {
		t.Errorf("track widths %v", m.Tracks)
	}
	// The inset shows Rajin with the scene and the dark detections.
	if v.Inset == nil || m.Frame == nil {
		t.Fatal("no inset map")
	}
	var dd int
	for _, mk := range v.Inset.Markers {
		if mk.Kind == event.DarkDetection {
			dd += len(mk.Ns)
		}
	}
	if dd != 18 || len(v.Inset.Footprints) != 1 {
		t.Errorf("inset: %d dark detections, %d footprints", dd, len(v.Inset.Footprints))
	}
	// InsetBounds is the area map 2 shows, inside map 1's, around Rajin.
	w, s, e, n, ok := f.Case.InsetBounds()
	if !ok || w != v.Inset.West || n != v.Inset.North || w < m.West || e > m.East || s > najin[0] || n < najin[0] || w > najin[1] || e < najin[1] {
		t.Errorf("inset bounds %v %v %v %v %v (map 2 %v %v %v %v)", w, s, e, n, ok, v.Inset.West, v.Inset.South, v.Inset.East, v.Inset.North)
	}
	if _, _, _, _, ok := (&Case{Ports: []Port{{Name: "Dunay", Lat: dunay[0], Lon: dunay[1]}}}).InsetBounds(); ok {
		t.Error("a case with no high-risk port nor imagery has a map 2")
	}
}

func TestBusyCaseEventList(t *testing.T) {
	f := busyCase(t)
	v, err := newView(f.Case)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Sections) != 3 || v.Sections[0].Title != "ANGARA" || v.Sections[1].Title != "MAIA-1" || v.Sections[2].Title != "Seen in imagery, no AIS" {
		var titles []string
		for _, s := range v.Sections {
			titles = append(titles, s.Title)
		}
		t.Fatalf("sections %q", titles)
	}
	var blocks []string
	for _, b := range v.Sections[0].Blocks {
		blocks = append(blocks, fmt.Sprintf("%s/%v", b.Title, b.Table != nil))
	}
	if got := strings.Join(blocks, " "); got != "Risk change (1)/false Dark port visits (13)/false AIS gaps (13)/true Draught changes (12)/true Port visits (12)/true" {
		t.Errorf("ANGARA's blocks: %s", got)
	}
	// Each event is in exactly one block.
	seen := map[int]int{}
	for _, s := range v.Sections {
		for _, b := range s.Blocks {
			for _, e := range b.Full {
				seen[e.N]++
			}
			if b.Table != nil {
				for _, r := range b.Table.Rows {
					seen[r.Ev.N]++
					if len(r.Cells) != len(b.Table.Head) || len(b.Table.Widths) != len(b.Table.Head) {
						t.Fatalf("%s: row of %d cells, %d heads, %d widths", b.Title, len(r.Cells), len(b.Table.Head), len(b.Table.Widths))
					}
				}
			}
		}
	}
	if len(seen) != len(v.Events) {
		t.Errorf("%d of %d events listed", len(seen), len(v.Events))
	}
	for n, k := range seen {
		if k != 1 {
			t.Errorf("event %d listed %d times", n, k)
		}
	}
	// Measurements name events by number and sum risk factors.
	for _, e := range v.Events {
		d := map[string]string{}
		for _, kv := range e.Details {
			d[kv[0]] = kv[1]
		}
		switch e.E.Key {
		case "dpv-00":
			if !regexp.MustCompile(`^event \d+$`).MatchString(d["gap"]) || v.Events[mustAtoi(t, d["gap"][6:])-1].E.Key != "gap-00" {
				t.Errorf("dark port visit's gap = %q", d["gap"])
			}
		case "risk-1":
			if !regexp.MustCompile(`^dark_high_risk_port_call \+15\.5 \(2 factors\) \(events \d+, \d+\)$`).MatchString(d["factors"]) {
				t.Errorf("risk factors = %q", d["factors"])
			}
		}
	}
	// The detectors' parameters are listed once per detector.
	labels := map[string]bool{}
	for _, ps := range v.ParamSets {
		if labels[ps.Label] {
			t.Errorf("parameter set %s twice", ps.Label)
		}
		labels[ps.Label] = true
	}
	if !labels["port_visit 2"] || !labels["portvisit 1"] {
		t.Errorf("parameter sets %v", labels)
	}
	// At a glance: ANGARA's dark calls, all most plausibly at Rajin.
	if g := v.Glance[0]; !strings.HasPrefix(g.Dark, "13, most plausibly each at Rajin (Najin) (high risk)") || !strings.HasPrefix(g.Calls, "Dunay 12") {
		t.Errorf("glance %+v", g)
	}
	if len(v.DarkCalls) != 13 || !strings.Contains(v.DarkCalls[1].Related, "gap ") {
		t.Errorf("dark calls %d, related %q", len(v.DarkCalls), v.DarkCalls[1].Related)
	}
}

func mustAtoi(t *testing.T, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBusyCasePDF renders the busy case: the report stays short enough
// to annex, and every event is in it by number.
func TestBusyCasePDF(t *testing.T) {
	for _, tool := range []string{"pdftotext", "pdfinfo"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (Debian package poppler-utils): %v", tool, err)
		}
	}
	f := busyCase(t)
	dir := f.write(t)
	pdf := filepath.Join(dir, "report.pdf")
	info := must(exec.Command("pdfinfo", pdf).Output())
	m := regexp.MustCompile(`Pages:\s+(\d+)`).FindSubmatch(info)
	if m == nil {
		t.Fatalf("pdfinfo: %s", info)
	}
	if pages := mustAtoi(t, string(m[1])); pages > 16 {
		t.Errorf("%d pages for %d events", pages, len(f.Case.Events))
	}
	text := string(must(exec.Command("pdftotext", "-layout", pdf, "-").Output()))
	for _, s := range []string{"At a glance", "Map 1", "Map 2", "12 port calls", "Detectors and parameters", "Seen in imagery, no AIS",
		"score 0.0 -> 120.5", "Related events"} {
		if !strings.Contains(text, s) {
			t.Errorf("report lacks %q", s)
		}
	}
	if strings.Contains(text, "0.0 . 120.5") {
		t.Error("an arrow printed as '.'")
	}
	// Every page says the data are simulated (pdftotext ends pages with \f).
	for i, page := range strings.Split(strings.TrimSuffix(text, "\f"), "\f") {
		if !strings.Contains(page, "SIMULATED DATA") {
			t.Errorf("page %d is not marked SIMULATED DATA", i+1)
		}
	}
	html := string(must(os.ReadFile(filepath.Join(dir, "index.html"))))
	if !strings.Contains(html, `@top-right{content:"SIMULATED DATA"`) {
		t.Error("index.html printed would not mark its pages SIMULATED DATA")
	}
}

func TestNumList(t *testing.T) {
	for _, c := range []struct {
		in   []int
		want string
	}{
		{[]int{1}, "1"},
		{[]int{1, 2}, "1, 2"},
		{[]int{1, 2, 3, 7, 9, 10, 11}, "1–3, 7, 9–11"},
		{nil, ""},
	} {
		if got := numList(c.in); got != c.want {
			t.Errorf("numList(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestKVLineAndSymbols(t *testing.T) {
	if got := kvLine([][2]string{{"gap (h)", "108"}, {"gap", "event 3"}, {"cruise (kn)", "—"}}); got != "gap: 108 h; gap: event 3; cruise: —" {
		t.Errorf("kvLine = %q", got)
	}
	if got := symbols.Replace(translit("счёт 0.0 → 271 ≥ 3")); got != "schyot 0.0 -> 271 >= 3" {
		t.Errorf("symbols = %q", got)
	}
	var foreign bool
	tr := pdfText(fpdf.New("P", "mm", "A4", "").UnicodeTranslatorFromDescriptor(""), &foreign)
	if got := tr("Ryongampo 룡암포 항 – 0.5 m"); got != "Ryongampo [*] [*] \x96 0.5 m" || !foreign {
		t.Errorf("pdf text = %q (foreign %v)", got, foreign)
	}
	if got := dedupeWords("SIMULATED optical SIMULATED optical imager"); got != "SIMULATED optical imager" {
		t.Errorf("dedupeWords = %q", got)
	}
	if got := fmtListVersion("2024-05-03T00:00:00Z"); got != "2024-05-03" {
		t.Errorf("fmtListVersion = %q", got)
	}
}
