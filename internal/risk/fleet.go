package risk

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/lookout-maritime/lookout/internal/sanctions"
)

// MaxFleetBytes bounds a fleet file: a fleet of 100 000 vessels with a
// few columns is well under it.
const MaxFleetBytes = 256 << 20

// maxFleetIssues bounds the issues kept (a binary file fed by mistake
// would otherwise report one per line); the counts stay exact.
const maxFleetIssues = 1000

// Fleet column roles: what a header means to the screener.
const (
	ColIMO  = "imo"
	ColMMSI = "mmsi"
	ColName = "name"
	ColFlag = "flag"
)

// FleetFile is a compliance team's vessel list, as exported from its
// systems: one vessel per row with IMO, MMSI, name and flag columns in any
// order and case.
type FleetFile struct {
	File string
	// Header is the header row as written; Columns maps each role found
	// (ColIMO...) to the index of its column.
	Header  []string
	Columns map[string]int
	// Delimiter is the field separator detected (',', ';', '\t' or '|');
	// Encoding is "utf-8", "utf-16" or "windows-1252" (a file that is not
	// valid UTF-8 is read as Windows-1252, Excel's default on Western
	// systems).
	Delimiter rune
	Encoding  string
	Rows      []FleetRow
	// Issues lists the problems found (at most maxFleetIssues of them);
	// Bad counts the rows skipped, Warnings the rows kept with a field
	// ignored.
	Issues   []FleetIssue
	Bad      int
	Warnings int
}

// FleetRow is one vessel to screen.
type FleetRow struct {
	// Line is the row's line in the file (1-based), for the report.
	Line int    `json:"line"`
	IMO  uint32 `json:"imo,omitempty"`
	// IMOValid is false when the IMO's check digit fails: the row is
	// screened anyway (the number may be listed with the same typo) and
	// the rating counts the invalid_imo factor.
	IMOValid bool   `json:"imo_valid,omitempty"`
	MMSI     uint32 `json:"mmsi,omitempty"`
	Name     string `json:"name,omitempty"`
	// Flag is the ISO 3166-1 alpha-2 code of the flag column (code or
	// country name); FlagInput is the column as written.
	Flag      string `json:"flag,omitempty"`
	FlagInput string `json:"flag_input,omitempty"`
	// Fields are every column of the row as written, by header.
	Fields map[string]string `json:"fields"`
}

// FleetIssue is a problem with one row. Skipped issues make the row bad
// (not screened); the others drop one field and keep the row.
type FleetIssue struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Field   string `json:"field,omitempty"`
	Value   string `json:"value,omitempty"`
	Problem string `json:"problem"`
	Skipped bool   `json:"skipped"`
}

func (i FleetIssue) Error() string {
	var s strings.Builder
	fmt.Fprintf(&s, "%s:%d: ", i.File, i.Line)
	if i.Field != "" {
		fmt.Fprintf(&s, "%s %q: ", i.Field, i.Value)
	}
	s.WriteString(i.Problem)
	if i.Skipped {
		s.WriteString(" (row skipped)")
	} else {
		s.WriteString(" (field ignored)")
	}
	return s.String()
}

