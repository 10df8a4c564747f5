package track

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/vcache"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// TestDuplicates: the same report heard by two receivers is kept once,
// whichever arrives first; near-copies are not duplicates.
func TestDuplicates(t *testing.T) {
	const mmsi = 273000001
	s := time.Second
	p0 := pos(mmsi, at(0), 43.1, 131.9)
	later := func(o vessel.Observation, d time.Duration) vessel.Observation {
		p := *o.Position
		p.Time = p.Time.Add(d)
		p.Source = "rx2"
		return vessel.Observation{Position: &p}
	}
	faster := func(o vessel.Observation) vessel.Observation {
		p := *o.Position
		p.SOG = 11
		return vessel.Observation{Position: &p}
	}
	st := type5(mmsi, at(10*s), 9123457, "A", "B", 70, "X")
	st2 := *st.Static
	st2.Source, st2.Time = "rx2", st2.Time.Add(time.Second)
	tests := []struct {
		name    string
		cfg     Config
		obs     []vessel.Observation
		points  int
		dups    int64
		sources []string
	}{
		{"same sentence via two receivers", Config{}, []vessel.Observation{p0, posFrom("rx2", p0)}, 1, 1, []string{"rx1"}},
		{"second receiver's clock 1 s later", Config{}, []vessel.Observation{p0, later(p0, s)}, 1, 1, []string{"rx1"}},
		{"second receiver's clock 1 s earlier", Config{}, []vessel.Observation{p0, later(p0, -s)}, 1, 1, []string{"rx1"}},
		{"2 s apart is still a copy", Config{}, []vessel.Observation{p0, later(p0, 2*s)}, 1, 1, []string{"rx1"}},
		{"3 s apart is a new report", Config{}, []vessel.Observation{p0, later(p0, 3*s)}, 2, 0, []string{"rx1", "rx2"}},
		{"different speed is a new report", Config{}, []vessel.Observation{p0, faster(p0)}, 2, 0, []string{"rx1", "rx1"}},
		{"three receivers", Config{}, []vessel.Observation{p0, posFrom("rx2", p0), posFrom("rx3", p0)}, 1, 2, []string{"rx1"}},
		{"copy after release, no reordering", Config{Reorder: -1}, []vessel.Observation{p0, later(p0, s)}, 1, 1, []string{"rx1"}},
		{"copy after the window, late", Config{}, []vessel.Observation{p0, pos(mmsi, at(10*time.Minute), 43.1, 131.9), later(p0, s)}, 2, 1, []string{"rx1", "rx1"}},
		{"de-duplication off", Config{Duplicate: -1}, []vessel.Observation{p0, posFrom("rx2", p0)}, 2, 0, []string{"rx1", "rx2"}},
		{"static report via two receivers", Config{}, []vessel.Observation{st, {Static: &st2}}, 0, 1, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr, c := run(t, tc.cfg, tc.obs...)
			var src []string
			for _, p := range c.Points {
				src = append(src, p.Source)
			}
			if len(c.Points) != tc.points || tr.Stats().Duplicates != tc.dups || !slices.Equal(src, tc.sources) {
				t.Errorf("%d points from %v, %d duplicates; want %d from %v, %d",
					len(c.Points), src, tr.Stats().Duplicates, tc.points, tc.sources, tc.dups)
			}
		})
	}
	// The duplicated static counts once in identity history.
	_, c := run(t, Config{}, st, vessel.Observation{Static: &st2})
	if h := fold(c.Identities); len(h) != 1 || h[0].Reports != 1 {
		t.Errorf("history:%s", describe(h))
	}
}

