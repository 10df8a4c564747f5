package track

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/vessel"
)

// scenario is generated input with its ground truth, counted while
// generating, independently of the Tracker.
type scenario struct {
	obs []vessel.Observation // in arrival order

	points, dups, late, invalid, statics int64
	segments                             map[uint32]int // per MMSI
	identities                           map[uint32][]scenarioID
	evictions                            int64
}

type scenarioID struct {
	name        string
	first, last time.Time
	reports     int
}

// genScenario: n vessels over 40 hours. Each moves at 5-20 kn (some across
// the antimeridian), reports its position every 10 s, 30 s or 3 min and a
// type 5 every 6 min. Some teleport once (a new segment), some fall
// silent for 25 h (a new segment, and an eviction), some are renamed.
// Reports are heard twice now and then (duplicates), arrive up to 3 min
// out of order (within the reorder window), a few 30 min late, and a few
// are invalid.
func genScenario(seed uint64, n int) *scenario {
	rng := rand.New(rand.NewPCG(seed, 42))
	sc := &scenario{segments: map[uint32]int{}, identities: map[uint32][]scenarioID{}}
	type arrival struct {
		key time.Duration // arrival time
		seq int
		obs vessel.Observation
	}
	var arr []arrival
	push := func(key time.Duration, o vessel.Observation) {
		arr = append(arr, arrival{key, len(arr), o})
	}
	mids := []uint32{273, 445, 636, 538, 341, 620, 457, 312, 511, 613, 667, 671, 412, 351, 244}
	const span = 40 * time.Hour
	for i := range n {
		mmsi := mids[i%len(mids)]*1_000_000 + uint32(1000+i)
		lat := rng.Float64()*100 - 50
		lon := rng.Float64()*360 - 180
		if i%10 == 0 {
			lon = 179.5 // will cross the antimeridian eastwards
		}
		heading := rng.Float64() * 2 * math.Pi
		if i%10 == 0 {
			heading = math.Pi / 2
		}
		speed := 5 + rng.Float64()*15 // kn
		interval := []time.Duration{10 * time.Second, 30 * time.Second, 3 * time.Minute}[rng.IntN(3)]

		teleport, gap, rename := time.Duration(-1), time.Duration(-1), time.Duration(-1)
		if rng.IntN(5) == 0 {
			teleport = time.Duration(2+rng.IntN(30)) * time.Hour
		}
		if rng.IntN(6) == 0 {
			gap = time.Duration(2+rng.IntN(10)) * time.Hour
		}
		if rng.IntN(3) == 0 {
			rename = time.Duration(1+rng.IntN(35))*time.Hour + 3*time.Minute
		}
		sc.segments[mmsi] = 1
		if teleport >= 0 && !(gap >= 0 && teleport >= gap && teleport < gap+25*time.Hour) {
			sc.segments[mmsi]++
		} else {
			teleport = -1
		}
		if gap >= 0 {
			sc.segments[mmsi]++
			sc.evictions++
		}
		// eventNear: a teleport or the gap within an hour after d.
		eventNear := func(d time.Duration) bool {
			for _, e := range []time.Duration{teleport, gap} {
				if e >= 0 && d <= e && e-d < time.Hour {
					return true
				}
			}
			return d > span-time.Hour
		}
		silent := func(d time.Duration) bool { return gap >= 0 && d >= gap && d < gap+25*time.Hour }

		// Positions.
		for d := time.Duration(0); d < span; d += interval {
			hours := interval.Hours()
			lat += speed * hours * math.Cos(heading) / 60
			lon += speed * hours * math.Sin(heading) / 60 / math.Cos(lat*math.Pi/180)
			if lat > 70 || lat < -70 {
				heading = math.Pi - heading
				lat = math.Max(-70, math.Min(70, lat))
			}
			lon = math.Mod(lon+540, 360) - 180
			if teleport >= 0 && d >= teleport && d-interval < teleport {
				lat = -lat / 2 // thousands of km away
				lon = math.Mod(lon+90+540, 360) - 180
			}
			if silent(d) {
				continue
			}
			o := pos(mmsi, at(d), lat, lon)
			o.Position.SOG = float32(speed)
			if rng.IntN(200) == 0 {
				bad := *o.Position
				bad.Lat = 91
				push(d, vessel.Observation{Position: &bad})
				sc.invalid++
			}
			sc.points++
			jitter := time.Duration(rng.Int64N(int64(3 * time.Minute)))
			if rng.IntN(100) == 0 && !eventNear(d) && d > time.Hour {
				push(d+30*time.Minute, o)
				sc.late++
				continue
			}
			push(d+jitter, o)
			if rng.IntN(10) == 0 {
				cp := posFrom("rx2", o)
				cp.Position.Time = cp.Position.Time.Add(time.Duration(rng.IntN(2)) * time.Second)
				push(d+jitter+time.Duration(rng.Int64N(int64(2*time.Second))), cp)
				sc.dups++
			}
		}
		// Static reports.
		name := fmt.Sprintf("VESSEL %d", i)
		imo := uint32(9000000 + i)
		for d := time.Duration(30 * time.Second); d < span; d += 6 * time.Minute {
			if silent(d) {
				continue
			}
			if rename >= 0 && d >= rename && d-6*time.Minute < rename {
				name += " II"
			}
			ids := sc.identities[mmsi]
			if len(ids) == 0 || ids[len(ids)-1].name != name {
				ids = append(ids, scenarioID{name: name, first: at(d)})
			}
			ids[len(ids)-1].last = at(d)
			ids[len(ids)-1].reports++
			sc.identities[mmsi] = ids
			sc.statics++
			o := type5(mmsi, at(d), imo, name, fmt.Sprintf("C%d", i), 70, "PORT")
			jitter := time.Duration(rng.Int64N(int64(3 * time.Minute)))
			push(d+jitter, o)
			if rng.IntN(10) == 0 {
				cp := *o.Static
				cp.Source = "rx2"
				push(d+jitter+time.Second, vessel.Observation{Static: &cp})
				sc.dups++
			}
		}
	}
	slices.SortStableFunc(arr, func(a, b arrival) int { return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.seq, b.seq)) })
	for _, a := range arr {
		sc.obs = append(sc.obs, a.obs)
	}
	return sc
}

