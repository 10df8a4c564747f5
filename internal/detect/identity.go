package detect

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// idRec is one identity of an MMSI, from its first report.
type idRec struct {
	t        int64
	imo      uint32
	name     string
	callSign string
	shipType uint8
	flag     string
}

func (r idRec) same(o idRec) bool {
	return r.imo == o.imo && r.name == o.name && r.callSign == o.callSign && r.shipType == o.shipType && r.flag == o.flag
}

type identityState struct {
	hist []idRec // by first report time
}

const maxIdentities = 8

// imoState is the MMSIs an IMO number was broadcast under.
type imoState struct {
	uses []imoUse
}

type imoUse struct {
	mmsi uint32
	t    int64 // first report under this MMSI
	flag string
	name string
}

// identity records an identity batch and publishes the changes between
// consecutive identities: a key field (IMO, name, call sign, ship type)
// going from one known value to another. A field first filled in is not a
// change. Identities are ordered by first report, so the result does not
// depend on the order batches arrive in.
func (e *Engine) identity(v *vstate, id vessel.Identity) {
	r := idRec{t: id.FirstSeen.UnixNano(), imo: id.IMO, name: id.Name, callSign: id.CallSign, shipType: id.ShipType, flag: id.Flag}
	s := &v.ids
	known := false
	for i := range s.hist {
		if s.hist[i].same(r) {
			known = true
			if r.t < s.hist[i].t {
				s.hist[i].t = r.t
			}
			break
		}
	}
	if !known {
		s.hist = append(s.hist, r)
	}
	slices.SortFunc(s.hist, func(a, b idRec) int { return cmp.Compare(a.t, b.t) })
	if len(s.hist) > maxIdentities {
		s.hist = slices.Delete(s.hist, 0, len(s.hist)-maxIdentities)
	}
	for i := 1; i < len(s.hist); i++ {
		e.identityChange(v, s.hist[i-1], s.hist[i])
	}
	if id.IMO != 0 {
		e.imoUse(v, id)
	}
}

func (e *Engine) identityChange(v *vstate, a, b idRec) {
	var changed []string
	var parts []string
	d := map[string]any{}
	cmpStr := func(field, x, y string) {
		if x != "" && y != "" && x != y {
			changed = append(changed, field)
			d[field+"_before"], d[field+"_after"] = x, y
			parts = append(parts, fmt.Sprintf("%s %q → %q", strings.ReplaceAll(field, "_", " "), x, y))
		}
	}
	if a.imo != 0 && b.imo != 0 && a.imo != b.imo {
		changed = append(changed, "imo")
		d["imo_before"], d["imo_after"] = a.imo, b.imo
		parts = append(parts, fmt.Sprintf("IMO %d → %d", a.imo, b.imo))
	}
	cmpStr("name", a.name, b.name)
	cmpStr("call_sign", a.callSign, b.callSign)
	if a.shipType != 0 && b.shipType != 0 && a.shipType != b.shipType {
		changed = append(changed, "ship_type")
		d["ship_type_before"], d["ship_type_after"] = a.shipType, b.shipType
		parts = append(parts, fmt.Sprintf("ship type %d → %d", a.shipType, b.shipType))
	}
	cmpStr("flag", a.flag, b.flag)
	if len(changed) == 0 {
		return
	}
	ev := e.newEvent(NameIdentityChange, event.IdentityChange, v, b.t, b.t)
	ev.IMO, ev.Name = b.imo, b.name
	ev.Key = event.MakeKey(NameIdentityChange, event.IdentityChange, v.mmsi, time.Unix(0, b.t), b.imo, b.name, b.callSign, b.shipType)
	ev.Confidence = 1
	d["changed"] = changed
	d["previous_since"] = time.Unix(0, a.t).UTC()
	ev.Details = d
	ev.Explanation = fmt.Sprintf("MMSI %d changed identity on %s: %s. Renaming or re-registering a ship is a common way to shed a sanctioned identity.",
		v.mmsi, fmtTime(b.t), strings.Join(parts, "; "))
	e.publish(ev, e.cfg.Idle)
}

// imoUse records that id's IMO was broadcast under id's MMSI and
// publishes an MMSI change for every MMSI that took up the IMO after
// another one.
func (e *Engine) imoUse(v *vstate, id vessel.Identity) {
	st := e.imos[id.IMO]
	if st == nil {
		st = &imoState{}
		e.imos[id.IMO] = st
	}
	t := id.FirstSeen.UnixNano()
	found := false
	for i := range st.uses {
		if st.uses[i].mmsi == id.MMSI {
			found = true
			if t < st.uses[i].t {
				st.uses[i].t, st.uses[i].name = t, id.Name
			}
		}
	}
	if found && len(st.uses) == 1 {
		return
	}
	if !found {
		st.uses = append(st.uses, imoUse{mmsi: id.MMSI, t: t, flag: id.Flag, name: id.Name})
	}
	slices.SortFunc(st.uses, func(a, b imoUse) int {
		if c := cmp.Compare(a.t, b.t); c != 0 {
			return c
		}
		return cmp.Compare(a.mmsi, b.mmsi)
	})
	if len(st.uses) > maxIdentities {
		st.uses = slices.Delete(st.uses, 0, len(st.uses)-maxIdentities)
	}
	for i := 1; i < len(st.uses); i++ {
		a, b := st.uses[i-1], st.uses[i]
		w := e.vessels[b.mmsi]
		if w == nil {
			w = &vstate{mmsi: b.mmsi}
		}
		ev := e.newEvent(NameIdentityChange, event.IdentityChange, w, b.t, b.t)
		ev.IMO, ev.Name = id.IMO, b.name
		ev.Key = event.MakeKey(NameIdentityChange, event.IdentityChange, "mmsi", id.IMO, b.mmsi)
		ev.OtherMMSI, ev.OtherName = a.mmsi, a.name
		ev.Confidence = 0.9
		d := ev.Details
		d["changed"] = []string{"mmsi"}
		d["mmsi_before"], d["mmsi_after"] = a.mmsi, b.mmsi
		d["flag_before"], d["flag_after"] = a.flag, b.flag
		flag := ""
		if a.flag != b.flag && a.flag != "" && b.flag != "" {
			flag = fmt.Sprintf(" (flag %s → %s)", a.flag, b.flag)
		}
		ev.Explanation = fmt.Sprintf("IMO %d, broadcast under MMSI %d since %s, appeared under MMSI %d on %s%s: the ship changed MMSI, typically with a re-flag — or two transmitters use one IMO number.",
			id.IMO, a.mmsi, fmtTime(a.t), b.mmsi, fmtTime(b.t), flag)
		e.publish(ev, e.cfg.Idle)
	}
}
