package imagery

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// MaxJSONBytes bounds a STAC Item, sidecar or detections file read whole.
const MaxJSONBytes = 64 << 20

// maxRingPoints bounds a footprint ring read from outside input.
const maxRingPoints = 100_000

// geometry is a GeoJSON geometry with its coordinates left raw.
type geometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// footprint turns a Polygon or MultiPolygon into outer rings.
func (g *geometry) footprint() (Footprint, error) {
	switch g.Type {
	case "Polygon":
		var p [][][2]float64
		if err := json.Unmarshal(g.Coordinates, &p); err != nil || len(p) == 0 {
			return nil, fmt.Errorf("%w: Polygon coordinates: %v", ErrFormat, err)
		}
		f := Footprint{Ring(p[0])}
		return f, f.validate()
	case "MultiPolygon":
		var mp [][][][2]float64
		if err := json.Unmarshal(g.Coordinates, &mp); err != nil || len(mp) == 0 {
			return nil, fmt.Errorf("%w: MultiPolygon coordinates: %v", ErrFormat, err)
		}
		var f Footprint
		for _, p := range mp {
			if len(p) == 0 {
				return nil, fmt.Errorf("%w: MultiPolygon with an empty polygon", ErrFormat)
			}
			f = append(f, Ring(p[0]))
		}
		return f, f.validate()
	case "":
		return nil, fmt.Errorf("%w: no geometry", ErrFormat)
	}
	return nil, fmt.Errorf("%w: geometry type %q, want Polygon or MultiPolygon", ErrFormat, g.Type)
}

func readLimited(r io.Reader, what string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxJSONBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if len(b) > MaxJSONBytes {
		return nil, fmt.Errorf("%w: %s larger than %d bytes", ErrTooLarge, what, MaxJSONBytes)
	}
	return b, nil
}

