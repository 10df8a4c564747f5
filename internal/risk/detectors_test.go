package risk

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// The engine reads events the way internal/detect writes them: draught
// changes say "across", identity changes give FIELD_before/FIELD_after,
// an invalid IMO is a spoofing event of type invalid_imo.
func TestDetectorDetails(t *testing.T) {
	r := mustRater(t, nil)
	const mmsi = 273000001
	dr := ev(event.DraughtChange, mmsi, "dr-gap", date("2023-10-01"), 30*time.Hour)
	dr.Details["across"], dr.Details["before_m"], dr.Details["after_m"], dr.Details["delta_m"] = "gap", 4.1, 6.3, 2.2
	drPort := ev(event.DraughtChange, mmsi, "dr-port", date("2023-11-01"), 30*time.Hour)
	drPort.Details["across"] = "port_visit" // seen in port: ordinary cargo work
	idc := ev(event.IdentityChange, mmsi, "idc", date("2023-08-02"), 0)
	idc.Details["changed"] = []string{"name", "call_sign", "flag"}
	idc.Details["name_before"], idc.Details["name_after"] = "MAIA-1", "MAIA"
	idc.Details["flag_before"], idc.Details["flag_after"] = "RU", "CM"
	mmsiChange := ev(event.IdentityChange, mmsi, "idc-mmsi", date("2023-09-02"), 0)
	mmsiChange.Details["changed"] = []string{"mmsi"}
	mmsiChange.Details["mmsi_before"], mmsiChange.Details["mmsi_after"] = uint32(273999999), uint32(mmsi)
	badIMO := ev(event.Spoofing, mmsi, "spoof-imo", date("2023-07-01"), 0)
	badIMO.Details["type"], badIMO.Details["imo"] = "invalid_imo", uint32(9358011)
	badIMO.IMO = 9358011

	in := Input{MMSI: mmsi, History: []vessel.Identity{ident(mmsi, 9358011, "MAIA", "RU", date("2023-01-01"), date("2024-01-01"))},
		Events: []event.Event{dr, drPort, idc, mmsiChange, badIMO}}
	// Through JSON, as a store returns them.
	b, err := json.Marshal(in.Events)
	if err != nil {
		t.Fatal(err)
	}
	var stored []event.Event
	if err := json.Unmarshal(b, &stored); err != nil {
		t.Fatal(err)
	}
	for name, evs := range map[string][]event.Event{"in memory": in.Events, "stored": stored} {
		in.Events = evs
		p := r.Rate(in, at0)
		byKind := map[FactorKind][]Factor{}
		for _, f := range p.Factors {
			byKind[f.Kind] = append(byKind[f.Kind], f)
		}
		if d := byKind[DraughtChangeDark]; len(d) != 1 || d[0].Events[0] != "dr-gap" || !strings.Contains(d[0].Explanation, "by +2.2 m") {
			t.Errorf("%s: draught %+v", name, d)
		}
		if f := byKind[Rename]; len(f) != 1 || !strings.Contains(f[0].Explanation, "from MAIA-1 to MAIA") {
			t.Errorf("%s: rename %+v", name, f)
		}
		if f := byKind[Reflag]; len(f) != 1 || !strings.Contains(f[0].Explanation, "from RU to CM") {
			t.Errorf("%s: reflag %+v", name, f)
		}
		if f := byKind[IMOChange]; len(f) != 1 || !strings.Contains(f[0].Explanation, "from 273999999 to 273000001") {
			t.Errorf("%s: MMSI change %+v", name, f)
		}
		// One invalid_imo factor for the number the history and the
		// detector both report, resting on the detector's event; no
		// spoofing factor for it.
		if f := byKind[InvalidIMO]; len(f) != 1 || strings.Join(f[0].Events, ",") != "spoof-imo" || !strings.Contains(f[0].Explanation, "9358011") {
			t.Errorf("%s: invalid IMO %+v", name, f)
		}
		if len(byKind[Spoofing]) != 0 {
			t.Errorf("%s: spoofing counted: %+v", name, byKind[Spoofing])
		}
	}

	// An invalid IMO only the detector saw still counts.
	only := r.Rate(Input{MMSI: mmsi, Events: []event.Event{badIMO}}, at0)
	if len(only.Factors) != 1 || only.Factors[0].Kind != InvalidIMO {
		t.Errorf("event only: %s", only.Explain())
	}
	// A different bad number in the history adds the identity record as
	// evidence.
	both := r.Rate(Input{MMSI: mmsi, History: []vessel.Identity{ident(mmsi, 1234568, "X", "RU", date("2023-01-01"), date("2024-01-01"))},
		Events: []event.Event{badIMO}}, at0)
	if f := both.Factors; len(f) != 1 || len(f[0].Events) != 2 || !strings.Contains(f[0].Explanation, "1234568, 9358011") {
		t.Errorf("both: %+v", both.Factors)
	}
}

// A risk_change event carries enough to be the "old" side of the next
// change, after a store round trip; ChangeSince chains keys.
func TestChangeSince(t *testing.T) {
	r := mustRater(t, nil)
	in := maia1()
	first, ok := ChangeSince(nil, r.Rate(in, at0))
	if !ok || first.Details["new_rating"] != "sanctioned" {
		t.Fatalf("first %+v", first)
	}
	plain, _ := Change(Profile{}, r.Rate(in, at0))
	if first.Key != plain.Key {
		t.Error("first change keyed differently from Change")
	}
	b, err := json.Marshal(first)
	if err != nil {
		t.Fatal(err)
	}
	var stored event.Event
	if err := json.Unmarshal(b, &stored); err != nil {
		t.Fatal(err)
	}
	stored.ID = 7
	old := FromChange(&stored)
	cur := r.Rate(in, at0)
	if old.Rating != Sanctioned || old.Policy != cur.Policy || len(old.Factors) != len(cur.Factors) || !near(old.Score, round1(cur.Score)) {
		t.Fatalf("recovered %+v", old)
	}
	// Same rating: nothing.
	if _, ok := ChangeSince(&stored, cur); ok {
		t.Error("change without a rating change")
	}
	// Delisted: down, with exactly the hit removed and nothing added.
	in.Events = in.Events[1:]
	down, ok := ChangeSince(&stored, r.Rate(in, at0))
	if !ok || down.Details["direction"] != "down" || down.Key == first.Key {
		t.Fatalf("down %+v", down)
	}
	removed := down.Details["removed"].([]map[string]any)
	added := down.Details["added"].([]map[string]any)
	if len(removed) != 1 || removed[0]["kind"] != "sanctions_direct" || len(added) != 0 {
		t.Errorf("removed %v added %v", removed, added)
	}
	// LatestChanges: by start, then ID.
	later := down
	later.ID, later.Start = 3, at0.Add(time.Hour)
	sameTime := stored
	sameTime.ID, sameTime.Key = 9, "x"
	other := stored
	other.MMSI, other.ID = 1, 1
	withdrawn := later
	withdrawn.Start, withdrawn.Withdrawn = at0.Add(2*time.Hour), true
	m := LatestChanges([]event.Event{later, stored, sameTime, other, withdrawn, {Kind: event.Gap, MMSI: in.MMSI, Start: at0.Add(5 * time.Hour)}})
	if len(m) != 2 || m[in.MMSI].ID != 3 || m[1].ID != 1 {
		t.Errorf("latest %+v", m)
	}
	m = LatestChanges([]event.Event{stored, sameTime})
	if m[in.MMSI].Key != "x" {
		t.Errorf("tie by ID: %+v", m[in.MMSI])
	}
}
