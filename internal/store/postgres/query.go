package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// latestIdentity joins each vessel row v to its latest identity i (the
// tie-break order is part of the contract: latest LastSeen, then latest
// FirstSeen, then key).
const latestIdentity = `LEFT JOIN LATERAL (SELECT * FROM identities li WHERE li.mmsi = v.mmsi
    ORDER BY li.last_seen DESC, li.first_seen DESC, li.key LIMIT 1) i ON true`

const summaryCols = `v.mmsi, v.identities, v.positions, v.first_seen, v.last_seen,
    i.key, i.imo, i.name, i.callsign, i.shiptype, i.length, i.beam, i.flag, i.class,
    i.first_seen, i.last_seen, i.reports, i.source, i.destination`

// summaryRow receives a row of summaryCols.
type summaryRow struct {
	mmsi         int64
	nIDs         int32
	positions    int64
	first, last  *time.Time
	key          *string
	imo          *int64
	name, call   *string
	shipType     *int16
	length, beam *int32
	flag, class  *string
	iFirst       *time.Time
	iLast        *time.Time
	reports      *int64
	src, destn   *string
}

func (r *summaryRow) dest() []any {
	return []any{&r.mmsi, &r.nIDs, &r.positions, &r.first, &r.last, &r.key, &r.imo, &r.name, &r.call, &r.shipType,
		&r.length, &r.beam, &r.flag, &r.class, &r.iFirst, &r.iLast, &r.reports, &r.src, &r.destn}
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func utc(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return p.UTC()
}

func (r *summaryRow) summary() store.VesselSummary {
	v := store.VesselSummary{MMSI: uint32(r.mmsi), Identities: int(r.nIDs), Positions: r.positions,
		FirstSeen: utc(r.first), LastSeen: utc(r.last)}
	if r.key != nil {
		v.Latest = &vessel.Identity{
			MMSI: uint32(r.mmsi), IMO: uint32(*r.imo), Name: str(r.name), CallSign: str(r.call), ShipType: uint8(*r.shipType),
			Length: uint16(*r.length), Beam: uint16(*r.beam), Flag: str(r.flag), Class: classFrom(r.class),
			FirstSeen: utc(r.iFirst), LastSeen: utc(r.iLast), Reports: int(*r.reports),
			Source: str(r.src), Destination: str(r.destn),
		}
	}
	return v
}

// Vessels implements store.VesselReader.
func (s *Store) Vessels(ctx context.Context, q store.VesselQuery) ([]store.VesselSummary, error) {
	if err := s.enter(false); err != nil {
		return nil, fmt.Errorf("postgres: vessels: %w", err)
	}
	defer s.leave()
	var order string
	switch q.Order {
	case store.ByMMSI:
		order = "v.mmsi"
	case store.ByPositions:
		order = "v.positions DESC, v.mmsi"
	case store.ByLastSeen:
		order = "v.last_seen DESC NULLS LAST, v.mmsi"
	default:
		return nil, fmt.Errorf("postgres: vessels: %w: order %d", store.ErrInvalid, q.Order)
	}
	if q.Limit < 0 || q.Offset < 0 {
		return nil, fmt.Errorf("postgres: vessels: %w: limit %d offset %d", store.ErrInvalid, q.Limit, q.Offset)
	}
	query := `SELECT ` + summaryCols + ` FROM vessels v ` + latestIdentity + ` ORDER BY ` + order
	if q.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", q.Limit)
	}
	if q.Offset > 0 {
		query += fmt.Sprintf(" OFFSET %d", q.Offset)
	}
	rows, err := s.pool.Query(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("postgres: vessels: %w", err)
	}
	out := []store.VesselSummary{}
	var r summaryRow
	if _, err := pgx.ForEachRow(rows, r.dest(), func() error { out = append(out, r.summary()); return nil }); err != nil {
		return nil, fmt.Errorf("postgres: vessels: %w", err)
	}
	return out, nil
}

// snapshot runs fn in a read-only repeatable-read transaction: one
// consistent view for calls that run several queries.
func (s *Store) snapshot(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn)
}

