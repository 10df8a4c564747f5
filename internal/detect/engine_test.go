package detect

import (
	"cmp"
	"fmt"
	"math"
	"reflect"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/coast"
	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/geo"
	"github.com/lookout-maritime/lookout/internal/track"
	"github.com/lookout-maritime/lookout/internal/vcache"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// gridPorts is a fixture gazetteer with a 1° grid index, cheap enough to
// be called for every fix of a benchmark (as internal/gazetteer is).
type gridPorts struct {
	cells map[[2]int][]Place
}

func newGridPorts(ps []Place) *gridPorts {
	g := &gridPorts{cells: map[[2]int][]Place{}}
	for _, p := range ps {
		k := [2]int{int(math.Floor(p.Lat)), int(math.Floor(p.Lon))}
		g.cells[k] = append(g.cells[k], p)
	}
	return g
}

func (g *gridPorts) Within(lat, lon, km float64) []Place {
	dLat := km/111.0 + 1
	if dLat > 90 {
		var out []Place
		for _, c := range g.cells {
			for _, p := range c {
				if geo.DistanceM(lat, lon, p.Lat, p.Lon)/1000 <= km {
					out = append(out, p)
				}
			}
		}
		return out
	}
	dLon := math.Min(180, dLat/math.Max(math.Cos((math.Abs(lat)+dLat)*math.Pi/180), 0.01))
	var out []Place
	for la := int(math.Floor(lat - dLat)); la <= int(math.Floor(lat+dLat)); la++ {
		for lo := int(math.Floor(lon - dLon)); lo <= int(math.Floor(lon+dLon)); lo++ {
			w := ((lo+180)%360+360)%360 - 180
			for _, p := range g.cells[[2]int{la, w}] {
				if geo.DistanceM(lat, lon, p.Lat, p.Lon)/1000 <= km {
					out = append(out, p)
				}
			}
		}
	}
	return out
}

var (
	maskOnce sync.Once
	mask     *coast.Mask
	maskErr  error
)

func testShore(t testing.TB) Shore {
	maskOnce.Do(func() { mask, maskErr = coast.Load() })
	if maskErr != nil {
		t.Fatal(maskErr)
	}
	return mask
}

// rng is splitmix64: deterministic across platforms and Go versions.
type rng uint64

func (r *rng) next() uint64 {
	*r += 0x9E3779B97F4A7C15
	z := uint64(*r)
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// feed is a synthetic AIS feed: observations in arrival order.
type feed struct {
	obs   []vessel.Observation
	ports []Place
	fixes int
}

var mids = []uint32{273, 412, 413, 477, 538, 636, 352, 351, 563, 566, 311, 244, 219, 257, 370}

// synthFeed generates n vessels over the given hours, reporting every
// `every` (±20 s), merged in time order as a live feed would deliver
// them. One vessel in ten goes dark for 14 h, one loiters, one visits a
// port, and every tenth pair drifts together for the whole period (an
// encounter); the rest steam in straight lines at 8-14 kn, some across
// the antimeridian.
func synthFeed(n, hours int, every time.Duration, seed uint64) feed {
	r := rng(seed)
	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	end := t0.Add(time.Duration(hours) * time.Hour)
	var f feed
	for i := 0; i < n; i += 97 { // a port every 97 vessels, at sea near one
		f.ports = append(f.ports, Place{Name: fmt.Sprintf("Port %d", i), Country: "XX",
			Lat: -50 + 100*r.float(), Lon: -180 + 360*r.float(), HighRisk: i%2 == 0})
	}
	type key struct {
		t    int64
		mmsi uint32
	}
	var keys []key
	var pairLat, pairLon float64 // where the current encounter pair drifts
	for i := range n {
		mmsi := mids[i%len(mids)]*1_000_000 + uint32(i)
		lat, lon := -50+100*r.float(), -180+360*r.float()
		kn, course := 8+6*r.float(), 360*r.float()
		role := i % 10
		switch role {
		case 5: // starts in port, leaves half-way
			if len(f.ports) > 0 {
				p := f.ports[i%len(f.ports)]
				lat, lon = p.Lat+0.01, p.Lon
			}
		case 7: // loiters
			kn = 0.5
		case 8: // drifts; the next vessel drifts 200 m north of it
			pairLat, pairLon = lat, lon
		}
		var darkFrom, darkTo time.Time
		if role == 6 {
			darkFrom = t0.Add(time.Duration(hours) * time.Hour / 3)
			darkTo = darkFrom.Add(14 * time.Hour)
		}
		f.obs = append(f.obs, vessel.Observation{Static: &vessel.Static{MMSI: mmsi, Time: t0, Name: fmt.Sprintf("SYNTH %d", i),
			Draught: float32(6 + r.float()*6), Has: vessel.HasName | vessel.HasDraught, Class: vessel.ClassA, MsgType: 5, Source: "synth"}})
		keys = append(keys, key{t0.UnixNano(), mmsi})
		for t := t0.Add(time.Duration(r.float() * float64(every))); t.Before(end); t = t.Add(every + time.Duration((r.float()-0.5)*40)*time.Second) {
			if !darkFrom.IsZero() && !t.Before(darkFrom) && t.Before(darkTo) {
				continue
			}
			h := t.Sub(t0).Hours()
			speed := kn
			var la, lo float64
			switch {
			case role == 8 || role == 9:
				speed = 0.3
				la = pairLat + float64(role-8)*0.0018 + 0.0001*math.Sin(h)
				lo = pairLon
			case role == 5 && h < float64(hours)/2:
				speed, la, lo = 0, lat, lon
			default:
				if role == 5 {
					h -= float64(hours) / 2
				}
				d := speed * 1.852 * h // km
				la = math.Max(-80, math.Min(80, lat+d*math.Cos(course*math.Pi/180)/111.2))
				lo = wrap(lon + d*math.Sin(course*math.Pi/180)/(111.2*math.Max(math.Cos(lat*math.Pi/180), 0.2)))
			}
			f.obs = append(f.obs, vessel.Observation{Position: &vessel.Position{MMSI: mmsi, Time: t, Lat: la, Lon: lo,
				SOG: float32(math.Round(speed*10) / 10), COG: float32(math.Round(course)), Heading: 511, Status: 0,
				Class: vessel.ClassA, MsgType: 1, Source: "synth"}})
			keys = append(keys, key{t.UnixNano(), mmsi})
			f.fixes++
		}
	}
	// Merge in time order (stable by MMSI within an instant).
	idx := make([]int, len(f.obs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		if c := cmp.Compare(keys[a].t, keys[b].t); c != 0 {
			return c
		}
		return cmp.Compare(keys[a].mmsi, keys[b].mmsi)
	})
	out := make([]vessel.Observation, len(idx))
	for i, j := range idx {
		out[i] = f.obs[j]
	}
	f.obs = out
	return f
}

// runFeed feeds observations through a tracker to an engine, as ingest
// does, and returns every event published in order.
func runFeed(t testing.TB, cfg Config, deps Deps, obs []vessel.Observation) ([]event.Event, *Engine) {
	return runFeedWith(t, cfg, deps, obs, nil)
}

// runFeedWith is runFeed calling before(e, i), when set, ahead of the i-th
// observation.
func runFeedWith(t testing.TB, cfg Config, deps Deps, obs []vessel.Observation, before func(e *Engine, i int)) ([]event.Event, *Engine) {
	e, err := New(cfg, deps, nil)
	if err != nil {
		t.Fatal(err)
	}
	tr := track.New(track.Config{}, nil)
	em := engineEmitter{e}
	var out []event.Event
	for i, o := range obs {
		if before != nil {
			before(e, i)
		}
		if o.Static != nil {
			e.Static(*o.Static)
		}
		tr.Add(o, em)
		if i%4096 == 0 {
			out = append(out, e.Drain()...)
		}
	}
	tr.Flush(em)
	e.Flush()
	return append(out, e.Drain()...), e
}

// standing is the final version of every event still standing, by Key,
// without the revision number (which counts how the stream got there).
func standing(evs []event.Event) map[string]event.Event {
	m := map[string]event.Event{}
	for _, ev := range evs {
		m[ev.Key] = ev
	}
	for k, ev := range m {
		if ev.Withdrawn {
			delete(m, k)
			continue
		}
		ev.Revision = 0
		m[k] = ev
	}
	return m
}

func diffStanding(t *testing.T, what string, want, got map[string]event.Event) {
	t.Helper()
	n := 0
	for k, w := range want {
		g, ok := got[k]
		switch {
		case !ok:
			t.Errorf("%s: lacks %s", what, expectLine(&w))
		case !reflect.DeepEqual(w, g):
			t.Errorf("%s: differs:\n  want %s\n  got  %s", what, expectLine(&w), expectLine(&g))
		default:
			continue
		}
		if n++; n > 5 {
			t.Fatalf("%s: more differences left out", what)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: extra %s", what, expectLine(&g))
			if n++; n > 5 {
				t.Fatalf("%s: more differences left out", what)
			}
		}
	}
}

// Same data and parameters give the same events: run twice, the event
// streams are identical; arrival shuffled within the tracker's reorder
// window, or the vessels fed one after another (a batch re-run), the
// events left standing are the same.
func TestDeterminism(t *testing.T) {
	n := 400
	if testing.Short() {
		n = 100
	}
	f := synthFeed(n, 48, 5*time.Minute, 42)
	deps := func() Deps { return Deps{Ports: newGridPorts(f.ports), Shore: testShore(t)} }
	cfg := Default()
	a, ea := runFeed(t, cfg, deps(), f.obs)
	b, _ := runFeed(t, cfg, deps(), f.obs)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("two runs over the same input differ (%d and %d events)", len(a), len(b))
	}
	want := standing(a)
	kinds := map[event.Kind]int{}
	for _, ev := range want {
		kinds[ev.Kind]++
	}
	t.Logf("%d fixes, %d events published, %d standing: %v; stats %+v", f.fixes, len(a), len(want), kinds, ea.Stats())
	for _, k := range []event.Kind{event.Gap, event.Encounter, event.Loitering, event.PortVisit} {
		if kinds[k] == 0 {
			t.Errorf("the synthetic feed produced no %s: the comparison would prove little", k)
		}
	}

	// Shuffled within the reorder window: each observation delayed by up
	// to 4 minutes, so none is later than 5 minutes behind its vessel.
	r := rng(7)
	type arr struct {
		at int64
		i  int
	}
	order := make([]arr, len(f.obs))
	for i, o := range f.obs {
		ts := o.Time()
		order[i] = arr{ts.UnixNano() + int64(r.float()*float64(4*time.Minute)), i}
	}
	slices.SortStableFunc(order, func(x, y arr) int { return cmp.Compare(x.at, y.at) })
	shuffled := make([]vessel.Observation, len(order))
	moved := 0
	for i, o := range order {
		shuffled[i] = f.obs[o.i]
		if o.i != i {
			moved++
		}
	}
	if moved < len(order)/4 {
		t.Fatalf("only %d of %d observations moved", moved, len(order))
	}
	s, es := runFeed(t, cfg, deps(), shuffled)
	if es.Stats().Late != 0 {
		t.Errorf("%d late fixes: the shuffle left the reorder window", es.Stats().Late)
	}
	diffStanding(t, "shuffled", want, standing(s))

	// Vessel by vessel (every observation of one MMSI, then the next).
	byVessel := slices.Clone(f.obs)
	slices.SortStableFunc(byVessel, func(x, y vessel.Observation) int { return cmp.Compare(x.MMSI(), y.MMSI()) })
	v, _ := runFeed(t, cfg, deps(), byVessel)
	diffStanding(t, "by vessel", want, standing(v))
}

// TestStatePerVessel measures the engine's heap per active vessel in the
// middle of a stream and checks it stays bounded.
func TestStatePerVessel(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates a large feed")
	}
	const n = 2000
	f := synthFeed(n, 24, 5*time.Minute, 9)
	cut := len(f.obs) / 2
	e, err := New(Default(), Deps{Ports: newGridPorts(f.ports), Shore: testShore(t)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tr := track.New(track.Config{}, nil)
	em := engineEmitter{e}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	// Only the engine's heap is wanted: feed the tracker's output through
	// a collector first, then the engine.
	col := &track.Collector{}
	for _, o := range f.obs[:cut] {
		tr.Add(o, col)
	}
	runtime.GC()
	runtime.ReadMemStats(&before)
	for _, p := range col.Points {
		em.Point(p)
		_ = e.Drain()
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	st := e.Stats()
	per := float64(after.HeapAlloc-before.HeapAlloc) / float64(st.Vessels)
	t.Logf("%d vessels, %d encounter slots, %d published records: %.0f bytes of engine heap per vessel", st.Vessels, st.Slots, len(e.published), per)
	if st.Vessels != n {
		t.Errorf("%d vessels with state, want %d", st.Vessels, n)
	}
	// Per vessel: its state (~700 B), a day of encounter slots for the
	// slow ones, published records. 16 KB leaves room, a leak does not.
	if per > 16<<10 {
		t.Errorf("%.0f bytes per vessel", per)
	}
	runtime.KeepAlive(col)
}

// BenchmarkEngine: fixes per second through every detector, on a
// synthetic feed of 5 000 vessels over a day, through the tracker as in
// ingest (the tracker's own cost is measured by internal/track's
// benchmarks and included here).
func BenchmarkEngine(b *testing.B) {
	f := synthFeed(5000, 24, 5*time.Minute, 1)
	shore := testShore(b)
	ports := newGridPorts(f.ports)
	b.ResetTimer()
	var events int
	for range b.N {
		evs, _ := runFeed(b, Default(), Deps{Ports: ports, Shore: shore}, f.obs)
		events = len(evs)
	}
	b.ReportMetric(float64(f.fixes)*float64(b.N)/b.Elapsed().Seconds(), "fixes/s")
	b.ReportMetric(float64(events), "events")
}

// plainShore hides the land mask's Cell: the engine then asks
// OnLand for every fix.
type plainShore struct{ s Shore }

func (p plainShore) DistanceToShoreKm(lat, lon float64) float64 {
	return p.s.DistanceToShoreKm(lat, lon)
}
func (p plainShore) OnLand(lat, lon float64) bool { return p.s.OnLand(lat, lon) }

// churningPorts reports a new Generation at every call: no circle the
// engine remembers stays valid, so it looks ports up for every fix.
type churningPorts struct {
	Ports
	n uint64
}

func (c *churningPorts) Generation() uint64 { c.n++; return c.n }

// TestSeaCacheChangesNothing: remembering where a vessel has no port to
// enter and no land (seaCache) gives exactly the events of looking both up
// for every fix, on a world-wide feed (a third of it over land, with ports,
// encounters and spoofing), published in the same order.
func TestSeaCacheChangesNothing(t *testing.T) {
	f := synthFeed(300, 36, 3*time.Minute, 11)
	// Ports on the way of some vessels, so that they sail in from the sea
	// (the feed's own ports are where vessels start).
	onWay := map[uint32]bool{}
	for _, o := range f.obs {
		if p := o.Position; p != nil && p.MMSI%7 == 0 && !onWay[p.MMSI] && p.Time.Hour() == 18 {
			onWay[p.MMSI] = true
			f.ports = append(f.ports, Place{Name: fmt.Sprintf("On the way %d", p.MMSI), Lat: p.Lat + 0.01, Lon: p.Lon})
		}
	}
	cached, ec := runFeed(t, Default(), Deps{Ports: newGridPorts(f.ports), Shore: testShore(t)}, f.obs)
	plain, _ := runFeed(t, Default(), Deps{Ports: &churningPorts{Ports: newGridPorts(f.ports)}, Shore: plainShore{testShore(t)}}, f.obs)
	if !reflect.DeepEqual(cached, plain) {
		diffStanding(t, "with the cache", standing(plain), standing(cached))
		t.Fatalf("the event streams differ (%d events with the cache, %d without)", len(cached), len(plain))
	}
	kinds := map[string]int{}
	for _, ev := range standing(cached) {
		k := string(ev.Kind)
		if ev.Kind == event.Spoofing {
			k += "/" + fmt.Sprint(ev.Details["type"])
		}
		kinds[k]++
	}
	t.Logf("%d fixes, %d events: %v; %+v", f.fixes, len(cached), kinds, ec.Stats())
	for _, k := range []string{"port_visit", "spoofing/on_land", "encounter"} {
		if kinds[k] == 0 {
			t.Errorf("no %s event: the comparison proves little", k)
		}
	}
}

// Prefetch only warms the processor's cache: an engine told of every fix
// some fixes ahead — vessels it knows, new ones, ones sharing a cache
// slot — finds exactly the events of one that is not.
func TestPrefetchChangesNothing(t *testing.T) {
	f := synthFeed(300, 36, 3*time.Minute, 11)
	deps := func() Deps { return Deps{Ports: newGridPorts(f.ports), Shore: testShore(t)} }
	plain, _ := runFeed(t, Default(), deps(), f.obs)
	const ahead = 8
	got, _ := runFeedWith(t, Default(), deps(), f.obs, func(e *Engine, i int) {
		if i+ahead < len(f.obs) && f.obs[i+ahead].Position != nil {
			e.Prefetch(f.obs[i+ahead].Position.MMSI)
			e.Prefetch(f.obs[i+ahead].Position.MMSI ^ 1<<vcache.Bits) // another vessel's set, maybe
		}
	})
	if len(plain) == 0 {
		t.Fatal("no events: the comparison proves nothing")
	}
	if !reflect.DeepEqual(got, plain) {
		diffStanding(t, "with prefetching", standing(plain), standing(got))
		t.Fatalf("the event streams differ (%d events with prefetching, %d without)", len(got), len(plain))
	}
}