// TestReorder: observations out of order within the window come out in
// time order; older than the window they are still emitted, and counted
// late.
func TestReorder(t *testing.T) {
	const mmsi = 273000002
	m := time.Minute
	p := func(min int) vessel.Observation {
		return pos(mmsi, at(time.Duration(min)*m), 43+float64(min)*0.001, 131.9)
	}
	tests := []struct {
		name  string
		cfg   Config
		order []int // minutes, in arrival order
		want  []int // minutes, in emission order
		late  int64
	}{
		{"in order", Config{}, []int{0, 1, 2, 3}, []int{0, 1, 2, 3}, 0},
		{"swapped within window", Config{}, []int{0, 2, 1, 3}, []int{0, 1, 2, 3}, 0},
		{"4 min late within 5 min window", Config{}, []int{1, 2, 3, 4, 5, 0, 6}, []int{0, 1, 2, 3, 4, 5, 6}, 0},
		{"reversed burst", Config{}, []int{5, 4, 3, 2, 1, 0}, []int{0, 1, 2, 3, 4, 5}, 0},
		{"beyond the window of the newest, nothing newer released", Config{}, []int{0, 1, 2, 10, 3}, []int{0, 1, 2, 3, 10}, 0},
		{"older than the newest by more than the window", Config{}, []int{0, 1, 7, 8, 9, 2, 10}, []int{0, 1, 2, 7, 8, 9, 10}, 0},
		{"released then older", Config{}, []int{0, 6, 12, 1}, []int{0, 6, 1, 12}, 1},
		{"no reordering", Config{Reorder: -1}, []int{0, 2, 1, 3}, []int{0, 2, 1, 3}, 1},
		{"longer window", Config{Reorder: 30 * m}, []int{0, 20, 10, 25, 5}, []int{0, 5, 10, 20, 25}, 0},
		// ReorderDepth: at most that many wait; the oldest go early.
		{"swapped within the depth", Config{ReorderDepth: 3}, []int{0, 2, 1, 3}, []int{0, 1, 2, 3}, 0},
		{"three behind with depth 3", Config{ReorderDepth: 3}, []int{1, 2, 3, 0, 4}, []int{0, 1, 2, 3, 4}, 0},
		{"four behind with depth 3", Config{ReorderDepth: 3}, []int{1, 2, 3, 4, 0, 5}, []int{1, 0, 2, 3, 4, 5}, 1},
		{"no depth bound: the window alone", Config{ReorderDepth: -1}, []int{1, 2, 3, 4, 5, 0}, []int{0, 1, 2, 3, 4, 5}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var obs []vessel.Observation
			for _, mi := range tc.order {
				obs = append(obs, p(mi))
			}
			tr, c := run(t, tc.cfg, obs...)
			var got []int
			for _, pt := range c.Points {
				got = append(got, int(pt.Time.Sub(t0)/m))
			}
			if !slices.Equal(got, tc.want) || tr.Stats().Late != tc.late {
				t.Errorf("emitted %v (late %d), want %v (late %d)", got, tr.Stats().Late, tc.want, tc.late)
			}
		})
	}
}

// TestReorderDepth: a fast reporter's buffer holds no more than
// ReorderDepth observations (the ordering itself is in TestReorder).
func TestReorderDepth(t *testing.T) {
	const mmsi = 273000003
	p := func(sec int) vessel.Observation {
		return pos(mmsi, at(time.Duration(sec)*time.Second), 43+float64(sec)*1e-5, 131.9)
	}
	// A class A ship at 2 s for ten minutes: 300 reports in the 5-minute
	// window, at most DefaultReorderDepth of them held.
	tr := New(Config{}, nil)
	var c Collector
	most := int64(0)
	for i := range 300 {
		tr.Add(p(2*i), &c)
		most = max(most, tr.Stats().Buffered)
	}
	if most != DefaultReorderDepth {
		t.Errorf("at most %d observations buffered, want %d", most, DefaultReorderDepth)
	}
	if len(c.Points) != 300-DefaultReorderDepth {
		t.Errorf("%d points out before Flush, want all but the %d buffered", len(c.Points), DefaultReorderDepth)
	}
}

// TestReorderSilentVessel: a vessel that falls silent has its buffer
// released by the input's time, not only at Flush.
func TestReorderSilentVessel(t *testing.T) {
	tr := New(Config{}, nil)
	c := &Collector{}
	tr.Add(pos(273000003, at(0), 43, 131), c)
	for i := range 20 {
		tr.Add(pos(273000004, at(time.Duration(i)*time.Minute), 44, 132+float64(i)*0.001), c)
	}
	n := 0
	for _, p := range c.Points {
		if p.MMSI == 273000003 {
			n++
		}
	}
	if n != 1 {
		t.Errorf("silent vessel's fix not released after 19 min of input")
	}
	if s := tr.Stats(); s.Buffered == 0 || s.Buffered > 6 {
		t.Errorf("buffered %d, want the last 5 min of the active vessel", s.Buffered)
	}
	checkInvariant(t, tr)
}

