package export

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/vessel"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var t0 = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

func tp(mmsi uint32, min int, lat, lon float64, seg uint32) vessel.TrackPoint {
	return vessel.TrackPoint{Position: vessel.Position{MMSI: mmsi, Time: t0.Add(time.Duration(min) * time.Minute), Lat: lat, Lon: lon,
		SOG: 11.5, COG: 87.25, Heading: 90, Status: 0, Class: vessel.ClassA, MsgType: 1, Source: "rx-1"}, Segment: seg}
}

// fixture: a vessel crossing the antimeridian eastwards in segment 1 with
// an interleaved segment 2 (a second ship on the same MMSI), and a vessel
// without identity with a single position.
func fixture() []Track {
	a := []vessel.TrackPoint{
		tp(273000001, 0, 52.5, 179.8, 1),
		tp(273000001, 10, 52.6, 179.95, 1),
		tp(273000001, 15, 10, 20, 2),
		tp(273000001, 20, 52.7, -179.9, 1),
		tp(273000001, 30, 52.8, -179.7, 1),
		tp(273000001, 35, 10.01, 20.01, 2),
	}
	a[2].SOG, a[2].COG, a[2].Heading, a[2].Class = vessel.NA, vessel.NA, 511, vessel.ClassUnknown
	a[2].Time = a[2].Time.Add(123456 * time.Microsecond)
	a[5].Source = `file "b", part 2`
	id := &vessel.Identity{MMSI: 273000001, IMO: 9123456, Name: `M&V "ÖSTRA" <1>`, CallSign: "UBCD", ShipType: 80, Flag: "RU"}
	b := []vessel.TrackPoint{tp(412000002, 5, -33.9, 151.2, 1)}
	return []Track{{MMSI: 273000001, Identity: id, Points: a}, {MMSI: 412000002, Points: b}}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", name, got)
	}
}

func TestGeoJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteGeoJSON(&buf, fixture(), Options{Points: true}); err != nil {
		t.Fatal(err)
	}
	golden(t, "tracks.geojson", buf.Bytes())
	// RFC 7946: a FeatureCollection of Features with valid geometries,
	// [lon, lat] positions in range, no line crossing the antimeridian.
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Type     string `json:"type"`
			Geometry struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(buf.Bytes(), &fc); err != nil {
		t.Fatal(err)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != 3+7 {
		t.Fatalf("type %q, %d features", fc.Type, len(fc.Features))
	}
	checkPos := func(p []float64) {
		if len(p) != 2 || p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
			t.Errorf("bad position %v", p)
		}
	}
	checkLine := func(l [][]float64) {
		if len(l) < 2 {
			t.Errorf("line string of %d positions", len(l))
		}
		for i, p := range l {
			checkPos(p)
			if i > 0 && math.Abs(p[0]-l[i-1][0]) > 180 {
				t.Errorf("line crosses the antimeridian: %v", l)
			}
		}
	}
	kinds := map[string]int{}
	for _, f := range fc.Features {
		if f.Type != "Feature" {
			t.Errorf("feature type %q", f.Type)
		}
		kinds[f.Geometry.Type]++
		switch f.Geometry.Type {
		case "Point":
			var p []float64
			json.Unmarshal(f.Geometry.Coordinates, &p)
			checkPos(p)
		case "LineString":
			var l [][]float64
			json.Unmarshal(f.Geometry.Coordinates, &l)
			checkLine(l)
		case "MultiLineString":
			var ml [][][]float64
			json.Unmarshal(f.Geometry.Coordinates, &ml)
			for _, l := range ml {
				checkLine(l)
			}
			// The parts meet on the antimeridian at one latitude.
			a, b := ml[0][len(ml[0])-1], ml[1][0]
			if a[0] != 180 || b[0] != -180 || a[1] != b[1] {
				t.Errorf("split at %v / %v", a, b)
			}
		default:
			t.Errorf("geometry %q", f.Geometry.Type)
		}
	}
	if kinds["MultiLineString"] != 1 || kinds["LineString"] != 1 || kinds["Point"] != 8 {
		t.Errorf("geometries %v", kinds)
	}
	// Without points: only the segments.
	buf.Reset()
	if err := WriteGeoJSON(&buf, fixture(), Options{}); err != nil {
		t.Fatal(err)
	}
	golden(t, "tracks-lines.geojson", buf.Bytes())
}

func TestKML(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteKML(&buf, fixture(), Options{Points: true, Title: "Case <7>"}); err != nil {
		t.Fatal(err)
	}
	golden(t, "tracks.kml", buf.Bytes())
	// Well-formed XML in the KML 2.2 namespace, with the expected parts.
	dec := xml.NewDecoder(bytes.NewReader(buf.Bytes()))
	counts := map[string]int{}
	var root xml.Name
	for {
		tok, err := dec.Token()
		if err != nil {
			if err.Error() == "EOF" {
				break
			}
			t.Fatalf("not well-formed: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if root.Local == "" {
				root = se.Name
			}
			if se.Name.Space != "http://www.opengis.net/kml/2.2" {
				t.Fatalf("element %v outside the KML namespace", se.Name)
			}
			counts[se.Name.Local]++
		}
	}
	if root.Local != "kml" {
		t.Fatalf("root %v", root)
	}
	want := map[string]int{"Placemark": 3 + 7, "TimeSpan": 3, "TimeStamp": 7, "LineString": 3, "MultiGeometry": 1, "Folder": 2 + 2}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("%d %s, want %d", counts[k], k, n)
		}
	}
}

func TestCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, fixture()); err != nil {
		t.Fatal(err)
	}
	golden(t, "tracks.csv", buf.Bytes())
	if !bytes.Contains(buf.Bytes(), []byte("\r\n")) {
		t.Error("not CRLF")
	}
	rows, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+7 || !reflect.DeepEqual(rows[0], CSVHeader) {
		t.Fatalf("%d rows, header %v", len(rows), rows[0])
	}
	r := rows[3] // the point with nothing available
	if r[1] != "2024-05-06T07:23:09.123456Z" || r[4] != "" || r[5] != "" || r[6] != "" || r[8] != "" {
		t.Errorf("row %v", r)
	}
	if rows[1][13] != `M&V "ÖSTRA" <1>` || rows[6][10] != `file "b", part 2` {
		t.Errorf("quoting: %v / %v", rows[1], rows[6])
	}
	for _, r := range rows[1:] {
		if _, err := time.Parse(time.RFC3339, r[1]); err != nil {
			t.Errorf("time %q: %v", r[1], err)
		}
	}
}

func TestSplitAntimeridian(t *testing.T) {
	cases := []struct {
		name string
		in   []Coord
		want [][]Coord
	}{
		{"no crossing", []Coord{{10, 1}, {11, 2}}, [][]Coord{{{10, 1}, {11, 2}}}},
		{"east", []Coord{{179, 0}, {-179, 2}}, [][]Coord{{{179, 0}, {180, 1}}, {{-180, 1}, {-179, 2}}}},
		{"west", []Coord{{-179, 2}, {179, 0}}, [][]Coord{{{-179, 2}, {-180, 1}}, {{180, 1}, {179, 0}}}},
		{"twice", []Coord{{170, 0}, {-170, 0}, {170, 0}},
			[][]Coord{{{170, 0}, {180, 0}}, {{-180, 0}, {-170, 0}, {-180, 0}}, {{180, 0}, {170, 0}}}},
		{"on the line", []Coord{{179, 0}, {180, 0}, {-179, 0}}, [][]Coord{{{179, 0}, {180, 0}}, {{-180, 0}, {-179, 0}}}},
		{"starts on the line", []Coord{{-180, 5}, {179, 5}}, [][]Coord{{{180, 5}, {179, 5}}}},
		{"repeats", []Coord{{1, 1}, {1, 1}, {2, 2}}, [][]Coord{{{1, 1}, {2, 2}}}},
		{"one point", []Coord{{1, 1}}, [][]Coord{{{1, 1}}}},
		{"none", nil, nil},
	}
	for _, c := range cases {
		if got := SplitAntimeridian(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %v want %v", c.name, got, c.want)
		}
	}
}

func TestWKB(t *testing.T) {
	// Reference bytes: POINT(1 2) and LINESTRING(1 2, 3 4).
	if got := AppendWKBPoint(nil, Coord{1, 2}); !bytes.Equal(got, []byte{1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0x40}) {
		t.Errorf("point % x", got)
	}
	ls := AppendWKBLineString(nil, []Coord{{1, 2}, {3, 4}})
	if len(ls) != 1+4+4+2*16 || ls[1] != 2 || ls[5] != 2 {
		t.Errorf("linestring % x", ls)
	}
	mls := AppendWKBMultiLineString(nil, [][]Coord{{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}})
	if len(mls) != 1+4+4+2*len(ls) || mls[1] != 5 {
		t.Errorf("multilinestring % x", mls)
	}
}

func TestInvalidTracks(t *testing.T) {
	tr := fixture()
	tr[1].Points[0].MMSI = 1
	if err := WriteGeoJSON(&bytes.Buffer{}, tr, Options{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("foreign MMSI: %v", err)
	}
	tr = fixture()
	tr[0].Points[1].Time = t0.Add(-time.Hour)
	if err := WriteCSV(&bytes.Buffer{}, tr); !errors.Is(err, ErrInvalid) {
		t.Errorf("out of order: %v", err)
	}
	tr = fixture()
	tr[0].Points[1].Lat = 95
	if err := WriteKML(&bytes.Buffer{}, tr, Options{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("latitude 95: %v", err)
	}
	// Empty input is a valid, empty document.
	var buf bytes.Buffer
	if err := WriteGeoJSON(&buf, nil, Options{}); err != nil || buf.String() != "{\"type\":\"FeatureCollection\",\"features\":[\n]}\n" {
		t.Errorf("empty: %q %v", buf.String(), err)
	}
}
