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
	Inset      *mapModel // zoomed on the high-risk port and the imagery; nil when there is none
	TL         *timeline
	Events     []evView
	Sections   []evSection // the events grouped by vessel and kind
	ParamSets  []paramSet  // the detectors' parameters, once each
	Glance     []glanceVessel
	DarkCalls  []darkCall
	SceneRows  []sceneRow
	Items      []itemView
	Scenes     []sceneView
	Checkpoint *evidence.Checkpoint
	KeyName    string
	itemPath   map[string]string
	numByKey   map[string]int    // event key → number in the list
	itemByKey  map[string]string // event key → evidence item holding it
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
	Details  [][2]string // measurements formatted for reading
	Item     string      // the evidence item holding this event, "" when none
	// ParamSet indexes view.ParamSets; ParamLabel names it.
	ParamSet   int
	ParamLabel string
}

type itemView struct {
	evidence.Item
	Path      string
	ProofPath string
	EntryPath string
	Corrected string // ID of the item that corrects this one
	Event     int    // number of the event an event item holds, 0 when none
	// What says what the item is for a reader: its description, or the
	// event it holds when the description is that event's explanation.
	What string
}

type sceneView struct {
	Scene
	Path      string // bundle path of the image, "" when none
	MediaType string
	When      string
}

func newView(c *Case) (*view, error) {
	v := &view{C: c, itemPath: map[string]string{}, numByKey: map[string]int{}, itemByKey: map[string]string{}}
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
	if v.Map, err = buildMap(c, 1000, nil); err != nil {
		return nil, err
	}
	if v.Map != nil {
		v.Map.Title = "Map 1: the case's area"
		if v.Map.Frame != nil {
			box, label, _ := c.insetBox(v.Map.West, v.Map.South, v.Map.East, v.Map.North)
			if v.Inset, err = buildMap(c, 1000, &box); err != nil {
				return nil, err
			}
			v.Inset.Title = "Map 2: " + label + ", with the satellite scenes"
			if len(c.Scenes) == 0 {
				v.Inset.Title = "Map 2: " + label
			}
		}
	}
	v.TL = buildTimeline(c)
	evs := c.sortedEvents()
	for i, e := range evs {
		v.numByKey[e.Key] = i + 1
	}
	for _, it := range c.Items {
		if it.Kind == evidence.KindEvent {
			// The ref is "event ID KEY" (lookout case add --event) or the key.
			f := strings.Fields(it.Ref)
			if len(f) > 0 {
				if _, ok := v.numByKey[f[len(f)-1]]; ok {
					v.itemByKey[f[len(f)-1]] = it.ID
				}
			}
		}
	}
	for i, e := range evs {
		ev := evView{N: i + 1, E: e, Kind: kindLabel(e.Kind), Color: kindColor(e.Kind), Vessel: eventVessel(c, &e),
			When: fmtTime(e.Start), Params: kv(e.Params), Details: v.details(&e), Item: v.itemByKey[e.Key]}
		if !e.End.Equal(e.Start) {
			ev.When += " – " + fmtTime(e.End)
			ev.Duration = fmtDuration(e.Duration())
		}
		ev.Where = fmtLatLon(e.Lat, e.Lon)
		if e.Port != "" {
			ev.Where = e.Port + " (" + ev.Where + ")"
		}
		if e.Kind == event.SanctionsHit || e.Kind == event.RiskChange {
			ev.Where = "" // the position of a screening or a rating says nothing
		}
		v.Events = append(v.Events, ev)
	}
	for i := range v.Items {
		it := &v.Items[i]
		it.What = it.Description
		f := strings.Fields(it.Ref)
		if it.Kind != evidence.KindEvent || len(f) == 0 {
			continue
		}
		if n, ok := v.numByKey[f[len(f)-1]]; ok {
			it.Event = n
			ev := &v.Events[n-1]
			it.What = fmt.Sprintf("event %d: %s, %s", n, ev.Title(), fmtDate(ev.E.Start))
			if it.Description != "" && it.Description != ev.E.Explanation {
				it.What += ". " + it.Description
			}
		}
	}
	v.buildEventList()
	for _, s := range c.Scenes {
		sv := sceneView{Scene: s, When: fmtTime(s.Acquired)}
		if it := c.item(s.Item); it != nil && (strings.HasPrefix(it.MediaType, "image/png") || strings.HasPrefix(it.MediaType, "image/jpeg")) {
			sv.Path, sv.MediaType = v.itemPath[it.ID], it.MediaType
		}
		v.Scenes = append(v.Scenes, sv)
	}
	v.buildGlance()
	return v, nil
}

// Title is the event's kind and vessel: "Dark port visit — MAIA-1".
func (ev *evView) Title() string {
	if ev.Vessel == "" {
		return ev.Kind
	}
	return ev.Kind + " — " + ev.Vessel
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

// fmtListVersion shows a list's publication time as a date when it is
// one (midnight UTC), else as given.
func fmtListVersion(s string) string {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		if t.UTC().Format("15:04:05") == "00:00:00" {
			return fmtDate(t)
		}
		return fmtTime(t)
	}
	return s
}

// sourceText is a designation's source, with its remarks unless they only
// repeat the explanation of a sanctions match in the event list (then
// that event's number).
func (v *view) sourceText(vs *Vessel, s Designation) string {
	src := s.Source
	if s.Remarks == "" {
		return src
	}
	for i := range v.Events {
		ev := &v.Events[i]
		if ev.E.Kind == event.SanctionsHit && ev.E.MMSI == vs.MMSI && ev.E.Explanation == s.Remarks {
			return src + fmt.Sprintf(" (the match is explained in event %d)", ev.N)
		}
	}
	if src != "" {
		src += " — "
	}
	return src + s.Remarks
}

// detectionEvent is the number of the dark-vessel event for a scene's
// detection, 0 when none.
func (v *view) detectionEvent(scene string, det Detection) int {
	for i := range v.Events {
		ev := &v.Events[i]
		if ev.E.Kind != event.DarkDetection {
			continue
		}
		if id, _ := ev.E.Details["scene_id"].(string); id != scene && id != "" {
			continue
		}
		if math.Abs(ev.E.Lat-det.Lat) < 1e-5 && math.Abs(ev.E.Lon-det.Lon) < 1e-5 {
			return ev.N
		}
	}
	return 0
}