// Real places for the segmentation cases.
const (
	vladLat, vladLon   = 43.1056, 131.8735 // Vladivostok
	najinLat, najinLon = 42.2500, 130.3000 // Rajin (Najin), DPRK
)

// TestSegments: splitting at impossible speed and after silence, and
// joining the plausible open segment.
func TestSegments(t *testing.T) {
	const mmsi = 273000005
	m, h := time.Minute, time.Hour
	type fix struct {
		at       time.Duration
		lat, lon float64
	}
	tests := []struct {
		name  string
		cfg   Config
		fixes []fix
		want  []uint32
	}{
		{"steady 10 kn", Config{}, []fix{{0, 43, 131}, {6 * m, 43.0167, 131}, {12 * m, 43.0333, 131}}, []uint32{1, 1, 1}},
		{"Vladivostok to Najin in a minute and back", Config{}, []fix{
			{0, vladLat, vladLon}, {m, najinLat, najinLon}, {2 * m, vladLat, vladLon + 0.001}, {3 * m, najinLat, najinLon}},
			[]uint32{1, 2, 1, 2}},
		{"Vladivostok to Najin in 9 hours is plausible", Config{}, []fix{
			{0, vladLat, vladLon}, {9 * h, najinLat, najinLon}}, []uint32{1, 1}},
		{"two ships sharing an MMSI interleave", Config{}, []fix{
			{0, 35.0, 129.0}, {10 * time.Second, 34.0, 128.0}, {20 * time.Second, 35.0005, 129.0},
			{30 * time.Second, 34.0005, 128.0}, {40 * time.Second, 35.001, 129.0}, {50 * time.Second, 34.001, 128.0}},
			[]uint32{1, 2, 1, 2, 1, 2}},
		{"antimeridian 179.9E to 179.9W is not split", Config{}, []fix{
			{0, 52.0, 179.9}, {30 * m, 52.0, 179.95}, {h, 52.0, -179.99}, {90 * m, 52.0, -179.9}},
			[]uint32{1, 1, 1, 1}},
		{"antimeridian the other way", Config{}, []fix{{0, -16.0, -179.9}, {h, -16.0, 179.9}}, []uint32{1, 1}},
		{"24 h silence splits", Config{}, []fix{{0, 43, 131}, {24*h + m, 43, 131}}, []uint32{1, 2}},
		{"23 h silence does not", Config{}, []fix{{0, 43, 131}, {23 * h, 43, 131}}, []uint32{1, 1}},
		{"jitter within noise at 1 s", Config{}, []fix{{0, 43, 131}, {time.Second, 43.003, 131}, {3 * time.Second, 43, 131}}, []uint32{1, 1, 1}},
		{"600 m in 1 s is beyond noise", Config{}, []fix{{0, 43, 131}, {time.Second, 43.0054, 131}}, []uint32{1, 2}},
		{"same time, far apart", Config{}, []fix{{0, 43, 131}, {0, 44, 131}}, []uint32{1, 2}},
		{"45 kn is too fast", Config{}, []fix{{0, 10, 0}, {h, 10.75, 0}}, []uint32{1, 2}},
		{"35 kn is not", Config{}, []fix{{0, 10, 0}, {h, 10.58, 0}}, []uint32{1, 1}},
		{"faster limit for a fast craft", Config{MaxSpeed: 60}, []fix{{0, 10, 0}, {h, 10.75, 0}}, []uint32{1, 1}},
		{"teleport then continue at the new place", Config{}, []fix{
			{0, 43, 131}, {m, 10, 100}, {2 * m, 10.001, 100}, {3 * m, 10.002, 100}}, []uint32{1, 2, 2, 2}},
		{"more ships than open segments", Config{MaxSegments: 2}, []fix{
			{0, 10, 0}, {m, 20, 0}, {2 * m, 30, 0}, {3 * m, 10, 0}, {4 * m, 30, 0}}, []uint32{1, 2, 3, 4, 3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var obs []vessel.Observation
			for _, f := range tc.fixes {
				obs = append(obs, pos(mmsi, at(f.at), f.lat, f.lon))
			}
			tr, c := run(t, tc.cfg, obs...)
			if got := segmentsOf(c.Points); !slices.Equal(got, tc.want) {
				t.Errorf("segments %v, want %v", got, tc.want)
			}
			if n := slices.Max(tc.want); tr.Stats().Segments != int64(n) {
				t.Errorf("%d segments started, want %d", tr.Stats().Segments, n)
			}
		})
	}
}

