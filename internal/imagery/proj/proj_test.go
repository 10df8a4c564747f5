package proj

import (
	"bufio"
	"errors"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/lookout-maritime/lookout/internal/geo"
)

// TestAgainstPROJ checks forward and inverse against values PROJ's cs2cs
// computed (testdata/cs2cs.txt).
func TestAgainstPROJ(t *testing.T) {
	f, err := os.Open("testdata/cs2cs.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		fs := strings.Fields(line)
		v := make([]float64, 5)
		for i := range v {
			if v[i], err = strconv.ParseFloat(fs[i], 64); err != nil {
				t.Fatalf("%q: %v", line, err)
			}
		}
		p, err := ForEPSG(int(v[2]))
		if err != nil {
			t.Fatal(err)
		}
		x, y := p.FromLonLat(v[0], v[1])
		if math.Abs(x-v[3]) > 0.001 || math.Abs(y-v[4]) > 0.001 {
			t.Errorf("EPSG:%d forward %v,%v = %.4f %.4f, PROJ %.4f %.4f", int(v[2]), v[0], v[1], x, y, v[3], v[4])
		}
		lon, lat := p.ToLonLat(v[3], v[4])
		if d := geo.DistanceM(lat, lon, v[1], v[0]); d > 0.001 {
			t.Errorf("EPSG:%d inverse %.4f %.4f = %.9f,%.9f: %.4f m from %v,%v", int(v[2]), v[3], v[4], lon, lat, d, v[0], v[1])
		}
		n++
	}
	if n < 10 {
		t.Fatalf("only %d reference points", n)
	}
}

func TestRoundTripAcrossZone(t *testing.T) {
	for _, zone := range []int{1, 31, 52, 60} {
		for _, north := range []bool{true, false} {
			u := UTM{Zone: zone, North: north}
			c := float64(zone*6 - 183)
			for dl := -3.5; dl <= 3.5; dl += 0.5 {
				for lat := 0.0; lat <= 84; lat += 7 {
					if !north {
						lat = -lat
					}
					lon := math.Remainder(c+dl, 360)
					x, y := u.FromLonLat(lon, lat)
					lo, la := u.ToLonLat(x, y)
					if d := geo.DistanceM(lat, lon, la, lo); d > 1e-4 {
						t.Fatalf("zone %d north=%v %v,%v round trip off by %g m", zone, north, lon, lat, d)
					}
					if !north {
						lat = -lat
					}
				}
			}
		}
	}
}

func TestForEPSG(t *testing.T) {
	for code, want := range map[int]Projection{4326: Geographic{}, 3857: WebMercator{}, 32652: UTM{52, true}, 32733: UTM{33, false}} {
		p, err := ForEPSG(code)
		if err != nil || p != want || p.EPSG() != code {
			t.Errorf("ForEPSG(%d) = %v, %v", code, p, err)
		}
	}
	for _, code := range []int{0, 27700, 32600, 32661, 32700, 32761} {
		if _, err := ForEPSG(code); !errors.Is(err, ErrUnsupported) {
			t.Errorf("ForEPSG(%d) err = %v, want ErrUnsupported", code, err)
		}
	}
}
