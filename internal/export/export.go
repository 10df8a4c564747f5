// Package export writes tracks and positions in the formats investigators
// open directly: GeoJSON (RFC 7946) for web maps and QGIS, KML for Google
// Earth, CSV (RFC 4180) for spreadsheets; export/parquet adds GeoParquet
// for DuckDB, GeoPandas and QGIS.
//
// Writers take whole tracks (a vessel's points are grouped by segment, and
// segments may interleave when a shared or spoofed MMSI alternates between
// two ships) and write to an io.Writer; they do not close it. Times are
// written as ISO 8601 / RFC 3339 in UTC. Lines that cross the antimeridian
// are split there (RFC 7946 §3.1.9), so no format draws a line across the
// whole map.
package export

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/lookout-maritime/lookout/internal/vessel"
)

// ErrInvalid reports a track the writers cannot represent.
var ErrInvalid = errors.New("export: invalid track")

// Track is one vessel's points and what is known of the vessel.
type Track struct {
	MMSI uint32
	// Identity is the identity to label the track with; nil when unknown.
	Identity *vessel.Identity
	// Points in time order. Points of other MMSIs are an error.
	Points []vessel.TrackPoint
}

// Options select what the map formats (GeoJSON, KML) write.
type Options struct {
	// Points adds one point feature (placemark) per position to the
	// segment lines.
	Points bool
	// Title names the document (KML); default "Lookout export".
	Title string
}

// Segment is one segment of a track: its points in time order.
type Segment struct {
	Number uint32
	Points []vessel.TrackPoint
}

// Segments groups a track's points by segment, in the order segments
// first appear, keeping the points' order within each.
func Segments(pts []vessel.TrackPoint) []Segment {
	var segs []Segment
	idx := map[uint32]int{}
	for _, p := range pts {
		i, ok := idx[p.Segment]
		if !ok {
			i = len(segs)
			idx[p.Segment] = i
			segs = append(segs, Segment{Number: p.Segment})
		}
		segs[i].Points = append(segs[i].Points, p)
	}
	return segs
}

// Coord is a longitude, latitude pair (GeoJSON and KML order).
type Coord [2]float64

// SplitAntimeridian splits a line where it crosses ±180° longitude, the
// way RFC 7946 §3.1.9 asks: a step between two points whose longitudes
// differ by more than 180° is taken to cross the antimeridian (the short
// way round); the part before it ends on ±180 and the part after starts on
// ∓180, at the latitude interpolated linearly between the two points.
// A line that does not cross comes back as the one part. Repeated
// coordinates are dropped; parts of a single coordinate are kept (a
// caller may write them as points).
func SplitAntimeridian(line []Coord) [][]Coord {
	if len(line) == 0 {
		return nil
	}
	var parts [][]Coord
	cur := []Coord{line[0]}
	for _, c := range line[1:] {
		prev := cur[len(cur)-1]
		if c == prev {
			continue
		}
		d := c[0] - prev[0]
		if math.Abs(d) <= 180 {
			cur = append(cur, c)
			continue
		}
		// Crossing: east over +180 (d < -180) or west over -180 (d > 180).
		edge, other := 180.0, -180.0
		lon2 := c[0] + 360
		if d > 180 {
			edge, other = -180, 180
			lon2 = c[0] - 360
		}
		f := (edge - prev[0]) / (lon2 - prev[0])
		lat := prev[1] + f*(c[1]-prev[1])
		if prev[0] != edge {
			cur = append(cur, Coord{edge, lat})
		}
		parts = append(parts, cur)
		cur = []Coord{{other, lat}}
		if c[0] != other {
			cur = append(cur, c)
		}
	}
	parts = append(parts, cur)
	// A part that is only the crossing point of a line that started or
	// ended exactly on the antimeridian says nothing: drop it.
	parts = slices.DeleteFunc(parts, func(p []Coord) bool {
		return len(p) == 1 && math.Abs(p[0][0]) == 180 && len(parts) > 1
	})
	return parts
}

// coords returns the points' coordinates.
func coords(pts []vessel.TrackPoint) []Coord {
	cs := make([]Coord, len(pts))
	for i, p := range pts {
		cs[i] = Coord{p.Lon, p.Lat}
	}
	return cs
}

// check validates a track before anything is written.
func check(t *Track) error {
	for i, p := range t.Points {
		if p.MMSI != t.MMSI {
			return fmt.Errorf("%w: track %d point %d has MMSI %d", ErrInvalid, t.MMSI, i, p.MMSI)
		}
		if !vessel.ValidPosition(p.Lat, p.Lon) && !(p.Lat == 0 && p.Lon == 0) {
			return fmt.Errorf("%w: track %d point %d at %g,%g", ErrInvalid, t.MMSI, i, p.Lat, p.Lon)
		}
		if i > 0 && p.Time.Before(t.Points[i-1].Time) {
			return fmt.Errorf("%w: track %d point %d is out of time order", ErrInvalid, t.MMSI, i)
		}
	}
	return nil
}

// FormatTime is the time format of every writer: RFC 3339 (an ISO 8601
// profile) in UTC, with the fraction of a second only when there is one.
func FormatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// optional values: NaN speeds and courses and heading 511 are "not
// available" and written as null / empty.
func sogOrNil(v float32) *float32 {
	if v != v {
		return nil
	}
	return &v
}

func headingOrNil(h uint16) *uint16 {
	if h == 511 {
		return nil
	}
	return &h
}

func classString(c vessel.Class) string {
	if c == vessel.ClassUnknown {
		return ""
	}
	return string(rune(c))
}
