package match

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/imagery"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

var t0 = time.Date(2023, 10, 21, 21, 14, 3, 0, time.UTC)

func najinScene() imagery.Scene {
	return imagery.Scene{ID: "S1", Acquired: t0, Platform: "sentinel-1a", ResolutionM: 10,
		Footprint: imagery.Footprint{{{130.0, 42.0}, {130.6, 42.0}, {130.6, 42.5}, {130.0, 42.5}, {130.0, 42.0}}}}
}

func pt(mmsi uint32, dt time.Duration, lat, lon float64, sog, cog float32, seg uint32) vessel.TrackPoint {
	return vessel.TrackPoint{Position: vessel.Position{MMSI: mmsi, Time: t0.Add(dt), Lat: lat, Lon: lon, SOG: sog, COG: cog, Heading: 511}, Segment: seg}
}

func TestPredict(t *testing.T) {
	tr := Track{MMSI: 1, Points: []vessel.TrackPoint{
		pt(1, -10*time.Minute, 42.0, 130.0, 10, 0, 1),
		pt(1, 10*time.Minute, 42.1, 130.2, 10, 0, 1),
		pt(1, 50*time.Minute, 42.2, 130.2, 10, 0, 2),
	}}
	lat, lon, age, _, interp, ok := Predict(&tr, t0, time.Hour)
	if !ok || !interp || math.Abs(lat-42.05) > 1e-9 || math.Abs(lon-130.1) > 1e-9 || age != 10*time.Minute {
		t.Errorf("interpolated %v %v %v %v %v", lat, lon, age, interp, ok)
	}
	// Across a segment break: the nearer fix, dead-reckoned (10 kn north
	// for 15 min is 2.5 nmi = 4630 m).
	lat, lon, age, spd, interp, ok := Predict(&tr, t0.Add(25*time.Minute), time.Hour)
	if !ok || interp || age != 15*time.Minute || spd != 10 || math.Abs(distanceM(42.1, 130.2, lat, lon)-4630) > 5 || lon != 130.2 {
		t.Errorf("dead reckoned %v %v %v %v", lat, lon, age, interp)
	}
	// No fix within the limit.
	if _, _, _, _, _, ok := Predict(&tr, t0.Add(3*time.Hour), time.Hour); ok {
		t.Error("stale track predicted")
	}
	// Across the antimeridian.
	tr = Track{MMSI: 2, Points: []vessel.TrackPoint{pt(2, -time.Minute, 0, 179.9, 5, 90, 1), pt(2, time.Minute, 0, -179.9, 5, 90, 1)}}
	if _, lon, _, _, _, _ := Predict(&tr, t0, time.Hour); math.Abs(math.Abs(lon)-180) > 1e-9 {
		t.Errorf("antimeridian lon %v", lon)
	}
}

// scenario draws ships in a crowded anchorage, their AIS tracks and their
// detections. Ships with i%dark == 0 have no AIS; spoofed AIS tracks
// with no ship are added.
type scenario struct {
	tracks   []Track
	dets     []imagery.Detection
	truth    map[string]uint32 // detection ID → true MMSI (0: dark)
	spoofed  map[uint32]bool
	darkDets map[string]bool
}

