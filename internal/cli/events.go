package cli

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/store"
)

// eventJSON is an event as `--json` prints it: the event's own JSON form,
// with times in UTC.
func eventJSON(e *event.Event) *event.Event {
	c := *e
	c.Start, c.End = c.Start.UTC(), c.End.UTC()
	return &c
}

func newEventsCmd() *cobra.Command {
	var storeFlag, from, to, mmsi, bbox string
	var kinds []string
	var asJSON, withdrawn bool
	var limit int
	cmd := &cobra.Command{
		Use:   "events [flags]",
		Short: "List detected events: port visits, gaps, dark port visits, encounters, sanctions hits…",
		Long: `Events lists what the detectors and screening found, oldest first. Every event carries its
explanation, the detector and version that found it and the parameters it used. With --json,
one JSON object per line with kind, mmsi, start, end (RFC 3339 UTC), lat, lon, port,
candidates, other_mmsi, confidence, explanation, detector, params, details and positions.

Kinds: ` + kindList() + `.`,
		Example: `  lookout events --kind dark_port_visit --from 2023-09-01 --to 2024-01-01
  lookout events --mmsi 273000001 --json | jq .explanation`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var q store.EventQuery
			var err error
			if q.From, q.To, err = parseRange(from, to); err != nil {
				return err
			}
			for _, k := range kinds {
				for _, k := range strings.Split(k, ",") {
					if !event.Kind(k).Valid() {
						return usageError{fmt.Errorf("--kind %q: want one of %s", k, kindList())}
					}
					q.Kinds = append(q.Kinds, event.Kind(k))
				}
			}
			if mmsi != "" {
				n, err := strconv.ParseUint(mmsi, 10, 32)
				if err != nil {
					return usageError{fmt.Errorf("--mmsi %q is not a number", mmsi)}
				}
				q.MMSI = uint32(n)
			}
			if bbox != "" {
				b, err := parseBBox(bbox)
				if err != nil {
					return usageError{err}
				}
				q.BBox = &b
			}
			q.IncludeWithdrawn, q.Limit = withdrawn, limit
			st, err := openReadOnly(cmd, storeFlag)
			if err != nil {
				return err
			}
			defer st.Close()
			evs, err := st.Events(cmd.Context(), q)
			if err != nil {
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
			fmt.Fprintln(tw, "ID\tKIND\tMMSI\tNAME\tSTART\tEND\tWHERE\tCONF\tEXPLANATION")
			for _, e := range evs {
				where := e.Port
				if where == "" {
					where = fmt.Sprintf("%.3f,%.3f", e.Lat, e.Lon)
				}
				kind := string(e.Kind)
				if e.Withdrawn {
					kind += " (withdrawn)"
				}
				fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\t%s\t%.2f\t%s\n", e.ID, kind, e.MMSI, e.Name,
					e.Start.UTC().Format(time.RFC3339), e.End.UTC().Format(time.RFC3339), where, e.Confidence, e.Explanation)
			}
			tw.Flush()
			fmt.Fprintf(cmd.ErrOrStderr(), "%d events\n", len(evs))
			return nil
		},
	}
	addStoreFlag(cmd, &storeFlag)
	f := cmd.Flags()
	f.StringArrayVar(&kinds, "kind", nil, "only these kinds (repeat or comma-separate)")
	f.StringVar(&mmsi, "mmsi", "", "only events of this vessel (or with it, for encounters)")
	f.StringVar(&from, "from", "", "events ending at or after this time (RFC 3339 or date)")
	f.StringVar(&to, "to", "", "events starting before this time")
	f.StringVar(&bbox, "bbox", "", "MINLON,MINLAT,MAXLON,MAXLAT (GeoJSON order; MINLON > MAXLON crosses the antimeridian)")
	f.BoolVar(&asJSON, "json", false, "one JSON object per line")
	f.BoolVar(&withdrawn, "withdrawn", false, "include events that later data withdrew")
	f.IntVar(&limit, "limit", 0, "at most this many events")
	return cmd
}

func kindList() string {
	ks := make([]string, len(event.Kinds))
	for i, k := range event.Kinds {
		ks[i] = string(k)
	}
	return strings.Join(ks, ", ")
}

func parseBBox(s string) (store.BBox, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return store.BBox{}, fmt.Errorf("--bbox %q: want MINLON,MINLAT,MAXLON,MAXLAT", s)
	}
	var v [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return store.BBox{}, fmt.Errorf("--bbox %q: %q is not a number", s, p)
		}
		v[i] = f
	}
	b := store.BBox{MinLon: v[0], MinLat: v[1], MaxLon: v[2], MaxLat: v[3]}
	if b.MinLat > b.MaxLat || b.MinLat < -90 || b.MaxLat > 90 || b.MinLon < -180 || b.MaxLon > 180 {
		return store.BBox{}, fmt.Errorf("--bbox %q: latitudes must be in [-90,90] with MINLAT <= MAXLAT, longitudes in [-180,180]", s)
	}
	return b, nil
}
