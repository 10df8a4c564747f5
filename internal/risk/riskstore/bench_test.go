package riskstore

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/risk"
	"github.com/lookout-maritime/lookout/internal/risk/risktest"
	"github.com/lookout-maritime/lookout/internal/store/duckdb"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// BenchmarkLoadAndRate20k: reading and rating a store of 20 000 vessels
// (one in twenty renamed, three events each). Run with -benchtime=1x.
// Measured on the 2-core development machine under load: load 37 s (the
// 1 000 per-vessel history reads, without IdentityScanner), rate 0.26 s.
func BenchmarkLoadAndRate20k(b *testing.B) {
	const n = 20_000
	ctx := context.Background()
	st, err := duckdb.Open(ctx, duckdb.Config{Path: filepath.Join(b.TempDir(), "b.duckdb")})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	at := risktest.At
	t0 := at.AddDate(-1, 0, 0)
	var ids []vessel.Identity
	var evs []event.Event
	for i := range n {
		mmsi := uint32(273_000_000 + i)
		ids = append(ids, vessel.Identity{MMSI: mmsi, Name: fmt.Sprintf("SHIP %d", i), Flag: "RU", FirstSeen: t0, LastSeen: at, Reports: 1})
		if i%20 == 0 {
			ids = append(ids, vessel.Identity{MMSI: mmsi, Name: fmt.Sprintf("SHIP %d B", i), Flag: "RU", FirstSeen: t0.AddDate(0, 3, 0), LastSeen: at, Reports: 1})
		}
		for j := range 3 {
			s := t0.Add(time.Duration(i%1000+j*100) * time.Hour)
			evs = append(evs, event.Event{Key: fmt.Sprintf("g-%d-%d", i, j), Kind: event.Gap, MMSI: mmsi, Start: s, End: s.Add(14 * time.Hour),
				Confidence: 0.5, Detector: "gap", Details: map[string]any{"suspected_disabling": j == 0 && i%10 == 0}})
		}
	}
	if err := st.UpsertIdentities(ctx, ids); err != nil {
		b.Fatal(err)
	}
	if err := st.PutEvents(ctx, evs); err != nil {
		b.Fatal(err)
	}
	r, err := risk.New(risk.Config{})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		t1 := time.Now()
		s, err := Load(ctx, st, at)
		if err != nil || len(s.Inputs) != n {
			b.Fatal(err, len(s.Inputs))
		}
		t2 := time.Now()
		Rate(r, s)
		b.ReportMetric(t2.Sub(t1).Seconds(), "load-s")
		b.ReportMetric(time.Since(t2).Seconds(), "rate-s")
	}
}
