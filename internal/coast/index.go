package coast

import (
	"math"
	"sort"
	"sync"
	"sync/atomic"
)

// Coordinates inside the index are integers in units of 2^-20 degree
// (about 0.1 m): exact integer orientation tests make the point-in-polygon
// parity robust, and every quadtree cell centre down to depth 19 is an
// integer.
const (
	unitShift   = 20
	unitsPerDeg = 1 << unitShift
	blockCols   = 360
	blockRows   = 180
)

// Quadtree entries: the top two bits are a tag, the rest an index.
const (
	tagWater uint32 = 0 << 30
	tagLand  uint32 = 1 << 30
	tagMixed uint32 = 2 << 30 // index into leafData: header, then segment ids
	tagNode  uint32 = 3 << 30 // index of a node (4 entries) in nodes
	tagMask  uint32 = 3 << 30
)

// Each cell's reference point (whose land/water state is stored) is its
// centre nudged by a few metres, so that coastlines drawn on round
// coordinates (synthetic tests, the ±180° seam, x.5° vertices) never pass
// exactly through it; the nudge is below half the smallest cell.
const refDX, refDY = 37, 59

// IndexConfig tunes the in-memory index built at Load. The defaults suit the
// 1:10m land polygons; the zero value means the defaults.
type IndexConfig struct {
	// MaxLeafSegments: a quadtree cell with more coastline segments than this
	// is split (unless MaxDepth is reached). Fewer segments per leaf make
	// OnLand faster and the tree bigger.
	MaxLeafSegments int
	// MaxDepth below the 1° block (7 → 1/128°, about 870 m).
	MaxDepth int
	// SubCells per degree in the distance grid (8 → 1/8°).
	SubCells int
}

func (c IndexConfig) withDefaults() IndexConfig {
	if c.MaxLeafSegments <= 0 {
		c.MaxLeafSegments = 8
	}
	if c.MaxDepth <= 0 {
		c.MaxDepth = 8
	}
	if c.MaxDepth > 16 {
		c.MaxDepth = 16
	}
	if c.SubCells <= 0 {
		c.SubCells = 8
	}
	return c
}

// index is the land/water quadtree plus the segment grid for distances.
//
// Only the blocks a query reaches are built: a 1° block no coastline meets
// is all land or all water (top), and one a coastline meets gets its
// quadtree and distance cells when first asked (block). Loading the world
// thus costs what sorting segments into blocks costs, and an ingest of one
// sea region builds the few dozen blocks it sails through.
type index struct {
	cfg IndexConfig
	// vx, vy are all ring vertices in units; segment i runs from vertex i to
	// i+1 (ring-closing vertices never start a segment).
	vx, vy []int32
	nSeg   int

	// top holds, per block (blockRows*blockCols), tagLand or tagWater for a
	// block no coastline meets, else tagMixed with bit 0 set when the
	// block's centre is on land (the block is in blocks).
	top    []uint32
	segs   [][]uint32                   // per block: the segments meeting it
	blocks []atomic.Pointer[blockIndex] // per block, once built
	mu     sync.Mutex                   // serialises building blocks
	built  atomic.Int64                 // bytes held by built blocks
}

// blockIndex is one coastal block's quadtree and distance cells.
type blockIndex struct {
	root     uint32   // quadtree entry of the whole block
	nodes    []uint32 // 4 entries per internal node: quadrants (x, y) = (0,0),(1,0),(0,1),(1,1)
	leafData []uint32 // for mixed leaves: count<<1 | centreInside, then ids
	// Distance cells: SubCells² sub-cells in a compressed-row layout.
	subStart []uint32 // start of each sub-cell's ids in subSegs, plus a sentinel
	subSegs  []uint32
}

func (b *blockIndex) memBytes() int {
	return 4 * (len(b.nodes) + len(b.leafData) + len(b.subStart) + len(b.subSegs))
}

func microToUnits(v int32) int32 {
	// round(v * 2^20 / 1e6) with floor division so negatives round alike.
	n := int64(v)*unitsPerDeg*2 + 1e6
	q := n / 2e6
	if n%2e6 < 0 {
		q--
	}
	return int32(q)
}

// orient is the sign class of the turn a→b→c: true when the cross product
// is >= 0. Treating zero as positive everywhere is a consistent symbolic
// perturbation, so a vertex lying exactly on a test segment is counted once
// or not at all, never twice.
func orient(ax, ay, bx, by, cx, cy int32) bool {
	return (int64(bx)-int64(ax))*(int64(cy)-int64(ay))-(int64(by)-int64(ay))*(int64(cx)-int64(ax)) >= 0
}

