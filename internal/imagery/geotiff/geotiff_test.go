package geotiff

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"math"
	"testing"
	"time"

	"golang.org/x/image/tiff"
)

func gray16(w, h int) *image.Gray16 {
	img := image.NewGray16(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := uint16(x*131 + y*7)
			img.Pix[y*img.Stride+2*x] = byte(v >> 8)
			img.Pix[y*img.Stride+2*x+1] = byte(v)
		}
	}
	return img
}

func TestWriteReadRoundTrip(t *testing.T) {
	when := time.Date(2023, 10, 21, 21, 14, 3, 0, time.UTC)
	nd := 0.0
	cases := []struct {
		name string
		o    WriteOptions
		// a raster position and where it must land
		col, row, lon, lat float64
	}{
		{"utm52n north-up", WriteOptions{EPSG: 32652, GeoTransform: [6]float64{600000, 10, 0, 4680000, 0, -10}, DateTime: when, NoData: &nd, Deflate: true},
			0, 0, 130.2125228, 42.2657991}, // cs2cs EPSG:32652 EPSG:4326,
		{"wgs84", WriteOptions{EPSG: 4326, GeoTransform: [6]float64{130.2, 0.001, 0, 42.3, 0, -0.001}},
			10, 20, 130.21, 42.28},
		{"rotated", WriteOptions{EPSG: 4326, GeoTransform: [6]float64{130.2, 0.001, 0.0002, 42.3, 0.0001, -0.001}},
			10, 20, 130.2 + 0.01 + 0.004, 42.3 + 0.001 - 0.02},
		{"utm south", WriteOptions{EPSG: 32730, GeoTransform: [6]float64{490000, 20, 0, 6272000, 0, -20}},
			36.6, 44.9, -3.1, -33.7},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			img := gray16(37, 23)
			var buf bytes.Buffer
			if err := Write(&buf, img, c.o); err != nil {
				t.Fatal(err)
			}
			b := buf.Bytes()
			// The file stays a TIFF the library itself decodes.
			back, err := tiff.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("x/image/tiff cannot read our output: %v", err)
			}
			if back.Bounds() != img.Bounds() {
				t.Fatalf("bounds %v", back.Bounds())
			}
			in, err := ReadInfo(bytes.NewReader(b), int64(len(b)), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if in.Width != 37 || in.Height != 23 || in.BitsPerSample != 16 || in.SamplesPerPixel != 1 {
				t.Fatalf("info %+v", in)
			}
			if in.Geo == nil {
				t.Fatalf("no georef: %v", in.GeoErr)
			}
			if in.Geo.EPSG != c.o.EPSG || in.Geo.GeoTransform != c.o.GeoTransform {
				t.Fatalf("georef %d %v, wrote %d %v", in.Geo.EPSG, in.Geo.GeoTransform, c.o.EPSG, c.o.GeoTransform)
			}
			lon, lat := in.Geo.LonLat(c.col, c.row)
			if math.Abs(lon-c.lon) > 2e-5 || math.Abs(lat-c.lat) > 2e-5 {
				t.Errorf("pixel %v,%v at %.7f,%.7f, want %.7f,%.7f", c.col, c.row, lon, lat, c.lon, c.lat)
			}
			col, row := in.Geo.Pixel(lon, lat)
			if math.Abs(col-c.col) > 1e-6 || math.Abs(row-c.row) > 1e-6 {
				t.Errorf("inverse %v,%v", col, row)
			}
			if !c.o.DateTime.IsZero() && !in.DateTime.Equal(c.o.DateTime) {
				t.Errorf("DateTime %v", in.DateTime)
			}
			if c.o.NoData != nil && in.NoData != *c.o.NoData || c.o.NoData == nil && !math.IsNaN(in.NoData) {
				t.Errorf("NoData %v", in.NoData)
			}
			pix, err := in.ReadFloat32(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range [][2]int{{0, 0}, {36, 22}, {5, 17}} {
				if got, want := pix[p[1]*37+p[0]], float32(uint16(p[0]*131+p[1]*7)); got != want {
					t.Errorf("pixel %v = %v, want %v", p, got, want)
				}
			}
		})
	}
}

