// Package gazetteer holds the ports, anchorages, terminals and named zones
// Lookout's detectors and maps refer to: an embedded table (ports.csv, its
// sources named in SOURCE.md) that covers the founding case around Rason,
// Primorye and the Sea of Japan in detail and the world's major ports, plus
// the user's own GeoJSON and CSV files.
//
// A Gazetteer answers the detectors' "which ports are near this fix?"
// (Within, a grid index cheap enough for every AIS position, correct across
// the antimeridian and near the poles), looks places up by name or alias
// whatever their case and diacritics (Lookup), lists polygon zones for
// geofence events (Zones) and draws everything as GeoJSON (GeoJSON).
package gazetteer

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/lookout-maritime/lookout/internal/detect"
)

// Kind is what a place is.
type Kind string

// The kinds of place. A zone is an area for geofence events, never a port:
// Within does not return zones.
const (
	Port      Kind = "port"
	Anchorage Kind = "anchorage"
	Terminal  Kind = "terminal"
	Zone      Kind = "zone"
)

// ParseKind reads a kind; the empty string is a port.
func ParseKind(s string) (Kind, error) {
	switch k := Kind(strings.ToLower(strings.TrimSpace(s))); k {
	case "":
		return Port, nil
	case Port, Anchorage, Terminal, Zone:
		return k, nil
	}
	return "", fmt.Errorf("%w %q (want port, anchorage, terminal or zone)", ErrKind, s)
}

// MaxRadiusKm bounds a place's radius: larger "ports" are regions, and the
// detectors search only so far around a fix (detect's SearchKm).
const MaxRadiusKm = 50

// Place is one entry of the gazetteer.
type Place struct {
	// ID is unique in a Gazetteer: the embedded rows use
	// "<country>-<name>" (e.g. "kp-najin"); user rows without an id get
	// one made the same way.
	ID      string
	Name    string
	Aliases []string // other names and spellings (Rajin, Rason, ...)
	Country string   // ISO 3166-1 alpha-2, upper case; empty if unknown
	Locode  string   // UN/LOCODE (5 characters, e.g. "RUVVO") when known
	Kind    Kind
	// Lat, Lon is the reference point: where a port visit is measured
	// from. For a place with polygons it is their centroid.
	Lat, Lon float64
	// RadiusKm is the place's own extent around the reference point; the
	// detectors count an entry within max(3 km, RadiusKm). For a polygon
	// place it covers every vertex.
	RadiusKm float64
	// Polygons are the outer rings of the place's area as [lat, lon]
	// vertices (the closing vertex dropped), one per part of a
	// MultiPolygon. Longitudes within a ring are continuous: a ring across
	// the antimeridian runs past ±180 rather than jumping. Nil for a point.
	Polygons [][][2]float64
	HighRisk bool
	// Source names where the coordinates come from (see SOURCE.md for
	// the embedded table); Origin is "embedded" or the user file's path.
	Source string
	Origin string
}

// IsZone reports whether p is a geofence zone rather than a port.
func (p *Place) IsZone() bool { return p.Kind == Zone }

// Detect is p as the detectors see it.
func (p *Place) Detect() detect.Place {
	return detect.Place{Name: p.Name, Country: p.Country, Lat: p.Lat, Lon: p.Lon, RadiusKm: p.RadiusKm, HighRisk: p.HighRisk}
}

// clone copies p's slices so a Gazetteer never shares them with callers.
func (p Place) clone() Place {
	p.Aliases = slices.Clone(p.Aliases)
	if p.Polygons != nil {
		ps := make([][][2]float64, len(p.Polygons))
		for i, r := range p.Polygons {
			ps[i] = slices.Clone(r)
		}
		p.Polygons = ps
	}
	return p
}

// Sentinel errors, wrapped with the file, line or feature and field.
var (
	ErrSyntax   = errors.New("gazetteer: syntax error")
	ErrMissing  = errors.New("gazetteer: missing value")
	ErrRange    = errors.New("gazetteer: value out of range")
	ErrKind     = errors.New("gazetteer: unknown kind")
	ErrCountry  = errors.New("gazetteer: bad country code")
	ErrGeometry = errors.New("gazetteer: bad geometry")
	ErrFormat   = errors.New("gazetteer: unknown file format")
)

