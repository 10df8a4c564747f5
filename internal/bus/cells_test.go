package bus

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/detect"
	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// encounterOnly is the detector configuration of the spatial stage: the
// default profile with every detector but encounters off.
func encounterOnly() detect.Config { return detect.Default().Only(detect.NameEncounter) }

func TestCellOf(t *testing.T) {
	c := CellConfig{Config: Config{Partitions: 8}}.withDefaults()
	for _, tc := range []struct {
		lat, lon float64
		want     cell
	}{
		{-90, -180, cell{0, 0}},
		{90, 180, cell{89, 0}}, // the pole row is the last; 180° wraps to -180°
		{10, 60, cell{50, 120}},
		{9.999, 59.999, cell{49, 119}},
		{0, -0.5, cell{45, 89}},
		{-33.9, 179.99, cell{28, 179}},
	} {
		if got := c.cellOf(tc.lat, tc.lon); got != tc.want {
			t.Errorf("cellOf(%g, %g) = %v, want %v", tc.lat, tc.lon, got, tc.want)
		}
	}
}

// partitionsNear returns the owner first and exactly the partitions of the
// cells within MarginKm, across the antimeridian and near the poles;
// checked against a brute-force search over points around the fix.
func TestPartitionsNear(t *testing.T) {
	c := CellConfig{Config: Config{Partitions: 64}, CellDeg: 2, MarginKm: 50}.withDefaults()
	rng := rand.New(rand.NewPCG(1, 2))
	points := [][2]float64{{10, 60}, {9.9, 59.9}, {0, 179.9}, {0, -179.9}, {-60.5, 0.1}, {88.9, 10}, {-89.5, -100}, {31, 31}}
	for range 200 {
		points = append(points, [2]float64{rng.Float64()*170 - 85, rng.Float64()*360 - 180})
	}
	for _, pt := range points {
		got := c.partitionsNear(nil, pt[0], pt[1])
		if got[0] != c.ownerOf(pt[0], pt[1]) {
			t.Errorf("%v: first partition %d is not the owner %d", pt, got[0], c.ownerOf(pt[0], pt[1]))
		}
		// Every point within the margin (sampled on circles) must fall in
		// a cell whose partition is listed.
		for _, km := range []float64{1, 25, 49} {
			for b := 0.0; b < 360; b += 7.5 {
				lat, lon := destination(pt[0], pt[1], b, km)
				p := c.ownerOf(lat, lon)
				if !slices.Contains(got, p) {
					t.Fatalf("%v: a point %g km away at %g° (%g, %g) is in partition %d, not in %v", pt, km, b, lat, lon, p, got)
				}
			}
		}
		if len(got) > 9 && math.Abs(pt[0]) < 80 {
			t.Errorf("%v: %d partitions", pt, len(got))
		}
	}
	if got := c.partitionsNear(nil, 11, 61); len(got) != 1 {
		t.Errorf("a cell's centre, 110 km from its edges, goes to %v", got)
	}
}

// destination is the point km from (lat, lon) on bearing deg.
func destination(lat, lon, deg, km float64) (float64, float64) {
	const r = 6371.0088
	φ, λ, θ, δ := lat*math.Pi/180, lon*math.Pi/180, deg*math.Pi/180, km/r
	φ2 := math.Asin(math.Sin(φ)*math.Cos(δ) + math.Cos(φ)*math.Sin(δ)*math.Cos(θ))
	λ2 := λ + math.Atan2(math.Sin(θ)*math.Sin(δ)*math.Cos(φ), math.Cos(δ)-math.Sin(φ)*math.Sin(φ2))
	lon2 := math.Mod(λ2*180/math.Pi+540, 360) - 180
	return φ2 * 180 / math.Pi, lon2
}

