package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	duckdbdrv "github.com/duckdb/duckdb-go/v2"

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

// writeEvents upserts evs in one transaction, first deleting the events of
// detectors when that is non-nil. Deleted events whose key comes back keep
// their ID: the IDs are looked up before the delete.
func (s *Store) writeEvents(ctx context.Context, detectors []string, evs []event.Event) error {
	for i := range evs {
		if err := checkEvent(&evs[i]); err != nil {
			return fmt.Errorf("duckdb: put events: %w", err)
		}
	}
	w, err := s.lockWriter()
	if err != nil {
		return fmt.Errorf("duckdb: put events: %w", err)
	}
	defer s.mu.Unlock()
	// The last event of each key, in the order keys first appear: one
	// row per key, as upserting them one by one leaves.
	last := map[string]int{}
	var keys []string
	for i := range evs {
		if _, ok := last[evs[i].Key]; !ok {
			keys = append(keys, evs[i].Key)
		}
		last[evs[i].Key] = i
	}
	if err := w.stageEventKeys(ctx, keys); err != nil {
		return fmt.Errorf("duckdb: put events: %w", err)
	}
	tx, err := w.conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("duckdb: put events: %w", err)
	}
	defer tx.Rollback()
	// IDs: a stored key keeps its own (also when its detector's events are
	// replaced), a new one takes the next of the sequence, in order.
	ids := map[string]int64{}
	if len(keys) > 0 {
		rows, err := tx.QueryContext(ctx, `SELECT e.key, e.id FROM events e JOIN stage_evkey k ON k.key = e.key`)
		if err != nil {
			return fmt.Errorf("duckdb: put events: %w", err)
		}
		for rows.Next() {
			var k string
			var id int64
			if err := rows.Scan(&k, &id); err != nil {
				rows.Close()
				return fmt.Errorf("duckdb: put events: %w", err)
			}
			ids[k] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("duckdb: put events: %w", err)
		}
	}
	if fresh := len(keys) - len(ids); fresh > 0 {
		rows, err := tx.QueryContext(ctx, fmt.Sprintf(`SELECT nextval('event_id') FROM range(%d)`, fresh))
		if err != nil {
			return fmt.Errorf("duckdb: put events: %w", err)
		}
		var next []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("duckdb: put events: %w", err)
			}
			next = append(next, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("duckdb: put events: %w", err)
		}
		if len(next) != fresh {
			return fmt.Errorf("duckdb: put events: %d new IDs for %d events", len(next), fresh)
		}
		slices.Sort(next)
		for _, k := range keys {
			if _, ok := ids[k]; !ok {
				ids[k], next = next[0], next[1:]
			}
		}
	}
	if detectors != nil && len(detectors) > 0 {
		if _, err := tx.ExecContext(ctx, `DELETE FROM events WHERE list_contains(?, detector)`, detectors); err != nil {
			return fmt.Errorf("duckdb: replace events: %w", err)
		}
	}
	if len(keys) > 0 {
		// Delete-then-insert rather than UPDATE: DuckDB rejects an UPDATE
		// of a row whose unique key was touched in the same transaction.
		if _, err := tx.ExecContext(ctx, `DELETE FROM events WHERE key IN (SELECT key FROM stage_evkey)`); err != nil {
			return fmt.Errorf("duckdb: put events: %w", err)
		}
		if err := w.stageEvents(keys, last, ids, evs); err != nil {
			return fmt.Errorf("duckdb: put events: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO events (`+eventCols+`)
SELECT id, key, kind, mmsi, other_mmsi, start_time, end_time, lat, lon, detector, withdrawn, body::JSON FROM stage_events`); err != nil {
			return fmt.Errorf("duckdb: put events: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("duckdb: put events: commit: %w", err)
	}
	return nil
}

const eventCols = `id, key, kind, mmsi, other_mmsi, start_time, end_time, lat, lon, detector, withdrawn, body`

const eventStagingDDL = `
CREATE OR REPLACE TEMP TABLE stage_evkey (key VARCHAR);
CREATE OR REPLACE TEMP TABLE stage_events (id BIGINT, key VARCHAR, kind VARCHAR, mmsi UINTEGER, other_mmsi UINTEGER,
    start_time TIMESTAMPTZ, end_time TIMESTAMPTZ, lat DOUBLE, lon DOUBLE, detector VARCHAR, withdrawn BOOLEAN, body VARCHAR);
`

// stageEventKeys puts keys in stage_evkey (and empties stage_events).
func (w *writer) stageEventKeys(ctx context.Context, keys []string) error {
	if _, err := w.conn.ExecContext(ctx, `DELETE FROM stage_evkey; DELETE FROM stage_events`); err != nil {
		return err
	}
	if len(keys) == 0 {
		return nil
	}
	return w.conn.Raw(func(dc any) error {
		app, err := duckdbdrv.NewAppender(dc.(driver.Conn), "temp", "main", "stage_evkey")
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := app.AppendRow(k); err != nil {
				app.Close()
				return err
			}
		}
		return app.Close()
	})
}

// stageEvents puts the last event of each key, with its ID, in
// stage_events.
func (w *writer) stageEvents(keys []string, last map[string]int, ids map[string]int64, evs []event.Event) error {
	return w.conn.Raw(func(dc any) error {
		app, err := duckdbdrv.NewAppender(dc.(driver.Conn), "temp", "main", "stage_events")
		if err != nil {
			return err
		}
		for _, k := range keys {
			e := evs[last[k]]
			e.ID = ids[k]
			e.Start, e.End = e.Start.UTC().Truncate(time.Microsecond), e.End.UTC().Truncate(time.Microsecond)
			body, err := json.Marshal(&e)
			if err == nil {
				err = app.AppendRow(e.ID, e.Key, string(e.Kind), nullU32(e.MMSI), nullU32(e.OtherMMSI),
					e.Start, e.End, e.Lat, e.Lon, e.Detector, e.Withdrawn, string(body))
			}
			if err != nil {
				app.Close()
				return fmt.Errorf("event %s: %w", e.Key, err)
			}
		}
		return app.Close()
	})
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
	return nil
}

func nullU32(v uint32) any {
	if v == 0 {
		return nil
	}
	return v
}

// Events implements store.EventReader.
func (s *Store) Events(ctx context.Context, q store.EventQuery) ([]event.Event, error) {
	db, err := s.reader()
	if err != nil {
		return nil, fmt.Errorf("duckdb: events: %w", err)
	}
	var conds []string
	var args []any
	if len(q.Kinds) > 0 {
		kinds := make([]string, len(q.Kinds))
		for i, k := range q.Kinds {
			kinds[i] = string(k)
		}
		conds = append(conds, "list_contains(?, kind)")
		args = append(args, kinds)
	}
	if q.MMSI != 0 {
		conds = append(conds, "(mmsi = ? OR other_mmsi = ?)")
		args = append(args, q.MMSI, q.MMSI)
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return nil, fmt.Errorf("duckdb: events: %w: time range ends before it starts", store.ErrInvalid)
	}
	if !q.From.IsZero() {
		conds = append(conds, "end_time >= ?")
		args = append(args, q.From.UTC())
	}
	if !q.To.IsZero() {
		conds = append(conds, "start_time < ?")
		args = append(args, q.To.UTC())
	}
	if b := q.BBox; b != nil {
		if b.MinLat > b.MaxLat {
			return nil, fmt.Errorf("duckdb: events: %w: bbox latitudes inverted", store.ErrInvalid)
		}
		conds = append(conds, "lat BETWEEN ? AND ?")
		args = append(args, b.MinLat, b.MaxLat)
		if b.MinLon <= b.MaxLon {
			conds = append(conds, "lon BETWEEN ? AND ?")
		} else {
			conds = append(conds, "(lon >= ? OR lon <= ?)")
		}
		args = append(args, b.MinLon, b.MaxLon)
	}
	if len(q.Detectors) > 0 {
		conds = append(conds, "list_contains(?, detector)")
		args = append(args, q.Detectors)
	}
	if !q.IncludeWithdrawn {
		conds = append(conds, "NOT withdrawn")
	}
	query := `SELECT body::VARCHAR FROM events`
	if len(conds) > 0 {
		query += " WHERE " + strings.Join(conds, " AND ")
	}
	query += " ORDER BY start_time, id"
	if q.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", q.Limit)
	}
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("duckdb: events: %w", err)
	}
	defer rows.Close()
	out := []event.Event{}
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("duckdb: events: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("duckdb: events: %w", err)
	}
	return out, nil
}

// Event implements store.EventReader.
func (s *Store) Event(ctx context.Context, id int64) (event.Event, error) {
	db, err := s.reader()
	if err != nil {
		return event.Event{}, fmt.Errorf("duckdb: event %d: %w", id, err)
	}
	e, err := scanEvent(db.QueryRowContext(ctx, `SELECT body::VARCHAR FROM events WHERE id = ?`, id))
	if isNoRows(err) {
		return event.Event{}, fmt.Errorf("duckdb: event %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return event.Event{}, fmt.Errorf("duckdb: event %d: %w", id, err)
	}
	return e, nil
}

func scanEvent(r scanner) (event.Event, error) {
	var body sql.NullString
	if err := r.Scan(&body); err != nil {
		return event.Event{}, err
	}
	var e event.Event
	if err := json.Unmarshal([]byte(body.String), &e); err != nil {
		return event.Event{}, fmt.Errorf("event body: %w", err)
	}
	e.Start, e.End = e.Start.UTC(), e.End.UTC()
	return e, nil
}
