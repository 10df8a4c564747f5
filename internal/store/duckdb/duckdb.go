// Package duckdb is the embedded store backend: one DuckDB file holding
// positions, identity history, vessel summaries, ingest runs and events.
//
// # Physical layout
//
// positions has no index. Each AddPositions call is one transaction that
// appends its new rows sorted by (mmsi, time); Compact rewrites the whole
// table ordered by (mmsi, time). DuckDB keeps min/max zone maps per row
// group (122,880 rows), so a track query reads only the few row groups
// whose mmsi range contains the vessel. Proximity is served by the small
// presence table, (mmsi, UTC day, 1° cell) for every stored position:
// Near finds its candidate vessels there and reads only their rows. The
// same table tells the loader when a batch cannot hold duplicates; when
// it can, duplicates are found by an anti-join against the stored rows in
// the batch's time range. Positions hold numbers only: the source is an
// id from the sources table, the class the class letter's byte (see
// load.go for why).
//
// # Processes and crash safety
//
// DuckDB takes an exclusive lock on the file: one process opens it for
// writing at a time (ReadOnly opens may share it with other read-only
// opens). Within a process, one Store per file. Every write call is one
// transaction in DuckDB's write-ahead log, so a killed process leaves the
// file at the last committed call; opening it replays the log. Runs found
// "running" at open belonged to a dead process and are marked interrupted.
package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"time"

	duckdbdrv "github.com/duckdb/duckdb-go/v2"

	"github.com/lookout-maritime/lookout/internal/store"
)

// DefaultPath is the store file used when Config.Path is empty.
const DefaultPath = "./lookout.duckdb"

// Config configures a Store. The zero value is usable.
type Config struct {
	// Path of the database file; created with the current schema when
	// missing. Default DefaultPath.
	Path string
	// ReadOnly opens without writing: no migration, no run repair; write
	// calls fail. Several read-only opens may share a file.
	ReadOnly bool
	// Threads caps DuckDB's worker threads; 0 leaves DuckDB's default (the
	// number of cores).
	Threads int
	// MemoryLimit is DuckDB's memory_limit setting ("4GB"); "" leaves
	// DuckDB's default (80% of RAM).
	MemoryLimit string
	// Logger receives migration and maintenance messages; nil discards.
	Logger *slog.Logger
	// Now is the clock for ingest-run start and finish times; nil is
	// time.Now.
	Now func() time.Time
}

// Store is the DuckDB backend. It satisfies store.Store; see the contracts
// there. Writes are serialised on one connection; reads use a pool.
type Store struct {
	cfg  Config
	log  *slog.Logger
	path string // absolute
	db   *sql.DB

	mu     sync.Mutex // serialises writes and guards closed, w
	closed bool
	w      *writer // nil when ReadOnly
}

var _ store.Store = (*Store)(nil)

// openPaths holds the absolute paths of the files open in this process:
// DuckDB shares one instance per file within a process, which would let two
// Stores believe they each own the file.
var openPaths = struct {
	sync.Mutex
	m map[string]bool
}{m: map[string]bool{}}

// Open opens (creating or migrating) the store file cfg.Path.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Path == "" {
		cfg.Path = DefaultPath
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	abs, err := filepath.Abs(cfg.Path)
	if err != nil {
		return nil, fmt.Errorf("duckdb: store path %q: %w", cfg.Path, err)
	}
	openPaths.Lock()
	if openPaths.m[abs] {
		openPaths.Unlock()
		return nil, fmt.Errorf("duckdb: open %s: %w (already open in this process)", abs, store.ErrLocked)
	}
	openPaths.m[abs] = true
	openPaths.Unlock()
	s, err := open(ctx, cfg, abs)
	if err != nil {
		openPaths.Lock()
		delete(openPaths.m, abs)
		openPaths.Unlock()
		return nil, err
	}
	return s, nil
}

