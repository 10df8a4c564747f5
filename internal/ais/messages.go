package ais

// Message types follow ITU-R M.1371-5 Annex 8. Fields keep the raw,
// unscaled on-air values (lossless; gpsd's "unscaled" form); methods give
// scaled values. Positions of types 1-4, 9, 11, 18, 19 and 21 are in
// 1/10000 minute; types 17, 22, 23 and 27 use 1/10 minute.

// Header is the part every message shares.
type Header struct {
	Type   uint8
	Repeat uint8
	MMSI   uint32
}

// Head returns the common header.
func (h *Header) Head() *Header { return h }

// Message is any decoded AIS message: one of the pointer types below.
type Message interface {
	Head() *Header
}

// Not-available values of the raw fields (M.1371-5).
const (
	LonNA          = 181 * 600000 // 1/10000 min
	LatNA          = 91 * 600000
	SpeedNA        = 1023 // 0.1 kn
	CourseNA       = 3600 // 0.1 deg
	HeadingNA      = 511
	TurnNA         = -128
	SecondNA       = 60
	ShortLonNA     = 181 * 600 // 1/10 min (types 17, 22, 23, 27)
	ShortLatNA     = 91 * 600
	LongRangeSOGNA = 63
	LongRangeCOGNA = 511
	AltitudeNA     = 4095
)

// PositionReport is message types 1, 2 and 3 (Class A position report).
type PositionReport struct {
	Header
	Status   uint8
	Turn     int8 // raw ROT indicator; -128 = not available
	Speed    uint16
	Accuracy bool
	Lon      int32
	Lat      int32
	Course   uint16
	Heading  uint16
	Second   uint8
	Maneuver uint8
	Spare    uint8
	RAIM     bool
	Radio    uint32
}

// BaseStationReport is message type 4 (base station) and 11 (UTC/date response).
type BaseStationReport struct {
	Header
	Year, Month, Day, Hour, Minute, Second uint16
	Accuracy                               bool
	Lon, Lat                               int32
	EPFD                                   uint8
	RAIM                                   bool
	Radio                                  uint32
}

// StaticVoyage is message type 5 (Class A static and voyage related data).
type StaticVoyage struct {
	Header
	AISVersion                          uint8
	IMO                                 uint32
	CallSign                            string
	ShipName                            string
	ShipType                            uint8
	ToBow, ToStern, ToPort, ToStarboard uint16
	EPFD                                uint8
	Month, Day, Hour, Minute            uint8 // ETA
	Draught                             uint8 // 0.1 m
	Destination                         string
	DTE                                 bool
}

// BinaryAddressed is message type 6.
type BinaryAddressed struct {
	Header
	Seqno      uint8
	DestMMSI   uint32
	Retransmit bool
	DAC        uint16
	FI         uint8
	Data       []byte // application data after DAC/FI, left-aligned
	DataBits   int
	App        any // decoded application payload, or nil
}

// BinaryAck is message type 7 (binary acknowledge) and 13 (safety acknowledge).
type BinaryAck struct {
	Header
	Acks []Ack
}

// Ack is one acknowledged destination.
type Ack struct {
	MMSI  uint32
	Seqno uint8
}

// BinaryBroadcast is message type 8.
type BinaryBroadcast struct {
	Header
	DAC      uint16
	FI       uint8
	Data     []byte
	DataBits int
	App      any
}

// SARPosition is message type 9 (SAR aircraft position report).
type SARPosition struct {
	Header
	Altitude uint16 // m; 4095 = n/a, 4094 = 4094 m or higher
	Speed    uint16 // kn; 1023 = n/a
	Accuracy bool
	Lon, Lat int32
	Course   uint16
	Second   uint8
	Regional uint8
	DTE      bool
	Assigned bool
	RAIM     bool
	Radio    uint32
}

// UTCInquiry is message type 10.
type UTCInquiry struct {
	Header
	DestMMSI uint32
}

// SafetyAddressed is message type 12.
type SafetyAddressed struct {
	Header
	Seqno      uint8
	DestMMSI   uint32
	Retransmit bool
	Text       string
}

// SafetyBroadcast is message type 14.
type SafetyBroadcast struct {
	Header
	Text string
}

// Interrogation is message type 15.
type Interrogation struct {
	Header
	MMSI1            uint32
	Type1_1, Type1_2 uint8
	Offset1_1        uint16
	Offset1_2        uint16
	MMSI2            uint32
	Type2_1          uint8
	Offset2_1        uint16
	Bits             int // payload length, telling which parts are present
}

