package sim

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/ingest"
	"github.com/lookout-maritime/lookout/internal/source"
	"github.com/lookout-maritime/lookout/internal/store/duckdb"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// ingestPositions ingests one file into a fresh DuckDB store and returns
// the run's summary and every stored position in time order.
func ingestPositions(t *testing.T, path string) (ingest.Summary, []vessel.TrackPoint) {
	t.Helper()
	ctx := context.Background()
	st, err := duckdb.Open(ctx, duckdb.Config{Path: filepath.Join(t.TempDir(), "s.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sum, err := ingest.Run(ctx, st, []string{path}, ingest.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var pts []vessel.TrackPoint
	if err := st.ScanPositions(ctx, time.Time{}, time.Time{}, func(b []vessel.TrackPoint) error {
		pts = append(pts, b...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return sum, pts
}

// The CSV export is read by internal/source as a Danish Maritime
// Authority file, goes through ingest with no reject, and stores the same
// positions as the NMEA: same vessels, times, coordinates, speeds,
// courses, headings, statuses and segments — clean, and with a degraded
// reception (duplicate receivers, lines out of order, noise).
func TestCSVMatchesNMEA(t *testing.T) {
	for _, tc := range []struct {
		name string
		rc   Reception
	}{
		{"clean", Reception{}},
		{"degraded", issueDegraded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := smallConfig(3)
			cfg.NoImages, cfg.NoSAR, cfg.CSV = true, true, true
			cfg.Reception = tc.rc
			dir := t.TempDir()
			m, err := New(cfg).Write(dir)
			if err != nil {
				t.Fatal(err)
			}
			if m.AIS.CSVFile != CSVFile+".gz" || m.AIS.CSVRows != m.AIS.Positions {
				t.Fatalf("manifest: CSV %q with %d rows, %d position lines", m.AIS.CSVFile, m.AIS.CSVRows, m.AIS.Positions)
			}
			var kinds []string
			for _, f := range m.Files {
				kinds = append(kinds, f.Kind)
			}
			if !strings.Contains(strings.Join(kinds, ","), "ais-csv") {
				t.Errorf("no ais-csv file in the manifest: %v", kinds)
			}
			// internal/source recognises the layout.
			c, err := source.OpenCSV(filepath.Join(dir, m.AIS.CSVFile), nil, source.CSVConfig{})
			if err != nil {
				t.Fatal(err)
			}
			c.Close()

			nSum, nPts := ingestPositions(t, filepath.Join(dir, m.AIS.File))
			cSum, cPts := ingestPositions(t, filepath.Join(dir, m.AIS.CSVFile))
			if cSum.Rejected != 0 || nSum.Rejected != 0 {
				t.Fatalf("rejected: CSV %d %v, NMEA %d %v", cSum.Rejected, cSum.ByReason, nSum.Rejected, nSum.ByReason)
			}
			if len(nPts) == 0 || len(cPts) != len(nPts) {
				t.Fatalf("CSV stored %d positions, NMEA %d", len(cPts), len(nPts))
			}
			for i := range nPts {
				a, b := nPts[i], cPts[i]
				if a.MMSI != b.MMSI || !a.Time.Equal(b.Time) || a.Lat != b.Lat || a.Lon != b.Lon || a.SOG != b.SOG ||
					a.COG != b.COG || a.Heading != b.Heading || a.Status != b.Status || a.Segment != b.Segment || a.Class != b.Class {
					t.Fatalf("position %d differs:\nNMEA %+v\nCSV  %+v", i, a, b)
				}
			}
			// Both had copies to drop (the NMEA also its type 5 copies, which
			// the CSV carries in its rows' identity columns instead).
			if tc.rc.active() && (nSum.Track.Duplicates == 0 || cSum.Track.Duplicates == 0) {
				t.Errorf("duplicates dropped: NMEA %d, CSV %d", nSum.Track.Duplicates, cSum.Track.Duplicates)
			}
		})
	}
}

// Every CSV row says SIMULATED, carries the vessel's identity once its
// first static report is in, and rows before it say "Unknown".
func TestCSVRows(t *testing.T) {
	cfg := smallConfig(3)
	cfg.NoImages, cfg.NoSAR, cfg.CSV, cfg.Gzip = true, true, true, false
	dir := t.TempDir()
	m, err := New(cfg).Write(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m.AIS.CSVFile != CSVFile {
		t.Fatalf("uncompressed CSV written as %q", m.AIS.CSVFile)
	}
	f, err := os.Open(filepath.Join(dir, m.AIS.CSVFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan()
	if sc.Text()+"\n" != dmaHeader {
		t.Fatalf("header %q", sc.Text())
	}
	byMMSI := map[string]Vessel{}
	for _, v := range m.Vessels {
		byMMSI[itoa(v.MMSI)] = v
	}
	rows, known := 0, 0
	for sc.Scan() {
		rows++
		f := strings.Split(sc.Text(), ",")
		if len(f) != 26 || f[21] != "SIMULATED" || f[1] != "Class A" {
			t.Fatalf("row %d: %q", rows, sc.Text())
		}
		v, ok := byMMSI[f[2]]
		if !ok {
			t.Fatalf("row %d: unknown MMSI %s", rows, f[2])
		}
		switch f[10] {
		case "Unknown":
			if f[12] != "" || f[13] != "Undefined" {
				t.Fatalf("row %d: no IMO but identity %q", rows, sc.Text())
			}
		default:
			known++
			if f[10] != itoa(v.IMO) || f[11] != v.CallSign || f[12] != v.Name || f[16] != itoa(uint32(v.LengthM)) || f[18] == "" || f[19] == "" {
				t.Fatalf("row %d: %q does not carry %+v", rows, sc.Text(), v)
			}
		}
	}
	if rows != m.AIS.CSVRows || known < rows*9/10 {
		t.Errorf("%d rows (manifest %d), %d with an identity", rows, m.AIS.CSVRows, known)
	}
}

func itoa(v uint32) string { return strconv.FormatUint(uint64(v), 10) }