// crosses reports whether segment r–p crosses segment a–b.
func crosses(rx, ry, px, py, ax, ay, bx, by int32) bool {
	return orient(rx, ry, px, py, ax, ay) != orient(rx, ry, px, py, bx, by) &&
		orient(ax, ay, bx, by, rx, ry) != orient(ax, ay, bx, by, px, py)
}

// segHitsRect reports whether segment a–b meets the closed rectangle
// [x0,x1]×[y0,y1], exactly.
func segHitsRect(ax, ay, bx, by, x0, y0, x1, y1 int32) bool {
	if max(ax, bx) < x0 || min(ax, bx) > x1 || max(ay, by) < y0 || min(ay, by) > y1 {
		return false
	}
	// Bounding boxes overlap: the segment misses only when all four corners
	// lie strictly on one side of its line.
	cr := func(cx, cy int32) int64 {
		return (int64(bx)-int64(ax))*(int64(cy)-int64(ay)) - (int64(by)-int64(ay))*(int64(cx)-int64(ax))
	}
	c1, c2, c3, c4 := cr(x0, y0), cr(x1, y0), cr(x0, y1), cr(x1, y1)
	return !((c1 > 0 && c2 > 0 && c3 > 0 && c4 > 0) || (c1 < 0 && c2 < 0 && c3 < 0 && c4 < 0))
}

func buildIndex(polys []polygon, cfg IndexConfig) *index {
	cfg = cfg.withDefaults()
	ix := &index{cfg: cfg}
	// Sized first: appending to these (a million vertices) allocated
	// twice their size, and the memory a process touches first costs
	// it page faults (this index is built as an ingest starts).
	nv := 0
	for _, p := range polys {
		for _, r := range p {
			nv += len(r)
		}
	}
	ix.vx, ix.vy = make([]int32, 0, nv), make([]int32, 0, nv)
	segs := make([]uint32, 0, nv)
	for _, p := range polys {
		for _, r := range p {
			base := uint32(len(ix.vx))
			for k, v := range r {
				ix.vx = append(ix.vx, microToUnits(v.x))
				ix.vy = append(ix.vy, microToUnits(v.y))
				if k < len(r)-1 {
					segs = append(segs, base+uint32(k))
				}
			}
		}
	}
	ix.nSeg = len(segs)

	// Segments per 1° block (closed block rectangles).
	perBlock := make([][]uint32, blockRows*blockCols)
	for _, s := range segs {
		ax, ay, bx, by := ix.vx[s], ix.vy[s], ix.vx[s+1], ix.vy[s+1]
		c0, c1 := blockOf(min(ax, bx), blockCols/2), blockOf(max(ax, bx), blockCols/2)
		r0, r1 := blockOf(min(ay, by), blockRows/2), blockOf(max(ay, by), blockRows/2)
		// A vertex on a block's left or bottom edge also touches the block
		// before it.
		c0, r0 = max(c0-1, 0), max(r0-1, 0)
		c1, r1 = min(c1, blockCols-1), min(r1, blockRows-1)
		for r := r0; r <= r1; r++ {
			for c := c0; c <= c1; c++ {
				x0, y0 := int32(c-blockCols/2)<<unitShift, int32(r-blockRows/2)<<unitShift
				if segHitsRect(ax, ay, bx, by, x0, y0, x0+unitsPerDeg, y0+unitsPerDeg) {
					perBlock[r*blockCols+c] = append(perBlock[r*blockCols+c], s)
				}
			}
		}
	}

	// Whether each block's centre is on land, by a scanline along each
	// row's centre latitude (crossings counted from -180).
	centre := ix.blockCentres(perBlock)

	ix.top = make([]uint32, blockRows*blockCols)
	for b := range ix.top {
		switch {
		case len(perBlock[b]) > 0 && centre[b]:
			ix.top[b] = tagMixed | 1
		case len(perBlock[b]) > 0:
			ix.top[b] = tagMixed
		case centre[b]:
			ix.top[b] = tagLand
		default:
			ix.top[b] = tagWater
		}
	}
	ix.segs = perBlock
	ix.blocks = make([]atomic.Pointer[blockIndex], len(perBlock))
	return ix
}

