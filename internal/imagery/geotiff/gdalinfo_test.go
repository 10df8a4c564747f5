package geotiff

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestGDALReadsOurFiles: when GDAL's gdalinfo is installed (Debian
// gdal-bin), files this package writes are read by GDAL with the same
// coordinate system, transform and time. Skipped without it.
func TestGDALReadsOurFiles(t *testing.T) {
	bin, err := exec.LookPath("gdalinfo")
	if err != nil {
		t.Skip("gdalinfo not installed (apt-get install gdal-bin)")
	}
	when := time.Date(2023, 10, 21, 21, 14, 3, 0, time.UTC)
	for _, o := range []WriteOptions{
		{EPSG: 32652, GeoTransform: [6]float64{604000, 10, 0, 4682000, 0, -10}, DateTime: when, Deflate: true},
		{EPSG: 32733, GeoTransform: [6]float64{500000, 20, 0, 8000000, 0, -20}},
		{EPSG: 4326, GeoTransform: [6]float64{130.2, 0.001, 0.0002, 42.3, 0.0001, -0.001}},
	} {
		path := filepath.Join(t.TempDir(), "x.tif")
		f, _ := os.Create(path)
		if err := Write(f, gray16(40, 30), o); err != nil {
			t.Fatal(err)
		}
		f.Close()
		out, err := exec.Command(bin, "-json", path).Output()
		if err != nil {
			t.Fatalf("gdalinfo: %v", err)
		}
		var gi struct {
			GeoTransform     []float64 `json:"geoTransform"`
			CoordinateSystem struct {
				WKT string `json:"wkt"`
			} `json:"coordinateSystem"`
			Metadata map[string]map[string]string `json:"metadata"`
		}
		if err := json.Unmarshal(out, &gi); err != nil {
			t.Fatal(err)
		}
		for i, v := range gi.GeoTransform {
			if math.Abs(v-o.GeoTransform[i]) > 1e-9*math.Max(1, math.Abs(v)) {
				t.Errorf("EPSG:%d: GDAL reads transform %v, wrote %v", o.EPSG, gi.GeoTransform, o.GeoTransform)
				break
			}
		}
		if want := `ID["EPSG",` + itoa(o.EPSG) + `]]`; !strings.HasSuffix(strings.TrimSpace(gi.CoordinateSystem.WKT), want) {
			t.Errorf("EPSG:%d: GDAL reads CRS ...%s", o.EPSG, tail(gi.CoordinateSystem.WKT))
		}
		if !o.DateTime.IsZero() && gi.Metadata[""]["TIFFTAG_DATETIME"] != "2023:10:21 21:14:03" {
			t.Errorf("DateTime %q", gi.Metadata[""]["TIFFTAG_DATETIME"])
		}
	}
}

func itoa(v int) string { b, _ := json.Marshal(v); return string(b) }

func tail(s string) string {
	if len(s) > 40 {
		return s[len(s)-40:]
	}
	return s
}
