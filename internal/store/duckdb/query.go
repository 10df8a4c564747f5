package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// latestIdentity picks the latest identity of each MMSI cond (a condition
// on mmsi) selects (the tie-break order is part of the contract: latest
// LastSeen, then latest FirstSeen, then key).
func latestIdentity(cond string) string {
	return `(SELECT * FROM identities WHERE ` + cond + `
    QUALIFY row_number() OVER (PARTITION BY mmsi ORDER BY last_seen DESC, first_seen DESC, key) = 1)`
}

// vesselSummary is vessels_view (migrations/0005) for the MMSIs cond
// selects, the aggregates computed for those only: a query about a few
// vessels does not summarise them all.
func vesselSummary(cond string) string {
	return `(SELECT v.mmsi, coalesce(i.n, 0)::INTEGER AS identities, coalesce(p.n, 0)::BIGINT AS positions,
       least(i.first_seen, p.first_position) AS first_seen, greatest(i.last_seen, p.last_position) AS last_seen
FROM (SELECT mmsi FROM vessels WHERE ` + cond + `) v
LEFT JOIN (SELECT mmsi, count(*) AS n, min(first_seen) AS first_seen, max(last_seen) AS last_seen
           FROM identities WHERE ` + cond + ` GROUP BY mmsi) i ON i.mmsi = v.mmsi
LEFT JOIN (SELECT mmsi, sum(positions) AS n, min(first_position) AS first_position, max(last_position) AS last_position
           FROM position_spans WHERE ` + cond + ` GROUP BY mmsi) p ON p.mmsi = v.mmsi)`
}

const summaryCols = `v.mmsi, v.identities, v.positions, v.first_seen, v.last_seen,
    i.key, i.imo, i.name, i.callsign, i.shiptype, i.length, i.beam, i.flag, i.class,
    i.first_seen, i.last_seen, i.reports, i.source, i.destination`

// summaryRow receives a row of summaryCols.
type summaryRow struct {
	mmsi         uint32
	nIDs         int32
	positions    int64
	first, last  sql.NullTime
	key          sql.NullString
	imo          sql.Null[uint32]
	name, call   sql.NullString
	shipType     sql.Null[uint8]
	length, beam sql.Null[uint16]
	flag, class  sql.NullString
	iFirst       sql.NullTime
	iLast        sql.NullTime
	reports      sql.NullInt64
	src, destn   sql.NullString
}

func (r *summaryRow) dest() []any {
	return []any{&r.mmsi, &r.nIDs, &r.positions, &r.first, &r.last, &r.key, &r.imo, &r.name, &r.call, &r.shipType,
		&r.length, &r.beam, &r.flag, &r.class, &r.iFirst, &r.iLast, &r.reports, &r.src, &r.destn}
}

func (r *summaryRow) summary() store.VesselSummary {
	v := store.VesselSummary{MMSI: r.mmsi, Identities: int(r.nIDs), Positions: r.positions}
	if r.first.Valid {
		v.FirstSeen = r.first.Time.UTC()
	}
	if r.last.Valid {
		v.LastSeen = r.last.Time.UTC()
	}
	if r.key.Valid {
		v.Latest = &vessel.Identity{
			MMSI: r.mmsi, IMO: r.imo.V, Name: r.name.String, CallSign: r.call.String, ShipType: r.shipType.V,
			Length: r.length.V, Beam: r.beam.V, Flag: r.flag.String, Class: classFrom(r.class),
			FirstSeen: r.iFirst.Time.UTC(), LastSeen: r.iLast.Time.UTC(), Reports: int(r.reports.Int64),
			Source: r.src.String, Destination: r.destn.String,
		}
	}
	return v
}

func scanSummary(s scanner) (store.VesselSummary, error) {
	var r summaryRow
	if err := s.Scan(r.dest()...); err != nil {
		return store.VesselSummary{}, err
	}
	return r.summary(), nil
}