// TestSegmentsPerMMSI: numbering is per MMSI.
func TestSegmentsPerMMSI(t *testing.T) {
	_, c := run(t, Config{},
		pos(273000006, at(0), 10, 10), pos(273000007, at(0), 20, 20),
		pos(273000006, at(time.Minute), 30, 30), pos(273000007, at(time.Minute), 20, 20))
	got := map[uint32][]uint32{}
	for _, p := range c.Points {
		got[p.MMSI] = append(got[p.MMSI], p.Segment)
	}
	if !slices.Equal(got[273000006], []uint32{1, 2}) || !slices.Equal(got[273000007], []uint32{1, 1}) {
		t.Errorf("segments %v", got)
	}
}

// TestLateFixJoinsItsSegment: a late fix joins the segment it is
// plausible for and does not move that segment's last fix back.
func TestLateFixJoinsItsSegment(t *testing.T) {
	const mmsi = 273000008
	m := time.Minute
	tr, c := run(t, Config{Reorder: -1},
		pos(mmsi, at(0), vladLat, vladLon),
		pos(mmsi, at(m), najinLat, najinLon),          // segment 2
		pos(mmsi, at(20*m), vladLat+0.01, vladLon),    // back to 1
		pos(mmsi, at(10*m), najinLat+0.001, najinLon), // late, near Najin: 2
		pos(mmsi, at(15*m), vladLat+0.005, vladLon),   // late, near Vladivostok: 1
		pos(mmsi, at(21*m), vladLat+0.0105, vladLon),  // in order: 1
	)
	if got := segmentsOf(c.Points); !slices.Equal(got, []uint32{1, 2, 1, 2, 1, 1}) {
		t.Errorf("segments %v", got)
	}
	if s := tr.Stats(); s.Late != 2 || s.Points != 6 {
		t.Errorf("stats %+v", s)
	}
}

// TestEviction: an idle vessel is evicted, its identity reported; when it
// reappears its segment numbers go on and its identity is not new again.
func TestEviction(t *testing.T) {
	const ship, other = 445000123, 273000009
	h := time.Hour
	tr := New(Config{Idle: 2 * h}, nil)
	c := &Collector{}
	add := func(o vessel.Observation) { tr.Add(o, c) }
	add(type5(ship, at(0), 9000007, "PAEK MA", "HMZZ", 80, "NAMPO"))
	add(pos(ship, at(time.Minute), 39, 125))
	// Another vessel keeps the input's clock going for 30 hours.
	for i := range 30 * 6 {
		add(pos(other, at(time.Duration(i)*10*time.Minute), 35, 129+float64(i)*0.01))
	}
	if s := tr.Stats(); s.Evictions != 1 || s.Vessels != 1 || s.Retired != 1 {
		t.Fatalf("after idle: %+v", s)
	}
	if len(c.Identities) != 1 || !c.Identities[0].New {
		t.Fatalf("identity not reported before eviction: %+v", c.Identities)
	}
	// Back after 30 h, same identity; class B-like partial report too.
	add(pos(ship, at(30*h), 39.5, 125.5))
	add(type5(ship, at(30*h+time.Minute), 9000007, "PAEK MA", "HMZZ", 80, "NAMPO"))
	add(part24A(ship, at(30*h+2*time.Minute), "PAEK MA"))
	add(pos(ship, at(30*h+3*time.Minute), 39.5, 125.501))
	tr.Flush(c)
	checkInvariant(t, tr)

	var segs []uint32
	for _, p := range c.Points {
		if p.MMSI == ship {
			segs = append(segs, p.Segment)
		}
	}
	if !slices.Equal(segs, []uint32{1, 2, 2}) {
		t.Errorf("segments after reappearance %v, want [1 2 2]", segs)
	}
	for _, e := range c.Identities[1:] {
		if e.New {
			t.Errorf("identity re-announced as new after eviction: %+v", e)
		}
	}
	h0 := fold(c.Identities)
	if len(h0) != 1 || h0[0].Reports != 3 || !h0[0].FirstSeen.Equal(at(0)) || !h0[0].LastSeen.Equal(at(30*h+2*time.Minute)) {
		t.Errorf("history:%s", describe(h0))
	}
	if s := tr.Stats(); s.Retired != 0 || s.Vessels != 2 {
		t.Errorf("after reappearance: %+v", s)
	}
}

