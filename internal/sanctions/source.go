package sanctions

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"
)

// ReadAll reads a list file whole. Lists are a few MB; limit guards
// against a wrong file (0 means 512 MiB).
func ReadAll(r io.Reader, file string, limit int64) ([]byte, error) {
	if r == nil {
		return nil, Errorf(ErrMalformed, file, 0, "", "no input")
	}
	if limit <= 0 {
		limit = 512 << 20
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, &ParseError{File: file, Reason: "read", Err: err}
	}
	if int64(len(data)) > limit {
		return nil, Errorf(ErrMalformed, file, 0, "", "larger than %d bytes", limit)
	}
	return data, nil
}

// Lines maps byte offsets in a file to 1-based line numbers.
type Lines []int

// NewLines indexes the newlines of data.
func NewLines(data []byte) Lines {
	l := Lines{}
	for i, c := range data {
		if c == '\n' {
			l = append(l, i)
		}
	}
	return l
}

// Line returns the 1-based line of byte offset off.
func (l Lines) Line(off int64) int {
	return sort.SearchInts(l, int(off)) + 1
}

// XMLDoc walks an XML list file token by token, keeping the byte offsets
// needed to cut each record's verbatim text and to report lines.
type XMLDoc struct {
	File  string
	data  []byte
	lines Lines
	D     *xml.Decoder
}

// NewXMLDoc prepares data (a leading UTF-8 byte order mark is skipped).
func NewXMLDoc(data []byte, file string) *XMLDoc {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	return &XMLDoc{File: file, data: data, lines: NewLines(data), D: d}
}

// Next returns the next token and the offset where it starts; io.EOF at
// the end. Syntax errors come back as *ParseError with the line.
func (x *XMLDoc) Next() (xml.Token, int64, error) {
	off := x.D.InputOffset()
	tok, err := x.D.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, off, io.EOF
		}
		return nil, off, x.wrap(err, off)
	}
	return tok, off, nil
}

func (x *XMLDoc) wrap(err error, off int64) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return &ParseError{File: x.File, Line: se.Line, Reason: "XML syntax: " + se.Msg, Err: ErrMalformed}
	}
	var pe *ParseError
	if errors.As(err, &pe) {
		return err
	}
	return &ParseError{File: x.File, Line: x.Line(off), Reason: "XML: " + err.Error(), Err: ErrMalformed}
}

// Decode decodes the element whose start tag se began at start into v and
// returns its verbatim text as a Record.
func (x *XMLDoc) Decode(v any, se *xml.StartElement, start int64) (Record, error) {
	if err := x.D.DecodeElement(v, se); err != nil {
		return Record{}, x.wrap(err, start)
	}
	end := x.D.InputOffset()
	return Record{File: x.File, Line: x.Line(start), Element: se.Name.Local, Raw: string(x.data[start:end])}, nil
}

// Skip skips the rest of the element whose start tag was just read.
func (x *XMLDoc) Skip() error {
	off := x.D.InputOffset()
	if err := x.D.Skip(); err != nil {
		return x.wrap(err, off)
	}
	return nil
}

// Line returns the line of offset off.
func (x *XMLDoc) Line(off int64) int { return x.lines.Line(off) }

// Root reads up to the root element and checks its local name.
func (x *XMLDoc) Root(want string) (xml.StartElement, error) {
	for {
		tok, off, err := x.Next()
		if err == io.EOF {
			return xml.StartElement{}, Errorf(ErrMalformed, x.File, x.Line(off), "", "no root element")
		}
		if err != nil {
			return xml.StartElement{}, err
		}
		if se, ok := tok.(xml.StartElement); ok {
			if se.Name.Local != want {
				return se, Errorf(ErrMalformed, x.File, x.Line(off), se.Name.Local, "root element is <%s>, want <%s>", se.Name.Local, want)
			}
			return se, nil
		}
	}
}

// Attr returns the value of the attribute with local name name.
func Attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// Clean trims s, folds runs of white space (newlines inside XML text)
// into one space and drops invalid UTF-8.
func Clean(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	s = strings.TrimSpace(s)
	if !strings.ContainsAny(s, "\n\r\t  ") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// AppendUnique appends s to list unless it is empty or already there.
func AppendUnique(list []string, s string) []string {
	if s == "" {
		return list
	}
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// AddAlias appends an alias unless it equals the name or an alias with
// the same name and kind.
func (e *Entity) AddAlias(a Alias) {
	a.Name = Clean(a.Name)
	if a.Name == "" || a.Name == e.Name && a.Kind != FKA {
		return
	}
	for i, x := range e.Aliases {
		if x.Name == a.Name && x.Kind == a.Kind {
			if !a.Weak {
				e.Aliases[i].Weak = false
			}
			return
		}
	}
	e.Aliases = append(e.Aliases, a)
}

// Warnf records a non-fatal problem.
func (l *List) Warnf(file string, line int, element, format string, args ...any) {
	l.Warnings = append(l.Warnings, ParseError{File: file, Line: line, Element: element, Reason: fmt.Sprintf(format, args...)})
}

// Walk calls visit for each start element from the current position with
// the offset where its tag begins, until the end of the file (nil) or the
// first error from the decoder or from visit.
func (x *XMLDoc) Walk(visit func(se *xml.StartElement, off int64) error) error {
	for {
		tok, off, err := x.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if err := visit(&se, off); err != nil {
			return err
		}
	}
}

// OpenXMLList reads a whole XML list file from r, checks its root element
// and starts the List every XML loader fills: source, format, file name and
// SHA-256. defaultName names r when it has no name of its own.
func OpenXMLList(r io.Reader, defaultName, root string, src Source, format string) (*XMLDoc, xml.StartElement, *List, error) {
	file := NameOf(r, defaultName)
	data, err := ReadAll(r, file, 0)
	if err != nil {
		return nil, xml.StartElement{}, nil, err
	}
	x := NewXMLDoc(data, file)
	se, err := x.Root(root)
	if err != nil {
		return nil, xml.StartElement{}, nil, err
	}
	return x, se, &List{Source: src, Format: format, Files: []string{file}, SHA256: HashFiles(data)}, nil
}
