package duckdb

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	duckdbdrv "github.com/duckdb/duckdb-go/v2"

	"github.com/lookout-maritime/lookout/internal/hugepage"
	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// writer owns the one connection all writes go through, with its
// connection-local staging tables and the batch table function. Callers
// hold Store.mu.
//
// # How a batch loads
//
// The points of an AddPositions call are sorted in Go by the natural key
// (which removes repeats within the call and yields the (mmsi, time) order
// the table wants) and streamed into DuckDB by a table function,
// lookout_batch(), whose columns are exactly the table's: FillChunk writes
// the values straight into DuckDB's vectors (see chunk.go), NULLs
// included, so the INSERT is a plain projection with no per-row SQL
// work. Inside one transaction:
//
//   - the points that lie inside one of their vessel's stored position
//     spans are the only ones that can be stored already ("suspects"):
//     none when the data is newer than what is stored, a few at batch
//     boundaries in a file ingest (a vessel's two fixes of one second
//     split between batches). Those at the last time of the span the
//     writer's previous batch stored are settled from the places it kept
//     of that batch (lastBatch); the few others are looked up in the
//     store. The stored ones are dropped from the batch and its sums, and
//     the rest is inserted as it is, the vessel counts coming from the
//     sums made while sorting;
//   - when more than a quarter of the batch is suspect (the same data
//     ingested again), the batch's new rows are found by an anti-join
//     against the stored rows in its time range, materialised, inserted
//     and counted (slower; the re-ingest path).
//
// Positions hold no strings, and the small fields share one column
// (flags, see migrations/0004): the source is a number from the sources
// table (the writer keeps the table in memory), the class a byte. DuckDB
// pays per row and column for statistics, validity and compression
// analysis, and strings cost it more than all the numeric columns
// together, for values that repeat for millions of rows.
//
// The small tables (per-vessel sums, presence rows) go in through the
// driver's Appender.
type writer struct {
	conn  *sql.Conn
	batch *batch // the batch lookout_batch() serves; set under Store.mu
	// scratch is prepare's working memory, reused from call to call: a
	// 500,000-point batch needs 26 MB of it, which would otherwise be new
	// memory (page faults, garbage) every time. It keeps the size of the
	// largest batch seen.
	scratch scratch
	// packed holds an AddPositions call's points packed, reused.
	packed vessel.Points
	// last is what the last batch stored, for the next one's duplicate
	// check; nil when unknown (before the first batch, after a failed one,
	// after anything else rewrote positions).
	last    *lastBatch
	lookups int // storedCopies calls, for tests
	// known holds stored identities as the table has them, those this
	// writer upserted (the only writer of the table), so that the next
	// batches' identities of the same vessels merge without reading them
	// back (16 ms for 3,000 identities).
	known     map[idKey]vessel.Identity
	idLookups int // identities looked up in the table, for tests
	// sources is the committed content of the sources table (name → id),
	// loaded on first use; nil until then.
	sources    map[string]uint32
	nextSource uint32
}

const stagingDDL = `
CREATE OR REPLACE TEMP TABLE stage_vessels (mmsi UINTEGER, n BIGINT, first_t BIGINT, last_t BIGINT);
CREATE OR REPLACE TEMP TABLE stage_presence (mmsi UINTEGER, d INTEGER, cell INTEGER);
CREATE OR REPLACE TEMP TABLE stage_suspects (i INTEGER, mmsi UINTEGER, t BIGINT, lat DOUBLE, lon DOUBLE);
CREATE OR REPLACE TEMP TABLE stage_idkey (mmsi UINTEGER, key VARCHAR);
CREATE OR REPLACE TEMP TABLE stage_id AS SELECT ` + identityCols + ` FROM identities LIMIT 0;
CREATE OR REPLACE TEMP TABLE stage_idupd AS SELECT mmsi, key, first_seen, last_seen, reports FROM identities LIMIT 0;
CREATE OR REPLACE TEMP TABLE stage_idmore AS SELECT ` + identityCols + ` FROM identities LIMIT 0;
`

func newWriter(ctx context.Context, db *sql.DB) (*writer, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("writer connection: %w", err)
	}
	w := &writer{conn: conn}
	if _, err := conn.ExecContext(ctx, stagingDDL+eventStagingDDL); err != nil {
		conn.Close()
		return nil, fmt.Errorf("staging tables: %w", err)
	}
	if err := duckdbdrv.RegisterTableUDF(conn, "lookout_batch", duckdbdrv.ParallelChunkTableFunction{
		BindArguments: func(map[string]any, ...any) (duckdbdrv.ParallelChunkTableSource, error) {
			if w.batch == nil {
				return nil, errors.New("lookout_batch: no batch staged")
			}
			w.batch.next.Store(0)
			return w.batch, nil
		},
	}); err != nil {
		conn.Close()
		return nil, fmt.Errorf("registering lookout_batch: %w", err)
	}
	return w, nil
}

func (w *writer) close() error { return w.conn.Close() }

// batch is one AddPacked call prepared for lookout_batch().
type batch struct {
	pts        []vessel.PackedPoint
	order      []int32  // indices into pts of the unique points, in key order
	times      []int64  // Unix µs of each point
	srcNames   []string // the points' sources, by their Src
	srcIDs     []uint32 // sources.id of each of srcNames, set by the writer
	vessels    []vesselSum
	presence   []presenceRow
	tmin, tmax int64 // Unix µs
	mmin, mmax uint32
	next       atomic.Int64
}