func vesselHistory(ctx context.Context, tx pgx.Tx, mmsi uint32) (store.VesselHistory, error) {
	var r summaryRow
	err := tx.QueryRow(ctx, `SELECT `+summaryCols+` FROM vessels v `+latestIdentity+` WHERE v.mmsi = $1`, int64(mmsi)).Scan(r.dest()...)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.VesselHistory{}, fmt.Errorf("mmsi %d: %w", mmsi, store.ErrNotFound)
	}
	if err != nil {
		return store.VesselHistory{}, err
	}
	rows, err := tx.Query(ctx, `SELECT `+identityCols+` FROM identities WHERE mmsi = $1 ORDER BY first_seen, last_seen, key`, int64(mmsi))
	if err != nil {
		return store.VesselHistory{}, err
	}
	defer rows.Close()
	h := store.VesselHistory{VesselSummary: r.summary(), History: []vessel.Identity{}}
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
	if err := s.enter(false); err != nil {
		return store.VesselHistory{}, fmt.Errorf("postgres: vessel %d: %w", mmsi, err)
	}
	defer s.leave()
	var h store.VesselHistory
	err := s.snapshot(ctx, func(tx pgx.Tx) (err error) {
		h, err = vesselHistory(ctx, tx, mmsi)
		return err
	})
	if err != nil {
		return store.VesselHistory{}, fmt.Errorf("postgres: vessel: %w", err)
	}
	return h, nil
}

