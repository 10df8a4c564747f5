package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lookout-maritime/lookout/internal/store"
)

// AddListVersion implements store.ListStore.
func (s *Store) AddListVersion(ctx context.Context, v store.ListVersion, data []byte) (store.ListVersion, bool, error) {
	if v.Source == "" || v.SHA256 == "" {
		return store.ListVersion{}, false, fmt.Errorf("duckdb: add list version: %w: source and SHA-256 are required", store.ErrInvalid)
	}
	w, err := s.lockWriter()
	if err != nil {
		return store.ListVersion{}, false, fmt.Errorf("duckdb: add list version: %w", err)
	}
	defer s.mu.Unlock()
	tx, err := w.conn.BeginTx(ctx, nil)
	if err != nil {
		return store.ListVersion{}, false, fmt.Errorf("duckdb: add list version: %w", err)
	}
	defer tx.Rollback()
	old, err := scanListVersion(tx.QueryRowContext(ctx, `SELECT `+listCols+` FROM list_versions WHERE source = ? AND sha256 = ?`, v.Source, v.SHA256))
	switch {
	case err == nil:
		return old, false, nil
	case !isNoRows(err):
		return store.ListVersion{}, false, fmt.Errorf("duckdb: add list version: %w", err)
	}
	files := v.Files
	if files == nil {
		files = []string{}
	}
	v.Loaded = s.cfg.Now().UTC().Truncate(time.Microsecond)
	var published any
	if !v.Published.IsZero() {
		v.Published = v.Published.UTC().Truncate(time.Microsecond)
		published = v.Published
	}
	if err := tx.QueryRowContext(ctx, `INSERT INTO list_versions (id, source, format, published, sha256, files, loaded, entities, vessels, url, etag, last_modified, data)
VALUES (nextval('list_version_id'), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		v.Source, v.Format, published, v.SHA256, files, v.Loaded, v.Entities, v.Vessels, v.URL, v.ETag, v.LastModified, data).Scan(&v.ID); err != nil {
		return store.ListVersion{}, false, fmt.Errorf("duckdb: add list version: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return store.ListVersion{}, false, fmt.Errorf("duckdb: add list version: commit: %w", err)
	}
	v.Files = files
	return v, true, nil
}

const listCols = `id, source, format, published, sha256, files, loaded, entities, vessels, coalesce(url, ''), coalesce(etag, ''), coalesce(last_modified, '')`

func scanListVersion(r scanner) (store.ListVersion, error) {
	var (
		v         store.ListVersion
		published sql.NullTime
		files     []any
	)
	if err := r.Scan(&v.ID, &v.Source, &v.Format, &published, &v.SHA256, &files, &v.Loaded, &v.Entities, &v.Vessels, &v.URL, &v.ETag, &v.LastModified); err != nil {
		return store.ListVersion{}, err
	}
	if published.Valid {
		v.Published = published.Time.UTC()
	}
	v.Loaded = v.Loaded.UTC()
	v.Files = make([]string, 0, len(files))
	for _, f := range files {
		s, _ := f.(string)
		v.Files = append(v.Files, s)
	}
	return v, nil
}

// ListVersions implements store.ListStore.
func (s *Store) ListVersions(ctx context.Context) ([]store.ListVersion, error) {
	db, err := s.reader()
	if err != nil {
		return nil, fmt.Errorf("duckdb: list versions: %w", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT `+listCols+` FROM list_versions ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("duckdb: list versions: %w", err)
	}
	defer rows.Close()
	out := []store.ListVersion{}
	for rows.Next() {
		v, err := scanListVersion(rows)
		if err != nil {
			return nil, fmt.Errorf("duckdb: list versions: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("duckdb: list versions: %w", err)
	}
	return out, nil
}

// ListData implements store.ListStore.
func (s *Store) ListData(ctx context.Context, id int64) ([]byte, error) {
	db, err := s.reader()
	if err != nil {
		return nil, fmt.Errorf("duckdb: list data %d: %w", id, err)
	}
	var data []byte
	err = db.QueryRowContext(ctx, `SELECT data FROM list_versions WHERE id = ?`, id).Scan(&data)
	if isNoRows(err) {
		return nil, fmt.Errorf("duckdb: list data %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("duckdb: list data %d: %w", id, err)
	}
	return data, nil
}
