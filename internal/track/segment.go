package track

import (
	"github.com/lookout-maritime/lookout/internal/geo"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// segment is an open segment, remembered by its newest fix.
type segment struct {
	t        int64   // event time, Unix ns
	lat, lon float64 // degrees, of the fix at t
	num      uint32
}

// assign returns the segment number of fix p at event time at, opening a
// new segment when no open one is plausible (see the package doc).
func (t *Tracker) assign(v *vesselState, p *vessel.Packed, late bool) uint32 {
	at := p.T
	if !late {
		// Segments silent longer than MaxGap are closed for good.
		k := 0
		for _, s := range v.segs {
			if at-s.t <= t.maxGap {
				v.segs[k] = s
				k++
			}
		}
		v.segs = v.segs[:k]
	}
	var q geo.Point // p with its cosine, computed when a bound does not settle it
	hav := func(s *segment) float64 {
		if q == (geo.Point{}) {
			q = geo.At(p.Lat, p.Lon)
		}
		return geo.At(s.lat, s.lon).Hav(q)
	}
	best, bestHav, bestMetric := -1, -1.0, -1.0
	for i := range v.segs {
		s := &v.segs[i]
		dt := abs(at - s.t)
		if dt > t.maxGap {
			continue
		}
		// Plausible: within Noise, or reachable at MaxSpeed. A bound on
		// the distance without trigonometry settles most fixes (they
		// moved less than Noise); the others are compared as haversines,
		// which avoids the inverse functions. Both say the same.
		reach := t.maxSpeed * float64(dt)
		h := -1.0
		if b := geo.DistanceBoundM(s.lat, s.lon, p.Lat, p.Lon); b > t.noise && (reach <= t.noise || b > reach) {
			h = hav(s)
			if h > t.havNoise && (reach <= t.noise || h > geo.HavOf(reach)) {
				continue
			}
		}
		if best < 0 {
			best, bestHav = i, h
			continue
		}
		// Several candidates: gpsdio-segment's choice, least time × distance.
		if bestMetric < 0 {
			if bestHav < 0 {
				bestHav = hav(&v.segs[best])
			}
			bestMetric = float64(abs(at-v.segs[best].t)) * geo.DistanceOfHav(bestHav)
		}
		if h < 0 {
			h = hav(s)
		}
		if m := float64(dt) * geo.DistanceOfHav(h); m < bestMetric {
			best, bestHav, bestMetric = i, h, m
		}
	}
	if best >= 0 {
		s := &v.segs[best]
		if at >= s.t {
			s.t, s.lat, s.lon = at, p.Lat, p.Lon
		}
		return s.num
	}
	s := segment{t: at, lat: p.Lat, lon: p.Lon, num: v.nextSeg}
	v.nextSeg++
	t.stats.Segments++
	if len(v.segs) < t.cfg.MaxSegments {
		v.segs = append(v.segs, s)
	} else {
		// Close the segment silent longest.
		oldest := 0
		for i := range v.segs {
			if v.segs[i].t < v.segs[oldest].t {
				oldest = i
			}
		}
		v.segs[oldest] = s
	}
	return s.num
}