func TestFootprintAndPixelSize(t *testing.T) {
	g := &Georef{EPSG: 32652, GeoTransform: [6]float64{600000, 10, 0, 4680000, 0, -10}}
	g.Proj, _ = projFor(32652)
	ring := g.Footprint(1000, 500)
	if len(ring) != 17 || ring[0] != ring[16] {
		t.Fatalf("ring of %d points, closed %v", len(ring), ring[0] == ring[len(ring)-1])
	}
	if signedArea(ring) <= 0 {
		t.Error("footprint not counter-clockwise")
	}
	dx, dy := g.PixelSizeM(500, 250)
	// UTM scale factor near 130.3E in zone 52 is about 0.99996+; ground
	// size is grid size over the scale factor.
	if math.Abs(dx-10) > 0.05 || math.Abs(dy-10) > 0.05 { // spherical distance: ±0.5%
		t.Errorf("pixel size %v×%v m", dx, dy)
	}
}

func TestGCPFit(t *testing.T) {
	// Points on an exact affine transform are recovered exactly.
	gt := [6]float64{130.0, 0.0001, 0.00002, 42.5, -0.00001, -0.0001}
	var gcps []GCP
	for _, p := range [][2]float64{{0, 0}, {500, 0}, {0, 400}, {500, 400}, {250, 200}} {
		gcps = append(gcps, GCP{p[0], p[1], gt[0] + p[0]*gt[1] + p[1]*gt[2], gt[3] + p[0]*gt[4] + p[1]*gt[5]})
	}
	var buf bytes.Buffer
	if err := Write(&buf, gray16(500, 400), WriteOptions{EPSG: 4326, GCPs: gcps}); err != nil {
		t.Fatal(err)
	}
	in, err := ReadInfo(bytes.NewReader(buf.Bytes()), int64(buf.Len()), Limits{})
	if err != nil || in.Geo == nil {
		t.Fatal(err, in.GeoErr)
	}
	for i := range gt {
		if math.Abs(in.Geo.GeoTransform[i]-gt[i]) > 1e-9 {
			t.Fatalf("fitted %v, want %v", in.Geo.GeoTransform, gt)
		}
	}
	if in.Geo.GCPs != 5 || in.Geo.GCPResidual > 1e-9 {
		t.Errorf("GCPs %d residual %g", in.Geo.GCPs, in.Geo.GCPResidual)
	}
	// Collinear points are refused.
	line := []GCP{{0, 0, 1, 1}, {1, 1, 2, 2}, {2, 2, 3, 3}}
	buf.Reset()
	_ = Write(&buf, gray16(8, 8), WriteOptions{EPSG: 4326, GCPs: line})
	in, err = ReadInfo(bytes.NewReader(buf.Bytes()), int64(buf.Len()), Limits{})
	if err != nil || !errors.Is(in.GeoErr, ErrNoGeoreference) {
		t.Fatalf("collinear GCPs: %v %v", err, in.GeoErr)
	}
}

