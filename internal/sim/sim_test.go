package sim

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/ais"
	"github.com/lookout-maritime/lookout/internal/ingest"
	"github.com/lookout-maritime/lookout/internal/store/duckdb"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// smallConfig is a scenario small enough for unit tests: ten days with
// the first dark legs of ANGARA and MARIA and the first Najin scene.
func smallConfig(seed int64) Config {
	c := DefaultConfig(seed)
	c.End = time.Date(2023, 9, 12, 0, 0, 0, 0, time.UTC)
	c.Background = 12
	return c
}

var (
	smallOnce sync.Once
	smallDir  string
	smallMan  Manifest
	smallErr  error
)

// writeSmall writes smallConfig(7) once per test binary.
func writeSmall(t *testing.T) (string, Manifest) {
	t.Helper()
	smallOnce.Do(func() {
		smallDir, smallErr = os.MkdirTemp("", "sim-small-")
		if smallErr == nil {
			smallMan, smallErr = New(smallConfig(7)).Write(smallDir)
		}
	})
	if smallErr != nil {
		t.Fatal(smallErr)
	}
	return smallDir, smallMan
}

func TestMain(m *testing.M) {
	code := m.Run()
	if smallDir != "" {
		os.RemoveAll(smallDir)
	}
	os.Exit(code)
}

