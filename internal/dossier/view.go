package dossier

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/evidence"
)

// view is the case prepared for reading: numbered events, formatted
// values, file paths, the map and timeline models. Both renderers use it.
type view struct {
	C          *Case
	Map        *mapModel
	TL         *timeline
	Events     []evView
	Items      []itemView
	Scenes     []sceneView
	Checkpoint *evidence.Checkpoint
	KeyName    string
	itemPath   map[string]string
}

type evView struct {
	N        int
	E        event.Event
	Kind     string
	Color    string
	Vessel   string
	When     string
	Duration string
	Where    string
	Params   [][2]string
	Details  [][2]string
}

type itemView struct {
	evidence.Item
	Path      string
	ProofPath string
	EntryPath string
	Corrected string // ID of the item that corrects this one
}

type sceneView struct {
	Scene
	Path      string // bundle path of the image, "" when none
	MediaType string
	When      string
}

func newView(c *Case) (*view, error) {
	v := &view{C: c, itemPath: map[string]string{}}
	seen := map[string]bool{}
	corrected := map[string]string{}
	for _, it := range c.Items {
		if it.Corrects != "" {
			corrected[it.Corrects] = it.ID
		}
	}
	for _, it := range c.Items {
		p := itemFileName(&it.Item)
		if seen[p] {
			return nil, fmt.Errorf("%w: two items named %s", ErrInvalid, p)
		}
		seen[p] = true
		v.itemPath[it.ID] = p
		v.Items = append(v.Items, itemView{Item: it.Item, Path: p, ProofPath: "proofs/" + it.ID + ".proof.json",
			EntryPath: "proofs/" + it.ID + ".entry.json", Corrected: corrected[it.ID]})
	}
	if len(c.Checkpoint) > 0 {
		cp, err := evidence.VerifyCheckpoint(c.PublicKey, c.Checkpoint)
		if err != nil {
			return nil, fmt.Errorf("%w: checkpoint: %v", ErrInvalid, err)
		}
		v.Checkpoint = &cp
		v.KeyName, _, _ = strings.Cut(c.PublicKey, "+")
	}
	var err error
	if v.Map, err = buildMap(c, 1000); err != nil {
		return nil, err
	}
	v.TL = buildTimeline(c)
	for i, e := range c.sortedEvents() {
		ev := evView{N: i + 1, E: e, Kind: kindLabel(e.Kind), Color: kindColor(e.Kind), Vessel: eventVessel(c, &e),
			When: fmtTime(e.Start), Params: kv(e.Params), Details: kv(e.Details)}
		if !e.End.Equal(e.Start) {
			ev.When += " – " + fmtTime(e.End)
			ev.Duration = fmtDuration(e.Duration())
		}
		ev.Where = fmt.Sprintf("%.4f°, %.4f°", e.Lat, e.Lon)
		if e.Port != "" {
			ev.Where = e.Port + " (" + ev.Where + ")"
		}
		v.Events = append(v.Events, ev)
	}
	for _, s := range c.Scenes {
		sv := sceneView{Scene: s, When: fmtTime(s.Acquired)}
		if it := c.item(s.Item); it != nil && (strings.HasPrefix(it.MediaType, "image/png") || strings.HasPrefix(it.MediaType, "image/jpeg")) {
			sv.Path, sv.MediaType = v.itemPath[it.ID], it.MediaType
		}
		v.Scenes = append(v.Scenes, sv)
	}
	return v, nil
}

func eventVessel(c *Case, e *event.Event) string {
	label := e.Name
	if v := c.vesselByMMSI(e.MMSI); v != nil && label == "" {
		label = v.Label()
	}
	if label == "" && e.MMSI != 0 {
		label = fmt.Sprintf("MMSI %d", e.MMSI)
	}
	if e.OtherName != "" || e.OtherMMSI != 0 {
		other := e.OtherName
		if other == "" {
			other = fmt.Sprintf("MMSI %d", e.OtherMMSI)
		}
		label += " with " + other
	}
	return label
}

// kv flattens a parameter map into sorted, formatted pairs.
func kv(m map[string]any) [][2]string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([][2]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, [2]string{humanKey(k), fmtValue(m[k])})
	}
	return out
}

// humanKey turns a parameter name into words: "min_gap_h" → "min gap (h)".
func humanKey(k string) string {
	for _, u := range []string{"km", "kn", "nm", "h", "m", "s", "deg", "pct"} {
		if base, ok := strings.CutSuffix(k, "_"+u); ok && base != "" {
			return strings.ReplaceAll(base, "_", " ") + " (" + u + ")"
		}
	}
	return strings.ReplaceAll(k, "_", " ")
}

func fmtValue(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return fmt.Sprintf("%.0f", x)
		}
		return fmt.Sprintf("%.4g", x)
	case float32:
		return fmtValue(float64(x))
	case time.Time:
		return fmtTime(x)
	case time.Duration:
		return x.String()
	case nil:
		return "—"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func fmtDate(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02")
}

func fmtDuration(d time.Duration) string {
	h := d.Hours()
	switch {
	case h >= 48:
		return fmt.Sprintf("%.1f days", h/24)
	case h >= 1:
		return fmt.Sprintf("%.1f h", h)
	default:
		return fmt.Sprintf("%.0f min", d.Minutes())
	}
}

// paragraphs splits the summary at blank lines.
func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, strings.Join(strings.Fields(p), " "))
		}
	}
	return out
}
