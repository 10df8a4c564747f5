package source

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/lookout-maritime/lookout/internal/vessel"
)

// CSVFormat names a CSV export layout the CSV source understands.
type CSVFormat string

const (
	// CSVDMA is the Danish Maritime Authority's aisdk daily export:
	//
	//	# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status,ROT,SOG,COG,Heading,IMO,Callsign,Name,Ship type,Cargo type,Width,Length,Type of position fixing device,Draught,Destination,ETA,Data source type,A,B,C,D
	//	04/11/2018 03:57:16,Class A,219012382,57.123067,8.597717,Under way using engine,0.0,0.0,,237,Unknown,OXQX2,GOLIATH VIG,Tug,,6,18,GPS,2.7,HANSTHOLM,29/10/2019 07:00:00,AIS,5,13,3,3
	//
	// Times are dd/mm/yyyy UTC; status, ship type and station type are text.
	CSVDMA CSVFormat = "dma"
	// CSVMarineCadastre is NOAA MarineCadastre's daily file up to 2023:
	//
	//	MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass
	//	636021061,2023-01-11T00:00:00,26.09241,-80.04806,8.8,272.7,270.0,MSC NAISHA III,IMO9307839,5LCB4,70,8.0,208.0,30.0,8.0,70.0,A
	CSVMarineCadastre CSVFormat = "marinecadastre"
	// CSVMarineCadastre2 is NOAA's "csv2" layout from 2024 on, shipped as
	// .csv.zst; note longitude before latitude:
	//
	//	mmsi,base_date_time,longitude,latitude,sog,cog,heading,vessel_name,imo,call_sign,vessel_type,status,length,width,draft,cargo,transceiver
	//	368382440,2025-12-31 00:00:00,-76.43,36.96,4.7,321.6,327,PATRICIA B. MORAN,IMO1079618,WDP7519,52,0,26,11,5.0,52,A
	CSVMarineCadastre2 CSVFormat = "marinecadastre2"
)

// ErrUnknownCSV is returned when a CSV file's header matches no known export.
var ErrUnknownCSV = errors.New("source: unrecognised CSV header")

// CSVConfig tunes a CSV source.
type CSVConfig struct {
	// Name labels positions and rejects (default: the path).
	Name string
	// StaticEvery bounds how often unchanged static data is emitted again.
	// These exports repeat a vessel's identity columns on every row; a
	// Static is emitted when they change for an MMSI, and otherwise again
	// only once StaticEvery has passed since the last one (so identity
	// "last seen" times stay current without doubling the output).
	// Default one hour; negative emits a Static for every row.
	StaticEvery time.Duration
}

// CSV reads AIS position exports: the Danish Maritime Authority's aisdk
// files and NOAA MarineCadastre's daily files (both layouts), detected from
// the header line. Columns are found by name, so their order does not
// matter and unknown extra columns are ignored.
//
// Each row gives a Position and, when identity columns are filled in, a
// Static (emitted on change; see CSVConfig.StaticEvery). A row that cannot
// be used is a *Reject with reason "columns" (wrong field count), "quote"
// (unterminated quoted field), "too_long", "bad_time", "bad_mmsi",
// "bad_lat", "bad_lon", "bad_sog", "bad_cog" or "bad_heading"; its Err is
// a *FieldError naming the column and value. A row whose position is
// "not available" (empty, 91/181 or 0/0) gives no Position and is counted
// in Skipped, but its Static is still used. A bad value in an identity
// column (IMO, dimensions, draught, ship type, ETA) drops only that value,
// counted in Dropped, so the row's position is not lost.
type CSV struct {
	cfg     CSVConfig
	name    string
	r       io.ReadCloser
	br      *bufio.Reader
	count   *countingReader
	total   int64
	layout  *csvLayout
	header  string
	line    int
	fields  []string
	queue   queue
	statics map[uint32]staticSeen
	skipped map[string]int
	dropped map[string]int
}

type staticSeen struct {
	key staticKey
	at  time.Time
}

// staticKey is the content of a Static without its time, for change
// detection.
type staticKey struct {
	has                                 vessel.Fields
	imo                                 uint32
	name, callSign, destination, eta    string
	shipType                            uint8
	toBow, toStern, toPort, toStarboard uint16
	draught                             float32
	class                               vessel.Class
}

