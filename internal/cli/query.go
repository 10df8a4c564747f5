package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/export"
	"github.com/lookout-maritime/lookout/internal/export/parquet"
	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/store/duckdb"
	"github.com/lookout-maritime/lookout/internal/store/postgres"
)

func openReadOnly(cmd *cobra.Command, flag string) (store.Store, error) {
	return openStore(cmd.Context(), storePath(flag), true)
}

func newVesselsCmd() *cobra.Command {
	var storeFlag string
	var asJSON bool
	var limit int
	cmd := &cobra.Command{
		Use:   "vessels [flags]",
		Short: "List the vessels in the store with their latest identity",
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := openReadOnly(cmd, storeFlag)
			if err != nil {
				return err
			}
			defer st.Close()
			vs, err := st.Vessels(cmd.Context(), store.VesselQuery{Order: store.ByPositions, Limit: limit})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				for _, v := range vs {
					if err := enc.Encode(v); err != nil {
						return err
					}
				}
				return nil
			}
			fmt.Fprintf(out, "%-10s %-8s %-22s %-8s %-3s %10s %4s  %-20s %-20s\n",
				"MMSI", "IMO", "NAME", "CALLSIGN", "FLG", "POSITIONS", "IDS", "FIRST SEEN", "LAST SEEN")
			for _, v := range vs {
				var imo, name, cs, flag string
				if id := v.Latest; id != nil {
					if id.IMO != 0 {
						imo = strconv.Itoa(int(id.IMO))
					}
					name, cs, flag = id.Name, id.CallSign, id.Flag
				}
				fmt.Fprintf(out, "%-10d %-8s %-22s %-8s %-3s %10d %4d  %-20s %-20s\n", v.MMSI, imo, name, cs, flag,
					v.Positions, v.Identities, v.FirstSeen.Format(time.RFC3339), v.LastSeen.Format(time.RFC3339))
			}
			return nil
		},
	}
	addStoreFlag(cmd, &storeFlag)
	cmd.Flags().BoolVar(&asJSON, "json", false, "one JSON object per vessel")
	cmd.Flags().IntVar(&limit, "limit", 0, "at most this many vessels (0: all)")
	return cmd
}

func newTrackCmd() *cobra.Command {
	var storeFlag, from, to, format string
	var points bool
	cmd := &cobra.Command{
		Use:   "track [flags] MMSI",
		Short: "Export one vessel's track as GeoJSON, KML or CSV",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			mmsi, err := strconv.ParseUint(args[0], 10, 32)
			if err != nil {
				return usageError{fmt.Errorf("MMSI %q is not a number", args[0])}
			}
			t0, t1, err := parseRange(from, to)
			if err != nil {
				return err
			}
			st, err := openReadOnly(cmd, storeFlag)
			if err != nil {
				return err
			}
			defer st.Close()
			pts, err := st.Track(cmd.Context(), uint32(mmsi), t0, t1)
			if err != nil {
				return err
			}
			tr := export.Track{MMSI: uint32(mmsi), Points: pts}
			if h, err := st.Vessel(cmd.Context(), uint32(mmsi)); err == nil {
				tr.Identity = h.Latest
			}
			out := cmd.OutOrStdout()
			opt := export.Options{Points: points, Title: "Lookout track " + args[0]}
			switch format {
			case "geojson":
				return export.WriteGeoJSON(out, []export.Track{tr}, opt)
			case "kml":
				return export.WriteKML(out, []export.Track{tr}, opt)
			case "csv":
				return export.WriteCSV(out, []export.Track{tr})
			case "parquet":
				// GeoParquet positions (one row per fix, WKB point geometry):
				// opens in DuckDB, QGIS and GeoPandas.
				return parquet.WritePositions(cmd.Context(), out, []export.Track{tr}, parquet.Config{})
			}
			return usageError{fmt.Errorf("--format must be geojson, kml, csv or parquet, not %q", format)}
		},
	}
	addStoreFlag(cmd, &storeFlag)
	cmd.Flags().StringVar(&from, "from", "", "start time, RFC 3339 (inclusive)")
	cmd.Flags().StringVar(&to, "to", "", "end time, RFC 3339 (exclusive)")
	cmd.Flags().StringVar(&format, "format", "geojson", "geojson, kml, csv or parquet (GeoParquet; redirect to a file)")
	cmd.Flags().BoolVar(&points, "points", false, "geojson/kml: add a point per position")
	return cmd
}

