package risk

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// Sentinel errors.
var (
	ErrPolicy = errors.New("risk: invalid policy")
	ErrRating = errors.New("risk: unknown rating")
	ErrFleet  = errors.New("risk: bad fleet file")
)

// Rating is the verdict. Ratings are ordered: Low < Elevated < High <
// Sanctioned. The strings are part of the JSON output and the policy file.
type Rating string

const (
	Low        Rating = "low"
	Elevated   Rating = "elevated"
	High       Rating = "high"
	Sanctioned Rating = "sanctioned"
)

// Ratings lists the ratings in ascending order.
var Ratings = []Rating{Low, Elevated, High, Sanctioned}

// Level is the rating's rank: 0 for low … 3 for sanctioned, -1 for the
// empty or an unknown rating.
func (r Rating) Level() int {
	switch r {
	case Low:
		return 0
	case Elevated:
		return 1
	case High:
		return 2
	case Sanctioned:
		return 3
	}
	return -1
}

// ParseRating reads a rating name (case-insensitive), for --min flags.
func ParseRating(s string) (Rating, error) {
	r := Rating(strings.ToLower(strings.TrimSpace(s)))
	if r.Level() < 0 {
		return "", fmt.Errorf("%w %q (want low, elevated, high or sanctioned)", ErrRating, s)
	}
	return r, nil
}

// AtLeast reports whether r is at or above min.
func (r Rating) AtLeast(min Rating) bool { return r.Level() >= min.Level() }

// FactorKind names what a factor is about. The strings are keys of the
// policy file and part of the JSON output; never rename one.
type FactorKind string

const (
	// From sanctions_hit events, by Details["match"].
	SanctionsDirect     FactorKind = "sanctions_direct"
	SanctionsFormerName FactorKind = "sanctions_former_name"
	SanctionsOwner      FactorKind = "sanctions_owner"
	// A port_visit at a high-risk port.
	HighRiskPortCall FactorKind = "high_risk_port_call"
	// A dark_port_visit whose top-ranked candidate is a high-risk port.
	DarkHighRiskPortCall FactorKind = "dark_high_risk_port_call"
	// An encounter with a vessel the Counterparties lookup rates
	// sanctioned, or high.
	SanctionedEncounter FactorKind = "sanctioned_encounter"
	HighRiskEncounter   FactorKind = "high_risk_encounter"
	// gap events: with Details["suspected_disabling"] true, or without.
	SuspectedDisabling FactorKind = "suspected_disabling"
	AISGap             FactorKind = "ais_gap"
	Spoofing           FactorKind = "spoofing"
	Loitering          FactorKind = "loitering"
	// Identity changes, from identity_change events and the identity
	// history: a new name, a new flag, a new IMO number (or a new MMSI
	// under one IMO).
	Rename    FactorKind = "rename"
	Reflag    FactorKind = "reflag"
	IMOChange FactorKind = "imo_change"
	// A draught_change across a gap or dark port visit: cargo moved unseen.
	DraughtChangeDark FactorKind = "draught_change_dark"
	// A dark_detection attributed to this vessel (imaged with AIS off).
	DarkDetection FactorKind = "dark_detection"
	// Attributes of the vessel rather than events.
	FlagOfConvenience FactorKind = "flag_of_convenience"
	HighRiskFlag      FactorKind = "high_risk_flag"
	MIDFlagMismatch   FactorKind = "mid_flag_mismatch"
	InvalidIMO        FactorKind = "invalid_imo"
)

// FactorKinds lists every kind, in the order explanations group them.
var FactorKinds = []FactorKind{SanctionsDirect, SanctionsFormerName, SanctionsOwner,
	HighRiskPortCall, DarkHighRiskPortCall, SanctionedEncounter, HighRiskEncounter,
	SuspectedDisabling, AISGap, Spoofing, Loitering, Rename, Reflag, IMOChange,
	DraughtChangeDark, DarkDetection, FlagOfConvenience, HighRiskFlag, MIDFlagMismatch, InvalidIMO}

func (k FactorKind) index() int {
	for i, x := range FactorKinds {
		if x == k {
			return i
		}
	}
	return -1
}

// Valid reports whether k is a known factor kind.
func (k FactorKind) Valid() bool { return k.index() >= 0 }

