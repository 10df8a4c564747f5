// Package sim is Lookout's deterministic simulator: it writes AIS traffic
// (NMEA 0183 with NMEA 4.10 tag blocks), satellite scenes with vessel
// detections, and a manifest of the ground truth, for tests and for the
// founding-case demo (`lookout demo`, docs/DEMO.md).
//
// Everything it writes is SIMULATED and says so: the manifest, the scene
// sidecars, the rendered images' captions, a README.txt, and the tag-block
// source of every AIS line. The founding case's three ships carry their
// real public identifiers (name, IMO number, type, flag); their tracks,
// like all the rest, are made up to follow the rhythm public reporting
// describes.
package sim

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/lookout-maritime/lookout/internal/coast"
)

// Config sets the scenario's size and output. Zero fields take the
// defaults of DefaultConfig.
type Config struct {
	Seed int64
	// Start and End bound the AIS written (End exclusive).
	Start, End time.Time
	// Background is the number of ordinary vessels.
	Background int
	// SeaEvery is the background vessels' reporting interval at sea: each
	// vessel reports every SeaEvery to 2×SeaEvery, give or take a sixth;
	// PortEvery likewise when alongside. (Real Class A transponders report
	// every 2–10 s under way and every 3 min moored: the simulation keeps
	// what a decimated archive would.) The founding case's ships, the
	// look-alike and the STS tankers report twice as often.
	SeaEvery, PortEvery time.Duration
	// StaticEvery is the interval of type 5 static and voyage reports.
	StaticEvery time.Duration
	// Gzip compresses the NMEA file.
	Gzip bool
	// NoImages skips the rendered PNG scenes; NoSAR the SAR GeoTIFF.
	NoImages, NoSAR bool
	// CSV also writes the AIS as a Danish Maritime Authority (aisdk) CSV
	// export, CSVFile: one row per position report received, with the
	// vessel's static data as last broadcast (compressed when Gzip is).
	CSV bool
	// Reception degrades the AIS (message loss, position noise, several
	// receivers, out-of-order lines); the zero value is clean.
	Reception Reception
}

// Receiver is the tag-block source (s:) of every simulated AIS line, so
// every stored position says where it came from.
const Receiver = "SIMULATED"

// DefaultConfig is the founding case's scenario: September to December
// 2023, 250 ordinary vessels, about a million AIS messages (1.1 M).
func DefaultConfig(seed int64) Config {
	return Config{
		Seed:        seed,
		Start:       time.Date(2023, 9, 1, 0, 0, 0, 0, time.UTC),
		End:         time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		Background:  250,
		SeaEvery:    20 * time.Minute,
		PortEvery:   90 * time.Minute,
		StaticEvery: 6 * time.Hour,
		Gzip:        true,
	}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig(c.Seed)
	if c.Start.IsZero() {
		c.Start = d.Start
	}
	if c.End.IsZero() {
		c.End = d.End
	}
	if c.SeaEvery <= 0 {
		c.SeaEvery = d.SeaEvery
	}
	if c.PortEvery <= 0 {
		c.PortEvery = d.PortEvery
	}
	if c.StaticEvery <= 0 {
		c.StaticEvery = d.StaticEvery
	}
	c.Start, c.End = c.Start.UTC(), c.End.UTC()
	return c
}

// ship is a vessel with its plan and reporting habits.
type ship struct {
	Vessel
	idx       int
	plan      plan
	seaEvery  int64 // seconds
	portEvery int64
	ballast   float64 // draughts, metres
	laden     float64
	r         *rng // the plan's stream
}

// Scenario is a generated scenario: vessels with their plans, and the
// ground truth. Write renders it to files.
type Scenario struct {
	cfg    Config
	places *Places
	mask   *coast.Mask
	ships  []*ship
	truth  Manifest // ground truth filled while planning
	err    error
	// dests interns the destinations of static reports.
	dests   []string
	destIdx map[string]uint16
}

// Founding returns the founding case's scenario for a seed (DefaultConfig).
func Founding(seed int64) *Scenario { return New(DefaultConfig(seed)) }

