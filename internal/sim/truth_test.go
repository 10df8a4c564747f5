package sim

import (
	"math"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"
)

var (
	foundOnce sync.Once
	foundSc   *Scenario
)

// founding plans the founding scenario once per test binary (writing it
// is left to the demo; these tests sample the plans directly).
func founding(t *testing.T) *Scenario {
	t.Helper()
	foundOnce.Do(func() { foundSc = Founding(1) })
	if foundSc.err != nil {
		t.Fatal(foundSc.err)
	}
	return foundSc
}

func shipByName(t *testing.T, s *Scenario, name string) *ship {
	t.Helper()
	for _, sh := range s.ships {
		if sh.Name == name {
			return sh
		}
	}
	t.Fatalf("no ship %s", name)
	return nil
}

func fixPoint(m rec) Point { return Point{float64(m.lat) / 600000, float64(m.lon) / 600000} }

func angleDiff(a, b float64) float64 { return math.Abs(math.Mod(a-b+540, 360) - 180) }

// najinRef is the gazetteer's Najin, the point the dark-port-visit
// detector scores.
var najinRef = Point{42.235, 130.300}

// The founding ships' dark legs: AIS silent from Off to On, the last
// course before pointing at Najin from 20-odd nautical miles, the first
// after heading away from it, the draught deeper after, and the stay at
// Najin in between on the reporting's dates.
func TestDarkLegs(t *testing.T) {
	s := founding(t)
	want := map[string]int{"ANGARA": 11, "MAIA-1": 6, "MARIA": 7}
	legs := map[string][]DarkLeg{}
	for _, d := range s.truth.DarkLegs {
		legs[d.Name] = append(legs[d.Name], d)
	}
	for name, n := range want {
		if len(legs[name]) != n {
			t.Errorf("%s: %d dark legs, want %d", name, len(legs[name]), n)
		}
		sh := shipByName(t, s, name)
		msgs := s.sample(sh, nil)
		for _, d := range legs[name] {
			off, on := d.Off.Unix(), d.On.Unix()
			var before, after, stBefore, stAfter *rec
			for i := range msgs {
				m := &msgs[i]
				switch {
				case m.t >= off && m.t < on:
					t.Fatalf("%s: message at %s inside the dark leg %s–%s", name, fmtT(m.t), d.Off, d.On)
				case m.t < off && m.kind == recPosition:
					before = m
				case m.t < off:
					stBefore = m
				case m.kind == recPosition && after == nil:
					after = m
				case m.kind == recStatic && stAfter == nil:
					stAfter = m
				}
			}
			if before == nil || after == nil || stBefore == nil || stAfter == nil {
				t.Fatalf("%s %s: no reports around the leg", name, d.Off)
			}
			if off-before.t > 1800 || after.t-on > 1800 {
				t.Errorf("%s %s: last report %s, first %s: more than 30 min from the switch", name, d.Off, fmtT(before.t), fmtT(after.t))
			}
			a, b := fixPoint(*before), fixPoint(*after)
			for _, x := range []struct {
				what   string
				course float64
				brg    float64
				p      Point
			}{
				{"last course", float64(before.cog) / 10, bearing(a, najinRef), a},
				{"first course", float64(after.cog) / 10, bearing(najinRef, b), b},
			} {
				if dd := angleDiff(x.course, x.brg); dd > 5 {
					t.Errorf("%s %s: %s %.1f° is %.1f° off the line through Najin", name, d.Off, x.what, x.course, dd)
				}
				if km := distM(x.p, najinRef) / 1000; km < 37 || km > 50 {
					t.Errorf("%s %s: %s %.1f km from Najin, want 20–27 nm", name, d.Off, x.what, km)
				}
			}
			if stAfter.t-on > 600 || float64(stBefore.draught)/10 != d.DraughtBefore || float64(stAfter.draught)/10 != d.DraughtAfter ||
				d.DraughtAfter-d.DraughtBefore < 1.5 {
				t.Errorf("%s %s: draught %.1f before (want %.1f), %.1f after at %s (want %.1f soon after %s)", name, d.Off,
					float64(stBefore.draught)/10, d.DraughtBefore, float64(stAfter.draught)/10, fmtT(stAfter.t), d.DraughtAfter, d.On)
			}
			if d.Port != "Najin" || !d.Arrived.After(d.Off) || !d.Departed.Before(d.On) || d.Departed.Sub(d.Arrived) < 24*time.Hour {
				t.Errorf("%s: leg %+v", name, d)
			}
			if km := distM(Point{d.BerthLat, d.BerthLon}, najinRef) / 1000; km > 3 {
				t.Errorf("%s %s: berth %.2f km from Najin", name, d.Off, km)
			}
		}
	}
	// The reporting's dates: ANGARA loading at Najin on 7–8 September,
	// unloading at Dunay on 12 September 2023.
	angara := shipByName(t, s, "ANGARA")
	for _, c := range []struct {
		at   string
		port string
	}{{"2023-09-07T00:00", "Najin"}, {"2023-09-08T23:00", "Najin"}, {"2023-09-12T00:00", "Dunay"}, {"2023-09-12T23:00", "Dunay"}} {
		sg := angara.plan.at(utc(c.at))
		if sg.kind != segStay || sg.port != c.port {
			t.Errorf("ANGARA at %s: %v at %q, want alongside at %s", c.at, sg.kind, sg.port, c.port)
		}
	}
}

