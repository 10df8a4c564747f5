package cli

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/lookout-maritime/lookout/internal/coast"
	"github.com/lookout-maritime/lookout/internal/dossier"
	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/evidence"
	"github.com/lookout-maritime/lookout/internal/imagery"
	"github.com/lookout-maritime/lookout/internal/imagery/cfar"
	"github.com/lookout-maritime/lookout/internal/imagery/geotiff"
	"github.com/lookout-maritime/lookout/internal/imagery/match"
	"github.com/lookout-maritime/lookout/internal/imagery/proj"
	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

func init() { register(newImageryCmd) }

// imageryDir is where a store's imagery lives — the catalogue
// (catalog.json), the scene files kept as evidence (files/) and the latest
// match of each scene to AIS (matches.json): $LOOKOUT_IMAGERY, else next to
// a DuckDB store ("lookout.duckdb" → "lookout.imagery", as the evidence log
// is "lookout.evidence"), else ./lookout.imagery for a database store.
// serve, demo and dossier find the imagery through it.
func imageryDir(storePath string) string {
	if env := os.Getenv("LOOKOUT_IMAGERY"); env != "" {
		return env
	}
	if strings.Contains(storePath, "://") {
		return "lookout.imagery"
	}
	return strings.TrimSuffix(storePath, filepath.Ext(storePath)) + ".imagery"
}

// imageryLib is a store's imagery directory: the catalogue, the kept
// files and the match results.
type imageryLib struct {
	dir string
	cat *imagery.MemCatalog
}

// openImagery opens the imagery directory; create makes it when missing
// (commands that only read leave a missing one missing).
func openImagery(dir string, create bool) (*imageryLib, error) {
	if create {
		if err := os.MkdirAll(filepath.Join(dir, "files"), 0o755); err != nil {
			return nil, fmt.Errorf("imagery: %w", err)
		}
	}
	cat, err := imagery.OpenMemCatalog(filepath.Join(dir, "catalog.json"))
	if err != nil {
		return nil, fmt.Errorf("imagery catalogue: %w", err)
	}
	if !create {
		cat.Path = "" // never write from a reading command
	}
	return &imageryLib{dir: dir, cat: cat}, nil
}

// mediaExt is the extension a kept file gets for its media type.
func mediaExt(mt string) string {
	switch mt {
	case imagery.MediaGeoTIFF:
		return ".tif"
	case imagery.MediaJPEG:
		return ".jpg"
	case imagery.MediaPNG:
		return ".png"
	}
	return ".json"
}

// keptPath is where the copy of a scene's file kept as evidence is: named
// by its SHA-256, so the name proves the content and a file registered
// twice is kept once.
func (l *imageryLib) keptPath(s imagery.Scene) string {
	return filepath.Join(l.dir, "files", s.SHA256+mediaExt(s.MediaType))
}

// errSceneConflict: a scene ID is already taken by a different file.
var errSceneConflict = errors.New("imagery: scene ID already registered from a different file")

// add registers a scene file: it reads the file's metadata, keeps a copy
// (and of its sidecar) under files/, and stores the scene. added is false
// when the same file was registered before. A different file under an ID
// already used is refused: the detections and annotations of the first
// rest on its pixels.
func (l *imageryLib) add(ctx context.Context, path string) (s *imagery.Scene, added bool, err error) {
	s, err = imagery.Register(path, imagery.RegisterConfig{})
	if err != nil {
		return nil, false, err
	}
	if old, err := l.cat.Scene(ctx, s.ID); err == nil {
		if old.SHA256 == s.SHA256 {
			// Registered before: make sure the kept copy is still there.
			if _, err := os.Stat(l.keptPath(old)); err != nil {
				if err := keepFile(path, l.keptPath(old), old.SHA256); err != nil {
					return nil, false, err
				}
			}
			return &old, false, nil
		}
		return nil, false, fmt.Errorf("%s: %w: %s is %s, this file is %s (give it another \"id\" in its sidecar)",
			path, errSceneConflict, s.ID, short(old.SHA256), short(s.SHA256))
	} else if !errors.Is(err, imagery.ErrNotFound) {
		return nil, false, err
	}
	kept := l.keptPath(*s)
	if err := keepFile(path, kept, s.SHA256); err != nil {
		return nil, false, err
	}
	for _, sc := range []string{path + ".json", strings.TrimSuffix(path, filepath.Ext(path)) + ".json"} {
		if sc == path {
			continue
		}
		if fi, err := os.Stat(sc); err == nil && fi.Mode().IsRegular() {
			b, err := os.ReadFile(sc)
			if err != nil {
				return nil, false, err
			}
			sum := sha256.Sum256(b)
			if err := keepFile(sc, strings.TrimSuffix(kept, filepath.Ext(kept))+".sidecar.json", hex.EncodeToString(sum[:])); err != nil {
				return nil, false, err
			}
			s.Notes = append(s.Notes, "sidecar "+filepath.Base(sc)+" sha256 "+hex.EncodeToString(sum[:]))
			break
		}
	}
	if err := l.cat.PutScene(ctx, *s); err != nil {
		return nil, false, fmt.Errorf("%s: storing scene: %w", path, err)
	}
	return s, true, nil
}

