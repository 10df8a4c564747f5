package source

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// TestNew opens each kind of file spec and checks the source type and that
// it reads.
func TestNew(t *testing.T) {
	dir := t.TempDir()
	nmea := []byte("# a log\n" + tagged + "\n")
	csv, _ := os.ReadFile(filepath.Join("testdata", "csv", "marinecadastre2.csv"))
	jsonl, _ := os.ReadFile(filepath.Join("testdata", "aisstream", "messages.jsonl"))
	files := map[string][]byte{
		"a.nmea": nmea, "a.nm4": nmea, "a.txt": nmea, "a.log": nmea, "a.nmea.gz": gzipped(nmea),
		"b.csv": csv, "b.csv.gz": gzipped(csv), "B.CSV": csv,
		"c.json": jsonl, "c.jsonl.gz": gzipped(jsonl), "c.ndjson": jsonl,
		"unknown-nmea.dat": nmea, "unknown-csv": csv, "unknown-json.gz": gzipped(jsonl),
		"dma-with-bom": append([]byte("\ufeff"), mustRead(t, "csv", "dma.csv")...),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		spec  string
		stdin []byte
		want  string
		first string // MMSI of the first observation
	}{
		{"a.nmea", nil, "*source.NMEA", "371798000"},
		{"a.nm4", nil, "*source.NMEA", "371798000"},
		{"a.txt", nil, "*source.NMEA", "371798000"},
		{"a.log", nil, "*source.NMEA", "371798000"},
		{"a.nmea.gz", nil, "*source.NMEA", "371798000"},
		{"b.csv", nil, "*source.CSV", "368000001"},
		{"b.csv.gz", nil, "*source.CSV", "368000001"},
		{"B.CSV", nil, "*source.CSV", "368000001"},
		{"c.json", nil, "*source.AISStreamFile", "244000001"},
		{"c.jsonl.gz", nil, "*source.AISStreamFile", "244000001"},
		{"c.ndjson", nil, "*source.AISStreamFile", "244000001"},
		{"unknown-nmea.dat", nil, "*source.NMEA", "371798000"},
		{"unknown-csv", nil, "*source.CSV", "368000001"},
		{"unknown-json.gz", nil, "*source.AISStreamFile", "244000001"},
		{"dma-with-bom", nil, "*source.CSV", "219000001"},
		{"file://" + filepath.Join(dir, "b.csv"), nil, "*source.CSV", "368000001"},
		{"-", nmea, "*source.NMEA", "371798000"},
		{"-", gzipped(csv), "*source.CSV", "368000001"},
		{"-", jsonl, "*source.AISStreamFile", "244000001"},
	} {
		spec := tc.spec
		if !strings.Contains(spec, "://") && spec != "-" {
			spec = filepath.Join(dir, spec)
		}
		s, err := New(spec, Options{Stdin: bytes.NewReader(tc.stdin)})
		if err != nil {
			t.Errorf("%s: %v", tc.spec, err)
			continue
		}
		if got := fmt.Sprintf("%T", s); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.spec, got, tc.want)
		}
		obs, _ := drain(t, s)
		if len(obs) == 0 || fmt.Sprint(obs[0].MMSI()) != tc.first {
			t.Errorf("%s: first observation %+v, want MMSI %s", tc.spec, obs, tc.first)
		}
		if done, _ := s.Progress(); done == 0 {
			t.Errorf("%s: no progress", tc.spec)
		}
		s.Close()
	}
}

func mustRead(t *testing.T, parts ...string) []byte {
	b, err := os.ReadFile(filepath.Join(append([]string{"testdata"}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestNewLive(t *testing.T) {
	env := func(k string) string {
		if k == "AISSTREAM_API_KEY" {
			return "env-key"
		}
		return ""
	}
	s, err := New("tcp://127.0.0.1:10110", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := s.(*NMEAStream); !ok || n.name != "tcp://127.0.0.1:10110" {
		t.Errorf("%T %+v", s, s)
	}
	s.Close() // never read: never connected
	u, err := New("udp://127.0.0.1:0", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := u.(*NMEAStream); !ok || n.Addr() == nil {
		t.Errorf("%T", u)
	}
	u.Close()

	a, err := New("aisstream://?bbox=38,124,43,131&bbox=-1,-2,1,2&mmsi=244000001,257000004&types=PositionReport,ShipStaticData",
		Options{Getenv: env, AISStream: AISStreamConfig{MessageTypes: []string{"overridden"}}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := a.(*AISStream).cfg
	if cfg.APIKey != "env-key" || cfg.URL != AISStreamURL ||
		!reflect.DeepEqual(cfg.BoundingBoxes, []BoundingBox{{38, 124, 43, 131}, {-1, -2, 1, 2}}) ||
		!reflect.DeepEqual(cfg.MMSIs, []uint32{244000001, 257000004}) ||
		!reflect.DeepEqual(cfg.MessageTypes, []string{"PositionReport", "ShipStaticData"}) {
		t.Errorf("config %+v", cfg)
	}
	a.Close()
	a, err = New("aisstream://", Options{AISStream: AISStreamConfig{APIKey: "opt-key", BoundingBoxes: []BoundingBox{{1, 2, 3, 4}}}, Getenv: env})
	if err != nil {
		t.Fatal(err)
	}
	if cfg := a.(*AISStream).cfg; cfg.APIKey != "opt-key" || len(cfg.BoundingBoxes) != 1 {
		t.Errorf("config %+v", cfg)
	}
	a.Close()
}

func TestNewErrors(t *testing.T) {
	noKey := func(string) string { return "" }
	for _, spec := range []string{
		"ftp://example.org/x",
		"tcp://localhost",
		"tcp://:99999",
		"udp://",
		"aisstream://",
		"aisstream://?bbox=1,2,3",
		"aisstream://?bbox=1,2,3,x",
		"aisstream://?mmsi=abc",
		"aisstream://?limit=3",
		"/no/such/file.nmea",
		"/no/such/file",
	} {
		if s, err := New(spec, Options{Getenv: noKey}); err == nil {
			s.Close()
			t.Errorf("%s: no error", spec)
		} else if s != nil {
			t.Errorf("%s: error %v with a non-nil source", spec, err)
		}
	}
	// A .csv file with a header of no known export names the columns.
	path := filepath.Join(t.TempDir(), "x.csv")
	os.WriteFile(path, []byte("a,b,c,d\n"), 0o644)
	if _, err := New(path, Options{}); err == nil || !strings.Contains(err.Error(), `"a", "b", "c", "d"`) {
		t.Errorf("unknown CSV: %v", err)
	}
}
