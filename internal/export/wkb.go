package export

import (
	"encoding/binary"
	"math"
)

// WKB geometry types (OGC Simple Features, 2D).
const (
	wkbPoint           = 1
	wkbLineString      = 2
	wkbMultiLineString = 5
)

// AppendWKBPoint appends the little-endian WKB of a point to b.
func AppendWKBPoint(b []byte, c Coord) []byte {
	b = append(b, 1) // little-endian
	b = binary.LittleEndian.AppendUint32(b, wkbPoint)
	return appendXY(b, c)
}

// AppendWKBLineString appends the little-endian WKB of a line string.
func AppendWKBLineString(b []byte, cs []Coord) []byte {
	b = append(b, 1)
	b = binary.LittleEndian.AppendUint32(b, wkbLineString)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(cs)))
	for _, c := range cs {
		b = appendXY(b, c)
	}
	return b
}

// AppendWKBMultiLineString appends the little-endian WKB of a multi line
// string.
func AppendWKBMultiLineString(b []byte, parts [][]Coord) []byte {
	b = append(b, 1)
	b = binary.LittleEndian.AppendUint32(b, wkbMultiLineString)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(parts)))
	for _, p := range parts {
		b = AppendWKBLineString(b, p)
	}
	return b
}

func appendXY(b []byte, c Coord) []byte {
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(c[0]))
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(c[1]))
}

// SegmentWKB is the WKB geometry of a segment as the map formats draw it:
// a Point for one position, a LineString, or a MultiLineString when it
// crosses the antimeridian.
func SegmentWKB(seg Segment) []byte {
	parts := SplitAntimeridian(coords(seg.Points))
	switch {
	case len(parts) == 1 && len(parts[0]) == 1:
		return AppendWKBPoint(nil, parts[0][0])
	case len(parts) == 1:
		return AppendWKBLineString(nil, parts[0])
	default:
		return AppendWKBMultiLineString(nil, padParts(parts))
	}
}

// Check validates tracks as every writer does before writing.
func Check(tracks []Track) error {
	for i := range tracks {
		if err := check(&tracks[i]); err != nil {
			return err
		}
	}
	return nil
}

// IdentityFields are the identity columns the writers add to a track.
type IdentityFields struct {
	IMO                  uint32
	Name, CallSign, Flag string
}

// IdentityOf returns a track's identity columns (zero when unknown).
func IdentityOf(t *Track) IdentityFields {
	id := identityProps(t)
	return IdentityFields{IMO: id.IMO, Name: id.Name, CallSign: id.CallSign, Flag: id.Flag}
}
