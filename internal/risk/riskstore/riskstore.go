// Package riskstore connects the risk engine to a store: it gathers what
// the store knows of every vessel (identity history, events, earlier
// ratings), rates the fleet, and records rating changes as risk_change
// events. The engine itself (package risk) stays pure; this is the only
// place ratings meet a database.
package riskstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/risk"
	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// Reader is what rating reads from a store.
type Reader interface {
	Vessels(ctx context.Context, q store.VesselQuery) ([]store.VesselSummary, error)
	Vessel(ctx context.Context, mmsi uint32) (store.VesselHistory, error)
	VesselsByIMO(ctx context.Context, imo uint32) ([]store.VesselHistory, error)
	Events(ctx context.Context, q store.EventQuery) ([]event.Event, error)
}

// Writer is what recording rating changes needs besides reading.
type Writer interface {
	Reader
	Track(ctx context.Context, mmsi uint32, from, to time.Time) ([]vessel.TrackPoint, error)
	PutEvents(ctx context.Context, evs []event.Event) error
}

// IdentityScanner is an optional bulk read of the identity history.
// Without it Load reads the history of each vessel with more than one
// identity on its own, which costs about 10–20 ms a vessel on DuckDB
// (Vessel also computes the summary); a store that has it is read in one
// pass.
type IdentityScanner interface {
	// ScanIdentities calls fn with every stored identity, ordered by
	// MMSI, then FirstSeen, in batches; fn must not keep the slice.
	ScanIdentities(ctx context.Context, fn func([]vessel.Identity) error) error
}

// Kinds are the event kinds the engine reads, and risk_change for the
// previous ratings.
var Kinds = []event.Kind{event.SanctionsHit, event.PortVisit, event.DarkPortVisit, event.Encounter, event.Gap,
	event.Spoofing, event.Loitering, event.IdentityChange, event.DraughtChange, event.DarkDetection, event.RiskChange}

// Snapshot is what the store knew of every vessel as of At: one Input per
// MMSI (every vessel with an identity, positions or events), ordered by
// MMSI, and each vessel's latest rating change.
type Snapshot struct {
	At      time.Time
	Inputs  []risk.Input
	Summary []store.VesselSummary // parallel to Inputs; zero for vessels known only from events
	// Changes holds each vessel's latest risk_change event at or before
	// At: the rating it was last recorded with.
	Changes map[uint32]*event.Event
	byMMSI  map[uint32]int
	byIMO   map[uint32][]int // built on first use
}

