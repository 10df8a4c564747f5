package sim

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
)

// Reception degrades the AIS written the way a real receiving network
// does, to test that detectors hold up: more messages lost, positions off
// by GPS error, every message heard by several stations, lines out of
// order. Every draw comes from the scenario's seed, so a configuration
// always writes the same bytes. The zero value is one clean station (the
// founding demo's data).
type Reception struct {
	// Receivers is how many stations hear the traffic (0 or 1: one). Each
	// writes its own copy of every message it hears, with its own tag-block
	// source: SIMULATED, SIMULATED-2, SIMULATED-3, ...
	Receivers int `json:"receivers,omitempty"`
	// Loss is the fraction of messages each station misses, independently
	// of the others (on top of the one or two per cent the plans already
	// lose): with two stations and Loss 0.3, 9 % of messages reach neither.
	Loss float64 `json:"loss,omitempty"`
	// NoiseM is position error in metres: each message's latitude and
	// longitude move by normal errors of this standard deviation, the same
	// in every station's copy (the error is the transmitter's GPS, not the
	// reception).
	NoiseM float64 `json:"noise_m,omitempty"`
	// Skew is the most a station's receive time (the tag block's c:) runs
	// behind the first station's, in whole seconds, drawn per copy. Zero
	// means 2 s, which internal/track still takes for one report heard twice
	// (track.DefaultDuplicate); negative means none.
	Skew time.Duration `json:"skew,omitempty"`
	// Late is the fraction of copies delivered late: written up to a
	// minute after lines received later, so the file is out of time order
	// by up to a minute (a station's backlog, a slow network).
	Late float64 `json:"late,omitempty"`
}

// MaxLate is how late a Late copy is delivered at most.
const MaxLate = 60 // seconds

// active reports whether r changes anything.
func (r Reception) active() bool {
	return r.Receivers > 1 || r.Loss > 0 || r.NoiseM > 0 || r.Late > 0
}

func (r Reception) check() error {
	switch {
	case r.Receivers < 0 || r.Receivers > 99:
		return fmt.Errorf("sim: %d receivers (want 1-99)", r.Receivers)
	case !(r.Loss >= 0 && r.Loss < 1):
		return fmt.Errorf("sim: loss %g (want 0 to under 1)", r.Loss)
	case !(r.NoiseM >= 0 && r.NoiseM <= 10000):
		return fmt.Errorf("sim: position noise %g m (want 0-10000)", r.NoiseM)
	case !(r.Late >= 0 && r.Late <= 1):
		return fmt.Errorf("sim: late fraction %g (want 0-1)", r.Late)
	}
	return nil
}

// receiverName is station k's tag-block source (k from 0).
func receiverName(k int) string {
	if k == 0 {
		return Receiver
	}
	return Receiver + "-" + strconv.Itoa(k+1)
}

// copyRec is one station's copy of a message: what a line says (the
// station and its receive time) and where it lands in the file.
type copyRec struct {
	msg  int32 // index in the messages
	rx   uint8 // station, from 0
	t    int64 // receive time, Unix seconds
	sent int64 // delivery time: the file is in this order
}

// streamReception is the generator stream of the reception's draws.
const streamReception = 1<<20 + 2

// receive applies the reception to the messages, in place for the
// position noise, and returns the copies in file order with the count of
// messages no station heard. Without degradation every message is one
// copy at its own time, in the messages' order.
func (s *Scenario) receive(msgs []rec) ([]copyRec, int) {
	rc := s.cfg.Reception
	out := make([]copyRec, 0, len(msgs)*max(1, rc.Receivers))
	if !rc.active() {
		for i := range msgs {
			out = append(out, copyRec{msg: int32(i), t: msgs[i].t, sent: msgs[i].t})
		}
		return out, 0
	}
	r := newRNG(s.cfg.Seed, streamReception)
	skew := int64(2)
	if rc.Skew != 0 {
		skew = max(0, int64(rc.Skew/time.Second))
	}
	lost := 0
	for i := range msgs {
		m := &msgs[i]
		if rc.NoiseM > 0 && m.kind == recPosition {
			p := jitter(r, Point{float64(m.lat) / 600000, float64(m.lon) / 600000}, rc.NoiseM)
			m.lat, m.lon = rawDeg(math.Max(-90, math.Min(90, p.Lat))), rawDeg(p.Lon)
		}
		heard := false
		for k := 0; k < max(1, rc.Receivers); k++ {
			if rc.Loss > 0 && r.chance(rc.Loss) {
				continue
			}
			heard = true
			c := copyRec{msg: int32(i), rx: uint8(k), t: m.t}
			if k > 0 && skew > 0 {
				c.t += int64(r.intn(int(skew) + 1))
			}
			c.sent = c.t
			if rc.Late > 0 && r.chance(rc.Late) {
				c.sent += 1 + int64(r.intn(MaxLate))
			}
			out = append(out, c)
		}
		if !heard {
			lost++
		}
	}
	slices.SortStableFunc(out, func(a, b copyRec) int { return cmp.Compare(a.sent, b.sent) })
	return out, lost
}
