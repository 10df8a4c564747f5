package gazetteer

import (
	"bytes"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

func TestLoadCSV(t *testing.T) {
	ps, err := LoadFile("testdata/user.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 4 {
		t.Fatalf("%d places, want 4", len(ps))
	}
	want := []struct {
		id, name, country string
		kind              Kind
		lat, lon, radius  float64
		high              bool
		aliases           []string
	}{
		{"kp-najin", "Najin", "KP", Port, 42.238, 130.301, 4, true, []string{"Rajin", "Rason"}},
		{"ru-vostochny-coal-pier", "Vostochny coal pier", "RU", Terminal, 42.75, 133.05, 2, true, []string{"Vostochny Coal", "VUT"}},
		{"ru-posyet-approaches", "Posyet approaches", "RU", Zone, 42.6, 130.9, 15, false, nil},
		{"ru-kholmsk-ferry-berth", "Kholmsk, ferry berth", "RU", Port, 47.05, 142.04, 0, false, nil},
	}
	for i, w := range want {
		p := ps[i]
		if p.ID != w.id || p.Name != w.name || p.Country != w.country || p.Kind != w.kind ||
			!near(p.Lat, w.lat) || !near(p.Lon, w.lon) || !near(p.RadiusKm, w.radius) || p.HighRisk != w.high ||
			!slices.Equal(p.Aliases, w.aliases) || p.Origin != "testdata/user.csv" {
			t.Errorf("row %d: %+v\nwant %+v", i+1, p, w)
		}
	}
	if len(ps[2].Polygons) != 1 || len(ps[2].Polygons[0]) != 48 {
		t.Errorf("the zone row has no circle: %v", ps[2].Polygons)
	}

	// Embedded + user file: the user's Najin wins, the rest is added.
	g := mustDefault(t)
	n0 := g.Len()
	replaced, err := g.Add(ps...)
	if err != nil || replaced != 1 || g.Len() != n0+3 {
		t.Errorf("Add: replaced %d, err %v, len %d (was %d)", replaced, err, g.Len(), n0)
	}
	if p, _ := g.Lookup("rason"); p.Origin != "testdata/user.csv" || p.RadiusKm != 4 {
		t.Errorf("Rason after the user file: %+v", p)
	}
	if zs := g.Zones(); len(zs) != 1 || zs[0].Name != "Posyet approaches" {
		t.Errorf("zones: %+v", zs)
	}
}

func TestLoadGeoJSON(t *testing.T) {
	ps, err := LoadFile("testdata/zones.geojson")
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 4 {
		t.Fatalf("%d places, want 4", len(ps))
	}
	rason, bering, pier, strelok := ps[0], ps[1], ps[2], ps[3]
	if rason.Kind != Zone || !rason.HighRisk || len(rason.Polygons) != 1 || len(rason.Polygons[0]) != 4 ||
		!slices.Equal(rason.Aliases, []string{"Najin approaches"}) || !near(rason.Lat, 42.25) || !near(rason.Lon, 130.425) {
		t.Errorf("Rason approaches: %+v", rason)
	}
	if bering.Kind != Zone || len(bering.Polygons) != 2 {
		t.Errorf("Bering box: %+v", bering)
	}
	if pier.Kind != Terminal || pier.Country != "RU" || pier.RadiusKm != 1.5 || pier.Lat != 42.888 || pier.Lon != 132.37 || pier.ID != "ru-dunay-pier" {
		t.Errorf("Dunay pier: %+v", pier)
	}
	// A polygon port: its centroid is the reference point, its radius
	// covers the polygon, and the detectors see it.
	if strelok.Kind != Port || !near(strelok.Lat, 42.9) || !near(strelok.Lon, 132.36) || strelok.RadiusKm < 6.5 || strelok.RadiusKm > 7.5 {
		t.Errorf("Strelok Bay: %+v", strelok)
	}
	g := New(ps...)
	if got := names(g.Within(42.9, 132.36, 1)); !slices.Equal(got, []string{"Strelok Bay"}) {
		t.Errorf("Within at Strelok Bay: %v", got)
	}
	zs := g.Zones()
	if len(zs) != 3 {
		t.Fatalf("%d zones, want 3 (Rason + two parts of Bering)", len(zs))
	}
	for _, tt := range []struct {
		lat, lon float64
		zone     string
	}{{42.2, 130.3, "Rason approaches"}, {60.5, 179.5, "Bering box"}, {60.5, -179.5, "Bering box"}} {
		hit := ""
		for _, z := range zs {
			if inside(z.Polygon, tt.lat, tt.lon) {
				hit = z.Name
			}
		}
		if hit != tt.zone {
			t.Errorf("(%v, %v) in %q, want %q", tt.lat, tt.lon, hit, tt.zone)
		}
	}
}

// Bad entries: the good ones load, every bad one is named by file, line or
// feature, and field, and the sentinel tells what is wrong.
func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, file, body string
		good             int
		want             []string // substrings of the error
		is               error
	}{
		{"csv bad lat", "a.csv", "name,lat,lon\nGood,1,2\nBad,95,2\n", 1,
			[]string{"a.csv:3", `("Bad")`, "field lat", "beyond ±90"}, ErrRange},
		{"csv not a number", "b.csv", "name,lat,lon,radius_km\nX,1,2,wide\n", 0,
			[]string{"b.csv:2", "field radius_km", `"wide"`}, ErrSyntax},
		{"csv bad kind", "c.csv", "name,lat,lon,kind\nX,1,2,harbour\n", 0,
			[]string{"c.csv:2", "field kind", `"harbour"`}, ErrKind},
		{"csv bad country", "d.csv", "name,lat,lon,country\nX,1,2,Korea\n", 0,
			[]string{"d.csv:2", "field country"}, ErrCountry},
		{"csv missing name", "e.csv", "name,lat,lon\n,1,2\nok,1,2\n", 1,
			[]string{"e.csv:2", "field name"}, ErrMissing},
		{"csv no lon column", "f.csv", "name,lat\nX,1\n", 0,
			[]string{"f.csv:1", "field lon", "no \"lon\" column"}, ErrMissing},
		{"csv empty", "g.csv", "", 0, []string{"g.csv:1", "empty file"}, ErrMissing},
		{"csv bad quote", "h.csv", "name,lat,lon\n\"X,1,2\nY,1,2\n", 0, []string{"h.csv"}, ErrSyntax},
		{"csv zone without radius", "i.csv", "name,lat,lon,kind\nZ,1,2,zone\n", 0,
			[]string{"i.csv:2", "a zone needs a polygon or a radius"}, ErrMissing},
		{"csv port too big", "j.csv", "name,lat,lon,radius_km\nP,1,2,80\n", 0,
			[]string{"j.csv:2", "draw a zone"}, ErrRange},
		{"csv high_risk", "k.csv", "name,lat,lon,high_risk\nP,1,2,maybe\n", 0,
			[]string{"k.csv:2", "field high_risk"}, ErrSyntax},
		{"geojson syntax", "a.geojson", "{\n\"type\": \"FeatureCollection\",\n\"features\": [\n}", 0,
			[]string{"a.geojson:4"}, ErrSyntax},
		{"geojson no name", "b.geojson", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1,2]}}]}`, 0,
			[]string{"b.geojson: feature 1", "field properties.name"}, ErrMissing},
		{"geojson line", "c.geojson", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"ok"},"geometry":{"type":"Point","coordinates":[1,2]}},{"type":"Feature","properties":{"name":"L"},"geometry":{"type":"LineString","coordinates":[[1,2],[3,4]]}}]}`, 1,
			[]string{"c.geojson: feature 2", `("L")`, "field geometry.type", "LineString"}, ErrGeometry},
		{"geojson short ring", "d.geojson", `{"type":"Feature","properties":{"name":"Z"},"geometry":{"type":"Polygon","coordinates":[[[1,2],[3,4],[1,2]]]}}`, 0,
			[]string{"d.geojson: feature 1", "field geometry.coordinates", "at least 3"}, ErrGeometry},
		{"geojson bad lat", "e.geojson", `{"type":"Feature","properties":{"name":"P"},"geometry":{"type":"Point","coordinates":[1,99]}}`, 0,
			[]string{"e.geojson: feature 1", "lat 99"}, ErrRange},
		{"geojson radius type", "f.geojson", `{"type":"Feature","properties":{"name":"P","radius_km":[1]},"geometry":{"type":"Point","coordinates":[1,2]}}`, 0,
			[]string{"field properties.radius_km"}, ErrSyntax},
		{"geojson not a collection", "g.geojson", `{"type":"Point","coordinates":[1,2]}`, 0,
			[]string{"g.geojson", "field type", `"Point"`}, ErrSyntax},
		{"unknown format", "x.txt", "hello", 0, []string{"x.txt"}, ErrFormat},
	}
	for _, tt := range tests {
		path := write(tt.file, tt.body)
		ps, err := LoadFile(path)
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		if len(ps) != tt.good {
			t.Errorf("%s: %d good places, want %d", tt.name, len(ps), tt.good)
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not say %q", tt.name, err, w)
			}
		}
		if !errors.Is(err, tt.is) {
			t.Errorf("%s: error %q is not %v", tt.name, err, tt.is)
		}
	}
	if _, err := LoadFile(filepath.Join(dir, "missing.csv")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestLoadErrorCounts(t *testing.T) {
	var b strings.Builder
	b.WriteString("name,lat,lon\n")
	for range 30 {
		b.WriteString("X,100,0\n")
	}
	b.WriteString("ok,1,1\n")
	ps, err := ParseCSV(strings.NewReader(b.String()), "many.csv")
	var le *LoadError
	if !errors.As(err, &le) || le.Count != 30 || len(le.Errs) != maxReported || len(ps) != 1 {
		t.Fatalf("got %d places, %v", len(ps), err)
	}
	if !strings.Contains(err.Error(), "30 bad entries") || !strings.Contains(err.Error(), "and 10 more") {
		t.Errorf("summary: %v", err)
	}
	if le.Errs[0].Line != 2 || le.Errs[19].Line != 21 {
		t.Errorf("lines %d..%d", le.Errs[0].Line, le.Errs[19].Line)
	}
}

func TestParseCoord(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"42.25", 42.25, true},
		{"-8.87", -8.87, true},
		{"42.25N", 42.25, true},
		{"42.25 S", -42.25, true},
		{"S 42.25", -42.25, true},
		{"42°15'N", 42.25, true},
		{"42°15'30\"N", 42.258333, true},
		{"42 15 30 s", -42.258333, true},
		{"-42 15", -42.25, true},
		{"42°60'N", 0, false},
		{"-42 N", 0, false},
		{"91", 0, false},
		{"", 0, false},
		{"N", 0, false},
		{"abc", 0, false},
		{"NaN", 0, false},
		{"1 2 3 4", 0, false},
	}
	for _, tt := range tests {
		got, err := parseCoord(tt.in, 'N', 'S', 90)
		if (err == nil) != tt.ok || tt.ok && math.Abs(got-tt.want) > 1e-6 {
			t.Errorf("parseCoord(%q) = %v, %v; want %v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	if v, err := parseCoord("130 18 E", 'E', 'W', 180); err != nil || !near(v, 130.3) {
		t.Errorf("130 18 E = %v, %v", v, err)
	}
	if v, err := parseCoord("173.235W", 'E', 'W', 180); err != nil || !near(v, -173.235) {
		t.Errorf("173.235W = %v, %v", v, err)
	}
}

// GeoJSON draws everything, and reads back to the same places.
func TestGeoJSONRoundTrip(t *testing.T) {
	g := mustDefault(t)
	user, err := LoadFile("testdata/zones.geojson")
	if err != nil {
		t.Fatal(err)
	}
	g.Add(user...)
	b, err := g.GeoJSON()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseGeoJSON(bytes.NewReader(b), "out.geojson")
	if err != nil {
		t.Fatal(err)
	}
	all := g.All()
	if len(back) != len(all) {
		t.Fatalf("%d places back, %d out", len(back), len(all))
	}
	for i := range all {
		a, c := all[i], back[i]
		if a.ID != c.ID || a.Name != c.Name || a.Country != c.Country || a.Locode != c.Locode || a.Kind != c.Kind ||
			!near(a.Lat, c.Lat) || !near(a.Lon, c.Lon) || math.Abs(a.RadiusKm-c.RadiusKm) > 1e-3 ||
			a.HighRisk != c.HighRisk || a.Source != c.Source || !slices.Equal(a.Aliases, c.Aliases) || len(a.Polygons) != len(c.Polygons) {
			t.Errorf("round trip of %s:\n out %+v\nback %+v", a.ID, a, c)
		}
	}
}

// The founding case's entries, frozen: a change to them is deliberate.
func TestFoundingGolden(t *testing.T) {
	g := mustDefault(t)
	var ps []Place
	for _, id := range append(founding, "kp-songrim", "kp-chongjin", "kr-busan", "jp-niigata") {
		p, ok := g.Lookup(id)
		if !ok {
			t.Fatalf("%s missing", id)
		}
		ps = append(ps, p)
	}
	slices.SortFunc(ps, func(a, b Place) int { return strings.Compare(a.ID, b.ID) })
	ps = slices.CompactFunc(ps, func(a, b Place) bool { return a.ID == b.ID })
	got, err := MarshalGeoJSON(ps)
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	const path = "testdata/founding.golden.geojson"
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("founding-case entries differ from %s (run with -update if deliberate):\n%s", path, got)
	}
}

