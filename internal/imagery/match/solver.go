package match

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/imagery"
)

type pair struct {
	det, pred int
	dist      float64
	cost      float64
}

type matcher struct {
	in    Input
	preds []predicted
	cfg   Config
	// per prediction: detection probability and the cost of leaving it
	// undetected; whether it is expected in the image at all.
	pd       []float64
	missCost []float64
	inside   []bool
	reason   []string
	pairs    []pair
	byDet    [][]int // pair indices per detection
	byPred   [][]int
	grid     map[[2]int32][]int32
	cell     float64
	cosLat   float64
}

func newMatcher(in Input, preds []predicted, cfg Config) *matcher {
	m := &matcher{in: in, preds: preds, cfg: cfg}
	m.pd = make([]float64, len(preds))
	m.missCost = make([]float64, len(preds))
	m.inside = make([]bool, len(preds))
	m.reason = make([]string, len(preds))
	for j := range preds {
		p := &preds[j]
		pd := cfg.DetectProb
		switch {
		case !in.Scene.Footprint.Contains(p.lat, p.lon):
			pd, m.reason[j] = 0.05, "not imaged"
		case in.Land != nil && in.Land.OnLand(p.lat, p.lon):
			m.inside[j] = true
			pd, m.reason[j] = 0.1, "on land mask"
		case p.tr.LengthM > 0 && p.tr.LengthM < cfg.MinDetectableM:
			m.inside[j] = true
			pd, m.reason[j] = 0.3, "too small"
		default:
			m.inside[j] = true
			m.reason[j] = "not detected"
		}
		m.pd[j] = pd
		m.missCost[j] = -math.Log(1 - pd)
	}
	m.index()
	m.candidates()
	return m
}

// index puts predictions in a grid of cells as large as the largest gate,
// so every pair within a gate is in neighbouring cells.
func (m *matcher) index() {
	m.cell = 500
	for _, p := range m.preds {
		m.cell = math.Max(m.cell, p.gate)
	}
	lat0 := 0.0
	if b := m.in.Scene.Footprint.Bounds(); !math.IsInf(b[1], 0) {
		lat0 = (b[1] + b[3]) / 2
	} else if len(m.in.Detections) > 0 {
		lat0 = m.in.Detections[0].Lat
	}
	m.cosLat = math.Max(math.Cos(lat0*math.Pi/180), 0.05)
	m.grid = make(map[[2]int32][]int32, len(m.preds))
	for j, p := range m.preds {
		k := m.key(p.lat, p.lon)
		m.grid[k] = append(m.grid[k], int32(j))
	}
}

const metresPerDeg = 111320.0

func (m *matcher) key(lat, lon float64) [2]int32 {
	return [2]int32{int32(math.Floor(lat * metresPerDeg / m.cell)), int32(math.Floor(lon * metresPerDeg * m.cosLat / m.cell))}
}

// near calls f for predictions in the cells within r cells of lat, lon.
func (m *matcher) near(lat, lon float64, r int32, f func(j int)) {
	k := m.key(lat, lon)
	for dy := -r; dy <= r; dy++ {
		for dx := -r; dx <= r; dx++ {
			for _, j := range m.grid[[2]int32{k[0] + dy, k[1] + dx}] {
				f(int(j))
			}
		}
	}
}

// pairCost is the negative log-likelihood ratio of detection d being
// vessel p, against d being a vessel without AIS.
func (m *matcher) pairCost(d *imagery.Detection, j int, dist float64) float64 {
	p := &m.preds[j]
	lambda := m.cfg.DarkDensityKm2 * 1e-6
	s2 := p.sigma * p.sigma
	c := dist*dist/(2*s2) + math.Log(2*math.Pi*s2*lambda) - math.Log(m.pd[j])
	if d.LengthM > 0 && p.tr.LengthM > 0 {
		r := math.Log(d.LengthM / p.tr.LengthM)
		// Centred on the mean of a χ²₁/2 so agreement as good as expected
		// costs nothing.
		c += r*r/(2*m.cfg.LengthSigma*m.cfg.LengthSigma) - 0.5
	}
	return c
}

