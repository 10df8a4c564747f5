package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/lookout-maritime/lookout/internal/detect"
	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

func init() { register(newDetectCmd) }

func newDetectCmd() *cobra.Command {
	var storeFlag, from, to string
	var flags detectFlags
	var dryRun, asJSON, quiet, printConfig bool
	cmd := &cobra.Command{
		Use:   "detect [flags]",
		Short: "Re-run the behaviour detectors over the store with other parameters",
		Long: `Detect runs the behaviour detectors (port visits, gaps, dark port visits, encounters, loitering,
spoofing, identity changes, geofences) over every position in the store, in time order, and
replaces the events those detectors stored before — the same events for the same data and
parameters. 'lookout ingest' runs the same detectors while it reads; use detect to try another
profile or parameters, or after adding your own ports with --gazetteer.

Draught changes need the static reports themselves, which the store does not keep: their
events come from ingest only and detect leaves them in place.

Parameters (--param NAME=VALUE; docs/EVENTS.md gives each default and its source):
  ` + paramHelp(),
		Example: `  lookout detect
  lookout detect --profile skylight
  lookout detect --param encounter.max_distance_m=250 --param gap.min_hours=6 --dry-run --json
  lookout detect --config my-params.txt    # name = value lines, as 'lookout detect --print-config' writes
  lookout detect --gazetteer my-ports.geojson`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			t0, t1, err := parseRange(from, to)
			if err != nil {
				return usageError{err}
			}
			flags.off = false
			if printConfig {
				cfg, err := flags.config()
				if err != nil {
					return err
				}
				fmt.Fprint(cmd.OutOrStdout(), cfg.Text())
				return nil
			}
			eng, err := flags.engine(slog.New(slog.DiscardHandler))
			if err != nil {
				return err
			}
			st, err := openStore(cmd.Context(), storePath(storeFlag), dryRun)
			if err != nil {
				return err
			}
			defer st.Close()
			ds, ok := st.(detectStore)
			if !ok {
				return fmt.Errorf("detect: the %T store cannot scan positions in time order", st)
			}
			res, err := redetect(cmd.Context(), ds, eng, t0, t1, newProgressFunc(cmd, quiet))
			if err != nil {
				return err
			}
			if !dryRun {
				if err := st.ReplaceEvents(cmd.Context(), res.detectors, res.events); err != nil {
					return fmt.Errorf("detect: store events: %w", err)
				}
			}
			if asJSON {
				return writeEventsJSON(cmd.OutOrStdout(), res.events)
			}
			printDetectSummary(cmd.ErrOrStderr(), res, dryRun)
			return nil
		},
	}
	addStoreFlag(cmd, &storeFlag)
	flags.add(cmd, false)
	cmd.Flags().StringVar(&from, "from", "", "only positions from this time (RFC 3339 or YYYY-MM-DD)")
	cmd.Flags().StringVar(&to, "to", "", "only positions before this time")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print what would be found; leave the stored events alone")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the events found as JSON lines")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "no progress bar")
	cmd.Flags().BoolVar(&printConfig, "print-config", false, "print the parameters in force (profile, --config, --param) as a --config file and stop")
	return cmd
}

// redetectResult is what one pass over the store found.
type redetectResult struct {
	detectors []string // what the pass replaces
	events    []event.Event
	positions int64
	vessels   int
	elapsed   time.Duration
}

// detectStore is what a re-run reads.
type detectStore interface {
	store.VesselReader
	store.PositionScanner
}

// redetect feeds the store's positions, in time order, and each vessel's
// identities, at the time each was first seen, through eng. A pass over
// stored data keeps each event's final state only: the revisions an
// arrival-order stream goes through are not history here, and an event
// the pass itself withdrew never existed.
func redetect(ctx context.Context, st detectStore, eng *detect.Engine, from, to time.Time, prog func(total int64) func(done int64)) (redetectResult, error) {
	start := time.Now()
	var res redetectResult
	vs, err := st.Vessels(ctx, store.VesselQuery{Order: store.ByMMSI})
	if err != nil {
		return res, fmt.Errorf("detect: vessels: %w", err)
	}
	var ids []vessel.Identity
	var total int64
	for _, v := range vs {
		total += v.Positions
	}
	if sc, ok := st.(store.IdentityScanner); ok { // one query, not one per vessel
		err := sc.ScanIdentities(ctx, func(b []vessel.Identity) error { ids = append(ids, b...); return nil })
		if err != nil {
			return res, fmt.Errorf("detect: identities: %w", err)
		}
	} else {
		for _, v := range vs {
			if v.Identities == 0 {
				continue
			}
			h, err := st.Vessel(ctx, v.MMSI)
			if err != nil {
				return res, fmt.Errorf("detect: vessel %d: %w", v.MMSI, err)
			}
			ids = append(ids, h.History...)
		}
	}
	sort.SliceStable(ids, func(i, j int) bool { return ids[i].FirstSeen.Before(ids[j].FirstSeen) })
	seen := map[uint32]bool{}
	feedIDs := func(until time.Time) {
		for len(ids) > 0 && !ids[0].FirstSeen.After(until) {
			id := ids[0]
			ids = ids[1:]
			eng.Identity(id, true)
			seen[id.MMSI] = true
		}
	}
	update := prog(total)
	byKey := map[string]event.Event{}
	collect := func() {
		for _, e := range eng.Drain() {
			byKey[e.Key] = e
		}
	}
	err = st.ScanPositions(ctx, from, to, func(batch []vessel.TrackPoint) error {
		for _, p := range batch {
			feedIDs(p.Time)
			eng.Point(p)
		}
		res.positions += int64(len(batch))
		update(res.positions)
		collect()
		return ctx.Err()
	})
	if err != nil {
		return res, fmt.Errorf("detect: %w", err)
	}
	feedIDs(time.Unix(1<<40, 0))
	eng.Flush()
	collect()
	update(-1)
	for _, e := range byKey {
		if !e.Withdrawn {
			e.Revision = 0 // final state of one pass: no revision history
			res.events = append(res.events, e)
		}
	}
	sort.Slice(res.events, func(i, j int) bool {
		a, b := &res.events[i], &res.events[j]
		if !a.Start.Equal(b.Start) {
			return a.Start.Before(b.Start)
		}
		return a.Key < b.Key
	})
	for _, d := range eng.Config().Detectors() {
		if d != detect.NameDraughtChange {
			res.detectors = append(res.detectors, d)
		}
	}
	res.vessels = len(vs)
	res.elapsed = time.Since(start)
	return res, nil
}

func printDetectSummary(w io.Writer, res redetectResult, dryRun bool) {
	counts := map[event.Kind]int{}
	for _, e := range res.events {
		counts[e.Kind]++
	}
	kinds := make([]string, 0, len(counts))
	for k := range counts {
		kinds = append(kinds, string(k))
	}
	sort.Strings(kinds)
	verb := "stored"
	if dryRun {
		verb = "found (dry run, nothing stored)"
	}
	fmt.Fprintf(w, "detect: %d positions of %d vessels in %s; %d events %s\n",
		res.positions, res.vessels, res.elapsed.Round(time.Millisecond), len(res.events), verb)
	for _, k := range kinds {
		fmt.Fprintf(w, "  %-18s %d\n", k, counts[event.Kind(k)])
	}
}

func writeEventsJSON(w io.Writer, evs []event.Event) error {
	enc := json.NewEncoder(w)
	for i := range evs {
		if err := enc.Encode(eventJSON(&evs[i])); err != nil {
			return err
		}
	}
	return nil
}