// Input is what the engine knows about one vessel.
type Input struct {
	MMSI uint32
	IMO  uint32 // when known from outside AIS (a fleet file); else from History
	Name string // likewise
	// RegisteredFlag is the flag the vessel is registered under according
	// to a source other than its MMSI (a fleet file, a registry, a
	// sanctions list entry), ISO 3166-1 alpha-2; "" when unknown. It is
	// compared with the flag the MMSI's MID claims.
	RegisteredFlag string
	// History is the identity history, ordered by FirstSeen (as the store
	// returns it).
	History []vessel.Identity
	// Events are the vessel's events, current revisions only; withdrawn
	// events and events starting after the evaluation time are ignored.
	Events []event.Event
	// Lat, Lon is the latest known position (0,0 when none); copied into
	// risk_change events.
	Lat, Lon float64
}

// Counterparties tells the engine how other vessels are rated, for
// encounters. A nil Counterparties leaves encounters out of the score.
type Counterparties interface {
	// Counterparty returns the rating of the vessel with that MMSI;
	// ok is false when it is not known.
	Counterparty(mmsi uint32) (r Rating, ok bool)
}

// CounterpartyMap is a Counterparties backed by a map.
type CounterpartyMap map[uint32]Rating

// Counterparty implements Counterparties.
func (m CounterpartyMap) Counterparty(mmsi uint32) (Rating, bool) {
	r, ok := m[mmsi]
	return r, ok
}

// Factor is one piece of evidence and what it adds to the score.
type Factor struct {
	Kind FactorKind `json:"kind"`
	// Contribution = Weight × Strength × Multiplier × Decay × CapScale.
	Contribution float64 `json:"contribution"`
	Weight       float64 `json:"weight"`
	Strength     float64 `json:"strength"`
	Multiplier   float64 `json:"multiplier"`
	Decay        float64 `json:"decay"`
	// CapScale is 1 unless the kind's contributions were scaled down to
	// the kind's cap.
	CapScale float64 `json:"cap_scale"`
	// Time is when the evidence happened (the event's end); zero for
	// attributes such as the flag.
	Time time.Time `json:"time,omitzero"`
	// Floor is the lowest rating this factor imposes ("" for none).
	Floor Rating `json:"floor,omitempty"`
	// Events are the keys of the events the factor rests on; EventIDs
	// their store IDs where the events had them. Factors from the identity
	// history name identity records as "identity:MMSI:FirstSeen(unix)".
	Events   []string `json:"events"`
	EventIDs []int64  `json:"event_ids,omitempty"`
	// Explanation is a sentence a reader understands without the policy.
	Explanation string `json:"explanation"`
}

// Profile is a vessel's rating with its reasons.
type Profile struct {
	MMSI   uint32    `json:"mmsi,omitempty"`
	IMO    uint32    `json:"imo,omitempty"`
	Name   string    `json:"name,omitempty"`
	Flag   string    `json:"flag,omitempty"`
	At     time.Time `json:"at"`
	Rating Rating    `json:"rating"`
	Score  float64   `json:"score"`
	// Band is the rating the score alone gives; Rating may be higher
	// through a factor's floor.
	Band Rating `json:"band"`
	// Policy is "name@version" of the policy used.
	Policy string `json:"policy"`
	// Factors, highest contribution first (ties by kind then time).
	Factors []Factor `json:"factors"`
	// Lat, Lon: latest known position, from the Input.
	Lat float64 `json:"lat,omitempty"`
	Lon float64 `json:"lon,omitempty"`
}

// Top returns the n largest factors (all when n <= 0 or fewer exist).
func (p *Profile) Top(n int) []Factor {
	if n <= 0 || n >= len(p.Factors) {
		return p.Factors
	}
	return p.Factors[:n]
}

// JSON is the profile as indented JSON (for `lookout risk VESSEL --json`).
func (p *Profile) JSON() ([]byte, error) { return json.MarshalIndent(p, "", "  ") }

// round6 keeps JSON output readable and stable across platforms (the last
// bits of a decay may differ between math implementations).
func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// MarshalJSON writes the numbers rounded to 6 decimals.
func (f Factor) MarshalJSON() ([]byte, error) {
	type plain Factor
	g := plain(f)
	g.Contribution, g.Strength, g.Decay, g.CapScale = round6(g.Contribution), round6(g.Strength), round6(g.Decay), round6(g.CapScale)
	return json.Marshal(g)
}

// MarshalJSON writes the score rounded to 6 decimals.
func (p Profile) MarshalJSON() ([]byte, error) {
	type plain Profile
	g := plain(p)
	g.Score = round6(g.Score)
	return json.Marshal(g)
}
