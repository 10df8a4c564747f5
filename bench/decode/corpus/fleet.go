package corpus

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// area is a busy sea area. Vessels stay inside their area's box (they turn
// back at its edge), so tracks stay plausible for the whole run.
type area struct {
	name                   string
	minLat, maxLat         float64
	minLon, maxLon         float64
	mids                   []uint32 // flags (Maritime Identification Digits) common there
	stations               []string // receiver names for tag blocks
	destinations           []string
	baseMID                uint32 // MID of the coast state's base stations and AtoNs
	classBShare, moorShare float64
}

var areas = []area{
	{"Danish Straits", 54.5, 57.8, 9.5, 13.0, []uint32{219, 220, 211, 265, 257, 230, 273, 636, 538}, []string{"2190047", "2190061", "2190074"},
		[]string{"GOTHENBURG", "AARHUS", "KIEL", "ST PETERSBURG", "GDANSK", "SKAGEN FOR ORDERS"}, 219, 0.2, 0.25},
	{"Southern North Sea", 51.0, 53.8, 1.5, 4.8, []uint32{244, 245, 246, 205, 235, 232, 211, 636, 538, 477}, []string{"rNL-HVH", "rNL-TEX", "rBE-OST"},
		[]string{"NLRTM", "ROTTERDAM", "ANTWERP", "FELIXSTOWE", "HAMBURG", "AMSTERDAM"}, 244, 0.15, 0.3},
	{"Singapore Strait", 1.05, 1.45, 103.45, 104.45, []uint32{563, 564, 565, 566, 533, 525, 477, 370, 371, 352, 636, 538}, []string{"rSG-0001", "rSG-0002"},
		[]string{"SINGAPORE", "SG SIN", "PORT KLANG", "JAKARTA", "OPL EAST", "HONG KONG"}, 563, 0.05, 0.4},
	{"Yellow Sea", 34.0, 39.5, 119.5, 126.5, []uint32{412, 413, 414, 440, 441, 445, 477, 351, 352, 353, 511, 667, 341}, []string{"rCN-DL01", "rKR-IC02", "SAT-LEO1"},
		[]string{"DALIAN", "QINGDAO", "INCHEON", "NAMPO", "TIANJIN", "LONGKOU", "NAJIN"}, 440, 0.05, 0.3},
	{"Gulf of Mexico", 27.0, 30.2, -95.5, -88.0, []uint32{366, 367, 368, 369, 538, 636, 255, 311}, []string{"USCG-NAIS-HOU", "USCG-NAIS-NOLA"},
		[]string{"HOUSTON", "US HOU", "NEW ORLEANS", "CORPUS CHRISTI", "GALVESTON", "OFFSHORE"}, 366, 0.25, 0.35},
}

// vessel is one transmitting station and its motion state. Positions are in
// degrees, speed in knots and course in degrees; t is the time of its last
// report in seconds from the corpus start.
type vessel struct {
	mmsi     uint32
	area     *area
	lat, lon float64
	sog, cog float64
	heading  int  // offset of the heading from the course, or -1 when not available
	rot      bool // has a rate-of-turn indicator
	status   uint8
	t        float64

	// identity, for types 5, 19 and 24
	imo                                 uint32
	name, callSign, destination         string
	shipType                            uint8
	toBow, toStern, toPort, toStarboard uint16
	draught                             uint8
	vendor                              string
	serial                              uint32
}

// fleet is every station in the corpus, grouped by what it transmits.
type fleet struct {
	classA, classB, baseStations, atons []*vessel
}

func newFleet(r *rand.Rand, nClassA, nClassB int) *fleet {
	f := &fleet{}
	used := map[uint32]bool{}
	// mmsi draws an unused ship MMSI (MIDxxxxxx) with one of the area's flags,
	// or a coast station's: 00MIDxxxx for base stations (prefix 0) and
	// 99MIDxxxx for aids to navigation (prefix 99), MID being the coast state's.
	mmsi := func(a *area, coast bool, prefix uint32) uint32 {
		for {
			m := a.mids[r.IntN(len(a.mids))]*1_000_000 + r.Uint32N(1_000_000)
			if coast {
				m = prefix*10_000_000 + a.baseMID*10_000 + r.Uint32N(10_000)
			}
			if !used[m] {
				used[m] = true
				return m
			}
		}
	}
	for i := 0; i < nClassA; i++ {
		a := &areas[r.IntN(len(areas))]
		v := newVessel(r, a, mmsi(a, false, 0))
		v.imo = imoNumber(r)
		v.callSign = callSign(r)
		v.name = shipName(r)
		v.destination = a.destinations[r.IntN(len(a.destinations))]
		v.shipType = []uint8{70, 70, 70, 71, 79, 80, 80, 81, 84, 89, 60, 69, 52, 30, 31}[r.IntN(15)]
		length := 80 + r.IntN(250)
		beam := length/7 + r.IntN(8)
		v.toBow, v.toStern = uint16(length*2/3), uint16(length-length*2/3)
		v.toPort, v.toStarboard = uint16(beam/2), uint16(beam-beam/2)
		v.draught = uint8(40 + r.IntN(150))
		v.rot = r.Float64() < 0.7
		f.classA = append(f.classA, v)
	}
	for i := 0; i < nClassB; i++ {
		a := &areas[r.IntN(len(areas))]
		v := newVessel(r, a, mmsi(a, false, 0))
		v.sog = min(v.sog, 8)
		v.heading = -1 // most Class B units have no heading sensor
		v.name = shipName(r)
		v.callSign = callSign(r)
		v.shipType = []uint8{36, 37, 37, 37, 30, 52}[r.IntN(6)]
		length := 6 + r.IntN(20)
		v.toBow, v.toStern = uint16(length/2), uint16(length-length/2)
		v.toPort, v.toStarboard = 2, 2
		v.vendor = []string{"SRT", "TRU", "CML", "GRM", "VSP"}[r.IntN(5)]
		v.serial = r.Uint32N(1 << 20)
		f.classB = append(f.classB, v)
	}
	// Coast states run a few base stations and aids to navigation per area:
	// 00MIDxxxx and 99MIDxxxx.
	for i := range areas {
		a := &areas[i]
		for j := 0; j < 4; j++ {
			v := newVessel(r, a, mmsi(a, true, 0))
			v.sog = 0
			f.baseStations = append(f.baseStations, v)
		}
		for j := 0; j < 12; j++ {
			v := newVessel(r, a, mmsi(a, true, 99))
			v.sog = 0
			v.name = fmt.Sprintf("%s %d", []string{"LANBY", "BUOY", "LIGHT", "BEACON", "WRECK BUOY"}[r.IntN(5)], 1+r.IntN(60))
			v.shipType = uint8(1 + r.IntN(30)) // aid type
			f.atons = append(f.atons, v)
		}
	}
	return f
}

