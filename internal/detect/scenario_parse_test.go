package detect

// The scenario language, in the spirit of Prometheus' promqltest: one
// directive per line, '#' comments, blank lines ignored. Lines are input in
// arrival order; expectations may appear anywhere.
//
//	profile gfw|skylight
//	set NAME=VALUE ...                Config.Set: gap.min_hours=6 encounter.max_distance_m=250 ...
//	tracker off                       feed points straight to the engine (no track.Tracker)
//	port NAME LAT LON [country=CC] [radius=KM] [highrisk]
//	zone NAME LAT,LON LAT,LON LAT,LON ...
//	land LAT0 LON0 LAT1 LON1          a box of land (for the synthetic shore)
//	pos MMSI TIME LAT LON SOG [COG] [class=A|B] [src=S]
//	track MMSI T0 LAT0 LON0 T1 LAT1 LON1 every=DUR [sog=KN] [cog=DEG] [noise=M] [drop=FRACTION] [seed=N]
//	static MMSI TIME [name=S] [imo=N] [callsign=S] [type=N] [draught=M]
//	expect KIND MMSI START END [port=P] [other=MMSI] [conf=X] [top=P] [has=P,...] [withdrawn] [rev=N] [d.KEY=VALUE ...] [p.PARAM=VALUE ...]
//	                                  d.: Details (numbers may be ranges a..b); p.: Params
//	explain TEXT...                   the previous expect's explanation contains TEXT (spaces kept)
//	published KIND MMSI N             KIND events of MMSI were published N times in all
//	                                  (first publications, revisions and withdrawals)
//	ignore KIND                       do not require expectations for KIND
//
// TIME is RFC 3339 in UTC, seconds optional (2023-09-07T12:00Z); START and
// END may be "*". Names with spaces are written with '_' for ' '.

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/geo"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

var errScenario = errors.New("scenario")

type scenario struct {
	name    string
	cfg     Config
	tracker bool
	ports   []Place
	zones   []Zone
	land    [][4]float64
	input   []vessel.Observation
	expect  []expectation
	pubs    []pubCount
	ignore  map[event.Kind]bool
}

// pubCount is a published directive: how often the stream published
// events of a kind for a vessel, revisions and withdrawals included — the
// history an investigator watching the stream saw.
type pubCount struct {
	line int
	kind event.Kind
	mmsi uint32
	n    int
}

type expectation struct {
	line       int
	kind       event.Kind
	mmsi       uint32
	start, end time.Time // zero: any
	withdrawn  bool
	port       string
	top        string
	has        []string
	other      uint32
	conf       float64 // NaN: any
	rev        int     // -1: any
	details    map[string]string
	params     map[string]string
	explain    []string // substrings of the explanation
}

func (x expectation) String() string {
	return fmt.Sprintf("line %d: expect %s %d %s %s", x.line, x.kind, x.mmsi, fmtT(x.start), fmtT(x.end))
}

