package track

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/vessel"
)

var t0 = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

func pos(mmsi uint32, tm time.Time, lat, lon float64) vessel.Observation {
	return vessel.Observation{Position: &vessel.Position{MMSI: mmsi, Time: tm, Lat: lat, Lon: lon,
		SOG: 10, COG: 90, Heading: 90, Status: 0, Class: vessel.ClassA, MsgType: 1, Source: "rx1"}}
}

func posFrom(src string, o vessel.Observation) vessel.Observation {
	p := *o.Position
	p.Source = src
	return vessel.Observation{Position: &p}
}

// type5 is a class A static and voyage report.
func type5(mmsi uint32, tm time.Time, imo uint32, name, call string, shipType uint8, dest string) vessel.Observation {
	return vessel.Observation{Static: &vessel.Static{MMSI: mmsi, Time: tm, IMO: imo, Name: name, CallSign: call,
		ShipType: shipType, ToBow: 100, ToStern: 20, ToPort: 10, ToStarboard: 10, Draught: 7.5,
		Destination: dest, ETA: "03-05T12:00Z", Class: vessel.ClassA, MsgType: 5, Source: "rx1",
		Has: vessel.HasIMO | vessel.HasName | vessel.HasCallSign | vessel.HasShipType |
			vessel.HasDimensions | vessel.HasDraught | vessel.HasDestination | vessel.HasETA}}
}

// part24A is a type 24 part A: the name only.
func part24A(mmsi uint32, tm time.Time, name string) vessel.Observation {
	return vessel.Observation{Static: &vessel.Static{MMSI: mmsi, Time: tm, Name: name, Has: vessel.HasName,
		Class: vessel.ClassB, MsgType: 24, Source: "rx1"}}
}

// part24B is a type 24 part B: call sign, type and dimensions.
func part24B(mmsi uint32, tm time.Time, call string, shipType uint8, length, beam uint16) vessel.Observation {
	return vessel.Observation{Static: &vessel.Static{MMSI: mmsi, Time: tm, CallSign: call, ShipType: shipType,
		ToBow: length / 2, ToStern: length - length/2, ToPort: beam / 2, ToStarboard: beam - beam/2,
		Has:   vessel.HasCallSign | vessel.HasShipType | vessel.HasDimensions,
		Class: vessel.ClassB, MsgType: 24, Source: "rx1"}}
}

// run feeds obs to a new Tracker and flushes it.
func run(t testing.TB, cfg Config, obs ...vessel.Observation) (*Tracker, *Collector) {
	t.Helper()
	tr := New(cfg, nil)
	c := &Collector{}
	for _, o := range obs {
		tr.Add(o, c)
	}
	tr.Flush(c)
	checkInvariant(t, tr)
	return tr, c
}

func checkInvariant(t testing.TB, tr *Tracker) {
	t.Helper()
	s := tr.Stats()
	if got := s.Invalid + s.Duplicates + s.Points + s.Statics + s.Buffered; got != s.Observations {
		t.Errorf("stats do not add up: %+v (sum %d)", s, got)
	}
}

// fold applies the store's upsert rule (store.IdentityWriter) to emitted
// identity batches: key (MMSI, Key()), earliest FirstSeen with its Source,
// latest LastSeen with its Destination, Reports summed. It returns the
// history ordered by MMSI and FirstSeen.
func fold(evs []IdentityEvent) []vessel.Identity {
	m := map[string]*vessel.Identity{}
	var order []string
	for _, e := range evs {
		id := e.Identity
		k := fmt.Sprint(id.MMSI, "/", id.Key())
		s, ok := m[k]
		if !ok {
			c := id
			m[k] = &c
			order = append(order, k)
			continue
		}
		if id.FirstSeen.Before(s.FirstSeen) {
			s.FirstSeen, s.Source = id.FirstSeen, id.Source
		}
		if !id.LastSeen.Before(s.LastSeen) {
			s.LastSeen = id.LastSeen
			if id.Destination != "" {
				s.Destination = id.Destination
			}
		}
		s.Reports += id.Reports
	}
	out := make([]vessel.Identity, 0, len(order))
	for _, k := range order {
		out = append(out, *m[k])
	}
	slices.SortStableFunc(out, func(a, b vessel.Identity) int {
		return cmp.Or(cmp.Compare(a.MMSI, b.MMSI), a.FirstSeen.Compare(b.FirstSeen))
	})
	return out
}

func describe(ids []vessel.Identity) string {
	var b strings.Builder
	for _, id := range ids {
		fmt.Fprintf(&b, "\n  %d imo=%d %q %q type=%d flag=%s %dx%d %s..%s n=%d dest=%q",
			id.MMSI, id.IMO, id.Name, id.CallSign, id.ShipType, id.Flag, id.Length, id.Beam,
			id.FirstSeen.Format("15:04:05"), id.LastSeen.Format("15:04:05"), id.Reports, id.Destination)
	}
	return b.String()
}

func segmentsOf(pts []vessel.TrackPoint) []uint32 {
	out := make([]uint32, len(pts))
	for i, p := range pts {
		out[i] = p.Segment
	}
	return out
}
