//go:build !linux

package hugepage

func advise(addr, n uintptr) {}

func adviseNew(min uintptr, f func() error) error { return f() }
