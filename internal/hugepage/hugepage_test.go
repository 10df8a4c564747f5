package hugepage

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

func TestWithin(t *testing.T) {
	const mb = 1 << 20
	for _, tc := range []struct {
		start, n, lo, hi uintptr
	}{
		{0, 2 * mb, 0, 2 * mb},                      // exactly one
		{0, 2*mb - 1, 0, 0},                         // one byte short: none
		{4096, 4 * mb, 2 * mb, 4 * mb},              // unaligned: the one page inside
		{2*mb - 1, 2*mb + 1, 2 * mb, 4 * mb},        // just reaching the end of a page
		{2*mb + 1, 3 * mb, 4 * mb, 4 * mb},          // none whole
		{10*mb + 4096, 9 * mb, 12 * mb, 18 * mb},    // several
		{6 * mb, 64*mb + 12345, 6 * mb, 70 * mb},    // aligned start, ragged end
		{1 * mb, 1 * mb, 2 * mb, 2 * mb},            // small: none
		{3 * mb, 0, 4 * mb, 2 * mb},                 // empty: hi < lo
		{8*mb - 4096, 2*mb + 8192, 8 * mb, 10 * mb}, // straddling both ends
	} {
		if lo, hi := within(tc.start, tc.n); lo != tc.lo || hi != tc.hi {
			t.Errorf("within(%#x, %#x) = [%#x, %#x), want [%#x, %#x)", tc.start, tc.n, lo, hi, tc.lo, tc.hi)
		}
	}
}

// Where the kernel gives huge pages only on request (THP "madvise"), a
// buffer advised before it is touched is backed by them: the mapping
// holding it reports AnonHugePages.
func TestAdviseBacksWithHugePages(t *testing.T) {
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || !strings.Contains(string(mode), "[madvise]") {
		t.Skipf("transparent huge pages are not in madvise mode here (%q, %v)", mode, err)
	}
	buf := make([]uint64, 16<<20/8) // 16 MiB, fresh from the OS
	Advise(buf)
	for i := range buf {
		buf[i] = uint64(i)
	}
	// The advised range is a mapping of its own (madvise splits the one
	// the buffer starts in).
	addr, _ := within(uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf))*8)
	kb, err := anonHugeKB(addr)
	if err != nil {
		t.Fatal(err)
	}
	if kb < 2048 {
		t.Errorf("the mapping at %#x has %d kB in huge pages, want at least one 2 MiB page", addr, kb)
	}
}

// anonHugeKB reads AnonHugePages of the mapping holding addr from
// /proc/self/smaps.
func anonHugeKB(addr uintptr) (int, error) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in := false
	for sc.Scan() {
		line := sc.Text()
		if lo, hi, ok := strings.Cut(strings.Fields(line)[0], "-"); ok && !strings.HasSuffix(line, ":") {
			a, err1 := strconv.ParseUint(lo, 16, 64)
			b, err2 := strconv.ParseUint(hi, 16, 64)
			if err1 == nil && err2 == nil {
				in = uint64(addr) >= a && uint64(addr) < b
				continue
			}
		}
		if in && strings.HasPrefix(line, "AnonHugePages:") {
			return strconv.Atoi(strings.Fields(line)[1])
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no mapping holds %#x", addr)
}
