package ais

import (
	"bytes"
	"strconv"
	"time"
)

// Sentence is one NMEA 0183 VDM/VDO sentence, split but not yet decoded.
// Payload and the byte slices in Tag alias the input line: copy them if the
// line's buffer is reused.
type Sentence struct {
	Talker    [2]byte // "AI", "BS", "AB", ...
	Own       bool    // VDO (own-ship) rather than VDM
	FragCount int     // 1..9
	FragNum   int     // 1..FragCount
	SeqID     int     // 0..9, or -1 when the field is empty
	Channel   byte    // 'A', 'B', '1', '2', or 0 when empty
	Payload   []byte  // armoured 6-bit payload
	FillBits  int     // 0..5
	Tag       TagBlock
	// Received is the receive time from the tag block (c:), a line prefix or
	// a trailing Unix time; zero when the line carries none.
	Received time.Time
}

// TagBlock holds the NMEA 4.10 tag-block fields Lookout uses.
type TagBlock struct {
	Present    bool
	Source     []byte // s: receiver / station id
	GroupNum   int    // g: this sentence's number in the group
	GroupTotal int    // g: sentences in the group
	GroupID    int    // g: group id (0 when absent)
}

// maxLine bounds what the parser will look at; real sentences are at most
// 82 characters plus a tag block and prefixes.
const maxLine = 1024

// ParseSentence splits one line into a Sentence, verifying the checksums. It
// accepts an optional NMEA 4.10 tag block, a leading receive time (Unix
// seconds, or an ISO-8601 / "YYYY-MM-DD hh:mm:ss" time) and trailing text
// after the checksum (a trailing ",<unix seconds>" is taken as receive time).
func ParseSentence(line []byte) (Sentence, error) {
	var s Sentence
	line = trimSpace(line)
	if len(line) == 0 {
		return s, ErrEmpty
	}
	if len(line) > maxLine {
		return s, errorf(ErrFormat, "line longer than %d bytes", maxLine)
	}
	// Tag blocks: one or more "\...*hh\" groups.
	for len(line) > 0 && line[0] == '\\' {
		end := bytes.IndexByte(line[1:], '\\')
		if end < 0 {
			return s, errorf(ErrTagBlock, "unterminated tag block")
		}
		if err := parseTagBlock(line[1:1+end], &s); err != nil {
			return s, err
		}
		line = trimSpace(line[end+2:])
	}
	// Anything before the '!' is a prefix, typically a receive time.
	start := bytes.IndexByte(line, '!')
	if start < 0 {
		i := bytes.IndexByte(line, '$')
		switch {
		case i >= 0 && isVDMAt(line, i):
			start = i
		case i >= 0:
			return s, ErrNotAIS // another NMEA sentence, e.g. a GPS fix
		default:
			return s, errorf(ErrFormat, "no NMEA sentence in line")
		}
	}
	if start > 0 {
		if t, ok := parsePrefixTime(line[:start]); ok && s.Received.IsZero() {
			s.Received = t
		}
		line = line[start:]
	}
	// One pass up to the '*' computes the checksum and finds the six commas
	// that separate the seven fields; this loop is the decoder's hot path.
	var x byte
	var commas [6]int
	nc, star := 0, -1
	for i := 1; i < len(line); i++ {
		c := line[i]
		if c == '*' {
			star = i
			break
		}
		x ^= c
		if c == ',' {
			if nc < len(commas) {
				commas[nc] = i
			}
			nc++
		}
	}
	if star < 0 {
		return s, ErrNoChecksum
	}
	if len(line) < star+3 {
		return s, errorf(ErrNoChecksum, "checksum truncated")
	}
	want, ok := hexByte(line[star+1], line[star+2])
	if !ok {
		return s, errorf(ErrChecksum, "checksum %q is not hex", line[star+1:star+3])
	}
	if x != want {
		return s, errorf(ErrChecksum, "computed %02X, sentence says %02X", x, want)
	}
	suffix := line[star+3:]
	body := line[1:star]
	if len(body) < 6 || body[2] != 'V' || body[3] != 'D' || (body[4] != 'M' && body[4] != 'O') || body[5] != ',' {
		return s, ErrNotAIS
	}
	if nc != 6 {
		return s, errorf(ErrFormat, "%d fields, a VDM sentence has 7", nc+1)
	}
	s.Talker = [2]byte{body[0], body[1]}
	s.Own = body[4] == 'O'
	field := func(k int) []byte { // k = 1..6
		end := star
		if k < 6 {
			end = commas[k]
		}
		return line[commas[k-1]+1 : end]
	}

	fld := field(1)
	if len(fld) != 1 || fld[0] < '1' || fld[0] > '9' {
		return s, errorf(ErrFormat, "fragment count %q", fld)
	}
	s.FragCount = int(fld[0] - '0')
	fld = field(2)
	if len(fld) != 1 || fld[0] < '1' || fld[0] > '9' {
		return s, errorf(ErrFormat, "fragment number %q", fld)
	}
	s.FragNum = int(fld[0] - '0')
	if s.FragNum > s.FragCount {
		return s, errorf(ErrFragment, "fragment %d of %d", s.FragNum, s.FragCount)
	}
	fld = field(3)
	switch {
	case len(fld) == 0:
		s.SeqID = -1
	case len(fld) == 1 && fld[0] >= '0' && fld[0] <= '9':
		s.SeqID = int(fld[0] - '0')
	default:
		return s, errorf(ErrFormat, "sequential id %q", fld)
	}
	fld = field(4)
	switch len(fld) {
	case 0:
	case 1:
		s.Channel = fld[0]
	default:
		return s, errorf(ErrFormat, "channel %q", fld)
	}
	fld = field(5)
	if len(fld) == 0 && s.FragCount == 1 {
		// An empty continuation fragment is harmless (seen in the wild);
		// an empty single-sentence message is not.
		return s, ErrEmptyPayload
	}
	for i, c := range fld {
		if armour[c] == 0xFF {
			return s, errorf(ErrPayloadChar, "%q at payload offset %d", c, i)
		}
	}
	s.Payload = fld
	fld = field(6)
	if len(fld) != 1 || fld[0] < '0' || fld[0] > '5' {
		return s, errorf(ErrFillBits, "fill bits %q", fld)
	}
	s.FillBits = int(fld[0] - '0')
	if s.Received.IsZero() && len(suffix) > 0 {
		if i := bytes.LastIndexByte(suffix, ','); i >= 0 {
			if t, ok := parseUnix(suffix[i+1:]); ok {
				s.Received = t
			}
		}
	}
	return s, nil
}

