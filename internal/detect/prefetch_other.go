//go:build !amd64

package detect

// prefetch does nothing where no assembly version is written.
func prefetch(addr uintptr) {}
