package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
)

// CSVHeader is the header row WriteCSV writes.
var CSVHeader = []string{"mmsi", "time", "lat", "lon", "sog", "cog", "heading", "status", "class", "msg_type", "source", "segment",
	"imo", "name", "callsign", "flag"}

// WriteCSV writes one row per position under CSVHeader, RFC 4180 style:
// CRLF line ends, fields quoted when they need it. Times are RFC 3339
// UTC; values not available (NaN speed or course, heading 511, unknown
// class) are empty; the identity columns repeat the track's identity so a
// spreadsheet can filter by name.
func WriteCSV(w io.Writer, tracks []Track) error {
	for i := range tracks {
		if err := check(&tracks[i]); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(CSVHeader); err != nil {
		return fmt.Errorf("export: csv: %w", err)
	}
	row := make([]string, len(CSVHeader))
	for _, t := range tracks {
		id := identityProps(&t)
		imo := ""
		if id.IMO != 0 {
			imo = strconv.FormatUint(uint64(id.IMO), 10)
		}
		for _, p := range t.Points {
			row[0] = strconv.FormatUint(uint64(p.MMSI), 10)
			row[1] = FormatTime(p.Time)
			row[2] = strconv.FormatFloat(p.Lat, 'f', -1, 64)
			row[3] = strconv.FormatFloat(p.Lon, 'f', -1, 64)
			row[4] = optFloat(p.SOG)
			row[5] = optFloat(p.COG)
			row[6] = ""
			if p.Heading != 511 {
				row[6] = strconv.Itoa(int(p.Heading))
			}
			row[7] = strconv.Itoa(int(p.Status))
			row[8] = classString(p.Class)
			row[9] = strconv.Itoa(int(p.MsgType))
			row[10] = p.Source
			row[11] = strconv.FormatUint(uint64(p.Segment), 10)
			row[12], row[13], row[14], row[15] = imo, id.Name, id.CallSign, id.Flag
			if err := cw.Write(row); err != nil {
				return fmt.Errorf("export: csv: %w", err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("export: csv: %w", err)
	}
	return nil
}

func optFloat(v float32) string {
	if v != v {
		return ""
	}
	return strconv.FormatFloat(float64(v), 'f', -1, 32)
}