// keepFile copies src to dst (atomically, unless dst already exists),
// checking that the copy hashes to sum: a file changed between being
// registered and being copied is refused rather than kept wrong.
func keepFile(src, dst, sum string) error {
	if _, err := os.Stat(dst); err == nil {
		if got, err := fileSum(dst); err == nil && got == sum {
			return nil
		}
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".keep-*")
	if err != nil {
		return fmt.Errorf("imagery: keeping %s: %w", src, err)
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(tmp, h), in); err != nil {
		tmp.Close()
		return fmt.Errorf("imagery: keeping %s: %w", src, err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum {
		return fmt.Errorf("imagery: %s changed while it was registered (sha256 %s, then %s)", src, short(sum), short(got))
	}
	if err := os.Chmod(tmp.Name(), 0o444); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}

func fileSum(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// importReport is what an import of detections did.
type importReport struct {
	File     string         `json:"file"`
	Scenes   map[string]int `json:"scenes"` // detections stored per scene
	Rejected int            `json:"rejected"`
	Errors   []string       `json:"errors,omitempty"` // file:line: reason
}

// importDetections reads detections from a CSV or GeoJSON file and stores
// them with their scene, replacing what an earlier import of the same
// file (by name) put there. With sceneID the rows belong to that scene
// (a scene column naming one other ID is taken as that scene's name in
// the file's own data set); without, each row's scene column must name a
// catalogued scene. Bad rows are reported and counted, never fatal; rows
// outside their scene's footprint are rejected.
func (l *imageryLib) importDetections(ctx context.Context, path, sceneID string) (*importReport, error) {
	rep := &importReport{File: path, Scenes: map[string]int{}}
	name := filepath.Base(path)
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	head, _ := br.Peek(512)
	isJSON := bytes.HasPrefix(bytes.TrimLeft(head, " \t\r\n\xef\xbb\xbf"), []byte("{"))
	// A row without a time takes its scene's acquisition time; without
	// --scene that is known only after reading, so a marker stands in.
	marker := time.Unix(1, 0).UTC()
	cfg := imagery.ImportConfig{Time: marker}
	var scene imagery.Scene
	if sceneID != "" {
		if scene, err = l.cat.Scene(ctx, sceneID); err != nil {
			return nil, err
		}
		cfg.SceneID, cfg.Time = sceneID, scene.Acquired
	}
	var ds []imagery.Detection
	var bad []error
	if isJSON {
		ds, bad, err = imagery.ImportGeoJSON(br, path, cfg)
	} else {
		ds, bad, err = imagery.ImportCSV(br, path, cfg)
	}
	for _, e := range bad {
		var re *imagery.RowError
		if isJSON && errors.As(e, &re) {
			rep.Errors = append(rep.Errors, fmt.Sprintf("%s: feature %d: %v", re.File, re.Line, re.Err))
		} else {
			rep.Errors = append(rep.Errors, e.Error())
		}
	}
	rep.Rejected = len(bad)
	if err != nil {
		return rep, err
	}
	if sceneID != "" {
		others := map[string]bool{}
		for _, d := range ds {
			if d.SceneID != sceneID {
				others[d.SceneID] = true
			}
		}
		if len(others) > 1 {
			return rep, fmt.Errorf("%s: rows name %d scenes other than %s; import without --scene (scene IDs as catalogued) or split the file", path, len(others), sceneID)
		}
	}
	groups := map[string][]imagery.Detection{}
	scenes := map[string]imagery.Scene{}
	reject := func(d imagery.Detection, why string) {
		rep.Rejected++
		rep.Errors = append(rep.Errors, fmt.Sprintf("%s: detection %s at %.5f,%.5f: %s", path, d.ID, d.Lat, d.Lon, why))
	}
	for _, d := range ds {
		if sceneID != "" {
			d.SceneID = sceneID
		}
		s, ok := scenes[d.SceneID]
		if !ok {
			if s, err = l.cat.Scene(ctx, d.SceneID); err != nil {
				if !errors.Is(err, imagery.ErrNotFound) {
					return rep, err
				}
				reject(d, fmt.Sprintf("scene %q is not in the catalogue (lookout imagery add)", d.SceneID))
				continue
			}
			scenes[d.SceneID] = s
		}
		if d.Time.Equal(marker) {
			d.Time = s.Acquired
		}
		if !nearFootprint(s.Footprint, d.Lat, d.Lon) {
			reject(d, "outside the scene's footprint "+fmtBounds(s.Footprint.Bounds()))
			continue
		}
		// Detection IDs name the file, so two imports cannot collide and
		// an ID reads as where the row came from (file:line).
		d.ID = name + ":" + d.ID
		groups[d.SceneID] = append(groups[d.SceneID], d)
	}
	if len(groups) == 0 && sceneID != "" {
		groups[sceneID] = nil // an import with no good rows still replaces the earlier one
	}
	for id, g := range groups {
		if err := l.cat.PutDetections(ctx, id, "import:"+name, g); err != nil {
			return rep, err
		}
		rep.Scenes[id] = len(g)
	}
	return rep, nil
}

// nearFootprint: inside the footprint, or within about 100 m of its box
// (footprints are approximate at their edges).
func nearFootprint(f imagery.Footprint, lat, lon float64) bool {
	if f.Contains(lat, lon) {
		return true
	}
	b := f.Bounds()
	const tol = 0.001
	if lat < b[1]-tol || lat > b[3]+tol {
		return false
	}
	if b[0] <= b[2] {
		return lon >= b[0]-tol && lon <= b[2]+tol
	}
	return lon >= b[0]-tol || lon <= b[2]+tol
}

func fmtBounds(b [4]float64) string {
	return fmt.Sprintf("%.4f,%.4f,%.4f,%.4f", b[0], b[1], b[2], b[3])
}

// detect runs the CFAR detector over a GeoTIFF scene's kept file with the
// embedded coastline as land mask.
func (l *imageryLib) detect(ctx context.Context, sceneID string, cfg imagery.DetectConfig) ([]imagery.Detection, error) {
	s, err := l.cat.Scene(ctx, sceneID)
	if err != nil {
		return nil, err
	}
	land, err := coast.Load()
	if err != nil {
		return nil, err
	}
	return imagery.DetectScene(ctx, l.cat, sceneID, l.keptPath(s), land, cfg)
}

// sceneMatch is the latest match of a scene to AIS, kept in matches.json
// so the map and the dossier can say which detection is which vessel.
type sceneMatch struct {
	Scene      string           `json:"scene"`
	Acquired   time.Time        `json:"acquired"`
	Run        time.Time        `json:"run"`
	Detections int              `json:"detections"`
	Tracks     int              `json:"tracks"`
	Stale      int              `json:"stale"`
	Matched    []matchedOut     `json:"matched"`
	Dark       []darkOut        `json:"dark"`
	NotSeen    []unseenOut      `json:"not_seen"`
	NotImaged  []uint32         `json:"not_imaged"`
	Events     int              `json:"events_stored"`
	Withdrawn  int              `json:"events_withdrawn,omitempty"`
	Config     map[string]any   `json:"config,omitempty"`
	byDet      map[string]int64 // detection ID → MMSI (0 dark), filled on load
	darkScores map[string]float64
}

type matchedOut struct {
	Detection  string  `json:"detection"`
	Lat        float64 `json:"lat"`
	Lon        float64 `json:"lon"`
	DetLengthM float64 `json:"detection_length_m,omitempty"`
	MMSI       uint32  `json:"mmsi"`
	IMO        uint32  `json:"imo,omitempty"`
	Name       string  `json:"name,omitempty"`
	AISLengthM float64 `json:"ais_length_m,omitempty"`
	DistanceM  float64 `json:"distance_m"`
	FixAgeS    float64 `json:"fix_age_s"`
	Score      float64 `json:"score"`
	Ambiguous  bool    `json:"ambiguous,omitempty"`
	// Alternatives are the other vessels an ambiguous match could be.
	Alternatives []match.Candidate `json:"alternatives,omitempty"`
}

type darkOut struct {
	Detection string  `json:"detection"`
	Lat       float64 `json:"lat"`
	Lon       float64 `json:"lon"`
	LengthM   float64 `json:"length_m,omitempty"`
	Score     float64 `json:"score"`
	EventKey  string  `json:"event_key"`
}

type unseenOut struct {
	MMSI    uint32  `json:"mmsi"`
	Name    string  `json:"name,omitempty"`
	Lat     float64 `json:"lat"`
	Lon     float64 `json:"lon"`
	FixAgeS float64 `json:"fix_age_s"`
	LengthM float64 `json:"length_m,omitempty"`
	Reason  string  `json:"reason"`
	Score   float64 `json:"score"`
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

func newSceneMatch(s imagery.Scene, nDet, nTracks int, res *match.Result) *sceneMatch {
	m := &sceneMatch{Scene: s.ID, Acquired: s.Acquired, Run: time.Now().UTC().Truncate(time.Second), Detections: nDet,
		Tracks: nTracks, Stale: res.Stale, Matched: []matchedOut{}, Dark: []darkOut{}, NotSeen: []unseenOut{}, NotImaged: res.NotImaged}
	if m.NotImaged == nil {
		m.NotImaged = []uint32{}
	}
	for _, x := range res.Matched {
		m.Matched = append(m.Matched, matchedOut{Detection: x.Detection.ID, Lat: x.Detection.Lat, Lon: x.Detection.Lon,
			DetLengthM: x.Detection.LengthM, MMSI: x.MMSI, IMO: x.IMO, Name: x.Name, AISLengthM: x.LengthM,
			DistanceM: math.Round(x.DistanceM), FixAgeS: x.FixAge.Seconds(), Score: x.Score, Ambiguous: x.Ambiguous, Alternatives: x.Alternatives})
	}
	keys := map[string]string{}
	for _, e := range res.Events {
		if id, _ := e.Details["detection_id"].(string); id != "" {
			keys[id] = e.Key
		}
	}
	for _, d := range res.Dark {
		m.Dark = append(m.Dark, darkOut{Detection: d.Detection.ID, Lat: d.Detection.Lat, Lon: d.Detection.Lon,
			LengthM: d.Detection.LengthM, Score: d.Score, EventKey: keys[d.Detection.ID]})
	}
	for _, u := range res.NotSeen {
		m.NotSeen = append(m.NotSeen, unseenOut{MMSI: u.MMSI, Name: u.Name, Lat: u.Lat, Lon: u.Lon, FixAgeS: u.FixAge.Seconds(),
			LengthM: u.LengthM, Reason: u.Reason, Score: u.Score})
	}
	return m
}

func (m *sceneMatch) index() {
	m.byDet, m.darkScores = map[string]int64{}, map[string]float64{}
	for _, x := range m.Matched {
		m.byDet[x.Detection] = int64(x.MMSI)
	}
	for _, d := range m.Dark {
		m.byDet[d.Detection] = 0
		m.darkScores[d.Detection] = d.Score
	}
}

func (l *imageryLib) matchesPath() string { return filepath.Join(l.dir, "matches.json") }

// matches reads the latest match of every scene (none yet: empty).
func (l *imageryLib) matches() (map[string]*sceneMatch, error) {
	return readMatches(l.matchesPath())
}

func readMatches(path string) (map[string]*sceneMatch, error) {
	m := map[string]*sceneMatch{}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, x := range m {
		x.index()
	}
	return m, nil
}

// saveMatch records a scene's match, replacing the scene's earlier one.
func (l *imageryLib) saveMatch(m *sceneMatch) error {
	all, err := l.matches()
	if err != nil {
		return err
	}
	all[m.Scene] = m
	b, err := json.MarshalIndent(all, "", " ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(l.dir, ".matches-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), l.matchesPath())
}

// matchStore is what matching a scene needs of the store: the vessels near
// the scene and their tracks, and the events it writes.
type matchStore interface {
	Near(ctx context.Context, q store.NearQuery) ([]store.NearHit, error)
	Track(ctx context.Context, mmsi uint32, from, to time.Time) ([]vessel.TrackPoint, error)
	Events(ctx context.Context, q store.EventQuery) ([]event.Event, error)
	PutEvents(ctx context.Context, evs []event.Event) error
}

// sceneCircle is a circle around a footprint: its box's centre and the
// distance to the farthest vertex.
func sceneCircle(f imagery.Footprint) (lat, lon, radiusKm float64) {
	b := f.Bounds()
	lat = (b[1] + b[3]) / 2
	if b[0] <= b[2] {
		lon = (b[0] + b[2]) / 2
	} else { // across the antimeridian
		lon = math.Remainder((b[0]+b[2]+360)/2, 360)
	}
	for _, r := range f {
		for _, p := range r {
			radiusKm = math.Max(radiusKm, store.HaversineKm(lat, lon, p[1], p[0]))
		}
	}
	return lat, lon, radiusKm
}

// sceneTracks gathers the AIS tracks that may be in a scene: vessels with
// a fix within maxAge of the acquisition inside a circle around the
// footprint grown by how far a fast ship (25 kn) sails in maxAge plus the
// matcher's largest gate, each with its fixes within maxAge.
func sceneTracks(ctx context.Context, st matchStore, s imagery.Scene, maxAge time.Duration, maxGateM float64) ([]match.Track, error) {
	lat, lon, r := sceneCircle(s.Footprint)
	r += 25*1.852*maxAge.Hours() + maxGateM/1000
	r = math.Min(r, math.Pi*store.EarthRadiusKm)
	from, to := s.Acquired.Add(-maxAge), s.Acquired.Add(maxAge+time.Second)
	hits, err := st.Near(ctx, store.NearQuery{Lat: lat, Lon: lon, RadiusKm: r, From: from, To: to})
	if err != nil {
		return nil, fmt.Errorf("vessels near scene %s: %w", s.ID, err)
	}
	var out []match.Track
	for _, h := range hits {
		pts, err := st.Track(ctx, h.MMSI, from, to)
		if err != nil {
			return nil, fmt.Errorf("track of %d: %w", h.MMSI, err)
		}
		if len(pts) == 0 {
			continue
		}
		tr := match.Track{MMSI: h.MMSI, Points: pts}
		if id := h.Latest; id != nil {
			tr.IMO, tr.Name, tr.LengthM = id.IMO, id.Name, float64(id.Length)
		}
		out = append(out, tr)
	}
	return out, nil
}

// matchScene matches a scene's detections to the AIS tracks in the store,
// writes the dark detections as dark_detection events — scoped to the
// scene: a re-run replaces its events (same keys) and withdraws those of
// detections no longer dark, leaving other scenes' alone — and records the
// match in matches.json.
func (l *imageryLib) matchScene(ctx context.Context, st matchStore, sceneID string, cfg match.Config) (*sceneMatch, error) {
	s, err := l.cat.Scene(ctx, sceneID)
	if err != nil {
		return nil, err
	}
	ds, err := l.cat.Detections(ctx, sceneID)
	if err != nil {
		return nil, err
	}
	maxAge, maxGate := cfg.MaxFixAge, cfg.MaxGateM
	if maxAge == 0 {
		maxAge = 30 * time.Minute
	}
	if maxGate == 0 {
		maxGate = 20000
	}
	tracks, err := sceneTracks(ctx, st, s, maxAge, maxGate)
	if err != nil {
		return nil, err
	}
	land, err := coast.Load()
	if err != nil {
		return nil, err
	}
	res, err := match.Run(match.Input{Scene: s, Detections: ds, Tracks: tracks, Land: land}, cfg)
	if err != nil {
		return nil, err
	}
	m := newSceneMatch(s, len(ds), len(tracks), res)
	evs, withdrawn, err := sceneEvents(ctx, st, s, res.Events)
	if err != nil {
		return nil, err
	}
	if err := st.PutEvents(ctx, evs); err != nil {
		return nil, fmt.Errorf("storing dark detections of %s: %w", sceneID, err)
	}
	m.Events, m.Withdrawn = len(res.Events), withdrawn
	if len(res.Events) > 0 {
		m.Config = res.Events[0].Params
	}
	if err := l.saveMatch(m); err != nil {
		return nil, err
	}
	m.index()
	return m, nil
}

// sceneEvents merges a scene's new dark_detection events with those stored
// by its earlier matches: a stored one with the same key is revised (its
// revision goes up when it changed); one whose detection is no longer dark
// is withdrawn. Other scenes' events are not touched.
func sceneEvents(ctx context.Context, st matchStore, s imagery.Scene, fresh []event.Event) ([]event.Event, int, error) {
	old, err := st.Events(ctx, store.EventQuery{Kinds: []event.Kind{event.DarkDetection}, Detectors: []string{match.Detector},
		From: s.Acquired, To: s.Acquired.Add(time.Second), IncludeWithdrawn: true})
	if err != nil {
		return nil, 0, fmt.Errorf("earlier dark detections of %s: %w", s.ID, err)
	}
	prev := map[string]event.Event{}
	for _, e := range old {
		if id, _ := e.Details["scene_id"].(string); id == s.ID {
			prev[e.Key] = e
		}
	}
	out := make([]event.Event, 0, len(fresh)+len(prev))
	for _, e := range fresh {
		if p, ok := prev[e.Key]; ok {
			e.Revision = p.Revision
			if p.Withdrawn || p.Explanation != e.Explanation || p.Confidence != e.Confidence {
				e.Revision++
			}
			delete(prev, e.Key)
		}
		out = append(out, e)
	}
	withdrawn := 0
	keys := make([]string, 0, len(prev))
	for k := range prev {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p := prev[k]
		if p.Withdrawn {
			continue
		}
		p.ID = 0
		p.Withdrawn = true
		p.Revision++
		p.Explanation += " Withdrawn: a later match of the scene accounts for this detection, or it is no longer among the scene's detections."
		out = append(out, p)
		withdrawn++
	}
	return out, withdrawn, nil
}

// importScene registers an image (GeoTIFF, photo with sidecar, STAC Item)
// in the imagery directory dir and, when detectionsPath is set, imports
// its detections into it; it returns the scene ID. For the demo and
// scripts; rejected detection rows are returned in the report.
func importScene(ctx context.Context, dir, imagePath, detectionsPath string) (string, *importReport, error) {
	l, err := openImagery(dir, true)
	if err != nil {
		return "", nil, err
	}
	s, _, err := l.add(ctx, imagePath)
	if err != nil {
		return "", nil, err
	}
	if detectionsPath == "" {
		return s.ID, nil, nil
	}
	rep, err := l.importDetections(ctx, detectionsPath, s.ID)
	return s.ID, rep, err
}

// matchSceneInStore matches a catalogued scene against the store's AIS
// (see imageryLib.matchScene). For the demo.
func matchSceneInStore(ctx context.Context, st matchStore, dir, sceneID string) (*sceneMatch, error) {
	l, err := openImagery(dir, true)
	if err != nil {
		return nil, err
	}
	return l.matchScene(ctx, st, sceneID, match.Config{OpticalImagery: opticalScene(mustScene(ctx, l, sceneID))})
}

func mustScene(ctx context.Context, l *imageryLib, id string) imagery.Scene {
	s, _ := l.cat.Scene(ctx, id)
	return s
}

// opticalScene: photos are optical; a GeoTIFF is taken as SAR (the
// detector's kind) unless its instrument says otherwise; a STAC Item by its
// instrument.
func opticalScene(s imagery.Scene) bool {
	ins := strings.ToLower(s.Instrument + " " + s.Platform)
	if strings.Contains(ins, "sar") || strings.HasPrefix(strings.ToLower(s.Platform), "sentinel-1") {
		return false
	}
	switch s.MediaType {
	case imagery.MediaJPEG, imagery.MediaPNG:
		return true
	case imagery.MediaGeoTIFF:
		return strings.TrimSpace(s.Instrument) != ""
	}
	return true
}

// sceneItem is a catalogued scene as an evidence item: the kept image
// file (for a STAC Item, the Item itself), with the scene's acquisition
// time, source and footprint. For `case add --scene`.
func sceneItem(ctx context.Context, dir, sceneID string) (evidence.Item, []byte, error) {
	l, err := openImagery(dir, false)
	if err != nil {
		return evidence.Item{}, nil, err
	}
	s, err := l.cat.Scene(ctx, sceneID)
	if err != nil {
		return evidence.Item{}, nil, err
	}
	data, err := os.ReadFile(l.keptPath(s))
	if err != nil {
		return evidence.Item{}, nil, fmt.Errorf("scene %s: its kept file: %w", sceneID, err)
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != s.SHA256 {
		return evidence.Item{}, nil, fmt.Errorf("scene %s: the kept file %s no longer hashes to the registered sha256 %s", sceneID, l.keptPath(s), short(s.SHA256))
	}
	mt := s.MediaType
	if mt == imagery.MediaSTAC {
		mt = "application/geo+json"
	}
	desc := fmt.Sprintf("%s scene, footprint %s", orDash(strings.TrimSpace(s.Platform+" "+s.Instrument)), fmtBounds(s.Footprint.Bounds()))
	if s.ResolutionM > 0 {
		desc += fmt.Sprintf(", %g m resolution", s.ResolutionM)
	}
	return evidence.Item{Kind: evidence.KindScene, Ref: s.ID, MediaType: mt, FileName: filepath.Base(s.File),
		Captured: s.Acquired, Source: s.Source, Description: desc}, data, nil
}

// imageryReader serves the catalogue to long-running readers (the
// server), reloading it when catalog.json or matches.json change on disk
// (`lookout imagery` commands write them while the server runs).
type imageryReader struct {
	dir string

	mu      sync.Mutex
	stamp   [2]fileStamp
	cat     *imagery.MemCatalog
	matches map[string]*sceneMatch
}

type fileStamp struct {
	mod  time.Time
	size int64
}

func stampOf(path string) fileStamp {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{size: -1}
	}
	return fileStamp{fi.ModTime(), fi.Size()}
}

func newImageryReader(dir string) *imageryReader { return &imageryReader{dir: dir} }

func (r *imageryReader) load() (*imagery.MemCatalog, map[string]*sceneMatch, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	catPath, mPath := filepath.Join(r.dir, "catalog.json"), filepath.Join(r.dir, "matches.json")
	st := [2]fileStamp{stampOf(catPath), stampOf(mPath)}
	if r.cat != nil && st == r.stamp {
		return r.cat, r.matches, nil
	}
	cat, err := imagery.OpenMemCatalog(catPath)
	if err != nil {
		return nil, nil, err
	}
	cat.Path = ""
	ms, err := readMatches(mPath)
	if err != nil {
		return nil, nil, err
	}
	r.cat, r.matches, r.stamp = cat, ms, st
	return cat, ms, nil
}

// scenes lists the catalogued scenes in the dossier's shape, with each
// detection's vessel from the latest match.
func (r *imageryReader) scenes(ctx context.Context, q imagery.SceneQuery) ([]dossier.Scene, error) {
	cat, ms, err := r.load()
	if err != nil {
		return nil, err
	}
	ss, err := cat.Scenes(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]dossier.Scene, 0, len(ss))
	for _, s := range ss {
		ds, err := cat.Detections(ctx, s.ID)
		if err != nil {
			return nil, err
		}
		as, err := cat.Annotations(ctx, s.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, dossierScene(s, ds, as, ms[s.ID]))
	}
	return out, nil
}

// caseScenes are the scenes a case's evidence items hold (kind scene, Ref
// the scene ID), each pointing at its item so the dossier shows the image.
// For the dossier export; scenes missing from the catalogue are skipped
// (the item itself is still in the dossier).
func caseScenes(ctx context.Context, dir string, items []evidence.Item) ([]dossier.Scene, error) {
	r := newImageryReader(dir)
	cat, ms, err := r.load()
	if err != nil {
		return nil, err
	}
	var out []dossier.Scene
	for _, it := range items {
		if it.Kind != evidence.KindScene || it.Ref == "" {
			continue
		}
		s, err := cat.Scene(ctx, it.Ref)
		if errors.Is(err, imagery.ErrNotFound) {
			continue
		} else if err != nil {
			return nil, err
		}
		ds, _ := cat.Detections(ctx, s.ID)
		as, _ := cat.Annotations(ctx, s.ID)
		sc := dossierScene(s, ds, as, ms[s.ID])
		sc.Item = it.ID
		out = append(out, sc)
	}
	return out, nil
}

// dossierScene converts a scene. A detection's MMSI is the vessel the
// latest match paired it with; 0 is dark — or not yet matched, which its
// note says.
func dossierScene(s imagery.Scene, ds []imagery.Detection, as []imagery.Annotation, m *sceneMatch) dossier.Scene {
	sc := dossier.Scene{ID: s.ID, Provider: s.Source, Sensor: strings.TrimSpace(s.Platform + " " + s.Instrument),
		Acquired: s.Acquired, Bounds: s.Footprint.Bounds()}
	var parts []string
	if s.ResolutionM > 0 {
		parts = append(parts, fmt.Sprintf("%g m resolution", s.ResolutionM))
	}
	parts = append(parts, fmt.Sprintf("%d detections", len(ds)))
	if m != nil {
		parts = append(parts, fmt.Sprintf("matched to AIS %s: %d matched, %d dark, %d AIS vessels not seen", m.Run.Format("2006-01-02 15:04 UTC"),
			len(m.Matched), len(m.Dark), len(m.NotSeen)))
	} else if len(ds) > 0 {
		parts = append(parts, "not yet matched to AIS")
	}
	parts = append(parts, "SHA-256 "+short(s.SHA256))
	sc.Caption = strings.Join(parts, "; ")
	names := map[string]string{}
	if m != nil {
		for _, x := range m.Matched {
			names[x.Detection] = fmt.Sprintf("%s (MMSI %d), %.0f m from its AIS position, score %.2f", orDash(x.Name), x.MMSI, x.DistanceM, x.Score)
			if x.Ambiguous {
				names[x.Detection] += ", ambiguous"
			}
		}
	}
	for _, d := range ds {
		dd := dossier.Detection{Lat: d.Lat, Lon: d.Lon, LengthM: d.LengthM, Confidence: d.Confidence}
		switch mmsi, ok := m.vessel(d.ID); {
		case ok && mmsi > 0:
			dd.MMSI, dd.Note = uint32(mmsi), names[d.ID]
		case ok:
			dd.Note = fmt.Sprintf("no AIS vessel accounts for it (dark, score %.2f)", m.darkScores[d.ID])
		case m != nil:
			dd.Note = "detected after the latest match to AIS"
		default:
			dd.Note = "not yet matched to AIS"
		}
		sc.Detections = append(sc.Detections, dd)
	}
	for _, a := range as {
		x, y, w, h := a.X, a.Y, a.W, a.H
		if a.Kind == "point" { // the dossier draws boxes: a small one around the point
			const half = 0.015
			x, y = math.Max(0, a.X-half), math.Max(0, a.Y-half)
			w, h = math.Min(1, a.X+half)-x, math.Min(1, a.Y+half)-y
		}
		sc.Annotations = append(sc.Annotations, dossier.Annotation{X: x, Y: y, W: w, H: h, Label: a.Label})
	}
	return sc
}

func (m *sceneMatch) vessel(detID string) (int64, bool) {
	if m == nil {
		return 0, false
	}
	if m.byDet == nil {
		m.index()
	}
	v, ok := m.byDet[detID]
	return v, ok
}

// imageFraction places lat, lon on a scene's image as fractions of its
// width and height from the top left: through the GeoTIFF's
// georeferencing, or for a photo linearly over its footprint's box
// (exact for a north-up photo; approx reports when the footprint is not
// a north-up rectangle).
func imageFraction(s imagery.Scene, lat, lon float64) (x, y float64, approx bool, err error) {
	if s.Width == 0 || s.Height == 0 {
		return 0, 0, false, fmt.Errorf("scene %s has no image to annotate (%s)", s.ID, s.MediaType)
	}
	if s.GeoTransform != nil && s.EPSG != 0 {
		p, err := proj.ForEPSG(s.EPSG)
		if err != nil {
			return 0, 0, false, err
		}
		g := geotiff.Georef{EPSG: s.EPSG, Proj: p, GeoTransform: *s.GeoTransform}
		c, r := g.Pixel(lon, lat)
		return c / float64(s.Width), r / float64(s.Height), false, nil
	}
	b := s.Footprint.Bounds()
	w := b[2] - b[0]
	dx := lon - b[0]
	if w < 0 { // across the antimeridian
		w += 360
		if dx < 0 {
			dx += 360
		}
	}
	if w <= 0 || b[3] <= b[1] {
		return 0, 0, false, fmt.Errorf("scene %s: degenerate footprint", s.ID)
	}
	approx = !(len(s.Footprint) == 1 && len(s.Footprint[0]) == 5 && onBox(s.Footprint[0], b))
	return dx / w, (b[3] - lat) / (b[3] - b[1]), approx, nil
}

// onBox: every vertex of the ring is a corner of box b.
func onBox(r imagery.Ring, b [4]float64) bool {
	for _, p := range r {
		if (p[0] != b[0] && p[0] != b[2]) || (p[1] != b[1] && p[1] != b[3]) {
			return false
		}
	}
	return true
}

func parseFloats(flag, s string, n int) ([]float64, error) {
	parts := strings.Split(s, ",")
	if len(parts) != n {
		return nil, usageError{fmt.Errorf("--%s %q: want %d comma-separated numbers", flag, s, n)}
	}
	v := make([]float64, n)
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, usageError{fmt.Errorf("--%s %q: %q is not a number", flag, s, p)}
		}
		v[i] = f
	}
	return v, nil
}

