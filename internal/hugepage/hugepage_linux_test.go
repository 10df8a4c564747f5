package hugepage

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

func thpMadvise(t *testing.T) {
	t.Helper()
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || !strings.Contains(string(mode), "[madvise]") {
		t.Skipf("transparent huge pages are not in madvise mode here (%q, %v)", mode, err)
	}
}

// Where the kernel gives huge pages only on request (THP "madvise"), a
// buffer advised before it is touched is backed by them: the mapping
// holding it reports AnonHugePages.
func TestAdviseBacksWithHugePages(t *testing.T) {
	thpMadvise(t)
	buf := make([]uint64, 16<<20/8) // 16 MiB, fresh from the OS
	Advise(buf)
	for i := range buf {
		buf[i] = uint64(i)
	}
	// The advised range is a mapping of its own (madvise splits the one
	// the buffer starts in).
	addr, _ := within(uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf))*8)
	kb, err := smapsField(addr, "AnonHugePages")
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := strconv.Atoi(strings.TrimSuffix(kb, " kB")); n < 2048 {
		t.Errorf("the mapping at %#x has %s in huge pages, want at least one 2 MiB page", addr, kb)
	}
}

// AdviseNew marks the mappings f made (VmFlags "hg"), not those that
// were there before, and returns f's error.
func TestAdviseNew(t *testing.T) {
	const size = 64 << 20
	mmap := func(flags int) []byte {
		b, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { syscall.Munmap(b) })
		if flags != 0 {
			if err := syscall.Madvise(b, flags); err != nil {
				t.Fatal(err)
			}
		}
		return b
	}
	// Flags of its own (MADV_DONTFORK), so that the kernel does not merge
	// it with the one made next to it.
	old := mmap(syscall.MADV_DONTFORK)
	var made []byte
	if err := AdviseNew(size/2, func() error { made = mmap(0); return nil }); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		b    []byte
		want bool
	}{{"made before", old, false}, {"made by f", made, true}} {
		flags, err := smapsField(uintptr(unsafe.Pointer(&tc.b[size/2])), "VmFlags")
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(" "+flags+" ", " hg "); got != tc.want {
			t.Errorf("mapping %s: VmFlags %q, advised %v, want %v", tc.name, flags, got, tc.want)
		}
	}
	errF := errors.New("f failed")
	if err := AdviseNew(size/2, func() error { return errF }); err != errF {
		t.Errorf("AdviseNew returned %v, want f's error", err)
	}
}

// smapsField reads a field of the mapping holding addr from
// /proc/self/smaps.
func smapsField(addr uintptr, field string) (string, error) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in := false
	for sc.Scan() {
		line := sc.Text()
		name, value, _ := strings.Cut(line, ":")
		if lo, hi, ok := strings.Cut(strings.Fields(line)[0], "-"); ok {
			a, err1 := strconv.ParseUint(lo, 16, 64)
			b, err2 := strconv.ParseUint(hi, 16, 64)
			if err1 == nil && err2 == nil {
				in = uint64(addr) >= a && uint64(addr) < b
				continue
			}
		}
		if in && name == field {
			return strings.TrimSpace(value), nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("no mapping holds %#x, or it has no %s", addr, field)
}
