package detect

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
)

// portState is a vessel's current port visit.
type portState struct {
	in                       bool
	place                    Place
	entered, hadStop, hadGap bool
	stopped                  bool
	first, lastIn, stopFix   fix
	exit                     fix
	exited                   bool
}

func (e *Engine) entryKm(p *Place) float64 { return math.Max(e.cfg.PortVisit.EntryKm, p.RadiusKm) }

func (e *Engine) exitKm(p *Place) float64 {
	c := e.cfg.PortVisit
	return math.Max(c.ExitKm, p.RadiusKm+(c.ExitKm-c.EntryKm))
}

// portPoint follows GFW's port visit state machine: entry within EntryKm
// of a port, exit beyond ExitKm (hysteresis), stops below StopKn until
// moving above MoveKn, silences over GapInPort in port.
func (e *Engine) portPoint(v *vstate, f fix, speed float32) {
	if v.inPort {
		e.portPointIn(v, f, speed)
		v.inPort = v.pv.in
		return
	}
	// Outside a port (most fixes): v.pv is not touched until one is entered.
	if best := e.portToEnter(v, f); best != nil {
		e.portEnter(v, f, speed, best)
	}
}

// portPointIn is portPoint for a vessel in a port (v.inPort, so v.pv.in).
func (e *Engine) portPointIn(v *vstate, f fix, speed float32) {
	s := &v.pv
	c := e.cfg.PortVisit
	if f.t-s.lastIn.t > int64(c.GapInPort) {
		s.hadGap = true
	}
	pf := fix{lat: s.place.Lat, lon: s.place.Lon}
	dCur := distKm(f, pf)
	if dCur <= e.exitKm(&s.place) {
		// Ports close together (Vostochny's berths pass within 3 km
		// of Kozmino): until the vessel has stopped or fallen silent,
		// it is only passing through, and a nearer port whose entry
		// radius holds the fix takes the visit over.
		if !s.hadStop && !s.hadGap {
			if best, d := e.nearestPort(f); best != nil && best.Name != s.place.Name && d < dCur {
				s.exited, s.exit = true, f
				e.portPublish(v, false) // entry and exit only: below GFW confidence 2, withdrawn
				*s = portState{in: true, place: *best, first: f, lastIn: f, entered: true}
				e.portSpeed(s, f, speed)
				return
			}
		}
		s.lastIn = f
		e.portSpeed(s, f, speed)
		return
	}
	s.exited, s.exit = true, f
	e.portPublish(v, false)
	*s = portState{}
	if best := e.portToEnter(v, f); best != nil {
		e.portEnter(v, f, speed, best)
	}
}

// portEnter starts a visit of best at f.
func (e *Engine) portEnter(v *vstate, f fix, speed float32, best *Place) {
	s := &v.pv
	*s = portState{in: true, place: *best, first: f, lastIn: f}
	s.entered = v.hasLast && f.t-v.last.t <= int64(e.cfg.PortVisit.GapInPort)
	e.portSpeed(s, f, speed)
	v.inPort = true
}

// nearestPort is the nearest port whose entry radius holds f (ties by
// name), and its distance.
func (e *Engine) nearestPort(f fix) (*Place, float64) {
	best, d, _ := e.portsAround(f, 0)
	return best, d
}

func (e *Engine) portSpeed(s *portState, f fix, speed float32) {
	c := e.cfg.PortVisit
	if speed != speed {
		return
	}
	switch {
	case float64(speed) < c.StopKn:
		if !s.hadStop {
			s.stopFix = f
		}
		s.stopped, s.hadStop = true, true
	case float64(speed) > c.MoveKn:
		s.stopped = false
	}
}

// portFlush publishes an ongoing visit at the end of input.
func (e *Engine) portFlush(v *vstate) {
	if v.pv.in {
		e.portPublish(v, true)
	}
}

// level is GFW's port-visit confidence: 4 entry, exit and a stop or gap;
// 3 entry or exit and a stop or gap; 2 a stop or gap only; 1 entry and/or
// exit only (passing through).
func (s *portState) level() int {
	sg := s.hadStop || s.hadGap
	switch {
	case s.entered && s.exited && sg:
		return 4
	case (s.entered || s.exited) && sg:
		return 3
	case sg:
		return 2
	}
	return 1
}

func (e *Engine) portPublish(v *vstate, open bool) {
	s := &v.pv
	lvl := s.level()
	key := event.MakeKey(NamePortVisit, event.PortVisit, v.mmsi, s.place.Name, time.Unix(0, s.first.t))
	if lvl < e.cfg.PortVisit.MinConfidence {
		e.withdraw(key)
		return
	}
	ev := e.newEvent(NamePortVisit, event.PortVisit, v, s.first.t, s.lastIn.t)
	ev.Key = key
	ev.Port = s.place.Name
	ev.Confidence = float64(lvl) / 4
	ev.Lat, ev.Lon = s.first.lat, s.first.lon
	ev.Positions = []event.Ref{s.first.ref(v.mmsi)}
	if s.hadStop {
		ev.Lat, ev.Lon = s.stopFix.lat, s.stopFix.lon
		ev.Positions = append(ev.Positions, s.stopFix.ref(v.mmsi))
	}
	if s.lastIn.t != s.first.t {
		ev.Positions = append(ev.Positions, s.lastIn.ref(v.mmsi))
	}
	d := ev.Details
	d["port"], d["country"], d["high_risk"] = s.place.Name, s.place.Country, s.place.HighRisk
	d["gfw_confidence"] = lvl
	d["entry"], d["exit"], d["stop"], d["port_gap"] = s.entered, s.exited, s.hadStop, s.hadGap
	d["duration_h"] = round(hours(s.lastIn.t-s.first.t), 2)
	if s.exited {
		d["exit_time"] = s.exit.time()
		ev.Positions = append(ev.Positions, s.exit.ref(v.mmsi))
	}
	if open {
		d["open"] = true
	}
	var seen []string
	if s.entered {
		seen = append(seen, "entry")
	}
	if s.hadStop {
		seen = append(seen, "a stop")
	}
	if s.hadGap {
		seen = append(seen, fmt.Sprintf("a silence over %s in port", fmtDur(e.cfg.PortVisit.GapInPort)))
	}
	if s.exited {
		seen = append(seen, "exit")
	}
	risk := ""
	if s.place.HighRisk {
		risk = " (a high-risk port)"
	}
	tail := fmt.Sprintf("until %s", fmtTime(s.lastIn.t))
	if open {
		tail = fmt.Sprintf("and was still there at its last fix, %s", fmtTime(s.lastIn.t))
	}
	ev.Explanation = fmt.Sprintf("%s visited %s%s from %s %s (%.1f h); seen: %s (GFW confidence %d of 4).",
		v.label(), s.place.Name, risk, fmtTime(s.first.t), tail, hours(s.lastIn.t-s.first.t), strings.Join(seen, ", "), lvl)
	e.publish(ev, e.cfg.LateWindow)
	if !open && e.cfg.Draught.Enabled {
		e.addAnchor(v, anchor{kind: "port_visit", port: s.place.Name, tA: s.first.t, tB: s.lastIn.t, at: s.first, to: s.lastIn})
	}
}
