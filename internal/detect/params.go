package detect

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Parameters by name.
//
// Every tunable field of Config has a dotted name: the detector it
// belongs to (as in event.Event.Detector), a dot, and the parameter with
// its unit in the name ("encounter.max_distance_m", "gap.min_hours").
// The part after the dot is the key the detector's events carry in
// Params, so a reader of an event can re-run it with the same values
// ("lookout detect --param encounter.max_distance_m=250"). Two engine-wide
// parameters use the prefix "stream". docs/EVENTS.md lists them all with
// their defaults and sources.

// ErrParam is wrapped by every error about a parameter name or value.
var ErrParam = errors.New("detect: bad parameter")

type paramKind uint8

const (
	kindFloat   paramKind = iota
	kindInt               // whole number
	kindBool              // true/false
	kindHours             // a time.Duration given in hours (or as "90m")
	kindMinutes           // a time.Duration given in minutes (or as "5m")
)

// param describes one parameter.
type param struct {
	name     string
	kind     paramKind
	min, max float64 // allowed range in the parameter's unit
	minOpen  bool    // the value must be > min (not >=)
	doc      string
	field    func(c *Config) any // *float64, *int, *bool or *time.Duration
}

func (p *param) detector() string { d, _, _ := strings.Cut(p.name, "."); return d }
func (p *param) local() string    { _, l, _ := strings.Cut(p.name, "."); return l }

