package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/store"
)

// PutEvents implements store.EventWriter.
func (s *Store) PutEvents(ctx context.Context, evs []event.Event) error {
	return s.writeEvents(ctx, nil, evs)
}

// ReplaceEvents implements store.EventWriter.
func (s *Store) ReplaceEvents(ctx context.Context, detectors []string, evs []event.Event) error {
	if detectors == nil {
		detectors = []string{}
	}
	return s.writeEvents(ctx, detectors, evs)
}

// upsertEvent inserts an event or, when its key is stored, replaces it
// keeping its ID. $1 is the ID to use for a new row (one a replaced event
// had), NULL to draw a new one.
const upsertEvent = `INSERT INTO events (id, key, kind, mmsi, other_mmsi, start_time, end_time, lat, lon, detector, withdrawn, body)
VALUES (coalesce($1::bigint, nextval('event_id')), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
ON CONFLICT (key) DO UPDATE SET
    kind = excluded.kind, mmsi = excluded.mmsi, other_mmsi = excluded.other_mmsi,
    start_time = excluded.start_time, end_time = excluded.end_time, lat = excluded.lat, lon = excluded.lon,
    detector = excluded.detector, withdrawn = excluded.withdrawn, body = excluded.body`

// writeEvents upserts evs in one transaction, first deleting the events of
// detectors when that is non-nil. Deleted events whose key comes back keep
// their ID: the IDs are looked up before the delete.
func (s *Store) writeEvents(ctx context.Context, detectors []string, evs []event.Event) error {
	if err := s.enter(true); err != nil {
		return fmt.Errorf("postgres: put events: %w", err)
	}
	defer s.leave()
	keys := make([]string, len(evs))
	bodies := make([][]byte, len(evs))
	for i := range evs {
		e := evs[i]
		if err := checkEvent(&e); err != nil {
			return fmt.Errorf("postgres: put events: %w", err)
		}
		e.ID = 0 // the column holds it
		e.Start, e.End = e.Start.UTC().Truncate(time.Microsecond), e.End.UTC().Truncate(time.Microsecond)
		b, err := json.Marshal(&e)
		if err != nil {
			return fmt.Errorf("postgres: put event %s: %w", e.Key, err)
		}
		keys[i], bodies[i] = e.Key, b
	}
	err := retry(ctx, func() error {
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			ids := map[string]int64{}
			if len(detectors) > 0 && len(evs) > 0 {
				rows, err := tx.Query(ctx, `SELECT key, id FROM events WHERE key = ANY($1::text[]) AND detector = ANY($2::text[])`, keys, detectors)
				if err != nil {
					return err
				}
				var (
					k  string
					id int64
				)
				if _, err := pgx.ForEachRow(rows, []any{&k, &id}, func() error { ids[k] = id; return nil }); err != nil {
					return err
				}
			}
			if len(detectors) > 0 {
				if _, err := tx.Exec(ctx, `DELETE FROM events WHERE detector = ANY($1::text[])`, detectors); err != nil {
					return fmt.Errorf("replacing: %w", err)
				}
			}
			var b pgx.Batch
			for i := range evs {
				e := &evs[i]
				var id *int64
				if v, ok := ids[e.Key]; ok {
					id = &v
				}
				b.Queue(upsertEvent, id, e.Key, string(e.Kind), nullU32(e.MMSI), nullU32(e.OtherMMSI),
					e.Start.UTC().Truncate(time.Microsecond), e.End.UTC().Truncate(time.Microsecond), e.Lat, e.Lon, e.Detector, e.Withdrawn, string(bodies[i]))
			}
			if b.Len() == 0 {
				return nil
			}
			br := tx.SendBatch(ctx, &b)
			for i := range evs {
				if _, err := br.Exec(); err != nil {
					br.Close()
					return fmt.Errorf("event %s: %w", evs[i].Key, err)
				}
			}
			return br.Close()
		})
	})
	if err != nil {
		return fmt.Errorf("postgres: put %d events: %w", len(evs), err)
	}
	return nil
}

