package detect

import (
	"math"

	"github.com/lookout-maritime/lookout/internal/coast"
	"github.com/lookout-maritime/lookout/internal/geo"
)

// Most fixes are at sea, away from every port and from land, and a
// vessel's next fix is close to its last. Asking the gazetteer and the
// land mask for every fix was a third of the detectors' time, so each
// vessel remembers where the answer "no port, no land" holds for certain
// (seaCache) and asks again only when a fix leaves that area. The cache
// changes no result: a fix inside the area gets exactly the answer the
// lookups would have given.

// portClearMarginKm is how far beyond PortVisit.SearchKm a lookup made
// outside a port searches, so that when it finds no port to enter it can
// vouch for a circle of up to this radius around the fix.
const portClearMarginKm = 20

// seaCache is a vessel's area with no port to enter, and the region of
// the land mask around its last fix where the fix's land or water answer
// holds.
type seaCache struct {
	port    geo.Point // centre of the circle with no port entry radius in it
	portKm  float64   // its radius; 0: no circle
	portGen uint64    // the Ports' Generation the circle was found in
	land    coast.Region
	landOK  bool // land is a region (see coast.Mask.Cell)
	onLand  bool // and it is land
}

type marginRegion struct {
	r      coast.Region
	ok     bool
	onLand bool
}

// generationer is a Ports whose places can change while the engine runs
// (internal/gazetteer): a change drops the remembered circles.
type generationer interface{ Generation() uint64 }

// cellShore is a Shore that can vouch for a region around a point while
// it tests the point (internal/coast.Mask).
type cellShore interface {
	Cell(lat, lon float64) (land bool, r coast.Region, ok bool)
}

func (e *Engine) portsGen() uint64 {
	if g, ok := e.deps.Ports.(generationer); ok {
		return g.Generation()
	}
	return 0
}

// portToEnter is nearestPort for a vessel outside any port, skipping the
// lookup while the vessel stays in a circle known to hold no port to enter.
func (e *Engine) portToEnter(v *vstate, f fix) *Place {
	c := &v.sea
	gen := e.portsGen()
	if c.portKm > 0 && c.portGen == gen && c.port.DistanceBoundM(f.lat, f.lon) < c.portKm*1000 {
		return nil
	}
	best, _, clearKm := e.portsAround(f, portClearMarginKm)
	c.portKm = 0
	if best == nil && clearKm > 1e-3 {
		// Less a millimetre for rounding in the distances compared.
		c.port, c.portKm, c.portGen = geo.At(f.lat, f.lon), clearKm-1e-6, gen
	}
	return best
}

// portsAround finds the nearest port whose entry radius holds f (ties by
// name) and its distance, searching marginKm beyond SearchKm; clearKm is
// how far f may move before any port's entry radius could hold it (at
// most marginKm).
func (e *Engine) portsAround(f fix, marginKm float64) (best *Place, bestD, clearKm float64) {
	search := e.cfg.PortVisit.SearchKm
	bestD, clearKm = math.Inf(1), marginKm
	hits := e.deps.Ports.Within(f.lat, f.lon, search+marginKm)
	for i := range hits {
		p := &hits[i]
		d := distKm(f, fix{lat: p.Lat, lon: p.Lon})
		// A port counts where both the search and its entry radius reach.
		reach := math.Min(e.entryKm(p), search)
		if d <= reach && (d < bestD || d == bestD && p.Name < best.Name) {
			best, bestD = p, d
		}
		clearKm = math.Min(clearKm, d-reach)
	}
	return best, bestD, clearKm
}

// inlandAt is inland, skipping the lookups while the vessel stays in the
// regions around earlier points where the answers hold: the fix's own
// (at sea nothing more is asked) and, on land, those of the points
// LandMarginKm around it.
func (e *Engine) inlandAt(v *vstate, f fix) bool {
	cs, ok := e.deps.Shore.(cellShore)
	if !ok {
		return e.inland(f)
	}
	c := &v.sea
	if !c.landOK || !c.land.Contains(f.lat, f.lon) {
		c.onLand, c.land, c.landOK = cs.Cell(f.lat, f.lon)
	}
	if !c.onLand {
		return false
	}
	return e.marginOnLand(f, func(i int, lat, lon float64) bool {
		if c.landOK && c.land.Contains(lat, lon) {
			return true // in the fix's own region, on land
		}
		m := &v.margin[i]
		if !m.ok || !m.r.Contains(lat, lon) {
			m.onLand, m.r, m.ok = cs.Cell(lat, lon)
		}
		return m.onLand
	})
}
