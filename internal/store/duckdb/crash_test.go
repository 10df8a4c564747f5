package duckdb

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// The crash test re-executes the test binary as a writer process
// (crashWriterEnv names the store file), kills it with SIGKILL in the
// middle of a load, and checks that the file opens cleanly and that
// running the same ingest again ends with exactly the positions of one
// clean run.
const crashWriterEnv = "LOOKOUT_CRASH_WRITER"

const (
	crashBatches   = 8
	crashBatchSize = 100_000
	crashVessels   = 500
)

// crashBatch is batch i of the ingest, the same in every process.
func crashBatch(i int) []vessel.TrackPoint {
	gen := newSynth(crashVessels, time.Minute)
	buf := make([]vessel.TrackPoint, crashBatchSize)
	for j := 0; j <= i; j++ {
		gen.next(buf)
	}
	return buf
}

// ingest is the writer's whole run: begin, load every batch, finish. It
// reports each batch on out before and after loading it.
func ingest(ctx context.Context, s *Store, out func(string)) error {
	run, err := s.BeginRun(ctx, []string{"crash-test"})
	if err != nil {
		return err
	}
	for i := 0; i < crashBatches; i++ {
		b := crashBatch(i)
		out(fmt.Sprintf("start %d", i))
		if _, err := s.AddPositions(ctx, run, b); err != nil {
			return err
		}
		out(fmt.Sprintf("done %d", i))
	}
	return s.FinishRun(ctx, run, store.RunResult{Status: store.RunOK, Lines: crashBatches * crashBatchSize})
}

func TestMain(m *testing.M) {
	if path := os.Getenv(crashWriterEnv); path != "" {
		s, err := Open(context.Background(), Config{Path: path})
		if err != nil {
			fmt.Println("open:", err)
			os.Exit(2)
		}
		err = ingest(context.Background(), s, func(msg string) { fmt.Println(msg) })
		if err != nil {
			fmt.Println("ingest:", err)
			os.Exit(3)
		}
		s.Close()
		fmt.Println("finished")
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestCrashMidLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "crash.duckdb")
	// Kill points: right at a batch's start (Go-side preparation), and
	// later into it (DuckDB inserting or committing).
	for round, delay := range []time.Duration{0, 20 * time.Millisecond, 60 * time.Millisecond, 150 * time.Millisecond} {
		killAt := 1 + round // batch to kill in
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashWriterEnv+"="+path)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		killed := false
		var lines []string
		for sc.Scan() {
			line := sc.Text()
			lines = append(lines, line)
			if line == fmt.Sprintf("start %d", killAt) {
				// While the writer holds the file, nobody else may open it.
				if _, err := Open(ctx, Config{Path: path}); !errors.Is(err, store.ErrLocked) {
					t.Errorf("open while another process writes: %v", err)
				}
				time.Sleep(delay)
				if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				killed = true
				break
			}
		}
		if !killed {
			t.Fatalf("round %d: writer ended before the kill: %v", round, lines)
		}
		cmd.Wait()
		// The file opens, has whole batches only, and the run is marked.
		s, err := Open(ctx, Config{Path: path})
		if err != nil {
			t.Fatalf("round %d: reopen after SIGKILL: %v", round, err)
		}
		st, err := s.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Positions%crashBatchSize != 0 || st.Positions < int64(killAt)*crashBatchSize {
			t.Fatalf("round %d: %d positions after kill in batch %d", round, st.Positions, killAt)
		}
		runs, err := s.Runs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if runs[0].Status != store.RunInterrupted {
			t.Fatalf("round %d: killed run is %s", round, runs[0].Status)
		}
		t.Logf("round %d: killed %v into batch %d; %d positions survived (%d batches)", round, delay, killAt,
			st.Positions, st.Positions/crashBatchSize)
		s.Close()
	}
	// Re-run the ingest to completion; the result is that of a clean run.
	s, err := Open(ctx, Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := ingest(ctx, s, func(string) {}); err != nil {
		t.Fatal(err)
	}
	cleanPath := filepath.Join(t.TempDir(), "clean.duckdb")
	clean, err := Open(ctx, Config{Path: cleanPath})
	if err != nil {
		t.Fatal(err)
	}
	defer clean.Close()
	if err := ingest(ctx, clean, func(string) {}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Stats(ctx)
	want, _ := clean.Stats(ctx)
	if got.Positions != crashBatches*crashBatchSize || got.Positions != want.Positions || got.Vessels != want.Vessels {
		t.Fatalf("after re-run %+v, clean run %+v", got, want)
	}
	// Per-vessel counts and tracks agree too.
	gv, _ := s.Vessels(ctx, store.VesselQuery{})
	wv, _ := clean.Vessels(ctx, store.VesselQuery{})
	for i := range wv {
		if gv[i].MMSI != wv[i].MMSI || gv[i].Positions != wv[i].Positions || !gv[i].FirstSeen.Equal(wv[i].FirstSeen) || !gv[i].LastSeen.Equal(wv[i].LastSeen) {
			t.Fatalf("vessel %d: %+v, clean %+v", i, gv[i], wv[i])
		}
	}
	gt, _ := s.Track(ctx, mmsiOf(17), time.Time{}, time.Time{})
	wt, _ := clean.Track(ctx, mmsiOf(17), time.Time{}, time.Time{})
	if len(gt) != len(wt) || len(gt) != crashBatches*crashBatchSize/crashVessels {
		t.Fatalf("track: %d points, clean %d", len(gt), len(wt))
	}
	runs, _ := s.Runs(ctx)
	var statuses []string
	var added int64
	for _, r := range runs {
		statuses = append(statuses, string(r.Status))
		added += r.PositionsAdded
	}
	if added != got.Positions {
		t.Fatalf("runs record %d positions added, store has %d (runs %s)", added, got.Positions, strings.Join(statuses, ","))
	}
}