func open(ctx context.Context, cfg Config, abs string) (*Store, error) {
	dsn := abs
	var params []string
	if cfg.ReadOnly {
		params = append(params, "access_mode=READ_ONLY")
	}
	if cfg.Threads > 0 {
		params = append(params, fmt.Sprintf("threads=%d", cfg.Threads))
	}
	if cfg.MemoryLimit != "" {
		params = append(params, "memory_limit="+cfg.MemoryLimit)
	}
	if len(params) > 0 {
		dsn += "?" + strings.Join(params, "&")
	}
	connector, err := duckdbdrv.NewConnector(dsn, func(ex driver.ExecerContext) error {
		// Times are UTC everywhere: casts and time functions must agree.
		_, err := ex.ExecContext(context.Background(), "SET TimeZone = 'UTC'", nil)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("duckdb: open %s: %w", abs, classify(err))
	}
	db := sql.OpenDB(connector)
	s := &Store{cfg: cfg, log: cfg.Logger, path: abs, db: db}
	if err := s.init(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("duckdb: open %s: %w", abs, err)
	}
	return s, nil
}

func (s *Store) init(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return classify(err)
	}
	if s.cfg.ReadOnly {
		v, err := schemaVersion(ctx, s.db)
		if err != nil {
			return err
		}
		latest := latestVersion()
		switch {
		case v > latest:
			return fmt.Errorf("%w: file has version %d, this build knows up to %d; upgrade Lookout", store.ErrSchemaTooNew, v, latest)
		case v < latest:
			return fmt.Errorf("%w: file has version %d, this build needs %d; open it once without read-only", store.ErrNeedsMigration, v, latest)
		}
		return nil
	}
	if err := migrate(ctx, s.db, migrations, s.log, s.cfg.Now); err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, `UPDATE ingest_runs SET status = ? WHERE status = ?`, string(store.RunInterrupted), string(store.RunRunning))
	if err != nil {
		return fmt.Errorf("marking interrupted runs: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		s.log.Warn("store: runs left running by a process that died are marked interrupted", "runs", n)
	}
	w, err := newWriter(ctx, s.db)
	if err != nil {
		return err
	}
	s.w = w
	return nil
}

// Path is the absolute path of the store file.
func (s *Store) Path() string { return s.path }

// Close implements store.Store.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	var errs []error
	if s.w != nil {
		errs = append(errs, s.w.close())
	}
	if !s.cfg.ReadOnly {
		// Fold the write-ahead log into the file so the next open is fast.
		if _, err := s.db.Exec("CHECKPOINT"); err != nil {
			errs = append(errs, fmt.Errorf("checkpoint: %w", err))
		}
	}
	errs = append(errs, s.db.Close())
	openPaths.Lock()
	delete(openPaths.m, s.path)
	openPaths.Unlock()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("duckdb: close %s: %w", s.path, err)
	}
	return nil
}

// lockWriter takes the write lock for a write call.
func (s *Store) lockWriter() (*writer, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, store.ErrClosed
	}
	if s.w == nil {
		s.mu.Unlock()
		return nil, fmt.Errorf("duckdb: %w: store opened read-only", store.ErrInvalid)
	}
	return s.w, nil
}

// reader returns the pool for a read call.
func (s *Store) reader() (*sql.DB, error) {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return nil, store.ErrClosed
	}
	return s.db, nil
}

// classify maps driver errors onto store sentinels where one applies.
func classify(err error) error {
	var de *duckdbdrv.Error
	if errors.As(err, &de) && de.Type == duckdbdrv.ErrorTypeIO && strings.Contains(de.Msg, "lock") {
		// DuckDB says so only in its message: "Could not set lock on file".
		return fmt.Errorf("%w: %w", store.ErrLocked, err)
	}
	if err != nil && strings.Contains(err.Error(), "Could not set lock") {
		return fmt.Errorf("%w: %w", store.ErrLocked, err)
	}
	return err
}
