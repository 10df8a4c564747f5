// Package geotiff reads and writes single-band GeoTIFF rasters: the TIFF
// tags and GeoKeys that place an image on the earth (tie points, pixel
// scale, a model transformation, or ground control points) and the pixels
// of one-band SAR intensity images.
//
// Pixels of unsigned integer images are decoded by golang.org/x/image/tiff;
// this package reads the first image file directory itself (that library
// does not expose tags), checks every size and offset against the file and
// the configured limits before anything is allocated, and reads the
// uncompressed 32-bit float images that library refuses.
package geotiff

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// Sentinel errors; wrapped with the file's detail.
var (
	ErrNotTIFF        = errors.New("geotiff: not a TIFF file")
	ErrFormat         = errors.New("geotiff: malformed TIFF")
	ErrTooLarge       = errors.New("geotiff: image exceeds limits")
	ErrUnsupported    = errors.New("geotiff: unsupported TIFF layout")
	ErrNoGeoreference = errors.New("geotiff: no georeferencing")
)

// TIFF field types (TIFF 6.0 §2).
const (
	tByte      = 1
	tASCII     = 2
	tShort     = 3
	tLong      = 4
	tRational  = 5
	tSByte     = 6
	tUndefined = 7
	tSShort    = 8
	tSLong     = 9
	tSRational = 10
	tFloat     = 11
	tDouble    = 12
)

var typeSize = [...]int{0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8}

// Tags this package reads or writes.
const (
	TagImageWidth          = 256
	TagImageLength         = 257
	TagBitsPerSample       = 258
	TagCompression         = 259
	TagPhotometric         = 262
	TagStripOffsets        = 273
	TagSamplesPerPixel     = 277
	TagRowsPerStrip        = 278
	TagStripByteCounts     = 279
	TagPlanarConfig        = 284
	TagDateTime            = 306
	TagTileWidth           = 322
	TagTileLength          = 323
	TagTileOffsets         = 324
	TagTileByteCounts      = 325
	TagSampleFormat        = 339
	TagModelPixelScale     = 33550
	TagModelTiepoint       = 33922
	TagModelTransformation = 34264
	TagGeoKeyDirectory     = 34735
	TagGeoDoubleParams     = 34736
	TagGeoASCIIParams      = 34737
	TagGDALNoData          = 42113
)

// Limits bound what a file may make the reader allocate.
type Limits struct {
	// MaxPixels is the largest width×height accepted (default 450 M,
	// enough for a Sentinel-1 IW GRDH scene of about 25 000 × 17 000).
	MaxPixels int64
	// MaxEntries is the largest number of IFD entries (default 512).
	MaxEntries int
	// MaxTagBytes is the largest size of one tag's value (default 16 MiB).
	MaxTagBytes int64
}

func (l Limits) withDefaults() Limits {
	if l.MaxPixels <= 0 {
		l.MaxPixels = 450_000_000
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = 512
	}
	if l.MaxTagBytes <= 0 {
		l.MaxTagBytes = 16 << 20
	}
	return l
}

// entry is one IFD entry with its value bytes (in file byte order).
type entry struct {
	tag, typ uint16
	count    uint64
	data     []byte
}

// IFD is the first image file directory of a TIFF file.
type IFD struct {
	order   binary.ByteOrder
	entries map[uint16]*entry
	tags    []uint16 // in file order
	size    int64    // file size
}

