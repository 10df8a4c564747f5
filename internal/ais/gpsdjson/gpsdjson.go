// Package gpsdjson renders decoded AIS messages as gpsd's AIS JSON, the
// objects gpsdecode (gpsd 3.22, Debian's gpsd-clients) prints with "-s"
// (type 24 halves reported separately): same field names, order and value
// conventions, so Lookout drops into tooling built around gpsd. The scaled
// form (default) gives degrees and knots; the unscaled form keeps the raw
// on-air integers and loses nothing.
package gpsdjson

import (
	"math"
	"strconv"

	"github.com/lookout-maritime/lookout/internal/ais"
)

// Options select the rendering.
type Options struct {
	Scaled bool
	// Device is gpsd's "device" envelope field ("stdin" for gpsdecode);
	// empty omits it.
	Device string
}

// Append appends one JSON object (no trailing newline) for m to buf.
func Append(buf []byte, m ais.Message, opt Options) []byte {
	h := m.Head()
	w := writer{b: buf, scaled: opt.Scaled}
	w.b = append(w.b, `{"class":"AIS"`...)
	if opt.Device != "" {
		w.str("device", opt.Device)
	}
	w.int("type", int64(h.Type))
	w.int("repeat", int64(h.Repeat))
	w.int("mmsi", int64(h.MMSI))
	w.bool("scaled", opt.Scaled)
	switch m := m.(type) {
	case *ais.PositionReport:
		w.position(m)
	case *ais.BaseStationReport:
		w.str("timestamp", timestamp(m))
		w.bool("accuracy", m.Accuracy)
		w.lonlat(m.Lon, m.Lat)
		w.epfd(m.EPFD)
		w.bool("raim", m.RAIM)
		w.int("radio", int64(m.Radio))
	case *ais.StaticVoyage:
		w.int("imo", int64(m.IMO))
		w.int("ais_version", int64(m.AISVersion))
		w.str("callsign", m.CallSign)
		w.str("shipname", m.ShipName)
		w.shiptype(m.ShipType)
		w.dims(m.ToBow, m.ToStern, m.ToPort, m.ToStarboard)
		w.epfd(m.EPFD)
		w.str("eta", eta(m))
		if w.scaled {
			w.fixed("draught", float64(m.Draught)/10, 1)
		} else {
			w.int("draught", int64(m.Draught))
		}
		w.str("destination", m.Destination)
		w.int("dte", b2i(m.DTE))
	case *ais.BinaryAddressed:
		w.int("seqno", int64(m.Seqno))
		w.int("dest_mmsi", int64(m.DestMMSI))
		w.bool("retransmit", m.Retransmit)
		w.int("dac", int64(m.DAC))
		w.int("fid", int64(m.FI))
		if !w.app(m.App) {
			w.data(m.Data, m.DataBits)
		}
	case *ais.BinaryAck:
		for i, k := range [4]string{"mmsi1", "mmsi2", "mmsi3", "mmsi4"} {
			var v uint32
			if i < len(m.Acks) {
				v = m.Acks[i].MMSI
			}
			w.int(k, int64(v))
		}
	case *ais.BinaryBroadcast:
		w.int("dac", int64(m.DAC))
		w.int("fid", int64(m.FI))
		if !w.app(m.App) {
			w.data(m.Data, m.DataBits)
		}
	case *ais.SARPosition:
		w.naInt("alt", int64(m.Altitude), ais.AltitudeNA)
		if w.scaled && m.Speed == ais.SpeedNA-1 {
			w.str("speed", "fast") // 1022 means 1022 kn or more
		} else {
			w.naInt("speed", int64(m.Speed), ais.SpeedNA)
		}
		w.bool("accuracy", m.Accuracy)
		w.lonlat(m.Lon, m.Lat)
		w.course(m.Course)
		w.int("second", int64(m.Second))
		w.int("regional", int64(m.Regional))
		w.int("dte", b2i(m.DTE))
		w.bool("raim", m.RAIM)
		w.int("radio", int64(m.Radio))
	case *ais.UTCInquiry:
		w.int("dest_mmsi", int64(m.DestMMSI))
	case *ais.SafetyAddressed:
		w.int("seqno", int64(m.Seqno))
		w.int("dest_mmsi", int64(m.DestMMSI))
		w.bool("retransmit", m.Retransmit)
		w.str("text", m.Text)
	case *ais.SafetyBroadcast:
		w.str("text", m.Text)
	case *ais.Interrogation:
		w.int("mmsi1", int64(m.MMSI1))
		w.int("type1_1", int64(m.Type1_1))
		w.int("offset1_1", int64(m.Offset1_1))
		w.int("type1_2", int64(m.Type1_2))
		w.int("offset1_2", int64(m.Offset1_2))
		w.int("mmsi2", int64(m.MMSI2))
		w.int("type2_1", int64(m.Type2_1))
		w.int("offset2_1", int64(m.Offset2_1))
	case *ais.AssignmentMode:
		w.int("mmsi1", int64(m.MMSI1))
		w.int("offset1", int64(m.Offset1))
		w.int("increment1", int64(m.Increment1))
		w.int("mmsi2", int64(m.MMSI2))
		w.int("offset2", int64(m.Offset2))
		w.int("increment2", int64(m.Increment2))
	case *ais.DGNSSBroadcast:
		if w.scaled {
			w.fixed("lon", float64(m.Lon)/600, 1)
			w.fixed("lat", float64(m.Lat)/600, 1)
		} else {
			w.int("lon", int64(m.Lon))
			w.int("lat", int64(m.Lat))
		}
		w.data(m.Data, m.DataBits)
	case *ais.ClassBPosition:
		w.int("reserved", int64(m.Reserved))
		w.speedB(m.Speed)
		w.bool("accuracy", m.Accuracy)
		w.lonlat(m.Lon, m.Lat)
		w.course(m.Course)
		w.int("heading", int64(m.Heading))
		w.int("second", int64(m.Second))
		w.int("regional", int64(m.Regional))
		w.bool("cs", m.CS)
		w.bool("display", m.Display)
		w.bool("dsc", m.DSC)
		w.bool("band", m.Band)
		w.bool("msg22", m.Msg22)
		w.bool("raim", m.RAIM)
		w.int("radio", int64(m.Radio))
	case *ais.ClassBExtended:
		w.int("reserved", int64(m.Reserved))
		w.speedB(m.Speed)
		w.bool("accuracy", m.Accuracy)
		w.lonlat(m.Lon, m.Lat)
		w.course(m.Course)
		w.int("heading", int64(m.Heading))
		w.int("second", int64(m.Second))
		w.int("regional", int64(m.Regional))
		w.str("shipname", m.ShipName)
		w.shiptype(m.ShipType)
		w.dims(m.ToBow, m.ToStern, m.ToPort, m.ToStarboard)
		w.epfd(m.EPFD)
		w.bool("raim", m.RAIM)
		w.int("dte", b2i(m.DTE))
		w.bool("assigned", m.Assigned)
	case *ais.DataLinkManagement:
		for i := 0; i < 4; i++ {
			var s ais.SlotReservation
			if i < len(m.Slots) {
				s = m.Slots[i]
			}
			n := strconv.Itoa(i + 1)
			w.int("offset"+n, int64(s.Offset))
			w.int("number"+n, int64(s.Number))
			w.int("timeout"+n, int64(s.Timeout))
			w.int("increment"+n, int64(s.Increment))
		}
	case *ais.AidToNavigation:
		w.int("aid_type", int64(m.AidType))
		w.str("aid_type_text", aidTypeText[m.AidType&31])
		w.str("name", m.Name)
		if w.scaled {
			w.lonlat(m.Lon, m.Lat)
			w.bool("accuracy", m.Accuracy)
		} else {
			w.bool("accuracy", m.Accuracy)
			w.lonlat(m.Lon, m.Lat)
		}
		w.dims(m.ToBow, m.ToStern, m.ToPort, m.ToStarboard)
		w.epfd(m.EPFD)
		w.int("second", int64(m.Second))
		w.int("regional", int64(m.Regional))
		w.bool("off_position", m.OffPosition)
		w.bool("raim", m.RAIM)
		w.bool("virtual_aid", m.VirtualAid)
	case *ais.ChannelManagement:
		w.int("channel_a", int64(m.ChannelA))
		w.int("channel_b", int64(m.ChannelB))
		w.int("txrx", int64(m.TxRx))
		w.bool("power", m.Power)
		if m.Addressed {
			w.int("dest1", int64(m.Dest1))
			w.int("dest2", int64(m.Dest2))
		} else {
			w.corners(m.NELon, m.NELat, m.SWLon, m.SWLat)
		}
		w.bool("addressed", m.Addressed)
		w.bool("band_a", m.BandA)
		w.bool("band_b", m.BandB)
		w.int("zonesize", int64(m.ZoneSize))
	case *ais.GroupAssignment:
		w.corners(m.NELon, m.NELat, m.SWLon, m.SWLat)
		w.int("stationtype", int64(m.StationType))
		w.str("stationtype_text", stationTypeText[m.StationType&15])
		w.shiptype(m.ShipType)
		w.int("interval", int64(m.Interval))
		w.int("quiet", int64(m.Quiet))
	case *ais.StaticDataReport:
		if m.PartNum == 0 {
			w.str("part", "A")
			w.str("shipname", m.ShipName)
			break
		}
		w.str("part", "B")
		w.shiptype(m.ShipType)
		w.str("vendorid", m.VendorID)
		w.int("model", int64(m.Model))
		w.int("serial", int64(m.Serial))
		w.str("callsign", m.CallSign)
		if ais.IsAuxiliary(m.MMSI) {
			w.int("mothership_mmsi", int64(m.MothershipMMSI))
		} else {
			w.dims(m.ToBow, m.ToStern, m.ToPort, m.ToStarboard)
		}
	case *ais.BinarySingleSlot:
		w.slot(m)
	case *ais.BinaryMultiSlot:
		w.slot(&m.BinarySingleSlot)
		w.int("radio", int64(m.Radio))
	case *ais.LongRangePosition:
		if w.scaled {
			w.str("status", statusText[m.Status&15])
		} else {
			w.int("status", int64(m.Status))
		}
		w.bool("accuracy", m.Accuracy)
		if w.scaled {
			w.fixed("lon", float64(m.Lon)/600, 1)
			w.fixed("lat", float64(m.Lat)/600, 1)
		} else {
			w.int("lon", int64(m.Lon))
			w.int("lat", int64(m.Lat))
		}
		w.int("speed", int64(m.Speed))
		w.int("course", int64(m.Course))
		w.bool("raim", m.RAIM)
		w.bool("gnss", m.GNSS)
	}
	w.b = append(w.b, '}')
	return w.b
}

