package duckdb

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"time"
	"unsafe"

	duckdbdrv "github.com/duckdb/duckdb-go/v2"
	"github.com/duckdb/duckdb-go/v2/mapping"

	"github.com/lookout-maritime/lookout/internal/vessel"
)

// Direct reads of query results, for track queries.
//
// database/sql hands a result over one row at a time, each value boxed in
// an interface and converted by reflection into the Scan destination: for
// a year of one vessel (50,000 fixes, 8 columns) that was most of a
// track query's time. The driver's connection holds the C API's
// duckdb_connection in an unexported field, found by reflection as in
// chunk.go; with it a query's result is read chunk by chunk straight from
// DuckDB's vectors through the exported mapping package. If a driver
// upgrade changes that field, rawConnOK is false and the queries take the
// database/sql path, which the tests run as well.

var (
	rawConnField []int // reflect field index of the connection handle in duckdbdrv.Conn
	rawConnOK    = initRawConn()
	// forceSlowRead makes queries use database/sql (for tests).
	forceSlowRead bool
)

func initRawConn() bool {
	f, ok := reflect.TypeFor[duckdbdrv.Conn]().FieldByName("conn")
	if !ok || f.Type != reflect.TypeFor[mapping.Connection]() {
		return false
	}
	if h, ok := f.Type.FieldByName("Ptr"); !ok || h.Type.Kind() != reflect.UnsafePointer {
		return false
	}
	rawConnField = f.Index
	return true
}

// errNoRaw: direct reads are unavailable; use database/sql.
var errNoRaw = errors.New("direct result reads unavailable")

// resultChunk is one chunk of a result: n rows, each column's data and
// validity mask (nil: no NULLs).
type resultChunk struct {
	n    int
	data []unsafe.Pointer
	mask []unsafe.Pointer
}

func (c *resultChunk) valid(col, row int) bool {
	m := c.mask[col]
	if m == nil {
		return true
	}
	return unsafe.Slice((*uint64)(m), (row/64)+1)[row/64]&(1<<(row%64)) != 0
}

func resultColumn[T any](c *resultChunk, col int) []T {
	return unsafe.Slice((*T)(c.data[col]), c.n)
}

// queryRaw runs query on a connection of db, checks the result's column
// types against types, and calls fn with each chunk. It returns errNoRaw
// when it cannot read this way.
func queryRaw(ctx context.Context, db *sql.DB, query string, types []duckdbdrv.Type, fn func(*resultChunk) error) error {
	if forceSlowRead || !rawConnOK {
		return errNoRaw
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		dconn, ok := dc.(*duckdbdrv.Conn)
		if !ok {
			return errNoRaw
		}
		handle := mapping.Connection{Ptr: reflect.ValueOf(dconn).Elem().FieldByIndex(rawConnField).Field(0).UnsafePointer()}
		if handle.Ptr == nil {
			return errNoRaw
		}
		// The C API call does not watch ctx: interrupt it when ctx ends.
		done := make(chan struct{})
		defer close(done)
		go func() {
			select {
			case <-ctx.Done():
				mapping.Interrupt(handle)
			case <-done:
			}
		}()
		var res mapping.Result
		if mapping.Query(handle, query, &res) == mapping.StateError {
			msg := mapping.ResultError(&res)
			mapping.DestroyResult(&res)
			if err := ctx.Err(); err != nil {
				return err
			}
			return errors.New(msg)
		}
		defer mapping.DestroyResult(&res)
		if int(mapping.ColumnCount(&res)) != len(types) {
			return fmt.Errorf("raw query: %d columns, want %d", mapping.ColumnCount(&res), len(types))
		}
		for i, t := range types {
			if got := mapping.ColumnType(&res, mapping.IdxT(i)); got != t {
				return fmt.Errorf("raw query: column %d has type %d, want %d", i, got, t)
			}
		}
		c := resultChunk{data: make([]unsafe.Pointer, len(types)), mask: make([]unsafe.Pointer, len(types))}
		for {
			chunk := mapping.FetchChunk(res)
			if chunk.Ptr == nil {
				return ctx.Err()
			}
			c.n = int(mapping.DataChunkGetSize(chunk))
			for i := range types {
				vec := mapping.DataChunkGetVector(chunk, mapping.IdxT(i))
				c.data[i], c.mask[i] = mapping.VectorGetData(vec), mapping.VectorGetValidity(vec)
			}
			err := fn(&c)
			mapping.DestroyDataChunk(&chunk)
			if err != nil {
				return err
			}
		}
	})
}

// positionTypes are the types of positionCols.
var positionTypes = []duckdbdrv.Type{duckdbdrv.TYPE_UINTEGER, duckdbdrv.TYPE_TIMESTAMP_TZ, duckdbdrv.TYPE_DOUBLE,
	duckdbdrv.TYPE_DOUBLE, duckdbdrv.TYPE_FLOAT, duckdbdrv.TYPE_FLOAT, duckdbdrv.TYPE_UBIGINT, duckdbdrv.TYPE_UINTEGER}

// readPositionsRaw runs a query of positionCols and appends its rows to
// pts; source names come from db's sources table.
func readPositionsRaw(ctx context.Context, db *sql.DB, query string, pts []vessel.TrackPoint) ([]vessel.TrackPoint, error) {
	var names map[uint32]string
	lastSrc, lastName := uint32(0), ""
	err := queryRaw(ctx, db, query, positionTypes, func(c *resultChunk) error {
		mmsi, ts := resultColumn[uint32](c, 0), resultColumn[int64](c, 1)
		lat, lon := resultColumn[float64](c, 2), resultColumn[float64](c, 3)
		sog, cog := resultColumn[float32](c, 4), resultColumn[float32](c, 5)
		flags, seg := resultColumn[uint64](c, 6), resultColumn[uint32](c, 7)
		pts = slices.Grow(pts, c.n)
		for r := range c.n {
			p := vessel.TrackPoint{Segment: seg[r]}
			p.MMSI, p.Time, p.Lat, p.Lon = mmsi[r], time.UnixMicro(ts[r]).UTC(), lat[r], lon[r]
			p.SOG, p.COG = vessel.NA, vessel.NA
			if c.valid(4, r) {
				p.SOG = sog[r]
			}
			if c.valid(5, r) {
				p.COG = cog[r]
			}
			src := unpackFlags(flags[r], &p.Position)
			if src != lastSrc || names == nil {
				name, ok := names[src]
				if !ok {
					var err error
					if names, err = sourceNames(ctx, db); err != nil {
						return err
					}
					if name, ok = names[src]; !ok {
						return fmt.Errorf("position of %d at %v: source %d is not in the sources table", p.MMSI, p.Time, src)
					}
				}
				lastSrc, lastName = src, name
			}
			p.Source = lastName
			pts = append(pts, p)
		}
		return nil
	})
	return pts, err
}

// compareTrack is the order of a track: time, then lat, lon.
func compareTrack(a, b vessel.TrackPoint) int {
	if c := a.Time.Compare(b.Time); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Lat, b.Lat); c != 0 {
		return c
	}
	return cmp.Compare(a.Lon, b.Lon)
}
