// Package source reads the inputs Lookout ingests: NMEA logs, CSV exports,
// JSON message files and live streams.
package source

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"strings"
)

// Open opens a file for reading, decompressing by extension (.gz). The path
// "-" means standard input, which is sniffed for the gzip magic number.
func Open(path string, stdin io.Reader) (io.ReadCloser, error) {
	if path == "-" {
		br := bufio.NewReaderSize(stdin, 1<<16)
		if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
			zr, err := gzip.NewReader(br)
			if err != nil {
				return nil, fmt.Errorf("source: stdin: %w", err)
			}
			return zr, nil
		}
		return io.NopCloser(br), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("source: %s: %w", path, err)
		}
		return &stacked{Reader: zr, closers: []io.Closer{zr, f}}, nil
	}
	return f, nil
}

// stacked closes a decompressor and the file under it.
type stacked struct {
	io.Reader
	closers []io.Closer
}

func (s *stacked) Close() error {
	var first error
	for _, c := range s.closers {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
