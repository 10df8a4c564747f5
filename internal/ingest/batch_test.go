package ingest

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/store/duckdb"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// quantStore is a DuckDB store with a small batch quantum that records
// each write, to check how Run cuts batches.
type quantStore struct {
	*duckdb.Store
	quantum int
	mu      sync.Mutex
	stored  map[string]bool // "mmsi/unix µs/lat/lon" of every point stored so far
	sizes   []int
	errs    []string
}

func (q *quantStore) BatchQuantum() int { return q.quantum }

func pointKey(mmsi uint32, t int64, lat, lon float64) string {
	return fmt.Sprintf("%d/%d/%v/%v", mmsi, t, lat, lon)
}

func (q *quantStore) AddPacked(ctx context.Context, run store.RunID, pts *vessel.Points) (store.LoadStats, error) {
	q.mu.Lock()
	q.sizes = append(q.sizes, pts.Len())
	for i := range pts.Len() {
		p := pts.At(i)
		q.stored[pointKey(p.MMSI, p.Time.UnixMicro(), p.Lat, p.Lon)] = true
	}
	q.mu.Unlock()
	return q.Store.AddPacked(ctx, run, pts)
}

// PutEvents checks that every event's point is stored already.
func (q *quantStore) PutEvents(ctx context.Context, evs []event.Event) error {
	q.mu.Lock()
	for _, e := range evs {
		if !q.stored[pointKey(e.MMSI, e.Start.UnixMicro(), e.Lat, e.Lon)] {
			q.errs = append(q.errs, e.Key)
		}
	}
	q.mu.Unlock()
	return q.Store.PutEvents(ctx, evs)
}

// With a store that asks for multiples of a quantum, every batch but the
// last is one, the points held back are stored with the next batch (none
// lost, none twice), and no event is stored before the point it rests on.
func TestBatchesInQuanta(t *testing.T) {
	rec := &recorder{}
	st, sum := runQuantized(t, Config{Observer: rec, BatchPoints: 3000}) // 2100 or 2800 shipped, the rest held back
	total := 0
	for i, n := range st.sizes {
		total += n
		if i < len(st.sizes)-1 && (n%st.quantum != 0 || n > 3000) {
			t.Errorf("batch %d of %d points (%v): not a multiple of %d up to 3000", i, n, st.sizes, st.quantum)
		}
	}
	stats, err := st.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if total != sum.Added+sum.Duplicates || int64(sum.Added) != stats.Positions || rec.points != total {
		t.Errorf("batches hold %d points, summary %d added + %d duplicates, store %d, tracker emitted %d",
			total, sum.Added, sum.Duplicates, stats.Positions, rec.points)
	}
	t.Logf("batches %v, %d events", st.sizes, sum.Events)
	if len(st.errs) > 0 || sum.Events != rec.points/100 {
		t.Errorf("%d events stored before their point (%v); %d events stored, want %d", len(st.errs), st.errs, sum.Events, rec.points/100)
	}
}

// By default a batch holds at least two quanta (but the last): with the
// few duplicates a store drops, one quantum would store less than one.
func TestMinBatchTwoQuanta(t *testing.T) {
	st, _ := runQuantized(t, Config{BatchPoints: 7000})
	for i, n := range st.sizes[:len(st.sizes)-1] {
		if n < 2*st.quantum || n%st.quantum != 0 {
			t.Errorf("batch %d of %d points (%v): want a multiple of %d, at least two", i, n, st.sizes, st.quantum)
		}
	}
}

// runQuantized ingests a generated corpus into a quantStore with a quantum
// of 700 points, which it returns with the summary; it fails the test
// unless the run wrote several batches.
func runQuantized(t *testing.T, cfg Config) (*quantStore, Summary) {
	t.Helper()
	in, _ := writeCorpus(t, 30_000)
	ctx := context.Background()
	db, err := duckdb.Open(ctx, duckdb.Config{Path: filepath.Join(t.TempDir(), "s.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st := &quantStore{Store: db, quantum: 700, stored: map[string]bool{}}
	sum, err := Run(ctx, st, []string{in}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.sizes) < 3 {
		t.Fatalf("%d batches %v, want several", len(st.sizes), st.sizes)
	}
	return st, sum
}

func TestBatchDefaults(t *testing.T) {
	for _, c := range []struct {
		quantum, batch, min int // quantum and what is set
		wantBatch, wantMin  int
	}{
		{0, 0, 0, 500_000, 125_000},
		{122_880, 0, 0, 491_520, 245_760},       // DuckDB: four row groups, at least two
		{122_880, 150_000, 0, 150_000, 122_880}, // room for one quantum only
		{122_880, 100_000, 0, 100_000, 25_000},  // not even one
		{700, 3000, 0, 3000, 1400},
		{700, 3000, 5000, 3000, 3000}, // a minimum above the batch is the batch
		{700, 0, 100, 499_800, 100},
	} {
		cfg := Config{BatchPoints: c.batch, MinBatchPoints: c.min}
		cfg.batchDefaults(c.quantum)
		if cfg.BatchPoints != c.wantBatch || cfg.MinBatchPoints != c.wantMin {
			t.Errorf("quantum %d, set %d/%d: batches of %d, at least %d; want %d, at least %d",
				c.quantum, c.batch, c.min, cfg.BatchPoints, cfg.MinBatchPoints, c.wantBatch, c.wantMin)
		}
	}
}
