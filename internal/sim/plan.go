package sim

import (
	"fmt"
	"math"
	"sort"
	"time"
)

// segKind is what a vessel does during a segment of its plan.
type segKind uint8

const (
	segStay  segKind = iota // alongside a berth
	segSail                 // under way along a path
	segDrift                // stopped at sea, drifting (the STS transfer)
)

// Harbour speed: the first and last slowM metres of a passage are sailed
// at slowKn (leaving and entering port).
const (
	slowKn = 6.0
	slowM  = 4000.0
	knot   = 1852.0 / 3600 // m/s
)

// seg is one part of a vessel's plan, from t0 to t1 (Unix seconds).
type seg struct {
	kind   segKind
	t0, t1 int64
	// Stay and drift: where, and the hull's heading.
	at      Point
	heading float64
	port    string // the port of a stay
	berth   int
	// Drift: direction and speed; at is the position at time ref.
	driftBrg, driftKn float64
	ref               int64
	// Sail: the path, its cumulative lengths, and the speeds.
	path     []Point
	cum      []float64
	cruiseKn float64
	slow     float64 // metres at harbour speed at each end
	// dest is the destination port reported during the segment; eta when
	// the vessel is expected there.
	dest    string
	eta     int64
	draught float64
}

// span is an interval of Unix seconds.
type span struct{ t0, t1 int64 }

// newSail makes a passage along path starting at t0.
func newSail(path []Point, t0 int64, kn float64, dest string, draught float64) seg {
	s := seg{kind: segSail, t0: t0, path: path, cruiseKn: kn, dest: dest, draught: draught}
	s.cum = make([]float64, len(path))
	for i := 1; i < len(path); i++ {
		s.cum[i] = s.cum[i-1] + distM(path[i-1], path[i])
	}
	total := s.cum[len(s.cum)-1]
	s.slow = math.Min(slowM, total/4)
	s.t1 = t0 + int64(math.Ceil(s.timeAt(total)))
	s.eta = s.t1
	return s
}

// length is a passage's length in metres.
func (s *seg) length() float64 { return s.cum[len(s.cum)-1] }

// timeAt is the seconds from t0 at which a passage has sailed d metres.
func (s *seg) timeAt(d float64) float64 {
	total, slow := s.length(), s.slow
	vs, vc := slowKn*knot, s.cruiseKn*knot
	switch {
	case d <= slow:
		return d / vs
	case d <= total-slow:
		return slow/vs + (d-slow)/vc
	default:
		return slow/vs + (total-2*slow)/vc + (d-(total-slow))/vs
	}
}

// distAt is the inverse of timeAt: metres sailed after sec seconds, and
// the speed in knots at that moment.
func (s *seg) distAt(sec float64) (float64, float64) {
	total, slow := s.length(), s.slow
	vs, vc := slowKn*knot, s.cruiseKn*knot
	t1 := slow / vs
	t2 := t1 + (total-2*slow)/vc
	switch {
	case sec <= 0:
		return 0, slowKn
	case sec <= t1:
		return sec * vs, slowKn
	case sec <= t2:
		return slow + (sec-t1)*vc, s.cruiseKn
	default:
		return math.Min(total, total-slow+(sec-t2)*vs), slowKn
	}
}

// pointAt is the position d metres along a passage and the bearing of the
// leg it is on.
func (s *seg) pointAt(d float64) (Point, float64) {
	i := sort.SearchFloat64s(s.cum, d)
	if i <= 0 {
		return s.path[0], bearing(s.path[0], s.path[1])
	}
	if i >= len(s.cum) {
		n := len(s.path)
		return s.path[n-1], bearing(s.path[n-2], s.path[n-1])
	}
	a, b := s.path[i-1], s.path[i]
	leg := s.cum[i] - s.cum[i-1]
	p := interpolate(a, b, (d-s.cum[i-1])/leg)
	// The course is the bearing from here to the leg's end (a great
	// circle's bearing changes along it).
	brg := bearing(p, b)
	if distM(p, b) < 1 {
		brg = bearing(a, b)
	}
	return p, brg
}

// distOfPoint is the distance along a passage of its first vertex equal
// to q, or -1.
func (s *seg) distOfPoint(q Point) float64 {
	for i, p := range s.path {
		if p == q {
			return s.cum[i]
		}
	}
	return -1
}

// plan is a vessel's timeline: segments back to back, and the intervals
// its AIS is silent.
type plan struct {
	segs []seg
	off  []span
}

// end is the time the plan reaches.
func (p *plan) end() int64 {
	if len(p.segs) == 0 {
		return 0
	}
	return p.segs[len(p.segs)-1].t1
}

// last is the last segment.
func (p *plan) last() *seg { return &p.segs[len(p.segs)-1] }

// stay adds a stay at a berth until t1.
func (p *plan) stay(port *Port, berth int, t0, t1 int64, draught float64, dest string) {
	b := port.berth(berth)
	p.segs = append(p.segs, seg{kind: segStay, t0: t0, t1: t1, at: b.Point, heading: b.Heading,
		port: port.Name, berth: berth % len(port.Berths), draught: draught, dest: dest, eta: t1})
}

// silent adds an interval of AIS silence.
func (p *plan) silent(t0, t1 int64) { p.off = append(p.off, span{t0, t1}) }

// isOff reports whether the AIS is silent at t. off is sorted by start.
func (p *plan) isOff(t int64) bool {
	i := sort.Search(len(p.off), func(i int) bool { return p.off[i].t1 > t })
	return i < len(p.off) && p.off[i].t0 <= t
}

// at returns the segment active at t (the last one starting at or before
// t), or nil before the plan.
func (p *plan) at(t int64) *seg {
	i := sort.Search(len(p.segs), func(i int) bool { return p.segs[i].t0 > t })
	if i == 0 {
		return nil
	}
	return &p.segs[i-1]
}

func unix(t time.Time) int64 { return t.Unix() }

func utc(s string) int64 {
	t, err := time.Parse("2006-01-02T15:04", s)
	if err != nil {
		panic(fmt.Sprintf("sim: bad time %q: %v", s, err))
	}
	return t.Unix()
}
