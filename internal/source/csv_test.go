package source

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/lookout-maritime/lookout/internal/vessel"
)

// TestCSVGolden reads each CSV fixture and compares what it yields, and
// what it counted, with the fixture's golden file.
func TestCSVGolden(t *testing.T) {
	for _, tc := range []struct {
		file   string
		format CSVFormat
	}{
		{"dma.csv", CSVDMA},
		{"dma_2018.csv", CSVDMA},
		{"marinecadastre.csv", CSVMarineCadastre},
		{"marinecadastre2.csv", CSVMarineCadastre2},
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("testdata", "csv", tc.file)
			c, err := OpenCSV(path, nil, CSVConfig{Name: tc.file})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if c.Format() != tc.format {
				t.Errorf("format %q, want %q", c.Format(), tc.format)
			}
			obs, rej := drain(t, c)
			for _, r := range rej {
				if r.Reason == "" || r.File != tc.file || r.Line < 2 {
					t.Errorf("reject without reason or place: %+v", r)
				}
			}
			for _, o := range obs {
				if p := o.Position; p != nil && !vessel.ValidPosition(p.Lat, p.Lon) {
					t.Errorf("invalid position yielded: %+v", p)
				}
			}
			got := render(obs, rej) + renderCounts("skipped", c.Skipped()) + renderCounts("dropped", c.Dropped())
			golden(t, filepath.Join("csv", tc.file+".golden"), got)
			fi, _ := os.Stat(path)
			if done, total := c.Progress(); done != fi.Size() || total != fi.Size() {
				t.Errorf("progress %d/%d, size %d", done, total, fi.Size())
			}
		})
	}
}

// TestCSVCompressed reads the same export plain, gzip and zstd compressed,
// named by extension or not (magic number), and from stdin.
func TestCSVCompressed(t *testing.T) {
	plain, err := os.ReadFile(filepath.Join("testdata", "csv", "marinecadastre2.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(plain)
	zw.Close()
	enc, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	zst := enc.EncodeAll(plain, nil)
	enc.Close()

	dir := t.TempDir()
	want := ""
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"plain.csv", plain},
		{"day.csv.gz", gz.Bytes()},
		{"day.csv.zst", zst},
		{"gzip-named-plain.csv", gz.Bytes()},
		{"zstd-named-plain.csv", zst},
		{"-", zst},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, stdin := tc.name, io.Reader(nil)
			if tc.name == "-" {
				stdin = bytes.NewReader(tc.data)
			} else {
				path = filepath.Join(dir, tc.name)
				if err := os.WriteFile(path, tc.data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			c, err := OpenCSV(path, stdin, CSVConfig{Name: "x"})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			obs, rej := drain(t, c)
			got := render(obs, rej)
			if want == "" {
				want = got
				if len(obs) != 3 || len(rej) != 1 {
					t.Fatalf("%d observations, %d rejects:\n%s", len(obs), len(rej), got)
				}
			} else if got != want {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
			if done, _ := c.Progress(); done != int64(len(tc.data)) {
				t.Errorf("progress %d, want the %d compressed bytes", done, len(tc.data))
			}
		})
	}
}

// TestCSVColumnOrder: columns are found by header name, in any order and
// with extra columns.
func TestCSVColumnOrder(t *testing.T) {
	in := "extra,latitude,transceiver,base_date_time,longitude,mmsi,sog\n" +
		"x,36.96,B,2025-12-31 00:00:00,-76.43,368000001,4.7\n"
	c, err := NewCSV(io.NopCloser(strings.NewReader(in)), "shuffled.csv", -1, CSVConfig{})
	if err != nil {
		t.Fatal(err)
	}
	obs, rej := drain(t, c)
	if len(obs) != 1 || len(rej) != 0 {
		t.Fatalf("obs %v rejects %v", obs, rej)
	}
	p := obs[0].Position
	if p.MMSI != 368000001 || p.Lat != 36.96 || p.Lon != -76.43 || p.SOG != 4.7 || p.Class != vessel.ClassB ||
		!math.IsNaN(float64(p.COG)) || p.Heading != 511 || p.Status != 15 ||
		!p.Time.Equal(time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("position %+v", p)
	}
	if c.Format() != CSVMarineCadastre {
		t.Errorf("format %s", c.Format())
	}
}

func TestCSVUnknownHeader(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"when,who,where\n1,2,3\n", `"when", "who", "where"`},
		{"", "empty file"},
		{"\n\n", "empty file"},
		{"MMSI,BaseDateTime,SOG\n", "without latitude, longitude"},
		{`"a,b` + "\n", "unterminated"},
	} {
		_, err := NewCSV(io.NopCloser(strings.NewReader(tc.in)), "odd.csv", -1, CSVConfig{})
		if !errors.Is(err, ErrUnknownCSV) || !strings.Contains(err.Error(), "odd.csv") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want ErrUnknownCSV naming the file and %s", tc.in, err, tc.want)
		}
	}
	// OpenCSV closes the file it opened when the header is wrong.
	path := filepath.Join(t.TempDir(), "odd.csv")
	os.WriteFile(path, []byte("a,b\n"), 0o644)
	if _, err := OpenCSV(path, nil, CSVConfig{}); !errors.Is(err, ErrUnknownCSV) {
		t.Errorf("OpenCSV: %v", err)
	}
}