func newVesselCmd() *cobra.Command {
	var storeFlag string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "vessel [flags] MMSI|IMO",
		Short: "Show a vessel's identity history: every name, call sign, IMO and flag it was seen with",
		Long: `Vessel looks up a 9-digit MMSI, or a 7-digit IMO number (also written "IMO 9179842"),
which may have been used by several MMSIs, and prints each identity with first and last seen.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			q := strings.TrimSpace(strings.TrimPrefix(strings.ToUpper(strings.Join(args, " ")), "IMO"))
			n, err := strconv.ParseUint(strings.TrimSpace(q), 10, 32)
			if err != nil {
				return usageError{fmt.Errorf("%q is neither an MMSI nor an IMO number", strings.Join(args, " "))}
			}
			st, err := openReadOnly(cmd, storeFlag)
			if err != nil {
				return err
			}
			defer st.Close()
			var hs []store.VesselHistory
			if len(strings.TrimSpace(q)) == 7 {
				hs, err = st.VesselsByIMO(cmd.Context(), uint32(n))
			} else {
				var h store.VesselHistory
				h, err = st.Vessel(cmd.Context(), uint32(n))
				hs = []store.VesselHistory{h}
			}
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			hits := map[uint32][]event.Event{}
			for _, h := range hs {
				evs, err := st.Events(cmd.Context(), store.EventQuery{MMSI: h.MMSI, Kinds: []event.Kind{event.SanctionsHit}})
				if err != nil {
					return err
				}
				hits[h.MMSI] = evs
			}
			if asJSON {
				enc := json.NewEncoder(out)
				for _, h := range hs {
					if err := enc.Encode(struct {
						store.VesselHistory
						SanctionsHits []event.Event `json:"sanctions_hits"`
					}{h, hits[h.MMSI]}); err != nil {
						return err
					}
				}
				return nil
			}
			for _, h := range hs {
				for _, e := range hits[h.MMSI] {
					fmt.Fprintf(out, "SANCTIONS HIT %.2f: %s\n", e.Confidence, e.Explanation)
				}
				fmt.Fprintf(out, "MMSI %d: %d positions, seen %s to %s, %d identities\n", h.MMSI, h.Positions,
					h.FirstSeen.Format(time.RFC3339), h.LastSeen.Format(time.RFC3339), len(h.History))
				for _, id := range h.History {
					fmt.Fprintf(out, "  %s .. %s  IMO %-8d %-22q call sign %-8s flag %-2s type %-3d %dx%d m  reports %d\n",
						id.FirstSeen.Format(time.RFC3339), id.LastSeen.Format(time.RFC3339), id.IMO, id.Name,
						id.CallSign, id.Flag, id.ShipType, id.Length, id.Beam, id.Reports)
				}
			}
			return nil
		},
	}
	addStoreFlag(cmd, &storeFlag)
	cmd.Flags().BoolVar(&asJSON, "json", false, "one JSON object per MMSI with its history")
	return cmd
}

func newNearCmd() *cobra.Command {
	var storeFlag, from, to string
	var lat, lon, radius float64
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "near --lat LAT --lon LON --radius-km R [--from T --to T]",
		Short:   "Which vessels were within R km of a point: first/last seen and closest approach",
		Example: `  lookout near --lat 42.245 --lon 130.30 --radius-km 10 --from 2023-09-01T00:00:00Z --to 2024-01-01T00:00:00Z`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q := store.NearQuery{Lat: lat, Lon: lon, RadiusKm: radius}
			var err error
			if q.From, q.To, err = parseRange(from, to); err != nil {
				return err
			}
			if radius <= 0 || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
				return usageError{fmt.Errorf("need --lat in [-90,90], --lon in [-180,180] and --radius-km > 0")}
			}
			st, err := openReadOnly(cmd, storeFlag)
			if err != nil {
				return err
			}
			defer st.Close()
			hits, err := st.Near(cmd.Context(), q)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				for _, h := range hits {
					if err := enc.Encode(h); err != nil {
						return err
					}
				}
				return nil
			}
			fmt.Fprintf(out, "%-10s %-22s %8s  %-20s %-20s %9s  %-20s\n", "MMSI", "NAME", "POSITIONS", "FIRST INSIDE", "LAST INSIDE", "CLOSEST", "AT")
			for _, h := range hits {
				name := ""
				if h.Latest != nil {
					name = h.Latest.Name
				}
				fmt.Fprintf(out, "%-10d %-22s %8d  %-20s %-20s %6.2f km  %-20s\n", h.MMSI, name, h.Positions,
					h.FirstSeen.Format(time.RFC3339), h.LastSeen.Format(time.RFC3339), h.Closest.DistanceKm,
					h.Closest.Time.Format(time.RFC3339))
			}
			return nil
		},
	}
	addStoreFlag(cmd, &storeFlag)
	cmd.Flags().Float64Var(&lat, "lat", 0, "latitude of the centre, degrees")
	cmd.Flags().Float64Var(&lon, "lon", 0, "longitude of the centre, degrees")
	cmd.Flags().Float64Var(&radius, "radius-km", 0, "radius in kilometres")
	cmd.Flags().StringVar(&from, "from", "", "start time, RFC 3339 (inclusive)")
	cmd.Flags().StringVar(&to, "to", "", "end time, RFC 3339 (exclusive)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "one JSON object per vessel")
	return cmd
}

func openWrite(cmd *cobra.Command, flag string) (store.Store, error) {
	return openStore(cmd.Context(), storePath(flag), false)
}

// openStore opens the store a --store value names: a postgres:// URL
// (PostgreSQL with PostGIS, shared by many users and workers) or a DuckDB
// file path (the embedded default).
func openStore(ctx context.Context, spec string, readOnly bool) (store.Store, error) {
	if isStoreURL(spec) {
		return postgres.Open(ctx, postgres.Config{URL: spec})
	}
	return duckdb.Open(ctx, duckdb.Config{Path: spec, ReadOnly: readOnly})
}

func isStoreURL(spec string) bool {
	return strings.HasPrefix(spec, "postgres://") || strings.HasPrefix(spec, "postgresql://")
}

// storeQuantum is the BatchQuantum (ingest.Quantizer) of the store
// openStore opens for spec, known before it is open.
func storeQuantum(spec string) int {
	if isStoreURL(spec) {
		return 0
	}
	return duckdb.Quantum
}

// parseRange parses --from and --to: RFC 3339 times or UTC dates
// (2023-09-01); empty leaves that end open.
func parseRange(from, to string) (t0, t1 time.Time, err error) {
	parse := func(s string) (time.Time, error) {
		if s == "" {
			return time.Time{}, nil
		}
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t.UTC(), nil
		}
		if t, err := time.Parse("2006-01-02", s); err == nil {
			return t, nil
		}
		return time.Time{}, usageError{fmt.Errorf("time %q: want RFC 3339 (2023-11-01T00:00:00Z) or a date (2023-11-01)", s)}
	}
	if t0, err = parse(from); err != nil {
		return
	}
	if t1, err = parse(to); err != nil {
		return
	}
	if !t0.IsZero() && !t1.IsZero() && !t0.Before(t1) {
		err = usageError{fmt.Errorf("--from %s is not before --to %s", from, to)}
	}
	return
}