var paramTable = []param{
	{"port_visit.enabled", kindBool, 0, 0, false, "run the port visit detector", func(c *Config) any { return &c.PortVisit.Enabled }},
	{"port_visit.entry_km", kindFloat, 0, 100, true, "a fix this close to a port or anchorage point enters it", func(c *Config) any { return &c.PortVisit.EntryKm }},
	{"port_visit.exit_km", kindFloat, 0, 100, true, "a vessel in port exits beyond this distance (at least entry_km)", func(c *Config) any { return &c.PortVisit.ExitKm }},
	{"port_visit.stop_kn", kindFloat, 0, 50, false, "below this speed a vessel in port is stopped", func(c *Config) any { return &c.PortVisit.StopKn }},
	{"port_visit.move_kn", kindFloat, 0, 50, false, "above this speed a stopped vessel is moving again (at least stop_kn)", func(c *Config) any { return &c.PortVisit.MoveKn }},
	{"port_visit.gap_hours", kindHours, 0, 8760, true, "a silence in port longer than this is a port gap (counts like a stop)", func(c *Config) any { return &c.PortVisit.GapInPort }},
	{"port_visit.min_confidence", kindInt, 1, 4, false, "lowest GFW confidence level (1-4) reported", func(c *Config) any { return &c.PortVisit.MinConfidence }},
	{"port_visit.search_km", kindFloat, 0, 1000, true, "largest place radius looked up around a fix", func(c *Config) any { return &c.PortVisit.SearchKm }},

	{"gap.enabled", kindBool, 0, 0, false, "run the AIS gap detector", func(c *Config) any { return &c.Gap.Enabled }},
	{"gap.min_hours", kindHours, 0, 8760, true, "shortest silence reported as a gap", func(c *Config) any { return &c.Gap.Min }},
	{"gap.open_after_hours", kindHours, 0, 8760, true, "a silence this long at the newest event time is published as an open gap (AIS off)", func(c *Config) any { return &c.Gap.OpenAfter }},
	{"gap.offshore_nm", kindFloat, 0, 5000, false, "suspected disabling: both ends farther than this from shore", func(c *Config) any { return &c.Gap.OffshoreNm }},
	{"gap.min_positions_before", kindInt, 0, ringSize, false, "suspected disabling: at least this many fixes in density_window_hours before the gap", func(c *Config) any { return &c.Gap.MinPositionsBefore }},
	{"gap.density_window_hours", kindHours, 0, 168, true, "the window before a gap its positions are counted in", func(c *Config) any { return &c.Gap.DensityWindow }},

	{"dark_port_visit.enabled", kindBool, 0, 0, false, "run the dark port visit detector (needs gap.enabled)", func(c *Config) any { return &c.DarkPort.Enabled }},
	{"dark_port_visit.max_kn", kindFloat, 0, 60, true, "plausible maximum speed of a vessel whose own is unknown", func(c *Config) any { return &c.DarkPort.MaxKn }},
	{"dark_port_visit.speed_factor", kindFloat, 0, 10, false, "plausible maximum = max(max_kn, speed_factor x fastest SOG seen)", func(c *Config) any { return &c.DarkPort.SpeedX }},
	{"dark_port_visit.min_dwell_hours", kindHours, 0, 8760, false, "the shortest stay in port that makes a visit", func(c *Config) any { return &c.DarkPort.MinDwell }},
	{"dark_port_visit.cruise_kn", kindFloat, 0, 60, true, "assumed cruising speed when the vessel's is unknown", func(c *Config) any { return &c.DarkPort.CruiseKn }},
	{"dark_port_visit.max_candidates", kindInt, 1, 100, false, "most candidate ports listed", func(c *Config) any { return &c.DarkPort.MaxCandidates }},
	{"dark_port_visit.min_score", kindFloat, 0, 1, false, "the top candidate must score at least this (0-1)", func(c *Config) any { return &c.DarkPort.MinScore }},

	{"encounter.enabled", kindBool, 0, 0, false, "run the encounter detector", func(c *Config) any { return &c.Encounter.Enabled }},
	{"encounter.max_distance_m", kindFloat, 0, 50000, true, "two vessels this close are together", func(c *Config) any { return &c.Encounter.MaxDistM }},
	{"encounter.min_duration_hours", kindHours, 0, 720, true, "shortest time together reported", func(c *Config) any { return &c.Encounter.MinDuration }},
	{"encounter.max_median_kn", kindFloat, 0, 50, true, "both vessels' median speed together must be below this", func(c *Config) any { return &c.Encounter.MaxMedianKn }},
	{"encounter.min_port_km", kindFloat, 0, 1000, false, "the meeting's mean position must be at least this far from any port", func(c *Config) any { return &c.Encounter.MinPortKm }},
	{"encounter.slot_minutes", kindMinutes, 1, 120, false, "tracks are resampled at this step", func(c *Config) any { return &c.Encounter.Slot }},
	{"encounter.max_interp_hours", kindHours, 0, 48, true, "longest silence filled by interpolation when resampling", func(c *Config) any { return &c.Encounter.MaxInterp }},
	{"encounter.index_kn", kindFloat, 0, 50, true, "resampled positions faster than this are not indexed (cannot be part of an encounter)", func(c *Config) any { return &c.Encounter.IndexKn }},
	{"encounter.retention_hours", kindHours, 0, 8760, true, "how long resampled positions are kept behind the newest event time (bounds late pairing and memory)", func(c *Config) any { return &c.Encounter.Retention }},

	{"loitering.enabled", kindBool, 0, 0, false, "run the loitering detector", func(c *Config) any { return &c.Loitering.Enabled }},
	{"loitering.max_kn", kindFloat, 0, 50, true, "hourly average speed below this is loitering", func(c *Config) any { return &c.Loitering.MaxKn }},
	{"loitering.min_duration_hours", kindHours, 0, 720, true, "shortest loitering reported", func(c *Config) any { return &c.Loitering.MinDuration }},
	{"loitering.min_shore_nm", kindFloat, 0, 5000, false, "every loitering hour's mean position must be at least this far from shore", func(c *Config) any { return &c.Loitering.MinShoreNm }},

	{"spoofing.enabled", kindBool, 0, 0, false, "run the spoofing detector", func(c *Config) any { return &c.Spoofing.Enabled }},
	{"spoofing.max_kn", kindFloat, 0, 10000, true, "an implied speed above this between consecutive fixes is a jump", func(c *Config) any { return &c.Spoofing.MaxKn }},
	{"spoofing.min_jump_km", kindFloat, 0, 20000, false, "jumps shorter than this are noise", func(c *Config) any { return &c.Spoofing.MinJumpKm }},
	{"spoofing.episode_gap_hours", kindHours, 0, 720, true, "jumps closer together than this form one episode", func(c *Config) any { return &c.Spoofing.EpisodeGap }},
	{"spoofing.land_margin_km", kindFloat, 0, 100, false, "a fix this far inland is on land (0: any fix the land mask puts on land)", func(c *Config) any { return &c.Spoofing.LandMarginKm }},
	{"spoofing.check_ids", kindBool, 0, 0, false, "report invalid MMSIs and IMO check digits", func(c *Config) any { return &c.Spoofing.CheckIDs }},

	{"draught_change.enabled", kindBool, 0, 0, false, "run the draught change detector", func(c *Config) any { return &c.Draught.Enabled }},
	{"draught_change.min_delta_m", kindFloat, 0, 25.5, true, "smallest draught change reported", func(c *Config) any { return &c.Draught.MinDeltaM }},
	{"draught_change.max_after_hours", kindHours, 0, 8760, true, "the report after a gap or port visit must come within this of its end", func(c *Config) any { return &c.Draught.MaxAfter }},

	{"identity_change.enabled", kindBool, 0, 0, false, "run the identity change detector", func(c *Config) any { return &c.Identity.Enabled }},
	{"geofence.enabled", kindBool, 0, 0, false, "run the geofence detector", func(c *Config) any { return &c.Geofence.Enabled }},

	{"stream.late_window_hours", kindHours, 0, 87600, true, "how far back (per vessel) late data still re-evaluates gaps, dark port visits and draught changes", func(c *Config) any { return &c.LateWindow }},
	{"stream.idle_hours", kindHours, 0, 87600, true, "a vessel silent this long (against the newest event time) is forgotten: its reappearance is not one gap", func(c *Config) any { return &c.Idle }},
}

