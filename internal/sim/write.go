package sim

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/klauspost/compress/gzip"
)

// AISFile is the NMEA file's path in the output directory (".gz" added
// when compressed).
const AISFile = "ais/simulated-ais.nmea"

// Write renders the scenario into dir (created if missing): the AIS, the
// scenes, README.txt and manifest.json. The same scenario always writes
// the same bytes. The returned manifest is what manifest.json holds.
func (s *Scenario) Write(dir string) (Manifest, error) {
	if s.err != nil {
		return Manifest{}, s.err
	}
	for _, d := range []string{dir, filepath.Join(dir, "ais"), filepath.Join(dir, "scenes")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return Manifest{}, fmt.Errorf("sim: %w", err)
		}
	}
	m := s.truth
	m.Simulated, m.Notice = true, Notice
	m.Generator = "Lookout internal/sim (deterministic: the same seed writes the same bytes)"
	m.Seed, m.Start, m.End = s.cfg.Seed, s.cfg.Start, s.cfg.End

	// Scenes render while the AIS is written.
	type sceneResult struct {
		scenes []Scene
		files  []sceneFile
		err    error
	}
	sceneCh := make(chan sceneResult, 1)
	go func() {
		sc, f, err := s.scenes()
		sceneCh <- sceneResult{sc, f, err}
	}()

	files, err := s.writeAIS(dir, &m.AIS)
	sr := <-sceneCh
	if err != nil {
		return Manifest{}, err
	}
	if sr.err != nil {
		return Manifest{}, sr.err
	}
	m.Files = append(m.Files, files...)
	m.Scenes = sr.scenes
	for _, sf := range sr.files {
		f, err := writeFile(dir, sf.path, sf.kind, sf.data)
		if err != nil {
			return Manifest{}, err
		}
		m.Files = append(m.Files, f)
	}
	f, err := writeFile(dir, "README.txt", "readme", s.readme())
	if err != nil {
		return Manifest{}, err
	}
	m.Files = append(m.Files, f)
	slices.SortFunc(m.Files, func(a, b File) int { return cmp.Compare(a.Path, b.Path) })

	m.Vessels = s.Vessels()
	for _, p := range s.places.Ports() {
		m.Ports = append(m.Ports, PortRef{Name: p.Name, Country: p.Country, Lat: p.Lat, Lon: p.Lon, HighRisk: p.HighRisk})
	}
	lo, hi := s.cfg.Start, s.cfg.End
	m.DarkLegs = slices.DeleteFunc(slices.Clone(m.DarkLegs), func(d DarkLeg) bool { return !d.On.After(lo) || !d.Off.Before(hi) })
	for _, sh := range s.ships {
		if sh.Role == RoleBackground {
			continue
		}
		for _, sg := range sh.plan.segs {
			if sg.kind != segStay || sg.t1 <= unix(lo) || sg.t0 >= unix(hi) {
				continue
			}
			pc := PortCall{MMSI: sh.MMSI, Name: sh.Name, Port: sg.port, Arrived: timeUTC(sg.t0), Departed: timeUTC(sg.t1)}
			pc.AISOff = sh.plan.isOff(sg.t0) && sh.plan.isOff(sg.t1-1)
			m.PortCalls = append(m.PortCalls, pc)
		}
	}
	if !m.STS.End.After(lo) || !m.STS.Start.Before(hi) {
		m.STS = STSPair{} // outside the window written
	}
	m.Truth = s.truthEvents()
	la := lookalikeVessel()
	m.LookAlike = LookAlike{MMSI: la.MMSI, IMO: la.IMO, Name: la.Name, Resembles: "MARIA", ResemblesIMO: 8517839}
	slices.SortFunc(m.Dropouts, func(a, b Dropout) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return cmp.Compare(a.MMSI, b.MMSI)
	})
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return Manifest{}, fmt.Errorf("sim: manifest: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), append(b, '\n'), 0o644); err != nil {
		return Manifest{}, fmt.Errorf("sim: %w", err)
	}
	return m, nil
}

