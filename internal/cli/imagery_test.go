package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/coast"
	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/evidence"
	"github.com/lookout-maritime/lookout/internal/imagery"
	"github.com/lookout-maritime/lookout/internal/imagery/synth"
	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

const (
	najinPhoto = "testdata/imagery/najin.png"
	najinScene = "najin-2023-10-21"
)

var najinAcquired = time.Date(2023, 10, 21, 2, 14, 0, 0, time.UTC)

func TestImageryDir(t *testing.T) {
	for _, tc := range []struct{ env, store, want string }{
		{"", "lookout.duckdb", "lookout.imagery"},
		{"", filepath.Join("cases", "najin.duckdb"), filepath.Join("cases", "najin.imagery")},
		{"", "store", "store.imagery"},
		{"", "postgres://u@db/lookout", "lookout.imagery"},
		{"/srv/imagery", "lookout.duckdb", "/srv/imagery"},
	} {
		t.Setenv("LOOKOUT_IMAGERY", tc.env)
		if got := imageryDir(tc.store); got != tc.want {
			t.Errorf("imageryDir(%q) with LOOKOUT_IMAGERY=%q = %q, want %q", tc.store, tc.env, got, tc.want)
		}
	}
}

// renderNajin redraws the test photo (-update): two ships at sea off
// Najin where najin-detections.csv has its good rows.
func renderNajin(t *testing.T) {
	land, err := coast.Load()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	err = imagery.RenderPNG(&buf, imagery.RenderSpec{Bounds: [4]float64{130.36, 42.22, 130.44, 42.26}, Width: 400, Height: 200,
		Land: land, Seed: 21, Ships: []imagery.RenderShip{
			{Lat: 42.2430, Lon: 130.4150, LengthM: 120, HeadingDeg: 45},
			{Lat: 42.2320, Lon: 130.4280, LengthM: 90, HeadingDeg: 180},
		}})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(najinPhoto, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// seedNajinAIS stores three vessels around the photo's acquisition, fixes
// two minutes either side: MAIA-1 where detection d1 is, ANGARA inside the
// footprint where nothing was detected, MARIA GRACE outside it. path is
// a DuckDB file or a postgres:// URL.
func seedNajinAIS(t *testing.T, path string) {
	t.Helper()
	ctx := context.Background()
	st, err := openStore(ctx, path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t0 := najinAcquired.Add(-24 * time.Hour)
	ids := []vessel.Identity{
		{MMSI: 273000001, IMO: 9358010, Name: "MAIA-1", ShipType: 70, Length: 120, Flag: "RU", FirstSeen: t0, LastSeen: najinAcquired.Add(time.Hour), Reports: 3, Source: "t"},
		{MMSI: 273000002, Name: "ANGARA", ShipType: 70, Length: 150, Flag: "RU", FirstSeen: t0, LastSeen: najinAcquired.Add(time.Hour), Reports: 3, Source: "t"},
		{MMSI: 563000003, Name: "MARIA GRACE", ShipType: 80, Length: 180, Flag: "SG", FirstSeen: t0, LastSeen: najinAcquired.Add(time.Hour), Reports: 3, Source: "t"},
	}
	if err := st.UpsertIdentities(ctx, ids); err != nil {
		t.Fatal(err)
	}
	var pts []vessel.TrackPoint
	for _, v := range []struct {
		mmsi     uint32
		lat, lon float64
	}{{273000001, 42.2431, 130.4151}, {273000002, 42.2520, 130.4320}, {563000003, 42.3000, 130.5000}} {
		for _, dt := range []time.Duration{-2 * time.Minute, 2 * time.Minute} {
			pts = append(pts, vessel.TrackPoint{Position: vessel.Position{MMSI: v.mmsi, Time: najinAcquired.Add(dt), Lat: v.lat, Lon: v.lon,
				SOG: 0, COG: 0, Heading: 511, Class: vessel.ClassA, MsgType: 1, Source: "t"}, Segment: 1})
		}
	}
	if _, err := st.AddPositions(ctx, 0, pts); err != nil {
		t.Fatal(err)
	}
}

// imageryGolden compares got with testdata/imagery/NAME (rewritten with
// -update).
func imageryGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "imagery", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./internal/cli -run TestImagery -update creates it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func mustRun(t *testing.T, args ...string) (string, string) {
	t.Helper()
	out, errOut, code := run(t, "", args...)
	if code != 0 {
		t.Fatalf("lookout %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errOut)
	}
	return out, errOut
}

func TestImageryPhotoMatch(t *testing.T) {
	if *update {
		renderNajin(t)
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "s.duckdb")
	seedNajinAIS(t, db)
	t.Setenv("LOOKOUT_IMAGERY", "")

	out, _ := mustRun(t, "imagery", "add", "--store", db, najinPhoto)
	if !strings.HasPrefix(out, "added "+najinScene+": PNG photo acquired 2023-10-21T02:14:00Z, SkySat, 20 m") {
		t.Fatalf("add: %s", out)
	}
	raw, _ := os.ReadFile(najinPhoto)
	sum := sha256.Sum256(raw)
	kept := filepath.Join(dir, "s.imagery", "files", hex.EncodeToString(sum[:])+".png")
	if b, err := os.ReadFile(kept); err != nil || !bytes.Equal(b, raw) {
		t.Fatalf("photo not kept as %s: %v", kept, err)
	}
	if _, err := os.Stat(strings.TrimSuffix(kept, ".png") + ".sidecar.json"); err != nil {
		t.Errorf("sidecar not kept: %v", err)
	}
	// Registering again changes nothing but restores a lost kept copy.
	if err := os.Remove(kept); err != nil {
		t.Fatal(err)
	}
	if out, _ := mustRun(t, "imagery", "add", "--store", db, najinPhoto); !strings.HasPrefix(out, "already registered "+najinScene) {
		t.Errorf("second add: %s", out)
	}
	if b, err := os.ReadFile(kept); err != nil || !bytes.Equal(b, raw) {
		t.Errorf("kept copy not restored: %v", err)
	}

	out, errOut := mustRun(t, "imagery", "import-detections", "--store", db, "testdata/imagery/najin-detections.csv", "--scene", najinScene)
	if !strings.Contains(out, "2 detections from najin-detections.csv stored for scene "+najinScene) || !strings.Contains(out, "2 rows rejected") {
		t.Errorf("import: %s", out)
	}
	for _, want := range []string{"testdata/imagery/najin-detections.csv:4: lat \"abc\"", "testdata/imagery/najin-detections.csv: detection d4 at 42.30000,130.50000: outside the scene's footprint"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("import errors lack %q:\n%s", want, errOut)
		}
	}

	t.Setenv("LOOKOUT_USER", "analyst1")
	out, _ = mustRun(t, "imagery", "annotate", "--store", db, najinScene, "--label", "possibly ANGARA", "--point", "42.2320,130.4280")
	if !strings.Contains(out, "point \"possibly ANGARA\" at 0.850,0.700 by analyst1") {
		t.Errorf("annotate: %s", out)
	}
	if _, errOut, code := run(t, "", "imagery", "annotate", "--store", db, najinScene, "--label", "x", "--point", "42.5,130.4"); code != 1 || !strings.Contains(errOut, "outside scene") {
		t.Errorf("annotation off the image: %d %s", code, errOut)
	}
	if _, _, code := run(t, "", "imagery", "annotate", "--store", db, najinScene, "--label", "x", "--point", "1,2", "--frac", "0.1,0.1"); code != 2 {
		t.Errorf("two positions: exit %d, want 2", code)
	}

	out, _ = mustRun(t, "imagery", "match", "--store", db, najinScene, "--json")
	var m sceneMatch
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("match --json: %v\n%s", err, out)
	}
	if len(m.Matched) != 1 || m.Matched[0].MMSI != 273000001 || m.Matched[0].Detection != "najin-detections.csv:d1" || m.Matched[0].DistanceM > 30 || m.Matched[0].Score < 0.8 {
		t.Errorf("matched: %+v", m.Matched)
	}
	if len(m.Dark) != 1 || m.Dark[0].Detection != "najin-detections.csv:d2" || m.Dark[0].EventKey == "" {
		t.Errorf("dark: %+v", m.Dark)
	}
	if len(m.NotSeen) != 1 || m.NotSeen[0].MMSI != 273000002 || m.NotSeen[0].Reason != "not detected" {
		t.Errorf("not seen: %+v", m.NotSeen)
	}
	if len(m.NotImaged) != 1 || m.NotImaged[0] != 563000003 || m.Events != 1 || m.Tracks != 3 {
		t.Errorf("not imaged %v, events %d, tracks %d", m.NotImaged, m.Events, m.Tracks)
	}

	darkEvents := func(withdrawn bool) []event.Event {
		t.Helper()
		args := []string{"events", "--store", db, "--kind", "dark_detection", "--json"}
		if withdrawn {
			args = append(args, "--withdrawn")
		}
		out, _ := mustRun(t, args...)
		var evs []event.Event
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			if line == "" {
				continue
			}
			var e event.Event
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				t.Fatal(err)
			}
			evs = append(evs, e)
		}
		return evs
	}
	evs := darkEvents(false)
	if len(evs) != 1 || evs[0].Details["scene_id"] != najinScene || evs[0].Key != m.Dark[0].EventKey || !evs[0].Start.Equal(najinAcquired) {
		t.Fatalf("dark_detection events: %+v", evs)
	}
	// Re-running replaces, never duplicates.
	out, _ = mustRun(t, "imagery", "match", "--store", db, najinScene)
	imageryGolden(t, "match.golden", out)
	if evs := darkEvents(false); len(evs) != 1 || evs[0].ID != darkEvents(false)[0].ID {
		t.Fatalf("after a re-run: %d events", len(evs))
	}

	// The map's and the dossier's view: d1 is MAIA-1, d2 dark.
	scenes, err := newImageryReader(filepath.Join(dir, "s.imagery")).scenes(context.Background(), imagery.SceneQuery{})
	if err != nil || len(scenes) != 1 {
		t.Fatalf("reader: %v %d", err, len(scenes))
	}
	sc := scenes[0]
	if len(sc.Detections) != 2 || sc.Detections[0].MMSI != 273000001 || sc.Detections[1].MMSI != 0 || !strings.Contains(sc.Detections[1].Note, "dark") ||
		len(sc.Annotations) != 1 || sc.Annotations[0].Label != "possibly ANGARA" || sc.Bounds != [4]float64{130.36, 42.22, 130.44, 42.26} {
		t.Errorf("dossier scene: %+v", sc)
	}

	// The second detection turns out not to be there: re-importing the
	// file without it withdraws its dark_detection event.
	fixed := filepath.Join(dir, "najin-detections.csv")
	os.WriteFile(fixed, []byte("id,lat,lon,length_m,confidence\nd1,42.2430,130.4150,118,0.93\n"), 0o644)
	mustRun(t, "imagery", "import-detections", "--store", db, fixed, "--scene", najinScene)
	out, _ = mustRun(t, "imagery", "match", "--store", db, najinScene, "--json")
	m = sceneMatch{}
	json.Unmarshal([]byte(out), &m)
	if len(m.Dark) != 0 || m.Withdrawn != 1 || len(m.Matched) != 1 {
		t.Errorf("after re-import: dark %d withdrawn %d matched %d", len(m.Dark), m.Withdrawn, len(m.Matched))
	}
	if evs := darkEvents(false); len(evs) != 0 {
		t.Errorf("withdrawn event still listed: %+v", evs)
	}
	if evs := darkEvents(true); len(evs) != 1 || !evs[0].Withdrawn || evs[0].Revision != 1 {
		t.Errorf("withdrawn event: %+v", evs)
	}

	out, _ = mustRun(t, "imagery", "show", "--store", db, najinScene, "--json")
	var d sceneDetail
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	if d.Scene.Platform != "SkySat" || !d.Scene.Acquired.Equal(najinAcquired) || len(d.Detections) != 1 || len(d.Annotations) != 1 ||
		d.Annotations[0].Author != "analyst1" || d.Match == nil || d.Kept != kept || d.Bounds[0] != 130.36 {
		t.Errorf("show --json: %+v", d)
	}
	out, _ = mustRun(t, "imagery", "show", "--store", db, najinScene)
	for _, want := range []string{"acquired   2023-10-21T02:14:00Z", "footprint  130.3600,42.2200,130.4400,42.2600", "detections (1):", "273000001", "\"possibly ANGARA\""} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	out, _ = mustRun(t, "imagery", "list", "--store", db)
	if !strings.Contains(out, najinScene) || !strings.Contains(out, "PNG photo") {
		t.Errorf("list: %s", out)
	}
	out, _ = mustRun(t, "imagery", "list", "--store", db, "--json", "--bbox", "0,0,10,10")
	if out != "" {
		t.Errorf("list outside the footprint: %s", out)
	}

	// A different file under a registered ID is refused.
	other := filepath.Join(dir, "najin.png")
	os.WriteFile(other, append(raw[:len(raw):len(raw)], 0), 0o644)
	sc2, _ := os.ReadFile(najinPhoto + ".json")
	os.WriteFile(other+".json", sc2, 0o644)
	if _, errOut, code := run(t, "", "imagery", "add", "--store", db, other); code != 1 || !strings.Contains(errOut, "already registered from a different file") {
		t.Errorf("conflicting file: %d %s", code, errOut)
	}
}

