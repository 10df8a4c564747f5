package cli

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/sim"
)

// TestStreamingEqualsBatch: the events the detectors find while ingesting
// are the events `lookout detect` finds over the stored positions — same
// kinds, vessels, times, ports and other vessels — on simulated traffic
// with port calls, dark legs and a ship-to-ship meeting. Draught changes
// are streaming-only (the store keeps no static reports).
func TestStreamingEqualsBatch(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates and ingests a month of traffic")
	}
	dir := t.TempDir()
	cfg := sim.DefaultConfig(7)
	cfg.Start = time.Date(2023, 9, 1, 0, 0, 0, 0, time.UTC)
	cfg.End = time.Date(2023, 10, 20, 0, 0, 0, 0, time.UTC)
	cfg.Background = 30
	cfg.NoImages, cfg.NoSAR = true, true
	man, err := sim.New(cfg).Write(filepath.Join(dir, "data"))
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, f := range man.Files {
		if f.Kind == "ais-nmea" {
			files = append(files, filepath.Join(dir, "data", f.Path))
		}
	}
	st := filepath.Join(dir, "s.duckdb")
	if _, errOut, code := run(t, "", append([]string{"ingest", "--store", st, "-q"}, files...)...); code != 0 {
		t.Fatalf("ingest: %s", errOut)
	}
	out, errOut, code := run(t, "", "events", "--store", st, "--json")
	if code != 0 {
		t.Fatal(errOut)
	}
	streaming := eventSet(t, parseEvents(t, out))
	batch := eventSet(t, detectJSON(t, "--store", st, "--dry-run"))
	if len(streaming) == 0 {
		t.Fatal("no events while ingesting")
	}
	kinds := map[string]int{}
	for k := range streaming {
		kind, _, _ := strings.Cut(k, " ")
		kinds[kind]++
	}
	t.Logf("%d events while ingesting: %v", len(streaming), kinds)
	for k := range streaming {
		if !batch[k] {
			t.Errorf("only while ingesting: %s", k)
		}
	}
	for k := range batch {
		if !streaming[k] {
			t.Errorf("only in lookout detect: %s", k)
		}
	}
	if kinds[string(event.DarkPortVisit)] == 0 || kinds[string(event.PortVisit)] == 0 {
		t.Errorf("the scenario should give port visits and dark port visits: %v", kinds)
	}
}

// eventSet keys each standing event by what an analyst reads from it.
func eventSet(t *testing.T, evs []event.Event) map[string]bool {
	t.Helper()
	m := map[string]bool{}
	for _, e := range evs {
		if e.Withdrawn || e.Kind == event.DraughtChange {
			continue
		}
		k := fmt.Sprintf("%s %d %s %s %s %d", e.Kind, e.MMSI, e.Start.UTC().Format(time.RFC3339), e.End.UTC().Format(time.RFC3339), e.Port, e.OtherMMSI)
		m[k] = true
	}
	return m
}