func newVessel(r *rand.Rand, a *area, mmsi uint32) *vessel {
	v := &vessel{
		mmsi: mmsi,
		area: a,
		lat:  a.minLat + r.Float64()*(a.maxLat-a.minLat),
		lon:  a.minLon + r.Float64()*(a.maxLon-a.minLon),
		cog:  r.Float64() * 360,
		sog:  6 + r.Float64()*14,
	}
	v.heading = r.IntN(7) - 3
	switch x := r.Float64(); {
	case x < a.moorShare*0.6:
		v.status, v.sog = 5, 0 // moored
	case x < a.moorShare:
		v.status, v.sog = 1, 0.1 // at anchor, swinging
	case x < a.moorShare+0.03:
		v.status = 7 // fishing
		v.sog = 2 + r.Float64()*3
	}
	return v
}

// advance moves v to time t: dead reckoning with a small random walk of
// course and speed, turning back at the area's edge.
func (v *vessel) advance(r *rand.Rand, t float64) {
	dt := (t - v.t) / 3600 // hours
	v.t = t
	if v.sog < 0.5 {
		return
	}
	v.cog = math.Mod(v.cog+r.NormFloat64()*2+360, 360)
	v.sog = math.Max(0.5, math.Min(25, v.sog+r.NormFloat64()*0.1))
	nm := v.sog * dt
	rad := v.cog * math.Pi / 180
	v.lat += nm * math.Cos(rad) / 60
	v.lon += nm * math.Sin(rad) / (60 * math.Cos(v.lat*math.Pi/180))
	a := v.area
	if v.lat < a.minLat || v.lat > a.maxLat || v.lon < a.minLon || v.lon > a.maxLon {
		v.lat = math.Max(a.minLat, math.Min(a.maxLat, v.lat))
		v.lon = math.Max(a.minLon, math.Min(a.maxLon, v.lon))
		v.cog = math.Mod(v.cog+180, 360)
	}
}

// imoNumber returns a seven-digit IMO number with a valid check digit.
func imoNumber(r *rand.Rand) uint32 {
	n := 900_000 + r.Uint32N(99_999) // 9000000-9999999 like ships built since the 1980s
	d, sum := n, uint32(0)
	for w := uint32(2); w <= 7; w++ {
		sum += d % 10 * w
		d /= 10
	}
	return n*10 + sum%10
}

var (
	nameWords = []string{"NORD", "SEA", "OCEAN", "STAR", "ATLANTIC", "PACIFIC", "GOLDEN", "BLUE", "ORIENT",
		"EVER", "MAERSK", "CMA CGM", "MSC", "COSCO", "HANJIN", "STENA", "FORTUNE", "GRACE", "PIONEER",
		"SPIRIT", "HORIZON", "EXPRESS", "TRADER", "VOYAGER", "GLORY", "LUCKY", "HARMONY", "PHOENIX"}
	nameTails = []string{"", "", " I", " II", " 1", " 7", " 8", " 88", " STAR", " SPIRIT", " BAY", " SUN", " WAVE"}
)

func shipName(r *rand.Rand) string {
	n := nameWords[r.IntN(len(nameWords))] + " " + nameWords[r.IntN(len(nameWords))] + nameTails[r.IntN(len(nameTails))]
	if len(n) > 20 {
		n = n[:20]
	}
	return n
}

func callSign(r *rand.Rand) string {
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	b := []byte{letters[r.IntN(26)], letters[r.IntN(26)], letters[r.IntN(26)], letters[r.IntN(26)]}
	if r.IntN(2) == 0 {
		b = append(b, byte('0'+r.IntN(10)))
	}
	return string(b)
}
