package duckdb

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// LatestPositions returns, for every vessel with a position in
// [at-maxAge, at) inside box (nil: everywhere), its latest such position,
// ordered by MMSI; at most limit vessels (0: all). It is the map's vessel
// layer at one moment: one grouped query instead of a track per vessel.
// A box with MinLon > MaxLon crosses the antimeridian.
func (s *Store) LatestPositions(ctx context.Context, at time.Time, maxAge time.Duration, box *store.BBox, limit int) ([]vessel.TrackPoint, error) {
	db, err := s.reader()
	if err != nil {
		return nil, fmt.Errorf("duckdb: latest positions: %w", err)
	}
	if maxAge <= 0 {
		return nil, fmt.Errorf("duckdb: latest positions: %w: max age %v", store.ErrInvalid, maxAge)
	}
	conds, err := timeRange(nil, "time", at.Add(-maxAge), at)
	if err != nil {
		return nil, fmt.Errorf("duckdb: latest positions: %w", err)
	}
	if box != nil {
		conds = append(conds, "lat >= "+floatLiteral(box.MinLat), "lat <= "+floatLiteral(box.MaxLat))
		lon := "lon >= " + floatLiteral(box.MinLon) + " AND lon <= " + floatLiteral(box.MaxLon)
		if box.MinLon > box.MaxLon {
			lon = "(lon >= " + floatLiteral(box.MinLon) + " OR lon <= " + floatLiteral(box.MaxLon) + ")"
		}
		conds = append(conds, lon)
	}
	q := `SELECT ` + positionCols + ` FROM positions WHERE ` + strings.Join(conds, " AND ") +
		` QUALIFY row_number() OVER (PARTITION BY mmsi ORDER BY time DESC, lat DESC, lon DESC) = 1 ORDER BY mmsi`
	if limit > 0 {
		q += ` LIMIT ` + strconv.Itoa(limit)
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("duckdb: latest positions: %w", err)
	}
	defer rows.Close()
	out := []vessel.TrackPoint{}
	if err := eachPosition(ctx, db, rows, func(p vessel.TrackPoint) error { out = append(out, p); return nil }); err != nil {
		return nil, fmt.Errorf("duckdb: latest positions: %w", err)
	}
	return out, nil
}
