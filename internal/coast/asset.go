package coast

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/klauspost/compress/zstd"
)

// The asset file is what the generator (internal/coast/gen) writes and Load
// reads:
//
//	magic "LKCOAST1" | uint32 BE header length | header JSON | zstd(body)
//
// The body holds the land polygons as zig-zag varint deltas of microdegrees
// (the Natural Earth GeoJSON has six decimals, so this is lossless), then the
// coarse distance field. The header carries the body's SHA-256 so a corrupt
// or hand-edited asset is refused rather than silently giving wrong answers.
const assetMagic = "LKCOAST1"

// ErrBadAsset is returned for an asset that is truncated, corrupt or of an
// unknown version.
var ErrBadAsset = errors.New("coast: bad asset")

// Header describes an asset; it is stored as JSON in front of the body.
type Header struct {
	Format     int    `json:"format"`      // 1
	Source     string `json:"source"`      // what the polygons came from
	Polygons   int    `json:"polygons"`    // polygon count
	Vertices   int    `json:"vertices"`    // vertex count, closing vertices included
	FieldStep  int    `json:"field_step"`  // field nodes per degree
	FieldRows  int    `json:"field_rows"`  // nodes from -90 to +90 inclusive
	FieldCols  int    `json:"field_cols"`  // nodes from -180 (inclusive) to +180 (exclusive)
	BodySHA256 string `json:"body_sha256"` // of the uncompressed body
}

// polygon is one land polygon: an outer ring then holes, each closed
// (first vertex repeated last), in microdegrees, x = longitude.
type polygon [][]ipt

// ipt is a vertex in microdegrees.
type ipt struct{ x, y int32 }

// assetData is the decoded content of an asset.
type assetData struct {
	header Header
	polys  []polygon
	// field is the distance in km from each field node to the nearest
	// coastline, row-major from lat -90, lon -180; nil when absent.
	field []uint16
}

func putVarint(buf *bytes.Buffer, v int64) {
	var tmp [binary.MaxVarintLen64]byte
	n := binary.PutVarint(tmp[:], v)
	buf.Write(tmp[:n])
}

func putUvarint(buf *bytes.Buffer, v uint64) {
	var tmp [binary.MaxVarintLen64]byte
	n := binary.PutUvarint(tmp[:], v)
	buf.Write(tmp[:n])
}

