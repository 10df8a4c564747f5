package postgres

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"

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

// schemaConn connects with schema first on the search path, as bootstrap
// does.
func schemaConn(t *testing.T, schema string) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, testDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	if _, err := conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{schema}.Sanitize()+"; SET search_path = "+pgx.Identifier{schema}.Sanitize()+", public"); err != nil {
		t.Fatal(err)
	}
	return conn
}

// TestMigrateOlderSchema builds a schema at version 1 and migrates it with
// a build that knows a version 2: the step runs once, data survives; a
// build that knows less refuses the schema.
func TestMigrateOlderSchema(t *testing.T) {
	ctx := context.Background()
	schema := newSchema(t)
	conn := schemaConn(t, schema)
	v1, err := fs.ReadFile(migrations, "0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	fsV1 := fstest.MapFS{"0001_init.sql": {Data: v1}}
	fsV2 := fstest.MapFS{"0001_init.sql": {Data: v1},
		"0002_vessel_note.sql": {Data: []byte("ALTER TABLE vessels ADD COLUMN note text DEFAULT 'none';")}}
	log := slog.New(slog.DiscardHandler)
	if err := migrate(ctx, conn, schema, fsV1, log, time.Now); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO vessels (mmsi, positions) VALUES (42, 7)`); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ { // the second run has nothing to do
		if err := migrate(ctx, conn, schema, fsV2, log, time.Now); err != nil {
			t.Fatal(err)
		}
	}
	var note string
	var n int64
	if err := conn.QueryRow(ctx, `SELECT note, positions FROM vessels WHERE mmsi = 42`).Scan(&note, &n); err != nil {
		t.Fatal(err)
	}
	if v, err := schemaVersion(ctx, conn, schema); err != nil || v != 2 || note != "none" || n != 7 {
		t.Fatalf("after migration: version %d %v, row %q %d", v, err, note, n)
	}
	if err := migrate(ctx, conn, schema, fsV1, log, time.Now); !errors.Is(err, store.ErrSchemaTooNew) {
		t.Fatalf("older build on a newer schema: %v", err)
	}
	// A failing step leaves the schema at the last good version.
	fsBad := fstest.MapFS{"0001_init.sql": {Data: v1}, "0002_vessel_note.sql": fsV2["0002_vessel_note.sql"],
		"0003_bad.sql": {Data: []byte("ALTER TABLE vessels ADD COLUMN x int; SELECT no_such_function();")}}
	if err := migrate(ctx, conn, schema, fsBad, log, time.Now); err == nil {
		t.Fatal("a failing migration succeeded")
	}
	var cols int
	conn.QueryRow(ctx, `SELECT count(*) FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'vessels' AND column_name = 'x'`, schema).Scan(&cols)
	if v, _ := schemaVersion(ctx, conn, schema); v != 2 || cols != 0 {
		t.Fatalf("after a failed step: version %d, half-applied column %d", v, cols)
	}
}

func TestReadOnly(t *testing.T) {
	ctx := context.Background()
	schema := newSchema(t)
	cfg := testConfig(t, schema)
	cfg.ReadOnly = true
	if _, err := Open(ctx, cfg); !errors.Is(err, store.ErrNeedsMigration) {
		t.Fatalf("read-only open of a missing schema: %v", err)
	}
	rw := openTest(t, schema)
	if _, err := rw.AddPositions(ctx, 0, []vessel.TrackPoint{tp(1, t0, 1, 1)}); err != nil {
		t.Fatal(err)
	}
	ro, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if tr, err := ro.Track(ctx, 1, time.Time{}, time.Time{}); err != nil || len(tr) != 1 {
		t.Fatalf("read-only track: %v %v", tr, err)
	}
	if _, err := ro.AddPositions(ctx, 0, []vessel.TrackPoint{tp(1, t0.Add(time.Second), 1, 1)}); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("write to a read-only store: %v", err)
	}
	if _, err := ro.BeginRun(ctx, nil); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("run on a read-only store: %v", err)
	}
}

var t0 = time.Date(2024, 1, 31, 23, 0, 0, 0, time.UTC)

func tp(mmsi uint32, t time.Time, lat, lon float64) vessel.TrackPoint {
	return vessel.TrackPoint{Position: vessel.Position{MMSI: mmsi, Time: t, Lat: lat, Lon: lon, SOG: 1, COG: 2, Heading: 3,
		Class: vessel.ClassA, MsgType: 1, Source: "test"}, Segment: 1}
}

// TestInterruptedRuns: a run stays running while the store that began it
// is open, even when other processes open the store; once its process is
// gone (here: its Store closed without finishing the run), the next open
// marks it interrupted.
func TestInterruptedRuns(t *testing.T) {
	ctx := context.Background()
	schema := newSchema(t)
	a := openTest(t, schema)
	id, err := a.BeginRun(ctx, []string{"feed"})
	if err != nil {
		t.Fatal(err)
	}
	b := openTest(t, schema) // another process, while a is alive
	if r, err := b.Run(ctx, id); err != nil || r.Status != store.RunRunning {
		t.Fatalf("a live process's run: %+v %v", r, err)
	}
	if _, err := b.AddPositions(ctx, id, []vessel.TrackPoint{tp(1, t0, 1, 1)}); err != nil {
		t.Fatal(err) // another worker may add to the run
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	c := openTest(t, schema)
	r, err := c.Run(ctx, id)
	if err != nil || r.Status != store.RunInterrupted || r.PositionsAdded != 1 {
		t.Fatalf("run of a dead process: %+v %v", r, err)
	}
	if err := c.FinishRun(ctx, id, store.RunResult{Status: store.RunOK}); !errors.Is(err, store.ErrRunState) {
		t.Fatalf("finishing an interrupted run: %v", err)
	}
	// A run finished normally releases its lock: later opens leave it be.
	id2, err := c.BeginRun(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.FinishRun(ctx, id2, store.RunResult{Status: store.RunOK}); err != nil {
		t.Fatal(err)
	}
	d := openTest(t, schema)
	if r, err := d.Run(ctx, id2); err != nil || r.Status != store.RunOK {
		t.Fatalf("finished run after reopen: %+v %v", r, err)
	}
}

// TestPartitions: positions land in monthly partitions created on demand,
// also for months far apart in one batch, and EnsurePartitions creates
// them ahead.
func TestPartitions(t *testing.T) {
	ctx := context.Background()
	schema := newSchema(t)
	s := openTest(t, schema)
	pts := []vessel.TrackPoint{
		tp(1, t0, 1, 1),                  // January 2024
		tp(1, t0.Add(2*time.Hour), 1, 1), // February
		tp(2, time.Date(1999, 12, 31, 23, 59, 59, 999999000, time.UTC), 1, 1),
		tp(2, time.Date(2031, 7, 1, 0, 0, 0, 0, time.UTC), 1, 1),
	}
	if st, err := s.AddPositions(ctx, 0, pts); err != nil || st.Added != 4 {
		t.Fatalf("load: %+v %v", st, err)
	}
	if err := s.EnsurePartitions(ctx, time.Date(2024, 2, 15, 0, 0, 0, 0, time.UTC), time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	conn := schemaConn(t, schema)
	rows, err := conn.Query(ctx, `SELECT c.relname, (SELECT count(*) FROM positions p WHERE p.tableoid = c.oid)
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'positions'::regclass ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	type part struct {
		Name string
		N    int64
	}
	got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[part])
	if err != nil {
		t.Fatal(err)
	}
	want := []part{{"positions_p199912", 1}, {"positions_p202401", 1}, {"positions_p202402", 1}, {"positions_p202403", 0},
		{"positions_p202404", 0}, {"positions_p203107", 1}}
	if !slices.Equal(got, want) {
		t.Fatalf("partitions %v, want %v", got, want)
	}
	// Track across partitions stays ordered.
	tr, err := s.Track(ctx, 2, time.Time{}, time.Time{})
	if err != nil || len(tr) != 2 || tr[0].Time.Year() != 1999 {
		t.Fatalf("track across partitions: %v %v", tr, err)
	}
	// The indexes exist on each partition.
	var idx []string
	rows, err = conn.Query(ctx, `SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'positions_p202401' ORDER BY 1`, schema)
	if err != nil {
		t.Fatal(err)
	}
	if idx, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil || len(idx) != 3 {
		t.Fatalf("partition indexes: %q %v", idx, err)
	}
}

