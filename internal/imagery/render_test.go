package imagery

import (
	"bytes"
	"image/png"
	"testing"
)

func TestRender(t *testing.T) {
	spec := RenderSpec{
		Bounds: [4]float64{130.28, 42.23, 130.32, 42.26}, Width: 640, Height: 480, Seed: 1,
		Land: LandFunc(func(lat, lon float64) bool { return lon > 130.315 }),
		Ships: []RenderShip{
			{Lat: 42.245, Lon: 130.30, LengthM: 120, HeadingDeg: 45},
			{Lat: 42.240, Lon: 130.29, LengthM: 90, WidthM: 16, HeadingDeg: 180},
		},
	}
	var buf bytes.Buffer
	if err := RenderPNG(&buf, spec); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != 640 || img.Bounds().Dy() != 480 {
		t.Fatal(img.Bounds())
	}
	at := func(lat, lon float64) uint8 {
		x := int((lon - 130.28) / 0.04 * 640)
		y := int((42.26 - lat) / 0.03 * 480)
		r, _, _, _ := img.At(x, y).RGBA()
		return uint8(r >> 8)
	}
	if v := at(42.245, 130.30); v < 200 {
		t.Errorf("ship centre %d, want bright", v)
	}
	if v := at(42.235, 130.30); v > 100 {
		t.Errorf("open sea %d, want dark", v)
	}
	if v := at(42.25, 130.318); v < 120 || v > 220 {
		t.Errorf("land %d", v)
	}
	// Same seed, same picture.
	var again bytes.Buffer
	_ = RenderPNG(&again, spec)
	var first bytes.Buffer
	_ = RenderPNG(&first, spec)
	if !bytes.Equal(first.Bytes(), again.Bytes()) {
		t.Error("render not deterministic")
	}
	if _, err := Render(RenderSpec{Bounds: [4]float64{1, 1, 0, 2}, Width: 10, Height: 10}); err == nil {
		t.Error("inverted bounds accepted")
	}
	if testing.Verbose() {
		img2, _ := Render(spec)
		var out bytes.Buffer
		png.Encode(&out, img2)
		t.Logf("%d-byte PNG", out.Len())
	}
}