// writer appends "key":value pairs; every object starts with "class", so
// each pair is preceded by a comma.
type writer struct {
	b      []byte
	scaled bool
}

func (w *writer) key(k string) {
	w.b = append(w.b, ',', '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, '"', ':')
}

func (w *writer) int(k string, v int64) {
	w.key(k)
	w.b = strconv.AppendInt(w.b, v, 10)
}

// naInt writes v, or "nan" in the scaled form when v means not available.
func (w *writer) naInt(k string, v, na int64) {
	if w.scaled && v == na {
		w.str(k, "nan")
		return
	}
	w.int(k, v)
}

func (w *writer) bool(k string, v bool) {
	w.key(k)
	w.b = strconv.AppendBool(w.b, v)
}

func (w *writer) fixed(k string, v float64, prec int) {
	w.key(k)
	w.b = strconv.AppendFloat(w.b, v, 'f', prec, 64)
}

func (w *writer) str(k, v string) {
	w.key(k)
	w.b = appendString(w.b, v)
}

func (w *writer) raw(k, v string) {
	w.key(k)
	w.b = append(w.b, v...)
}

// appendString writes a JSON string, escaping as gpsd's json_stringify does.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20 || c >= 0x7f:
			const hex = "0123456789abcdef"
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

func b2i(v bool) int64 {
	if v {
		return 1
	}
	return 0
}

func (w *writer) position(m *ais.PositionReport) {
	w.int("status", int64(m.Status))
	w.str("status_text", statusText[m.Status&15])
	if w.scaled {
		switch m.Turn {
		case ais.TurnNA:
			w.str("turn", "nan")
		case -127:
			w.str("turn", "fastleft")
		case 127:
			w.str("turn", "fastright")
		default:
			// Degrees per minute = (ROT/4.733)^2 with ROT's sign. gpsd 3.22
			// drops the sign; Lookout keeps it (a listed difference).
			r := float64(m.Turn) / 4.733
			v := r * r
			if m.Turn < 0 {
				v = -v
			}
			if math.Abs(v) < 0.5 {
				v = 0 // never print "-0"
			}
			w.key("turn")
			w.b = strconv.AppendFloat(w.b, v, 'f', 0, 64)
		}
	} else {
		w.int("turn", int64(m.Turn))
	}
	w.speed(m.Speed)
	w.bool("accuracy", m.Accuracy)
	w.lonlat(m.Lon, m.Lat)
	w.course(m.Course)
	w.int("heading", int64(m.Heading))
	w.int("second", int64(m.Second))
	w.int("maneuver", int64(m.Maneuver))
	w.bool("raim", m.RAIM)
	w.int("radio", int64(m.Radio))
}

func (w *writer) speed(v uint16) {
	switch {
	case !w.scaled:
		w.int("speed", int64(v))
	case v == ais.SpeedNA:
		w.str("speed", "nan")
	case v == ais.SpeedNA-1:
		w.str("speed", "fast") // 102.2 means 102.2 kn or more
	default:
		w.fixed("speed", float64(v)/10, 1)
	}
}

// speedB is the Class B speed: gpsd prints 102.3 rather than "nan".
func (w *writer) speedB(v uint16) {
	if w.scaled {
		w.fixed("speed", float64(v)/10, 1)
	} else {
		w.int("speed", int64(v))
	}
}

func (w *writer) course(v uint16) {
	if w.scaled {
		w.fixed("course", float64(v)/10, 1)
	} else {
		w.int("course", int64(v))
	}
}

// lonlat writes a 1/10000-minute position.
func (w *writer) lonlat(lon, lat int32) {
	if w.scaled {
		w.fixed("lon", float64(lon)/600000, 6)
		w.fixed("lat", float64(lat)/600000, 6)
	} else {
		w.int("lon", int64(lon))
		w.int("lat", int64(lat))
	}
}

// corners writes the 1/10-minute area corners of types 22 and 23; gpsd
// prints the scaled ones as quoted strings.
func (w *writer) corners(nelon, nelat, swlon, swlat int32) {
	for _, c := range [4]struct {
		k string
		v int32
	}{{"ne_lon", nelon}, {"ne_lat", nelat}, {"sw_lon", swlon}, {"sw_lat", swlat}} {
		if w.scaled {
			w.raw(c.k, `"`+strconv.FormatFloat(float64(c.v)/600, 'f', 6, 64)+`"`)
		} else {
			w.int(c.k, int64(c.v))
		}
	}
}

func (w *writer) epfd(v uint8) {
	w.int("epfd", int64(v))
	w.str("epfd_text", epfdText[v&15])
}

func (w *writer) shiptype(v uint8) {
	w.int("shiptype", int64(v))
	w.str("shiptype_text", shipTypeText(int(v)))
}

func (w *writer) dims(bow, stern, port, starboard uint16) {
	w.int("to_bow", int64(bow))
	w.int("to_stern", int64(stern))
	w.int("to_port", int64(port))
	w.int("to_starboard", int64(starboard))
}

// data writes gpsd's "bits:hex" rendering of undecoded binary data.
func (w *writer) data(d []byte, bits int) {
	w.key("data")
	w.b = append(w.b, '"')
	w.b = strconv.AppendInt(w.b, int64(bits), 10)
	w.b = append(w.b, ':')
	const hex = "0123456789abcdef"
	for _, c := range d[:(bits+7)/8] {
		w.b = append(w.b, hex[c>>4], hex[c&15])
	}
	w.b = append(w.b, '"')
}

func (w *writer) slot(m *ais.BinarySingleSlot) {
	w.bool("addressed", m.Addressed)
	w.bool("structured", m.Structured)
	w.int("dest_mmsi", int64(m.DestMMSI))
	w.int("app_id", int64(m.AppID))
	w.data(m.Data, m.DataBits)
}

func timestamp(m *ais.BaseStationReport) string {
	b := pad(make([]byte, 0, 20), int(m.Year), 4)
	b = append(b, '-')
	b = appendMonthDayTime(b, uint8(m.Month), uint8(m.Day), uint8(m.Hour), uint8(m.Minute))
	b = append(b, ':')
	b = pad(b, int(m.Second), 2)
	return string(append(b, 'Z'))
}

func eta(m *ais.StaticVoyage) string { return monthDayTime(m.Month, m.Day, m.Hour, m.Minute) }

func pad(b []byte, v, width int) []byte {
	var tmp [8]byte
	s := strconv.AppendInt(tmp[:0], int64(v), 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}