// TestHostile: files that must be refused with a clear error before
// anything large is allocated.
func TestHostile(t *testing.T) {
	var good bytes.Buffer
	if err := Write(&good, gray16(64, 64), WriteOptions{EPSG: 4326, GeoTransform: [6]float64{130, 0.001, 0, 42, 0, -0.001}}); err != nil {
		t.Fatal(err)
	}
	g := good.Bytes()
	var plain bytes.Buffer
	_ = tiff.Encode(&plain, gray16(16, 16), nil)

	setTag := func(b []byte, tag uint16, v uint32) []byte {
		b = append([]byte(nil), b...)
		off := int(binary.LittleEndian.Uint32(b[4:]))
		n := int(binary.LittleEndian.Uint16(b[off:]))
		for i := 0; i < n; i++ {
			e := b[off+2+12*i:]
			if binary.LittleEndian.Uint16(e) == tag {
				binary.LittleEndian.PutUint16(e[2:], tLong)
				binary.LittleEndian.PutUint32(e[4:], 1)
				binary.LittleEndian.PutUint32(e[8:], v)
			}
		}
		return b
	}
	cases := []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, ErrNotTIFF},
		{"png", []byte("\x89PNG\r\n\x1a\n0000"), ErrNotTIFF},
		{"bigtiff", []byte("II+\x00\x08\x00\x00\x00"), ErrUnsupported},
		{"ifd past end", []byte("II*\x00\xff\xff\x00\x00"), ErrFormat},
		{"truncated", g[:len(g)/2], ErrFormat},
		{"absurd width", setTag(g, TagImageWidth, 4_000_000_000), ErrTooLarge},
		{"absurd both", setTag(setTag(g, TagImageWidth, 100_000), TagImageLength, 100_000), ErrTooLarge},
		{"zero height", setTag(g, TagImageLength, 0), ErrFormat},
		{"strip past end", setTag(g, TagStripOffsets, uint32(len(g)-10)), ErrFormat},
	}
	for _, c := range cases {
		_, err := ReadInfo(bytes.NewReader(c.b), int64(len(c.b)), Limits{})
		if !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
	// A plain TIFF reads, but says it is not georeferenced.
	in, err := ReadInfo(bytes.NewReader(plain.Bytes()), int64(plain.Len()), Limits{})
	if err != nil || in.Geo != nil || !errors.Is(in.GeoErr, ErrNoGeoreference) {
		t.Errorf("plain TIFF: %v, geo %v, %v", err, in.Geo, in.GeoErr)
	}
	// A limit below the image's size refuses it.
	if _, err := ReadInfo(bytes.NewReader(g), int64(len(g)), Limits{MaxPixels: 64*64 - 1}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("limit: %v", err)
	}
}

func TestParseGeoKeys(t *testing.T) {
	cases := []struct {
		name string
		dir  []uint64
		epsg int
		err  error
	}{
		{"utm", []uint64{1, 1, 0, 2, 1024, 0, 1, 1, 3072, 0, 1, 32652}, 32652, nil},
		{"geo", []uint64{1, 1, 0, 2, 1024, 0, 1, 2, 2048, 0, 1, 4326}, 4326, nil},
		{"user utm 52S", []uint64{1, 1, 0, 4, 1024, 0, 1, 1, 2048, 0, 1, 4326, 3072, 0, 1, 32767, 3074, 0, 1, 16152}, 32752, nil},
		{"datum only", []uint64{1, 1, 0, 3, 1024, 0, 1, 2, 2048, 0, 1, 32767, 2050, 0, 1, 6326}, 4326, nil},
		{"osgb", []uint64{1, 1, 0, 2, 1024, 0, 1, 1, 3072, 0, 1, 27700}, 0, ErrUnsupported},
		{"feet", []uint64{1, 1, 0, 3, 1024, 0, 1, 1, 3072, 0, 1, 32652, 3076, 0, 1, 9002}, 0, ErrUnsupported},
		{"nad27", []uint64{1, 1, 0, 2, 1024, 0, 1, 2, 2048, 0, 1, 4267}, 0, ErrUnsupported},
		{"geocentric", []uint64{1, 1, 0, 1, 1024, 0, 1, 3}, 0, ErrUnsupported},
		{"no model type", []uint64{1, 1, 0, 0}, 0, ErrNoGeoreference},
		{"short", []uint64{1, 1}, 0, ErrFormat},
		{"overcount", []uint64{1, 1, 0, 9, 1024, 0, 1, 1}, 0, ErrFormat},
		{"version", []uint64{2, 1, 0, 0}, 0, ErrUnsupported},
		{"double out of range", []uint64{1, 1, 0, 1, 2057, 34736, 2, 5}, 0, ErrFormat},
	}
	for _, c := range cases {
		k, err := ParseGeoKeys(c.dir, []float64{1, 2}, "WGS 84|")
		if err == nil {
			var code int
			code, err = k.EPSG()
			if err == nil && code != c.epsg {
				t.Errorf("%s: EPSG %d, want %d", c.name, code, c.epsg)
			}
		}
		if c.err == nil && err != nil || c.err != nil && !errors.Is(err, c.err) {
			t.Errorf("%s: err %v, want %v", c.name, err, c.err)
		}
	}
}
