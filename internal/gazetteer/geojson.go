package gazetteer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

type gjGeometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

type gjFeature struct {
	Type       string          `json:"type"`
	Geometry   *gjGeometry     `json:"geometry"`
	Properties map[string]any  `json:"properties"`
	Features   json.RawMessage `json:"features"` // set on a FeatureCollection
}

// ParseGeoJSON reads places from a GeoJSON FeatureCollection or Feature
// (RFC 7946, [lon, lat] order). Geometry: a Point is a port (or, with kind
// zone and a radius, a circular zone); a Polygon or MultiPolygon is a zone
// unless its kind property says port, anchorage or terminal, in which case
// its centroid is the reference point and its radius covers it. Only outer
// rings are kept (holes are ignored). Properties: name (required), id,
// kind, country, locode, radius_km, high_risk (true/false or a string),
// aliases (a list or a '|'-separated string), source. file names the input
// in errors. On bad features it returns the good places and a *LoadError.
func ParseGeoJSON(r io.Reader, file string) ([]Place, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("gazetteer: %s: %w", file, err)
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	var top gjFeature
	if err := json.Unmarshal(b, &top); err != nil {
		return nil, &ParseError{File: file, Line: jsonLine(b, err), Err: fmt.Errorf("%w: %v", ErrSyntax, err)}
	}
	var feats []json.RawMessage
	switch top.Type {
	case "FeatureCollection":
		if err := json.Unmarshal(top.Features, &feats); err != nil || feats == nil {
			return nil, &ParseError{File: file, Field: "features", Err: fmt.Errorf("%w: a FeatureCollection needs a features array", ErrSyntax)}
		}
	case "Feature":
		feats = []json.RawMessage{b}
	default:
		return nil, &ParseError{File: file, Field: "type", Err: fmt.Errorf("%w: type %q (want FeatureCollection or Feature)", ErrSyntax, top.Type)}
	}
	le := &LoadError{File: file}
	var out []Place
	for i, raw := range feats {
		ps, field, err := geojsonFeature(raw)
		if err != nil {
			le.add(&ParseError{File: file, Feature: i + 1, Name: featureName(raw), Field: field, Err: err})
			continue
		}
		out = append(out, ps)
	}
	return le.result(out)
}

// jsonLine is the line of a JSON syntax error, 0 if unknown.
func jsonLine(b []byte, err error) int {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	off := int64(-1)
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 || off > int64(len(b)) {
		return 0
	}
	return bytes.Count(b[:off], []byte("\n")) + 1
}

func featureName(raw json.RawMessage) string {
	var f struct {
		Properties map[string]any `json:"properties"`
	}
	if json.Unmarshal(raw, &f) != nil {
		return ""
	}
	s, _ := prop(f.Properties, "name").(string)
	return strings.TrimSpace(s)
}

// prop finds a property whatever its case ("name", "Name", "NAME").
func prop(m map[string]any, key string) any {
	if v, ok := m[key]; ok {
		return v
	}
	for k, v := range m {
		if fold(k) == fold(key) {
			return v
		}
	}
	return nil
}

