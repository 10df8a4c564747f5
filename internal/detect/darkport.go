package detect

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
)

func (e *Engine) darkKey(mmsi uint32, start int64) string {
	return event.MakeKey(NameDarkPortVisit, event.DarkPortVisit, mmsi, time.Unix(0, start))
}

// candidate is a port scored for a gap.
type candidate struct {
	event.Candidate
	place          Place
	courseA        float64 // how well the course at A points at the port, [0,1]; -1 unknown
	courseB        float64
	timeFit        float64
	dwellShare     float64
	dAkm, dBkm     float64
	transitMaxH    float64 // hours of travel at the plausible maximum speed
	transitCruiseH float64
}

// darkPort publishes (or withdraws) the dark port visit of the gap A→B:
// the ports P whose detour d(A,P)+d(P,B), at the vessel's plausible
// maximum speed, leaves at least DarkPort.MinDwell in port.
//
// Candidates are ranked by a plausibility score in [0,1]:
//
//	0.35 × course fit at A (does the last course point at P? exp(-Δ²/2σ²), σ = 30°; 0.5 unknown)
//	0.35 × course fit at B (does the first course after the gap point away from P?)
//	0.15 × time fit        (1 if the detour fits at cruising speed with MinDwell to spare,
//	                        falling linearly to 0 at the plausible maximum speed)
//	0.15 × dwell share     (the share of the gap left in port after the detour at
//	                        cruising speed: a port reached at once leaves the
//	                        whole gap for the call, a distant one leaves little)
//
// The course fits use great-circle bearings, which ignore land: a far port
// across a peninsula can fit a course as well as the near one the ship
// was heading into. The dwell share is what tells them apart.
//
// Ports at either end of the gap (A or B within their entry radius) are
// not candidates: a gap there is a stay in that port, not an unseen visit.
func (e *Engine) darkPort(v *vstate, A, B fix) {
	key := e.darkKey(v.mmsi, A.t)
	cands, vmax, vcruise := e.darkCandidates(v, A, B)
	if len(cands) == 0 || cands[0].Score < e.cfg.DarkPort.MinScore {
		e.withdraw(key)
		return
	}
	top := cands[0]
	ev := e.newEvent(NameDarkPortVisit, event.DarkPortVisit, v, A.t, B.t)
	ev.Key = key
	ev.Port = top.Port
	ev.Lat, ev.Lon = top.place.Lat, top.place.Lon
	ev.Confidence = round(top.Score, 3)
	for _, c := range cands {
		ev.Candidates = append(ev.Candidates, c.Candidate)
	}
	ev.Positions = []event.Ref{A.ref(v.mmsi), B.ref(v.mmsi)}
	d := ev.Details
	gapH := hours(B.t - A.t)
	d["gap_h"] = round(gapH, 2)
	d["max_kn"] = round(vmax, 1)
	d["cruise_kn"] = round(vcruise, 1)
	d["reachable_ports"] = len(cands)
	d["top_detour_km"] = round(top.DetourKm, 1)
	d["top_course_fit_start"] = round(top.courseA, 2)
	d["top_course_fit_end"] = round(top.courseB, 2)
	d["top_time_fit"] = round(top.timeFit, 2)
	d["top_dwell_share"] = round(top.dwellShare, 2)
	d["gap_key"] = e.gapKey(v.mmsi, A.t)
	var hr []string
	for _, c := range cands {
		if c.HighRisk {
			hr = append(hr, c.Port)
		}
	}
	if len(hr) > 0 {
		d["high_risk_candidates"] = hr
	}
	risk := ""
	if top.HighRisk {
		risk = ", a high-risk port"
	}
	var course string
	switch {
	case top.courseA >= 0.9 && top.courseB >= 0.9:
		course = fmt.Sprintf(" Its last course before the gap pointed towards %s and it reappeared heading away from it.", top.Port)
	case top.courseA >= 0.9:
		course = fmt.Sprintf(" Its last course before the gap pointed towards %s.", top.Port)
	case top.courseB >= 0.9:
		course = fmt.Sprintf(" It reappeared heading away from %s.", top.Port)
	}
	others := ""
	if len(cands) > 1 {
		var names []string
		for _, c := range cands[1:min(len(cands), 4)] {
			names = append(names, c.Port)
		}
		others = fmt.Sprintf(" Other reachable ports: %s.", strings.Join(names, ", "))
		if len(hr) > 0 && !top.HighRisk {
			others += fmt.Sprintf(" High-risk ports within reach: %s.", strings.Join(hr, ", "))
		}
	}
	ev.Explanation = fmt.Sprintf("%s was silent for %.1f h (%s to %s). At up to %.1f kn it could have reached %d port(s) and stayed at least %s; the most plausible is %s%s (%s), a %.0f km detour leaving up to %.1f h in port.%s%s",
		v.label(), gapH, fmtTime(A.t), fmtTime(B.t), vmax, len(cands), fmtDur(e.cfg.DarkPort.MinDwell),
		top.Port, risk, top.Country, top.DetourKm, top.MaxDwellH, course, others)
	if dc, ok := v.dr.change("gap", A.t); ok {
		d["draught_before_m"], d["draught_after_m"] = dc[0], dc[1]
		ev.Explanation += fmt.Sprintf(" Its reported draught changed from %.1f m to %.1f m across the gap: cargo was likely %s while unseen.",
			dc[0], dc[1], loadWord(dc[1]-dc[0]))
	}
	e.publish(ev, e.cfg.LateWindow+e.cfg.Draught.MaxAfter)
}