func makeScenario(rng *rand.Rand, n int, spacingM float64, dark, spoof int) scenario {
	sc := scenario{truth: map[string]uint32{}, spoofed: map[uint32]bool{}, darkDets: map[string]bool{}}
	const lat0, lon0 = 42.24, 130.30
	type ship struct{ lat, lon, sog, cog, length float64 }
	var ships []ship
	for len(ships) < n {
		// A loose grid with jitter: neighbours about spacingM apart.
		k := len(ships)
		side := int(math.Ceil(math.Sqrt(float64(n))))
		dn := (float64(k/side) + 0.3*rng.NormFloat64()) * spacingM
		de := (float64(k%side) + 0.3*rng.NormFloat64()) * spacingM
		s := ship{lat: lat0 + dn/111320, lon: lon0 + de/(111320*math.Cos(lat0*math.Pi/180)),
			length: 40 + rng.Float64()*160, cog: rng.Float64() * 360}
		if rng.IntN(3) > 0 {
			s.sog = rng.Float64() * 12 // under way; the rest at anchor
		}
		ships = append(ships, s)
	}
	for k, s := range ships {
		mmsi := uint32(273000000 + k)
		// Truth moves on a straight line; AIS fixes every 1–6 min with
		// 20 m noise around the acquisition.
		pos := func(dt float64) (float64, float64) {
			d := s.sog * 1852 / 3600 * dt
			return s.lat + d*math.Cos(s.cog*math.Pi/180)/111320, s.lon + d*math.Sin(s.cog*math.Pi/180)/(111320*math.Cos(s.lat*math.Pi/180))
		}
		if dark == 0 || k%dark != 0 {
			tr := Track{MMSI: mmsi, Name: fmt.Sprintf("SHIP %d", k), LengthM: math.Round(s.length)}
			for dt := -1800.0 + rng.Float64()*300; dt < 1800; dt += 60 + rng.Float64()*300 {
				la, lo := pos(dt)
				la += 20 * rng.NormFloat64() / 111320
				lo += 20 * rng.NormFloat64() / 82000
				tr.Points = append(tr.Points, pt(mmsi, time.Duration(dt*float64(time.Second)), la, lo, float32(s.sog), float32(s.cog), 1))
			}
			sc.tracks = append(sc.tracks, tr)
		} else {
			mmsi = 0
		}
		// The detection: 60 m geolocation noise, the SAR azimuth shift of
		// the radial (east) speed component displacing it north, length
		// within ±20%.
		la, lo := pos(0)
		vEast := s.sog * 1852 / 3600 * math.Sin(s.cog*math.Pi/180)
		shift := 110 * 0.57 * vEast
		la += (60*rng.NormFloat64() + shift) / 111320
		lo += 60 * rng.NormFloat64() / 82000
		id := fmt.Sprintf("d%03d", k)
		sc.dets = append(sc.dets, imagery.Detection{ID: id, SceneID: "S1", Time: t0, Lat: la, Lon: lo,
			LengthM: s.length * (1 + 0.2*(2*rng.Float64()-1)), Confidence: 0.95, Source: "test"})
		sc.truth[id] = mmsi
		if mmsi == 0 {
			sc.darkDets[id] = true
		}
	}
	for k := 0; k < spoof; k++ {
		mmsi := uint32(412000000 + k)
		la, lo := lat0-0.03-0.01*float64(k), lon0-0.05
		sc.tracks = append(sc.tracks, Track{MMSI: mmsi, Name: "GHOST", LengthM: 150, Points: []vessel.TrackPoint{
			pt(mmsi, -2*time.Minute, la, lo, 0, 0, 1), pt(mmsi, 3*time.Minute, la, lo, 0, 0, 1)}})
		sc.spoofed[mmsi] = true
	}
	return sc
}

