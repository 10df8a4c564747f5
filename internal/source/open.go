// Package source reads the inputs Lookout ingests: NMEA logs, CSV exports,
// JSON message files and live streams, and turns them into observations.
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
	return openCounted(path, stdin)
}

// countingReader counts the bytes read through it: the compressed bytes of a
// compressed file, so progress compares with the file's size.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// countedFile is an opened input: the (decompressed) reader, the counter
// of raw bytes under it, and what to close.
type countedFile struct {
	io.Reader
	raw     *countingReader
	closers []io.Closer
}

func (c *countedFile) Close() error {
	var first error
	for _, cl := range c.closers {
		if err := cl.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func openCounted(path string, stdin io.Reader) (*countedFile, error) {
	if path == "-" {
		raw := &countingReader{r: stdin}
		br := bufio.NewReaderSize(raw, 1<<16)
		if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
			zr, err := gzip.NewReader(br)
			if err != nil {
				return nil, fmt.Errorf("source: stdin: %w", err)
			}
			return &countedFile{Reader: zr, raw: raw, closers: []io.Closer{zr}}, nil
		}
		return &countedFile{Reader: br, raw: raw}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	raw := &countingReader{r: f}
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(raw)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("source: %s: %w", path, err)
		}
		return &countedFile{Reader: zr, raw: raw, closers: []io.Closer{zr, f}}, nil
	}
	return &countedFile{Reader: raw, raw: raw, closers: []io.Closer{f}}, nil
}