func geojsonFeature(raw json.RawMessage) (Place, string, error) {
	var f gjFeature
	if err := json.Unmarshal(raw, &f); err != nil {
		return Place{}, "", fmt.Errorf("%w: %v", ErrSyntax, err)
	}
	if f.Type != "Feature" {
		return Place{}, "type", fmt.Errorf("%w: type %q (want Feature)", ErrSyntax, f.Type)
	}
	var p Place
	str := func(key string) (string, error) {
		switch v := prop(f.Properties, key).(type) {
		case nil:
			return "", nil
		case string:
			return strings.TrimSpace(v), nil
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64), nil
		default:
			return "", fmt.Errorf("%w: want a string, got %T", ErrSyntax, v)
		}
	}
	var err error
	for _, s := range []struct {
		key string
		dst *string
	}{{"name", &p.Name}, {"id", &p.ID}, {"country", &p.Country}, {"locode", &p.Locode}, {"source", &p.Source}} {
		if *s.dst, err = str(s.key); err != nil {
			return p, "properties." + s.key, err
		}
	}
	if p.Name == "" {
		return p, "properties.name", ErrMissing
	}
	kind, err := str("kind")
	if err != nil {
		return p, "properties.kind", err
	}
	switch v := prop(f.Properties, "radius_km").(type) {
	case nil:
	case float64:
		p.RadiusKm = v
	case string:
		if p.RadiusKm, err = strconv.ParseFloat(strings.TrimSpace(v), 64); err != nil {
			return p, "properties.radius_km", fmt.Errorf("%w: %q is not a number of km", ErrSyntax, v)
		}
	default:
		return p, "properties.radius_km", fmt.Errorf("%w: want a number, got %T", ErrSyntax, v)
	}
	if math.IsNaN(p.RadiusKm) || math.IsInf(p.RadiusKm, 0) || p.RadiusKm < 0 {
		return p, "properties.radius_km", fmt.Errorf("%w: %v", ErrRange, p.RadiusKm)
	}
	switch v := prop(f.Properties, "high_risk").(type) {
	case nil:
	case bool:
		p.HighRisk = v
	case string:
		if p.HighRisk, err = parseBool(v); err != nil {
			return p, "properties.high_risk", err
		}
	case float64:
		p.HighRisk = v != 0
	default:
		return p, "properties.high_risk", fmt.Errorf("%w: want true or false, got %T", ErrSyntax, v)
	}
	switch v := prop(f.Properties, "aliases").(type) {
	case nil:
	case string:
		p.Aliases = splitAliases(v)
	case []any:
		for _, a := range v {
			s, ok := a.(string)
			if !ok {
				return p, "properties.aliases", fmt.Errorf("%w: want strings, got %T", ErrSyntax, a)
			}
			p.Aliases = append(p.Aliases, s)
		}
	default:
		return p, "properties.aliases", fmt.Errorf("%w: want a list or a string, got %T", ErrSyntax, v)
	}
	if f.Geometry == nil {
		return p, "geometry", fmt.Errorf("%w: no geometry", ErrMissing)
	}
	switch f.Geometry.Type {
	case "Point":
		var c []float64
		if err := json.Unmarshal(f.Geometry.Coordinates, &c); err != nil || len(c) < 2 {
			return p, "geometry.coordinates", fmt.Errorf("%w: a Point needs [lon, lat]", ErrGeometry)
		}
		p.Lon, p.Lat = c[0], c[1]
		if p.Kind, err = ParseKind(kind); err != nil {
			return p, "properties.kind", err
		}
	case "Polygon", "MultiPolygon":
		var polys [][][][]float64
		if f.Geometry.Type == "Polygon" {
			var one [][][]float64
			err = json.Unmarshal(f.Geometry.Coordinates, &one)
			polys = [][][][]float64{one}
		} else {
			err = json.Unmarshal(f.Geometry.Coordinates, &polys)
		}
		if err != nil {
			return p, "geometry.coordinates", fmt.Errorf("%w: %v", ErrGeometry, err)
		}
		for i, poly := range polys {
			if len(poly) == 0 {
				return p, "geometry.coordinates", fmt.Errorf("%w: polygon %d has no ring", ErrGeometry, i+1)
			}
			ring := make([][2]float64, len(poly[0]))
			for j, c := range poly[0] {
				if len(c) < 2 {
					return p, "geometry.coordinates", fmt.Errorf("%w: polygon %d vertex %d needs [lon, lat]", ErrGeometry, i+1, j+1)
				}
				ring[j] = [2]float64{c[1], c[0]}
			}
			ring, err := cleanRing(ring)
			if err != nil {
				return p, "geometry.coordinates", fmt.Errorf("polygon %d: %w", i+1, err)
			}
			p.Polygons = append(p.Polygons, ring)
		}
		if len(p.Polygons) == 0 {
			return p, "geometry.coordinates", fmt.Errorf("%w: no polygon", ErrGeometry)
		}
		p.Kind = Zone
		if kind != "" {
			if p.Kind, err = ParseKind(kind); err != nil {
				return p, "properties.kind", err
			}
		}
		// The reference point is the centroid unless the feature gives
		// one (as GeoJSON() writes it).
		p.Lat, p.Lon = centroid(p.Polygons)
		lat, okLat := prop(f.Properties, "lat").(float64)
		lon, okLon := prop(f.Properties, "lon").(float64)
		if okLat && okLon {
			p.Lat, p.Lon = lat, lon
		}
	default:
		return p, "geometry.type", fmt.Errorf("%w: %q (want Point, Polygon or MultiPolygon)", ErrGeometry, f.Geometry.Type)
	}
	if err := normalise(&p); err != nil {
		return p, "", err
	}
	return p, "", nil
}

