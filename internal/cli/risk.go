package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/lookout-maritime/lookout/internal/risk"
	"github.com/lookout-maritime/lookout/internal/risk/riskstore"
)

func init() { register(newRiskCmd) }

func newRiskCmd() *cobra.Command {
	var storeFlag, minFlag, policyFile, atFlag string
	var asJSON, update, printPolicy bool
	var limit, nFactors int
	cmd := &cobra.Command{
		Use:   "risk [flags] [VESSEL]",
		Short: "Rate vessels low / elevated / high / sanctioned, every point traced to stored evidence",
		Long: `Risk rates every vessel in the store from what Lookout found: sanctions hits (direct, by a former
name, by ownership), calls at high-risk ports (seen, or inferred while AIS was off), encounters
with sanctioned or high-risk vessels, AIS gaps and suspected disabling, spoofing, renames and
re-flagging (weighted three times after a designation), draught changes while dark, flags of
convenience and invalid IMO numbers. Weights, decays and caps come from a versioned policy file
(--policy; the default is explained in docs/RISK.md and printed by --print-policy).

Without VESSEL, risk lists the vessels ranked by rating, then score, with their top factors.
With VESSEL (an MMSI, an IMO number or a name, current or former) it explains that vessel's
rating factor by factor, each with its arithmetic and the keys of the events it rests on.

--update recomputes every rating and records each rating change as a risk_change event (shown
by 'lookout events', matched by watches and alerts). Running it again with nothing new records
nothing; run it after new events, new sanctions lists (lookout screen) or a new policy.`,
		Example: `  lookout risk --min high
  lookout risk "MAIA"
  lookout risk 273359640 --json
  lookout risk --update
  lookout risk --print-policy > policy.json   # edit, then: lookout risk --policy policy.json`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if printPolicy {
				return printRiskPolicy(cmd.OutOrStdout(), policyFile)
			}
			min, err := risk.ParseRating(minFlag)
			if err != nil {
				return usageError{fmt.Errorf("--min: %w", err)}
			}
			if limit < 0 || nFactors < 0 {
				return usageError{fmt.Errorf("--limit and --factors must be >= 0")}
			}
			at, err := parseAt(atFlag)
			if err != nil {
				return err
			}
			policy, err := loadPolicy(policyFile)
			if err != nil {
				return err
			}
			ref := strings.TrimSpace(strings.Join(args, " "))
			if update {
				if ref != "" {
					return usageError{fmt.Errorf("--update rates every vessel; it takes no VESSEL")}
				}
				return runRiskUpdate(cmd, storeFlag, policy, at, asJSON)
			}
			st, err := openReadOnly(cmd, storeFlag)
			if err != nil {
				return err
			}
			defer st.Close()
			r, err := risk.New(risk.Config{Policy: policy})
			if err != nil {
				return err
			}
			snap, err := riskstore.Load(cmd.Context(), st, at)
			if err != nil {
				return err
			}
			profs := riskstore.Rate(r, snap)
			if ref != "" {
				return explainVessel(cmd.OutOrStdout(), snap, profs, ref, asJSON)
			}
			return writeRanking(cmd.OutOrStdout(), profs, rankOpts{min: min, limit: limit, factors: nFactors, json: asJSON, at: at, policy: r.Policy().ID()})
		},
	}
	addStoreFlag(cmd, &storeFlag)
	f := cmd.Flags()
	f.BoolVar(&asJSON, "json", false, "ranking: one JSON object per vessel; VESSEL: the full profile; --update: the risk_change events")
	f.StringVar(&minFlag, "min", "low", "list vessels rated at least this: low, elevated, high or sanctioned")
	f.IntVar(&limit, "limit", 50, "list at most this many vessels (0: all)")
	f.IntVar(&nFactors, "factors", 3, "top factors shown per vessel in the ranking (0: all)")
	f.StringVar(&policyFile, "policy", "", "risk policy file (JSON; default: the built-in policy, see --print-policy)")
	f.StringVar(&atFlag, "at", "", "rate as of this time, RFC 3339 or a date (default now): later events are ignored and decay counts to it")
	f.BoolVar(&update, "update", false, "recompute every rating and record each rating change as a risk_change event")
	f.BoolVar(&printPolicy, "print-policy", false, "print the policy (the built-in one, or --policy after validation) and exit")
	return cmd
}

// parseAt reads --at; empty is now, to the second.
func parseAt(s string) (time.Time, error) {
	if s == "" {
		return time.Now().UTC().Truncate(time.Second), nil
	}
	t, _, err := parseRange(s, "")
	if err != nil {
		return time.Time{}, usageError{fmt.Errorf("--at: %w", err)}
	}
	return t, nil
}

// loadPolicy reads --policy, or returns the default policy.
func loadPolicy(path string) (*risk.Policy, error) {
	if path == "" {
		return risk.DefaultPolicy(), nil
	}
	return risk.ReadPolicyFile(path)
}

