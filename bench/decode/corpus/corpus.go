// Package corpus writes a deterministic, realistic AIS NMEA corpus for the
// decode benchmark: a few thousand vessels moving in five busy sea areas, a
// message mix like a coastal network's feed, NMEA 4.10 tag blocks on some
// lines, and a small share of the corruption real feeds carry.
//
// The same Config always yields the same bytes, so benchmark runs on
// different machines or days decode the same input.
package corpus

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"

	"github.com/lookout-maritime/lookout/internal/ais"
)

// Config chooses the corpus. Zero fields take the defaults in brackets.
type Config struct {
	Lines int    // lines to write [1,000,000]
	Seed  uint64 // random seed; 0 is a valid seed
	// ClassA and ClassB are how many ships of each kind transmit [2500, 500].
	ClassA, ClassB int
	// Rate is the feed's message rate in messages per second of simulated
	// time [300, a regional network]; it sets how far vessels move between
	// reports and the c: times.
	Rate float64
	// TagShare is the share of messages prefixed by a tag block [0.3];
	// CorruptShare the share of lines that are corrupt [0.01]. Negative
	// means none.
	TagShare, CorruptShare float64
}

func (c Config) withDefaults() Config {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		} else if *v < 0 {
			*v = 0
		}
	}
	if c.Lines <= 0 {
		c.Lines = 1_000_000
	}
	if c.ClassA <= 0 {
		c.ClassA = 2500
	}
	if c.ClassB <= 0 {
		c.ClassB = 500
	}
	def(&c.Rate, 300)
	def(&c.TagShare, 0.3)
	def(&c.CorruptShare, 0.01)
	return c
}

// Start is the simulated time of the first line.
var Start = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)

// Stats describes a written corpus: what a correct decoder should report.
type Stats struct {
	Lines    int
	Messages int     // well-formed messages, each counted once however many lines it spans
	ByType   [28]int // Messages by type; 24 counts parts A and B separately
	// MultiLine counts lines belonging to well-formed multi-part messages.
	MultiLine int
	Tagged    int // lines with a tag block
	// Corrupt counts lines a strict decoder must reject, by Corruption.
	Corrupt [numCorruptions]int
	Bytes   int64
}

// CorruptLines is the total number of corrupt lines.
func (s Stats) CorruptLines() int {
	n := 0
	for _, c := range s.Corrupt {
		n += c
	}
	return n
}

// Corruption is a kind of damaged line.
type Corruption int

const (
	BadChecksum Corruption = iota // checksum does not match
	Truncated                     // line cut before its checksum
	BadPayload                    // invalid 6-bit character, checksum recomputed to match
	Orphan                        // second part of a two-part message without its first
	numCorruptions
)

func (c Corruption) String() string {
	return [...]string{"bad checksum", "truncated", "bad payload char", "orphan fragment"}[c]
}

// Generate writes a corpus of cfg.Lines lines ending in "\n".
func Generate(w io.Writer, cfg Config) (Stats, error) {
	cfg = cfg.withDefaults()
	r := rand.New(rand.NewPCG(cfg.Seed, 0x100c0a7))
	g := &generator{cfg: cfg, r: r, fleet: newFleet(r, cfg.ClassA, cfg.ClassB)}
	bw := bufio.NewWriterSize(w, 1<<20)
	for g.stats.Lines < cfg.Lines {
		g.t += r.ExpFloat64() / cfg.Rate
		if err := g.next(bw); err != nil {
			return g.stats, err
		}
	}
	return g.stats, bw.Flush()
}

type generator struct {
	cfg   Config
	r     *rand.Rand
	fleet *fleet
	t     float64 // seconds since Start
	seq   int     // sequential message id of the next multi-part message
	area  *area   // area of the last vessel picked, for its receivers
	stats Stats
}

// kind is one entry of the message mix.
type kind struct {
	share float64 // of messages
	build func(g *generator) ais.Message
}

