package parquet

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/export"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

func fixture() []export.Track {
	t0 := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	p := func(min int, lat, lon float64, seg uint32) vessel.TrackPoint {
		return vessel.TrackPoint{Position: vessel.Position{MMSI: 273000001, Time: t0.Add(time.Duration(min) * time.Minute), Lat: lat, Lon: lon,
			SOG: 11.5, COG: 87.25, Heading: 90, Class: vessel.ClassA, MsgType: 1, Source: "rx-1"}, Segment: seg}
	}
	pts := []vessel.TrackPoint{p(0, 52.5, 179.8, 1), p(10, 52.6, 179.95, 1), p(15, 10, 20, 2), p(20, 52.7, -179.9, 1), p(35, 10.01, 20.01, 2)}
	pts[2].SOG, pts[2].Heading = vessel.NA, 511
	return []export.Track{{MMSI: 273000001, Identity: &vessel.Identity{MMSI: 273000001, IMO: 9123456, Name: "ÖSTRA"}, Points: pts}}
}

// readBack writes data to a file and queries it with DuckDB.
func readBack(t *testing.T, data []byte, query string) [][]string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "x.parquet")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(strings.ReplaceAll(query, "FILE", "'"+path+"'"))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = v.String
			if !v.Valid {
				row[i] = "NULL"
			}
		}
		out = append(out, row)
	}
	return out
}

func geoMeta(t *testing.T, data []byte) map[string]any {
	t.Helper()
	rows := readBack(t, data, `SELECT decode(value) FROM parquet_kv_metadata(FILE) WHERE decode(key) = 'geo'`)
	if len(rows) != 1 {
		t.Fatalf("no geo metadata: %v", rows)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(rows[0][0]), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestWritePositions(t *testing.T) {
	var buf bytes.Buffer
	if err := WritePositions(context.Background(), &buf, fixture(), Config{}); err != nil {
		t.Fatal(err)
	}
	rows := readBack(t, buf.Bytes(), `SELECT mmsi, strftime(time, '%Y-%m-%dT%H:%M:%SZ'), lat, lon, sog, heading, name, ST_AsText(geometry), typeof(geometry) FROM FILE`)
	if len(rows) != 5 {
		t.Fatalf("%d rows", len(rows))
	}
	if got := strings.Join(rows[0], "|"); got != "273000001|2024-05-06T07:08:09Z|52.5|179.8|11.5|90|ÖSTRA|POINT (179.8 52.5)|GEOMETRY('OGC:CRS84')" {
		t.Errorf("row 0: %s", got)
	}
	if rows[2][4] != "NULL" || rows[2][5] != "NULL" {
		t.Errorf("not-available values: %v", rows[2])
	}
	m := geoMeta(t, buf.Bytes())
	col := m["columns"].(map[string]any)["geometry"].(map[string]any)
	if m["primary_column"] != "geometry" || col["encoding"] != "WKB" || col["geometry_types"].([]any)[0] != "Point" {
		t.Errorf("geo metadata %v", m)
	}
}

func TestWriteTracks(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteTracks(context.Background(), &buf, fixture(), Config{Compression: "snappy"}); err != nil {
		t.Fatal(err)
	}
	rows := readBack(t, buf.Bytes(), `SELECT segment, points, ST_AsText(geometry) FROM FILE ORDER BY segment`)
	want := [][]string{
		{"1", "3", "MULTILINESTRING ((179.8 52.5, 179.95 52.6, 180 52.63333333333334), (-180 52.63333333333334, -179.9 52.7))"},
		{"2", "2", "LINESTRING (20 10, 20.01 10.01)"},
	}
	if strings.Join(rows[0], "|") != strings.Join(want[0], "|") || strings.Join(rows[1], "|") != strings.Join(want[1], "|") {
		t.Errorf("rows %v", rows)
	}
	m := geoMeta(t, buf.Bytes())
	types := m["columns"].(map[string]any)["geometry"].(map[string]any)["geometry_types"]
	if len(types.([]any)) != 2 {
		t.Errorf("geometry types %v", types)
	}
	if err := WriteTracks(context.Background(), &buf, fixture(), Config{Compression: "lz5"}); err == nil {
		t.Error("unknown codec accepted")
	}
}
