package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lookout-maritime/lookout/internal/source"
	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/store/duckdb"
	"github.com/lookout-maritime/lookout/internal/track"
	"github.com/lookout-maritime/lookout/internal/vessel"
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
	cmd.Flags().StringVar(p, "store", "", "store file (default $LOOKOUT_STORE, else "+duckdb.DefaultPath+")")
}

// batchPoints is how many track points go to the store per transaction:
// large batches load fastest; a crash loses at most one batch, which a
// rerun of the same ingest restores without duplicates.
const batchPoints = 500_000

type ingestSummary struct {
	lines, decoded, rejected int64
	byReason                 map[string]int64
	added, duplicates        int
	identities               int
}

func newIngestCmd() *cobra.Command {
	var storeFlag string
	var quiet, progressFlag bool
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
			return runIngest(cmd, storePath(storeFlag), args, quiet, progressFlag)
		},
	}
	addStoreFlag(cmd, &storeFlag)
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "do not report each rejected line (they are still counted)")
	cmd.Flags().BoolVar(&progressFlag, "progress", false, "show the progress bar even when standard error is not a terminal")
	return cmd
}

func runIngest(cmd *cobra.Command, path string, specs []string, quiet, forceProgress bool) error {
	ctx := cmd.Context()
	stderr := cmd.ErrOrStderr()
	start := time.Now()
	st, err := duckdb.Open(ctx, duckdb.Config{Path: path})
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	defer st.Close()
	run, err := st.BeginRun(ctx, specs)
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	sum := ingestSummary{byReason: map[string]int64{}}
	tr := track.New(track.Config{}, nil)
	var col track.Collector
	flush := func(force bool) error {
		if len(col.Points) < batchPoints && !force {
			return nil
		}
		ids := make([]vessel.Identity, len(col.Identities))
		for i, e := range col.Identities {
			ids[i] = e.Identity
		}
		if err := st.UpsertIdentities(ctx, ids); err != nil {
			return err
		}
		ls, err := st.AddPositions(ctx, run, col.Points)
		if err != nil {
			return err
		}
		sum.added += ls.Added
		sum.duplicates += ls.Duplicates
		sum.identities += len(ids)
		col.Reset()
		return nil
	}
	runErr := func() error {
		for _, spec := range specs {
			src, err := source.New(spec, source.Options{Stdin: cmd.InOrStdin(),
				NMEA: source.NMEAConfig{BaseStationClock: true}})
			if err != nil {
				return err
			}
			_, total := src.Progress()
			bar := newProgress(stderr, total, spec, forceProgress)
			var n int64
			for {
				obs, err := src.Next(ctx)
				var rej *source.Reject
				switch {
				case errors.Is(err, io.EOF):
				case errors.As(err, &rej):
					sum.lines++
					sum.rejected++
					sum.byReason[rej.Reason]++
					if !quiet {
						fmt.Fprintf(stderr, "%v\n", rej)
					}
					continue
				case err != nil:
					src.Close()
					return err
				default:
					sum.lines++
					sum.decoded++
					n++
					tr.Add(obs, &col)
					if n%65536 == 0 {
						done, _ := src.Progress()
						bar.update(done, n)
					}
					if err := flush(false); err != nil {
						src.Close()
						return err
					}
					continue
				}
				break
			}
			bar.finish()
			src.Close()
		}
		tr.Flush(&col)
		return flush(true)
	}()
	status := store.RunOK
	if runErr != nil {
		status = store.RunFailed
	}
	// Record the run even when the context was cancelled.
	finishCtx := context.WithoutCancel(ctx)
	if err := st.FinishRun(finishCtx, run, store.RunResult{Status: status, Lines: sum.lines,
		Decoded: sum.decoded, Rejected: sum.rejected, RejectedByReason: sum.byReason}); err != nil && runErr == nil {
		runErr = err
	}
	elapsed := time.Since(start)
	ts := tr.Stats()
	fmt.Fprintf(stderr, "ingest run %d (%s): %d lines/rows, %d observations, %d rejected%s\n",
		run, status, sum.lines, sum.decoded, sum.rejected, reasonList(sum.byReason))
	fmt.Fprintf(stderr, "  %d vessels, %d positions stored (%d duplicates), %d identity records, %d segments, %d late\n",
		ts.Vessels+ts.Retired, sum.added, sum.duplicates+int(ts.Duplicates), sum.identities, ts.Segments, ts.Late)
	fmt.Fprintf(stderr, "  %s, %.0f observations/s, store %s\n", elapsed.Round(time.Millisecond),
		float64(sum.decoded)/elapsed.Seconds(), path)
	if runErr != nil {
		return fmt.Errorf("ingest: %w", runErr)
	}
	return nil
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
