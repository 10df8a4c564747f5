package source

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/lookout-maritime/lookout/internal/vessel"
)

// FieldError is why a CSV row was rejected: the column and its value.
type FieldError struct {
	Reason string // the Reject's reason code, e.g. "bad_lat"
	Column string // as named in the file's header
	Value  string
	Detail string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("source: column %q: %q %s", e.Column, e.Value, e.Detail)
}

// column keys: what a header column means, whatever the export calls it.
const (
	kTime = iota
	kMMSI
	kLat
	kLon
	kSOG
	kCOG
	kHeading
	kStatus
	kMobile
	kName
	kIMO
	kCallSign
	kShipType
	kLength
	kWidth
	kDraught
	kDestination
	kETA
	kA
	kB
	kC
	kD
	nKeys
)

// columnKeys maps normalised header names (lower case, without spaces,
// underscores, hyphens or a leading '#') to column keys.
var columnKeys = map[string]int{
	"timestamp": kTime, "basedatetime": kTime,
	"mmsi":     kMMSI,
	"latitude": kLat, "lat": kLat,
	"longitude": kLon, "lon": kLon,
	"sog": kSOG, "cog": kCOG, "heading": kHeading,
	"navigationalstatus": kStatus, "status": kStatus,
	"typeofmobile": kMobile, "transceiverclass": kMobile, "transceiver": kMobile,
	"name": kName, "vesselname": kName,
	"imo":      kIMO,
	"callsign": kCallSign,
	"shiptype": kShipType, "vesseltype": kShipType,
	"length": kLength, "width": kWidth,
	"draught": kDraught, "draft": kDraught,
	"destination": kDestination, "eta": kETA,
	"a": kA, "b": kB, "c": kC, "d": kD,
}

func normHeader(s string) string {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "#"))
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '_' || c == '-' || c == '\t':
		case c >= 'A' && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// csvLayout is a detected export: its format, field count and where each
// known column is (-1 when absent), with the header's names for messages.
type csvLayout struct {
	format CSVFormat
	n      int
	at     [nKeys]int
	names  [nKeys]string
}