// TestScenarioCounts checks the Tracker's counters and output against the
// generator's ground truth.
func TestScenarioCounts(t *testing.T) {
	sc := genScenario(1, 60)
	// Arrival jitter of up to 3 minutes on 10-second reports is 18 reports
	// deep: the window, not the default depth, is what is tested here.
	tr, c := run(t, Config{ReorderDepth: -1}, sc.obs...)
	s := tr.Stats()
	if s.Observations != int64(len(sc.obs)) || s.Points != sc.points || s.Duplicates != sc.dups ||
		s.Late != sc.late || s.Invalid != sc.invalid || s.Statics != sc.statics || s.Buffered != 0 ||
		s.Evictions != sc.evictions {
		t.Errorf("stats %+v\nwant points %d dups %d late %d invalid %d statics %d evictions %d",
			s, sc.points, sc.dups, sc.late, sc.invalid, sc.statics, sc.evictions)
	}
	if sc.late == 0 || sc.dups == 0 || sc.evictions == 0 || sc.invalid == 0 {
		t.Fatalf("scenario lacks a case: %+v", sc)
	}

	// Segments: per MMSI, the expected number, numbered 1..k, and never
	// going back in time order (no MMSI is shared here).
	byMMSI := map[uint32][]vessel.TrackPoint{}
	for _, p := range c.Points {
		byMMSI[p.MMSI] = append(byMMSI[p.MMSI], p)
	}
	var wantSegs int64
	for mmsi, k := range sc.segments {
		wantSegs += int64(k)
		pts := byMMSI[mmsi]
		slices.SortStableFunc(pts, func(a, b vessel.TrackPoint) int { return a.Time.Compare(b.Time) })
		segs := segmentsOf(pts)
		if !slices.IsSorted(segs) || segs[0] != 1 || segs[len(segs)-1] != uint32(k) || len(slices.Compact(segs)) != k {
			t.Errorf("MMSI %d: segments %v..., want 1..%d in time order", mmsi, slices.Compact(segs), k)
		}
	}
	if s.Segments != wantSegs {
		t.Errorf("%d segments started, want %d", s.Segments, wantSegs)
	}

	// Identities: folded as the store does, exactly the generated history.
	hist := map[uint32][]scenarioID{}
	for _, id := range fold(c.Identities) {
		hist[id.MMSI] = append(hist[id.MMSI], scenarioID{id.Name, id.FirstSeen, id.LastSeen, id.Reports})
	}
	var wantNew int64
	for mmsi, want := range sc.identities {
		wantNew += int64(len(want))
		if !reflect.DeepEqual(hist[mmsi], want) {
			t.Errorf("MMSI %d: history %+v, want %+v", mmsi, hist[mmsi], want)
		}
	}
	if len(hist) != len(sc.identities) || s.NewIdentity != wantNew {
		t.Errorf("%d vessels with identities, %d new; want %d, %d", len(hist), s.NewIdentity, len(sc.identities), wantNew)
	}
	t.Logf("%d observations: %+v", len(sc.obs), s)
}