func TestCellCodec(t *testing.T) {
	f := Fix{MMSI: 273123456, Time: time.Date(2024, 3, 1, 1, 2, 3, 456, time.UTC), Lat: -9.5, Lon: 179.25, SOG: float32(math.NaN()), COG: 12.5}
	m, err := decodeCell(encodeFix("run-1", f))
	if err != nil || m.kind != cellFix || m.run != "run-1" || m.fix.MMSI != f.MMSI || !m.fix.Time.Equal(f.Time) ||
		m.fix.Lat != f.Lat || m.fix.Lon != f.Lon || m.fix.SOG == m.fix.SOG || m.fix.COG != f.COG {
		t.Fatalf("fix round trip: %+v %v", m, err)
	}
	m, err = decodeCell(encodeCellEnd("run-1", 3, 64))
	if err != nil || m.kind != cellEnd || m.run != "run-1" || m.from != 3 || m.of != 64 {
		t.Fatalf("end round trip: %+v %v", m, err)
	}
	m, err = decodeCell(encodeWatermark("run-1", 5, 64, f.Time))
	if err != nil || m.kind != cellWater || m.from != 5 || m.of != 64 || m.water != f.Time.UnixNano() {
		t.Fatalf("watermark round trip: %+v %v", m, err)
	}
	st := vessel.Static{MMSI: 273, Time: f.Time, Has: vessel.HasName, Name: "EASTERN HARMONY"}
	m, err = decodeCell(encodeLabel("run-1", &st))
	if err != nil || m.kind != cellStatic || !reflect.DeepEqual(m.static, st) {
		t.Fatalf("label round trip: %+v %v", m, err)
	}
	for name, b := range map[string][]byte{
		"empty":         nil,
		"short run":     {cellFix, 9, 'a'},
		"short fix":     encodeFix("r", f)[:20],
		"unknown kind":  append([]byte{'X'}, encodeCellEnd("r", 1, 2)[1:]...),
		"end past of":   encodeCellEnd("r", 2, 2),
		"end no run":    encodeCellEnd("", 0, 2),
		"invalid place": encodeFix("r", Fix{MMSI: 1, Time: f.Time, Lat: 91}),
		"short label":   encodeLabel("r", &st)[:20],
		"long label":    append(encodeLabel("r", &st), 'x'),
		"short water":   encodeWatermark("r", 1, 2, f.Time)[:10],
	} {
		if _, err := decodeCell(b); !errors.Is(err, ErrBadMessage) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// FuzzDecodeCell: whatever arrives on the cell stream decodes or is
// ErrBadMessage, never a panic; what decodes re-encodes to the same bytes.
func FuzzDecodeCell(f *testing.F) {
	f.Add(encodeFix("run", Fix{MMSI: 1, Time: time.Unix(5, 0), Lat: 1, Lon: 2}))
	f.Add(encodeCellEnd("run", 0, 4))
	f.Add([]byte{cellEnd, 0})
	f.Add(encodeWatermark("run", 1, 4, time.Unix(7, 0)))
	f.Add(encodeLabel("run", &vessel.Static{MMSI: 1, Time: time.Unix(9, 0), Has: vessel.HasName | vessel.HasIMO, IMO: 9358010, Name: "MAIA-1"}))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeCell(b)
		if err != nil {
			if !errors.Is(err, ErrBadMessage) {
				t.Fatalf("error not ErrBadMessage: %v", err)
			}
			return
		}
		var again []byte
		switch m.kind {
		case cellFix:
			again = encodeFix(m.run, m.fix)
		case cellStatic:
			again = encodeLabel(m.run, &m.static)
		case cellWater:
			again = encodeWatermark(m.run, m.from, m.of, time.Unix(0, m.water))
		default:
			again = encodeCellEnd(m.run, m.from, m.of)
		}
		if string(again) != string(b) {
			t.Fatalf("re-encoded %x, read %x", again, b)
		}
	})
}

// The filter passes slow fixes, the fast fix before a slow one and the
// fast fix after one, and nothing of a fast passage.
func TestFixFilter(t *testing.T) {
	nan := float32(math.NaN())
	speeds := []float32{12, 12, 12, 1, 0.5, nan, 12, 12, 12, 3, 12}
	want := []bool{false, false, true, true, true, true, true, false, true, true, true}
	x := NewFixFilter(5)
	var got []Fix
	for i, s := range speeds {
		got = x.Add(got, Fix{MMSI: 7, Time: time.Unix(int64(i), 0), SOG: s})
		x.Add(nil, Fix{MMSI: 8, Time: time.Unix(int64(i), 0), SOG: 12}) // another vessel between
	}
	var sent []bool
	for i := range speeds {
		sent = append(sent, slices.ContainsFunc(got, func(f Fix) bool { return f.Time.Unix() == int64(i) }))
	}
	if !slices.Equal(sent, want) {
		t.Errorf("sent %v, want %v", sent, want)
	}
	for i := 1; i < len(got); i++ {
		if !got[i].Time.After(got[i-1].Time) {
			t.Fatalf("fixes out of order: %v", got)
		}
	}
}