// --- commands ---

type imageryFlags struct{ store, dir string }

func (f *imageryFlags) add(cmd *cobra.Command) {
	addStoreFlag(cmd, &f.store)
	cmd.Flags().StringVar(&f.dir, "imagery-dir", "", "imagery directory (default $LOOKOUT_IMAGERY, else next to the store: lookout.duckdb → lookout.imagery)")
}

func (f *imageryFlags) path() string {
	if f.dir != "" {
		return f.dir
	}
	return imageryDir(storePath(f.store))
}

func (f *imageryFlags) open(create bool) (*imageryLib, error) { return openImagery(f.path(), create) }

func newImageryCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "imagery",
		Short: "Satellite scenes and photos as evidence: vessel detections, annotations, matching to AIS",
		Long: `Imagery keeps satellite scenes and photos as evidence — a STAC Item, a GeoTIFF, or a JPEG/PNG
photo with a sidecar FILE.json giving its acquisition time, footprint, source and resolution —
with the vessels detected in them (imported from CSV/GeoJSON, or found by the CFAR ship
detector in a SAR GeoTIFF) and analysts' annotations. 'imagery match' pairs a scene's
detections with the AIS tracks in the store: matched vessels, dark vessels (detections no
AIS accounts for, stored as dark_detection events) and AIS vessels inside the footprint that
were not seen.

The catalogue lives in the imagery directory next to the store (lookout.duckdb →
lookout.imagery/: catalog.json, matches.json, and files/ holding each registered file under
its SHA-256).`,
	}
	cmd.AddCommand(newImageryAddCmd(), newImageryListCmd(), newImageryShowCmd(), newImageryImportCmd(),
		newImageryDetectCmd(), newImageryAnnotateCmd(), newImageryMatchCmd())
	return cmd
}

