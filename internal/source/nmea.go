package source

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/lookout-maritime/lookout/internal/ais"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// NMEAConfig tunes an NMEA source.
type NMEAConfig struct {
	Decoder ais.Config
	// BaseStationClock dates lines that carry no receive time with the UTC
	// time of the latest base-station report (type 4/11) in the same input,
	// the way receivers without their own clock are usually dated. Without
	// it such lines are rejected with reason "no_time".
	BaseStationClock bool
	// Name labels positions and rejects (default: the path).
	Name string
}

// NMEA reads AIS NMEA sentences, one per line, from a file or stream.
type NMEA struct {
	cfg   NMEAConfig
	r     io.ReadCloser
	br    *bufio.Reader
	count *countingReader
	total int64
	line  int
	lineDecoder
}

// lineDecoder is the decode-and-convert step shared by the NMEA file and
// stream sources: it decodes one line and queues the observations it gives.
type lineDecoder struct {
	name    string // labels observations and rejects
	dec     *ais.Decoder
	skipped map[string]int
	queue   queue
	// byArrival dates lines without a receive time of their own with the
	// arrival time passed to decodeLine (streams); otherwise baseClock
	// decides whether the latest base-station time is used.
	byArrival bool
	baseClock bool
	clock     time.Time // latest base-station UTC
	// reuse, when set (see NMEA.Reuse), is the storage of the Position and
	// Static of every observation.
	reuse *obsStorage
}

func newLineDecoder(name string, cfg ais.Config) lineDecoder {
	// Messages are converted into observations at once, so the decoder
	// may reuse them.
	cfg.ReuseMessages = true
	return lineDecoder{name: name, dec: ais.NewDecoder(cfg), skipped: map[string]int{}}
}

// Reuse lets the source reuse one Position and one Static for all the
// observations it yields: an observation's Position and Static are then
// valid only until the next call of Next. It saves an allocation per
// message for a caller that copies what it keeps (ingest does: the
// tracker copies).
func (d *lineDecoder) Reuse() { d.reuse = new(obsStorage) }

// decodeLine decodes line lineNo and appends its observations to the
// (empty) queue. Blank lines, comments, non-AIS lines, incomplete
// fragments and messages with nothing to store queue nothing; a line
// that cannot be used gives a reject.
func (d *lineDecoder) decodeLine(line []byte, lineNo int, arrival time.Time) (rej *Reject) {
	if t := trim(line); len(t) == 0 || t[0] == '#' {
		return nil
	}
	rep, ok, derr := d.dec.Decode(line)
	if derr != nil {
		if errors.Is(derr, ais.ErrNotAIS) {
			d.skipped["not_ais"]++
			return nil
		}
		return &Reject{File: d.name, Line: lineNo, Reason: ais.Code(derr), Err: derr}
	}
	if !ok {
		return nil
	}
	if bs, isBS := rep.Message.(*ais.BaseStationReport); isBS {
		if t, valid := baseStationTime(bs); valid {
			d.clock = t
		}
	}
	if rep.Received.IsZero() {
		switch {
		case d.byArrival:
			rep.Received = arrival.UTC()
		case d.baseClock && !d.clock.IsZero():
			rep.Received = d.clock
		default:
			return &Reject{File: d.name, Line: lineNo, Reason: "no_time",
				Err: errors.New("source: no receive time (no tag block or timestamp, and no base-station clock)")}
		}
	}
	src := rep.Source
	if src == "" {
		src = d.name
	}
	obs := appendFromAIS(d.queue.empty(), rep.Message, rep.Received, src, d.reuse)
	if len(obs) == 0 {
		d.skipped[skippedReason(rep.Message.Head().Type)]++
		return nil
	}
	for i := range obs {
		obs[i].File, obs[i].Line = d.name, lineNo
	}
	d.queue.fill(obs)
	return nil
}

// OpenNMEA opens an NMEA file ("-" for stdin; .gz by extension).
func OpenNMEA(path string, stdin io.Reader, cfg NMEAConfig) (*NMEA, error) {
	var total int64 = -1
	if path != "-" {
		if fi, err := os.Stat(path); err == nil {
			total = fi.Size()
		}
	}
	f, err := openCounted(path, stdin)
	if err != nil {
		return nil, err
	}
	name := cfg.Name
	if name == "" {
		name = path
		if path == "-" {
			name = "stdin"
		}
	}
	return NewNMEA(f, name, total, cfg), nil
}

// NewNMEA reads NMEA from r; total is its size in bytes or -1.
func NewNMEA(r io.ReadCloser, name string, total int64, cfg NMEAConfig) *NMEA {
	n := &NMEA{cfg: cfg, r: r, total: total, lineDecoder: newLineDecoder(name, cfg.Decoder)}
	n.baseClock = cfg.BaseStationClock
	if c, ok := r.(*countedFile); ok {
		n.count = c.raw
	} else {
		n.count = &countingReader{r: r}
		r = struct {
			io.Reader
			io.Closer
		}{n.count, r}
	}
	n.br = bufio.NewReaderSize(r, 1<<20)
	return n
}

