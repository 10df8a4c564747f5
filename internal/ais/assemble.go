package ais

import "bytes"

// partial is a multi-part message being reassembled.
type partial struct {
	talker  [2]byte
	seq     int
	channel byte
	count   int
	source  []byte // tag-block source; owned copy
	next    int    // fragment number expected next
	born    uint64 // line counter when part 1 arrived
	payload []byte // concatenated armoured payload; owned
	first   Sentence
}

func (p *partial) matches(s *Sentence, anySource bool) bool {
	return p.seq == s.SeqID && p.channel == s.Channel && p.count == s.FragCount &&
		p.talker == s.Talker && (anySource || bytes.Equal(p.source, s.Tag.Source))
}

// assembler joins fragments of multi-part messages. Fragments are keyed by
// talker, sequential id, channel, fragment count and tag-block source, so
// interleaved messages from several receivers do not mix. Expiry counts
// lines, not wall-clock time, so the same input always gives the same output.
type assembler struct {
	pending []*partial
	free    []*partial
	clock   uint64
	maxAge  uint64
	dropped int // partial messages abandoned (superseded, out of order, expired)
}

// add takes one sentence. It returns the complete armoured payload and the
// sentence of part 1 when s completes a message; the payload slice is valid
// until the next call.
func (a *assembler) add(s *Sentence) (payload []byte, first *Sentence, fill int, done bool, err error) {
	a.clock++
	a.expire()
	if s.FragCount == 1 {
		return s.Payload, s, s.FillBits, true, nil
	}
	idx := a.find(s, false)
	if idx < 0 && s.FragNum > 1 && len(s.Tag.Source) == 0 {
		// NMEA 4.10 tag-block groups often put s: on the first line only.
		idx = a.find(s, true)
	}
	if s.FragNum == 1 {
		if idx >= 0 {
			// A new part 1 supersedes an unfinished message with the same key.
			a.dropped++
			a.remove(idx)
		}
		p := a.alloc()
		p.talker, p.seq, p.channel, p.count = s.Talker, s.SeqID, s.Channel, s.FragCount
		p.source = append(p.source[:0], s.Tag.Source...)
		p.next = 2
		p.born = a.clock
		p.payload = append(p.payload[:0], s.Payload...)
		p.first = *s
		p.first.Payload = nil
		p.first.Tag.Source = p.source
		a.pending = append(a.pending, p)
		return nil, nil, 0, false, nil
	}
	if idx < 0 {
		return nil, nil, 0, false, errorf(ErrOrphan, "fragment %d of %d (seq %s, channel %s) with no part 1",
			s.FragNum, s.FragCount, seqText(s.SeqID), chanText(s.Channel))
	}
	p := a.pending[idx]
	if s.FragNum != p.next {
		a.dropped++
		a.remove(idx)
		return nil, nil, 0, false, errorf(ErrFragment, "fragment %d of %d arrived, expected %d",
			s.FragNum, s.FragCount, p.next)
	}
	p.payload = append(p.payload, s.Payload...)
	if len(p.payload)*6 > maxPayloadBits {
		a.remove(idx)
		return nil, nil, 0, false, errorf(ErrTooLong, "reassembled payload of %d characters", len(p.payload))
	}
	p.next++
	if s.FragNum < s.FragCount {
		return nil, nil, 0, false, nil
	}
	a.remove(idx)
	// p is on the free list but untouched until the next add.
	return p.payload, &p.first, s.FillBits, true, nil
}

func (a *assembler) find(s *Sentence, anySource bool) int {
	for i, p := range a.pending {
		if p.matches(s, anySource) {
			return i
		}
	}
	return -1
}

func (a *assembler) alloc() *partial {
	if n := len(a.free); n > 0 {
		p := a.free[n-1]
		a.free = a.free[:n-1]
		return p
	}
	return &partial{}
}

func (a *assembler) remove(i int) {
	p := a.pending[i]
	copy(a.pending[i:], a.pending[i+1:])
	a.pending[len(a.pending)-1] = nil
	a.pending = a.pending[:len(a.pending)-1]
	a.free = append(a.free, p)
}

func (a *assembler) expire() {
	for len(a.pending) > 0 && a.clock-a.pending[0].born > a.maxAge {
		a.dropped++
		a.remove(0)
	}
}

func seqText(seq int) string {
	if seq < 0 {
		return "none"
	}
	return string(rune('0' + seq))
}

func chanText(c byte) string {
	if c == 0 {
		return "none"
	}
	return string(c)
}
