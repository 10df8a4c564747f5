package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/sanctions"
	"github.com/lookout-maritime/lookout/internal/sanctions/match"
	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// errNoLists: screening needs lists in the store.
var errNoLists = errors.New("no sanctions lists in the store; load some first: lookout sanctions load FILE... (or lookout sanctions update)")

func newScreenCmd() *cobra.Command {
	var storeFlag string
	var asJSON, all bool
	var q match.VesselQuery
	var fo fleetOpts
	cmd := &cobra.Command{
		Use:   "screen [flags]",
		Short: "Screen vessels against the stored sanctions lists, every hit explained",
		Long: `Without query flags, screen checks every vessel in the store — each identity it was ever seen
with, so a renamed or re-flagged vessel is still found — against the newest version of each
stored list, and records alerting hits as sanctions_hit events (shown by 'lookout vessel' and
'lookout events'). With --name, --imo, --mmsi or --callsign it answers one ad hoc query and
stores nothing.

With --fleet FILE.csv it screens a compliance team's vessel list (IMO, MMSI, name and flag
columns in any order and case; comma, semicolon or tab separated, as spreadsheets export them)
and rates each vessel with what the store knows of it (matched by MMSI, else IMO): one row out
per row in, with the matched vessel, rating, score, top factors and sanctions hits (list,
entity, program, score, reasons). Bad rows are reported with their line and skipped. Output:
CSV on stdout, JSON with --json, or PREFIX.csv and PREFIX.json with --out PREFIX. Nothing is
stored.`,
		Example: `  lookout screen
  lookout screen --name "MAIA 1" --json
  lookout screen --imo 9179842
  lookout screen --fleet our-fleet.csv --out screened-2024-01`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			adhoc := q.Name != "" || q.IMO != "" || q.MMSI != "" || q.CallSign != ""
			if fo.file != "" {
				if adhoc || q.Flag != "" || all {
					return usageError{fmt.Errorf("--fleet screens a file; it does not combine with --name, --imo, --mmsi, --callsign, --flag or --all")}
				}
				fo.json = asJSON
				return screenFleet(cmd, storeFlag, fo)
			}
			if fo.out != "" || fo.policy != "" || fo.at != "" {
				return usageError{fmt.Errorf("--out, --policy and --at go with --fleet")}
			}
			if adhoc {
				return screenAdHoc(cmd, storeFlag, q, asJSON, all)
			}
			if q.Flag != "" {
				return usageError{fmt.Errorf("--flag needs --name, --imo, --mmsi or --callsign")}
			}
			return screenStore(cmd, storeFlag, asJSON)
		},
	}
	addStoreFlag(cmd, &storeFlag)
	f := cmd.Flags()
	f.BoolVar(&asJSON, "json", false, "one JSON object per hit, best first")
	f.BoolVar(&all, "all", false, "ad hoc: also show hits below the alert threshold")
	f.StringVar(&q.Name, "name", "", "vessel name to screen")
	f.StringVar(&q.IMO, "imo", "", `IMO number ("9179842" or "IMO 9179842")`)
	f.StringVar(&q.MMSI, "mmsi", "", "MMSI")
	f.StringVar(&q.CallSign, "callsign", "", "call sign")
	f.StringVar(&q.Flag, "flag", "", "flag state (ISO code or name)")
	f.StringVar(&fo.file, "fleet", "", `screen and rate a fleet file (CSV with IMO/MMSI/name/flag columns; "-" for stdin)`)
	f.StringVar(&fo.out, "out", "", "--fleet: write PREFIX.csv and PREFIX.json")
	f.StringVar(&fo.policy, "policy", "", "--fleet: risk policy file (default: the built-in policy)")
	f.StringVar(&fo.at, "at", "", "--fleet: rate as of this time, RFC 3339 or a date (default now)")
	return cmd
}

// hitOut is the JSON form of one hit.
type hitOut struct {
	List            string            `json:"list"`
	ListVersion     int64             `json:"list_version"`
	Program         string            `json:"program"`
	Programs        []string          `json:"programs"`
	EntityID        string            `json:"entity_id"`
	Name            string            `json:"name"`
	Kind            string            `json:"kind"`
	Score           float64           `json:"score"`
	Alert           bool              `json:"alert"`
	DesignationDate string            `json:"designation_date,omitempty"`
	Reasons         []match.Reason    `json:"reasons"`
	Chain           []match.ChainLink `json:"chain,omitempty"`
}

func toHitOut(h match.Hit, version int64) hitOut {
	o := hitOut{List: string(h.List), ListVersion: version, Program: strings.Join(h.Programs, " "), Programs: h.Programs,
		EntityID: h.EntityID, Name: h.Name, Kind: string(h.Kind), Score: h.Score, Alert: h.Alert, Reasons: h.Reasons, Chain: h.Chain}
	if !h.DesignationDate.IsZero() {
		o.DesignationDate = h.DesignationDate.UTC().Format("2006-01-02")
	}
	return o
}

// screener is the index over the store's newest lists, with their versions.
type screener struct {
	ix       *match.Index
	versions map[sanctions.Source]store.ListVersion
}

func newScreener(ctx context.Context, st listStore) (*screener, error) {
	lists, vs, err := latestLists(ctx, st)
	if err != nil {
		return nil, err
	}
	if len(lists) == 0 {
		return nil, errNoLists
	}
	s := &screener{ix: match.NewIndex(match.Config{}, lists...), versions: map[sanctions.Source]store.ListVersion{}}
	for _, v := range vs {
		s.versions[sanctions.Source(v.Source)] = v
	}
	return s, nil
}

