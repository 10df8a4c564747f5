package sim

import (
	"cmp"
	"slices"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
)

// TruthEvent is one thing the behaviour detectors (internal/detect)
// should find in the AIS written: what really happened, from the plans
// the AIS was sampled from (Manifest.Truth). Kinds:
//
//   - event.PortVisit: a stay alongside with the AIS on, of any vessel;
//     Port, Start the arrival, End the departure.
//   - event.Gap: an AIS-off period of 12 h or more (the founding ships'
//     dark legs; nothing else in the scenario is silent that long);
//     Start the switch-off, End the switch-on.
//   - event.DarkPortVisit: the port a founding ship visited during a dark
//     leg; Port the port really visited, Start/End the stay there.
//   - event.Encounter: the ship-to-ship meeting at sea; MMSI and OtherMMSI
//     the pair, Start/End the time side by side.
//   - event.Loitering: none in the founding scenario (the STS drift lasts
//     under the 4 h that loitering needs, and no ordinary vessel idles at
//     sea), so a loitering event is a false positive.
//
// Times are the true ones, not clipped to the window written. Optional
// marks an event the data cannot show for sure because the window cuts it
// (a stay with less than two of the vessel's reporting intervals alongside
// inside the window, a dark leg switched off before the window starts or
// on after it ends, a meeting cut short): a detector may find it or not,
// and Score counts neither.
type TruthEvent struct {
	Kind      event.Kind `json:"kind"`
	MMSI      uint32     `json:"mmsi"`
	Name      string     `json:"name"`
	Start     time.Time  `json:"start"`
	End       time.Time  `json:"end"`
	Port      string     `json:"port,omitempty"`
	OtherMMSI uint32     `json:"other_mmsi,omitempty"`
	Optional  bool       `json:"optional,omitempty"`
}

// truthEvents lists what the detectors should find in [Start, End).
func (s *Scenario) truthEvents() []TruthEvent {
	lo, hi := unix(s.cfg.Start), unix(s.cfg.End)
	var out []TruthEvent
	for _, sh := range s.ships {
		for i := range sh.plan.segs {
			sg := &sh.plan.segs[i]
			if sg.kind != segStay || sg.t1 <= lo || sg.t0 >= hi {
				continue
			}
			a, b := max(sg.t0, lo), min(sg.t1, hi)
			if sh.plan.darkBetween(a, b) {
				continue // a dark stay: a dark port visit, below
			}
			out = append(out, TruthEvent{Kind: event.PortVisit, MMSI: sh.MMSI, Name: sh.Name, Port: sg.port,
				Start: timeUTC(sg.t0), End: timeUTC(sg.t1), Optional: b-a < 2*sh.portEvery})
		}
	}
	for _, d := range s.truth.DarkLegs {
		if !d.On.After(s.cfg.Start) || !d.Off.Before(s.cfg.End) {
			continue
		}
		cut := d.Off.Before(s.cfg.Start) || !d.On.Before(s.cfg.End)
		out = append(out,
			TruthEvent{Kind: event.Gap, MMSI: d.MMSI, Name: d.Name, Start: d.Off, End: d.On, Optional: cut},
			TruthEvent{Kind: event.DarkPortVisit, MMSI: d.MMSI, Name: d.Name, Port: d.Port, Start: d.Arrived, End: d.Departed, Optional: cut})
	}
	if sts := s.truth.STS; sts.End.After(s.cfg.Start) && sts.Start.Before(s.cfg.End) {
		cut := sts.Start.Before(s.cfg.Start) || sts.End.After(s.cfg.End)
		out = append(out, TruthEvent{Kind: event.Encounter, MMSI: sts.MMSI[0], Name: sts.Names[0], OtherMMSI: sts.MMSI[1],
			Start: sts.Start, End: sts.End, Optional: cut})
	}
	slices.SortFunc(out, func(a, b TruthEvent) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		if c := cmp.Compare(a.MMSI, b.MMSI); c != 0 {
			return c
		}
		return cmp.Compare(a.Kind, b.Kind)
	})
	return out
}

// darkBetween reports whether the AIS is off for the whole of [t0, t1).
func (p *plan) darkBetween(t0, t1 int64) bool {
	for _, o := range p.off {
		if o.t0 <= t0 && o.t1 >= t1 {
			return true
		}
	}
	return false
}
