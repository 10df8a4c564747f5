// Package postgres is the shared store backend: PostgreSQL with PostGIS,
// for many processes and machines at once (ingest workers, the server,
// analysts' CLIs), and with Citus for horizontal scale (docs/SCALE.md).
// It keeps the same data as the embedded DuckDB store and passes the same
// conformance suite (store/storetest); the contracts are in package store.
//
// # Physical layout
//
// Every table lives in one schema (Config.Schema, default "lookout"), so
// several stores can share a database. positions is range-partitioned by
// time into monthly partitions created on demand by the loader (or ahead
// of time with EnsurePartitions). Its primary key (mmsi, time, lat, lon)
// is the natural key: loads COPY a batch into a temporary staging table
// and INSERT ... ON CONFLICT DO NOTHING from it, so loading twice stores
// once, and the same b-tree serves track queries. A BRIN index on time and
// a GiST index on the generated geometry(Point, 4326) column serve
// time-window and proximity scans. Vessel summaries (counts, first/last
// seen, latest identity) are maintained in the same transaction as the
// positions and identities they summarise.
//
// # Processes and crash safety
//
// Any number of processes may open the same store; each write call is one
// transaction. Schema migrations take an advisory lock, so concurrent opens
// migrate once. An ingest run is owned by its process through a session
// advisory lock held on a dedicated connection: a run found "running" whose
// lock is free belonged to a process that died, and the next read-write
// Open marks it interrupted (a run whose process is alive is left alone).
package postgres

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lookout-maritime/lookout/internal/store"
)

// DefaultURL is the database used when Config.URL is empty: the local
// server's "lookout" database as user postgres.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/lookout"

// DefaultSchema holds the store's tables when Config.Schema is empty.
const DefaultSchema = "lookout"

// Config configures a Store. The zero value opens DefaultURL.
type Config struct {
	// URL is a libpq connection URL or keyword/value string
	// (postgres://user:pass@host:5432/db?sslmode=...). The database must
	// exist; the schema is created when missing. Default DefaultURL.
	URL string
	// Schema holds the store's tables; several stores may share one
	// database under different schemas. Default DefaultSchema.
	Schema string
	// ReadOnly opens without writing: no migration, no run repair; write
	// calls fail with store.ErrInvalid, and every transaction is read-only.
	ReadOnly bool
	// MaxConns caps the connection pool; 0 is pgxpool's default (the
	// larger of 4 and the number of CPUs).
	MaxConns int32
	// Logger receives migration and maintenance messages; nil discards.
	Logger *slog.Logger
	// Now is the clock for ingest-run and list-load times; nil is
	// time.Now.
	Now func() time.Time
}

// Store is the PostgreSQL backend. It satisfies store.Store; see the
// contracts there. It is safe for concurrent use; calls run on a pool.
type Store struct {
	cfg    Config
	log    *slog.Logger
	schema string
	pool   *pgxpool.Pool

	// mu is held for reading by every call for its whole duration and for
	// writing by Close, so that Close waits for calls in progress.
	mu     sync.RWMutex
	closed bool

	// runConn holds the session advisory locks of this process's running
	// ingest runs; guarded by runMu. nil when ReadOnly.
	runMu   sync.Mutex
	runConn *pgx.Conn
	owned   map[int64]bool // runs whose lock runConn holds

	parts sync.Map // month (Unix seconds of its first instant) -> struct{}: partitions known to exist

	nsRuns, nsIdentity int32 // advisory lock classes of this schema
	keyPartition       int64
}

var _ store.Store = (*Store)(nil)

// Open connects to cfg.URL and opens (creating or migrating) the store in
// cfg.Schema. PostGIS is created in schema public when the database lacks
// it, which needs a role allowed to create extensions; otherwise an
// administrator runs CREATE EXTENSION postgis once.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.URL == "" {
		cfg.URL = DefaultURL
	}
	if cfg.Schema == "" {
		cfg.Schema = DefaultSchema
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Store{
		cfg: cfg, log: cfg.Logger, schema: cfg.Schema, owned: map[int64]bool{},
		nsRuns:       lockClass(cfg.Schema, "runs"),
		nsIdentity:   lockClass(cfg.Schema, "identity"),
		keyPartition: lockKey(cfg.Schema, "partitions"),
	}
	where := fmt.Sprintf("%s schema %s", redact(cfg.URL), cfg.Schema)
	searchPath, err := s.bootstrap(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: open %s: %w", where, err)
	}
	pcfg, err := pgxpool.ParseConfig(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("postgres: open %s: %w", where, err)
	}
	setSession(pcfg.ConnConfig, searchPath, cfg.ReadOnly)
	if cfg.MaxConns > 0 {
		pcfg.MaxConns = cfg.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open %s: %w", where, err)
	}
	s.pool = pool
	if !cfg.ReadOnly {
		if err := s.openRunConn(ctx, searchPath); err != nil {
			pool.Close()
			return nil, fmt.Errorf("postgres: open %s: %w", where, err)
		}
	}
	return s, nil
}

