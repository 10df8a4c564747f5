package ais

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// ErrEncode is the reason behind every encoding failure: a field value that
// does not fit its bits, text outside the 6-bit character set or too long
// for its field, or a combination of fields the message cannot carry.
// EncodeBits and EncodeSentences return it wrapped in an *Error whose Detail
// names the field.
var ErrEncode = errors.New("ais: cannot encode message")

func encodeErr(format string, args ...any) error {
	return &Error{Reason: ErrEncode, Detail: fmt.Sprintf(format, args...)}
}

// sixbitCode maps a text character to its 6-bit code (the index in
// sixbitASCII); 0xFF marks characters the set lacks. Lower-case letters
// map to their upper-case codes, as AIS equipment transmits them.
var sixbitCode = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xFF
	}
	for i := 0; i < len(sixbitASCII); i++ {
		t[sixbitASCII[i]] = byte(i)
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = t[c-'a'+'A']
	}
	return t
}()

// encodeMaxBits bounds what the encoder builds: more than the longest
// message five slots carry (1008 bits).
const encodeMaxBits = 1024

// bitWriter packs fields big-endian into a fixed buffer that keeps at least
// 8 zero bytes beyond the written bits, so a field of up to 56 bits is ORed
// in with one 64-bit load and store. It holds no pointers but its error, so
// a bitWriter on the stack stays there. The first error sticks.
type bitWriter struct {
	buf [encodeMaxBits/8 + 8]byte
	n   int
	err error
}

// bits is a read-only view of what has been written.
func (w *bitWriter) bits() Bits { return Bits{buf: w.buf[:], n: w.n} }

// put writes the low n bits (n ≤ 56) of v, which must have no higher bits.
func (w *bitWriter) put(v uint64, n int) {
	o := w.n >> 3
	if o+8 > len(w.buf) {
		w.tooLong()
		return
	}
	x := binary.BigEndian.Uint64(w.buf[o:])
	x |= v << (64 - uint(w.n&7) - uint(n))
	binary.BigEndian.PutUint64(w.buf[o:], x)
	w.n += n
}

// skip advances over n zero (spare or padding) bits.
func (w *bitWriter) skip(n int) {
	if w.n+n > encodeMaxBits {
		w.tooLong()
		return
	}
	w.n += n
}

func (w *bitWriter) tooLong() {
	w.fail("message longer than %d bits (five slots carry at most 1008)", encodeMaxBits)
}

func (w *bitWriter) fail(format string, args ...any) {
	if w.err == nil {
		w.err = encodeErr(format, args...)
	}
}

// u writes an unsigned field of n bits.
func (w *bitWriter) u(field string, v uint64, n int) {
	if v>>uint(n) != 0 {
		w.fail("%s %d does not fit in %d bits", field, v, n)
		return
	}
	w.put(v, n)
}

// i writes a two's-complement signed field of n bits.
func (w *bitWriter) i(field string, v int64, n int) {
	if lim := int64(1) << uint(n-1); v < -lim || v >= lim {
		w.fail("%s %d does not fit in %d signed bits", field, v, n)
		return
	}
	w.put(uint64(v)&(1<<uint(n)-1), n)
}

// flag writes one bit.
func (w *bitWriter) flag(v bool) {
	if v {
		w.put(1, 1)
	} else {
		w.skip(1)
	}
}

// text writes s as 6-bit characters into a field of chars characters,
// padded with '@'.
func (w *bitWriter) text(field, s string, chars int) {
	if len(s) > chars {
		w.fail("%s %q is longer than %d characters", field, s, chars)
		return
	}
	if w.n+6*chars > encodeMaxBits {
		w.fail("%s of %d characters makes the message longer than %d bits", field, chars, encodeMaxBits)
		return
	}
	// Nine characters (54 bits) at a time.
	var acc uint64
	k := 0
	for i := 0; i < len(s); i++ {
		c := sixbitCode[s[i]]
		if c == 0xFF {
			w.fail("%s %q: character %q is not in the AIS 6-bit set", field, s, s[i])
			return
		}
		acc = acc<<6 | uint64(c)
		if k++; k == 9 {
			w.put(acc, 54)
			acc, k = 0, 0
		}
	}
	if k > 0 {
		w.put(acc, 6*k)
	}
	w.skip(6 * (chars - len(s))) // '@' is code 0
}

