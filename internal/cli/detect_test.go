package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/store/duckdb"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// meetingStore writes a store in which two tankers lie 200 m apart for
// 90 minutes in the open North Pacific (30 N 150 W, far from any port),
// each reporting every 2 minutes for 28 hours, and a third vessel goes
// silent for 14 hours there. GFW's encounter needs 500 m for 2 h (no
// encounter); Skylight's rendezvous needs 250 m for 30 min (one).
func meetingStore(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "meet.duckdb")
	st, err := duckdb.Open(context.Background(), duckdb.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t0 := time.Date(2023, 10, 1, 0, 0, 0, 0, time.UTC)
	var pts []vessel.TrackPoint
	add := func(mmsi uint32, at time.Time, lat, lon float64, sog float32) {
		pts = append(pts, vessel.TrackPoint{Position: vessel.Position{MMSI: mmsi, Time: at, Lat: lat, Lon: lon,
			SOG: sog, COG: 90, Heading: 90, Class: vessel.ClassA, MsgType: 1, Source: "test"}, Segment: 1})
	}
	const dLon = 0.0005         // ~48 m at 30 N per 2 minutes: 0.8 kn
	for i := 0; i <= 840; i++ { // 28 h
		at := t0.Add(time.Duration(i) * 2 * time.Minute)
		lon := -150 + float64(i)*dLon
		// 200 m apart (0.0018° of latitude) for steps 60-105, drifting
		// apart by 55 m per step outside: within 500 m for 110 min only.
		d := max(0, 60-i, i-105)
		sep := min(0.03, 0.0018+0.0005*float64(d))
		add(636000001, at, 30, lon, 0.8)
		add(636000002, at, 30+sep, lon, 0.8)
	}
	for i := 0; i <= 72; i++ { // every 10 minutes for 12 h, 14 h silence, 2 h more
		at := t0.Add(time.Duration(i) * 10 * time.Minute)
		if i > 60 {
			at = at.Add(14 * time.Hour)
		}
		add(538000003, at, 31, -152+float64(i)*0.01, 10)
	}
	if _, err := st.AddPositions(context.Background(), 0, pts); err != nil {
		t.Fatal(err)
	}
	return path
}

