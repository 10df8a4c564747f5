package sim

import (
	"fmt"
	"sync"
	"testing"

	"github.com/lookout-maritime/lookout/internal/coast"
)

var (
	maskOnce sync.Once
	maskVal  *coast.Mask
	maskErr  error
)

// testMask loads the embedded land mask once per test binary.
func testMask(t testing.TB) *coast.Mask {
	t.Helper()
	maskOnce.Do(func() { maskVal, maskErr = coast.Load() })
	if maskErr != nil {
		t.Fatal(maskErr)
	}
	return maskVal
}

// onWater reports the first point of a polyline, sampled every 100 m,
// that lies on land.
func onWater(m *coast.Mask, path []Point) (Point, bool) {
	for i := 1; i < len(path); i++ {
		d := distM(path[i-1], path[i])
		n := int(d/100) + 1
		for k := 0; k <= n; k++ {
			p := interpolate(path[i-1], path[i], float64(k)/float64(n))
			if m.OnLand(p.Lat, p.Lon) {
				return p, false
			}
		}
	}
	if len(path) == 1 && m.OnLand(path[0].Lat, path[0].Lon) {
		return path[0], false
	}
	return Point{}, true
}

// Every berth, approach and sea lane is on water of the land mask the
// detectors use, and every berth is within a port-visit entry radius
// (3 km) of its port's reference point.
func TestPlacesOnWater(t *testing.T) {
	m := testMask(t)
	pl := NewPlaces()
	for _, e := range seaEdges {
		if p, ok := onWater(m, []Point{seaNodes[e[0]], seaNodes[e[1]]}); !ok {
			t.Errorf("lane %s-%s crosses land at %.4f,%.4f", e[0], e[1], p.Lat, p.Lon)
		}
	}
	for _, p := range pl.Ports() {
		if _, ok := seaNodes[p.Gate]; !ok {
			t.Errorf("%s: unknown gate %q", p.Name, p.Gate)
		}
		for i, b := range p.Berths {
			what := fmt.Sprintf("%s berth %d", p.Name, i)
			path := append([]Point{b.Point}, b.Approach...)
			path = append(path, seaNodes[p.Gate])
			if q, ok := onWater(m, path); !ok {
				t.Errorf("%s: approach on land at %.4f,%.4f", what, q.Lat, q.Lon)
			}
			if d := distM(b.Point, p.Point()); d > 3000 {
				t.Errorf("%s: %.2f km from the port's reference point, want <= 3", what, d/1000)
			}
		}
	}
}

// Every pair of background ports is connected, and Najin is reached only
// through NAJ_OFF (no ordinary route passes the DPRK port).
func TestRoutes(t *testing.T) {
	pl := NewPlaces()
	for _, a := range pl.Ports() {
		for _, b := range pl.Ports() {
			if a == b {
				continue
			}
			r, err := pl.Route(a.Name, 0, b.Name, 1)
			if err != nil {
				t.Fatalf("%s-%s: %v", a.Name, b.Name, err)
			}
			if r[0] != a.Berths[0].Point || r[len(r)-1] != b.berth(1).Point {
				t.Errorf("%s-%s: route does not run berth to berth", a.Name, b.Name)
			}
			if !a.Background || !b.Background {
				continue
			}
			nodes, _ := pl.laneNodes(a.Gate, b.Gate)
			for _, n := range nodes {
				if n == "NAJ" || n == "NAJ_OFF" {
					t.Errorf("%s-%s: ordinary route passes %s", a.Name, b.Name, n)
				}
			}
		}
	}
}
