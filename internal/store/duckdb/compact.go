package duckdb

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Compact rewrites the positions table ordered by (mmsi, time) and the
// presence table by (day, cell), folds position_spans to one row per
// vessel, then checkpoints, reclaiming the space of
// the old copies. Loads append each batch sorted by (mmsi, time), so after
// many batches a vessel's rows are spread over one row group or more per
// batch; compacting puts each vessel's track in a few contiguous row
// groups again, which is what keeps track queries fast at 10^8 rows. It is one transaction: a crash
// leaves the table as it was. It holds the write lock for the duration
// (about a second per 10^7 rows here) and needs room for a second copy.
func (s *Store) Compact(ctx context.Context) error {
	w, err := s.lockWriter()
	if err != nil {
		return fmt.Errorf("duckdb: compact: %w", err)
	}
	defer s.mu.Unlock()
	start := time.Now()
	if err := w.compact(ctx); err != nil {
		return fmt.Errorf("duckdb: compact: %w", err)
	}
	if _, err := w.conn.ExecContext(ctx, `CHECKPOINT`); err != nil {
		return fmt.Errorf("duckdb: compact: checkpoint: %w", err)
	}
	s.log.Info("store: compacted positions", "took", time.Since(start).Round(time.Millisecond))
	return nil
}

func (w *writer) compact(ctx context.Context) error {
	w.last = nil // its spans are folded
	tx, err := w.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// The new table gets exactly the current definition, whatever
	// migrations made of it.
	var ddl string
	if err := tx.QueryRowContext(ctx, `SELECT sql FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = 'positions'`).Scan(&ddl); err != nil {
		return fmt.Errorf("reading positions definition: %w", err)
	}
	const prefix = "CREATE TABLE positions("
	if !strings.HasPrefix(ddl, prefix) {
		return fmt.Errorf("unexpected positions definition %.60q", ddl)
	}
	for _, q := range []string{
		`DROP TABLE IF EXISTS positions_compact`,
		"CREATE TABLE positions_compact(" + strings.TrimPrefix(ddl, prefix),
		`INSERT INTO positions_compact SELECT * FROM positions ORDER BY mmsi, time`,
		`DROP TABLE positions`,
		`ALTER TABLE positions_compact RENAME TO positions`,
		`CREATE OR REPLACE TEMP TABLE presence_sorted AS SELECT * FROM presence ORDER BY day, cell, mmsi`,
		`DELETE FROM presence`,
		`INSERT INTO presence SELECT * FROM presence_sorted`,
		`DROP TABLE presence_sorted`,
		// One span per vessel.
		`CREATE OR REPLACE TEMP TABLE spans_folded AS SELECT mmsi, sum(positions)::BIGINT, min(first_position), max(last_position)
    FROM position_spans GROUP BY mmsi ORDER BY mmsi`,
		`DELETE FROM position_spans`,
		`INSERT INTO position_spans SELECT * FROM spans_folded`,
		`DROP TABLE spans_folded`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%.50s: %w", q, err)
		}
	}
	return tx.Commit()
}