// TestScenarioDeterministic: the same input gives the same output, point
// for point and batch for batch.
func TestScenarioDeterministic(t *testing.T) {
	sc := genScenario(7, 20)
	_, a := run(t, Config{}, sc.obs...)
	_, b := run(t, Config{}, sc.obs...)
	if !reflect.DeepEqual(a.Points, b.Points) || !reflect.DeepEqual(a.Identities, b.Identities) {
		t.Error("two runs over the same input differ")
	}
}

// TestReorderInvariance: any arrival order within the reorder window gives
// the same track points and identities as arrival in time order.
func TestReorderInvariance(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	type item struct {
		key time.Duration
		obs vessel.Observation
	}
	var items []item
	for v := range 40 {
		mmsi := uint32(273_100_000 + v)
		lat, lon := rng.Float64()*80-40, rng.Float64()*360-180
		for i := range 400 {
			d := time.Duration(i) * 20 * time.Second
			if rng.IntN(150) == 0 {
				lat, lon = -lat, lon/2 // teleport
			}
			if v%4 == 0 && i%2 == 1 {
				// A second ship on the same MMSI, far away.
				items = append(items, item{d, pos(mmsi, at(d), -lat, lon+float64(i)*1e-4)})
				continue
			}
			lat += 1e-3
			items = append(items, item{d, pos(mmsi, at(d), lat, lon)})
			if i%18 == 0 {
				items = append(items, item{d, type5(mmsi, at(d), 9100000+uint32(v), fmt.Sprintf("V%d-%d", v, i/150), "CS", 70, "")})
			}
		}
	}
	inOrder := make([]vessel.Observation, len(items))
	for i, it := range items {
		inOrder[i] = it.obs
	}
	slices.SortStableFunc(inOrder, func(a, b vessel.Observation) int { return a.Time().Compare(b.Time()) })
	for i := range items {
		items[i].key += time.Duration(rng.Int64N(int64(4*time.Minute + 59*time.Second)))
	}
	slices.SortStableFunc(items, func(a, b item) int { return cmp.Compare(a.key, b.key) })
	shuffled := make([]vessel.Observation, len(items))
	for i, it := range items {
		shuffled[i] = it.obs
	}
	norm := func(c *Collector) ([]vessel.TrackPoint, []vessel.Identity) {
		pts := slices.Clone(c.Points)
		slices.SortStableFunc(pts, func(a, b vessel.TrackPoint) int {
			return cmp.Or(cmp.Compare(a.MMSI, b.MMSI), a.Time.Compare(b.Time))
		})
		return pts, fold(c.Identities)
	}
	// Up to 5 minutes on 20-second reports: 15 deep, beyond the default
	// depth (see TestReorderDepth).
	tra, a := run(t, Config{ReorderDepth: -1}, inOrder...)
	trb, b := run(t, Config{ReorderDepth: -1}, shuffled...)
	pa, ia := norm(a)
	pb, ib := norm(b)
	if !reflect.DeepEqual(pa, pb) || !reflect.DeepEqual(ia, ib) {
		t.Errorf("output depends on arrival order within the window")
	}
	if sa, sb := tra.Stats(), trb.Stats(); sb.Late != 0 || sa.Segments != sb.Segments || sa.Segments < 50 {
		t.Errorf("stats in order %+v, shuffled %+v", sa, sb)
	}
}