// Load reads the snapshot. Events are read in one query (current
// revisions, not withdrawn, starting at or before at); the identity
// history is read per vessel only for vessels with more than one identity
// (the others' history is their latest identity), which keeps a store of
// 100 000 mostly unremarkable vessels to a few queries per changed one.
//
// An encounter is stored once per pair, under one of the two vessels; it
// is given to the other vessel too, seen from its side.
func Load(ctx context.Context, st Reader, at time.Time) (*Snapshot, error) {
	at = at.UTC()
	vs, err := st.Vessels(ctx, store.VesselQuery{Order: store.ByMMSI})
	if err != nil {
		return nil, fmt.Errorf("risk: vessels: %w", err)
	}
	s := &Snapshot{At: at, Changes: map[uint32]*event.Event{}, byMMSI: make(map[uint32]int, len(vs))}
	s.Inputs = make([]risk.Input, 0, len(vs))
	s.Summary = make([]store.VesselSummary, 0, len(vs))
	var hist map[uint32][]vessel.Identity
	if sc, ok := st.(IdentityScanner); ok {
		hist = map[uint32][]vessel.Identity{}
		err := sc.ScanIdentities(ctx, func(ids []vessel.Identity) error {
			for _, id := range ids {
				hist[id.MMSI] = append(hist[id.MMSI], id)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("risk: identities: %w", err)
		}
	}
	for _, v := range vs {
		in := risk.Input{MMSI: v.MMSI}
		switch {
		case hist != nil:
			in.History = hist[v.MMSI]
		case v.Identities > 1:
			h, err := st.Vessel(ctx, v.MMSI)
			if err != nil {
				return nil, fmt.Errorf("risk: vessel %d: %w", v.MMSI, err)
			}
			in.History = h.History
		case v.Latest != nil:
			in.History = []vessel.Identity{*v.Latest}
		}
		s.byMMSI[v.MMSI] = len(s.Inputs)
		s.Inputs = append(s.Inputs, in)
		s.Summary = append(s.Summary, v)
	}

	// Events starting after at are not known yet as of at (To is
	// exclusive, hence the microsecond).
	evs, err := st.Events(ctx, store.EventQuery{Kinds: Kinds, To: at.Add(time.Microsecond)})
	if err != nil {
		return nil, fmt.Errorf("risk: events: %w", err)
	}
	var changes []event.Event
	added := false
	add := func(mmsi uint32, e event.Event) {
		i, ok := s.byMMSI[mmsi]
		if !ok {
			i = len(s.Inputs)
			s.byMMSI[mmsi] = i
			s.Inputs = append(s.Inputs, risk.Input{MMSI: mmsi})
			s.Summary = append(s.Summary, store.VesselSummary{MMSI: mmsi})
			added = true
		}
		s.Inputs[i].Events = append(s.Inputs[i].Events, e)
	}
	for _, e := range evs {
		if e.MMSI == 0 {
			continue // an unattributed dark detection rates no vessel
		}
		if e.Kind == event.RiskChange {
			changes = append(changes, e)
			continue
		}
		add(e.MMSI, e)
		if e.Kind == event.Encounter && e.OtherMMSI != 0 && e.OtherMMSI != e.MMSI {
			add(e.OtherMMSI, mirror(e))
		}
	}
	if added {
		// Keep the MMSI order (deterministic output, binary-searchable).
		idx := make([]int, len(s.Inputs))
		for i := range idx {
			idx[i] = i
		}
		slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(s.Inputs[a].MMSI, s.Inputs[b].MMSI) })
		ins, sum := make([]risk.Input, len(idx)), make([]store.VesselSummary, len(idx))
		for j, i := range idx {
			ins[j], sum[j] = s.Inputs[i], s.Summary[i]
			s.byMMSI[ins[j].MMSI] = j
		}
		s.Inputs, s.Summary = ins, sum
	}
	for mmsi, e := range risk.LatestChanges(changes) {
		s.Changes[mmsi] = e
	}
	return s, nil
}

// mirror is an encounter seen from the other vessel.
func mirror(e event.Event) event.Event {
	m := e
	m.MMSI, m.OtherMMSI = e.OtherMMSI, e.MMSI
	m.Name, m.OtherName = e.OtherName, e.Name
	m.IMO = 0
	switch imo := e.Details["other_imo"].(type) {
	case float64: // as stored
		if imo > 0 && imo < 1e10 {
			m.IMO = uint32(imo)
		}
	case uint32: // as the detector emits it
		m.IMO = imo
	}
	return m
}

// Index returns the position of mmsi in Inputs, or -1.
func (s *Snapshot) Index(mmsi uint32) int {
	if i, ok := s.byMMSI[mmsi]; ok {
		return i
	}
	return -1
}

// Find resolves what a user typed: a nine-digit MMSI, a seven-digit IMO
// ("IMO 9358010" too) or a name, current or former (case and spacing
// ignored). It returns the matching Inputs' positions: vessels whose
// latest name matches come before those that only carried it earlier.
func (s *Snapshot) Find(ref string) []int {
	q := strings.TrimSpace(ref)
	digits := strings.TrimSpace(strings.TrimPrefix(strings.ToUpper(q), "IMO"))
	if n, err := strconv.ParseUint(digits, 10, 32); err == nil {
		switch {
		case len(digits) == 9 && !strings.HasPrefix(strings.ToUpper(q), "IMO"):
			if i := s.Index(uint32(n)); i >= 0 {
				return []int{i}
			}
			return nil
		case len(digits) == 7:
			return slices.Clone(s.ByIMO(uint32(n)))
		}
	}
	key := nameKey(q)
	if key == "" {
		return nil
	}
	var cur, former []int
	for i := range s.Inputs {
		h := s.Inputs[i].History
		switch {
		case len(h) > 0 && nameKey(h[len(h)-1].Name) == key:
			cur = append(cur, i)
		case slices.ContainsFunc(h, func(id vessel.Identity) bool { return nameKey(id.Name) == key }):
			former = append(former, i)
		}
	}
	return append(cur, former...)
}