func checkEvent(e *event.Event) error {
	switch {
	case e.Key == "":
		return fmt.Errorf("%w: event without key", store.ErrInvalid)
	case !e.Kind.Valid():
		return fmt.Errorf("%w: event %s: kind %q", store.ErrInvalid, e.Key, e.Kind)
	case e.Start.IsZero():
		return fmt.Errorf("%w: event %s: no start time", store.ErrInvalid, e.Key)
	case e.End.Before(e.Start):
		return fmt.Errorf("%w: event %s: ends before it starts", store.ErrInvalid, e.Key)
	case e.Detector == "":
		return fmt.Errorf("%w: event %s: no detector", store.ErrInvalid, e.Key)
	}
	if err := checkText("event key", e.Key); err != nil {
		return err
	}
	return checkText("event detector", e.Detector)
}

func nullU32(v uint32) *int64 {
	if v == 0 {
		return nil
	}
	x := int64(v)
	return &x
}

// Events implements store.EventReader.
func (s *Store) Events(ctx context.Context, q store.EventQuery) ([]event.Event, error) {
	if err := s.enter(false); err != nil {
		return nil, fmt.Errorf("postgres: events: %w", err)
	}
	defer s.leave()
	var conds []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if len(q.Kinds) > 0 {
		kinds := make([]string, len(q.Kinds))
		for i, k := range q.Kinds {
			kinds[i] = string(k)
		}
		conds = append(conds, "kind = ANY("+arg(kinds)+"::text[])")
	}
	if q.MMSI != 0 {
		p := arg(int64(q.MMSI))
		conds = append(conds, "(mmsi = "+p+" OR other_mmsi = "+p+")")
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return nil, fmt.Errorf("postgres: events: %w: time range ends before it starts", store.ErrInvalid)
	}
	if !q.From.IsZero() {
		conds = append(conds, "end_time >= "+arg(clampTime(q.From)))
	}
	if !q.To.IsZero() {
		conds = append(conds, "start_time < "+arg(clampTime(q.To)))
	}
	if b := q.BBox; b != nil {
		if b.MinLat > b.MaxLat {
			return nil, fmt.Errorf("postgres: events: %w: bbox latitudes inverted", store.ErrInvalid)
		}
		conds = append(conds, "lat BETWEEN "+arg(b.MinLat)+" AND "+arg(b.MaxLat))
		if b.MinLon <= b.MaxLon {
			conds = append(conds, "lon BETWEEN "+arg(b.MinLon)+" AND "+arg(b.MaxLon))
		} else {
			conds = append(conds, "(lon >= "+arg(b.MinLon)+" OR lon <= "+arg(b.MaxLon)+")")
		}
	}
	if len(q.Detectors) > 0 {
		conds = append(conds, "detector = ANY("+arg(q.Detectors)+"::text[])")
	}
	if !q.IncludeWithdrawn {
		conds = append(conds, "NOT withdrawn")
	}
	query := `SELECT id, body::text FROM events`
	if len(conds) > 0 {
		query += " WHERE " + strings.Join(conds, " AND ")
	}
	query += " ORDER BY start_time, id"
	if q.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", q.Limit)
	}
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: events: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (event.Event, error) { return scanEvent(r) })
	if err != nil {
		return nil, fmt.Errorf("postgres: events: %w", err)
	}
	if out == nil {
		out = []event.Event{}
	}
	return out, nil
}

// Event implements store.EventReader.
func (s *Store) Event(ctx context.Context, id int64) (event.Event, error) {
	if err := s.enter(false); err != nil {
		return event.Event{}, fmt.Errorf("postgres: event %d: %w", id, err)
	}
	defer s.leave()
	e, err := scanEvent(s.pool.QueryRow(ctx, `SELECT id, body::text FROM events WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return event.Event{}, fmt.Errorf("postgres: event %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return event.Event{}, fmt.Errorf("postgres: event %d: %w", id, err)
	}
	return e, nil
}

func scanEvent(r pgx.Row) (event.Event, error) {
	var (
		id   int64
		body string
	)
	if err := r.Scan(&id, &body); err != nil {
		return event.Event{}, err
	}
	var e event.Event
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		return event.Event{}, fmt.Errorf("event %d body: %w", id, err)
	}
	e.ID = id
	e.Start, e.End = e.Start.UTC(), e.End.UTC()
	return e, nil
}
