package dossier

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/evidence"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// The fixture is a simulated version of the founding case: the vessels'
// names and IMO numbers are public (OFAC SDN, UN 1718 Committee press
// releases of 2023-2024); the tracks, times and scene are made up and the
// case is marked simulated.

var (
	najin  = [2]float64{42.245, 130.305} // Rajin port (approx.)
	dunay  = [2]float64{42.880, 132.360} // Dunay, near Fokino (approx.)
	vostok = [2]float64{42.745, 133.050} // Vostochny (approx.)
	t0     = time.Date(2023, 9, 1, 0, 0, 0, 0, time.UTC)
)

// leg appends fixes every 30 minutes from a to b at the given speed, from t.
func leg(pts []vessel.TrackPoint, mmsi uint32, a, b [2]float64, t time.Time, knots float64, seg uint32) ([]vessel.TrackPoint, time.Time) {
	dLat, dLon := b[0]-a[0], (b[1]-a[1])*math.Cos(a[0]*math.Pi/180)
	nm := math.Hypot(dLat, dLon) * 60
	steps := max(int(nm/knots*2), 1)
	for i := 0; i <= steps; i++ {
		f := float64(i) / float64(steps)
		pts = append(pts, vessel.TrackPoint{Position: vessel.Position{MMSI: mmsi, Time: t,
			Lat: a[0] + f*(b[0]-a[0]), Lon: a[1] + f*(b[1]-a[1]), SOG: float32(knots), COG: 225, Heading: 511, Class: vessel.ClassA, Source: "sim"}, Segment: seg})
		t = t.Add(30 * time.Minute)
	}
	return pts, t.Add(-30 * time.Minute)
}

