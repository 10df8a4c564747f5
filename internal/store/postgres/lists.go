package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lookout-maritime/lookout/internal/store"
)

const listCols = `id, source, format, published, sha256, files, loaded, entities, vessels, coalesce(url, ''), coalesce(etag, ''), coalesce(last_modified, '')`

// AddListVersion implements store.ListStore.
func (s *Store) AddListVersion(ctx context.Context, v store.ListVersion, data []byte) (store.ListVersion, bool, error) {
	if err := s.enter(true); err != nil {
		return store.ListVersion{}, false, fmt.Errorf("postgres: add list version: %w", err)
	}
	defer s.leave()
	if v.Source == "" || v.SHA256 == "" {
		return store.ListVersion{}, false, fmt.Errorf("postgres: add list version: %w: source and SHA-256 are required", store.ErrInvalid)
	}
	for _, f := range append([]string{v.Source, v.Format, v.SHA256, v.URL, v.ETag, v.LastModified}, v.Files...) {
		if err := checkText("list version field", f); err != nil {
			return store.ListVersion{}, false, fmt.Errorf("postgres: add list version: %w", err)
		}
	}
	if data == nil {
		data = []byte{}
	}
	if v.Files == nil {
		v.Files = []string{}
	}
	v.Loaded = s.cfg.Now().UTC().Truncate(time.Microsecond)
	var published *time.Time
	if !v.Published.IsZero() {
		v.Published = v.Published.UTC().Truncate(time.Microsecond)
		published = &v.Published
	}
	var (
		out   store.ListVersion
		added bool
	)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `INSERT INTO list_versions (source, format, published, sha256, files, loaded, entities, vessels, url, etag, last_modified, data)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (source, sha256) DO NOTHING RETURNING id`,
			v.Source, v.Format, published, v.SHA256, v.Files, v.Loaded, v.Entities, v.Vessels, v.URL, v.ETag, v.LastModified, data).Scan(&id)
		switch {
		case err == nil:
			out, added = v, true
			out.ID = id
			return nil
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		// Stored already (perhaps by a concurrent load of the same file).
		out, err = scanListVersion(tx.QueryRow(ctx, `SELECT `+listCols+` FROM list_versions WHERE source = $1 AND sha256 = $2`, v.Source, v.SHA256))
		return err
	})
	if err != nil {
		return store.ListVersion{}, false, fmt.Errorf("postgres: add list version: %w", err)
	}
	return out, added, nil
}

func scanListVersion(r pgx.Row) (store.ListVersion, error) {
	var (
		v                 store.ListVersion
		published         *time.Time
		entities, vessels int32
	)
	if err := r.Scan(&v.ID, &v.Source, &v.Format, &published, &v.SHA256, &v.Files, &v.Loaded, &entities, &vessels, &v.URL, &v.ETag, &v.LastModified); err != nil {
		return store.ListVersion{}, err
	}
	v.Entities, v.Vessels = int(entities), int(vessels)
	v.Published = utc(published)
	v.Loaded = v.Loaded.UTC()
	if v.Files == nil {
		v.Files = []string{}
	}
	return v, nil
}

// ListVersions implements store.ListStore.
func (s *Store) ListVersions(ctx context.Context) ([]store.ListVersion, error) {
	if err := s.enter(false); err != nil {
		return nil, fmt.Errorf("postgres: list versions: %w", err)
	}
	defer s.leave()
	rows, err := s.pool.Query(ctx, `SELECT `+listCols+` FROM list_versions ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("postgres: list versions: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.ListVersion, error) { return scanListVersion(r) })
	if err != nil {
		return nil, fmt.Errorf("postgres: list versions: %w", err)
	}
	if out == nil {
		out = []store.ListVersion{}
	}
	return out, nil
}

// ListData implements store.ListStore.
func (s *Store) ListData(ctx context.Context, id int64) ([]byte, error) {
	if err := s.enter(false); err != nil {
		return nil, fmt.Errorf("postgres: list data %d: %w", id, err)
	}
	defer s.leave()
	var data []byte
	err := s.pool.QueryRow(ctx, `SELECT data FROM list_versions WHERE id = $1`, id).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("postgres: list data %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: list data %d: %w", id, err)
	}
	return data, nil
}
