package postgres

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// key is the natural key of a point with its index in the call.
type key struct {
	mmsi     uint32
	t        int64 // Unix µs
	lat, lon float64
	idx      int32
}

func compareKeys(a, b key) int {
	if c := cmp.Compare(a.mmsi, b.mmsi); c != 0 {
		return c
	}
	if c := cmp.Compare(a.t, b.t); c != 0 {
		return c
	}
	if c := cmp.Compare(a.lat, b.lat); c != 0 {
		return c
	}
	if c := cmp.Compare(a.lon, b.lon); c != 0 {
		return c
	}
	return cmp.Compare(a.idx, b.idx)
}

// batch is one AddPositions call prepared for COPY: the unique points in
// natural-key order (the first of repeats wins, as the contract says), the
// months they fall in and their source names.
type batch struct {
	pts     []vessel.TrackPoint
	keys    []key // unique, sorted
	months  []int // year*12 + month-1, sorted, unique
	sources []string
}

// prepare validates pts and builds the batch. Sorting by the natural key
// removes repeats within the call, and inserting in key order keeps
// concurrent loads of overlapping batches from deadlocking on each other's
// index entries.
func prepare(pts []vessel.TrackPoint) (*batch, error) {
	if len(pts) > math.MaxInt32 {
		return nil, fmt.Errorf("%w: batch of %d points", store.ErrInvalid, len(pts))
	}
	b := &batch{pts: pts, keys: make([]key, len(pts))}
	months := map[int]bool{}
	srcs := map[string]bool{}
	lastMonth, lastSrc := -1, "\x00"
	for i := range pts {
		p := &pts[i].Position
		if err := checkPosition(p); err != nil {
			return nil, fmt.Errorf("position %d: %w", i, err)
		}
		t := p.Time.UTC()
		b.keys[i] = key{mmsi: p.MMSI, t: t.UnixMicro(), lat: p.Lat, lon: p.Lon, idx: int32(i)}
		if m := monthOf(t); m != lastMonth {
			months[m], lastMonth = true, m
		}
		if p.Source != lastSrc {
			if !srcs[p.Source] {
				if err := checkText("source", p.Source); err != nil {
					return nil, fmt.Errorf("position %d: mmsi %d: %w", i, p.MMSI, err)
				}
				srcs[p.Source] = true
			}
			lastSrc = p.Source
		}
	}
	if !slices.IsSortedFunc(b.keys, compareKeys) {
		slices.SortFunc(b.keys, compareKeys)
	}
	b.keys = slices.CompactFunc(b.keys, func(x, y key) bool {
		return x.mmsi == y.mmsi && x.t == y.t && x.lat == y.lat && x.lon == y.lon
	})
	for m := range months {
		b.months = append(b.months, m)
	}
	slices.Sort(b.months)
	for s := range srcs {
		b.sources = append(b.sources, s)
	}
	slices.Sort(b.sources)
	return b, nil
}

// checkPosition rejects what the schema cannot hold faithfully.
func checkPosition(p *vessel.Position) error {
	if p.Lat < -90 || p.Lat > 90 || p.Lon < -180 || p.Lon > 180 || math.IsNaN(p.Lat) || math.IsNaN(p.Lon) {
		return fmt.Errorf("%w: mmsi %d lat/lon %g,%g out of range", store.ErrInvalid, p.MMSI, p.Lat, p.Lon)
	}
	if p.Time.IsZero() {
		return fmt.Errorf("%w: mmsi %d without time", store.ErrInvalid, p.MMSI)
	}
	if y := p.Time.UTC().Year(); y < 1 || y > 9999 {
		return fmt.Errorf("%w: mmsi %d time %v outside the years 1-9999", store.ErrInvalid, p.MMSI, p.Time)
	}
	return nil
}

// checkText rejects strings PostgreSQL's text cannot hold (a NUL byte,
// invalid UTF-8), rather than storing something else than was given.
func checkText(field, s string) error {
	if strings.IndexByte(s, 0) >= 0 || !utf8.ValidString(s) {
		return fmt.Errorf("%w: %s %q is not valid UTF-8 text", store.ErrInvalid, field, s)
	}
	return nil
}

// monthOf numbers t's UTC month.
func monthOf(t time.Time) int { return t.Year()*12 + int(t.Month()) - 1 }

func monthStart(m int) time.Time { return time.Date(m/12, time.Month(m%12+1), 1, 0, 0, 0, 0, time.UTC) }

// partitionName is the positions partition of month m.
func partitionName(m int) string {
	t := monthStart(m)
	return fmt.Sprintf("positions_p%04d%02d", t.Year(), int(t.Month()))
}

