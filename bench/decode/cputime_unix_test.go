//go:build unix

package decode_test

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time (user + system, all threads) this process has
// used. Unlike wall time it does not grow while other processes hold the
// core, so msgs/cpu-s stays meaningful on a busy machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
