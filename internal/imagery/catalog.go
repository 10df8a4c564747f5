package imagery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// Catalog keeps scenes, their detections and annotations. The store
// packages implement it for the database backends; MemCatalog is the
// in-memory (optionally JSON-file-backed) one for tests and small use.
//
// Contract: PutScene replaces a scene of the same ID; PutDetections
// replaces the scene's detections from the same Source (re-running a
// detector or re-importing a file does not duplicate); lookups of an
// unknown scene return an error wrapping ErrNotFound. Times are UTC.
type Catalog interface {
	PutScene(ctx context.Context, s Scene) error
	Scene(ctx context.Context, id string) (Scene, error)
	// Scenes lists scenes acquired in [q.From, q.To) (zero: unbounded)
	// whose footprint box intersects q.BBox (nil: anywhere), oldest first.
	Scenes(ctx context.Context, q SceneQuery) ([]Scene, error)
	PutDetections(ctx context.Context, sceneID, source string, ds []Detection) error
	Detections(ctx context.Context, sceneID string) ([]Detection, error)
	PutAnnotation(ctx context.Context, a Annotation) error
	Annotations(ctx context.Context, sceneID string) ([]Annotation, error)
}

// SceneQuery selects scenes.
type SceneQuery struct {
	From, To time.Time
	// BBox is west, south, east, north.
	BBox  *[4]float64
	Limit int
}

// MemCatalog is a Catalog in memory, saved to Path (when set) as one JSON
// file after every change, written atomically (temporary file + rename).
type MemCatalog struct {
	Path string

	mu   sync.Mutex
	data catalogData
}

type catalogData struct {
	Scenes      map[string]Scene        `json:"scenes"`
	Detections  map[string][]Detection  `json:"detections"`
	Annotations map[string][]Annotation `json:"annotations"`
}

// OpenMemCatalog loads the catalogue at path (empty if the file does not
// exist yet); path "" keeps it in memory only.
func OpenMemCatalog(path string) (*MemCatalog, error) {
	c := &MemCatalog{Path: path, data: catalogData{Scenes: map[string]Scene{}, Detections: map[string][]Detection{}, Annotations: map[string][]Annotation{}}}
	if path == "" {
		return c, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &c.data); err != nil {
		return nil, fmt.Errorf("%s: %w: %v", path, ErrFormat, err)
	}
	if c.data.Scenes == nil {
		c.data.Scenes = map[string]Scene{}
	}
	if c.data.Detections == nil {
		c.data.Detections = map[string][]Detection{}
	}
	if c.data.Annotations == nil {
		c.data.Annotations = map[string][]Annotation{}
	}
	return c, nil
}

func (c *MemCatalog) save() error {
	if c.Path == "" {
		return nil
	}
	b, err := json.MarshalIndent(&c.data, "", " ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(c.Path), ".catalog-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), c.Path)
}