// data writes the first n bits of a left-aligned byte slice.
func (w *bitWriter) data(field string, d []byte, n int) {
	if n < 0 || n > len(d)*8 {
		w.fail("%s: %d bits wanted from %d bytes", field, n, len(d))
		return
	}
	if w.n+n > encodeMaxBits {
		w.fail("%s of %d bits makes the message longer than %d bits", field, n, encodeMaxBits)
		return
	}
	i := 0
	for ; n >= 8; n -= 8 {
		w.put(uint64(d[i]), 8)
		i++
	}
	if n > 0 {
		w.put(uint64(d[i]>>uint(8-n)), n)
	}
}

// padTo extends the message with zero bits to n bits.
func (w *bitWriter) padTo(n int) {
	if w.n < n {
		w.skip(n - w.n)
	}
}

// padByte extends the message with zero bits to a byte boundary.
func (w *bitWriter) padByte() { w.padTo((w.n + 7) &^ 7) }

// cut shortens the message to n bits, failing if a set bit would be lost.
func (w *bitWriter) cut(field string, n int) {
	if n >= w.n {
		w.padTo(n)
		return
	}
	b := w.bits()
	for off := n; off < w.n; off += 56 {
		if b.U(off, min(56, w.n-off)) != 0 {
			w.fail("%s of %d bits cuts off fields that are set", field, n)
			return
		}
	}
	w.n = n
}

func (w *bitWriter) header(h *Header, t uint8) {
	w.put(uint64(t), 6)
	w.u("repeat", uint64(h.Repeat), 2)
	w.u("MMSI", uint64(h.MMSI), 30)
}

// binaryData returns the data bit count: DataBits, or all of Data when
// DataBits is zero.
func binaryData(data []byte, bits int) int {
	if bits == 0 {
		return len(data) * 8
	}
	return bits
}

// EncodeBits packs a message into payload bits, the inverse of DecodeBits:
// DecodeBits(EncodeBits(m)) equals m for any message DecodeBits can return,
// with the exceptions below. Fields hold raw on-air values; a value that
// does not fit its bits is an error (ErrEncode), never silently truncated.
//
// Header.Type selects the message type. It may be zero for the structs that
// carry only one type (e.g. *StaticVoyage is type 5); PositionReport needs
// 1, 2 or 3, BaseStationReport 4 or 11, and BinaryAck 7 or 13.
//
// Text is written in the AIS 6-bit set, padded with '@'; lower-case letters
// are sent as upper case and other characters outside the set are an error.
// The decoder trims trailing spaces, so those do not survive a round trip.
//
// Lengths follow M.1371-5: spare bits are zero and multi-entry messages
// (types 20, 21) are padded to a byte boundary. Binary data (types 6, 8, 17,
// 25, 26) is the first DataBits bits of Data, or all of Data when DataBits
// is 0. Interrogation.Bits and AssignmentMode.Bits set the payload length
// when non-zero; when zero it is the shortest that carries the set fields
// (type 15: 88, 112 or 160 bits; type 16: 96 or 144).
//
// Type 24 part B: the vendor field is VendorID's first three characters
// followed by Model and Serial. A VendorID of more than three characters
// (the legacy seven-character reading) must agree with Model and Serial, or,
// when both are zero, supplies their bits. Auxiliary craft (MMSI 98xxxxxxx)
// carry MothershipMMSI in place of the dimensions. The App field of types 6
// and 8 is derived from Data and ignored.
func EncodeBits(m Message) (*Bits, error) {
	var w bitWriter
	if err := encodeTo(&w, m); err != nil {
		return nil, err
	}
	// The padding DecodeBits and Bits.U rely on: 8 zero bytes and more.
	buf := make([]byte, w.n/8+9)
	copy(buf, w.buf[:(w.n+7)/8])
	return &Bits{buf: buf, n: w.n}, nil
}