func loadWord(delta float64) string {
	if delta > 0 {
		return "loaded"
	}
	return "discharged"
}

// darkCandidates returns the reachable ports, best first.
func (e *Engine) darkCandidates(v *vstate, A, B fix) ([]candidate, float64, float64) {
	cfg := e.cfg.DarkPort
	vmax := math.Max(cfg.MaxKn, cfg.SpeedX*float64(v.maxSOG))
	vcruise := cfg.CruiseKn
	if v.cruise > 0 {
		vcruise = float64(v.cruise)
	}
	vcruise = math.Min(vcruise, vmax)
	if e.deps.Ports == nil {
		return nil, vmax, vcruise
	}
	gapH := hours(B.t - A.t)
	dwellH := cfg.MinDwell.Hours()
	if gapH <= dwellH {
		return nil, vmax, vcruise
	}
	kmh := func(kn float64) float64 { return kn * 1.852 }
	reach := kmh(vmax) * (gapH - dwellH) // longest detour, km
	dAB := distKm(A, B)
	if reach < dAB {
		return nil, vmax, vcruise
	}
	mid := midpoint(A, B)
	// Every P with d(A,P)+d(P,B) <= reach is within (reach+dAB)/2 of the
	// midpoint (triangle inequality).
	places := e.deps.Ports.Within(mid.lat, mid.lon, math.Min((reach+dAB)/2+1, 20040))
	var out []candidate
	for _, p := range places {
		pf := fix{lat: p.Lat, lon: p.Lon}
		dA, dB := distKm(A, pf), distKm(pf, B)
		entry := math.Max(e.cfg.PortVisit.EntryKm, p.RadiusKm)
		if dA <= entry || dB <= entry {
			continue
		}
		detour := dA + dB
		if detour > reach {
			continue
		}
		c := candidate{place: p, dAkm: dA, dBkm: dB}
		c.Port, c.Country, c.HighRisk = p.Name, p.Country, p.HighRisk
		c.DetourKm = round(detour, 1)
		c.transitMaxH = detour / kmh(vmax)
		c.transitCruiseH = detour / kmh(vcruise)
		c.MaxDwellH = round(gapH-c.transitMaxH, 1)
		c.courseA = courseFit(A, bearing(A, pf))
		c.courseB = courseFit(B, bearing(pf, B))
		switch {
		case gapH >= c.transitCruiseH+dwellH:
			c.timeFit = 1
		case c.transitCruiseH > c.transitMaxH:
			c.timeFit = math.Max(0, (gapH-dwellH-c.transitMaxH)/(c.transitCruiseH-c.transitMaxH))
		}
		ca, cb := c.courseA, c.courseB
		if ca < 0 {
			ca = 0.5
		}
		if cb < 0 {
			cb = 0.5
		}
		c.dwellShare = math.Max(0, math.Min(1, (gapH-c.transitCruiseH)/gapH))
		c.Score = round(0.35*ca+0.35*cb+0.15*c.timeFit+0.15*c.dwellShare, 3)
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b candidate) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		if c := cmp.Compare(a.DetourKm, b.DetourKm); c != 0 {
			return c
		}
		return cmp.Compare(a.Port, b.Port)
	})
	if len(out) > cfg.MaxCandidates && cfg.MaxCandidates > 0 {
		out = out[:cfg.MaxCandidates]
	}
	return out, vmax, vcruise
}

// courseSigma is the spread of the course fit, degrees: a course 30° off
// the bearing scores 0.61, 60° off 0.14.
const courseSigma = 30.0

// courseFit is how well f's course over ground agrees with a bearing:
// exp(-Δ²/2σ²), or -1 when the course is unknown or the vessel was not
// under way (COG is meaningless below 1 kn).
func courseFit(f fix, brg float64) float64 {
	if f.cog != f.cog || f.cog >= 360 || !(f.sog >= 1) {
		return -1
	}
	d := math.Abs(math.Mod(brg-float64(f.cog)+540, 360) - 180)
	return round(math.Exp(-d*d/(2*courseSigma*courseSigma)), 3)
}

// bearing is the initial great-circle bearing from a to b, degrees true.
func bearing(a, b fix) float64 {
	const rad = math.Pi / 180
	φ1, φ2 := a.lat*rad, b.lat*rad
	Δλ := (b.lon - a.lon) * rad
	y := math.Sin(Δλ) * math.Cos(φ2)
	x := math.Cos(φ1)*math.Sin(φ2) - math.Sin(φ1)*math.Cos(φ2)*math.Cos(Δλ)
	return math.Mod(math.Atan2(y, x)/rad+360, 360)
}

// midpoint is the great-circle midpoint of a and b.
func midpoint(a, b fix) fix {
	const rad = math.Pi / 180
	φ1, λ1, φ2 := a.lat*rad, a.lon*rad, b.lat*rad
	Δλ := (b.lon - a.lon) * rad
	bx, by := math.Cos(φ2)*math.Cos(Δλ), math.Cos(φ2)*math.Sin(Δλ)
	φ := math.Atan2(math.Sin(φ1)+math.Sin(φ2), math.Sqrt((math.Cos(φ1)+bx)*(math.Cos(φ1)+bx)+by*by))
	λ := λ1 + math.Atan2(by, math.Cos(φ1)+bx)
	lon := math.Mod(λ/rad+540, 360) - 180
	return fix{lat: φ / rad, lon: lon}
}
