package bus

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"time"

	"github.com/lookout-maritime/lookout/internal/vessel"
)

// The spatial stage. Workers partition vessels by MMSI, so two vessels
// that meet at sea are usually tracked by different workers and no
// per-vessel detector sees both. Workers therefore also publish compact
// fixes to a second stream whose subjects are keyed by space: the globe is
// cut into cells of CellConfig.CellDeg degrees, each cell hashed to one of
// the stream's partitions, and a fix goes to every cell it lies in or
// within CellConfig.MarginKm of. A cross-vessel detector (encounters) then
// runs per cell partition over what its cells received (EncounterStage);
// a finding is kept only by the partition of the cell its position lies
// in, so each is stored once although neighbouring cells see the same
// vessels. docs/SCALE.md gives the design and its limits.

// CellConfig configures the cell stream.
type CellConfig struct {
	// Config names the stream: CellsOf derives it from the observation
	// stream's (stream <name>_CELLS, subjects <subject>.cell.<p>).
	Config
	// CellDeg is the cell size in degrees of latitude and longitude;
	// default 2 (about 220 km at the equator).
	CellDeg float64
	// MarginKm: a fix this close to a cell is sent to it too, so that a
	// cell sees the whole of an encounter whose position lies in it
	// (vessels drift while they meet, and the detector interpolates from
	// the fix before). Default 50.
	MarginKm float64
}

// CellsOf returns the cell stream configuration that goes with the
// observation stream obs: publishers and stages of one deployment derive
// it the same way.
func CellsOf(obs Config) CellConfig {
	obs = obs.withDefaults()
	c := CellConfig{Config: obs}
	c.Stream = obs.Stream + "_CELLS"
	c.Subject = obs.Subject + ".cell"
	return c.withDefaults()
}

func (c CellConfig) withDefaults() CellConfig {
	c.Config = c.Config.withDefaults()
	if c.CellDeg <= 0 || c.CellDeg > 90 {
		c.CellDeg = 2
	}
	if c.MarginKm <= 0 {
		c.MarginKm = 50
	}
	return c
}

// kmPerDeg is the length of a degree of latitude on the sphere the
// detectors use (6371.0088 km).
const kmPerDeg = 6371.0088 * math.Pi / 180

type cell struct{ row, col int32 }

func (c CellConfig) rows() int32 { return int32(math.Ceil(180 / c.CellDeg)) }
func (c CellConfig) cols() int32 { return int32(math.Ceil(360 / c.CellDeg)) }

// cellOf is the cell (lat, lon) lies in.
func (c CellConfig) cellOf(lat, lon float64) cell {
	r := int32(math.Floor((lat + 90) / c.CellDeg))
	r = min(max(r, 0), c.rows()-1)
	return cell{r, c.col(lon)}
}

func (c CellConfig) col(lon float64) int32 {
	n := c.cols()
	k := int32(math.Floor((lon + 180) / c.CellDeg))
	return ((k % n) + n) % n
}

// partitionOf is the partition of cell x: FNV-1a of its row and column.
func (c CellConfig) partitionOf(x cell) int {
	h := fnv.New32a()
	var b [8]byte
	binary.BigEndian.PutUint32(b[:4], uint32(x.row))
	binary.BigEndian.PutUint32(b[4:], uint32(x.col))
	h.Write(b[:])
	return int(h.Sum32() % uint32(c.Partitions))
}

// ownerOf is the partition that keeps findings at (lat, lon).
func (c CellConfig) ownerOf(lat, lon float64) int { return c.partitionOf(c.cellOf(lat, lon)) }

// partitionsNear appends to dst the partitions of every cell within
// MarginKm of (lat, lon), each once, the cell (lat, lon) is in first.
func (c CellConfig) partitionsNear(dst []int, lat, lon float64) []int {
	dst = append(dst, c.ownerOf(lat, lon))
	dLat := c.MarginKm / kmPerDeg
	cos := math.Cos(math.Min(math.Abs(lat)+dLat, 90) * math.Pi / 180)
	r0, r1 := c.cellOf(lat-dLat, lon).row, c.cellOf(lat+dLat, lon).row
	n := c.cols()
	var c0, span int32
	if cos <= 0 || c.MarginKm/(kmPerDeg*cos) >= 180 {
		c0, span = 0, n // near a pole: the whole band
	} else {
		dLon := c.MarginKm / (kmPerDeg * cos)
		c0 = c.col(lon - dLon)
		span = (c.col(lon+dLon)-c0+n)%n + 1
	}
	for r := r0; r <= r1; r++ {
		for k := int32(0); k < span; k++ {
			p := c.partitionOf(cell{r, (c0 + k) % n})
			seen := false
			for _, q := range dst {
				if q == p {
					seen = true
					break
				}
			}
			if !seen {
				dst = append(dst, p)
			}
		}
	}
	return dst
}