// paramDeps are parameters of other detectors an event also depends on,
// recorded in its Params under their full dotted name.
var paramDeps = map[string][]string{
	NamePortVisit:     nil,
	NameGap:           {"stream.idle_hours"},
	NameDarkPortVisit: {"gap.min_hours", "port_visit.entry_km"},
	NameEncounter:     nil,
	NameDraughtChange: {"gap.min_hours"},
}

func lookupParam(name string) *param {
	for i := range paramTable {
		if paramTable[i].name == name {
			return &paramTable[i]
		}
	}
	return nil
}

// ParamNames returns every parameter name Set accepts, in documentation
// order (grouped by detector).
func ParamNames() []string {
	out := make([]string, len(paramTable))
	for i, p := range paramTable {
		out[i] = p.name
	}
	return out
}

// ParamDoc returns a one-line description of a parameter with its unit
// and allowed range, for --help; "" for an unknown name.
func ParamDoc(name string) string {
	p := lookupParam(name)
	if p == nil {
		return ""
	}
	if p.kind == kindBool {
		return p.doc + "; true or false"
	}
	return p.doc + "; " + p.rangeText()
}

func (p *param) rangeText() string {
	lo := ">="
	if p.minOpen {
		lo = ">"
	}
	return fmt.Sprintf("%s %s and <= %s", lo, fmtNum(p.min), fmtNum(p.max))
}

// Set sets one parameter by its dotted name (see ParamNames), e.g.
// Set("encounter.max_distance_m", "250") or Set("gap.min_hours", "6").
// Durations are numbers in the unit the name ends with; a Go duration
// ("90m", "1h30m") is accepted too. Errors name the parameter and wrap
// ErrParam. Cross-parameter rules (exit_km >= entry_km...) are checked by
// New, once every parameter is set.
func (c *Config) Set(name, value string) error {
	p := lookupParam(name)
	if p == nil {
		return unknownParam(name)
	}
	value = strings.TrimSpace(value)
	bad := func(want string) error {
		return fmt.Errorf("%w %s: %q is not %s", ErrParam, name, value, want)
	}
	var x float64
	switch p.kind {
	case kindBool:
		b, err := strconv.ParseBool(value)
		if err != nil {
			return bad("true or false")
		}
		*p.field(c).(*bool) = b
		return nil
	case kindInt:
		n, err := strconv.Atoi(value)
		if err != nil {
			return bad("a whole number")
		}
		x = float64(n)
	case kindHours, kindMinutes:
		f, err := strconv.ParseFloat(value, 64)
		if err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			x = f
			break
		}
		d, derr := time.ParseDuration(value)
		if derr != nil {
			unit := "hours"
			if p.kind == kindMinutes {
				unit = "minutes"
			}
			return bad("a number of " + unit + " or a duration such as 90m")
		}
		x = float64(d) / float64(p.unit())
	default:
		f, err := strconv.ParseFloat(value, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return bad("a number")
		}
		x = f
	}
	if err := p.inRange(x); err != nil {
		return err
	}
	switch v := p.field(c).(type) {
	case *float64:
		*v = x
	case *int:
		*v = int(x)
	case *time.Duration:
		*v = time.Duration(math.Round(x * float64(p.unit())))
	}
	return nil
}

func (p *param) unit() time.Duration {
	if p.kind == kindMinutes {
		return time.Minute
	}
	return time.Hour
}

func (p *param) inRange(x float64) error {
	if x < p.min || p.minOpen && x == p.min || x > p.max {
		return fmt.Errorf("%w %s: %s is out of range (want %s)", ErrParam, p.name, fmtNum(x), p.rangeText())
	}
	return nil
}

