package risk

import (
	"cmp"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/sanctions"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// Config configures a Rater.
type Config struct {
	// Policy; nil means DefaultPolicy().
	Policy *Policy
	// Counterparties rates the other vessel of encounters; nil leaves
	// encounters out.
	Counterparties Counterparties
	// IdentityMatchWindow: an identity_change event and a change seen in
	// the identity history within this interval are the same change
	// (counted once, under the event). Default 48 h.
	IdentityMatchWindow time.Duration
	Logger              *slog.Logger
}

// Rater rates vessels under one policy. It is immutable after New and safe
// for concurrent use.
type Rater struct {
	cfg    Config
	policy *Policy
	// per factor kind, indexed like FactorKinds
	fp        []FactorPolicy
	on        []bool
	ports     []string
	countries map[string]bool
	hrFlags   map[string]bool
	foc       map[string]bool
}

// New validates the policy and prepares a Rater.
func New(cfg Config) (*Rater, error) {
	if cfg.Policy == nil {
		cfg.Policy = DefaultPolicy()
	}
	if err := cfg.Policy.Validate(); err != nil {
		return nil, err
	}
	if cfg.IdentityMatchWindow <= 0 {
		cfg.IdentityMatchWindow = 48 * time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	p := cfg.Policy.Clone()
	r := &Rater{cfg: cfg, policy: p, fp: make([]FactorPolicy, len(FactorKinds)), on: make([]bool, len(FactorKinds)),
		countries: set(p.HighRiskCountries), hrFlags: set(p.HighRiskFlags), foc: set(p.FlagsOfConvenience)}
	for k, f := range p.Factors {
		i := k.index()
		r.fp[i], r.on[i] = f, f.Weight > 0 || f.Floor != ""
	}
	for _, port := range p.HighRiskPorts {
		r.ports = append(r.ports, strings.TrimSpace(port))
	}
	return r, nil
}

func set(codes []string) map[string]bool {
	m := make(map[string]bool, len(codes))
	for _, c := range codes {
		m[c] = true
	}
	return m
}

// Policy returns the rater's policy (do not modify it).
func (r *Rater) Policy() *Policy { return r.policy }

// WithCounterparties returns a Rater sharing r's policy that rates
// encounters with c.
func (r *Rater) WithCounterparties(c Counterparties) *Rater {
	cp := *r
	cp.cfg.Counterparties = c
	return &cp
}

// highRiskPort reports whether a port (by name or country) is high-risk
// under the policy.
func (r *Rater) highRiskPort(name, country string) bool {
	if country != "" && r.countries[strings.ToUpper(country)] {
		return true
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return false
	}
	for _, p := range r.ports {
		if strings.EqualFold(p, name) {
			return true
		}
	}
	return false
}

// builder collects factors for one vessel.
type builder struct {
	r       *Rater
	at      time.Time
	factors []Factor
}

// add records a factor of kind k unless the policy switches it off or the
// strength is below the kind's minimum. t is when the evidence happened
// (zero: no decay).
func (b *builder) add(k FactorKind, strength, mult float64, t time.Time, ev *event.Event, ref string, expl string) {
	i := k.index()
	if !b.r.on[i] {
		return
	}
	fp := b.r.fp[i]
	if math.IsNaN(strength) {
		return
	}
	strength = min(max(strength, 0), 1)
	if strength < fp.MinStrength || strength == 0 {
		return
	}
	decay := 1.0
	if fp.HalfLifeDays > 0 && !t.IsZero() {
		if age := b.at.Sub(t); age > 0 {
			decay = math.Exp2(-age.Hours() / 24 / fp.HalfLifeDays)
		}
	}
	f := Factor{Kind: k, Weight: fp.Weight, Strength: strength, Multiplier: mult, Decay: decay, CapScale: 1,
		Time: t, Floor: fp.Floor, Explanation: expl}
	f.Contribution = fp.Weight * strength * mult * decay
	if ev != nil {
		f.Events = []string{ev.Key}
		if ev.ID != 0 {
			f.EventIDs = []int64{ev.ID}
		}
	} else if ref != "" {
		f.Events = []string{ref}
	}
	b.factors = append(b.factors, f)
}

// strengthOf is a behaviour event's confidence, 1 when unset.
func strengthOf(e *event.Event) float64 {
	if e.Confidence <= 0 {
		return 1
	}
	return e.Confidence
}

func evTime(e *event.Event) time.Time {
	if e.End.IsZero() || e.End.Before(e.Start) {
		return e.Start
	}
	return e.End
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

// span is "on D" for one day, "D1 to D2" otherwise.
func span(a, b time.Time) string {
	if day(a) == day(b) {
		return "on " + day(a)
	}
	return day(a) + " to " + day(b)
}

func vesselLabel(e *event.Event) string {
	if e.Name != "" {
		return e.Name
	}
	return fmt.Sprintf("MMSI %d", e.MMSI)
}

// identChange is one rename/reflag/IMO change seen in the identity history.
type identChange struct {
	kind     FactorKind
	at       time.Time
	from, to string
	ref      string
	used     bool
}

// Rate rates one vessel as of at. Events after at, withdrawn events and
// events of other kinds are ignored.
func (r *Rater) Rate(in Input, at time.Time) Profile {
	at = at.UTC()
	b := builder{r: r, at: at, factors: make([]Factor, 0, 8)}
	prof := Profile{MMSI: in.MMSI, IMO: in.IMO, Name: in.Name, At: at, Policy: r.policy.ID(), Lat: in.Lat, Lon: in.Lon}
	var latest *vessel.Identity
	if n := len(in.History); n > 0 {
		latest = &in.History[n-1]
		if prof.IMO == 0 {
			prof.IMO = latest.IMO
		}
		if prof.Name == "" {
			prof.Name = latest.Name
		}
		if prof.MMSI == 0 {
			prof.MMSI = latest.MMSI
		}
	}

	// The earliest designation among counted sanctions hits: identity
	// changes after it weigh more.
	var designated time.Time
	for i := range in.Events {
		e := &in.Events[i]
		if e.Kind != event.SanctionsHit || e.Withdrawn || e.Start.After(at) {
			continue
		}
		k := hitKind(e)
		if !r.on[k.index()] || hitScore(e) < r.fp[k.index()].MinStrength {
			continue
		}
		if d := detailTime(e.Details, DetailDesignationDate); !d.IsZero() && (designated.IsZero() || d.Before(designated)) {
			designated = d
		}
	}

	changes := r.historyChanges(in.History, at)
	var badIMOs []*event.Event

	for i := range in.Events {
		e := &in.Events[i]
		if e.Withdrawn || e.Start.After(at) {
			continue
		}
		switch e.Kind {
		case event.SanctionsHit:
			k := hitKind(e)
			name := detailString(e.Details, DetailEntityName)
			if name == "" {
				name = e.Name
			}
			var how string
			switch k {
			case SanctionsOwner:
				how = "is owned, operated or managed by"
			case SanctionsFormerName:
				how = "(a former name) matches"
			default:
				how = "matches"
			}
			expl := fmt.Sprintf("%s %s %s on the %s list (entity %s, %s), score %.2f", vesselLabel(e), how, name,
				orDash(detailString(e.Details, DetailList)), orDash(detailString(e.Details, DetailEntityID)),
				orDash(detailString(e.Details, DetailProgram)), hitScore(e))
			if d := detailTime(e.Details, DetailDesignationDate); !d.IsZero() {
				expl += ", designated " + day(d)
			}
			b.add(k, hitScore(e), 1, time.Time{}, e, "", expl+".")
		case event.PortVisit:
			if detailBool(e.Details, DetailHighRisk) || r.highRiskPort(e.Port, detailString(e.Details, DetailCountry)) {
				b.add(HighRiskPortCall, strengthOf(e), 1, evTime(e), e, "", fmt.Sprintf("Called at %s, a high-risk port, %s.",
					portLabel(e.Port, detailString(e.Details, DetailCountry)), span(e.Start, evTime(e))))
			}
		case event.DarkPortVisit:
			r.darkPortVisit(&b, e)
		case event.Encounter:
			if r.cfg.Counterparties == nil || e.OtherMMSI == 0 {
				continue
			}
			rating, ok := r.cfg.Counterparties.Counterparty(e.OtherMMSI)
			if !ok {
				continue
			}
			other := e.OtherName
			if other == "" {
				other = fmt.Sprintf("MMSI %d", e.OtherMMSI)
			} else {
				other = fmt.Sprintf("%s (MMSI %d)", other, e.OtherMMSI)
			}
			switch rating {
			case Sanctioned:
				b.add(SanctionedEncounter, strengthOf(e), 1, evTime(e), e, "", fmt.Sprintf("Met %s, a sanctioned vessel, at sea on %s for %s.", other, day(e.Start), hours(e.Duration())))
			case High:
				b.add(HighRiskEncounter, strengthOf(e), 1, evTime(e), e, "", fmt.Sprintf("Met %s, a high-risk vessel, at sea on %s for %s.", other, day(e.Start), hours(e.Duration())))
			}
		case event.Gap:
			if detailBool(e.Details, DetailSuspectedDisabling) {
				b.add(SuspectedDisabling, strengthOf(e), 1, evTime(e), e, "", fmt.Sprintf("AIS off for %s from %s, far from shore where reception was good: suspected disabling.", hours(e.Duration()), day(e.Start)))
			} else {
				b.add(AISGap, strengthOf(e), 1, evTime(e), e, "", fmt.Sprintf("AIS gap of %s from %s.", hours(e.Duration()), day(e.Start)))
			}
		case event.Spoofing:
			what := detailString(e.Details, DetailSpoofType)
			if what == SpoofInvalidIMO {
				// Counted with the identity history's numbers as
				// invalid_imo (attributes), once per number.
				badIMOs = append(badIMOs, e)
				continue
			}
			if what == "" {
				what = "spoofing"
			}
			b.add(Spoofing, strengthOf(e), 1, evTime(e), e, "", fmt.Sprintf("AIS data manipulated (%s) on %s.", what, day(e.Start)))
		case event.Loitering:
			b.add(Loitering, strengthOf(e), 1, evTime(e), e, "", fmt.Sprintf("Loitered offshore for %s from %s.", hours(e.Duration()), day(e.Start)))
		case event.IdentityChange:
			r.identityEvent(&b, e, changes, designated)
		case event.DraughtChange:
			if !darkContext(detailString(e.Details, DetailAcross)) && !darkContext(detailString(e.Details, DetailContext)) &&
				!detailBool(e.Details, DetailDark) {
				continue
			}
			b.add(DraughtChangeDark, strengthOf(e), 1, evTime(e), e, "", fmt.Sprintf("Draught changed%s while AIS was off, %s: cargo moved unseen.", draughtDelta(e.Details), span(e.Start, evTime(e))))
		case event.DarkDetection:
			if e.MMSI == 0 {
				continue
			}
			b.add(DarkDetection, strengthOf(e), 1, evTime(e), e, "", fmt.Sprintf("Imaged by satellite on %s with its AIS silent.", day(e.Start)))
		}
	}

	// History changes no identity_change event accounted for.
	for i := range changes {
		c := &changes[i]
		if c.used {
			continue
		}
		mult := 1.0
		if !designated.IsZero() && c.at.After(designated) {
			mult = r.policy.AfterDesignationMultiplier
		}
		b.add(c.kind, 1, mult, c.at, nil, c.ref, changeExplanation(c.kind, c.from, c.to, c.at, designated, mult))
	}

	r.attributes(&b, in, latest, badIMOs, &prof)
	r.finish(&b, &prof)
	return prof
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func portLabel(name, country string) string {
	if name == "" {
		name = "an unnamed port"
	}
	if country != "" {
		return name + " (" + country + ")"
	}
	return name
}

func hours(d time.Duration) string {
	h := d.Hours()
	if h >= 48 {
		return fmt.Sprintf("%.1f days", h/24)
	}
	return fmt.Sprintf("%.0f h", h)
}

func draughtDelta(d map[string]any) string {
	if dm, ok := detailFloat(d, DetailDeltaM); ok {
		return fmt.Sprintf(" by %+.1f m", dm)
	}
	b, ok1 := detailFloat(d, DetailBeforeM)
	a, ok2 := detailFloat(d, DetailAfterM)
	if ok1 && ok2 {
		return fmt.Sprintf(" from %.1f m to %.1f m", b, a)
	}
	return ""
}

func hitKind(e *event.Event) FactorKind {
	switch detailString(e.Details, DetailMatch) {
	case "owner":
		return SanctionsOwner
	case "former_name":
		return SanctionsFormerName
	}
	return SanctionsDirect
}

func hitScore(e *event.Event) float64 {
	if s, ok := detailFloat(e.Details, DetailScore); ok {
		return s
	}
	return e.Confidence
}

// darkPortVisit counts a dark port visit whose top-ranked candidate is
// high-risk, scaled by that candidate's plausibility.
func (r *Rater) darkPortVisit(b *builder, e *event.Event) {
	var name, country string
	var hr bool
	strength := strengthOf(e)
	if len(e.Candidates) > 0 {
		top := &e.Candidates[0]
		for i := range e.Candidates { // ranked by Score; don't trust the order blindly
			if e.Candidates[i].Score > top.Score {
				top = &e.Candidates[i]
			}
		}
		name, country = top.Port, top.Country
		hr = top.HighRisk || r.highRiskPort(top.Port, top.Country)
		if top.Score > 0 {
			strength = top.Score
		}
	} else {
		name, country = e.Port, detailString(e.Details, DetailCountry)
		hr = detailBool(e.Details, DetailHighRisk) || r.highRiskPort(name, country)
	}
	if !hr {
		return
	}
	b.add(DarkHighRiskPortCall, strength, 1, evTime(e), e, "", fmt.Sprintf("AIS off %s with %s, a high-risk port, the most plausible unseen call (plausibility %.2f).",
		span(e.Start, evTime(e)), portLabel(name, country), strength))
}

// historyChanges lists renames, reflags and IMO changes between
// consecutive identities of the history (up to at).
func (r *Rater) historyChanges(h []vessel.Identity, at time.Time) []identChange {
	var out []identChange
	for i := 1; i < len(h); i++ {
		prev, cur := &h[i-1], &h[i]
		if cur.FirstSeen.After(at) {
			break
		}
		ref := fmt.Sprintf("identity:%d:%d", cur.MMSI, cur.FirstSeen.Unix())
		if prev.Name != "" && cur.Name != "" && !strings.EqualFold(prev.Name, cur.Name) {
			out = append(out, identChange{kind: Rename, at: cur.FirstSeen, from: prev.Name, to: cur.Name, ref: ref})
		}
		if prev.Flag != "" && cur.Flag != "" && prev.Flag != cur.Flag {
			out = append(out, identChange{kind: Reflag, at: cur.FirstSeen, from: prev.Flag, to: cur.Flag, ref: ref})
		}
		if prev.IMO != 0 && cur.IMO != 0 && prev.IMO != cur.IMO {
			out = append(out, identChange{kind: IMOChange, at: cur.FirstSeen, from: fmt.Sprint(prev.IMO), to: fmt.Sprint(cur.IMO), ref: ref})
		}
	}
	return out
}

// identityEvent counts an identity_change event, once per changed field
// kind, and marks the history changes it accounts for.
func (r *Rater) identityEvent(b *builder, e *event.Event, changes []identChange, designated time.Time) {
	fields := detailStrings(e.Details, DetailChanged)
	if len(fields) == 0 {
		if f := detailString(e.Details, DetailField); f != "" {
			fields = []string{f}
		} else {
			fields = []string{"name"}
		}
	}
	seen := [3]bool{}
	for _, f := range fields {
		var k FactorKind
		var slot int
		switch strings.ToLower(strings.TrimSpace(f)) {
		case "name":
			k, slot = Rename, 0
		case "flag":
			k, slot = Reflag, 1
		case "imo", "mmsi":
			k, slot = IMOChange, 2
		default:
			continue // call sign, ship type: not counted on their own
		}
		if seen[slot] {
			continue
		}
		seen[slot] = true
		t := e.Start
		key := strings.ToLower(f)
		from, to := detailMapString(e.Details, DetailOld, key, "before"), detailMapString(e.Details, DetailNew, key, "after")
		for i := range changes {
			c := &changes[i]
			if c.kind == k && !c.used && absDur(c.at.Sub(t)) <= r.cfg.IdentityMatchWindow {
				c.used = true
				if from == "" && to == "" {
					from, to = c.from, c.to
				}
				break
			}
		}
		mult := 1.0
		if !designated.IsZero() && t.After(designated) {
			mult = r.policy.AfterDesignationMultiplier
		}
		b.add(k, strengthOf(e), mult, t, e, "", changeExplanation(k, from, to, t, designated, mult))
	}
}

// darkContext reports whether a draught change's "across"/"context" is a
// period with AIS off.
func darkContext(s string) bool { return s == "gap" || s == "dark_port_visit" }

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func changeExplanation(k FactorKind, from, to string, t, designated time.Time, mult float64) string {
	var what string
	switch k {
	case Rename:
		what = "Renamed"
	case Reflag:
		what = "Re-flagged"
	default:
		what = "Changed IMO/MMSI"
	}
	s := what
	if from != "" || to != "" {
		s += fmt.Sprintf(" from %s to %s", orDash(from), orDash(to))
	}
	s += " on " + day(t)
	if mult > 1 {
		s += fmt.Sprintf(", after its designation on %s (×%g)", day(designated), mult)
	}
	return s + "."
}

// attributes adds the factors that rest on the vessel's identity rather
// than on events: flag of convenience, high-risk flag, MID/flag mismatch,
// invalid IMO check digit.
func (r *Rater) attributes(b *builder, in Input, latest *vessel.Identity, badIMOs []*event.Event, prof *Profile) {
	mmsi := prof.MMSI
	midFlag := vessel.FlagOf(mmsi)
	if latest != nil && latest.Flag != "" {
		midFlag = latest.Flag
	}
	ref := fmt.Sprintf("identity:%d", mmsi)
	if latest != nil {
		ref = fmt.Sprintf("identity:%d:%d", latest.MMSI, latest.FirstSeen.Unix())
	}
	flag := strings.ToUpper(strings.TrimSpace(in.RegisteredFlag))
	if flag == "" {
		flag = midFlag
	}
	prof.Flag = flag
	if flag != "" {
		if r.hrFlags[flag] {
			b.add(HighRiskFlag, 1, 1, time.Time{}, nil, ref, fmt.Sprintf("Flag %s is a high-risk flag.", flag))
		}
		if r.foc[flag] {
			b.add(FlagOfConvenience, 1, 1, time.Time{}, nil, ref, fmt.Sprintf("Flag %s is a flag of convenience (%s).", flag, "ITF list"))
		}
	}
	if in.RegisteredFlag != "" && midFlag != "" && flag != midFlag {
		b.add(MIDFlagMismatch, 1, 1, time.Time{}, nil, ref, fmt.Sprintf("Registered under flag %s but its MMSI %d claims %s.", flag, mmsi, midFlag))
	}
	// Invalid IMO: the one given, else any the vessel broadcast.
	var bad []uint32
	if in.IMO != 0 && !sanctions.IMOCheck(in.IMO) {
		bad = append(bad, in.IMO)
	}
	for i := range in.History {
		if n := in.History[i].IMO; n != 0 && !sanctions.IMOCheck(n) && !slices.Contains(bad, n) {
			bad = append(bad, n)
		}
	}
	fromHistory := len(bad) > 0
	var keys []string
	var ids []int64
	var evIMOs []uint32
	for _, e := range badIMOs {
		n := e.IMO
		if v, ok := detailFloat(e.Details, DetailIMO); ok && v > 0 && v < 1e10 {
			n = uint32(v)
		}
		if n == 0 || sanctions.IMOCheck(n) {
			continue
		}
		if !slices.Contains(bad, n) {
			bad = append(bad, n)
		}
		evIMOs = append(evIMOs, n)
		keys = append(keys, e.Key)
		if e.ID != 0 {
			ids = append(ids, e.ID)
		}
	}
	if len(bad) > 0 {
		nums := make([]string, len(bad))
		for i, n := range bad {
			nums[i] = fmt.Sprint(n)
		}
		n := len(b.factors)
		b.add(InvalidIMO, 1, 1, time.Time{}, nil, ref, fmt.Sprintf("IMO number %s fails its check digit.", strings.Join(nums, ", ")))
		if len(b.factors) > n && len(keys) > 0 {
			// The detector's events are the evidence, and the identity
			// record too when it has a number no event reported.
			f := &b.factors[n]
			if fromHistory && slices.ContainsFunc(bad, func(x uint32) bool { return !slices.Contains(evIMOs, x) }) {
				keys = append(keys, ref)
			}
			f.Events, f.EventIDs = keys, ids
		}
	}
}

// finish applies caps, sorts the factors, sums the score and sets the
// rating.
func (r *Rater) finish(b *builder, prof *Profile) {
	var sums [32]float64 // per kind index; len(FactorKinds) < 32
	for i := range b.factors {
		sums[b.factors[i].Kind.index()] += b.factors[i].Contribution
	}
	floor := Low
	score := 0.0
	for i := range b.factors {
		f := &b.factors[i]
		ki := f.Kind.index()
		if c := r.fp[ki].Cap; c > 0 && sums[ki] > c {
			f.CapScale = c / sums[ki]
			f.Contribution *= f.CapScale
		}
		score += f.Contribution
		if f.Floor.Level() > floor.Level() {
			floor = f.Floor
		}
	}
	slices.SortStableFunc(b.factors, func(x, y Factor) int {
		if c := cmp.Compare(y.Contribution, x.Contribution); c != 0 {
			return c
		}
		if c := cmp.Compare(x.Kind.index(), y.Kind.index()); c != 0 {
			return c
		}
		return x.Time.Compare(y.Time)
	})
	prof.Factors = b.factors
	prof.Score = score
	prof.Band = r.band(score)
	prof.Rating = prof.Band
	if floor.Level() > prof.Rating.Level() {
		prof.Rating = floor
	}
}

func (r *Rater) band(score float64) Rating {
	// A tiny tolerance so that a score computed as 39.99999999 from
	// weights meant to reach 40 is not a band lower.
	const eps = 1e-9
	switch {
	case score+eps >= r.policy.Thresholds.High:
		return High
	case score+eps >= r.policy.Thresholds.Elevated:
		return Elevated
	}
	return Low
}
