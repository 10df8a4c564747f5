package ingest

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/source"
	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/store/duckdb"
)

// RunOpening opens the store while the input is read: the opener here
// waits until the first source is open, which a run that opened the
// store first would never get to.
func TestStoreOpensWhileReading(t *testing.T) {
	in, _ := writeCorpus(t, 20_000)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.duckdb")
	reading := make(chan struct{})
	cfg := Config{Open: func(spec string) (source.Source, error) {
		close(reading)
		return source.New(spec, source.Options{})
	}}
	open := func(ctx context.Context) (*duckdb.Store, error) {
		select {
		case <-reading:
		case <-time.After(10 * time.Second):
			return nil, errors.New("the input was not read before the store opened")
		}
		return duckdb.Open(ctx, duckdb.Config{Path: path})
	}
	sum, st, err := RunOpening(ctx, open, duckdb.Quantum, []string{in}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	stats, err := st.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	run, err := st.Run(ctx, sum.Run)
	if err != nil || sum.Added == 0 || stats.Positions != int64(sum.Added) || run.Status != store.RunOK || run.Lines != sum.Lines {
		t.Errorf("summary %+v, store holds %d positions, run record %+v (%v)", sum, stats.Positions, run, err)
	}
}

// A store that does not open fails the run with its error, soon, and
// nothing is there to close.
func TestStoreFailsToOpen(t *testing.T) {
	in, _ := writeCorpus(t, 400_000)
	errLocked := errors.New("store locked")
	// The open fails once the file is being read, past the check at
	// each source's start.
	reading := make(chan struct{})
	cfg := Config{Open: func(spec string) (source.Source, error) {
		close(reading)
		return source.New(spec, source.Options{NMEA: source.NMEAConfig{BaseStationClock: true}})
	}}
	open := func(context.Context) (*duckdb.Store, error) {
		<-reading
		return nil, errLocked
	}
	sum, st, err := RunOpening(context.Background(), open, duckdb.Quantum, []string{in}, cfg)
	if !errors.Is(err, errLocked) || st != nil || sum.Status != store.RunFailed || sum.Run != 0 {
		t.Fatalf("got store %v, run %d (%s), error %v; want no store and a failed run with the opener's error", st, sum.Run, sum.Status, err)
	}
	// The read stops at its next check of the store (every 65,536
	// messages), not at the end of the file.
	if sum.Lines == 0 || sum.Lines > 3*65_536 {
		t.Errorf("read %d lines of a file of 400,000 before stopping", sum.Lines)
	}
}

// beginFails is a store whose BeginRun fails: the run then fails, the
// store (open) is returned to be closed, and no run is finished.
type beginFails struct {
	*duckdb.Store
	finished bool
}

var errReadOnly = errors.New("read-only")

func (b *beginFails) BeginRun(context.Context, []string) (store.RunID, error) { return 0, errReadOnly }
func (b *beginFails) FinishRun(context.Context, store.RunID, store.RunResult) error {
	b.finished = true
	return nil
}

func TestBeginRunFails(t *testing.T) {
	in, _ := writeCorpus(t, 20_000)
	ctx := context.Background()
	db := openDuck(t)
	bf := &beginFails{Store: db}
	sum, st, err := RunOpening(ctx, func(context.Context) (*beginFails, error) { return bf, nil }, 0, []string{in}, Config{})
	if !errors.Is(err, errReadOnly) || st != bf || bf.finished || sum.Status != store.RunFailed || sum.Added != 0 {
		t.Fatalf("error %v, store %p (want %p), finished %v, summary %+v", err, st, bf, bf.finished, sum)
	}
	stats, err := db.Stats(ctx)
	if err != nil || stats.Positions != 0 {
		t.Errorf("store holds %d positions (%v), want none", stats.Positions, err)
	}
}

// An interrupt while the store is still opening (a connection that hangs)
// ends the run with the interruption; there is no store to close.
func TestCancelWhileOpening(t *testing.T) {
	in, _ := writeCorpus(t, 20_000)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := Config{Open: func(spec string) (source.Source, error) {
		cancel() // Ctrl-C as reading starts
		return source.New(spec, source.Options{})
	}}
	hang := func(ctx context.Context) (*duckdb.Store, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	sum, st, err := RunOpening(ctx, hang, duckdb.Quantum, []string{in}, cfg)
	if !errors.Is(err, context.Canceled) || st != nil || sum.Status != store.RunFailed {
		t.Fatalf("got store %v, status %s, error %v; want the interruption and no store", st, sum.Status, err)
	}
}

// Many small files: the read stops at the next file once the store has
// failed to open, not after all of them.
func TestStoreFailsToOpenManyFiles(t *testing.T) {
	in, _ := writeCorpus(t, 2_000)
	specs := make([]string, 200)
	for i := range specs {
		specs[i] = in
	}
	errLocked := errors.New("store locked")
	open := func(context.Context) (*duckdb.Store, error) { return nil, errLocked }
	sum, _, err := RunOpening(context.Background(), open, duckdb.Quantum, specs, Config{})
	if !errors.Is(err, errLocked) {
		t.Fatalf("error %v, want the opener's", err)
	}
	if sum.Lines > 20*2_000 {
		t.Errorf("read %d lines of 200 files of 2,000 before stopping", sum.Lines)
	}
}
