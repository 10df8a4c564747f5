package bus

import "strings"

// ackList holds the ack subjects of delivered, unacknowledged messages in
// delivery order, compactly: a stateful consumer may hold a whole run's
// worth (millions of messages) until its end. Ack subjects of one
// JetStream consumer share a prefix up to the consumer name
// ("$JS.ACK.<stream>.<consumer>."); only the rest (delivery count,
// sequences, time, pending: about 35 bytes) is kept per message, in one
// buffer.
type ackList struct {
	head  string   // the common part, learnt from the first subject added
	buf   []byte   // entries back to back (see add)
	start []uint32 // offset of each entry in buf
}

// ackVarTokens is how many trailing tokens of an ack subject vary per
// message: $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer
// seq>.<time>.<pending>.
const ackVarTokens = 5

// newAckList returns an empty list.
func newAckList() *ackList { return &ackList{} }

// add appends the ack subject r. An entry is a marker byte (1: the rest
// of the subject after head; 0: the whole subject, for a subject of
// another form) followed by the text.
func (l *ackList) add(r string) {
	l.start = append(l.start, uint32(len(l.buf)))
	if l.head == "" {
		cut := len(r)
		for range ackVarTokens {
			cut = strings.LastIndexByte(r[:max(cut, 0)], '.')
			if cut < 0 {
				break
			}
		}
		if cut > 0 {
			l.head = r[:cut+1]
		}
	}
	if l.head != "" && strings.HasPrefix(r, l.head) {
		l.buf = append(l.buf, 1)
		l.buf = append(l.buf, r[len(l.head):]...)
		return
	}
	l.buf = append(l.buf, 0)
	l.buf = append(l.buf, r...)
}

func (l *ackList) len() int { return len(l.start) }

// at returns the i-th ack subject.
func (l *ackList) at(i int) string {
	end := len(l.buf)
	if i+1 < len(l.start) {
		end = int(l.start[i+1])
	}
	e := l.buf[l.start[i]:end]
	if e[0] == 1 {
		return l.head + string(e[1:])
	}
	return string(e[1:])
}

// drop removes the first k entries.
func (l *ackList) drop(k int) {
	if k >= len(l.start) {
		l.reset()
		return
	}
	off := l.start[k]
	n := copy(l.buf, l.buf[off:])
	l.buf = l.buf[:n]
	m := copy(l.start, l.start[k:])
	l.start = l.start[:m]
	for i := range l.start {
		l.start[i] -= off
	}
}

func (l *ackList) reset() {
	l.buf = l.buf[:0]
	l.start = l.start[:0]
}
