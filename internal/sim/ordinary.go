package sim

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// stayHours is how long ordinary ships of a kind stay alongside.
var stayHours = map[string][2]float64{
	"general cargo":       {16, 60},
	"bulk carrier":        {24, 96},
	"container ship":      {8, 24},
	"oil products tanker": {16, 48},
	"vehicle carrier":     {12, 36},
	"refrigerated cargo":  {16, 48},
	"LPG tanker":          {16, 40},
	"bunkering tanker":    {10, 30},
	"product tanker":      {16, 48},
}

// services are ordinary port rotations by ship kind. None calls at Dunay
// (a naval facility) or Najin, and none is routed past Najin.
var services = map[string][][]string{
	"general cargo":       {{"Vladivostok", "Busan"}, {"Nakhodka", "Busan"}, {"Vladivostok", "Nakhodka", "Busan"}, {"Zarubino", "Busan"}, {"Vladivostok", "Vostochny"}, {"Busan", "Niigata"}, {"Vladivostok", "Niigata"}, {"Posyet", "Ulsan"}},
	"bulk carrier":        {{"Vostochny", "Dalian"}, {"Posyet", "Ulsan"}, {"Vostochny", "Ulsan"}, {"Zarubino", "Dalian"}, {"Nakhodka", "Busan"}},
	"container ship":      {{"Vladivostok", "Busan"}, {"Vostochny", "Busan"}, {"Vladivostok", "Busan", "Vostochny"}, {"Busan", "Niigata"}, {"Busan", "Dalian"}},
	"oil products tanker": {{"Nakhodka", "Ulsan"}, {"Nakhodka", "Busan"}, {"Vladivostok", "Nakhodka"}, {"Ulsan", "Niigata"}},
	"vehicle carrier":     {{"Vladivostok", "Niigata"}, {"Vladivostok", "Busan"}, {"Niigata", "Busan", "Vladivostok"}},
	"refrigerated cargo":  {{"Vladivostok", "Busan"}, {"Nakhodka", "Busan"}, {"Zarubino", "Busan"}},
	"LPG tanker":          {{"Ulsan", "Niigata"}, {"Vostochny", "Ulsan"}},
}

const minStay = 6 * 3600

func (s *Scenario) stayLen(sh *ship) int64 {
	h, ok := stayHours[sh.Kind]
	if !ok {
		h = [2]float64{16, 48}
	}
	return int64(sh.r.between(h[0], h[1]) * 3600)
}

// nextDraught is the draught after a port call: cargo is worked at most
// calls, so the ship leaves laden or in ballast.
func (s *Scenario) nextDraught(sh *ship) float64 {
	d := sh.ballast
	if sh.r.chance(0.55) {
		d = sh.laden
	}
	return math.Round((d+sh.r.between(-0.2, 0.2))*10) / 10
}

// planOrdinary plans ordinary voyages around a service from the start of
// the plans to the end of the scenario.
func (s *Scenario) planOrdinary(sh *ship, service []string) error {
	return s.ordinary(sh, service, unix(s.cfg.Start)-warmup, 0, "")
}

// planOrdinaryUntil plans ordinary voyages until deadline, the ship
// ending alongside at atPort.
func (s *Scenario) planOrdinaryUntil(sh *ship, service []string, t0, deadline int64, atPort string) error {
	return s.ordinary(sh, service, t0, deadline, atPort)
}

