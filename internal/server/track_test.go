package server

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/vessel"
)

func TestBuildTrackSplitsSegmentsAndAntimeridian(t *testing.T) {
	var pts []vessel.TrackPoint
	add := func(seg uint32, lat, lon float64) {
		pts = append(pts, vessel.TrackPoint{Position: vessel.Position{MMSI: 1, Time: t0.Add(time.Duration(len(pts)) * time.Hour), Lat: lat, Lon: lon, SOG: vessel.NA}, Segment: seg})
	}
	add(1, 50, 179.0)
	add(1, 50, 179.5)
	add(1, 50, -179.8) // crosses the antimeridian: a new line, not a streak across the map
	add(1, 50, -179.0)
	add(2, 10, 10) // a new segment with one point
	tc := buildTrack(1, pts, 0, 100)
	if len(tc.Features) != 3 {
		t.Fatalf("%d features, want 3: %+v", len(tc.Features), tc.Features)
	}
	if g := tc.Features[2].Geometry["type"]; g != "Point" {
		t.Errorf("one-point segment is a %v", g)
	}
	if sog := tc.Features[0].Properties.SOG[0]; sog != -1 {
		t.Errorf("missing speed written as %v, want -1", sog)
	}
	if tc.Positions != 5 || tc.Vertices != 5 {
		t.Errorf("positions %d vertices %d", tc.Positions, tc.Vertices)
	}
}

func TestBuildTrackCapsVertices(t *testing.T) {
	pts := make([]vessel.TrackPoint, 5000)
	for i := range pts {
		// A zigzag no tolerance below 0.01° can simplify.
		pts[i] = vessel.TrackPoint{Position: vessel.Position{MMSI: 1, Time: t0.Add(time.Duration(i) * time.Minute), Lat: float64(i%2) * 0.01, Lon: float64(i) * 0.001}, Segment: 1}
	}
	tc := buildTrack(1, pts, 0, 1000)
	if tc.Vertices > 1000 || tc.Vertices < 2 || tc.Tolerance == 0 {
		t.Errorf("capped to %d vertices at tolerance %g", tc.Vertices, tc.Tolerance)
	}
}

// TestWebDirStaysInside serves the UI from disk (dev mode) and checks that
// a symlink out of the directory is not followed (os.Root).
func TestWebDirStaysInside(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("<!doctype html>dev"), 0o644); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(outside, "secret.txt")
	if err := os.WriteFile(secret, []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(dir, "link.txt")); err != nil {
		t.Skip("no symlinks here:", err)
	}
	f := newFixture(t, func(c *Config, _ *Deps) { c.WebDir = dir })
	code, body, _ := f.do(t, "GET", "/", "", nil)
	if code != 200 || string(body) != "<!doctype html>dev" {
		t.Errorf("index from disk: %d %q", code, body)
	}
	code, body, _ = f.do(t, "GET", "/ui/link.txt", "", nil)
	if code == http.StatusOK || string(body) == "secret" {
		t.Errorf("symlink out of the web directory followed: %d %q", code, body)
	}
}