// ReadFleet reads a fleet file. A UTF-8 byte-order mark, UTF-16 (Excel's
// "Unicode text"), Windows-1252, a "sep=;" first line, comma, semicolon,
// tab or pipe separators and quoted fields are all accepted. The header
// must name at least one of the IMO, MMSI and name columns; headers are
// matched ignoring case, spaces and punctuation ("IMO No.", "Vessel Name",
// "MMSI number", "Flag State").
//
// Only a file that cannot be read or has no usable header is an error
// (wrapping ErrFleet). Bad rows are reported in FleetFile.Issues with
// their line, counted in Bad and skipped: a row without any identifier, an
// MMSI that is not nine digits, an IMO that is not seven digits, a row
// with more values than the header has columns (a name with an unquoted
// separator shifts every column after it), a broken quote.
func ReadFleet(r io.Reader, file string) (*FleetFile, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxFleetBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrFleet, file, err)
	}
	if len(raw) > MaxFleetBytes {
		return nil, fmt.Errorf("%w: %s: larger than %d MB", ErrFleet, file, MaxFleetBytes>>20)
	}
	ff := &FleetFile{File: file, Columns: map[string]int{}}
	text, enc := decodeText(raw)
	ff.Encoding = enc

	// An Excel "sep=;" line names the separator and is not the header.
	lineOff := 0
	delim := rune(0)
	if first, rest, ok := strings.Cut(text, "\n"); ok || len(text) > 0 {
		f := strings.TrimRight(first, "\r")
		if len(f) == 5 && strings.EqualFold(f[:4], "sep=") {
			delim, text, lineOff = rune(f[4]), rest, 1
		}
	}
	if delim == 0 || delim == '"' || delim == '\r' || delim == '\n' || delim == utf8.RuneError {
		delim = sniffDelimiter(text)
	}
	ff.Delimiter = delim

	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = false

	// The header: the first record.
	var header []string
	headerLine := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil, fmt.Errorf("%w: %s: no header row (want columns such as IMO, MMSI, Name, Flag)", ErrFleet, file)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s: header: %v", ErrFleet, file, err)
		}
		line, _ := cr.FieldPos(0)
		if allEmpty(rec) {
			continue
		}
		header, headerLine = rec, line+lineOff
		break
	}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		header[i] = h
		if role := columnRole(h); role != "" {
			if _, dup := ff.Columns[role]; !dup {
				ff.Columns[role] = i
			}
		}
	}
	ff.Header = header
	if len(ff.Columns) == 0 || (len(ff.Columns) == 1 && hasKey(ff.Columns, ColFlag)) {
		return nil, fmt.Errorf("%w: %s:%d: the header %q names no IMO, MMSI or vessel name column (separator %q)",
			ErrFleet, file, headerLine, strings.Join(header, string(delim)), delim)
	}

	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				// Not a row problem (the reader cannot go on): report
				// it and stop rather than loop.
				ff.issue(FleetIssue{Problem: err.Error(), Skipped: true})
				break
			}
			ff.issue(FleetIssue{Line: pe.StartLine + lineOff, Problem: pe.Err.Error(), Skipped: true})
			continue
		}
		if allEmpty(rec) {
			continue
		}
		line, _ := cr.FieldPos(0)
		ff.row(rec, line+lineOff)
	}
	return ff, nil
}

func hasKey(m map[string]int, k string) bool { _, ok := m[k]; return ok }

func (ff *FleetFile) issue(i FleetIssue) {
	i.File = ff.File
	if i.Skipped {
		ff.Bad++
	} else {
		ff.Warnings++
	}
	if len(ff.Issues) < maxFleetIssues {
		ff.Issues = append(ff.Issues, i)
	}
}