// writeAIS samples the messages, passes them through the reception and
// writes the NMEA file and, with Config.CSV, the CSV export (the two at
// once).
func (s *Scenario) writeAIS(dir string, st *AISStats) ([]File, error) {
	msgs := s.messages()
	copies, unheard := s.receive(msgs)
	if rc := s.cfg.Reception; rc.active() {
		st.Reception, st.Sent, st.Unheard = &rc, len(msgs), unheard
	}
	ext := ""
	if s.cfg.Gzip {
		ext = ".gz"
	}
	st.File = AISFile + ext
	type result struct {
		f    File
		rows int
		err  error
	}
	csvCh := make(chan result, 1)
	if s.cfg.CSV {
		st.CSVFile = CSVFile + ext
		go func() {
			var r result
			r.f, r.err = s.writeAISFile(dir, st.CSVFile, "ais-csv", func(w io.Writer) (err error) {
				r.rows, err = s.writeCSV(w, msgs, copies)
				return err
			})
			csvCh <- r
		}()
	}
	f, err := s.writeAISFile(dir, st.File, "ais-nmea", func(w io.Writer) error { return s.writeNMEA(w, msgs, copies, st) })
	files := []File{f}
	if s.cfg.CSV {
		r := <-csvCh
		if err == nil {
			err = r.err
		}
		files = append(files, r.f)
		st.CSVRows = r.rows
	}
	if err != nil {
		return nil, err
	}
	return files, nil
}

// writeAISFile creates rel (gzip-compressed with Config.Gzip), has write
// fill it, and returns its manifest entry.
func (s *Scenario) writeAISFile(dir, rel, kind string, write func(io.Writer) error) (File, error) {
	out, err := os.Create(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		return File{}, fmt.Errorf("sim: %w", err)
	}
	defer out.Close()
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(out, h)}
	var w io.Writer = cw
	var gz *gzip.Writer
	if s.cfg.Gzip {
		// No name or time in the header: the bytes depend on the data only.
		gz, _ = gzip.NewWriterLevel(cw, gzip.BestSpeed)
		w = gz
	}
	if err := write(w); err != nil {
		return File{}, fmt.Errorf("sim: %s: %w", rel, err)
	}
	if gz != nil {
		if err := gz.Close(); err != nil {
			return File{}, fmt.Errorf("sim: %w", err)
		}
	}
	if err := out.Close(); err != nil {
		return File{}, fmt.Errorf("sim: %w", err)
	}
	return File{Path: rel, Kind: kind, SHA256: hex.EncodeToString(h.Sum(nil)), Size: cw.n}, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func writeFile(dir, rel, kind string, data []byte) (File, error) {
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(rel)), data, 0o644); err != nil {
		return File{}, fmt.Errorf("sim: %w", err)
	}
	sum := sha256.Sum256(data)
	return File{Path: rel, Kind: kind, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data))}, nil
}

// readme is README.txt: what the directory holds, and that it is
// simulated.
func (s *Scenario) readme() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "SIMULATED DATA - NOT REAL AIS, NOT REAL IMAGERY\n\n%s\n\n", wrapText(Notice, 76))
	fmt.Fprintf(&b, "Written by Lookout's simulator (internal/sim), seed %d, for %s to %s (UTC).\n\n",
		s.cfg.Seed, s.cfg.Start.Format("2006-01-02"), s.cfg.End.Add(-1).Format("2006-01-02"))
	b.WriteString(`Contents
  ais/         AIS as NMEA 0183 with NMEA 4.10 tag blocks (s:SIMULATED, c: receive
               time in Unix seconds): position reports (types 1, 2, 3) and static
               and voyage reports (type 5, two sentences grouped with g:).
  scenes/      simulated satellite scenes over Najin: PNG images with a sidecar
               FILE.png.json (time, footprint, platform, resolution), vessel
               detections as CSV, and a SAR GeoTIFF with its sidecar.
  manifest.json  the ground truth: vessels and their roles, the dark legs and the
               port actually visited, scenes and what is in them, the look-alike,
               the ship-to-ship transfer, the ordinary reception gaps, and the
               SHA-256 of every file.

The story, what is real and what is simulated, and sources: docs/DEMO.md in the
Lookout repository. To run the whole demo: lookout demo
`)
	if s.cfg.CSV {
		b.WriteString(`
The ais/ directory also holds the same position reports as a Danish Maritime
Authority (aisdk) CSV export, its "Data source type" column SIMULATED.
`)
	}
	if rc := s.cfg.Reception; rc.active() {
		fmt.Fprintf(&b, "\n%s\n", wrapText(fmt.Sprintf("The reception is degraded on purpose, to test detectors: %d station(s) (tag-block sources SIMULATED, SIMULATED-2, ...), "+
			"each missing %.0f%% of messages; positions off by %g m (standard deviation); %.0f%% of lines up to a minute late.",
			max(1, rc.Receivers), rc.Loss*100, rc.NoiseM, rc.Late*100), 76))
	}
	return b.Bytes()
}

func wrapText(s string, width int) string {
	var b strings.Builder
	n := 0
	for i, w := range strings.Fields(s) {
		if i > 0 {
			if n+1+len(w) > width {
				b.WriteByte('\n')
				n = 0
			} else {
				b.WriteByte(' ')
				n++
			}
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String()
}
