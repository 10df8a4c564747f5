package source

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/vessel"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata")

// render writes what a source yielded, one line per observation or reject,
// in a stable text form for golden files.
func render(obs []vessel.Observation, rej []*Reject) string {
	var b strings.Builder
	type item struct {
		line int
		text string
	}
	var items []item
	for _, o := range obs {
		items = append(items, item{o.Line, renderObs(o)})
	}
	for _, r := range rej {
		items = append(items, item{r.Line, fmt.Sprintf("%s:%d reject %s: %v", r.File, r.Line, r.Reason, r.Err)})
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].line < items[j].line })
	for _, it := range items {
		b.WriteString(it.text)
		b.WriteByte('\n')
	}
	return b.String()
}

func f32(v float32) string {
	if math.IsNaN(float64(v)) {
		return "NA"
	}
	return fmt.Sprintf("%g", v)
}

func renderObs(o vessel.Observation) string {
	if p := o.Position; p != nil {
		return fmt.Sprintf("%s:%d pos mmsi=%d t=%s lat=%.6f lon=%.6f sog=%s cog=%s hdg=%d status=%d class=%s type=%d src=%s",
			o.File, o.Line, p.MMSI, p.Time.UTC().Format(time.RFC3339Nano), p.Lat, p.Lon, f32(p.SOG), f32(p.COG),
			p.Heading, p.Status, className(p.Class), p.MsgType, p.Source)
	}
	s := o.Static
	var parts []string
	add := func(f vessel.Fields, text string) {
		if s.Has&f != 0 {
			parts = append(parts, text)
		}
	}
	add(vessel.HasIMO, fmt.Sprintf("imo=%d", s.IMO))
	add(vessel.HasName, fmt.Sprintf("name=%q", s.Name))
	add(vessel.HasCallSign, fmt.Sprintf("cs=%q", s.CallSign))
	add(vessel.HasShipType, fmt.Sprintf("shiptype=%d", s.ShipType))
	add(vessel.HasDimensions, fmt.Sprintf("dims=%d/%d/%d/%d", s.ToBow, s.ToStern, s.ToPort, s.ToStarboard))
	add(vessel.HasDraught, fmt.Sprintf("draught=%s", f32(s.Draught)))
	add(vessel.HasDestination, fmt.Sprintf("dest=%q", s.Destination))
	add(vessel.HasETA, fmt.Sprintf("eta=%s", s.ETA))
	return fmt.Sprintf("%s:%d static mmsi=%d t=%s class=%s type=%d %s src=%s",
		o.File, o.Line, s.MMSI, s.Time.UTC().Format(time.RFC3339Nano), className(s.Class), s.MsgType,
		strings.Join(parts, " "), s.Source)
}

func className(c vessel.Class) string {
	if c == vessel.ClassUnknown {
		return "?"
	}
	return string(rune(c))
}

func renderCounts(title string, m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(title + ":")
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%d", k, m[k])
	}
	return b.String() + "\n"
}

// golden compares got with testdata/<name>, rewriting it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (go test -update rewrites it)\n--- got\n%s--- want\n%s", path, got, want)
	}
}

// drainAll is drain with a deadline, for sources that could block.
func drainAll(t *testing.T, s Source, timeout time.Duration) ([]vessel.Observation, []*Reject) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var obs []vessel.Observation
	var rej []*Reject
	for {
		o, err := s.Next(ctx)
		var r *Reject
		switch {
		case errors.Is(err, io.EOF):
			return obs, rej
		case errors.As(err, &r):
			rej = append(rej, r)
		case err != nil:
			t.Fatalf("after %d observations, %d rejects: %v", len(obs), len(rej), err)
		default:
			obs = append(obs, o)
		}
	}
}