// TestMatchCrowded: ships 400 m apart (less than the spread of a
// prediction under way), some dark, some AIS tracks without a ship. At
// least 95% of AIS ships are matched to the right MMSI, dark ones are
// found, spoofed tracks are reported unseen, and every wrong match is
// flagged ambiguous.
func TestMatchCrowded(t *testing.T) {
	rng := rand.New(rand.NewPCG(42, 1))
	var total, correct, wrongConfident, darkFound, darkTotal, falseDark, spoofFound, spoofTotal, ambiguous int
	for trial := 0; trial < 20; trial++ {
		sc := makeScenario(rng, 40, 400, 8, 2)
		res, err := Run(Input{Scene: najinScene(), Detections: sc.dets, Tracks: sc.tracks}, Config{})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range res.Matched {
			want := sc.truth[m.Detection.ID]
			if want == 0 {
				continue
			}
			if m.Ambiguous {
				ambiguous++
			}
			if m.MMSI == want {
				correct++
			} else if !m.Ambiguous {
				wrongConfident++
			}
		}
		for _, w := range sc.truth {
			if w != 0 {
				total++
			}
		}
		for id := range sc.darkDets {
			darkTotal++
			for _, d := range res.Dark {
				if d.Detection.ID == id {
					darkFound++
				}
			}
		}
		for _, d := range res.Dark {
			if !sc.darkDets[d.Detection.ID] {
				falseDark++
			}
		}
		for mmsi := range sc.spoofed {
			spoofTotal++
			for _, u := range res.NotSeen {
				if u.MMSI == mmsi && u.Reason == "not detected" && u.Score > 0.8 {
					spoofFound++
				}
			}
		}
		if len(res.Events) != len(res.Dark) {
			t.Fatalf("%d events for %d dark", len(res.Events), len(res.Dark))
		}
	}
	rate := float64(correct) / float64(total)
	t.Logf("correct %d/%d (%.3f), wrong and not flagged %d, ambiguous %d; dark found %d/%d, false dark %d; spoofed unseen %d/%d",
		correct, total, rate, wrongConfident, ambiguous, darkFound, darkTotal, falseDark, spoofFound, spoofTotal)
	if rate < 0.95 {
		t.Errorf("correct assignments %.3f < 0.95", rate)
	}
	if wrongConfident > total/100 {
		t.Errorf("%d wrong matches not flagged ambiguous", wrongConfident)
	}
	if darkFound < darkTotal*9/10 {
		t.Errorf("dark vessels found %d/%d", darkFound, darkTotal)
	}
	if falseDark > total/50 {
		t.Errorf("%d AIS ships reported dark", falseDark)
	}
	if spoofFound != spoofTotal {
		t.Errorf("spoofed tracks reported unseen %d/%d", spoofFound, spoofTotal)
	}
}

// TestAmbiguity: two same-length ships 150 m apart whose only AIS fixes
// are 20 minutes old under way: either assignment is about as likely, so
// both matches are flagged ambiguous with the other as alternative.
func TestAmbiguity(t *testing.T) {
	tracks := []Track{
		{MMSI: 1, Name: "A", LengthM: 100, Points: []vessel.TrackPoint{pt(1, -20*time.Minute, 42.200, 130.300, 8, 0, 1)}},
		{MMSI: 2, Name: "B", LengthM: 100, Points: []vessel.TrackPoint{pt(2, -20*time.Minute, 42.2005, 130.3015, 8, 0, 1)}},
	}
	// Both moved ~4.9 km north; detections between the predictions.
	p1lat, p1lon, _, _, _, _ := Predict(&tracks[0], t0, time.Hour)
	p2lat, p2lon, _, _, _, _ := Predict(&tracks[1], t0, time.Hour)
	dets := []imagery.Detection{
		{ID: "x", Time: t0, Lat: (p1lat + p2lat) / 2, Lon: (p1lon+p2lon)/2 - 0.0002, LengthM: 100, Confidence: 1},
		{ID: "y", Time: t0, Lat: (p1lat + p2lat) / 2, Lon: (p1lon+p2lon)/2 + 0.0002, LengthM: 100, Confidence: 1},
	}
	res, err := Run(Input{Scene: najinScene(), Detections: dets, Tracks: tracks}, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Matched) != 2 {
		t.Fatalf("%+v", res)
	}
	for _, m := range res.Matched {
		if !m.Ambiguous || len(m.Alternatives) != 1 || m.Score > 0.8 {
			t.Errorf("not flagged: %+v", m)
		}
	}
	// Length tells them apart: ship 2 is 250 m long.
	tracks[1].LengthM = 250
	dets[1].LengthM = 240
	res, _ = Run(Input{Scene: najinScene(), Detections: dets, Tracks: tracks}, Config{})
	for _, m := range res.Matched {
		want := map[string]uint32{"x": 1, "y": 2}[m.Detection.ID]
		if m.MMSI != want || m.Ambiguous {
			t.Errorf("with lengths: %s → %d ambiguous=%v score %v", m.Detection.ID, m.MMSI, m.Ambiguous, m.Score)
		}
	}
	// One detection between two vessels: ambiguous, and the other vessel
	// is not declared unseen with confidence.
	res, _ = Run(Input{Scene: najinScene(), Detections: dets[:1], Tracks: tracks[:1:1]}, Config{})
	if len(res.Matched) != 1 || res.Matched[0].Ambiguous {
		t.Errorf("single pair: %+v", res.Matched)
	}
}