// TestCSVStaticEvery: identity columns repeated on every row give a Static
// on change and once per StaticEvery; negative gives one per row.
func TestCSVStaticEvery(t *testing.T) {
	in := "MMSI,BaseDateTime,LAT,LON,VesselName\n" +
		"1,2023-01-01T00:00:00,1,1,A\n" +
		"1,2023-01-01T00:10:00,1,1,A\n" + // unchanged
		"2,2023-01-01T00:10:00,1,1,A\n" + // other vessel
		"1,2023-01-01T00:20:00,1,1,B\n" + // renamed
		"1,2023-01-01T00:40:00,1,1,B\n" + // unchanged, 20 min
		"1,2023-01-01T00:50:00,1,1,B\n" // 30 min since: emitted
	for _, tc := range []struct {
		every time.Duration
		want  int
	}{{0, 3}, {30 * time.Minute, 4}, {-1, 6}} {
		c, err := NewCSV(io.NopCloser(strings.NewReader(in)), "s.csv", -1, CSVConfig{StaticEvery: tc.every})
		if err != nil {
			t.Fatal(err)
		}
		obs, _ := drain(t, c)
		n := 0
		for _, o := range obs {
			if o.Static != nil {
				n++
			}
		}
		if n != tc.want {
			t.Errorf("StaticEvery %v: %d statics, want %d", tc.every, n, tc.want)
		}
	}
}