// mix is the share of each message type, roughly that of a coastal network:
// Class A position reports dominate, and type 5 (two lines each) is most of
// the rest.
var mix = []kind{
	{0.60, func(g *generator) ais.Message { return g.position(1) }},
	{0.12, func(g *generator) ais.Message { return g.position(3) }},
	{0.03, func(g *generator) ais.Message { return g.position(2) }},
	{0.10, (*generator).staticVoyage},
	{0.06, (*generator).classB},
	{0.005, (*generator).classBExtended},
	{0.02, func(g *generator) ais.Message { return g.staticData(0) }},
	{0.02, func(g *generator) ais.Message { return g.staticData(1) }},
	{0.02, (*generator).baseStation},
	{0.01, (*generator).aidToNavigation},
	{0.005, (*generator).longRange},
	{0.01, (*generator).binaryBroadcast},
}

// next writes one message, or one corrupt line.
func (g *generator) next(w *bufio.Writer) error {
	if g.r.Float64() < g.cfg.CorruptShare {
		return g.corrupt(w)
	}
	x := g.r.Float64()
	k := mix[0]
	for _, k = range mix {
		if x < k.share {
			break
		}
		x -= k.share
	}
	m := k.build(g)
	lines, err := g.encode(m)
	if err != nil {
		return err
	}
	if len(lines) > g.cfg.Lines-g.stats.Lines {
		// Only the last line is left: end on a single-line message.
		m = g.position(1)
		if lines, err = g.encode(m); err != nil {
			return err
		}
	}
	tag := g.tagBlock()
	for _, l := range lines {
		g.write(w, tag, l)
	}
	g.stats.Messages++
	g.stats.ByType[m.Head().Type]++
	if len(lines) > 1 {
		g.stats.MultiLine += len(lines)
	}
	return nil
}

func (g *generator) encode(m ais.Message) ([]string, error) {
	ch := byte('A' + g.r.IntN(2))
	lines, err := ais.EncodeSentences(m, ch, g.seq)
	if err != nil {
		return nil, fmt.Errorf("corpus: encode type %d: %w", m.Head().Type, err)
	}
	if len(lines) > 1 {
		g.seq = (g.seq + 1) % 10
	}
	return lines, nil
}

func (g *generator) write(w *bufio.Writer, tag, line string) {
	if tag != "" {
		g.stats.Tagged++
	}
	n, _ := w.WriteString(tag)
	m, _ := w.WriteString(line)
	w.WriteByte('\n')
	g.stats.Lines++
	g.stats.Bytes += int64(n + m + 1)
}

// tagBlock returns an NMEA 4.10 tag block naming a receiver and the receive
// time, for cfg.TagShare of messages, else "". The receiver is one in the
// area of the vessel just picked. All lines of a multi-part
// message share it, as receivers that add tag blocks do.
func (g *generator) tagBlock() string {
	if g.r.Float64() >= g.cfg.TagShare {
		return ""
	}
	st := g.area.stations
	body := fmt.Sprintf("s:%s,c:%d", st[g.r.IntN(len(st))], g.now().Unix())
	return fmt.Sprintf("\\%s*%02X\\", body, checksum(body))
}

// corrupt writes one line damaged the way real feeds are.
func (g *generator) corrupt(w *bufio.Writer) error {
	c := Corruption(g.r.IntN(int(numCorruptions)))
	var m ais.Message = g.position(1)
	if c == Orphan {
		m = g.staticVoyage()
	}
	lines, err := g.encode(m)
	if err != nil {
		return err
	}
	line := lines[0]
	star := len(line) - 3 // sentences end in "*hh"
	body := line[1:star]
	switch c {
	case BadChecksum:
		line = fmt.Sprintf("!%s*%02X", body, checksum(body)^byte(1+g.r.IntN(255)))
	case Truncated:
		line = line[:10+g.r.IntN(star-10)]
	case BadPayload:
		// Payload is the sixth field: "AIVDM,1,1,,A,<payload>,0".
		start := nthComma(body, 5) + 1
		i := start + g.r.IntN(nthComma(body, 6)-start)
		b := []byte(body)
		b[i] = "xyz{|}XYZ[]^_"[g.r.IntN(13)]
		line = fmt.Sprintf("!%s*%02X", b, checksum(string(b)))
	case Orphan:
		if len(lines) < 2 {
			return fmt.Errorf("corpus: type 5 encoded as %d sentence(s), want 2", len(lines))
		}
		line = lines[1]
	}
	g.write(w, g.tagBlock(), line)
	g.stats.Corrupt[c]++
	return nil
}

