// Package event holds the detector event: what every detector, the
// sanctions screener, imagery matching and the risk engine emit, what the
// store keeps, and what the CLI, API, dossier and alerts show. It is a
// domain type like vessel's, imported by producers and consumers alike.
package event

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// Kind names what happened. The strings are part of the JSON output and
// the store; never rename one.
type Kind string

const (
	PortVisit      Kind = "port_visit"
	Gap            Kind = "gap"
	DarkPortVisit  Kind = "dark_port_visit"
	Encounter      Kind = "encounter"
	Loitering      Kind = "loitering"
	Spoofing       Kind = "spoofing"
	DraughtChange  Kind = "draught_change"
	IdentityChange Kind = "identity_change"
	Geofence       Kind = "geofence"
	SanctionsHit   Kind = "sanctions_hit"
	DarkDetection  Kind = "dark_detection" // a vessel imaged with no AIS
	RiskChange     Kind = "risk_change"
)

// Kinds lists every kind, for flag validation and documentation.
var Kinds = []Kind{PortVisit, Gap, DarkPortVisit, Encounter, Loitering, Spoofing,
	DraughtChange, IdentityChange, Geofence, SanctionsHit, DarkDetection, RiskChange}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Event is one finding. Producers fill everything but ID; the store
// assigns ID. An event is identified across re-runs by Key: the same
// detector over the same data gives the same Key, so re-detection
// replaces rather than duplicates, and a late message that changes an
// event (a gap shortened) re-emits it under the same Key with a higher
// Revision, or Withdrawn when it no longer holds.
type Event struct {
	ID    int64     `json:"id,omitempty"`
	Key   string    `json:"key"`
	Kind  Kind      `json:"kind"`
	MMSI  uint32    `json:"mmsi,omitempty"`
	IMO   uint32    `json:"imo,omitempty"`  // at the time of the event
	Name  string    `json:"name,omitempty"` // at the time of the event
	Start time.Time `json:"start"`
	End   time.Time `json:"end"` // equal to Start for instantaneous events
	Lat   float64   `json:"lat"` // a representative position
	Lon   float64   `json:"lon"`
	// Port is the port or zone involved; for dark_port_visit the
	// top-ranked candidate.
	Port       string      `json:"port,omitempty"`
	Candidates []Candidate `json:"candidates,omitempty"`
	OtherMMSI  uint32      `json:"other_mmsi,omitempty"`
	OtherName  string      `json:"other_name,omitempty"`
	Confidence float64     `json:"confidence"` // in [0,1]; port visits map GFW's 1–4 to 0.25–1
	// Explanation is a sentence or two a reader of a report understands
	// without knowing the detector.
	Explanation string `json:"explanation"`
	Detector    string `json:"detector"`
	Version     string `json:"version"`
	// Params are the detector parameters that produced the event.
	Params map[string]any `json:"params,omitempty"`
	// Details are kind-specific measurements (gap distance, implied speed,
	// distance from shore, draught before/after, sanctions list and
	// program...), all JSON-serialisable.
	Details map[string]any `json:"details,omitempty"`
	// Positions references the fixes the event rests on.
	Positions []Ref `json:"positions,omitempty"`
	Revision  int   `json:"revision,omitempty"`
	Withdrawn bool  `json:"withdrawn,omitempty"`
}

// Candidate is a port a vessel may have visited unseen during a gap.
type Candidate struct {
	Port     string  `json:"port"`
	Country  string  `json:"country,omitempty"`
	Score    float64 `json:"score"` // plausibility in [0,1], candidates ranked by it
	HighRisk bool    `json:"high_risk,omitempty"`
	// DetourKm is d(A,P)+d(P,B); MaxDwellH the longest stay the gap allows.
	DetourKm  float64 `json:"detour_km"`
	MaxDwellH float64 `json:"max_dwell_h"`
}

// Ref points at one stored position (its natural key is MMSI, time, lat, lon).
type Ref struct {
	MMSI uint32    `json:"mmsi"`
	Time time.Time `json:"time"`
	Lat  float64   `json:"lat"`
	Lon  float64   `json:"lon"`
}

// MakeKey builds a stable event key from the detector name and the parts
// that identify the event (MMSI, start time, the other vessel...). Keys are
// short hex digests so they fit any store column and URL.
func MakeKey(detector string, kind Kind, parts ...any) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s|%s", detector, kind)
	for _, p := range parts {
		switch v := p.(type) {
		case time.Time:
			fmt.Fprintf(h, "|%d", v.UTC().UnixMicro())
		default:
			fmt.Fprintf(h, "|%v", v)
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// Duration is End - Start.
func (e *Event) Duration() time.Duration { return e.End.Sub(e.Start) }
