package bus

import (
	"fmt"
	"testing"
)

// The ack list gives back exactly the subjects added, in order, across
// drops, whether or not they share the consumer's prefix.
func TestAckList(t *testing.T) {
	l := newAckList()
	var want []string
	for i := range 50 {
		r := fmt.Sprintf("$JS.ACK.LOOKOUT_OBS.p3-w1-7.1.%d.%d.1700000000%09d.%d", 100+i, i+1, i, 49-i)
		switch i {
		case 7:
			r = "_INBOX.other.form"
		case 8:
			r = fmt.Sprintf("$JS.ACK.dom.acc.LOOKOUT_OBS.p3-w1-7.1.%d.1.1.0", i) // another head
		}
		l.add(r)
		want = append(want, r)
	}
	check := func(stage string) {
		t.Helper()
		if l.len() != len(want) {
			t.Fatalf("%s: %d entries, want %d", stage, l.len(), len(want))
		}
		for i, w := range want {
			if got := l.at(i); got != w {
				t.Fatalf("%s: entry %d = %q, want %q", stage, i, got, w)
			}
		}
	}
	check("added")
	l.drop(5)
	want = want[5:]
	check("dropped 5")
	l.add("$JS.ACK.LOOKOUT_OBS.p3-w1-7.1.999.60.1.0")
	want = append(want, "$JS.ACK.LOOKOUT_OBS.p3-w1-7.1.999.60.1.0")
	check("added after drop")
	if per := float64(len(l.buf)) / float64(l.len()); per > 40 {
		t.Errorf("%.0f bytes kept per subject", per)
	}
	l.drop(l.len() + 3)
	want = nil
	check("dropped all")
}