// Vessels implements store.VesselReader.
func (s *Store) Vessels(ctx context.Context, q store.VesselQuery) ([]store.VesselSummary, error) {
	db, err := s.reader()
	if err != nil {
		return nil, fmt.Errorf("duckdb: vessels: %w", err)
	}
	var order string
	switch q.Order {
	case store.ByMMSI:
		order = "v.mmsi"
	case store.ByPositions:
		order = "v.positions DESC, v.mmsi"
	case store.ByLastSeen:
		order = "v.last_seen DESC NULLS LAST, v.mmsi"
	default:
		return nil, fmt.Errorf("duckdb: vessels: %w: order %d", store.ErrInvalid, q.Order)
	}
	if q.Limit < 0 || q.Offset < 0 {
		return nil, fmt.Errorf("duckdb: vessels: %w: limit %d offset %d", store.ErrInvalid, q.Limit, q.Offset)
	}
	query := `SELECT ` + summaryCols + ` FROM ` + vesselSummary("true") + ` v LEFT JOIN ` + latestIdentity("true") + ` i ON i.mmsi = v.mmsi ORDER BY ` + order
	if q.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", q.Limit)
	}
	if q.Offset > 0 {
		query += fmt.Sprintf(" OFFSET %d", q.Offset)
	}
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("duckdb: vessels: %w", err)
	}
	defer rows.Close()
	out := []store.VesselSummary{}
	for rows.Next() {
		v, err := scanSummary(rows)
		if err != nil {
			return nil, fmt.Errorf("duckdb: vessels: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("duckdb: vessels: %w", err)
	}
	return out, nil
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func vesselHistory(ctx context.Context, q querier, mmsi uint32) (store.VesselHistory, error) {
	cond := fmt.Sprintf("mmsi = %d", mmsi)
	v, err := scanSummary(q.QueryRowContext(ctx, `SELECT `+summaryCols+` FROM `+vesselSummary(cond)+` v LEFT JOIN `+latestIdentity(cond)+` i ON i.mmsi = v.mmsi`))
	if isNoRows(err) {
		return store.VesselHistory{}, fmt.Errorf("mmsi %d: %w", mmsi, store.ErrNotFound)
	}
	if err != nil {
		return store.VesselHistory{}, err
	}
	rows, err := q.QueryContext(ctx, `SELECT `+identityCols+` FROM identities WHERE mmsi = ? ORDER BY first_seen, last_seen, key`, mmsi)
	if err != nil {
		return store.VesselHistory{}, err
	}
	defer rows.Close()
	h := store.VesselHistory{VesselSummary: v, History: []vessel.Identity{}}
	for rows.Next() {
		id, _, err := scanIdentity(rows)
		if err != nil {
			return store.VesselHistory{}, err
		}
		h.History = append(h.History, id)
	}
	return h, rows.Err()
}

// Vessel implements store.VesselReader.
func (s *Store) Vessel(ctx context.Context, mmsi uint32) (store.VesselHistory, error) {
	db, err := s.reader()
	if err != nil {
		return store.VesselHistory{}, fmt.Errorf("duckdb: vessel %d: %w", mmsi, err)
	}
	tx, err := db.BeginTx(ctx, nil) // one snapshot for both queries
	if err != nil {
		return store.VesselHistory{}, fmt.Errorf("duckdb: vessel %d: %w", mmsi, err)
	}
	defer tx.Rollback()
	h, err := vesselHistory(ctx, tx, mmsi)
	if err != nil {
		return store.VesselHistory{}, fmt.Errorf("duckdb: vessel: %w", err)
	}
	return h, nil
}

// VesselsByIMO implements store.VesselReader.
func (s *Store) VesselsByIMO(ctx context.Context, imo uint32) ([]store.VesselHistory, error) {
	db, err := s.reader()
	if err != nil {
		return nil, fmt.Errorf("duckdb: imo %d: %w", imo, err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("duckdb: imo %d: %w", imo, err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT mmsi FROM identities WHERE imo = ? ORDER BY mmsi`, imo)
	if err != nil {
		return nil, fmt.Errorf("duckdb: imo %d: %w", imo, err)
	}
	var mmsis []uint32
	for rows.Next() {
		var m uint32
		if err := rows.Scan(&m); err != nil {
			rows.Close()
			return nil, fmt.Errorf("duckdb: imo %d: %w", imo, err)
		}
		mmsis = append(mmsis, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("duckdb: imo %d: %w", imo, err)
	}
	if len(mmsis) == 0 || imo == 0 {
		return nil, fmt.Errorf("duckdb: imo %d: %w", imo, store.ErrNotFound)
	}
	out := make([]store.VesselHistory, 0, len(mmsis))
	for _, m := range mmsis {
		h, err := vesselHistory(ctx, tx, m)
		if err != nil {
			return nil, fmt.Errorf("duckdb: imo %d: %w", imo, err)
		}
		out = append(out, h)
	}
	return out, nil
}

// timeRange appends the SQL conditions of a half-open [from, to) range
// on column col. Values are written as literals, not parameters: DuckDB
// prunes row groups with zone maps only for constant filters it sees at
// planning, and a parameterised track query was ten times slower.
func timeRange(conds []string, col string, from, to time.Time) ([]string, error) {
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return nil, fmt.Errorf("%w: time range %v..%v is inverted", store.ErrInvalid, from, to)
	}
	if !from.IsZero() {
		conds = append(conds, col+" >= "+timeLiteral(from))
	}
	if !to.IsZero() {
		conds = append(conds, col+" < "+timeLiteral(to))
	}
	return conds, nil
}

// timeLiteral is t as a TIMESTAMPTZ literal, to the microsecond. Times
// before the year 1 or after 9999 are clamped (they match nothing anyway).
func timeLiteral(t time.Time) string {
	t = t.UTC()
	if t.Year() < 1 {
		t = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	} else if t.Year() > 9999 {
		t = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)
	}
	return "TIMESTAMPTZ '" + t.Format("2006-01-02 15:04:05.000000") + "+00'"
}

// floatLiteral is v as a SQL DOUBLE literal that parses back exactly.
func floatLiteral(v float64) string {
	return strconv.FormatFloat(v, 'g', -1, 64) + "::DOUBLE"
}

// Track implements store.TrackReader.
func (s *Store) Track(ctx context.Context, mmsi uint32, from, to time.Time) ([]vessel.TrackPoint, error) {
	db, err := s.reader()
	if err != nil {
		return nil, fmt.Errorf("duckdb: track %d: %w", mmsi, err)
	}
	conds, err := timeRange([]string{fmt.Sprintf("mmsi = %d", mmsi)}, "time", from, to)
	if err != nil {
		return nil, fmt.Errorf("duckdb: track %d: %w", mmsi, err)
	}
	// Read directly, the rows come in storage order, which after Compact
	// is the track's: sorting here, only when needed, is cheaper than
	// DuckDB's sort of every result.
	query := `SELECT ` + positionCols + ` FROM positions WHERE ` + strings.Join(conds, " AND ")
	pts, err := readPositionsRaw(ctx, db, query, []vessel.TrackPoint{})
	if !errors.Is(err, errNoRaw) {
		if err != nil {
			return nil, fmt.Errorf("duckdb: track %d: %w", mmsi, err)
		}
		if !slices.IsSortedFunc(pts, compareTrack) {
			slices.SortFunc(pts, compareTrack)
		}
		return pts, nil
	}
	rows, err := db.QueryContext(ctx, query+` ORDER BY time, lat, lon`)
	if err != nil {
		return nil, fmt.Errorf("duckdb: track %d: %w", mmsi, err)
	}
	defer rows.Close()
	pts = []vessel.TrackPoint{}
	if err := eachPosition(ctx, db, rows, func(p vessel.TrackPoint) error { pts = append(pts, p); return nil }); err != nil {
		return nil, fmt.Errorf("duckdb: track %d: %w", mmsi, err)
	}
	return pts, nil
}

const positionCols = `mmsi, time, lat, lon, sog, cog, flags, segment`

// sourceNames maps sources.id to name. The table only grows, so a read
// made after a query started knows every source the query can return.
func sourceNames(ctx context.Context, q querier) (map[uint32]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, name FROM sources`)
	if err != nil {
		return nil, fmt.Errorf("reading sources: %w", err)
	}
	defer rows.Close()
	m := map[uint32]string{}
	for rows.Next() {
		var id uint32
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, fmt.Errorf("reading sources: %w", err)
		}
		m[id] = name
	}
	return m, rows.Err()
}

// eachPosition reads rows of positionCols; q reads the source names.
func eachPosition(ctx context.Context, q querier, rows *sql.Rows, fn func(vessel.TrackPoint) error) error {
	var (
		sog, cog sql.Null[float32]
		flags    uint64
		names    map[uint32]string
	)
	for rows.Next() {
		var p vessel.TrackPoint
		if err := rows.Scan(&p.MMSI, &p.Time, &p.Lat, &p.Lon, &sog, &cog, &flags, &p.Segment); err != nil {
			return err
		}
		p.Time = p.Time.UTC()
		p.SOG, p.COG = vessel.NA, vessel.NA
		if sog.Valid {
			p.SOG = sog.V
		}
		if cog.Valid {
			p.COG = cog.V
		}
		src := unpackFlags(flags, &p.Position)
		name, ok := names[src]
		if !ok {
			var err error
			if names, err = sourceNames(ctx, q); err != nil {
				return err
			}
			if name, ok = names[src]; !ok {
				return fmt.Errorf("position of %d at %v: source %d is not in the sources table", p.MMSI, p.Time, src)
			}
		}
		p.Source = name
		if err := fn(p); err != nil {
			return err
		}
	}
	return rows.Err()
}

// scanBatch is how many positions ScanPositions hands over at a time.
const scanBatch = 4096

// ScanPositions implements store.PositionScanner with one sorted query;
// DuckDB streams the result and spills the sort to disk when it must.
func (s *Store) ScanPositions(ctx context.Context, from, to time.Time, fn func([]vessel.TrackPoint) error) error {
	db, err := s.reader()
	if err != nil {
		return fmt.Errorf("duckdb: scan positions: %w", err)
	}
	conds, err := timeRange([]string{"true"}, "time", from, to)
	if err != nil {
		return fmt.Errorf("duckdb: scan positions: %w", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT `+positionCols+` FROM positions WHERE `+strings.Join(conds, " AND ")+` ORDER BY time, mmsi, lat, lon`)
	if err != nil {
		return fmt.Errorf("duckdb: scan positions: %w", err)
	}
	defer rows.Close()
	batch := make([]vessel.TrackPoint, 0, scanBatch)
	errStop := errors.New("stop")
	var fnErr error
	err = eachPosition(ctx, db, rows, func(p vessel.TrackPoint) error {
		batch = append(batch, p)
		if len(batch) == scanBatch {
			if fnErr = fn(batch); fnErr != nil {
				return errStop
			}
			batch = batch[:0]
		}
		return nil
	})
	if fnErr != nil {
		return fnErr
	}
	if err != nil {
		return fmt.Errorf("duckdb: scan positions: %w", err)
	}
	if len(batch) > 0 {
		return fn(batch)
	}
	return nil
}

// Near implements store.NearFinder in two steps. The presence table gives
// the candidate vessels: those with positions on the days asked for in the
// 1° cells the circle's bounding box touches. Their positions (contiguous
// per vessel after Compact) then pass a bounding-box prefilter on lat/lon
// and the exact haversine distance.
func (s *Store) Near(ctx context.Context, q store.NearQuery) ([]store.NearHit, error) {
	db, err := s.reader()
	if err != nil {
		return nil, fmt.Errorf("duckdb: near: %w", err)
	}
	box, err := store.CircleBox(q.Lat, q.Lon, q.RadiusKm)
	if err != nil {
		return nil, fmt.Errorf("duckdb: near: %w", err)
	}
	conds, err := timeRange(nil, "time", q.From, q.To)
	if err != nil {
		return nil, fmt.Errorf("duckdb: near: %w", err)
	}
	tx, err := db.BeginTx(ctx, nil) // one snapshot for both steps
	if err != nil {
		return nil, fmt.Errorf("duckdb: near: %w", err)
	}
	defer tx.Rollback()
	cands, err := nearCandidates(ctx, tx, box, q.From, q.To)
	if err != nil {
		return nil, fmt.Errorf("duckdb: near: candidates: %w", err)
	}
	hits := []store.NearHit{}
	if len(cands) == 0 {
		return hits, nil
	}
	if len(cands) <= maxCandidateList {
		list := make([]string, len(cands))
		for i, m := range cands {
			list[i] = strconv.FormatUint(uint64(m), 10)
		}
		conds = append(conds, "mmsi IN ("+strings.Join(list, ",")+")")
	}
	conds = append(conds, "lat BETWEEN "+floatLiteral(box.MinLat)+" AND "+floatLiteral(box.MaxLat))
	// Haversine with the same constants as store.HaversineKm.
	dist := fmt.Sprintf(`2 * %s * asin(least(1, sqrt(
    pow(sin(radians(lat - %s) / 2), 2) + cos(radians(%s)) * cos(radians(lat)) * pow(sin(radians(lon - %s) / 2), 2))))`,
		floatLiteral(store.EarthRadiusKm), floatLiteral(q.Lat), floatLiteral(q.Lat), floatLiteral(q.Lon))
	query := `WITH c AS (
    SELECT mmsi, time, lat, lon, ` + dist + ` AS d
    FROM positions WHERE ` + strings.Join(conds, " AND ") + `
), hits AS (
    SELECT mmsi, count(*) AS n, min(time) AS first, max(time) AS last,
           min({'d': d, 't': time, 'lat': lat, 'lon': lon}) AS m
    FROM c WHERE d <= ` + floatLiteral(q.RadiusKm) + ` GROUP BY mmsi
)
SELECT h.n, h.first, h.last, h.m.d, h.m.t, h.m.lat, h.m.lon, ` + summaryCols + `
FROM hits h JOIN ` + vesselSummary("mmsi IN (SELECT mmsi FROM hits)") + ` v ON v.mmsi = h.mmsi
LEFT JOIN ` + latestIdentity("mmsi IN (SELECT mmsi FROM hits)") + ` i ON i.mmsi = h.mmsi
ORDER BY h.m.d, h.mmsi`
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("duckdb: near: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var h store.NearHit
		var sum summaryRow
		dest := append([]any{&h.Positions, &h.FirstSeen, &h.LastSeen, &h.Closest.DistanceKm, &h.Closest.Time, &h.Closest.Lat, &h.Closest.Lon}, sum.dest()...)
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("duckdb: near: %w", err)
		}
		v := sum.summary()
		h.MMSI, h.Latest = v.MMSI, v.Latest
		h.FirstSeen, h.LastSeen, h.Closest.Time = h.FirstSeen.UTC(), h.LastSeen.UTC(), h.Closest.Time.UTC()
		hits = append(hits, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("duckdb: near: %w", err)
	}
	return hits, nil
}

// maxCandidateList bounds the MMSI list Near hands DuckDB; with more
// candidates it scans the time range instead.
const maxCandidateList = 20000

// nearCandidates returns the MMSIs present in the cells of box on the UTC
// days of [from, to), in MMSI order.
func nearCandidates(ctx context.Context, q querier, box store.Box, from, to time.Time) ([]uint32, error) {
	var conds []string
	if !from.IsZero() {
		conds = append(conds, fmt.Sprintf("day >= DATE '1970-01-01' + %d", dayOf(from.UnixMicro())))
	}
	if !to.IsZero() {
		conds = append(conds, fmt.Sprintf("day <= DATE '1970-01-01' + %d", dayOf(to.UnixMicro())))
	}
	// Cells are numbered row by row, so each latitude row of the box is one
	// or two ranges of cell numbers.
	var cells []string
	for r := latRow(box.MinLat); r <= latRow(box.MaxLat); r++ {
		for _, lr := range box.Lons {
			lo, hi := r*360+lonCol(lr.MinLon), r*360+lonCol(lr.MaxLon)
			cells = append(cells, fmt.Sprintf("cell BETWEEN %d AND %d", lo, hi))
		}
	}
	conds = append(conds, "("+strings.Join(cells, " OR ")+")")
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT mmsi FROM presence WHERE `+strings.Join(conds, " AND ")+` ORDER BY mmsi`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []uint32
	for rows.Next() {
		var m uint32
		if err := rows.Scan(&m); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Stats implements store.StatsReader.
func (s *Store) Stats(ctx context.Context) (store.Stats, error) {
	db, err := s.reader()
	if err != nil {
		return store.Stats{}, fmt.Errorf("duckdb: stats: %w", err)
	}
	var st store.Stats
	err = db.QueryRowContext(ctx, `SELECT
    (SELECT count(*) FROM positions), (SELECT count(*) FROM vessels),
    (SELECT count(*) FROM identities), (SELECT count(*) FROM ingest_runs),
    (SELECT max(version) FROM schema_version)`).Scan(&st.Positions, &st.Vessels, &st.Identities, &st.Runs, &st.SchemaVersion)
	if err != nil {
		return store.Stats{}, fmt.Errorf("duckdb: stats: %w", err)
	}
	return st, nil
}