// encodeTo writes m with w, which must be zero.
func encodeTo(w *bitWriter, m Message) error {
	switch v := m.(type) {
	case *PositionReport:
		if v != nil {
			encodePosition(w, v)
		}
	case *BaseStationReport:
		if v != nil {
			encodeBaseStation(w, v)
		}
	case *StaticVoyage:
		if v != nil {
			encodeStaticVoyage(w, v)
		}
	case *BinaryAddressed:
		if v != nil {
			encodeBinaryAddressed(w, v)
		}
	case *BinaryAck:
		if v != nil {
			encodeAck(w, v)
		}
	case *BinaryBroadcast:
		if v != nil {
			encodeBinaryBroadcast(w, v)
		}
	case *SARPosition:
		if v != nil {
			encodeSAR(w, v)
		}
	case *UTCInquiry:
		if v != nil {
			w.header(&v.Header, single(w, &v.Header, 10))
			w.skip(2)
			w.u("DestMMSI", uint64(v.DestMMSI), 30)
			w.padTo(72)
		}
	case *SafetyAddressed:
		if v != nil {
			w.header(&v.Header, single(w, &v.Header, 12))
			w.u("Seqno", uint64(v.Seqno), 2)
			w.u("DestMMSI", uint64(v.DestMMSI), 30)
			w.flag(v.Retransmit)
			w.skip(1)
			w.text("Text", v.Text, len(v.Text))
			w.checkMax(12, 1008)
		}
	case *SafetyBroadcast:
		if v != nil {
			w.header(&v.Header, single(w, &v.Header, 14))
			w.skip(2)
			w.text("Text", v.Text, len(v.Text))
			w.checkMax(14, 1008)
		}
	case *Interrogation:
		if v != nil {
			encodeInterrogation(w, v)
		}
	case *AssignmentMode:
		if v != nil {
			encodeAssignment(w, v)
		}
	case *DGNSSBroadcast:
		if v != nil {
			n := binaryData(v.Data, v.DataBits)
			w.header(&v.Header, single(w, &v.Header, 17))
			w.skip(2)
			w.i("Lon", int64(v.Lon), 18)
			w.i("Lat", int64(v.Lat), 17)
			w.skip(5)
			w.data("Data", v.Data, n)
			w.checkMax(17, 816)
		}
	case *ClassBPosition:
		if v != nil {
			encodeClassB(w, v)
		}
	case *ClassBExtended:
		if v != nil {
			encodeClassBExtended(w, v)
		}
	case *DataLinkManagement:
		if v != nil {
			encodeDataLink(w, v)
		}
	case *AidToNavigation:
		if v != nil {
			encodeAtoN(w, v)
		}
	case *ChannelManagement:
		if v != nil {
			encodeChannelManagement(w, v)
		}
	case *GroupAssignment:
		if v != nil {
			w.header(&v.Header, single(w, &v.Header, 23))
			w.skip(2)
			w.i("NELon", int64(v.NELon), 18)
			w.i("NELat", int64(v.NELat), 17)
			w.i("SWLon", int64(v.SWLon), 18)
			w.i("SWLat", int64(v.SWLat), 17)
			w.u("StationType", uint64(v.StationType), 4)
			w.u("ShipType", uint64(v.ShipType), 8)
			w.skip(22)
			w.u("TxRx", uint64(v.TxRx), 2)
			w.u("Interval", uint64(v.Interval), 4)
			w.u("Quiet", uint64(v.Quiet), 4)
			w.padTo(160)
		}
	case *StaticDataReport:
		if v != nil {
			encodeStaticData(w, v)
		}
	case *BinarySingleSlot:
		if v != nil {
			w.header(&v.Header, single(w, &v.Header, 25))
			v.encodeBody(w)
			w.checkMax(25, 168)
		}
	case *BinaryMultiSlot:
		if v != nil {
			w.header(&v.Header, single(w, &v.Header, 26))
			v.encodeBody(w)
			w.u("Radio", uint64(v.Radio), 20)
			w.checkMax(26, 1004)
		}
	case *LongRangePosition:
		if v != nil {
			w.header(&v.Header, single(w, &v.Header, 27))
			w.flag(v.Accuracy)
			w.flag(v.RAIM)
			w.u("Status", uint64(v.Status), 4)
			w.i("Lon", int64(v.Lon), 18)
			w.i("Lat", int64(v.Lat), 17)
			w.u("Speed", uint64(v.Speed), 6)
			w.u("Course", uint64(v.Course), 9)
			w.flag(v.GNSS)
			w.padTo(96)
		}
	default:
		if m == nil {
			return encodeErr("nil message")
		}
		return encodeErr("unknown message type %T", m)
	}
	if w.err != nil {
		return w.err
	}
	if w.n == 0 {
		// Every message writes a header; nothing was written for a nil
		// pointer.
		return encodeErr("nil %T", m)
	}
	return nil
}

// single returns the type of a struct that carries only type t: Header.Type
// must be t or zero.
func single(w *bitWriter, h *Header, t uint8) uint8 {
	if h.Type != 0 && h.Type != t {
		w.fail("Header.Type %d for a type %d message", h.Type, t)
	}
	return t
}

