package risk

import (
	"fmt"
	"strings"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
)

// Detector names the risk engine in the events it emits; bump
// DetectorVersion when the meaning of a risk_change event changes.
const (
	Detector        = "risk"
	DetectorVersion = "1"
)

// Change compares a vessel's previous profile with a new one and returns
// a risk_change event when the rating changed (ok false otherwise). A zero
// old Profile (never rated) counts as low with score 0, so a vessel first
// rated high yields "became high risk".
//
// The event's Details: old_rating, new_rating, old_score, new_score,
// direction ("up" or "down"), policy, old_policy, added and removed (the
// factors that appeared or went, each {kind, contribution, events}) and
// top_factors (the new profile's three largest), factors (all of them,
// for FromChange) and evidence (the keys of the added factors' events).
// Watches can match on Details["new_rating"].
func Change(old, cur Profile) (event.Event, bool) {
	oldRating := old.Rating
	if oldRating == "" {
		oldRating = Low
	}
	if oldRating == cur.Rating {
		return event.Event{}, false
	}
	dir := "up"
	if cur.Rating.Level() < oldRating.Level() {
		dir = "down"
	}
	added, removed := diffFactors(old.Factors, cur.Factors)

	name := cur.Name
	if name == "" {
		name = fmt.Sprintf("MMSI %d", cur.MMSI)
	}
	var s strings.Builder
	if dir == "up" {
		fmt.Fprintf(&s, "%s became %s (was %s; score %.1f → %.1f).", name, ratingPhrase(cur.Rating), oldRating, old.Score, cur.Score)
	} else {
		fmt.Fprintf(&s, "%s fell to %s (was %s; score %.1f → %.1f).", name, ratingPhrase(cur.Rating), oldRating, old.Score, cur.Score)
	}
	if len(added) > 0 {
		s.WriteString(" New: ")
		for i, f := range added {
			if i == 3 {
				fmt.Fprintf(&s, "; and %d more", len(added)-3)
				break
			}
			if i > 0 {
				s.WriteString("; ")
			}
			fmt.Fprintf(&s, "%s %+.1f (%s)", f.Kind, f.Contribution, strings.TrimSuffix(f.Explanation, "."))
		}
		s.WriteString(".")
	}
	if len(removed) > 0 {
		kinds := make([]string, 0, len(removed))
		for _, f := range removed {
			if !containsString(kinds, string(f.Kind)) {
				kinds = append(kinds, string(f.Kind))
			}
		}
		fmt.Fprintf(&s, " No longer counted: %s.", strings.Join(kinds, ", "))
	}
	if old.Policy != "" && old.Policy != cur.Policy {
		fmt.Fprintf(&s, " Policy changed from %s to %s.", old.Policy, cur.Policy)
	}

	top := cur.Top(3)
	keys := make([]string, 0, 8)
	for _, f := range added {
		keys = append(keys, f.Events...)
	}
	details := map[string]any{
		"old_rating": string(oldRating), "new_rating": string(cur.Rating),
		"old_score": round1(old.Score), "new_score": round1(cur.Score),
		"direction": dir, "policy": cur.Policy, "old_policy": old.Policy,
		"added": factorRefs(added), "removed": factorRefs(removed), "top_factors": factorRefs(top),
		"evidence": keys,
		// Every factor, so that the next change can say what was added
		// and removed since this one (FromChange).
		"factors": factorRefs(cur.Factors),
	}
	return event.Event{
		Key:  event.MakeKey(Detector, event.RiskChange, cur.MMSI, cur.At, string(cur.Rating)),
		Kind: event.RiskChange, MMSI: cur.MMSI, IMO: cur.IMO, Name: cur.Name,
		Start: cur.At, End: cur.At, Lat: cur.Lat, Lon: cur.Lon,
		Confidence: 1, Explanation: s.String(),
		Detector: Detector, Version: DetectorVersion,
		Params:  map[string]any{"policy": cur.Policy},
		Details: details,
	}, true
}

func ratingPhrase(r Rating) string {
	switch r {
	case Sanctioned:
		return "sanctioned"
	case Low:
		return "low risk"
	}
	return string(r) + " risk"
}

func round1(x float64) float64 { return float64(int64(x*10+0.5)) / 10 }

func factorID(f *Factor) string {
	return string(f.Kind) + "|" + strings.Join(f.Events, ",")
}

// diffFactors returns the factors of cur not in old and of old not in cur,
// a factor being identified by its kind and events.
func diffFactors(old, cur []Factor) (added, removed []Factor) {
	inOld := make(map[string]bool, len(old))
	for i := range old {
		inOld[factorID(&old[i])] = true
	}
	inCur := make(map[string]bool, len(cur))
	for i := range cur {
		id := factorID(&cur[i])
		inCur[id] = true
		if !inOld[id] {
			added = append(added, cur[i])
		}
	}
	for i := range old {
		if !inCur[factorID(&old[i])] {
			removed = append(removed, old[i])
		}
	}
	return added, removed
}

