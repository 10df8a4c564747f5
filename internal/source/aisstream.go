package source

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/lookout-maritime/lookout/internal/ais"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// aisstream.io message handling: the JSON messages its WebSocket API sends,
// one per frame, and files of them saved one per line:
//
//	{"MessageType":"PositionReport",
//	 "MetaData":{"MMSI":244730610,"ShipName":"VROUWE CORNELIA","latitude":53.09019,
//	             "longitude":5.8545,"time_utc":"2026-04-25 09:47:25.26746452 +0000 UTC"},
//	 "Message":{"PositionReport":{"UserID":244730610,"Latitude":53.09018833333334,
//	            "Longitude":5.854496666666666,"Sog":4.5,"Cog":142.9,"TrueHeading":511,
//	            "NavigationalStatus":0,"MessageID":1,"Valid":true,...}}}
//
// The receive time is MetaData.time_utc. Message bodies carry the decoded
// AIS fields under aisstream.io's names, with AIS "not available" values
// (TrueHeading 511, Cog 360, Sog 102.3, Latitude 91, Longitude 181). They
// are turned into the ais package's messages and through FromAIS into
// observations, so that a position from JSON means what the same position
// from NMEA means.

// ErrAISStreamServer is an error message from the aisstream.io server (a
// frame {"error": "..."}), e.g. for a bad API key or subscription.
var ErrAISStreamServer = errors.New("source: aisstream.io server error")

// looseNumber reads a JSON number that may also come quoted ("MMSI_String"
// style) or null.
type looseNumber float64

func (n *looseNumber) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "null" || s == "" {
		*n = 0
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("not a number: %s", b)
	}
	*n = looseNumber(v)
	return nil
}

type asEnvelope struct {
	MessageType string                     `json:"MessageType"`
	MetaData    asMeta                     `json:"MetaData"`
	Message     map[string]json.RawMessage `json:"Message"`
	Error       string                     `json:"error"`
}

type asMeta struct {
	MMSI    looseNumber `json:"MMSI"`
	TimeUTC string      `json:"time_utc"`
}

type asDimension struct{ A, B, C, D float64 }

// asBody has the union of the fields used from the message types handled;
// pointers tell a missing field from a zero.
type asBody struct {
	MessageID          int
	UserID             looseNumber
	Valid              *bool
	NavigationalStatus *float64
	Sog                *float64
	Cog                *float64
	TrueHeading        *float64
	Latitude           *float64
	Longitude          *float64
	// static and voyage data
	ImoNumber            float64
	CallSign             string
	Name                 string
	Type                 float64
	Dimension            *asDimension
	Eta                  *struct{ Month, Day, Hour, Minute float64 }
	MaximumStaticDraught *float64
	Destination          string
	// type 24
	PartNumber bool
	ReportA    *struct {
		Valid bool
		Name  string
	}
	ReportB *struct {
		Valid     bool
		ShipType  float64
		CallSign  string
		Dimension *asDimension
	}
}

// asDecodeError is a message that cannot be used, with its reason code.
type asDecodeError struct {
	reason string
	err    error
}

func (e *asDecodeError) Error() string { return e.err.Error() }
func (e *asDecodeError) Unwrap() error { return e.err }

func asFail(reason, format string, args ...any) *asDecodeError {
	return &asDecodeError{reason, fmt.Errorf("source: "+format, args...)}
}