// OpenCSV opens a CSV export ("-" for stdin; gzip and zstd decompressed by
// extension or magic number) and reads its header.
func OpenCSV(path string, stdin io.Reader, cfg CSVConfig) (*CSV, error) {
	total := fileSize(path)
	f, err := openCounted(path, stdin)
	if err != nil {
		return nil, err
	}
	name := cfg.Name
	if name == "" {
		name = displayName(path)
	}
	c, err := NewCSV(f, name, total, cfg)
	if err != nil {
		f.Close()
		return nil, err
	}
	return c, nil
}

// NewCSV reads a CSV export from r; total is its size in bytes or -1. It
// reads the header line and fails with an error wrapping ErrUnknownCSV,
// naming the columns seen, when it matches no known export. On error r is
// not closed.
func NewCSV(r io.ReadCloser, name string, total int64, cfg CSVConfig) (*CSV, error) {
	if cfg.StaticEvery == 0 {
		cfg.StaticEvery = time.Hour
	}
	c := &CSV{cfg: cfg, name: name, r: r, total: total,
		statics: map[uint32]staticSeen{}, skipped: map[string]int{}, dropped: map[string]int{}}
	if cf, ok := r.(*countedFile); ok {
		c.count = cf.raw
		c.br = bufio.NewReaderSize(cf, maxLine)
	} else {
		c.count = &countingReader{r: r}
		c.br = bufio.NewReaderSize(c.count, maxLine)
	}
	for {
		line, err := c.readLine()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("%w: %s: no header line (empty file)", ErrUnknownCSV, name)
			}
			var rej *Reject
			if errors.As(err, &rej) {
				return nil, fmt.Errorf("%w: %s: first line longer than %d KiB", ErrUnknownCSV, name, maxLine>>10)
			}
			return nil, err
		}
		h := strings.TrimPrefix(string(trim(line)), "\ufeff")
		if h == "" {
			continue
		}
		cols, err := splitCSV(h, nil)
		if err != nil {
			return nil, fmt.Errorf("%w: %s:%d: %v", ErrUnknownCSV, name, c.line, err)
		}
		l, err := detectCSV(cols)
		if err != nil {
			return nil, fmt.Errorf("%w: %s:%d: %v", ErrUnknownCSV, name, c.line, err)
		}
		c.layout, c.header = l, h
		return c, nil
	}
}

// maxLine is the longest CSV row or JSON message line read; longer lines
// are rejected as "too_long" (real rows are a few hundred bytes).
const maxLine = 64 << 10

// readLine returns the next line (with its newline), counting it. A line
// longer than the buffer is skipped and returned as a *Reject.
func (c *CSV) readLine() ([]byte, error) {
	line, err := c.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		c.line++
		for errors.Is(err, bufio.ErrBufferFull) {
			_, err = c.br.ReadSlice('\n')
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("source: %s: %w", c.name, err)
		}
		return nil, &Reject{File: c.name, Line: c.line, Reason: "too_long",
			Err: fmt.Errorf("source: line longer than %d KiB", maxLine>>10)}
	}
	if len(line) == 0 && err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("source: %s: read after line %d: %w", c.name, c.line, err)
	}
	c.line++
	return line, nil
}

// Next implements Source.
func (c *CSV) Next(ctx context.Context) (vessel.Observation, error) {
	for {
		if o, ok := c.queue.pop(); ok {
			return o, nil
		}
		if err := ctx.Err(); err != nil {
			return vessel.Observation{}, err
		}
		raw, err := c.readLine()
		if err != nil {
			return vessel.Observation{}, err
		}
		line := string(trim(raw))
		if line == "" {
			continue
		}
		if line == c.header { // files concatenated with their headers
			c.skipped["header"]++
			continue
		}
		c.fields, err = splitCSV(line, c.fields[:0])
		if err != nil {
			return vessel.Observation{}, &Reject{File: c.name, Line: c.line, Reason: "quote", Err: err}
		}
		if len(c.fields) != c.layout.n {
			return vessel.Observation{}, &Reject{File: c.name, Line: c.line, Reason: "columns",
				Err: fmt.Errorf("source: %d columns, header has %d", len(c.fields), c.layout.n)}
		}
		row, ferr := c.layout.parse(c.fields, c.dropped)
		if ferr != nil {
			return vessel.Observation{}, &Reject{File: c.name, Line: c.line, Reason: ferr.Reason, Err: ferr}
		}
		if row.skip != "" {
			c.skipped[row.skip]++
		}
		if row.pos != nil {
			row.pos.Source = c.name
			c.queue.push(vessel.Observation{Position: row.pos, File: c.name, Line: c.line})
		}
		if row.st != nil && c.wantStatic(row.st) {
			row.st.Source = c.name
			c.queue.push(vessel.Observation{Static: row.st, File: c.name, Line: c.line})
		}
	}
}