func newImageryAddCmd() *cobra.Command {
	var f imageryFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "add FILE...",
		Short: "Register scenes: STAC Items, GeoTIFFs, photos with a sidecar (kept as evidence with their SHA-256)",
		Example: `  lookout imagery add s1a-iw-grd-vv-20231021t211403-....tif
  lookout imagery add najin-2023-10-21.jpg     # with najin-2023-10-21.jpg.json beside it`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := f.open(true)
			if err != nil {
				return err
			}
			out, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
			enc := json.NewEncoder(out)
			failed := 0
			for _, p := range args {
				s, added, err := l.add(cmd.Context(), p)
				if err != nil {
					fmt.Fprintf(stderr, "lookout: %v\n", err)
					failed++
					continue
				}
				if asJSON {
					if err := enc.Encode(struct {
						*imagery.Scene
						Added bool   `json:"added"`
						Kept  string `json:"kept"`
					}{s, added, l.keptPath(*s)}); err != nil {
						return err
					}
					continue
				}
				state := "added"
				if !added {
					state = "already registered"
				}
				fmt.Fprintf(out, "%s %s: %s acquired %s, %s, sha256 %s\n", state, s.ID, mediaName(s.MediaType),
					s.Acquired.Format(time.RFC3339), describeSensor(*s), s.SHA256)
				for _, n := range s.Notes {
					fmt.Fprintf(out, "  note: %s\n", n)
				}
			}
			if failed > 0 {
				fmt.Fprintf(stderr, "%d of %d files not registered\n", failed, len(args))
				return errSilent
			}
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "one JSON object per registered scene")
	return cmd
}

