// Package parquet writes tracks and positions as GeoParquet through an
// in-memory DuckDB: the geometry is built as WKB here, turned into
// DuckDB's GEOMETRY type with ST_GeomFromWKB (a core function since DuckDB
// 1.5, no spatial extension needed), and DuckDB's Parquet writer adds the
// GeoParquet "geo" file metadata (encoding WKB, geometry types, bbox; CRS
// omitted, which means OGC:CRS84 longitude/latitude). Plain lat/lon
// columns are kept beside the geometry for tools that ignore it.
//
// It lives apart from package export so that the pure writers need no cgo.
package parquet

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/lookout-maritime/lookout/internal/export"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// Config tunes the writers. The zero value is usable.
type Config struct {
	// TempDir holds the Parquet file while DuckDB writes it; "" is
	// os.TempDir().
	TempDir string
	// Compression is the Parquet codec: "zstd" (default), "snappy",
	// "uncompressed".
	Compression string
}

// WritePositions writes one row per position: mmsi, time (TIMESTAMPTZ),
// lat, lon, sog, cog, heading, status, class, msg_type, source, segment,
// imo, name, callsign, flag, and geometry (Point).
func WritePositions(ctx context.Context, w io.Writer, tracks []export.Track, cfg Config) error {
	if err := export.Check(tracks); err != nil {
		return err
	}
	const ddl = `CREATE TABLE t (mmsi UINTEGER, time TIMESTAMPTZ, lat DOUBLE, lon DOUBLE, sog FLOAT, cog FLOAT,
heading USMALLINT, status UTINYINT, class VARCHAR, msg_type UTINYINT, source VARCHAR, segment UINTEGER,
imo UINTEGER, name VARCHAR, callsign VARCHAR, flag VARCHAR, wkb BLOB)`
	return write(ctx, w, cfg, ddl, func(app *duckdb.Appender) error {
		var buf []byte
		for i := range tracks {
			t := &tracks[i]
			id := export.IdentityOf(t)
			for _, p := range t.Points {
				buf = export.AppendWKBPoint(buf[:0], export.Coord{p.Lon, p.Lat})
				if err := app.AppendRow(p.MMSI, p.Time.UTC(), p.Lat, p.Lon, optFloat(p.SOG), optFloat(p.COG), optHeading(p.Heading),
					p.Status, optClass(p.Class), p.MsgType, p.Source, p.Segment, optIMO(id.IMO), id.Name, id.CallSign, id.Flag,
					append([]byte(nil), buf...)); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// WriteTracks writes one row per segment: mmsi, segment, start, end,
// points, imo, name, callsign, flag, and geometry (LineString,
// MultiLineString across the antimeridian, Point for a single position).
func WriteTracks(ctx context.Context, w io.Writer, tracks []export.Track, cfg Config) error {
	if err := export.Check(tracks); err != nil {
		return err
	}
	const ddl = `CREATE TABLE t (mmsi UINTEGER, segment UINTEGER, start TIMESTAMPTZ, "end" TIMESTAMPTZ, points INTEGER,
imo UINTEGER, name VARCHAR, callsign VARCHAR, flag VARCHAR, wkb BLOB)`
	return write(ctx, w, cfg, ddl, func(app *duckdb.Appender) error {
		for i := range tracks {
			t := &tracks[i]
			id := export.IdentityOf(t)
			for _, seg := range export.Segments(t.Points) {
				first, last := seg.Points[0], seg.Points[len(seg.Points)-1]
				if err := app.AppendRow(t.MMSI, seg.Number, first.Time.UTC(), last.Time.UTC(), int32(len(seg.Points)),
					optIMO(id.IMO), id.Name, id.CallSign, id.Flag, export.SegmentWKB(seg)); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// write loads rows into table t of a fresh in-memory DuckDB and copies it,
// the WKB column as GEOMETRY named geometry, to w as Parquet.
func write(ctx context.Context, w io.Writer, cfg Config, ddl string, fill func(*duckdb.Appender) error) error {
	codec := strings.ToLower(cfg.Compression)
	switch codec {
	case "":
		codec = "zstd"
	case "zstd", "snappy", "uncompressed", "gzip":
	default:
		return fmt.Errorf("export: parquet: unknown compression %q", cfg.Compression)
	}
	dir, err := os.MkdirTemp(cfg.TempDir, "lookout-parquet-")
	if err != nil {
		return fmt.Errorf("export: parquet: %w", err)
	}
	defer os.RemoveAll(dir)
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return fmt.Errorf("export: parquet: %w", err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("export: parquet: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SET TimeZone = 'UTC'; "+ddl); err != nil {
		return fmt.Errorf("export: parquet: %w", err)
	}
	err = conn.Raw(func(dc any) error {
		app, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", "t")
		if err != nil {
			return err
		}
		if err := fill(app); err != nil {
			app.Close()
			return err
		}
		return app.Close()
	})
	if err != nil {
		return fmt.Errorf("export: parquet: loading rows: %w", err)
	}
	path := filepath.Join(dir, "out.parquet")
	q := fmt.Sprintf(`COPY (SELECT * EXCLUDE (wkb), ST_GeomFromWKB(wkb) AS geometry FROM t)
TO '%s' (FORMAT PARQUET, COMPRESSION %s)`, strings.ReplaceAll(path, "'", "''"), codec)
	if _, err := conn.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("export: parquet: writing: %w", err)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("export: parquet: %w", err)
	}
	defer f.Close()
	if _, err := io.Copy(w, f); err != nil {
		return fmt.Errorf("export: parquet: %w", err)
	}
	return nil
}

func optFloat(v float32) any {
	if v != v {
		return nil
	}
	return v
}

func optHeading(h uint16) any {
	if h == 511 {
		return nil
	}
	return h
}

func optClass(c vessel.Class) any {
	if c == 0 {
		return nil
	}
	return string(rune(c))
}

func optIMO(imo uint32) any {
	if imo == 0 {
		return nil
	}
	return imo
}
