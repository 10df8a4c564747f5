package cli

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/golden")

// run executes the CLI in-process and returns stdout, stderr and exit code.
func run(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/cli -update to create)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestDecodeGolden(t *testing.T) {
	const in = "testdata/mixed.nmea"
	for _, tc := range []struct {
		golden string
		args   []string
	}{
		{"decode.txt", []string{"decode", in}},
		{"decode.json", []string{"decode", "--json", in}},
		{"decode-unscaled.json", []string{"decode", "--json", "--unscaled", in}},
		{"decode-meta.json", []string{"decode", "--json", "--meta", in}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			out, errOut, code := run(t, "", tc.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			golden(t, tc.golden, out)
			golden(t, "decode.stderr", errOut)
		})
	}
}

func TestDecodeStatsJSON(t *testing.T) {
	_, errOut, code := run(t, "", "decode", "-q", "--stats", "--stats-format", "json", "testdata/mixed.nmea")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var st statsJSON
	if err := json.Unmarshal([]byte(errOut), &st); err != nil {
		t.Fatalf("stats %q: %v", errOut, err)
	}
	// 14 lines: 1 comment and 1 blank are skipped; 6 messages (one of two
	// lines); 5 rejected, one for each reason below.
	want := statsJSON{Lines: 12, Messages: 6, Fragments: 3, Rejected: 5,
		ByType:   map[string]int{"1": 3, "5": 1, "18": 1, "24": 1},
		ByReason: map[string]int{"checksum": 1, "format": 1, "not_ais": 1, "orphan_fragment": 1, "too_short": 1}}
	gotJSON, _ := json.Marshal(st)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("stats %s\nwant  %s", gotJSON, wantJSON)
	}
}

func TestDecodeStdinAndGzip(t *testing.T) {
	plain, err := os.ReadFile("testdata/mixed.nmea")
	if err != nil {
		t.Fatal(err)
	}
	want, _, _ := run(t, "", "decode", "--json", "testdata/mixed.nmea")
	want = strings.ReplaceAll(want, `"device":"testdata/mixed.nmea"`, `"device":"stdin"`)

	got, _, code := run(t, string(plain), "decode", "--json")
	if code != 0 || got != want {
		t.Errorf("stdin: exit %d, output differs", code)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(plain)
	zw.Close()
	got, _, code = run(t, gz.String(), "decode", "--json", "-")
	if code != 0 || got != want {
		t.Errorf("gzip on stdin: exit %d, output differs", code)
	}
	path := filepath.Join(t.TempDir(), "feed.nmea.gz")
	if err := os.WriteFile(path, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	got, _, code = run(t, "", "decode", "--json", path)
	if code != 0 || got != strings.ReplaceAll(want, `"device":"stdin"`, `"device":"`+path+`"`) {
		t.Errorf(".gz file: exit %d, output differs", code)
	}
}

func TestDecodeErrors(t *testing.T) {
	_, errOut, code := run(t, "", "decode", "testdata/no-such-file.nmea")
	if code != 1 || !strings.Contains(errOut, "no-such-file.nmea") {
		t.Errorf("missing file: exit %d, stderr %q", code, errOut)
	}
	_, errOut, code = run(t, "", "decode", "--no-such-flag")
	if code != 2 || !strings.Contains(errOut, "--help") {
		t.Errorf("bad flag: exit %d, stderr %q", code, errOut)
	}
	_, errOut, code = run(t, "", "decode", "--stats-format", "xml")
	if code != 2 {
		t.Errorf("bad stats format: exit %d, stderr %q", code, errOut)
	}
	// A line too long for the reader is reported, and the run goes on.
	long := strings.Repeat("x", 2<<20) + "\n!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A\n"
	out, errOut, code := run(t, long, "decode")
	if code != 0 || !strings.Contains(errOut, "stdin:1:") || !strings.Contains(out, "mmsi=371798000") {
		t.Errorf("long line: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestHelp(t *testing.T) {
	out, _, code := run(t, "", "decode", "--help")
	if code != 0 || !strings.Contains(out, "--unscaled") || !strings.Contains(out, "gpsd") {
		t.Errorf("help: exit %d\n%s", code, out)
	}
}