// value is the parameter's value in its unit: float64, int or bool.
func (p *param) value(c *Config) any {
	switch v := p.field(c).(type) {
	case *float64:
		return *v
	case *int:
		return *v
	case *bool:
		return *v
	case *time.Duration:
		return round(float64(*v)/float64(p.unit()), 6)
	}
	return nil
}

// Get returns a parameter's value as Set accepts it.
func (c Config) Get(name string) (string, error) {
	p := lookupParam(name)
	if p == nil {
		return "", unknownParam(name)
	}
	switch v := p.value(&c).(type) {
	case float64:
		return fmtNum(v), nil
	default:
		return fmt.Sprint(v), nil
	}
}

func fmtNum(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// unknownParam names the parameters of the same detector, or the
// detectors, so a typo is easy to fix.
func unknownParam(name string) error {
	det, _, _ := strings.Cut(name, ".")
	var same []string
	for _, p := range paramTable {
		if p.detector() == det {
			same = append(same, p.name)
		}
	}
	if len(same) > 0 {
		return fmt.Errorf("%w: unknown parameter %q (%s has: %s)", ErrParam, name, det, strings.Join(same, ", "))
	}
	var dets []string
	for _, p := range paramTable {
		if d := p.detector(); !slices.Contains(dets, d) {
			dets = append(dets, d)
		}
	}
	return fmt.Errorf("%w: unknown parameter %q (names are DETECTOR.NAME, detectors: %s)", ErrParam, name, strings.Join(dets, ", "))
}

// checkRanges reports every parameter outside its range (a Config changed
// field by field rather than through Set).
func (c *Config) checkRanges() []error {
	var errs []error
	for i := range paramTable {
		p := &paramTable[i]
		var x float64
		switch v := p.value(c).(type) {
		case float64:
			x = v
			if math.IsNaN(v) {
				errs = append(errs, fmt.Errorf("%w %s: NaN", ErrParam, p.name))
				continue
			}
		case int:
			x = float64(v)
		default:
			continue
		}
		if err := p.inRange(x); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// params returns the Params map of a detector's events: its parameters
// by their name after the dot, the parameters of others it depends on by
// their full name, and the profile the values started from.
func (c *Config) params(det string) map[string]any {
	m := map[string]any{"profile": c.Profile}
	for i := range paramTable {
		p := &paramTable[i]
		if p.detector() == det && p.kind != kindBool || p.name == det+".check_ids" {
			m[p.local()] = p.value(c)
		}
	}
	for _, n := range paramDeps[det] {
		m[n] = lookupParam(n).value(c)
	}
	return m
}

// Text renders c as a configuration file ParseConfig reads back: the
// profile, then every parameter.
func (c Config) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "profile = %s\n", c.Profile)
	last := ""
	for i := range paramTable {
		p := &paramTable[i]
		if d := p.detector(); d != last {
			fmt.Fprintf(&b, "\n# %s\n", d)
			last = d
		}
		v, _ := c.Get(p.name)
		fmt.Fprintf(&b, "%s = %s\n", p.name, v)
	}
	return b.String()
}

// ParseConfig reads a detector configuration file ("lookout detect
// --config FILE"): one "name = value" per line, '#' comments and blank
// lines ignored. An optional first setting "profile = gfw|skylight"
// chooses the starting values (default gfw); the other names are those of
// ParamNames. Errors name the file, line and parameter.
func ParseConfig(file string, r io.Reader) (Config, error) {
	c := Default()
	sc := bufio.NewScanner(r)
	line, set := 0, false
	for sc.Scan() {
		line++
		text := sc.Text()
		if i := strings.IndexByte(text, '#'); i >= 0 {
			text = text[:i]
		}
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		k, v, ok := strings.Cut(text, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" {
			return Config{}, fmt.Errorf("%w: %s:%d: want NAME = VALUE, got %q", ErrParam, file, line, text)
		}
		if k == "profile" {
			if set {
				return Config{}, fmt.Errorf("%w: %s:%d: profile must come before the parameters it starts from", ErrParam, file, line)
			}
			p, err := Profile(v)
			if err != nil {
				return Config{}, fmt.Errorf("%s:%d: %w", file, line, err)
			}
			c = p
			continue
		}
		if err := c.Set(k, v); err != nil {
			return Config{}, fmt.Errorf("%s:%d: %w", file, line, err)
		}
		set = true
	}
	if err := sc.Err(); err != nil {
		return Config{}, fmt.Errorf("detect: reading %s: %w", file, err)
	}
	if err := c.check(); err != nil {
		return Config{}, fmt.Errorf("%s: %w", file, err)
	}
	return c, nil
}