// Every reported position of the special vessels and of a sample of the
// ordinary ones is on water; ordinary vessels never come near Najin and
// are never silent for 12 h (the shortest gap the detectors report) nor
// in the last 8 h of the data.
func TestTracksHonest(t *testing.T) {
	s := founding(t)
	m := testMask(t)
	hi := unix(s.cfg.End)
	for i, sh := range s.ships {
		if sh.Role == RoleBackground && i%5 != 0 {
			continue
		}
		msgs := s.sample(sh, nil)
		if len(msgs) == 0 {
			t.Fatalf("%s sent nothing", sh.Name)
		}
		var prev int64 = unix(s.cfg.Start)
		for _, r := range msgs {
			if r.kind != recPosition {
				continue
			}
			p := fixPoint(r)
			if m.OnLand(p.Lat, p.Lon) {
				t.Errorf("%s at %s: %.5f,%.5f is on land", sh.Name, fmtT(r.t), p.Lat, p.Lon)
			}
			if sh.Role == RoleSanctioned {
				prev = r.t
				continue
			}
			if km := distM(p, najinRef) / 1000; km < 60 {
				t.Errorf("%s (%s) at %s %.0f km from Najin", sh.Name, sh.Role, fmtT(r.t), km)
			}
			if r.t-prev >= 12*3600 {
				t.Errorf("%s (%s) silent %s–%s", sh.Name, sh.Role, fmtT(prev), fmtT(r.t))
			}
			prev = r.t
		}
		if hi-prev > 8*3600 {
			t.Errorf("%s (%s) silent from %s to the end", sh.Name, sh.Role, fmtT(prev))
		}
	}
	for _, d := range s.truth.Dropouts {
		if d.End.Sub(d.Start) >= 6*time.Hour {
			t.Errorf("drop-out %+v of 6 h or more", d)
		}
	}
}

// track interpolates a vessel's positions at t from its reports.
func track(msgs []rec, t int64) (Point, float64, bool) {
	i := sort.Search(len(msgs), func(i int) bool { return msgs[i].t >= t })
	if i == 0 || i == len(msgs) {
		return Point{}, 0, false
	}
	a, b := msgs[i-1], msgs[i]
	f := float64(t-a.t) / float64(b.t-a.t)
	return interpolate(fixPoint(a), fixPoint(b), f), float64(a.sog) / 10, b.t-a.t < 2*3600
}