// TestTwoStoresConcurrently runs two Stores (as two worker processes)
// loading overlapping batches and identities of the same vessels at once:
// every position is stored once, the summaries add up, nothing deadlocks.
func TestTwoStoresConcurrently(t *testing.T) {
	ctx := context.Background()
	schema := newSchema(t)
	stores := []*Store{openTest(t, schema), openTest(t, schema)}
	pts := gen(3, 20, 500)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w, s := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each loads everything in its own batch order: every batch
			// overlaps the other store's.
			for i := 0; i < 10; i++ {
				j := (i + w*5) % 10
				b := pts[j*len(pts)/10 : (j+1)*len(pts)/10]
				if _, err := s.AddPositions(ctx, 0, b); err != nil {
					errs <- err
					return
				}
				id := vessel.Identity{MMSI: b[0].MMSI, IMO: 9000001, Name: "X", FirstSeen: b[0].Time, LastSeen: b[0].Time.Add(time.Hour), Reports: 1}
				if err := s.UpsertIdentities(ctx, []vessel.Identity{id}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	st, err := stores[0].Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var counted int64
	if err := schemaConn(t, schema).QueryRow(ctx, `SELECT count(*) FROM positions`).Scan(&counted); err != nil {
		t.Fatal(err)
	}
	if st.Positions != int64(len(pts)) || counted != st.Positions || st.Vessels != 20 {
		t.Fatalf("stats %+v, rows %d, want %d positions", st, counted, len(pts))
	}
}

// TestBadText: strings PostgreSQL cannot hold are refused, not altered.
func TestBadText(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, newSchema(t))
	p := tp(1, t0, 1, 1)
	p.Source = "bad\x00name"
	if _, err := s.AddPositions(ctx, 0, []vessel.TrackPoint{p}); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("NUL in source: %v", err)
	}
	id := vessel.Identity{MMSI: 1, Name: "\xff\xfe", FirstSeen: t0, LastSeen: t0}
	if err := s.UpsertIdentities(ctx, []vessel.Identity{id}); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("invalid UTF-8 name: %v", err)
	}
}
