package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lookout-maritime/lookout/internal/store"
)

// migrations holds the schema as ordered SQL steps, NNNN_description.sql,
// the same scheme as the DuckDB store's: step N takes a schema from
// version N-1 to N; steps are never edited once released, only added.
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
    version integer PRIMARY KEY,
    name    text NOT NULL,
    applied timestamptz NOT NULL
)`

// schemaVersion returns the schema's version, 0 for a new schema. conn's
// search_path starts with schema.
func schemaVersion(ctx context.Context, conn *pgx.Conn, schema string) (int, error) {
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'schema_version')`, schema).Scan(&exists); err != nil {
		return 0, fmt.Errorf("reading schema version: %w", err)
	}
	if !exists {
		return 0, nil
	}
	var v *int32
	if err := conn.QueryRow(ctx, `SELECT max(version) FROM schema_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("reading schema version: %w", err)
	}
	if v == nil {
		return 0, nil
	}
	return int(*v), nil
}

// migrate brings schema to the latest version in fsys, one transaction per
// step (PostgreSQL DDL is transactional), so that a crash mid-migration
// leaves the schema at a step boundary. A schema newer than fsys knows
// fails with store.ErrSchemaTooNew. The caller holds the migration lock.
func migrate(ctx context.Context, conn *pgx.Conn, schema string, fsys fs.FS, log *slog.Logger, now func() time.Time) error {
	ms, err := loadMigrations(fsys)
	if err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, schemaVersionDDL); err != nil {
		return fmt.Errorf("creating schema_version: %w", err)
	}
	v, err := schemaVersion(ctx, conn, schema)
	if err != nil {
		return err
	}
	if v > len(ms) {
		return fmt.Errorf("%w: schema %s has version %d, this build knows up to %d; upgrade Lookout", store.ErrSchemaTooNew, schema, v, len(ms))
	}
	for _, m := range ms[v:] {
		if err := applyMigration(ctx, conn, m, now()); err != nil {
			return err
		}
		if v > 0 {
			log.Info("store: migrated", "schema", schema, "to", m.version, "step", m.name)
		}
	}
	return nil
}

func applyMigration(ctx context.Context, conn *pgx.Conn, m migration, now time.Time) error {
	err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		// The simple protocol runs a file of several statements.
		if _, err := tx.Exec(ctx, m.sql, pgx.QueryExecModeSimpleProtocol); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_version VALUES ($1, $2, $3)`, m.version, m.name, now.UTC()); err != nil {
			return fmt.Errorf("recording version: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	return nil
}