// Fix is a track point as the spatial stage needs it: what the encounter
// detector reads of a vessel.TrackPoint.
type Fix struct {
	MMSI     uint32
	Time     time.Time
	Lat, Lon float64
	SOG, COG float32 // knots, degrees; NaN unknown
}

// FixOf returns the fix of a track point.
func FixOf(p vessel.TrackPoint) Fix {
	return Fix{MMSI: p.MMSI, Time: p.Time, Lat: p.Lat, Lon: p.Lon, SOG: p.SOG, COG: p.COG}
}

// TrackPoint returns f as the track point a detector takes.
func (f Fix) TrackPoint() vessel.TrackPoint {
	return vessel.TrackPoint{Position: vessel.Position{MMSI: f.MMSI, Time: f.Time, Lat: f.Lat, Lon: f.Lon,
		SOG: f.SOG, COG: f.COG, Heading: 511, Status: 15}}
}

// Cell stream messages, binary and small (a fix is 38 bytes plus its
// run's name):
//
//	'F' len(run) run mmsi:4 time:8 (Unix ns) lat:8 lon:8 sog:4 cog:4
//	'S' len(run) run mmsi:4 time:8 has:1 imo:4 len(name) name
//	'W' len(run) run from:2 of:2 time:8
//	'E' len(run) run from:2 of:2
//
// integers big-endian, floats IEEE 754. 'W' (a watermark) says that
// partition from of the observation stream's of partitions will send no
// more fix of run older than time; 'E' that it has sent every fix of run.
// 'S' carries what a static report says of a vessel's name and IMO
// (has: bit 0 IMO, bit 1 name), which encounter events are labelled with.
const (
	cellFix    = 'F'
	cellStatic = 'S'
	cellWater  = 'W'
	cellEnd    = 'E'
)

// encodeLabel encodes the name and IMO of s.
func encodeLabel(run string, s *vessel.Static) []byte {
	name := s.Name
	if len(name) > 255 {
		name = name[:255]
	}
	var has byte
	if s.Has&vessel.HasIMO != 0 {
		has |= 1
	}
	if s.Has&vessel.HasName != 0 {
		has |= 2
	}
	b := make([]byte, 0, 2+len(run)+18+len(name))
	b = append(b, cellStatic, byte(len(run)))
	b = append(b, run...)
	b = binary.BigEndian.AppendUint32(b, s.MMSI)
	b = binary.BigEndian.AppendUint64(b, uint64(s.Time.UnixNano()))
	b = append(b, has)
	b = binary.BigEndian.AppendUint32(b, s.IMO)
	b = append(b, byte(len(name)))
	return append(b, name...)
}

func encodeFix(run string, f Fix) []byte {
	b := make([]byte, 0, 2+len(run)+36)
	b = append(b, cellFix, byte(len(run)))
	b = append(b, run...)
	b = binary.BigEndian.AppendUint32(b, f.MMSI)
	b = binary.BigEndian.AppendUint64(b, uint64(f.Time.UnixNano()))
	b = binary.BigEndian.AppendUint64(b, math.Float64bits(f.Lat))
	b = binary.BigEndian.AppendUint64(b, math.Float64bits(f.Lon))
	b = binary.BigEndian.AppendUint32(b, math.Float32bits(f.SOG))
	b = binary.BigEndian.AppendUint32(b, math.Float32bits(f.COG))
	return b
}

func encodeCellEnd(run string, from, of int) []byte {
	b := make([]byte, 0, 2+len(run)+4)
	b = append(b, cellEnd, byte(len(run)))
	b = append(b, run...)
	b = binary.BigEndian.AppendUint16(b, uint16(from))
	b = binary.BigEndian.AppendUint16(b, uint16(of))
	return b
}

func encodeWatermark(run string, from, of int, t time.Time) []byte {
	b := make([]byte, 0, 2+len(run)+12)
	b = append(b, cellWater, byte(len(run)))
	b = append(b, run...)
	b = binary.BigEndian.AppendUint16(b, uint16(from))
	b = binary.BigEndian.AppendUint16(b, uint16(of))
	b = binary.BigEndian.AppendUint64(b, uint64(t.UnixNano()))
	return b
}

// cellMsg is a decoded cell stream message.
type cellMsg struct {
	kind     byte
	run      string
	fix      Fix
	static   vessel.Static // 'S': MMSI, Time, Has (IMO, name), IMO, Name
	from, of int
	water    int64 // 'W': Unix ns
}