func TestDarkEventAndFootprint(t *testing.T) {
	tracks := []Track{
		{MMSI: 273111000, Name: "NEAR", LengthM: 120, Points: []vessel.TrackPoint{pt(273111000, -time.Minute, 42.25, 130.35, 0, 0, 1)}},
		{MMSI: 273222000, Name: "OUTSIDE", LengthM: 120, Points: []vessel.TrackPoint{pt(273222000, -time.Minute, 41.5, 130.35, 0, 0, 1)}},
		{MMSI: 273333000, Name: "SMALL", LengthM: 12, Points: []vessel.TrackPoint{pt(273333000, -time.Minute, 42.3, 130.1, 0, 0, 1)}},
		{MMSI: 273444000, Name: "BERTH", LengthM: 90, Points: []vessel.TrackPoint{pt(273444000, -time.Minute, 42.45, 130.55, 0, 0, 1)}},
		{MMSI: 273555000, Name: "OLD", LengthM: 90, Points: []vessel.TrackPoint{pt(273555000, -3*time.Hour, 42.2, 130.2, 0, 0, 1)}},
	}
	dets := []imagery.Detection{{ID: "cfar/v1/1", SceneID: "S1", Time: t0, Lat: 42.2500, Lon: 130.3000, LengthM: 110, Confidence: 0.9, Source: "cfar/v1"}}
	land := landFunc(func(lat, lon float64) bool { return lat > 42.4 && lon > 130.5 })
	res, err := Run(Input{Scene: najinScene(), Detections: dets, Tracks: tracks, Land: land}, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Dark) != 1 || len(res.Events) != 1 {
		t.Fatalf("%+v", res)
	}
	e := res.Events[0]
	if e.Kind != event.DarkDetection || e.Detector != Detector || !e.Start.Equal(t0) || e.Lat != 42.25 || e.Confidence != 0.9 ||
		e.Details["nearest_mmsi"] != uint32(273111000) || e.Key != event.MakeKey(Detector, event.DarkDetection, "S1", "cfar/v1/1") {
		t.Errorf("%+v", e)
	}
	for _, s := range []string{"about 110 m long", "42.2500°N 130.3000°E", "sentinel-1a", "MMSI 273111000 NEAR", "4.1 km"} {
		if !strings.Contains(e.Explanation, s) {
			t.Errorf("explanation lacks %q: %s", s, e.Explanation)
		}
	}
	reasons := map[uint32]string{}
	for _, u := range res.NotSeen {
		reasons[u.MMSI] = u.Reason
	}
	if reasons[273111000] != "not detected" || reasons[273333000] != "too small" || reasons[273444000] != "on land mask" || len(reasons) != 3 {
		t.Errorf("not seen: %+v", res.NotSeen)
	}
	if len(res.NotImaged) != 1 || res.NotImaged[0] != 273222000 || res.Stale != 1 {
		t.Errorf("not imaged %v stale %d", res.NotImaged, res.Stale)
	}
	if _, err := Run(Input{Scene: imagery.Scene{ID: "x"}}, Config{}); !errors.Is(err, ErrInput) {
		t.Errorf("scene without time: %v", err)
	}
	if _, err := Run(Input{Scene: imagery.Scene{ID: "x", Acquired: t0}}, Config{}); !errors.Is(err, ErrInput) {
		t.Errorf("scene without footprint: %v", err)
	}
}

type landFunc func(lat, lon float64) bool

func (f landFunc) OnLand(lat, lon float64) bool { return f(lat, lon) }