// oneOf checks a Header.Type against the two or three types a struct
// carries (c is 0 for two).
func oneOf(w *bitWriter, h *Header, name string, a, b, c uint8) uint8 {
	if t := h.Type; t != 0 && (t == a || t == b || t == c) {
		return t
	}
	if c == 0 {
		w.fail("%s with Header.Type %d, want %d or %d", name, h.Type, a, b)
	} else {
		w.fail("%s with Header.Type %d, want %d, %d or %d", name, h.Type, a, b, c)
	}
	return a
}

func (w *bitWriter) checkMax(t, max int) {
	if w.n > max {
		w.fail("type %d message of %d bits, at most %d fit in five slots", t, w.n, max)
	}
}

func encodePosition(w *bitWriter, v *PositionReport) {
	w.header(&v.Header, oneOf(w, &v.Header, "PositionReport", 1, 2, 3))
	w.u("Status", uint64(v.Status), 4)
	w.put(uint64(uint8(v.Turn)), 8)
	w.u("Speed", uint64(v.Speed), 10)
	w.flag(v.Accuracy)
	w.i("Lon", int64(v.Lon), 28)
	w.i("Lat", int64(v.Lat), 27)
	w.u("Course", uint64(v.Course), 12)
	w.u("Heading", uint64(v.Heading), 9)
	w.u("Second", uint64(v.Second), 6)
	w.u("Maneuver", uint64(v.Maneuver), 2)
	w.u("Spare", uint64(v.Spare), 3)
	w.flag(v.RAIM)
	w.u("Radio", uint64(v.Radio), 19)
}

func encodeBaseStation(w *bitWriter, v *BaseStationReport) {
	w.header(&v.Header, oneOf(w, &v.Header, "BaseStationReport", 4, 11, 0))
	w.u("Year", uint64(v.Year), 14)
	w.u("Month", uint64(v.Month), 4)
	w.u("Day", uint64(v.Day), 5)
	w.u("Hour", uint64(v.Hour), 5)
	w.u("Minute", uint64(v.Minute), 6)
	w.u("Second", uint64(v.Second), 6)
	w.flag(v.Accuracy)
	w.i("Lon", int64(v.Lon), 28)
	w.i("Lat", int64(v.Lat), 27)
	w.u("EPFD", uint64(v.EPFD), 4)
	w.skip(10)
	w.flag(v.RAIM)
	w.u("Radio", uint64(v.Radio), 19)
}

func encodeStaticVoyage(w *bitWriter, v *StaticVoyage) {
	w.header(&v.Header, single(w, &v.Header, 5))
	w.u("AISVersion", uint64(v.AISVersion), 2)
	w.u("IMO", uint64(v.IMO), 30)
	w.text("CallSign", v.CallSign, 7)
	w.text("ShipName", v.ShipName, 20)
	w.u("ShipType", uint64(v.ShipType), 8)
	w.u("ToBow", uint64(v.ToBow), 9)
	w.u("ToStern", uint64(v.ToStern), 9)
	w.u("ToPort", uint64(v.ToPort), 6)
	w.u("ToStarboard", uint64(v.ToStarboard), 6)
	w.u("EPFD", uint64(v.EPFD), 4)
	w.u("Month", uint64(v.Month), 4)
	w.u("Day", uint64(v.Day), 5)
	w.u("Hour", uint64(v.Hour), 5)
	w.u("Minute", uint64(v.Minute), 6)
	w.u("Draught", uint64(v.Draught), 8)
	w.text("Destination", v.Destination, 20)
	w.flag(v.DTE)
	w.padTo(424)
}

func encodeBinaryAddressed(w *bitWriter, v *BinaryAddressed) {
	n := binaryData(v.Data, v.DataBits)
	w.header(&v.Header, single(w, &v.Header, 6))
	w.u("Seqno", uint64(v.Seqno), 2)
	w.u("DestMMSI", uint64(v.DestMMSI), 30)
	w.flag(v.Retransmit)
	w.skip(1)
	w.u("DAC", uint64(v.DAC), 10)
	w.u("FI", uint64(v.FI), 6)
	w.data("Data", v.Data, n)
	w.checkMax(6, 1008)
}

func encodeBinaryBroadcast(w *bitWriter, v *BinaryBroadcast) {
	n := binaryData(v.Data, v.DataBits)
	w.header(&v.Header, single(w, &v.Header, 8))
	w.skip(2)
	w.u("DAC", uint64(v.DAC), 10)
	w.u("FI", uint64(v.FI), 6)
	w.data("Data", v.Data, n)
	w.checkMax(8, 1008)
}