func decodeCell(b []byte) (cellMsg, error) {
	if len(b) < 2 || len(b) < 2+int(b[1]) {
		return cellMsg{}, fmt.Errorf("%w: cell message of %d bytes", ErrBadMessage, len(b))
	}
	m := cellMsg{kind: b[0], run: string(b[2 : 2+int(b[1])])}
	rest := b[2+int(b[1]):]
	switch m.kind {
	case cellFix:
		if len(rest) != 36 {
			return cellMsg{}, fmt.Errorf("%w: cell fix of %d bytes", ErrBadMessage, len(b))
		}
		f := &m.fix
		f.MMSI = binary.BigEndian.Uint32(rest)
		f.Time = time.Unix(0, int64(binary.BigEndian.Uint64(rest[4:]))).UTC()
		f.Lat = math.Float64frombits(binary.BigEndian.Uint64(rest[12:]))
		f.Lon = math.Float64frombits(binary.BigEndian.Uint64(rest[20:]))
		f.SOG = math.Float32frombits(binary.BigEndian.Uint32(rest[28:]))
		f.COG = math.Float32frombits(binary.BigEndian.Uint32(rest[32:]))
		if !vessel.ValidPosition(f.Lat, f.Lon) {
			return cellMsg{}, fmt.Errorf("%w: cell fix of mmsi %d at %g,%g", ErrBadMessage, f.MMSI, f.Lat, f.Lon)
		}
	case cellStatic:
		if len(rest) < 18 || len(rest) != 18+int(rest[17]) || rest[12] > 3 {
			return cellMsg{}, fmt.Errorf("%w: cell static of %d bytes", ErrBadMessage, len(b))
		}
		st := &m.static
		st.MMSI = binary.BigEndian.Uint32(rest)
		st.Time = time.Unix(0, int64(binary.BigEndian.Uint64(rest[4:]))).UTC()
		if rest[12]&1 != 0 {
			st.Has |= vessel.HasIMO
		}
		if rest[12]&2 != 0 {
			st.Has |= vessel.HasName
		}
		st.IMO = binary.BigEndian.Uint32(rest[13:])
		st.Name = string(rest[18:])
	case cellEnd, cellWater:
		want := 4
		if m.kind == cellWater {
			want = 12
		}
		if len(rest) != want {
			return cellMsg{}, fmt.Errorf("%w: cell message %q of %d bytes", ErrBadMessage, m.kind, len(b))
		}
		m.from, m.of = int(binary.BigEndian.Uint16(rest)), int(binary.BigEndian.Uint16(rest[2:]))
		if m.kind == cellWater {
			m.water = int64(binary.BigEndian.Uint64(rest[4:]))
		}
		if m.of == 0 || m.from >= m.of || m.run == "" {
			return cellMsg{}, fmt.Errorf("%w: cell end %d of %d of run %q", ErrBadMessage, m.from, m.of, m.run)
		}
	default:
		return cellMsg{}, fmt.Errorf("%w: cell message kind %q", ErrBadMessage, m.kind)
	}
	return m, nil
}

// FixFilter chooses the fixes the encounter stage needs: a vessel's slow
// fixes (SOG at most MaxKn, or unknown) and each one's neighbours. The
// encounter detector samples a track between consecutive fixes and keeps
// only slow samples; a sample between two fixes takes the speed of the
// nearer one, so it needs both fixes of every pair that has a slow end,
// and nothing of a pair of fast ones. Filtering this way gives the stage
// the samples a detector over every fix would take, at a fraction of the
// traffic (ships under way are fast). One FixFilter follows one run of
// one partition's vessels, in each vessel's time order.
type FixFilter struct {
	MaxKn float64
	last  map[uint32]heldFix
}

type heldFix struct {
	f    Fix
	sent bool // f went out
	slow bool // f was slow
}

// NewFixFilter returns a filter passing fixes at most maxKn (the
// encounter detector's IndexKn) and their neighbours.
func NewFixFilter(maxKn float64) *FixFilter {
	return &FixFilter{MaxKn: maxKn, last: map[uint32]heldFix{}}
}

func (x *FixFilter) slow(f Fix) bool { return f.SOG != f.SOG || float64(f.SOG) <= x.MaxKn }

// Add takes the vessel's next fix and appends to dst the fixes to send.
func (x *FixFilter) Add(dst []Fix, f Fix) []Fix {
	prev, ok := x.last[f.MMSI]
	slow := x.slow(f)
	send := slow || (ok && prev.slow)
	if send && slow && ok && !prev.sent {
		dst = append(dst, prev.f) // the fast fix before a slow one
	}
	if send {
		dst = append(dst, f)
	}
	x.last[f.MMSI] = heldFix{f: f, sent: send, slow: slow}
	return dst
}

// Reset forgets every vessel: a new run starts.
func (x *FixFilter) Reset() { clear(x.last) }
