package sanctionsbench

import (
	"math/rand"
	"os"
	"testing"
	"time"

	"github.com/xrash/smetrics"

	"github.com/lookout-maritime/lookout/internal/sanctions/evalset"
	"github.com/lookout-maritime/lookout/internal/sanctions/match"
)

const testdata = "../../internal/sanctions/testdata/"

// RealList returns the OFAC extract (vessels, their owners and the
// entities linked from those) as sdn.csv bytes.
func realList(t testing.TB) []byte {
	var b []byte
	for _, f := range []string{"ofac/sdn_2024-05-03_vessels_and_owners.csv", "ofac/sdn_2024-05-03_linked_closure.csv"} {
		d, err := os.ReadFile(testdata + f)
		if err != nil {
			t.Fatal(err)
		}
		b = append(b, d...)
	}
	return b
}

// TestEvalVsWatchman screens the labelled set with both matchers on the
// same files; Lookout's F1 must beat watchman's best over all thresholds.
func TestEvalVsWatchman(t *testing.T) {
	sdn := realList(t)
	qs, err := evalset.ReadFile(testdata + "eval.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	lc, wc, report, err := EvalReport(sdn, DeriveAlt(sdn), qs)
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + report)
	_, _, lf := lc.PRF()
	_, _, wf := wc[Best(wc)].PRF()
	if lf <= wf {
		t.Errorf("Lookout F1 %.3f is not above watchman's best %.3f", lf, wf)
	}
}

// TestScreen100k: 100,000 vessels against 20,000 listed. With
// LOOKOUT_BENCH_STRICT=1 (bench/sanctions/run.sh sets it) the screening
// must take under 5 s of CPU time, all goroutines together, so under 5 s
// of wall time even on one core and whatever else the machine runs;
// always under 20 s of wall time.
func TestScreen100k(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	sdn, qs, err := Synthetic(20000, 100000)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	ix, err := Lookout(sdn, nil)
	if err != nil {
		t.Fatal(err)
	}
	build := time.Since(start)
	vq := make([]match.VesselQuery, len(qs))
	for i := range qs {
		vq[i] = qs[i].Q
	}
	cpu0 := CPUTime()
	start = time.Now()
	res := ix.ScreenAll(vq, 0)
	el := time.Since(start)
	cpu := CPUTime() - cpu0
	var c evalset.Counts
	kinds := map[string]*evalset.Counts{}
	for i := range qs {
		pred := evalset.Alerts(res[i])
		c.Add(qs[i].Expect, pred)
		if kinds[qs[i].Kind] == nil {
			kinds[qs[i].Kind] = &evalset.Counts{}
		}
		kinds[qs[i].Kind].Add(qs[i].Expect, pred)
	}
	p, r, f := c.PRF()
	t.Logf("index build %v; screening %d vessels against 20,000: %v wall, %v CPU (%.0f vessels/s); synthetic P=%.4f R=%.4f F1=%.4f (TP %d FP %d FN %d)",
		build.Round(time.Millisecond), len(qs), el.Round(time.Millisecond), cpu.Round(time.Millisecond), float64(len(qs))/el.Seconds(), p, r, f, c.TP, c.FP, c.FN)
	for k, v := range kinds {
		p, r, f := v.PRF()
		t.Logf("  %-26s n=%6d P=%.3f R=%.3f F1=%.3f FP %d FN %d", k, v.N, p, r, f, v.FP, v.FN)
	}
	if el > 20*time.Second {
		t.Errorf("screening took %v, limit 20s", el)
	}
	if os.Getenv("LOOKOUT_BENCH_STRICT") == "1" && cpu > 5*time.Second {
		t.Errorf("screening took %v of CPU time, limit 5s", cpu)
	}
	if f < 0.95 {
		t.Errorf("synthetic F1 %.3f below 0.95", f)
	}
}

// TestJaroWinklerMatchesSmetrics checks the matcher's allocation-free
// Jaro-Winkler against github.com/xrash/smetrics (watchman's).
func TestJaroWinklerMatchesSmetrics(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	words := []string{"MARTHA", "MARHTA", "DWAYNE", "DUANE", "DIXON", "DICKSONX", "ANGARA", "ANGRA", "MAIA", "MAIIA", "SPARTA", "SASCOANGARA", ""}
	for i := 0; i < 20000; i++ {
		var a, b string
		if i < len(words)*len(words) {
			a, b = words[i/len(words)], words[i%len(words)]
		} else {
			a, b = randWord(r), randWord(r)
		}
		got := match.JaroWinkler(a, b)
		// smetrics walks its first argument; the matcher puts the shorter first.
		x, y := a, b
		if len(x) > len(y) {
			x, y = y, x
		}
		want := smetrics.JaroWinkler(x, y, 0.7, 4)
		if a == "" && b == "" {
			want = 0 // smetrics calls two empty strings equal; the matcher calls them no match
		}
		if d := got - want; d > 1e-12 || d < -1e-12 {
			t.Fatalf("JaroWinkler(%q, %q) = %v, smetrics %v", a, b, got, want)
		}
	}
}

func randWord(r *rand.Rand) string {
	b := make([]byte, r.Intn(12))
	for i := range b {
		b[i] = "ABEKMNORST"[r.Intn(10)]
	}
	return string(b)
}

func synthetic(b *testing.B, queries int) ([]byte, []match.VesselQuery) {
	sdn, qs, err := Synthetic(20000, queries)
	if err != nil {
		b.Fatal(err)
	}
	vq := make([]match.VesselQuery, len(qs))
	for i := range qs {
		vq[i] = qs[i].Q
	}
	return sdn, vq
}

func BenchmarkLookoutIndex20k(b *testing.B) {
	sdn, _ := synthetic(b, 0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Lookout(sdn, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLookoutScreen100k: one op screens 100,000 vessels against the
// 20,000-vessel list on GOMAXPROCS goroutines.
func BenchmarkLookoutScreen100k(b *testing.B) {
	sdn, vq := synthetic(b, 100000)
	ix, err := Lookout(sdn, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu0 := CPUTime()
	for i := 0; i < b.N; i++ {
		ix.ScreenAll(vq, 0)
	}
	b.ReportMetric(float64(len(vq))*float64(b.N)/b.Elapsed().Seconds(), "vessels/s")
	b.ReportMetric((CPUTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkLookoutQuery: one op is one query on one goroutine.
func BenchmarkLookoutQuery(b *testing.B) {
	sdn, vq := synthetic(b, 10000)
	ix, err := Lookout(sdn, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ix.ScreenVessel(vq[i%len(vq)])
	}
}

// BenchmarkWatchmanQuery: one op is one query scored against every entity
// of the 20,000-vessel list on one goroutine, as watchman's search does.
func BenchmarkWatchmanQuery(b *testing.B) {
	sdn, vq := synthetic(b, 1000)
	wm, err := NewWatchman(sdn, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		wm.Search(vq[i%len(vq)], 0.5)
	}
}
