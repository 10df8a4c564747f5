// Package source reads the inputs Lookout ingests: NMEA logs, CSV exports,
// JSON message files and live streams, and turns them into observations.
package source

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/klauspost/compress/zstd"
)

// Open opens a file for reading, decompressing gzip (.gz) and Zstandard
// (.zst) by extension, or by their magic numbers when the name has neither
// extension. The path "-" means standard input, which is sniffed the same
// way.
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

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// compression names the codec a path's extension asks for, "" for none.
func compression(path string) string {
	switch {
	case strings.HasSuffix(path, ".gz"):
		return "gzip"
	case strings.HasSuffix(path, ".zst"):
		return "zstd"
	}
	return ""
}

// stripCompression removes a .gz or .zst extension.
func stripCompression(path string) string {
	return strings.TrimSuffix(strings.TrimSuffix(path, ".gz"), ".zst")
}

func openCounted(path string, stdin io.Reader) (*countedFile, error) {
	name := path
	var raw *countingReader
	var closers []io.Closer
	if path == "-" {
		name = "stdin"
		raw = &countingReader{r: stdin}
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("source: %w", err)
		}
		raw = &countingReader{r: f}
		closers = append(closers, f)
	}
	fail := func(err error) (*countedFile, error) {
		for _, c := range closers {
			c.Close()
		}
		return nil, fmt.Errorf("source: %s: %w", name, err)
	}
	br := bufio.NewReaderSize(raw, 1<<16)
	codec := compression(path)
	if codec == "" {
		magic, _ := br.Peek(4) // a short or empty input is plain
		switch {
		case bytes.HasPrefix(magic, gzipMagic):
			codec = "gzip"
		case bytes.HasPrefix(magic, zstdMagic):
			codec = "zstd"
		}
	}
	switch codec {
	case "gzip":
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fail(err)
		}
		return &countedFile{Reader: zr, raw: raw, closers: append([]io.Closer{zr}, closers...)}, nil
	case "zstd":
		// One decoding goroutine: ingest is rarely bound by zstd, and the
		// pipeline has other work for the cores.
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return fail(err)
		}
		zc := zr.IOReadCloser()
		return &countedFile{Reader: zc, raw: raw, closers: append([]io.Closer{zc}, closers...)}, nil
	}
	return &countedFile{Reader: br, raw: raw, closers: closers}, nil
}
