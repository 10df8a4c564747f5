package track

import (
	"github.com/lookout-maritime/lookout/internal/geo"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// segment is an open segment, remembered by its newest fix.
type segment struct {
	t   int64 // event time, Unix ns
	at  geo.Point
	num uint32
}

// assign returns the segment number of fix p at event time at, opening a
// new segment when no open one is plausible (see the package doc).
func (t *Tracker) assign(v *vesselState, p *vessel.Position, at int64, late bool) uint32 {
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
	q := geo.At(p.Lat, p.Lon)
	best, bestHav, bestMetric := -1, 0.0, -1.0
	for i := range v.segs {
		s := &v.segs[i]
		dt := abs(at - s.t)
		if dt > t.maxGap {
			continue
		}
		// Plausible: within Noise, or reachable at MaxSpeed. Compared as
		// haversines, which avoids the inverse functions.
		h := s.at.Hav(q)
		if h > t.havNoise {
			if reach := t.maxSpeed * float64(dt); reach <= t.noise || h > geo.HavOf(reach) {
				continue
			}
		}
		if best < 0 {
			best, bestHav = i, h
			continue
		}
		// Several candidates: gpsdio-segment's choice, least time × distance.
		if bestMetric < 0 {
			bestMetric = float64(abs(at-v.segs[best].t)) * geo.DistanceOfHav(bestHav)
		}
		if m := float64(dt) * geo.DistanceOfHav(h); m < bestMetric {
			best, bestHav, bestMetric = i, h, m
		}
	}
	if best >= 0 {
		s := &v.segs[best]
		if at >= s.t {
			s.t, s.at = at, q
		}
		return s.num
	}
	s := segment{t: at, at: q, num: v.nextSeg}
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