func (ff *FleetFile) row(rec []string, line int) {
	if len(rec) > len(ff.Header) && !allEmpty(rec[len(ff.Header):]) {
		ff.issue(FleetIssue{Line: line, Skipped: true,
			Problem: fmt.Sprintf("%d values but the header has %d columns (a value with an unquoted %q?)", len(rec), len(ff.Header), ff.Delimiter)})
		return
	}
	get := func(role string) string {
		i, ok := ff.Columns[role]
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	fr := FleetRow{Line: line, Fields: make(map[string]string, len(ff.Header))}
	for i, h := range ff.Header {
		if i < len(rec) {
			if h == "" {
				h = fmt.Sprintf("column %d", i+1)
			}
			fr.Fields[h] = rec[i]
		}
	}
	if s := get(ColIMO); s != "" && !isNone(s) {
		n, valid := sanctions.ParseIMO(strings.ReplaceAll(s, " ", ""))
		if n < 1_000_000 { // "0000001" is seven digits but no IMO number
			ff.issue(FleetIssue{Line: line, Field: ff.Header[ff.Columns[ColIMO]], Value: s, Skipped: true, Problem: "not a seven-digit IMO number"})
			return
		}
		fr.IMO, fr.IMOValid = n, valid
	}
	if s := get(ColMMSI); s != "" && !isNone(s) {
		n := sanctions.ParseMMSI(strings.ReplaceAll(s, " ", ""))
		if n == 0 {
			ff.issue(FleetIssue{Line: line, Field: ff.Header[ff.Columns[ColMMSI]], Value: s, Skipped: true, Problem: "not a nine-digit MMSI"})
			return
		}
		fr.MMSI = n
	}
	fr.Name = strings.Join(strings.Fields(get(ColName)), " ")
	if fr.IMO == 0 && fr.MMSI == 0 && fr.Name == "" {
		ff.issue(FleetIssue{Line: line, Skipped: true, Problem: "no IMO, MMSI or name"})
		return
	}
	if s := get(ColFlag); s != "" && !isNone(s) {
		fr.FlagInput = s
		if fr.Flag = sanctions.CountryCode(s); fr.Flag == "" {
			ff.issue(FleetIssue{Line: line, Field: ff.Header[ff.Columns[ColFlag]], Value: s, Problem: "not a country name or ISO code"})
		}
	}
	ff.Rows = append(ff.Rows, fr)
}

// isNone: how exports write an empty cell.
func isNone(s string) bool {
	switch strings.ToLower(s) {
	case "-", "--", "n/a", "na", "none", "null", "unknown", "-0-", "0", "0000000", "000000000":
		return true
	}
	return false
}

func allEmpty(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// columnRole maps a header to a role: case, spaces and punctuation are
// ignored, so "IMO No.", "imo_number" and "LR/IMO" are all the IMO.
func columnRole(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	k := b.String()
	switch {
	case k == "":
		return ""
	case strings.HasPrefix(k, "imo") || k == "lrimo" || k == "lrimono" || k == "lrimonumber" || k == "ihsimo" || k == "lrno" || k == "lrnumber":
		return ColIMO
	case strings.HasPrefix(k, "mmsi"):
		return ColMMSI
	case strings.HasPrefix(k, "flag"), k == "vesselflag", k == "shipflag":
		return ColFlag
	}
	switch k {
	case "name", "vessel", "ship", "vesselname", "shipname", "nameofvessel", "nameofship", "currentname", "vesselnm", "shipnm":
		return ColName
	}
	return ""
}

// sniffDelimiter picks the separator that occurs most often, outside
// quotes, on the first non-empty line.
func sniffDelimiter(text string) rune {
	for line := range strings.Lines(text) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		counts := map[rune]int{}
		inq := false
		for _, r := range line {
			switch {
			case r == '"':
				inq = !inq
			case !inq && (r == ',' || r == ';' || r == '\t' || r == '|'):
				counts[r]++
			}
		}
		best, n := ',', 0
		for _, r := range []rune{',', ';', '\t', '|'} {
			if counts[r] > n {
				best, n = r, counts[r]
			}
		}
		return best
	}
	return ','
}

// decodeText turns the file's bytes into UTF-8 text without a BOM.
func decodeText(b []byte) (string, string) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		b = b[3:]
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		le := b[0] == 0xFF
		b = b[2:]
		u := make([]uint16, len(b)/2)
		for i := range u {
			if le {
				u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
			} else {
				u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
			}
		}
		return string(utf16.Decode(u)), "utf-16"
	}
	if utf8.Valid(b) {
		return string(b), "utf-8"
	}
	var s strings.Builder
	s.Grow(len(b) + len(b)/8)
	for _, c := range b {
		if c >= 0x80 && c < 0xA0 {
			s.WriteRune(cp1252[c-0x80])
		} else {
			s.WriteRune(rune(c))
		}
	}
	return s.String(), "windows-1252"
}

// cp1252 maps Windows-1252 bytes 0x80–0x9F (where it differs from
// ISO 8859-1) to Unicode; undefined bytes become U+FFFD.
var cp1252 = [32]rune{
	'€', '\uFFFD', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\uFFFD', 'Ž', '\uFFFD',
	'\uFFFD', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\uFFFD', 'ž', 'Ÿ',
}