// The ship-to-ship transfer is a GFW-style encounter: two tankers within
// 500 m of each other for at least 2 h, both slow, at sea at least 10 km
// from any port, with AIS on.
func TestSTS(t *testing.T) {
	s := founding(t)
	st := s.truth.STS
	var tracks [2][]rec
	for k, mmsi := range st.MMSI {
		for _, sh := range s.ships {
			if sh.MMSI == mmsi {
				tracks[k] = slices.DeleteFunc(s.sample(sh, nil), func(r rec) bool { return r.kind != recPosition })
				if sh.plan.isOff(st.Start.Unix()) || sh.plan.isOff(st.End.Unix()-1) {
					t.Errorf("%s's AIS is off during the transfer", sh.Name)
				}
			}
		}
	}
	for _, p := range s.places.Ports() {
		if km := distM(Point{st.Lat, st.Lon}, p.Point()) / 1000; km < 10 {
			t.Errorf("transfer %.1f km from %s", km, p.Name)
		}
	}
	close := 0
	for tt := st.Start.Unix(); tt < st.End.Unix(); tt += 600 {
		a, va, oka := track(tracks[0], tt)
		b, vb, okb := track(tracks[1], tt)
		if !oka || !okb {
			t.Fatalf("no fixes around %s", fmtT(tt))
		}
		d := distM(a, b)
		if d > 500 || va > 2 || vb > 2 {
			t.Errorf("%s: %.0f m apart at %.1f and %.1f kn", fmtT(tt), d, va, vb)
		}
		close++
	}
	if close*600 < 2*3600 {
		t.Errorf("together %d min, want 2 h or more", close*10)
	}
}

// Each scene shows the founding ships alongside at Najin at its time,
// with their AIS off, detected where they lie with lengths that fit them.
func TestScenesTruth(t *testing.T) {
	s := founding(t)
	scenes, files, err := s.scenes()
	if err != nil {
		t.Fatal(err)
	}
	if len(scenes) != len(najinScenes) || len(files) != 3*(len(najinScenes)-1)+2 {
		t.Fatalf("%d scenes, %d files", len(scenes), len(files))
	}
	want := map[string][]string{
		"najin-2023-09-07":     {"ANGARA", "MARIA"},
		"najin-2023-10-05":     {"ANGARA", "MAIA-1", "MARIA"},
		"najin-2023-10-24":     {"ANGARA", "MARIA"},
		"najin-2023-11-14":     {"ANGARA", "MAIA-1"},
		"najin-2023-12-08":     {"ANGARA"},
		"najin-sar-2023-12-16": {"MAIA-1", "MARIA"},
	}
	for _, sc := range scenes {
		ring := sc.Footprint
		var got []string
		for _, d := range sc.Detections {
			if !inRing(ring, d.Lat, d.Lon) {
				t.Errorf("%s %s outside the footprint", sc.ID, d.ID)
			}
			if !d.AISOff {
				t.Errorf("%s %s: AIS on", sc.ID, d.ID)
			}
			if d.MMSI == 0 {
				if d.TrueLengthM > 60 {
					t.Errorf("%s %s: local vessel of %.0f m", sc.ID, d.ID, d.TrueLengthM)
				}
				continue
			}
			got = append(got, d.Name)
			sh := shipByName(t, s, d.Name)
			sg := sh.plan.at(sc.Acquired.Unix())
			if sg.kind != segStay || sg.port != "Najin" || !sh.plan.isOff(sc.Acquired.Unix()) {
				t.Errorf("%s: %s is not alongside at Najin with AIS off", sc.ID, d.Name)
			}
			if m := distM(Point{d.Lat, d.Lon}, sg.at); m > 60 {
				t.Errorf("%s %s: detection %.0f m from the ship", sc.ID, d.Name, m)
			}
			if r := d.LengthM / sh.LengthM; r < 0.949 || r > 1.051 {
				t.Errorf("%s %s: length %.1f m for a %.0f m ship", sc.ID, d.Name, d.LengthM, sh.LengthM)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want[sc.ID]) {
			t.Errorf("%s: ships %v, want %v", sc.ID, got, want[sc.ID])
		}
	}
}

func inRing(r [][2]float64, lat, lon float64) bool {
	in := false
	for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
		if (r[i][1] > lat) != (r[j][1] > lat) && lon < (r[j][0]-r[i][0])*(lat-r[i][1])/(r[j][1]-r[i][1])+r[i][0] {
			in = !in
		}
	}
	return in
}
