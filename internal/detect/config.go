package detect

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// ErrProfile is returned for an unknown profile name.
var ErrProfile = errors.New("detect: unknown profile")

// Version is the version every detector of this package reports in
// event.Event.Version. Bump it when a detector's output for the same input
// and parameters changes, so stored events say which logic produced them.
const Version = "4"

// Detector names, as recorded in event.Event.Detector and used by
// store.EventWriter.ReplaceEvents for a re-run.
const (
	NamePortVisit      = "port_visit"
	NameGap            = "gap"
	NameDarkPortVisit  = "dark_port_visit"
	NameEncounter      = "encounter"
	NameLoitering      = "loitering"
	NameSpoofing       = "spoofing"
	NameDraughtChange  = "draught_change"
	NameIdentityChange = "identity_change"
	NameGeofence       = "geofence"
)

// Names lists every detector of this package.
var Names = []string{NamePortVisit, NameGap, NameDarkPortVisit, NameEncounter, NameLoitering,
	NameSpoofing, NameDraughtChange, NameIdentityChange, NameGeofence}

// Config holds every detector's parameters. Start from Default() or
// Profile(name) and change fields; docs/EVENTS.md gives each default and
// its source.
type Config struct {
	Profile   string // the profile the values came from, recorded in Params
	PortVisit PortVisitConfig
	Gap       GapConfig
	DarkPort  DarkPortConfig
	Encounter EncounterConfig
	Loitering LoiteringConfig
	Spoofing  SpoofingConfig
	Draught   DraughtConfig
	Identity  IdentityConfig
	Geofence  GeofenceConfig

	// LateWindow is how far back (event time, per vessel) late data still
	// re-evaluates gaps, dark port visits and draught changes; older late
	// fixes only count. It bounds the per-vessel gap history.
	LateWindow time.Duration
	// Idle drops a vessel's state when it has sent nothing for this long
	// (measured against the newest event time of the input). A vessel
	// silent for longer is not reported as one gap when it reappears.
	Idle time.Duration
}

// PortVisitConfig: Global Fishing Watch's port-visit definition (GFW
// anchorages dataset and port events: "within three kilometers of an
// anchorage ... stopped (speed of less than 0.2 knots) ... exit when it
// travels more than four kilometers", GFW FAQ "How are port visits
// defined"; GFW's pipe-anchorages port events: entry 3 km, exit 4 km,
// stopped below 0.2 kn until above 0.5 kn, a port gap after 240 minutes of
// silence; visits graded 2-4 by which of entry, stop/gap and exit were
// seen, GFW events API documentation, port visit confidence).
type PortVisitConfig struct {
	Enabled       bool
	EntryKm       float64       // a fix this close to a port point enters it (GFW: 3 km)
	ExitKm        float64       // a vessel in port exits beyond this (GFW: 4 km)
	StopKn        float64       // below: stopped (GFW: 0.2 kn)
	MoveKn        float64       // above: moving again (GFW: 0.5 kn)
	GapInPort     time.Duration // silence in port counting as a port gap (GFW: 4 h)
	MinConfidence int           // lowest confidence level (1-4) reported (GFW publishes 2-4)
	SearchKm      float64       // largest place radius looked up around a fix (Lookout)
}

// GapConfig: AIS gaps. GFW's gap pipeline marks a position followed by 6 h
// of silence as an "AIS off" event but counts only gaps of 12 h or more
// (about the revisit time of a sun-synchronous AIS satellite) — GFW
// technical documentation, "AIS gaps". Suspected intentional disabling
// follows Welch et al. (2022), "Hot spots of unseen fishing vessels",
// Science Advances 8(44) eabq2109, and its code
// (github.com/GlobalFishingWatch/paper-ais-disabling): a gap of >= 12 h,
// more than 50 nm from shore (GFW's published events: at both ends), with
// at least 14 positions in the 12 h before it (the paper counts satellite
// positions; Lookout counts every position it has, which it cannot tell
// apart).
type GapConfig struct {
	Enabled bool
	Min     time.Duration // shortest silence reported (GFW, Welch et al.: 12 h; Skylight: 6 h)
	// OpenAfter: a vessel silent this long at the newest event time of
	// the input is reported as an open gap (GFW's "AIS off" at 6 h,
	// Skylight's potential dark activity at 6 h); it is withdrawn if the
	// vessel reappears before Min, revised when it closes.
	OpenAfter time.Duration
	// Suspected disabling (Welch et al. 2022): both ends farther than
	// OffshoreNm (50 nm) from shore, and at least MinPositionsBefore (14)
	// fixes within DensityWindow (12 h) before the gap.
	OffshoreNm         float64
	MinPositionsBefore int
	DensityWindow      time.Duration
}

