package imagery

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/imagery/cfar"
	"github.com/lookout-maritime/lookout/internal/imagery/geotiff"
	"github.com/lookout-maritime/lookout/internal/imagery/proj"
	"github.com/lookout-maritime/lookout/internal/imagery/synth"
)

var acq = time.Date(2023, 10, 21, 21, 14, 3, 0, time.UTC)

func TestParseSTACItem(t *testing.T) {
	s, err := Register("testdata/s1a-stac-item.json", RegisterConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if s.ID != "S1A_IW_GRDH_1SDV_20231021T211403_20231021T211428_050874_06212C" || s.MediaType != MediaSTAC ||
		s.Platform != "sentinel-1a" || s.Instrument != "c-sar" || s.ResolutionM != 10 || s.Source != "ESA" ||
		!s.Acquired.Equal(time.Date(2023, 10, 21, 21, 14, 15, 5e8, time.UTC)) || len(s.Assets) != 2 || len(s.SHA256) != 64 {
		t.Errorf("%+v", s)
	}
	if !s.Footprint.Contains(42.25, 130.30) || s.Footprint.Contains(41.0, 130.3) || s.Footprint.Contains(42.25, 132.5) {
		t.Error("footprint containment wrong")
	}
	if b := s.Footprint.Bounds(); b != [4]float64{128.60, 41.60, 132.08, 43.52} {
		t.Errorf("bounds %v", b)
	}
	bad := []struct{ name, json string }{
		{"not a feature", `{"type":"FeatureCollection","id":"x"}`},
		{"no id", `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]},"properties":{"datetime":"2023-01-01T00:00:00Z"}}`},
		{"open ring", `{"type":"Feature","id":"a","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]},"properties":{"datetime":"2023-01-01T00:00:00Z"}}`},
		{"point", `{"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[0,0]},"properties":{"datetime":"2023-01-01T00:00:00Z"}}`},
		{"null time", `{"type":"Feature","id":"a","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]},"properties":{"datetime":null}}`},
		{"bad time", `{"type":"Feature","id":"a","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]},"properties":{"datetime":"21 Oct"}}`},
		{"lat out of range", `{"type":"Feature","id":"a","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,95],[0,0]]]},"properties":{"datetime":"2023-01-01T00:00:00Z"}}`},
	}
	for _, c := range bad {
		if _, err := ParseSTACItem(strings.NewReader(c.json), c.name); err == nil || !strings.Contains(err.Error(), c.name) {
			t.Errorf("%s: err %v", c.name, err)
		}
	}
}

// writeSAR writes a synthetic Sentinel-1-like scene near Najin in UTM 52N
// and returns its georeferencing and the ships' true positions.
func writeSAR(t *testing.T, dir, name string, ships []synth.Ship, land func(c, r int) bool) (string, *geotiff.Georef) {
	t.Helper()
	const W, H = 600, 500
	pix, _, err := synth.SAR(synth.SARConfig{W: W, H: H, Looks: 4, Seed: 5, Ships: ships, Land: land})
	if err != nil {
		t.Fatal(err)
	}
	g := &geotiff.Georef{EPSG: 32652, GeoTransform: [6]float64{604000, 10, 0, 4682000, 0, -10}}
	g.Proj, _ = proj.ForEPSG(32652)
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := synth.WriteGeoTIFF(f, pix, W, H, geotiff.WriteOptions{EPSG: 32652, GeoTransform: g.GeoTransform}); err != nil {
		t.Fatal(err)
	}
	return path, g
}

// TestGeoTIFFEndToEnd: a synthetic SAR GeoTIFF written by a real TIFF
// library is registered (time from the Sentinel-1 file name), and the
// detector finds its ships at their geographic positions, masking land
// given as a lat/lon function.
func TestGeoTIFFEndToEnd(t *testing.T) {
	dir := t.TempDir()
	ships := []synth.Ship{
		{Col: 100.5, Row: 100.5, LengthPx: 12, WidthPx: 2, AxisDeg: 30, SCRdB: 10},
		{Col: 300.5, Row: 250.5, LengthPx: 20, WidthPx: 3, AxisDeg: 90, SCRdB: 12},
		{Col: 150.5, Row: 400.5, LengthPx: 8, WidthPx: 2, AxisDeg: 150, SCRdB: 10},
		{Col: 420.5, Row: 80.5, LengthPx: 15, WidthPx: 3, AxisDeg: 0, SCRdB: 10},
	}
	landCol := 500
	name := "s1a-iw-grd-vv-20231021t211403-20231021t211428-050874-06212c-001.tiff"
	path, g := writeSAR(t, dir, name, ships, func(c, r int) bool { return c >= landCol })
	s, err := Register(path, RegisterConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Acquired.Equal(acq) || s.Platform != "sentinel-1a" || s.MediaType != MediaGeoTIFF || s.EPSG != 32652 ||
		s.Width != 600 || s.Height != 500 || math.Abs(s.ResolutionM-10) > 0.1 {
		t.Fatalf("%+v", s)
	}
	// Land east of easting 609000 (column 500), as a lat/lon function.
	land := LandFunc(func(lat, lon float64) bool {
		x, _ := g.Proj.FromLonLat(lon, lat)
		return x >= 604000+10*float64(landCol)
	})
	ds, res, err := DetectGeoTIFF(path, *s, land, DetectConfig{CFAR: cfar.Config{Pfa: 1e-6, Looks: 4, GuardRadius: 12, BackgroundRadius: 20}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d detections, %d hits in %d tested", len(ds), res.Hits, res.Tested)
	for _, sh := range ships {
		lon, lat := g.LonLat(sh.Col, sh.Row)
		found := false
		for _, d := range ds {
			if distance(d.Lat, d.Lon, lat, lon) <= 20 { // 2 pixels
				found = true
				if math.Abs(d.LengthM-10*sh.LengthPx) > math.Max(25, 0.25*10*sh.LengthPx) {
					t.Errorf("ship %v: length %.0f m, drawn %.0f m", sh, d.LengthM, 10*sh.LengthPx)
				}
				if dd := math.Abs(math.Mod(d.AxisDeg-sh.AxisDeg+360, 180)); math.Min(dd, 180-dd) > 12 {
					t.Errorf("ship %v: axis %.0f°", sh, d.AxisDeg)
				}
				if d.SceneID != s.ID || !d.Time.Equal(acq) || d.Confidence < 0.8 || d.Source != DetectorName {
					t.Errorf("%+v", d)
				}
			}
		}
		if !found {
			t.Errorf("ship at %v,%v (pixel %v,%v) not detected", lat, lon, sh.Col, sh.Row)
		}
	}
	if len(ds) > len(ships)+2 {
		t.Errorf("%d detections for %d ships", len(ds), len(ships))
	}
	// Without the land mask, the bright land shows up as detections.
	ds2, _, err := DetectGeoTIFF(path, *s, nil, DetectConfig{CFAR: cfar.Config{Pfa: 1e-6, Looks: 4, GuardRadius: 12, BackgroundRadius: 20}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds2) <= len(ds) {
		t.Errorf("unmasked land gave %d detections, masked %d", len(ds2), len(ds))
	}
}

func TestRegisterErrors(t *testing.T) {
	dir := t.TempDir()
	// A GeoTIFF without time: the error says how to give one.
	path, _ := writeSAR(t, dir, "scene.tif", nil, nil)
	if _, err := Register(path, RegisterConfig{}); !errors.Is(err, ErrNoTime) || !strings.Contains(err.Error(), "sidecar") {
		t.Errorf("no time: %v", err)
	}
	// ...which a sidecar supplies.
	os.WriteFile(path+".json", []byte(`{"acquired":"2023-10-21T21:14:03Z","source":"synthetic","id":"syn-1"}`), 0o644)
	s, err := Register(path, RegisterConfig{})
	if err != nil || s.ID != "syn-1" || !s.Acquired.Equal(acq) || s.Source != "synthetic" {
		t.Errorf("sidecar: %+v %v", s, err)
	}
	// A TIFF without georeferencing.
	plain := filepath.Join(dir, "plain.tif")
	b, _ := os.ReadFile("geotiff/testdata/gdal/nogeo.tif")
	os.WriteFile(plain, b, 0o644)
	if _, err := Register(plain, RegisterConfig{}); !errors.Is(err, geotiff.ErrNoGeoreference) {
		t.Errorf("no georef: %v", err)
	}
	// Truncated.
	b, _ = os.ReadFile(path)
	os.WriteFile(filepath.Join(dir, "cut.tif"), b[:len(b)/3], 0o644)
	if _, err := Register(filepath.Join(dir, "cut.tif"), RegisterConfig{}); !errors.Is(err, geotiff.ErrFormat) {
		t.Errorf("truncated: %v", err)
	}
	// Not an image.
	os.WriteFile(filepath.Join(dir, "x.txt"), []byte("hello"), 0o644)
	if _, err := Register(filepath.Join(dir, "x.txt"), RegisterConfig{}); !errors.Is(err, ErrFormat) {
		t.Errorf("text: %v", err)
	}
}

func TestRegisterPhoto(t *testing.T) {
	dir := t.TempDir()
	photo := filepath.Join(dir, "najin-2023-10-21.png")
	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, 320, 200)))
	os.WriteFile(photo, buf.Bytes(), 0o644)
	if _, err := Register(photo, RegisterConfig{}); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "sidecar") {
		t.Errorf("no sidecar: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "najin-2023-10-21.json"), []byte(`{"acquired":"2023-10-21T02:14:00+09:00","bounds":[130.28,42.23,130.32,42.26],"source":"Planet Labs","platform":"SkySat","resolution_m":0.5}`), 0o644)
	s, err := Register(photo, RegisterConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if s.MediaType != MediaPNG || s.Width != 320 || s.Height != 200 || s.ResolutionM != 0.5 || s.Platform != "SkySat" ||
		!s.Acquired.Equal(time.Date(2023, 10, 20, 17, 14, 0, 0, time.UTC)) || !s.Footprint.Contains(42.25, 130.30) ||
		!strings.HasPrefix(s.ID, "najin-2023-10-21-") {
		t.Errorf("%+v", s)
	}
	// Photos too large to be real are refused from their header.
	if _, err := Register(photo, RegisterConfig{MaxPhotoPixels: 1000}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("limit: %v", err)
	}
}

func TestImportCSV(t *testing.T) {
	f, _ := os.Open("testdata/detections-xview3.csv")
	defer f.Close()
	ds, bad, err := ImportCSV(f, "xview3.csv", ImportConfig{Time: acq})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 3 || len(bad) != 2 {
		t.Fatalf("%d good %d bad: %v", len(ds), len(bad), bad)
	}
	if d := ds[0]; d.Lat != 42.2453 || d.Lon != 130.3012 || d.LengthM != 110.5 || d.Confidence != 0.9 || d.SceneID != "S1A_X" || !d.Time.Equal(acq) || d.ID != "2" {
		t.Errorf("%+v", d)
	}
	if ds[1].LengthM != 0 || ds[1].Confidence != 0.6 || ds[2].Confidence != 0.3 {
		t.Errorf("%+v %+v", ds[1], ds[2])
	}
	var re *RowError
	if !errors.As(bad[0], &re) || re.Line != 5 || !strings.Contains(bad[0].Error(), "xview3.csv:5: lat") {
		t.Errorf("%v", bad[0])
	}
	f2, _ := os.Open("testdata/detections-gfw.csv")
	defer f2.Close()
	ds, bad, err = ImportCSV(f2, "gfw.csv", ImportConfig{})
	if err != nil || len(ds) != 2 || len(bad) != 2 {
		t.Fatalf("%v %d %v", err, len(ds), bad)
	}
	if ds[0].ID != "d1" || ds[0].Confidence != 0.93 || ds[1].Time != time.Date(2023, 10, 21, 21, 14, 5, 0, time.UTC) {
		t.Errorf("%+v", ds)
	}
	if _, _, err := ImportCSV(strings.NewReader("a,b\n1,2\n"), "x.csv", ImportConfig{}); !errors.Is(err, ErrFormat) {
		t.Errorf("no lat column: %v", err)
	}
	// Without a scene id anywhere every row is refused, with the reason.
	_, bad, _ = ImportCSV(strings.NewReader("lat,lon\n42,130\n"), "x.csv", ImportConfig{Time: acq})
	if len(bad) != 1 || !strings.Contains(bad[0].Error(), "scene") {
		t.Errorf("%v", bad)
	}
}

func TestImportGeoJSON(t *testing.T) {
	in := `{"type":"FeatureCollection","features":[
	 {"type":"Feature","id":7,"geometry":{"type":"Point","coordinates":[130.3012,42.2453]},"properties":{"timestamp":"2023-10-21T21:14:03Z","length_m":120,"confidence":0.8,"scene_id":"S"}},
	 {"type":"Feature","geometry":{"type":"Point","coordinates":[130.3,42.2]},"properties":{"length_m":null}},
	 {"type":"Feature","geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]},"properties":{}},
	 {"type":"Feature","geometry":{"type":"Point","coordinates":[230,42]},"properties":{}}]}`
	ds, bad, err := ImportGeoJSON(strings.NewReader(in), "d.geojson", ImportConfig{SceneID: "T", Time: acq})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 2 || len(bad) != 2 {
		t.Fatalf("%d good, bad %v", len(ds), bad)
	}
	if d := ds[0]; d.ID != "7" || d.SceneID != "S" || d.LengthM != 120 || d.Confidence != 0.8 || d.Lat != 42.2453 {
		t.Errorf("%+v", d)
	}
	if d := ds[1]; d.SceneID != "T" || !d.Time.Equal(acq) || d.LengthM != 0 || d.ID != "1" {
		t.Errorf("%+v", d)
	}
}

func TestMemCatalog(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "catalog.json")
	c, err := OpenMemCatalog(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Register("testdata/s1a-stac-item.json", RegisterConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.PutScene(ctx, *s); err != nil {
		t.Fatal(err)
	}
	d := Detection{ID: "1", Lat: 42.25, Lon: 130.3, Time: acq}
	if err := c.PutDetections(ctx, s.ID, "cfar/v1", []Detection{d, d}); err != nil {
		t.Fatal(err)
	}
	if err := c.PutDetections(ctx, s.ID, "import:a.csv", []Detection{d}); err != nil {
		t.Fatal(err)
	}
	// Re-running the detector replaces its detections only.
	if err := c.PutDetections(ctx, s.ID, "cfar/v1", []Detection{d}); err != nil {
		t.Fatal(err)
	}
	a := Annotation{SceneID: s.ID, Kind: "box", X: 0.4, Y: 0.5, W: 0.1, H: 0.05, Label: "possibly ANGARA", Author: "analyst@example.org", Time: acq, IMO: 9179842}
	if err := c.PutAnnotation(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := c.PutAnnotation(ctx, Annotation{SceneID: s.ID, Kind: "box", X: 0.95, W: 0.1, H: 0.1, Label: "x", Author: "a", Time: acq}); !errors.Is(err, ErrFormat) {
		t.Errorf("box off the image: %v", err)
	}
	if _, err := c.Detections(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown scene: %v", err)
	}
	// Reopen from the file.
	c2, err := OpenMemCatalog(path)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := c2.Scene(ctx, s.ID)
	if got.ID != s.ID || !got.Acquired.Equal(s.Acquired) || len(got.Footprint[0]) != 5 {
		t.Errorf("%+v", got)
	}
	ds, _ := c2.Detections(ctx, s.ID)
	if len(ds) != 2 {
		t.Errorf("%d detections", len(ds))
	}
	as, _ := c2.Annotations(ctx, s.ID)
	if len(as) != 1 || as[0].Label != "possibly ANGARA" || as[0].ID == "" {
		t.Errorf("%+v", as)
	}
	for _, q := range []struct {
		q    SceneQuery
		want int
	}{
		{SceneQuery{}, 1},
		{SceneQuery{From: acq.Add(time.Hour)}, 0},
		{SceneQuery{To: acq}, 0},
		{SceneQuery{To: acq.Add(time.Minute)}, 1},
		{SceneQuery{BBox: &[4]float64{130, 42, 131, 43}}, 1},
		{SceneQuery{BBox: &[4]float64{0, 0, 1, 1}}, 0},
	} {
		if got, _ := c2.Scenes(ctx, q.q); len(got) != q.want {
			t.Errorf("%+v: %d scenes", q.q, len(got))
		}
	}
}

func TestFootprintAntimeridian(t *testing.T) {
	f := Footprint{Ring{{179, -17}, {-179, -17}, {-179, -15}, {179, -15}, {179, -17}}}
	if !f.Contains(-16, 179.5) || !f.Contains(-16, -179.5) || f.Contains(-16, 178) || f.Contains(-16, -178) {
		t.Error("antimeridian containment")
	}
}

func TestAddAndDetectScene(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ships := []synth.Ship{{Col: 200.5, Row: 200.5, LengthPx: 14, WidthPx: 3, AxisDeg: 60, SCRdB: 12}}
	path, _ := writeSAR(t, dir, "s1b-iw-grd-vh-20231021t211403-x.tif", ships, nil)
	cat, _ := OpenMemCatalog("")
	s, err := AddFile(ctx, cat, path, RegisterConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Platform != "sentinel-1b" {
		t.Errorf("platform %q", s.Platform)
	}
	cfg := DetectConfig{CFAR: cfar.Config{Looks: 4, Pfa: 1e-8}}
	ds, err := DetectScene(ctx, cat, s.ID, path, nil, cfg)
	if err != nil || len(ds) != 1 {
		t.Fatalf("%v %+v", err, ds)
	}
	// Twice: replaced, not duplicated.
	if _, err := DetectScene(ctx, cat, s.ID, path, nil, cfg); err != nil {
		t.Fatal(err)
	}
	if got, _ := cat.Detections(ctx, s.ID); len(got) != 1 {
		t.Errorf("%d detections stored", len(got))
	}
	// A file that is not the registered evidence is refused.
	other, _ := writeSAR(t, dir, "other.tif", nil, nil)
	if _, err := DetectScene(ctx, cat, s.ID, other, nil, cfg); !errors.Is(err, ErrFormat) {
		t.Errorf("other file: %v", err)
	}
}
