package cli

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/lookout-maritime/lookout/internal/ingest"
	"github.com/lookout-maritime/lookout/internal/store/postgres"
)

// Ingest twice, then read back: the second run must add nothing, and the
// vessels and track commands must show what the input holds.
func TestIngestThenQuery(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.duckdb")
	for i, wantAdded := range []string{"3 positions stored (0 duplicates)", "0 positions stored (3 duplicates)"} {
		_, errOut, code := run(t, "", "ingest", "-q", "--store", db, "testdata/mixed.nmea")
		if code != 0 || !strings.Contains(errOut, wantAdded) || !strings.Contains(errOut, "6 rejected") {
			t.Fatalf("run %d: exit %d\n%s", i+1, code, errOut)
		}
	}
	out, errOut, code := run(t, "", "vessels", "--json", "--store", db)
	if code != 0 {
		t.Fatalf("vessels: %d %s", code, errOut)
	}
	var named int
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for _, l := range lines {
		var v struct {
			MMSI   uint32
			Latest *struct{ Name, Flag string }
		}
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatal(err)
		}
		if v.Latest != nil && v.Latest.Name == "EVER DIADEM" && v.Latest.Flag == "PA" {
			named++
		}
	}
	if len(lines) != 3 || named != 1 {
		t.Errorf("vessels:\n%s", out)
	}
	out, _, code = run(t, "", "track", "--store", db, "--format", "geojson", "371798000")
	var fc struct {
		Type     string
		Features []json.RawMessage
	}
	if code != 0 || json.Unmarshal([]byte(out), &fc) != nil || fc.Type != "FeatureCollection" || len(fc.Features) == 0 {
		t.Errorf("track geojson: exit %d\n%s", code, out)
	}
	out, _, code = run(t, "", "vessel", "--store", db, "IMO 9134270")
	if code != 0 || !strings.Contains(out, "MMSI 351759000") || !strings.Contains(out, `"EVER DIADEM"`) {
		t.Errorf("vessel by IMO: exit %d\n%s", code, out)
	}
	// Both fixes of 371798000 lie at the same point off Vancouver Island.
	out, _, code = run(t, "", "near", "--store", db, "--json", "--lat", "48.38", "--lon", "-123.40", "--radius-km", "2")
	var nh struct {
		MMSI      uint32
		Positions int
		Closest   struct{ DistanceKm float64 }
	}
	if code != 0 || json.Unmarshal([]byte(strings.TrimSpace(out)), &nh) != nil || nh.MMSI != 371798000 || nh.Positions != 2 || nh.Closest.DistanceKm > 1 {
		t.Errorf("near: exit %d\n%s", code, out)
	}
	if _, _, code := run(t, "", "near", "--store", db, "--lat", "95", "--lon", "0", "--radius-km", "2"); code != 2 {
		t.Errorf("near with lat 95: exit %d, want 2", code)
	}
	// GeoParquet opens in DuckDB with the fixes in it.
	out, _, code = run(t, "", "track", "--store", db, "--format", "parquet", "371798000")
	pq := filepath.Join(t.TempDir(), "t.parquet")
	if code != 0 || os.WriteFile(pq, []byte(out), 0o644) != nil {
		t.Fatalf("track parquet: exit %d", code)
	}
	sqldb, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer sqldb.Close()
	var rows int
	var mmsi int64
	if err := sqldb.QueryRow(`SELECT count(*), min(mmsi) FROM read_parquet(?)`, pq).Scan(&rows, &mmsi); err != nil || rows != 2 || mmsi != 371798000 {
		t.Errorf("parquet in DuckDB: %d rows, mmsi %d, %v", rows, mmsi, err)
	}
	if _, _, code := run(t, "", "track", "--store", db, "--format", "svg", "371798000"); code != 2 {
		t.Errorf("bad format: exit %d, want 2", code)
	}
}

func TestCompactCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.duckdb")
	if _, errOut, code := run(t, "", "ingest", "-q", "--store", db, "testdata/mixed.nmea"); code != 0 {
		t.Fatal(errOut)
	}
	out, errOut, code := run(t, "", "compact", "--store", db)
	if code != 0 || !strings.Contains(out, "compacted") {
		t.Fatalf("compact: %d %s %s", code, out, errOut)
	}
	out, _, _ = run(t, "", "track", "--store", db, "--format", "csv", "371798000")
	if strings.Count(out, "\n") != 3 { // header and two fixes survive compaction
		t.Fatalf("track after compact:\n%s", out)
	}
}

// TestIngestReorderFlags: a fix that arrives four rows behind its vessel's
// newer ones is put in order by default; with --reorder-depth 2 it is
// tracked late, counted, and the summary says which flags to raise.
func TestIngestReorderFlags(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "late.csv")
	rows := "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass\n"
	for _, m := range []int{1, 2, 3, 4, 5, 0, 6} { // minute 0 arrives late
		rows += fmt.Sprintf("367000001,2023-11-01T10:%02d:00,48.%d,-123.40,10.0,90.0,90,TEST,,,70,0,100,20,5.0,,A\n", m, 10+m)
	}
	if err := os.WriteFile(csv, []byte(rows), 0o644); err != nil {
		t.Fatal(err)
	}
	for i, tc := range []struct {
		flags []string
		late  string
		note  bool
	}{
		{nil, "0 late", false},
		{[]string{"--reorder-depth", "2"}, "1 late", true},
		{[]string{"--reorder", "-1s"}, "1 late", true},
	} {
		db := filepath.Join(dir, fmt.Sprintf("t%d.duckdb", i))
		args := append([]string{"ingest", "-q", "--no-detect", "--store", db}, tc.flags...)
		_, errOut, code := run(t, "", append(args, csv)...)
		if code != 0 || !strings.Contains(errOut, "7 positions stored") || !strings.Contains(errOut, tc.late) ||
			strings.Contains(errOut, "--reorder-depth") != tc.note {
			t.Errorf("%v: exit %d, want %q (note %v)\n%s", tc.flags, code, tc.late, tc.note, errOut)
		}
	}
}

// A store that cannot be opened (here: its directory is a file) fails the
// ingest with an error naming it and prints no summary: the store opens
// beside the reading now (ingest.RunOpening), but the user sees the same.
func TestIngestStoreDoesNotOpen(t *testing.T) {
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(notDir, "t.duckdb")
	_, errOut, code := run(t, "", "ingest", "-q", "--store", db, "testdata/mixed.nmea")
	if code == 0 || !strings.Contains(errOut, db) || strings.Contains(errOut, "ingest run") {
		t.Fatalf("exit %d, want a failure naming %s without a summary:\n%s", code, db, errOut)
	}
}

// storeQuantum gives, before the store is open, the batch quantum the
// store it names declares once open.
func TestStoreQuantum(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.duckdb")
	st, err := openStore(t.Context(), db, false)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	q, ok := st.(ingest.Quantizer)
	if !ok || q.BatchQuantum() != storeQuantum(db) {
		t.Errorf("DuckDB store: Quantizer %v, storeQuantum %d", ok, storeQuantum(db))
	}
	if _, ok := any((*postgres.Store)(nil)).(ingest.Quantizer); ok || storeQuantum("postgres://127.0.0.1/x") != 0 {
		t.Errorf("PostgreSQL store: Quantizer %v, storeQuantum %d; want neither", ok, storeQuantum("postgres://127.0.0.1/x"))
	}
}