// Gazetteer is a set of places with the indexes to query them. Queries are
// lock-free and safe for concurrent use, also while Add or SetHighRisk run
// (they see the places before or after the change, never half of it).
type Gazetteer struct {
	mu   sync.Mutex // serialises writers
	snap atomic.Pointer[snapshot]
}

// snapshot is an immutable state of the gazetteer.
type snapshot struct {
	places []Place          // sorted by ID
	byKey  map[string][]int // folded name, alias, id, locode → places
	ports  []detect.Place   // the non-zone places, as the detectors see them
	grid   grid             // over ports
	zones  []detect.Zone
	maxR   float64
	gen    uint64 // counts the changes (see Generation)
}

// New returns a gazetteer of the given places (later ones override earlier
// ones as Add does).
func New(places ...Place) *Gazetteer {
	g := &Gazetteer{}
	g.store(build(nil))
	g.Add(places...)
	return g
}

// Default returns a new gazetteer of the embedded places. Each call returns
// a gazetteer of its own, so one caller's Add does not reach another.
func Default() (*Gazetteer, error) {
	ps, err := Embedded()
	if err != nil {
		return nil, err
	}
	return New(ps...), nil
}

// Add inserts places, replacing an existing place with the same ID or the
// same name (folded) in the same country (or where either country is
// unknown): a user's "Najin" overrides the embedded one. It returns how
// many existing places were replaced. Places are validated as the file
// parsers do; Add drops and reports invalid ones.
func (g *Gazetteer) Add(places ...Place) (replaced int, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	cur := g.snap.Load().places
	out := slices.Clone(cur)
	alive := make([]bool, len(out), len(out)+len(places))
	byID := make(map[string]int, len(out)+len(places))
	byName := make(map[string][]int, len(out)+len(places))
	for i := range out {
		alive[i] = true
		byID[out[i].ID] = i
		k := fold(out[i].Name)
		byName[k] = append(byName[k], i)
	}
	var errs []error
	for _, p := range places {
		p = p.clone()
		if err := normalise(&p); err != nil {
			errs = append(errs, fmt.Errorf("gazetteer: place %q: %w", p.Name, err))
			continue
		}
		k := fold(p.Name)
		if i, ok := byID[p.ID]; ok && alive[i] {
			alive[i] = false
			replaced++
		}
		for _, i := range byName[k] {
			if alive[i] && overrides(&p, &out[i]) {
				alive[i] = false
				replaced++
			}
		}
		byID[p.ID] = len(out)
		byName[k] = append(byName[k], len(out))
		out = append(out, p)
		alive = append(alive, true)
	}
	kept := out[:0]
	for i := range out {
		if alive[i] {
			kept = append(kept, out[i])
		}
	}
	// Two user places may share an ID they did not choose (same name in
	// two countries, say); keep IDs unique by suffixing.
	g.store(build(uniqueIDs(kept)))
	return replaced, errors.Join(errs...)
}

// overrides reports whether the new place p replaces the existing q.
func overrides(p, q *Place) bool {
	if p.ID == q.ID {
		return true
	}
	if fold(p.Name) != fold(q.Name) {
		return false
	}
	return p.Country == "" || q.Country == "" || p.Country == q.Country
}

func uniqueIDs(ps []Place) []Place {
	seen := make(map[string]int, len(ps))
	for i := range ps {
		id := ps[i].ID
		if n := seen[id]; n > 0 {
			for {
				n++
				cand := fmt.Sprintf("%s-%d", id, n)
				if _, dup := seen[cand]; !dup {
					seen[id] = n
					ps[i].ID = cand
					seen[cand] = 1
					break
				}
			}
			continue
		}
		seen[id] = 1
	}
	return ps
}

// SetHighRisk flags (or unflags) the place named name (by name, alias, ID
// or UN/LOCODE) as high-risk: dark port visit candidates that are high
// risk are flagged and preferred. It returns how many places changed, 0
// with an error when no place has that name.
func (g *Gazetteer) SetHighRisk(name string, high bool) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	s := g.snap.Load()
	idx := s.byKey[fold(name)]
	if len(idx) == 0 {
		return 0, fmt.Errorf("gazetteer: no place named %q", name)
	}
	out := slices.Clone(s.places)
	for _, i := range idx {
		out[i].HighRisk = high
	}
	g.store(build(out))
	return len(idx), nil
}

