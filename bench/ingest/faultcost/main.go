//go:build linux

// Command faultcost measures what this machine charges for memory a
// process touches for the first time: it maps fresh anonymous memory,
// writes one byte per 4 KiB page (each write a page fault the kernel
// serves by finding and zeroing a page) and then writes the same pages
// again (no faults), and prints the time per page of each.
//
// Why: on some virtual machines a first touch costs 10–15 µs instead of
// the usual ~0.5 µs, because the hypervisor backs guest memory lazily and
// takes freed pages back. An ingest's peak RSS is then a large part of its
// CPU time (350 MB ≈ 90,000 faults ≈ 1.1 s at 12 µs), which explains why
// the same build runs at very different speeds on hosts whose CPU-bound
// benchmarks agree. bench/ingest/run.sh prints it with the machine.
//
//	go run ./bench/ingest/faultcost [-mb 256] [-rounds 3]
package main

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"syscall"
	"time"
)

func main() {
	mb := flag.Int("mb", 256, "MiB to map per round")
	rounds := flag.Int("rounds", 3, "rounds (each maps fresh memory); the median is printed")
	flag.Parse()
	if *mb <= 0 || *rounds <= 0 {
		fmt.Fprintln(os.Stderr, "faultcost: -mb and -rounds must be positive")
		os.Exit(2)
	}
	const page = 4096
	n := *mb << 20
	var first, again []float64
	for range *rounds {
		b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
		if err != nil {
			fmt.Fprintln(os.Stderr, "faultcost: mmap:", err)
			os.Exit(1)
		}
		first = append(first, touch(b, page))
		again = append(again, touch(b, page))
		if err := syscall.Munmap(b); err != nil {
			fmt.Fprintln(os.Stderr, "faultcost: munmap:", err)
			os.Exit(1)
		}
	}
	fmt.Printf("first touch %.2f µs per 4 KiB page, touch again %.3f µs (median of %d rounds of %d MiB)\n",
		median(first), median(again), *rounds, *mb)
}

// touch writes one byte per page of b and returns µs per page.
func touch(b []byte, page int) float64 {
	t := time.Now()
	for i := 0; i < len(b); i += page {
		b[i]++
	}
	return float64(time.Since(t).Nanoseconds()) / 1e3 / float64(len(b)/page)
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
