//go:build !unix

package evidence

import (
	"fmt"
	"io"
	"os"
)

// lockDir only creates the lock file where flock is unavailable; one
// process at a time must be ensured by the operator.
func lockDir(path string) (io.Closer, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	return f, nil
}
