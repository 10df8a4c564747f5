package duckdb

import (
	"context"
	"fmt"

	"github.com/lookout-maritime/lookout/internal/vessel"
)

// ScanIdentities implements store.IdentityScanner with one ordered query.
func (s *Store) ScanIdentities(ctx context.Context, fn func([]vessel.Identity) error) error {
	db, err := s.reader()
	if err != nil {
		return fmt.Errorf("duckdb: scan identities: %w", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT `+identityCols+` FROM identities ORDER BY mmsi, first_seen, last_seen, key`)
	if err != nil {
		return fmt.Errorf("duckdb: scan identities: %w", err)
	}
	defer rows.Close()
	batch := make([]vessel.Identity, 0, scanBatch)
	for rows.Next() {
		id, _, err := scanIdentity(rows)
		if err != nil {
			return fmt.Errorf("duckdb: scan identities: %w", err)
		}
		if batch = append(batch, id); len(batch) == scanBatch {
			if err := fn(batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("duckdb: scan identities: %w", err)
	}
	if len(batch) > 0 {
		return fn(batch)
	}
	return nil
}
