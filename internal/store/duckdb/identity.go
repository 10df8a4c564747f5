package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"
	"time"

	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

const identityCols = `mmsi, key, imo, name, callsign, shiptype, length, beam, flag, class, first_seen, last_seen, reports, source, destination`

// identityColsOf is identityCols qualified with a table alias.
func identityColsOf(alias string) string {
	cols := strings.Split(identityCols, ", ")
	for i, c := range cols {
		cols[i] = alias + "." + c
	}
	return strings.Join(cols, ", ")
}

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

// maxKnownIdentities bounds the writer's copy of the stored identities
// (writer.known): about 250 bytes each. Past it the copy starts afresh.
const maxKnownIdentities = 1 << 18

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
	// stored: the keys the table has; changed: those whose fields beyond
	// the times and report count change (seldom: a new destination).
	stored, changed := map[idKey]bool{}, map[idKey]bool{}
	merge := func(k idKey, old vessel.Identity) {
		m := store.MergeIdentity(old, merged[k])
		merged[k] = m
		stored[k] = true
		if m.Class != old.Class || m.Source != old.Source || m.Destination != old.Destination ||
			m.Length != old.Length || m.Beam != old.Beam {
			changed[k] = true
		}
	}
	// The stored identities the writer knows (an ingest's next batches
	// repeat its vessels) merge here; the others' keys go to stage_idkey
	// to be looked up. Then the new identities are inserted from stage_id
	// and the stored ones, merged, updated from stage_idupd (their key
	// columns stay as they are: an update is cheaper than a replacement,
	// which also rewrites the primary key's index).
	var unknown []idKey
	for _, k := range order {
		if old, ok := w.known[k]; ok {
			merge(k, old)
		} else {
			unknown = append(unknown, k)
		}
	}
	if _, err := w.conn.ExecContext(ctx, `DELETE FROM stage_idkey; DELETE FROM stage_id; DELETE FROM stage_idupd; DELETE FROM stage_idmore`); err != nil {
		return fmt.Errorf("clearing staging: %w", err)
	}
	if err := w.appendRows("stage_idkey", len(unknown), func(i int) []driver.Value {
		return []driver.Value{unknown[i].mmsi, unknown[i].key}
	}); err != nil {
		return err
	}
	tx, err := w.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	w.idLookups += len(unknown)
	if len(unknown) > 0 {
		// Merge with what is stored.
		rows, err := tx.QueryContext(ctx, `SELECT `+identityColsOf("i")+` FROM identities i JOIN stage_idkey k ON k.mmsi = i.mmsi AND k.key = i.key`)
		if err != nil {
			return fmt.Errorf("reading stored identities: %w", err)
		}
		for rows.Next() {
			old, key, err := scanIdentity(rows)
			if err != nil {
				rows.Close()
				return err
			}
			merge(idKey{old.MMSI, key}, old) // a key of unknown: of the call
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
	}
	var fresh, known, more []idKey
	for _, k := range order {
		switch {
		case !stored[k]:
			fresh = append(fresh, k)
		case changed[k]:
			more = append(more, k)
			fallthrough
		default:
			known = append(known, k)
		}
	}
	if err := w.appendIdentities("stage_id", fresh, merged); err != nil {
		return err
	}
	// Only the times and counts of most stored identities change: only
	// they are staged (a third of the columns, and no strings but the key).
	if err := w.appendRows("stage_idupd", len(known), func(i int) []driver.Value {
		id := merged[known[i]]
		return []driver.Value{id.MMSI, known[i].key, id.FirstSeen, id.LastSeen, int64(id.Reports)}
	}); err != nil {
		return err
	}
	if err := w.appendIdentities("stage_idmore", more, merged); err != nil {
		return err
	}
	if len(fresh) > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO identities SELECT `+identityCols+` FROM stage_id`); err != nil {
			return fmt.Errorf("writing identities: %w", err)
		}
	}
	// Updating the times and counts alone, which is what changes, is
	// cheaper than rewriting every column (the strings above all).
	if len(known) > 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE identities SET first_seen = u.first_seen, last_seen = u.last_seen, reports = u.reports
FROM stage_idupd u WHERE identities.mmsi = u.mmsi AND identities.key = u.key`); err != nil {
			return fmt.Errorf("updating identities: %w", err)
		}
	}
	if len(more) > 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE identities SET class = u.class, source = u.source, destination = u.destination,
    length = u.length, beam = u.beam
FROM stage_idmore u WHERE identities.mmsi = u.mmsi AND identities.key = u.key`); err != nil {
			return fmt.Errorf("updating identities: %w", err)
		}
	}
	// List the MMSIs new to the store (their summaries are computed when
	// read: vessels_view). A known identity's vessel is listed already.
	if len(unknown) > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO vessels SELECT DISTINCT s.mmsi FROM stage_idkey s
WHERE NOT EXISTS (SELECT 1 FROM vessels v WHERE v.mmsi = s.mmsi)`); err != nil {
			return fmt.Errorf("updating vessels: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		// A commit that failed may have been applied all the same:
		// these identities are read back next time. (Any earlier
		// failure rolled back, and w.known still holds the table's.)
		for _, k := range order {
			delete(w.known, k)
		}
		return fmt.Errorf("commit: %w", err)
	}
	// The table now holds merged[k] for every k of the call.
	if w.known == nil || len(w.known)+len(unknown) > maxKnownIdentities {
		w.known = make(map[idKey]vessel.Identity, len(order))
	}
	for _, k := range order {
		w.known[k] = merged[k]
	}
	return nil
}

// appendIdentities appends the identities of keys to the staging table.
func (w *writer) appendIdentities(table string, keys []idKey, m map[idKey]vessel.Identity) error {
	return w.appendRows(table, len(keys), func(i int) []driver.Value {
		id := m[keys[i]]
		return []driver.Value{id.MMSI, keys[i].key, id.IMO, id.Name, id.CallSign, id.ShipType, id.Length, id.Beam,
			id.Flag, classValue(id.Class), id.FirstSeen, id.LastSeen, int64(id.Reports), id.Source, id.Destination}
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