// New plans a scenario. A planning error (an inconsistent schedule) is
// returned by Write.
func New(cfg Config) *Scenario {
	cfg = cfg.withDefaults()
	s := &Scenario{cfg: cfg, places: NewPlaces()}
	if cfg.Background < 0 {
		s.err = fmt.Errorf("sim: %d background vessels", cfg.Background)
		return s
	}
	s.mask, s.err = coast.Load()
	if s.err != nil {
		s.err = fmt.Errorf("sim: land mask: %w", s.err)
		return s
	}
	if err := cfg.Reception.check(); err != nil {
		s.err = err
		return s
	}
	if !cfg.Start.Before(cfg.End) {
		s.err = fmt.Errorf("sim: start %s not before end %s", cfg.Start, cfg.End)
		return s
	}
	s.err = s.build()
	return s
}

// Config returns the scenario's configuration with defaults filled in.
func (s *Scenario) Config() Config { return s.cfg }

// Vessels returns every vessel's identity, founding ships first.
func (s *Scenario) Vessels() []Vessel {
	out := make([]Vessel, len(s.ships))
	for i, sh := range s.ships {
		out[i] = sh.Vessel
	}
	return out
}

// Places returns the ports and sea lanes the scenario sails on.
func (s *Scenario) Places() *Places { return s.places }

// Streams of the generator (newRNG's stream argument).
const (
	streamFleet  = 1 << 20
	streamScene  = 1<<20 + 1
	streamVessel = 0 // + vessel index
)

func (s *Scenario) addShip(v Vessel, seaEvery, portEvery int64, ballast, laden float64) *ship {
	sh := &ship{Vessel: v, idx: len(s.ships), seaEvery: seaEvery, portEvery: portEvery, ballast: ballast, laden: laden}
	sh.r = newRNG(s.cfg.Seed, uint64(streamVessel+sh.idx))
	s.ships = append(s.ships, sh)
	return sh
}

func (s *Scenario) build() error {
	cfg := s.cfg
	sea, port := int64(cfg.SeaEvery.Seconds()), int64(cfg.PortEvery.Seconds())
	// The founding case's ships.
	fv := foundingVessels()
	draughts := [][2]float64{{4.9, 6.9}, {5.2, 7.6}, {4.6, 6.4}}
	for i, v := range fv {
		sh := s.addShip(v, sea/2, port/2, draughts[i][0], draughts[i][1])
		if err := s.planFounding(sh, i); err != nil {
			return err
		}
	}
	// The look-alike and the STS pair.
	la := s.addShip(lookalikeVessel(), sea/2, port/2, 4.5, 6.3)
	if err := s.planOrdinary(la, []string{"Vladivostok", "Busan", "Nakhodka", "Busan"}); err != nil {
		return err
	}
	if err := s.planSTS(); err != nil {
		return err
	}
	// Ordinary traffic.
	if err := s.planBackground(); err != nil {
		return err
	}
	for _, sh := range s.ships {
		if sh.Role == RoleBackground || sh.Role == RoleLookalike || sh.Role == RoleSTS {
			s.addDropouts(sh)
		}
		slices.SortFunc(sh.plan.off, func(a, b span) int { return int(a.t0 - b.t0) })
	}
	return s.checkUnique()
}

// checkUnique refuses duplicate MMSIs, IMO numbers or names.
func (s *Scenario) checkUnique() error {
	mmsi, imo, name := map[uint32]string{}, map[uint32]string{}, map[string]bool{}
	for _, sh := range s.ships {
		if o, dup := mmsi[sh.MMSI]; dup {
			return fmt.Errorf("sim: MMSI %d used by %s and %s", sh.MMSI, o, sh.Name)
		}
		if o, dup := imo[sh.IMO]; dup {
			return fmt.Errorf("sim: IMO %d used by %s and %s", sh.IMO, o, sh.Name)
		}
		if !validIMO(sh.IMO) {
			return fmt.Errorf("sim: %s: IMO %d has a bad check digit", sh.Name, sh.IMO)
		}
		if name[sh.Name] {
			return fmt.Errorf("sim: name %s used twice", sh.Name)
		}
		mmsi[sh.MMSI], imo[sh.IMO], name[sh.Name] = sh.Name, sh.Name, true
	}
	return nil
}

// stayPoint is where a ship lies during one stay: the berth moved a little
// along the quay (ships do not moor on the same spot every time), kept on
// water.
func (s *Scenario) stayPoint(sh *ship, b *Berth) Point {
	for try := 0; try < 4; try++ {
		p := destination(b.Point, b.Heading, sh.r.between(-90, 90))
		if !s.mask.OnLand(p.Lat, p.Lon) && s.mask.DistanceToShoreKm(p.Lat, p.Lon) >= 0.03 {
			return p
		}
	}
	return b.Point
}

