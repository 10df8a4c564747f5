package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"time"

	duckdbdrv "github.com/duckdb/duckdb-go/v2"

	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

const identityCols = `mmsi, key, imo, name, callsign, shiptype, length, beam, flag, class, first_seen, last_seen, reports, source, destination`

// UpsertIdentities implements store.IdentityWriter.
func (s *Store) UpsertIdentities(ctx context.Context, ids []vessel.Identity) error {
	w, err := s.lockWriter()
	if err != nil {
		return fmt.Errorf("duckdb: upsert identities: %w", err)
	}
	defer s.mu.Unlock()
	if len(ids) == 0 {
		return nil
	}
	if err := w.upsertIdentities(ctx, ids); err != nil {
		return fmt.Errorf("duckdb: upsert %d identities: %w", len(ids), err)
	}
	return nil
}

type idKey struct {
	mmsi uint32
	key  string
}

func (w *writer) upsertIdentities(ctx context.Context, ids []vessel.Identity) error {
	// Fold repeats within the call, in order.
	merged := map[idKey]vessel.Identity{}
	var order []idKey
	for _, id := range ids {
		if id.FirstSeen.IsZero() || id.LastSeen.IsZero() || id.LastSeen.Before(id.FirstSeen) {
			return fmt.Errorf("%w: identity %s: first/last seen %v..%v", store.ErrInvalid, id.Key(), id.FirstSeen, id.LastSeen)
		}
		id.FirstSeen = id.FirstSeen.UTC().Truncate(time.Microsecond)
		id.LastSeen = id.LastSeen.UTC().Truncate(time.Microsecond)
		k := idKey{id.MMSI, id.Key()}
		if old, ok := merged[k]; ok {
			merged[k] = store.MergeIdentity(old, id)
			continue
		}
		merged[k] = id
		order = append(order, k)
	}
	if _, err := w.conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE stage_id AS SELECT `+identityCols+` FROM identities LIMIT 0`); err != nil {
		return err
	}
	if err := w.appendIdentities(order, merged); err != nil {
		return err
	}
	tx, err := w.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// Merge with what is stored.
	rows, err := tx.QueryContext(ctx, `SELECT `+identityCols+` FROM identities i
WHERE (i.mmsi, i.key) IN (SELECT (mmsi, key) FROM stage_id)`)
	if err != nil {
		return fmt.Errorf("reading stored identities: %w", err)
	}
	changed := false
	for rows.Next() {
		old, key, err := scanIdentity(rows)
		if err != nil {
			rows.Close()
			return err
		}
		k := idKey{old.MMSI, key}
		if next, ok := merged[k]; ok {
			merged[k] = store.MergeIdentity(old, next)
			changed = true
		}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if changed {
		if _, err := tx.ExecContext(ctx, `DELETE FROM stage_id`); err != nil {
			return err
		}
		if err := w.appendIdentities(order, merged); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO identities SELECT `+identityCols+` FROM stage_id`); err != nil {
		return fmt.Errorf("writing identities: %w", err)
	}
	// Refresh the summaries of the MMSIs touched.
	if _, err := tx.ExecContext(ctx, `INSERT INTO vessels (mmsi, imo, name, callsign, shiptype, length, beam, flag, class, identities, first_seen, last_seen)
SELECT l.mmsi, l.imo, l.name, l.callsign, l.shiptype, l.length, l.beam, l.flag, l.class, c.n, c.first_seen, c.last_seen
FROM (SELECT * FROM identities WHERE mmsi IN (SELECT mmsi FROM stage_id)
      QUALIFY row_number() OVER (PARTITION BY mmsi ORDER BY last_seen DESC, first_seen DESC, key) = 1) l
JOIN (SELECT mmsi, count(*) AS n, min(first_seen) AS first_seen, max(last_seen) AS last_seen
      FROM identities WHERE mmsi IN (SELECT mmsi FROM stage_id) GROUP BY mmsi) c USING (mmsi)
ON CONFLICT (mmsi) DO UPDATE SET
    imo = excluded.imo, name = excluded.name, callsign = excluded.callsign, shiptype = excluded.shiptype,
    length = excluded.length, beam = excluded.beam, flag = excluded.flag, class = excluded.class,
    identities = excluded.identities,
    first_seen = least(vessels.first_seen, excluded.first_seen),
    last_seen = greatest(vessels.last_seen, excluded.last_seen)`); err != nil {
		return fmt.Errorf("updating vessels: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func (w *writer) appendIdentities(order []idKey, m map[idKey]vessel.Identity) error {
	return w.conn.Raw(func(dc any) error {
		app, err := duckdbdrv.NewAppender(dc.(driver.Conn), "temp", "main", "stage_id")
		if err != nil {
			return err
		}
		for _, k := range order {
			id := m[k]
			if err := app.AppendRow(id.MMSI, k.key, id.IMO, id.Name, id.CallSign, id.ShipType, id.Length, id.Beam,
				id.Flag, classValue(id.Class), id.FirstSeen, id.LastSeen, int64(id.Reports), id.Source, id.Destination); err != nil {
				app.Close()
				return err
			}
		}
		return app.Close()
	})
}

// classValue is the schema's form of a class: a one-letter string or NULL.
func classValue(c vessel.Class) driver.Value {
	if c == vessel.ClassUnknown {
		return nil
	}
	return string(rune(c))
}

func classFrom(s sql.NullString) vessel.Class {
	if !s.Valid || s.String == "" {
		return vessel.ClassUnknown
	}
	return vessel.Class(s.String[0])
}

type scanner interface{ Scan(...any) error }

// scanIdentity reads a row of identityCols.
func scanIdentity(r scanner) (vessel.Identity, string, error) {
	var (
		id    vessel.Identity
		key   string
		class sql.NullString
		rep   int64
	)
	if err := r.Scan(&id.MMSI, &key, &id.IMO, &id.Name, &id.CallSign, &id.ShipType, &id.Length, &id.Beam, &id.Flag,
		&class, &id.FirstSeen, &id.LastSeen, &rep, &id.Source, &id.Destination); err != nil {
		return vessel.Identity{}, "", fmt.Errorf("reading identity: %w", err)
	}
	id.Class = classFrom(class)
	id.Reports = int(rep)
	id.FirstSeen = id.FirstSeen.UTC()
	id.LastSeen = id.LastSeen.UTC()
	return id, key, nil
}