// detectCSV recognises an export from its header fields.
func detectCSV(cols []string) (*csvLayout, error) {
	l := &csvLayout{n: len(cols)}
	for i := range l.at {
		l.at[i] = -1
	}
	seen := map[string]bool{}
	for i, c := range cols {
		n := normHeader(c)
		seen[n] = true
		if k, ok := columnKeys[n]; ok && l.at[k] < 0 {
			l.at[k], l.names[k] = i, strings.TrimSpace(c)
		}
	}
	switch {
	case seen["timestamp"] && seen["typeofmobile"]:
		l.format = CSVDMA
	case seen["basedatetime"] && strings.TrimSpace(cols[0]) == "mmsi":
		l.format = CSVMarineCadastre2
	case seen["basedatetime"]:
		l.format = CSVMarineCadastre
	default:
		return nil, fmt.Errorf("columns %s: want a Danish Maritime Authority (aisdk: \"# Timestamp,Type of mobile,MMSI,...\") "+
			"or NOAA MarineCadastre (\"MMSI,BaseDateTime,LAT,LON,...\" or \"mmsi,base_date_time,longitude,latitude,...\") export",
			quoteList(cols))
	}
	var missing []string
	for _, k := range []struct {
		key  int
		name string
	}{{kTime, "time"}, {kMMSI, "MMSI"}, {kLat, "latitude"}, {kLon, "longitude"}} {
		if l.at[k.key] < 0 {
			missing = append(missing, k.name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s export without %s column(s); columns %s",
			l.format, strings.Join(missing, ", "), quoteList(cols))
	}
	return l, nil
}

func quoteList(cols []string) string {
	const max = 40
	var b strings.Builder
	for i, c := range cols {
		if i == max {
			fmt.Fprintf(&b, ", ... (%d in all)", len(cols))
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", c)
	}
	return b.String()
}

// csvRow is what one row gave.
type csvRow struct {
	pos  *vessel.Position // nil when the position is not available
	st   *vessel.Static   // nil when no identity column is filled in
	skip string           // why there is no position, "" when there is
}

// get returns the trimmed value of column key k, "" when absent.
func (l *csvLayout) get(f []string, k int) string {
	if i := l.at[k]; i >= 0 && i < len(f) {
		return strings.TrimSpace(f[i])
	}
	return ""
}

func (l *csvLayout) fail(reason string, k int, v, detail string) *FieldError {
	return &FieldError{Reason: reason, Column: l.names[k], Value: v, Detail: detail}
}

// parse turns one row's fields into a position and static data. It
// returns a *FieldError when a position column cannot be read; values of
// identity columns that cannot be read are dropped and counted in dropped.
func (l *csvLayout) parse(f []string, dropped map[string]int) (csvRow, *FieldError) {
	var row csvRow

	ts := l.get(f, kTime)
	t, ok := parseCSVTime(ts)
	if !ok {
		return row, l.fail("bad_time", kTime, ts, "is not a date and time (want dd/mm/yyyy hh:mm:ss or yyyy-mm-ddThh:mm:ss, UTC)")
	}
	ms := l.get(f, kMMSI)
	mmsi, err := strconv.ParseUint(ms, 10, 32)
	if err != nil || mmsi == 0 || mmsi > 999999999 {
		return row, l.fail("bad_mmsi", kMMSI, ms, "is not an MMSI (1-999999999)")
	}

	class := vessel.ClassUnknown
	if mob := l.get(f, kMobile); mob != "" {
		var buf [64]byte
		switch string(normKey(&buf, mob)) {
		case "classa", "a":
			class = vessel.ClassA
		case "classb", "b":
			class = vessel.ClassB
		case "sarairborne":
			class = vessel.ClassSAR
		case "basestation":
			row.skip = "base_station"
			return row, nil
		case "aton":
			row.skip = "aton"
			return row, nil
		case "searchandrescuetransponder", "manoverboarddevice", "epirb", "other", "unknown", "undefined":
		default:
			dropped["mobile_text"]++
		}
	}

	// Position columns: unreadable numbers reject the row.
	lat, latNA, ferr := l.coord(f, kLat, "bad_lat", 90, 91)
	if ferr != nil {
		return row, ferr
	}
	lon, lonNA, ferr := l.coord(f, kLon, "bad_lon", 180, 181)
	if ferr != nil {
		return row, ferr
	}
	sog, ferr := l.speed(f, kSOG, class, dropped)
	if ferr != nil {
		return row, ferr
	}
	cog, ferr := l.course(f, kCOG, dropped)
	if ferr != nil {
		return row, ferr
	}
	heading, ferr := l.heading(f, kHeading, dropped)
	if ferr != nil {
		return row, ferr
	}
	status := l.status(f, dropped)
	if latNA || lonNA || (lat == 0 && lon == 0) {
		row.skip = "no_position"
	} else {
		row.pos = &vessel.Position{MMSI: uint32(mmsi), Time: t, Lat: lat, Lon: lon, SOG: sog, COG: cog,
			Heading: heading, Status: status, Class: class}
	}

	row.st = l.static(f, uint32(mmsi), t, class, dropped)
	return row, nil
}

// number parses a decimal number, refusing NaN and infinities.
func number(s string) (float64, bool) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

// coord reads a latitude or longitude: empty or the AIS "not available"
// value gives na; out of range rejects.
func (l *csvLayout) coord(f []string, k int, reason string, limit, na float64) (float64, bool, *FieldError) {
	s := l.get(f, k)
	if s == "" {
		return 0, true, nil
	}
	v, ok := number(s)
	if !ok {
		return 0, false, l.fail(reason, k, s, "is not a number")
	}
	if v == na {
		return 0, true, nil
	}
	if v < -limit || v > limit {
		return 0, false, l.fail(reason, k, s, fmt.Sprintf("is out of range [-%g, %g]", limit, limit))
	}
	return v, false, nil
}

// speed reads a speed over ground in knots: 102.3 (1023 for SAR
// aircraft, which report whole knots) is "not available", and so is any
// value out of range, which is counted.
func (l *csvLayout) speed(f []string, k int, class vessel.Class, dropped map[string]int) (float32, *FieldError) {
	s := l.get(f, k)
	if s == "" {
		return vessel.NA, nil
	}
	v, ok := number(s)
	if !ok {
		return 0, l.fail("bad_sog", k, s, "is not a number")
	}
	na, max := 102.3, 102.2
	if class == vessel.ClassSAR {
		na, max = 1023, 1022
	}
	switch {
	case math.Abs(v-na) < 0.05:
		return vessel.NA, nil
	case v < 0 || v > max:
		dropped["sog_range"]++
		return vessel.NA, nil
	}
	return float32(v), nil
}

func (l *csvLayout) course(f []string, k int, dropped map[string]int) (float32, *FieldError) {
	s := l.get(f, k)
	if s == "" {
		return vessel.NA, nil
	}
	v, ok := number(s)
	if !ok {
		return 0, l.fail("bad_cog", k, s, "is not a number")
	}
	switch {
	case v == 360: // not available
		return vessel.NA, nil
	case v < 0 || v > 360:
		dropped["cog_range"]++
		return vessel.NA, nil
	}
	return float32(v), nil
}

func (l *csvLayout) heading(f []string, k int, dropped map[string]int) (uint16, *FieldError) {
	s := l.get(f, k)
	if s == "" {
		return 511, nil
	}
	v, ok := number(s)
	if !ok {
		return 0, l.fail("bad_heading", k, s, "is not a number")
	}
	switch {
	case v == 511:
		return 511, nil
	case v < 0 || v >= 360:
		dropped["heading_range"]++
		return 511, nil
	}
	return uint16(math.Round(v)) % 360, nil
}

// status reads a navigational status, as a number (MarineCadastre) or as
// text (DMA); anything else reads as 15, "not defined", and is counted.
func (l *csvLayout) status(f []string, dropped map[string]int) uint8 {
	s := l.get(f, kStatus)
	if s == "" {
		return 15
	}
	if v, ok := number(s); ok {
		if v != math.Trunc(v) || v < 0 || v > 15 {
			dropped["status_range"]++
			return 15
		}
		return uint8(v)
	}
	var buf [64]byte
	if st, ok := navStatusText[string(normKey(&buf, s))]; ok {
		return st
	}
	dropped["status_text"]++
	return 15
}

// static collects the identity columns of a row, nil when all are empty.
func (l *csvLayout) static(f []string, mmsi uint32, t time.Time, class vessel.Class, dropped map[string]int) *vessel.Static {
	st := &vessel.Static{MMSI: mmsi, Time: t, Class: class}
	if s := placeholder(l.get(f, kIMO)); s != "" {
		digits := s
		if len(digits) > 3 && strings.EqualFold(digits[:3], "imo") {
			digits = strings.TrimSpace(digits[3:])
		}
		v, err := strconv.ParseUint(digits, 10, 32)
		if err != nil {
			if fv, ok := number(digits); ok && fv == math.Trunc(fv) && fv >= 0 && fv < 1<<30 {
				v, err = uint64(fv), nil // "9307839.0" from a spreadsheet
			}
		}
		switch {
		case err != nil || v >= 1<<30:
			dropped["bad_imo"]++
		case v > 0:
			st.IMO, st.Has = uint32(v), st.Has|vessel.HasIMO
		}
	}
	if s := aisText(placeholder(l.get(f, kName))); s != "" {
		st.Name, st.Has = s, st.Has|vessel.HasName
	}
	if s := aisText(placeholder(l.get(f, kCallSign))); s != "" {
		st.CallSign, st.Has = s, st.Has|vessel.HasCallSign
	}
	if s := placeholder(l.get(f, kShipType)); s != "" {
		if v, ok := number(s); ok {
			switch {
			case v != math.Trunc(v) || v < 0 || v > 255:
				dropped["bad_ship_type"]++
			case v > 0:
				st.ShipType, st.Has = uint8(v), st.Has|vessel.HasShipType
			}
		} else {
			var buf [64]byte
			switch code, known := shipTypeText[string(normKey(&buf, s))]; {
			case !known:
				dropped["bad_ship_type"]++
			case code > 0:
				st.ShipType, st.Has = code, st.Has|vessel.HasShipType
			}
		}
	}
	l.dimensions(f, st, dropped)
	if s := placeholder(l.get(f, kDraught)); s != "" {
		v, ok := number(s)
		switch {
		case !ok || v < 0 || v > 1000:
			dropped["bad_draught"]++
		case v > 0:
			st.Draught, st.Has = float32(v), st.Has|vessel.HasDraught
		}
	}
	if s := aisText(placeholder(l.get(f, kDestination))); s != "" {
		st.Destination, st.Has = s, st.Has|vessel.HasDestination
	}
	if s := placeholder(l.get(f, kETA)); s != "" {
		if t, ok := parseCSVTime(s); ok {
			st.ETA = formatETA(int(t.Month()), t.Day(), t.Hour(), t.Minute())
			st.Has |= vessel.HasETA
		} else {
			dropped["bad_eta"]++
		}
	}
	if st.Has == 0 {
		return nil
	}
	return st
}

// dimensions fills the distances from the reference point: from the A, B,
// C, D columns when the export has them filled in, else from overall length
// and width, split evenly about an assumed central reference point (these
// exports do not say where the antenna is; Length() and Beam() are right
// either way).
func (l *csvLayout) dimensions(f []string, st *vessel.Static, dropped map[string]int) {
	metres := func(s string) (uint16, bool) {
		v, ok := number(s)
		if !ok || v < 0 || v > 10000 {
			return 0, false
		}
		return uint16(math.Round(v)), true
	}
	a, b, c, d := l.get(f, kA), l.get(f, kB), l.get(f, kC), l.get(f, kD)
	if a != "" && b != "" && c != "" && d != "" {
		va, ok1 := metres(a)
		vb, ok2 := metres(b)
		vc, ok3 := metres(c)
		vd, ok4 := metres(d)
		if ok1 && ok2 && ok3 && ok4 {
			if va+vb+vc+vd > 0 {
				st.ToBow, st.ToStern, st.ToPort, st.ToStarboard = va, vb, vc, vd
				st.Has |= vessel.HasDimensions
			}
			return
		}
		dropped["bad_dimensions"]++
	}
	ls, ws := placeholder(l.get(f, kLength)), placeholder(l.get(f, kWidth))
	if ls == "" && ws == "" {
		return
	}
	var length, width uint16
	ok := true
	if ls != "" {
		length, ok = metres(ls)
	}
	if ok && ws != "" {
		width, ok = metres(ws)
	}
	if !ok {
		dropped["bad_dimensions"]++
		return
	}
	if length == 0 && width == 0 {
		return
	}
	st.ToBow, st.ToStern = length-length/2, length/2
	st.ToPort, st.ToStarboard = width-width/2, width/2
	st.Has |= vessel.HasDimensions
}

// placeholder maps the exports' "no value" words to "".
func placeholder(s string) string {
	switch s {
	case "Unknown", "Undefined", "unknown", "undefined", "N/A", "n/a", "NA", "null", "NULL", "None":
		return ""
	}
	return s
}

// aisText trims AIS text as broadcast: '@' padding and spaces.
func aisText(s string) string {
	if i := strings.IndexByte(s, '@'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// normText lower-cases s and keeps only its letters and digits, so that
// "Power-driven vessel towing astern" and "power driven vessel towing
// astern" match.
func normText(s string) string {
	var buf [64]byte
	return string(normKey(&buf, s))
}

// normKey is normText into buf, without allocating (map lookups with
// string(key) do not copy); text beyond the buffer is cut.
func normKey(buf *[64]byte, s string) []byte {
	b := buf[:0]
	for i := 0; i < len(s) && len(b) < len(buf); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b = append(b, c)
		case c >= 'A' && c <= 'Z':
			b = append(b, c+'a'-'A')
		}
	}
	return b
}

// formatETA writes an ETA the way vessel.Static keeps it, "MM-DDThh:mmZ".
func formatETA(month, day, hour, minute int) string {
	b := [12]byte{'0', '0', '-', '0', '0', 'T', '0', '0', ':', '0', '0', 'Z'}
	for i, v := range [4]int{month, day, hour, minute} {
		b[i*3] += byte(v / 10 % 10)
		b[i*3+1] += byte(v % 10)
	}
	return string(b[:])
}

// navStatusText maps the Danish export's navigational status text to the
// AIS code.
var navStatusText = map[string]uint8{
	"underwayusingengine":        0,
	"atanchor":                   1,
	"notundercommand":            2,
	"restrictedmanoeuverability": 3, "restrictedmanoeuvrability": 3, "restrictedmaneuverability": 3,
	"constrainedbyherdraught":       4,
	"moored":                        5,
	"aground":                       6,
	"engagedinfishing":              7,
	"underwaysailing":               8,
	"reservedforfutureamendmenthsc": 9, "reservedforhsc": 9,
	"reservedforfutureamendmentwig": 10, "reservedforwig": 10,
	"powerdrivenvesseltowingastern":                  11,
	"powerdrivenvesselpushingaheadortowingalongside": 12,
	"reservedforfutureuse":                           13,
	"aissart":                                        14, "aissartisactive": 14, "aissartactive": 14,
	"unknownvalue": 15, "unknown": 15, "undefined": 15, "notdefined": 15, "notavailable": 15,
}

// shipTypeText maps the Danish export's ship type text to the AIS code of
// the category (the export gives no hazard digit, so "Cargo" is 70, not
// 71-79). 0 means known but without one code ("Reserved", "Undefined").
var shipTypeText = map[string]uint8{
	"undefined": 0, "unknown": 0, "reserved": 0,
	"wig":     20,
	"fishing": 30, "towing": 31, "towinglongwide": 32, "dredging": 33, "diving": 34,
	"military": 35, "sailing": 36, "pleasure": 37,
	"hsc":   40,
	"pilot": 50, "sar": 51, "tug": 52, "porttender": 53, "antipollution": 54,
	"lawenforcement": 55, "spare1": 56, "spare2": 57, "medical": 58,
	"notpartytoconflict": 59, "shipsaccordingtorr": 59, "shipaccordingtorr": 59,
	"passenger": 60, "cargo": 70, "tanker": 80, "other": 90,
}

// parseCSVTime reads the exports' UTC times: "dd/mm/yyyy hh:mm:ss" (DMA)
// and "yyyy-mm-ddThh:mm:ss" or "yyyy-mm-dd hh:mm:ss" (MarineCadastre), the
// latter with optional fractional seconds and a "Z" or numeric offset.
func parseCSVTime(s string) (time.Time, bool) {
	var y, mo, d, h, mi, sec int
	ok := true
	num := func(i, n int) int {
		v := 0
		for j := i; j < i+n; j++ {
			if j >= len(s) || s[j] < '0' || s[j] > '9' {
				ok = false
				return 0
			}
			v = v*10 + int(s[j]-'0')
		}
		return v
	}
	sep := func(i int, c ...byte) {
		if i >= len(s) {
			ok = false
			return
		}
		for _, x := range c {
			if s[i] == x {
				return
			}
		}
		ok = false
	}
	if len(s) < 19 {
		return time.Time{}, false
	}
	if s[2] == '/' {
		d, mo, y = num(0, 2), num(3, 2), num(6, 4)
		sep(5, '/')
	} else {
		y, mo, d = num(0, 4), num(5, 2), num(8, 2)
		sep(4, '-')
		sep(7, '-')
	}
	sep(10, 'T', ' ')
	h, mi, sec = num(11, 2), num(14, 2), num(17, 2)
	sep(13, ':')
	sep(16, ':')
	if !ok {
		return time.Time{}, false
	}
	rest := s[19:]
	var nsec int
	if len(rest) > 0 && rest[0] == '.' {
		j := 1
		scale := 100000000
		for ; j < len(rest) && rest[j] >= '0' && rest[j] <= '9'; j++ {
			nsec += int(rest[j]-'0') * scale
			scale /= 10
		}
		if j == 1 {
			return time.Time{}, false
		}
		rest = rest[j:]
	}
	offset := 0
	switch {
	case rest == "", rest == "Z", rest == " UTC", rest == "+00", rest == "+00:00", rest == "+0000":
	case (len(rest) == 6 && rest[3] == ':') || len(rest) == 5:
		if rest[0] != '+' && rest[0] != '-' {
			return time.Time{}, false
		}
		s = rest
		oh := num(1, 2)
		om := num(len(rest)-2, 2)
		if !ok || oh > 14 || om > 59 {
			return time.Time{}, false
		}
		offset = (oh*60 + om) * 60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	if y < 1900 || mo < 1 || mo > 12 || d < 1 || d > daysIn(mo, y) || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, nsec, time.UTC)
	return t.Add(-time.Duration(offset) * time.Second), true
}

func daysIn(month, year int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