// TestEvictionRenamed: a vessel that reappears under a new name gets a new
// identity that keeps what it does not rebroadcast.
func TestEvictionRenamed(t *testing.T) {
	const ship, other = 312000222, 273000010
	h := time.Hour
	tr := New(Config{Idle: h}, nil)
	c := &Collector{}
	tr.Add(part24A(ship, at(0), "OLD"), c)
	tr.Add(part24B(ship, at(time.Second), "V3XX", 30, 15, 5), c)
	tr.Add(pos(other, at(3*h), 1, 1), c)
	tr.Add(part24A(ship, at(4*h), "NEW"), c)
	tr.Flush(c)
	checkHistory(t, fold(c.Identities), []wantID{
		{ship, 0, "OLD", "V3XX", 30, "BZ", 0, time.Second, 2, ""},
		{ship, 0, "NEW", "V3XX", 30, "BZ", 4 * h, 4 * h, 1, ""},
	})
	checkNew(t, c.Identities, 2)
}

func TestInvalid(t *testing.T) {
	tr, c := run(t, Config{},
		vessel.Observation{},
		pos(273000011, time.Time{}, 43, 131),
		pos(273000011, at(0), 91, 181),
		pos(273000011, at(0), 0, 0),
		vessel.Observation{Static: &vessel.Static{MMSI: 273000011}},
		// Beyond what a packed time holds: it would wrap to 1677.
		pos(273000011, time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC), 43, 131),
		vessel.Observation{Static: &vessel.Static{MMSI: 273000011, Time: time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC)}},
		pos(273000011, at(0), 43, 131),
	)
	if s := tr.Stats(); s.Invalid != 7 || s.Points != 1 || len(c.Points) != 1 {
		t.Errorf("stats %+v", s)
	}
}

// TestFlushThenMore: the Tracker goes on after Flush.
func TestFlushThenMore(t *testing.T) {
	tr := New(Config{}, nil)
	c := &Collector{}
	tr.Add(pos(273000012, at(0), 43, 131), c)
	tr.Flush(c)
	tr.Add(pos(273000012, at(time.Minute), 43.001, 131), c)
	tr.Add(pos(273000012, at(30*time.Second), 43.0005, 131), c) // out of order, but after what Flush released
	tr.Flush(c)
	if got := segmentsOf(c.Points); len(got) != 3 || tr.Stats().Late != 0 || got[2] != 1 {
		t.Errorf("points %v late %d", got, tr.Stats().Late)
	}
	checkInvariant(t, tr)
	if tr.Stats().Buffered != 0 {
		t.Error("buffered after Flush")
	}
}

func TestConfigDefaults(t *testing.T) {
	c := New(Config{}, nil).Config()
	if c.Reorder != 5*time.Minute || c.Duplicate != 2*time.Second || c.MaxGap != 24*time.Hour ||
		c.MaxSpeed != 40 || c.Noise != 500 || c.MaxSegments != 8 || c.Idle != 24*time.Hour ||
		c.IdentityGrace != 15*time.Minute || c.IdentityRefresh != time.Hour {
		t.Errorf("defaults %+v", c)
	}
	if c := New(Config{Reorder: time.Hour, Idle: time.Minute}, nil).Config(); c.Idle != time.Hour {
		t.Errorf("Idle shorter than Reorder: %v", c.Idle)
	}
	if math.IsNaN(New(Config{}, nil).maxSpeed) {
		t.Error("maxSpeed")
	}
}

