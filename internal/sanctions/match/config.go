// Package match screens vessels against sanctions lists: an Index built
// from any number of sanctions.Lists, queried with a vessel's identifiers
// and names (ScreenVessel) or with its whole AIS identity history
// (ScreenIdentityHistory). Every Hit explains itself with Reasons, and a
// vessel owned, operated or managed by a designated entity is a hit of its
// own kind with the chain of links shown.
//
// Scoring is evidence combination, calibrated on the labelled set in
// ../testdata/eval.jsonl (results in docs/BENCHMARKS.md, "Sanctions
// screening"):
//
//   - each agreeing field is evidence e in [0,1]: a valid IMO number 0.97,
//     MMSI 0.82, call sign 0.62, the flag 0.15 (a listed former flag 0.08;
//     flags count only beside other evidence), the name
//     cap·(1 - 2.2·(1 - s)) for name similarity s >= 0.80, where cap is
//     how much a name can tell: 0.62 for names of common words (MARIA),
//     about 0.84 for one distinctive 6-letter word (ANGARA), up to 0.95 for
//     long names with a number, the lower of the query's and the listed
//     name's; former names and weak aliases count a little less;
//   - evidence combines as 1 - Π(1 - e): independent agreements add up;
//   - disagreements multiply what the name and other fields say (never the
//     IMO): two different valid IMO numbers by 0.3 (a different ship, even
//     with the same name: sister ships), different MMSIs by 0.85, different
//     call signs by 0.9; flags differ too often (re-flagging) to count
//     against; a near name by 0.85 when another listed vessel has exactly
//     the query's name.
//
// Name similarity compares normal forms (see normalize.go): 1 for the same
// tokens, 0.97 for the same letters spaced differently, else token by
// token with Jaro-Winkler (tokens may be reordered; extra words lower it);
// numbers must agree (SPARTA III is not SPARTA IV: at most 0.55; a number
// on one side only: at most 0.80).
package match

import "log/slog"

// Config sets thresholds and weights. The zero value means the defaults.
type Config struct {
	// AlertThreshold: a hit with Score >= AlertThreshold has Alert set.
	AlertThreshold float64 // default 0.80
	// MinScore: weaker hits are not returned.
	MinScore float64 // default 0.50
	// MaxHits per query (after sorting by score); 0 means 10.
	MaxHits int
	// MaxChainDepth: links followed from a matched vessel to a designated
	// owner; default 4.
	MaxChainDepth int
	Weights       Weights
	Logger        *slog.Logger
}

// Weights are the evidence strengths; zero fields take the defaults.
type Weights struct {
	IMO           float64 // same valid IMO number: 0.97
	IMOInvalid    float64 // same IMO number whose check digit fails: 0.85
	MMSI          float64 // 0.82
	CallSign      float64 // 0.62
	Flag          float64 // current flag agrees: 0.15
	FormerFlag    float64 // query flag is a listed former flag: 0.08
	IMOConflict   float64 // factor when both IMO numbers are valid and differ: 0.30
	MMSIConflict  float64 // 0.85
	CallConflict  float64 // 0.90
	FormerName    float64 // factor for a match on a former name (f.k.a.): 0.97
	WeakAlias     float64 // factor for a weak alias: 0.85
	HopDecay      float64 // factor per owner/operator/manager/director link: 0.97
	LinkedDecay   float64 // factor per OFAC "Linked To" link: 0.93
	NamedDecay    float64 // factor per "named in narrative" link: 0.80
	MinNameSim    float64 // name similarity below this is no evidence: 0.80
	Outmatched    float64 // factor for a near name when another listed vessel has exactly the query's name: 0.85
	CommonNameCap float64 // cap for a name made of common words only: 0.62
}

func (c Config) withDefaults() Config {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.AlertThreshold, 0.80)
	def(&c.MinScore, 0.50)
	if c.MaxHits == 0 {
		c.MaxHits = 10
	}
	if c.MaxChainDepth == 0 {
		c.MaxChainDepth = 4
	}
	w := &c.Weights
	def(&w.IMO, 0.97)
	def(&w.IMOInvalid, 0.85)
	def(&w.MMSI, 0.82)
	def(&w.CallSign, 0.62)
	def(&w.Flag, 0.15)
	def(&w.FormerFlag, 0.08)
	def(&w.IMOConflict, 0.30)
	def(&w.MMSIConflict, 0.85)
	def(&w.CallConflict, 0.90)
	def(&w.FormerName, 0.97)
	def(&w.WeakAlias, 0.85)
	def(&w.HopDecay, 0.97)
	def(&w.LinkedDecay, 0.93)
	def(&w.NamedDecay, 0.80)
	def(&w.MinNameSim, 0.80)
	def(&w.Outmatched, 0.85)
	def(&w.CommonNameCap, 0.62)
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Defaults returns the configuration with every default filled in, for
// recording next to screening results.
func Defaults() Config { return Config{}.withDefaults() }