// store makes s the current state; the caller holds mu (or is New).
func (g *Gazetteer) store(s *snapshot) {
	if old := g.snap.Load(); old != nil {
		s.gen = old.gen + 1
	}
	g.snap.Store(s)
}

// Generation changes whenever the places change (Add, SetHighRisk). The
// detectors remember which places are near a vessel and ask again when it
// changes.
func (g *Gazetteer) Generation() uint64 { return g.snap.Load().gen }

// build indexes places (taking ownership of the slice).
func build(places []Place) *snapshot {
	slices.SortFunc(places, func(a, b Place) int { return cmp.Compare(a.ID, b.ID) })
	s := &snapshot{places: places, byKey: map[string][]int{}}
	add := func(k string, i int) {
		if k = fold(k); k != "" && !slices.Contains(s.byKey[k], i) {
			s.byKey[k] = append(s.byKey[k], i)
		}
	}
	for i := range places {
		p := &places[i]
		add(p.ID, i)
		add(p.Name, i)
		add(p.Locode, i)
		for _, a := range p.Aliases {
			add(a, i)
		}
		if p.IsZone() {
			for _, r := range p.Polygons {
				s.zones = append(s.zones, detect.Zone{Name: p.Name, Polygon: slices.Clone(r)})
			}
			continue
		}
		s.ports = append(s.ports, p.Detect())
		s.maxR = math.Max(s.maxR, p.RadiusKm)
	}
	s.grid = newGrid(s.ports)
	return s
}

// Len is the number of places.
func (g *Gazetteer) Len() int { return len(g.snap.Load().places) }

// All returns every place, sorted by ID (copies: changing them does not
// change the gazetteer).
func (g *Gazetteer) All() []Place {
	ps := g.snap.Load().places
	out := make([]Place, len(ps))
	for i := range ps {
		out[i] = ps[i].clone()
	}
	return out
}

// Lookup returns the place called name: by name, alias, ID or UN/LOCODE,
// ignoring case, diacritics, spaces and punctuation ("RAJIN", "Rajin-Sonbong",
// "Bol'shoy Kamen"). When several places answer to it, a place whose own
// name matches beats one matching by alias, then the lowest ID wins; use
// LookupAll to see them all.
func (g *Gazetteer) Lookup(name string) (Place, bool) {
	all := g.LookupAll(name)
	if len(all) == 0 {
		return Place{}, false
	}
	k := fold(name)
	for _, p := range all {
		if fold(p.Name) == k {
			return p, true
		}
	}
	return all[0], true
}

// LookupAll returns every place answering to name (see Lookup), by ID.
func (g *Gazetteer) LookupAll(name string) []Place {
	s := g.snap.Load()
	idx := s.byKey[fold(name)]
	out := make([]Place, 0, len(idx))
	for _, i := range idx {
		out = append(out, s.places[i].clone())
	}
	return out
}

// Within returns the ports, anchorages and terminals whose reference point
// is at most km from (lat, lon) (great circle), in a fixed order. It
// satisfies detect.Ports. Zones are not returned (see Zones).
func (g *Gazetteer) Within(lat, lon, km float64) []detect.Place {
	s := g.snap.Load()
	return s.grid.within(s.ports, lat, lon, km)
}

// MaxRadiusKm is the largest radius of a port in the gazetteer: the
// detectors must search at least this far around a fix (detect's
// PortVisit.SearchKm) to see every port whose extent covers it.
func (g *Gazetteer) MaxRadiusKm() float64 { return g.snap.Load().maxR }

// Zones returns the zone places' polygons for geofence events, one per
// polygon part (parts of one zone share its name).
func (g *Gazetteer) Zones() []detect.Zone {
	zs := g.snap.Load().zones
	out := make([]detect.Zone, len(zs))
	for i, z := range zs {
		out[i] = detect.Zone{Name: z.Name, Polygon: slices.Clone(z.Polygon)}
	}
	return out
}

// HighRisk returns the high-risk places, by ID.
func (g *Gazetteer) HighRisk() []Place {
	var out []Place
	for _, p := range g.snap.Load().places {
		if p.HighRisk {
			out = append(out, p.clone())
		}
	}
	return out
}

var _ detect.Ports = (*Gazetteer)(nil)