// decodeAISStream turns one aisstream.io message into observations. skip
// says why a valid message gave none ("type_BaseStationReport",
// "no_position", "invalid"); a message that cannot be used is an
// *asDecodeError with a reason code: "json", "bad_time", "no_message",
// "bad_mmsi", "bad_lat", "bad_lon". A server error frame returns an error
// wrapping ErrAISStreamServer. fallback dates messages without time_utc
// (zero: reject them).
func decodeAISStream(data []byte, src string, fallback time.Time) (obs []vessel.Observation, skip string, err error) {
	var env asEnvelope
	if jerr := json.Unmarshal(data, &env); jerr != nil {
		return nil, "", asFail("json", "not an aisstream.io message: %v", jerr)
	}
	if env.Error != "" {
		return nil, "", fmt.Errorf("%w: %s", ErrAISStreamServer, env.Error)
	}
	if env.MessageType == "" {
		return nil, "", asFail("json", "no MessageType")
	}
	at, ok := parseAISStreamTime(env.MetaData.TimeUTC)
	if !ok {
		if env.MetaData.TimeUTC != "" || fallback.IsZero() {
			return nil, "", asFail("bad_time", "MetaData.time_utc %q is not a time", env.MetaData.TimeUTC)
		}
		at = fallback
	}
	switch env.MessageType {
	case "PositionReport", "StandardClassBPositionReport", "ExtendedClassBPositionReport",
		"ShipStaticData", "StaticDataReport", "StandardSearchAndRescueAircraftReport",
		"LongRangeAisBroadcastMessage":
	default:
		return nil, "type_" + env.MessageType, nil
	}
	raw, ok := env.Message[env.MessageType]
	if !ok || len(raw) == 0 || string(raw) == "null" {
		return nil, "", asFail("no_message", "no Message.%s body", env.MessageType)
	}
	var b asBody
	if jerr := json.Unmarshal(raw, &b); jerr != nil {
		return nil, "", asFail("json", "Message.%s: %v", env.MessageType, jerr)
	}
	if b.Valid != nil && !*b.Valid {
		return nil, "invalid", nil
	}
	mmsi := float64(b.UserID)
	if mmsi == 0 {
		mmsi = float64(env.MetaData.MMSI)
	}
	if mmsi < 1 || mmsi > 999999999 || mmsi != math.Trunc(mmsi) {
		return nil, "", asFail("bad_mmsi", "UserID %v is not an MMSI", mmsi)
	}
	m, derr := b.message(env.MessageType, uint32(mmsi))
	if derr != nil {
		return nil, "", derr
	}
	obs = FromAIS(m, at, src)
	if len(obs) == 0 {
		return nil, "no_position", nil
	}
	return obs, "", nil
}