func encodeAck(w *bitWriter, v *BinaryAck) {
	w.header(&v.Header, oneOf(w, &v.Header, "BinaryAck", 7, 13, 0))
	if len(v.Acks) < 1 || len(v.Acks) > 4 {
		w.fail("type %d with %d acknowledgements, want 1 to 4", v.Type, len(v.Acks))
	}
	w.skip(2)
	for i := 0; i < len(v.Acks) && i < 4; i++ {
		w.u("Acks.MMSI", uint64(v.Acks[i].MMSI), 30)
		w.u("Acks.Seqno", uint64(v.Acks[i].Seqno), 2)
	}
}

func encodeSAR(w *bitWriter, v *SARPosition) {
	w.header(&v.Header, single(w, &v.Header, 9))
	w.u("Altitude", uint64(v.Altitude), 12)
	w.u("Speed", uint64(v.Speed), 10)
	w.flag(v.Accuracy)
	w.i("Lon", int64(v.Lon), 28)
	w.i("Lat", int64(v.Lat), 27)
	w.u("Course", uint64(v.Course), 12)
	w.u("Second", uint64(v.Second), 6)
	w.u("Regional", uint64(v.Regional), 8)
	w.flag(v.DTE)
	w.skip(3)
	w.flag(v.Assigned)
	w.flag(v.RAIM)
	w.u("Radio", uint64(v.Radio), 20)
}

func encodeInterrogation(w *bitWriter, v *Interrogation) {
	w.header(&v.Header, single(w, &v.Header, 15))
	w.skip(2)
	w.u("MMSI1", uint64(v.MMSI1), 30)
	w.u("Type1_1", uint64(v.Type1_1), 6)
	w.u("Offset1_1", uint64(v.Offset1_1), 12)
	w.skip(2)
	w.u("Type1_2", uint64(v.Type1_2), 6)
	w.u("Offset1_2", uint64(v.Offset1_2), 12)
	w.skip(2)
	w.u("MMSI2", uint64(v.MMSI2), 30)
	w.u("Type2_1", uint64(v.Type2_1), 6)
	w.u("Offset2_1", uint64(v.Offset2_1), 12)
	w.skip(2)
	n := v.Bits
	switch {
	case n == 0 && (v.MMSI2 != 0 || v.Type2_1 != 0 || v.Offset2_1 != 0):
		n = 160
	case n == 0 && (v.Type1_2 != 0 || v.Offset1_2 != 0):
		n = 112
	case n == 0:
		n = 88
	case n < 88 || n > 168:
		w.fail("type 15 Bits %d, want 88 to 168", n)
	}
	w.cut("type 15 Bits", n)
}

func encodeAssignment(w *bitWriter, v *AssignmentMode) {
	w.header(&v.Header, single(w, &v.Header, 16))
	w.skip(2)
	w.u("MMSI1", uint64(v.MMSI1), 30)
	w.u("Offset1", uint64(v.Offset1), 12)
	w.u("Increment1", uint64(v.Increment1), 10)
	w.u("MMSI2", uint64(v.MMSI2), 30)
	w.u("Offset2", uint64(v.Offset2), 12)
	w.u("Increment2", uint64(v.Increment2), 10)
	second := v.MMSI2 != 0 || v.Offset2 != 0 || v.Increment2 != 0
	n := v.Bits
	switch {
	case n == 0 && second:
		n = 144
	case n == 0:
		n = 96
	case n < 96 || n > 168:
		w.fail("type 16 Bits %d, want 96 to 168", n)
	case n < 144 && second:
		// The second assignment is read only from payloads of 144 bits.
		w.fail("type 16 Bits %d is too short for a second assignment (144)", n)
	}
	w.cut("type 16 Bits", n)
}

func encodeClassB(w *bitWriter, v *ClassBPosition) {
	w.header(&v.Header, single(w, &v.Header, 18))
	w.u("Reserved", uint64(v.Reserved), 8)
	w.u("Speed", uint64(v.Speed), 10)
	w.flag(v.Accuracy)
	w.i("Lon", int64(v.Lon), 28)
	w.i("Lat", int64(v.Lat), 27)
	w.u("Course", uint64(v.Course), 12)
	w.u("Heading", uint64(v.Heading), 9)
	w.u("Second", uint64(v.Second), 6)
	w.u("Regional", uint64(v.Regional), 2)
	w.flag(v.CS)
	w.flag(v.Display)
	w.flag(v.DSC)
	w.flag(v.Band)
	w.flag(v.Msg22)
	w.flag(v.Assigned)
	w.flag(v.RAIM)
	w.u("Radio", uint64(v.Radio), 20)
}

