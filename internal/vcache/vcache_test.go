package vcache

import (
	"testing"
	"unsafe"
)

// Two MMSIs that share a slot.
func colliding(t *testing.T) (a, b uint32) {
	t.Helper()
	a = 273_000_001
	for b = a + 1; b < a+1<<20; b++ {
		if index(b) == index(a) {
			return a, b
		}
	}
	t.Fatal("no colliding MMSI found")
	return 0, 0
}

func TestGetPutForget(t *testing.T) {
	c := New[int]()
	a, b := colliding(t)
	sa, sb := new(int), new(int)
	if c.Get(a) != nil {
		t.Fatal("empty cache returned a state")
	}
	c.Put(a, sa)
	if c.Get(a) != sa || c.Get(b) != nil {
		t.Fatal("Get after Put(a): want a's state, and none for b, which shares its slot")
	}
	c.Put(b, sb) // replaces a
	if c.Get(a) != nil || c.Get(b) != sb {
		t.Fatal("Put(b) must replace a, which shares its slot")
	}
	c.Forget(a) // not cached: b stays
	if c.Get(b) != sb {
		t.Fatal("Forget(a) dropped b")
	}
	c.Forget(b)
	if c.Get(b) != nil {
		t.Fatal("Forget(b) kept b")
	}
}

// Prefetch hands back, for each call, the states of the vessels given
// Depth and 2*Depth calls before — when they are cached.
func TestPrefetchStages(t *testing.T) {
	c := New[uint32]()
	const n = 40
	states := make([]*uint32, n)
	for i := range states {
		m := uint32(1000 + i)
		states[i] = &m
		if i%5 != 3 { // some not cached
			c.Put(m, states[i])
		}
	}
	for i := range n {
		lines, deeper := c.Prefetch(1000 + uint32(i))
		want := func(k int) *uint32 {
			if k < 0 || k%5 == 3 {
				return nil
			}
			return states[k]
		}
		if lines != want(i-Depth) {
			t.Fatalf("call %d: lines = %v, want the state of call %d", i, lines, i-Depth)
		}
		if deeper != want(i-2*Depth) {
			t.Fatalf("call %d: deeper = %v, want the state of call %d", i, deeper, i-2*Depth)
		}
	}
}

// Line and Lines never fault, whatever they are given: prefetching is a
// hint.
func TestLinesAnyAddress(t *testing.T) {
	var x [256]byte
	Lines(unsafe.Pointer(&x), unsafe.Sizeof(x))
	Line(0)
	Line(^uintptr(0))
}