func mediaName(mt string) string {
	switch mt {
	case imagery.MediaGeoTIFF:
		return "GeoTIFF"
	case imagery.MediaJPEG:
		return "JPEG photo"
	case imagery.MediaPNG:
		return "PNG photo"
	case imagery.MediaSTAC:
		return "STAC Item"
	}
	return mt
}

func describeSensor(s imagery.Scene) string {
	d := strings.TrimSpace(s.Platform + " " + s.Instrument)
	if d == "" {
		d = "platform unknown"
	}
	if s.ResolutionM > 0 {
		d += fmt.Sprintf(", %g m", s.ResolutionM)
	}
	return d
}

// sceneRow is a scene as `imagery list --json` prints it.
type sceneRow struct {
	imagery.Scene
	Detections  int  `json:"detections"`
	Annotations int  `json:"annotations"`
	Matched     bool `json:"matched"`
}

func newImageryListCmd() *cobra.Command {
	var f imageryFlags
	var asJSON bool
	var from, to, bbox string
	cmd := &cobra.Command{
		Use:   "list [flags]",
		Short: "List catalogued scenes, oldest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			q := imagery.SceneQuery{}
			var err error
			if q.From, q.To, err = parseRange(from, to); err != nil {
				return err
			}
			if bbox != "" {
				b, err := parseBBox(bbox)
				if err != nil {
					return usageError{err}
				}
				q.BBox = &[4]float64{b.MinLon, b.MinLat, b.MaxLon, b.MaxLat}
			}
			l, err := f.open(false)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			ss, err := l.cat.Scenes(ctx, q)
			if err != nil {
				return err
			}
			ms, err := l.matches()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			enc := json.NewEncoder(out)
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			if !asJSON {
				fmt.Fprintln(tw, "SCENE\tACQUIRED\tKIND\tPLATFORM\tRES_M\tDETECTIONS\tANNOTATIONS\tMATCHED\tFOOTPRINT")
			}
			for _, s := range ss {
				ds, _ := l.cat.Detections(ctx, s.ID)
				as, _ := l.cat.Annotations(ctx, s.ID)
				row := sceneRow{Scene: s, Detections: len(ds), Annotations: len(as), Matched: ms[s.ID] != nil}
				if asJSON {
					if err := enc.Encode(row); err != nil {
						return err
					}
					continue
				}
				res := "-"
				if s.ResolutionM > 0 {
					res = strconv.FormatFloat(s.ResolutionM, 'g', -1, 64)
				}
				matched := "no"
				if row.Matched {
					matched = ms[s.ID].Run.Format("2006-01-02")
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\n", s.ID, s.Acquired.Format(time.RFC3339), mediaName(s.MediaType),
					orDash(strings.TrimSpace(s.Platform+" "+s.Instrument)), res, row.Detections, row.Annotations, matched, fmtBounds(s.Footprint.Bounds()))
			}
			if asJSON {
				return nil
			}
			if len(ss) == 0 {
				fmt.Fprintf(out, "no scenes in %s (lookout imagery add FILE...)\n", l.dir)
				return nil
			}
			return tw.Flush()
		},
	}
	f.add(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "one JSON object per scene")
	cmd.Flags().StringVar(&from, "from", "", "acquired at or after (RFC 3339 or date)")
	cmd.Flags().StringVar(&to, "to", "", "acquired before (RFC 3339 or date)")
	cmd.Flags().StringVar(&bbox, "bbox", "", "footprint intersects MINLON,MINLAT,MAXLON,MAXLAT")
	return cmd
}

