package detect

import (
	"cmp"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/geo"
	"github.com/lookout-maritime/lookout/internal/track"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// listPorts is a fixture gazetteer: a list scanned linearly.
type listPorts []Place

func (l listPorts) Within(lat, lon, km float64) []Place {
	var out []Place
	for _, p := range l {
		if geo.DistanceM(lat, lon, p.Lat, p.Lon)/1000 <= km {
			out = append(out, p)
		}
	}
	return out
}

// boxShore is a fixture coastline: land is a set of lat/lon boxes.
type boxShore [][4]float64

func (b boxShore) OnLand(lat, lon float64) bool {
	for _, x := range b {
		if lat >= x[0] && lat <= x[2] && lon >= x[1] && lon <= x[3] {
			return true
		}
	}
	return false
}

func (b boxShore) DistanceToShoreKm(lat, lon float64) float64 {
	if b.OnLand(lat, lon) {
		return 0
	}
	best := 20000.0
	for _, x := range b {
		cl := math.Max(x[0], math.Min(lat, x[2]))
		co := math.Max(x[1], math.Min(lon, x[3]))
		best = math.Min(best, geo.DistanceM(lat, lon, cl, co)/1000)
	}
	return best
}

// engineEmitter forwards the tracker's output to an Engine.
type engineEmitter struct{ e *Engine }

func (x engineEmitter) Point(p vessel.TrackPoint)               { x.e.Point(p) }
func (x engineEmitter) Identity(id vessel.Identity, isNew bool) { x.e.Identity(id, isNew) }

// run feeds the scenario and returns every event published, in order.
func (sc *scenario) run(t testing.TB) ([]event.Event, *Engine) {
	deps := Deps{Zones: sc.zones}
	if len(sc.ports) > 0 {
		deps.Ports = listPorts(sc.ports)
	}
	if len(sc.land) > 0 {
		deps.Shore = boxShore(sc.land)
	}
	e, err := New(sc.cfg, deps, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []event.Event
	if sc.tracker {
		tr := track.New(track.Config{}, nil)
		em := engineEmitter{e}
		for _, o := range sc.input {
			if o.Static != nil {
				e.Static(*o.Static)
			}
			tr.Add(o, em)
			out = append(out, e.Drain()...)
		}
		tr.Flush(em)
	} else {
		for _, o := range sc.input {
			if o.Static != nil {
				e.Static(*o.Static)
				s := o.Static
				e.Identity(vessel.Identity{MMSI: s.MMSI, IMO: s.IMO, Name: s.Name, CallSign: s.CallSign,
					ShipType: s.ShipType, Flag: vessel.FlagOf(s.MMSI), FirstSeen: s.Time, LastSeen: s.Time, Reports: 1}, true)
			} else {
				e.Point(vessel.TrackPoint{Position: *o.Position, Segment: 1})
			}
		}
	}
	e.Flush()
	out = append(out, e.Drain()...)
	return out, e
}

// final keeps the latest version of each key, in first-publication order.
func final(evs []event.Event) []event.Event {
	idx := map[string]int{}
	var out []event.Event
	for _, ev := range evs {
		if i, ok := idx[ev.Key]; ok {
			out[i] = ev
			continue
		}
		idx[ev.Key] = len(out)
		out = append(out, ev)
	}
	return out
}

func (x *expectation) matches(ev *event.Event) bool {
	if ev.Kind != x.kind || (ev.MMSI != x.mmsi && !(x.kind == event.Encounter && ev.OtherMMSI == x.mmsi)) {
		return false
	}
	if !x.start.IsZero() && !ev.Start.Equal(x.start) || !x.end.IsZero() && !ev.End.Equal(x.end) {
		return false
	}
	return ev.Withdrawn == x.withdrawn
}

// check reports how ev differs from x's further conditions.
func (x *expectation) check(ev *event.Event) []string {
	var bad []string
	if x.port != "" && ev.Port != x.port {
		bad = append(bad, fmt.Sprintf("port %q, want %q", ev.Port, x.port))
	}
	if x.top != "" && (len(ev.Candidates) == 0 || ev.Candidates[0].Port != x.top) {
		bad = append(bad, fmt.Sprintf("top candidate %v, want %q", ev.Candidates, x.top))
	}
	for _, h := range x.has {
		if !slices.ContainsFunc(ev.Candidates, func(c event.Candidate) bool { return c.Port == h }) {
			bad = append(bad, fmt.Sprintf("candidates lack %q", h))
		}
	}
	if x.other != 0 {
		o := ev.OtherMMSI
		if x.kind == event.Encounter && o == x.other {
		} else if x.kind == event.Encounter && ev.MMSI == x.other {
		} else if o != x.other {
			bad = append(bad, fmt.Sprintf("other %d, want %d", o, x.other))
		}
	}
	if x.rev >= 0 && ev.Revision != x.rev {
		bad = append(bad, fmt.Sprintf("revision %d, want %d", ev.Revision, x.rev))
	}
	for _, s := range x.explain {
		if !strings.Contains(ev.Explanation, s) {
			bad = append(bad, fmt.Sprintf("explanation lacks %q", s))
		}
	}
	if !math.IsNaN(x.conf) && math.Abs(ev.Confidence-x.conf) > 0.005 {
		bad = append(bad, fmt.Sprintf("confidence %v, want %v", ev.Confidence, x.conf))
	}
	for k, want := range x.details {
		got, ok := ev.Details[k]
		if !ok {
			bad = append(bad, fmt.Sprintf("details lack %q", k))
			continue
		}
		if !sameValue(got, want) {
			bad = append(bad, fmt.Sprintf("details[%q] = %v, want %s", k, got, want))
		}
	}
	for k, want := range x.params {
		got, ok := ev.Params[k]
		if !ok {
			bad = append(bad, fmt.Sprintf("params lack %q", k))
		} else if !sameValue(got, want) {
			bad = append(bad, fmt.Sprintf("params[%q] = %v, want %s", k, got, want))
		}
	}
	return bad
}

// sameValue compares a detail with its scenario spelling; numbers may be
// given as "a..b" ranges.
func sameValue(got any, want string) bool {
	var f float64
	isNum := true
	switch v := got.(type) {
	case float64:
		f = v
	case int:
		f = float64(v)
	case int32:
		f = float64(v)
	case uint32:
		f = float64(v)
	case uint8:
		f = float64(v)
	case []string: // written a,b,c (no spaces in a scenario word)
		return strings.Join(v, ",") == strings.Trim(want, "[]")
	default:
		isNum = false
	}
	if isNum {
		if lo, hi, ok := strings.Cut(want, ".."); ok {
			a, err1 := strconv.ParseFloat(lo, 64)
			b, err2 := strconv.ParseFloat(hi, 64)
			return err1 == nil && err2 == nil && f >= a && f <= b
		}
		w, err := strconv.ParseFloat(want, 64)
		return err == nil && math.Abs(w-f) < 1e-9
	}
	return fmt.Sprint(got) == want
}

// expectLine renders ev as an expect directive, for failure messages.
func expectLine(ev *event.Event) string {
	var b strings.Builder
	fmt.Fprintf(&b, "expect %s %d %s %s", ev.Kind, ev.MMSI, fmtT(ev.Start), fmtT(ev.End))
	if ev.Port != "" {
		fmt.Fprintf(&b, " port=%s", strings.ReplaceAll(ev.Port, " ", "_"))
	}
	if ev.OtherMMSI != 0 {
		fmt.Fprintf(&b, " other=%d", ev.OtherMMSI)
	}
	fmt.Fprintf(&b, " conf=%v", ev.Confidence)
	if ev.Withdrawn {
		b.WriteString(" withdrawn")
	}
	keys := make([]string, 0, len(ev.Details))
	for k := range ev.Details {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " d.%s=%v", k, ev.Details[k])
	}
	fmt.Fprintf(&b, "  # rev %d: %s", ev.Revision, ev.Explanation)
	return b.String()
}

func TestScenarios(t *testing.T) {
	files, err := filepath.Glob("testdata/scenarios/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			t.Parallel()
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			sc, err := parseScenario(f, string(b))
			if err != nil {
				t.Fatal(err)
			}
			if len(sc.expect) == 0 {
				t.Fatal("a scenario without expectations tests nothing")
			}
			all, _ := sc.run(t)
			fin := final(all)
			checkScenario(t, sc, fin, all)
		})
	}
}

