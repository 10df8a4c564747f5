//go:build simtools

// A development tool, not a test: it finds, for every berth, a water path
// to its port's gate on a 150 m grid of the land mask (Dijkstra, keeping
// away from the shore) and prints it simplified, ready to paste into
// defaultPorts. Run it after adding or moving a berth:
//
//	go test -tags simtools -run TestBuildApproach -v ./internal/sim/
//
// TestPlacesOnWater then checks the result.
package sim

import (
	"container/heap"
	"fmt"
	"math"
	"testing"

	"github.com/lookout-maritime/lookout/internal/coast"
)

type pqItem struct {
	i int
	d float64
}
type pq []pqItem

func (p pq) Len() int           { return len(p) }
func (p pq) Less(i, j int) bool { return p[i].d < p[j].d }
func (p pq) Swap(i, j int)      { p[i], p[j] = p[j], p[i] }
func (p *pq) Push(x any)        { *p = append(*p, x.(pqItem)) }
func (p *pq) Pop() any          { o := *p; x := o[len(o)-1]; *p = o[:len(o)-1]; return x }

func clearOK(m *coast.Mask, a, b Point, clear float64) bool {
	d := distM(a, b)
	n := int(d/40) + 1
	for k := 0; k <= n; k++ {
		p := interpolate(a, b, float64(k)/float64(n))
		if m.OnLand(p.Lat, p.Lon) || m.DistanceToShoreKm(p.Lat, p.Lon) < clear {
			return false
		}
	}
	return true
}

func TestBuildApproach(t *testing.T) {
	m, err := coast.Load()
	if err != nil {
		t.Fatal(err)
	}
	pl := NewPlaces()
	for _, p := range pl.Ports() {
		for bi := range p.Berths {
			b := p.Berths[bi].Point
			g := seaNodes[p.Gate]
			step := 0.0015
			lat0, lat1 := math.Min(b.Lat, g.Lat)-0.1, math.Max(b.Lat, g.Lat)+0.1
			lon0, lon1 := math.Min(b.Lon, g.Lon)-0.1, math.Max(b.Lon, g.Lon)+0.1
			nr, nc := int((lat1-lat0)/step)+1, int((lon1-lon0)/step)+1
			pt := func(i int) Point { return Point{lat0 + float64(i/nc)*step, lon0 + float64(i%nc)*step} }
			cell := func(q Point) int { return int(math.Round((q.Lat-lat0)/step))*nc + int(math.Round((q.Lon-lon0)/step)) }
			water := make([]float64, nr*nc)
			for i := range water {
				q := pt(i)
				if m.OnLand(q.Lat, q.Lon) {
					water[i] = -1
				} else {
					water[i] = m.DistanceToShoreKm(q.Lat, q.Lon)
				}
			}
			dist := make([]float64, nr*nc)
			prev := make([]int, nr*nc)
			for i := range dist {
				dist[i] = math.Inf(1)
				prev[i] = -1
			}
			s, e := cell(b), cell(g)
			dist[s] = 0
			h := &pq{{s, 0}}
			for h.Len() > 0 {
				it := heap.Pop(h).(pqItem)
				if it.d > dist[it.i] {
					continue
				}
				if it.i == e {
					break
				}
				r, c := it.i/nc, it.i%nc
				for dr := -1; dr <= 1; dr++ {
					for dc := -1; dc <= 1; dc++ {
						rr, cc := r+dr, c+dc
						if (dr == 0 && dc == 0) || rr < 0 || cc < 0 || rr >= nr || cc >= nc {
							continue
						}
						j := rr*nc + cc
						if water[j] < 0 {
							continue
						}
						pen := 1.0
						if water[j] < 0.4 {
							pen = 1 + 4*(0.4-water[j])/0.4
						}
						nd := it.d + distM(pt(it.i), pt(j))*pen
						if nd < dist[j] {
							dist[j], prev[j] = nd, it.i
							heap.Push(h, pqItem{j, nd})
						}
					}
				}
			}
			if prev[e] < 0 {
				fmt.Printf("%s: no path\n", p.Name)
				continue
			}
			var path []Point
			for i := e; i >= 0; i = prev[i] {
				path = append(path, pt(i))
			}
			path = reversed(path)
			path[0] = b
			path[len(path)-1] = g
			// Simplify: from each point jump to the farthest visible one.
			out := []Point{b}
			i := 0
			for i < len(path)-1 {
				best := i + 1
				for j := len(path) - 1; j > i+1; j-- {
					clear := 0.12
					if i == 0 {
						clear = 0.0
					}
					if clearOK(m, path[i], path[j], clear) {
						best = j
						break
					}
				}
				out = append(out, path[best])
				i = best
			}
			fmt.Printf("%s %d (%s): ", p.Name, bi, p.Gate)
			for _, q := range out[1 : len(out)-1] {
				fmt.Printf("{%.4f, %.4f}, ", q.Lat, q.Lon)
			}
			fmt.Println()
		}
	}
}