// ReadIFD reads the first IFD of a classic (not Big) TIFF of the given size.
func ReadIFD(r io.ReaderAt, size int64, lim Limits) (*IFD, error) {
	lim = lim.withDefaults()
	var hdr [8]byte
	if _, err := r.ReadAt(hdr[:], 0); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrNotTIFF, err)
	}
	d := &IFD{entries: map[uint16]*entry{}, size: size}
	switch string(hdr[:2]) {
	case "II":
		d.order = binary.LittleEndian
	case "MM":
		d.order = binary.BigEndian
	default:
		return nil, fmt.Errorf("%w: byte order mark %q", ErrNotTIFF, hdr[:2])
	}
	switch d.order.Uint16(hdr[2:]) {
	case 42:
	case 43:
		return nil, fmt.Errorf("%w: BigTIFF", ErrUnsupported)
	default:
		return nil, fmt.Errorf("%w: magic number %d", ErrNotTIFF, d.order.Uint16(hdr[2:]))
	}
	off := int64(d.order.Uint32(hdr[4:]))
	if off < 8 || off+2 > size {
		return nil, fmt.Errorf("%w: first IFD offset %d outside file of %d bytes", ErrFormat, off, size)
	}
	var nb [2]byte
	if _, err := r.ReadAt(nb[:], off); err != nil {
		return nil, fmt.Errorf("%w: IFD entry count: %v", ErrFormat, err)
	}
	n := int(d.order.Uint16(nb[:]))
	if n == 0 || n > lim.MaxEntries {
		return nil, fmt.Errorf("%w: IFD has %d entries (limit %d)", ErrFormat, n, lim.MaxEntries)
	}
	raw := make([]byte, 12*n)
	if off+2+int64(len(raw)) > size {
		return nil, fmt.Errorf("%w: IFD of %d entries runs past the end of the file", ErrFormat, n)
	}
	if _, err := r.ReadAt(raw, off+2); err != nil {
		return nil, fmt.Errorf("%w: IFD entries: %v", ErrFormat, err)
	}
	for i := 0; i < n; i++ {
		b := raw[12*i : 12*i+12]
		e := &entry{tag: d.order.Uint16(b), typ: d.order.Uint16(b[2:]), count: uint64(d.order.Uint32(b[4:]))}
		if e.typ == 0 || int(e.typ) >= len(typeSize) {
			continue // unknown types must be skipped (TIFF 6.0 §2)
		}
		nbytes := e.count * uint64(typeSize[e.typ])
		if e.count > uint64(lim.MaxTagBytes) || nbytes > uint64(lim.MaxTagBytes) {
			return nil, fmt.Errorf("%w: tag %d value of %d×%d bytes (limit %d)", ErrTooLarge, e.tag, e.count, typeSize[e.typ], lim.MaxTagBytes)
		}
		if nbytes <= 4 {
			e.data = append([]byte(nil), b[8:8+nbytes]...)
		} else {
			voff := int64(d.order.Uint32(b[8:]))
			if voff+int64(nbytes) > size {
				return nil, fmt.Errorf("%w: tag %d value at %d+%d past the end of the file (%d bytes)", ErrFormat, e.tag, voff, nbytes, size)
			}
			e.data = make([]byte, nbytes)
			if _, err := r.ReadAt(e.data, voff); err != nil {
				return nil, fmt.Errorf("%w: tag %d value: %v", ErrFormat, e.tag, err)
			}
		}
		if _, dup := d.entries[e.tag]; dup {
			return nil, fmt.Errorf("%w: tag %d appears twice", ErrFormat, e.tag)
		}
		d.entries[e.tag] = e
		d.tags = append(d.tags, e.tag)
	}
	return d, nil
}

// Has reports whether the IFD holds tag.
func (d *IFD) Has(tag uint16) bool { _, ok := d.entries[tag]; return ok }

// Uints returns an integer-typed tag's values.
func (d *IFD) Uints(tag uint16) ([]uint64, error) {
	e, ok := d.entries[tag]
	if !ok {
		return nil, fmt.Errorf("%w: tag %d missing", ErrFormat, tag)
	}
	out := make([]uint64, e.count)
	for i := range out {
		switch e.typ {
		case tByte, tUndefined:
			out[i] = uint64(e.data[i])
		case tShort:
			out[i] = uint64(d.order.Uint16(e.data[2*i:]))
		case tLong:
			out[i] = uint64(d.order.Uint32(e.data[4*i:]))
		default:
			return nil, fmt.Errorf("%w: tag %d has type %d, want an unsigned integer", ErrFormat, tag, e.typ)
		}
	}
	return out, nil
}

// Uint returns the first value of an integer tag, or def when absent.
func (d *IFD) Uint(tag uint16, def uint64) (uint64, error) {
	if !d.Has(tag) {
		return def, nil
	}
	v, err := d.Uints(tag)
	if err != nil {
		return 0, err
	}
	if len(v) == 0 {
		return 0, fmt.Errorf("%w: tag %d has no value", ErrFormat, tag)
	}
	return v[0], nil
}

// Floats returns a numeric tag's values as float64.
func (d *IFD) Floats(tag uint16) ([]float64, error) {
	e, ok := d.entries[tag]
	if !ok {
		return nil, fmt.Errorf("%w: tag %d missing", ErrFormat, tag)
	}
	if e.typ == tDouble {
		out := make([]float64, e.count)
		for i := range out {
			out[i] = math.Float64frombits(d.order.Uint64(e.data[8*i:]))
		}
		return out, nil
	}
	if e.typ == tFloat {
		out := make([]float64, e.count)
		for i := range out {
			out[i] = float64(math.Float32frombits(d.order.Uint32(e.data[4*i:])))
		}
		return out, nil
	}
	u, err := d.Uints(tag)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(u))
	for i, v := range u {
		out[i] = float64(v)
	}
	return out, nil
}

// ASCII returns an ASCII tag's text up to the first NUL.
func (d *IFD) ASCII(tag uint16) (string, bool) {
	e, ok := d.entries[tag]
	if !ok || e.typ != tASCII {
		return "", false
	}
	b := e.data
	for i, c := range b {
		if c == 0 {
			b = b[:i]
			break
		}
	}
	return string(b), true
}