func scenePNG(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 480, 300))
	for y := range 300 {
		for x := range 480 {
			c := color.RGBA{40, 70, 110, 255} // sea
			if y < 90+x/6 {
				c = color.RGBA{120, 115, 95, 255} // land
			}
			if x > 300 && x < 340 && y > 170 && y < 182 { // a ship at the pier
				c = color.RGBA{230, 230, 230, 255}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type fixture struct {
	Log  *evidence.Log
	Case *Case
	Dir  string
}

// newFixture builds an evidence log with the case's items and a Case ready
// to render.
func newFixture(t testing.TB) *fixture {
	t.Helper()
	dir := t.TempDir()
	clock := time.Date(2023, 12, 20, 9, 0, 0, 0, time.UTC)
	l, err := evidence.Open(dir+"/evidence", evidence.Config{Now: func() time.Time { clock = clock.Add(time.Minute); return clock }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	ec, err := l.NewCase("MAIA-1, ANGARA and MARIA at Najin, autumn 2023", "analyst.a")
	if err != nil {
		t.Fatal(err)
	}

	const angara, maia = 273456780, 273398120 // simulated MMSIs
	var tr []vessel.TrackPoint
	tr, tEnd := leg(tr, angara, dunay, [2]float64{42.55, 131.55}, t0, 10, 1)
	darkFrom := tEnd
	tr, tEnd = leg(tr, angara, [2]float64{42.50, 131.40}, dunay, darkFrom.Add(5*24*time.Hour), 10, 1)
	var tm []vessel.TrackPoint
	tm, _ = leg(tm, maia, vostok, [2]float64{42.40, 131.90}, t0.Add(20*24*time.Hour), 11, 1)
	tm, _ = leg(tm, maia, [2]float64{42.45, 131.95}, vostok, t0.Add(26*24*time.Hour), 11, 1)

	gap := event.Event{Key: event.MakeKey("gap", event.Gap, angara, darkFrom), Kind: event.Gap, MMSI: angara, IMO: 9179842, Name: "ANGARA",
		Start: darkFrom, End: darkFrom.Add(5 * 24 * time.Hour), Lat: 42.52, Lon: 131.47, Confidence: 0.9,
		Explanation: "ANGARA sent no position for 5.0 days between two fixes 14 km apart; a ship at 10 kn could have gone 2,200 km.",
		Detector:    "gap", Version: "1", Params: map[string]any{"min_gap_h": 12.0}, Details: map[string]any{"gap_km": 14.2, "implied_kn": 0.06}}
	dark := event.Event{Key: event.MakeKey("darkport", event.DarkPortVisit, angara, darkFrom), Kind: event.DarkPortVisit, MMSI: angara, IMO: 9179842, Name: "ANGARA",
		Start: darkFrom.Add(20 * time.Hour), End: darkFrom.Add(4 * 24 * time.Hour), Lat: najin[0], Lon: najin[1], Port: "Rajin (Najin)", Confidence: 0.8,
		Candidates:  []event.Candidate{{Port: "Rajin (Najin)", Country: "KP", Score: 0.82, HighRisk: true, DetourKm: 190, MaxDwellH: 96}, {Port: "Zarubino", Country: "RU", Score: 0.12, DetourKm: 120, MaxDwellH: 105}},
		Explanation: "During the AIS gap ANGARA could have reached Rajin (Najin), North Korea, and stayed up to 4 days; no other port within reach ranks close.",
		Detector:    "darkport", Version: "1", Params: map[string]any{"max_speed_kn": 14.0, "min_dwell_h": 6.0}}
	visit := event.Event{Key: "pv1", Kind: event.PortVisit, MMSI: maia, IMO: 9358010, Name: "MAIA-1", Start: t0.Add(20 * 24 * time.Hour), End: t0.Add(20*24*time.Hour + 9*time.Hour),
		Lat: vostok[0], Lon: vostok[1], Port: "Vostochny", Confidence: 1, Explanation: "MAIA-1 stopped inside the port limits of Vostochny for 9 hours.",
		Detector: "portvisit", Version: "1", Params: map[string]any{"min_dwell_h": 2.0}}
	hit := event.Event{Key: "sh1", Kind: event.SanctionsHit, MMSI: maia, IMO: 9358010, Name: "MAIA-1", Start: t0.Add(20 * 24 * time.Hour), End: t0.Add(20 * 24 * time.Hour),
		Lat: vostok[0], Lon: vostok[1], Confidence: 1, Explanation: "IMO 9358010 broadcast by MAIA-1 is on the OFAC SDN list.", Detector: "screen", Version: "1",
		Details: map[string]any{"list": "OFAC SDN", "program": "RUSSIA-EO14024"}}

	add := func(it evidence.Item, content []byte) evidence.Item {
		t.Helper()
		got, err := l.Add(ec.ID, it, "analyst.a", bytes.NewReader(content))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	evJSON, _ := json.Marshal(dark)
	add(evidence.Item{Kind: evidence.KindEvent, Ref: dark.Key, MediaType: "application/json", Source: "lookout detect darkport v1", Description: "Dark port visit as detected"}, evJSON)
	sc := add(evidence.Item{Kind: evidence.KindScene, Ref: "S2B_MSIL2A_20230906", MediaType: "image/png", FileName: "najin 2023-09-06.png",
		Captured: time.Date(2023, 9, 6, 2, 14, 0, 0, time.UTC), Source: "Copernicus Sentinel-2 (simulated crop)", Description: "Rajin port, pier 3"}, scenePNG(t))
	note := add(evidence.Item{Kind: evidence.KindNote, MediaType: "text/plain", Description: "Analyst note"}, []byte("Vessel at pier 3 matches ANGARA's length."))
	add(evidence.Item{Kind: evidence.KindNote, MediaType: "text/plain", Corrects: note.ID, Description: "Corrected note"}, []byte("Vessel at pier 3 matches ANGARA's length (≈ 120 m) and deck layout."))
	add(evidence.Item{Kind: evidence.KindFile, MediaType: "text/csv", FileName: "sdn_extract.csv", Source: "https://sanctionslist.ofac.treas.gov (simulated extract)",
		Captured: time.Date(2023, 12, 1, 0, 0, 0, 0, time.UTC)}, []byte("name,imo,program\nMAIA-1,9358010,RUSSIA-EO14024\n"))
	if _, err := l.Record(ec.ID, evidence.Custody{Action: evidence.ActionViewed, Who: "analyst.b", Target: sc.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Record(ec.ID, evidence.Custody{Action: evidence.ActionExported, Who: "analyst.a", Detail: "dossier for the panel"}); err != nil {
		t.Fatal(err)
	}
	land, err := os.ReadFile("testdata/land-sea-of-japan.geojson")
	if err != nil {
		t.Fatal(err)
	}
	c := &Case{
		Generated: time.Date(2023, 12, 20, 12, 0, 0, 0, time.UTC), Author: "Analyst A",
		Summary:   "Between September and December 2023 the sanctioned cargo ships ANGARA and MAIA-1 switched off AIS off the Russian coast and could have called at Rajin (Najin), North Korea.\n\nThis dossier gathers the tracks, the detected AIS gaps, a satellite scene of Rajin and the sanctions designations.",
		Simulated: true, SimulatedNote: "Tracks, times and imagery are simulated for testing.",
		Vessels: []Vessel{
			{MMSI: angara, IMO: 9179842, Name: "ANGARA", Flag: "RU", Track: tr,
				Identities: []vessel.Identity{{MMSI: angara, IMO: 9179842, Name: "ANGARA", CallSign: "UBXX1", Flag: "RU", FirstSeen: t0, LastSeen: tEnd}},
				Sanctions:  []Designation{{List: "OFAC SDN", ListVersion: "2023-05-19", Source: "https://sanctionslist.ofac.treas.gov/", Program: "RUSSIA-EO14024", ListedName: "ANGARA", Listed: time.Date(2022, 5, 8, 0, 0, 0, 0, time.UTC), MatchedOn: "IMO 9179842"}}},
			{MMSI: maia, IMO: 9358010, Name: "MAIA-1", Flag: "RU", Track: tm,
				Identities: []vessel.Identity{{MMSI: maia, IMO: 9358010, Name: "MAIA-1", CallSign: "UBYY2", Flag: "RU", FirstSeen: t0.Add(20 * 24 * time.Hour), LastSeen: t0.Add(27 * 24 * time.Hour)}},
				Sanctions:  []Designation{{List: "OFAC SDN", ListVersion: "2023-12-12", Source: "https://sanctionslist.ofac.treas.gov/", Program: "RUSSIA-EO14024", ListedName: "MAIA-1", MatchedOn: "IMO 9358010", Remarks: "Линия судна Мая-1"}}},
		},
		Events: []event.Event{visit, gap, dark, hit},
		Ports: []Port{{Name: "Rajin (Najin)", Country: "KP", Lat: najin[0], Lon: najin[1]}, {Name: "Dunay", Country: "RU", Lat: dunay[0], Lon: dunay[1]},
			{Name: "Vostochny", Country: "RU", Lat: vostok[0], Lon: vostok[1]}},
		Scenes: []Scene{{ID: "S2B_MSIL2A_20230906", Provider: "Copernicus", Sensor: "Sentinel-2 MSI", Acquired: time.Date(2023, 9, 6, 2, 14, 0, 0, time.UTC), Item: sc.ID,
			Bounds: [4]float64{130.25, 42.20, 130.36, 42.29}, Caption: "A cargo ship of ANGARA's size at Rajin pier 3 during ANGARA's AIS gap.",
			Annotations: []Annotation{{X: 0.6, Y: 0.53, W: 0.12, H: 0.1, Label: "ANGARA?"}},
			Detections:  []Detection{{Lat: 42.243, Lon: 130.31, LengthM: 118, Confidence: 0.87, Note: "length matches ANGARA (122 m)"}}}},
		LandGeoJSON: land, LandSource: "Natural Earth 1:10m (public domain)",
	}
	if err := FromLog(l, ec.ID, c); err != nil {
		t.Fatal(err)
	}
	return &fixture{Log: l, Case: c, Dir: dir}
}

// write renders the fixture into a fresh directory and returns it.
func (f *fixture) write(t testing.TB) string {
	t.Helper()
	out := t.TempDir() + "/dossier"
	if _, err := Write(out, f.Case, Options{Sign: f.Log.SignNote}); err != nil {
		t.Fatal(err)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var _ = strings.Contains

func f0() time.Time { return time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC) }