func encodeClassBExtended(w *bitWriter, v *ClassBExtended) {
	w.header(&v.Header, single(w, &v.Header, 19))
	w.u("Reserved", uint64(v.Reserved), 8)
	w.u("Speed", uint64(v.Speed), 10)
	w.flag(v.Accuracy)
	w.i("Lon", int64(v.Lon), 28)
	w.i("Lat", int64(v.Lat), 27)
	w.u("Course", uint64(v.Course), 12)
	w.u("Heading", uint64(v.Heading), 9)
	w.u("Second", uint64(v.Second), 6)
	w.u("Regional", uint64(v.Regional), 4)
	w.text("ShipName", v.ShipName, 20)
	w.u("ShipType", uint64(v.ShipType), 8)
	w.u("ToBow", uint64(v.ToBow), 9)
	w.u("ToStern", uint64(v.ToStern), 9)
	w.u("ToPort", uint64(v.ToPort), 6)
	w.u("ToStarboard", uint64(v.ToStarboard), 6)
	w.u("EPFD", uint64(v.EPFD), 4)
	w.flag(v.RAIM)
	w.flag(v.DTE)
	w.flag(v.Assigned)
	w.padTo(312)
}

func encodeDataLink(w *bitWriter, v *DataLinkManagement) {
	w.header(&v.Header, single(w, &v.Header, 20))
	if len(v.Slots) < 1 || len(v.Slots) > 4 {
		w.fail("type 20 with %d reservations, want 1 to 4", len(v.Slots))
	}
	w.skip(2)
	for i := 0; i < len(v.Slots) && i < 4; i++ {
		s := &v.Slots[i]
		w.u("Slots.Offset", uint64(s.Offset), 12)
		w.u("Slots.Number", uint64(s.Number), 4)
		w.u("Slots.Timeout", uint64(s.Timeout), 3)
		w.u("Slots.Increment", uint64(s.Increment), 11)
	}
	w.padByte() // 72, 104, 136 or 160 bits
}

func encodeAtoN(w *bitWriter, v *AidToNavigation) {
	w.header(&v.Header, single(w, &v.Header, 21))
	w.u("AidType", uint64(v.AidType), 5)
	name, ext := v.Name, ""
	if len(name) > 20 {
		name, ext = name[:20], name[20:]
	}
	if len(ext) > 14 {
		w.fail("Name %q is longer than 34 characters", v.Name)
	}
	w.text("Name", name, 20)
	w.flag(v.Accuracy)
	w.i("Lon", int64(v.Lon), 28)
	w.i("Lat", int64(v.Lat), 27)
	w.u("ToBow", uint64(v.ToBow), 9)
	w.u("ToStern", uint64(v.ToStern), 9)
	w.u("ToPort", uint64(v.ToPort), 6)
	w.u("ToStarboard", uint64(v.ToStarboard), 6)
	w.u("EPFD", uint64(v.EPFD), 4)
	w.u("Second", uint64(v.Second), 6)
	w.flag(v.OffPosition)
	w.u("Regional", uint64(v.Regional), 8)
	w.flag(v.RAIM)
	w.flag(v.VirtualAid)
	w.flag(v.Assigned)
	w.skip(1)
	if ext != "" {
		w.text("Name", ext, len(ext))
		w.padByte()
	}
}

func encodeChannelManagement(w *bitWriter, v *ChannelManagement) {
	w.header(&v.Header, single(w, &v.Header, 22))
	w.skip(2)
	w.u("ChannelA", uint64(v.ChannelA), 12)
	w.u("ChannelB", uint64(v.ChannelB), 12)
	w.u("TxRx", uint64(v.TxRx), 4)
	w.flag(v.Power)
	if v.Addressed {
		if v.NELon != 0 || v.NELat != 0 || v.SWLon != 0 || v.SWLat != 0 {
			w.fail("addressed type 22 carries no area (NE/SW corners are set)")
		}
		w.u("Dest1", uint64(v.Dest1), 30)
		w.skip(5)
		w.u("Dest2", uint64(v.Dest2), 30)
		w.skip(5)
	} else {
		if v.Dest1 != 0 || v.Dest2 != 0 {
			w.fail("broadcast type 22 carries no destinations (Dest1/Dest2 are set)")
		}
		w.i("NELon", int64(v.NELon), 18)
		w.i("NELat", int64(v.NELat), 17)
		w.i("SWLon", int64(v.SWLon), 18)
		w.i("SWLat", int64(v.SWLat), 17)
	}
	w.flag(v.Addressed)
	w.flag(v.BandA)
	w.flag(v.BandB)
	w.u("ZoneSize", uint64(v.ZoneSize), 3)
	w.padTo(168)
}

