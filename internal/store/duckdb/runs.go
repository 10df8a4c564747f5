package duckdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lookout-maritime/lookout/internal/store"
)

// BeginRun implements store.RunRecorder.
func (s *Store) BeginRun(ctx context.Context, sources []string) (store.RunID, error) {
	w, err := s.lockWriter()
	if err != nil {
		return 0, fmt.Errorf("duckdb: begin run: %w", err)
	}
	defer s.mu.Unlock()
	if sources == nil {
		sources = []string{}
	}
	var id int64
	err = w.conn.QueryRowContext(ctx, `INSERT INTO ingest_runs (id, started, sources, status)
VALUES (nextval('ingest_run_id'), ?, ?, ?) RETURNING id`,
		s.cfg.Now().UTC().Truncate(time.Microsecond), sources, string(store.RunRunning)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("duckdb: begin run: %w", err)
	}
	return store.RunID(id), nil
}

// FinishRun implements store.RunRecorder.
func (s *Store) FinishRun(ctx context.Context, id store.RunID, res store.RunResult) error {
	w, err := s.lockWriter()
	if err != nil {
		return fmt.Errorf("duckdb: finish run %d: %w", id, err)
	}
	defer s.mu.Unlock()
	if res.Status != store.RunOK && res.Status != store.RunFailed {
		return fmt.Errorf("duckdb: finish run %d: %w: status %q", id, store.ErrInvalid, res.Status)
	}
	reasons := res.RejectedByReason
	if reasons == nil {
		reasons = map[string]int64{}
	}
	rj, err := json.Marshal(reasons)
	if err != nil {
		return fmt.Errorf("duckdb: finish run %d: %w", id, err)
	}
	tx, err := w.conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("duckdb: finish run %d: %w", id, err)
	}
	defer tx.Rollback()
	var status string
	switch err := tx.QueryRowContext(ctx, `SELECT status FROM ingest_runs WHERE id = ?`, int64(id)).Scan(&status); {
	case isNoRows(err):
		return fmt.Errorf("duckdb: finish run %d: %w", id, store.ErrNotFound)
	case err != nil:
		return fmt.Errorf("duckdb: finish run %d: %w", id, err)
	case status != string(store.RunRunning):
		return fmt.Errorf("duckdb: finish run %d: %w (it is %s)", id, store.ErrRunState, status)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE ingest_runs SET finished = ?, status = ?, lines = ?, decoded = ?, rejected = ?, rejected_by_reason = ? WHERE id = ?`,
		s.cfg.Now().UTC().Truncate(time.Microsecond), string(res.Status), res.Lines, res.Decoded, res.Rejected, string(rj), int64(id)); err != nil {
		return fmt.Errorf("duckdb: finish run %d: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("duckdb: finish run %d: commit: %w", id, err)
	}
	return nil
}

const runCols = `id, started, finished, sources, status, lines, decoded, rejected, rejected_by_reason::VARCHAR, positions_added, duplicates_skipped`

func scanRun(r scanner) (store.IngestRun, error) {
	var (
		run      store.IngestRun
		id       int64
		finished sql.NullTime
		sources  []any
		status   string
		reasons  sql.NullString
	)
	if err := r.Scan(&id, &run.Started, &finished, &sources, &status, &run.Lines, &run.Decoded, &run.Rejected, &reasons,
		&run.PositionsAdded, &run.DuplicatesSkipped); err != nil {
		return store.IngestRun{}, err
	}
	run.ID = store.RunID(id)
	run.Started = run.Started.UTC()
	if finished.Valid {
		run.Finished = finished.Time.UTC()
	}
	run.Sources = make([]string, 0, len(sources))
	for _, s := range sources {
		str, _ := s.(string)
		run.Sources = append(run.Sources, str)
	}
	run.Status = store.RunStatus(status)
	run.RejectedByReason = map[string]int64{}
	if reasons.Valid && reasons.String != "" {
		if err := json.Unmarshal([]byte(reasons.String), &run.RejectedByReason); err != nil {
			return store.IngestRun{}, fmt.Errorf("run %d: rejected_by_reason: %w", id, err)
		}
	}
	return run, nil
}

// Run implements store.RunReader.
func (s *Store) Run(ctx context.Context, id store.RunID) (store.IngestRun, error) {
	db, err := s.reader()
	if err != nil {
		return store.IngestRun{}, fmt.Errorf("duckdb: run %d: %w", id, err)
	}
	run, err := scanRun(db.QueryRowContext(ctx, `SELECT `+runCols+` FROM ingest_runs WHERE id = ?`, int64(id)))
	if isNoRows(err) {
		return store.IngestRun{}, fmt.Errorf("duckdb: run %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.IngestRun{}, fmt.Errorf("duckdb: run %d: %w", id, err)
	}
	return run, nil
}

// Runs implements store.RunReader.
func (s *Store) Runs(ctx context.Context) ([]store.IngestRun, error) {
	db, err := s.reader()
	if err != nil {
		return nil, fmt.Errorf("duckdb: runs: %w", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT `+runCols+` FROM ingest_runs ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("duckdb: runs: %w", err)
	}
	defer rows.Close()
	runs := []store.IngestRun{}
	for rows.Next() {
		run, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("duckdb: runs: %w", err)
		}
		runs = append(runs, run)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("duckdb: runs: %w", err)
	}
	return runs, nil
}
