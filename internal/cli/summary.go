package cli

import (
	"strconv"
	"time"

	"github.com/lookout-maritime/lookout/internal/ais"
)

// appendSummary writes the human-readable one-line form of a message:
// receive time (or "-"), type, MMSI, then what matters for that type.
func appendSummary(b []byte, r *ais.Report) []byte {
	if r.Received.IsZero() {
		b = append(b, '-')
	} else {
		b = r.Received.AppendFormat(b, time.RFC3339)
	}
	h := r.Message.Head()
	b = append(b, " type="...)
	b = strconv.AppendInt(b, int64(h.Type), 10)
	b = append(b, " mmsi="...)
	b = strconv.AppendInt(b, int64(h.MMSI), 10)
	switch m := r.Message.(type) {
	case *ais.PositionReport:
		b = appendPos(b, m.Lat, m.Lon)
		b = appendTenths(b, " sog=", int(m.Speed), ais.SpeedNA)
		b = appendTenths(b, " cog=", int(m.Course), ais.CourseNA)
		if m.Heading != ais.HeadingNA {
			b = append(b, " hdg="...)
			b = strconv.AppendInt(b, int64(m.Heading), 10)
		}
		b = append(b, " status="...)
		b = strconv.AppendInt(b, int64(m.Status), 10)
	case *ais.ClassBPosition:
		b = appendPos(b, m.Lat, m.Lon)
		b = appendTenths(b, " sog=", int(m.Speed), ais.SpeedNA)
		b = appendTenths(b, " cog=", int(m.Course), ais.CourseNA)
	case *ais.ClassBExtended:
		b = appendPos(b, m.Lat, m.Lon)
		b = appendTenths(b, " sog=", int(m.Speed), ais.SpeedNA)
		b = appendText(b, " name=", m.ShipName)
	case *ais.BaseStationReport:
		b = appendPos(b, m.Lat, m.Lon)
		b = append(b, " utc="...)
		b = strconv.AppendInt(b, int64(m.Year), 10)
		b = append(b, '-')
		b = strconv.AppendInt(b, int64(m.Month), 10)
		b = append(b, '-')
		b = strconv.AppendInt(b, int64(m.Day), 10)
	case *ais.StaticVoyage:
		if m.IMO != 0 {
			b = append(b, " imo="...)
			b = strconv.AppendInt(b, int64(m.IMO), 10)
		}
		b = appendText(b, " name=", m.ShipName)
		b = appendText(b, " callsign=", m.CallSign)
		b = appendText(b, " dest=", m.Destination)
		b = append(b, " shiptype="...)
		b = strconv.AppendInt(b, int64(m.ShipType), 10)
	case *ais.StaticDataReport:
		if m.PartNum == 0 {
			b = appendText(b, " name=", m.ShipName)
		} else {
			b = appendText(b, " callsign=", m.CallSign)
			b = append(b, " shiptype="...)
			b = strconv.AppendInt(b, int64(m.ShipType), 10)
		}
	case *ais.AidToNavigation:
		b = appendPos(b, m.Lat, m.Lon)
		b = appendText(b, " name=", m.Name)
	case *ais.SARPosition:
		b = appendPos(b, m.Lat, m.Lon)
		b = append(b, " alt="...)
		b = strconv.AppendInt(b, int64(m.Altitude), 10)
	case *ais.LongRangePosition:
		b = append(b, " lat="...)
		b = strconv.AppendFloat(b, float64(m.Lat)/600, 'f', 2, 64)
		b = append(b, " lon="...)
		b = strconv.AppendFloat(b, float64(m.Lon)/600, 'f', 2, 64)
	case *ais.SafetyBroadcast:
		b = appendText(b, " text=", m.Text)
	case *ais.SafetyAddressed:
		b = appendText(b, " text=", m.Text)
	case *ais.BinaryBroadcast:
		b = appendDACFI(b, m.DAC, m.FI)
	case *ais.BinaryAddressed:
		b = appendDACFI(b, m.DAC, m.FI)
	}
	return b
}

func appendPos(b []byte, lat, lon int32) []byte {
	if lat == ais.LatNA || lon == ais.LonNA {
		return append(b, " pos=n/a"...)
	}
	b = append(b, " lat="...)
	b = strconv.AppendFloat(b, float64(lat)/600000, 'f', 5, 64)
	b = append(b, " lon="...)
	return strconv.AppendFloat(b, float64(lon)/600000, 'f', 5, 64)
}

func appendTenths(b []byte, label string, v, na int) []byte {
	if v == na {
		return b
	}
	b = append(b, label...)
	return strconv.AppendFloat(b, float64(v)/10, 'f', 1, 64)
}

func appendText(b []byte, label, s string) []byte {
	if s == "" {
		return b
	}
	b = append(b, label...)
	return strconv.AppendQuote(b, s)
}

func appendDACFI(b []byte, dac uint16, fi uint8) []byte {
	b = append(b, " dac="...)
	b = strconv.AppendInt(b, int64(dac), 10)
	b = append(b, " fi="...)
	return strconv.AppendInt(b, int64(fi), 10)
}
