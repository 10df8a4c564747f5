package sim

import (
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/imagery"
)

// The optical scenes register through the imagery package's photo
// registration (PNG + sidecar) and their detections import through
// ImportCSV without a bad row.
func TestOpticalScenesImport(t *testing.T) {
	dir, m := writeSmall(t)
	n := 0
	for _, sc := range m.Scenes {
		if sc.Kind != "optical" {
			continue
		}
		n++
		reg, err := imagery.Register(filepath.Join(dir, sc.Image), imagery.RegisterConfig{})
		if err != nil {
			t.Fatal(err)
		}
		if reg.ID != sc.ID || !reg.Acquired.Equal(sc.Acquired) || reg.Platform != sc.Platform ||
			reg.ResolutionM != sc.ResolutionM || reg.MediaType != imagery.MediaPNG {
			t.Errorf("registered %+v, manifest %+v", reg, sc)
		}
		f, err := os.Open(filepath.Join(dir, sc.DetectionsCSV))
		if err != nil {
			t.Fatal(err)
		}
		ds, bad, err := imagery.ImportCSV(f, sc.DetectionsCSV, imagery.ImportConfig{})
		f.Close()
		if err != nil || len(bad) != 0 || len(ds) != len(sc.Detections) {
			t.Fatalf("%s: %d detections, bad %v, err %v; manifest has %d", sc.ID, len(ds), bad, err, len(sc.Detections))
		}
		for i, d := range ds {
			w := sc.Detections[i]
			if d.SceneID != sc.ID || d.ID != w.ID || !d.Time.Equal(sc.Acquired) || d.Lat != w.Lat || d.Lon != w.Lon ||
				d.LengthM != w.LengthM || !reg.Footprint.Contains(d.Lat, d.Lon) {
				t.Errorf("%s: imported %+v, manifest %+v", sc.ID, d, w)
			}
		}
	}
	if n == 0 {
		t.Fatal("no optical scene in the small scenario")
	}
}

// The SAR scene is a GeoTIFF the CFAR detector runs on: it finds the
// ships the manifest says are there, one target each, with about their
// length.
func TestSARSceneDetects(t *testing.T) {
	c := DefaultConfig(3)
	c.Start = time.Date(2023, 12, 16, 0, 0, 0, 0, time.UTC)
	c.End = time.Date(2023, 12, 17, 0, 0, 0, 0, time.UTC)
	c.Background = 0
	c.NoImages = true
	dir := t.TempDir()
	m, err := New(c).Write(dir)
	if err != nil {
		t.Fatal(err)
	}
	var sar *Scene
	for i := range m.Scenes {
		if m.Scenes[i].Kind == "sar" {
			sar = &m.Scenes[i]
		}
	}
	if sar == nil {
		t.Fatal("no SAR scene")
	}
	path := filepath.Join(dir, sar.Image)
	reg, err := imagery.Register(path, imagery.RegisterConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if reg.ID != sar.ID || !reg.Acquired.Equal(sar.Acquired) || reg.Platform != sarName || reg.EPSG == 0 {
		t.Errorf("registered %+v", reg)
	}
	ds, _, err := imagery.DetectGeoTIFF(path, *reg, testMask(t), imagery.DetectConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != len(sar.Detections) {
		t.Errorf("CFAR found %d targets, the scene has %d ships", len(ds), len(sar.Detections))
	}
	for _, w := range sar.Detections {
		best, length := -1.0, 0.0
		for _, d := range ds {
			if m := distM(Point{d.Lat, d.Lon}, Point{w.TrueLat, w.TrueLon}); best < 0 || m < best {
				best, length = m, d.LengthM
			}
		}
		// Small local craft are a few pixels long: their length is not checked.
		if best < 0 || best > 100 || (w.MMSI != 0 && math.Abs(length/w.TrueLengthM-1) > 0.15) {
			t.Errorf("%s (%.0f m): nearest CFAR detection %.0f m away, %.0f m long (%d detections)", w.Name, w.TrueLengthM, best, length, len(ds))
		}
	}
}