// ParseSTACItem reads a STAC Item (JSON, STAC 1.0): id, geometry,
// properties.datetime (or start_datetime), platform, instruments,
// constellation, gsd, and the asset links. name is used in errors.
func ParseSTACItem(r io.Reader, name string) (*Scene, error) {
	b, err := readLimited(r, name)
	if err != nil {
		return nil, err
	}
	var it struct {
		Type        string   `json:"type"`
		STACVersion string   `json:"stac_version"`
		ID          string   `json:"id"`
		Geometry    geometry `json:"geometry"`
		Properties  struct {
			Datetime      *string  `json:"datetime"`
			StartDatetime string   `json:"start_datetime"`
			Platform      string   `json:"platform"`
			Constellation string   `json:"constellation"`
			Instruments   []string `json:"instruments"`
			GSD           float64  `json:"gsd"`
			Providers     []struct {
				Name string `json:"name"`
			} `json:"providers"`
		} `json:"properties"`
		Assets map[string]struct {
			Href string `json:"href"`
		} `json:"assets"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&it); err != nil {
		return nil, fmt.Errorf("%s: %w: %v", name, ErrFormat, err)
	}
	if it.Type != "Feature" {
		return nil, fmt.Errorf("%s: %w: type %q, a STAC Item is a \"Feature\"", name, ErrFormat, it.Type)
	}
	if strings.TrimSpace(it.ID) == "" || len(it.ID) > 256 {
		return nil, fmt.Errorf("%s: %w: id missing or longer than 256 bytes", name, ErrFormat)
	}
	s := &Scene{ID: it.ID, MediaType: MediaSTAC, Platform: it.Properties.Platform, ResolutionM: it.Properties.GSD}
	if s.Footprint, err = it.Geometry.footprint(); err != nil {
		return nil, fmt.Errorf("%s: geometry: %w", name, err)
	}
	if err := checkRingSizes(s.Footprint); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	ts := it.Properties.StartDatetime
	if it.Properties.Datetime != nil {
		ts = *it.Properties.Datetime
	}
	if ts == "" {
		return nil, fmt.Errorf("%s: %w: properties.datetime is null and no start_datetime", name, ErrNoTime)
	}
	if s.Acquired, err = time.Parse(time.RFC3339Nano, ts); err != nil {
		return nil, fmt.Errorf("%s: %w: properties.datetime %q: %v", name, ErrFormat, ts, err)
	}
	s.Acquired = s.Acquired.UTC()
	if s.Platform == "" {
		s.Platform = it.Properties.Constellation
	}
	s.Instrument = strings.Join(it.Properties.Instruments, ",")
	if len(it.Properties.Providers) > 0 {
		s.Source = it.Properties.Providers[0].Name
	}
	if !(s.ResolutionM >= 0 && s.ResolutionM < 1e5) || math.IsNaN(s.ResolutionM) {
		return nil, fmt.Errorf("%s: %w: gsd %v", name, ErrFormat, s.ResolutionM)
	}
	if len(it.Assets) > 0 {
		s.Assets = map[string]string{}
		for k, a := range it.Assets {
			s.Assets[k] = a.Href
		}
	}
	return s, nil
}

func checkRingSizes(f Footprint) error {
	for _, r := range f {
		if len(r) > maxRingPoints {
			return fmt.Errorf("%w: footprint ring of %d points (limit %d)", ErrTooLarge, len(r), maxRingPoints)
		}
	}
	return nil
}

// Sidecar describes a photo (or a GeoTIFF lacking metadata) in a JSON file
// beside it, FILE.json or FILE-without-extension.json:
//
//	{"id": "najin-2023-10-21", "acquired": "2023-10-21T02:14:00Z",
//	 "footprint": {"type": "Polygon", "coordinates": [[[130.28,42.23], ...]]},
//	 "source": "Planet Labs", "platform": "SkySat", "resolution_m": 0.5}
//
// footprint may also be "bounds": [west, south, east, north].
type Sidecar struct {
	ID          string    `json:"id"`
	Acquired    time.Time `json:"acquired"`
	Footprint   *geometry `json:"footprint"`
	Bounds      []float64 `json:"bounds"`
	Source      string    `json:"source"`
	Platform    string    `json:"platform"`
	Instrument  string    `json:"instrument"`
	ResolutionM float64   `json:"resolution_m"`
}

// ParseSidecar reads a sidecar. A footprint is required unless
// needFootprint is false (a GeoTIFF has its own).
func ParseSidecar(r io.Reader, name string, needFootprint bool) (*Sidecar, Footprint, error) {
	b, err := readLimited(r, name)
	if err != nil {
		return nil, nil, err
	}
	var sc Sidecar
	if err := json.Unmarshal(b, &sc); err != nil {
		return nil, nil, fmt.Errorf("%s: %w: %v", name, ErrFormat, err)
	}
	if sc.Acquired.IsZero() && needFootprint {
		return nil, nil, fmt.Errorf("%s: %w: \"acquired\" missing", name, ErrNoTime)
	}
	sc.Acquired = sc.Acquired.UTC()
	if len(sc.ID) > 256 {
		return nil, nil, fmt.Errorf("%s: %w: id longer than 256 bytes", name, ErrFormat)
	}
	if !(sc.ResolutionM >= 0 && sc.ResolutionM < 1e5) {
		return nil, nil, fmt.Errorf("%s: %w: resolution_m %v", name, ErrFormat, sc.ResolutionM)
	}
	var f Footprint
	switch {
	case sc.Footprint != nil:
		if f, err = sc.Footprint.footprint(); err != nil {
			return nil, nil, fmt.Errorf("%s: footprint: %w", name, err)
		}
		if err := checkRingSizes(f); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
	case sc.Bounds != nil:
		if len(sc.Bounds) != 4 {
			return nil, nil, fmt.Errorf("%s: %w: bounds has %d numbers, want west, south, east, north", name, ErrFormat, len(sc.Bounds))
		}
		w, s, e, n := sc.Bounds[0], sc.Bounds[1], sc.Bounds[2], sc.Bounds[3]
		if !(s < n) {
			return nil, nil, fmt.Errorf("%s: %w: bounds south %v not below north %v", name, ErrFormat, s, n)
		}
		f = Footprint{Ring{{w, s}, {e, s}, {e, n}, {w, n}, {w, s}}}
		if err := f.validate(); err != nil {
			return nil, nil, fmt.Errorf("%s: bounds: %w", name, err)
		}
	case needFootprint:
		return nil, nil, fmt.Errorf("%s: %w: neither \"footprint\" nor \"bounds\"", name, ErrFormat)
	}
	return &sc, f, nil
}
