package sanctionsbench

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/lookout-maritime/lookout/bench/sanctions/synth"
	"github.com/lookout-maritime/lookout/internal/sanctions/evalset"
	"github.com/lookout-maritime/lookout/internal/sanctions/match"
	"github.com/lookout-maritime/lookout/internal/sanctions/ofac"
)

// Lookout loads sdn.csv (and alt.csv when given) and indexes it.
func Lookout(sdn, alt []byte) (*match.Index, error) {
	var altR io.Reader
	if alt != nil {
		altR = bytes.NewReader(alt)
	}
	l, err := ofac.LoadCSV(bytes.NewReader(sdn), nil, altR)
	if err != nil {
		return nil, err
	}
	return match.NewIndex(match.Config{}, l), nil
}

// Thresholds are the watchman minMatch values swept, 0.50 to 0.99.
func Thresholds() []float64 {
	var ts []float64
	for i := 50; i <= 99; i++ {
		ts = append(ts, float64(i)/100)
	}
	return ts
}

// Sweep scores watchman's results at each threshold.
func Sweep(expect []string, res [][]Scored, ts []float64) []evalset.Counts {
	out := make([]evalset.Counts, len(ts))
	for k, th := range ts {
		for i := range res {
			out[k].Add(expect[i], Above(res[i], th))
		}
	}
	return out
}

// Above returns the IDs of the results scoring at least th.
func Above(res []Scored, th float64) []string {
	var ids []string
	for _, s := range res {
		if s.Score >= th {
			ids = append(ids, s.ID)
		}
	}
	return ids
}

// Best returns the index of the highest F1.
func Best(cs []evalset.Counts) int {
	best, bf := 0, -1.0
	for k := range cs {
		if _, _, f := cs[k].PRF(); f > bf {
			best, bf = k, f
		}
	}
	return best
}

// Row formats counts as a markdown table row.
func Row(name string, c evalset.Counts) string {
	p, r, f := c.PRF()
	return fmt.Sprintf("| %s | %.3f | %.3f | **%.3f** | %d | %d | %d |", name, p, r, f, c.TP, c.FP, c.FN)
}

// EvalReport screens the labelled queries with both matchers over the
// same files and returns Lookout's counts, watchman's counts per
// threshold, and a markdown report.
func EvalReport(sdn, alt []byte, qs []evalset.Query) (evalset.Counts, []evalset.Counts, string, error) {
	ix, err := Lookout(sdn, alt)
	if err != nil {
		return evalset.Counts{}, nil, "", err
	}
	wm, err := NewWatchman(sdn, alt)
	if err != nil {
		return evalset.Counts{}, nil, "", err
	}
	vq := make([]match.VesselQuery, len(qs))
	expect := make([]string, len(qs))
	for i := range qs {
		vq[i], expect[i] = qs[i].VesselQuery(), qs[i].Expect
	}
	start := time.Now()
	lres := ix.ScreenAll(vq, 0)
	lt := time.Since(start)
	start = time.Now()
	wres := wm.SearchAll(vq, 0.5)
	wt := time.Since(start)

	var lc evalset.Counts
	for i := range qs {
		lc.Add(expect[i], evalset.Alerts(lres[i]))
	}
	ts := Thresholds()
	wc := Sweep(expect, wres, ts)
	best := Best(wc)
	var b strings.Builder
	fmt.Fprintf(&b, "%d queries; list: %d sdn.csv rows, %d alt.csv rows\n\n| matcher | P | R | F1 | TP | FP | FN |\n|---|---:|---:|---:|---:|---:|---:|\n",
		len(qs), bytes.Count(sdn, []byte("\n")), bytes.Count(alt, []byte("\n")))
	fmt.Fprintln(&b, Row(fmt.Sprintf("Lookout, alert threshold %.2f", ix.Config().AlertThreshold), lc))
	for _, th := range []float64{0.75, 0.80, 0.85, 0.90} {
		fmt.Fprintln(&b, Row(fmt.Sprintf("watchman v0.51.0, minMatch %.2f", th), wc[int(th*100+0.5)-50]))
	}
	fmt.Fprintln(&b, Row(fmt.Sprintf("watchman v0.51.0, best minMatch %.2f (chosen on this set)", ts[best]), wc[best]))
	fmt.Fprintf(&b, "\nTime for the %d queries (2 goroutines): Lookout %v, watchman %v.\n\n", len(qs), lt.Round(time.Millisecond), wt.Round(time.Millisecond))
	cats := map[string]*[2]evalset.Counts{}
	for i := range qs {
		c := cats[qs[i].Category]
		if c == nil {
			c = &[2]evalset.Counts{}
			cats[qs[i].Category] = c
		}
		c[0].Add(expect[i], evalset.Alerts(lres[i]))
		c[1].Add(expect[i], Above(wres[i], ts[best]))
	}
	names := make([]string, 0, len(cats))
	for k := range cats {
		names = append(names, k)
	}
	sort.Strings(names)
	fmt.Fprintf(&b, "| category | n | Lookout F1 (FP/FN) | watchman %.2f F1 (FP/FN) |\n|---|---:|---:|---:|\n", ts[best])
	for _, k := range names {
		c := cats[k]
		_, _, lf := c[0].PRF()
		_, _, wf := c[1].PRF()
		fmt.Fprintf(&b, "| %s | %d | %.3f (%d/%d) | %.3f (%d/%d) |\n", k, c[0].N, lf, c[0].FP, c[0].FN, wf, c[1].FP, c[1].FN)
	}
	return lc, wc, b.String(), nil
}

// Synthetic returns the synthetic list as sdn.csv and its queries.
func Synthetic(ships, queries int) ([]byte, []synth.Query, error) {
	l := synth.NewList(ships, 1)
	var buf bytes.Buffer
	if err := l.WriteSDN(&buf); err != nil {
		return nil, nil, err
	}
	return buf.Bytes(), l.Queries(queries, 0.1, 2), nil
}
