package detect

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/geo"
)

// Encounters: each vessel's track is resampled at the boundaries of
// Encounter.Slot (GFW: 10 min) by interpolating between consecutive fixes
// at most MaxInterp apart. Slow samples (at most IndexKn) go into a grid
// per slot with cells wider than MaxDistM, so a sample is compared only
// with the samples of its own and the neighbouring cells — never all
// pairs. A pair closer than MaxDistM in one slot is "close" for that slot;
// runs of consecutive close slots of a pair lasting MinDuration, with both
// vessels' median speed below MaxMedianKn and the run's mean position at
// least MinPortKm from any port, are encounters. The set of close slots
// does not depend on the order vessels are fed in, so batch and stream
// agree; a run is published once both vessels have moved past it (or at
// the end of input, as open).

type cellKey struct{ la, lo int32 }

type sample struct {
	mmsi     uint32
	lat, lon float32
	kn       float32
}

type slotGrid struct {
	cells map[cellKey][]sample
}

type pairKey struct{ a, b uint32 } // a < b

type closeRec struct {
	lat, lon float32 // midpoint
	knA, knB float32
	distM    float32
}

type pairState struct {
	close map[int64]closeRec
}

type encounters struct {
	e         *Engine
	grid      map[int64]*slotGrid
	pairs     map[pairKey]*pairState
	slots     int
	slotNs    int64
	cellDeg   float64 // latitude cell height
	havMax    float64
	minSlot   int64
	published map[pairKey]map[int64]bool // run starts published as open
}

func newEncounters(e *Engine) *encounters {
	c := e.cfg.Encounter
	cell := math.Max(c.MaxDistM, 100) / 111_000 * 1.05
	return &encounters{e: e, grid: map[int64]*slotGrid{}, pairs: map[pairKey]*pairState{},
		slotNs: int64(c.Slot), cellDeg: cell, havMax: geo.HavOf(c.MaxDistM), minSlot: math.MinInt64,
		published: map[pairKey]map[int64]bool{}}
}

// lonCells is how many longitude cells the latitude band row has.
func (x *encounters) lonCells(row int32) int32 {
	lat := (float64(row) + 0.5) * x.cellDeg
	c := math.Cos(math.Min(math.Abs(lat)+x.cellDeg, 89.9) * math.Pi / 180)
	return int32(math.Max(1, math.Floor(360*c/x.cellDeg)))
}

func (x *encounters) lonCell(row int32, lon float64) int32 {
	n := x.lonCells(row)
	c := int32(math.Floor((lon + 180) / 360 * float64(n)))
	return ((c % n) + n) % n
}

