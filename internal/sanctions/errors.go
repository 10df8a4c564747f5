package sanctions

import (
	"errors"
	"fmt"
	"io"
	"strconv"
)

// Sentinel errors, matched with errors.Is on the *ParseError a loader
// returns.
var (
	// ErrMalformed: the input is not a well-formed file of the format.
	ErrMalformed = errors.New("sanctions: malformed list file")
	// ErrEmpty: the input holds no entries at all.
	ErrEmpty = errors.New("sanctions: list file has no entries")
	// ErrField: a required field is missing or unusable.
	ErrField = errors.New("sanctions: bad field")
)

// ParseError says where and why a list file was rejected. File is the
// input's name (its Name() when the reader has one, e.g. *os.File, else
// the role such as "sdn.csv"); Line is 1-based, 0 when unknown; Element is
// the XML element or CSV column concerned, when known.
type ParseError struct {
	File    string
	Line    int
	Element string
	Reason  string
	Err     error // one of the sentinels, or the underlying error
}

func (e *ParseError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc += ":" + strconv.Itoa(e.Line)
	}
	if e.Element != "" {
		loc += " <" + e.Element + ">"
	}
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", loc, e.Reason, e.Err)
	}
	return fmt.Sprintf("%s: %s", loc, e.Reason)
}

func (e *ParseError) Unwrap() error { return e.Err }

// Errorf builds a *ParseError wrapping sentinel.
func Errorf(sentinel error, file string, line int, element, format string, args ...any) *ParseError {
	return &ParseError{File: file, Line: line, Element: element, Reason: fmt.Sprintf(format, args...), Err: sentinel}
}

// NameOf returns r's file name when it has one (like *os.File), else def.
func NameOf(r io.Reader, def string) string {
	if n, ok := r.(interface{ Name() string }); ok && n.Name() != "" {
		return n.Name()
	}
	return def
}
