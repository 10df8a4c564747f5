package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/store/storetest"
)

// The tests run against a real PostgreSQL with PostGIS: by default the
// local server (trust authentication, user postgres), else the URL in
// LOOKOUT_TEST_POSTGRES (a postgres:// URL of any database the user may
// create databases from). They use the database lookout_test, creating it
// and PostGIS in it when missing, and one fresh schema per test, dropped
// afterwards. Without a reachable server they skip.
const defaultTestServer = "postgres://postgres@127.0.0.1:5432/postgres?connect_timeout=3"

var testDB struct {
	once sync.Once
	url  string // of lookout_test
	skip string
	err  error
}

// testDatabase returns the URL of the test database, skipping the test
// when no server is reachable.
func testDatabase(t testing.TB) string {
	t.Helper()
	testDB.once.Do(func() { testDB.url, testDB.skip, testDB.err = prepareTestDB() })
	if testDB.skip != "" {
		t.Skip(testDB.skip)
	}
	if testDB.err != nil {
		t.Fatalf("preparing the test database: %v", testDB.err)
	}
	return testDB.url
}

func prepareTestDB() (dbURL, skip string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	server := os.Getenv("LOOKOUT_TEST_POSTGRES")
	if server == "" {
		server = defaultTestServer
	}
	admin, err := pgx.Connect(ctx, server)
	if err != nil {
		return "", "PostgreSQL unreachable (" + redact(server) + ": " + err.Error() + "); start it or set LOOKOUT_TEST_POSTGRES", nil
	}
	defer admin.Close(ctx)
	var pe *pgconn.PgError
	if _, err := admin.Exec(ctx, `CREATE DATABASE lookout_test`); err != nil && !(errors.As(err, &pe) && (pe.Code == "42P04" || pe.Code == "23505")) {
		return "", "", err
	}
	u, err := url.Parse(server)
	if err != nil {
		return "", "", err
	}
	u.Path = "/lookout_test"
	conn, err := pgx.Connect(ctx, u.String())
	if err != nil {
		return "", "", err
	}
	defer conn.Close(ctx)
	var available bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'postgis')`).Scan(&available); err != nil {
		return "", "", err
	}
	if !available {
		return "", "PostGIS is not installed on the PostgreSQL server (apt-get install postgresql-15-postgis-3)", nil
	}
	if _, err := ensurePostGIS(ctx, conn, true); err != nil {
		return "", "", err
	}
	return u.String(), "", nil
}

// newSchema returns a fresh schema name, dropped when the test ends.
func newSchema(t testing.TB) string {
	t.Helper()
	dbURL := testDatabase(t)
	b := make([]byte, 6)
	rand.Read(b)
	name := "t_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dbURL)
		if err != nil {
			t.Errorf("dropping schema %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{name}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("dropping schema %s: %v", name, err)
		}
	})
	return name
}

func testConfig(t testing.TB, schema string) Config {
	return Config{URL: testDatabase(t), Schema: schema, MaxConns: 8}
}

func openTest(t testing.TB, schema string) *Store {
	t.Helper()
	s, err := Open(context.Background(), testConfig(t, schema))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	testDatabase(t)
	storetest.Run(t, storetest.Backend{
		NewLocation: func(t *testing.T) string { return newSchema(t) },
		Open: func(t *testing.T, loc string) (store.Store, error) {
			return Open(context.Background(), testConfig(t, loc))
		},
	})
}
