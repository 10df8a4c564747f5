package geotiff

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"testing"
	"time"
)

// TestGDALFiles reads GeoTIFFs written by GDAL (testdata/gdal/SOURCE.md)
// and compares the georeferencing with what gdalinfo reported for them.
func TestGDALFiles(t *testing.T) {
	type gdalinfo struct {
		GeoTransform []float64 `json:"geoTransform"`
		WGS84Extent  struct {
			Coordinates [][][2]float64 `json:"coordinates"`
		} `json:"wgs84Extent"`
	}
	u16 := func(x, y int) float32 { return float32((x*131 + y*7) % 65536) }
	u8 := func(x, y int) float32 { return float32((x*3 + y*5) % 256) }
	f32 := func(x, y int) float32 { return float32(x)*0.5 + float32(y)*0.25 }
	cases := []struct {
		file  string
		epsg  int
		point bool
		value func(x, y int) float32
	}{
		{"utm52n_u16_deflate", 32652, false, u16},
		{"utm53n_rotated", 32653, false, u16},
		{"wgs84_point_tiled_lzw", 4326, true, u8},
		{"gcp_f32", 4326, false, f32},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			var gi gdalinfo
			b, err := os.ReadFile("testdata/gdal/" + c.file + ".gdalinfo.json")
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &gi); err != nil {
				t.Fatal(err)
			}
			in, pix, err := ReadFile("testdata/gdal/"+c.file+".tif", Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if in.Width != 64 || in.Height != 48 {
				t.Fatalf("%d×%d", in.Width, in.Height)
			}
			if in.Geo == nil {
				t.Fatalf("no georef: %v", in.GeoErr)
			}
			g := in.Geo
			if g.EPSG != c.epsg || g.PixelIsPoint != c.point {
				t.Errorf("EPSG %d point %v", g.EPSG, g.PixelIsPoint)
			}
			if gi.GeoTransform != nil {
				for i, v := range gi.GeoTransform {
					if math.Abs(g.GeoTransform[i]-v) > 1e-9*math.Max(1, math.Abs(v)) {
						t.Fatalf("geotransform %v, GDAL %v", g.GeoTransform, gi.GeoTransform)
					}
				}
				// gdalinfo's corners: top-left, bottom-left, bottom-right, top-right.
				ring := gi.WGS84Extent.Coordinates[0]
				for i, px := range [][2]float64{{0, 0}, {0, 48}, {64, 48}, {64, 0}} {
					lon, lat := g.LonLat(px[0], px[1])
					if math.Abs(lon-ring[i][0]) > 1e-6 || math.Abs(lat-ring[i][1]) > 1e-6 {
						t.Errorf("corner %v at %.7f,%.7f, GDAL %.7f,%.7f", px, lon, lat, ring[i][0], ring[i][1])
					}
				}
			} else {
				// Fitted to GDAL's five control points.
				if g.GCPs != 5 || g.GCPResidual > 0.002 {
					t.Errorf("GCPs %d residual %g°", g.GCPs, g.GCPResidual)
				}
				lon, lat := g.LonLat(32, 24)
				if math.Abs(lon-130.235) > 0.002 || math.Abs(lat-42.28) > 0.002 {
					t.Errorf("centre at %v,%v", lon, lat)
				}
			}
			for _, p := range [][2]int{{0, 0}, {63, 47}, {17, 29}, {40, 3}} {
				if got, want := pix[p[1]*64+p[0]], c.value(p[0], p[1]); got != want {
					t.Errorf("pixel %v = %v, want %v", p, got, want)
				}
			}
			if c.file == "utm52n_u16_deflate" && !in.DateTime.Equal(time.Date(2023, 10, 21, 21, 14, 3, 0, time.UTC)) {
				t.Errorf("DateTime %v", in.DateTime)
			}
		})
	}
	in, _, err := ReadFile("testdata/gdal/nogeo.tif", Limits{})
	if err != nil || in.Geo != nil || !errors.Is(in.GeoErr, ErrNoGeoreference) {
		t.Errorf("nogeo: %v, %v, %v", err, in.Geo, in.GeoErr)
	}
	t.Logf("nogeo: %v", in.GeoErr)
}
