package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

func TestEmbeddedMigrations(t *testing.T) {
	ms, err := loadMigrations(migrations)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || latestVersion() != len(ms) {
		t.Fatalf("%d migrations, latest %d", len(ms), latestVersion())
	}
}

func TestLoadMigrationsRejectsGaps(t *testing.T) {
	for name, f := range map[string]fstest.MapFS{
		"gap":     {"0001_a.sql": {Data: []byte("SELECT 1")}, "0003_c.sql": {Data: []byte("SELECT 1")}},
		"badname": {"first.sql": {Data: []byte("SELECT 1")}},
		"zero":    {"0000_a.sql": {Data: []byte("SELECT 1")}},
	} {
		if _, err := loadMigrations(f); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestMigrateOlderFile builds a file at schema version 1 and opens it with
// a build that knows a version 2: the step runs once, data survives.
func TestMigrateOlderFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.duckdb")
	v1, err := fs.ReadFile(migrations, "0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	fsV1 := fstest.MapFS{"0001_init.sql": {Data: v1}}
	fsV2 := fstest.MapFS{"0001_init.sql": {Data: v1},
		"0002_vessel_note.sql": {Data: []byte("ALTER TABLE vessels ADD COLUMN note VARCHAR DEFAULT 'none';")}}

	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	if err := migrate(ctx, db, fsV1, log, time.Now); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO vessels (mmsi, positions) VALUES (42, 7)`); err != nil {
		t.Fatal(err)
	}
	if v, err := schemaVersion(ctx, db); err != nil || v != 1 {
		t.Fatalf("version %d %v", v, err)
	}
	for i := 0; i < 2; i++ { // the second run has nothing to do
		if err := migrate(ctx, db, fsV2, log, time.Now); err != nil {
			t.Fatal(err)
		}
	}
	var note string
	var n int64
	if err := db.QueryRowContext(ctx, `SELECT note, positions FROM vessels WHERE mmsi = 42`).Scan(&note, &n); err != nil {
		t.Fatal(err)
	}
	if note != "none" || n != 7 {
		t.Fatalf("after migration: %q %d", note, n)
	}
	var rows int
	db.QueryRowContext(ctx, `SELECT count(*) FROM schema_version`).Scan(&rows)
	if v, _ := schemaVersion(ctx, db); v != 2 || rows != 2 {
		t.Fatalf("version %d, %d version rows", v, rows)
	}
	// A build that knows only version 1 refuses the file.
	if err := migrate(ctx, db, fsV1, log, time.Now); !errors.Is(err, store.ErrSchemaTooNew) {
		t.Fatalf("older build: %v", err)
	}
	db.Close()
}

// TestMigrationStepIsAtomic: a failing step leaves the file at the
// previous version, not half-migrated.
func TestMigrationStepIsAtomic(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("duckdb", filepath.Join(t.TempDir(), "x.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	bad := fstest.MapFS{"0001_a.sql": {Data: []byte("CREATE TABLE a (x INTEGER);")},
		"0002_b.sql": {Data: []byte("CREATE TABLE b (x INTEGER); SELECT * FROM no_such_table;")}}
	if err := migrate(ctx, db, bad, slog.New(slog.DiscardHandler), time.Now); err == nil || !strings.Contains(err.Error(), "0002_b") {
		t.Fatalf("bad step: %v", err)
	}
	if v, _ := schemaVersion(ctx, db); v != 1 {
		t.Fatalf("version %d after failed step", v)
	}
	var n int
	db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_name = 'b'`).Scan(&n)
	if n != 0 {
		t.Fatal("failed step left table b")
	}
}

func TestNewerFileFailsClearly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "new.duckdb")
	s, err := Open(ctx, testConfig(path))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO schema_version VALUES (99, '0099_future', now())`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, ro := range []bool{false, true} {
		cfg := testConfig(path)
		cfg.ReadOnly = ro
		_, err = Open(ctx, cfg)
		if !errors.Is(err, store.ErrSchemaTooNew) || !strings.Contains(err.Error(), "99") {
			t.Fatalf("read-only %v: %v", ro, err)
		}
	}
}

func TestReadOnly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ro.duckdb")
	s, err := Open(ctx, testConfig(path))
	if err != nil {
		t.Fatal(err)
	}
	pts := []vessel.TrackPoint{{Position: vessel.Position{MMSI: 1, Time: time.Unix(1e9, 0), Lat: 1, Lon: 1, Source: "x"}}}
	if _, err := s.AddPositions(ctx, 0, pts); err != nil {
		t.Fatal(err)
	}
	s.Close()
	cfg := testConfig(path)
	cfg.ReadOnly = true
	ro, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if st, err := ro.Stats(ctx); err != nil || st.Positions != 1 {
		t.Fatalf("read-only stats %+v %v", st, err)
	}
	if _, err := ro.AddPositions(ctx, 0, pts); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("write to read-only store: %v", err)
	}
}

func TestOneStorePerFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "one.duckdb")
	s, err := Open(ctx, testConfig(path))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, testConfig(path)); !errors.Is(err, store.ErrLocked) {
		t.Fatalf("second open: %v", err)
	}
	s.Close()
	s, err = Open(ctx, testConfig(path))
	if err != nil {
		t.Fatalf("open after close: %v", err)
	}
	s.Close()
}

func TestInterruptedRunMarked(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "runs.duckdb")
	s, err := Open(ctx, testConfig(path))
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.BeginRun(ctx, []string{"x"})
	if err != nil {
		t.Fatal(err)
	}
	s.Close() // without FinishRun: as if the process had died
	s, err = Open(ctx, testConfig(path))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r, err := s.Run(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != store.RunInterrupted {
		t.Fatalf("status %s", r.Status)
	}
	if err := s.FinishRun(ctx, id, store.RunResult{Status: store.RunOK}); !errors.Is(err, store.ErrRunState) {
		t.Fatalf("finishing an interrupted run: %v", err)
	}
}

func TestCompact(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, testConfig(filepath.Join(t.TempDir(), "c.duckdb")))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	gen := newSynth(50, time.Minute)
	for i := 0; i < 5; i++ {
		buf := make([]vessel.TrackPoint, 1000)
		gen.next(buf)
		if _, err := s.AddPositions(ctx, 0, buf); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := s.Track(ctx, mmsiOf(3), time.Time{}, time.Time{})
	stBefore, _ := s.Stats(ctx)
	if err := s.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	after, _ := s.Track(ctx, mmsiOf(3), time.Time{}, time.Time{})
	stAfter, _ := s.Stats(ctx)
	if stBefore != stAfter || len(before) != len(after) || len(after) != 100 {
		t.Fatalf("compact changed data: %+v %+v, %d %d", stBefore, stAfter, len(before), len(after))
	}
	// Loads after compacting still de-duplicate.
	buf := make([]vessel.TrackPoint, 1000)
	newSynth(50, time.Minute).next(buf)
	if st, err := s.AddPositions(ctx, 0, buf); err != nil || st.Added != 0 {
		t.Fatalf("reload after compact: %+v %v", st, err)
	}
}
