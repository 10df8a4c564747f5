package cli

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Two `lookout worker` processes share a stream into PostgreSQL; one is
// SIGKILLed in the middle of the run and started again. The survivor takes
// its partitions over (replaying them from the start of the run), the
// restarted one gets its share back, and the store ends with exactly what
// a single-process `lookout ingest` into DuckDB of the same input holds:
// no position lost, none twice, the same vessels and identity history.
func TestWorkerSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests a corpus three times")
	}
	pg := pgURL(t)
	u := busURL(t, 16, "")
	in := testCorpus(t, 120_000, 11)
	want := filepath.Join(t.TempDir(), "single.duckdb")
	if _, errOut, code := run(t, "", "ingest", "-q", "--store", want, in); code != 0 {
		t.Fatalf("ingest: %s", errOut)
	}
	ref := storeSnapshot(t, want)

	// The whole input waits in the stream; then the workers start.
	if _, errOut, code := run(t, "", "ingest", "-q", "--bus", u, in); code != 0 {
		t.Fatalf("ingest --bus: %s", errOut)
	}
	worker := func(id string) (*exec.Cmd, *bytes.Buffer) {
		c := lookoutCmd(t, "worker", "-q", "--until-empty", "--lease-ttl", "2s", "--batch", "500", "--id", id, "--bus", u, "--store", pg)
		var out bytes.Buffer
		c.Stdout, c.Stderr = &out, &out
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Process.Kill(); c.Wait() })
		return c, &out
	}
	a, aOut := worker("a")
	b, bOut := worker("b")

	// Kill a once a quarter of the positions are stored: its partitions
	// are then mid-run, nothing of them acknowledged.
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	stored := func() int {
		var n int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM lookout.positions").Scan(&n); err != nil {
			return 0 // not migrated yet
		}
		return n
	}
	waitUntil(t, "a quarter of the positions stored", 30*time.Second, func() bool { return stored() >= len(ref.Positions)/4 })
	if err := a.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	a.Wait()
	// Restarted at once: a2 and b share a's partitions when its leases
	// expire.
	a2, a2Out := worker("a2")
	mid, left := stored(), streamMessages(t, u)
	t.Logf("worker a killed with %d of %d positions stored, %d messages in the stream", mid, len(ref.Positions), left)
	if left == 0 {
		t.Fatalf("the stream was empty when a was killed: the kill came after the run")
	}

	for _, w := range []struct {
		c   *exec.Cmd
		out *bytes.Buffer
	}{{b, bOut}, {a2, a2Out}} {
		done := make(chan error, 1)
		go func() { done <- w.c.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("worker: %v\n%s", err, w.out)
			}
		case <-time.After(60 * time.Second):
			t.Fatalf("worker did not finish\n%s", w.out)
		}
	}
	t.Logf("a (killed):\n%s\nb:\n%s\na2:\n%s", aOut, bOut, a2Out)
	// a acknowledged nothing, so between them b and a2 handled every
	// message published, a's partitions from the start of the run (and
	// partitions that moved from b to a2 when a2 joined, twice).
	var nb, na2 uint64
	fmt.Sscanf(bOut.String()[strings.Index(bOut.String(), "worker b:"):], "worker b: %d messages", &nb)
	fmt.Sscanf(a2Out.String()[strings.Index(a2Out.String(), "worker a2:"):], "worker a2: %d messages", &na2)
	if nb+na2 < left || na2 == 0 {
		t.Errorf("b handled %d messages and a2 %d; %d were published", nb, na2, left)
	}
	if diff := sameContent(storeSnapshot(t, pg), ref); diff != "" {
		t.Fatalf("the store differs from a single-process ingest:\n%s", diff)
	}
	if n := streamMessages(t, u); n != 0 {
		t.Errorf("%d messages left in the stream", n)
	}
}
