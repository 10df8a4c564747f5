package gazetteer

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// csvColumns maps accepted header names (folded) to the field they fill.
var csvColumns = map[string]string{
	"id": "id", "name": "name", "aliases": "aliases", "alias": "aliases",
	"country": "country", "countrycode": "country", "iso2": "country",
	"locode": "locode", "unlocode": "locode",
	"kind": "kind", "type": "kind",
	"lat": "lat", "latitude": "lat",
	"lon": "lon", "lng": "lon", "long": "lon", "longitude": "lon",
	"radiuskm": "radius_km", "radius": "radius_km",
	"highrisk": "high_risk",
	"source":   "source",
}

// maxCSVErrors stops reading a file that is not a gazetteer at all.
const maxCSVErrors = 1000

// ParseCSV reads places from CSV with a header row. Columns (any order,
// any case; unknown columns are ignored): name, lat, lon (required),
// radius_km, country, kind, high_risk, aliases ('|' or ';' between them),
// id, locode, source. Lines starting with '#' are comments. Coordinates
// are decimal degrees ("42.25", "-8.87", "130.3E") or degrees, minutes and
// seconds ("42°15'N", "130 18 E"). A row of kind zone becomes a circular
// zone of its radius. file names the input in errors. On bad rows it
// returns the good places and a *LoadError.
func ParseCSV(r io.Reader, file string) ([]Place, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &ParseError{File: file, Line: 1, Err: fmt.Errorf("%w: empty file (want a header row: name,lat,lon,...)", ErrMissing)}
		}
		return nil, &ParseError{File: file, Line: 1, Err: fmt.Errorf("%w: %v", ErrSyntax, err)}
	}
	col := map[string]int{}
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff")
		}
		f, ok := csvColumns[fold(h)]
		if !ok {
			continue
		}
		if _, dup := col[f]; dup {
			return nil, &ParseError{File: file, Line: 1, Field: f, Err: fmt.Errorf("%w: column %q given twice", ErrSyntax, h)}
		}
		col[f] = i
	}
	for _, f := range []string{"name", "lat", "lon"} {
		if _, ok := col[f]; !ok {
			return nil, &ParseError{File: file, Line: 1, Field: f, Err: fmt.Errorf("%w: no %q column in the header %q", ErrMissing, f, strings.Join(header, ","))}
		}
	}
	le := &LoadError{File: file}
	var out []Place
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// FieldPos is only valid after a successful Read.
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			le.add(&ParseError{File: file, Line: line, Err: fmt.Errorf("%w: %v", ErrSyntax, err)})
			if le.Count >= maxCSVErrors {
				break
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		p, field, err := csvPlace(rec, col)
		if err == nil {
			err = normalise(&p)
		}
		if err != nil {
			le.add(&ParseError{File: file, Line: line, Name: p.Name, Field: field, Err: err})
			if le.Count >= maxCSVErrors {
				break
			}
			continue
		}
		out = append(out, p)
	}
	return le.result(out)
}

// csvPlace reads one row; on error it names the field.
func csvPlace(rec []string, col map[string]int) (Place, string, error) {
	get := func(f string) string {
		if i, ok := col[f]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	p := Place{ID: get("id"), Name: get("name"), Country: get("country"), Locode: get("locode"), Source: get("source")}
	var err error
	if p.Name == "" {
		return p, "name", ErrMissing
	}
	if p.Kind, err = ParseKind(get("kind")); err != nil {
		return p, "kind", err
	}
	if p.Lat, err = parseCoord(get("lat"), 'N', 'S', 90); err != nil {
		return p, "lat", err
	}
	if p.Lon, err = parseCoord(get("lon"), 'E', 'W', 180); err != nil {
		return p, "lon", err
	}
	if s := get("radius_km"); s != "" {
		if p.RadiusKm, err = strconv.ParseFloat(s, 64); err != nil || math.IsNaN(p.RadiusKm) || math.IsInf(p.RadiusKm, 0) {
			return p, "radius_km", fmt.Errorf("%w: %q is not a number of km", ErrSyntax, s)
		}
		if p.RadiusKm < 0 {
			return p, "radius_km", fmt.Errorf("%w: %v is negative", ErrRange, p.RadiusKm)
		}
	}
	if p.HighRisk, err = parseBool(get("high_risk")); err != nil {
		return p, "high_risk", err
	}
	p.Aliases = splitAliases(get("aliases"))
	if _, err := parseCountry(p.Country); err != nil {
		return p, "country", err
	}
	if _, err := parseLocode(p.Locode); err != nil {
		return p, "locode", err
	}
	return p, "", nil
}

func splitAliases(s string) []string {
	if s == "" {
		return nil
	}
	return strings.FieldsFunc(s, func(r rune) bool { return r == '|' || r == ';' })
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "0", "f", "false", "n", "no":
		return false, nil
	case "1", "t", "true", "y", "yes":
		return true, nil
	}
	return false, fmt.Errorf("%w: %q is not true/false/yes/no/1/0", ErrSyntax, s)
}

// parseCoord reads decimal degrees or degrees-minutes-seconds, with an
// optional hemisphere letter before or after (pos for +, neg for -).
func parseCoord(s string, pos, neg byte, limit float64) (float64, error) {
	orig := s
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, ErrMissing
	}
	sign := 1.0
	up := strings.ToUpper(s)
	switch {
	case up[len(up)-1] == pos:
		s = s[:len(s)-1]
	case up[len(up)-1] == neg:
		s, sign = s[:len(s)-1], -1
	case up[0] == pos:
		s = s[1:]
	case up[0] == neg:
		s, sign = s[1:], -1
	}
	hemi := len(s) != len(strings.TrimSpace(orig))
	// Degrees, minutes, seconds: split on anything but digits, '.', '-', '+'.
	parts := strings.FieldsFunc(s, func(r rune) bool {
		return !(unicode.IsDigit(r) || r == '.' || r == '-' || r == '+' || r == 'e' || r == 'E')
	})
	if len(parts) == 0 || len(parts) > 3 {
		return 0, fmt.Errorf("%w: %q is not a coordinate", ErrSyntax, orig)
	}
	var v float64
	for i, part := range parts {
		x, err := strconv.ParseFloat(part, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return 0, fmt.Errorf("%w: %q is not a coordinate", ErrSyntax, orig)
		}
		if i > 0 {
			if x < 0 || x >= 60 {
				return 0, fmt.Errorf("%w: %q: minutes and seconds must be in [0, 60)", ErrRange, orig)
			}
			if v < 0 || strings.HasPrefix(parts[0], "-") {
				x = -x
			}
		}
		v += x / math.Pow(60, float64(i))
	}
	if hemi && v < 0 {
		return 0, fmt.Errorf("%w: %q: a negative value with a hemisphere letter", ErrSyntax, orig)
	}
	v *= sign
	if math.Abs(v) > limit {
		return 0, fmt.Errorf("%w: %v is beyond ±%v", ErrRange, v, limit)
	}
	return v, nil
}
