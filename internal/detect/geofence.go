package detect

import (
	"fmt"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
)

// geofencePoint publishes an entry or exit whenever consecutive fixes of v
// are on different sides of a zone's boundary (and an entry for a first
// fix inside).
func (e *Engine) geofencePoint(v *vstate, f fix) {
	zs := e.deps.Zones
	if len(v.zones) == 0 {
		v.zones = make([]uint64, (len(zs)+63)/64)
	}
	for i := range zs {
		z := &zs[i]
		w, bit := i/64, uint64(1)<<(i%64)
		was := v.zones[w]&bit != 0
		in := z.Contains(f.lat, f.lon)
		if in == was {
			continue
		}
		if in {
			v.zones[w] |= bit
		} else {
			v.zones[w] &^= bit
		}
		tr := "exit"
		if in {
			tr = "entry"
		}
		ev := e.newEvent(NameGeofence, event.Geofence, v, f.t, f.t)
		ev.Key = event.MakeKey(NameGeofence, event.Geofence, v.mmsi, z.Name, tr, time.Unix(0, f.t))
		ev.Port = z.Name
		ev.Lat, ev.Lon = f.lat, f.lon
		ev.Confidence = 1
		ev.Positions = []event.Ref{f.ref(v.mmsi)}
		ev.Details["zone"], ev.Details["transition"] = z.Name, tr
		first := !v.hasLast
		if first {
			ev.Details["first_fix"] = true
		}
		verb := "entered"
		if !in {
			verb = "left"
		}
		ev.Explanation = fmt.Sprintf("%s %s zone %s at %s (%s).", v.label(), verb, z.Name, fmtTime(f.t), latLon(f.lat, f.lon))
		if first {
			ev.Explanation = fmt.Sprintf("%s was first seen inside zone %s at %s (%s).", v.label(), z.Name, fmtTime(f.t), latLon(f.lat, f.lon))
		}
		e.publish(ev, e.cfg.LateWindow)
	}
}
