package imagery

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// Detection is a vessel seen in a scene.
type Detection struct {
	// ID is unique within the scene.
	ID      string    `json:"id"`
	SceneID string    `json:"scene_id"`
	Time    time.Time `json:"time"`
	Lat     float64   `json:"lat"`
	Lon     float64   `json:"lon"`
	// LengthM, WidthM: estimated size, 0 when unknown.
	LengthM float64 `json:"length_m,omitempty"`
	WidthM  float64 `json:"width_m,omitempty"`
	// AxisDeg is the hull's direction, degrees true in [0, 180) (a SAR
	// detector cannot tell bow from stern); NaN-free: -1 when unknown.
	AxisDeg float64 `json:"axis_deg"`
	// Confidence that this is a vessel, in [0, 1].
	Confidence float64 `json:"confidence"`
	// Source names the detector (with version) or the imported file.
	Source string `json:"source"`
	// Col, Row locate a detector's detection in the scene raster.
	Col float64 `json:"col,omitempty"`
	Row float64 `json:"row,omitempty"`
	// SCR is a SAR detection's peak signal-to-clutter ratio.
	SCR float64 `json:"scr,omitempty"`
}

// RowError is one rejected row or feature of an import.
type RowError struct {
	File string
	Line int // CSV line, or GeoJSON feature index from 0
	Err  error
}

func (e *RowError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }
func (e *RowError) Unwrap() error { return e.Err }

// ImportConfig fills what an imported file may leave out.
type ImportConfig struct {
	// SceneID applies to rows without a scene column.
	SceneID string
	// Time applies to rows without a time (usually the scene's acquisition).
	Time time.Time
	// MaxRows bounds the rows accepted (default 1 000 000).
	MaxRows int
	// MaxErrors stops an import after this many bad rows (default 1 000).
	MaxErrors int
}

func (c ImportConfig) withDefaults() ImportConfig {
	if c.MaxRows <= 0 {
		c.MaxRows = 1_000_000
	}
	if c.MaxErrors <= 0 {
		c.MaxErrors = 1000
	}
	return c
}

// Column names accepted for each field, lower case. They cover the
// published SAR vessel-detection data sets: xView3 (detect_lat,
// detect_lon, vessel_length_m, confidence LOW/MEDIUM/HIGH, scene_id) and
// Global Fishing Watch's SAR detections (lat, lon, timestamp, length_m,
// presence_score, scene_id).
var columns = map[string][]string{
	"lat":        {"lat", "latitude", "detect_lat", "y"},
	"lon":        {"lon", "lng", "long", "longitude", "detect_lon", "x"},
	"time":       {"time", "timestamp", "datetime", "detect_timestamp", "acquired", "date"},
	"length":     {"length_m", "length", "vessel_length_m", "len_m"},
	"width":      {"width_m", "width"},
	"confidence": {"confidence", "score", "presence_score", "probability", "conf"},
	"scene":      {"scene_id", "scene", "scene_name"},
	"id":         {"id", "detect_id", "detection_id"},
	"heading":    {"heading", "axis_deg", "orientation"},
}

func fieldFor(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	for f, names := range columns {
		for _, c := range names {
			if n == c {
				return f
			}
		}
	}
	return ""
}

// record is one row or feature by field name.
type record map[string]string

func (r record) detection(cfg ImportConfig, source, defID string) (Detection, error) {
	d := Detection{SceneID: cfg.SceneID, Time: cfg.Time, AxisDeg: -1, Confidence: 1, Source: source, ID: defID}
	num := func(f string, lo, hi float64) (float64, bool, error) {
		s := strings.TrimSpace(r[f])
		if s == "" {
			return 0, false, nil
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) || v < lo || v > hi {
			return 0, false, fmt.Errorf("%s %q: want a number in [%g, %g]", f, s, lo, hi)
		}
		return v, true, nil
	}
	var ok bool
	var err error
	if d.Lat, ok, err = num("lat", -90, 90); err != nil || !ok {
		return d, orMissing(err, "lat")
	}
	if d.Lon, ok, err = num("lon", -180, 180); err != nil || !ok {
		return d, orMissing(err, "lon")
	}
	if d.LengthM, _, err = num("length", 0, 600); err != nil {
		return d, err
	}
	if d.WidthM, _, err = num("width", 0, 100); err != nil {
		return d, err
	}
	if h, ok, err := num("heading", -360, 360); err != nil {
		return d, err
	} else if ok {
		d.AxisDeg = math.Mod(h+360, 180)
	}
	if c := strings.TrimSpace(r["confidence"]); c != "" {
		switch strings.ToUpper(c) {
		case "HIGH":
			d.Confidence = 0.9
		case "MEDIUM":
			d.Confidence = 0.6
		case "LOW":
			d.Confidence = 0.3
		default:
			if d.Confidence, _, err = num("confidence", 0, 1); err != nil {
				return d, err
			}
		}
	}
	if s := strings.TrimSpace(r["scene"]); s != "" {
		d.SceneID = s
	}
	if s := strings.TrimSpace(r["id"]); s != "" {
		d.ID = s
	}
	if s := strings.TrimSpace(r["time"]); s != "" {
		if d.Time, err = parseTime(s); err != nil {
			return d, fmt.Errorf("time %q: %v", s, err)
		}
	}
	if d.Time.IsZero() {
		return d, fmt.Errorf("no time, and none given for the import")
	}
	if d.SceneID == "" {
		return d, fmt.Errorf("no scene id, and none given for the import")
	}
	if len(d.ID) > 256 || len(d.SceneID) > 256 {
		return d, fmt.Errorf("id or scene id longer than 256 bytes")
	}
	return d, nil
}