func nthComma(s string, n int) int {
	for i := 0; i < len(s); i++ {
		if s[i] == ',' {
			if n--; n == 0 {
				return i
			}
		}
	}
	return len(s)
}

func checksum(s string) byte {
	var x byte
	for i := 0; i < len(s); i++ {
		x ^= s[i]
	}
	return x
}

func (g *generator) now() time.Time {
	return Start.Add(time.Duration(g.t * float64(time.Second)))
}

func (g *generator) second() uint8 { return uint8(g.now().Second()) }

func (g *generator) pick(vs []*vessel) *vessel {
	v := vs[g.r.IntN(len(vs))]
	v.advance(g.r, g.t)
	g.area = v.area
	return v
}

// Positions in the 1/10000-minute units of most types, and the 1/10-minute
// units of type 27.
func lonLat(v *vessel) (int32, int32) {
	return int32(math.Round(v.lon * 600_000)), int32(math.Round(v.lat * 600_000))
}

func speed(v *vessel) uint16  { return uint16(min(math.Round(v.sog*10), 1022)) }
func course(v *vessel) uint16 { return uint16(math.Round(v.cog*10)) % 3600 }

func heading(v *vessel) uint16 {
	if v.heading < 0 {
		return ais.HeadingNA
	}
	return uint16(int(math.Round(v.cog))+v.heading+360) % 360
}

func (g *generator) position(typ uint8) ais.Message {
	v := g.pick(g.fleet.classA)
	lon, lat := lonLat(v)
	turn := int8(ais.TurnNA)
	if v.rot {
		turn = 0
		if v.sog >= 0.5 {
			turn = int8(g.r.IntN(11) - 5)
		}
	}
	return &ais.PositionReport{
		Header: ais.Header{Type: typ, MMSI: v.mmsi},
		Status: v.status, Turn: turn, Speed: speed(v), Accuracy: g.r.IntN(3) == 0,
		Lon: lon, Lat: lat, Course: course(v), Heading: heading(v), Second: g.second(),
		RAIM: g.r.IntN(4) == 0, Radio: g.r.Uint32N(1 << 19),
	}
}

func (g *generator) staticVoyage() ais.Message {
	v := g.pick(g.fleet.classA)
	eta := g.now().Add(time.Duration(6+g.r.IntN(400)) * time.Hour)
	return &ais.StaticVoyage{
		Header:     ais.Header{Type: 5, MMSI: v.mmsi},
		AISVersion: uint8(g.r.IntN(3)), IMO: v.imo, CallSign: v.callSign, ShipName: v.name,
		ShipType: v.shipType, ToBow: v.toBow, ToStern: v.toStern, ToPort: v.toPort, ToStarboard: v.toStarboard,
		EPFD: 1, Month: uint8(eta.Month()), Day: uint8(eta.Day()), Hour: uint8(eta.Hour()), Minute: uint8(eta.Minute() / 15 * 15),
		Draught: v.draught, Destination: v.destination,
	}
}

