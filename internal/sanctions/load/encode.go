package load

import (
	"encoding/json"
	"fmt"

	"github.com/klauspost/compress/zstd"

	"github.com/lookout-maritime/lookout/internal/sanctions"
)

// Encode serialises a loaded list for the store: JSON, zstd-compressed
// (the full OFAC list, 15 000 entities with their original records,
// takes about 1 MB).
func Encode(l *sanctions.List) ([]byte, error) {
	// A warning's Err is an interface JSON cannot restore; its text is in
	// Reason already.
	c := *l
	c.Warnings = make([]sanctions.ParseError, len(l.Warnings))
	for i, w := range l.Warnings {
		w.Err = nil
		c.Warnings[i] = w
	}
	raw, err := json.Marshal(&c)
	if err != nil {
		return nil, fmt.Errorf("load: encode %s: %w", l.Source, err)
	}
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault))
	if err != nil {
		return nil, fmt.Errorf("load: encode: %w", err)
	}
	defer enc.Close()
	return enc.EncodeAll(raw, nil), nil
}

// Decode reverses Encode.
func Decode(data []byte) (*sanctions.List, error) {
	dec, err := zstd.NewReader(nil, zstd.WithDecoderMaxMemory(1<<30))
	if err != nil {
		return nil, fmt.Errorf("load: decode: %w", err)
	}
	defer dec.Close()
	raw, err := dec.DecodeAll(data, nil)
	if err != nil {
		return nil, fmt.Errorf("load: decode: %w", err)
	}
	var l sanctions.List
	if err := json.Unmarshal(raw, &l); err != nil {
		return nil, fmt.Errorf("load: decode: %w", err)
	}
	return &l, nil
}

// Vessels counts the list's vessel entities.
func Vessels(l *sanctions.List) int {
	n := 0
	for i := range l.Entities {
		if l.Entities[i].Kind == sanctions.KindVessel {
			n++
		}
	}
	return n
}
