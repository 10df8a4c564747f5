package cli

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgURL creates a fresh database for one test on the local PostgreSQL and
// returns its URL; the test skips when no server answers.
func pgURL(t *testing.T) string {
	t.Helper()
	admin := os.Getenv("LOOKOUT_TEST_POSTGRES")
	if admin == "" {
		admin = "postgres://postgres@127.0.0.1:5432/postgres"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Skipf("PostgreSQL not reachable at %s: %v", admin, err)
	}
	defer conn.Close(context.Background())
	name := fmt.Sprintf("lookout_cli_%d", rand.Uint64()%1e12)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), admin)
		if err == nil {
			c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			c.Close(context.Background())
		}
	})
	cfg, _ := pgx.ParseConfig(admin)
	return fmt.Sprintf("postgres://%s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, name)
}

// The same commands give the same answers on PostgreSQL as on DuckDB.
func TestPostgresStoreFromCLI(t *testing.T) {
	pg := pgURL(t)
	duck := filepath.Join(t.TempDir(), "t.duckdb")
	for _, st := range []string{pg, duck} {
		if _, errOut, code := run(t, "", "ingest", "-q", "--store", st, "testdata/mixed.nmea"); code != 0 {
			t.Fatalf("ingest into %s: %s", st, errOut)
		}
	}
	for _, args := range [][]string{
		{"vessels", "--json"},
		{"track", "--format", "csv", "371798000"},
		{"near", "--json", "--lat", "48.38", "--lon", "-123.39", "--radius-km", "5"},
	} {
		a, errA, codeA := run(t, "", append(args, "--store", pg)...)
		b, errB, codeB := run(t, "", append(args, "--store", duck)...)
		if codeA != 0 || codeB != 0 || a != b {
			t.Errorf("%v differs:\npostgres (%d %s):\n%s\nduckdb (%d %s):\n%s", args, codeA, errA, a, codeB, errB, b)
		}
	}
}
