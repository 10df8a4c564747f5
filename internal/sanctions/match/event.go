package match

import (
	"fmt"
	"strings"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// Detector names screening in events; bump DetectorVersion when scoring
// changes what an event would say.
const (
	Detector        = "sanctions-screen"
	DetectorVersion = "1"
)

// Match kinds in a sanctions_hit event's Details["match"].
const (
	MatchDirect     = "direct"      // the vessel, under its current identity, is listed
	MatchFormerName = "former_name" // found through an earlier identity (rename, re-flag)
	MatchOwner      = "owner"       // owned, operated or managed by a designated entity
)

// ListInfo says which list version a hit came from.
type ListInfo struct {
	Version   int64
	SHA256    string
	Published time.Time
}

// HitEvent turns a screening hit on a vessel's identity history into a
// sanctions_hit event. history is what was screened (ordered by first
// seen); lat/lon is the vessel's latest known position (0,0 when none).
//
// Details keys (read by the risk engine and the dossier): list, list_version,
// list_sha256, list_published, entity_id, entity_name, programs, program,
// designation_date, score, alert, match, reasons, chain, identity.
func (ix *Index) HitEvent(h Hit, mmsi uint32, history []vessel.Identity, info ListInfo, lat, lon float64) event.Event {
	var matched vessel.Identity
	if h.Identity >= 0 && h.Identity < len(history) {
		matched = history[h.Identity]
	}
	var latest vessel.Identity
	if len(history) > 0 {
		latest = history[len(history)-1]
	}
	kind := MatchDirect
	switch {
	case h.Kind == KindOwnership:
		kind = MatchOwner
	case h.Identity >= 0 && h.Identity < len(history)-1 && matched.Name != latest.Name:
		kind = MatchFormerName
	}
	start, end := matched.FirstSeen, matched.LastSeen
	if start.IsZero() {
		start, end = latest.FirstSeen, latest.LastSeen
	}
	if end.Before(start) {
		end = start
	}
	reasons := make([]map[string]any, 0, len(h.Reasons))
	var why []string
	for _, r := range h.Reasons {
		reasons = append(reasons, map[string]any{"field": r.Field, "query": r.Query, "listed": r.Listed, "strength": r.Strength, "note": r.Note})
		if r.Strength > 0 {
			why = append(why, fmt.Sprintf("%s %q ~ %q (%.2f)", r.Field, r.Query, r.Listed, r.Strength))
		}
	}
	chain := make([]map[string]any, 0, len(h.Chain))
	var path []string
	for _, c := range h.Chain {
		chain = append(chain, map[string]any{"entity_id": c.EntityID, "name": c.Name, "kind": string(c.Kind), "role": c.Role, "designated": c.Designated})
		if c.Role != "" {
			path = append(path, fmt.Sprintf("%s %s", c.Role, c.Name))
		} else {
			path = append(path, c.Name)
		}
	}
	details := map[string]any{
		"list": string(h.List), "list_version": info.Version, "list_sha256": h.ListSHA256,
		"entity_id": h.EntityID, "entity_name": h.Name, "entity_kind": string(h.EntityKind),
		"programs": h.Programs, "program": strings.Join(h.Programs, " "),
		"score": h.Score, "alert": h.Alert, "match": kind, "reasons": reasons, "chain": chain,
		"identity": map[string]any{"name": matched.Name, "imo": matched.IMO, "callsign": matched.CallSign, "flag": matched.Flag,
			"first_seen": matched.FirstSeen, "last_seen": matched.LastSeen},
	}
	if !info.Published.IsZero() {
		details["list_published"] = info.Published.UTC().Format(time.RFC3339)
	}
	designated := ""
	if !h.DesignationDate.IsZero() {
		details["designation_date"] = h.DesignationDate.UTC().Format("2006-01-02")
		designated = ", designated " + h.DesignationDate.UTC().Format("2 January 2006")
	}
	var expl strings.Builder
	name := latest.Name
	if name == "" {
		name = fmt.Sprintf("MMSI %d", mmsi)
	}
	switch kind {
	case MatchOwner:
		fmt.Fprintf(&expl, "%s is linked to designated %s on the %s list (entity %s, %s%s) through %s.",
			name, h.Name, h.List, h.EntityID, strings.Join(h.Programs, ", "), designated, strings.Join(path, " → "))
	case MatchFormerName:
		fmt.Fprintf(&expl, "%s, seen earlier as %s (%s to %s), matches %s on the %s list (entity %s, %s%s).",
			name, matched.Name, matched.FirstSeen.Format("2006-01-02"), matched.LastSeen.Format("2006-01-02"),
			h.Name, h.List, h.EntityID, strings.Join(h.Programs, ", "), designated)
	default:
		fmt.Fprintf(&expl, "%s matches %s on the %s list (entity %s, %s%s).", name, h.Name, h.List, h.EntityID, strings.Join(h.Programs, ", "), designated)
	}
	fmt.Fprintf(&expl, " Score %.2f: %s. List version %d (sha256 %.12s).", h.Score, strings.Join(why, "; "), info.Version, h.ListSHA256)
	return event.Event{
		Key:  event.MakeKey(Detector, event.SanctionsHit, mmsi, string(h.List), h.EntityID),
		Kind: event.SanctionsHit, MMSI: mmsi, IMO: matched.IMO, Name: matched.Name,
		Start: start, End: end, Lat: lat, Lon: lon,
		Confidence: h.Score, Explanation: expl.String(),
		Detector: Detector, Version: DetectorVersion,
		Details: details,
		Params: map[string]any{"alert_threshold": ix.cfg.AlertThreshold, "min_score": ix.cfg.MinScore,
			"max_chain_depth": ix.cfg.MaxChainDepth},
	}
}
