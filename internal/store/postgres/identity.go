package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

const identityCols = `mmsi, key, imo, name, callsign, shiptype, length, beam, flag, class, first_seen, last_seen, reports, source, destination`

type idKey struct {
	mmsi uint32
	key  string
}

// UpsertIdentities implements store.IdentityWriter. The merge rule
// (store.MergeIdentity) runs in Go on the stored rows, read under
// per-MMSI advisory locks so that concurrent writers of one vessel apply
// one after the other; writers of different vessels do not wait.
func (s *Store) UpsertIdentities(ctx context.Context, ids []vessel.Identity) error {
	if err := s.enter(true); err != nil {
		return fmt.Errorf("postgres: upsert identities: %w", err)
	}
	defer s.leave()
	if len(ids) == 0 {
		return nil
	}
	if err := retry(ctx, func() error { return s.upsertIdentities(ctx, ids) }); err != nil {
		return fmt.Errorf("postgres: upsert %d identities: %w", len(ids), err)
	}
	return nil
}

func (s *Store) upsertIdentities(ctx context.Context, ids []vessel.Identity) error {
	// Fold repeats within the call, in order.
	merged := map[idKey]vessel.Identity{}
	var order []idKey
	for _, id := range ids {
		if id.FirstSeen.IsZero() || id.LastSeen.IsZero() || id.LastSeen.Before(id.FirstSeen) {
			return fmt.Errorf("%w: identity %s: first/last seen %v..%v", store.ErrInvalid, id.Key(), id.FirstSeen, id.LastSeen)
		}
		for _, f := range []struct{ name, v string }{{"name", id.Name}, {"call sign", id.CallSign}, {"flag", id.Flag},
			{"source", id.Source}, {"destination", id.Destination}} {
			if err := checkText(f.name, f.v); err != nil {
				return fmt.Errorf("identity of mmsi %d: %w", id.MMSI, err)
			}
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
	var locks []int32
	var mmsis []int64
	for _, k := range order {
		locks = append(locks, int32(k.mmsi))
		mmsis = append(mmsis, int64(k.mmsi))
	}
	slices.Sort(locks)
	locks = slices.Compact(locks)
	slices.Sort(mmsis)
	mmsis = slices.Compact(mmsis)
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// unnest yields the sorted array in order: locks are taken in one
		// global order, so writers cannot deadlock on them.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, m) FROM unnest($2::integer[]) AS m`, s.nsIdentity, locks); err != nil {
			return fmt.Errorf("locking vessels: %w", err)
		}
		keyM := make([]int64, len(order))
		keyK := make([]string, len(order))
		for i, k := range order {
			keyM[i], keyK[i] = int64(k.mmsi), k.key
		}
		rows, err := tx.Query(ctx, `SELECT `+identityCols+` FROM identities
WHERE (mmsi, key) IN (SELECT * FROM unnest($1::bigint[], $2::text[]))`, keyM, keyK)
		if err != nil {
			return fmt.Errorf("reading stored identities: %w", err)
		}
		for rows.Next() {
			old, key, err := scanIdentity(rows)
			if err != nil {
				rows.Close()
				return err
			}
			k := idKey{old.MMSI, key}
			if next, ok := merged[k]; ok {
				merged[k] = store.MergeIdentity(old, next)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("reading stored identities: %w", err)
		}
		var c identityColumns
		for _, k := range order {
			c.add(k.key, merged[k])
		}
		if _, err := tx.Exec(ctx, `INSERT INTO identities (`+identityCols+`)
SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::smallint[], $7::integer[], $8::integer[],
    $9::text[], $10::text[], $11::timestamptz[], $12::timestamptz[], $13::bigint[], $14::text[], $15::text[])
ON CONFLICT (mmsi, key) DO UPDATE SET
    imo = excluded.imo, name = excluded.name, callsign = excluded.callsign, shiptype = excluded.shiptype,
    length = excluded.length, beam = excluded.beam, flag = excluded.flag, class = excluded.class,
    first_seen = excluded.first_seen, last_seen = excluded.last_seen, reports = excluded.reports,
    source = excluded.source, destination = excluded.destination`, c.args()...); err != nil {
			return fmt.Errorf("writing identities: %w", err)
		}
		// Refresh the summaries of the MMSIs touched.
		if _, err := tx.Exec(ctx, `INSERT INTO vessels AS v (mmsi, imo, name, callsign, shiptype, length, beam, flag, class, identities, first_seen, last_seen)
SELECT l.mmsi, l.imo, l.name, l.callsign, l.shiptype, l.length, l.beam, l.flag, l.class, c.n, c.first_seen, c.last_seen
FROM (SELECT DISTINCT ON (mmsi) * FROM identities WHERE mmsi = ANY($1::bigint[])
      ORDER BY mmsi, last_seen DESC, first_seen DESC, key) l
JOIN (SELECT mmsi, count(*) AS n, min(first_seen) AS first_seen, max(last_seen) AS last_seen
      FROM identities WHERE mmsi = ANY($1::bigint[]) GROUP BY mmsi) c USING (mmsi)
ORDER BY l.mmsi
ON CONFLICT (mmsi) DO UPDATE SET
    imo = excluded.imo, name = excluded.name, callsign = excluded.callsign, shiptype = excluded.shiptype,
    length = excluded.length, beam = excluded.beam, flag = excluded.flag, class = excluded.class,
    identities = excluded.identities,
    first_seen = least(v.first_seen, excluded.first_seen),
    last_seen = greatest(v.last_seen, excluded.last_seen)`, mmsis); err != nil {
			return fmt.Errorf("updating vessels: %w", err)
		}
		return nil
	})
}

