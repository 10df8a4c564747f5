package ais

import (
	"errors"
	"time"
)

// Config tunes a Decoder. The zero value is usable.
type Config struct {
	// MaxFragmentAge is how many lines a partial multi-part message may wait
	// for its next fragment before it is dropped (default 64). Counting lines
	// rather than seconds keeps decoding deterministic.
	MaxFragmentAge int
	// AllowMissingChecksum accepts sentences without "*hh" (gpsd does; most
	// real corruption is caught only by the checksum, so the default is no).
	AllowMissingChecksum bool
	// ReuseMessages lets the Decoder reuse the message of a Report for a
	// later one of the same type: a Report's Message is then valid only
	// until the next call of Decode. Callers that copy what they need out
	// of each message (the sources do) save an allocation per message.
	ReuseMessages bool
}

// Report is one decoded message with where and when it was received.
type Report struct {
	Message  Message
	Received time.Time // zero when the input carried no receive time
	Source   string    // tag-block source (s:), empty when none
	Talker   [2]byte
	Own      bool // from a VDO sentence
	Channel  byte
	Bits     int // payload length in bits
	// Lines is how many sentences made up the message.
	Lines int
}

// Stats counts what a Decoder has seen.
type Stats struct {
	Lines     int
	Messages  int
	Fragments int // sentences that were part of a multi-part message
	ByType    [28]int
	Rejected  map[error]int // by sentinel reason
	// Dropped counts partial multi-part messages abandoned because a new
	// part 1 replaced them, a fragment came out of order, or they expired.
	Dropped int
}

// Decoder turns lines of NMEA into Reports. It keeps reassembly state, so
// one Decoder serves one ordered stream; it is not safe for concurrent use.
type Decoder struct {
	cfg        Config
	asm        assembler
	bits       Bits
	stats      Stats
	srcs       map[string]string // interned tag-block sources
	recent     [4]string         // sources interned last, checked before srcs
	nextRecent uint8
	reuse      *reusable // nil unless Config.ReuseMessages
}

// NewDecoder returns a Decoder with cfg's defaults filled in.
func NewDecoder(cfg Config) *Decoder {
	if cfg.MaxFragmentAge <= 0 {
		cfg.MaxFragmentAge = 64
	}
	d := &Decoder{cfg: cfg}
	d.asm.maxAge = uint64(cfg.MaxFragmentAge)
	d.stats.Rejected = make(map[error]int)
	if cfg.ReuseMessages {
		d.reuse = new(reusable)
	}
	return d
}

// Decode takes one line. It returns ok=true with a Report when the line
// completes a message, ok=false with a nil error when the line is a fragment
// of a message still being assembled, and an error (wrapping one of the Err*
// sentinels) when the line is rejected.
func (d *Decoder) Decode(line []byte) (Report, bool, error) {
	r, ok, err := d.decode(line)
	d.stats.Lines++
	if err != nil {
		d.stats.Rejected[ReasonOf(err)]++
	} else if ok {
		d.stats.Messages++
		d.stats.ByType[r.Message.Head().Type]++
	}
	return r, ok, err
}

func (d *Decoder) decode(line []byte) (Report, bool, error) {
	s, err := ParseSentence(line)
	if err != nil {
		if errors.Is(err, ErrNoChecksum) && d.cfg.AllowMissingChecksum {
			// Re-parse with a synthetic checksum appended.
			s, err = parseWithoutChecksum(line)
		}
		if err != nil {
			return Report{}, false, err
		}
	}
	if s.FragCount > 1 {
		d.stats.Fragments++
	}
	payload, first, fill, done, err := d.asm.add(&s)
	d.stats.Dropped = d.asm.dropped
	if err != nil || !done {
		return Report{}, false, err
	}
	if len(payload)*6 > maxPayloadBits {
		return Report{}, false, errorf(ErrTooLong, "%d payload characters", len(payload))
	}
	d.bits.reset()
	d.bits.appendArmoured(payload)
	d.bits.trim(fill)
	msg, err := decodeBits(&d.bits, d.reuse)
	if err != nil {
		return Report{}, false, err
	}
	r := Report{
		Message:  msg,
		Received: first.Received,
		Talker:   first.Talker,
		Own:      first.Own,
		Channel:  first.Channel,
		Bits:     d.bits.n,
		Lines:    s.FragCount,
	}
	if len(first.Tag.Source) > 0 {
		r.Source = d.intern(first.Tag.Source)
	}
	if r.Received.IsZero() {
		r.Received = s.Received
	}
	return r, true, nil
}

// intern returns one string per distinct receiver: feeds have few, and a
// string per message would be the decoder's largest allocation. The table
// is bounded so a feed of garbage sources cannot grow it without limit.
func (d *Decoder) intern(b []byte) string {
	// A feed's few receivers take turns: comparing with the last four
	// costs less than hashing (the map lookup was 0.4 % of an ingest).
	for _, s := range d.recent {
		if s == string(b) && s != "" {
			return s
		}
	}
	s, ok := d.srcs[string(b)]
	if !ok {
		s = d.add(b)
	}
	d.recent[d.nextRecent%uint8(len(d.recent))] = s
	d.nextRecent++
	return s
}

// add interns b in srcs (while it has room).
func (d *Decoder) add(b []byte) string {
	s := string(b)
	if d.srcs == nil {
		d.srcs = make(map[string]string)
	}
	if len(d.srcs) < 4096 {
		d.srcs[s] = s
	}
	return s
}

// Stats returns a copy of the counters so far.
func (d *Decoder) Stats() Stats {
	s := d.stats
	s.Rejected = make(map[error]int, len(d.stats.Rejected))
	for k, v := range d.stats.Rejected {
		s.Rejected[k] = v
	}
	s.Dropped = d.asm.dropped
	return s
}

// Pending is the number of multi-part messages still waiting for fragments.
func (d *Decoder) Pending() int { return len(d.asm.pending) }

func parseWithoutChecksum(line []byte) (Sentence, error) {
	line = trimSpace(line)
	buf := make([]byte, 0, len(line)+3)
	buf = append(buf, line...)
	start := 0
	for i, c := range buf {
		if c == '!' || c == '$' {
			start = i
		}
	}
	sum := xorSum(buf[start+1:])
	const hex = "0123456789ABCDEF"
	buf = append(buf, '*', hex[sum>>4], hex[sum&15])
	return ParseSentence(buf)
}

// DecodePayload decodes one complete armoured payload (the fifth field of a
// VDM sentence, or several joined) with its fill-bit count.
func DecodePayload(payload []byte, fill int) (Message, error) {
	for i, c := range payload {
		if armour[c] == 0xFF {
			return nil, errorf(ErrPayloadChar, "%q at payload offset %d", c, i)
		}
	}
	if fill < 0 || fill > 5 {
		return nil, errorf(ErrFillBits, "fill bits %d", fill)
	}
	if len(payload)*6 > maxPayloadBits {
		return nil, errorf(ErrTooLong, "%d payload characters", len(payload))
	}
	var b Bits
	b.appendArmoured(payload)
	b.trim(fill)
	return DecodeBits(&b)
}
