package sim

import (
	"fmt"
	"math"
	"sort"
)

// Port is a place vessels call at. Lat/Lon is the port's reference point,
// where a gazetteer lists it; ships lie at the Berths, which are on water
// in the Natural Earth 1:10m coastline that internal/coast uses (so a
// moored ship never reads as "on land") and within 3 km of the reference
// point (a port-visit detector's entry radius).
type Port struct {
	Name    string  `json:"name"`
	Country string  `json:"country"` // ISO 3166-1 alpha-2
	Lat     float64 `json:"lat"`
	Lon     float64 `json:"lon"`
	Berths  []Berth `json:"berths"`
	// Gate is the sea-lane node every berth's approach leads to.
	Gate     string `json:"gate"`
	HighRisk bool   `json:"high_risk,omitempty"`
	// Background: ordinary traffic calls here.
	Background bool `json:"background,omitempty"`
}

// Berth is where a ship lies alongside, the direction of its hull, and
// the way out: Approach runs from next to the berth to the port's gate
// node (both ends excluded), clear of the coastline.
type Berth struct {
	Point
	Heading  float64 `json:"heading"`
	Approach []Point `json:"-"`
}

// Point returns the port's reference point.
func (p *Port) Point() Point { return Point{p.Lat, p.Lon} }

// defaultPorts are the ports of the founding case's region.
//
// Reference points are those of the embedded gazetteer (internal/gazetteer,
// ports.csv: public coordinates rounded to about 0.005°), so the detectors
// see each berth inside the port of the same name. Dunay's is the water off
// the Dunay (Dunai) naval facility on Strelok Bay, which RUSI's Open Source
// Centre places about 9 km south of Fokino. Berths were placed by hand on
// water of the 1:10m land polygons, which in small harbours is coarser
// than reality: a berth can be up to ~2.7 km from the real quay. The
// approaches were found by a shortest-path search on a 150 m grid of the
// same land mask and simplified (see TestPlacesOnWater for the check).
func defaultPorts() []*Port {
	return []*Port{
		{Name: "Najin", Country: "KP", Lat: 42.235, Lon: 130.300, HighRisk: true, Gate: "NAJ", Berths: []Berth{
			{Point{42.2335, 130.2995}, 20, []Point{{42.1785, 130.3090}}},
			{Point{42.2290, 130.2930}, 25, []Point{{42.1785, 130.3100}}},
			{Point{42.2255, 130.3030}, 15, []Point{{42.1785, 130.3080}}},
		}},
		{Name: "Dunay", Country: "RU", Lat: 42.890, Lon: 132.365, Gate: "STR", Berths: []Berth{
			{Point{42.8885, 132.3700}, 160, nil},
			{Point{42.8860, 132.3680}, 160, []Point{{42.8520, 132.3590}}},
		}},
		{Name: "Vostochny", Country: "RU", Lat: 42.750, Lon: 133.055, Gate: "NAK", Background: true, Berths: []Berth{
			{Point{42.7505, 133.0560}, 80, []Point{{42.7305, 132.9995}}},
			{Point{42.7520, 133.0450}, 90, []Point{{42.7155, 132.9845}}},
			{Point{42.7450, 133.0650}, 60, []Point{{42.7425, 133.0115}, {42.6795, 132.9605}}},
		}},
		{Name: "Nakhodka", Country: "RU", Lat: 42.800, Lon: 132.900, Gate: "NAK", Background: true, Berths: []Berth{
			{Point{42.8020, 132.9050}, 0, nil},
			{Point{42.7950, 132.9100}, 10, nil},
			{Point{42.8100, 132.9000}, 30, nil},
		}},
		{Name: "Vladivostok", Country: "RU", Lat: 43.100, Lon: 131.890, Gate: "USS", Background: true, Berths: []Berth{
			{Point{43.0995, 131.8950}, 100, []Point{{43.0835, 131.8820}}},
			{Point{43.0955, 131.8900}, 90, []Point{{43.0820, 131.8830}}},
			{Point{43.1050, 131.9000}, 120, []Point{{43.0835, 131.8825}}},
		}},
		{Name: "Zarubino", Country: "RU", Lat: 42.640, Lon: 131.045, Gate: "PGG_SW", Background: true, Berths: []Berth{
			{Point{42.6410, 131.0450}, 90, nil},
			{Point{42.6395, 131.0580}, 90, nil},
		}},
		{Name: "Posyet", Country: "RU", Lat: 42.650, Lon: 130.805, Gate: "PGG_SW", Background: true, Berths: []Berth{
			{Point{42.6495, 130.8060}, 45, []Point{{42.6260, 130.8200}}},
			{Point{42.6535, 130.8200}, 45, []Point{{42.6290, 130.8145}}},
		}},
		{Name: "Busan", Country: "KR", Lat: 35.100, Lon: 129.050, Gate: "KS", Background: true, Berths: []Berth{
			{Point{35.0960, 129.0560}, 30, nil},
			{Point{35.0900, 129.0640}, 40, nil},
			{Point{35.1035, 129.0600}, 30, nil},
		}},
		{Name: "Ulsan", Country: "KR", Lat: 35.500, Lon: 129.390, Gate: "ULS", Background: true, Berths: []Berth{
			{Point{35.4940, 129.4000}, 0, []Point{{35.4690, 129.4140}}},
			{Point{35.5050, 129.3940}, 20, []Point{{35.4680, 129.4140}}},
		}},
		{Name: "Niigata", Country: "JP", Lat: 37.950, Lon: 139.060, Gate: "NIIG", Background: true, Berths: []Berth{
			{Point{37.9600, 139.0800}, 40, nil},
			{Point{37.9570, 139.0720}, 40, nil},
		}},
		{Name: "Dalian", Country: "CN", Lat: 38.930, Lon: 121.660, Gate: "DAL", Background: true, Berths: []Berth{
			{Point{38.9350, 121.6650}, 90, nil},
			{Point{38.9400, 121.6800}, 90, nil},
		}},
	}
}