// DarkPortConfig: ports a vessel could have visited unseen during a gap
// (Lookout's own: no published definition; the defaults are deliberately
// generous — a merchant ship's plausible speed, a six-hour call).
type DarkPortConfig struct {
	Enabled  bool
	MaxKn    float64       // plausible maximum speed when the vessel's own is unknown
	SpeedX   float64       // plausible maximum = max(MaxKn, SpeedX × fastest SOG seen)
	MinDwell time.Duration // the shortest stay that makes a visit
	// CruiseKn is the assumed cruising speed when the vessel's is unknown.
	CruiseKn      float64
	MaxCandidates int
	MinScore      float64 // the top candidate must score at least this
}

// EncounterConfig: GFW encounters — two vessels within 500 m of each other
// for at least 2 h, at a median speed below 2 kn, at least 10 km from a
// coastal anchorage (Miller et al. 2018, "Identifying global patterns of
// transshipment behavior", Frontiers in Marine Science 5:240; GFW events
// API documentation, encounters). Skylight's standard rendezvous: within
// 250 m for more than 30 min (Skylight help, "Event icons").
type EncounterConfig struct {
	Enabled     bool
	MaxDistM    float64       // GFW: 500 m
	MinDuration time.Duration // GFW: 2 h
	MaxMedianKn float64       // GFW: median speed below 2 kn
	MinPortKm   float64       // GFW: at least 10 km from a port (anchorage)
	Slot        time.Duration // resampling step (GFW: 10 min)
	MaxInterp   time.Duration // longest silence filled by interpolation
	IndexKn     float64       // fixes faster than this are not indexed
	Retention   time.Duration // how long slots are kept behind the newest event time
}

// LoiteringConfig: GFW loitering — average speed below 2 kn, at least 20
// nm from shore on average (GFW FAQ "What is a loitering event?"; GFW
// technical documentation averages speed per hour). GFW lists events from
// 1 h; Lookout reports 4 h or more (issue 4), long enough for a transfer.
type LoiteringConfig struct {
	Enabled     bool
	MaxKn       float64       // hourly average speed below this (2 kn)
	MinDuration time.Duration // 4 h
	MinShoreNm  float64       // 20 nm
}

// SpoofingConfig: impossible movement and invalid identifiers (Lookout's
// own thresholds: 50 kn is beyond any merchant ship and above the 40 kn
// that gpsdio-segment, and internal/track, already refuse to join).
type SpoofingConfig struct {
	Enabled      bool
	MaxKn        float64       // implied speed above this between consecutive fixes is a jump
	MinJumpKm    float64       // jumps shorter than this are noise
	EpisodeGap   time.Duration // jumps closer than this form one episode
	LandMarginKm float64       // a fix this far inland (by the shore distance) is "on land"
	CheckIDs     bool          // report invalid MMSIs and IMO check digits
}

// DraughtConfig: draught differing across a gap or port visit (Lookout's
// own: AIS draught is entered by hand in 0.1 m steps, so half a metre is
// a real change, not rounding).
type DraughtConfig struct {
	Enabled   bool
	MinDeltaM float64       // smallest change reported (metres)
	MaxAfter  time.Duration // the report after must come within this of the gap/visit end
}

// IdentityConfig: identity changes.
type IdentityConfig struct{ Enabled bool }

// GeofenceConfig: entry/exit of user zones (Deps.Zones).
type GeofenceConfig struct{ Enabled bool }

