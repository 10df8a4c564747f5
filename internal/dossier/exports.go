package dossier

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/export"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

func exportTracks(c *Case) []export.Track {
	var ts []export.Track
	for _, v := range c.Vessels {
		if len(v.Track) == 0 {
			continue
		}
		id := &vessel.Identity{MMSI: v.MMSI, IMO: v.IMO, Name: v.Name, Flag: v.Flag}
		if n := len(v.Identities); n > 0 {
			last := v.Identities[n-1]
			id = &last
		}
		ts = append(ts, export.Track{MMSI: v.MMSI, Identity: id, Points: v.Track})
	}
	return ts
}

type feature struct {
	Type       string         `json:"type"`
	Geometry   geometry       `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

type geometry struct {
	Type        string `json:"type"`
	Coordinates any    `json:"coordinates"`
}

// writeGeoJSON writes the tracks (internal/export's features) followed by
// ports, events, scene footprints and detections, each feature's
// properties.kind saying which it is.
func writeGeoJSON(w io.Writer, c *Case) error {
	var buf bytes.Buffer
	if err := export.WriteGeoJSON(&buf, exportTracks(c), export.Options{}); err != nil {
		return err
	}
	var fc struct {
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(buf.Bytes(), &fc); err != nil {
		return fmt.Errorf("tracks: %w", err)
	}
	var extra []feature
	for _, p := range c.Ports {
		extra = append(extra, feature{"Feature", geometry{"Point", [2]float64{p.Lon, p.Lat}},
			map[string]any{"kind": "port", "name": p.Name, "country": p.Country, "note": p.Note}})
	}
	for i, e := range c.sortedEvents() {
		props := map[string]any{"kind": "event", "n": i + 1, "event_kind": e.Kind, "key": e.Key, "mmsi": e.MMSI, "imo": e.IMO,
			"name": e.Name, "start": export.FormatTime(e.Start), "end": export.FormatTime(e.End), "port": e.Port,
			"confidence": e.Confidence, "explanation": e.Explanation, "detector": e.Detector, "version": e.Version,
			"params": e.Params, "details": e.Details}
		extra = append(extra, feature{"Feature", geometry{"Point", [2]float64{e.Lon, e.Lat}}, props})
	}
	for _, s := range c.Scenes {
		if b := s.Bounds; b != [4]float64{} {
			ring := [][2]float64{{b[0], b[1]}, {b[2], b[1]}, {b[2], b[3]}, {b[0], b[3]}, {b[0], b[1]}}
			extra = append(extra, feature{"Feature", geometry{"Polygon", [][][2]float64{ring}},
				map[string]any{"kind": "scene", "id": s.ID, "provider": s.Provider, "acquired": export.FormatTime(s.Acquired), "item": s.Item}})
		}
		for _, d := range s.Detections {
			extra = append(extra, feature{"Feature", geometry{"Point", [2]float64{d.Lon, d.Lat}},
				map[string]any{"kind": "detection", "scene": s.ID, "length_m": d.LengthM, "confidence": d.Confidence, "mmsi": d.MMSI, "note": d.Note}})
		}
	}
	for _, f := range extra {
		b, err := json.Marshal(f)
		if err != nil {
			return err
		}
		fc.Features = append(fc.Features, b)
	}
	io.WriteString(w, `{"type":"FeatureCollection","features":[`)
	for i, f := range fc.Features {
		sep := ",\n"
		if i == 0 {
			sep = "\n"
		}
		io.WriteString(w, sep)
		if _, err := w.Write(f); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "\n]}\n")
	return err
}

// writeKML writes internal/export's track document with folders of ports
// and events added before its end.
func writeKML(w io.Writer, c *Case) error {
	var buf bytes.Buffer
	if err := export.WriteKML(&buf, exportTracks(c), export.Options{Title: c.ID + " " + c.Title}); err != nil {
		return err
	}
	doc := buf.String()
	end := strings.LastIndex(doc, "</Document>")
	if end < 0 {
		return fmt.Errorf("kml: no </Document> in track export")
	}
	var b strings.Builder
	if len(c.Ports) > 0 {
		b.WriteString("<Folder>\n<name>Ports</name>\n")
		for _, p := range c.Ports {
			fmt.Fprintf(&b, "<Placemark><name>%s</name><description>%s</description><Point><coordinates>%s,%s</coordinates></Point></Placemark>\n",
				xmlEsc(p.Name), xmlEsc(strings.TrimSpace(p.Country+" "+p.Note)), fmtF(p.Lon), fmtF(p.Lat))
		}
		b.WriteString("</Folder>\n")
	}
	if evs := c.sortedEvents(); len(evs) > 0 {
		b.WriteString("<Folder>\n<name>Events</name>\n")
		for i, e := range evs {
			fmt.Fprintf(&b, "<Placemark><name>%d. %s %s</name><TimeSpan><begin>%s</begin><end>%s</end></TimeSpan><description>%s</description><Point><coordinates>%s,%s</coordinates></Point></Placemark>\n",
				i+1, xmlEsc(kindLabel(e.Kind)), xmlEsc(e.Name), export.FormatTime(e.Start), export.FormatTime(e.End),
				xmlEsc(e.Explanation), fmtF(e.Lon), fmtF(e.Lat))
		}
		b.WriteString("</Folder>\n")
	}
	_, err := io.WriteString(w, doc[:end]+b.String()+doc[end:])
	return err
}

func fmtF(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func xmlEsc(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		default:
			if r < 0x20 && r != '\n' && r != '\t' {
				continue // not allowed in XML 1.0
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// writeEventsCSV writes one row per event, parameters and details as JSON.
func writeEventsCSV(w io.Writer, c *Case) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"n", "key", "kind", "mmsi", "imo", "name", "start", "end", "duration_h", "lat", "lon", "port",
		"other_mmsi", "other_name", "confidence", "detector", "version", "explanation", "params", "details"})
	for i, e := range c.sortedEvents() {
		params, _ := json.Marshal(e.Params)
		details, _ := json.Marshal(e.Details)
		cw.Write([]string{strconv.Itoa(i + 1), e.Key, string(e.Kind), u32(e.MMSI), u32(e.IMO), e.Name,
			export.FormatTime(e.Start), export.FormatTime(e.End), strconv.FormatFloat(e.Duration().Hours(), 'f', 2, 64),
			fmtF(e.Lat), fmtF(e.Lon), e.Port, u32(e.OtherMMSI), e.OtherName, strconv.FormatFloat(e.Confidence, 'f', -1, 64),
			e.Detector, e.Version, e.Explanation, nullEmpty(params), nullEmpty(details)})
	}
	cw.Flush()
	return cw.Error()
}

func u32(v uint32) string {
	if v == 0 {
		return ""
	}
	return strconv.FormatUint(uint64(v), 10)
}

func nullEmpty(b []byte) string {
	if string(b) == "null" {
		return ""
	}
	return string(b)
}

// kindLabel is an event kind as a reader says it.
func kindLabel(k event.Kind) string {
	switch k {
	case event.PortVisit:
		return "Port visit"
	case event.Gap:
		return "AIS gap"
	case event.DarkPortVisit:
		return "Dark port visit"
	case event.Encounter:
		return "Encounter"
	case event.Loitering:
		return "Loitering"
	case event.Spoofing:
		return "Spoofing"
	case event.DraughtChange:
		return "Draught change"
	case event.IdentityChange:
		return "Identity change"
	case event.Geofence:
		return "Zone entry"
	case event.SanctionsHit:
		return "Sanctions match"
	case event.DarkDetection:
		return "Dark vessel in imagery"
	case event.RiskChange:
		return "Risk change"
	}
	return string(k)
}
