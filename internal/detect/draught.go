package detect

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
)

// drun is a run of draught reports with one value.
type drun struct {
	first, last int64
	m           float32
}

// anchor is a gap or port visit across which the draught is compared.
type anchor struct {
	kind     string // "gap" or "port_visit"
	port     string
	tA, tB   int64
	at, to   fix
	reported bool
	before   float64
	after    float64
}

type draughtState struct {
	runs    []drun // time order
	anchors []anchor
}

const (
	maxRuns    = 32
	maxAnchors = 8
)

func (e *Engine) draughtKey(mmsi uint32, kind string, start int64) string {
	return event.MakeKey(NameDraughtChange, event.DraughtChange, mmsi, kind, time.Unix(0, start))
}

// draughtReport records one report (any order) and re-evaluates the
// anchors it may concern.
func (e *Engine) draughtReport(v *vstate, t int64, m float64) {
	d := &v.dr
	val := float32(math.Round(m*10) / 10)
	i := sort.Search(len(d.runs), func(k int) bool { return d.runs[k].first > t })
	switch {
	case i > 0 && t <= d.runs[i-1].last: // inside run i-1
		r := d.runs[i-1]
		if r.m == val {
			return
		}
		// Split it around the new report.
		left := drun{first: r.first, last: t - 1, m: r.m}
		mid := drun{first: t, last: t, m: val}
		right := drun{first: t + 1, last: r.last, m: r.m}
		repl := []drun{mid}
		if left.first <= left.last {
			repl = append([]drun{left}, repl...)
		}
		if right.first <= right.last && r.last > t {
			repl = append(repl, right)
		}
		d.runs = slices.Replace(d.runs, i-1, i, repl...)
	case i > 0 && d.runs[i-1].m == val: // extends the run before
		d.runs[i-1].last = t
	case i < len(d.runs) && d.runs[i].m == val: // extends the run after
		d.runs[i].first = t
	default:
		d.runs = slices.Insert(d.runs, i, drun{first: t, last: t, m: val})
	}
	if len(d.runs) > maxRuns {
		d.runs = slices.Delete(d.runs, 0, len(d.runs)-maxRuns)
	}
	for k := range d.anchors {
		if a := &d.anchors[k]; t >= a.tA-int64(time.Hour*24*30) && t <= a.tB+int64(e.cfg.Draught.MaxAfter) {
			e.evalAnchor(v, a)
		}
	}
}

// addAnchor registers a gap or port visit and evaluates it.
func (e *Engine) addAnchor(v *vstate, a anchor) {
	d := &v.dr
	for k := range d.anchors {
		if d.anchors[k].kind == a.kind && d.anchors[k].tA == a.tA {
			d.anchors[k].tB, d.anchors[k].to, d.anchors[k].port = a.tB, a.to, a.port
			e.evalAnchor(v, &d.anchors[k])
			return
		}
	}
	d.anchors = append(d.anchors, a)
	if len(d.anchors) > maxAnchors {
		d.anchors = slices.Delete(d.anchors, 0, len(d.anchors)-maxAnchors)
	}
	e.evalAnchor(v, &d.anchors[len(d.anchors)-1])
}

func (d *draughtState) dropAnchor(kind string, tA int64) {
	d.anchors = slices.DeleteFunc(d.anchors, func(a anchor) bool { return a.kind == kind && a.tA == tA })
}

// change returns the draught before and after the anchor, if it changed.
func (d *draughtState) change(kind string, tA int64) ([2]float64, bool) {
	for _, a := range d.anchors {
		if a.kind == kind && a.tA == tA && a.reported {
			return [2]float64{a.before, a.after}, true
		}
	}
	return [2]float64{}, false
}

// values returns the draught in force at tA and the one reported for the
// end: the latest report in (tA, tB], else the first in (tB, tB+maxAfter].
func (d *draughtState) values(tA, tB, maxAfter int64) (before, after float64, ok bool) {
	bi := -1
	for i, r := range d.runs {
		if r.first <= tA {
			bi = i
		}
	}
	if bi < 0 {
		return 0, 0, false
	}
	ai := -1
	for i, r := range d.runs {
		if r.last > tA && r.first <= tB {
			ai = i // latest run with a report in (tA, tB]
		}
	}
	if ai < 0 {
		for i, r := range d.runs {
			if r.last > tB && r.first <= tB+maxAfter {
				ai = i
				break
			}
		}
	}
	if ai < 0 {
		return 0, 0, false
	}
	return round(float64(d.runs[bi].m), 1), round(float64(d.runs[ai].m), 1), true
}

func (e *Engine) evalAnchor(v *vstate, a *anchor) {
	before, after, ok := v.dr.values(a.tA, a.tB, int64(e.cfg.Draught.MaxAfter))
	key := e.draughtKey(v.mmsi, a.kind, a.tA)
	was := a.reported
	if !ok || math.Abs(after-before) < e.cfg.Draught.MinDeltaM-1e-9 {
		a.reported = false
		e.withdraw(key)
		if was && a.kind == "gap" && e.cfg.DarkPort.Enabled {
			e.darkPort(v, a.at, a.to)
		}
		return
	}
	changed := !was || before != a.before || after != a.after
	a.reported, a.before, a.after = true, before, after
	ev := e.newEvent(NameDraughtChange, event.DraughtChange, v, a.tA, a.tB)
	ev.Key = key
	ev.Lat, ev.Lon = a.to.lat, a.to.lon
	ev.Port = a.port
	ev.Confidence = 0.8
	ev.Positions = []event.Ref{a.at.ref(v.mmsi), a.to.ref(v.mmsi)}
	ev.Details["before_m"], ev.Details["after_m"] = before, after
	ev.Details["delta_m"] = round(after-before, 1)
	ev.Details["across"] = a.kind
	where := fmt.Sprintf("an AIS gap of %.1f h (%s to %s)", hours(a.tB-a.tA), fmtTime(a.tA), fmtTime(a.tB))
	if a.kind == "port_visit" {
		where = fmt.Sprintf("a visit to %s (%s to %s)", a.port, fmtTime(a.tA), fmtTime(a.tB))
	}
	ev.Explanation = fmt.Sprintf("%s reported a draught of %.1f m before and %.1f m after %s: cargo was likely %s.",
		v.label(), before, after, where, loadWord(after-before))
	e.publish(ev, e.cfg.LateWindow+e.cfg.Draught.MaxAfter)
	if a.kind == "gap" && e.cfg.DarkPort.Enabled && changed {
		// The dark port visit of this gap explains the change.
		e.darkPort(v, a.at, a.to)
	}
}
