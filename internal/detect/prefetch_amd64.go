package detect

// prefetch asks the processor to start loading the cache line at addr
// (PREFETCHT0). It never faults, whatever addr is, and nothing waits for
// it.
//
//go:noescape
func prefetch(addr uintptr)
