// Package hugepage asks the kernel to back large, long-lived buffers with
// transparent huge pages (2 MiB) where it offers them on request (Linux's
// THP mode "madvise", the usual default).
//
// Why: the memory a process touches for the first time costs a page
// fault per 4 KiB page, and on some virtual machines each costs 10–15 µs
// (bench/ingest/faultcost) — an ingest's batch buffers alone then cost
// 0.1 s. Measured on such a VM (2 vCPUs, Firecracker), first touching
// 256 MiB took 11–12 µs per 4 KiB in small pages and 5–7 µs in huge
// pages, and 0.25 µs for huge pages a process had freed just before.
// Huge pages also spare the TLB: DuckDB's blocks in huge pages made a
// 1M-line ingest 19 % faster here, more than its page faults alone cost.
package hugepage

import "unsafe"

// size is the huge page size on the platforms Advise acts on.
const size = 2 << 20

// Advise marks the whole huge pages within the backing array of s (up to
// its capacity) for huge pages. It is a hint: errors are ignored, and it
// does nothing elsewhere than on Linux. Call it on a new buffer before it
// is written: memory already touched stays in small pages.
func Advise[T any](s []T) {
	var zero T
	n := uintptr(cap(s)) * unsafe.Sizeof(zero)
	if n < size {
		return
	}
	if lo, hi := within(uintptr(unsafe.Pointer(unsafe.SliceData(s))), n); hi > lo {
		advise(lo, hi-lo)
	}
}

// AdviseNew runs f and marks for huge pages the anonymous mappings of at
// least min bytes that appeared meanwhile: memory a library maps for
// itself, out of reach of Advise (DuckDB's block allocator, see
// duckdb.Store.BeginBulk). It returns f's error. Where the mappings
// cannot be listed (not Linux), it only runs f.
func AdviseNew(min uintptr, f func() error) error { return adviseNew(min, f) }

// within returns the whole huge pages [lo, hi) within n bytes at start;
// hi <= lo when there are none.
func within(start, n uintptr) (lo, hi uintptr) {
	return (start + size - 1) &^ (size - 1), (start + n) &^ (size - 1)
}