// VesselsByIMO implements store.VesselReader.
func (s *Store) VesselsByIMO(ctx context.Context, imo uint32) ([]store.VesselHistory, error) {
	if err := s.enter(false); err != nil {
		return nil, fmt.Errorf("postgres: imo %d: %w", imo, err)
	}
	defer s.leave()
	var out []store.VesselHistory
	err := s.snapshot(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT DISTINCT mmsi FROM identities WHERE imo = $1 ORDER BY mmsi`, int64(imo))
		if err != nil {
			return err
		}
		mmsis, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		if len(mmsis) == 0 || imo == 0 {
			return store.ErrNotFound
		}
		for _, m := range mmsis {
			h, err := vesselHistory(ctx, tx, uint32(m))
			if err != nil {
				return err
			}
			out = append(out, h)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: imo %d: %w", imo, err)
	}
	return out, nil
}

// timeRange appends the conditions of a half-open [from, to) range on
// column col, with their arguments.
func timeRange(conds []string, args []any, col string, from, to time.Time) ([]string, []any, error) {
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return nil, nil, fmt.Errorf("%w: time range %v..%v is inverted", store.ErrInvalid, from, to)
	}
	if !from.IsZero() {
		args = append(args, clampTime(from))
		conds = append(conds, fmt.Sprintf("%s >= $%d", col, len(args)))
	}
	if !to.IsZero() {
		args = append(args, clampTime(to))
		conds = append(conds, fmt.Sprintf("%s < $%d", col, len(args)))
	}
	return conds, args, nil
}

// clampTime is t in UTC, to the microsecond, inside the years 1-9999
// (outside them it matches nothing stored anyway; PostgreSQL's range is
// wider, but not Go's encoding of every time.Time).
func clampTime(t time.Time) time.Time {
	t = t.UTC().Truncate(time.Microsecond)
	if t.Year() < 1 {
		return time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if t.Year() > 9999 {
		return time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)
	}
	return t
}

// Track implements store.TrackReader. It reads the primary-key index of
// the partitions the time range touches.
func (s *Store) Track(ctx context.Context, mmsi uint32, from, to time.Time) ([]vessel.TrackPoint, error) {
	if err := s.enter(false); err != nil {
		return nil, fmt.Errorf("postgres: track %d: %w", mmsi, err)
	}
	defer s.leave()
	conds, args, err := timeRange([]string{"p.mmsi = $1"}, []any{int64(mmsi)}, "p.time", from, to)
	if err != nil {
		return nil, fmt.Errorf("postgres: track %d: %w", mmsi, err)
	}
	rows, err := s.pool.Query(ctx, `SELECT `+positionCols+`
FROM positions p JOIN sources s ON s.id = p.source_id
WHERE `+strings.Join(conds, " AND ")+` ORDER BY p.time, p.lat, p.lon`, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: track %d: %w", mmsi, err)
	}
	pts := []vessel.TrackPoint{}
	if err := eachPosition(rows, func(p vessel.TrackPoint) error { pts = append(pts, p); return nil }); err != nil {
		return nil, fmt.Errorf("postgres: track %d: %w", mmsi, err)
	}
	return pts, nil
}

const positionCols = `p.mmsi, p.time, p.lat, p.lon, p.sog, p.cog, p.heading, p.status, p.class, p.msg_type, s.name, p.segment`

// eachPosition reads rows of positionCols.
func eachPosition(rows pgx.Rows, fn func(vessel.TrackPoint) error) error {
	var (
		p               vessel.TrackPoint
		mmsi            int64
		sog, cog        *float32
		heading         *int32
		status, msgType int16
		class           *string
		segment         int64
	)
	dest := []any{&mmsi, &p.Time, &p.Lat, &p.Lon, &sog, &cog, &heading, &status, &class, &msgType, &p.Source, &segment}
	_, err := pgx.ForEachRow(rows, dest, func() error {
		q := p
		q.MMSI = uint32(mmsi)
		q.Time = p.Time.UTC()
		q.SOG, q.COG, q.Heading = vessel.NA, vessel.NA, 511
		if sog != nil {
			q.SOG = *sog
		}
		if cog != nil {
			q.COG = *cog
		}
		if heading != nil {
			q.Heading = uint16(*heading)
		}
		q.Status, q.MsgType, q.Segment = uint8(status), uint8(msgType), uint32(segment)
		q.Class = classFrom(class)
		return fn(q)
	})
	return err
}

// scanBatch is how many positions ScanPositions hands over at a time.
const scanBatch = 4096

// ScanPositions implements store.PositionScanner. It pages by time (keyset
// on time, mmsi, lat, lon) so that no transaction or cursor stays open
// while fn works and memory stays bounded on any table size.
func (s *Store) ScanPositions(ctx context.Context, from, to time.Time, fn func([]vessel.TrackPoint) error) error {
	conds, args, err := timeRange(nil, nil, "p.time", from, to)
	if err != nil {
		return fmt.Errorf("postgres: scan positions: %w", err)
	}
	var last *vessel.TrackPoint
	batch := make([]vessel.TrackPoint, 0, scanBatch)
	for {
		c, a := conds, args
		if last != nil {
			n := len(a)
			c = append(append([]string(nil), c...), fmt.Sprintf("(p.time, p.mmsi, p.lat, p.lon) > ($%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4))
			a = append(append([]any(nil), a...), last.Time, int64(last.MMSI), last.Lat, last.Lon)
		}
		where := "true"
		if len(c) > 0 {
			where = strings.Join(c, " AND ")
		}
		batch = batch[:0]
		err := func() error {
			if err := s.enter(false); err != nil {
				return err
			}
			defer s.leave()
			rows, err := s.pool.Query(ctx, `SELECT `+positionCols+`
FROM positions p JOIN sources s ON s.id = p.source_id
WHERE `+where+` ORDER BY p.time, p.mmsi, p.lat, p.lon LIMIT `+strconv.Itoa(scanBatch), a...)
			if err != nil {
				return err
			}
			return eachPosition(rows, func(p vessel.TrackPoint) error { batch = append(batch, p); return nil })
		}()
		if err != nil {
			return fmt.Errorf("postgres: scan positions: %w", err)
		}
		if len(batch) == 0 {
			return nil
		}
		if err := fn(batch); err != nil {
			return err
		}
		if len(batch) < scanBatch {
			return nil
		}
		l := batch[len(batch)-1]
		last = &l
	}
}

// radPerDeg is Go's math.Pi/180 as a SQL literal: distances use the
// constant store.HaversineKm uses, not the server's radians().
var radPerDeg = strconv.FormatFloat(math.Pi/180, 'g', -1, 64)

// haversine is the SQL of store.HaversineKm from the centre ($1, $2) to
// the row's lat/lon, written operation for operation like the DuckDB
// store's, so that both servers' libm give the same doubles.
var haversine = `2 * ` + strconv.FormatFloat(store.EarthRadiusKm, 'g', -1, 64) + `::float8 * asin(least(1, sqrt(
    power(sin(((lat - $1::float8) * ` + radPerDeg + `) / 2), 2) + cos($1::float8 * ` + radPerDeg + `) * cos(lat * ` + radPerDeg + `) * power(sin(((lon - $2::float8) * ` + radPerDeg + `) / 2), 2))))`

// Near implements store.NearFinder: the GiST index on the position points
// finds those inside the circle's bounding box (one or two boxes across
// the antimeridian, a full band of longitudes around a pole), within the
// time range; the exact haversine distance then keeps those inside.
func (s *Store) Near(ctx context.Context, q store.NearQuery) ([]store.NearHit, error) {
	if err := s.enter(false); err != nil {
		return nil, fmt.Errorf("postgres: near: %w", err)
	}
	defer s.leave()
	box, err := store.CircleBox(q.Lat, q.Lon, q.RadiusKm)
	if err != nil {
		return nil, fmt.Errorf("postgres: near: %w", err)
	}
	args := []any{q.Lat, q.Lon, q.RadiusKm, box.MinLat, box.MaxLat}
	conds := []string{"lat BETWEEN $4 AND $5"}
	var envs []string
	for _, r := range box.Lons {
		args = append(args, r.MinLon, r.MaxLon)
		envs = append(envs, fmt.Sprintf("geom && ST_MakeEnvelope($%d, $4, $%d, $5, 4326)", len(args)-1, len(args)))
	}
	conds = append(conds, "("+strings.Join(envs, " OR ")+")")
	conds, args, err = timeRange(conds, args, "time", q.From, q.To)
	if err != nil {
		return nil, fmt.Errorf("postgres: near: %w", err)
	}
	query := `WITH c AS (
    SELECT mmsi, time, lat, lon, ` + haversine + ` AS d
    FROM positions WHERE ` + strings.Join(conds, " AND ") + `
), h AS (
    SELECT * FROM c WHERE d <= $3::float8
), agg AS (
    SELECT mmsi, count(*) AS n, min(time) AS first, max(time) AS last FROM h GROUP BY mmsi
), best AS (
    SELECT DISTINCT ON (mmsi) mmsi, d, time, lat, lon FROM h ORDER BY mmsi, d, time, lat, lon
)
SELECT a.n, a.first, a.last, b.d, b.time, b.lat, b.lon, ` + summaryCols + `
FROM agg a JOIN best b ON b.mmsi = a.mmsi JOIN vessels v ON v.mmsi = a.mmsi ` + latestIdentity + `
ORDER BY b.d, a.mmsi`
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: near: %w", err)
	}
	hits := []store.NearHit{}
	var (
		h   store.NearHit
		sum summaryRow
	)
	dest := append([]any{&h.Positions, &h.FirstSeen, &h.LastSeen, &h.Closest.DistanceKm, &h.Closest.Time, &h.Closest.Lat, &h.Closest.Lon}, sum.dest()...)
	_, err = pgx.ForEachRow(rows, dest, func() error {
		hit := h
		v := sum.summary()
		hit.MMSI, hit.Latest = v.MMSI, v.Latest
		hit.FirstSeen, hit.LastSeen, hit.Closest.Time = h.FirstSeen.UTC(), h.LastSeen.UTC(), h.Closest.Time.UTC()
		hits = append(hits, hit)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: near: %w", err)
	}
	return hits, nil
}

// Stats implements store.StatsReader. The position count is the sum of
// the vessel summaries, kept exact by every load: counting a table of
// 10^9 rows would take minutes.
func (s *Store) Stats(ctx context.Context) (store.Stats, error) {
	if err := s.enter(false); err != nil {
		return store.Stats{}, fmt.Errorf("postgres: stats: %w", err)
	}
	defer s.leave()
	var st store.Stats
	var version int32
	err := s.pool.QueryRow(ctx, `SELECT
    (SELECT coalesce(sum(positions), 0)::bigint FROM vessels), (SELECT count(*) FROM vessels),
    (SELECT count(*) FROM identities), (SELECT count(*) FROM ingest_runs),
    (SELECT max(version) FROM schema_version)`).Scan(&st.Positions, &st.Vessels, &st.Identities, &st.Runs, &version)
	if err != nil {
		return store.Stats{}, fmt.Errorf("postgres: stats: %w", err)
	}
	st.SchemaVersion = int(version)
	return st, nil
}