// Next implements Source.
func (n *NMEA) Next(ctx context.Context) (vessel.Observation, error) {
	for {
		if o, ok := n.queue.pop(); ok {
			return o, nil
		}
		if err := ctx.Err(); err != nil {
			return vessel.Observation{}, err
		}
		line, err := n.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			n.line++
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = n.br.ReadSlice('\n')
			}
			if err != nil && !errors.Is(err, io.EOF) {
				return vessel.Observation{}, fmt.Errorf("source: %s: %w", n.name, err)
			}
			return vessel.Observation{}, &Reject{File: n.name, Line: n.line, Reason: "format",
				Err: fmt.Errorf("%w: line longer than 1 MiB", ais.ErrFormat)}
		}
		if len(line) == 0 && err != nil {
			if errors.Is(err, io.EOF) {
				return vessel.Observation{}, io.EOF
			}
			return vessel.Observation{}, fmt.Errorf("source: %s: read after line %d: %w", n.name, n.line, err)
		}
		n.line++
		if rej := n.decodeLine(line, n.line, time.Time{}); rej != nil {
			return vessel.Observation{}, rej
		}
	}
}

// Progress implements Source.
func (n *NMEA) Progress() (int64, int64) { return n.count.n, n.total }

// Close implements Source.
func (n *NMEA) Close() error { return n.r.Close() }

// Stats returns the decoder's counters.
func (n *NMEA) Stats() ais.Stats { return n.dec.Stats() }

// Skipped counts decoded messages that carry nothing to store, by reason
// ("not_ais", "type_8", "no_position", ...).
func (n *NMEA) Skipped() map[string]int { return n.skipped }

func trim(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r' || b[len(b)-1] == '\n') {
		b = b[:len(b)-1]
	}
	return b
}

func baseStationTime(m *ais.BaseStationReport) (time.Time, bool) {
	if m.Year < 2000 || m.Year > 2100 || m.Month < 1 || m.Month > 12 || m.Day < 1 || m.Day > 31 ||
		m.Hour > 23 || m.Minute > 59 || m.Second > 59 {
		return time.Time{}, false
	}
	return time.Date(int(m.Year), time.Month(m.Month), int(m.Day), int(m.Hour), int(m.Minute), int(m.Second), 0, time.UTC), true
}

// FromAIS turns a decoded message into the observations it carries: a
// position, static data, or both (type 19). Messages that carry neither for
// a vessel (base stations, binary, AtoN) give none. Positions with the
// "not available" coordinates are dropped.
func FromAIS(m ais.Message, at time.Time, src string) []vessel.Observation {
	return AppendFromAIS(nil, m, at, src)
}

// AppendFromAIS is FromAIS appending to dst, so a reader can reuse one
// slice for every message.
func AppendFromAIS(dst []vessel.Observation, m ais.Message, at time.Time, src string) []vessel.Observation {
	return appendFromAIS(dst, m, at, src, nil)
}

// obsStorage is the Position and Static a reusing source fills for every
// message (one message gives at most one of each).
type obsStorage struct {
	pos vessel.Position
	st  vessel.Static
}

// position and static return the reused storage, or new values when o is
// nil (no reuse). Callers overwrite every field.
func (o *obsStorage) position() *vessel.Position {
	if o == nil {
		return new(vessel.Position)
	}
	return &o.pos
}

func (o *obsStorage) static() *vessel.Static {
	if o == nil {
		return new(vessel.Static)
	}
	return &o.st
}

