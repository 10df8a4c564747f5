// Package vessel holds the domain types every stage after decoding shares:
// what a source observed about a vessel (a position fix or static identity
// data), independent of whether it came from NMEA, a CSV export or JSON.
package vessel

import (
	"fmt"
	"math"
	"time"
)

// Class is the kind of station that sent a report.
type Class byte

const (
	ClassUnknown Class = 0
	ClassA       Class = 'A' // SOLAS Class A transponder (types 1-3, 5)
	ClassB       Class = 'B' // Class B (types 18, 19, 24)
	ClassSAR     Class = 'S' // SAR aircraft (type 9)
	ClassAtoN    Class = 'N' // aid to navigation (type 21)
	ClassBase    Class = 'T' // base station (type 4)
	ClassLong    Class = 'L' // long-range broadcast (type 27)
)

// Position is one position fix as received. Time is the event time in UTC:
// the receive time the input gives, never the wall clock of the ingest.
type Position struct {
	MMSI    uint32
	Time    time.Time
	Lat     float64 // degrees WGS84
	Lon     float64
	SOG     float32 // knots; NaN when not available
	COG     float32 // degrees true; NaN when not available
	Heading uint16  // degrees true; 511 when not available
	Status  uint8   // navigational status; 15 when not defined
	Class   Class
	MsgType uint8  // AIS message type, 0 for sources without one
	Source  string // receiver, feed or file the fix came from
}

// Static is identity and voyage data a vessel broadcast about itself (or a
// CSV row carried). Fields not carried by the report are zero; Has says
// which are present, so that a type 24 part A (name only) does not blank
// the call sign a part B gave.
type Static struct {
	MMSI        uint32
	Time        time.Time
	Has         Fields
	IMO         uint32
	Name        string
	CallSign    string
	ShipType    uint8
	ToBow       uint16 // metres from the reference point
	ToStern     uint16
	ToPort      uint16
	ToStarboard uint16
	Draught     float32 // metres
	Destination string
	ETA         string // as broadcast, "MM-DDThh:mmZ"; no year is sent
	Class       Class
	MsgType     uint8
	Source      string
}

// Fields is a set of Static fields.
type Fields uint16

const (
	HasIMO Fields = 1 << iota
	HasName
	HasCallSign
	HasShipType
	HasDimensions
	HasDraught
	HasDestination
	HasETA
)

// Length is the overall length in metres, 0 when unknown.
func (s *Static) Length() int { return int(s.ToBow) + int(s.ToStern) }

// Beam is the width in metres, 0 when unknown.
func (s *Static) Beam() int { return int(s.ToPort) + int(s.ToStarboard) }

// Observation is what a source yields: a position or static data (exactly
// one is non-nil), with where in the input it came from, for error reports
// and provenance.
type Observation struct {
	Position *Position
	Static   *Static
	File     string
	Line     int
}

// Time returns the observation's event time.
func (o *Observation) Time() time.Time {
	if o.Position != nil {
		return o.Position.Time
	}
	if o.Static != nil {
		return o.Static.Time
	}
	return time.Time{}
}

// MMSI returns the observation's MMSI.
func (o *Observation) MMSI() uint32 {
	if o.Position != nil {
		return o.Position.MMSI
	}
	if o.Static != nil {
		return o.Static.MMSI
	}
	return 0
}

// NA is the float value of a missing speed or course.
var NA = float32(math.NaN())

// ValidPosition reports whether lat/lon are a real position (not the
// 91°/181° "not available" values or out of range).
func ValidPosition(lat, lon float64) bool {
	return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180 && !(lat == 0 && lon == 0)
}

// TrackPoint is a position accepted into a vessel's track: de-duplicated,
// in time order, with the segment it belongs to. Segments split a track
// where the implied speed between fixes is impossible, so a spoofed or
// shared MMSI does not join two ships into one; they are numbered from 1
// per MMSI.
type TrackPoint struct {
	Position
	Segment uint32
}

// Identity is one identity an MMSI was seen with: the static data in force
// from FirstSeen to LastSeen. A rename, re-flag or new IMO starts a new
// Identity; the old one is kept (identity history).
type Identity struct {
	MMSI        uint32
	IMO         uint32
	Name        string
	CallSign    string
	ShipType    uint8
	Length      uint16 // metres
	Beam        uint16
	Flag        string // ISO 3166-1 alpha-2 from the MMSI's MID, "" when unknown
	Class       Class
	FirstSeen   time.Time
	LastSeen    time.Time
	Reports     int    // static reports that confirmed this identity
	Source      string // source of the first report
	Destination string // latest destination broadcast under this identity
}

// Key identifies an identity for de-duplication: the fields whose change
// makes a new identity (destination and draught change every voyage and
// do not).
func (i *Identity) Key() string {
	return fmt.Sprintf("%d|%d|%s|%s|%d|%s", i.MMSI, i.IMO, i.Name, i.CallSign, i.ShipType, i.Flag)
}