// TestSortedByMMSI: an input sorted by MMSI, then time (some CSV exports),
// spanning days: each vessel is in order, so nothing is late, no track is
// split, and the vessel being read is never evicted as idle.
func TestSortedByMMSI(t *testing.T) {
	var obs []vessel.Observation
	for k, mmsi := range []uint32{273000020, 273000021, 273000022} {
		for i := range 3 * 24 * 6 { // three days, every 10 min
			d := time.Duration(i)*10*time.Minute + time.Duration(k)*time.Minute
			obs = append(obs, pos(mmsi, at(d), 40+float64(i)*0.01, 20))
		}
	}
	tr, c := run(t, Config{}, obs...)
	for _, p := range c.Points {
		if p.Segment != 1 {
			t.Fatalf("MMSI %d split at %v", p.MMSI, p.Time)
		}
	}
	if s := tr.Stats(); s.Late != 0 || s.Points != int64(len(obs)) || s.Segments != 3 {
		t.Errorf("stats %+v", s)
	}
}

// The Tracker copies what it buffers: a caller that reuses one Position
// and one Static for every observation (as ingest's sources do) gets the
// same points and identities as one that passes fresh ones, with reports
// out of order, heard twice, late, and evicted.
func TestCallerMayReuseObservations(t *testing.T) {
	obs, _ := fleet(300, 40, 10*time.Second, 7, 5)
	// Shuffle within a window so that the reorder buffer holds and sorts.
	for i := 0; i+3 < len(obs); i += 4 {
		obs[i], obs[i+3] = obs[i+3], obs[i]
	}
	late := pos(201_000_000, t0, 0, 1) // older than what vessel 0 released
	// A day later the fleet is evicted (at the second maintenance).
	obs = append(obs, late, pos(201_000_000, t0.Add(30*time.Hour), 0, 1.001), pos(201_000_000, t0.Add(31*time.Hour), 0, 1.002))
	_, want := run(t, Config{}, obs...)

	tr := New(Config{}, nil)
	got := &Collector{}
	var p vessel.Position
	var st vessel.Static
	for _, o := range obs {
		switch {
		case o.Position != nil:
			p = *o.Position
			tr.Add(vessel.Observation{Position: &p}, got)
			p = vessel.Position{MMSI: 999, Lat: 1, Lon: 1, Source: "overwritten"}
		default:
			st = *o.Static
			tr.Add(vessel.Observation{Static: &st}, got)
			st = vessel.Static{MMSI: 999, Name: "OVERWRITTEN"}
		}
	}
	tr.Flush(got)
	text := func(c *Collector) string { return fmt.Sprintf("%+v\n%+v", c.Points, c.Identities) }
	if s := tr.Stats(); s.Late == 0 || s.Duplicates == 0 || s.Evictions == 0 || len(want.Points) < 10_000 {
		t.Fatalf("the input does not exercise late, duplicate and evicted reports: %+v", s)
	}
	if text(got) != text(want) {
		t.Errorf("reusing the caller's observations changes the output")
	}
}