// scenario is a day of vessels meeting at sea, some at cell corners and
// edges, one pair drifting across a cell edge while it meets, with ships
// passing at speed around them. Points are in time order.
func scenario(rng *rand.Rand) []vessel.TrackPoint {
	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	var pts []vessel.TrackPoint
	add := func(mmsi uint32, step time.Duration, legs [][4]float64) {
		// legs: hours, bearing, knots, jitter-free; start position in legs[0] as lat/lon via the first entry
		lat, lon := legs[0][0], legs[0][1]
		tm := t0.Add(time.Duration(legs[0][2] * float64(time.Hour)))
		for _, l := range legs[1:] {
			hours, bearing, kn := l[0], l[1], l[2]
			end := tm.Add(time.Duration(hours * float64(time.Hour)))
			for tm.Before(end) {
				sog := float32(kn + rng.Float64()*0.2)
				pts = append(pts, vessel.TrackPoint{Position: vessel.Position{MMSI: mmsi, Time: tm, Lat: lat, Lon: lon, SOG: sog, COG: float32(bearing)}, Segment: 1})
				dt := step + time.Duration(rng.IntN(60))*time.Second
				if tm.Add(dt).After(end) {
					dt = end.Sub(tm) // the leg ends on time, where planned
				}
				lat, lon = destination(lat, lon, bearing, kn*1.852*dt.Hours())
				tm = tm.Add(dt)
			}
		}
	}
	meet := func(a, b uint32, lat, lon, startH, hours, driftBearing, driftKn float64) {
		// Both come in at 11 kn over 2 h from opposite sides, drift
		// together ~150 m apart, and leave.
		la, loa := destination(lat, lon, 270, 11*1.852*2)
		lb, lob := destination(lat, lon+0.0015, 90, 11*1.852*2)
		add(a, 3*time.Minute, [][4]float64{{la, loa, startH}, {2, 90, 11}, {hours, driftBearing, driftKn}, {3, 0, 12}})
		add(b, 4*time.Minute, [][4]float64{{lb, lob, startH + 0.02}, {2, 270, 11}, {hours, driftBearing, driftKn}, {3, 180, 12}})
	}
	meet(273000001, 273000002, 10.0, 60.0, 1, 3, 45, 0.4)      // at a corner of four cells
	meet(273000003, 273000004, 9.99, 64.5, 2, 4, 0, 1.2)       // drifting north across an edge
	meet(273000005, 273000006, -20.3, -179.99, 0, 5, 90, 0.3)  // at the antimeridian
	meet(273000007, 273000008, 35.0, 18.0, 5, 1.5, 180, 0.2)   // too short
	meet(273000009, 273000010, 44.0, -30.03, 3, 6, 270, 0.8)   // long, near an edge
	meet(273000011, 273000012, -3.1, 101.0, 0.5, 2.5, 10, 0.1) // mid-cell
	for i := range 20 {                                        // ships passing at speed, some through the meetings
		lat, lon := 9.0+rng.Float64()*2, 59.0+rng.Float64()*6
		add(273100000+uint32(i), 2*time.Minute, [][4]float64{{lat, lon, rng.Float64() * 4}, {10, rng.Float64() * 360, 9 + rng.Float64()*6}})
	}
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].Time.Before(pts[j].Time) })
	return pts
}

// finalEvents runs the engine over points and returns the last version of
// each event by key.
func runEngine(t *testing.T, pts []vessel.TrackPoint, keep func(event.Event) bool) map[string]event.Event {
	t.Helper()
	e, err := detect.New(encounterOnly(), detect.Deps{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]event.Event{}
	take := func() {
		for _, ev := range e.Drain() {
			if keep == nil || keep(ev) {
				out[ev.Key] = ev
			}
		}
	}
	for _, p := range pts {
		e.Point(p)
		take()
	}
	e.Flush()
	take()
	return out
}

// The spatial stage finds what one detector over every vessel finds: the
// fixes each partition's filter passes, routed to the cells within the
// margin, run through one detector per cell partition whose events are
// kept by the owning partition only, give the same encounters, each once.
func TestCellsMatchOneEngine(t *testing.T) {
	pts := scenario(rand.New(rand.NewPCG(7, 7)))
	want := runEngine(t, pts, nil)
	if len(want) < 4 {
		t.Fatalf("the scenario has %d encounters; it should have at least 4", len(want))
	}

	const obsParts = 4
	cfg := CellConfig{Config: Config{Partitions: 16}}.withDefaults()
	filters := make([]*FixFilter, obsParts)
	for i := range filters {
		filters[i] = NewFixFilter(encounterOnly().Encounter.IndexKn)
	}
	perCell := make([][]vessel.TrackPoint, cfg.Partitions)
	sent := 0
	for _, p := range pts {
		for _, f := range filters[Partition(p.MMSI, obsParts)].Add(nil, FixOf(p)) {
			sent++
			for _, cp := range cfg.partitionsNear(nil, f.Lat, f.Lon) {
				perCell[cp] = append(perCell[cp], f.TrackPoint())
			}
		}
	}
	got := map[string]event.Event{}
	found := 0
	for cp, cpts := range perCell {
		evs := runEngine(t, cpts, func(e event.Event) bool { return cfg.ownerOf(e.Lat, e.Lon) == cp })
		for k, e := range evs {
			if _, dup := got[k]; dup {
				t.Errorf("event %s kept by two partitions", k)
			}
			got[k] = e
			found++
		}
	}
	t.Logf("%d points, %d fixes sent to the stage, %d encounters", len(pts), sent, len(want))
	if sent >= len(pts) {
		t.Errorf("the filter passed %d of %d points", sent, len(pts))
	}
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("missing %s: %s", k, w.Explanation)
			continue
		}
		gj, _ := json.Marshal(g)
		wj, _ := json.Marshal(w)
		if string(gj) != string(wj) {
			t.Errorf("event %s differs:\n got %s\nwant %s", k, gj, wj)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("extra %s: %s", k, g.Explanation)
		}
	}
}