func factorRefs(fs []Factor) []map[string]any {
	out := make([]map[string]any, 0, len(fs))
	for _, f := range fs {
		out = append(out, map[string]any{"kind": string(f.Kind), "contribution": round1(f.Contribution), "events": f.Events})
	}
	return out
}

// RateAll rates many vessels as of at, resolving encounters among them in
// two passes: the first rates every vessel without encounters; the second
// re-rates the vessels that had encounters, looking the other vessel up in
// the first pass (and, for vessels outside ins, in the Rater's own
// Counterparties). Two passes only, on purpose: risk does not spread along
// chains of encounters across a whole fleet.
func (r *Rater) RateAll(ins []Input, at time.Time) []Profile {
	first := r.WithCounterparties(nil)
	out := make([]Profile, len(ins))
	ratings := make(CounterpartyMap, len(ins))
	var again []int
	for i := range ins {
		out[i] = first.Rate(ins[i], at)
		if out[i].MMSI != 0 {
			if prev, ok := ratings[out[i].MMSI]; !ok || out[i].Rating.Level() > prev.Level() {
				ratings[out[i].MMSI] = out[i].Rating
			}
		}
		for j := range ins[i].Events {
			if ins[i].Events[j].Kind == event.Encounter {
				again = append(again, i)
				break
			}
		}
	}
	if len(again) == 0 {
		return out
	}
	second := r.WithCounterparties(chain{ratings, r.cfg.Counterparties})
	for _, i := range again {
		out[i] = second.Rate(ins[i], at)
	}
	return out
}

// chain looks a vessel up in m, then in next.
type chain struct {
	m    CounterpartyMap
	next Counterparties
}

func (c chain) Counterparty(mmsi uint32) (Rating, bool) {
	if r, ok := c.m[mmsi]; ok {
		return r, true
	}
	if c.next != nil {
		return c.next.Counterparty(mmsi)
	}
	return "", false
}

// FromChange recovers the rating state a risk_change event recorded: the
// rating, score, policy, time and factors (kind, contribution, events) of
// the profile that produced it, enough for the next Change to compare
// against. It reads events as stored (numbers as float64, lists as []any).
func FromChange(e *event.Event) Profile {
	p := Profile{MMSI: e.MMSI, IMO: e.IMO, Name: e.Name, At: e.Start, Lat: e.Lat, Lon: e.Lon,
		Rating: Rating(detailString(e.Details, "new_rating")), Policy: detailString(e.Details, "policy")}
	if p.Rating.Level() < 0 {
		p.Rating = Low
	}
	p.Score, _ = detailFloat(e.Details, "new_score")
	p.Band = p.Rating
	var refs []any
	switch v := e.Details["factors"].(type) {
	case []any:
		refs = v
	case []map[string]any: // not yet round-tripped through a store
		for _, m := range v {
			refs = append(refs, m)
		}
	}
	for _, x := range refs {
		m, ok := x.(map[string]any)
		if !ok {
			continue
		}
		f := Factor{Kind: FactorKind(detailString(m, "kind")), Events: detailStrings(m, "events")}
		f.Contribution, _ = detailFloat(m, "contribution")
		p.Factors = append(p.Factors, f)
	}
	return p
}

// ChangeSince is Change against the state recorded by prev, the vessel's
// latest risk_change event (nil when it has none). The new event's key
// chains on prev's, so that a vessel going high → low → high at one
// evaluation time gets three distinct events, while re-running a rating
// that changed nothing emits nothing: recomputation is idempotent.
func ChangeSince(prev *event.Event, cur Profile) (event.Event, bool) {
	var old Profile
	if prev != nil {
		old = FromChange(prev)
	}
	e, ok := Change(old, cur)
	if ok && prev != nil {
		e.Key = event.MakeKey(Detector, event.RiskChange, cur.MMSI, cur.At, string(cur.Rating), prev.Key)
	}
	return e, ok
}

// LatestChanges returns each vessel's latest risk_change event among evs
// (by Start, then ID, then position in evs), ignoring other kinds and
// withdrawn events.
func LatestChanges(evs []event.Event) map[uint32]*event.Event {
	out := map[uint32]*event.Event{}
	for i := range evs {
		e := &evs[i]
		if e.Kind != event.RiskChange || e.Withdrawn {
			continue
		}
		if p, ok := out[e.MMSI]; ok && (e.Start.Before(p.Start) || e.Start.Equal(p.Start) && e.ID < p.ID) {
			continue
		}
		out[e.MMSI] = e
	}
	return out
}
