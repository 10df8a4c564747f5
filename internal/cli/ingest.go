package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lookout-maritime/lookout/internal/ingest"
	"github.com/lookout-maritime/lookout/internal/source"
	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/store/duckdb"
	"github.com/lookout-maritime/lookout/internal/track"
)

// storePath is --store, else LOOKOUT_STORE, else the default file.
func storePath(flag string) string {
	if flag != "" {
		return flag
	}
	if env := os.Getenv("LOOKOUT_STORE"); env != "" {
		return env
	}
	return duckdb.DefaultPath
}

func addStoreFlag(cmd *cobra.Command, p *string) {
	cmd.Flags().StringVar(p, "store", "", "store: a DuckDB file or a postgres:// URL (default $LOOKOUT_STORE, else "+duckdb.DefaultPath+")")
}

func newIngestCmd() *cobra.Command {
	var storeFlag, busURL string
	var quiet, progressFlag bool
	var batch int
	var reorder time.Duration
	var reorderDepth int
	var det detectFlags
	cmd := &cobra.Command{
		Use:   "ingest [flags] SOURCE...",
		Short: "Read AIS sources into the store: positions, tracks and identity history",
		Long: `Ingest reads each SOURCE — an NMEA log (.nmea .nm4 .txt .log, gzip/zstd), a CSV export
(Danish Maritime Authority, NOAA MarineCadastre, both layouts), an aisstream.io JSON file,
"-" for standard input, tcp://host:port, udp://:port or aisstream:// — builds vessel tracks and
identity history, and stores them. Rejected lines are reported with file, line and reason and
counted; they never stop the run. Re-ingesting the same input adds nothing.`,
		Example: `  lookout ingest feed-2023-11-*.nmea.gz
  lookout ingest --store case.duckdb aisdk-2023-11-01.csv.zst`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if busURL != "" { // publish for 'lookout worker' instead (bus.go)
				return runIngestBus(cmd, busURL, args, quiet, progressFlag)
			}
			tc := track.Config{Reorder: reorder, ReorderDepth: reorderDepth}
			return runIngest(cmd, storePath(storeFlag), args, quiet, progressFlag, batch, tc, &det)
		},
	}
	addStoreFlag(cmd, &storeFlag)
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "do not report each rejected line (they are still counted)")
	cmd.Flags().BoolVar(&progressFlag, "progress", false, "show the progress bar even when standard error is not a terminal")
	cmd.Flags().IntVar(&batch, "batch", 0, "track points per store transaction (default 500000)")
	_ = cmd.Flags().MarkHidden("batch")
	cmd.Flags().DurationVar(&reorder, "reorder", track.DefaultReorder, "put each vessel's observations in time order when they arrive up to this much behind its newest (negative: take them as they come)")
	cmd.Flags().IntVar(&reorderDepth, "reorder-depth", track.DefaultReorderDepth, "and when at most this many newer ones of the vessel arrived before them (bounds memory; negative: no bound)")
	det.add(cmd, true)
	cmd.Flags().StringVar(&busURL, "bus", "", "publish to NATS JetStream for 'lookout worker' instead of storing: nats://host:port[?stream=NAME&partitions=N]")
	return cmd
}

func runIngest(cmd *cobra.Command, path string, specs []string, quiet, forceProgress bool, batch int, tc track.Config, det *detectFlags) error {
	ctx := cmd.Context()
	stderr := cmd.ErrOrStderr()
	cfg := ingest.Config{
		BatchPoints: batch,
		Track:       tc,
		Open: func(spec string) (source.Source, error) {
			return source.New(spec, source.Options{Stdin: cmd.InOrStdin(), NMEA: source.NMEAConfig{BaseStationClock: true}})
		},
		NewProgress: func(spec string, total int64) ingest.Progress {
			return newProgress(stderr, total, spec, forceProgress)
		},
	}
	if !quiet {
		cfg.OnReject = func(r *source.Reject) { fmt.Fprintf(stderr, "%v\n", r) }
	}
	// The streaming detectors see every accepted fix; their events are
	// stored with the batch they were found in.
	if !det.off {
		build, err := det.builder(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
		if err != nil {
			return fmt.Errorf("ingest: %w", err)
		}
		cfg.NewObserver = func() (ingest.Observer, error) { return build() }
	}
	// The store opens while the first batch is read (see
	// ingest.RunOpening).
	open := func(ctx context.Context) (store.Store, error) { return openStore(ctx, path, false) }
	sum, st, runErr := ingest.RunOpening(ctx, open, storeQuantum(path), specs, cfg)
	if st == nil {
		return runErr // the store did not open: nothing was run
	}
	defer st.Close()
	if sum.Run == 0 {
		return runErr // no run began: nothing was stored
	}
	printIngestSummary(stderr, sum, path)
	if l := sum.Track.Late; l > 0 {
		fmt.Fprintf(stderr, "  note: %d observation(s) arrived behind newer ones of their vessel (beyond --reorder %v or --reorder-depth %d)\n"+
			"        and were tracked as they came; for feeds delivered in batches, raise them\n", l, tc.Reorder, tc.ReorderDepth)
	}
	if _, ok := st.(compacter); ok && sum.Added >= compactHint {
		fmt.Fprintf(stderr, "  tip: after large ingests, 'lookout compact' keeps track queries fast\n")
	}
	return runErr
}

// compactHint is the run size (positions) above which ingest suggests
// compacting: 10 of its default batches.
const compactHint = 5_000_000

func printIngestSummary(w io.Writer, sum ingest.Summary, path string) {
	ts := sum.Track
	fmt.Fprintf(w, "ingest run %d (%s): %d lines/rows, %d observations, %d rejected%s\n",
		sum.Run, sum.Status, sum.Lines, sum.Decoded, sum.Rejected, reasonList(sum.ByReason))
	fmt.Fprintf(w, "  %d vessels, %d positions stored (%d duplicates), %d identity records, %d segments, %d late, %d events\n",
		ts.Vessels+ts.Retired, sum.Added, sum.Duplicates+int(ts.Duplicates), sum.Identities, ts.Segments, ts.Late, sum.Events)
	fmt.Fprintf(w, "  %s, %.0f observations/s, store %s\n", sum.Elapsed.Round(time.Millisecond),
		float64(sum.Decoded)/sum.Elapsed.Seconds(), path)
}

func reasonList(m map[string]int64) string {
	if len(m) == 0 {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s:%d", k, m[k])
	}
	return " (" + strings.Join(parts, " ") + ")"
}
