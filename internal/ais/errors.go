package ais

import (
	"errors"
	"fmt"
)

// Sentinel errors name the reason a line or payload was rejected. They are
// wrapped in *Error so callers can both match the reason with errors.Is and
// show the field that failed.
var (
	ErrEmpty        = errors.New("ais: empty line")
	ErrNotAIS       = errors.New("ais: not an AIS sentence")
	ErrFormat       = errors.New("ais: malformed sentence")
	ErrNoChecksum   = errors.New("ais: missing checksum")
	ErrChecksum     = errors.New("ais: bad checksum")
	ErrTagBlock     = errors.New("ais: malformed tag block")
	ErrTagChecksum  = errors.New("ais: bad tag block checksum")
	ErrFragment     = errors.New("ais: bad fragment numbering")
	ErrOrphan       = errors.New("ais: orphan fragment")
	ErrPayloadChar  = errors.New("ais: invalid payload character")
	ErrFillBits     = errors.New("ais: invalid fill bits")
	ErrTooLong      = errors.New("ais: payload too long")
	ErrTooShort     = errors.New("ais: payload too short for message type")
	ErrUnknownType  = errors.New("ais: unknown message type")
	ErrBadLength    = errors.New("ais: impossible payload length for message type")
	ErrEmptyPayload = errors.New("ais: empty payload")
)

// Reasons lists every sentinel in a stable order, for reports and stats.
var Reasons = []error{
	ErrEmpty, ErrNotAIS, ErrFormat, ErrNoChecksum, ErrChecksum, ErrTagBlock,
	ErrTagChecksum, ErrFragment, ErrOrphan, ErrPayloadChar, ErrFillBits,
	ErrTooLong, ErrTooShort, ErrUnknownType, ErrBadLength, ErrEmptyPayload,
}

// codes are short stable names of the sentinels, for stats and metrics.
var codes = map[error]string{
	ErrEmpty: "empty", ErrNotAIS: "not_ais", ErrFormat: "format",
	ErrNoChecksum: "no_checksum", ErrChecksum: "checksum", ErrTagBlock: "tag_block",
	ErrTagChecksum: "tag_checksum", ErrFragment: "fragment_order", ErrOrphan: "orphan_fragment",
	ErrPayloadChar: "payload_char", ErrFillBits: "fill_bits", ErrTooLong: "too_long",
	ErrTooShort: "too_short", ErrUnknownType: "unknown_type", ErrBadLength: "bad_length",
	ErrEmptyPayload: "empty_payload",
}

// Code returns the short name of err's reason ("checksum", "orphan_fragment",
// ...), or "other" for errors that are not the decoder's.
func Code(err error) string {
	if c, ok := codes[ReasonOf(err)]; ok {
		return c
	}
	return "other"
}

// Error is a rejection with its reason and the detail that explains it.
type Error struct {
	Reason error  // one of the Err* sentinels
	Detail string // e.g. "field 2: want 1-9, got \"x\""
}

func (e *Error) Error() string {
	if e.Detail == "" {
		return e.Reason.Error()
	}
	return e.Reason.Error() + ": " + e.Detail
}

func (e *Error) Unwrap() error { return e.Reason }

func errorf(reason error, format string, args ...any) *Error {
	return &Error{Reason: reason, Detail: fmt.Sprintf(format, args...)}
}

// ReasonOf returns the sentinel behind err, or err itself when it wraps none.
func ReasonOf(err error) error {
	for _, r := range Reasons {
		if errors.Is(err, r) {
			return r
		}
	}
	return err
}