// sceneDetail is a scene as `imagery show --json` prints it.
type sceneDetail struct {
	Scene       imagery.Scene        `json:"scene"`
	Bounds      [4]float64           `json:"bounds"` // west, south, east, north
	Kept        string               `json:"kept"`
	Detections  []imagery.Detection  `json:"detections"`
	Annotations []imagery.Annotation `json:"annotations"`
	Match       *sceneMatch          `json:"match,omitempty"`
}

func newImageryShowCmd() *cobra.Command {
	var f imageryFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show SCENE",
		Short: "Show a scene: footprint, time, platform, resolution, detections, annotations, latest match",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := f.open(false)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			s, err := l.cat.Scene(ctx, args[0])
			if err != nil {
				return err
			}
			d := sceneDetail{Scene: s, Bounds: s.Footprint.Bounds(), Kept: l.keptPath(s)}
			if d.Detections, err = l.cat.Detections(ctx, s.ID); err != nil {
				return err
			}
			if d.Annotations, err = l.cat.Annotations(ctx, s.ID); err != nil {
				return err
			}
			ms, err := l.matches()
			if err != nil {
				return err
			}
			d.Match = ms[s.ID]
			if d.Detections == nil {
				d.Detections = []imagery.Detection{}
			}
			if d.Annotations == nil {
				d.Annotations = []imagery.Annotation{}
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return json.NewEncoder(out).Encode(d)
			}
			writeSceneText(out, &d)
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "the scene as one JSON object")
	return cmd
}

func writeSceneText(out io.Writer, d *sceneDetail) {
	s := &d.Scene
	fmt.Fprintf(out, "%s  %s\n", s.ID, mediaName(s.MediaType))
	fmt.Fprintf(out, "acquired   %s\n", s.Acquired.Format(time.RFC3339))
	fmt.Fprintf(out, "platform   %s\n", describeSensor(*s))
	if s.Source != "" {
		fmt.Fprintf(out, "source     %s\n", s.Source)
	}
	fmt.Fprintf(out, "footprint  %s (west,south,east,north)", fmtBounds(d.Bounds))
	if len(s.Footprint) > 0 {
		fmt.Fprintf(out, ", %d vertices", len(s.Footprint[0])-1)
	}
	fmt.Fprintln(out)
	if s.Width > 0 {
		fmt.Fprintf(out, "image      %d×%d pixels", s.Width, s.Height)
		if s.EPSG != 0 {
			fmt.Fprintf(out, ", EPSG:%d", s.EPSG)
		}
		fmt.Fprintln(out)
	}
	fmt.Fprintf(out, "file       %s (%d bytes), kept as %s\n", s.File, s.Size, d.Kept)
	fmt.Fprintf(out, "sha256     %s\n", s.SHA256)
	for _, n := range s.Notes {
		fmt.Fprintf(out, "note       %s\n", n)
	}
	fmt.Fprintf(out, "\ndetections (%d):\n", len(d.Detections))
	if len(d.Detections) > 0 {
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  ID\tLAT\tLON\tLENGTH_M\tCONFIDENCE\tSOURCE\tAIS")
		for _, x := range d.Detections {
			ais := "-"
			if mmsi, ok := d.Match.vessel(x.ID); ok && mmsi > 0 {
				ais = strconv.FormatInt(mmsi, 10)
			} else if ok {
				ais = "dark"
			}
			fmt.Fprintf(tw, "  %s\t%.5f\t%.5f\t%s\t%.2f\t%s\t%s\n", x.ID, x.Lat, x.Lon, lengthStr(x.LengthM), x.Confidence, x.Source, ais)
		}
		tw.Flush()
	}
	fmt.Fprintf(out, "\nannotations (%d):\n", len(d.Annotations))
	for _, a := range d.Annotations {
		where := fmt.Sprintf("point %.3f,%.3f", a.X, a.Y)
		if a.Kind == "box" {
			where = fmt.Sprintf("box %.3f,%.3f %.3f×%.3f", a.X, a.Y, a.W, a.H)
		}
		fmt.Fprintf(out, "  %s %q %s by %s at %s", a.ID, a.Label, where, a.Author, a.Time.Format(time.RFC3339))
		if a.MMSI != 0 {
			fmt.Fprintf(out, " (MMSI %d)", a.MMSI)
		}
		if a.Note != "" {
			fmt.Fprintf(out, ": %s", a.Note)
		}
		fmt.Fprintln(out)
	}
	if m := d.Match; m != nil {
		fmt.Fprintf(out, "\nmatched to AIS %s: %d matched, %d dark, %d not seen, %d not imaged (lookout imagery match %s)\n",
			m.Run.Format(time.RFC3339), len(m.Matched), len(m.Dark), len(m.NotSeen), len(m.NotImaged), s.ID)
	} else {
		fmt.Fprintf(out, "\nnot yet matched to AIS (lookout imagery match %s)\n", s.ID)
	}
}

func lengthStr(m float64) string {
	if m <= 0 {
		return "-"
	}
	return strconv.FormatFloat(math.Round(m), 'f', 0, 64)
}

