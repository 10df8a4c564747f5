package export

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// WriteKML writes the tracks as a KML 2.2 document for Google Earth: a
// Folder per vessel holding a Placemark per segment (a LineString, or a
// MultiGeometry of LineStrings when the segment crosses the antimeridian)
// with a TimeSpan, so Earth's time slider plays the track; with
// Options.Points, a sub-folder of point Placemarks with a TimeStamp each,
// their icon turned to the course over ground.
func WriteKML(w io.Writer, tracks []Track, opt Options) error {
	for i := range tracks {
		if err := check(&tracks[i]); err != nil {
			return err
		}
	}
	title := opt.Title
	if title == "" {
		title = "Lookout export"
	}
	k := &kmlWriter{w: bufio.NewWriter(w)}
	k.printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	k.printf("<kml xmlns=\"http://www.opengis.net/kml/2.2\">\n<Document>\n")
	k.printf("<name>%s</name>\n", esc(title))
	k.printf("<Style id=\"track\"><LineStyle><color>ff00a5ff</color><width>2</width></LineStyle></Style>\n")
	k.printf("<Style id=\"position\"><IconStyle><scale>0.6</scale><Icon><href>http://maps.google.com/mapfiles/kml/shapes/arrow.png</href></Icon></IconStyle><LabelStyle><scale>0</scale></LabelStyle></Style>\n")
	for _, t := range tracks {
		id := identityProps(&t)
		label := fmt.Sprintf("MMSI %d", t.MMSI)
		if id.Name != "" {
			label = fmt.Sprintf("%s (MMSI %d)", id.Name, t.MMSI)
		}
		k.printf("<Folder>\n<name>%s</name>\n", esc(label))
		for _, seg := range Segments(t.Points) {
			first, last := seg.Points[0], seg.Points[len(seg.Points)-1]
			k.printf("<Placemark>\n<name>%s segment %d</name>\n", esc(label), seg.Number)
			k.printf("<TimeSpan><begin>%s</begin><end>%s</end></TimeSpan>\n", FormatTime(first.Time), FormatTime(last.Time))
			k.printf("<styleUrl>#track</styleUrl>\n")
			k.extended(id, [][2]string{{"segment", strconv.FormatUint(uint64(seg.Number), 10)}, {"points", strconv.Itoa(len(seg.Points))}})
			parts := SplitAntimeridian(coords(seg.Points))
			switch {
			case len(parts) == 1 && len(parts[0]) == 1:
				k.printf("<Point><coordinates>%s</coordinates></Point>\n", kmlCoords(parts[0]))
			case len(parts) == 1:
				k.printf("<LineString><tessellate>1</tessellate><coordinates>%s</coordinates></LineString>\n", kmlCoords(parts[0]))
			default:
				k.printf("<MultiGeometry>\n")
				for _, p := range padParts(parts) {
					k.printf("<LineString><tessellate>1</tessellate><coordinates>%s</coordinates></LineString>\n", kmlCoords(p))
				}
				k.printf("</MultiGeometry>\n")
			}
			k.printf("</Placemark>\n")
		}
		if opt.Points && len(t.Points) > 0 {
			k.printf("<Folder>\n<name>Positions</name>\n")
			for _, p := range t.Points {
				k.printf("<Placemark><name>%s</name><TimeStamp><when>%s</when></TimeStamp><styleUrl>#position</styleUrl>",
					FormatTime(p.Time), FormatTime(p.Time))
				if p.COG == p.COG {
					k.printf("<Style><IconStyle><heading>%s</heading></IconStyle></Style>", strconv.FormatFloat(float64(p.COG), 'f', -1, 32))
				}
				extra := [][2]string{{"sog", optFloat(p.SOG)}, {"cog", optFloat(p.COG)}, {"status", strconv.Itoa(int(p.Status))},
					{"source", p.Source}, {"segment", strconv.FormatUint(uint64(p.Segment), 10)}}
				k.printf("<ExtendedData>")
				for _, kv := range extra {
					k.printf("<Data name=\"%s\"><value>%s</value></Data>", kv[0], esc(kv[1]))
				}
				k.printf("</ExtendedData><Point><coordinates>%s</coordinates></Point></Placemark>\n", kmlCoords([]Coord{{p.Lon, p.Lat}}))
			}
			k.printf("</Folder>\n")
		}
		k.printf("</Folder>\n")
	}
	k.printf("</Document>\n</kml>\n")
	if k.err == nil {
		k.err = k.w.Flush()
	}
	if k.err != nil {
		return fmt.Errorf("export: kml: %w", k.err)
	}
	return nil
}

type kmlWriter struct {
	w   *bufio.Writer
	err error
}

func (k *kmlWriter) printf(format string, args ...any) {
	if k.err == nil {
		_, k.err = fmt.Fprintf(k.w, format, args...)
	}
}

func (k *kmlWriter) extended(id identityJSON, extra [][2]string) {
	kv := [][2]string{{"mmsi", strconv.FormatUint(uint64(id.MMSI), 10)}}
	if id.IMO != 0 {
		kv = append(kv, [2]string{"imo", strconv.FormatUint(uint64(id.IMO), 10)})
	}
	for _, f := range [][2]string{{"name", id.Name}, {"callsign", id.CallSign}, {"flag", id.Flag}} {
		if f[1] != "" {
			kv = append(kv, f)
		}
	}
	kv = append(kv, extra...)
	k.printf("<ExtendedData>")
	for _, f := range kv {
		k.printf("<Data name=\"%s\"><value>%s</value></Data>", f[0], esc(f[1]))
	}
	k.printf("</ExtendedData>\n")
}

// kmlCoords formats lon,lat tuples separated by spaces.
func kmlCoords(cs []Coord) string {
	var b strings.Builder
	for i, c := range cs {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.FormatFloat(c[0], 'f', -1, 64))
		b.WriteByte(',')
		b.WriteString(strconv.FormatFloat(c[1], 'f', -1, 64))
	}
	return b.String()
}

func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