// seaNodes are the sea-lane graph's nodes: open-water points between which
// great-circle legs stay clear of land.
var seaNodes = map[string]Point{
	"NAJ": {42.180, 130.600},
	// NAJ_OFF lies on the great circle from PGG_SW to Najin (the
	// gazetteer's point, 42.235 N 130.300 E), 40 km (22 nm) short of it,
	// off the mouth of the Tumen where Russian and North Korean waters
	// meet: the simulated ships switch AIS off and on a little east of it,
	// on a course that points at Najin.
	"NAJ_OFF":   {42.3465, 130.7623},
	"PGG_SW":    {42.450, 131.200},
	"PGG_S":     {42.380, 131.700},
	"PGG_C":     {42.680, 131.950},
	"USS":       {42.900, 132.080},
	"STR":       {42.760, 132.330},
	"NAK":       {42.640, 132.960},
	"OFF_KR1":   {41.300, 131.250},
	"SEA_N":     {41.900, 133.600},
	"SEA_C":     {40.000, 134.500},
	"LANE_KR":   {38.300, 130.300},
	"DONGHAE_O": {37.500, 129.500},
	"ULS":       {35.550, 129.750},
	"KS":        {34.950, 129.250},
	"KS_S":      {34.150, 128.850},
	"JEJU_S":    {32.900, 126.600},
	"YS_S":      {33.700, 124.800},
	"YS_C":      {35.200, 123.000},
	"YS_N":      {37.600, 123.200},
	"DAL":       {38.700, 121.950},
	"JP1":       {36.300, 132.000},
	"JP2":       {37.650, 136.000},
	"NIIG_SW":   {37.700, 137.900},
	"SADO_S":    {37.720, 138.600},
	"NIIG_N":    {38.600, 138.400},
	"NIIG":      {38.050, 138.950},
}

// seaEdges are the lanes; each is sailed in either direction. Najin's
// gate connects only through NAJ_OFF, so no ordinary route passes Najin.
var seaEdges = [][2]string{
	{"NAJ", "NAJ_OFF"}, {"NAJ_OFF", "PGG_SW"},
	{"PGG_SW", "PGG_S"}, {"PGG_S", "PGG_C"}, {"PGG_C", "USS"},
	{"PGG_C", "STR"}, {"STR", "NAK"}, {"PGG_C", "NAK"}, {"NAK", "SEA_N"},
	{"PGG_S", "OFF_KR1"}, {"OFF_KR1", "LANE_KR"}, {"PGG_C", "SEA_N"},
	{"LANE_KR", "DONGHAE_O"}, {"DONGHAE_O", "ULS"}, {"ULS", "KS"}, {"KS", "KS_S"},
	{"KS_S", "JEJU_S"}, {"JEJU_S", "YS_S"}, {"YS_S", "YS_C"}, {"YS_C", "YS_N"}, {"YS_N", "DAL"},
	{"SEA_N", "SEA_C"}, {"SEA_C", "NIIG_N"}, {"NIIG_N", "NIIG"},
	{"ULS", "JP1"}, {"JP1", "JP2"}, {"JP2", "NIIG_SW"}, {"NIIG_SW", "SADO_S"}, {"SADO_S", "NIIG"},
	{"SEA_C", "JP2"}, {"LANE_KR", "SEA_C"},
}

// Places is the port table and the sea-lane graph a scenario sails on.
type Places struct {
	ports map[string]*Port
	names []string
	adj   map[string][]string
}

// NewPlaces returns the default places: the ports of the founding case's
// region and the sea lanes between them.
func NewPlaces() *Places {
	pl := &Places{ports: map[string]*Port{}, adj: map[string][]string{}}
	for _, p := range defaultPorts() {
		pl.ports[p.Name] = p
		pl.names = append(pl.names, p.Name)
	}
	sort.Strings(pl.names)
	for _, e := range seaEdges {
		pl.adj[e[0]] = append(pl.adj[e[0]], e[1])
		pl.adj[e[1]] = append(pl.adj[e[1]], e[0])
	}
	for k := range pl.adj {
		sort.Strings(pl.adj[k])
	}
	return pl
}

