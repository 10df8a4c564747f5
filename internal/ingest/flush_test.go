package ingest

import (
	"context"
	"io"
	"math"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/source"
	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/store/duckdb"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// slowFeed is a live stream: a fix a minute of event time every `every`
// of wall time, then EOF.
type slowFeed struct {
	n, sent int
	every   time.Duration
	t0      time.Time
	// pauseAt: before fix pauseAt the feed goes quiet for pause, then
	// calls resumed.
	pauseAt int
	pause   time.Duration
	resumed func()
}

func (f *slowFeed) Next(ctx context.Context) (vessel.Observation, error) {
	if f.sent == f.n {
		return vessel.Observation{}, io.EOF
	}
	time.Sleep(f.every)
	if f.sent == f.pauseAt && f.pause > 0 {
		time.Sleep(f.pause)
		f.resumed()
	}
	i := f.sent
	f.sent++
	p := &vessel.Position{MMSI: 273000001, Time: f.t0.Add(time.Duration(i) * time.Minute), Lat: 43, Lon: 132 + float64(i)*0.002,
		SOG: 8, COG: 90, Heading: 90, Status: 0, Class: vessel.ClassA, MsgType: 1, Source: "feed"}
	return vessel.Observation{Position: p}, nil
}
func (f *slowFeed) Progress() (int64, int64) { return 0, -1 }
func (f *slowFeed) Close() error             { return nil }

// countingStore records when positions were stored.
type countingStore struct {
	*duckdb.Store
	mu     sync.Mutex
	calls  []int
	stored int
}

func (c *countingStore) AddPacked(ctx context.Context, run store.RunID, pts *vessel.Points) (store.LoadStats, error) {
	c.mu.Lock()
	if n := pts.Len(); n > 0 {
		c.calls = append(c.calls, n)
		c.stored += n
	}
	c.mu.Unlock()
	return c.Store.AddPacked(ctx, run, pts)
}

// With FlushEvery a slow live feed reaches the store in small batches
// while it runs — also what arrived before the feed went quiet — and
// without, in one batch at the end. Either way every fix is stored once.
func TestFlushEvery(t *testing.T) {
	for _, tc := range []struct {
		name        string
		flushEvery  time.Duration
		minCalls    int
		maxCalls    int
		storedQuiet bool // positions before the pause stored during it
	}{
		{"batch fills", 0, 1, 1, false},
		{"timer", 60 * time.Millisecond, 4, math.MaxInt, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			db, err := duckdb.Open(ctx, duckdb.Config{Path: filepath.Join(t.TempDir(), "s.duckdb")})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			st := &countingStore{Store: db}
			storedAtResume := -1
			feed := &slowFeed{n: 60, every: 10 * time.Millisecond, t0: time.Date(2023, 9, 1, 0, 0, 0, 0, time.UTC),
				pauseAt: 30, pause: 400 * time.Millisecond, resumed: func() {
					st.mu.Lock()
					storedAtResume = st.stored
					st.mu.Unlock()
				}}
			cfg := Config{BatchPoints: 100_000, FlushEvery: tc.flushEvery,
				Open: func(string) (source.Source, error) { return feed, nil }}
			sum, err := Run(ctx, st, []string{"tcp://feed"}, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Added != 60 {
				t.Errorf("%d positions stored, want 60", sum.Added)
			}
			if n := len(st.calls); n < tc.minCalls || n > tc.maxCalls {
				t.Errorf("%d store writes %v, want %d to %d", n, st.calls, tc.minCalls, tc.maxCalls)
			}
			// The tracker holds the last 5 minutes of event time back
			// for reordering: about 25 of the 30 fixes before the pause.
			if quiet := storedAtResume >= 20; quiet != tc.storedQuiet {
				t.Errorf("%d positions stored while the feed was quiet", storedAtResume)
			}
		})
	}
}