func fmtT(t time.Time) string {
	if t.IsZero() {
		return "*"
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

func parseTime(s string) (time.Time, error) {
	if s == "*" {
		return time.Time{}, nil
	}
	for _, l := range []string{"2006-01-02T15:04:05Z07:00", "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("bad time %q (want 2006-01-02T15:04[:05]Z)", s)
}

func parseFloat(name, s string, lo, hi float64) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || v < lo || v > hi {
		return 0, fmt.Errorf("bad %s %q (want a number in [%g, %g])", name, s, lo, hi)
	}
	return v, nil
}

func parseMMSI(s string) (uint32, error) {
	v, err := strconv.ParseUint(s, 10, 32)
	if err != nil || v == 0 {
		return 0, fmt.Errorf("bad MMSI %q", s)
	}
	return uint32(v), nil
}

// kv splits key=value words; bare words map to "".
func kv(words []string) map[string]string {
	m := map[string]string{}
	for _, w := range words {
		k, v, _ := strings.Cut(w, "=")
		m[k] = v
	}
	return m
}

const maxGenerated = 200_000 // points one scenario may generate

// parseScenario reads a scenario. Errors name the line.
func parseScenario(name, text string) (*scenario, error) {
	sc := &scenario{name: name, cfg: Default(), tracker: true, ignore: map[event.Kind]bool{}}
	generated := 0
	for i, raw := range strings.Split(text, "\n") {
		line := i + 1
		if j := strings.IndexByte(raw, '#'); j >= 0 {
			raw = raw[:j]
		}
		w := strings.Fields(raw)
		if len(w) == 0 {
			continue
		}
		fail := func(err error) error { return fmt.Errorf("%w: %s:%d: %s: %v", errScenario, name, line, w[0], err) }
		need := func(n int) error {
			if len(w) < n {
				return fail(fmt.Errorf("want at least %d fields, got %d", n-1, len(w)-1))
			}
			return nil
		}
		switch w[0] {
		case "profile":
			if err := need(2); err != nil {
				return nil, err
			}
			c, err := Profile(w[1])
			if err != nil {
				return nil, fail(err)
			}
			sc.cfg = c
		case "set":
			for _, word := range w[1:] {
				k, v, ok := strings.Cut(word, "=")
				if !ok {
					return nil, fail(fmt.Errorf("%q is not NAME=VALUE", word))
				}
				if err := sc.cfg.Set(k, v); err != nil {
					return nil, fail(err)
				}
			}
		case "tracker":
			if err := need(2); err != nil {
				return nil, err
			}
			sc.tracker = w[1] != "off"
		case "ignore":
			if err := need(2); err != nil {
				return nil, err
			}
			if !event.Kind(w[1]).Valid() {
				return nil, fail(fmt.Errorf("unknown kind %q", w[1]))
			}
			sc.ignore[event.Kind(w[1])] = true
		case "port":
			if err := need(4); err != nil {
				return nil, err
			}
			lat, err := parseFloat("latitude", w[2], -90, 90)
			if err != nil {
				return nil, fail(err)
			}
			lon, err := parseFloat("longitude", w[3], -180, 180)
			if err != nil {
				return nil, fail(err)
			}
			p := Place{Name: strings.ReplaceAll(w[1], "_", " "), Lat: lat, Lon: lon}
			for k, v := range kv(w[4:]) {
				switch k {
				case "country":
					p.Country = v
				case "radius":
					if p.RadiusKm, err = parseFloat("radius", v, 0, 100); err != nil {
						return nil, fail(err)
					}
				case "highrisk":
					p.HighRisk = true
				default:
					return nil, fail(fmt.Errorf("unknown port option %q", k))
				}
			}
			sc.ports = append(sc.ports, p)
		case "zone":
			if err := need(5); err != nil {
				return nil, err
			}
			z := Zone{Name: strings.ReplaceAll(w[1], "_", " ")}
			for _, v := range w[2:] {
				a, b, ok := strings.Cut(v, ",")
				if !ok {
					return nil, fail(fmt.Errorf("vertex %q is not LAT,LON", v))
				}
				lat, err := parseFloat("latitude", a, -90, 90)
				if err != nil {
					return nil, fail(err)
				}
				lon, err := parseFloat("longitude", b, -360, 360)
				if err != nil {
					return nil, fail(err)
				}
				z.Polygon = append(z.Polygon, [2]float64{lat, lon})
			}
			sc.zones = append(sc.zones, z)
		case "land":
			if err := need(5); err != nil {
				return nil, err
			}
			var b [4]float64
			for k := range 4 {
				lim := 90.0
				if k%2 == 1 {
					lim = 180
				}
				v, err := parseFloat("coordinate", w[1+k], -lim, lim)
				if err != nil {
					return nil, fail(err)
				}
				b[k] = v
			}
			if b[0] > b[2] || b[1] > b[3] {
				return nil, fail(fmt.Errorf("box corners must be south-west then north-east"))
			}
			sc.land = append(sc.land, b)
		case "pos":
			if err := need(6); err != nil {
				return nil, err
			}
			p, err := parsePos(w)
			if err != nil {
				return nil, fail(err)
			}
			sc.input = append(sc.input, vessel.Observation{Position: p, File: name, Line: line})
		case "track":
			if err := need(9); err != nil {
				return nil, err
			}
			ps, err := parseTrack(w, maxGenerated-generated)
			if err != nil {
				return nil, fail(err)
			}
			generated += len(ps)
			for _, p := range ps {
				sc.input = append(sc.input, vessel.Observation{Position: p, File: name, Line: line})
			}
		case "static":
			if err := need(3); err != nil {
				return nil, err
			}
			s, err := parseStatic(w)
			if err != nil {
				return nil, fail(err)
			}
			sc.input = append(sc.input, vessel.Observation{Static: s, File: name, Line: line})
		case "expect":
			if err := need(5); err != nil {
				return nil, err
			}
			x, err := parseExpect(w, line)
			if err != nil {
				return nil, fail(err)
			}
			sc.expect = append(sc.expect, x)
		case "explain":
			if len(sc.expect) == 0 {
				return nil, fail(fmt.Errorf("explain before any expect"))
			}
			text := strings.Join(w[1:], " ")
			if text == "" {
				return nil, fail(fmt.Errorf("empty explanation"))
			}
			x := &sc.expect[len(sc.expect)-1]
			x.explain = append(x.explain, text)
		case "published":
			if err := need(4); err != nil {
				return nil, err
			}
			k := event.Kind(w[1])
			if !k.Valid() {
				return nil, fail(fmt.Errorf("unknown kind %q", w[1]))
			}
			mmsi, err := parseMMSI(w[2])
			if err != nil {
				return nil, fail(err)
			}
			n, err := strconv.Atoi(w[3])
			if err != nil || n < 0 {
				return nil, fail(fmt.Errorf("bad count %q", w[3]))
			}
			sc.pubs = append(sc.pubs, pubCount{line: line, kind: k, mmsi: mmsi, n: n})
		default:
			return nil, fail(fmt.Errorf("unknown directive"))
		}
	}
	if err := sc.cfg.check(); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", errScenario, name, err)
	}
	return sc, nil
}

func parsePos(w []string) (*vessel.Position, error) {
	mmsi, err := parseMMSI(w[1])
	if err != nil {
		return nil, err
	}
	t, err := parseTime(w[2])
	if err != nil || t.IsZero() {
		return nil, fmt.Errorf("bad time %q", w[2])
	}
	lat, err := parseFloat("latitude", w[3], -90, 90)
	if err != nil {
		return nil, err
	}
	lon, err := parseFloat("longitude", w[4], -180, 180)
	if err != nil {
		return nil, err
	}
	sog, err := parseFloat("SOG", w[5], 0, 102.2)
	if err != nil {
		return nil, err
	}
	p := &vessel.Position{MMSI: mmsi, Time: t, Lat: lat, Lon: lon, SOG: float32(sog), COG: vessel.NA,
		Heading: 511, Status: 15, Class: vessel.ClassA, MsgType: 1, Source: "scenario"}
	rest := w[6:]
	if len(rest) > 0 && !strings.Contains(rest[0], "=") {
		cog, err := parseFloat("COG", rest[0], 0, 360)
		if err != nil {
			return nil, err
		}
		p.COG = float32(cog)
		rest = rest[1:]
	}
	for k, v := range kv(rest) {
		switch k {
		case "class":
			if v != "A" && v != "B" {
				return nil, fmt.Errorf("bad class %q", v)
			}
			p.Class = vessel.Class(v[0])
		case "src":
			p.Source = v
		default:
			return nil, fmt.Errorf("unknown pos option %q", k)
		}
	}
	return p, nil
}

// parseTrack generates fixes every `every` on the great-circle-ish
// (linear in lat/lon, unwrapped across ±180) line between two fixes.
func parseTrack(w []string, budget int) ([]*vessel.Position, error) {
	mmsi, err := parseMMSI(w[1])
	if err != nil {
		return nil, err
	}
	var t [2]time.Time
	var lat, lon [2]float64
	for k := range 2 {
		o := 2 + 3*k
		if t[k], err = parseTime(w[o]); err != nil || t[k].IsZero() {
			return nil, fmt.Errorf("bad time %q", w[o])
		}
		if lat[k], err = parseFloat("latitude", w[o+1], -90, 90); err != nil {
			return nil, err
		}
		if lon[k], err = parseFloat("longitude", w[o+2], -180, 180); err != nil {
			return nil, err
		}
	}
	if !t[1].After(t[0]) {
		return nil, fmt.Errorf("end %s not after start %s", fmtT(t[1]), fmtT(t[0]))
	}
	opt := kv(w[8:])
	every := time.Minute
	sog, cog, noise, drop := math.NaN(), math.NaN(), 0.0, 0.0
	seed := uint64(1)
	for k, v := range opt {
		switch k {
		case "every":
			if every, err = time.ParseDuration(v); err != nil || every < time.Second {
				return nil, fmt.Errorf("bad every %q (a duration of at least 1s)", v)
			}
		case "sog":
			if sog, err = parseFloat("sog", v, 0, 102.2); err != nil {
				return nil, err
			}
		case "cog":
			if cog, err = parseFloat("cog", v, 0, 360); err != nil {
				return nil, err
			}
		case "noise":
			if noise, err = parseFloat("noise", v, 0, 10000); err != nil {
				return nil, err
			}
		case "drop":
			if drop, err = parseFloat("drop", v, 0, 0.99); err != nil {
				return nil, err
			}
		case "seed":
			s, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("bad seed %q", v)
			}
			seed = s
		default:
			return nil, fmt.Errorf("unknown track option %q", k)
		}
	}
	n := int(t[1].Sub(t[0])/every) + 1
	if n > budget {
		return nil, fmt.Errorf("track of %d points exceeds the scenario's budget (%d left)", n, budget)
	}
	lon1 := unwrap(lon[1], lon[0])
	dist := geo.DistanceM(lat[0], lon[0], lat[1], lon[1])
	hours := t[1].Sub(t[0]).Hours()
	if math.IsNaN(sog) {
		sog = math.Round(dist/1852/hours*10) / 10
	}
	if math.IsNaN(cog) && dist > 0 {
		cog = math.Round(bearing(fix{lat: lat[0], lon: lon[0]}, fix{lat: lat[1], lon: lon[1]}))
	}
	rng := seed*0x9E3779B97F4A7C15 + 1
	next := func() float64 { // splitmix64
		rng += 0x9E3779B97F4A7C15
		z := rng
		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
		z = (z ^ (z >> 27)) * 0x94D049BB133111EB
		z ^= z >> 31
		return float64(z>>11) / (1 << 53)
	}
	var out []*vessel.Position
	for i := range n {
		at := t[0].Add(time.Duration(i) * every)
		f := float64(at.Sub(t[0])) / float64(t[1].Sub(t[0]))
		la := lat[0] + (lat[1]-lat[0])*f
		lo := lon[0] + (lon1-lon[0])*f
		u1, u2, u3 := next(), next(), next()
		if drop > 0 && u3 < drop {
			continue
		}
		if noise > 0 {
			// Uniform in a square of ±noise metres.
			la += (u1*2 - 1) * noise / 111_195
			lo += (u2*2 - 1) * noise / (111_195 * math.Max(math.Cos(la*math.Pi/180), 0.01))
		}
		p := &vessel.Position{MMSI: mmsi, Time: at, Lat: la, Lon: wrap(lo), SOG: float32(sog), COG: vessel.NA,
			Heading: 511, Status: 15, Class: vessel.ClassA, MsgType: 1, Source: "scenario"}
		if !math.IsNaN(cog) {
			p.COG = float32(cog)
		}
		out = append(out, p)
	}
	return out, nil
}