func isVDMAt(line []byte, i int) bool {
	return len(line) >= i+6 && line[i+3] == 'V' && line[i+4] == 'D'
}

// nextField returns the text up to the next comma and the rest after it; rest
// is nil when there is no further comma.
func nextField(b []byte) (field, rest []byte) {
	if b == nil {
		return nil, nil
	}
	i := bytes.IndexByte(b, ',')
	if i < 0 {
		return b, nil
	}
	return b[:i], b[i+1:]
}

func xorSum(b []byte) byte {
	var x byte
	for _, c := range b {
		x ^= c
	}
	return x
}

func hexByte(hi, lo byte) (byte, bool) {
	h, ok1 := hexNibble(hi)
	l, ok2 := hexNibble(lo)
	return h<<4 | l, ok1 && ok2
}

func hexNibble(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n') {
		b = b[1:]
	}
	for len(b) > 0 {
		c := b[len(b)-1]
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != 0 {
			break
		}
		b = b[:len(b)-1]
	}
	return b
}

// parseTagBlock parses the inside of "\...*hh\".
func parseTagBlock(tb []byte, s *Sentence) error {
	star := bytes.LastIndexByte(tb, '*')
	if star < 0 || len(tb) != star+3 {
		return errorf(ErrTagBlock, "tag block %q has no checksum", tb)
	}
	want, ok := hexByte(tb[star+1], tb[star+2])
	if !ok {
		return errorf(ErrTagBlock, "tag block checksum %q is not hex", tb[star+1:])
	}
	body := tb[:star]
	if got := xorSum(body); got != want {
		return errorf(ErrTagChecksum, "computed %02X, tag block says %02X", got, want)
	}
	s.Tag.Present = true
	for len(body) > 0 {
		var fld []byte
		fld, body = nextField(body)
		if len(fld) < 2 || fld[1] != ':' {
			return errorf(ErrTagBlock, "tag field %q", fld)
		}
		v := fld[2:]
		switch fld[0] {
		case 'c':
			t, ok := parseUnix(v)
			if !ok {
				return errorf(ErrTagBlock, "c: time %q", v)
			}
			s.Received = t
		case 's':
			s.Tag.Source = v
		case 'g':
			// g:<num>-<total>-<id>
			parts := [3]int{}
			for i := 0; i < 3; i++ {
				j := bytes.IndexByte(v, '-')
				p := v
				if j >= 0 && i < 2 {
					p, v = v[:j], v[j+1:]
				} else if i < 2 {
					return errorf(ErrTagBlock, "g: group %q", fld[2:])
				}
				n, err := strconv.Atoi(string(p))
				if err != nil {
					return errorf(ErrTagBlock, "g: group %q", fld[2:])
				}
				parts[i] = n
			}
			s.Tag.GroupNum, s.Tag.GroupTotal, s.Tag.GroupID = parts[0], parts[1], parts[2]
		}
		// Other codes (d: destination, n: line count, r: relative time,
		// t: text, i: info) are valid but not used.
	}
	return nil
}

// parseUnix parses Unix seconds, with optional fraction. Values above 1e11
// are taken as milliseconds, which several providers use in c: fields.
func parseUnix(b []byte) (time.Time, bool) {
	if len(b) == 0 || len(b) > 20 {
		return time.Time{}, false
	}
	var sec int64
	i := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		sec = sec*10 + int64(b[i]-'0')
	}
	if i == 0 {
		return time.Time{}, false
	}
	var nsec int64
	if i < len(b) {
		if b[i] != '.' {
			return time.Time{}, false
		}
		scale := int64(100_000_000)
		for i++; i < len(b); i++ {
			if b[i] < '0' || b[i] > '9' {
				return time.Time{}, false
			}
			nsec += int64(b[i]-'0') * scale
			scale /= 10
		}
	}
	if sec > 100_000_000_000 { // milliseconds
		return time.UnixMilli(sec).UTC(), true
	}
	if sec < 100_000_000 { // before 1973: not a receive time
		return time.Time{}, false
	}
	return time.Unix(sec, nsec).UTC(), true
}

// prefixLayouts are the ISO-like receive-time prefixes seen in AIS logs.
var prefixLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006/01/02 15:04:05",
}

// parsePrefixTime interprets the text before the '!' of a sentence.
func parsePrefixTime(p []byte) (time.Time, bool) {
	p = bytes.TrimRight(p, " \t,;:")
	p = bytes.TrimLeft(p, " \t[")
	p = bytes.TrimRight(p, "]")
	if len(p) == 0 {
		return time.Time{}, false
	}
	if t, ok := parseUnix(p); ok {
		return t, true
	}
	if len(p) < 19 || p[4] != '-' && p[4] != '/' {
		return time.Time{}, false
	}
	s := string(p)
	for _, layout := range prefixLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