// AssignmentMode is message type 16.
type AssignmentMode struct {
	Header
	MMSI1, MMSI2           uint32
	Offset1, Offset2       uint16
	Increment1, Increment2 uint16
	Bits                   int
}

// DGNSSBroadcast is message type 17.
type DGNSSBroadcast struct {
	Header
	Lon, Lat int32 // 1/10 min
	Data     []byte
	DataBits int
}

// ClassBPosition is message type 18 (standard Class B position report).
type ClassBPosition struct {
	Header
	Reserved uint8
	Speed    uint16
	Accuracy bool
	Lon, Lat int32
	Course   uint16
	Heading  uint16
	Second   uint8
	Regional uint8
	CS       bool
	Display  bool
	DSC      bool
	Band     bool
	Msg22    bool
	Assigned bool
	RAIM     bool
	Radio    uint32
}

// ClassBExtended is message type 19 (extended Class B position report).
type ClassBExtended struct {
	Header
	Reserved                            uint8
	Speed                               uint16
	Accuracy                            bool
	Lon, Lat                            int32
	Course                              uint16
	Heading                             uint16
	Second                              uint8
	Regional                            uint8
	ShipName                            string
	ShipType                            uint8
	ToBow, ToStern, ToPort, ToStarboard uint16
	EPFD                                uint8
	RAIM                                bool
	DTE                                 bool
	Assigned                            bool
}

// DataLinkManagement is message type 20.
type DataLinkManagement struct {
	Header
	Slots []SlotReservation
}

// SlotReservation is one reservation block of message type 20.
type SlotReservation struct {
	Offset    uint16
	Number    uint8
	Timeout   uint8
	Increment uint16
}

// AidToNavigation is message type 21.
type AidToNavigation struct {
	Header
	AidType                             uint8
	Name                                string // name with its extension appended
	Accuracy                            bool
	Lon, Lat                            int32
	ToBow, ToStern, ToPort, ToStarboard uint16
	EPFD                                uint8
	Second                              uint8
	OffPosition                         bool
	Regional                            uint8
	RAIM                                bool
	VirtualAid                          bool
	Assigned                            bool
}

// ChannelManagement is message type 22.
type ChannelManagement struct {
	Header
	ChannelA, ChannelB uint16
	TxRx               uint8
	Power              bool
	NELon, NELat       int32 // 1/10 min, when !Addressed
	SWLon, SWLat       int32
	Dest1, Dest2       uint32 // when Addressed
	Addressed          bool
	BandA, BandB       bool
	ZoneSize           uint8
}

// GroupAssignment is message type 23.
type GroupAssignment struct {
	Header
	NELon, NELat int32 // 1/10 min
	SWLon, SWLat int32
	StationType  uint8
	ShipType     uint8
	TxRx         uint8
	Interval     uint8
	Quiet        uint8
}

// StaticDataReport is message type 24; each part arrives on its own.
type StaticDataReport struct {
	Header
	PartNum uint8 // 0 = part A, 1 = part B
	// Part A
	ShipName string
	// Part B
	ShipType uint8
	// VendorID is the 42-bit vendor field read as text, as older equipment
	// and gpsd read it; in M.1371-5 its first three characters are the
	// manufacturer and the rest is also decoded as Model and Serial.
	VendorID                            string
	Model                               uint8
	Serial                              uint32
	CallSign                            string
	ToBow, ToStern, ToPort, ToStarboard uint16
	MothershipMMSI                      uint32 // auxiliary craft (MMSI 98xxxxxxx) only
}

// BinarySingleSlot is message type 25; BinaryMultiSlot is type 26.
type BinarySingleSlot struct {
	Header
	Addressed  bool
	Structured bool
	DestMMSI   uint32
	AppID      uint16
	Data       []byte
	DataBits   int
}

// BinaryMultiSlot is message type 26.
type BinaryMultiSlot struct {
	BinarySingleSlot
	Radio uint32
}

// LongRangePosition is message type 27.
type LongRangePosition struct {
	Header
	Accuracy bool
	RAIM     bool
	Status   uint8
	Lon, Lat int32  // 1/10 min
	Speed    uint8  // kn; 63 = n/a
	Course   uint16 // deg; 511 = n/a
	GNSS     bool   // false = current GNSS position
}

// IsAuxiliary reports whether an MMSI belongs to craft associated with a
// parent ship (98MIDxxxx), whose type 24 part B carries the mothership MMSI.
func IsAuxiliary(mmsi uint32) bool { return mmsi/10000000 == 98 }