// parseAISStreamTime reads time_utc as aisstream.io writes it (Go's
// time.Time.String: "2023-11-14 22:13:20.123456789 +0000 UTC"), or RFC 3339.
func parseAISStreamTime(s string) (time.Time, bool) {
	if i := strings.Index(s, " m="); i >= 0 { // a monotonic clock reading
		s = s[:i]
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999999 -0700 MST", "2006-01-02 15:04:05.999999999 -0700", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// message builds the ais package's message for a body of type typ.
func (b *asBody) message(typ string, mmsi uint32) (ais.Message, *asDecodeError) {
	h := ais.Header{MMSI: mmsi}
	switch typ {
	case "PositionReport":
		lat, lon, err := b.coords(600000, ais.LatNA, ais.LonNA)
		if err != nil {
			return nil, err
		}
		h.Type = 1
		if b.MessageID >= 1 && b.MessageID <= 3 {
			h.Type = uint8(b.MessageID)
		}
		return &ais.PositionReport{Header: h, Status: b.status(), Turn: ais.TurnNA, Speed: tenthsOf(b.Sog, 1023, ais.SpeedNA),
			Lat: lat, Lon: lon, Course: tenthsOf(b.Cog, 3599, ais.CourseNA), Heading: b.heading()}, nil
	case "StandardClassBPositionReport":
		lat, lon, err := b.coords(600000, ais.LatNA, ais.LonNA)
		if err != nil {
			return nil, err
		}
		h.Type = 18
		return &ais.ClassBPosition{Header: h, Speed: tenthsOf(b.Sog, 1023, ais.SpeedNA), Lat: lat, Lon: lon,
			Course: tenthsOf(b.Cog, 3599, ais.CourseNA), Heading: b.heading()}, nil
	case "ExtendedClassBPositionReport":
		lat, lon, err := b.coords(600000, ais.LatNA, ais.LonNA)
		if err != nil {
			return nil, err
		}
		h.Type = 19
		m := &ais.ClassBExtended{Header: h, Speed: tenthsOf(b.Sog, 1023, ais.SpeedNA), Lat: lat, Lon: lon,
			Course: tenthsOf(b.Cog, 3599, ais.CourseNA), Heading: b.heading(), ShipName: aisText(b.Name),
			ShipType: clampUint8(b.Type)}
		m.ToBow, m.ToStern, m.ToPort, m.ToStarboard = b.Dimension.split()
		return m, nil
	case "ShipStaticData":
		h.Type = 5
		m := &ais.StaticVoyage{Header: h, IMO: uint32(clamp(b.ImoNumber, 1<<30-1)), CallSign: aisText(b.CallSign),
			ShipName: aisText(b.Name), ShipType: clampUint8(b.Type), Destination: aisText(b.Destination)}
		m.ToBow, m.ToStern, m.ToPort, m.ToStarboard = b.Dimension.split()
		if b.MaximumStaticDraught != nil {
			m.Draught = clampUint8(math.Round(*b.MaximumStaticDraught * 10))
		}
		if e := b.Eta; e != nil {
			m.Month, m.Day, m.Hour, m.Minute = clampUint8(e.Month), clampUint8(e.Day), clampUint8(e.Hour), clampUint8(e.Minute)
		} else {
			m.Hour, m.Minute = 24, 60 // not available
		}
		return m, nil
	case "StaticDataReport":
		h.Type = 24
		m := &ais.StaticDataReport{Header: h}
		if !b.PartNumber {
			if b.ReportA == nil {
				return nil, asFail("no_message", "StaticDataReport part A without ReportA")
			}
			m.ShipName = aisText(b.ReportA.Name)
			return m, nil
		}
		if b.ReportB == nil {
			return nil, asFail("no_message", "StaticDataReport part B without ReportB")
		}
		m.PartNum = 1
		m.ShipType, m.CallSign = clampUint8(b.ReportB.ShipType), aisText(b.ReportB.CallSign)
		m.ToBow, m.ToStern, m.ToPort, m.ToStarboard = b.ReportB.Dimension.split()
		return m, nil
	case "StandardSearchAndRescueAircraftReport":
		lat, lon, err := b.coords(600000, ais.LatNA, ais.LonNA)
		if err != nil {
			return nil, err
		}
		h.Type = 9
		speed := uint16(ais.SpeedNA)
		if b.Sog != nil && *b.Sog >= 0 && *b.Sog <= 1022 {
			speed = uint16(math.Round(*b.Sog))
		}
		return &ais.SARPosition{Header: h, Altitude: ais.AltitudeNA, Speed: speed, Lat: lat, Lon: lon,
			Course: tenthsOf(b.Cog, 3599, ais.CourseNA)}, nil
	case "LongRangeAisBroadcastMessage":
		lat, lon, err := b.coords(600, ais.ShortLatNA, ais.ShortLonNA)
		if err != nil {
			return nil, err
		}
		h.Type = 27
		m := &ais.LongRangePosition{Header: h, Status: b.status(), Lat: lat, Lon: lon,
			Speed: ais.LongRangeSOGNA, Course: ais.LongRangeCOGNA}
		if b.Sog != nil && *b.Sog >= 0 && *b.Sog < 63 {
			m.Speed = uint8(math.Round(*b.Sog))
		}
		if b.Cog != nil && *b.Cog >= 0 && *b.Cog < 360 {
			m.Course = uint16(math.Round(*b.Cog)) % 360
		}
		return m, nil
	}
	return nil, asFail("json", "unhandled message type %s", typ)
}

// coords scales latitude and longitude to the message's units; 91/181 and
// missing values are "not available", other values out of range reject.
func (b *asBody) coords(scale float64, latNA, lonNA int32) (int32, int32, *asDecodeError) {
	conv := func(v *float64, limit float64, na int32, reason, name string) (int32, *asDecodeError) {
		if v == nil || *v == limit+1 {
			return na, nil
		}
		if math.IsNaN(*v) || *v < -limit || *v > limit {
			return 0, asFail(reason, "%s %v is out of range [-%g, %g]", name, *v, limit, limit)
		}
		return int32(math.Round(*v * scale)), nil
	}
	lat, err := conv(b.Latitude, 90, latNA, "bad_lat", "Latitude")
	if err != nil {
		return 0, 0, err
	}
	lon, err := conv(b.Longitude, 180, lonNA, "bad_lon", "Longitude")
	if err != nil {
		return 0, 0, err
	}
	return lat, lon, nil
}

func (b *asBody) status() uint8 {
	if b.NavigationalStatus == nil || *b.NavigationalStatus < 0 || *b.NavigationalStatus > 15 {
		return 15
	}
	return uint8(*b.NavigationalStatus)
}

func (b *asBody) heading() uint16 {
	if b.TrueHeading == nil || *b.TrueHeading < 0 || *b.TrueHeading > 359 {
		return ais.HeadingNA
	}
	return uint16(*b.TrueHeading)
}

// tenthsOf scales a speed or course to tenths, na when missing or beyond
// max tenths.
func tenthsOf(v *float64, max, na uint16) uint16 {
	if v == nil || math.IsNaN(*v) || *v < 0 {
		return na
	}
	t := math.Round(*v * 10)
	if t > float64(max) {
		return na
	}
	return uint16(t)
}

func (d *asDimension) split() (bow, stern, port, starboard uint16) {
	if d == nil {
		return 0, 0, 0, 0
	}
	return uint16(clamp(d.A, 511)), uint16(clamp(d.B, 511)), uint16(clamp(d.C, 63)), uint16(clamp(d.D, 63))
}

func clamp(v, max float64) float64 {
	if math.IsNaN(v) || v < 0 {
		return 0
	}
	return math.Min(math.Round(v), max)
}

func clampUint8(v float64) uint8 { return uint8(clamp(v, 255)) }

// AISStreamFileConfig tunes an aisstream.io JSON file source.
type AISStreamFileConfig struct {
	// Name labels positions and rejects (default: the path).
	Name string
}

// AISStreamFile reads aisstream.io messages saved one JSON object per line
// (JSON Lines, as a client writes them from the WebSocket API; .json,
// .jsonl, .ndjson, optionally .gz or .zst). The receive time of each
// message is its MetaData.time_utc.
//
// Position reports (PositionReport, StandardClassBPositionReport,
// ExtendedClassBPositionReport, StandardSearchAndRescueAircraftReport,
// LongRangeAisBroadcastMessage) give positions; ShipStaticData,
// StaticDataReport and ExtendedClassBPositionReport give static data.
// Other message types are counted in Skipped by type. A line that cannot
// be used is a *Reject with reason "json", "bad_time", "no_message",
// "bad_mmsi", "bad_lat", "bad_lon", "too_long" or "server_error" (an
// error frame saved in the file).
type AISStreamFile struct {
	name    string
	r       io.ReadCloser
	br      *bufio.Reader
	count   *countingReader
	total   int64
	line    int
	queue   queue
	skipped map[string]int
}

// OpenAISStreamFile opens a file of aisstream.io messages ("-" for stdin;
// gzip and zstd decompressed by extension or magic number).
func OpenAISStreamFile(path string, stdin io.Reader, cfg AISStreamFileConfig) (*AISStreamFile, error) {
	total := fileSize(path)
	f, err := openCounted(path, stdin)
	if err != nil {
		return nil, err
	}
	name := cfg.Name
	if name == "" {
		name = displayName(path)
	}
	return NewAISStreamFile(f, name, total), nil
}

// NewAISStreamFile reads aisstream.io messages from r; total is its size in
// bytes or -1.
func NewAISStreamFile(r io.ReadCloser, name string, total int64) *AISStreamFile {
	a := &AISStreamFile{name: name, r: r, total: total, skipped: map[string]int{}}
	if cf, ok := r.(*countedFile); ok {
		a.count = cf.raw
		a.br = bufio.NewReaderSize(cf, maxLine)
	} else {
		a.count = &countingReader{r: r}
		a.br = bufio.NewReaderSize(a.count, maxLine)
	}
	return a
}

// Next implements Source.
func (a *AISStreamFile) Next(ctx context.Context) (vessel.Observation, error) {
	for {
		if o, ok := a.queue.pop(); ok {
			return o, nil
		}
		if err := ctx.Err(); err != nil {
			return vessel.Observation{}, err
		}
		line, err := a.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			a.line++
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = a.br.ReadSlice('\n')
			}
			if err != nil && !errors.Is(err, io.EOF) {
				return vessel.Observation{}, fmt.Errorf("source: %s: %w", a.name, err)
			}
			return vessel.Observation{}, &Reject{File: a.name, Line: a.line, Reason: "too_long",
				Err: fmt.Errorf("source: line longer than %d KiB", maxLine>>10)}
		}
		if len(line) == 0 && err != nil {
			if errors.Is(err, io.EOF) {
				return vessel.Observation{}, io.EOF
			}
			return vessel.Observation{}, fmt.Errorf("source: %s: read after line %d: %w", a.name, a.line, err)
		}
		a.line++
		t := bytes.TrimSpace(line)
		if len(t) == 0 {
			continue
		}
		obs, skip, derr := decodeAISStream(t, a.name, time.Time{})
		if derr != nil {
			return vessel.Observation{}, asReject(a.name, a.line, derr)
		}
		if skip != "" {
			a.skipped[skip]++
			continue
		}
		for i := range obs {
			obs[i].File, obs[i].Line = a.name, a.line
		}
		a.queue.fill(append(a.queue.empty(), obs...))
	}
}

// asReject turns a decoding error into a Reject.
func asReject(name string, line int, err error) *Reject {
	var de *asDecodeError
	if errors.As(err, &de) {
		return &Reject{File: name, Line: line, Reason: de.reason, Err: de.err}
	}
	return &Reject{File: name, Line: line, Reason: "server_error", Err: err}
}

// Progress implements Source.
func (a *AISStreamFile) Progress() (int64, int64) { return a.count.n, a.total }

// Close implements Source.
func (a *AISStreamFile) Close() error { return a.r.Close() }

// Skipped counts messages that gave nothing, by reason: "type_<MessageType>"
// for types that carry no vessel position or identity (base stations, aids
// to navigation, binary and safety messages, UnknownMessage), "invalid"
// (Valid false), "no_position" (position not available).
func (a *AISStreamFile) Skipped() map[string]int { return a.skipped }