// stayAt adds a stay at a berth with the stay's own mooring point.
func (s *Scenario) stayAt(sh *ship, port *Port, berth int, t0, t1 int64, draught float64, dest string) {
	sh.plan.stay(port, berth, t0, t1, draught, dest)
	sh.plan.last().at = s.stayPoint(sh, port.berth(berth))
}

// sailRoute adds a passage along path leaving at dep.
func (s *Scenario) sailRoute(sh *ship, path []Point, dep int64, kn float64, dest string, draught float64) *seg {
	sh.plan.segs = append(sh.plan.segs, newSail(path, dep, kn, dest, draught))
	return sh.plan.last()
}

// darkTrip is one round trip of a founding-case ship: out of a Russian
// port, AIS off short of Najin, days alongside at Najin, AIS on again
// near Russian waters, into a Russian port.
type darkTrip struct {
	from, depart, najinDepart, to string
}

// foundingTrips are the round trips, per ship. The first ones follow the
// public reporting's dates (ANGARA loading at Najin on 7–8 September 2023
// and unloading at Dunay on 12 September); the rest keep its rhythm —
// several round trips a month, days alongside at Najin — with simulated
// dates.
var foundingTrips = [][]darkTrip{
	{ // ANGARA
		{"Dunay", "2023-09-05T12:00", "2023-09-10T18:00", "Dunay"},
		{"Dunay", "2023-09-14T08:00", "2023-09-19T06:00", "Dunay"},
		{"Dunay", "2023-09-23T10:00", "2023-09-28T04:00", "Dunay"},
		{"Dunay", "2023-10-02T06:00", "2023-10-06T20:00", "Dunay"},
		{"Dunay", "2023-10-11T09:00", "2023-10-16T02:00", "Vostochny"},
		{"Vostochny", "2023-10-21T07:00", "2023-10-26T05:00", "Dunay"},
		{"Dunay", "2023-10-31T11:00", "2023-11-05T03:00", "Dunay"},
		{"Dunay", "2023-11-10T08:00", "2023-11-15T06:00", "Dunay"},
		{"Dunay", "2023-11-22T10:00", "2023-11-27T02:00", "Dunay"},
		{"Dunay", "2023-12-05T09:00", "2023-12-10T04:00", "Dunay"},
		{"Dunay", "2023-12-18T10:00", "2023-12-22T21:00", "Dunay"},
	},
	{ // MAIA-1: ordinary coastal trips in September, then the shuttle.
		{"Vostochny", "2023-10-01T08:00", "2023-10-06T04:00", "Dunay"},
		{"Dunay", "2023-10-13T10:00", "2023-10-18T02:00", "Vostochny"},
		{"Vostochny", "2023-10-27T07:00", "2023-11-01T05:00", "Dunay"},
		{"Dunay", "2023-11-12T09:00", "2023-11-17T06:00", "Vostochny"},
		{"Vostochny", "2023-11-28T08:00", "2023-12-03T03:00", "Dunay"},
		{"Dunay", "2023-12-14T06:00", "2023-12-19T05:00", "Vostochny"},
	},
	{ // MARIA
		{"Dunay", "2023-09-02T06:00", "2023-09-08T20:00", "Dunay"},
		{"Dunay", "2023-09-17T08:00", "2023-09-22T09:00", "Dunay"},
		{"Dunay", "2023-10-03T07:00", "2023-10-08T06:00", "Vostochny"},
		{"Vostochny", "2023-10-20T05:00", "2023-10-25T03:00", "Dunay"},
		{"Dunay", "2023-11-06T09:00", "2023-11-11T05:00", "Dunay"},
		{"Dunay", "2023-11-24T06:00", "2023-11-29T02:00", "Dunay"},
		{"Dunay", "2023-12-12T08:00", "2023-12-17T03:00", "Dunay"},
	},
}

// warmup is how long before Config.Start plans begin, so that at Start
// vessels are already spread over their voyages.
const warmup = 12 * 24 * 3600

// storyStart is where the founding ships' and the STS tankers' plans
// begin: their story is fixed, whatever window is written.
func (s *Scenario) storyStart() int64 {
	return min(unix(s.cfg.Start), utc("2023-09-01T00:00")) - warmup
}