func FuzzParseCSV(f *testing.F) {
	f.Add([]byte("name,lat,lon\nNajin,42.25,130.3\n"))
	f.Add([]byte("Name,Latitude,Longitude,radius_km,Country,Kind,High_Risk,Aliases\nA,42°15'N,130 18 E,3,kp,zone,yes,B|C\n"))
	f.Add([]byte("\ufeffname,lat,lon,kind\n# c\n\"x\"\"y\",1,1,anchorage\n"))
	f.Add([]byte("name,lat,lon\n\"unterminated,1,2\n"))
	f.Add([]byte("lat,lon,name\n-90,-180,S\n90,180,N\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ps, err := ParseCSV(bytes.NewReader(b), "fuzz.csv")
		checkParsed(t, ps, err)
	})
}

func FuzzParseGeoJSON(f *testing.F) {
	f.Add([]byte(`{"type":"Feature","properties":{"name":"P","radius_km":2},"geometry":{"type":"Point","coordinates":[130.3,42.25]}}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"Z","aliases":["a"]},"geometry":{"type":"Polygon","coordinates":[[[179,0],[-179,0],[-179,1],[179,0]]]}}]}`))
	f.Add([]byte(`{"type":"Feature","properties":{"name":"M","kind":"port"},"geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1]]],[[[5,5],[6,5],[6,6]]]]}}`))
	f.Add([]byte(`{"type":"Feature","properties":{"name":"C","kind":"zone","radius_km":"5"},"geometry":{"type":"Point","coordinates":[0,89.99]}}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[null, 1, "x"]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ps, err := ParseGeoJSON(bytes.NewReader(b), "fuzz.geojson")
		checkParsed(t, ps, err)
	})
}

// checkParsed holds for any parser output: errors name the file, places
// are valid, and a gazetteer built from them answers queries.
func checkParsed(t *testing.T, ps []Place, err error) {
	t.Helper()
	if err != nil && !strings.Contains(err.Error(), "fuzz.") {
		t.Errorf("error does not name the file: %v", err)
	}
	for _, p := range ps {
		if p.Name == "" || fold(p.Name) == "" || p.ID == "" {
			t.Errorf("nameless place %+v", p)
		}
		if !(p.Lat >= -90 && p.Lat <= 90 && p.Lon >= -180 && p.Lon <= 180 && p.RadiusKm >= 0) {
			t.Errorf("place out of range: %+v", p)
		}
		if p.Kind != Zone && p.RadiusKm > MaxRadiusKm {
			t.Errorf("port radius %v", p.RadiusKm)
		}
		if p.Kind == Zone && len(p.Polygons) == 0 {
			t.Errorf("zone without polygon: %+v", p)
		}
		for _, r := range p.Polygons {
			if len(r) < 3 {
				t.Errorf("ring of %d vertices", len(r))
			}
			for i := 1; i < len(r); i++ {
				if math.Abs(r[i][1]-r[i-1][1]) > 180 {
					t.Errorf("ring jumps in longitude: %v", r)
				}
			}
		}
	}
	g := New(ps...)
	if g.Len() > len(ps) {
		t.Errorf("gazetteer of %d places from %d", g.Len(), len(ps))
	}
	for _, p := range g.All() {
		if p.Kind != Zone && len(g.Within(p.Lat, p.Lon, 0.001)) == 0 {
			t.Errorf("Within does not find %q at its own point", p.Name)
		}
	}
	g.Zones()
	if _, err := g.GeoJSON(); err != nil {
		t.Errorf("GeoJSON: %v", err)
	}
}
