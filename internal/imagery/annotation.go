package imagery

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Annotation is an analyst's mark on a scene's image: a box or a point
// with a label ("possibly ANGARA"), who made it and when. Positions are
// fractions of the image's width and height from its top-left corner, so
// they survive resizing (the dossier draws them the same way).
type Annotation struct {
	ID      string `json:"id"`
	SceneID string `json:"scene_id"`
	// Kind is "box" or "point"; a point has W = H = 0.
	Kind   string  `json:"kind"`
	X      float64 `json:"x"`
	Y      float64 `json:"y"`
	W      float64 `json:"w,omitempty"`
	H      float64 `json:"h,omitempty"`
	Label  string  `json:"label"`
	Note   string  `json:"note,omitempty"`
	Author string  `json:"author"`
	// Time is when the analyst made the annotation (given by the caller:
	// the CLI's clock, an API request's time).
	Time time.Time `json:"time"`
	// MMSI and IMO name the vessel the analyst identifies, when they do.
	MMSI uint32 `json:"mmsi,omitempty"`
	IMO  uint32 `json:"imo,omitempty"`
}

// Validate checks an annotation before it is stored.
func (a *Annotation) Validate() error {
	bad := func(f string, args ...any) error {
		return fmt.Errorf("%w: annotation: "+f, append([]any{ErrFormat}, args...)...)
	}
	switch a.Kind {
	case "point":
		if a.W != 0 || a.H != 0 {
			return bad("a point has no width or height")
		}
	case "box":
		if !(a.W > 0 && a.H > 0 && a.X+a.W <= 1 && a.Y+a.H <= 1) {
			return bad("box %.3g,%.3g %.3g×%.3g does not fit the image (fractions 0–1)", a.X, a.Y, a.W, a.H)
		}
	default:
		return bad("kind %q, want box or point", a.Kind)
	}
	for _, v := range []float64{a.X, a.Y, a.W, a.H} {
		if !(v >= 0 && v <= 1) || math.IsNaN(v) {
			return bad("position %v outside the image (fractions 0–1)", v)
		}
	}
	if strings.TrimSpace(a.Label) == "" {
		return bad("empty label")
	}
	if strings.TrimSpace(a.Author) == "" {
		return bad("no author")
	}
	if a.Time.IsZero() {
		return bad("no time")
	}
	if a.SceneID == "" {
		return bad("no scene")
	}
	if len(a.Label) > 1000 || len(a.Note) > 10000 || len(a.Author) > 200 {
		return bad("label, note or author too long")
	}
	return nil
}