// hashes returns "sha256  path" for every file under dir, sorted.
func hashes(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		sum := sha256.Sum256(b)
		out = append(out, hex.EncodeToString(sum[:])+"  "+filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// The same seed writes the same bytes, and they are the golden ones; a
// different seed writes different AIS.
func TestDeterministic(t *testing.T) {
	dir, m := writeSmall(t)
	again := t.TempDir()
	if _, err := New(smallConfig(7)).Write(again); err != nil {
		t.Fatal(err)
	}
	a, b := hashes(t, dir), hashes(t, again)
	if !slices.Equal(a, b) {
		t.Fatalf("two runs with seed 7 differ:\n%s\n---\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
	for _, f := range m.Files {
		if !slices.Contains(a, f.SHA256+"  "+f.Path) {
			t.Errorf("manifest's SHA-256 of %s does not match the file", f.Path)
		}
	}
	golden := filepath.Join("testdata", "small.sha256")
	got := strings.Join(a, "\n") + "\n"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("files differ from %s (run with -update if the change is intended):\n%s", golden, got)
	}
	other := t.TempDir()
	m8, err := New(smallConfig(8)).Write(other)
	if err != nil {
		t.Fatal(err)
	}
	if m8.Files[0].SHA256 == m.Files[0].SHA256 && m8.AIS.Messages == m.AIS.Messages {
		t.Error("seeds 7 and 8 wrote the same AIS")
	}
}

// readLines returns the NMEA file's lines.
func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = gz
	}
	var out []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Every line decodes with the repository's own decoder: no rejects, one
// message per position line and per two static lines, the receiver and
// receive time from the tag block, and the static reports carry each
// vessel's identity.
func TestDecodeRoundTrip(t *testing.T) {
	dir, m := writeSmall(t)
	lines := readLines(t, filepath.Join(dir, m.AIS.File))
	if len(lines) != m.AIS.Lines || m.AIS.Lines != m.AIS.Positions+2*m.AIS.Statics {
		t.Fatalf("%d lines, manifest says %d = %d positions + 2×%d statics", len(lines), m.AIS.Lines, m.AIS.Positions, m.AIS.Statics)
	}
	byMMSI := map[uint32]Vessel{}
	for _, v := range m.Vessels {
		byMMSI[v.MMSI] = v
	}
	dec := ais.NewDecoder(ais.Config{})
	var msgs, pos, stat int
	var last time.Time
	seen := map[uint32]bool{}
	for i, l := range lines {
		rep, ok, err := dec.Decode([]byte(l))
		if err != nil {
			t.Fatalf("line %d %q: %v", i+1, l, err)
		}
		if !ok {
			continue
		}
		msgs++
		if rep.Source != Receiver || rep.Received.IsZero() {
			t.Fatalf("line %d: source %q, time %v", i+1, rep.Source, rep.Received)
		}
		if rep.Received.Before(last) || rep.Received.Before(m.Start) || !rep.Received.Before(m.End) {
			t.Fatalf("line %d: time %v out of order or outside %v–%v", i+1, rep.Received, m.Start, m.End)
		}
		last = rep.Received
		switch x := rep.Message.(type) {
		case *ais.PositionReport:
			pos++
			if _, ok := byMMSI[x.MMSI]; !ok {
				t.Fatalf("line %d: unknown MMSI %d", i+1, x.MMSI)
			}
			if int(x.Second) != rep.Received.Second() {
				t.Errorf("line %d: UTC second %d, received at %v", i+1, x.Second, rep.Received)
			}
		case *ais.StaticVoyage:
			stat++
			v := byMMSI[x.MMSI]
			if x.IMO != v.IMO || x.ShipName != v.Name || x.CallSign != v.CallSign || x.ShipType != v.ShipType ||
				float64(x.ToBow+x.ToStern) != v.LengthM || float64(x.ToPort+x.ToStarboard) != v.BeamM {
				t.Fatalf("line %d: static %+v does not carry %+v", i+1, x, v)
			}
			if x.Draught == 0 || x.Destination == "" || rep.Lines != 2 {
				t.Fatalf("line %d: static with draught %d, destination %q, %d lines", i+1, x.Draught, x.Destination, rep.Lines)
			}
			seen[x.MMSI] = true
		default:
			t.Fatalf("line %d: unexpected %T", i+1, rep.Message)
		}
	}
	st := dec.Stats()
	if msgs != m.AIS.Messages || pos != m.AIS.Positions || stat != m.AIS.Statics || len(st.Rejected) != 0 || st.Dropped != 0 {
		t.Errorf("decoded %d messages (%d positions, %d statics), manifest %+v; rejected %v, dropped %d",
			msgs, pos, stat, m.AIS, st.Rejected, st.Dropped)
	}
	for _, typ := range []int{1, 2, 3, 5} {
		if st.ByType[typ] == 0 {
			t.Errorf("no type %d message", typ)
		}
	}
	if len(seen) != len(m.Vessels) {
		t.Errorf("%d of %d vessels sent a static report", len(seen), len(m.Vessels))
	}
}

// The AIS goes through the normal ingest pipeline into a DuckDB store with
// nothing rejected, and the store holds every position.
func TestIngest(t *testing.T) {
	dir, m := writeSmall(t)
	ctx := context.Background()
	st, err := duckdb.Open(ctx, duckdb.Config{Path: filepath.Join(t.TempDir(), "s.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sum, err := ingest.Run(ctx, st, []string{filepath.Join(dir, m.AIS.File)}, ingest.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rejected != 0 || sum.Decoded != int64(m.AIS.Messages) {
		t.Fatalf("ingest: %d decoded, %d rejected (%v); manifest: %d messages", sum.Decoded, sum.Rejected, sum.ByReason, m.AIS.Messages)
	}
	stats, err := st.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Positions != int64(m.AIS.Positions) || sum.Duplicates != 0 {
		t.Errorf("store holds %d positions (%d duplicates), manifest %d", stats.Positions, sum.Duplicates, m.AIS.Positions)
	}
}

// Everything carries the SIMULATED label.
func TestLabelledSimulated(t *testing.T) {
	dir, m := writeSmall(t)
	if !m.Simulated || !strings.Contains(m.Notice, "SIMULATED") {
		t.Errorf("manifest: simulated %v, notice %q", m.Simulated, m.Notice)
	}
	readme, err := os.ReadFile(filepath.Join(dir, "README.txt"))
	if err != nil || !bytes.HasPrefix(readme, []byte("SIMULATED DATA")) {
		t.Errorf("README.txt: %v, starts %.40q", err, readme)
	}
	man, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil || !bytes.Contains(man, []byte(`"simulated": true`)) {
		t.Errorf("manifest.json: %v", err)
	}
	if len(m.Scenes) == 0 {
		t.Fatal("no scenes")
	}
	for _, sc := range m.Scenes {
		if !strings.Contains(sc.Caption, "SIMULATED") || !strings.HasPrefix(sc.Platform, "SIMULATED") {
			t.Errorf("%s: caption %q, platform %q", sc.ID, sc.Caption, sc.Platform)
		}
		side, err := os.ReadFile(filepath.Join(dir, sc.Sidecar))
		if err != nil || !bytes.Contains(side, []byte(`"simulated": true`)) || !bytes.Contains(side, []byte("SIMULATED")) {
			t.Errorf("%s: sidecar %v", sc.ID, err)
		}
	}
	lines := readLines(t, filepath.Join(dir, m.AIS.File))
	for i, l := range lines {
		if strings.Contains(l, "c:") && !strings.Contains(l, "s:"+Receiver+",") {
			t.Fatalf("line %d without the SIMULATED source: %s", i+1, l)
		}
	}
}

func fmtT(t int64) string { return time.Unix(t, 0).UTC().Format("2006-01-02 15:04") }

var _ = fmt.Sprint
var _ = math.Pi

// manifest.json reads back into the manifest Write returned.
func TestReadManifest(t *testing.T) {
	dir, m := writeSmall(t)
	got, err := ReadManifest(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got.AIS.Messages != m.AIS.Messages || len(got.Vessels) != len(m.Vessels) || len(got.DarkLegs) != len(m.DarkLegs) ||
		len(got.Scenes) != len(m.Scenes) || !got.DarkLegs[0].Off.Equal(m.DarkLegs[0].Off) {
		t.Errorf("read back %+v", got.AIS)
	}
	if n := len(got.ByRole(RoleSanctioned)); n != 3 {
		t.Errorf("%d sanctioned vessels", n)
	}
	v, ok := got.Vessel(273219850)
	if !ok || v.Name != "ANGARA" || len(got.DarkLegsOf(v.MMSI)) != 1 {
		t.Errorf("ANGARA: %+v %v, %d legs", v, ok, len(got.DarkLegsOf(v.MMSI)))
	}
	if _, err := ReadManifest(filepath.Join(dir, "README.txt")); err == nil {
		t.Error("README.txt read as a manifest")
	}
}