func (m *matcher) candidates() {
	dets := m.in.Detections
	m.byDet = make([][]int, len(dets))
	m.byPred = make([][]int, len(m.preds))
	for i := range dets {
		d := &dets[i]
		m.near(d.Lat, d.Lon, 1, func(j int) {
			p := &m.preds[j]
			dist := distanceM(d.Lat, d.Lon, p.lat, p.lon)
			if dist > p.gate {
				return
			}
			m.byDet[i] = append(m.byDet[i], len(m.pairs))
			m.byPred[j] = append(m.byPred[j], len(m.pairs))
			m.pairs = append(m.pairs, pair{det: i, pred: j, dist: dist, cost: m.pairCost(d, j, dist)})
		})
	}
}

// components groups detections and predictions linked by candidate pairs.
func (m *matcher) components() (dets, preds [][]int) {
	nd := len(m.in.Detections)
	parent := make([]int, nd+len(m.preds))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for _, p := range m.pairs {
		a, b := find(p.det), find(nd+p.pred)
		if a != b {
			parent[a] = b
		}
	}
	idx := map[int]int{}
	for i := range parent {
		if i < nd && len(m.byDet[i]) == 0 || i >= nd && len(m.byPred[i-nd]) == 0 {
			continue // singletons are handled without solving
		}
		r := find(i)
		c, ok := idx[r]
		if !ok {
			c = len(dets)
			idx[r] = c
			dets = append(dets, nil)
			preds = append(preds, nil)
		}
		if i < nd {
			dets[c] = append(dets[c], i)
		} else {
			preds[c] = append(preds[c], i-nd)
		}
	}
	return dets, preds
}

// problem is one component's augmented square cost matrix: rows are the
// k detections then l dummy rows ("vessel not detected"), columns the l
// predictions then k dummy columns ("detection is dark").
type problem struct {
	k, l int
	c    [][]float64
}

func (m *matcher) problem(dets, preds []int) *problem {
	k, l := len(dets), len(preds)
	n := k + l
	pr := &problem{k: k, l: l, c: make([][]float64, n)}
	flat := make([]float64, n*n)
	for i := range pr.c {
		pr.c[i] = flat[i*n : (i+1)*n]
		for j := range pr.c[i] {
			pr.c[i][j] = Forbidden
		}
	}
	col := make(map[int]int, l)
	for b, j := range preds {
		col[j] = b
	}
	for a, i := range dets {
		for _, pi := range m.byDet[i] {
			p := m.pairs[pi]
			pr.c[a][col[p.pred]] = p.cost
		}
		pr.c[a][l+a] = 0 // dark
	}
	for b, j := range preds {
		pr.c[k+b][b] = m.missCost[j]
		for a := 0; a < k; a++ {
			pr.c[k+b][l+a] = 0
		}
	}
	return pr
}