// encodeAsset serialises d; header counts and checksum are filled in here.
func encodeAsset(d *assetData) ([]byte, error) {
	var body bytes.Buffer
	putUvarint(&body, uint64(len(d.polys)))
	var px, py int64
	nv := 0
	for _, p := range d.polys {
		putUvarint(&body, uint64(len(p)))
		for _, r := range p {
			putUvarint(&body, uint64(len(r)))
			for _, v := range r {
				putVarint(&body, int64(v.x)-px)
				putVarint(&body, int64(v.y)-py)
				px, py = int64(v.x), int64(v.y)
				nv++
			}
		}
	}
	h := d.header
	h.Format = 1
	h.Polygons = len(d.polys)
	h.Vertices = nv
	if len(d.field) != h.FieldRows*h.FieldCols {
		return nil, fmt.Errorf("%w: field has %d values for %dx%d", ErrBadAsset, len(d.field), h.FieldRows, h.FieldCols)
	}
	var prev int64
	for _, v := range d.field {
		putVarint(&body, int64(v)-prev)
		prev = int64(v)
	}
	sum := sha256.Sum256(body.Bytes())
	h.BodySHA256 = hex.EncodeToString(sum[:])
	hj, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.WriteString(assetMagic)
	var l [4]byte
	binary.BigEndian.PutUint32(l[:], uint32(len(hj)))
	out.Write(l[:])
	out.Write(hj)
	enc, err := zstd.NewWriter(&out, zstd.WithEncoderLevel(zstd.SpeedBestCompression), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return nil, err
	}
	if _, err := enc.Write(body.Bytes()); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// readHeader parses the magic and header and returns the compressed body.
func readHeader(b []byte) (Header, []byte, error) {
	var h Header
	if len(b) < len(assetMagic)+4 || string(b[:len(assetMagic)]) != assetMagic {
		return h, nil, fmt.Errorf("%w: no %q magic", ErrBadAsset, assetMagic)
	}
	b = b[len(assetMagic):]
	n := binary.BigEndian.Uint32(b)
	b = b[4:]
	if uint64(n) > uint64(len(b)) || n > 1<<16 {
		return h, nil, fmt.Errorf("%w: header length %d", ErrBadAsset, n)
	}
	if err := json.Unmarshal(b[:n], &h); err != nil {
		return h, nil, fmt.Errorf("%w: header: %v", ErrBadAsset, err)
	}
	if h.Format != 1 {
		return h, nil, fmt.Errorf("%w: format %d, want 1", ErrBadAsset, h.Format)
	}
	return h, b[n:], nil
}

// maxBody bounds decompression so a hostile asset cannot exhaust memory.
const maxBody = 256 << 20

func decodeAsset(b []byte) (*assetData, error) {
	h, zbody, err := readHeader(b)
	if err != nil {
		return nil, err
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(maxBody))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadAsset, err)
	}
	defer dec.Close()
	// Decoded whole into a buffer sized for the asset's ratio (2.5:1):
	// streaming through io.ReadAll cost an 8 MiB history window and a
	// buffer grown by doubling, memory the process touches first as an
	// ingest starts (see buildIndex).
	body, err := dec.DecodeAll(zbody, make([]byte, 0, min(3*len(zbody), maxBody)))
	if err == nil && len(body) > maxBody {
		// The decoder checks its limit per frame: several frames may
		// exceed it together.
		err = fmt.Errorf("more than %d bytes", maxBody)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: body: %v", ErrBadAsset, err)
	}
	sum := sha256.Sum256(body)
	if hex.EncodeToString(sum[:]) != h.BodySHA256 {
		return nil, fmt.Errorf("%w: body checksum mismatch", ErrBadAsset)
	}
	r := bytes.NewReader(body)
	d := &assetData{header: h}
	fail := func(what string, err error) (*assetData, error) {
		return nil, fmt.Errorf("%w: %s: %v", ErrBadAsset, what, err)
	}
	np, err := binary.ReadUvarint(r)
	if err != nil {
		return fail("polygon count", err)
	}
	if np != uint64(h.Polygons) {
		return fail("polygon count", fmt.Errorf("%d, header says %d", np, h.Polygons))
	}
	var px, py int64
	nv := 0
	d.polys = make([]polygon, 0, np)
	for i := uint64(0); i < np; i++ {
		nr, err := binary.ReadUvarint(r)
		if err != nil || nr > uint64(r.Len()) {
			return fail(fmt.Sprintf("polygon %d ring count", i), err)
		}
		p := make(polygon, 0, nr)
		for j := uint64(0); j < nr; j++ {
			n, err := binary.ReadUvarint(r)
			if err != nil || n > uint64(r.Len()) || n < 4 {
				return fail(fmt.Sprintf("polygon %d ring %d length", i, j), err)
			}
			ring := make([]ipt, n)
			for k := range ring {
				dx, err1 := binary.ReadVarint(r)
				dy, err2 := binary.ReadVarint(r)
				if err := errors.Join(err1, err2); err != nil {
					return fail(fmt.Sprintf("polygon %d ring %d vertex %d", i, j, k), err)
				}
				px += dx
				py += dy
				if px < -180e6 || px > 180e6 || py < -90e6 || py > 90e6 {
					return fail(fmt.Sprintf("polygon %d ring %d vertex %d", i, j, k), fmt.Errorf("out of range (%d, %d)", px, py))
				}
				ring[k] = ipt{int32(px), int32(py)}
			}
			if ring[0] != ring[n-1] {
				return fail(fmt.Sprintf("polygon %d ring %d", i, j), errors.New("not closed"))
			}
			nv += int(n)
			p = append(p, ring)
		}
		d.polys = append(d.polys, p)
	}
	if nv != h.Vertices {
		return fail("vertex count", fmt.Errorf("%d, header says %d", nv, h.Vertices))
	}
	nf := h.FieldRows * h.FieldCols
	if nf < 0 || nf > r.Len() {
		return fail("field size", fmt.Errorf("%dx%d", h.FieldRows, h.FieldCols))
	}
	if nf > 0 {
		if h.FieldStep <= 0 || h.FieldRows != 180*h.FieldStep+1 || h.FieldCols != 360*h.FieldStep {
			return fail("field shape", fmt.Errorf("step %d, %dx%d", h.FieldStep, h.FieldRows, h.FieldCols))
		}
		d.field = make([]uint16, nf)
		var prev int64
		for i := range d.field {
			dv, err := binary.ReadVarint(r)
			if err != nil {
				return fail(fmt.Sprintf("field value %d", i), err)
			}
			prev += dv
			if prev < 0 || prev > 65535 {
				return fail(fmt.Sprintf("field value %d", i), fmt.Errorf("%d out of range", prev))
			}
			d.field[i] = uint16(prev)
		}
	}
	if r.Len() != 0 {
		return fail("trailing bytes", fmt.Errorf("%d", r.Len()))
	}
	return d, nil
}