func appendFromAIS(dst []vessel.Observation, m ais.Message, at time.Time, src string, store *obsStorage) []vessel.Observation {
	h := m.Head()
	pos := func(class vessel.Class, lat, lon float64, sog, cog float32, heading uint16, status uint8) *vessel.Position {
		if !vessel.ValidPosition(lat, lon) {
			return nil
		}
		p := store.position()
		*p = vessel.Position{MMSI: h.MMSI, Time: at, Lat: lat, Lon: lon, SOG: sog, COG: cog,
			Heading: heading, Status: status, Class: class, MsgType: h.Type, Source: src}
		return p
	}
	one := func(p *vessel.Position) []vessel.Observation {
		if p == nil {
			return dst
		}
		return append(dst, vessel.Observation{Position: p})
	}
	switch m := m.(type) {
	case *ais.PositionReport:
		return one(pos(vessel.ClassA, deg(m.Lat), deg(m.Lon), tenths(m.Speed, ais.SpeedNA),
			tenths(m.Course, ais.CourseNA), m.Heading, m.Status))
	case *ais.ClassBPosition:
		return one(pos(vessel.ClassB, deg(m.Lat), deg(m.Lon), tenths(m.Speed, ais.SpeedNA),
			tenths(m.Course, ais.CourseNA), m.Heading, 15))
	case *ais.ClassBExtended:
		out := one(pos(vessel.ClassB, deg(m.Lat), deg(m.Lon), tenths(m.Speed, ais.SpeedNA),
			tenths(m.Course, ais.CourseNA), m.Heading, 15))
		st := store.static()
		*st = vessel.Static{MMSI: h.MMSI, Time: at, Class: vessel.ClassB, MsgType: h.Type, Source: src,
			Name: m.ShipName, ShipType: m.ShipType, ToBow: m.ToBow, ToStern: m.ToStern,
			ToPort: m.ToPort, ToStarboard: m.ToStarboard,
			Has: vessel.HasName | vessel.HasShipType | vessel.HasDimensions}
		return append(out, vessel.Observation{Static: st})
	case *ais.SARPosition:
		sog := float32(m.Speed)
		if m.Speed == ais.SpeedNA {
			sog = vessel.NA
		}
		return one(pos(vessel.ClassSAR, deg(m.Lat), deg(m.Lon), sog, tenths(m.Course, ais.CourseNA), ais.HeadingNA, 15))
	case *ais.LongRangePosition:
		sog, cog := float32(m.Speed), float32(m.Course)
		if m.Speed == ais.LongRangeSOGNA {
			sog = vessel.NA
		}
		if m.Course == ais.LongRangeCOGNA {
			cog = vessel.NA
		}
		return one(pos(vessel.ClassLong, float64(m.Lat)/600, float64(m.Lon)/600, sog, cog, ais.HeadingNA, m.Status))
	case *ais.StaticVoyage:
		st := store.static()
		*st = vessel.Static{MMSI: h.MMSI, Time: at, Class: vessel.ClassA, MsgType: h.Type, Source: src,
			IMO: m.IMO, Name: m.ShipName, CallSign: m.CallSign, ShipType: m.ShipType,
			ToBow: m.ToBow, ToStern: m.ToStern, ToPort: m.ToPort, ToStarboard: m.ToStarboard,
			Draught: float32(m.Draught) / 10, Destination: m.Destination,
			ETA: etaString(m.Month, m.Day, m.Hour, m.Minute),
			Has: vessel.HasIMO | vessel.HasName | vessel.HasCallSign | vessel.HasShipType |
				vessel.HasDimensions | vessel.HasDraught | vessel.HasDestination | vessel.HasETA}
		return append(dst, vessel.Observation{Static: st})
	case *ais.StaticDataReport:
		st := store.static()
		*st = vessel.Static{MMSI: h.MMSI, Time: at, Class: vessel.ClassB, MsgType: h.Type, Source: src}
		if m.PartNum == 0 {
			st.Name, st.Has = m.ShipName, vessel.HasName
		} else {
			st.CallSign, st.ShipType = m.CallSign, m.ShipType
			st.Has = vessel.HasCallSign | vessel.HasShipType
			if !ais.IsAuxiliary(h.MMSI) {
				st.ToBow, st.ToStern, st.ToPort, st.ToStarboard = m.ToBow, m.ToStern, m.ToPort, m.ToStarboard
				st.Has |= vessel.HasDimensions
			}
		}
		return append(dst, vessel.Observation{Static: st})
	}
	return dst
}

func deg(v int32) float64 { return float64(v) / 600000 }

func tenths(v, na uint16) float32 {
	if v == na {
		return vessel.NA
	}
	return float32(v) / 10
}

// etaString is an ETA as "MM-DDTHH:MMZ" (each field two digits: the
// message's 4-6 bit fields are under 100). Written by hand: fmt.Sprintf
// for every type 5 was 2% of an ingest.
func etaString(month, day, hour, minute uint8) string {
	two := func(b []byte, v uint8) { b[0], b[1] = '0'+v/10%10, '0'+v%10 }
	var b [12]byte
	two(b[0:], month)
	b[2] = '-'
	two(b[3:], day)
	b[5] = 'T'
	two(b[6:], hour)
	b[8] = ':'
	two(b[9:], minute)
	b[11] = 'Z'
	return string(b[:])
}

// skippedNames are the reasons counted for messages that carry no
// position or static data, by message type.
var skippedNames = func() (n [64]string) {
	for i := range n {
		n[i] = fmt.Sprintf("type_%d", i)
	}
	return n
}()

func skippedReason(msgType uint8) string {
	if int(msgType) < len(skippedNames) {
		return skippedNames[msgType]
	}
	return fmt.Sprintf("type_%d", msgType)
}