// block returns block b's quadtree and distance cells, building them on
// first use. Safe for concurrent use.
func (ix *index) block(b int) *blockIndex {
	if bi := ix.blocks[b].Load(); bi != nil {
		return bi
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if bi := ix.blocks[b].Load(); bi != nil {
		return bi
	}
	r, c := b/blockCols, b%blockCols
	x0, y0 := int32(c-blockCols/2)<<unitShift, int32(r-blockRows/2)<<unitShift
	bi := &blockIndex{}
	bi.root = ix.buildCell(bi, x0, y0, unitsPerDeg, ix.top[b]&1 == 1, ix.segs[b], 0)
	ix.buildDistanceCells(bi, x0, y0, ix.segs[b])
	ix.built.Add(int64(bi.memBytes()))
	ix.blocks[b].Store(bi)
	return bi
}

// blockOf is the block row or column holding a coordinate in units.
func blockOf(v int32, offset int) int {
	return int(v>>unitShift) + offset
}

func (ix *index) blockCentres(perBlock [][]uint32) []bool {
	out := make([]bool, len(perBlock))
	type xing struct {
		x    float64
		seen bool
	}
	for r := 0; r < blockRows; r++ {
		y := int32(r-blockRows/2)<<unitShift + unitsPerDeg/2 + refDY
		var xs []float64
		for c := 0; c < blockCols; c++ {
			x0 := int32(c-blockCols/2) << unitShift
			for _, s := range perBlock[r*blockCols+c] {
				ax, ay, bx, by := ix.vx[s], ix.vy[s], ix.vx[s+1], ix.vy[s+1]
				if (ay > y) == (by > y) {
					continue
				}
				x := float64(ax) + float64(y-ay)*float64(bx-ax)/float64(by-ay)
				// Count each crossing once: in the block holding it.
				if x >= float64(x0) && (x < float64(x0+unitsPerDeg) || c == blockCols-1) {
					xs = append(xs, x)
				}
			}
		}
		sort.Float64s(xs)
		k := 0
		for c := 0; c < blockCols; c++ {
			cx := float64(int32(c-blockCols/2)<<unitShift + unitsPerDeg/2 + refDX)
			for k < len(xs) && xs[k] < cx {
				k++
			}
			out[r*blockCols+c] = k%2 == 1
		}
	}
	return out
}

// buildCell returns the quadtree entry for the cell at (x0, y0) of the
// given size whose centre is inside (or not) the land.
func (ix *index) buildCell(bi *blockIndex, x0, y0, size int32, inside bool, segs []uint32, depth int) uint32 {
	if len(segs) == 0 {
		if inside {
			return tagLand
		}
		return tagWater
	}
	if len(segs) <= ix.cfg.MaxLeafSegments || depth >= ix.cfg.MaxDepth {
		off := uint32(len(bi.leafData))
		h := uint32(len(segs)) << 1
		if inside {
			h |= 1
		}
		bi.leafData = append(bi.leafData, h)
		bi.leafData = append(bi.leafData, segs...)
		return tagMixed | off
	}
	half := size / 2
	cx, cy := x0+half+refDX, y0+half+refDY
	node := uint32(len(bi.nodes) / 4)
	bi.nodes = append(bi.nodes, 0, 0, 0, 0)
	for q := 0; q < 4; q++ {
		qx0, qy0 := x0+int32(q&1)*half, y0+int32(q>>1)*half
		ccx, ccy := qx0+half/2+refDX, qy0+half/2+refDY
		in := inside
		var sub []uint32
		for _, s := range segs {
			ax, ay, bx, by := ix.vx[s], ix.vy[s], ix.vx[s+1], ix.vy[s+1]
			if crosses(cx, cy, ccx, ccy, ax, ay, bx, by) {
				in = !in
			}
			if segHitsRect(ax, ay, bx, by, qx0, qy0, qx0+half, qy0+half) {
				sub = append(sub, s)
			}
		}
		e := ix.buildCell(bi, qx0, qy0, half, in, sub, depth+1)
		bi.nodes[node*4+uint32(q)] = e
	}
	return tagNode | node
}

// toUnits converts degrees to index units with longitude wrapped into
// [-180, 180) and latitude clamped just inside the poles.
func toUnits(lat, lon float64) (int32, int32) {
	lon = wrapLon(lon)
	x := int32(math.Floor(lon * unitsPerDeg))
	if lat >= 90 {
		lat = 90
	} else if lat < -90 {
		lat = -90
	}
	y := int32(math.Floor(lat * unitsPerDeg))
	// Keep off the poles themselves: Antarctica's ring runs along -90.
	y = max(-90*unitsPerDeg+1, min(y, 90*unitsPerDeg-1))
	if x >= 180*unitsPerDeg {
		x = -180 * unitsPerDeg
	}
	return x, y
}

// wrapLon brings a longitude into [-180, 180).
func wrapLon(lon float64) float64 {
	if lon >= -180 && lon < 180 {
		return lon
	}
	lon = math.Mod(lon+180, 360)
	if lon < 0 {
		lon += 360
	}
	return lon - 180
}

// leaf finds the quadtree leaf holding (x, y): its entry, the block
// holding its data (nil for a block no coastline meets), its lower corner
// and side, in units.
func (ix *index) leaf(x, y int32) (e uint32, bi *blockIndex, x0, y0, size int32) {
	c, r := blockOf(x, blockCols/2), blockOf(y, blockRows/2)
	b := r*blockCols + c
	e = ix.top[b]
	x0, y0 = int32(c-blockCols/2)<<unitShift, int32(r-blockRows/2)<<unitShift
	size = int32(unitsPerDeg)
	if e&tagMask != tagMixed {
		return e, nil, x0, y0, size
	}
	bi = ix.block(b)
	e = bi.root
	for e&tagMask == tagNode {
		size /= 2
		q := uint32(0)
		if x >= x0+size {
			q, x0 = 1, x0+size
		}
		if y >= y0+size {
			q, y0 = q+2, y0+size
		}
		e = bi.nodes[(e&^tagMask)*4+q]
	}
	return e, bi, x0, y0, size
}

func (ix *index) onLand(x, y int32) bool {
	e, bi, x0, y0, size := ix.leaf(x, y)
	return ix.leafHolds(e, bi, x0, y0, size, x, y)
}

// leafClearance is the distance, in units, from (x, y) to the nearest
// coastline segment of the mixed leaf e.
func (ix *index) leafClearance(e uint32, bi *blockIndex, x, y int32) float64 {
	off := e &^ tagMask
	h := bi.leafData[off]
	best := math.Inf(1)
	px, py := float64(x), float64(y)
	for _, s := range bi.leafData[off+1 : off+1+h>>1] {
		ax, ay := float64(ix.vx[s])-px, float64(ix.vy[s])-py
		dx, dy := float64(ix.vx[s+1])-px-ax, float64(ix.vy[s+1])-py-ay
		t := 0.0
		if l2 := dx*dx + dy*dy; l2 > 0 {
			t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l2))
		}
		qx, qy := ax+t*dx, ay+t*dy
		best = math.Min(best, qx*qx+qy*qy)
	}
	return math.Sqrt(best)
}

