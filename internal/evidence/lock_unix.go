//go:build unix

package evidence

import (
	"fmt"
	"io"
	"os"
	"syscall"
)

// lockDir takes an exclusive advisory lock on path, so two processes never
// append to one log at once (their appends would interleave).
func lockDir(path string) (io.Closer, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("%w: %s: %v", ErrLocked, path, err)
	}
	return f, nil // closing the file releases the lock
}
