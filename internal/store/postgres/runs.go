package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lookout-maritime/lookout/internal/store"
)

// BeginRun implements store.RunRecorder. The run's ID is drawn and its
// ownership lock taken before the row is visible, so no other process can
// see it running and unowned.
func (s *Store) BeginRun(ctx context.Context, sources []string) (store.RunID, error) {
	if err := s.enter(true); err != nil {
		return 0, fmt.Errorf("postgres: begin run: %w", err)
	}
	defer s.leave()
	if sources == nil {
		sources = []string{}
	}
	for _, src := range sources {
		if err := checkText("source", src); err != nil {
			return 0, fmt.Errorf("postgres: begin run: %w", err)
		}
	}
	s.runMu.Lock()
	defer s.runMu.Unlock()
	var id int64
	if err := s.runConn.QueryRow(ctx, `SELECT nextval('ingest_run_id')`).Scan(&id); err != nil {
		return 0, fmt.Errorf("postgres: begin run: %w", err)
	}
	if _, err := s.runConn.Exec(ctx, `SELECT pg_advisory_lock($1, $2)`, s.nsRuns, runObj(id)); err != nil {
		return 0, fmt.Errorf("postgres: begin run %d: taking its lock: %w", id, err)
	}
	if _, err := s.runConn.Exec(ctx, `INSERT INTO ingest_runs (id, started, sources, status) VALUES ($1, $2, $3, $4)`,
		id, s.cfg.Now().UTC().Truncate(time.Microsecond), sources, string(store.RunRunning)); err != nil {
		s.runConn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1, $2)`, s.nsRuns, runObj(id))
		return 0, fmt.Errorf("postgres: begin run %d: %w", id, err)
	}
	s.owned[id] = true
	return store.RunID(id), nil
}

// FinishRun implements store.RunRecorder.
func (s *Store) FinishRun(ctx context.Context, id store.RunID, res store.RunResult) error {
	if err := s.enter(true); err != nil {
		return fmt.Errorf("postgres: finish run %d: %w", id, err)
	}
	defer s.leave()
	if res.Status != store.RunOK && res.Status != store.RunFailed {
		return fmt.Errorf("postgres: finish run %d: %w: status %q", id, store.ErrInvalid, res.Status)
	}
	reasons := res.RejectedByReason
	if reasons == nil {
		reasons = map[string]int64{}
	}
	rj, err := json.Marshal(reasons)
	if err != nil {
		return fmt.Errorf("postgres: finish run %d: %w", id, err)
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var status string
		switch err := tx.QueryRow(ctx, `SELECT status FROM ingest_runs WHERE id = $1 FOR UPDATE`, int64(id)).Scan(&status); {
		case errors.Is(err, pgx.ErrNoRows):
			return store.ErrNotFound
		case err != nil:
			return err
		case status != string(store.RunRunning):
			return fmt.Errorf("%w (it is %s)", store.ErrRunState, status)
		}
		_, err := tx.Exec(ctx, `UPDATE ingest_runs SET finished = $1, status = $2, lines = $3, decoded = $4, rejected = $5, rejected_by_reason = $6 WHERE id = $7`,
			s.cfg.Now().UTC().Truncate(time.Microsecond), string(res.Status), res.Lines, res.Decoded, res.Rejected, string(rj), int64(id))
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: finish run %d: %w", id, err)
	}
	// The run is over: release its ownership lock if this process holds it
	// (a run begun by another process has none here).
	s.runMu.Lock()
	defer s.runMu.Unlock()
	if s.owned[int64(id)] {
		if _, err := s.runConn.Exec(ctx, `SELECT pg_advisory_unlock($1, $2)`, s.nsRuns, runObj(int64(id))); err != nil {
			return fmt.Errorf("postgres: finish run %d: releasing its lock: %w", id, err)
		}
		delete(s.owned, int64(id))
	}
	return nil
}

const runCols = `id, started, finished, sources, status, lines, decoded, rejected, rejected_by_reason, positions_added, duplicates_skipped`

func scanRun(r pgx.Row) (store.IngestRun, error) {
	var (
		run      store.IngestRun
		id       int64
		finished *time.Time
		status   string
		reasons  map[string]int64
	)
	if err := r.Scan(&id, &run.Started, &finished, &run.Sources, &status, &run.Lines, &run.Decoded, &run.Rejected, &reasons,
		&run.PositionsAdded, &run.DuplicatesSkipped); err != nil {
		return store.IngestRun{}, err
	}
	run.ID = store.RunID(id)
	run.Started = run.Started.UTC()
	run.Finished = utc(finished)
	if run.Sources == nil {
		run.Sources = []string{}
	}
	run.Status = store.RunStatus(status)
	run.RejectedByReason = reasons
	if run.RejectedByReason == nil {
		run.RejectedByReason = map[string]int64{}
	}
	return run, nil
}

// Run implements store.RunReader.
func (s *Store) Run(ctx context.Context, id store.RunID) (store.IngestRun, error) {
	if err := s.enter(false); err != nil {
		return store.IngestRun{}, fmt.Errorf("postgres: run %d: %w", id, err)
	}
	defer s.leave()
	run, err := scanRun(s.pool.QueryRow(ctx, `SELECT `+runCols+` FROM ingest_runs WHERE id = $1`, int64(id)))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.IngestRun{}, fmt.Errorf("postgres: run %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.IngestRun{}, fmt.Errorf("postgres: run %d: %w", id, err)
	}
	return run, nil
}

// Runs implements store.RunReader.
func (s *Store) Runs(ctx context.Context) ([]store.IngestRun, error) {
	if err := s.enter(false); err != nil {
		return nil, fmt.Errorf("postgres: runs: %w", err)
	}
	defer s.leave()
	rows, err := s.pool.Query(ctx, `SELECT `+runCols+` FROM ingest_runs ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("postgres: runs: %w", err)
	}
	runs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.IngestRun, error) { return scanRun(r) })
	if err != nil {
		return nil, fmt.Errorf("postgres: runs: %w", err)
	}
	if runs == nil {
		runs = []store.IngestRun{}
	}
	return runs, nil
}
