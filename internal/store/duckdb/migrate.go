package duckdb

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lookout-maritime/lookout/internal/store"
)

// migrations holds the schema as ordered SQL steps, NNNN_description.sql.
// Step N takes a file from version N-1 to N; steps are never edited once
// released, only added.
//
//go:embed migrations/*.sql
var embedded embed.FS

var migrations = mustSub(embedded, "migrations")

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	return sub
}

type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads and orders the steps in fsys, checking they are
// numbered 1, 2, 3... without gaps.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	var ms []migration
	for _, n := range names {
		num, _, ok := strings.Cut(n, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migrations: %s: name is not NNNN_description.sql", n)
		}
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, fmt.Errorf("migrations: %w", err)
		}
		ms = append(ms, migration{version: v, name: strings.TrimSuffix(path.Base(n), ".sql"), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migrations: %s: expected version %d", m.name, i+1)
		}
	}
	return ms, nil
}

// latestVersion is the schema version this build writes.
func latestVersion() int {
	ms, err := loadMigrations(migrations)
	if err != nil {
		panic(err) // embedded files are checked by the tests
	}
	return len(ms)
}

const schemaVersionDDL = `CREATE TABLE IF NOT EXISTS schema_version (
    version     INTEGER PRIMARY KEY,
    name        VARCHAR NOT NULL,
    applied     TIMESTAMPTZ NOT NULL
)`

// schemaVersion returns the file's schema version, 0 for a new file.
func schemaVersion(ctx context.Context, db *sql.DB) (int, error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version' AND table_schema = 'main'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("reading schema version: %w", err)
	}
	if n == 0 {
		return 0, nil
	}
	var v sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT max(version) FROM schema_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("reading schema version: %w", err)
	}
	return int(v.Int64), nil
}

// migrate brings the file to the latest version in fsys, one transaction
// per step, so that a crash mid-migration leaves the file at a step
// boundary. A file newer than fsys knows fails with store.ErrSchemaTooNew.
func migrate(ctx context.Context, db *sql.DB, fsys fs.FS, log *slog.Logger, now func() time.Time) error {
	ms, err := loadMigrations(fsys)
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, schemaVersionDDL); err != nil {
		return fmt.Errorf("creating schema_version: %w", err)
	}
	v, err := schemaVersion(ctx, db)
	if err != nil {
		return err
	}
	if v > len(ms) {
		return fmt.Errorf("%w: file has version %d, this build knows up to %d; upgrade Lookout", store.ErrSchemaTooNew, v, len(ms))
	}
	for _, m := range ms[v:] {
		if err := applyMigration(ctx, db, m, now()); err != nil {
			return err
		}
		if v > 0 {
			log.Info("store: migrated", "to", m.version, "step", m.name)
		}
	}
	return nil
}

func applyMigration(ctx context.Context, db *sql.DB, m migration, now time.Time) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version VALUES (?, ?, ?)`, m.version, m.name, now.UTC()); err != nil {
		return fmt.Errorf("migration %s: recording version: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migration %s: commit: %w", m.name, err)
	}
	return nil
}
