package ais

// minBits is the shortest payload accepted per message type: what gpsd
// 3.22 accepts, measured by feeding it every length. Types 25 and 26 add
// the optional address and application id to these (see checkLength).
var minBits = [28]int{
	1: 163, 2: 163, 3: 163, // the radio field may be cut short
	4: 168, 5: 420, 6: 88, 7: 72, 8: 56, 9: 168, 10: 72, 11: 168,
	12: 72, 13: 72, 14: 40, 15: 88, 16: 96, 17: 80, 18: 168, 19: 312,
	20: 72, 21: 272, 22: 168, 23: 160, 24: 160, 25: 40, 26: 60, 27: 96,
}

// maxBits is the longest payload accepted; 0 means any length up to the
// NMEA maximum (extra bits are ignored: real transmitters pad). Binary
// messages are bounded by the five slots they may occupy.
var maxBits = [28]int{
	6: 1008, 7: 168, 8: 1008, 12: 1008, 13: 168, 14: 1008, 15: 168, 16: 168,
	17: 816, 20: 186, 21: 368, 25: 168, 26: 1004, 27: 168,
}

func checkLength(b *Bits, t int) error {
	min, max := minBits[t], maxBits[t]
	switch t {
	case 25, 26:
		if b.n > 39 {
			if b.B(38) {
				min += 30
			}
			if b.B(39) {
				min += 16
			}
		}
	case 24:
		if b.U(38, 2) == 0 {
			max = 168
		}
	case 27:
		// M.1371-5 defines 96 bits; some equipment pads to a full slot.
		if b.n != 96 && b.n != 168 {
			return errorf(ErrBadLength, "type 27 with %d bits, want 96 (or 168 padded)", b.n)
		}
	}
	if b.n < min {
		return errorf(ErrTooShort, "type %d with %d bits, needs %d", t, b.n, min)
	}
	if max > 0 && b.n > max {
		return errorf(ErrBadLength, "type %d with %d bits, at most %d", t, b.n, max)
	}
	return nil
}

// DecodeBits decodes a de-armoured payload into a typed message.
func DecodeBits(b *Bits) (Message, error) { return decodeBits(b, nil) }

// reusable holds one message of each common type for a Decoder that
// reuses its messages (Config.ReuseMessages): a feed is mostly these types,
// and a new struct per message is the decoder's largest allocation.
type reusable struct {
	pos     PositionReport
	base    BaseStationReport
	voyage  StaticVoyage
	classB  ClassBPosition
	classBX ClassBExtended
	static  StaticDataReport
}

// The getters return the reused message, or a new one when r is nil (no
// reuse). Callers overwrite every field.
func (r *reusable) position() *PositionReport {
	if r == nil {
		return new(PositionReport)
	}
	return &r.pos
}

func (r *reusable) baseStation() *BaseStationReport {
	if r == nil {
		return new(BaseStationReport)
	}
	return &r.base
}

func (r *reusable) staticVoyage() *StaticVoyage {
	if r == nil {
		return new(StaticVoyage)
	}
	return &r.voyage
}

func (r *reusable) classBPosition() *ClassBPosition {
	if r == nil {
		return new(ClassBPosition)
	}
	return &r.classB
}

func (r *reusable) classBExtended() *ClassBExtended {
	if r == nil {
		return new(ClassBExtended)
	}
	return &r.classBX
}

func (r *reusable) staticData() *StaticDataReport {
	if r == nil {
		return new(StaticDataReport)
	}
	return &r.static
}