// Default returns the gfw profile.
func Default() Config {
	return Config{
		Profile: "gfw",
		PortVisit: PortVisitConfig{Enabled: true, EntryKm: 3, ExitKm: 4, StopKn: 0.2, MoveKn: 0.5,
			GapInPort: 4 * time.Hour, MinConfidence: 2, SearchKm: 10},
		Gap: GapConfig{Enabled: true, Min: 12 * time.Hour, OpenAfter: 6 * time.Hour, OffshoreNm: 50,
			MinPositionsBefore: 14, DensityWindow: 12 * time.Hour},
		DarkPort: DarkPortConfig{Enabled: true, MaxKn: 15, SpeedX: 1.2, MinDwell: 6 * time.Hour,
			CruiseKn: 10, MaxCandidates: 10, MinScore: 0.3},
		Encounter: EncounterConfig{Enabled: true, MaxDistM: 500, MinDuration: 2 * time.Hour, MaxMedianKn: 2,
			MinPortKm: 10, Slot: 10 * time.Minute, MaxInterp: 2 * time.Hour, IndexKn: 5, Retention: 72 * time.Hour},
		Loitering: LoiteringConfig{Enabled: true, MaxKn: 2, MinDuration: 4 * time.Hour, MinShoreNm: 20},
		Spoofing: SpoofingConfig{Enabled: true, MaxKn: 50, MinJumpKm: 5, EpisodeGap: time.Hour,
			LandMarginKm: 1, CheckIDs: true},
		Draught:    DraughtConfig{Enabled: true, MinDeltaM: 0.5, MaxAfter: 48 * time.Hour},
		Identity:   IdentityConfig{Enabled: true},
		Geofence:   GeofenceConfig{Enabled: true},
		LateWindow: 7 * 24 * time.Hour,
		Idle:       30 * 24 * time.Hour,
	}
}

// Profile returns a named parameter set: "gfw" (the default, Global
// Fishing Watch's published definitions) or "skylight" (Skylight's
// rendezvous at 250 m for 30 min and dark after 6 h).
func Profile(name string) (Config, error) {
	c := Default()
	switch name {
	case "", "gfw":
	case "skylight":
		c.Profile = "skylight"
		c.Encounter.MaxDistM = 250
		c.Encounter.MinDuration = 30 * time.Minute
		c.Encounter.Slot = 5 * time.Minute
		c.Gap.Min = 6 * time.Hour
		c.Gap.OpenAfter = 6 * time.Hour
	default:
		return Config{}, fmt.Errorf("%w %q (want gfw or skylight)", ErrProfile, name)
	}
	return c, nil
}

// Detectors returns the names of the enabled detectors: what a re-run
// replaces (store.EventWriter.ReplaceEvents).
func (c Config) Detectors() []string {
	on := c.switches()
	var out []string
	for _, n := range Names {
		// Dark port visits are found from gaps.
		if *on[n] && (n != NameDarkPortVisit || c.Gap.Enabled) {
			out = append(out, n)
		}
	}
	return out
}

// Only returns c with the named detectors enabled and every other one off
// (the scale-out's spatial stage runs encounters alone).
func (c Config) Only(names ...string) Config {
	for n, on := range c.switches() {
		*on = slices.Contains(names, n)
	}
	return c
}

// switches are the detectors' Enabled fields of c, by name.
func (c *Config) switches() map[string]*bool {
	return map[string]*bool{
		NamePortVisit: &c.PortVisit.Enabled, NameGap: &c.Gap.Enabled, NameDarkPortVisit: &c.DarkPort.Enabled,
		NameEncounter: &c.Encounter.Enabled, NameLoitering: &c.Loitering.Enabled, NameSpoofing: &c.Spoofing.Enabled,
		NameDraughtChange: &c.Draught.Enabled, NameIdentityChange: &c.Identity.Enabled, NameGeofence: &c.Geofence.Enabled,
	}
}

// check reports values that would make a detector misbehave: every
// parameter outside its range (see Set) and the rules between parameters.
func (c Config) check() error {
	errs := c.checkRanges()
	rule := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf("%w "+format, append([]any{ErrParam}, args...)...))
		}
	}
	rule(c.PortVisit.ExitKm >= c.PortVisit.EntryKm, "port_visit.exit_km: %v is below port_visit.entry_km (%v): the hysteresis needs exit >= entry",
		c.PortVisit.ExitKm, c.PortVisit.EntryKm)
	rule(c.PortVisit.MoveKn >= c.PortVisit.StopKn, "port_visit.move_kn: %v is below port_visit.stop_kn (%v)", c.PortVisit.MoveKn, c.PortVisit.StopKn)
	rule(c.Encounter.Retention >= c.Encounter.MinDuration+c.Encounter.MaxInterp,
		"encounter.retention_hours: %v is shorter than min_duration_hours + max_interp_hours (%v): no encounter could complete",
		c.Encounter.Retention.Hours(), (c.Encounter.MinDuration + c.Encounter.MaxInterp).Hours())
	return errors.Join(errs...)
}