// point resamples v's track up to f and indexes the slow samples.
func (e *encounters) point(v *vstate, f fix, speed float32) {
	c := e.e.cfg.Encounter
	k1 := floorDiv(f.t, e.slotNs)
	switch p := v.last; { // the vessel's previous fix: Point updates it after the detectors
	case v.hasLast && f.t > p.t && f.t-p.t <= int64(c.MaxInterp):
		implied := float32(math.NaN()) // computed when first needed: most fixes cross no slot boundary
		for k := floorDiv(p.t, e.slotNs) + 1; k <= k1; k++ {
			t := k * e.slotNs
			w := float64(t-p.t) / float64(f.t-p.t)
			kn := p.sog
			if w > 0.5 {
				kn = speed
			}
			if kn != kn {
				if implied != implied {
					implied = float32(geo.KnotsBetween(distKm(p, f)*1000, float64(f.t-p.t)/1e9))
				}
				kn = implied
			}
			if kn <= float32(c.IndexKn) && k >= e.minSlot {
				lat := p.lat + (f.lat-p.lat)*w
				lon := wrap(p.lon + (unwrap(f.lon, p.lon)-p.lon)*w)
				e.insert(k, sample{mmsi: v.mmsi, lat: float32(lat), lon: float32(lon), kn: kn})
			}
		}
	case f.t%e.slotNs == 0 && (!v.hasLast || f.t > p.t):
		if speed == speed && speed <= float32(c.IndexKn) && k1 >= e.minSlot {
			e.insert(k1, sample{mmsi: v.mmsi, lat: float32(f.lat), lon: float32(f.lon), kn: speed})
		}
	}
	v.encLast = max(v.encLast, k1)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func (e *encounters) insert(k int64, smp sample) {
	g := e.grid[k]
	if g == nil {
		g = &slotGrid{cells: map[cellKey][]sample{}}
		e.grid[k] = g
	}
	row := int32(math.Floor((float64(smp.lat) + 90) / e.cellDeg))
	q := geo.At(float64(smp.lat), float64(smp.lon))
	for dr := int32(-1); dr <= 1; dr++ {
		r := row + dr
		n := e.lonCells(r)
		c0 := e.lonCell(r, float64(smp.lon))
		for dc := int32(-1); dc <= 1; dc++ {
			if n < 3 && dc > -1+n-1 {
				break // fewer than three cells in the band: each once
			}
			cc := ((c0+dc)%n + n) % n
			for _, o := range g.cells[cellKey{r, cc}] {
				if o.mmsi == smp.mmsi {
					continue
				}
				h := q.Hav(geo.At(float64(o.lat), float64(o.lon)))
				if h > e.havMax {
					continue
				}
				e.markClose(k, smp, o, geo.DistanceOfHav(h))
			}
		}
	}
	ck := cellKey{row, e.lonCell(row, float64(smp.lon))}
	g.cells[ck] = append(g.cells[ck], smp)
	e.slots++
}

func (e *encounters) markClose(k int64, a, b sample, d float64) {
	if a.mmsi > b.mmsi {
		a, b = b, a
	}
	pk := pairKey{a.mmsi, b.mmsi}
	p := e.pairs[pk]
	if p == nil {
		p = &pairState{close: map[int64]closeRec{}}
		e.pairs[pk] = p
	}
	lon := wrap((float64(a.lon) + unwrap(float64(b.lon), float64(a.lon))) / 2)
	p.close[k] = closeRec{lat: (a.lat + b.lat) / 2, lon: float32(lon), knA: a.kn, knB: b.kn, distM: float32(d)}
}

// evalPair finds the runs of p; closed runs are published (if they
// qualify) and forgotten; at the end of input (final) open runs are
// published as open.
func (e *encounters) evalPair(pk pairKey, p *pairState, final bool) {
	va, vb := e.e.vessels[pk.a], e.e.vessels[pk.b]
	past := int64(math.MaxInt64) // the slot both vessels have passed
	if va != nil && vb != nil {
		past = min(va.encLast, vb.encLast)
	} else if va != nil {
		past = va.encLast
	} else if vb != nil {
		past = vb.encLast
	}
	if len(p.close) == 0 {
		delete(e.pairs, pk)
		return
	}
	ks := make([]int64, 0, len(p.close))
	for k := range p.close {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	for i := 0; i < len(ks); {
		j := i
		for j+1 < len(ks) && ks[j+1] == ks[j]+1 {
			j++
		}
		start, end := ks[i], ks[j]
		closed := past > end || end < e.minSlot
		if closed || final {
			e.publishRun(pk, p, start, end, !closed)
			if closed {
				for _, k := range ks[i : j+1] {
					delete(p.close, k)
				}
			}
		}
		i = j + 1
	}
	if len(p.close) == 0 {
		delete(e.pairs, pk)
	}
}

func (e *encounters) publishRun(pk pairKey, p *pairState, start, end int64, open bool) {
	en := e.e
	c := en.cfg.Encounter
	key := event.MakeKey(NameEncounter, event.Encounter, pk.a, pk.b, time.Unix(0, start*e.slotNs))
	dur := time.Duration((end - start) * e.slotNs)
	if dur < c.MinDuration {
		if open {
			en.withdraw(key)
		}
		return
	}
	n := int(end - start + 1)
	ka, kb := make([]float64, 0, n), make([]float64, 0, n)
	var lat, lon, maxD, sumD float64
	lon0 := float64(p.close[start].lon)
	for k := start; k <= end; k++ {
		r := p.close[k]
		ka, kb = append(ka, float64(r.knA)), append(kb, float64(r.knB))
		lat += float64(r.lat)
		lon += unwrap(float64(r.lon), lon0)
		maxD = math.Max(maxD, float64(r.distM))
		sumD += float64(r.distM)
	}
	lat, lon = lat/float64(n), wrap(lon/float64(n))
	ma, mb := median(ka), median(kb)
	if ma >= c.MaxMedianKn || mb >= c.MaxMedianKn {
		en.withdraw(key)
		return
	}
	if en.deps.Ports != nil {
		for _, pl := range en.deps.Ports.Within(lat, lon, c.MinPortKm) {
			if geo.DistanceM(lat, lon, pl.Lat, pl.Lon)/1000 < c.MinPortKm {
				en.withdraw(key)
				return
			}
		}
	}
	va, vb := en.vessels[pk.a], en.vessels[pk.b]
	if va == nil {
		va = &vstate{mmsi: pk.a}
	}
	if vb == nil {
		vb = &vstate{mmsi: pk.b}
	}
	t0, t1 := start*e.slotNs, end*e.slotNs
	ev := en.newEvent(NameEncounter, event.Encounter, va, t0, t1)
	ev.Key = key
	ev.OtherMMSI, ev.OtherName = pk.b, vb.name
	ev.Lat, ev.Lon = round(lat, 5), round(lon, 5)
	ev.Confidence = 0.8
	d := ev.Details
	d["duration_h"] = round(dur.Hours(), 2)
	d["median_kn"] = round(ma, 2)
	d["other_median_kn"] = round(mb, 2)
	d["mean_distance_m"] = round(sumD/float64(n), 0)
	d["max_distance_m"] = round(maxD, 0)
	d["other_imo"] = vb.imo
	d["slots"] = n
	if open {
		d["open"] = true
	}
	// The resampled positions at the start and end, as references.
	rs, re := p.close[start], p.close[end]
	ev.Positions = []event.Ref{
		{MMSI: pk.a, Time: time.Unix(0, t0).UTC(), Lat: float64(rs.lat), Lon: float64(rs.lon)},
		{MMSI: pk.b, Time: time.Unix(0, t1).UTC(), Lat: float64(re.lat), Lon: float64(re.lon)},
	}
	ev.Explanation = fmt.Sprintf("%s and %s stayed within %.0f m of each other for %.1f h (%s to %s) near %s, moving slowly (median %.1f and %.1f kn), more than %g km from any port: a possible ship-to-ship transfer.",
		va.label(), vb.label(), maxD, dur.Hours(), fmtTime(t0), fmtTime(t1), latLon(ev.Lat, ev.Lon), ma, mb, c.MinPortKm)
	en.publish(ev, c.Retention)
}

func median(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	slices.Sort(x)
	n := len(x)
	if n%2 == 1 {
		return x[n/2]
	}
	return (x[n/2-1] + x[n/2]) / 2
}

// sweep drops slots older than Retention and closes pairs accordingly.
func (e *encounters) sweep(final bool) {
	c := e.e.cfg.Encounter
	if !final && e.e.now != math.MinInt64 {
		e.minSlot = (e.e.now - int64(c.Retention)) / e.slotNs
		for k, g := range e.grid {
			if k < e.minSlot {
				for _, s := range g.cells {
					e.slots -= len(s)
				}
				delete(e.grid, k)
			}
		}
	}
	pks := make([]pairKey, 0, len(e.pairs))
	for pk := range e.pairs {
		pks = append(pks, pk)
	}
	slices.SortFunc(pks, func(a, b pairKey) int {
		if c := cmp.Compare(a.a, b.a); c != 0 {
			return c
		}
		return cmp.Compare(a.b, b.b)
	})
	for _, pk := range pks {
		e.evalPair(pk, e.pairs[pk], final)
	}
}