// Prefetch only warms the processor's cache: a tracker told of every
// observation some calls ahead (and of vessels that never come) emits
// exactly what one that is not does, through out-of-order and duplicate
// input, evictions and vessels that share a cache slot.
func TestPrefetchChangesNothing(t *testing.T) {
	obs := mixedFeed()
	cfg := Config{Idle: 6 * time.Hour}
	_, want := run(t, cfg, obs...)
	tr := New(cfg, nil)
	got := &Collector{}
	for i, o := range obs {
		if j := i + vcache.Ahead; j < len(obs) {
			if p := obs[j].Position; p != nil {
				tr.Prefetch(p.MMSI)
			}
			tr.Prefetch(uint32(i)) // a vessel that never comes
		}
		tr.Add(o, got)
	}
	tr.Flush(got)
	checkInvariant(t, tr)
	if s := tr.Stats(); s.Evictions == 0 || s.Duplicates == 0 || s.Late == 0 {
		t.Fatalf("the feed should evict, drop duplicates and see late fixes: %+v", s)
	}
	if !slices.EqualFunc(got.Points, want.Points, func(a, b vessel.TrackPoint) bool { return a == b }) {
		t.Fatalf("points differ with prefetching: %d, want %d", len(got.Points), len(want.Points))
	}
	if !slices.EqualFunc(got.Identities, want.Identities, func(a, b IdentityEvent) bool {
		return a.New == b.New && a.Identity == b.Identity
	}) {
		t.Fatalf("identities differ with prefetching:%s\nwant:%s", describe(fold(got.Identities)), describe(fold(want.Identities)))
	}
}

// packedCollector is a PackedEmitter that keeps what it gets packed.
type packedCollector struct {
	Collector
	packed vessel.Points
}

func (c *packedCollector) PackedPoint(mmsi, seg uint32, k vessel.Packed, sources *vessel.SourceTable) {
	c.packed.AddPacked(mmsi, seg, k, sources)
}

// TestPackedEmitter: a PackedEmitter gets, packed, exactly the points an
// Emitter gets, and no Point calls.
func TestPackedEmitter(t *testing.T) {
	obs := mixedFeed()
	cfg := Config{Idle: 6 * time.Hour}
	_, want := run(t, cfg, obs...)
	tr := New(cfg, nil)
	got := &packedCollector{}
	for _, o := range obs {
		tr.Add(o, got)
	}
	tr.Flush(got)
	if len(got.Points) != 0 || got.packed.Len() != len(want.Points) {
		t.Fatalf("%d Point calls and %d packed points, want none and %d", len(got.Points), got.packed.Len(), len(want.Points))
	}
	for i, w := range want.Points {
		if p := got.packed.At(i); p != w {
			t.Fatalf("point %d: %+v, want %+v", i, p, w)
		}
	}
	if len(got.Identities) != len(want.Identities) {
		t.Fatalf("%d identity batches, want %d", len(got.Identities), len(want.Identities))
	}
	// A fix of a known vessel costs no allocation on the way out.
	c := &packedCollector{packed: vessel.Points{P: make([]vessel.PackedPoint, 0, 1000)}}
	o := pos(273000001, at(0), 43, 131)
	i := 0
	next := func() {
		i++
		o.Position.Time, o.Position.Lon = at(time.Duration(i)*time.Minute), 131+float64(i)*1e-3
		tr.Add(o, c)
	}
	next()
	if n := testing.AllocsPerRun(200, next); n != 0 || c.packed.Len() < 150 {
		t.Errorf("%v allocations per fix (%d points out)", n, c.packed.Len())
	}
}

// mixedFeed is 4000 fixes of 60 vessels from two receivers, with copies,
// late fixes, static reports, MMSIs that share a vcache set, and vessels
// silent long enough to be evicted.
func mixedFeed() []vessel.Observation {
	var obs []vessel.Observation
	for i := range 4000 {
		// 60 vessels, some of them MMSIs apart by the cache's size; 20
		// fall silent for a day halfway through and are evicted.
		v := uint32(i % 60)
		mmsi := 211_000_000 + v
		if v%3 == 0 {
			mmsi = 211_000_000 + v<<vcache.Bits
		}
		d := time.Duration(i) * 20 * time.Second
		if v < 20 && i > 2000 {
			d += 30 * time.Hour
		}
		if i%17 == 5 {
			d -= 45 * time.Minute // late: older than fixes of its vessel already released
		}
		o := pos(mmsi, at(d), 40+float64(i%60)*0.1, 10+float64(i)*0.0005)
		obs = append(obs, o)
		if i%23 == 0 {
			obs = append(obs, posFrom("rx2", o)) // heard twice
		}
		if i%97 == 0 {
			obs = append(obs, type5(mmsi, at(d), 9000007, fmt.Sprint("NAME ", i%5), "CALL", 70, "PORT"))
		}
	}
	return obs
}
