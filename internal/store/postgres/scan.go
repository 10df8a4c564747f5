package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/lookout-maritime/lookout/internal/vessel"
)

// ScanIdentities implements store.IdentityScanner. The identities table is
// one row per identity (far smaller than positions), so it is read in one
// snapshot and handed over in batches.
func (s *Store) ScanIdentities(ctx context.Context, fn func([]vessel.Identity) error) error {
	if err := s.enter(false); err != nil {
		return fmt.Errorf("postgres: scan identities: %w", err)
	}
	var all []vessel.Identity
	err := s.snapshot(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+identityCols+` FROM identities ORDER BY mmsi, first_seen, last_seen, key`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			id, _, err := scanIdentity(rows)
			if err != nil {
				return err
			}
			all = append(all, id)
		}
		return rows.Err()
	})
	s.leave()
	if err != nil {
		return fmt.Errorf("postgres: scan identities: %w", err)
	}
	for len(all) > 0 {
		n := min(len(all), scanBatch)
		if err := fn(all[:n]); err != nil {
			return err
		}
		all = all[n:]
	}
	return nil
}