func (s *screener) info(h match.Hit) match.ListInfo {
	v := s.versions[h.List]
	return match.ListInfo{Version: v.ID, SHA256: v.SHA256, Published: v.Published}
}

func screenAdHoc(cmd *cobra.Command, storeFlag string, q match.VesselQuery, asJSON, all bool) error {
	st, err := openReadOnly(cmd, storeFlag)
	if err != nil {
		return err
	}
	defer st.Close()
	sc, err := newScreener(cmd.Context(), st)
	if err != nil {
		return err
	}
	hits := sc.ix.ScreenVessel(q)
	if !all {
		kept := hits[:0]
		for _, h := range hits {
			if h.Alert {
				kept = append(kept, h)
			}
		}
		hits = kept
	}
	out := cmd.OutOrStdout()
	if asJSON {
		enc := json.NewEncoder(out)
		for _, h := range hits {
			if err := enc.Encode(toHitOut(h, sc.info(h).Version)); err != nil {
				return err
			}
		}
		return nil
	}
	if len(hits) == 0 {
		fmt.Fprintln(out, "no hits at or above the alert threshold (--all shows weaker ones)")
		return nil
	}
	for _, h := range hits {
		writeHitText(out, h, sc.info(h).Version)
	}
	return nil
}

func writeHitText(w io.Writer, h match.Hit, version int64) {
	mark := "ALERT"
	if !h.Alert {
		mark = "below threshold"
	}
	fmt.Fprintf(w, "%.2f %s  %s %s %q (%s)  %s", h.Score, mark, h.List, h.EntityID, h.Name, h.Kind, strings.Join(h.Programs, " "))
	if !h.DesignationDate.IsZero() {
		fmt.Fprintf(w, "  designated %s", h.DesignationDate.Format("2006-01-02"))
	}
	fmt.Fprintf(w, "  [list version %d]\n", version)
	for _, r := range h.Reasons {
		fmt.Fprintf(w, "    %-12s %q ~ %q  %+.2f  %s\n", r.Field, r.Query, r.Listed, r.Strength, r.Note)
	}
	for i, c := range h.Chain {
		fmt.Fprintf(w, "    chain %d: %s %s %q designated=%v\n", i, c.Role, c.EntityID, c.Name, c.Designated)
	}
}

// screenStore screens every stored vessel and replaces the screening
// events with the alerting hits.
func screenStore(cmd *cobra.Command, storeFlag string, asJSON bool) error {
	st, err := openWrite(cmd, storeFlag)
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := cmd.Context()
	start := time.Now()
	evs, screened, err := screenAll(ctx, st)
	if err != nil {
		return err
	}
	if err := st.ReplaceEvents(ctx, []string{match.Detector}, evs); err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if asJSON {
		enc := json.NewEncoder(out)
		for i := range evs {
			if err := enc.Encode(eventJSON(&evs[i])); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MMSI\tNAME\tSCORE\tLIST\tENTITY\tPROGRAMS\tMATCH")
	for _, e := range evs {
		fmt.Fprintf(tw, "%d\t%s\t%.2f\t%v\t%v %v\t%v\t%v\n", e.MMSI, e.Name, e.Confidence, e.Details["list"], e.Details["entity_id"],
			e.Details["entity_name"], e.Details["program"], e.Details["match"])
	}
	tw.Flush()
	fmt.Fprintf(out, "screened %d vessels in %s: %d sanctions hits recorded as events\n", screened, time.Since(start).Round(time.Millisecond), len(evs))
	return nil
}

// screenStoreDeps is what store-wide screening reads.
type screenStoreDeps interface {
	listStore
	Vessels(ctx context.Context, q store.VesselQuery) ([]store.VesselSummary, error)
	Vessel(ctx context.Context, mmsi uint32) (store.VesselHistory, error)
	Track(ctx context.Context, mmsi uint32, from, to time.Time) ([]vessel.TrackPoint, error)
}

// screenAll screens every vessel with an identity and returns the alerting
// hits as events.
func screenAll(ctx context.Context, st screenStoreDeps) ([]event.Event, int, error) {
	sc, err := newScreener(ctx, st)
	if err != nil {
		return nil, 0, err
	}
	vs, err := st.Vessels(ctx, store.VesselQuery{})
	if err != nil {
		return nil, 0, err
	}
	var evs []event.Event
	screened := 0
	for _, v := range vs {
		if v.Identities == 0 {
			continue
		}
		h, err := st.Vessel(ctx, v.MMSI)
		if err != nil {
			return nil, 0, err
		}
		screened++
		hits := sc.ix.ScreenIdentityHistory(h.History)
		var lat, lon float64
		for _, hit := range hits {
			if !hit.Alert {
				continue
			}
			if lat == 0 && lon == 0 && v.Positions > 0 {
				lat, lon, err = lastPosition(ctx, st, v)
				if err != nil {
					return nil, 0, err
				}
			}
			evs = append(evs, sc.ix.HitEvent(hit, v.MMSI, h.History, sc.info(hit), lat, lon))
		}
	}
	return evs, screened, nil
}

func lastPosition(ctx context.Context, st screenStoreDeps, v store.VesselSummary) (float64, float64, error) {
	pts, err := st.Track(ctx, v.MMSI, v.LastSeen.Add(-7*24*time.Hour), time.Time{})
	if err != nil || len(pts) == 0 {
		return 0, 0, err
	}
	p := pts[len(pts)-1]
	return p.Lat, p.Lon, nil
}