func encodeStaticData(w *bitWriter, v *StaticDataReport) {
	if v.PartNum == 0 {
		w.header(&v.Header, single(w, &v.Header, 24))
		w.skip(2)
		w.text("ShipName", v.ShipName, 20)
		return
	}
	w.header(&v.Header, single(w, &v.Header, 24))
	w.u("PartNum", uint64(v.PartNum), 2)
	if v.PartNum > 1 {
		w.fail("type 24 PartNum %d, want 0 (A) or 1 (B)", v.PartNum)
	}
	w.u("ShipType", uint64(v.ShipType), 8)
	vendor := v.VendorID
	if len(vendor) > 7 {
		w.fail("VendorID %q is longer than 7 characters", vendor)
		return
	}
	ms := uint64(v.Model)<<20 | uint64(v.Serial)
	if v.Model > 15 || v.Serial >= 1<<20 {
		w.fail("Model %d / Serial %d do not fit in 4 / 20 bits", v.Model, v.Serial)
	}
	if len(vendor) > 3 {
		// The legacy reading: characters 4-7 are the Model and Serial bits.
		var codes [7]byte
		for i := 0; i < len(vendor); i++ {
			if codes[i] = sixbitCode[vendor[i]]; codes[i] == 0xFF {
				w.fail("VendorID %q: character %q is not in the AIS 6-bit set", vendor, vendor[i])
				return
			}
		}
		if ms == 0 {
			ms = uint64(codes[3])<<18 | uint64(codes[4])<<12 | uint64(codes[5])<<6 | uint64(codes[6])
		} else {
			// Model and Serial rule; VendorID must read as DecodeBits
			// would read the field they make.
			want := vendorText(codes[:len(vendor)])
			for i := 3; i < 7; i++ {
				codes[i] = byte(ms >> uint(18-6*(i-3)) & 63)
			}
			if got := vendorText(codes[:]); got != want {
				w.fail("VendorID %q disagrees with Model %d and Serial %d (which read as %q)",
					vendor, v.Model, v.Serial, got)
			}
		}
		vendor = vendor[:3]
	}
	w.text("VendorID", vendor, 3)
	w.put(ms&(1<<24-1), 24)
	w.text("CallSign", v.CallSign, 7)
	if IsAuxiliary(v.MMSI) {
		if v.ToBow != 0 || v.ToStern != 0 || v.ToPort != 0 || v.ToStarboard != 0 {
			w.fail("auxiliary craft %d sends MothershipMMSI, not dimensions", v.MMSI)
		}
		w.u("MothershipMMSI", uint64(v.MothershipMMSI), 30)
	} else {
		if v.MothershipMMSI != 0 {
			w.fail("MothershipMMSI is sent only by auxiliary craft (98xxxxxxx), not %d", v.MMSI)
		}
		w.u("ToBow", uint64(v.ToBow), 9)
		w.u("ToStern", uint64(v.ToStern), 9)
		w.u("ToPort", uint64(v.ToPort), 6)
		w.u("ToStarboard", uint64(v.ToStarboard), 6)
	}
	w.padTo(168)
}

// vendorText reads 6-bit codes as DecodeBits reads text: up to the first
// '@', without trailing spaces.
func vendorText(codes []byte) string {
	var buf [7]byte
	t := buf[:0]
	for _, c := range codes {
		if c == 0 {
			break
		}
		t = append(t, sixbitASCII[c])
	}
	for len(t) > 0 && t[len(t)-1] == ' ' {
		t = t[:len(t)-1]
	}
	return string(t)
}

// encodeBody writes the flags, optional address and application id, and
// data of types 25 and 26.
func (m *BinarySingleSlot) encodeBody(w *bitWriter) {
	w.flag(m.Addressed)
	w.flag(m.Structured)
	if m.Addressed {
		w.u("DestMMSI", uint64(m.DestMMSI), 30)
	} else if m.DestMMSI != 0 {
		w.fail("DestMMSI %d set on a broadcast (not Addressed) message", m.DestMMSI)
	}
	if m.Structured {
		w.u("AppID", uint64(m.AppID), 16)
	} else if m.AppID != 0 {
		w.fail("AppID %d set on an unstructured message", m.AppID)
	}
	w.data("Data", m.Data, binaryData(m.Data, m.DataBits))
}

