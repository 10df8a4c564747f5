package duckdb

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/vessel"
)

// BenchmarkLoadNew: b.N fresh positions from 3,000 vessels in batches of
// 500,000 (ingest's default) into a new store, closed (checkpointed) at
// the end: the store's share of an ingest of new data.
func BenchmarkLoadNew(b *testing.B) {
	const batch = 500_000
	ctx := context.Background()
	gen := newSynth(3000, 10*time.Second)
	var batches [][]vessel.TrackPoint
	for left := b.N; left > 0; left -= batch {
		buf := make([]vessel.TrackPoint, min(left, batch))
		gen.next(buf)
		batches = append(batches, buf)
	}
	s, err := Open(ctx, Config{Path: filepath.Join(b.TempDir(), "bench.duckdb")})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for _, buf := range batches {
		if _, err := s.AddPositions(ctx, 0, buf); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pos/s")
}
