package detect

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/geo"
)

// span is a stretch of a vessel's track without a silence of Gap.Min: the
// gaps are the holes between consecutive spans. Keeping spans (not fixes)
// is what lets a late fix re-evaluate the gap it falls in.
type span struct {
	first, last fix
	density     int32 // fixes within Gap.DensityWindow up to last
}

type gapState struct {
	// spans in time order, disjoint. The last span's last fix is the
	// vessel's latest (vstate.last), which Point does not copy here for
	// every fix (that was a cache miss a fix); syncLast does before the
	// spans are read.
	spans   []span
	openKey string // key of the open gap published for the current silence
	openEnd int64  // the End it was published with
}

const maxSpans = 64

func (e *Engine) gapKey(mmsi uint32, start int64) string {
	return event.MakeKey(NameGap, event.Gap, mmsi, time.Unix(0, start))
}

// gapPoint takes an in-order fix.
func (e *Engine) gapPoint(v *vstate, f fix) {
	g := &v.gaps
	if len(g.spans) == 0 {
		g.spans = append(g.spans, span{first: f, last: f})
		return
	}
	min := int64(e.cfg.Gap.Min)
	if f.t-v.last.t < min {
		if g.openKey != "" {
			// An "AIS off" published for this silence: it was shorter than a gap.
			e.withdrawGap(v, v.last.t)
			g.openKey = ""
		}
		return // the last span now ends at f, which Point makes v.last
	}
	g.syncLast(v)
	s := &g.spans[len(g.spans)-1]
	s.density = int32(v.recent.countSince(v.points, s.last.t-int64(e.cfg.Gap.DensityWindow), s.last.t))
	g.spans = append(g.spans, span{first: f, last: f})
	g.openKey = ""
	// Forget spans that late data can no longer reach.
	cut := f.t - int64(e.cfg.LateWindow)
	k := 0
	for k < len(g.spans)-2 && g.spans[k+1].last.t < cut || len(g.spans)-k > maxSpans {
		k++
	}
	if k > 0 {
		g.spans = slices.Delete(g.spans, 0, k)
	}
	e.gapChanged(v, len(g.spans)-2)
}

// gapLate re-evaluates the gaps a late fix touches.
func (e *Engine) gapLate(v *vstate, f fix) {
	g := &v.gaps
	g.syncLast(v)
	sp := g.spans
	if len(sp) == 0 {
		return
	}
	min := int64(e.cfg.Gap.Min)
	i := sort.Search(len(sp), func(k int) bool { return sp[k].first.t > f.t })
	if i > 0 && f.t <= sp[i-1].last.t {
		sp[i-1].density++ // inside a span: no gap changes
		return
	}
	if i == len(sp) {
		return // cannot happen for a late fix
	}
	if i == 0 {
		if f.t < sp[0].first.t-int64(e.cfg.LateWindow) {
			return
		}
		if sp[0].first.t-f.t < min {
			sp[0].first = f
			return
		}
		g.spans = slices.Insert(g.spans, 0, span{first: f, last: f, density: 1})
		e.gapChanged(v, 0)
		return
	}
	L, R := i-1, i
	oldStart := sp[L].last.t
	dl, dr := f.t-sp[L].last.t, sp[R].first.t-f.t
	switch {
	case dl < min && dr < min: // the gap is closed
		sp[L].last = sp[R].last
		sp[L].density = sp[R].density
		g.spans = slices.Delete(g.spans, R, R+1)
		e.withdrawGap(v, oldStart)
	case dl < min: // shortened at its start: a new key
		sp[L].last = f
		sp[L].density++
		e.withdrawGap(v, oldStart)
		e.gapChanged(v, L)
	case dr < min: // shortened at its end: same key, revised
		sp[R].first = f
		e.gapChanged(v, L)
	default: // split in two
		g.spans = slices.Insert(g.spans, R, span{first: f, last: f, density: 1})
		e.gapChanged(v, L)
		e.gapChanged(v, R)
	}
}

// withdrawGap withdraws the gap starting at start and what rests on it.
func (e *Engine) withdrawGap(v *vstate, start int64) {
	e.withdraw(e.gapKey(v.mmsi, start))
	e.withdraw(e.darkKey(v.mmsi, start))
	e.withdraw(e.draughtKey(v.mmsi, "gap", start))
	v.dr.dropAnchor("gap", start)
}

// gapOpen publishes the current silence of v as an open gap once it is
// Gap.OpenAfter long (again when it reaches Gap.Min, and at the end of
// input).
//
// Mid-stream it does so only for a vessel observed live (see
// vstate.behind): a vessel whose track is replayed behind the input's
// clock would otherwise get an "AIS off" from a fix that is not its last
// (the tracker may still hold the next one in its reorder buffer), to be
// withdrawn a moment later. Every open gap published is one the stream
// had reason to believe; the one published at Flush rests on the true
// last fix.
func (e *Engine) gapOpen(v *vstate, final bool) {
	if !v.hasLast || len(v.gaps.spans) == 0 || !final && v.behind {
		return
	}
	silence := e.now - v.last.t
	if silence < int64(e.cfg.Gap.OpenAfter) && silence < int64(e.cfg.Gap.Min) {
		return
	}
	g := &v.gaps
	g.syncLast(v)
	crossedMin := silence >= int64(e.cfg.Gap.Min) && g.openEnd-v.last.t < int64(e.cfg.Gap.Min)
	if g.openKey != "" && !final && !crossedMin {
		return
	}
	a := g.spans[len(g.spans)-1]
	a.density = int32(v.recent.countSince(v.points, a.last.t-int64(e.cfg.Gap.DensityWindow), a.last.t))
	ev := e.gapEvent(v, a, fix{t: e.now}, true)
	g.openKey, g.openEnd = ev.Key, e.now
	e.publish(ev, e.cfg.LateWindow+e.cfg.Idle)
}