func printRiskPolicy(w io.Writer, path string) error {
	if path == "" {
		_, err := w.Write(risk.DefaultPolicyJSON())
		return err
	}
	p, err := risk.ReadPolicyFile(path)
	if err != nil {
		return err
	}
	b, err := p.Marshal()
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// updateRisk recomputes every rating as of at under policy (nil: the
// default) and stores a risk_change event for each vessel whose rating
// changed since its last recorded one; it returns how many changed. It is
// idempotent: called again with nothing new it stores nothing. The demo
// and serve call it after ingesting, detecting or screening.
func updateRisk(ctx context.Context, st riskstore.Writer, policy *risk.Policy, at time.Time) (changed int, err error) {
	r, err := risk.New(risk.Config{Policy: policy})
	if err != nil {
		return 0, err
	}
	res, err := riskstore.Update(ctx, st, r, at)
	return len(res.Changes), err
}

func runRiskUpdate(cmd *cobra.Command, storeFlag string, policy *risk.Policy, at time.Time, asJSON bool) error {
	st, err := openWrite(cmd, storeFlag)
	if err != nil {
		return err
	}
	defer st.Close()
	r, err := risk.New(risk.Config{Policy: policy})
	if err != nil {
		return err
	}
	start := time.Now()
	res, err := riskstore.Update(cmd.Context(), st, r, at)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if asJSON {
		enc := json.NewEncoder(out)
		for i := range res.Changes {
			if err := enc.Encode(eventJSON(&res.Changes[i])); err != nil {
				return err
			}
		}
		return nil
	}
	for _, e := range res.Changes {
		fmt.Fprintf(out, "%d  %s\n", e.MMSI, e.Explanation)
	}
	fmt.Fprintf(out, "rated %d vessels as of %s under %s in %s: %d rating changes recorded as risk_change events\n",
		res.Rated, at.Format(time.RFC3339), r.Policy().ID(), time.Since(start).Round(time.Millisecond), len(res.Changes))
	return nil
}

// explainVessel prints the profiles of the vessels ref names.
func explainVessel(w io.Writer, snap *riskstore.Snapshot, profs []risk.Profile, ref string, asJSON bool) error {
	idx := snap.Find(ref)
	if len(idx) == 0 {
		return fmt.Errorf("no vessel in the store matches %q (give an MMSI, an IMO number or a name it was seen with)", ref)
	}
	for n, i := range idx {
		p := &profs[i]
		if asJSON {
			b, err := p.JSON()
			if err != nil {
				return err
			}
			if _, err := fmt.Fprintf(w, "%s\n", b); err != nil {
				return err
			}
			continue
		}
		if n > 0 {
			fmt.Fprintln(w)
		}
		if _, err := io.WriteString(w, p.Explain()); err != nil {
			return err
		}
		if e := snap.Changes[p.MMSI]; e != nil {
			fmt.Fprintf(w, "Recorded: %s since %s (risk_change event %d).\n", orDash(fmt.Sprint(e.Details["new_rating"])),
				e.Start.UTC().Format(time.RFC3339), e.ID)
		}
	}
	return nil
}

type rankOpts struct {
	min            risk.Rating
	limit, factors int
	json           bool
	at             time.Time
	policy         string
}

// rankRow is a vessel as `lookout risk --json` lists it.
type rankRow struct {
	Rank       int           `json:"rank"`
	MMSI       uint32        `json:"mmsi"`
	IMO        uint32        `json:"imo,omitempty"`
	Name       string        `json:"name,omitempty"`
	Flag       string        `json:"flag,omitempty"`
	Rating     risk.Rating   `json:"rating"`
	Score      float64       `json:"score"`
	At         time.Time     `json:"at"`
	Policy     string        `json:"policy"`
	TopFactors []risk.Factor `json:"top_factors"`
}

// rank orders profiles: rating, then score, highest first; MMSI breaks
// ties so that the listing is stable.
func rank(profs []risk.Profile) []*risk.Profile {
	out := make([]*risk.Profile, len(profs))
	for i := range profs {
		out[i] = &profs[i]
	}
	slices.SortStableFunc(out, func(a, b *risk.Profile) int {
		if c := cmp.Compare(b.Rating.Level(), a.Rating.Level()); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.MMSI, b.MMSI)
	})
	return out
}

func writeRanking(w io.Writer, profs []risk.Profile, o rankOpts) error {
	ranked := rank(profs)
	counts := map[risk.Rating]int{}
	for _, p := range ranked {
		counts[p.Rating]++
	}
	shown := ranked[:0:0]
	for _, p := range ranked {
		if p.Rating.AtLeast(o.min) && (o.limit == 0 || len(shown) < o.limit) {
			shown = append(shown, p)
		}
	}
	if o.json {
		enc := json.NewEncoder(w)
		for i, p := range shown {
			row := rankRow{Rank: i + 1, MMSI: p.MMSI, IMO: p.IMO, Name: p.Name, Flag: p.Flag, Rating: p.Rating,
				Score: float64(int64(p.Score*10+0.5)) / 10, At: p.At, Policy: p.Policy, TopFactors: p.Top(o.factors)}
			if row.TopFactors == nil {
				row.TopFactors = []risk.Factor{}
			}
			if err := enc.Encode(row); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RANK\tRATING\tSCORE\tMMSI\tIMO\tNAME\tFLAG\tTOP FACTORS")
	for i, p := range shown {
		imo := "-"
		if p.IMO != 0 {
			imo = fmt.Sprint(p.IMO)
		}
		fmt.Fprintf(tw, "%d\t%s\t%.1f\t%d\t%s\t%s\t%s\t%s\n", i+1, p.Rating, p.Score, p.MMSI, imo, orDash(p.Name), orDash(p.Flag),
			orDash(p.Summary(o.factors)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var parts []string
	for _, r := range slices.Backward(risk.Ratings) {
		parts = append(parts, fmt.Sprintf("%d %s", counts[r], r))
	}
	_, err := fmt.Fprintf(w, "%d vessels rated as of %s under %s: %s; %d shown (--min %s, --limit %d)\n",
		len(ranked), o.at.Format(time.RFC3339), o.policy, strings.Join(parts, ", "), len(shown), o.min, o.limit)
	return err
}
