package sim

import (
	"math"
)

// rec is one AIS message to write, in raw AIS units.
type rec struct {
	t       int64 // Unix seconds
	ship    int32
	kind    uint8 // recPosition or recStatic
	mtype   uint8
	status  uint8
	draught uint8 // decimetres (static)
	lat     int32 // 1/10000 minute
	lon     int32
	sog     uint16 // 0.1 kn
	cog     uint16 // 0.1°
	hdg     uint16 // degrees
	dest    uint16 // index in Scenario.dests (static)
	eta     int64  // Unix seconds (static)
}

const (
	recPosition uint8 = iota
	recStatic
)

// streamNoise is the noise stream of vessel i: newRNG(seed, streamNoise+i).
const streamNoise = 1 << 24

// destIndex interns a destination string.
func (s *Scenario) destIndex(d string) uint16 {
	if s.destIdx == nil {
		s.destIdx = map[string]uint16{}
	}
	if i, ok := s.destIdx[d]; ok {
		return i
	}
	i := uint16(len(s.dests))
	s.dests = append(s.dests, d)
	s.destIdx[d] = i
	return i
}

func rawDeg(d float64) int32 { return int32(math.Round(d * 600000)) }

func rawTenths(v float64, max uint16) uint16 {
	x := math.Round(v * 10)
	if x < 0 {
		x = 0
	}
	if x > float64(max) {
		x = float64(max)
	}
	return uint16(x)
}

func wrap360(d float64) float64 {
	d = math.Mod(d, 360)
	if d < 0 {
		d += 360
	}
	return d
}

// jitter moves p by a normal error of sigma metres.
func jitter(r *rng, p Point, sigma float64) Point {
	if sigma == 0 {
		return p
	}
	dn, de := r.norm()*sigma, r.norm()*sigma
	return Point{p.Lat + dn/111320, p.Lon + de/(111320*math.Cos(p.Lat*rad))}
}

// sample renders a vessel's plan as the AIS messages received from it
// between Config.Start and Config.End. dests must already hold every
// destination of the plan (see internDests).
func (s *Scenario) sample(sh *ship, out []rec) []rec {
	r := newRNG(s.cfg.Seed, uint64(streamNoise+sh.idx))
	lo, hi := unix(s.cfg.Start), unix(s.cfg.End)
	staticEvery := int64(s.cfg.StaticEvery.Seconds())
	// Reception loss: a few per cent of reports never reach a receiver.
	loss := 0.02
	if sh.Role == RoleSanctioned {
		loss = 0.01
	}
	p := &sh.plan
	t := lo + int64(r.float()*float64(sh.seaEvery))
	nextStatic := lo + int64(r.float()*float64(staticEvery))
	si := 0
	wasOff := true
	for t < hi {
		for si+1 < len(p.segs) && p.segs[si+1].t0 <= t {
			si++
			if p.segs[si].kind == segSail {
				// A new voyage: the crew enters the destination soon after
				// departure.
				nextStatic = min(nextStatic, p.segs[si].t0+300+int64(r.float()*900))
			}
		}
		sg := &p.segs[si]
		if t < sg.t0 { // before the plan
			t = sg.t0
			continue
		}
		every := sh.seaEvery
		if sg.kind == segStay {
			every = sh.portEvery
		}
		step := every + int64(float64(every)*r.between(-1.0/6, 1.0/6))
		if p.isOff(t) {
			wasOff = true
			t += step
			continue
		}
		if wasOff {
			nextStatic = min(nextStatic, t+60+int64(r.float()*240))
			wasOff = false
		}
		if !r.chance(loss) {
			out = append(out, s.position(sh, sg, t, r))
		}
		if nextStatic <= t+step {
			ts := max(nextStatic, t+1)
			if ts < hi && !p.isOff(ts) {
				out = append(out, s.static(sh, p.at(ts), ts))
			}
			nextStatic = ts + staticEvery + int64(float64(staticEvery)*r.between(-0.1, 0.1))
		}
		t += step
	}
	return out
}

// position is the position report of sh at t during sg.
func (s *Scenario) position(sh *ship, sg *seg, t int64, r *rng) rec {
	m := rec{t: t, ship: int32(sh.idx), kind: recPosition, mtype: 1}
	var pos Point
	var sog, cog, hdg float64
	switch sg.kind {
	case segStay:
		pos = jitter(r, sg.at, 2)
		if r.chance(0.2) {
			sog = 0.1
		}
		cog = r.between(0, 360) // course over ground is noise when stopped
		hdg = sg.heading + r.norm()
		m.status = 5 // moored
		if r.chance(1.0 / 6) {
			m.mtype = 3
		}
	case segSail:
		d, kn := sg.distAt(float64(t - sg.t0))
		var brg float64
		pos, brg = sg.pointAt(d)
		if kn == sg.cruiseKn {
			pos = jitter(r, pos, 6)
		}
		sog = math.Max(0, kn+r.norm()*0.15)
		cog = brg + r.norm()*0.8
		hdg = cog + r.norm()*1.5
		if r.chance(1.0 / 40) {
			m.mtype = 2
		}
	case segDrift:
		pos = jitter(r, destination(sg.at, sg.driftBrg, sg.driftKn*knot*float64(t-sg.ref)), 2)
		sog = math.Max(0, sg.driftKn+r.norm()*0.1)
		cog = sg.driftBrg + r.norm()*8
		hdg = sg.heading + r.norm()
	}
	m.lat, m.lon = rawDeg(pos.Lat), rawDeg(pos.Lon)
	m.sog = rawTenths(sog, 1022)
	m.cog = rawTenths(wrap360(cog), 3599)
	m.hdg = uint16(math.Round(wrap360(hdg))) % 360
	return m
}

// static is the type 5 report of sh at t.
func (s *Scenario) static(sh *ship, sg *seg, t int64) rec {
	return rec{t: t, ship: int32(sh.idx), kind: recStatic, mtype: 5,
		draught: uint8(math.Round(sg.draught * 10)), dest: s.destIndex(sg.dest), eta: sg.eta}
}
