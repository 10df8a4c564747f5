package imagery

import (
	"bytes"
	"os"
	"testing"
)

func FuzzParseSTACItem(f *testing.F) {
	b, _ := os.ReadFile("testdata/s1a-stac-item.json")
	f.Add(b)
	f.Add([]byte(`{"type":"Feature","id":"a","geometry":{"type":"MultiPolygon","coordinates":[[[[179,0],[-179,0],[-179,1],[179,0]]]]},"properties":{"start_datetime":"2023-01-01T00:00:00Z"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseSTACItem(bytes.NewReader(b), "fuzz")
		if err != nil {
			return
		}
		if s.ID == "" || s.Acquired.IsZero() || s.Footprint.validate() != nil {
			t.Fatalf("accepted %+v", s)
		}
		s.Footprint.Contains(0, 0)
	})
}

func FuzzParseSidecar(f *testing.F) {
	f.Add([]byte(`{"acquired":"2023-10-21T02:14:00Z","bounds":[130.28,42.23,130.32,42.26],"source":"x","resolution_m":0.5}`), true)
	f.Add([]byte(`{"acquired":"2023-10-21T02:14:00Z","footprint":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}`), false)
	f.Fuzz(func(t *testing.T, b []byte, need bool) {
		sc, fp, err := ParseSidecar(bytes.NewReader(b), "fuzz", need)
		if err != nil {
			return
		}
		if need && (fp == nil || sc.Acquired.IsZero()) {
			t.Fatalf("accepted without footprint or time: %+v", sc)
		}
		if fp != nil && fp.validate() != nil {
			t.Fatal("invalid footprint accepted")
		}
	})
}

func FuzzImportCSV(f *testing.F) {
	for _, p := range []string{"testdata/detections-xview3.csv", "testdata/detections-gfw.csv"} {
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ds, _, _ := ImportCSV(bytes.NewReader(b), "fuzz", ImportConfig{SceneID: "s", Time: acq, MaxErrors: 50})
		for _, d := range ds {
			if !(d.Lat >= -90 && d.Lat <= 90 && d.Lon >= -180 && d.Lon <= 180) || d.Time.IsZero() || d.SceneID == "" || !(d.Confidence >= 0 && d.Confidence <= 1) {
				t.Fatalf("accepted %+v", d)
			}
		}
	})
}

func FuzzImportGeoJSON(f *testing.F) {
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","id":7,"geometry":{"type":"Point","coordinates":[130.3,42.2]},"properties":{"timestamp":"2023-10-21T21:14:03Z","length_m":120,"confidence":"HIGH","scene_id":"S"}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ds, _, _ := ImportGeoJSON(bytes.NewReader(b), "fuzz", ImportConfig{SceneID: "s", Time: acq, MaxErrors: 50})
		for _, d := range ds {
			if !(d.Lat >= -90 && d.Lat <= 90 && d.Lon >= -180 && d.Lon <= 180) || d.Time.IsZero() || !(d.Confidence >= 0 && d.Confidence <= 1) {
				t.Fatalf("accepted %+v", d)
			}
		}
	})
}