// ordinary plans ordinary voyages around service: from the ship's current
// stay, or, for an empty plan, from a random port of the service at t0.
// With deadline 0 it runs to the end of the scenario; otherwise it stops
// in time to be alongside at atPort by deadline, where the last stay then
// ends.
func (s *Scenario) ordinary(sh *ship, service []string, t0, deadline int64, atPort string) error {
	r := sh.r
	end := unix(s.cfg.End) + 24*3600
	n := len(service)
	var i int
	if len(sh.plan.segs) == 0 {
		i = r.intn(n)
		p := s.places.Port(service[i])
		if p == nil {
			return fmt.Errorf("sim: unknown port %q", service[i])
		}
		b := r.intn(len(p.Berths))
		// Enter the timeline part-way through a stay.
		s.stayAt(sh, p, b, t0, t0+int64(r.float()*float64(s.stayLen(sh))), s.nextDraught(sh), strings.ToUpper(p.Name))
	} else {
		i = max(0, slices.Index(service, sh.plan.last().port))
	}
	for {
		cur := sh.plan.last()
		port := cur.port
		next := service[(i+1)%n]
		i++
		if next == port {
			continue
		}
		np := s.places.Port(next)
		nb := r.intn(len(np.Berths))
		path, err := s.places.Route(port, cur.berth, next, nb)
		if err != nil {
			return err
		}
		draught := s.nextDraught(sh)
		sail := newSail(path, cur.t1, sh.SpeedKn, strings.ToUpper(next), draught)
		stay := s.stayLen(sh)
		if deadline > 0 {
			need := sail.t1 + minStay
			if next != atPort {
				back, err := s.places.Route(next, nb, atPort, 0)
				if err != nil {
					return err
				}
				b := newSail(back, need, sh.SpeedKn, "", 0)
				need = b.t1 + minStay
			}
			if need > deadline {
				break
			}
		} else if cur.t1 >= end {
			break
		}
		sh.plan.segs = append(sh.plan.segs, sail)
		s.stayAt(sh, np, nb, sail.t1, sail.t1+stay, draught, strings.ToUpper(next))
	}
	if deadline == 0 {
		return nil
	}
	cur := sh.plan.last()
	if cur.port == atPort {
		cur.t1 = deadline
		return nil
	}
	ap := s.places.Port(atPort)
	nb := r.intn(len(ap.Berths))
	path, err := s.places.Route(cur.port, cur.berth, atPort, nb)
	if err != nil {
		return err
	}
	probe := newSail(path, 0, sh.SpeedKn, "", 0)
	dep := min(cur.t1, deadline-probe.t1-minStay)
	if dep < cur.t0+2*3600 {
		return fmt.Errorf("sim: %s cannot reach %s by the deadline", sh.Name, atPort)
	}
	cur.t1 = dep
	draught := s.nextDraught(sh)
	sail := newSail(path, dep, sh.SpeedKn, strings.ToUpper(atPort), draught)
	sh.plan.segs = append(sh.plan.segs, sail)
	s.stayAt(sh, ap, nb, sail.t1, deadline, draught, strings.ToUpper(atPort))
	return nil
}