func checkScenario(t *testing.T, sc *scenario, fin, all []event.Event) {
	t.Helper()
	used := make([]bool, len(fin))
	failed := false
	for _, x := range sc.expect {
		found := -1
		for i := range fin {
			if !used[i] && x.matches(&fin[i]) {
				found = i
				break
			}
		}
		if found < 0 {
			t.Errorf("%s: no such event", x)
			failed = true
			continue
		}
		used[found] = true
		if bad := x.check(&fin[found]); len(bad) > 0 {
			t.Errorf("%s: %s\n  got: %s", x, strings.Join(bad, "; "), expectLine(&fin[found]))
			failed = true
		}
	}
	for _, pc := range sc.pubs {
		n := 0
		for i := range all {
			if all[i].Kind == pc.kind && all[i].MMSI == pc.mmsi {
				n++
			}
		}
		if n != pc.n {
			t.Errorf("line %d: %s of %d published %d times, want %d", pc.line, pc.kind, pc.mmsi, n, pc.n)
			failed = true
		}
	}
	for i := range fin {
		if !used[i] && !fin[i].Withdrawn && !sc.ignore[fin[i].Kind] {
			t.Errorf("unexpected event: %s", expectLine(&fin[i]))
			failed = true
		}
	}
	if failed || testing.Verbose() {
		sorted := slices.Clone(all)
		slices.SortStableFunc(sorted, func(a, b event.Event) int { return cmp.Compare(a.Kind, b.Kind) })
		for i := range sorted {
			t.Logf("published: %s", expectLine(&sorted[i]))
		}
	}
	// Every event explains itself and says where it came from.
	for _, ev := range fin {
		if ev.Key == "" || ev.Explanation == "" || ev.Detector == "" || ev.Version == "" || ev.Params == nil {
			t.Errorf("incomplete event: %+v", ev)
		}
		if ev.Confidence < 0 || ev.Confidence > 1 {
			t.Errorf("confidence out of [0,1]: %s", expectLine(&ev))
		}
	}
}

func FuzzScenarioParser(f *testing.F) {
	files, _ := filepath.Glob("testdata/scenarios/*.txt")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
	f.Add("pos 1 2023-01-01T00:00Z 91 0 1\n")
	f.Add("track 1 2023-01-01T00:00Z 0 0 2023-01-01T00:00:01Z 1 1 every=1s drop=0.99\n")
	f.Fuzz(func(t *testing.T, text string) {
		sc, err := parseScenario("fuzz.txt", text)
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.txt") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if len(sc.input) > maxGenerated+strings.Count(text, "\n")+1 {
			t.Fatalf("%d observations from %d bytes", len(sc.input), len(text))
		}
		// Whatever parses must run without panicking.
		if len(sc.input) <= 2000 {
			sc.run(t)
		}
	})
}

var _ = time.Second
