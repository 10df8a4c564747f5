package risk

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
)

// PolicyFormat is the value of a policy file's "format" member; a file
// without it is not a risk policy.
const PolicyFormat = "lookout-risk-policy"

// PolicySchema is the policy file layout this package reads and writes.
// Bump it (and keep reading the old one) when the layout changes; the
// policy's own Version is the user's to bump when weights change.
const PolicySchema = 1

// maxPolicyBytes bounds what ReadPolicy reads: a policy is a few KB.
const maxPolicyBytes = 4 << 20

//go:embed default_policy.json
var defaultPolicyJSON []byte

// Policy is the versioned, user-editable rule set: weights, decays, caps,
// floors, thresholds and the lists the factors consult. It is read from
// and written to JSON (ParsePolicy, Policy.Marshal) and round-trips.
type Policy struct {
	Format      string `json:"format"`
	Schema      int    `json:"schema"`
	Name        string `json:"name"`
	Version     string `json:"version"`
	Description string `json:"description,omitempty"`

	// Thresholds: a score at or above Elevated is elevated, at or above
	// High is high (before floors).
	Thresholds Thresholds `json:"thresholds"`

	// AfterDesignationMultiplier multiplies identity changes (rename,
	// reflag, imo_change) that happen after the earliest designation date
	// of the vessel's sanctions hits: changing identity once listed is
	// the evasion the advisories describe.
	AfterDesignationMultiplier float64 `json:"after_designation_multiplier"`

	// Factors maps every factor kind to its weight, decay, cap and floor.
	// A kind missing from the map contributes nothing.
	Factors map[FactorKind]FactorPolicy `json:"factors"`

	// HighRiskPorts are port names (and aliases) whose calls are high-risk,
	// matched case-insensitively against the event's port; an event may
	// also say so itself (Details "high_risk", Candidate.HighRisk).
	HighRiskPorts []string `json:"high_risk_ports"`
	// HighRiskCountries: a port in one of these ISO 3166-1 alpha-2
	// countries is high-risk (Details "country", Candidate.Country).
	HighRiskCountries []string `json:"high_risk_countries"`
	// HighRiskFlags: ISO alpha-2 flags that are a factor by themselves.
	HighRiskFlags []string `json:"high_risk_flags"`
	// FlagsOfConvenience: ISO alpha-2 flags of convenience, and where the
	// list comes from.
	FlagsOfConvenience       []string `json:"flags_of_convenience"`
	FlagsOfConvenienceSource string   `json:"flags_of_convenience_source,omitempty"`

	// Sources name the public documents the defaults rest on.
	Sources []string `json:"sources,omitempty"`
}

// Thresholds are the score bands.
type Thresholds struct {
	Elevated float64 `json:"elevated"`
	High     float64 `json:"high"`
}

// FactorPolicy is how much one kind of factor counts.
type FactorPolicy struct {
	// Weight is the contribution of one fresh, full-strength instance.
	Weight float64 `json:"weight"`
	// HalfLifeDays: the contribution halves every so many days after the
	// event; 0 means no decay (sanctions hits, vessel attributes).
	HalfLifeDays float64 `json:"half_life_days,omitempty"`
	// Cap bounds the total of this kind (0: no cap), so that a vessel
	// with poor reception and fifty ordinary gaps is not rated like one
	// that called at Najin.
	Cap float64 `json:"cap,omitempty"`
	// MinStrength: weaker evidence (a sanctions hit's score, a detector's
	// confidence) is not counted at all.
	MinStrength float64 `json:"min_strength,omitempty"`
	// Floor: when the factor is present, the rating is at least this.
	Floor Rating `json:"floor,omitempty"`
	// Why says, for the reader of the policy, why the factor counts this
	// much.
	Why string `json:"why,omitempty"`
}

// DefaultPolicy returns the embedded default policy (a fresh copy).
func DefaultPolicy() *Policy {
	p, err := ParsePolicy(defaultPolicyJSON)
	if err != nil {
		panic("risk: embedded default policy is invalid: " + err.Error()) // a build defect, caught by tests
	}
	return p
}

// DefaultPolicyJSON returns the embedded default policy file, for
// `lookout risk --print-policy` or as a starting point for users.
func DefaultPolicyJSON() []byte { return bytes.Clone(defaultPolicyJSON) }

// ReadPolicyFile reads and validates a policy file.
func ReadPolicyFile(path string) (*Policy, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("risk: policy: %w", err)
	}
	defer f.Close()
	p, err := ReadPolicy(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// ReadPolicy reads and validates a policy from r.
func ReadPolicy(r io.Reader) (*Policy, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxPolicyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("risk: policy: %w", err)
	}
	if len(b) > maxPolicyBytes {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrPolicy, maxPolicyBytes)
	}
	return ParsePolicy(b)
}