func newImageryImportCmd() *cobra.Command {
	var f imageryFlags
	var scene string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "import-detections FILE --scene SCENE",
		Short: "Import vessel detections from CSV or GeoJSON (xView3, Global Fishing Watch and similar columns)",
		Long: `Import-detections reads vessel detections made elsewhere: CSV with a header (lat/latitude/
detect_lat, lon/longitude/detect_lon, and optionally time/timestamp, length_m/vessel_length_m,
confidence/presence_score (a number in [0,1] or LOW/MEDIUM/HIGH), scene_id, id/detect_id,
heading), or a GeoJSON FeatureCollection of Points with the same property names. Rows without
a time take the scene's acquisition time. Bad rows are reported as FILE:LINE: reason and
counted; they do not stop the import. Importing the same file again replaces its detections.`,
		Example: `  lookout imagery import-detections xview3-labels.csv --scene S1A_IW_GRDH_20231021
  lookout imagery import-detections gfw-sar.csv          # rows name catalogued scenes`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := f.open(true)
			if err != nil {
				return err
			}
			rep, err := l.importDetections(cmd.Context(), args[0], scene)
			if rep != nil {
				for _, e := range rep.Errors {
					fmt.Fprintln(cmd.ErrOrStderr(), e)
				}
			}
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return json.NewEncoder(out).Encode(rep)
			}
			ids := sortedKeys(rep.Scenes)
			for _, id := range ids {
				fmt.Fprintf(out, "%d detections from %s stored for scene %s\n", rep.Scenes[id], filepath.Base(args[0]), id)
			}
			if len(ids) == 0 {
				fmt.Fprintf(out, "no detections stored from %s\n", args[0])
			}
			if rep.Rejected > 0 {
				fmt.Fprintf(out, "%d rows rejected (listed on standard error)\n", rep.Rejected)
			}
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&scene, "scene", "", "the scene the detections belong to (default: each row's scene_id)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "the import report as JSON")
	return cmd
}

func newImageryDetectCmd() *cobra.Command {
	var f imageryFlags
	var asJSON, amplitude, zeroNoData bool
	var pfa, looks float64
	var guard, background, landBuffer int
	cmd := &cobra.Command{
		Use:   "detect SCENE",
		Short: "Find vessels in a SAR GeoTIFF scene with the CFAR detector (land masked from the coastline)",
		Long: `Detect runs a cell-averaging CFAR ship detector over a one-band SAR intensity GeoTIFF
(Sentinel-1 GRD style): land is masked from the embedded Natural Earth coastline (grown by a
few pixels), each pixel is compared with the sea clutter in a ring around it beyond a guard
window, at the given false-alarm probability, and neighbouring bright pixels are joined into
one target with a length and heading. The detections replace the scene's earlier CFAR
detections; imported ones are kept. The scene file is re-read from the kept copy, whose
SHA-256 must still match.`,
		Example: `  lookout imagery detect s1a-iw-grd-vv-20231021t211403-... --pfa 1e-7 --amplitude`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := f.open(true)
			if err != nil {
				return err
			}
			cfg := imagery.DetectConfig{CFAR: cfar.Config{Pfa: pfa, Looks: looks, GuardRadius: guard, BackgroundRadius: background},
				Amplitude: amplitude, ZeroIsNoData: zeroNoData, LandBufferPx: landBuffer}
			start := time.Now()
			ds, err := l.detect(cmd.Context(), args[0], cfg)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				for _, d := range ds {
					if err := enc.Encode(d); err != nil {
						return err
					}
				}
				return nil
			}
			fmt.Fprintf(out, "%d vessels detected in %s (%s, false-alarm probability %g) in %s\n", len(ds), args[0],
				imagery.DetectorName, cmpOr(pfa, 1e-6), time.Since(start).Round(time.Millisecond))
			if len(ds) > 0 {
				tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tLAT\tLON\tLENGTH_M\tAXIS\tSCR\tCONFIDENCE")
				for _, d := range ds {
					fmt.Fprintf(tw, "%s\t%.5f\t%.5f\t%s\t%.0f\t%.1f\t%.2f\n", d.ID, d.Lat, d.Lon, lengthStr(d.LengthM), d.AxisDeg, d.SCR, d.Confidence)
				}
				tw.Flush()
			}
			return nil
		},
	}
	f.add(cmd)
	fl := cmd.Flags()
	fl.BoolVar(&asJSON, "json", false, "one JSON object per detection")
	fl.Float64Var(&pfa, "pfa", 0, "per-pixel false-alarm probability (default 1e-6)")
	fl.Float64Var(&looks, "looks", 0, "equivalent number of looks of the clutter (default 1; Sentinel-1 GRDH about 4.4)")
	fl.IntVar(&guard, "guard", 0, "guard radius in pixels (default 8)")
	fl.IntVar(&background, "background", 0, "background ring's outer radius in pixels (default 20)")
	fl.IntVar(&landBuffer, "land-buffer", 0, "grow the land mask by this many pixels (default 2; -1 none)")
	fl.BoolVar(&amplitude, "amplitude", false, "pixels are amplitude (Sentinel-1 GRD digital numbers): square them")
	fl.BoolVar(&zeroNoData, "zero-nodata", false, "treat 0 pixels as outside the swath")
	return cmd
}

func cmpOr(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

func newImageryAnnotateCmd() *cobra.Command {
	var f imageryFlags
	var label, point, box, frac, note, who string
	var mmsi, imo uint32
	cmd := &cobra.Command{
		Use:   `annotate SCENE --label "possibly ANGARA" (--point LAT,LON | --box W,S,E,N | --frac X,Y[,W,H])`,
		Short: "Mark a point or box on a scene's image with a label, recorded with author and time",
		Long: `Annotate records an analyst's mark on a scene's image: a point or a box with a label, who made
it (--who, else $LOOKOUT_USER, else the login) and when. Positions are given on the ground
(--point LAT,LON, --box WEST,SOUTH,EAST,NORTH), placed through a GeoTIFF's georeferencing or
over a photo's footprint (exact for a north-up photo), or directly on the image as fractions
of its width and height from the top left (--frac X,Y or X,Y,W,H). Annotations are never
edited; a new one can correct an old one in its note.`,
		Example: `  lookout imagery annotate najin-2023-10-21 --label "possibly ANGARA" --point 42.2453,130.3012 --mmsi 273214860
  lookout imagery annotate najin-2023-10-21 --label "coal stockpile" --frac 0.61,0.20,0.1,0.08`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n := 0
			for _, v := range []string{point, box, frac} {
				if v != "" {
					n++
				}
			}
			if n != 1 {
				return usageError{errors.New("give exactly one of --point, --box, --frac")}
			}
			if strings.TrimSpace(label) == "" {
				return usageError{errors.New("--label is required")}
			}
			l, err := f.open(true)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			s, err := l.cat.Scene(ctx, args[0])
			if err != nil {
				return err
			}
			a := imagery.Annotation{SceneID: s.ID, Label: label, Note: note, Author: whoAmI(who),
				Time: time.Now().UTC().Truncate(time.Second), MMSI: mmsi, IMO: imo}
			approx := false
			switch {
			case point != "":
				v, err := parseFloats("point", point, 2)
				if err != nil {
					return err
				}
				a.Kind = "point"
				if a.X, a.Y, approx, err = imageFraction(s, v[0], v[1]); err != nil {
					return err
				}
			case box != "":
				v, err := parseFloats("box", box, 4)
				if err != nil {
					return err
				}
				if v[1] >= v[3] {
					return usageError{fmt.Errorf("--box %q: want WEST,SOUTH,EAST,NORTH with south below north", box)}
				}
				x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
				for _, c := range [][2]float64{{v[1], v[0]}, {v[1], v[2]}, {v[3], v[0]}, {v[3], v[2]}} {
					x, y, ap, err := imageFraction(s, c[0], c[1])
					if err != nil {
						return err
					}
					approx = approx || ap
					x0, y0, x1, y1 = math.Min(x0, x), math.Min(y0, y), math.Max(x1, x), math.Max(y1, y)
				}
				a.Kind, a.X, a.Y, a.W, a.H = "box", x0, y0, x1-x0, y1-y0
			default:
				parts := strings.Count(frac, ",") + 1
				if parts != 2 && parts != 4 {
					return usageError{fmt.Errorf("--frac %q: want X,Y or X,Y,W,H", frac)}
				}
				v, err := parseFloats("frac", frac, parts)
				if err != nil {
					return err
				}
				a.Kind, a.X, a.Y = "point", v[0], v[1]
				if parts == 4 {
					a.Kind, a.W, a.H = "box", v[2], v[3]
				}
			}
			if err := l.cat.PutAnnotation(ctx, a); err != nil {
				if errors.Is(err, imagery.ErrFormat) && (point != "" || box != "") {
					return fmt.Errorf("%w (the position is outside scene %s's image, footprint %s)", err, s.ID, fmtBounds(s.Footprint.Bounds()))
				}
				return err
			}
			as, err := l.cat.Annotations(ctx, s.ID)
			if err != nil {
				return err
			}
			got := as[len(as)-1]
			fmt.Fprintf(cmd.OutOrStdout(), "annotation %s on %s: %s %q at %.3f,%.3f by %s\n", got.ID, s.ID, got.Kind, got.Label, got.X, got.Y, got.Author)
			if approx {
				fmt.Fprintf(cmd.ErrOrStderr(), "note: %s's footprint is not a north-up rectangle; the position on the image is approximate (--frac places it exactly)\n", s.ID)
			}
			return nil
		},
	}
	f.add(cmd)
	fl := cmd.Flags()
	fl.StringVar(&label, "label", "", "what the mark shows, e.g. \"possibly ANGARA\"")
	fl.StringVar(&point, "point", "", "LAT,LON of a point")
	fl.StringVar(&box, "box", "", "WEST,SOUTH,EAST,NORTH of a box")
	fl.StringVar(&frac, "frac", "", "X,Y or X,Y,W,H on the image, as fractions of its width and height from the top left")
	fl.StringVar(&note, "note", "", "the analyst's reasoning")
	fl.StringVar(&who, "who", "", "analyst (default $LOOKOUT_USER, else your login)")
	fl.Uint32Var(&mmsi, "mmsi", 0, "MMSI of the vessel the analyst identifies")
	fl.Uint32Var(&imo, "imo", 0, "IMO number of the vessel the analyst identifies")
	return cmd
}

