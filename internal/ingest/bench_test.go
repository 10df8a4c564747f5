package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/store/duckdb"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// nullStore counts and discards, to measure the pipeline without a store.
type nullStore struct{ pts, ids, evs int }

func (n *nullStore) BeginRun(context.Context, []string) (store.RunID, error)       { return 1, nil }
func (n *nullStore) FinishRun(context.Context, store.RunID, store.RunResult) error { return nil }
func (n *nullStore) AddPositions(_ context.Context, _ store.RunID, pts []vessel.TrackPoint) (store.LoadStats, error) {
	n.pts += len(pts)
	return store.LoadStats{Added: len(pts)}, nil
}
func (n *nullStore) UpsertIdentities(_ context.Context, ids []vessel.Identity) error {
	n.ids += len(ids)
	return nil
}
func (n *nullStore) PutEvents(_ context.Context, evs []event.Event) error {
	n.evs += len(evs)
	return nil
}

// BenchmarkPipelineNoStore: read → decode → track on the corpus named by
// LOOKOUT_BENCH_CORPUS (see bench/ingest), without a store.
func BenchmarkPipelineNoStore(b *testing.B) {
	corpus := os.Getenv("LOOKOUT_BENCH_CORPUS")
	if corpus == "" {
		b.Skip("set LOOKOUT_BENCH_CORPUS to an NMEA file (go run ./bench/decode/gencorpus)")
	}
	var msgs int64
	for b.Loop() {
		sum, err := Run(context.Background(), &nullStore{}, []string{corpus}, Config{})
		if err != nil {
			b.Fatal(err)
		}
		msgs = sum.Decoded
	}
	b.ReportMetric(float64(msgs)*float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkPipelineDuckDB: read → decode → track → DuckDB store on the
// corpus named by LOOKOUT_BENCH_CORPUS, into a fresh store each time, open
// and close (the final checkpoint) included, as `lookout ingest` runs it.
func BenchmarkPipelineDuckDB(b *testing.B) {
	corpus := os.Getenv("LOOKOUT_BENCH_CORPUS")
	if corpus == "" {
		b.Skip("set LOOKOUT_BENCH_CORPUS to an NMEA file (go run ./bench/decode/gencorpus)")
	}
	ctx := context.Background()
	var msgs int64
	var open, run, closing time.Duration
	for i := 0; b.Loop(); i++ {
		path := filepath.Join(b.TempDir(), fmt.Sprintf("s%d.duckdb", i))
		t0 := time.Now()
		st, err := duckdb.Open(ctx, duckdb.Config{Path: path})
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		sum, err := Run(ctx, st, []string{corpus}, Config{})
		if err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		if err := st.Close(); err != nil {
			b.Fatal(err)
		}
		open, run, closing = open+t1.Sub(t0), run+t2.Sub(t1), closing+time.Since(t2)
		msgs = sum.Decoded
	}
	n := float64(b.N)
	b.ReportMetric(float64(msgs)*n/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(open.Seconds()/n, "open-s")
	b.ReportMetric(run.Seconds()/n, "run-s")
	b.ReportMetric(closing.Seconds()/n, "close-s")
}