func decodeBits(b *Bits, r *reusable) (Message, error) {
	if b.n < 38 {
		return nil, errorf(ErrTooShort, "%d bits, a message needs at least 38", b.n)
	}
	t := int(b.U(0, 6))
	if t < 1 || t > 27 {
		return nil, errorf(ErrUnknownType, "type %d", t)
	}
	if err := checkLength(b, t); err != nil {
		return nil, err
	}
	h := Header{Type: uint8(t), Repeat: uint8(b.U(6, 2)), MMSI: uint32(b.U(8, 30))}
	switch t {
	case 1, 2, 3:
		return decodePosition(b, h, r), nil
	case 4, 11:
		return decodeBaseStation(b, h, r), nil
	case 5:
		return decodeStaticVoyage(b, h, r), nil
	case 6:
		return decodeBinaryAddressed(b, h), nil
	case 7, 13:
		return decodeAck(b, h), nil
	case 8:
		return decodeBinaryBroadcast(b, h), nil
	case 9:
		return decodeSAR(b, h), nil
	case 10:
		return &UTCInquiry{Header: h, DestMMSI: uint32(b.U(40, 30))}, nil
	case 12:
		return &SafetyAddressed{Header: h, Seqno: uint8(b.U(38, 2)), DestMMSI: uint32(b.U(40, 30)),
			Retransmit: b.B(70), Text: b.Text(72, (b.n-72)/6)}, nil
	case 14:
		return &SafetyBroadcast{Header: h, Text: b.Text(40, (b.n-40)/6)}, nil
	case 15:
		return decodeInterrogation(b, h), nil
	case 16:
		m := &AssignmentMode{Header: h, Bits: b.n,
			MMSI1: uint32(b.U(40, 30)), Offset1: uint16(b.U(70, 12)), Increment1: uint16(b.U(82, 10))}
		if b.n >= 144 { // the second assignment is all or nothing
			m.MMSI2, m.Offset2, m.Increment2 = uint32(b.U(92, 30)), uint16(b.U(122, 12)), uint16(b.U(134, 10))
		}
		return m, nil
	case 17:
		return &DGNSSBroadcast{Header: h, Lon: int32(b.I(40, 18)), Lat: int32(b.I(58, 17)),
			Data: b.Bytes(80, b.n-80), DataBits: b.n - 80}, nil
	case 18:
		return decodeClassB(b, h, r), nil
	case 19:
		return decodeClassBExtended(b, h, r), nil
	case 20:
		return decodeDataLink(b, h), nil
	case 21:
		return decodeAtoN(b, h), nil
	case 22:
		return decodeChannelManagement(b, h), nil
	case 23:
		return &GroupAssignment{Header: h,
			NELon: int32(b.I(40, 18)), NELat: int32(b.I(58, 17)),
			SWLon: int32(b.I(75, 18)), SWLat: int32(b.I(93, 17)),
			StationType: uint8(b.U(110, 4)), ShipType: uint8(b.U(114, 8)),
			TxRx: uint8(b.U(144, 2)), Interval: uint8(b.U(146, 4)), Quiet: uint8(b.U(150, 4))}, nil
	case 24:
		return decodeStaticData(b, h, r)
	case 25:
		return decodeSingleSlot(b, h), nil
	case 26:
		return decodeMultiSlot(b, h), nil
	case 27:
		return &LongRangePosition{Header: h, Accuracy: b.B(38), RAIM: b.B(39), Status: uint8(b.U(40, 4)),
			Lon: int32(b.I(44, 18)), Lat: int32(b.I(62, 17)), Speed: uint8(b.U(79, 6)),
			Course: uint16(b.U(85, 9)), GNSS: b.B(94)}, nil
	}
	return nil, errorf(ErrUnknownType, "type %d", t)
}

func decodePosition(b *Bits, h Header, r *reusable) *PositionReport {
	m := r.position()
	*m = PositionReport{Header: h,
		Status:   uint8(b.U(38, 4)),
		Turn:     int8(b.I(42, 8)),
		Speed:    uint16(b.U(50, 10)),
		Accuracy: b.B(60),
		Lon:      int32(b.I(61, 28)),
		Lat:      int32(b.I(89, 27)),
		Course:   uint16(b.U(116, 12)),
		Heading:  uint16(b.U(128, 9)),
		Second:   uint8(b.U(137, 6)),
		Maneuver: uint8(b.U(143, 2)),
		Spare:    uint8(b.U(145, 3)),
		RAIM:     b.B(148),
		Radio:    cutRadio(b, 149, 19),
	}
	return m
}