type vesselSum struct {
	mmsi        uint32
	at          int32 // its points are order[at : at+n]
	n           int64
	first, last int64
}

// presenceRow is a row of the presence table: day in days since 1970.
type presenceRow struct {
	mmsi      uint32
	day, cell int32
}

const microsPerDay = 86_400_000_000

// dayOf is the UTC day number of a Unix µs time.
func dayOf(t int64) int32 { return int32(floorDiv(t, microsPerDay)) }

// floorDiv is a/b rounded down (Go's / truncates toward zero); b > 0.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}

// cellOf is the presence cell of a position: 1° by 1°, numbered
// (floor(lat) + 90) * 360 + floor(lon) + 180, with the ±90° and +180°
// edges in the cells below them.
func cellOf(lat, lon float64) int32 {
	return latRow(lat)*360 + lonCol(lon)
}

func latRow(lat float64) int32 { return int32(min(max(math.Floor(lat)+90, 0), 179)) }
func lonCol(lon float64) int32 { return int32(min(max(math.Floor(lon)+180, 0), 359)) }

// key is the natural key of a point, compact for sorting.
type key struct {
	t        int64
	lat, lon float64
	idx      int32 // index in the call; the first of equal keys wins
}

func compareKeys(a, b key) int {
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

// scratch holds the per-point slices prepare needs, for reuse.
type scratch struct {
	slot         slotTable
	slots, order []int32
	times        []int64
	keys         []key
}

// slotTable numbers a batch's vessels: MMSI → slot, by open addressing
// with linear probing in a table reused from batch to batch. Go's map
// took 40 % of prepare, a lookup for nearly every point (a batch's points
// come in arrival order, vessels interleaved).
type slotTable struct {
	keys  []uint64 // MMSI+1; 0: empty
	slots []int32
	n     int
	shift uint32 // 32 - log2(len(keys)): a hash's top bits index the table
}

// reset empties the table, keeping its size.
func (t *slotTable) reset() {
	clear(t.keys)
	t.n = 0
}

// get returns the slot of mmsi, adding it with slot next if it has none.
func (t *slotTable) get(mmsi uint32, next int32) int32 {
	if 2*(t.n+1) > len(t.keys) {
		t.grow()
	}
	k := uint64(mmsi) + 1
	mask := uint32(len(t.keys) - 1)
	for i := (mmsi * 0x9E3779B1) >> t.shift; ; i = (i + 1) & mask { // Fibonacci hashing
		switch t.keys[i] {
		case k:
			return t.slots[i]
		case 0:
			t.keys[i], t.slots[i] = k, next
			t.n++
			return next
		}
	}
}

// grow doubles the table (at least 4,096 entries) and re-adds its keys.
func (t *slotTable) grow() {
	keys, slots := t.keys, t.slots
	size := max(4096, 2*len(keys))
	t.keys, t.slots, t.n = make([]uint64, size), make([]int32, size), 0
	t.shift = uint32(32 - bits.TrailingZeros(uint(size)))
	for i, k := range keys {
		if k != 0 {
			t.get(uint32(k-1), slots[i])
		}
	}
}

// sized returns s with length n, reusing its storage when it is large
// enough. The contents are not cleared: callers overwrite every element.
func sized[T any](s []T, n int) []T {
	if cap(s) < n {
		s = make([]T, n)
		hugepage.Advise(s) // large, and reused from batch to batch
		return s
	}
	return s[:n]
}

// prepare validates pts and builds the batch: unique points in (mmsi,
// time, lat, lon) order, source dictionary, per-vessel sums. It buckets
// points by MMSI (a counting sort) and sorts each vessel's points only
// when they are out of time order, which input rarely is. The batch's
// slices are sc's, valid until the next prepare with the same sc.
func prepare(in *vessel.Points, sc *scratch) (*batch, error) {
	pts := in.P
	if len(pts) > math.MaxInt32 {
		return nil, fmt.Errorf("%w: batch of %d points", store.ErrInvalid, len(pts))
	}
	sc.slots, sc.times = sized(sc.slots, len(pts)), sized(sc.times, len(pts))
	sc.keys, sc.order = sized(sc.keys, len(pts)), sc.order[:0]
	b := &batch{pts: pts, srcNames: in.Sources.Names(), times: sc.times, tmin: math.MaxInt64, tmax: math.MinInt64, mmin: math.MaxUint32}
	slot := &sc.slot
	slot.reset()
	var mmsis []uint32
	var counts []int32
	slots, times := sc.slots, sc.times
	lastM, lastSlot := uint32(0), int32(-1)
	for i := range pts {
		p := &pts[i]
		if err := checkPacked(p); err != nil {
			return nil, fmt.Errorf("position %d: %w", i, err)
		}
		if int(p.Src) >= len(b.srcNames) {
			return nil, fmt.Errorf("%w: position %d: source %d of %d", store.ErrInvalid, i, p.Src, len(b.srcNames))
		}
		if p.MMSI != lastM || lastSlot < 0 {
			s := slot.get(p.MMSI, int32(len(mmsis)))
			if s == int32(len(mmsis)) {
				mmsis = append(mmsis, p.MMSI)
				counts = append(counts, 0)
			}
			lastM, lastSlot = p.MMSI, s
		}
		slots[i] = lastSlot
		counts[lastSlot]++
		t := micros(p.T)
		times[i] = t
		b.tmin, b.tmax = min(b.tmin, t), max(b.tmax, t)
		b.mmin, b.mmax = min(b.mmin, p.MMSI), max(b.mmax, p.MMSI)
	}
	// Vessels in MMSI order; bucket starts in that order.
	byMMSI := make([]int32, len(mmsis))
	for i := range byMMSI {
		byMMSI[i] = int32(i)
	}
	slices.SortFunc(byMMSI, func(a, b int32) int { return cmp.Compare(mmsis[a], mmsis[b]) })
	start := make([]int32, len(mmsis))
	var off int32
	for _, s := range byMMSI {
		start[s] = off
		off += counts[s]
	}
	keys := sc.keys
	fill := slices.Clone(start)
	for i := range pts {
		s := slots[i]
		keys[fill[s]] = key{t: times[i], lat: pts[i].Lat, lon: pts[i].Lon, idx: int32(i)}
		fill[s]++
	}
	b.order = slices.Grow(sc.order, len(pts))
	seen := map[presenceRow]bool{}
	for _, s := range byMMSI {
		ks := keys[start[s] : start[s]+counts[s]]
		if !slices.IsSortedFunc(ks, compareKeys) {
			slices.SortFunc(ks, compareKeys)
		}
		v := vesselSum{mmsi: mmsis[s], at: int32(len(b.order)), first: ks[0].t}
		clear(seen)
		last := presenceRow{day: -1 << 31}
		for i, k := range ks {
			if i > 0 && k.t == ks[i-1].t && k.lat == ks[i-1].lat && k.lon == ks[i-1].lon {
				continue // repeat within the call
			}
			b.order = append(b.order, k.idx)
			v.n++
			v.last = k.t
			pr := presenceRow{mmsi: v.mmsi, day: dayOf(k.t), cell: cellOf(k.lat, k.lon)}
			if pr != last {
				last = pr
				if !seen[pr] {
					seen[pr] = true
					b.presence = append(b.presence, pr)
				}
			}
		}
		b.vessels = append(b.vessels, v)
	}
	sc.order = b.order
	return b, nil
}

// Table function interface of batch: lookout_batch() yields the unique
// points in key order with the columns of the positions table (batchCols)
// but ingest_run.
const batchCols = `mmsi, time, lat, lon, sog, cog, flags, segment`

const (
	colMMSI = iota
	colTime
	colLat
	colLon
	colSOG
	colCOG
	colFlags
	colSegment
	numCols
)

func (b *batch) ColumnInfos() []duckdbdrv.ColumnInfo {
	col := func(name string, t duckdbdrv.Type) duckdbdrv.ColumnInfo {
		ti, err := duckdbdrv.NewTypeInfo(t)
		if err != nil {
			panic(err) // primitive types always have a TypeInfo
		}
		return duckdbdrv.ColumnInfo{Name: name, T: ti}
	}
	return []duckdbdrv.ColumnInfo{
		colMMSI: col("mmsi", duckdbdrv.TYPE_UINTEGER), colTime: col("time", duckdbdrv.TYPE_TIMESTAMP_TZ),
		colLat: col("lat", duckdbdrv.TYPE_DOUBLE), colLon: col("lon", duckdbdrv.TYPE_DOUBLE),
		colSOG: col("sog", duckdbdrv.TYPE_FLOAT), colCOG: col("cog", duckdbdrv.TYPE_FLOAT),
		colFlags: col("flags", duckdbdrv.TYPE_UBIGINT), colSegment: col("segment", duckdbdrv.TYPE_UINTEGER),
	}
}

func (b *batch) Cardinality() *duckdbdrv.CardinalityInfo {
	return &duckdbdrv.CardinalityInfo{Cardinality: uint(len(b.order)), Exact: true}
}

func (b *batch) Init() duckdbdrv.ParallelTableSourceInfo {
	return duckdbdrv.ParallelTableSourceInfo{MaxThreads: runtime.GOMAXPROCS(0)}
}

// fillState is a FillChunk thread's: its view of the output vectors.
type fillState struct{ vecs [numCols]rawVector }

func (b *batch) NewLocalState() any { return new(fillState) }

// forceSlowFill makes FillChunk use SetChunkValue (for tests).
var forceSlowFill bool

func nullable(col int) bool { return col == colSOG || col == colCOG }

// valid32 is false for NaN: speed or course not available, NULL.
func valid32(v float32) bool { return v == v }

// maxSourceID is the largest source id flags can hold (24 bits).
const maxSourceID = 1<<24 - 1

// packFlags packs p's small fields and its source id into flags.
func packFlags(p *vessel.Packed, src uint32) uint64 {
	return uint64(p.Heading) | uint64(p.Status)<<16 | uint64(p.Class)<<24 | uint64(p.MsgType)<<32 | uint64(src)<<40
}

// unpackFlags is packFlags' inverse; it returns the source id.
func unpackFlags(f uint64, p *vessel.Position) uint32 {
	p.Heading, p.Status, p.Class, p.MsgType = uint16(f), uint8(f>>16), vessel.Class(f>>24), uint8(f>>32)
	return uint32(f >> 40)
}

func (b *batch) FillChunk(ls any, c duckdbdrv.DataChunk) error {
	n := duckdbdrv.GetDataChunkCapacity()
	start := int(b.next.Add(int64(n))) - n
	if start >= len(b.order) {
		return c.SetSize(0)
	}
	rows := b.order[start:min(start+n, len(b.order))]
	st := ls.(*fillState)
	if forceSlowFill || !rawVectors(&c, numCols, nullable, st.vecs[:]) {
		if err := b.fillSlow(c, rows); err != nil {
			return err
		}
	} else {
		b.fillRaw(&st.vecs, rows)
	}
	return c.SetSize(len(rows))
}

// fillRaw writes rows into the output vectors, column by column.
func (b *batch) fillRaw(v *[numCols]rawVector, rows []int32) {
	n := len(rows)
	if out := column[uint32](v[colMMSI], n); out != nil {
		for r, i := range rows {
			out[r] = b.pts[i].MMSI
		}
	}
	if out := column[int64](v[colTime], n); out != nil {
		for r, i := range rows {
			out[r] = b.times[i] // TIMESTAMPTZ is Unix µs
		}
	}
	if out := column[float64](v[colLat], n); out != nil {
		for r, i := range rows {
			out[r] = b.pts[i].Lat
		}
	}
	if out := column[float64](v[colLon], n); out != nil {
		for r, i := range rows {
			out[r] = b.pts[i].Lon
		}
	}
	if out := column[float32](v[colSOG], n); out != nil {
		for r, i := range rows {
			x := b.pts[i].SOG
			out[r] = x
			setValid(v[colSOG].validity, r, valid32(x))
		}
	}
	if out := column[float32](v[colCOG], n); out != nil {
		for r, i := range rows {
			x := b.pts[i].COG
			out[r] = x
			setValid(v[colCOG].validity, r, valid32(x))
		}
	}
	if out := column[uint64](v[colFlags], n); out != nil {
		for r, i := range rows {
			p := &b.pts[i]
			out[r] = packFlags(&p.Packed, b.srcIDs[p.Src])
		}
	}
	if out := column[uint32](v[colSegment], n); out != nil {
		for r, i := range rows {
			out[r] = b.pts[i].Segment
		}
	}
}

// fillSlow writes rows through the driver's checked setters.
func (b *batch) fillSlow(c duckdbdrv.DataChunk, rows []int32) error {
	for r, i := range rows {
		p := &b.pts[i]
		vals := [numCols]any{p.MMSI, time.UnixMicro(b.times[i]), p.Lat, p.Lon, nil, nil,
			packFlags(&p.Packed, b.srcIDs[p.Src]), p.Segment}
		if valid32(p.SOG) {
			vals[colSOG] = p.SOG
		}
		if valid32(p.COG) {
			vals[colCOG] = p.COG
		}
		for col, v := range vals {
			if err := c.SetValue(col, r, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// AddPositions implements store.PositionLoader: the points are packed
// (in the writer's reused batch) and loaded as AddPacked loads them.
func (s *Store) AddPositions(ctx context.Context, run store.RunID, pts []vessel.TrackPoint) (store.LoadStats, error) {
	return s.load(ctx, run, len(pts), func(w *writer) (*vessel.Points, error) {
		w.packed.Reset()
		for i := range pts {
			// prepare checks the rest; a time out of this range would
			// have wrapped around in packing.
			if p := &pts[i].Position; !vessel.Packable(p.Time) {
				return nil, fmt.Errorf("position %d: %w: mmsi %d time %v out of range", i, store.ErrInvalid, p.MMSI, p.Time)
			}
			w.packed.Add(&pts[i])
		}
		return &w.packed, nil
	})
}

// AddPacked is AddPositions for a packed batch (ingest.PackedLoader): what
// the ingest pipeline hands the store.
func (s *Store) AddPacked(ctx context.Context, run store.RunID, pts *vessel.Points) (store.LoadStats, error) {
	return s.load(ctx, run, pts.Len(), func(*writer) (*vessel.Points, error) { return pts, nil })
}

// load stores the n points that points returns, under the write lock.
func (s *Store) load(ctx context.Context, run store.RunID, n int, points func(*writer) (*vessel.Points, error)) (store.LoadStats, error) {
	w, err := s.lockWriter()
	if err != nil {
		return store.LoadStats{}, fmt.Errorf("duckdb: add positions: %w", err)
	}
	defer s.mu.Unlock()
	if n == 0 {
		return store.LoadStats{}, nil
	}
	pts, err := points(w)
	if err == nil {
		var st store.LoadStats
		if st, err = w.addPositions(ctx, run, pts); err == nil {
			return st, nil
		}
	}
	return store.LoadStats{}, fmt.Errorf("duckdb: add %d positions (run %d): %w", n, run, err)
}

func (w *writer) addPositions(ctx context.Context, run store.RunID, pts *vessel.Points) (store.LoadStats, error) {
	b, err := prepare(pts, &w.scratch)
	if err != nil {
		return store.LoadStats{}, err
	}
	w.batch = b
	defer func() { w.batch = nil }()
	tx, err := w.conn.BeginTx(ctx, nil)
	if err != nil {
		return store.LoadStats{}, err
	}
	defer tx.Rollback() // no-op after Commit

	var runArg any
	if run != 0 {
		runArg = int64(run)
		var ok bool
		if err := tx.QueryRowContext(ctx, `SELECT count(*) > 0 FROM ingest_runs WHERE id = ?`, int64(run)).Scan(&ok); err != nil {
			return store.LoadStats{}, err
		}
		if !ok {
			return store.LoadStats{}, fmt.Errorf("ingest run %d: %w", run, store.ErrNotFound)
		}
	}
	newSources, err := w.sourceIDs(ctx, tx, b)
	if err != nil {
		return store.LoadStats{}, err
	}
	if err := w.stageSmall(ctx, tx, b); err != nil {
		return store.LoadStats{}, err
	}
	tlo, thi := time.UnixMicro(b.tmin).UTC(), time.UnixMicro(b.tmax).UTC()
	// A stored copy of a batch point lies within one of its vessel's
	// stored position spans, so only the points inside such a span can be
	// stored already: none when the data is newer than what is stored,
	// and a few at a batch boundary when a vessel reported twice in one
	// second and one of them went with the previous batch (most batches of
	// a file ingest). Those few are looked up; when many are (the same
	// data ingested again), the whole batch is compared with the store.
	limit := len(b.order) / 4
	last := w.last
	w.last = nil // until this batch commits
	suspects, stored, many, err := w.suspects(ctx, tx, b, last, limit)
	if err != nil {
		return store.LoadStats{}, err
	}
	// Literals, not parameters, so that zone maps prune (timeRange).
	timeCond := "BETWEEN " + timeLiteral(tlo) + " AND " + timeLiteral(thi)
	dayCond := fmt.Sprintf("BETWEEN DATE '1970-01-01' + %d AND DATE '1970-01-01' + %d", dayOf(b.tmin), dayOf(b.tmax))
	if _, err := tx.ExecContext(ctx, `INSERT INTO presence SELECT * FROM (SELECT mmsi, DATE '1970-01-01' + d AS day, cell FROM stage_presence) s
WHERE NOT EXISTS (SELECT 1 FROM presence p
    WHERE p.day `+dayCond+` AND p.mmsi = s.mmsi AND p.day = s.day AND p.cell = s.cell)`); err != nil {
		return store.LoadStats{}, fmt.Errorf("updating presence: %w", err)
	}
	var added int64
	var next *lastBatch
	if !many {
		if len(suspects) > 0 {
			found, err := w.storedCopies(ctx, tx, b, suspects)
			if err != nil {
				return store.LoadStats{}, err
			}
			for i := range found {
				stored[i] = true
			}
		}
		if len(stored) > 0 {
			b.drop(stored)
			if err := w.stageVessels(ctx, tx, b); err != nil {
				return store.LoadStats{}, err
			}
		}
		// Every point left is new.
		res, err := tx.ExecContext(ctx, `INSERT INTO positions (`+batchCols+`, ingest_run) SELECT *, ?::BIGINT FROM lookout_batch()`, runArg)
		if err != nil {
			return store.LoadStats{}, fmt.Errorf("inserting positions: %w", err)
		}
		if added, err = res.RowsAffected(); err != nil {
			return store.LoadStats{}, err
		}
		if added != int64(len(b.order)) {
			return store.LoadStats{}, fmt.Errorf("inserted %d of %d positions", added, len(b.order))
		}
		if added > 0 {
			if _, err := tx.ExecContext(ctx, addSpans(`SELECT mmsi, n, make_timestamp(first_t)::TIMESTAMPTZ, make_timestamp(last_t)::TIMESTAMPTZ FROM stage_vessels`)); err != nil {
				return store.LoadStats{}, fmt.Errorf("updating vessels: %w", err)
			}
		}
		next = b.lastBatch()
	} else {
		// Much may be stored: keep what is not.
		if _, err := tx.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE fresh AS
SELECT * FROM lookout_batch() b
WHERE NOT EXISTS (
    SELECT 1 FROM positions p
    WHERE p.time `+timeCond+`
      AND p.mmsi = b.mmsi AND p.time = b.time AND p.lat = b.lat AND p.lon = b.lon)`); err != nil {
			return store.LoadStats{}, fmt.Errorf("finding new positions: %w", err)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO positions (`+batchCols+`, ingest_run) SELECT *, ?::BIGINT FROM fresh ORDER BY mmsi, time`, runArg)
		if err != nil {
			return store.LoadStats{}, fmt.Errorf("inserting positions: %w", err)
		}
		if added, err = res.RowsAffected(); err != nil {
			return store.LoadStats{}, err
		}
		if added > 0 {
			if _, err := tx.ExecContext(ctx, addSpans(`SELECT mmsi, count(*), min(time), max(time) FROM fresh GROUP BY mmsi`)); err != nil {
				return store.LoadStats{}, fmt.Errorf("updating vessels: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DROP TABLE fresh`); err != nil {
			return store.LoadStats{}, err
		}
	}
	dups := int64(len(b.pts)) - added
	if run != 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE ingest_runs SET positions_added = positions_added + ?, duplicates_skipped = duplicates_skipped + ? WHERE id = ?`,
			added, dups, int64(run)); err != nil {
			return store.LoadStats{}, fmt.Errorf("updating run: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return store.LoadStats{}, fmt.Errorf("commit: %w", err)
	}
	for name, id := range newSources {
		w.sources[name] = id
		w.nextSource = max(w.nextSource, id+1)
	}
	w.last = next
	return store.LoadStats{Added: int(added), Duplicates: int(dups)}, nil
}

// sourceIDs sets b.srcIDs, adding the sources the table lacks within tx.
// It returns those it added, for w.sources once tx commits.
func (w *writer) sourceIDs(ctx context.Context, tx *sql.Tx, b *batch) (map[string]uint32, error) {
	if w.sources == nil {
		rows, err := tx.QueryContext(ctx, `SELECT id, name FROM sources`)
		if err != nil {
			return nil, fmt.Errorf("reading sources: %w", err)
		}
		m := map[string]uint32{}
		next := uint32(1)
		for rows.Next() {
			var id uint32
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return nil, fmt.Errorf("reading sources: %w", err)
			}
			m[name] = id
			next = max(next, id+1)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("reading sources: %w", err)
		}
		w.sources, w.nextSource = m, next
	}
	b.srcIDs = b.srcIDs[:0]
	var added map[string]uint32
	var values []string
	var args []any
	next := w.nextSource
	for _, name := range b.srcNames {
		id, ok := w.sources[name]
		if !ok {
			if next > maxSourceID {
				return nil, fmt.Errorf("%w: more than %d sources", store.ErrInvalid, maxSourceID)
			}
			id, next = next, next+1
			if added == nil {
				added = map[string]uint32{}
			}
			added[name] = id
			values, args = append(values, "(?, ?)"), append(args, id, name)
		}
		b.srcIDs = append(b.srcIDs, id)
	}
	// One statement for all (a file ingest's first batch has a source per
	// receiver: a statement each cost 1 ms).
	if len(values) > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sources (id, name) VALUES `+strings.Join(values, ", "), args...); err != nil {
			return nil, fmt.Errorf("adding %d sources: %w", len(values), err)
		}
	}
	return added, nil
}

// addSpans records per-MMSI (mmsi, count, first, last) rows from query:
// appended to position_spans, and the MMSIs new to vessels added there
// (see migrations/0005: no row is updated).
func addSpans(query string) string {
	return `INSERT INTO position_spans SELECT * FROM (` + query + `);
INSERT INTO vessels SELECT DISTINCT q.mmsi FROM (` + query + `) AS q(mmsi, n, f, l)
WHERE NOT EXISTS (SELECT 1 FROM vessels v WHERE v.mmsi = q.mmsi)`
}

// stageSmall fills stage_vessels and stage_presence through the Appender.
func (w *writer) stageSmall(ctx context.Context, tx *sql.Tx, b *batch) error {
	if err := w.stageVessels(ctx, tx, b); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM stage_presence`); err != nil {
		return fmt.Errorf("clearing staging: %w", err)
	}
	return w.appendRows("stage_presence", len(b.presence), func(i int) []driver.Value {
		p := &b.presence[i]
		return []driver.Value{p.mmsi, p.day, p.cell}
	})
}

// stageVessels fills stage_vessels with the batch's per-vessel sums.
func (w *writer) stageVessels(ctx context.Context, tx *sql.Tx, b *batch) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM stage_vessels`); err != nil {
		return fmt.Errorf("clearing staging: %w", err)
	}
	return w.appendRows("stage_vessels", len(b.vessels), func(i int) []driver.Value {
		v := &b.vessels[i]
		return []driver.Value{v.mmsi, v.n, v.first, v.last}
	})
}

// appendRows appends n rows, row(i) each, to a temporary table through the
// Appender.
func (w *writer) appendRows(table string, n int, row func(i int) []driver.Value) error {
	if n == 0 {
		return nil
	}
	err := w.conn.Raw(func(dc any) error {
		app, err := duckdbdrv.NewAppender(dc.(driver.Conn), "temp", "main", table)
		if err != nil {
			return err
		}
		for i := range n {
			if err := app.AppendRow(row(i)...); err != nil {
				app.Close()
				return err
			}
		}
		return app.Close()
	})
	if err != nil {
		return fmt.Errorf("staging %s: %w", table, err)
	}
	return nil
}

// suspects finds the batch points that may be stored already: those
// that lie within one of their vessel's stored position spans. A point
// in the span the writer's last batch stored (last, nil if unknown) and
// at its last time is settled here, from the keys kept of it (the usual
// duplicate of a file ingest: a vessel's two reports of one second, one
// in each batch): stored holds those that are stored. The others are
// returned for lookup (suspects, indices into b.pts, sorted). Once the
// two hold more than limit points, it stops and reports many: the caller
// compares the whole batch instead (what it returned is then partial).
// stage_vessels must hold b's vessels.
func (w *writer) suspects(ctx context.Context, tx *sql.Tx, b *batch, last *lastBatch, limit int) (suspects []int32, stored map[int32]bool, many bool, err error) {
	rows, err := tx.QueryContext(ctx, `SELECT s.mmsi, v.positions, epoch_us(v.first_position), epoch_us(v.last_position)
FROM stage_vessels s JOIN position_spans v ON v.mmsi = s.mmsi
WHERE make_timestamp(s.first_t)::TIMESTAMPTZ <= v.last_position AND make_timestamp(s.last_t)::TIMESTAMPTZ >= v.first_position`)
	if err != nil {
		return nil, nil, false, fmt.Errorf("finding stored spans: %w", err)
	}
	defer rows.Close()
	stored = map[int32]bool{}
	claimed := map[uint32]bool{}
	for rows.Next() {
		var mmsi uint32
		var n, first, lastT int64
		if err := rows.Scan(&mmsi, &n, &first, &lastT); err != nil {
			return nil, nil, false, fmt.Errorf("finding stored spans: %w", err)
		}
		k, ok := slices.BinarySearchFunc(b.vessels, mmsi, func(v vesselSum, m uint32) int { return cmp.Compare(v.mmsi, m) })
		if !ok {
			continue
		}
		// The vessel's run is in time order: the span's points are a
		// slice of it.
		v := &b.vessels[k]
		run := b.order[v.at : v.at+int32(v.n)]
		lo := sort.Search(len(run), func(j int) bool { return b.times[run[j]] >= first })
		hi := sort.Search(len(run), func(j int) bool { return b.times[run[j]] > lastT })
		in := run[lo:max(lo, hi)]
		// The last batch's span of the vessel, once: another span
		// equal to it (stored before) is looked up like any other.
		tail, known := last.tail(vesselSum{mmsi: mmsi, n: n, first: first, last: lastT})
		if known && !claimed[mmsi] {
			claimed[mmsi] = true
			for _, i := range in {
				switch {
				case b.times[i] != lastT:
					suspects = append(suspects, i)
				case slices.Contains(tail, latLon{b.pts[i].Lat, b.pts[i].Lon}):
					stored[i] = true
				}
			}
		} else {
			suspects = append(suspects, in...)
		}
		if len(suspects)+len(stored) > limit {
			// A point inside two overlapping spans of its vessel is
			// listed twice, or as both suspect and stored: count each
			// once.
			if suspects = distinct(suspects, stored); len(suspects)+len(stored) > limit {
				return suspects, stored, true, nil
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, false, fmt.Errorf("finding stored spans: %w", err)
	}
	return distinct(suspects, stored), stored, false, nil
}

// distinct sorts the suspects and removes repeats and those known stored
// (they need no lookup).
func distinct(suspects []int32, stored map[int32]bool) []int32 {
	slices.Sort(suspects)
	suspects = slices.Compact(suspects)
	return slices.DeleteFunc(suspects, func(i int32) bool { return stored[i] })
}

// lastBatch is what one batch stored, kept by the writer for the next:
// per vessel its span (a row of position_spans) and the places of its
// points at the span's last time.
type lastBatch struct {
	spans []lastSpan // by MMSI
	keys  []latLon
}

type lastSpan struct {
	vesselSum
	keys int32 // its places are keys[at : at+keys]; at is into keys here
}

type latLon struct{ lat, lon float64 }

// lastBatch is what b stores once it commits; b's vessels must be the
// spans it adds.
func (b *batch) lastBatch() *lastBatch {
	n := &lastBatch{spans: make([]lastSpan, 0, len(b.vessels))}
	for _, v := range b.vessels {
		run := b.order[v.at : v.at+int32(v.n)]
		at := len(n.keys)
		for j := len(run) - 1; j >= 0 && b.times[run[j]] == v.last; j-- {
			p := &b.pts[run[j]]
			n.keys = append(n.keys, latLon{p.Lat, p.Lon})
		}
		v.at = int32(at)
		n.spans = append(n.spans, lastSpan{vesselSum: v, keys: int32(len(n.keys) - at)})
	}
	return n
}

// tail returns the places of the points at v.last of the span v, if l
// stored that span.
func (l *lastBatch) tail(v vesselSum) ([]latLon, bool) {
	if l == nil {
		return nil, false
	}
	k, ok := slices.BinarySearchFunc(l.spans, v.mmsi, func(s lastSpan, m uint32) int { return cmp.Compare(s.mmsi, m) })
	if !ok {
		return nil, false
	}
	s := &l.spans[k]
	if s.n != v.n || s.first != v.first || s.last != v.last {
		return nil, false
	}
	return l.keys[s.at : s.at+s.keys], true
}

// storedCopies returns those of the suspect points (indices into b.pts)
// that are stored already.
func (w *writer) storedCopies(ctx context.Context, tx *sql.Tx, b *batch, suspects []int32) (map[int32]bool, error) {
	w.lookups++
	if _, err := tx.ExecContext(ctx, `DELETE FROM stage_suspects`); err != nil {
		return nil, fmt.Errorf("clearing staging: %w", err)
	}
	tlo, thi := int64(math.MaxInt64), int64(math.MinInt64)
	mlo, mhi := uint32(math.MaxUint32), uint32(0)
	err := w.appendRows("stage_suspects", len(suspects), func(k int) []driver.Value {
		i := suspects[k]
		p := &b.pts[i]
		tlo, thi = min(tlo, b.times[i]), max(thi, b.times[i])
		mlo, mhi = min(mlo, p.MMSI), max(mhi, p.MMSI)
		return []driver.Value{i, p.MMSI, b.times[i], p.Lat, p.Lon}
	})
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT s.i FROM stage_suspects s JOIN positions p
    ON p.mmsi = s.mmsi AND p.time = make_timestamp(s.t)::TIMESTAMPTZ AND p.lat = s.lat AND p.lon = s.lon
WHERE p.time BETWEEN `+timeLiteral(time.UnixMicro(tlo))+` AND `+timeLiteral(time.UnixMicro(thi))+
		fmt.Sprintf(` AND p.mmsi BETWEEN %d AND %d`, mlo, mhi))
	if err != nil {
		return nil, fmt.Errorf("finding stored copies: %w", err)
	}
	defer rows.Close()
	stored := map[int32]bool{}
	for rows.Next() {
		var i int32
		if err := rows.Scan(&i); err != nil {
			return nil, fmt.Errorf("finding stored copies: %w", err)
		}
		stored[i] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("finding stored copies: %w", err)
	}
	return stored, nil
}

// drop removes the points of b.pts listed in gone from the batch: from
// order, and from its vessels' sums (a vessel left with none is dropped).
func (b *batch) drop(gone map[int32]bool) {
	hit := map[uint32]bool{} // vessels with points to drop: the others' runs move whole
	for i := range gone {
		hit[b.pts[i].MMSI] = true
	}
	order, vessels := b.order[:0], b.vessels[:0]
	for _, v := range b.vessels {
		// order is rewritten in place, never ahead of run.
		run := b.order[v.at : v.at+int32(v.n)]
		if !hit[v.mmsi] {
			v.at = int32(len(order))
			order = append(order, run...)
			vessels = append(vessels, v)
			continue
		}
		w := vesselSum{mmsi: v.mmsi, at: int32(len(order))}
		for _, i := range run {
			if gone[i] {
				continue
			}
			if w.n == 0 {
				w.first = b.times[i]
			}
			w.last = b.times[i]
			w.n++
			order = append(order, i)
		}
		if w.n > 0 {
			vessels = append(vessels, w)
		}
	}
	b.order, b.vessels = order, vessels
}

// checkPacked rejects what the schema cannot hold faithfully.
func checkPacked(p *vessel.PackedPoint) error {
	if p.Lat < -90 || p.Lat > 90 || p.Lon < -180 || p.Lon > 180 || math.IsNaN(p.Lat) || math.IsNaN(p.Lon) {
		return fmt.Errorf("%w: mmsi %d lat/lon %g,%g out of range", store.ErrInvalid, p.MMSI, p.Lat, p.Lon)
	}
	if p.T == math.MinInt64 {
		return fmt.Errorf("%w: mmsi %d without time", store.ErrInvalid, p.MMSI)
	}
	return nil
}

// micros is Unix ns as Unix µs, rounded down as time.Time.UnixMicro is.
func micros(ns int64) int64 { return floorDiv(ns, 1000) }

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// rowGroupSize is DuckDB's row group (its default, which Open keeps).
const rowGroupSize = 122_880

// BatchQuantum is the number of positions an AddPositions call of new data
// should hold a multiple of, and at least two of: DuckDB writes a large
// insert as whole row groups, and the partial last one of each call is
// merged with its neighbours at the next checkpoint, rewriting them (with
// 125,000-point batches, most of the final checkpoint of a
// 10-million-message ingest). A call must add at least one row group for
// that, though (or go to an empty table): one adding fewer rows is kept
// uncompressed until commit, appended to the table a second time there
// and compressed by a checkpoint (the store's time on a 1M-line ingest:
// 0.80 s in such calls, 0.54 s in calls of two quanta). A call of one
// quantum adds a little less than one row group as soon as a few of its
// points are duplicates (a file's usual 0.5 %); ingest.Run ships
// multiples of it, at least two where it can (ingest.Quantizer).
func (s *Store) BatchQuantum() int { return Quantum }

// Quantum is every Store's BatchQuantum, for sizing batches before the
// store is open (ingest.RunOpening).
const Quantum = rowGroupSize

// blockSpaceMin is the least size of the mapping DuckDB makes for its
// blocks (its memory limit, 80 % of the machine's memory by default):
// other mappings made meanwhile (the Go heap grows by 64 MiB) are smaller.
const blockSpaceMin = 1 << 30

// bulkBlockMemory is the memory DuckDB keeps for its blocks in bulk
// loads (see BeginBulk).
const bulkBlockMemory = "256MB"

// BeginBulk puts the store in bulk-load mode until the returned function
// is called: DuckDB runs on one thread. A load keeps its rows' order, so
// DuckDB inserts them on one thread anyway, and its other threads only
// contend with the pipeline that feeds the load for the same cores
// (ingest of 10M messages on 2 cores: 9% less CPU, 6% less time). The
// setting is global: queries meanwhile run on one thread too, so it is for
// bulk ingests (ingest.Run of files), not a server's live feed.
func (s *Store) BeginBulk(ctx context.Context) (end func(), err error) {
	w, err := s.lockWriter()
	if err != nil {
		return nil, fmt.Errorf("duckdb: bulk load: %w", err)
	}
	defer s.mu.Unlock()
	// DuckDB hands the memory of the blocks a batch used back to the
	// system, and the next batch's blocks are new memory again: page
	// faults, which cost 10-15 µs a page on some virtual machines
	// (bench/ingest/faultcost). Keeping up to bulkBlockMemory of them for
	// reuse made a 10-million-message ingest 5-8 % faster for 30-80 MB
	// more peak RSS. DuckDB cannot lower the setting again: it stays for
	// the life of the process (for `lookout ingest`, the load's).
	//
	// With the setting, DuckDB reserves its blocks' address space as one
	// mapping (the size of its memory limit) and takes blocks from it;
	// hugepage.AdviseNew has the kernel back it with huge pages. A
	// 1M-line ingest then took 0.91 s instead of 1.12 (median of 10
	// alternating pairs), 14 % less CPU and 30 MB less peak RSS: fewer
	// page faults, and fewer TLB misses in DuckDB's work on the blocks.
	setMemory := func() error {
		_, err := w.conn.ExecContext(ctx, `SET block_allocator_memory = '`+bulkBlockMemory+`'`)
		return err
	}
	if err := hugepage.AdviseNew(blockSpaceMin, setMemory); err != nil {
		return nil, fmt.Errorf("duckdb: bulk load: %w", err)
	}
	var threads int
	if err := w.conn.QueryRowContext(ctx, `SELECT current_setting('threads')`).Scan(&threads); err != nil {
		return nil, fmt.Errorf("duckdb: bulk load: %w", err)
	}
	if threads <= 1 {
		return func() {}, nil
	}
	if _, err := w.conn.ExecContext(ctx, `SET threads = 1`); err != nil {
		return nil, fmt.Errorf("duckdb: bulk load: %w", err)
	}
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if !s.closed {
			_, _ = w.conn.ExecContext(context.Background(), fmt.Sprintf(`SET threads = %d`, threads))
		}
	}, nil
}
