package cli

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/bench/decode/corpus"
	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/store/duckdb"
)

// TestMain lets a test run the CLI as a real child process (so it can be
// SIGKILLed): with LOOKOUT_TEST_MAIN=1 the test binary is `lookout`.
func TestMain(m *testing.M) {
	if os.Getenv("LOOKOUT_TEST_MAIN") == "1" {
		os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func lookoutCmd(t *testing.T, args ...string) *exec.Cmd {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	c := exec.Command(exe, args...)
	c.Env = append(os.Environ(), "LOOKOUT_TEST_MAIN=1")
	return c
}

func storedPositions(t *testing.T, path string) store.Stats {
	t.Helper()
	st, err := duckdb.Open(context.Background(), duckdb.Config{Path: path})
	if err != nil {
		t.Fatalf("store after the kill does not open: %v", err)
	}
	defer st.Close()
	s, err := st.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// SIGKILL `lookout ingest` in the middle of a file: the store opens
// cleanly, the run is marked interrupted, and running the same ingest
// again ends with exactly the positions of one clean run.
func TestIngestSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a 300 000-line corpus")
	}
	dir := t.TempDir()
	input := filepath.Join(dir, "feed.nmea")
	f, err := os.Create(input)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := corpus.Generate(f, corpus.Config{Lines: 300_000, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	f.Close()

	clean := filepath.Join(dir, "clean.duckdb")
	if out, err := lookoutCmd(t, "ingest", "-q", "--store", clean, input).CombinedOutput(); err != nil {
		t.Fatalf("clean run: %v\n%s", err, out)
	}
	want := storedPositions(t, clean)

	crashed := filepath.Join(dir, "crashed.duckdb")
	// Small batches, so that several commit before the kill; the progress
	// bar (forced) tells when reading has got going.
	c := lookoutCmd(t, "ingest", "-q", "--progress", "--batch", "5000", "--store", crashed, input)
	stderr, err := c.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait for the bar to pass 30% of the file, then kill.
	sc := bufio.NewScanner(stderr)
	sc.Split(scanCR)
	deadline := time.After(60 * time.Second)
	killed := make(chan struct{})
	go func() {
		for sc.Scan() {
			if pct := percent(sc.Text()); pct >= 30 {
				break
			}
		}
		c.Process.Signal(syscall.SIGKILL)
		close(killed)
		for sc.Scan() {
		}
	}()
	select {
	case <-killed:
	case <-deadline:
		c.Process.Kill()
		t.Fatal("ingest did not get going within 60 s")
	}
	err = c.Wait()
	if ws, ok := c.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		t.Skipf("ingest finished before the kill (%v); machine too fast for this corpus", err)
	}
	mid := storedPositions(t, crashed)
	t.Logf("killed with %d of %d positions stored", mid.Positions, want.Positions)
	if mid.Positions >= want.Positions {
		t.Logf("everything was stored before the kill")
	}
	st, err := duckdb.Open(context.Background(), duckdb.Config{Path: crashed})
	if err != nil {
		t.Fatal(err)
	}
	runs, err := st.Runs(context.Background())
	st.Close()
	if err != nil || len(runs) != 1 || runs[0].Status != store.RunInterrupted {
		t.Fatalf("the killed run must be marked interrupted: %+v %v", runs, err)
	}
	if out, err := lookoutCmd(t, "ingest", "-q", "--store", crashed, input).CombinedOutput(); err != nil {
		t.Fatalf("rerun: %v\n%s", err, out)
	}
	got := storedPositions(t, crashed)
	if got.Positions != want.Positions || got.Vessels != want.Vessels || got.Identities != want.Identities {
		t.Fatalf("after rerun %+v, clean run %+v", got, want)
	}
}

// scanCR splits on \r as well as \n: progress bars redraw with \r.
func scanCR(data []byte, atEOF bool) (int, []byte, error) {
	for i, b := range data {
		if b == '\r' || b == '\n' {
			return i + 1, data[:i], nil
		}
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

// percent reads "NN%" from a progress bar line, -1 when there is none.
func percent(line string) int {
	i := strings.Index(line, "%")
	if i < 1 {
		return -1
	}
	j := i
	for j > 0 && line[j-1] >= '0' && line[j-1] <= '9' {
		j--
	}
	n := 0
	for _, c := range line[j:i] {
		n = n*10 + int(c-'0')
	}
	if j == i {
		return -1
	}
	return n
}
