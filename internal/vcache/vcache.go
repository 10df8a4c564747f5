// Package vcache is a small two-way set-associative cache of per-vessel
// state by MMSI, in front of a map, with software prefetching for a
// stream of fixes known a few calls ahead.
//
// Why: the tracker and the detectors each keep state for every vessel of a
// feed — a few thousand for a regional feed, hundreds of kilobytes to
// megabytes — and touch a vessel's state once per fix, in an order that
// jumps from vessel to vessel. The state is rarely still in the
// processor's cache by the vessel's next fix, so every fix used to wait
// for a map lookup and two or three cache misses, one after the other. A
// caller that knows the next fixes (a queue, a read-ahead chunk) calls
// Prefetch for each some calls ahead: the cache set is loaded first, the
// state's lines Depth calls later, and whatever the state points to
// Depth calls after that, so that by the time the fix is processed its
// lines are in cache and none of the loads waited.
package vcache

import "unsafe"

// Bits is log2 of the sets: 4,096 sets of two 16-byte slots, 128 KB.
const Bits = 12

// Depth is how many Prefetch calls separate one stage from the next; a
// caller prefetches 3*Depth calls ahead (Ahead) to use all three.
const (
	Depth = 4
	Ahead = 3 * Depth
)

type slot[S any] struct {
	mmsi uint32
	s    *S
}

// set is two slots, the one used last first: two vessels whose MMSIs hash
// alike both stay (direct-mapped, about a sixth of a 3,000-vessel feed
// evicted each other at every fix). 32 bytes, half a cache line.
type set[S any] [2]slot[S]

// Cache holds pointers to states of type S. The zero value is not
// usable; see New. Not safe for concurrent use.
type Cache[S any] struct {
	sets   *[1 << Bits]set[S]
	recent [2 * Depth]uint32 // MMSIs given to Prefetch, the latest at (n-1)%len
	n      uint32
}

// New returns an empty cache.
func New[S any]() Cache[S] { return Cache[S]{sets: new([1 << Bits]set[S])} }

// index is a multiplicative (Fibonacci) hash of mmsi to a set.
func index(mmsi uint32) uint32 { return (mmsi * 0x9E3779B1) >> (32 - Bits) }

// Get returns the state cached for mmsi, or nil.
func (c *Cache[S]) Get(mmsi uint32) *S {
	st := &c.sets[index(mmsi)]
	if st[0].mmsi == mmsi && st[0].s != nil {
		return st[0].s
	}
	if st[1].mmsi == mmsi && st[1].s != nil {
		st[0], st[1] = st[1], st[0]
		return st[0].s
	}
	return nil
}

// Put caches s as mmsi's state, in place of the state of its set used
// least recently (or of mmsi's own).
func (c *Cache[S]) Put(mmsi uint32, s *S) {
	st := &c.sets[index(mmsi)]
	if st[0].mmsi != mmsi {
		st[1] = st[0]
	}
	st[0] = slot[S]{mmsi, s}
}

// Forget drops mmsi's state, if cached (the owner is discarding it).
func (c *Cache[S]) Forget(mmsi uint32) {
	st := &c.sets[index(mmsi)]
	for i := range st {
		if st[i].mmsi == mmsi {
			st[i] = slot[S]{}
		}
	}
}

// Prefetch starts loading mmsi's set, and returns the cached states of
// the vessels given Depth and 2*Depth calls ago (nil when not cached) for
// the caller to prefetch: the first's own lines (Lines), the second's
// what its lines point to, which are in cache by then. Reading the
// returned states' fields other than pointers the caller prefetched
// Depth calls before would wait for memory and defeat the purpose.
func (c *Cache[S]) Prefetch(mmsi uint32) (lines, deeper *S) {
	Line(uintptr(unsafe.Pointer(&c.sets[index(mmsi)])))
	k := c.n % uint32(len(c.recent))
	lines = c.Get(c.recent[(c.n+Depth)%uint32(len(c.recent))])
	deeper = c.Get(c.recent[k])
	c.recent[k] = mmsi
	c.n++
	return lines, deeper
}

// Lines prefetches the cache lines of the n bytes from p.
func Lines(p unsafe.Pointer, n uintptr) {
	lines(uintptr(p)&^(lineSize-1), uintptr(p)+n)
}

// lineSize is the cache line of the processors prefetched for (x86-64).
const lineSize = 64
