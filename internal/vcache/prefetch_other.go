//go:build !amd64

package vcache

// Line does nothing where no assembly version is written.
func Line(addr uintptr) {}

func lines(from, to uintptr) {}