// planFounding plans founding ship i: its dark round trips, with stays
// in Russian ports between them.
func (s *Scenario) planFounding(sh *ship, i int) error {
	trips := foundingTrips[i]
	start, end := s.storyStart(), unix(s.cfg.End)
	najin := s.places.Port("Najin")
	first := s.places.Port(trips[0].from)
	ruBerth := i % 2
	if i == 1 {
		// MAIA-1 sails ordinary coastal voyages until its first trip.
		if err := s.planOrdinaryUntil(sh, []string{"Vostochny", "Vladivostok", "Nakhodka", "Vladivostok"},
			start, utc(trips[0].depart), trips[0].from); err != nil {
			return err
		}
	} else {
		s.stayAt(sh, first, ruBerth, start, utc(trips[0].depart), sh.laden, strings.ToUpper(first.Name))
	}
	for k, tr := range trips {
		dep, najDep := utc(tr.depart), utc(tr.najinDepart)
		cur := sh.plan.last()
		if cur.kind != segStay || cur.port != tr.from {
			return fmt.Errorf("sim: %s trip %d leaves %s but the ship is at %q", sh.Name, k+1, tr.from, cur.port)
		}
		cur.t1 = dep
		// Out: visible to short of NAJ_OFF, then dark into Najin.
		out, err := s.places.Route(tr.from, cur.berth, "Najin", i)
		if err != nil {
			return err
		}
		sail := s.sailRoute(sh, out, dep, sh.SpeedKn, "FOR ORDERS", sh.ballast)
		dOff := sail.distOfPoint(seaNodes["NAJ_OFF"]) - sh.r.between(500, 4500)
		tOff := dep + int64(sail.timeAt(dOff))
		arrive := sail.t1
		if najDep-arrive < 24*3600 {
			return fmt.Errorf("sim: %s trip %d: only %.1f h alongside at Najin", sh.Name, k+1, float64(najDep-arrive)/3600)
		}
		s.stayAt(sh, najin, i, arrive, najDep, sh.laden, "FOR ORDERS")
		// Back: dark out of Najin, on again past NAJ_OFF.
		to := s.places.Port(tr.to)
		back, err := s.places.Route("Najin", i, tr.to, ruBerth)
		if err != nil {
			return err
		}
		ret := s.sailRoute(sh, back, najDep, sh.SpeedKn, strings.ToUpper(to.Name), sh.laden)
		dOn := ret.distOfPoint(seaNodes["NAJ_OFF"]) + sh.r.between(500, 4500)
		tOn := najDep + int64(ret.timeAt(dOn))
		sh.plan.silent(tOff, tOn)
		// After the last trip the ship stays until the end of the plans
		// (the trips are the story's, whatever window is written).
		next := max(end, ret.t1) + 24*3600
		if k+1 < len(trips) {
			next = utc(trips[k+1].depart)
		}
		if next-ret.t1 < 12*3600 {
			return fmt.Errorf("sim: %s trip %d returns to %s at %s, too close to the next departure", sh.Name, k+1, tr.to, time.Unix(ret.t1, 0).UTC())
		}
		s.stayAt(sh, to, ruBerth, ret.t1, next, sh.laden, strings.ToUpper(to.Name))
		// Unloaded in port: the next departure is in ballast.
		offP, _ := sail.pointAt(dOff)
		onP, _ := ret.pointAt(dOn)
		najStay := sh.plan.segs[len(sh.plan.segs)-3]
		s.truth.DarkLegs = append(s.truth.DarkLegs, DarkLeg{
			MMSI: sh.MMSI, IMO: sh.IMO, Name: sh.Name,
			Off: time.Unix(tOff, 0).UTC(), On: time.Unix(tOn, 0).UTC(),
			OffLat: round6(offP.Lat), OffLon: round6(offP.Lon), OnLat: round6(onP.Lat), OnLon: round6(onP.Lon),
			Port: "Najin", Country: "KP", Arrived: time.Unix(arrive, 0).UTC(), Departed: time.Unix(najDep, 0).UTC(),
			BerthLat: round6(najStay.at.Lat), BerthLon: round6(najStay.at.Lon),
			From: tr.from, To: tr.to, DraughtBefore: sh.ballast, DraughtAfter: sh.laden,
		})
	}
	return nil
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }
