package vcache

// Line asks the processor to start loading the cache line holding
// address addr (PREFETCHT0). It never faults, whatever addr is, and
// nothing waits for it; addr is a plain number to Go, so it keeps nothing
// alive.
//
//go:noescape
func Line(addr uintptr)

// lines is Line for every 64-byte line from from (aligned) up to to, in
// one call.
//
//go:noescape
func lines(from, to uintptr)
