package sim

import (
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/ais"
)

// The degraded file is what Reception says: two stations, each missing
// about 30 % of messages independently; copies of one message identical
// but for the station and a receive time up to 2 s later; lines out of
// time order by up to a minute, some of them; every line decodes.
func TestReceptionFile(t *testing.T) {
	cfg := smallConfig(5)
	cfg.NoImages, cfg.NoSAR = true, true
	cfg.Reception = issueDegraded
	dir := t.TempDir()
	m, err := New(cfg).Write(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m.AIS.Reception == nil || *m.AIS.Reception != issueDegraded || m.AIS.Sent == 0 {
		t.Fatalf("manifest AIS %+v", m.AIS)
	}
	lines := readLines(t, filepath.Join(dir, m.AIS.File))
	if len(lines) != m.AIS.Lines || m.AIS.Lines != m.AIS.Positions+2*m.AIS.Statics {
		t.Fatalf("%d lines, manifest %+v", len(lines), m.AIS)
	}
	dec := ais.NewDecoder(ais.Config{})
	perRx := map[string]int{}
	type copyInfo struct {
		t   time.Time
		src string
	}
	copies := map[string][]copyInfo{} // single-sentence payload -> its copies
	var newest time.Time
	late, maxLag := 0, time.Duration(0)
	for i, l := range lines {
		rep, ok, err := dec.Decode([]byte(l))
		if err != nil {
			t.Fatalf("line %d %q: %v", i+1, l, err)
		}
		if !ok {
			continue
		}
		perRx[rep.Source]++
		if rep.Received.Before(newest) {
			late++
			maxLag = max(maxLag, newest.Sub(rep.Received))
		} else {
			newest = rep.Received
		}
		if rep.Lines == 1 {
			payload := l[strings.LastIndexByte(l, '\\')+1:]
			copies[payload] = append(copies[payload], copyInfo{rep.Received, rep.Source})
		}
	}
	if st := dec.Stats(); len(st.Rejected) != 0 || st.Dropped != 0 {
		t.Fatalf("decoder rejected %v, dropped %d", st.Rejected, st.Dropped)
	}
	if len(perRx) != 2 || perRx[Receiver] == 0 || perRx[Receiver+"-2"] == 0 {
		t.Fatalf("sources %v", perRx)
	}
	for src, n := range perRx {
		if f := float64(n) / float64(m.AIS.Sent); math.Abs(f-0.7) > 0.03 {
			t.Errorf("%s heard %.3f of the messages, want 0.7", src, f)
		}
	}
	if f := float64(m.AIS.Unheard) / float64(m.AIS.Sent); math.Abs(f-0.09) > 0.02 {
		t.Errorf("%.3f of messages heard by no station, want 0.3² = 0.09", f)
	}
	if f := float64(late) / float64(m.AIS.Messages); late == 0 || f > 0.06 || maxLag > MaxLate*time.Second {
		t.Errorf("%d lines (%.3f) behind a later one, by up to %v; want some, under 5 %%, within a minute", late, f, maxLag)
	}
	twice, skewed := 0, 0
	for p, cs := range copies {
		if len(cs) > 2 {
			t.Fatalf("%d copies of %s", len(cs), p)
		}
		if len(cs) == 2 {
			twice++
			if cs[0].src == cs[1].src {
				t.Fatalf("both copies of %s from %s", p, cs[0].src)
			}
			d := cs[1].t.Sub(cs[0].t)
			if d < 0 {
				d = -d
			}
			if d > 2*time.Second {
				t.Fatalf("copies of %s %v apart", p, d)
			}
			if d > 0 {
				skewed++
			}
		}
	}
	if f := float64(twice) / float64(len(copies)); math.Abs(f-0.49/0.91) > 0.04 || skewed == 0 {
		t.Errorf("%.3f of heard positions heard twice (want 0.49/0.91), %d with skew", f, skewed)
	}
	// The same configuration writes the same bytes.
	again := t.TempDir()
	if _, err := New(cfg).Write(again); err != nil {
		t.Fatal(err)
	}
	if a, b := hashes(t, dir), hashes(t, again); !slices.Equal(a, b) {
		t.Errorf("two runs differ:\n%v\n%v", a, b)
	}
}

// Position noise is normal with the standard deviation asked, per axis,
// and the same in every station's copy; without a Reception the messages
// pass unchanged, one copy each at its own time.
func TestReceptionNoise(t *testing.T) {
	cfg := smallConfig(5)
	s := New(cfg)
	if s.err != nil {
		t.Fatal(s.err)
	}
	clean := s.messages()
	copies, lost := s.receive(slices.Clone(clean))
	if len(copies) != len(clean) || lost != 0 {
		t.Fatalf("clean reception: %d copies of %d messages, %d lost", len(copies), len(clean), lost)
	}
	for i, c := range copies {
		if int(c.msg) != i || c.rx != 0 || c.t != clean[i].t || c.sent != c.t {
			t.Fatalf("clean copy %d: %+v", i, c)
		}
	}
	s.cfg.Reception = Reception{Receivers: 3, NoiseM: 50, Skew: -1}
	noisy := slices.Clone(clean)
	copies, lost = s.receive(noisy)
	if len(copies) != 3*len(clean) || lost != 0 {
		t.Fatalf("3 lossless stations: %d copies of %d messages, %d lost", len(copies), len(clean), lost)
	}
	for k := 0; k+2 < len(copies); k += 3 {
		a, b, c := copies[k], copies[k+1], copies[k+2]
		if a.msg != b.msg || b.msg != c.msg || a.t != b.t || b.t != c.t || a.rx+b.rx+c.rx != 3 {
			t.Fatalf("copies %d–%d of one message differ (no skew): %+v %+v %+v", k, k+2, a, b, c)
		}
	}
	var n int
	var sn, se, sn2, se2 float64
	for i := range clean {
		if clean[i].kind != recPosition {
			if noisy[i] != clean[i] {
				t.Fatalf("static report %d changed", i)
			}
			continue
		}
		lat := float64(clean[i].lat) / 600000
		dn := float64(noisy[i].lat-clean[i].lat) / 600000 * 111320
		de := float64(noisy[i].lon-clean[i].lon) / 600000 * 111320 * math.Cos(lat*math.Pi/180)
		n++
		sn, se, sn2, se2 = sn+dn, se+de, sn2+dn*dn, se2+de*de
	}
	for _, x := range []struct {
		axis    string
		sum, sq float64
	}{{"north", sn, sn2}, {"east", se, se2}} {
		mean := x.sum / float64(n)
		sd := math.Sqrt(x.sq/float64(n) - mean*mean)
		if math.Abs(mean) > 2 || math.Abs(sd-50) > 2.5 {
			t.Errorf("%s error over %d positions: mean %.2f m, sd %.2f m; want 0 and 50", x.axis, n, mean, sd)
		}
	}
}

// A Reception out of range is refused by Write, naming the value.
func TestReceptionCheck(t *testing.T) {
	for _, tc := range []struct {
		rc   Reception
		want string
	}{
		{Reception{Receivers: -1}, "receivers"},
		{Reception{Receivers: 100}, "receivers"},
		{Reception{Loss: 1}, "loss"},
		{Reception{Loss: -0.1}, "loss"},
		{Reception{Loss: math.NaN()}, "loss"},
		{Reception{NoiseM: -5}, "noise"},
		{Reception{Late: 1.5}, "late"},
	} {
		cfg := smallConfig(1)
		cfg.Reception = tc.rc
		_, err := New(cfg).Write(t.TempDir())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want one about %s", tc.rc, err, tc.want)
		}
	}
}
