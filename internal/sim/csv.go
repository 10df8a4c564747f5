package sim

import (
	"bufio"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// CSVFile is the CSV export's path in the output directory (".gz" added
// when compressed).
const CSVFile = "ais/simulated-ais.csv"

// dmaHeader is the Danish Maritime Authority's aisdk export header, the
// layout internal/source reads as source.CSVDMA.
const dmaHeader = "# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status,ROT,SOG,COG,Heading," +
	"IMO,Callsign,Name,Ship type,Cargo type,Width,Length,Type of position fixing device,Draught,Destination,ETA," +
	"Data source type,A,B,C,D\n"

// dmaTime is the export's time layout (UTC).
const dmaTime = "02/01/2006 15:04:05"

// navStatusText is the export's text for the navigational statuses the
// simulator sends.
var navStatusText = map[uint8]string{
	0: "Under way using engine", 1: "At anchor", 5: "Moored", 15: "Unknown value",
}

// shipTypeText is the export's category text for an AIS ship type (the
// export drops the hazard digit: 71 and 79 are both "Cargo").
func shipTypeText(t uint8) string {
	switch {
	case t == 30:
		return "Fishing"
	case t == 52:
		return "Tug"
	case t >= 60 && t < 70:
		return "Passenger"
	case t >= 70 && t < 80:
		return "Cargo"
	case t >= 80 && t < 90:
		return "Tanker"
	case t >= 90 && t < 100:
		return "Other"
	}
	return "Undefined"
}

// appendCSVText appends a text field, quoted when it holds a comma or a
// quote.
func appendCSVText(b []byte, s string) []byte {
	if !strings.ContainsAny(s, ",\"") {
		return append(b, s...)
	}
	b = append(b, '"')
	b = append(b, strings.ReplaceAll(s, `"`, `""`)...)
	return append(b, '"')
}

func appendTenths(b []byte, v uint16) []byte {
	b = strconv.AppendUint(b, uint64(v/10), 10)
	b = append(b, '.')
	return strconv.AppendUint(b, uint64(v%10), 10)
}

// writeCSV writes the copies received as a DMA aisdk export: one row per
// position report, in the NMEA file's order and with the same receive
// times and values, so both files give the same positions. A vessel's
// identity columns repeat its static data as last received ("Unknown"
// before its first type 5), as the Danish export does. The "Data source
// type" column, which readers ignore, says SIMULATED on every row.
func (s *Scenario) writeCSV(w io.Writer, msgs []rec, copies []copyRec) (int, error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	if _, err := bw.WriteString(dmaHeader); err != nil {
		return 0, err
	}
	last := make([]int32, len(s.ships)) // the latest static copy of each ship, -1 for none
	for i := range last {
		last[i] = -1
	}
	var b []byte
	rows := 0
	for _, c := range copies {
		m := &msgs[c.msg]
		if m.kind == recStatic {
			last[m.ship] = c.msg
			continue
		}
		sh := s.ships[m.ship]
		b = time.Unix(c.t, 0).UTC().AppendFormat(b[:0], dmaTime)
		b = append(b, ",Class A,"...)
		b = strconv.AppendUint(b, uint64(sh.MMSI), 10)
		b = append(b, ',')
		b = strconv.AppendFloat(b, float64(m.lat)/600000, 'f', -1, 64)
		b = append(b, ',')
		b = strconv.AppendFloat(b, float64(m.lon)/600000, 'f', -1, 64)
		b = append(b, ',')
		st, ok := navStatusText[m.status]
		if !ok {
			st = navStatusText[15]
		}
		b = append(b, st...)
		b = append(b, ",,"...) // ROT: not sent
		b = appendTenths(b, m.sog)
		b = append(b, ',')
		b = appendTenths(b, m.cog)
		b = append(b, ',')
		b = strconv.AppendUint(b, uint64(m.hdg), 10)
		b = append(b, ',')
		if k := last[m.ship]; k >= 0 {
			sv := &msgs[k]
			bow := uint16(sh.LengthM * 0.8)
			port := uint16(sh.BeamM / 2)
			b = strconv.AppendUint(b, uint64(sh.IMO), 10)
			b = append(b, ',')
			b = appendCSVText(b, sh.CallSign)
			b = append(b, ',')
			b = appendCSVText(b, sh.Name)
			b = append(b, ',')
			b = append(b, shipTypeText(sh.ShipType)...)
			b = append(b, ",,"...) // cargo type
			b = strconv.AppendUint(b, uint64(math.Round(sh.BeamM)), 10)
			b = append(b, ',')
			b = strconv.AppendUint(b, uint64(math.Round(sh.LengthM)), 10)
			b = append(b, ",GPS,"...)
			b = appendTenths(b, uint16(sv.draught))
			b = append(b, ',')
			b = appendCSVText(b, s.dests[sv.dest])
			b = append(b, ',')
			b = time.Unix(sv.eta, 0).UTC().Truncate(time.Minute).AppendFormat(b, dmaTime)
			b = append(b, ",SIMULATED,"...)
			b = strconv.AppendUint(b, uint64(bow), 10)
			b = append(b, ',')
			b = strconv.AppendUint(b, uint64(uint16(sh.LengthM)-bow), 10)
			b = append(b, ',')
			b = strconv.AppendUint(b, uint64(port), 10)
			b = append(b, ',')
			b = strconv.AppendUint(b, uint64(uint16(sh.BeamM)-port), 10)
		} else {
			b = append(b, "Unknown,,,Undefined,,,,Undefined,,,,SIMULATED,,,,"...)
		}
		b = append(b, '\n')
		if _, err := bw.Write(b); err != nil {
			return rows, err
		}
		rows++
	}
	return rows, bw.Flush()
}
