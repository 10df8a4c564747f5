package risk

import (
	"fmt"
	"strings"
)

// Explain renders the profile as text for `lookout risk VESSEL`: the
// verdict, why it is that rating, and every factor with its arithmetic
// and the events it rests on.
func (p *Profile) Explain() string {
	var s strings.Builder
	name := p.Name
	if name == "" {
		name = "(no name)"
	}
	fmt.Fprintf(&s, "%s", name)
	var ids []string
	if p.IMO != 0 {
		ids = append(ids, fmt.Sprintf("IMO %d", p.IMO))
	}
	if p.MMSI != 0 {
		ids = append(ids, fmt.Sprintf("MMSI %d", p.MMSI))
	}
	if p.Flag != "" {
		ids = append(ids, "flag "+p.Flag)
	}
	if len(ids) > 0 {
		fmt.Fprintf(&s, " (%s)", strings.Join(ids, ", "))
	}
	fmt.Fprintf(&s, "\nRating: %s, score %.1f, as of %s under policy %s\n", strings.ToUpper(string(p.Rating)), p.Score,
		p.At.UTC().Format("2006-01-02T15:04:05Z"), p.Policy)
	if p.Rating != p.Band {
		var by []string
		for _, f := range p.Factors {
			if f.Floor == p.Rating && !containsString(by, string(f.Kind)) {
				by = append(by, string(f.Kind))
			}
		}
		fmt.Fprintf(&s, "The score alone rates %s; %s sets the floor at %s.\n", p.Band, strings.Join(by, ", "), p.Rating)
	}
	if len(p.Factors) == 0 {
		s.WriteString("No risk factors.\n")
		return s.String()
	}
	s.WriteString("Factors:\n")
	for _, f := range p.Factors {
		fmt.Fprintf(&s, "  %+7.1f  %-24s %s\n", f.Contribution, f.Kind, f.Explanation)
		calc := fmt.Sprintf("weight %g × strength %.2f", f.Weight, f.Strength)
		if f.Multiplier != 1 {
			calc += fmt.Sprintf(" × %g", f.Multiplier)
		}
		if f.Decay != 1 {
			calc += fmt.Sprintf(" × decay %.3f", f.Decay)
		}
		if f.CapScale != 1 {
			calc += fmt.Sprintf(" × cap %.3f", f.CapScale)
		}
		fmt.Fprintf(&s, "  %7s  %-24s %s; evidence: %s\n", "", "", calc, strings.Join(f.Events, ", "))
	}
	return s.String()
}

// Summary is one line: rating, score and the top n factor kinds with
// their contributions, for listings and the fleet CSV.
func (p *Profile) Summary(n int) string {
	parts := make([]string, 0, n)
	for _, f := range p.Top(n) {
		parts = append(parts, fmt.Sprintf("%s %+.1f", f.Kind, f.Contribution))
	}
	return strings.Join(parts, "; ")
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
