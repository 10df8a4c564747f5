package match

import "math"

// Forbidden is the cost of a pair that may not be assigned. It is finite
// so that sums stay ordered; any assignment using it is infeasible.
const Forbidden = 1e12

// Assign solves the square assignment problem: the permutation p
// minimising Σ cost[i][p[i]]. It is the shortest-augmenting-path form of
// the Hungarian method with row and column potentials (Kuhn–Munkres as
// refined by Jonker and Volgenant's augmentation), O(n³).
func Assign(cost [][]float64) (p []int, total float64) {
	n := len(cost)
	if n == 0 {
		return nil, 0
	}
	inf := math.Inf(1)
	u := make([]float64, n+1)
	v := make([]float64, n+1)
	col := make([]int, n+1) // col[j]: row (1-based) assigned to column j; col[0] the row being added
	way := make([]int, n+1)
	minv := make([]float64, n+1)
	used := make([]bool, n+1)
	for i := 1; i <= n; i++ {
		col[0] = i
		j0 := 0
		for j := range minv {
			minv[j] = inf
			used[j] = false
		}
		for {
			used[j0] = true
			i0 := col[j0]
			delta, j1 := inf, 0
			row := cost[i0-1]
			for j := 1; j <= n; j++ {
				if used[j] {
					continue
				}
				if cur := row[j-1] - u[i0] - v[j]; cur < minv[j] {
					minv[j], way[j] = cur, j0
				}
				if minv[j] < delta {
					delta, j1 = minv[j], j
				}
			}
			for j := 0; j <= n; j++ {
				if used[j] {
					u[col[j]] += delta
					v[j] -= delta
				} else {
					minv[j] -= delta
				}
			}
			j0 = j1
			if col[j0] == 0 {
				break
			}
		}
		for j0 != 0 {
			j1 := way[j0]
			col[j0] = col[j1]
			j0 = j1
		}
	}
	p = make([]int, n)
	for j := 1; j <= n; j++ {
		p[col[j]-1] = j - 1
	}
	for i, j := range p {
		total += cost[i][j]
	}
	return p, total
}