func orMissing(err error, f string) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("%s missing", f)
}

func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04:05Z07:00", "2006-01-02T15:04:05.999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errors.New("want RFC 3339 (2023-10-21T21:14:03Z)")
}

// ImportCSV reads detections from CSV with a header row naming the
// columns (see columns for the names accepted). Bad rows are returned as
// *RowError beside the good ones; a missing lat or lon column fails the
// whole file.
func ImportCSV(r io.Reader, name string, cfg ImportConfig) ([]Detection, []error, error) {
	cfg = cfg.withDefaults()
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: header: %w", name, err)
	}
	idx := map[string]int{}
	for i, h := range head {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff")
		}
		if f := fieldFor(h); f != "" {
			if _, dup := idx[f]; !dup {
				idx[f] = i
			}
		}
	}
	if _, ok := idx["lat"]; !ok {
		return nil, nil, fmt.Errorf("%s: %w: no latitude column (lat, latitude, detect_lat) in header %q", name, ErrFormat, head)
	}
	if _, ok := idx["lon"]; !ok {
		return nil, nil, fmt.Errorf("%s: %w: no longitude column (lon, longitude, detect_lon) in header %q", name, ErrFormat, head)
	}
	var out []Detection
	var bad []error
	for {
		row, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				bad = append(bad, &RowError{name, pe.Line, err})
				if len(bad) >= cfg.MaxErrors {
					return out, bad, fmt.Errorf("%s: %w: %d bad rows, giving up", name, ErrFormat, len(bad))
				}
				continue
			}
			return out, bad, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0) // only valid after a successful Read
		rec := record{}
		for f, i := range idx {
			if i < len(row) {
				rec[f] = row[i]
			}
		}
		d, err := rec.detection(cfg, "import:"+name, fmt.Sprintf("%d", line))
		if err != nil {
			bad = append(bad, &RowError{name, line, err})
			if len(bad) >= cfg.MaxErrors {
				return out, bad, fmt.Errorf("%s: %w: %d bad rows, giving up", name, ErrFormat, len(bad))
			}
			continue
		}
		if len(out) >= cfg.MaxRows {
			return out, bad, fmt.Errorf("%s: %w: more than %d detections", name, ErrTooLarge, cfg.MaxRows)
		}
		out = append(out, d)
	}
	return out, bad, nil
}

// ImportGeoJSON reads detections from a GeoJSON FeatureCollection of
// Point features; properties use the CSV column names.
func ImportGeoJSON(r io.Reader, name string, cfg ImportConfig) ([]Detection, []error, error) {
	cfg = cfg.withDefaults()
	b, err := readLimited(r, name)
	if err != nil {
		return nil, nil, err
	}
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Type     string                     `json:"type"`
			ID       any                        `json:"id"`
			Geometry geometry                   `json:"geometry"`
			Props    map[string]json.RawMessage `json:"properties"`
		} `json:"features"`
	}
	if err := json.NewDecoder(bytes.NewReader(b)).Decode(&fc); err != nil {
		return nil, nil, fmt.Errorf("%s: %w: %v", name, ErrFormat, err)
	}
	if fc.Type != "FeatureCollection" {
		return nil, nil, fmt.Errorf("%s: %w: type %q, want FeatureCollection", name, ErrFormat, fc.Type)
	}
	if len(fc.Features) > cfg.MaxRows {
		return nil, nil, fmt.Errorf("%s: %w: %d features (limit %d)", name, ErrTooLarge, len(fc.Features), cfg.MaxRows)
	}
	var out []Detection
	var bad []error
	for i, f := range fc.Features {
		fail := func(err error) bool {
			bad = append(bad, &RowError{name, i, err})
			return len(bad) >= cfg.MaxErrors
		}
		if f.Geometry.Type != "Point" {
			if fail(fmt.Errorf("geometry %q, want Point", f.Geometry.Type)) {
				return out, bad, fmt.Errorf("%s: %w: %d bad features, giving up", name, ErrFormat, len(bad))
			}
			continue
		}
		var c []float64
		if err := json.Unmarshal(f.Geometry.Coordinates, &c); err != nil || len(c) < 2 {
			if fail(fmt.Errorf("point coordinates: want [lon, lat]")) {
				return out, bad, fmt.Errorf("%s: %w: %d bad features, giving up", name, ErrFormat, len(bad))
			}
			continue
		}
		rec := record{"lon": strconv.FormatFloat(c[0], 'g', -1, 64), "lat": strconv.FormatFloat(c[1], 'g', -1, 64)}
		if f.ID != nil {
			rec["id"] = fmt.Sprint(f.ID)
		}
		for k, v := range f.Props {
			fld := fieldFor(k)
			if fld == "" || fld == "lat" || fld == "lon" {
				continue
			}
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				s = string(bytes.TrimSpace(v)) // a number
				if s == "null" {
					s = ""
				}
			}
			rec[fld] = s
		}
		d, err := rec.detection(cfg, "import:"+name, strconv.Itoa(i))
		if err != nil {
			if fail(err) {
				return out, bad, fmt.Errorf("%s: %w: %d bad features, giving up", name, ErrFormat, len(bad))
			}
			continue
		}
		out = append(out, d)
	}
	return out, bad, nil
}
