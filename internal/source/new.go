package source

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Options configures the source New opens. The zero value is usable: each
// part applies only to the kind of source it names.
type Options struct {
	// Stdin is read for the spec "-" (default os.Stdin).
	Stdin io.Reader
	// Logger receives connection events of live sources (default:
	// discarded).
	Logger *slog.Logger
	// Clock dates live lines and messages that carry no time of their own
	// (default time.Now).
	Clock func() time.Time
	// Getenv looks up AISSTREAM_API_KEY when AISStream.APIKey is empty
	// (default os.Getenv).
	Getenv func(string) string

	NMEA      NMEAConfig      // NMEA files and stdin
	CSV       CSVConfig       // CSV exports
	Stream    StreamConfig    // tcp:// and udp:// (its Clock and Logger default to the ones above)
	AISStream AISStreamConfig // aisstream:// (likewise)
}

// New opens the source a user names with spec, the argument the CLI's
// ingest commands take:
//
//	path/to/file          a file, its kind from its extension after any
//	                      .gz (gzip) or .zst (Zstandard) is set aside:
//	  .nmea .nm4 .txt .log .ais   AIS NMEA 0183 sentences, one per line
//	  .csv                        a CSV export, its layout detected from the
//	                              header: Danish Maritime Authority (aisdk),
//	                              NOAA MarineCadastre (both layouts)
//	  .json .jsonl .ndjson        aisstream.io messages, one JSON object a line
//	                      Any other name is recognised from its first line.
//	                      Compression is also recognised by magic number.
//	-                     standard input, recognised from its first line
//	                      like a file of unknown extension (usually NMEA)
//	tcp://host:port       an NMEA TCP server (AIS-catcher, rtl-ais, a
//	                      receiver's LAN port); reconnects with back-off
//	udp://:port           NMEA datagrams sent to this port (udp://host:port
//	                      to listen on one address only)
//	aisstream://          aisstream.io's live WebSocket API; the API key
//	                      comes from AISSTREAM_API_KEY. Query parameters
//	                      narrow the subscription (else opts.AISStream's):
//	                        bbox=lat1,lon1,lat2,lon2  (repeatable; default
//	                                                   the whole world)
//	                        mmsi=244000001,257000004
//	                        types=PositionReport,ShipStaticData
//	                      e.g. aisstream://?bbox=38,124,43,131&types=PositionReport
//
// Files report progress as bytes read of their size; streams as bytes
// received, with total -1. Live sources run until closed or their context
// ends.
func New(spec string, opts Options) (Source, error) {
	if opts.Stdin == nil {
		opts.Stdin = os.Stdin
	}
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	scheme, rest, isURL := strings.Cut(spec, "://")
	if isURL && !strings.ContainsAny(scheme, `/\.`) {
		switch strings.ToLower(scheme) {
		case "tcp":
			addr, err := hostPort(spec, rest)
			if err != nil {
				return nil, err
			}
			return DialNMEA(addr, opts.streamConfig()), nil
		case "udp":
			addr, err := hostPort(spec, rest)
			if err != nil {
				return nil, err
			}
			u, err := ListenNMEA(addr, opts.streamConfig())
			if err != nil {
				return nil, err
			}
			return u, nil
		case "aisstream":
			cfg, err := opts.aisStreamConfig(spec)
			if err != nil {
				return nil, err
			}
			a, err := NewAISStream(cfg)
			if err != nil {
				return nil, err
			}
			return a, nil
		case "file":
			spec = rest
		default:
			return nil, fmt.Errorf("source: %q: unknown scheme %q (want a path, -, tcp://, udp:// or aisstream://)", spec, scheme)
		}
	}
	return openFile(spec, opts)
}

// fileKind is what a file holds.
type fileKind int

const (
	kindUnknown fileKind = iota
	kindNMEA
	kindCSV
	kindJSON
)

func kindByExtension(path string) fileKind {
	switch strings.ToLower(filepath.Ext(stripCompression(path))) {
	case ".nmea", ".nm4", ".txt", ".log", ".ais":
		return kindNMEA
	case ".csv":
		return kindCSV
	case ".json", ".jsonl", ".ndjson":
		return kindJSON
	}
	return kindUnknown
}

// kindByContent recognises a file from its first non-blank line: a JSON
// object, a known CSV header, or else NMEA.
func kindByContent(head []byte) fileKind {
	for len(head) > 0 {
		line := head
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			line, head = head[:i], head[i+1:]
		} else {
			head = nil
		}
		line = bytes.TrimPrefix(bytes.TrimSpace(line), []byte("\ufeff"))
		if len(line) == 0 {
			continue
		}
		if line[0] == '{' {
			return kindJSON
		}
		if cols, err := splitCSV(string(line), nil); err == nil && len(cols) > 3 {
			if _, err := detectCSV(cols); err == nil {
				return kindCSV
			}
		}
		return kindNMEA
	}
	return kindNMEA
}