// wantStatic reports whether st should be emitted: new or changed for its
// MMSI, or StaticEvery since the last one.
func (c *CSV) wantStatic(st *vessel.Static) bool {
	if c.cfg.StaticEvery < 0 {
		return true
	}
	k := staticKey{has: st.Has, imo: st.IMO, name: st.Name, callSign: st.CallSign,
		destination: st.Destination, eta: st.ETA, shipType: st.ShipType,
		toBow: st.ToBow, toStern: st.ToStern, toPort: st.ToPort, toStarboard: st.ToStarboard,
		draught: st.Draught, class: st.Class}
	prev, ok := c.statics[st.MMSI]
	if ok && prev.key == k {
		d := st.Time.Sub(prev.at)
		if d < 0 {
			d = -d
		}
		if d < c.cfg.StaticEvery {
			c.skipped["static_unchanged"]++
			return false
		}
	}
	c.statics[st.MMSI] = staticSeen{key: k, at: st.Time}
	return true
}

// Progress implements Source.
func (c *CSV) Progress() (int64, int64) { return c.count.n, c.total }

// Close implements Source.
func (c *CSV) Close() error { return c.r.Close() }

// Format returns the detected export layout.
func (c *CSV) Format() CSVFormat { return c.layout.format }

// Skipped counts rows (or parts of rows) that gave nothing, by reason:
// "no_position" (position not available), "base_station" and "aton" (not
// vessels), "header" (a repeated header line), "static_unchanged" (static
// columns already emitted, see CSVConfig.StaticEvery).
func (c *CSV) Skipped() map[string]int { return c.skipped }

// Dropped counts values dropped from otherwise accepted rows, by reason:
// "bad_imo", "bad_ship_type", "bad_dimensions", "bad_draught", "bad_eta"
// (unparsable identity values), "sog_range", "cog_range", "heading_range",
// "status_range" (numbers outside their domain, read as not available) and
// "status_text", "mobile_text" (unrecognised text values; the status reads
// as 15, the station class as unknown).
func (c *CSV) Dropped() map[string]int { return c.dropped }

// fileSize is a path's size, -1 for stdin or when it cannot be known.
func fileSize(path string) int64 {
	if path == "-" {
		return -1
	}
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return -1
	}
	return fi.Size()
}

func displayName(path string) string {
	if path == "-" {
		return "stdin"
	}
	return path
}

// splitCSV splits one CSV line into fields, appending to dst. A field may
// be quoted ("a, b" and "say ""hi"""), but not across lines: these
// exports have no multi-line fields, and keeping a stray quote from
// swallowing the rest of the file matters more. A quote inside an unquoted
// field is kept as text.
func splitCSV(line string, dst []string) ([]string, error) {
	for i := 0; ; {
		if i < len(line) && line[i] == '"' {
			var b strings.Builder
			j := i + 1
			for {
				k := strings.IndexByte(line[j:], '"')
				if k < 0 {
					return dst, fmt.Errorf("source: unterminated quoted field at byte %d", i+1)
				}
				b.WriteString(line[j : j+k])
				j += k + 1
				if j < len(line) && line[j] == '"' { // "" is an escaped quote
					b.WriteByte('"')
					j++
					continue
				}
				break
			}
			dst = append(dst, b.String())
			if j == len(line) {
				return dst, nil
			}
			if line[j] != ',' {
				return dst, fmt.Errorf("source: text after closing quote at byte %d", j+1)
			}
			i = j + 1
			continue
		}
		k := strings.IndexByte(line[i:], ',')
		if k < 0 {
			return append(dst, line[i:]), nil
		}
		dst = append(dst, line[i:i+k])
		i += k + 1
	}
}
