package risk

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

func TestReadFleet(t *testing.T) {
	type row struct {
		line       int
		imo, mmsi  uint32
		name, flag string
	}
	for _, tc := range []struct {
		name       string
		in         string
		delim      rune
		enc        string
		rows       []row
		bad, warns int
		issues     []string // substrings of the issues, in order
	}{
		{name: "plain comma",
			in:    "IMO,MMSI,Name,Flag\n9358010,273359640,MAIA-1,RU\n9179842,,ANGARA,Russia\n",
			delim: ',', enc: "utf-8",
			rows: []row{{2, 9358010, 273359640, "MAIA-1", "RU"}, {3, 9179842, 0, "ANGARA", "RU"}}},
		{name: "excel semicolons, BOM, CRLF, other order and case, quoted names",
			in:    "\ufeffVessel Name;Flag State;mmsi number;IMO No.\r\n\"SEA; STAR\";Panama;  ;IMO 9179842\r\n\"CHON \"\"MA\"\" SAN\";KP;445000001;\r\n",
			delim: ';', enc: "utf-8",
			rows: []row{{2, 9179842, 0, "SEA; STAR", "PA"}, {3, 0, 445000001, `CHON "MA" SAN`, "KP"}}},
		{name: "sep line and tabs in a quoted field",
			in:    "sep=|\nname|imo\n\"A\tB\"|9358010\n",
			delim: '|', enc: "utf-8",
			rows: []row{{3, 9358010, 0, "A B", ""}}},
		{name: "tab separated, blank lines kept in the line count",
			in:    "ShipName\tIMO\n\nELBE\t9179842\n\n\nODER\t9358010\n",
			delim: '\t', enc: "utf-8",
			rows: []row{{3, 9179842, 0, "ELBE", ""}, {6, 9358010, 0, "ODER", ""}}},
		{name: "multi-line quoted field: the row is reported at its first line",
			in:    "name,imo\n\"LONG\nNAME\",9179842\nNEXT,9358010\n",
			delim: ',', enc: "utf-8",
			rows: []row{{2, 9179842, 0, "LONG NAME", ""}, {4, 9358010, 0, "NEXT", ""}}},
		{name: "bad rows counted, the rest kept",
			in: "imo,mmsi,name,flag\n" +
				"2.73E+08,,EXCEL MANGLED,\n" + // 2: IMO as a float
				"9179842,27335964,SHORT MMSI,\n" + // 3: MMSI of 8 digits
				",,,PA\n" + // 4: no identifier
				"9179842,,ACME, INC,PA,extra\n" + // 5: unquoted comma
				"9358011,,BAD CHECK DIGIT,Atlantis\n" + // 6: kept, flag dropped
				"n/a,-,ONLY NAME,\n" + // 7: placeholders are empty
				"9358010\n", // 8: fewer fields is fine
			delim: ',', enc: "utf-8",
			rows: []row{{6, 9358011, 0, "BAD CHECK DIGIT", ""}, {7, 0, 0, "ONLY NAME", ""}, {8, 9358010, 0, "", ""}},
			bad:  4, warns: 1,
			issues: []string{`f.csv:2: imo "2.73E+08": not a seven-digit IMO number (row skipped)`,
				`f.csv:3: mmsi "27335964": not a nine-digit MMSI (row skipped)`,
				`f.csv:4: no IMO, MMSI or name (row skipped)`,
				`f.csv:5: 6 values but the header has 4 columns`,
				`f.csv:6: flag "Atlantis": not a country name or ISO code (field ignored)`}},
		{name: "windows-1252",
			in:    "name,flag\nS\xc3O JO\x80O,BR\n",
			delim: ',', enc: "windows-1252",
			rows: []row{{2, 0, 0, "SÃO JO€O", "BR"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ff, err := ReadFleet(strings.NewReader(tc.in), "f.csv")
			if err != nil {
				t.Fatal(err)
			}
			if ff.Delimiter != tc.delim || ff.Encoding != tc.enc {
				t.Errorf("delimiter %q encoding %s, want %q %s", ff.Delimiter, ff.Encoding, tc.delim, tc.enc)
			}
			var got []row
			for _, r := range ff.Rows {
				got = append(got, row{r.Line, r.IMO, r.MMSI, r.Name, r.Flag})
			}
			if len(got) != len(tc.rows) {
				t.Fatalf("rows %+v\nwant %+v\nissues %v", got, tc.rows, ff.Issues)
			}
			for i := range got {
				if got[i] != tc.rows[i] {
					t.Errorf("row %d: %+v, want %+v", i, got[i], tc.rows[i])
				}
			}
			if ff.Bad != tc.bad || ff.Warnings != tc.warns || len(ff.Issues) != len(tc.issues) {
				t.Fatalf("bad %d warnings %d, want %d %d; issues %v", ff.Bad, ff.Warnings, tc.bad, tc.warns, ff.Issues)
			}
			for i, want := range tc.issues {
				if !strings.Contains(ff.Issues[i].Error(), want) {
					t.Errorf("issue %d: %q, want %q", i, ff.Issues[i].Error(), want)
				}
			}
		})
	}
}

func TestReadFleetCheckDigitAndFields(t *testing.T) {
	ff, err := ReadFleet(strings.NewReader("Owner,IMO,Name\nACME,9358011,X\nACME,9358010,Y\n"), "f.csv")
	if err != nil {
		t.Fatal(err)
	}
	if ff.Rows[0].IMOValid || !ff.Rows[1].IMOValid {
		t.Errorf("check digits: %+v", ff.Rows)
	}
	if ff.Rows[0].Fields["Owner"] != "ACME" || len(ff.Rows[0].Fields) != 3 {
		t.Errorf("fields %v", ff.Rows[0].Fields)
	}
}

func TestReadFleetUTF16(t *testing.T) {
	u := utf16.Encode([]rune("Name\tIMO\r\nMAIA-1\t9358010\r\n"))
	b := []byte{0xFF, 0xFE}
	for _, c := range u {
		b = append(b, byte(c), byte(c>>8))
	}
	ff, err := ReadFleet(strings.NewReader(string(b)), "u.txt")
	if err != nil || ff.Encoding != "utf-16" || len(ff.Rows) != 1 || ff.Rows[0].IMO != 9358010 || ff.Rows[0].Name != "MAIA-1" {
		t.Fatalf("%v %+v", err, ff)
	}
}

func TestReadFleetErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "no header row"},
		{"\n\n", "no header row"},
		{"owner,flag\nACME,PA\n", `f.csv:1: the header "owner,flag" names no IMO, MMSI or vessel name column`},
		{"sep=;\n\nowner;country\n", `f.csv:3: the header "owner;country"`},
	} {
		_, err := ReadFleet(strings.NewReader(tc.in), "f.csv")
		if !errors.Is(err, ErrFleet) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.in, err, tc.want)
		}
	}
}

func TestReadFleetIssuesBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("imo\n")
	for range maxFleetIssues + 500 {
		b.WriteString("12\n")
	}
	ff, err := ReadFleet(strings.NewReader(b.String()), "f.csv")
	if err != nil || ff.Bad != maxFleetIssues+500 || len(ff.Issues) != maxFleetIssues {
		t.Fatalf("%v bad %d issues %d", err, ff.Bad, len(ff.Issues))
	}
}

// FuzzReadFleet: any input either fails with ErrFleet or yields rows
// with an identifier, lines that increase, valid UTF-8, and counts that
// add up.
func FuzzReadFleet(f *testing.F) {
	for _, s := range []string{
		"IMO,MMSI,Name,Flag\n9358010,273359640,MAIA-1,RU\n",
		"\ufeffVessel Name;Flag State;mmsi number;IMO No.\r\n\"SEA; STAR\";Panama;;IMO 9179842\r\n",
		"sep=|\nname|imo\n\"A\tB\"|9358010\n",
		"name,imo\n\"LONG\nNAME\",9179842\n\"unterminated,1\n",
		"imo,name\n2.73E+08,X\n,,\n9179842,\"a\"\"b\",c\n",
		"\xff\xfeN\x00a\x00m\x00e\x00\n\x00X\x00\n\x00",
		"sep=\"\nname\n",
		"name\r\r\n\"\r\"\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ff, err := ReadFleet(strings.NewReader(string(b)), "fuzz.csv")
		if err != nil {
			if !errors.Is(err, ErrFleet) {
				t.Fatalf("error without ErrFleet: %v", err)
			}
			return
		}
		if len(ff.Columns) == 0 {
			t.Fatal("no columns but no error")
		}
		last := 0
		for _, r := range ff.Rows {
			if r.IMO == 0 && r.MMSI == 0 && r.Name == "" {
				t.Fatalf("row without identifier: %+v", r)
			}
			if r.Line <= last {
				t.Fatalf("line %d after %d", r.Line, last)
			}
			last = r.Line
			if !utf8.ValidString(r.Name) || r.MMSI > 999999999 || (r.IMO != 0 && (r.IMO < 1e6 || r.IMO > 9999999)) {
				t.Fatalf("bad row %+v", r)
			}
			if r.Flag != "" && len(r.Flag) != 2 {
				t.Fatalf("flag %q", r.Flag)
			}
		}
		skipped, warned := 0, 0
		for _, i := range ff.Issues {
			if i.Skipped {
				skipped++
			} else {
				warned++
			}
		}
		if len(ff.Issues) < maxFleetIssues && (skipped != ff.Bad || warned != ff.Warnings) {
			t.Fatalf("counts %d/%d vs issues %d/%d", ff.Bad, ff.Warnings, skipped, warned)
		}
	})
}
