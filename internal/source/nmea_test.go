package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/vessel"
)

// drain reads a source to the end, returning observations and rejects.
func drain(t *testing.T, s Source) ([]vessel.Observation, []*Reject) {
	t.Helper()
	var obs []vessel.Observation
	var rej []*Reject
	for {
		o, err := s.Next(context.Background())
		var r *Reject
		switch {
		case errors.Is(err, io.EOF):
			return obs, rej
		case errors.As(err, &r):
			rej = append(rej, r)
		case err != nil:
			t.Fatal(err)
		default:
			obs = append(obs, o)
		}
	}
}

func TestNMEASource(t *testing.T) {
	in := strings.Join([]string{
		`\s:rx1,c:1700000000*01\!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A`,
		"# comment",
		"$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47",
		"1700000060 !AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C",
		"1700000060 !AIVDM,2,2,1,A,88888888880,2*25",
		"!AIVDM,1,1,,A,16SteH0P00Jt63hHaa6SagvJ087r,0*42", // no time, no base station yet
		"!AIVDM,1,1,,A,403OviQuMGCqWrRO9>E6fE700@GO,0*4D", // base station: 2007-05-14T19:57:39Z
		"!AIVDM,1,1,,A,16SteH0P00Jt63hHaa6SagvJ087r,0*42", // dated by the base station
		"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4B", // bad checksum
	}, "\n")
	s := NewNMEA(io.NopCloser(strings.NewReader(in)), "feed.nmea", int64(len(in)), NMEAConfig{BaseStationClock: true})
	obs, rej := drain(t, s)
	if len(obs) != 3 {
		t.Fatalf("%d observations, want 3: %+v; rejects %v", len(obs), obs, rej)
	}
	p := obs[0].Position
	if p == nil || p.MMSI != 371798000 || p.Source != "rx1" || !p.Time.Equal(time.Unix(1700000000, 0)) ||
		math.Abs(p.Lat-48.381633) > 1e-6 || p.SOG != 12.3 || p.Class != vessel.ClassA || obs[0].Line != 1 {
		t.Errorf("position %+v line %d", p, obs[0].Line)
	}
	st := obs[1].Static
	if st == nil || st.IMO != 9134270 || st.Name != "EVER DIADEM" || st.CallSign != "3FOF8" ||
		st.Length() != 295 || st.Draught != 12.2 || st.Source != "feed.nmea" || obs[1].Line != 5 {
		t.Errorf("static %+v line %d", st, obs[1].Line)
	}
	if p := obs[2].Position; p == nil || !p.Time.Equal(time.Date(2007, 5, 14, 19, 57, 39, 0, time.UTC)) || p.MMSI != 440348000 {
		t.Errorf("base-station dated position %+v", obs[2].Position)
	}
	if len(rej) != 2 || rej[0].Reason != "no_time" || rej[0].Line != 6 || rej[1].Reason != "checksum" || rej[1].Line != 9 {
		t.Errorf("rejects %+v", rej)
	}
	if s.Skipped()["not_ais"] != 1 || s.Skipped()["type_4"] != 1 {
		t.Errorf("skipped %v", s.Skipped())
	}
	if done, total := s.Progress(); done != int64(len(in)) || total != int64(len(in)) {
		t.Errorf("progress %d/%d", done, total)
	}
}

// With Reuse, a source yields the same observations (copied before the
// next Next, as the contract asks) as without, on the sample of every
// message type; and it does reuse its storage.
func TestNMEAReuse(t *testing.T) {
	data, err := os.ReadFile("../../testdata/sample.nmea")
	if err != nil {
		t.Fatal(err)
	}
	open := func() *NMEA {
		return NewNMEA(io.NopCloser(bytes.NewReader(data)), "sample.nmea", int64(len(data)), NMEAConfig{BaseStationClock: true})
	}
	want, wantRej := drain(t, open())
	s := open()
	s.Reuse()
	var got []vessel.Observation
	var rej int
	pointers := map[any]bool{}
	for {
		o, err := s.Next(context.Background())
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			rej++
			continue
		}
		c := o
		if o.Position != nil {
			pointers[o.Position] = true
			p := *o.Position
			c.Position = &p
		}
		if o.Static != nil {
			pointers[o.Static] = true
			st := *o.Static
			c.Static = &st
		}
		got = append(got, c)
	}
	// Compared as text: a missing speed is NaN, which DeepEqual never equals.
	text := func(obs []vessel.Observation) string {
		var b strings.Builder
		for _, o := range obs {
			fmt.Fprintf(&b, "%s:%d %+v %+v\n", o.File, o.Line, o.Position, o.Static)
		}
		return b.String()
	}
	if len(want) < 100 || text(got) != text(want) || rej != len(wantRej) {
		t.Fatalf("with Reuse: %d observations, %d rejects; without: %d, %d (or they differ)", len(got), rej, len(want), len(wantRej))
	}
	if len(pointers) > 2 {
		t.Errorf("%d distinct Position/Static pointers with Reuse, want 2", len(pointers))
	}
}

// etaString formats as fmt's "%02d-%02dT%02d:%02dZ" did, for every value
// the message's fields can hold.
func TestETAString(t *testing.T) {
	for _, v := range [][4]uint8{{0, 0, 24, 60}, {12, 31, 23, 59}, {1, 2, 3, 4}, {15, 31, 31, 63}} {
		want := fmt.Sprintf("%02d-%02dT%02d:%02dZ", v[0], v[1], v[2], v[3])
		if got := etaString(v[0], v[1], v[2], v[3]); got != want {
			t.Errorf("etaString%v = %q, want %q", v, got, want)
		}
	}
	for ty := range 64 {
		if got := skippedReason(uint8(ty)); got != fmt.Sprintf("type_%d", ty) {
			t.Errorf("skippedReason(%d) = %q", ty, got)
		}
	}
}
