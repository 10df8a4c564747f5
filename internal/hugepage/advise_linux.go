package hugepage

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

func advise(addr, n uintptr) {
	_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, addr, n, syscall.MADV_HUGEPAGE)
}

func adviseNew(min uintptr, f func() error) error {
	before, _ := anonMappings(min) // a hint: without the list, nothing is advised
	if err := f(); err != nil {
		return err
	}
	after, err := anonMappings(min)
	if err != nil || before == nil {
		return nil
	}
	for m := range after {
		if !before[m] {
			if lo, hi := within(m.start, m.end-m.start); hi > lo {
				advise(lo, hi-lo)
			}
		}
	}
	return nil
}

type mapping struct{ start, end uintptr }

// anonMappings lists the process's private anonymous read-write
// mappings of at least min bytes, from /proc/self/maps.
func anonMappings(min uintptr) (map[mapping]bool, error) {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ms := map[mapping]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// address perms offset dev inode [path]: anonymous ones have no path.
		fs := strings.Fields(sc.Text())
		if len(fs) != 5 || fs[1] != "rw-p" {
			continue
		}
		lo, hi, ok := strings.Cut(fs[0], "-")
		a, err1 := strconv.ParseUint(lo, 16, 64)
		b, err2 := strconv.ParseUint(hi, 16, 64)
		if !ok || err1 != nil || err2 != nil || b < a {
			return nil, fmt.Errorf("hugepage: /proc/self/maps: unexpected line %q", sc.Text())
		}
		if m := (mapping{uintptr(a), uintptr(b)}); m.end-m.start >= min {
			ms[m] = true
		}
	}
	return ms, sc.Err()
}
