package cli

import (
	"runtime/debug"
	"testing"
)

// bulkGC raises the GC percent for an ingest and puts it back after,
// and leaves it alone when the user set GOGC.
func TestBulkGC(t *testing.T) {
	percent := func() int { p := debug.SetGCPercent(100); debug.SetGCPercent(p); return p }
	before := percent()
	t.Setenv("GOGC", "")
	restore := bulkGC()
	if got := percent(); got != 400 {
		t.Fatalf("during an ingest GC percent %d, want 400", got)
	}
	restore()
	if got := percent(); got != before {
		t.Fatalf("after the ingest GC percent %d, want %d back", got, before)
	}
	t.Setenv("GOGC", "150")
	bulkGC()()
	if got := percent(); got != before {
		t.Fatalf("with GOGC set, GC percent changed to %d", got)
	}
	restore = bulkGC()
	if got := percent(); got != before {
		t.Fatalf("with GOGC set, bulkGC changed GC percent to %d", got)
	}
	restore()
}