// cutRadio reads a radio field that a short payload cut: the bits that are
// there, unpadded, as gpsd reads them.
func cutRadio(b *Bits, off, n int) uint32 {
	if avail := b.n - off; avail < n {
		return uint32(b.U(off, avail))
	}
	return uint32(b.U(off, n))
}

func decodeBaseStation(b *Bits, h Header, r *reusable) *BaseStationReport {
	m := r.baseStation()
	*m = BaseStationReport{Header: h,
		Year: uint16(b.U(38, 14)), Month: uint16(b.U(52, 4)), Day: uint16(b.U(56, 5)),
		Hour: uint16(b.U(61, 5)), Minute: uint16(b.U(66, 6)), Second: uint16(b.U(72, 6)),
		Accuracy: b.B(78), Lon: int32(b.I(79, 28)), Lat: int32(b.I(107, 27)),
		EPFD: uint8(b.U(134, 4)), RAIM: b.B(148), Radio: uint32(b.U(149, 19)),
	}
	return m
}

func decodeStaticVoyage(b *Bits, h Header, r *reusable) *StaticVoyage {
	m := r.staticVoyage()
	*m = StaticVoyage{Header: h,
		AISVersion: uint8(b.U(38, 2)), IMO: uint32(b.U(40, 30)),
		CallSign: b.Text(70, 7), ShipName: b.Text(112, 20), ShipType: uint8(b.U(232, 8)),
		ToBow: uint16(b.U(240, 9)), ToStern: uint16(b.U(249, 9)),
		ToPort: uint16(b.U(258, 6)), ToStarboard: uint16(b.U(264, 6)),
		EPFD: uint8(b.U(270, 4)), Month: uint8(b.U(274, 4)), Day: uint8(b.U(278, 5)),
		Hour: uint8(b.U(283, 5)), Minute: uint8(b.U(288, 6)), Draught: uint8(b.U(294, 8)),
		Destination: b.Text(302, 20), DTE: b.B(422),
	}
	return m
}

func decodeBinaryAddressed(b *Bits, h Header) *BinaryAddressed {
	m := &BinaryAddressed{Header: h, Seqno: uint8(b.U(38, 2)), DestMMSI: uint32(b.U(40, 30)),
		Retransmit: b.B(70), DAC: uint16(b.U(72, 10)), FI: uint8(b.U(82, 6)),
		Data: b.Bytes(88, b.n-88), DataBits: b.n - 88}
	m.App = decodeApp(6, m.DAC, m.FI, b, 88)
	return m
}

func decodeBinaryBroadcast(b *Bits, h Header) *BinaryBroadcast {
	m := &BinaryBroadcast{Header: h, DAC: uint16(b.U(40, 10)), FI: uint8(b.U(50, 6)),
		Data: b.Bytes(56, b.n-56), DataBits: b.n - 56}
	m.App = decodeApp(8, m.DAC, m.FI, b, 56)
	return m
}

func decodeAck(b *Bits, h Header) *BinaryAck {
	m := &BinaryAck{Header: h}
	// An entry is present when its MMSI is complete; gpsd also reads a
	// cut-short one, as if zero-padded (a listed difference).
	for off := 40; off+30 <= b.n && len(m.Acks) < 4; off += 32 {
		m.Acks = append(m.Acks, Ack{MMSI: uint32(b.U(off, 30)), Seqno: uint8(b.U(off+30, 2))})
	}
	return m
}