// ParsePolicy decodes and validates a policy file. Unknown members are
// errors (a misspelt weight must not be silently ignored); errors name the
// line and column, or the factor and field.
func ParsePolicy(b []byte) (*Policy, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p Policy
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrPolicy, jsonErrorAt(b, err))
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data after the policy object", ErrPolicy)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

// jsonErrorAt turns a json error's byte offset into line:column.
func jsonErrorAt(b []byte, err error) string {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 || off > int64(len(b)) {
		return err.Error()
	}
	line := 1 + bytes.Count(b[:off], []byte("\n"))
	col := int(off) - bytes.LastIndexByte(b[:off], '\n')
	return fmt.Sprintf("line %d, column %d: %v", line, col, err)
}

// Validate checks the policy: format and schema, ordered thresholds,
// known factor kinds and ratings, finite non-negative numbers, two-letter
// country codes.
func (p *Policy) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrPolicy, fmt.Sprintf(format, a...))
	}
	if p.Format != PolicyFormat {
		return bad("format is %q, want %q", p.Format, PolicyFormat)
	}
	if p.Schema != PolicySchema {
		return bad("schema %d is not supported (this build reads schema %d)", p.Schema, PolicySchema)
	}
	if strings.TrimSpace(p.Name) == "" || strings.TrimSpace(p.Version) == "" {
		return bad("name and version are required")
	}
	fin := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) && x >= 0 }
	if !fin(p.Thresholds.Elevated) || !fin(p.Thresholds.High) || p.Thresholds.Elevated <= 0 || p.Thresholds.High < p.Thresholds.Elevated {
		return bad("thresholds: want 0 < elevated (%v) <= high (%v)", p.Thresholds.Elevated, p.Thresholds.High)
	}
	if !fin(p.AfterDesignationMultiplier) || p.AfterDesignationMultiplier < 1 {
		return bad("after_designation_multiplier %v: want a number >= 1", p.AfterDesignationMultiplier)
	}
	for k, f := range p.Factors {
		if !k.Valid() {
			return bad("factors: unknown factor %q", k)
		}
		switch {
		case !fin(f.Weight):
			return bad("factors.%s.weight %v: want a finite number >= 0", k, f.Weight)
		case !fin(f.HalfLifeDays):
			return bad("factors.%s.half_life_days %v: want a finite number >= 0", k, f.HalfLifeDays)
		case !fin(f.Cap):
			return bad("factors.%s.cap %v: want a finite number >= 0", k, f.Cap)
		case !fin(f.MinStrength) || f.MinStrength > 1:
			return bad("factors.%s.min_strength %v: want 0..1", k, f.MinStrength)
		case f.Floor != "" && f.Floor.Level() < 0:
			return bad("factors.%s.floor %q: want low, elevated, high or sanctioned", k, f.Floor)
		}
	}
	for _, l := range []struct {
		name  string
		codes []string
	}{{"high_risk_countries", p.HighRiskCountries}, {"high_risk_flags", p.HighRiskFlags}, {"flags_of_convenience", p.FlagsOfConvenience}} {
		for _, c := range l.codes {
			if len(c) != 2 || strings.ToUpper(c) != c || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' {
				return bad("%s: %q is not an ISO 3166-1 alpha-2 code", l.name, c)
			}
		}
	}
	for _, port := range p.HighRiskPorts {
		if strings.TrimSpace(port) == "" {
			return bad("high_risk_ports: empty name")
		}
	}
	return nil
}

// Marshal writes the policy as indented JSON, members in a fixed order
// and factors sorted by name, ending with a newline: the embedded default
// is in exactly this form, so a policy read and written again is
// byte-identical.
func (p *Policy) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("risk: policy: %w", err)
	}
	return append(b, '\n'), nil
}

// ID is "name@version", recorded in every profile.
func (p *Policy) ID() string { return p.Name + "@" + p.Version }

// Clone returns a deep copy, for users who tweak a policy in code.
func (p *Policy) Clone() *Policy {
	c := *p
	c.Factors = make(map[FactorKind]FactorPolicy, len(p.Factors))
	for k, v := range p.Factors {
		c.Factors[k] = v
	}
	c.HighRiskPorts = slices.Clone(p.HighRiskPorts)
	c.HighRiskCountries = slices.Clone(p.HighRiskCountries)
	c.HighRiskFlags = slices.Clone(p.HighRiskFlags)
	c.FlagsOfConvenience = slices.Clone(p.FlagsOfConvenience)
	c.Sources = slices.Clone(p.Sources)
	return &c
}