func parseStatic(w []string) (*vessel.Static, error) {
	mmsi, err := parseMMSI(w[1])
	if err != nil {
		return nil, err
	}
	t, err := parseTime(w[2])
	if err != nil || t.IsZero() {
		return nil, fmt.Errorf("bad time %q", w[2])
	}
	s := &vessel.Static{MMSI: mmsi, Time: t, Class: vessel.ClassA, MsgType: 5, Source: "scenario"}
	for k, v := range kv(w[3:]) {
		switch k {
		case "name":
			s.Name, s.Has = strings.ReplaceAll(v, "_", " "), s.Has|vessel.HasName
		case "callsign":
			s.CallSign, s.Has = v, s.Has|vessel.HasCallSign
		case "imo":
			n, err := strconv.ParseUint(v, 10, 32)
			if err != nil {
				return nil, fmt.Errorf("bad imo %q", v)
			}
			s.IMO, s.Has = uint32(n), s.Has|vessel.HasIMO
		case "type":
			n, err := strconv.ParseUint(v, 10, 8)
			if err != nil {
				return nil, fmt.Errorf("bad type %q", v)
			}
			s.ShipType, s.Has = uint8(n), s.Has|vessel.HasShipType
		case "draught":
			d, err := parseFloat("draught", v, 0, 25.5)
			if err != nil {
				return nil, err
			}
			s.Draught, s.Has = float32(d), s.Has|vessel.HasDraught
		default:
			return nil, fmt.Errorf("unknown static field %q", k)
		}
	}
	return s, nil
}

