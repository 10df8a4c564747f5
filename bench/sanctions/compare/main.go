// Command compare prints the sanctions-screening comparison of Lookout and
// moov-io/watchman as markdown: quality on the labelled real-list queries,
// quality and speed on the synthetic 20,000-vessel list (watchman on a
// sample of the queries, as it scores every list entity per query).
//
//	go run ./bench/sanctions/compare -sample 400
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"runtime"
	"time"

	sb "github.com/lookout-maritime/lookout/bench/sanctions"
	"github.com/lookout-maritime/lookout/internal/sanctions/evalset"
	"github.com/lookout-maritime/lookout/internal/sanctions/match"
)

func main() {
	testdata := flag.String("testdata", "internal/sanctions/testdata/", "directory with ofac/ and eval.jsonl")
	ships := flag.Int("ships", 20000, "synthetic listed vessels")
	queries := flag.Int("queries", 100000, "synthetic queries")
	sample := flag.Int("sample", 400, "synthetic queries given to watchman")
	flag.Parse()

	var sdn []byte
	for _, f := range []string{"ofac/sdn_2024-05-03_vessels_and_owners.csv", "ofac/sdn_2024-05-03_linked_closure.csv"} {
		d, err := os.ReadFile(*testdata + f)
		if err != nil {
			log.Fatal(err)
		}
		sdn = append(sdn, d...)
	}
	qs, err := evalset.ReadFile(*testdata + "eval.jsonl")
	if err != nil {
		log.Fatal(err)
	}
	_, _, report, err := sb.EvalReport(sdn, sb.DeriveAlt(sdn), qs)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("### Labelled queries on the real OFAC extract\n\n%s\n", report)

	list, sq, err := sb.Synthetic(*ships, *queries)
	if err != nil {
		log.Fatal(err)
	}
	t0 := time.Now()
	ix, err := sb.Lookout(list, nil)
	if err != nil {
		log.Fatal(err)
	}
	build := time.Since(t0)
	vq := make([]match.VesselQuery, len(sq))
	for i := range sq {
		vq[i] = sq[i].Q
	}
	runtime.GC()
	cpu0 := sb.CPUTime()
	t0 = time.Now()
	res := ix.ScreenAll(vq, 0)
	wall := time.Since(t0)
	cpu := sb.CPUTime() - cpu0
	var lc, lcs evalset.Counts
	for i := range sq {
		lc.Add(sq[i].Expect, evalset.Alerts(res[i]))
		if i < *sample {
			lcs.Add(sq[i].Expect, evalset.Alerts(res[i]))
		}
	}
	wm, err := sb.NewWatchman(list, nil)
	if err != nil {
		log.Fatal(err)
	}
	n := min(*sample, len(vq))
	t0 = time.Now()
	wres := wm.SearchAll(vq[:n], 0.5)
	wwall := time.Since(t0)
	expect := make([]string, n)
	for i := range expect {
		expect[i] = sq[i].Expect
	}
	ts := sb.Thresholds()
	wc := sb.Sweep(expect, wres, ts)
	best := sb.Best(wc)
	fmt.Printf("### Synthetic list: %d vessels (+ %d owners), %d queries (10%% listed)\n\n", *ships, *ships/6+1, len(vq))
	fmt.Printf("| matcher | P | R | F1 | TP | FP | FN |\n|---|---:|---:|---:|---:|---:|---:|\n")
	fmt.Println(sb.Row(fmt.Sprintf("Lookout, all %d queries", len(vq)), lc))
	fmt.Println(sb.Row(fmt.Sprintf("Lookout, first %d queries", n), lcs))
	fmt.Println(sb.Row(fmt.Sprintf("watchman minMatch 0.80, first %d queries", n), wc[30]))
	fmt.Println(sb.Row(fmt.Sprintf("watchman best minMatch %.2f, first %d queries", ts[best], n), wc[best]))
	per := wwall / time.Duration(n)
	fmt.Printf("\n| | Lookout | watchman v0.51.0 |\n|---|---:|---:|\n")
	fmt.Printf("| index build (20k list) | %v | (reads the list; scores every entity per query) |\n", build.Round(time.Millisecond))
	fmt.Printf("| %d queries, %d goroutines | **%v** wall, %v CPU | %v for %d queries |\n", len(vq), runtime.GOMAXPROCS(0), wall.Round(10*time.Millisecond), cpu.Round(10*time.Millisecond), wwall.Round(10*time.Millisecond), n)
	fmt.Printf("| per query (wall, %d goroutines) | %v | %v |\n", runtime.GOMAXPROCS(0), (wall / time.Duration(len(vq))).Round(100*time.Nanosecond), per.Round(time.Microsecond))
	fmt.Printf("| 100,000 queries, extrapolated | %v | %v |\n", (wall * time.Duration(100000) / time.Duration(len(vq))).Round(10*time.Millisecond), (per * 100000).Round(time.Second))
}