// GeoJSON draws every place as a GeoJSON FeatureCollection for the web map,
// QGIS and dossiers: points for ports, polygons for zones and polygon
// ports, sorted by ID, every field a property. Rings across the
// antimeridian keep continuous longitudes past ±180 (map libraries draw
// them whole). ParseGeoJSON reads it back to the same places.
func (g *Gazetteer) GeoJSON() ([]byte, error) {
	return MarshalGeoJSON(g.snap.Load().places)
}

type gjOutGeometry struct {
	Type        string `json:"type"`
	Coordinates any    `json:"coordinates"`
}

type gjOutProps struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Aliases  []string `json:"aliases,omitempty"`
	Country  string   `json:"country,omitempty"`
	Locode   string   `json:"locode,omitempty"`
	Kind     Kind     `json:"kind"`
	Lat      float64  `json:"lat"`
	Lon      float64  `json:"lon"`
	RadiusKm float64  `json:"radius_km"`
	HighRisk bool     `json:"high_risk"`
	Source   string   `json:"source,omitempty"`
	Origin   string   `json:"origin,omitempty"`
}

type gjOutFeature struct {
	Type       string        `json:"type"`
	ID         string        `json:"id"`
	Geometry   gjOutGeometry `json:"geometry"`
	Properties gjOutProps    `json:"properties"`
}

// MarshalGeoJSON draws places as GeoJSON (see Gazetteer.GeoJSON), in the
// order given.
func MarshalGeoJSON(places []Place) ([]byte, error) {
	fc := struct {
		Type     string         `json:"type"`
		Features []gjOutFeature `json:"features"`
	}{Type: "FeatureCollection", Features: make([]gjOutFeature, 0, len(places))}
	r6 := func(v float64) float64 { return math.Round(v*1e6) / 1e6 }
	for _, p := range places {
		f := gjOutFeature{Type: "Feature", ID: p.ID, Properties: gjOutProps{
			ID: p.ID, Name: p.Name, Aliases: p.Aliases, Country: p.Country, Locode: p.Locode, Kind: p.Kind,
			Lat: r6(p.Lat), Lon: r6(p.Lon), RadiusKm: math.Round(p.RadiusKm*1000) / 1000,
			HighRisk: p.HighRisk, Source: p.Source, Origin: p.Origin,
		}}
		switch len(p.Polygons) {
		case 0:
			f.Geometry = gjOutGeometry{"Point", [2]float64{r6(p.Lon), r6(p.Lat)}}
		default:
			polys := make([][][][2]float64, len(p.Polygons))
			for i, r := range p.Polygons {
				ring := make([][2]float64, 0, len(r)+1)
				for _, v := range r {
					ring = append(ring, [2]float64{r6(v[1]), r6(v[0])})
				}
				ring = append(ring, ring[0])
				polys[i] = [][][2]float64{ring}
			}
			if len(polys) == 1 {
				f.Geometry = gjOutGeometry{"Polygon", polys[0]}
			} else {
				f.Geometry = gjOutGeometry{"MultiPolygon", polys}
			}
		}
		fc.Features = append(fc.Features, f)
	}
	return json.MarshalIndent(fc, "", " ")
}