// planBackground makes the ordinary fleet.
func (s *Scenario) planBackground() error {
	fr := newRNG(s.cfg.Seed, streamFleet)
	usedMMSI, usedIMO, usedName := map[uint32]bool{}, map[uint32]bool{}, map[string]bool{}
	for _, sh := range s.ships {
		usedMMSI[sh.MMSI], usedIMO[sh.IMO], usedName[sh.Name] = true, true, true
	}
	fw := make([]float64, len(flags))
	for i, f := range flags {
		fw[i] = f.weight
	}
	kw := make([]float64, len(kinds))
	for i, k := range kinds {
		kw[i] = k.weight
	}
	sea, port := s.cfg.SeaEvery.Seconds(), s.cfg.PortEvery.Seconds()
	for k := 0; k < s.cfg.Background; k++ {
		f := flags[fr.pickWeighted(fw)]
		kind := kinds[fr.pickWeighted(kw)]
		var v Vessel
		v.Flag, v.Kind, v.ShipType, v.Role = f.code, kind.kind, kind.shipType, RoleBackground
		for {
			v.MMSI = f.mids[fr.intn(len(f.mids))]*1_000_000 + uint32(100000+fr.intn(900000))
			if !usedMMSI[v.MMSI] {
				break
			}
		}
		for {
			lead := uint32(90 + fr.intn(9)) // 90xxxxx–98xxxxx: ships built since the 1980s
			if fr.chance(0.15) {
				lead = uint32(86 + fr.intn(4))
			}
			v.IMO = imoWithCheck(lead*10000 + uint32(fr.intn(10000)))
			if !usedIMO[v.IMO] {
				break
			}
		}
		for try := 0; ; try++ {
			v.Name = shipName(fr, f.style)
			if try > 20 {
				v.Name = fmt.Sprintf("%s %d", v.Name, k)
			}
			if !usedName[v.Name] && len(v.Name) <= 20 {
				break
			}
		}
		v.CallSign = callSign(fr, f.calls)
		v.LengthM = math.Round(fr.between(kind.lenMin, kind.lenMax))
		v.BeamM = math.Round(v.LengthM * fr.between(0.14, 0.17))
		v.SpeedKn = math.Round(fr.between(kind.speedMin, kind.speed)*10) / 10
		v.Note = "SIMULATED ordinary vessel"
		usedMMSI[v.MMSI], usedIMO[v.IMO], usedName[v.Name] = true, true, true
		ballast := math.Round((v.LengthM*0.028+1.2)*10) / 10
		laden := math.Round((v.LengthM*0.05+1.5)*10) / 10
		seaEvery := int64(sea * fr.between(1, 2))
		portEvery := int64(port * fr.between(1, 2))
		sh := s.addShip(v, seaEvery, portEvery, ballast, laden)
		svcs := services[kind.kind]
		svc := svcs[fr.intn(len(svcs))]
		if err := s.planOrdinary(sh, svc); err != nil {
			return err
		}
	}
	return nil
}

// The STS transfer: where and when.
var (
	stsPoint = Point{42.45, 132.55} // 48 km south-west of Nakhodka, open sea
	stsStart = "2023-10-18T03:00"
	stsHours = 3.0
)

