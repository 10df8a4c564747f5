//go:build !unix

package decode_test

import "time"

// cpuTime is not measured here; the msgs/cpu-s metric is then left out.
func cpuTime() time.Duration { return 0 }