func (g *generator) classB() ais.Message {
	v := g.pick(g.fleet.classB)
	lon, lat := lonLat(v)
	return &ais.ClassBPosition{
		Header: ais.Header{Type: 18, MMSI: v.mmsi},
		Speed:  speed(v), Lon: lon, Lat: lat, Course: course(v), Heading: heading(v), Second: g.second(),
		CS: true, DSC: true, Band: true, Msg22: true, Radio: 1<<19 | g.r.Uint32N(1<<19),
	}
}

func (g *generator) classBExtended() ais.Message {
	v := g.pick(g.fleet.classB)
	lon, lat := lonLat(v)
	return &ais.ClassBExtended{
		Header: ais.Header{Type: 19, MMSI: v.mmsi},
		Speed:  speed(v), Lon: lon, Lat: lat, Course: course(v), Heading: heading(v), Second: g.second(),
		ShipName: v.name, ShipType: v.shipType, ToBow: v.toBow, ToStern: v.toStern,
		ToPort: v.toPort, ToStarboard: v.toStarboard, EPFD: 1,
	}
}

func (g *generator) staticData(part uint8) ais.Message {
	v := g.pick(g.fleet.classB)
	m := &ais.StaticDataReport{Header: ais.Header{Type: 24, MMSI: v.mmsi}, PartNum: part}
	if part == 0 {
		m.ShipName = v.name
	} else {
		m.ShipType, m.VendorID, m.Model, m.Serial = v.shipType, v.vendor, 1, v.serial
		m.CallSign = v.callSign
		m.ToBow, m.ToStern, m.ToPort, m.ToStarboard = v.toBow, v.toStern, v.toPort, v.toStarboard
	}
	return m
}

func (g *generator) baseStation() ais.Message {
	v := g.pick(g.fleet.baseStations)
	lon, lat := lonLat(v)
	t := g.now()
	return &ais.BaseStationReport{
		Header: ais.Header{Type: 4, MMSI: v.mmsi},
		Year:   uint16(t.Year()), Month: uint16(t.Month()), Day: uint16(t.Day()),
		Hour: uint16(t.Hour()), Minute: uint16(t.Minute()), Second: uint16(t.Second()),
		Accuracy: true, Lon: lon, Lat: lat, EPFD: 7, Radio: g.r.Uint32N(1 << 19),
	}
}

func (g *generator) aidToNavigation() ais.Message {
	v := g.pick(g.fleet.atons)
	lon, lat := lonLat(v)
	return &ais.AidToNavigation{
		Header:  ais.Header{Type: 21, MMSI: v.mmsi},
		AidType: v.shipType, Name: v.name, Accuracy: true, Lon: lon, Lat: lat,
		EPFD: 7, Second: g.second(), VirtualAid: g.r.IntN(5) == 0,
	}
}

func (g *generator) longRange() ais.Message {
	v := g.pick(g.fleet.classA)
	return &ais.LongRangePosition{
		Header: ais.Header{Type: 27, MMSI: v.mmsi},
		Status: v.status,
		Lon:    int32(math.Round(v.lon * 600)), Lat: int32(math.Round(v.lat * 600)),
		Speed: uint8(min(math.Round(v.sog), 62)), Course: uint16(math.Round(v.cog)) % 360,
	}
}

// binaryBroadcast sends either a meteorological/hydrographic report (DAC 1,
// FI 31, from base stations) or an inland static report (DAC 200, FI 10,
// from ships). The application data is random: the benchmark measures the
// framing, not the application decoders.
func (g *generator) binaryBroadcast() ais.Message {
	dac, fi, bits, vs := uint16(1), uint8(31), 296, g.fleet.baseStations
	if g.r.IntN(2) == 0 {
		dac, fi, bits, vs = 200, 10, 112, g.fleet.classA
	}
	v := g.pick(vs)
	data := make([]byte, (bits+7)/8)
	for i := range data {
		data[i] = byte(g.r.Uint32())
	}
	return &ais.BinaryBroadcast{Header: ais.Header{Type: 8, MMSI: v.mmsi}, DAC: dac, FI: fi, Data: data, DataBits: bits}
}