// ByIMO returns the positions in Inputs of the vessels that ever
// broadcast imo, in MMSI order (do not modify the slice).
func (s *Snapshot) ByIMO(imo uint32) []int {
	if s.byIMO == nil {
		s.byIMO = map[uint32][]int{}
		for i := range s.Inputs {
			for _, id := range s.Inputs[i].History {
				if l := s.byIMO[id.IMO]; id.IMO != 0 && (len(l) == 0 || l[len(l)-1] != i) {
					s.byIMO[id.IMO] = append(l, i)
				}
			}
		}
	}
	return s.byIMO[imo]
}

func nameKey(s string) string { return strings.ToUpper(strings.Join(strings.Fields(s), " ")) }

// Rate rates every vessel of the snapshot (encounters resolved among
// them, see risk.Rater.RateAll). Profiles are parallel to s.Inputs.
func Rate(r *risk.Rater, s *Snapshot) []risk.Profile { return r.RateAll(s.Inputs, s.At) }

// Result is what Update did.
type Result struct {
	Rated    int
	Profiles []risk.Profile // parallel to Snapshot.Inputs
	Changes  []event.Event  // the risk_change events stored
	Snapshot *Snapshot
}

// Update rates every vessel as of at and stores a risk_change event for
// each vessel whose rating differs from its latest recorded one (a vessel
// never rated counts as low). Events are keyed by vessel, time, rating and
// the previous change (risk.ChangeSince), so running Update again with the
// same data and time stores nothing new, and a later run records only what
// changed since. Call it when new events, lists or a new policy arrive.
func Update(ctx context.Context, st Writer, r *risk.Rater, at time.Time) (Result, error) {
	s, err := Load(ctx, st, at)
	if err != nil {
		return Result{}, err
	}
	res := Result{Snapshot: s, Rated: len(s.Inputs), Profiles: Rate(r, s)}
	for i := range res.Profiles {
		p := &res.Profiles[i]
		e, ok := risk.ChangeSince(s.Changes[p.MMSI], *p)
		if !ok {
			continue
		}
		if e.Lat == 0 && e.Lon == 0 {
			if e.Lat, e.Lon, err = lastPosition(ctx, st, s.Summary[i], s.At); err != nil {
				return Result{}, fmt.Errorf("risk: vessel %d: %w", p.MMSI, err)
			}
			p.Lat, p.Lon = e.Lat, e.Lon
		}
		res.Changes = append(res.Changes, e)
	}
	if len(res.Changes) > 0 {
		if err := st.PutEvents(ctx, res.Changes); err != nil {
			return Result{}, fmt.Errorf("risk: storing %d rating changes: %w", len(res.Changes), err)
		}
	}
	return res, nil
}

// lastPosition is the vessel's latest position at or before at (the
// week before its last sighting), so that a rating change shows on the
// map where the vessel was; 0,0 when it has none.
func lastPosition(ctx context.Context, st Writer, v store.VesselSummary, at time.Time) (float64, float64, error) {
	if v.Positions == 0 || v.LastSeen.IsZero() {
		return 0, 0, nil
	}
	to := at.Add(time.Microsecond)
	last := v.LastSeen
	if last.After(at) {
		last = at
	}
	from := last.Add(-7 * 24 * time.Hour)
	pts, err := st.Track(ctx, v.MMSI, from, to)
	if err != nil || len(pts) == 0 {
		return 0, 0, err
	}
	p := pts[len(pts)-1]
	return p.Lat, p.Lon, nil
}
