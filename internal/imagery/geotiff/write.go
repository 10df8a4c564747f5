package geotiff

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"io"
	"math"
	"sort"
	"strconv"
	"time"

	"golang.org/x/image/tiff"
)

// GCP is a ground control point: raster position (corner-based) and model
// coordinates.
type GCP struct{ Col, Row, X, Y float64 }

// WriteOptions say how to georeference a written image.
type WriteOptions struct {
	EPSG int // 4326 or a WGS84 UTM zone (326xx/327xx) or 3857
	// GeoTransform as in Georef; written as tie point + pixel scale when
	// north-up, as a ModelTransformation otherwise. Ignored when GCPs is
	// set.
	GeoTransform [6]float64
	// GCPs, when set, are written as tie points without a pixel scale, as
	// Sentinel-1 GRD products do.
	GCPs     []GCP
	DateTime time.Time // written to the DateTime tag when set
	NoData   *float64
	Deflate  bool
}

// Write encodes a grey image (8 or 16 bit) with golang.org/x/image/tiff
// and adds the GeoTIFF tags: that library writes baseline TIFF only, so the
// encoded file is kept byte for byte and a second IFD holding its entries
// plus the GeoTIFF ones is appended and made the first.
func Write(w io.Writer, img image.Image, o WriteOptions) error {
	switch img.(type) {
	case *image.Gray, *image.Gray16:
	default:
		return fmt.Errorf("%w: writing %T, want *image.Gray or *image.Gray16", ErrUnsupported, img)
	}
	var buf bytes.Buffer
	opt := &tiff.Options{Compression: tiff.Uncompressed}
	if o.Deflate {
		opt = &tiff.Options{Compression: tiff.Deflate, Predictor: true}
	}
	if err := tiff.Encode(&buf, img, opt); err != nil {
		return fmt.Errorf("geotiff: encoding: %w", err)
	}
	extra, err := geoEntries(o)
	if err != nil {
		return err
	}
	out, err := appendIFD(buf.Bytes(), extra)
	if err != nil {
		return err
	}
	_, err = w.Write(out)
	return err
}

// newEntry is an entry to add, its value already encoded little-endian.
type newEntry struct {
	tag, typ uint16
	count    uint32
	data     []byte
}

func doubles(tag uint16, v ...float64) newEntry {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(x))
	}
	return newEntry{tag, tDouble, uint32(len(v)), b}
}

func shorts(tag uint16, v ...uint16) newEntry {
	b := make([]byte, 2*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint16(b[2*i:], x)
	}
	return newEntry{tag, tShort, uint32(len(v)), b}
}

func asciiEntry(tag uint16, s string) newEntry {
	return newEntry{tag, tASCII, uint32(len(s) + 1), append([]byte(s), 0)}
}

func geoEntries(o WriteOptions) ([]newEntry, error) {
	var keys [][4]uint16
	switch {
	case o.EPSG == 4326:
		keys = [][4]uint16{{keyModelType, 0, 1, 2}, {keyRasterType, 0, 1, 1}, {keyGeographicType, 0, 1, 4326}, {keyAngularUnits, 0, 1, 9102}}
	case o.EPSG == 3857 || o.EPSG >= 32601 && o.EPSG <= 32660 || o.EPSG >= 32701 && o.EPSG <= 32760:
		keys = [][4]uint16{{keyModelType, 0, 1, 1}, {keyRasterType, 0, 1, 1}, {keyProjectedCS, 0, 1, uint16(o.EPSG)}, {keyLinearUnits, 0, 1, 9001}}
	default:
		return nil, fmt.Errorf("%w: writing EPSG:%d", ErrUnsupported, o.EPSG)
	}
	dir := []uint16{1, 1, 0, uint16(len(keys))}
	for _, k := range keys {
		dir = append(dir, k[:]...)
	}
	es := []newEntry{shorts(TagGeoKeyDirectory, dir...)}
	t := o.GeoTransform
	switch {
	case len(o.GCPs) > 0:
		var v []float64
		for _, g := range o.GCPs {
			v = append(v, g.Col, g.Row, 0, g.X, g.Y, 0)
		}
		es = append(es, doubles(TagModelTiepoint, v...))
	case t[2] == 0 && t[4] == 0 && t[1] > 0 && t[5] < 0:
		es = append(es, doubles(TagModelTiepoint, 0, 0, 0, t[0], t[3], 0), doubles(TagModelPixelScale, t[1], -t[5], 0))
	default:
		es = append(es, doubles(TagModelTransformation, t[1], t[2], 0, t[0], t[4], t[5], 0, t[3], 0, 0, 0, 0, 0, 0, 0, 1))
	}
	if !o.DateTime.IsZero() {
		es = append(es, asciiEntry(TagDateTime, o.DateTime.UTC().Format("2006:01:02 15:04:05")))
	}
	if o.NoData != nil {
		es = append(es, asciiEntry(TagGDALNoData, strconv.FormatFloat(*o.NoData, 'g', -1, 64)))
	}
	return es, nil
}

// appendIFD appends to a little-endian classic TIFF a new first IFD made of
// the old first IFD's entries and extra (which replace entries of the
// same tag).
func appendIFD(b []byte, extra []newEntry) ([]byte, error) {
	if len(b) < 8 || string(b[:4]) != "II*\x00" {
		return nil, fmt.Errorf("%w: encoder output is not a little-endian TIFF", ErrFormat)
	}
	le := binary.LittleEndian
	off := int(le.Uint32(b[4:]))
	if off+2 > len(b) {
		return nil, fmt.Errorf("%w: encoder output IFD offset", ErrFormat)
	}
	n := int(le.Uint16(b[off:]))
	if off+2+12*n > len(b) {
		return nil, fmt.Errorf("%w: encoder output IFD length", ErrFormat)
	}
	type raw struct {
		tag   uint16
		bytes [12]byte
	}
	replaced := map[uint16]bool{}
	for _, e := range extra {
		replaced[e.tag] = true
	}
	var all []raw
	for i := 0; i < n; i++ {
		var r raw
		copy(r.bytes[:], b[off+2+12*i:])
		r.tag = le.Uint16(r.bytes[:])
		if !replaced[r.tag] {
			all = append(all, r)
		}
	}
	out := append([]byte(nil), b...)
	for _, e := range extra {
		var r raw
		r.tag = e.tag
		le.PutUint16(r.bytes[0:], e.tag)
		le.PutUint16(r.bytes[2:], e.typ)
		le.PutUint32(r.bytes[4:], e.count)
		if len(e.data) <= 4 {
			copy(r.bytes[8:], e.data)
		} else {
			if len(out)%2 == 1 {
				out = append(out, 0) // values start on a word boundary
			}
			le.PutUint32(r.bytes[8:], uint32(len(out)))
			out = append(out, e.data...)
		}
		all = append(all, r)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].tag < all[j].tag })
	if len(out)%2 == 1 {
		out = append(out, 0)
	}
	if len(out) > math.MaxUint32-12*len(all)-6 {
		return nil, fmt.Errorf("%w: file larger than 4 GiB", ErrTooLarge)
	}
	le.PutUint32(out[4:], uint32(len(out)))
	out = le.AppendUint16(out, uint16(len(all)))
	for _, r := range all {
		out = append(out, r.bytes[:]...)
	}
	out = le.AppendUint32(out, 0) // no next IFD
	return out, nil
}
