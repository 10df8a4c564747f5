package detect

import (
	"fmt"
	"math"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/geo"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// spoofState groups impossible jumps and on-land fixes into episodes.
// Whether an episode is open is kept in vstate (jumpOn, landOn), which
// every fix reads; the rest only while one is.
type spoofState struct {
	jumps  int32
	jFirst fix // the fix before the first jump
	jLast  fix // the fix after the latest jump
	maxKm  float64
	maxKn  float64
	lFirst fix
	lLast  fix
	landN  int32
}

// spoofPoint checks an in-order fix against the previous one.
func (e *Engine) spoofPoint(v *vstate, f fix) {
	c := e.cfg.Spoofing
	s := &v.sp
	if v.hasLast {
		p := v.last
		secs := float64(f.t-p.t) / 1e9
		// Most fixes are close to the last one: a bound on the distance
		// rules a jump out without trigonometry.
		jump := false
		var d, kn float64
		if ub := geo.DistanceBoundM(p.lat, p.lon, f.lat, f.lon); ub >= c.MinJumpKm*1000 && geo.KnotsBetween(ub, secs) > c.MaxKn {
			d = distKm(p, f)
			kn = geo.KnotsBetween(d*1000, secs)
			jump = d >= c.MinJumpKm && kn > c.MaxKn
		}
		if jump {
			if !v.jumpOn || f.t-s.jLast.t > int64(c.EpisodeGap) {
				e.jumpEnd(v)
				v.jumpOn, s.jFirst, s.jumps, s.maxKm, s.maxKn = true, p, 0, 0, 0
			}
			s.jLast = f
			s.jumps++
			s.maxKm = math.Max(s.maxKm, d)
			s.maxKn = math.Max(s.maxKn, math.Min(kn, 1e6))
		} else if v.jumpOn && f.t-s.jLast.t > int64(c.EpisodeGap) {
			e.jumpEnd(v)
		}
	}
	if e.deps.Shore != nil {
		if e.inlandAt(v, f) {
			if !v.landOn {
				v.landOn, s.lFirst, s.landN = true, f, 0
			}
			s.lLast = f
			s.landN++
		} else if v.landOn {
			e.landEnd(v)
		}
	}
}

// inland reports whether f is on land at least LandMarginKm from the
// coast: f and the four points LandMarginKm north, south, east and west
// of it are all on land.
func (e *Engine) inland(f fix) bool {
	return e.deps.Shore.OnLand(f.lat, f.lon) && e.beyondMargin(f)
}

// beyondMargin reports whether the four points LandMarginKm north, south,
// east and west of f are all on land.
func (e *Engine) beyondMargin(f fix) bool {
	return e.marginOnLand(f, func(_ int, lat, lon float64) bool { return e.deps.Shore.OnLand(lat, lon) })
}

// marginOnLand is beyondMargin with onLand answering for the points, which
// it numbers 0 to 3.
func (e *Engine) marginOnLand(f fix, onLand func(i int, lat, lon float64) bool) bool {
	m := e.cfg.Spoofing.LandMarginKm
	if m <= 0 {
		return true
	}
	dLat := m / 111.2
	dLon := dLat / math.Max(math.Cos(f.lat*math.Pi/180), 0.01)
	return onLand(0, f.lat+dLat, f.lon) && onLand(1, f.lat-dLat, f.lon) &&
		onLand(2, f.lat, wrap(f.lon+dLon)) && onLand(3, f.lat, wrap(f.lon-dLon))
}

func (e *Engine) jumpEnd(v *vstate) {
	s := &v.sp
	if !v.jumpOn {
		return
	}
	v.jumpOn = false
	ev := e.newEvent(NameSpoofing, event.Spoofing, v, s.jFirst.t, s.jLast.t)
	ev.Key = event.MakeKey(NameSpoofing, event.Spoofing, v.mmsi, "jump", time.Unix(0, s.jFirst.t))
	ev.Lat, ev.Lon = s.jLast.lat, s.jLast.lon
	ev.Positions = []event.Ref{s.jFirst.ref(v.mmsi), s.jLast.ref(v.mmsi)}
	d := ev.Details
	d["jumps"], d["max_jump_km"], d["max_implied_kn"] = int(s.jumps), round(s.maxKm, 1), round(s.maxKn, 0)
	if s.jumps >= 3 {
		d["type"] = "two_places"
		ev.Confidence = 0.8
		ev.Explanation = fmt.Sprintf("%s reported from two places at once: its fixes alternated %d times between positions up to %.0f km apart (%s to %s), which no ship can do (up to %.0f kn implied). Two transmitters share the MMSI, or positions are falsified.",
			v.label(), s.jumps, s.maxKm, fmtTime(s.jFirst.t), fmtTime(s.jLast.t), s.maxKn)
	} else {
		d["type"] = "teleport"
		ev.Confidence = 0.6
		ev.Explanation = fmt.Sprintf("%s jumped %.0f km between %s and %s, an implied %.0f kn that no ship can make: a falsified or corrupted position.",
			v.label(), s.maxKm, fmtTime(s.jFirst.t), fmtTime(s.jLast.t), s.maxKn)
	}
	e.publish(ev, e.cfg.LateWindow)
}

func (e *Engine) landEnd(v *vstate) {
	s := &v.sp
	if !v.landOn {
		return
	}
	v.landOn = false
	ev := e.newEvent(NameSpoofing, event.Spoofing, v, s.lFirst.t, s.lLast.t)
	ev.Key = event.MakeKey(NameSpoofing, event.Spoofing, v.mmsi, "land", time.Unix(0, s.lFirst.t))
	ev.Lat, ev.Lon = s.lFirst.lat, s.lFirst.lon
	ev.Positions = []event.Ref{s.lFirst.ref(v.mmsi)}
	if s.lLast.t != s.lFirst.t {
		ev.Positions = append(ev.Positions, s.lLast.ref(v.mmsi))
	}
	ev.Confidence = 0.7
	ev.Details["type"] = "on_land"
	ev.Details["fixes"] = int(s.landN)
	ev.Explanation = fmt.Sprintf("%s reported %d position(s) on land, at least %g km from the coast, from %s at %s to %s: the positions are falsified or the GPS is faulty.",
		v.label(), s.landN, e.cfg.Spoofing.LandMarginKm, fmtTime(s.lFirst.t), latLon(s.lFirst.lat, s.lFirst.lon), fmtTime(s.lLast.t))
	e.publish(ev, e.cfg.LateWindow)
}

// spoofFlush publishes open episodes at the end of input (keeping them
// open).
func (e *Engine) spoofFlush(v *vstate) {
	s := v.sp
	e.jumpEnd(v)
	e.landEnd(v)
	v.sp = s
}

// checkMMSI reports an MMSI that is not a valid maritime identity for a
// ship transponder (class A/B or unknown).
func (e *Engine) checkMMSI(v *vstate, f fix, class vessel.Class) {
	switch class {
	case vessel.ClassAtoN, vessel.ClassBase, vessel.ClassSAR:
		return
	}
	kind, _ := vessel.ParseMMSI(v.mmsi)
	if kind != vessel.MMSIInvalid {
		return
	}
	ev := e.newEvent(NameSpoofing, event.Spoofing, v, f.t, f.t)
	ev.Key = event.MakeKey(NameSpoofing, event.Spoofing, v.mmsi, "mmsi")
	ev.Lat, ev.Lon = f.lat, f.lon
	ev.Positions = []event.Ref{f.ref(v.mmsi)}
	ev.Confidence = 0.5
	ev.Details["type"] = "invalid_mmsi"
	ev.Explanation = fmt.Sprintf("MMSI %d is not a valid ship MMSI (ITU-R M.585: nine digits starting with an allocated MID): a default, mistyped or invented identity.", v.mmsi)
	e.publish(ev, e.cfg.Idle)
}

// ValidIMO reports whether imo is a seven-digit IMO ship number with a
// correct check digit (the last digit is the sum of the first six
// weighted 7..2, modulo 10).
func ValidIMO(imo uint32) bool {
	if imo < 1_000_000 || imo > 9_999_999 {
		return false
	}
	sum := uint32(0)
	x := imo / 10
	for w := uint32(2); w <= 7; w++ {
		sum += (x % 10) * w
		x /= 10
	}
	return sum%10 == imo%10
}

// checkIMO reports an IMO number whose check digit fails, once per MMSI
// and number.
func (e *Engine) checkIMO(v *vstate, imo uint32, t int64) {
	if v.imoChk[0] == imo || v.imoChk[1] == imo {
		return
	}
	v.imoChk[1], v.imoChk[0] = v.imoChk[0], imo
	if ValidIMO(imo) {
		return
	}
	ev := e.newEvent(NameSpoofing, event.Spoofing, v, t, t)
	ev.IMO = imo
	ev.Key = event.MakeKey(NameSpoofing, event.Spoofing, v.mmsi, "imo", imo)
	ev.Confidence = 0.6
	ev.Details["type"] = "invalid_imo"
	ev.Details["imo"] = imo
	ev.Explanation = fmt.Sprintf("MMSI %d broadcast IMO number %d, whose check digit is wrong: no ship has that number, so the identity is mistyped or invented.", v.mmsi, imo)
	e.publish(ev, e.cfg.Idle)
}
