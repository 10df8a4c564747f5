package cfar

import (
	"fmt"
	"testing"

	"github.com/lookout-maritime/lookout/internal/imagery/synth"
)

// BenchmarkDetect runs the detector on speckled clutter with a few ships.
// The 10 000 × 10 000 case (10⁸ pixels, 400 MB of float32) is heavy: run
// it alone with -benchtime=1x.
func BenchmarkDetect(b *testing.B) {
	for _, n := range []int{2000, 10000} {
		b.Run(fmt.Sprintf("%dx%d", n, n), func(b *testing.B) {
			var ships []synth.Ship
			for i := 0; i < 100; i++ {
				ships = append(ships, synth.Ship{Col: float64(50 + (i*9973)%(n-100)), Row: float64(50 + (i*7919)%(n-100)), LengthPx: 20, WidthPx: 4, AxisDeg: float64(i * 37), SCRdB: 10})
			}
			pix, _, err := synth.SAR(synth.SARConfig{W: n, H: n, Looks: 4, Seed: 3, Ships: ships})
			if err != nil {
				b.Fatal(err)
			}
			mask := NewMask(n, n)
			b.SetBytes(int64(4 * n * n))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				res, err := Detect(Image{n, n, pix}, mask, Config{Pfa: 1e-7, Looks: 4})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(len(res.Targets)), "targets")
			}
		})
	}
}