// leafHolds reports whether (x, y), inside the leaf e with lower corner
// (x0, y0) and side size, is on land.
func (ix *index) leafHolds(e uint32, bi *blockIndex, x0, y0, size, x, y int32) bool {
	switch e & tagMask {
	case tagLand:
		return true
	case tagWater:
		return false
	}
	off := e &^ tagMask
	h := bi.leafData[off]
	in := h&1 == 1
	cx, cy := x0+size/2+refDX, y0+size/2+refDY
	for _, s := range bi.leafData[off+1 : off+1+h>>1] {
		if crosses(cx, cy, x, y, ix.vx[s], ix.vy[s], ix.vx[s+1], ix.vy[s+1]) {
			in = !in
		}
	}
	return in
}

// buildDistanceCells lists, per sub-cell of the block at (bx0, by0), the
// segments meeting it.
func (ix *index) buildDistanceCells(bi *blockIndex, bx0, by0 int32, segs []uint32) {
	n := ix.cfg.SubCells
	step := int32(unitsPerDeg / n)
	bi.subStart = make([]uint32, 1, n*n+1)
	for sr := 0; sr < n; sr++ {
		for sc := 0; sc < n; sc++ {
			x0, y0 := bx0+int32(sc)*step, by0+int32(sr)*step
			for _, s := range segs {
				if segHitsRect(ix.vx[s], ix.vy[s], ix.vx[s+1], ix.vy[s+1], x0, y0, x0+step, y0+step) {
					bi.subSegs = append(bi.subSegs, s)
				}
			}
			bi.subStart = append(bi.subStart, uint32(len(bi.subSegs)))
		}
	}
}

// memBytes is the index's approximate heap size: the vertices and block
// table, and the blocks built so far.
func (ix *index) memBytes() int {
	n := 4 * (len(ix.vx) + len(ix.vy) + len(ix.top))
	for _, s := range ix.segs {
		n += 24 + 4*len(s)
	}
	return n + 8*len(ix.blocks) + int(ix.built.Load())
}