func (c *MemCatalog) PutScene(_ context.Context, s Scene) error {
	if s.ID == "" {
		return fmt.Errorf("%w: scene without an ID", ErrFormat)
	}
	if err := s.Footprint.validate(); err != nil {
		return fmt.Errorf("scene %s: %w", s.ID, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s.Acquired = s.Acquired.UTC()
	c.data.Scenes[s.ID] = s
	return c.save()
}

func (c *MemCatalog) Scene(_ context.Context, id string) (Scene, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.data.Scenes[id]
	if !ok {
		return Scene{}, fmt.Errorf("scene %q: %w", id, ErrNotFound)
	}
	return s, nil
}

func (c *MemCatalog) Scenes(_ context.Context, q SceneQuery) ([]Scene, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Scene
	for _, s := range c.data.Scenes {
		if !q.From.IsZero() && s.Acquired.Before(q.From) || !q.To.IsZero() && !s.Acquired.Before(q.To) {
			continue
		}
		if q.BBox != nil && !boxesIntersect(s.Footprint.Bounds(), *q.BBox) {
			continue
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Acquired.Equal(out[j].Acquired) {
			return out[i].Acquired.Before(out[j].Acquired)
		}
		return out[i].ID < out[j].ID
	})
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// boxesIntersect compares west, south, east, north boxes (no
// antimeridian wrap: a box with west > east is taken as the whole band).
func boxesIntersect(a, b [4]float64) bool {
	if a[1] > b[3] || b[1] > a[3] {
		return false
	}
	if a[0] > a[2] || b[0] > b[2] {
		return true
	}
	return a[0] <= b[2] && b[0] <= a[2]
}

func (c *MemCatalog) PutDetections(_ context.Context, sceneID, source string, ds []Detection) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.data.Scenes[sceneID]; !ok {
		return fmt.Errorf("detections for scene %q: %w", sceneID, ErrNotFound)
	}
	var keep []Detection
	for _, d := range c.data.Detections[sceneID] {
		if d.Source != source {
			keep = append(keep, d)
		}
	}
	for _, d := range ds {
		d.SceneID, d.Source = sceneID, source
		keep = append(keep, d)
	}
	c.data.Detections[sceneID] = keep
	return c.save()
}

func (c *MemCatalog) Detections(_ context.Context, sceneID string) ([]Detection, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.data.Scenes[sceneID]; !ok {
		return nil, fmt.Errorf("scene %q: %w", sceneID, ErrNotFound)
	}
	return append([]Detection(nil), c.data.Detections[sceneID]...), nil
}

func (c *MemCatalog) PutAnnotation(_ context.Context, a Annotation) error {
	if err := a.Validate(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.data.Scenes[a.SceneID]; !ok {
		return fmt.Errorf("annotation for scene %q: %w", a.SceneID, ErrNotFound)
	}
	if a.ID == "" {
		a.ID = fmt.Sprintf("%s/%d", a.SceneID, len(c.data.Annotations[a.SceneID])+1)
	}
	a.Time = a.Time.UTC()
	c.data.Annotations[a.SceneID] = append(c.data.Annotations[a.SceneID], a)
	return c.save()
}

func (c *MemCatalog) Annotations(_ context.Context, sceneID string) ([]Annotation, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.data.Scenes[sceneID]; !ok {
		return nil, fmt.Errorf("scene %q: %w", sceneID, ErrNotFound)
	}
	return append([]Annotation(nil), c.data.Annotations[sceneID]...), nil
}

// AddFile registers a scene file and stores the scene; the caller keeps
// the file itself as evidence (Scene.SHA256 identifies it).
func AddFile(ctx context.Context, cat Catalog, path string, cfg RegisterConfig) (*Scene, error) {
	s, err := Register(path, cfg)
	if err != nil {
		return nil, err
	}
	if err := cat.PutScene(ctx, *s); err != nil {
		return nil, fmt.Errorf("%s: storing scene: %w", path, err)
	}
	return s, nil
}

// DetectScene runs the CFAR detector over a stored GeoTIFF scene (read
// from path, which must hash to the scene's SHA-256 so detections rest on
// the evidence) and replaces the scene's detector detections.
func DetectScene(ctx context.Context, cat Catalog, sceneID, path string, land LandMask, cfg DetectConfig) ([]Detection, error) {
	s, err := cat.Scene(ctx, sceneID)
	if err != nil {
		return nil, err
	}
	if s.MediaType != MediaGeoTIFF {
		return nil, fmt.Errorf("%w: scene %s is %s; the detector reads GeoTIFFs", ErrFormat, sceneID, s.MediaType)
	}
	if sum, err := fileSHA256(path); err != nil {
		return nil, err
	} else if s.SHA256 != "" && sum != s.SHA256 {
		return nil, fmt.Errorf("%w: %s has SHA-256 %s, scene %s was registered from %s", ErrFormat, path, sum, sceneID, s.SHA256)
	}
	ds, _, err := DetectGeoTIFF(path, s, land, cfg)
	if err != nil {
		return nil, err
	}
	if err := cat.PutDetections(ctx, sceneID, DetectorName, ds); err != nil {
		return nil, err
	}
	return ds, nil
}
