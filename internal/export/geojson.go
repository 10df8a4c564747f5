package export

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// WriteGeoJSON writes the tracks as one RFC 7946 FeatureCollection:
// per segment a Feature whose geometry is a LineString (a MultiLineString
// when it crosses the antimeridian; a Point when the segment has a single
// position), and with Options.Points one Point Feature per position.
// Coordinates are [longitude, latitude] in WGS 84. Features are written one
// per line.
func WriteGeoJSON(w io.Writer, tracks []Track, opt Options) error {
	for i := range tracks {
		if err := check(&tracks[i]); err != nil {
			return err
		}
	}
	bw := bufio.NewWriter(w)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // names like "M&V" stay readable
	first := true
	feature := func(f geoFeature) error {
		sep := ",\n"
		if first {
			sep, first = "\n", false
		}
		if _, err := bw.WriteString(sep); err != nil {
			return err
		}
		buf.Reset()
		if err := enc.Encode(f); err != nil {
			return err
		}
		_, err := bw.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
		return err
	}
	if _, err := bw.WriteString(`{"type":"FeatureCollection","features":[`); err != nil {
		return fmt.Errorf("export: geojson: %w", err)
	}
	for _, t := range tracks {
		id := identityProps(&t)
		for _, seg := range Segments(t.Points) {
			parts := SplitAntimeridian(coords(seg.Points))
			g := geoGeometry{Type: "LineString"}
			switch {
			case len(parts) == 1 && len(parts[0]) == 1:
				g = geoGeometry{Type: "Point", Coordinates: parts[0][0]}
			case len(parts) == 1:
				g.Coordinates = parts[0]
			default:
				g = geoGeometry{Type: "MultiLineString", Coordinates: padParts(parts)}
			}
			props := trackProps{Kind: "track", identityJSON: id, Segment: seg.Number,
				Start: FormatTime(seg.Points[0].Time), End: FormatTime(seg.Points[len(seg.Points)-1].Time), Points: len(seg.Points)}
			if err := feature(geoFeature{Type: "Feature", Geometry: g, Properties: props}); err != nil {
				return fmt.Errorf("export: geojson: %w", err)
			}
		}
		if !opt.Points {
			continue
		}
		for _, p := range t.Points {
			props := pointProps{Kind: "position", MMSI: p.MMSI, Time: FormatTime(p.Time), SOG: sogOrNil(p.SOG), COG: sogOrNil(p.COG),
				Heading: headingOrNil(p.Heading), Status: p.Status, Class: classString(p.Class), MsgType: p.MsgType,
				Source: p.Source, Segment: p.Segment}
			g := geoGeometry{Type: "Point", Coordinates: Coord{p.Lon, p.Lat}}
			if err := feature(geoFeature{Type: "Feature", Geometry: g, Properties: props}); err != nil {
				return fmt.Errorf("export: geojson: %w", err)
			}
		}
	}
	if _, err := bw.WriteString("\n]}\n"); err != nil {
		return fmt.Errorf("export: geojson: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export: geojson: %w", err)
	}
	return nil
}

// padParts makes every part of a MultiLineString a valid LineString (two
// positions or more) by repeating a lone position.
func padParts(parts [][]Coord) [][]Coord {
	out := make([][]Coord, len(parts))
	for i, p := range parts {
		if len(p) == 1 {
			p = []Coord{p[0], p[0]}
		}
		out[i] = p
	}
	return out
}

type geoFeature struct {
	Type       string      `json:"type"`
	Geometry   geoGeometry `json:"geometry"`
	Properties any         `json:"properties"`
}

type geoGeometry struct {
	Type        string `json:"type"`
	Coordinates any    `json:"coordinates"`
}

type identityJSON struct {
	MMSI     uint32 `json:"mmsi"`
	IMO      uint32 `json:"imo,omitempty"`
	Name     string `json:"name,omitempty"`
	CallSign string `json:"callsign,omitempty"`
	Flag     string `json:"flag,omitempty"`
	ShipType uint8  `json:"shiptype,omitempty"`
}

func identityProps(t *Track) identityJSON {
	id := identityJSON{MMSI: t.MMSI}
	if i := t.Identity; i != nil {
		id.IMO, id.Name, id.CallSign, id.Flag, id.ShipType = i.IMO, i.Name, i.CallSign, i.Flag, i.ShipType
	}
	return id
}

type trackProps struct {
	Kind string `json:"kind"`
	identityJSON
	Segment uint32 `json:"segment"`
	Start   string `json:"start"`
	End     string `json:"end"`
	Points  int    `json:"points"`
}

type pointProps struct {
	Kind    string   `json:"kind"`
	MMSI    uint32   `json:"mmsi"`
	Time    string   `json:"time"`
	SOG     *float32 `json:"sog"`
	COG     *float32 `json:"cog"`
	Heading *uint16  `json:"heading"`
	Status  uint8    `json:"status"`
	Class   string   `json:"class,omitempty"`
	MsgType uint8    `json:"msg_type"`
	Source  string   `json:"source"`
	Segment uint32   `json:"segment"`
}