// Armour returns the armoured 6-bit payload text and the fill-bit count.
func (b *Bits) Armour() (payload string, fill int) {
	var tmp [192]byte
	p, fill := b.appendArmour(tmp[:0])
	return string(p), fill
}

// armourChar is the payload character of each 6-bit value.
const armourChar = "0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVW`abcdefghijklmnopqrstuvw"

// appendArmour appends the armoured payload to dst and returns the fill
// bits. Bits past Len in the last character are sent as zero.
func (b *Bits) appendArmour(dst []byte) ([]byte, int) {
	off := 0
	for ; off+24 <= b.n; off += 24 {
		v := b.U(off, 24)
		dst = append(dst, armourChar[v>>18], armourChar[v>>12&63], armourChar[v>>6&63], armourChar[v&63])
	}
	fill := 0
	for ; off < b.n; off += 6 {
		n := min(6, b.n-off)
		dst = append(dst, armourChar[b.U(off, n)<<uint(6-n)])
		fill = 6 - n
	}
	return dst, fill
}

// maxSentencePayload is the payload characters per sentence: with the
// longest framing, "!AIVDM,n,k,s,c," and ",f*hh", a sentence of 60 stays
// within NMEA's 82 characters.
const maxSentencePayload = 60

// EncodeSentences frames a message as one or more !AIVDM sentences (with
// checksums), splitting payloads longer than one sentence allows. seq is the
// sequential message id used when more than one sentence is needed.
//
// Each sentence is "!AIVDM,n,k,s,c,payload,f*hh" without a line ending. A
// payload of up to 60 characters is one sentence with an empty sequential
// id (seq is then unused); longer ones are split into 60-character
// fragments, which need seq in 0-9, and only the last fragment carries the
// fill bits. channel is the radio channel ('A', 'B', '1', '2'), or 0 for an
// empty field.
func EncodeSentences(m Message, channel byte, seq int) ([]string, error) {
	// Encode and armour in stack buffers; only the sentences are allocated.
	var w bitWriter
	if err := encodeTo(&w, m); err != nil {
		return nil, err
	}
	if channel != 0 && (channel <= ' ' || channel > '~' || channel == ',' || channel == '*' ||
		channel == '!' || channel == '$' || channel == '\\') {
		return nil, encodeErr("channel %q", channel)
	}
	var pbuf [(encodeMaxBits + 5) / 6]byte
	b := w.bits()
	payload, fill := b.appendArmour(pbuf[:0])
	count := (len(payload) + maxSentencePayload - 1) / maxSentencePayload
	if count > 9 {
		return nil, encodeErr("payload of %d characters needs %d sentences, at most 9", len(payload), count)
	}
	if count > 1 && (seq < 0 || seq > 9) {
		return nil, encodeErr("sequential id %d, want 0-9", seq)
	}

	var sb strings.Builder
	sb.Grow(count*len("!AIVDM,n,k,s,c,,f*hh") + len(payload))
	var ends [9]int
	for k := 1; k <= count; k++ {
		part := payload[(k-1)*maxSentencePayload : min(k*maxSentencePayload, len(payload))]
		f := 0
		if k == count {
			f = fill
		}
		var head [16]byte
		h := append(head[:0], "AIVDM,"...)
		h = append(h, byte('0'+count), ',', byte('0'+k), ',')
		if count > 1 {
			h = append(h, byte('0'+seq))
		}
		h = append(h, ',')
		if channel != 0 {
			h = append(h, channel)
		}
		h = append(h, ',')
		// The checksum covers the text between '!' and '*'.
		sum := xorBytes(h) ^ xorBytes(part) ^ ',' ^ byte('0'+f)
		const hex = "0123456789ABCDEF"
		sb.WriteByte('!')
		sb.Write(h)
		sb.Write(part)
		sb.Write([]byte{',', byte('0' + f), '*', hex[sum>>4], hex[sum&15]})
		ends[k-1] = sb.Len()
	}
	all := sb.String()
	lines := make([]string, count)
	prev := 0
	for i, e := range ends[:count] {
		lines[i] = all[prev:e]
		prev = e
	}
	return lines, nil
}

func xorBytes(b []byte) byte {
	var x byte
	for _, c := range b {
		x ^= c
	}
	return x
}
