package match_test

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/lookout-maritime/lookout/internal/sanctions"
	"github.com/lookout-maritime/lookout/internal/sanctions/evalset"
	"github.com/lookout-maritime/lookout/internal/sanctions/match"
	"github.com/lookout-maritime/lookout/internal/sanctions/ofac"
)

func loadOFAC(t testing.TB) *sanctions.List {
	t.Helper()
	a, err := os.Open("../testdata/ofac/sdn_2024-05-03_vessels_and_owners.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := os.Open("../testdata/ofac/sdn_2024-05-03_linked_closure.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	l, err := ofac.LoadCSV(io.MultiReader(a, b), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestEvalSet(t *testing.T) {
	qs, err := evalset.ReadFile("../testdata/eval.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) < 150 {
		t.Fatalf("eval set has %d queries, want >= 150", len(qs))
	}
	ix := match.NewIndex(match.Config{}, loadOFAC(t))
	total := evalset.Counts{}
	by := map[string]*evalset.Counts{}
	var misses []string
	for i := range qs {
		q := &qs[i]
		pred := evalset.Alerts(ix.ScreenVessel(q.VesselQuery()))
		total.Add(q.Expect, pred)
		if by[q.Category] == nil {
			by[q.Category] = &evalset.Counts{}
		}
		if !by[q.Category].Add(q.Expect, pred) {
			misses = append(misses, fmt.Sprintf("%s %-9s %+v expect %s got %v (%s)", q.ID, q.Category, q.Query, q.Expect, pred, q.Note))
		}
	}
	cats := make([]string, 0, len(by))
	for c := range by {
		cats = append(cats, c)
	}
	sort.Strings(cats)
	var b strings.Builder
	for _, c := range cats {
		p, r, f := by[c].PRF()
		fmt.Fprintf(&b, "  %-10s n=%3d  P=%.3f R=%.3f F1=%.3f  (TP %d FP %d FN %d)\n", c, by[c].N, p, r, f, by[c].TP, by[c].FP, by[c].FN)
	}
	p, r, f := total.PRF()
	t.Logf("eval: %d queries at alert threshold %.2f: P=%.3f R=%.3f F1=%.3f (TP %d FP %d FN %d)\n%s", len(qs), ix.Config().AlertThreshold, p, r, f, total.TP, total.FP, total.FN, b.String())
	for _, m := range misses {
		t.Log("miss: " + m)
	}
	// Floors: a regression below these fails.
	if p < 0.97 || r < 0.93 || f < 0.95 {
		t.Errorf("P=%.3f R=%.3f F1=%.3f below the floor (P 0.97, R 0.93, F1 0.95)", p, r, f)
	}
}
