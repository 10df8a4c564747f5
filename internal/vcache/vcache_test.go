package vcache

import (
	"testing"
	"unsafe"
)

// Three MMSIs that share a set.
func colliding(t *testing.T) (a, b, c uint32) {
	t.Helper()
	a = 273_000_001
	var found []uint32
	for m := a + 1; m < a+1<<22 && len(found) < 2; m++ {
		if index(m) == index(a) {
			found = append(found, m)
		}
	}
	if len(found) < 2 {
		t.Fatal("no colliding MMSIs found")
	}
	return a, found[0], found[1]
}

func TestGetPutForget(t *testing.T) {
	c := New[int]()
	a, b, x := colliding(t)
	sa, sb, sx := new(int), new(int), new(int)
	if c.Get(a) != nil {
		t.Fatal("empty cache returned a state")
	}
	c.Put(a, sa)
	c.Put(b, sb) // same set, the other slot
	if c.Get(a) != sa || c.Get(b) != sb || c.Get(x) != nil {
		t.Fatal("two vessels of one set: want both cached, and not a third")
	}
	c.Get(a)     // a used last: b is the one to go
	c.Put(x, sx) // a third in the set
	if c.Get(a) != sa || c.Get(x) != sx || c.Get(b) != nil {
		t.Fatalf("a third vessel must replace the one used least recently (b): a %v x %v b %v", c.Get(a), c.Get(x), c.Get(b))
	}
	c.Forget(b) // not cached: the others stay
	if c.Get(a) != sa || c.Get(x) != sx {
		t.Fatal("Forget(b) dropped another vessel")
	}
	c.Forget(a)
	if c.Get(a) != nil || c.Get(x) != sx {
		t.Fatal("Forget(a) kept a, or dropped x")
	}
	c.Put(x, sb) // a new state for a cached vessel replaces its old one
	if c.Get(x) != sb {
		t.Fatal("Put of a cached vessel kept the old state")
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
