package ais

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"reflect"
	"testing"
)

// Two real two-part type 5 messages (EVER DIADEM) and a long type 8,
// re-framed with the sequence id, channel and source each case needs.
const (
	p5a = "55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8"
	p5b = "88888888880"
	p8a = "8>qc9wiKf>d=Cq5r0mdew:?DLq>1LmhHrsqmBCKnJ50"
	p8b = "3OLc=UCRp"
)

// frag builds a fragment: src may be "" for no tag block.
func frag(src string, n, k, seq int, ch, payload string, fill int) string {
	line := sum(fmt.Sprintf("!AIVDM,%d,%d,%d,%s,%s,%d*hh", n, k, seq, ch, payload, fill))
	if src != "" {
		line = sum(`\s:`+src+`*hh\`) + line
	}
	return line
}

type outcome struct {
	mmsi uint32 // 0: no message
	err  error  // nil: no error
}

func TestReassembly(t *testing.T) {
	const evd, m8 = 351759000, 999999999
	a1 := frag("", 2, 1, 1, "A", p5a, 0)
	a2 := frag("", 2, 2, 1, "A", p5b, 2)
	tests := []struct {
		name  string
		lines []string
		want  []outcome
	}{
		{"in order", []string{a1, a2}, []outcome{{}, {mmsi: evd}}},
		{"orphan second part", []string{a2}, []outcome{{err: ErrOrphan}}},
		{"interleaved by sequence id", []string{
			frag("", 2, 1, 1, "A", p5a, 0), frag("", 2, 1, 2, "A", p8a, 0),
			frag("", 2, 2, 2, "A", p8b, 0), frag("", 2, 2, 1, "A", p5b, 2)},
			[]outcome{{}, {}, {mmsi: m8}, {mmsi: evd}}},
		{"same sequence id on both channels", []string{
			frag("", 2, 1, 3, "A", p5a, 0), frag("", 2, 1, 3, "B", p8a, 0),
			frag("", 2, 2, 3, "B", p8b, 0), frag("", 2, 2, 3, "A", p5b, 2)},
			[]outcome{{}, {}, {mmsi: m8}, {mmsi: evd}}},
		{"same sequence id from two receivers", []string{
			frag("r1", 2, 1, 3, "A", p5a, 0), frag("r2", 2, 1, 3, "A", p8a, 0),
			frag("r2", 2, 2, 3, "A", p8b, 0), frag("r1", 2, 2, 3, "A", p5b, 2)},
			[]outcome{{}, {}, {mmsi: m8}, {mmsi: evd}}},
		{"new part 1 resets the buffer", []string{
			frag("", 2, 1, 4, "A", p8a, 0), frag("", 2, 1, 4, "A", p5a, 0), frag("", 2, 2, 4, "A", p5b, 2)},
			[]outcome{{}, {}, {mmsi: evd}}},
		{"a lost fragment costs only its own message", []string{
			frag("", 2, 1, 5, "A", p8a, 0), // its part 2 is lost
			frag("", 2, 1, 5, "A", p5a, 0), frag("", 2, 2, 5, "A", p5b, 2)},
			[]outcome{{}, {}, {mmsi: evd}}},
		{"lost first part: second part is an orphan, next message fine", []string{
			frag("", 2, 2, 6, "A", p8b, 0), a1, a2},
			[]outcome{{err: ErrOrphan}, {}, {mmsi: evd}}},
		{"out of order parts", []string{
			frag("", 3, 1, 7, "A", p5a, 0), frag("", 3, 3, 7, "A", p5b, 2)},
			[]outcome{{}, {err: ErrFragment}}},
		{"a single-part message between fragments", []string{
			a1, "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A", a2},
			[]outcome{{}, {mmsi: 371798000}, {mmsi: evd}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDecoder(Config{})
			for i, l := range tc.lines {
				r, ok, err := d.Decode([]byte(l))
				w := tc.want[i]
				if (w.err == nil) != (err == nil) || (w.err != nil && !errors.Is(err, w.err)) {
					t.Fatalf("line %d: err %v, want %v", i, err, w.err)
				}
				if ok != (w.mmsi != 0) || (ok && r.Message.Head().MMSI != w.mmsi) {
					t.Fatalf("line %d: ok=%v report %+v, want mmsi %d", i, ok, r, w.mmsi)
				}
			}
		})
	}
}

// Expiry counts lines, so the result does not depend on timing.
func TestReassemblyExpiresByLineCount(t *testing.T) {
	filler := "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A"
	for _, gap := range []int{3, 4} {
		d := NewDecoder(Config{MaxFragmentAge: 4})
		d.Decode([]byte(frag("", 2, 1, 1, "A", p5a, 0)))
		for i := 0; i < gap; i++ {
			d.Decode([]byte(filler))
		}
		_, ok, err := d.Decode([]byte(frag("", 2, 2, 1, "A", p5b, 2)))
		if gap == 3 && !ok {
			t.Errorf("gap %d: message lost (err %v)", gap, err)
		}
		if gap == 4 && (ok || !errors.Is(err, ErrOrphan) || d.Stats().Dropped != 1) {
			t.Errorf("gap %d: ok=%v err=%v dropped=%d, want expiry", gap, ok, err, d.Stats().Dropped)
		}
	}
}

// The receive time and source of a multi-part message come from its first
// line; a tag-block group may carry them on the first line only.
func TestReportCarriesReceiveTime(t *testing.T) {
	d := NewDecoder(Config{})
	d.Decode([]byte(sum(`\g:1-2-99,s:r7,c:1700000000*hh\`) + frag("", 2, 1, 1, "A", p5a, 0)))
	r, ok, err := d.Decode([]byte(sum(`\g:2-2-99*hh\`) + frag("", 2, 2, 1, "A", p5b, 2)))
	if !ok || err != nil {
		t.Fatal(ok, err)
	}
	if r.Received.Unix() != 1700000000 || r.Source != "r7" || r.Lines != 2 || r.Channel != 'A' {
		t.Errorf("report %+v", r)
	}
}

// A Decoder that reuses its messages decodes every line of the sample (all
// message types) as one that does not, and its reused messages are
// overwritten in full: no field of an earlier message of the same type
// survives into a later one.
func TestReuseMessagesSameAsNew(t *testing.T) {
	data, err := os.ReadFile("../../testdata/sample.nmea")
	if err != nil {
		t.Fatal(err)
	}
	fresh := NewDecoder(Config{})
	reusing := NewDecoder(Config{ReuseMessages: true})
	var reused, msgs int
	var prev Message
	for _, l := range bytes.Split(data, []byte("\n")) {
		r, ok, err := fresh.Decode(l)
		r2, ok2, err2 := reusing.Decode(l)
		if ok != ok2 || (err == nil) != (err2 == nil) || !reflect.DeepEqual(r, r2) {
			t.Fatalf("line %q: reusing %+v %v %v, fresh %+v %v %v", l, r2, ok2, err2, r, ok, err)
		}
		if ok2 {
			msgs++
			if prev != nil && r2.Message == prev {
				reused++
			}
			prev = r2.Message
		}
	}
	if msgs < 100 || reused == 0 {
		t.Errorf("%d messages, %d reused: the sample does not exercise reuse", msgs, reused)
	}
}
