package source

import (
	"context"
	"fmt"

	"github.com/lookout-maritime/lookout/internal/vessel"
)

// Source yields observations from one input: a file, a stream or a feed.
//
// Next returns the next observation. When a line or row is rejected it
// returns a *Reject; the caller counts it and calls Next again — a reject
// never ends the input. io.EOF ends it; any other error is fatal for this
// source (the file cannot be read, the connection gave up). A Source is used
// by one goroutine.
type Source interface {
	Next(ctx context.Context) (vessel.Observation, error)
	// Progress reports bytes consumed so far and the total when known
	// (-1 for streams), for progress bars.
	Progress() (done, total int64)
	Close() error
}

// Reject is a line or row that could not be used, with where it was and why.
type Reject struct {
	File   string
	Line   int
	Reason string // short stable code, e.g. "checksum", "bad_lat", "columns"
	Err    error
}

func (r *Reject) Error() string {
	return fmt.Sprintf("%s:%d: %v", r.File, r.Line, r.Err)
}

func (r *Reject) Unwrap() error { return r.Err }
