package duckdb

import (
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/vessel"
)

func BenchmarkPrepare(b *testing.B) {
	buf := make([]vessel.TrackPoint, 1<<20)
	newSynth(5000, time.Minute).next(buf)
	var pts vessel.Points
	for i := range buf {
		pts.Add(&buf[i])
	}
	var sc scratch
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := prepare(&pts, &sc); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(buf))/b.Elapsed().Seconds(), "pos/s")
}