func decodeSAR(b *Bits, h Header) *SARPosition {
	return &SARPosition{Header: h,
		Altitude: uint16(b.U(38, 12)), Speed: uint16(b.U(50, 10)), Accuracy: b.B(60),
		Lon: int32(b.I(61, 28)), Lat: int32(b.I(89, 27)), Course: uint16(b.U(116, 12)),
		Second: uint8(b.U(128, 6)), Regional: uint8(b.U(134, 8)), DTE: b.B(142),
		Assigned: b.B(146), RAIM: b.B(147), Radio: uint32(b.U(148, 20)),
	}
}

func decodeInterrogation(b *Bits, h Header) *Interrogation {
	return &Interrogation{Header: h,
		MMSI1: uint32(b.U(40, 30)), Type1_1: uint8(b.U(70, 6)), Offset1_1: uint16(b.U(76, 12)),
		Type1_2: uint8(b.U(90, 6)), Offset1_2: uint16(b.U(96, 12)),
		MMSI2: uint32(b.U(110, 30)), Type2_1: uint8(b.U(140, 6)), Offset2_1: uint16(b.U(146, 12)),
		Bits: b.n,
	}
}

func decodeClassB(b *Bits, h Header, r *reusable) *ClassBPosition {
	m := r.classBPosition()
	*m = ClassBPosition{Header: h,
		Reserved: uint8(b.U(38, 8)), Speed: uint16(b.U(46, 10)), Accuracy: b.B(56),
		Lon: int32(b.I(57, 28)), Lat: int32(b.I(85, 27)), Course: uint16(b.U(112, 12)),
		Heading: uint16(b.U(124, 9)), Second: uint8(b.U(133, 6)), Regional: uint8(b.U(139, 2)),
		CS: b.B(141), Display: b.B(142), DSC: b.B(143), Band: b.B(144), Msg22: b.B(145),
		Assigned: b.B(146), RAIM: b.B(147), Radio: uint32(b.U(148, 20)),
	}
	return m
}

func decodeClassBExtended(b *Bits, h Header, r *reusable) *ClassBExtended {
	m := r.classBExtended()
	*m = ClassBExtended{Header: h,
		Reserved: uint8(b.U(38, 8)), Speed: uint16(b.U(46, 10)), Accuracy: b.B(56),
		Lon: int32(b.I(57, 28)), Lat: int32(b.I(85, 27)), Course: uint16(b.U(112, 12)),
		Heading: uint16(b.U(124, 9)), Second: uint8(b.U(133, 6)), Regional: uint8(b.U(139, 4)),
		ShipName: b.Text(143, 20), ShipType: uint8(b.U(263, 8)),
		ToBow: uint16(b.U(271, 9)), ToStern: uint16(b.U(280, 9)),
		ToPort: uint16(b.U(289, 6)), ToStarboard: uint16(b.U(295, 6)),
		EPFD: uint8(b.U(301, 4)), RAIM: b.B(305), DTE: b.B(306), Assigned: b.B(307),
	}
	return m
}

func decodeDataLink(b *Bits, h Header) *DataLinkManagement {
	m := &DataLinkManagement{Header: h}
	// A block is present when complete: the 2, 4 or 6 bits after the last
	// one are spare padding to a byte boundary, not another block (gpsd
	// reads them into offsetN; a listed difference).
	for off := 40; off+30 <= b.n && len(m.Slots) < 4; off += 30 {
		m.Slots = append(m.Slots, SlotReservation{
			Offset: uint16(b.U(off, 12)), Number: uint8(b.U(off+12, 4)),
			Timeout: uint8(b.U(off+16, 3)), Increment: uint16(b.U(off+19, 11)),
		})
	}
	return m
}

