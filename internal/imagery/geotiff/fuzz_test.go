package geotiff

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadInfo: any bytes give an Info or an error, never a panic, and a
// reader limited to 1 M pixels never allocates past that for pixels.
func FuzzReadInfo(f *testing.F) {
	files, _ := filepath.Glob("testdata/gdal/*.tif")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err == nil {
			f.Add(b)
		}
	}
	var buf bytes.Buffer
	_ = Write(&buf, gray16(9, 7), WriteOptions{EPSG: 32652, GeoTransform: [6]float64{600000, 10, 0, 4680000, 0, -10}})
	f.Add(buf.Bytes())
	f.Add([]byte("II*\x00\x08\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		in, err := ReadInfo(bytes.NewReader(b), int64(len(b)), Limits{MaxPixels: 1 << 20, MaxTagBytes: 1 << 20})
		if err != nil {
			return
		}
		if in.Width <= 0 || in.Height <= 0 || int64(in.Width)*int64(in.Height) > 1<<20 {
			t.Fatalf("accepted %d×%d", in.Width, in.Height)
		}
		if in.Geo != nil {
			_ = in.Geo.Footprint(in.Width, in.Height)
		}
		_, _ = in.ReadFloat32(bytes.NewReader(b), int64(len(b)))
	})
}

// FuzzParseGeoKeys: any directory, doubles and ASCII give keys or an error.
func FuzzParseGeoKeys(f *testing.F) {
	f.Add([]byte{1, 0, 1, 0, 0, 0, 2, 0, 0, 4, 0, 0, 1, 0, 1, 0, 0, 0xc, 0, 0, 1, 0, 0x7c, 0x7f}, "WGS 84|", 3)
	f.Add([]byte{1, 0, 1, 0, 0, 0, 1, 0, 1, 8, 0xb1, 0x87, 2, 0, 0, 0}, "x", 2)
	f.Fuzz(func(t *testing.T, raw []byte, ascii string, nd int) {
		dir := make([]uint64, len(raw)/2)
		for i := range dir {
			dir[i] = uint64(binary.LittleEndian.Uint16(raw[2*i:]))
		}
		if nd < 0 || nd > 64 {
			nd = 3
		}
		k, err := ParseGeoKeys(dir, make([]float64, nd), ascii)
		if err == nil {
			_, _ = k.EPSG()
		}
	})
}