// identityColumns holds identities column by column for unnest.
type identityColumns struct {
	mmsi, imo, reports                []int64
	key, name, call, flag, src, destn []string
	shipType                          []int16
	length, beam                      []int32
	class                             []*string
	first, last                       []time.Time
}

func (c *identityColumns) add(key string, id vessel.Identity) {
	c.mmsi = append(c.mmsi, int64(id.MMSI))
	c.key = append(c.key, key)
	c.imo = append(c.imo, int64(id.IMO))
	c.name = append(c.name, id.Name)
	c.call = append(c.call, id.CallSign)
	c.shipType = append(c.shipType, int16(id.ShipType))
	c.length = append(c.length, int32(id.Length))
	c.beam = append(c.beam, int32(id.Beam))
	c.flag = append(c.flag, id.Flag)
	var cl *string
	if id.Class != vessel.ClassUnknown {
		s := string(rune(id.Class))
		cl = &s
	}
	c.class = append(c.class, cl)
	c.first = append(c.first, id.FirstSeen)
	c.last = append(c.last, id.LastSeen)
	c.reports = append(c.reports, int64(id.Reports))
	c.src = append(c.src, id.Source)
	c.destn = append(c.destn, id.Destination)
}

func (c *identityColumns) args() []any {
	return []any{c.mmsi, c.key, c.imo, c.name, c.call, c.shipType, c.length, c.beam, c.flag, c.class, c.first, c.last,
		c.reports, c.src, c.destn}
}

// classValue is the schema's form of a class: a one-letter string or NULL.
func classValue(c vessel.Class) any {
	if c == vessel.ClassUnknown {
		return nil
	}
	return string(rune(c))
}

func classFrom(s *string) vessel.Class {
	if s == nil || *s == "" {
		return vessel.ClassUnknown
	}
	return vessel.Class((*s)[0])
}

// scanIdentity reads a row of identityCols.
func scanIdentity(r pgx.Row) (vessel.Identity, string, error) {
	var (
		id              vessel.Identity
		key             string
		mmsi, imo, reps int64
		shipType        int16
		length, beam    int32
		class           *string
	)
	if err := r.Scan(&mmsi, &key, &imo, &id.Name, &id.CallSign, &shipType, &length, &beam, &id.Flag,
		&class, &id.FirstSeen, &id.LastSeen, &reps, &id.Source, &id.Destination); err != nil {
		return vessel.Identity{}, "", fmt.Errorf("reading identity: %w", err)
	}
	id.MMSI, id.IMO, id.ShipType, id.Length, id.Beam = uint32(mmsi), uint32(imo), uint8(shipType), uint16(length), uint16(beam)
	id.Class = classFrom(class)
	id.Reports = int(reps)
	id.FirstSeen = id.FirstSeen.UTC()
	id.LastSeen = id.LastSeen.UTC()
	return id, key, nil
}