func decodeAtoN(b *Bits, h Header) *AidToNavigation {
	m := &AidToNavigation{Header: h,
		AidType: uint8(b.U(38, 5)), Accuracy: b.B(163),
		Lon: int32(b.I(164, 28)), Lat: int32(b.I(192, 27)),
		ToBow: uint16(b.U(219, 9)), ToStern: uint16(b.U(228, 9)),
		ToPort: uint16(b.U(237, 6)), ToStarboard: uint16(b.U(243, 6)),
		EPFD: uint8(b.U(249, 4)), Second: uint8(b.U(253, 6)), OffPosition: b.B(259),
		Regional: uint8(b.U(260, 8)), RAIM: b.B(268), VirtualAid: b.B(269), Assigned: b.B(270),
	}
	// The name extension continues a full 20-character name (a name ended
	// by '@' has no continuation); trailing spaces of the first part belong
	// inside the joined name.
	var buf [34]byte
	name := b.appendText(buf[:0], 43, 20)
	if b.n >= 272+6 && len(name) == 20 {
		name = b.appendText(name, 272, (b.n-272)/6)
	}
	m.Name = string(trimRight(name))
	return m
}

func decodeChannelManagement(b *Bits, h Header) *ChannelManagement {
	m := &ChannelManagement{Header: h,
		ChannelA: uint16(b.U(40, 12)), ChannelB: uint16(b.U(52, 12)),
		TxRx: uint8(b.U(64, 4)), Power: b.B(68), Addressed: b.B(139),
		BandA: b.B(140), BandB: b.B(141), ZoneSize: uint8(b.U(142, 3)),
	}
	if m.Addressed {
		m.Dest1, m.Dest2 = uint32(b.U(69, 30)), uint32(b.U(104, 30))
	} else {
		m.NELon, m.NELat = int32(b.I(69, 18)), int32(b.I(87, 17))
		m.SWLon, m.SWLat = int32(b.I(104, 18)), int32(b.I(122, 17))
	}
	return m
}

func decodeStaticData(b *Bits, h Header, r *reusable) (*StaticDataReport, error) {
	m := r.staticData()
	*m = StaticDataReport{Header: h, PartNum: uint8(b.U(38, 2))}
	switch m.PartNum {
	case 0:
		m.ShipName = b.Text(40, 20)
	case 1:
		// Some Class B units send part B cut to 160 bits, losing the low two
		// bits of to_starboard; those read as zero (within 3 m) rather than
		// losing the ship type, call sign and other dimensions.
		m.ShipType = uint8(b.U(40, 8))
		m.VendorID = b.Text(48, 7)
		m.Model = uint8(b.U(66, 4))
		m.Serial = uint32(b.U(70, 20))
		m.CallSign = b.Text(90, 7)
		if IsAuxiliary(h.MMSI) {
			m.MothershipMMSI = uint32(b.U(132, 30))
		} else {
			m.ToBow, m.ToStern = uint16(b.U(132, 9)), uint16(b.U(141, 9))
			m.ToPort, m.ToStarboard = uint16(b.U(150, 6)), uint16(b.U(156, 6))
		}
	default:
		return nil, errorf(ErrBadLength, "type 24 part number %d", m.PartNum)
	}
	return m, nil
}

func decodeSingleSlot(b *Bits, h Header) *BinarySingleSlot {
	m := &BinarySingleSlot{Header: h, Addressed: b.B(38), Structured: b.B(39)}
	m.decodeBody(b, 40, b.n)
	return m
}

func decodeMultiSlot(b *Bits, h Header) *BinaryMultiSlot {
	m := &BinaryMultiSlot{BinarySingleSlot: BinarySingleSlot{Header: h, Addressed: b.B(38), Structured: b.B(39)}}
	end := b.n - 20
	m.Radio = uint32(b.U(end, 20))
	m.decodeBody(b, 40, end)
	return m
}

func (m *BinarySingleSlot) decodeBody(b *Bits, off, end int) {
	if m.Addressed {
		m.DestMMSI = uint32(b.U(off, 30))
		off += 30
	}
	if m.Structured {
		m.AppID = uint16(b.U(off, 16))
		off += 16
	}
	if end > off {
		m.Data, m.DataBits = b.Bytes(off, end-off), end-off
	}
}