// Port returns the named port, or nil.
func (pl *Places) Port(name string) *Port { return pl.ports[name] }

// Ports returns every port, sorted by name.
func (pl *Places) Ports() []*Port {
	out := make([]*Port, len(pl.names))
	for i, n := range pl.names {
		out[i] = pl.ports[n]
	}
	return out
}

// Node returns a sea-lane node's position.
func (pl *Places) Node(name string) (Point, bool) {
	p, ok := seaNodes[name]
	return p, ok
}

// lanePath is the shortest path between two sea nodes, node positions
// included at both ends.
func (pl *Places) lanePath(from, to string) ([]Point, error) {
	names, err := pl.laneNodes(from, to)
	if err != nil {
		return nil, err
	}
	out := make([]Point, len(names))
	for i, n := range names {
		out[i] = seaNodes[n]
	}
	return out, nil
}

// laneNodes is the shortest path between two sea nodes, by name.
func (pl *Places) laneNodes(from, to string) ([]string, error) {
	if _, ok := seaNodes[from]; !ok {
		return nil, fmt.Errorf("sim: unknown sea node %q", from)
	}
	if _, ok := seaNodes[to]; !ok {
		return nil, fmt.Errorf("sim: unknown sea node %q", to)
	}
	dist := map[string]float64{from: 0}
	prev := map[string]string{}
	done := map[string]bool{}
	for {
		// Small graph: a linear scan for the nearest open node is enough,
		// and iterating names in sorted order keeps ties deterministic.
		cur, best := "", math.Inf(1)
		for _, n := range sortedKeys(dist) {
			if !done[n] && dist[n] < best {
				cur, best = n, dist[n]
			}
		}
		if cur == "" {
			return nil, fmt.Errorf("sim: no sea lane from %s to %s", from, to)
		}
		if cur == to {
			break
		}
		done[cur] = true
		for _, nb := range pl.adj[cur] {
			d := best + distM(seaNodes[cur], seaNodes[nb])
			if old, ok := dist[nb]; !ok || d < old {
				dist[nb] = d
				prev[nb] = cur
			}
		}
	}
	var rev []string
	for n := to; ; n = prev[n] {
		rev = append(rev, n)
		if n == from {
			break
		}
	}
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	return rev, nil
}

func sortedKeys(m map[string]float64) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// berth returns berth i of a port (modulo their number).
func (p *Port) berth(i int) *Berth { return &p.Berths[i%len(p.Berths)] }

// Route is the path from a berth of one port to a berth of another: out
// along the first berth's approach, along the sea lanes, and in along the
// second's. The first point is the departure berth, the last the
// destination berth.
func (pl *Places) Route(from string, fromBerth int, to string, toBerth int) ([]Point, error) {
	a, b := pl.ports[from], pl.ports[to]
	if a == nil {
		return nil, fmt.Errorf("sim: unknown port %q", from)
	}
	if b == nil {
		return nil, fmt.Errorf("sim: unknown port %q", to)
	}
	lanes, err := pl.lanePath(a.Gate, b.Gate)
	if err != nil {
		return nil, err
	}
	ab, bb := a.berth(fromBerth), b.berth(toBerth)
	path := []Point{ab.Point}
	path = append(path, ab.Approach...)
	path = append(path, lanes...)
	path = append(path, reversed(bb.Approach)...)
	path = append(path, bb.Point)
	return dedupe(path), nil
}

// RouteFromNode is the path from a sea node to a port's berth.
func (pl *Places) RouteFromNode(node string, to string, toBerth int) ([]Point, error) {
	b := pl.ports[to]
	if b == nil {
		return nil, fmt.Errorf("sim: unknown port %q", to)
	}
	lanes, err := pl.lanePath(node, b.Gate)
	if err != nil {
		return nil, err
	}
	bb := b.berth(toBerth)
	path := append(lanes, reversed(bb.Approach)...)
	path = append(path, bb.Point)
	return dedupe(path), nil
}

// RouteToNode is the path from a port's berth out to a sea node.
func (pl *Places) RouteToNode(from string, fromBerth int, node string) ([]Point, error) {
	a := pl.ports[from]
	if a == nil {
		return nil, fmt.Errorf("sim: unknown port %q", from)
	}
	lanes, err := pl.lanePath(a.Gate, node)
	if err != nil {
		return nil, err
	}
	ab := a.berth(fromBerth)
	path := []Point{ab.Point}
	path = append(path, ab.Approach...)
	path = append(path, lanes...)
	return dedupe(path), nil
}

// dedupe drops consecutive points closer than a metre.
func dedupe(p []Point) []Point {
	out := p[:0:0]
	for _, q := range p {
		if len(out) > 0 && distM(out[len(out)-1], q) < 1 {
			continue
		}
		out = append(out, q)
	}
	return out
}