func logistic(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

func (m *matcher) solve(res *Result) {
	compDets, compPreds := m.components()
	dets := m.in.Detections
	matchedDet := make([]bool, len(dets))
	matchedPred := make([]bool, len(m.preds))
	darkScore := make([]float64, len(dets))
	unseenScore := make([]float64, len(m.preds))
	for i := range darkScore {
		darkScore[i] = 1
	}
	for j := range unseenScore {
		unseenScore[j] = m.pd[j]
	}
	for c := range compDets {
		cd, cp := compDets[c], compPreds[c]
		pr := m.problem(cd, cp)
		assign, best := Assign(pr.c)
		exact := pr.k+pr.l <= m.cfg.ExactLimit
		// margin of the optimum over the best solution with cell (a, b)
		// forbidden (forbid) or forced (force).
		resolve := func(a, b int, force bool) float64 {
			saved := append([]float64(nil), pr.c[a]...)
			if force {
				for x := range pr.c[a] {
					if x != b {
						pr.c[a][x] = Forbidden
					}
				}
			} else {
				pr.c[a][b] = Forbidden
			}
			_, alt := Assign(pr.c)
			copy(pr.c[a], saved)
			return alt - best
		}
		for a, i := range cd {
			b := assign[a]
			if b < pr.l { // matched
				j := cp[b]
				matchedDet[i], matchedPred[j] = true, true
				var margin float64
				if exact {
					margin = resolve(a, b, false)
				} else {
					margin = m.localMargin(i, j, pr.c[a][b])
				}
				res.Matched = append(res.Matched, m.match(i, j, logistic(margin)))
				continue
			}
			// Dark: how much worse is pairing it with its best candidate?
			bc := -1
			for x := 0; x < pr.l; x++ {
				if bc < 0 || pr.c[a][x] < pr.c[a][bc] {
					bc = x
				}
			}
			if exact {
				darkScore[i] = logistic(resolve(a, bc, true))
			} else {
				darkScore[i] = logistic(pr.c[a][bc] - m.missCost[cp[bc]])
			}
		}
		for b, j := range cp {
			if matchedPred[j] {
				continue
			}
			// Unseen: forced onto its best detection, how much worse?
			ba, bv := -1, math.Inf(1)
			for a := 0; a < pr.k; a++ {
				if pr.c[a][b] < bv {
					ba, bv = a, pr.c[a][b]
				}
			}
			margin := bv - m.missCost[j]
			if exact && ba >= 0 {
				margin = resolve(ba, b, true)
			}
			unseenScore[j] = m.pd[j] * logistic(margin)
		}
	}
	for i := range dets {
		if !matchedDet[i] {
			d := m.dark(i, darkScore[i])
			res.Dark = append(res.Dark, d)
			res.Events = append(res.Events, m.event(d))
		}
	}
	for j := range m.preds {
		p := &m.preds[j]
		switch {
		case matchedPred[j]:
		case !m.inside[j]:
			res.NotImaged = append(res.NotImaged, p.tr.MMSI)
		default:
			u := Unseen{MMSI: p.tr.MMSI, Name: p.tr.Name, Lat: p.lat, Lon: p.lon, FixAge: p.age, LengthM: p.tr.LengthM, Reason: m.reason[j]}
			if u.Reason == "not detected" {
				u.Score = round3(unseenScore[j])
			}
			res.NotSeen = append(res.NotSeen, u)
		}
	}
	sort.Slice(res.Matched, func(a, b int) bool { return res.Matched[a].Detection.ID < res.Matched[b].Detection.ID })
	sort.Slice(res.NotSeen, func(a, b int) bool { return res.NotSeen[a].MMSI < res.NotSeen[b].MMSI })
	sort.Slice(res.NotImaged, func(a, b int) bool { return res.NotImaged[a] < res.NotImaged[b] })
}

// localMargin approximates a pair's margin in a group too large to
// re-solve per pair: the cheapest local alternative for its detection and
// its vessel.
func (m *matcher) localMargin(i, j int, c float64) float64 {
	alt := 0 + m.missCost[j] // detection dark, vessel unseen
	for _, pi := range m.byDet[i] {
		if p := m.pairs[pi]; p.pred != j {
			alt = math.Min(alt, p.cost+m.missCost[j])
		}
	}
	for _, pi := range m.byPred[j] {
		if p := m.pairs[pi]; p.det != i {
			alt = math.Min(alt, p.cost)
		}
	}
	return alt - c
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

func (m *matcher) alternatives(i, except int) []Candidate {
	var out []Candidate
	for _, pi := range m.byDet[i] {
		p := m.pairs[pi]
		if p.pred == except {
			continue
		}
		tr := m.preds[p.pred].tr
		out = append(out, Candidate{MMSI: tr.MMSI, Name: tr.Name, DistanceM: math.Round(p.dist)})
	}
	sort.Slice(out, func(a, b int) bool { return out[a].DistanceM < out[b].DistanceM })
	if len(out) > 5 {
		out = out[:5]
	}
	return out
}

func (m *matcher) match(i, j int, score float64) Match {
	p := &m.preds[j]
	d := m.in.Detections[i]
	mt := Match{Detection: d, MMSI: p.tr.MMSI, IMO: p.tr.IMO, Name: p.tr.Name, LengthM: p.tr.LengthM,
		PredLat: p.lat, PredLon: p.lon, DistanceM: math.Round(distanceM(d.Lat, d.Lon, p.lat, p.lon)),
		FixAge: p.age, Score: round3(score)}
	if score < m.cfg.MinScore {
		mt.Ambiguous = true
		mt.Alternatives = m.alternatives(i, j)
	}
	return mt
}

func (m *matcher) dark(i int, score float64) Dark {
	return Dark{Detection: m.in.Detections[i], Score: round3(score), Candidates: m.alternatives(i, -1)}
}

// nearestRangeM bounds the search for the nearest AIS vessel named in a
// dark detection's explanation.
const nearestRangeM = 50000

// nearest finds the closest predicted AIS vessel, searching rings of grid
// cells outwards up to nearestRangeM (one ring past the first hit, so a
// closer vessel in a corner cell is not missed).
func (m *matcher) nearest(lat, lon float64) (j int, dist float64) {
	j, dist = -1, math.Inf(1)
	maxR := int32(math.Ceil(nearestRangeM / m.cell))
	for r := int32(2); ; r = min(2*r, maxR) {
		m.near(lat, lon, r, func(k int) {
			if d := distanceM(lat, lon, m.preds[k].lat, m.preds[k].lon); d < dist && d <= nearestRangeM {
				j, dist = k, d
			}
		})
		if j >= 0 || r >= maxR {
			return j, dist
		}
	}
}

func (m *matcher) params() map[string]any {
	c := m.cfg
	return map[string]any{
		"max_fix_age_s": c.MaxFixAge.Seconds(), "sigma_m": c.SigmaM, "drift_kn": c.DriftKn,
		"speed_fraction": c.SpeedFraction, "azimuth_shift_s": c.AzimuthShiftS, "gate_sigmas": c.GateSigmas,
		"max_gate_m": c.MaxGateM, "length_sigma": c.LengthSigma, "dark_density_km2": c.DarkDensityKm2,
		"detect_prob": c.DetectProb, "min_score": c.MinScore, "min_detectable_m": c.MinDetectableM,
	}
}

func (m *matcher) event(dk Dark) event.Event {
	d := dk.Detection
	s := &m.in.Scene
	var b strings.Builder
	size := "A vessel"
	if d.LengthM > 0 {
		size = fmt.Sprintf("A vessel about %.0f m long", d.LengthM)
	}
	plat := s.Platform
	if plat == "" {
		plat = "satellite"
	}
	fmt.Fprintf(&b, "%s was detected at %.4f°%s %.4f°%s in %s scene %s at %s UTC, and no AIS vessel accounts for it",
		size, math.Abs(d.Lat), ns(d.Lat), math.Abs(d.Lon), ew(d.Lon), plat, s.ID, s.Acquired.UTC().Format("2006-01-02 15:04"))
	details := map[string]any{"scene_id": s.ID, "detection_id": d.ID, "detection_source": d.Source,
		"detection_confidence": d.Confidence, "dark_score": dk.Score}
	if d.LengthM > 0 {
		details["length_m"] = d.LengthM
	}
	if j, dist := m.nearest(d.Lat, d.Lon); j >= 0 {
		p := &m.preds[j]
		name := p.tr.Name
		if name != "" {
			name = " " + name
		}
		fmt.Fprintf(&b, ": the nearest AIS vessel, MMSI %d%s, was %.1f km away at that time (fix %s from the acquisition)",
			p.tr.MMSI, name, dist/1000, p.age.Round(1e9))
		details["nearest_mmsi"] = p.tr.MMSI
		details["nearest_distance_m"] = math.Round(dist)
	} else {
		fmt.Fprintf(&b, ": no AIS vessel was within %.0f km", nearestRangeM/1000.0)
	}
	b.WriteString(".")
	if len(dk.Candidates) > 0 {
		fmt.Fprintf(&b, " %d AIS vessel(s) were within matching distance but fit other detections or fit poorly; the chance it is none of them is %.0f%%.", len(dk.Candidates), 100*dk.Score)
		details["candidates"] = dk.Candidates
	}
	return event.Event{
		Key:         event.MakeKey(Detector, event.DarkDetection, s.ID, d.ID),
		Kind:        event.DarkDetection,
		Start:       s.Acquired.UTC(),
		End:         s.Acquired.UTC(),
		Lat:         d.Lat,
		Lon:         d.Lon,
		Confidence:  round3(d.Confidence * dk.Score),
		Explanation: b.String(),
		Detector:    Detector,
		Version:     Version,
		Params:      m.params(),
		Details:     details,
	}
}

func ns(lat float64) string {
	if lat < 0 {
		return "S"
	}
	return "N"
}

func ew(lon float64) string {
	if lon < 0 {
		return "W"
	}
	return "E"
}