// syncLast brings the last span's last fix up to the vessel's latest.
func (g *gapState) syncLast(v *vstate) {
	if n := len(g.spans); n > 0 && v.hasLast && v.last.t > g.spans[n-1].last.t {
		g.spans[n-1].last = v.last
	}
}

// gapChanged (re)publishes the gap after span i and its dark port visit.
func (e *Engine) gapChanged(v *vstate, i int) {
	sp := v.gaps.spans
	a, b := sp[i], sp[i+1]
	ev := e.gapEvent(v, a, b.first, false)
	e.publish(ev, e.cfg.LateWindow)
	if e.cfg.Draught.Enabled {
		e.addAnchor(v, anchor{kind: "gap", tA: a.last.t, tB: b.first.t, at: a.last, to: b.first})
	}
	if e.cfg.DarkPort.Enabled {
		e.darkPort(v, a.last, b.first)
	}
}

// gapEvent describes the silence from span a's last fix to b (b.t is the
// end of input for an open gap).
func (e *Engine) gapEvent(v *vstate, a span, b fix, open bool) event.Event {
	A := a.last
	ev := e.newEvent(NameGap, event.Gap, v, A.t, b.t)
	ev.Key = e.gapKey(v.mmsi, A.t)
	ev.Lat, ev.Lon = A.lat, A.lon
	dur := hours(b.t - A.t)
	d := ev.Details
	d["duration_h"] = round(dur, 2)
	d["last_fix"] = map[string]any{"time": A.time(), "lat": A.lat, "lon": A.lon}
	d["positions_before"] = int(a.density)
	ev.Positions = []event.Ref{A.ref(v.mmsi)}
	shoreA := -1.0
	if e.deps.Shore != nil {
		shoreA = e.deps.Shore.DistanceToShoreKm(A.lat, A.lon)
		d["shore_km_start"] = round(shoreA, 1)
	}
	if open {
		d["open"] = true
		ev.Confidence = 0.5
		ev.Explanation = fmt.Sprintf("%s has sent no position since %s (%.1f h by the end of the data), last seen at %s after %d positions in the %s before.",
			v.label(), fmtTime(A.t), dur, latLon(A.lat, A.lon), a.density, fmtDur(e.cfg.Gap.DensityWindow))
		return ev
	}
	distKmAB := distKm(A, b)
	kn := geo.KnotsBetween(distKmAB*1000, float64(b.t-A.t)/1e9)
	d["next_fix"] = map[string]any{"time": b.time(), "lat": b.lat, "lon": b.lon}
	d["distance_km"] = round(distKmAB, 1)
	d["implied_kn"] = round(kn, 2)
	ev.Positions = append(ev.Positions, b.ref(v.mmsi))
	suspected := false
	var why string
	if e.deps.Shore != nil {
		shoreB := e.deps.Shore.DistanceToShoreKm(b.lat, b.lon)
		d["shore_km_end"] = round(shoreB, 1)
		off := e.cfg.Gap.OffshoreNm * geo.MetresPerNauticalMile / 1000
		dense := int(a.density) >= e.cfg.Gap.MinPositionsBefore
		suspected = shoreA > off && shoreB > off && dense
		switch {
		case suspected:
			why = fmt.Sprintf(" Both ends are more than %g nm from shore and it sent %d positions in the %s before, so the silence is unlikely to be poor reception: suspected deliberate disabling.",
				e.cfg.Gap.OffshoreNm, a.density, fmtDur(e.cfg.Gap.DensityWindow))
		case !dense:
			why = fmt.Sprintf(" It sent only %d positions in the %s before, so poor reception may explain the silence.", a.density, fmtDur(e.cfg.Gap.DensityWindow))
		default:
			why = fmt.Sprintf(" At least one end is within %g nm of shore.", e.cfg.Gap.OffshoreNm)
		}
	}
	d["suspected_disabling"] = suspected
	ev.Confidence = 0.5
	if suspected {
		ev.Confidence = 0.9
	}
	ev.Explanation = fmt.Sprintf("%s sent no position for %.1f h, from %s at %s to %s at %s, %.0f km apart (%.1f kn implied).%s",
		v.label(), dur, fmtTime(A.t), latLon(A.lat, A.lon), fmtTime(b.t), latLon(b.lat, b.lon), distKmAB, kn, why)
	return ev
}

func latLon(lat, lon float64) string {
	ns, ew := 'N', 'E'
	if lat < 0 {
		ns, lat = 'S', -lat
	}
	if lon < 0 {
		ew, lon = 'W', -lon
	}
	return fmt.Sprintf("%.3f°%c %.3f°%c", lat, ns, lon, ew)
}

func fmtDur(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%d h", d/time.Hour)
	}
	return d.String()
}