func openFile(path string, opts Options) (Source, error) {
	kind := kindUnknown
	if path != "-" {
		kind = kindByExtension(path)
	}
	total := fileSize(path)
	f, err := openCounted(path, opts.Stdin)
	if err != nil {
		return nil, err
	}
	if kind == kindUnknown {
		br := bufio.NewReaderSize(f.Reader, 1<<16)
		head, err := br.Peek(1 << 16)
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
			f.Close()
			return nil, fmt.Errorf("source: %s: %w", displayName(path), err)
		}
		kind = kindByContent(head)
		f = &countedFile{Reader: br, raw: f.raw, closers: f.closers}
	}
	name := displayName(path)
	switch kind {
	case kindCSV:
		if opts.CSV.Name != "" {
			name = opts.CSV.Name
		}
		c, err := NewCSV(f, name, total, opts.CSV)
		if err != nil {
			f.Close()
			return nil, err
		}
		return c, nil
	case kindJSON:
		return NewAISStreamFile(f, name, total), nil
	}
	if opts.NMEA.Name != "" {
		name = opts.NMEA.Name
	}
	return NewNMEA(f, name, total, opts.NMEA), nil
}

func hostPort(spec, rest string) (string, error) {
	rest = strings.TrimSuffix(rest, "/")
	if _, port, err := splitHostPort(rest); err != nil || port == "" {
		return "", fmt.Errorf("source: %q: want host:port or :port", spec)
	}
	return rest, nil
}

func splitHostPort(s string) (string, string, error) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return "", "", errors.New("no port")
	}
	if p, err := strconv.Atoi(s[i+1:]); err != nil || p < 0 || p > 65535 {
		return "", "", errors.New("bad port")
	}
	return s[:i], s[i+1:], nil
}

func (o Options) streamConfig() StreamConfig {
	c := o.Stream
	if c.Clock == nil {
		c.Clock = o.Clock
	}
	if c.Logger == nil {
		c.Logger = o.Logger
	}
	return c
}

// aisStreamConfig merges the spec's query parameters into opts.AISStream.
func (o Options) aisStreamConfig(spec string) (AISStreamConfig, error) {
	c := o.AISStream
	if c.Clock == nil {
		c.Clock = o.Clock
	}
	if c.Logger == nil {
		c.Logger = o.Logger
	}
	if c.APIKey == "" {
		c.APIKey = o.Getenv("AISSTREAM_API_KEY")
	}
	u, err := url.Parse(spec)
	if err != nil {
		return c, fmt.Errorf("source: %q: %w", spec, err)
	}
	q := u.Query()
	for k := range q {
		if k != "bbox" && k != "mmsi" && k != "types" {
			return c, fmt.Errorf("source: %q: unknown parameter %q (want bbox, mmsi, types)", spec, k)
		}
	}
	if boxes := q["bbox"]; len(boxes) > 0 {
		c.BoundingBoxes = nil
		for _, b := range boxes {
			v, err := floats(b)
			if err != nil || len(v) != 4 {
				return c, fmt.Errorf("source: %q: bbox=%q: want lat1,lon1,lat2,lon2", spec, b)
			}
			c.BoundingBoxes = append(c.BoundingBoxes, BoundingBox{v[0], v[1], v[2], v[3]})
		}
	}
	if m := q.Get("mmsi"); m != "" {
		c.MMSIs = nil
		for _, s := range strings.Split(m, ",") {
			v, err := strconv.ParseUint(strings.TrimSpace(s), 10, 32)
			if err != nil {
				return c, fmt.Errorf("source: %q: mmsi=%q: %q is not an MMSI", spec, m, s)
			}
			c.MMSIs = append(c.MMSIs, uint32(v))
		}
	}
	if t := q.Get("types"); t != "" {
		c.MessageTypes = nil
		for _, s := range strings.Split(t, ",") {
			c.MessageTypes = append(c.MessageTypes, strings.TrimSpace(s))
		}
	}
	return c, nil
}

func floats(s string) ([]float64, error) {
	var out []float64
	for _, p := range strings.Split(s, ",") {
		v, ok := number(strings.TrimSpace(p))
		if !ok {
			return nil, fmt.Errorf("%q is not a number", p)
		}
		out = append(out, v)
	}
	return out, nil
}