func TestImagerySTACAndGeoJSON(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.duckdb")
	t.Setenv("LOOKOUT_IMAGERY", filepath.Join(dir, "img"))
	bad := filepath.Join(dir, "truncated.tif")
	os.WriteFile(bad, []byte("II*\x00\x08\x00\x00\x00\x10"), 0o644)
	out, errOut, code := run(t, "", "imagery", "add", "--store", db, bad, "testdata/imagery/s1-item.json")
	if code != 1 || !strings.Contains(errOut, "truncated.tif") || !strings.Contains(errOut, "1 of 2 files not registered") ||
		!strings.Contains(out, "added S1A_IW_GRDH_TEST_20231021T211403: STAC Item") {
		t.Fatalf("add: %d\n%s\n%s", code, out, errOut)
	}
	const id = "S1A_IW_GRDH_TEST_20231021T211403"
	if _, errOut, code := run(t, "", "imagery", "import-detections", "--store", db, "testdata/imagery/s1-detections.geojson"); code != 0 ||
		!strings.Contains(errOut, "feature 0: no scene id") {
		t.Errorf("import without a scene: %d %s", code, errOut)
	}
	out, errOut = mustRun(t, "imagery", "import-detections", "--store", db, "testdata/imagery/s1-detections.geojson", "--scene", id, "--json")
	var rep importReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Scenes[id] != 1 || rep.Rejected != 2 || !strings.Contains(errOut, "feature 1: geometry \"LineString\"") || !strings.Contains(errOut, "feature 2: length") {
		t.Errorf("import: %+v\n%s", rep, errOut)
	}
	out, _ = mustRun(t, "imagery", "show", "--store", db, id, "--json")
	var d sceneDetail
	json.Unmarshal([]byte(out), &d)
	if d.Scene.Platform != "sentinel-1a" || d.Scene.ResolutionM != 10 || d.Scene.Source != "ESA" || len(d.Detections) != 1 ||
		d.Detections[0].ID != "s1-detections.geojson:x1" || d.Detections[0].LengthM != 140 || d.Detections[0].Confidence != 0.6 ||
		!d.Detections[0].Time.Equal(time.Date(2023, 10, 21, 21, 14, 5, 0, time.UTC)) {
		t.Errorf("show: %+v", d)
	}
	if _, errOut, code := run(t, "", "imagery", "annotate", "--store", db, id, "--label", "x", "--point", "42.1,130.4"); code != 1 || !strings.Contains(errOut, "no image to annotate") {
		t.Errorf("annotating a STAC Item: %d %s", code, errOut)
	}
	if _, errOut, code := run(t, "", "imagery", "show", "--store", db, "NOPE"); code != 1 || !strings.Contains(errOut, "NOPE") {
		t.Errorf("unknown scene: %d %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "s.imagery")); err == nil {
		t.Error("LOOKOUT_IMAGERY ignored")
	}
}

// TestImageryDetectSAR: a synthetic Sentinel-1-like scene off Najin, half
// land: the detector finds the three ships at sea and nothing on land.
func TestImageryDetectSAR(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.duckdb")
	t.Setenv("LOOKOUT_IMAGERY", "")
	land, err := coast.Load()
	if err != nil {
		t.Fatal(err)
	}
	ships := []synth.GeoShip{
		{Lat: 42.215, Lon: 130.425, LengthM: 150, HeadingDeg: 30, SCRdB: 15},
		{Lat: 42.195, Lon: 130.410, LengthM: 110, HeadingDeg: 120, SCRdB: 15},
		{Lat: 42.190, Lon: 130.440, LengthM: 90, HeadingDeg: 0, SCRdB: 15},
	}
	for _, s := range ships {
		if land.OnLand(s.Lat, s.Lon) {
			t.Fatalf("ship %+v on land", s)
		}
	}
	tif := filepath.Join(dir, "s1a-iw-grd-vv-20231021t211403-test.tif")
	f, err := os.Create(tif)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := synth.WriteSARScene(f, synth.GeoScene{CentreLat: 42.21, CentreLon: 130.41, W: 600, H: 600, Seed: 3,
		Land: land.OnLand, Ships: ships}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	out, _ := mustRun(t, "imagery", "add", "--store", db, "--json", tif)
	var s imagery.Scene
	json.Unmarshal([]byte(out), &s)
	if s.Platform != "sentinel-1a" || math.Abs(s.ResolutionM-10) > 0.05 || s.EPSG != 32652 {
		t.Fatalf("scene: %+v", s)
	}
	out, _ = mustRun(t, "imagery", "detect", "--store", db, s.ID, "--pfa", "1e-7", "--looks", "4", "--json")
	var ds []imagery.Detection
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var d imagery.Detection
		if err := json.Unmarshal([]byte(line), &d); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		ds = append(ds, d)
	}
	for _, d := range ds {
		if land.OnLand(d.Lat, d.Lon) {
			t.Errorf("detection on land: %+v", d)
		}
	}
	for _, sh := range ships {
		best := math.Inf(1)
		for _, d := range ds {
			best = math.Min(best, store.HaversineKm(sh.Lat, sh.Lon, d.Lat, d.Lon)*1000)
		}
		if best > 25 {
			t.Errorf("ship at %.3f,%.3f: nearest detection %.0f m away", sh.Lat, sh.Lon, best)
		}
	}
	if len(ds) < 3 || len(ds) > 4 {
		t.Errorf("%d detections, want the 3 ships (one false alarm allowed)", len(ds))
	}
	out, _ = mustRun(t, "imagery", "detect", "--store", db, s.ID, "--pfa", "1e-7", "--looks", "4")
	if !strings.Contains(out, "vessels detected in "+s.ID+" (cfar/v1, false-alarm probability 1e-07)") {
		t.Errorf("detect text: %s", out)
	}
	// Detecting again replaces the detector's detections.
	out, _ = mustRun(t, "imagery", "show", "--store", db, s.ID, "--json")
	var d sceneDetail
	json.Unmarshal([]byte(out), &d)
	if len(d.Detections) != len(ds) {
		t.Errorf("%d detections stored after two runs, want %d", len(d.Detections), len(ds))
	}

	// The scene as evidence for `case add --scene`.
	it, data, err := sceneItem(context.Background(), filepath.Join(dir, "s.imagery"), s.ID)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if it.Kind != evidence.KindScene || it.Ref != s.ID || hex.EncodeToString(sum[:]) != s.SHA256 || !it.Captured.Equal(s.Acquired) || it.MediaType != imagery.MediaGeoTIFF {
		t.Errorf("scene item: %+v", it)
	}
	if _, _, err := sceneItem(context.Background(), filepath.Join(dir, "s.imagery"), "NOPE"); err == nil {
		t.Error("unknown scene as evidence")
	}
	// A photo cannot be run through the SAR detector.
	mustRun(t, "imagery", "add", "--store", db, najinPhoto)
	if _, errOut, code := run(t, "", "imagery", "detect", "--store", db, najinScene); code != 1 || !strings.Contains(errOut, "reads GeoTIFFs") {
		t.Errorf("detect on a photo: %d %s", code, errOut)
	}
}

func TestImageFraction(t *testing.T) {
	for _, tc := range []struct {
		scene    imagery.Scene
		lat, lon float64
		x, y     float64
	}{
		{imagery.Scene{ID: "a", Width: 10, Height: 10, Footprint: imagery.Footprint{{{0, 0}, {2, 0}, {2, 1}, {0, 1}, {0, 0}}}}, 0.25, 0.5, 0.25, 0.75},
		{imagery.Scene{ID: "b", Width: 10, Height: 10, Footprint: imagery.Footprint{{{0, 0}, {2, 0}, {2, 1}, {0, 1}, {0, 0}}}}, 1, 2, 1, 0},
	} {
		x, y, approx, err := imageFraction(tc.scene, tc.lat, tc.lon)
		if err != nil || approx || math.Abs(x-tc.x) > 1e-9 || math.Abs(y-tc.y) > 1e-9 {
			t.Errorf("%s: %v,%v → %v,%v approx %v err %v; want %v,%v", tc.scene.ID, tc.lat, tc.lon, x, y, approx, err, tc.x, tc.y)
		}
	}
	oblique := imagery.Scene{ID: "o", Width: 10, Height: 10, Footprint: imagery.Footprint{{{0, 0}, {2, 0.5}, {2, 1}, {0, 1}, {0, 0}}}}
	if _, _, approx, err := imageFraction(oblique, 0.5, 1); err != nil || !approx {
		t.Errorf("oblique footprint: approx %v err %v", approx, err)
	}
	if _, _, _, err := imageFraction(imagery.Scene{ID: "stac"}, 0, 0); err == nil {
		t.Error("a scene without an image placed a point")
	}
}

// TestImageryMatchPostgres: matching against a PostgreSQL store finds the
// same vessels and keeps its events scoped to the scene the same way.
func TestImageryMatchPostgres(t *testing.T) {
	pg := pgURL(t)
	dir := t.TempDir()
	t.Setenv("LOOKOUT_IMAGERY", filepath.Join(dir, "img"))
	seedNajinAIS(t, pg)
	mustRun(t, "imagery", "add", "--store", pg, najinPhoto)
	mustRun(t, "imagery", "import-detections", "--store", pg, "testdata/imagery/najin-detections.csv", "--scene", najinScene)
	for range 2 {
		out, _ := mustRun(t, "imagery", "match", "--store", pg, najinScene)
		imageryGolden(t, "match.golden", out)
	}
	count := func(args ...string) int {
		out, _ := mustRun(t, append([]string{"events", "--store", pg, "--kind", "dark_detection", "--json"}, args...)...)
		return strings.Count(out, "\n")
	}
	if n := count(); n != 1 {
		t.Fatalf("%d dark_detection events after two matches, want 1", n)
	}
	fixed := filepath.Join(dir, "najin-detections.csv")
	os.WriteFile(fixed, []byte("id,lat,lon\nd1,42.2430,130.4150\n"), 0o644)
	mustRun(t, "imagery", "import-detections", "--store", pg, fixed, "--scene", najinScene)
	mustRun(t, "imagery", "match", "--store", pg, najinScene)
	if n, all := count(), count("--withdrawn"); n != 0 || all != 1 {
		t.Errorf("after re-import: %d current, %d with withdrawn; want 0, 1", n, all)
	}
}
