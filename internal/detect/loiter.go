package detect

import (
	"fmt"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/geo"
)

// loiterState averages speed per clock hour and strings slow, offshore
// hours into a run.
type loiterState struct {
	// The open hour, updated by every fix (first in the struct, so that
	// a fix touches as few cache lines as it can).
	hour     int64 // bucket index (Unix hours) of the open bucket
	n        int32
	inPort   bool
	sum      float64 // speeds
	lat, lon float64 // sums; lon unwrapped relative to lon0
	lon0     float64
	bLast    fix
	bFirst   fix
	// The run of slow hours.
	on       bool
	first    fix
	last     fix
	lastHour int64
	hours    int32
	speedSum float64
	speedN   int32
	latSum   float64
	lonSum   float64 // unwrapped relative to runLon0
	runLon0  float64
	minShore float64
}

// loiterPoint adds a fix to its hour; a finished hour extends or ends the run.
func (e *Engine) loiterPoint(v *vstate, f fix, speed float32) {
	s := &v.lo
	h := f.t / int64(time.Hour)
	if s.n > 0 && h != s.hour {
		e.loiterClose(v, s, false)
	}
	if speed != speed {
		return
	}
	if s.n == 0 {
		s.hour, s.lon0, s.bFirst = h, f.lon, f
		s.sum, s.lat, s.lon, s.inPort = 0, 0, 0, false
	}
	s.n++
	s.sum += float64(speed)
	s.lat += f.lat
	s.lon += unwrap(f.lon, s.lon0)
	s.bLast = f
	if v.inPort {
		s.inPort = true
	}
}

func unwrap(lon, ref float64) float64 {
	for lon-ref > 180 {
		lon -= 360
	}
	for lon-ref < -180 {
		lon += 360
	}
	return lon
}

func wrap(lon float64) float64 {
	for lon > 180 {
		lon -= 360
	}
	for lon < -180 {
		lon += 360
	}
	return lon
}

// loiterClose ends the open hour.
func (e *Engine) loiterClose(v *vstate, s *loiterState, final bool) {
	c := e.cfg.Loitering
	n := float64(s.n)
	avg := s.sum / n
	lat, lon := s.lat/n, wrap(s.lon/n)
	ok := avg < c.MaxKn && !s.inPort
	shore := -1.0
	if ok && e.deps.Shore != nil {
		shore = e.deps.Shore.DistanceToShoreKm(lat, lon)
		ok = shore >= c.MinShoreNm*geo.MetresPerNauticalMile/1000
	}
	s.n = 0
	if !ok {
		e.loiterEnd(v, s, final)
		return
	}
	// One empty hour (lost messages) does not break a run.
	if !s.on || s.hour-s.lastHour > 2 {
		e.loiterEnd(v, s, final)
		s.on, s.first, s.hours, s.speedSum, s.speedN = true, s.bFirst, 0, 0, 0
		s.latSum, s.lonSum, s.runLon0, s.minShore = 0, 0, lon, shore
	}
	s.last, s.lastHour = s.bLast, s.hour
	s.hours++
	s.speedSum += avg
	s.speedN++
	s.latSum += lat
	s.lonSum += unwrap(lon, s.runLon0)
	if shore >= 0 && (s.minShore < 0 || shore < s.minShore) {
		s.minShore = shore
	}
}

// loiterEnd publishes the run if it is long enough.
func (e *Engine) loiterEnd(v *vstate, s *loiterState, open bool) {
	if !s.on {
		return
	}
	if !open {
		s.on = false
	}
	if s.last.t-s.first.t < int64(e.cfg.Loitering.MinDuration) {
		return
	}
	ev := e.newEvent(NameLoitering, event.Loitering, v, s.first.t, s.last.t)
	ev.Key = event.MakeKey(NameLoitering, event.Loitering, v.mmsi, time.Unix(0, s.first.t))
	n := float64(s.speedN)
	ev.Lat, ev.Lon = round(s.latSum/n, 5), round(wrap(s.lonSum/n), 5)
	avg := s.speedSum / n
	dur := hours(s.last.t - s.first.t)
	ev.Confidence = 0.7
	ev.Positions = []event.Ref{s.first.ref(v.mmsi), s.last.ref(v.mmsi)}
	d := ev.Details
	d["duration_h"], d["avg_kn"], d["hours"] = round(dur, 2), round(avg, 2), int(s.hours)
	where := ""
	if s.minShore >= 0 {
		d["min_shore_km"] = round(s.minShore, 1)
		where = fmt.Sprintf(", at least %.0f km from shore", s.minShore)
	}
	if open {
		d["open"] = true
	}
	ev.Explanation = fmt.Sprintf("%s loitered for %.1f h (%s to %s) near %s at an average %.1f kn%s: a ship idling at sea, as when waiting for a transfer or a rendezvous.",
		v.label(), dur, fmtTime(s.first.t), fmtTime(s.last.t), latLon(ev.Lat, ev.Lon), avg, where)
	e.publish(ev, e.cfg.LateWindow)
}

// loiterFlush publishes a run still going at the end of input, counting
// the open hour, without ending it.
func (e *Engine) loiterFlush(v *vstate) {
	cp := v.lo
	if cp.n > 0 {
		e.loiterClose(v, &cp, false)
	}
	e.loiterEnd(v, &cp, true)
}