func newImageryMatchCmd() *cobra.Command {
	var f imageryFlags
	var asJSON bool
	var sensor string
	var maxAge time.Duration
	var minScore float64
	cmd := &cobra.Command{
		Use:   "match SCENE",
		Short: "Match a scene's detections to AIS: matched vessels, dark vessels (stored as events), vessels not seen",
		Long: `Match pairs each detection with the AIS vessel that explains it: every track near the scene is
interpolated (or dead-reckoned) to the acquisition time, a detection and a vessel may pair only
within a distance that grows with the age of the vessel's nearest fix and its speed (plus the
SAR azimuth shift of moving ships), and detections are assigned to vessels one to one by
likelihood, with length agreement, optimally. It prints:

  matched     detection, vessel, distance from its AIS position, score (ambiguous when another
              assignment is nearly as likely: the alternatives are named, not guessed)
  dark        detections no AIS vessel accounts for — stored as dark_detection events
  not seen    AIS vessels predicted inside the footprint with no detection (possible spoofing,
              too small to image, or on the land mask)
  not imaged  AIS vessels near the scene but outside its footprint: no conclusion either way

Re-running replaces the scene's dark_detection events (and withdraws those no longer dark).`,
		Example: `  lookout imagery match s1a-iw-grd-vv-20231021t211403-...
  lookout imagery match najin-2023-10-21 --json | jq '.dark[]'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := f.open(true)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			s, err := l.cat.Scene(ctx, args[0])
			if err != nil {
				return err
			}
			cfg := match.Config{MaxFixAge: maxAge, MinScore: minScore}
			switch sensor {
			case "auto":
				cfg.OpticalImagery = opticalScene(s)
			case "optical":
				cfg.OpticalImagery = true
			case "sar":
			default:
				return usageError{fmt.Errorf("--sensor %q: want auto, sar or optical", sensor)}
			}
			st, err := openWrite(cmd, f.store)
			if err != nil {
				return err
			}
			defer st.Close()
			m, err := l.matchScene(ctx, st, s.ID, cfg)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return json.NewEncoder(out).Encode(m)
			}
			writeMatchText(out, s, m)
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "the result as one JSON object")
	cmd.Flags().StringVar(&sensor, "sensor", "auto", "sar (moving ships are displaced along track), optical, or auto (from the scene)")
	cmd.Flags().DurationVar(&maxAge, "max-fix-age", 0, "ignore tracks with no fix this close to the acquisition (default 30m)")
	cmd.Flags().Float64Var(&minScore, "min-score", 0, "matches scoring below this are reported ambiguous (default 0.8)")
	return cmd
}

func writeMatchText(out io.Writer, s imagery.Scene, m *sceneMatch) {
	fmt.Fprintf(out, "scene %s acquired %s (%s): %d detections, %d AIS tracks within reach", s.ID, s.Acquired.Format(time.RFC3339),
		describeSensor(s), m.Detections, m.Tracks)
	if m.Stale > 0 {
		fmt.Fprintf(out, " (%d with no fix near the time)", m.Stale)
	}
	fmt.Fprintln(out)
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(out, "\nmatched (%d):\n", len(m.Matched))
	if len(m.Matched) > 0 {
		fmt.Fprintln(tw, "  DETECTION\tMMSI\tNAME\tDISTANCE_M\tFIX_AGE\tSCORE")
		for _, x := range m.Matched {
			flag := ""
			if x.Ambiguous {
				var alts []string
				for _, a := range x.Alternatives {
					alts = append(alts, fmt.Sprintf("%d %s", a.MMSI, a.Name))
				}
				flag = "  ambiguous; could be " + strings.Join(alts, ", ")
			}
			fmt.Fprintf(tw, "  %s\t%d\t%s\t%.0f\t%s\t%.2f%s\n", x.Detection, x.MMSI, orDash(x.Name), x.DistanceM,
				(time.Duration(x.FixAgeS) * time.Second).String(), x.Score, flag)
		}
		tw.Flush()
	}
	fmt.Fprintf(out, "\ndark detections (%d), stored as dark_detection events:\n", len(m.Dark))
	if len(m.Dark) > 0 {
		fmt.Fprintln(tw, "  DETECTION\tLAT\tLON\tLENGTH_M\tSCORE")
		for _, d := range m.Dark {
			fmt.Fprintf(tw, "  %s\t%.5f\t%.5f\t%s\t%.2f\n", d.Detection, d.Lat, d.Lon, lengthStr(d.LengthM), d.Score)
		}
		tw.Flush()
	}
	fmt.Fprintf(out, "\nnot seen (%d): AIS vessels predicted inside the footprint with no detection\n", len(m.NotSeen))
	if len(m.NotSeen) > 0 {
		fmt.Fprintln(tw, "  MMSI\tNAME\tLAT\tLON\tREASON\tSCORE")
		for _, u := range m.NotSeen {
			fmt.Fprintf(tw, "  %d\t%s\t%.5f\t%.5f\t%s\t%.2f\n", u.MMSI, orDash(u.Name), u.Lat, u.Lon, u.Reason, u.Score)
		}
		tw.Flush()
	}
	fmt.Fprintf(out, "\nnot imaged (%d): AIS vessels near the scene but outside its footprint", len(m.NotImaged))
	if len(m.NotImaged) > 0 {
		ids := make([]string, len(m.NotImaged))
		for i, v := range m.NotImaged {
			ids[i] = strconv.FormatUint(uint64(v), 10)
		}
		fmt.Fprintf(out, ": %s", strings.Join(ids, ", "))
	}
	fmt.Fprintln(out)
	if m.Withdrawn > 0 {
		fmt.Fprintf(out, "\n%d earlier dark_detection events of this scene withdrawn\n", m.Withdrawn)
	}
}