// setSession makes every connection use the store's schema, UTC and, when
// read-only, read-only transactions.
func setSession(cc *pgx.ConnConfig, searchPath string, readOnly bool) {
	if cc.RuntimeParams == nil {
		cc.RuntimeParams = map[string]string{}
	}
	cc.RuntimeParams["search_path"] = searchPath
	cc.RuntimeParams["TimeZone"] = "UTC"
	if readOnly {
		cc.RuntimeParams["default_transaction_read_only"] = "on"
	}
}

// bootstrap prepares the database on a connection of its own: schema,
// PostGIS, migrations (or, read-only, a version check). It returns the
// search_path every connection uses.
func (s *Store) bootstrap(ctx context.Context) (string, error) {
	cc, err := pgx.ParseConfig(s.cfg.URL)
	if err != nil {
		return "", err
	}
	conn, err := pgx.ConnectConfig(ctx, cc)
	if err != nil {
		return "", err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	schema := pgx.Identifier{s.schema}.Sanitize()
	if s.cfg.ReadOnly {
		var exists bool
		if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, s.schema).Scan(&exists); err != nil {
			return "", err
		}
		if !exists {
			return "", fmt.Errorf("%w: schema %s does not exist; open it once without read-only", store.ErrNeedsMigration, s.schema)
		}
	}
	gisSchema, err := ensurePostGIS(ctx, conn, !s.cfg.ReadOnly)
	if err != nil {
		return "", err
	}
	searchPath := schema
	if gisSchema != s.schema {
		searchPath += ", " + pgx.Identifier{gisSchema}.Sanitize()
	}
	if _, err := conn.Exec(ctx, "SET search_path = "+searchPath+"; SET TimeZone = 'UTC'"); err != nil {
		return "", err
	}
	if s.cfg.ReadOnly {
		v, err := schemaVersion(ctx, conn, s.schema)
		if err != nil {
			return "", err
		}
		latest := latestVersion()
		switch {
		case v > latest:
			return "", fmt.Errorf("%w: schema %s has version %d, this build knows up to %d; upgrade Lookout", store.ErrSchemaTooNew, s.schema, v, latest)
		case v < latest:
			return "", fmt.Errorf("%w: schema %s has version %d, this build needs %d; open it once without read-only", store.ErrNeedsMigration, s.schema, v, latest)
		}
		return searchPath, nil
	}
	// One opener at a time migrates; the others wait and find nothing to do.
	key := lockKey(s.schema, "migrate")
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		return "", fmt.Errorf("waiting for the migration lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, key)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+schema); err != nil {
		return "", fmt.Errorf("creating schema %s: %w", s.schema, err)
	}
	if err := migrate(ctx, conn, s.schema, migrations, s.log, s.cfg.Now); err != nil {
		return "", err
	}
	return searchPath, nil
}