// EnsurePartitions creates the monthly positions partitions covering
// [from, to] that do not exist yet. The loader creates partitions on
// demand; creating next month's ahead of time (a daily job, or a worker at
// start-up) keeps that DDL, which briefly locks the positions table, off
// the ingest path.
func (s *Store) EnsurePartitions(ctx context.Context, from, to time.Time) error {
	if err := s.enter(true); err != nil {
		return fmt.Errorf("postgres: ensure partitions: %w", err)
	}
	defer s.leave()
	if to.Before(from) {
		return fmt.Errorf("postgres: ensure partitions: %w: %v after %v", store.ErrInvalid, from, to)
	}
	var months []int
	for m := monthOf(from.UTC()); m <= monthOf(to.UTC()); m++ {
		months = append(months, m)
	}
	if err := s.ensureMonths(ctx, months); err != nil {
		return fmt.Errorf("postgres: ensure partitions: %w", err)
	}
	return nil
}

// ensureMonths creates the partitions of months (sorted) that are not
// known to exist, in their own transaction under an advisory lock so that
// concurrent loaders create each once.
func (s *Store) ensureMonths(ctx context.Context, months []int) error {
	var missing []int
	for _, m := range months {
		if _, ok := s.parts.Load(m); !ok {
			missing = append(missing, m)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, s.keyPartition); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT c.relname FROM pg_inherits i
JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
JOIN pg_namespace n ON n.oid = p.relnamespace
WHERE n.nspname = $1 AND p.relname = 'positions'`, s.schema)
		if err != nil {
			return err
		}
		names, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		have := map[string]bool{}
		for _, n := range names {
			have[n] = true
		}
		parent := pgx.Identifier{s.schema, "positions"}.Sanitize()
		for _, m := range missing {
			name := partitionName(m)
			if have[name] {
				continue
			}
			ddl := fmt.Sprintf(`CREATE TABLE %s PARTITION OF %s FOR VALUES FROM ('%s') TO ('%s')`,
				pgx.Identifier{s.schema, name}.Sanitize(), parent,
				monthStart(m).Format("2006-01-02 15:04:05-07"), monthStart(m+1).Format("2006-01-02 15:04:05-07"))
			if _, err := tx.Exec(ctx, ddl); err != nil {
				return fmt.Errorf("creating partition %s: %w", name, err)
			}
			s.log.Info("store: created positions partition", "schema", s.schema, "partition", name)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, m := range missing {
		s.parts.Store(m, struct{}{})
	}
	return nil
}

// sourceIDs returns the ids of names, adding the new ones. Rows added here
// are committed even if the load then fails: an unused name is harmless.
func (s *Store) sourceIDs(ctx context.Context, names []string) (map[string]int32, error) {
	if _, err := s.pool.Exec(ctx, `INSERT INTO sources (name) SELECT unnest($1::text[]) ORDER BY 1 ON CONFLICT (name) DO NOTHING`, names); err != nil {
		return nil, fmt.Errorf("adding sources: %w", err)
	}
	rows, err := s.pool.Query(ctx, `SELECT name, id FROM sources WHERE name = ANY($1::text[])`, names)
	if err != nil {
		return nil, fmt.Errorf("reading sources: %w", err)
	}
	ids := make(map[string]int32, len(names))
	var (
		name string
		id   int32
	)
	if _, err := pgx.ForEachRow(rows, []any{&name, &id}, func() error { ids[name] = id; return nil }); err != nil {
		return nil, fmt.Errorf("reading sources: %w", err)
	}
	if len(ids) != len(names) {
		return nil, fmt.Errorf("reading sources: found %d of %d", len(ids), len(names))
	}
	return ids, nil
}

// copySource streams a batch to COPY in key order, in the staging
// table's columns and NULL conventions.
type copySource struct {
	b    *batch
	src  map[string]int32
	i    int
	vals []any
}

func (c *copySource) Next() bool { c.i++; return c.i <= len(c.b.keys) }
func (c *copySource) Err() error { return nil }
func (c *copySource) Values() ([]any, error) {
	k := c.b.keys[c.i-1]
	p := &c.b.pts[k.idx]
	v := c.vals[:0]
	v = append(v, int64(p.MMSI), time.UnixMicro(k.t).UTC(), p.Lat, p.Lon, nanNull(p.SOG), nanNull(p.COG))
	if p.Heading == 511 {
		v = append(v, nil)
	} else {
		v = append(v, int32(p.Heading))
	}
	v = append(v, int16(p.Status), classValue(p.Class), int16(p.MsgType), c.src[p.Source], int64(p.Segment))
	c.vals = v
	return v, nil
}

func nanNull(f float32) any {
	if f != f {
		return nil
	}
	return f
}

var stageColumns = []string{"mmsi", "time", "lat", "lon", "sog", "cog", "heading", "status", "class", "msg_type", "source_id", "segment"}

// stageDDL is the connection-local staging table COPY fills; it empties at
// every commit.
const stageDDL = `CREATE TEMP TABLE IF NOT EXISTS stage_positions (
    mmsi bigint, time timestamptz, lat double precision, lon double precision, sog real, cog real,
    heading integer, status smallint, class text, msg_type smallint, source_id integer, segment bigint
) ON COMMIT DELETE ROWS`

// insertStaged moves the staged rows into positions, skipping those
// stored already, and adds what it inserted to the vessel summaries, in
// one statement. It yields the number of rows inserted.
const insertStaged = `WITH ins AS (
    INSERT INTO positions (mmsi, time, lat, lon, sog, cog, heading, status, class, msg_type, source_id, segment, ingest_run)
    SELECT mmsi, time, lat, lon, sog, cog, heading, status, class, msg_type, source_id, segment, $1::bigint FROM stage_positions
    ON CONFLICT DO NOTHING
    RETURNING mmsi, time
), agg AS (
    SELECT mmsi, count(*) AS n, min(time) AS f, max(time) AS l FROM ins GROUP BY mmsi
), upd AS (
    INSERT INTO vessels AS v (mmsi, positions, first_position, last_position, first_seen, last_seen)
    SELECT mmsi, n, f, l, f, l FROM agg ORDER BY mmsi
    ON CONFLICT (mmsi) DO UPDATE SET
        positions = v.positions + excluded.positions,
        first_position = least(v.first_position, excluded.first_position),
        last_position = greatest(v.last_position, excluded.last_position),
        first_seen = least(v.first_seen, excluded.first_seen),
        last_seen = greatest(v.last_seen, excluded.last_seen)
    RETURNING 1
)
SELECT coalesce(sum(n), 0)::bigint FROM agg`

// AddPositions implements store.PositionLoader.
func (s *Store) AddPositions(ctx context.Context, run store.RunID, pts []vessel.TrackPoint) (store.LoadStats, error) {
	if err := s.enter(true); err != nil {
		return store.LoadStats{}, fmt.Errorf("postgres: add positions: %w", err)
	}
	defer s.leave()
	if len(pts) == 0 {
		return store.LoadStats{}, nil
	}
	var st store.LoadStats
	err := retry(ctx, func() (err error) { st, err = s.addPositions(ctx, run, pts); return err })
	if err != nil {
		return store.LoadStats{}, fmt.Errorf("postgres: add %d positions (run %d): %w", len(pts), run, err)
	}
	return st, nil
}

func (s *Store) addPositions(ctx context.Context, run store.RunID, pts []vessel.TrackPoint) (store.LoadStats, error) {
	b, err := prepare(pts)
	if err != nil {
		return store.LoadStats{}, err
	}
	if err := s.ensureMonths(ctx, b.months); err != nil {
		return store.LoadStats{}, err
	}
	src, err := s.sourceIDs(ctx, b.sources)
	if err != nil {
		return store.LoadStats{}, err
	}
	var added int64
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var runArg *int64
		if run != 0 {
			id := int64(run)
			runArg = &id
			var ok bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM ingest_runs WHERE id = $1)`, id).Scan(&ok); err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("ingest run %d: %w", run, store.ErrNotFound)
			}
		}
		if _, err := tx.Exec(ctx, stageDDL); err != nil {
			return fmt.Errorf("staging table: %w", err)
		}
		n, err := tx.CopyFrom(ctx, pgx.Identifier{"stage_positions"}, stageColumns, &copySource{b: b, src: src, vals: make([]any, 0, 12)})
		if err != nil {
			return fmt.Errorf("copying to staging: %w", err)
		}
		if n != int64(len(b.keys)) {
			return fmt.Errorf("copied %d of %d positions", n, len(b.keys))
		}
		if err := tx.QueryRow(ctx, insertStaged, runArg).Scan(&added); err != nil {
			return fmt.Errorf("inserting positions: %w", err)
		}
		if run != 0 {
			if _, err := tx.Exec(ctx, `UPDATE ingest_runs SET positions_added = positions_added + $1, duplicates_skipped = duplicates_skipped + $2 WHERE id = $3`,
				added, int64(len(pts))-added, int64(run)); err != nil {
				return fmt.Errorf("updating run: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return store.LoadStats{}, err
	}
	return store.LoadStats{Added: int(added), Duplicates: len(pts) - int(added)}, nil
}