func TestSplitCSV(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		err  bool
	}{
		{"a,b,c", []string{"a", "b", "c"}, false},
		{"", []string{""}, false},
		{"a,,", []string{"a", "", ""}, false},
		{`"a,b",c`, []string{"a,b", "c"}, false},
		{`"say ""hi""",x`, []string{`say "hi"`, "x"}, false},
		{`a"b,c`, []string{`a"b`, "c"}, false},
		{`"",""`, []string{"", ""}, false},
		{`x,"open`, nil, true},
		{`"a"b,c`, nil, true},
	} {
		got, err := splitCSV(tc.in, nil)
		if (err != nil) != tc.err {
			t.Errorf("%q: error %v", tc.in, err)
			continue
		}
		if !tc.err && strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%q: %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseCSVTime(t *testing.T) {
	utc := func(y, mo, d, h, mi, s, ns int) time.Time {
		return time.Date(y, time.Month(mo), d, h, mi, s, ns, time.UTC)
	}
	for _, tc := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"01/11/2023 00:00:00", utc(2023, 11, 1, 0, 0, 0, 0), true},
		{"29/02/2024 23:59:59", utc(2024, 2, 29, 23, 59, 59, 0), true},
		{"29/02/2023 12:00:00", time.Time{}, false},
		{"2023-01-11T00:00:05", utc(2023, 1, 11, 0, 0, 5, 0), true},
		{"2025-12-31 00:00:00", utc(2025, 12, 31, 0, 0, 0, 0), true},
		{"2025-12-31 00:00:00.25", utc(2025, 12, 31, 0, 0, 0, 250000000), true},
		{"2025-12-31T00:00:00Z", utc(2025, 12, 31, 0, 0, 0, 0), true},
		{"2025-12-31T02:00:00+02:00", utc(2025, 12, 31, 0, 0, 0, 0), true},
		{"2025-12-31T00:00:00-0130", utc(2025, 12, 31, 1, 30, 0, 0), true},
		{"2025-12-31T00:00:00+00:00", utc(2025, 12, 31, 0, 0, 0, 0), true},
		{"2025-12-31T00:00:00.", time.Time{}, false},
		{"2025-12-31T00:00:00 CET", time.Time{}, false},
		{"2025-13-01T00:00:00", time.Time{}, false},
		{"2025-12-31T24:00:00", time.Time{}, false},
		{"2025-12-31T23:60:00", time.Time{}, false},
		{"2025/12/31T00:00:00", time.Time{}, false},
		{"31-12-2025 00:00:00", time.Time{}, false},
		{"2025-12-31", time.Time{}, false},
		{"", time.Time{}, false},
		{"1/11/2023 00:00:00", time.Time{}, false},
	} {
		got, ok := parseCSVTime(tc.in)
		if ok != tc.ok || !got.Equal(tc.want) {
			t.Errorf("%q: %v %v, want %v %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// TestCSVRowTable checks single MarineCadastre rows against what they give.
func TestCSVRowTable(t *testing.T) {
	header := "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass"
	cols, _ := splitCSV(header, nil)
	l, err := detectCSV(cols)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		row, reason, column string
		pos, static         bool
		skip, dropped       string
	}{
		{row: "1,2023-01-01T00:00:00,10,20,1,2,3,,,,,,,,,,A", pos: true},
		{row: "1,2023-01-01T00:00:00,10,20,1,2,3,N,,,,,,,,,A", pos: true, static: true},
		{row: "1,2023-01-01T00:00:00,,,1,2,3,N,,,,,,,,,A", skip: "no_position", static: true},
		{row: "1,2023-01-01T00:00:00,91,20,1,2,3,,,,,,,,,,A", skip: "no_position"},
		{row: "1,2023-01-01T00:00:00,10,181,1,2,3,,,,,,,,,,A", skip: "no_position"},
		{row: "1,2023-01-01T00:00:00,0,0,1,2,3,,,,,,,,,,A", skip: "no_position"},
		{row: "1,2023-01-01T00:00:00,-90.5,20,1,2,3,,,,,,,,,,A", reason: "bad_lat", column: "LAT"},
		{row: "1,2023-01-01T00:00:00,NaN,20,1,2,3,,,,,,,,,,A", reason: "bad_lat", column: "LAT"},
		{row: "1,2023-01-01T00:00:00,10,Inf,1,2,3,,,,,,,,,,A", reason: "bad_lon", column: "LON"},
		{row: "1,2023-01-01T00:00:00,10,1e3,1,2,3,,,,,,,,,,A", reason: "bad_lon", column: "LON"},
		{row: "0,2023-01-01T00:00:00,10,20,1,2,3,,,,,,,,,,A", reason: "bad_mmsi", column: "MMSI"},
		{row: "1000000000,2023-01-01T00:00:00,10,20,1,2,3,,,,,,,,,,A", reason: "bad_mmsi", column: "MMSI"},
		{row: "-5,2023-01-01T00:00:00,10,20,1,2,3,,,,,,,,,,A", reason: "bad_mmsi", column: "MMSI"},
		{row: "1,,10,20,1,2,3,,,,,,,,,,A", reason: "bad_time", column: "BaseDateTime"},
		{row: "1,2023-01-01T00:00:00,10,20,x,2,3,,,,,,,,,,A", reason: "bad_sog", column: "SOG"},
		{row: "1,2023-01-01T00:00:00,10,20,1,y,3,,,,,,,,,,A", reason: "bad_cog", column: "COG"},
		{row: "1,2023-01-01T00:00:00,10,20,1,2,z,,,,,,,,,,A", reason: "bad_heading", column: "Heading"},
		{row: "1,2023-01-01T00:00:00,10,20,-1,2,3,,,,,,,,,,A", pos: true, dropped: "sog_range"},
		{row: "1,2023-01-01T00:00:00,10,20,1,400,3,,,,,,,,,,A", pos: true, dropped: "cog_range"},
		{row: "1,2023-01-01T00:00:00,10,20,1,2,400,,,,,,,,,,A", pos: true, dropped: "heading_range"},
		{row: "1,2023-01-01T00:00:00,10,20,1,2,360,,,,,,,,,,A", pos: true, dropped: "heading_range"},
		{row: "1,2023-01-01T00:00:00,10,20,1,2,359.7,,,,,,,,,,A", pos: true},
		{row: "1,2023-01-01T00:00:00,10,20,1,2,3,,,,Tanker,,,,,,A", pos: true, static: true},
		{row: "1,2023-01-01T00:00:00,10,20,1,2,3,,,,,16,,,,,A", pos: true, dropped: "status_range"},
		{row: "1,2023-01-01T00:00:00,10,20,1,2,3,,,,,flying,,,,,A", pos: true, dropped: "status_text"},
		{row: "1,2023-01-01T00:00:00,10,20,1,2,3,,IMOX,,,,,,,,A", pos: true, dropped: "bad_imo"},
		{row: "1,2023-01-01T00:00:00,10,20,1,2,3,,,,,,-3,,,,A", pos: true, dropped: "bad_dimensions"},
		{row: "1,2023-01-01T00:00:00,10,20,1,2,3,,,,,,,,deep,,A", pos: true, dropped: "bad_draught"},
		{row: "1,2023-01-01T00:00:00,10,20,1,2,3,,,,300,,,,,,A", pos: true, dropped: "bad_ship_type"},
		{row: "1,2023-01-01T00:00:00,10,20,1,2,3,,,,,,,,,,Z", pos: true, dropped: "mobile_text"},
	} {
		f, _ := splitCSV(tc.row, nil)
		dropped := map[string]int{}
		row, ferr := l.parse(f, dropped)
		switch {
		case tc.reason != "":
			if ferr == nil || ferr.Reason != tc.reason || ferr.Column != tc.column ||
				!strings.Contains(ferr.Error(), `"`+tc.column+`"`) {
				t.Errorf("%s: error %v, want %s in column %s", tc.row, ferr, tc.reason, tc.column)
			}
			continue
		case ferr != nil:
			t.Errorf("%s: %v", tc.row, ferr)
			continue
		}
		if (row.pos != nil) != tc.pos || (row.st != nil) != tc.static || row.skip != tc.skip {
			t.Errorf("%s: pos %v static %v skip %q", tc.row, row.pos, row.st, row.skip)
		}
		if tc.dropped != "" && dropped[tc.dropped] != 1 || tc.dropped == "" && len(dropped) > 0 {
			t.Errorf("%s: dropped %v, want %s", tc.row, dropped, tc.dropped)
		}
	}
}

// TestCSVDMATexts checks the text tables against every value listed in
// the Danish export's documentation and seen in its files.
func TestCSVDMATexts(t *testing.T) {
	for text, want := range map[string]uint8{
		"Under way using engine": 0, "At anchor": 1, "Not under command": 2,
		"Restricted manoeuverability": 3, "Constrained by her draught": 4, "Moored": 5,
		"Aground": 6, "Engaged in fishing": 7, "Under way sailing": 8,
		"Reserved for future amendment [HSC]": 9, "Reserved for future amendment [WIG]": 10,
		"Power-driven vessel towing astern":                     11,
		"Power-driven vessel pushing ahead or towing alongside": 12,
		"Reserved for future use":                               13, "AIS-SART": 14, "Unknown value": 15,
	} {
		if got, ok := navStatusText[normText(text)]; !ok || got != want {
			t.Errorf("status %q: %d %v, want %d", text, got, ok, want)
		}
	}
	for text, want := range map[string]uint8{
		"Cargo": 70, "Tanker": 80, "Fishing": 30, "Towing long/wide": 32, "Towing Long/Wide": 32,
		"Anti-pollution": 54, "Law enforcement": 55, "Port tender": 53, "HSC": 40, "WIG": 20,
		"Spare 1": 56, "Not party to conflict": 59, "Passenger": 60, "Other": 90, "Undefined": 0,
	} {
		if got, ok := shipTypeText[normText(text)]; !ok || got != want {
			t.Errorf("ship type %q: %d %v, want %d", text, got, ok, want)
		}
	}
}