// ensurePostGIS returns the schema PostGIS is installed in, creating the
// extension in public when it is missing and create allows it.
func ensurePostGIS(ctx context.Context, conn *pgx.Conn, create bool) (string, error) {
	find := func() (string, error) {
		var ns string
		err := conn.QueryRow(ctx, `SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'postgis'`).Scan(&ns)
		if errors.Is(err, pgx.ErrNoRows) {
			return "", nil
		}
		return ns, err
	}
	ns, err := find()
	if err != nil || ns != "" {
		return ns, err
	}
	if !create {
		return "", errors.New("PostGIS is not installed in this database (CREATE EXTENSION postgis)")
	}
	// Opens of other schemas in the same database may race to create it.
	key := lockKey("", "postgis")
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		return "", err
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, key)
	if _, err := conn.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public`); err != nil {
		return "", fmt.Errorf("PostGIS is not installed in this database and could not be created (install the postgis package for this server and run CREATE EXTENSION postgis as a superuser): %w", err)
	}
	return find()
}

// openRunConn opens the connection that holds run ownership locks and
// marks the runs of dead processes interrupted.
func (s *Store) openRunConn(ctx context.Context, searchPath string) error {
	cc, err := pgx.ParseConfig(s.cfg.URL)
	if err != nil {
		return err
	}
	setSession(cc, searchPath, false)
	conn, err := pgx.ConnectConfig(ctx, cc)
	if err != nil {
		return fmt.Errorf("run-lock connection: %w", err)
	}
	s.runConn = conn
	rows, err := conn.Query(ctx, `SELECT id FROM ingest_runs WHERE status = $1 ORDER BY id`, string(store.RunRunning))
	if err != nil {
		return fmt.Errorf("finding running runs: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("finding running runs: %w", err)
	}
	var dead int
	for _, id := range ids {
		var free bool
		if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1, $2)`, s.nsRuns, runObj(id)).Scan(&free); err != nil {
			return fmt.Errorf("checking run %d: %w", id, err)
		}
		if !free {
			continue // its process is alive
		}
		_, err := conn.Exec(ctx, `UPDATE ingest_runs SET status = $1 WHERE id = $2 AND status = $3`,
			string(store.RunInterrupted), id, string(store.RunRunning))
		if _, uerr := conn.Exec(ctx, `SELECT pg_advisory_unlock($1, $2)`, s.nsRuns, runObj(id)); uerr != nil && err == nil {
			err = uerr
		}
		if err != nil {
			return fmt.Errorf("marking run %d interrupted: %w", id, err)
		}
		dead++
	}
	if dead > 0 {
		s.log.Warn("store: runs left running by a process that died are marked interrupted", "runs", dead)
	}
	return nil
}

// Schema is the schema holding the store's tables.
func (s *Store) Schema() string { return s.schema }

// Close implements store.Store. It waits for calls in progress.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.pool.Close()
	if s.runConn != nil {
		s.runMu.Lock()
		defer s.runMu.Unlock()
		// Closing the session releases the run locks: runs still running
		// are found interrupted by the next Open.
		if err := s.runConn.Close(context.Background()); err != nil {
			return fmt.Errorf("postgres: close: %w", err)
		}
	}
	return nil
}

// enter starts a call: it fails with ErrClosed after Close and otherwise
// holds off Close until leave. write calls also fail on a read-only store.
func (s *Store) enter(write bool) error {
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return store.ErrClosed
	}
	if write && s.cfg.ReadOnly {
		s.mu.RUnlock()
		return fmt.Errorf("%w: store opened read-only", store.ErrInvalid)
	}
	return nil
}

func (s *Store) leave() { s.mu.RUnlock() }

// lockClass is the advisory-lock class (the first key of the two-int
// form) of purpose in schema: stores in different schemas of one database
// do not block each other.
func lockClass(schema, purpose string) int32 {
	h := fnv.New32a()
	h.Write([]byte("lookout\x00" + schema + "\x00" + purpose))
	return int32(h.Sum32())
}

// lockKey is the advisory-lock key (the one-bigint form) of purpose.
func lockKey(schema, purpose string) int64 {
	h := fnv.New64a()
	h.Write([]byte("lookout\x00" + schema + "\x00" + purpose))
	return int64(h.Sum64())
}

func runObj(id int64) int32 { return int32(id) }

// redact hides a password in a connection URL for messages.
func redact(url string) string {
	if cfg, err := pgconn.ParseConfig(url); err == nil {
		return fmt.Sprintf("postgres://%s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
	}
	if i := strings.Index(url, "@"); i >= 0 {
		return "postgres://…" + url[i:]
	}
	return url
}

// retry runs fn again when PostgreSQL aborted its transaction to break a
// deadlock or a serialisation conflict with a concurrent writer: the
// transaction did nothing, and running it again is what the caller wants.
func retry(ctx context.Context, fn func() error) error {
	var err error
	for attempt := 0; attempt < 4; attempt++ {
		if err = fn(); err == nil {
			return nil
		}
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || (pe.Code != "40P01" && pe.Code != "40001") {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt+1) * 10 * time.Millisecond):
		}
	}
	return err
}
