package gazetteer

import (
	"bytes"
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// ParseError is one bad row or feature of a user file.
type ParseError struct {
	File    string
	Line    int    // CSV line (1-based), 0 for GeoJSON
	Feature int    // GeoJSON feature (1-based), 0 for CSV
	Name    string // the entry's name, when it has one
	Field   string // the column or property at fault, when known
	Err     error
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Feature > 0 {
		fmt.Fprintf(&b, ": feature %d", e.Feature)
	}
	if e.Name != "" {
		fmt.Fprintf(&b, " (%q)", e.Name)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": field %s", e.Field)
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	return b.String()
}

func (e *ParseError) Unwrap() error { return e.Err }

// LoadError reports the bad entries of a file whose other entries were
// read: the parsers return those places together with a *LoadError, and
// the caller chooses to stop or to warn and go on.
type LoadError struct {
	File  string
	Count int           // bad entries in all
	Errs  []*ParseError // the first maxReported of them
}

const maxReported = 20

func (e *LoadError) add(pe *ParseError) {
	e.Count++
	if len(e.Errs) < maxReported {
		e.Errs = append(e.Errs, pe)
	}
}

func (e *LoadError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "gazetteer: %s: %d bad ", e.File, e.Count)
	if e.Count == 1 {
		b.WriteString("entry")
	} else {
		b.WriteString("entries")
	}
	for _, pe := range e.Errs {
		b.WriteString("\n\t")
		b.WriteString(pe.Error())
	}
	if e.Count > len(e.Errs) {
		fmt.Fprintf(&b, "\n\t... and %d more", e.Count-len(e.Errs))
	}
	return b.String()
}

// Unwrap gives errors.Is and errors.As the individual entries' errors.
func (e *LoadError) Unwrap() []error {
	out := make([]error, len(e.Errs))
	for i, pe := range e.Errs {
		out[i] = pe
	}
	return out
}

// result returns the places with e if anything was bad.
func (e *LoadError) result(ps []Place) ([]Place, error) {
	if e.Count > 0 {
		return ps, e
	}
	return ps, nil
}

// LoadFile reads a user's places from a GeoJSON (.geojson, .json) or CSV
// (.csv, .tsv is not supported) file; other extensions are recognised by
// content ('{' starts GeoJSON). Every place's Origin is the path. On bad
// entries it returns the good places and a *LoadError naming the file, the
// line or feature and the field of each bad one.
func LoadFile(path string) ([]Place, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("gazetteer: %w", err)
	}
	var ps []Place
	switch format(path, b) {
	case "geojson":
		ps, err = ParseGeoJSON(bytes.NewReader(b), path)
	case "csv":
		ps, err = ParseCSV(bytes.NewReader(b), path)
	default:
		return nil, fmt.Errorf("%w: %s (want .geojson, .json or .csv)", ErrFormat, path)
	}
	for i := range ps {
		ps[i].Origin = path
	}
	return ps, err
}

func format(path string, b []byte) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".geojson", ".json":
		return "geojson"
	case ".csv":
		return "csv"
	}
	t := bytes.TrimLeft(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")), " \t\r\n")
	switch {
	case len(t) > 0 && t[0] == '{':
		return "geojson"
	case bytes.Contains(t, []byte(",")):
		return "csv"
	}
	return ""
}

// The embedded table and the note naming its sources travel together.
//
//go:embed ports.csv SOURCE.md
var embeddedFS embed.FS

// Sources is SOURCE.md: where the embedded positions come from, for
// attribution in reports.
func Sources() string {
	b, _ := embeddedFS.ReadFile("SOURCE.md")
	return string(b)
}

var embedded = sync.OnceValues(func() ([]Place, error) {
	b, err := embeddedFS.ReadFile("ports.csv")
	if err != nil {
		return nil, fmt.Errorf("gazetteer: embedded table: %w", err)
	}
	ps, err := ParseCSV(bytes.NewReader(b), "ports.csv")
	if err != nil {
		return nil, fmt.Errorf("gazetteer: embedded table: %w", err)
	}
	for i := range ps {
		ps[i].Origin = "embedded"
	}
	return ps, nil
})

// Embedded returns the embedded places (ports.csv): copies, in file order.
func Embedded() ([]Place, error) {
	ps, err := embedded()
	if err != nil {
		return nil, err
	}
	out := make([]Place, len(ps))
	for i := range ps {
		out[i] = ps[i].clone()
	}
	return out, nil
}