func detectJSON(t *testing.T, args ...string) []event.Event {
	t.Helper()
	out, errOut, code := run(t, "", append([]string{"detect", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("detect %v: exit %d: %s", args, code, errOut)
	}
	return parseEvents(t, out)
}

// parseEvents reads JSON lines of events.
func parseEvents(t *testing.T, out string) []event.Event {
	t.Helper()
	var evs []event.Event
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var e event.Event
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		evs = append(evs, e)
	}
	return evs
}

func kindsOf(evs []event.Event) map[event.Kind]int {
	m := map[event.Kind]int{}
	for _, e := range evs {
		m[e.Kind]++
	}
	return m
}

func TestDetectProfiles(t *testing.T) {
	path := meetingStore(t)
	gfw := kindsOf(detectJSON(t, "--store", path, "--dry-run"))
	if gfw[event.Encounter] != 0 || gfw[event.Gap] != 1 {
		t.Errorf("gfw profile: %v, want a gap and no encounter", gfw)
	}
	sky := detectJSON(t, "--store", path, "--dry-run", "--profile", "skylight")
	var enc *event.Event
	for i := range sky {
		if sky[i].Kind == event.Encounter {
			enc = &sky[i]
		}
	}
	if enc == nil {
		t.Fatalf("skylight profile found no encounter: %v", kindsOf(sky))
	}
	if (enc.MMSI != 636000001 || enc.OtherMMSI != 636000002) && (enc.MMSI != 636000002 || enc.OtherMMSI != 636000001) {
		t.Errorf("encounter between %d and %d", enc.MMSI, enc.OtherMMSI)
	}
	if enc.Params["profile"] != "skylight" || enc.Explanation == "" {
		t.Errorf("encounter params %v, explanation %q", enc.Params, enc.Explanation)
	}
	// A single parameter over the default profile does the same.
	one := kindsOf(detectJSON(t, "--store", path, "--dry-run", "--param", "encounter.max_distance_m=250", "--param", "encounter.min_duration_hours=0.5"))
	if one[event.Encounter] != 1 {
		t.Errorf("gfw with 250 m / 30 min: %v", one)
	}
}

// A re-run replaces the detectors' events: running twice stores the same
// set, and a dry run stores nothing.
func TestDetectReplaces(t *testing.T) {
	path := meetingStore(t)
	if _, errOut, code := run(t, "", "detect", "--store", path, "--profile", "skylight"); code != 0 {
		t.Fatalf("detect: %s", errOut)
	} else if !strings.Contains(errOut, "encounter") {
		t.Errorf("summary lacks the encounter: %s", errOut)
	}
	stored := func() string {
		out, errOut, code := run(t, "", "events", "--store", path, "--json")
		if code != 0 {
			t.Fatal(errOut)
		}
		return out
	}
	first := stored()
	if _, errOut, code := run(t, "", "detect", "--store", path, "--profile", "skylight"); code != 0 {
		t.Fatal(errOut)
	}
	if again := stored(); again != first {
		t.Errorf("a second run changed the stored events:\n%s\n---\n%s", first, again)
	}
	if _, errOut, code := run(t, "", "detect", "--store", path, "--dry-run"); code != 0 {
		t.Fatal(errOut)
	}
	if after := stored(); after != first {
		t.Errorf("a dry run changed the stored events")
	}
	if kinds := kindsOf(detectJSON(t, "--store", path, "--dry-run")); kinds[event.Encounter] != 0 {
		t.Errorf("gfw dry run: %v", kinds)
	}
}

func TestDetectBadParams(t *testing.T) {
	path := meetingStore(t)
	for _, args := range [][]string{
		{"--profile", "nope"},
		{"--param", "encounter.max_distance_m"},
		{"--param", "no.such_param=1"},
		{"--param", "encounter.max_distance_m=-5"},
	} {
		_, errOut, code := run(t, "", append([]string{"detect", "--store", path}, args...)...)
		if code == 0 || errOut == "" {
			t.Errorf("%v: exit %d, %q", args, code, errOut)
		}
	}
}

// --print-config writes what --config reads: the skylight profile printed
// and read back finds the same rendezvous.
func TestDetectConfigFile(t *testing.T) {
	path := meetingStore(t)
	out, errOut, code := run(t, "", "detect", "--store", path, "--profile", "skylight", "--print-config")
	if code != 0 || !strings.Contains(out, "profile = skylight") || !strings.Contains(out, "encounter.max_distance_m = 250") {
		t.Fatalf("print-config: exit %d %s\n%s", code, errOut, out)
	}
	cfg := filepath.Join(t.TempDir(), "params.txt")
	if err := os.WriteFile(cfg, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	if k := kindsOf(detectJSON(t, "--store", path, "--dry-run", "--config", cfg)); k[event.Encounter] != 1 {
		t.Errorf("--config of the skylight profile: %v", k)
	}
	if err := os.WriteFile(cfg, []byte("encounter.max_distance_m = near\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, code = run(t, "", "detect", "--store", path, "--dry-run", "--config", cfg)
	if code == 0 || !strings.Contains(errOut, "params.txt") || !strings.Contains(errOut, "encounter.max_distance_m") {
		t.Errorf("bad config file: exit %d, %s", code, errOut)
	}
}

// A user's own port (--gazetteer) where the tankers meet makes the
// meeting a port-side one, which is not an encounter; --high-risk must
// name a known port.
func TestDetectUserGazetteer(t *testing.T) {
	path := meetingStore(t)
	csv := filepath.Join(t.TempDir(), "ports.csv")
	if err := os.WriteFile(csv, []byte("name,lat,lon,radius_km,country,kind\nPACIFIC MOORING,30.0,-149.96,3,US,anchorage\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := kindsOf(detectJSON(t, "--store", path, "--dry-run", "--profile", "skylight"))
	after := kindsOf(detectJSON(t, "--store", path, "--dry-run", "--profile", "skylight", "--gazetteer", csv, "--high-risk", "PACIFIC MOORING"))
	if before[event.Encounter] != 1 || after[event.Encounter] != 0 {
		t.Errorf("encounters: %d without the user's port, %d with it", before[event.Encounter], after[event.Encounter])
	}
	_, errOut, code := run(t, "", "detect", "--store", path, "--dry-run", "--high-risk", "Atlantis")
	if code == 0 || !strings.Contains(errOut, "Atlantis") {
		t.Errorf("--high-risk Atlantis: exit %d, %s", code, errOut)
	}
	bad := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(bad, []byte("name,lat,lon\nX,95,10\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, code = run(t, "", "detect", "--store", path, "--dry-run", "--gazetteer", bad)
	if code == 0 || !strings.Contains(errOut, "bad.csv") {
		t.Errorf("bad gazetteer: exit %d, %s", code, errOut)
	}
}
