package duckdb

import (
	"reflect"
	"unsafe"

	duckdbdrv "github.com/duckdb/duckdb-go/v2"
	"github.com/duckdb/duckdb-go/v2/mapping"
)

// Direct writes into a table function's output chunk.
//
// duckdb-go's SetChunkValue takes any value through a type switch and
// checks per call; at eight columns a row it cost ~250 ns a row, a tenth
// of a whole ingest. The driver does not export the chunk's vectors'
// memory, but the chunk handle it wraps is the C API's duckdb_data_chunk,
// whose vectors the exported mapping package reads. DataChunk keeps that
// handle and the table function's projection (which output vector holds
// which declared column) in unexported fields; they are found by
// reflection once, their names and types checked, and read per chunk
// (reflection reads unexported fields; it only refuses to hand them out
// as interfaces). If a driver upgrade renames or retypes them, rawOK is
// false and FillChunk takes the SetChunkValue path, which the tests run
// as well.

var (
	rawChunkField, rawProjField []int // reflect field indices in duckdbdrv.DataChunk
	rawOK                       = initRaw()
)

func initRaw() bool {
	t := reflect.TypeFor[duckdbdrv.DataChunk]()
	c, ok1 := t.FieldByName("chunk")
	p, ok2 := t.FieldByName("projection")
	if !ok1 || !ok2 || c.Type != reflect.TypeFor[mapping.DataChunk]() || p.Type != reflect.TypeFor[[]int]() {
		return false
	}
	if h, ok := c.Type.FieldByName("Ptr"); !ok || h.Type.Kind() != reflect.UnsafePointer {
		return false
	}
	rawChunkField, rawProjField = c.Index, p.Index
	return true
}

// rawVectors returns the data pointer of each of the n declared columns of
// c's output (nil for a column the query did not ask for) and, for
// nullable columns, its validity mask. ok is false when the chunk cannot
// be read this way.
type rawVector struct {
	data     unsafe.Pointer
	validity []uint64 // nil unless asked for
}

func rawVectors(c *duckdbdrv.DataChunk, n int, nullable func(col int) bool, out []rawVector) bool {
	if !rawOK {
		return false
	}
	rv := reflect.ValueOf(c).Elem()
	handle := mapping.DataChunk{Ptr: rv.FieldByIndex(rawChunkField).Field(0).UnsafePointer()}
	if handle.Ptr == nil {
		return false
	}
	proj := rv.FieldByIndex(rawProjField)
	count := int(mapping.DataChunkGetColumnCount(handle))
	capacity := duckdbdrv.GetDataChunkCapacity()
	for col := range n {
		out[col] = rawVector{}
		idx := col
		if proj.Len() > 0 {
			if col >= proj.Len() {
				return false
			}
			idx = int(proj.Index(col).Int())
		}
		if idx < 0 {
			continue // not projected
		}
		if idx >= count {
			return false
		}
		vec := mapping.DataChunkGetVector(handle, mapping.IdxT(idx))
		out[col].data = mapping.VectorGetData(vec)
		if nullable(col) {
			mapping.VectorEnsureValidityWritable(vec)
			m := mapping.VectorGetValidity(vec)
			if m == nil {
				return false
			}
			out[col].validity = unsafe.Slice((*uint64)(m), (capacity+63)/64)
		}
	}
	return true
}

// column views v's data as n values of T; nil when not projected.
func column[T any](v rawVector, n int) []T {
	if v.data == nil {
		return nil
	}
	return unsafe.Slice((*T)(v.data), n)
}

// setValid marks row valid (true) or NULL (false) in a validity mask.
func setValid(mask []uint64, row int, valid bool) {
	if valid {
		mask[row/64] |= 1 << (row % 64)
	} else {
		mask[row/64] &^= 1 << (row % 64)
	}
}