func parseExpect(w []string, line int) (expectation, error) {
	x := expectation{line: line, kind: event.Kind(w[1]), conf: math.NaN(), rev: -1, details: map[string]string{}, params: map[string]string{}}
	if !x.kind.Valid() {
		return x, fmt.Errorf("unknown kind %q", w[1])
	}
	var err error
	if x.mmsi, err = parseMMSI(w[2]); err != nil {
		return x, err
	}
	if x.start, err = parseTime(w[3]); err != nil {
		return x, err
	}
	if x.end, err = parseTime(w[4]); err != nil {
		return x, err
	}
	for _, word := range w[5:] {
		k, v, _ := strings.Cut(word, "=")
		switch {
		case k == "withdrawn":
			x.withdrawn = true
		case k == "port":
			x.port = strings.ReplaceAll(v, "_", " ")
		case k == "top":
			x.top = strings.ReplaceAll(v, "_", " ")
		case k == "has":
			for _, p := range strings.Split(v, ",") {
				x.has = append(x.has, strings.ReplaceAll(p, "_", " "))
			}
		case k == "other":
			if x.other, err = parseMMSI(v); err != nil {
				return x, err
			}
		case k == "conf":
			if x.conf, err = parseFloat("conf", v, 0, 1); err != nil {
				return x, err
			}
		case k == "rev":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return x, fmt.Errorf("bad rev %q (a revision number >= 0)", v)
			}
			x.rev = n
		case strings.HasPrefix(k, "d."):
			x.details[k[2:]] = v
		case strings.HasPrefix(k, "p."):
			x.params[k[2:]] = v
		default:
			return x, fmt.Errorf("unknown expect option %q", word)
		}
	}
	return x, nil
}