// planSTS plans the two tankers: ordinary voyages, then the meeting at
// sea (side by side, drifting, AIS on), then ordinary voyages again.
func (s *Scenario) planSTS() error {
	vs := stsVessels()
	a := s.addShip(vs[0], int64(s.cfg.SeaEvery.Seconds())/2, int64(s.cfg.PortEvery.Seconds())/2, 3.4, 5.1)
	b := s.addShip(vs[1], int64(s.cfg.SeaEvery.Seconds())/2, int64(s.cfg.PortEvery.Seconds())/2, 6.1, 8.9)
	meet := utc(stsStart)
	meetEnd := meet + int64(stsHours*3600)
	start := s.storyStart()
	heading := 30.0
	// B lies 40 m abeam of A (the two hulls side by side with fenders).
	bPoint := destination(stsPoint, heading+90, 40)
	type leg struct {
		sh            *ship
		service       []string
		home          string
		at            Point
		outNode, inNo string
		inPort        string
		arrive        int64
	}
	legs := []leg{
		{a, []string{"Nakhodka", "Vladivostok", "Nakhodka", "Vostochny"}, "Nakhodka", stsPoint, "NAK", "NAK", "Nakhodka", meet - 20*60},
		{b, []string{"Ulsan", "Busan", "Vladivostok"}, "Ulsan", bPoint, "SEA_N", "PGG_C", "Vladivostok", meet - 10*60},
	}
	for _, l := range legs {
		home := s.places.Port(l.home)
		out, err := s.places.RouteToNode(l.home, 0, l.outNode)
		if err != nil {
			return err
		}
		// The drift is the same for both: positions at time t are at moved
		// by the drift since meet, so the pair stays side by side.
		arrAt := destination(l.at, 200, 0.4*knot*float64(l.arrive-meet))
		out = append(out, arrAt)
		probe := newSail(out, 0, l.sh.SpeedKn, "", 0)
		if err := s.ordinary(l.sh, l.service, start, l.arrive-probe.t1, l.home); err != nil {
			return err
		}
		cur := l.sh.plan.last()
		out[0] = home.berth(cur.berth).Point
		out, _ = s.places.RouteToNode(l.home, cur.berth, l.outNode)
		out = append(out, arrAt)
		sail := newSail(out, 0, l.sh.SpeedKn, "STS "+strings.ToUpper(l.home), l.sh.laden)
		dep := l.arrive - sail.t1
		cur.t1 = dep
		sail = newSail(out, dep, l.sh.SpeedKn, "STS "+strings.ToUpper(l.home), l.sh.laden)
		l.sh.plan.segs = append(l.sh.plan.segs, sail)
		drift := seg{kind: segDrift, t0: sail.t1, t1: meetEnd, at: l.at, heading: heading, ref: meet,
			driftBrg: 200, driftKn: 0.4, dest: sail.dest, eta: meetEnd, draught: sail.draught}
		if l.sh == a {
			drift.draught = l.sh.ballast // the bunkers went over
		}
		l.sh.plan.segs = append(l.sh.plan.segs, drift)
		endAt := destination(l.at, drift.driftBrg, drift.driftKn*knot*float64(meetEnd-meet))
		in, err := s.places.RouteFromNode(l.inNo, l.inPort, 0)
		if err != nil {
			return err
		}
		path := append([]Point{endAt}, in...)
		dep2 := meetEnd + 10*60
		if l.sh == b {
			dep2 += 5 * 60
		}
		back := newSail(path, dep2, l.sh.SpeedKn, strings.ToUpper(l.inPort), drift.draught)
		l.sh.plan.segs = append(l.sh.plan.segs, back)
		ip := s.places.Port(l.inPort)
		s.stayAt(l.sh, ip, 0, back.t1, back.t1+s.stayLen(l.sh), drift.draught, strings.ToUpper(l.inPort))
		if err := s.ordinary(l.sh, l.service, 0, 0, ""); err != nil {
			return err
		}
	}
	s.truth.STS = STSPair{
		MMSI:  [2]uint32{a.MMSI, b.MMSI},
		Names: [2]string{a.Name, b.Name},
		Start: timeUTC(meet), End: timeUTC(meetEnd),
		Lat: stsPoint.Lat, Lon: stsPoint.Lon, DistanceM: 40,
	}
	return nil
}

// addDropouts gives an ordinary vessel ordinary reception gaps: at sea,
// about one a day in three, of half an hour to five hours; in port, now
// and then, up to three hours. None is long enough to read as a dark
// period (detectors report gaps from 12 h), none falls in the last eight
// hours of the data (which would read as a gap still open).
func (s *Scenario) addDropouts(sh *ship) {
	r := sh.r
	lo, hi := unix(s.cfg.Start), unix(s.cfg.End)-8*3600
	add := func(t0, t1 int64) {
		if t0 < lo || t1 > hi || t1 <= t0 {
			return
		}
		for _, o := range sh.plan.off {
			if t0 < o.t1+3600 && o.t0 < t1+3600 {
				return
			}
		}
		sh.plan.silent(t0, t1)
		s.truth.Dropouts = append(s.truth.Dropouts, Dropout{MMSI: sh.MMSI, Start: timeUTC(t0), End: timeUTC(t1)})
	}
	for _, sg := range sh.plan.segs {
		span := float64(sg.t1 - sg.t0)
		switch sg.kind {
		case segSail:
			for d := 0.0; d < span; d += 86400 {
				if !r.chance(0.33 * math.Min(1, (span-d)/86400)) {
					continue
				}
				dur := r.between(1800, 5*3600)
				room := span - 7200 - dur
				if room <= 0 {
					continue
				}
				t0 := sg.t0 + 3600 + int64(r.float()*room)
				add(t0, t0+int64(dur))
			}
		case segStay:
			if r.chance(0.08) && span > 8*3600 {
				dur := r.between(3600, 3*3600)
				t0 := sg.t0 + 3600 + int64(r.float()*(span-7200-dur))
				add(t0, t0+int64(dur))
			}
		}
	}
}
