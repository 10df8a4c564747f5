package riskstore

import (
	"context"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/risk"
	"github.com/lookout-maritime/lookout/internal/risk/risktest"
	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/store/duckdb"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

func seeded(t *testing.T) *duckdb.Store {
	t.Helper()
	ctx := context.Background()
	st, err := duckdb.Open(ctx, duckdb.Config{Path: filepath.Join(t.TempDir(), "risk.duckdb"), Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := risktest.Seed(ctx, st); err != nil {
		t.Fatal(err)
	}
	return st
}

func rater(t *testing.T, p *risk.Policy) *risk.Rater {
	t.Helper()
	r, err := risk.New(risk.Config{Policy: p})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func profiles(t *testing.T, st Reader, r *risk.Rater) map[uint32]risk.Profile {
	t.Helper()
	s, err := Load(context.Background(), st, risktest.At)
	if err != nil {
		t.Fatal(err)
	}
	out := map[uint32]risk.Profile{}
	for _, p := range Rate(r, s) {
		out[p.MMSI] = p
	}
	return out
}

func factor(p risk.Profile, k risk.FactorKind) *risk.Factor {
	for i := range p.Factors {
		if p.Factors[i].Kind == k {
			return &p.Factors[i]
		}
	}
	return nil
}

func TestRatingsFromTheStore(t *testing.T) {
	st := seeded(t)
	ps := profiles(t, st, rater(t, nil))
	want := map[uint32]risk.Rating{risktest.MAIA: risk.Sanctioned, risktest.Vostok: risk.High, risktest.Met: risk.Elevated,
		risktest.Ordinary: risk.Low, risktest.Clean: risk.Low}
	if len(ps) != len(want) {
		t.Fatalf("%d profiles, want %d", len(ps), len(want))
	}
	for mmsi, r := range want {
		if ps[mmsi].Rating != r {
			t.Errorf("%d rated %s, want %s\n%s", mmsi, ps[mmsi].Rating, r, explain(ps[mmsi]))
		}
	}
	maia, ord := ps[risktest.MAIA], ps[risktest.Ordinary]
	// The renamed-after-designation ship that went dark to Najin is
	// rated above the one with an ordinary gap, and the Najin call is
	// among its top factors.
	if maia.Score <= ord.Score {
		t.Errorf("MAIA %.1f not above ordinary %.1f", maia.Score, ord.Score)
	}
	if !slices.ContainsFunc(maia.Top(3), func(f risk.Factor) bool {
		return f.Kind == risk.DarkHighRiskPortCall && slices.Contains(f.Events, risktest.KeyMaiaDark)
	}) {
		t.Errorf("Najin not in MAIA's top 3:\n%s", maia.Explain())
	}
	// The rename comes from the identity history, after the designation.
	if f := factor(maia, risk.Rename); f == nil || f.Multiplier != 3 {
		t.Errorf("rename %+v", f)
	}
	// The draught change across the gap is read from the detector's
	// "across" detail.
	if factor(maia, risk.DraughtChangeDark) == nil {
		t.Errorf("no draught factor:\n%s", maia.Explain())
	}
	// The encounter, stored under MAIA, counts for the vessel it met.
	if f := factor(ps[risktest.Met], risk.SanctionedEncounter); f == nil || f.Events[0] != risktest.KeyEncounter {
		t.Errorf("Met: %+v\n%s", f, explain(ps[risktest.Met]))
	}
	// The rename event and the history change are one rename.
	v := ps[risktest.Vostok]
	n := 0
	for _, f := range v.Factors {
		if f.Kind == risk.Rename {
			n++
			if f.Events[0] != "risktest-idc-vostok" || !strings.Contains(f.Explanation, "from NORD 7 to VOSTOK 7") {
				t.Errorf("rename %+v", f)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d renames:\n%s", n, v.Explain())
	}
	if f := factor(ps[risktest.Clean], risk.FlagOfConvenience); f == nil || ps[risktest.Clean].Flag != "LR" {
		t.Errorf("clean: %s", explain(ps[risktest.Clean]))
	}
}

func TestUpdateRecordsRatingChanges(t *testing.T) {
	ctx := context.Background()
	st := seeded(t)
	r := rater(t, nil)
	changes := func() []event.Event {
		t.Helper()
		evs, err := st.Events(ctx, store.EventQuery{Kinds: []event.Kind{event.RiskChange}})
		if err != nil {
			t.Fatal(err)
		}
		return evs
	}

	res, err := Update(ctx, st, r, risktest.At)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rated != 5 || len(res.Changes) != 3 {
		t.Fatalf("rated %d, %d changes: %+v", res.Rated, len(res.Changes), res.Changes)
	}
	stored := changes()
	got := map[uint32]string{}
	for _, e := range stored {
		got[e.MMSI] = e.Details["old_rating"].(string) + "→" + e.Details["new_rating"].(string)
		if e.Detector != risk.Detector || !e.Start.Equal(risktest.At) || e.ID == 0 {
			t.Errorf("event %+v", e)
		}
	}
	if got[risktest.MAIA] != "low→sanctioned" || got[risktest.Vostok] != "low→high" || got[risktest.Met] != "low→elevated" || len(got) != 3 {
		t.Errorf("changes %v", got)
	}
	for _, e := range stored {
		if e.MMSI == risktest.MAIA && (e.Lat != 42.77 || !strings.Contains(e.Explanation, "MAIA became sanctioned")) {
			t.Errorf("MAIA change %+v", e)
		}
	}

	// Again, nothing changed: nothing new.
	if res, err = Update(ctx, st, r, risktest.At); err != nil || len(res.Changes) != 0 || len(changes()) != 3 {
		t.Fatalf("second run: %v, %d changes, %d stored", err, len(res.Changes), len(changes()))
	}

	// The dark Najin call of VOSTOK withdrawn (re-detection found the
	// gap explained): its score drops by exactly that factor's
	// contribution and it falls to low.
	before := profiles(t, st, r)[risktest.Vostok]
	dark := factor(before, risk.DarkHighRiskPortCall)
	var vostokDark event.Event
	for _, e := range risktest.Events() {
		if e.Key == risktest.KeyVostokDark {
			vostokDark = e
		}
	}
	vostokDark.Withdrawn, vostokDark.Revision = true, 1
	if err := st.PutEvents(ctx, []event.Event{vostokDark}); err != nil {
		t.Fatal(err)
	}
	after := profiles(t, st, r)[risktest.Vostok]
	if dark == nil || math.Abs(before.Score-after.Score-dark.Contribution) > 1e-9 || after.Rating != risk.Low {
		t.Fatalf("score %.3f → %.3f (dark %+v), rating %s", before.Score, after.Score, dark, after.Rating)
	}
	res, err = Update(ctx, st, r, risktest.At)
	if err != nil || len(res.Changes) != 1 {
		t.Fatalf("after withdrawal: %v %+v", err, res.Changes)
	}
	down := res.Changes[0]
	if down.MMSI != risktest.Vostok || down.Details["direction"] != "down" || down.Details["new_rating"] != "low" ||
		!strings.Contains(down.Explanation, "No longer counted: dark_high_risk_port_call") {
		t.Errorf("down %+v", down)
	}
	// The latest change is now the down one, found again by Load.
	s, err := Load(ctx, st, risktest.At)
	if err != nil || s.Changes[risktest.Vostok].Key != down.Key || len(changes()) != 4 {
		t.Fatalf("latest %v %+v", err, s.Changes[risktest.Vostok])
	}

	// Back again at the same time: a third event, distinct key.
	vostokDark.Withdrawn, vostokDark.Revision = false, 2
	if err := st.PutEvents(ctx, []event.Event{vostokDark}); err != nil {
		t.Fatal(err)
	}
	res, err = Update(ctx, st, r, risktest.At)
	if err != nil || len(res.Changes) != 1 || res.Changes[0].Details["new_rating"] != "high" || len(changes()) != 5 {
		t.Fatalf("up again: %v %+v (%d stored)", err, res.Changes, len(changes()))
	}
	if res, err = Update(ctx, st, r, risktest.At); err != nil || len(res.Changes) != 0 {
		t.Fatalf("not idempotent: %v %+v", err, res.Changes)
	}

	// The sanctions hit removed (a new list version without it): MAIA
	// falls to high, and SVETLAYA, which met a sanctioned ship and now a
	// high-risk one, falls to low.
	if err := st.ReplaceEvents(ctx, []string{"sanctions-screen"}, nil); err != nil {
		t.Fatal(err)
	}
	res, err = Update(ctx, st, r, risktest.At)
	if err != nil {
		t.Fatal(err)
	}
	got = map[uint32]string{}
	for _, e := range res.Changes {
		got[e.MMSI] = e.Details["old_rating"].(string) + "→" + e.Details["new_rating"].(string)
	}
	if got[risktest.MAIA] != "sanctioned→high" || got[risktest.Met] != "elevated→low" || len(got) != 2 {
		t.Errorf("after delisting: %v", got)
	}
}

// A new policy changes ratings, and the change events say under which
// policy.
func TestPolicyChangesRatings(t *testing.T) {
	ctx := context.Background()
	st := seeded(t)
	if _, err := Update(ctx, st, rater(t, nil), risktest.At); err != nil {
		t.Fatal(err)
	}
	p := risk.DefaultPolicy()
	p.Version = "strict-gaps"
	g := p.Factors[risk.AISGap]
	g.Weight, g.Cap = 50, 50
	p.Factors[risk.AISGap] = g
	p.Thresholds.High = 60 // and fewer vessels high
	ps := profiles(t, st, rater(t, p))
	if ps[risktest.Ordinary].Rating != risk.Elevated || ps[risktest.Vostok].Rating != risk.Elevated || ps[risktest.MAIA].Rating != risk.Sanctioned {
		t.Fatalf("ordinary %s, vostok %s, maia %s", ps[risktest.Ordinary].Rating, ps[risktest.Vostok].Rating, ps[risktest.MAIA].Rating)
	}
	res, err := Update(ctx, st, rater(t, p), risktest.At)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != 2 {
		t.Fatalf("changes %+v", res.Changes)
	}
	for _, e := range res.Changes {
		if e.Details["policy"] != "lookout-default@strict-gaps" {
			t.Errorf("policy %v", e.Details["policy"])
		}
		if e.MMSI == risktest.Vostok && !strings.Contains(e.Explanation, "Policy changed from lookout-default@2025.1 to lookout-default@strict-gaps") {
			t.Errorf("explanation %q", e.Explanation)
		}
	}
}

func TestFind(t *testing.T) {
	st := seeded(t)
	s, err := Load(context.Background(), st, risktest.At)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		ref  string
		want []uint32
	}{
		{"273359640", []uint32{risktest.MAIA}},
		{"IMO 9358010", []uint32{risktest.MAIA}},
		{"9358010", []uint32{risktest.MAIA}},
		{"maia", []uint32{risktest.MAIA}},
		{"MAIA-1", []uint32{risktest.MAIA}}, // a former name
		{"  elbe   trader ", []uint32{risktest.Ordinary}},
		{"999999999", nil},
		{"NOBODY", nil},
		{"", nil},
	} {
		var got []uint32
		for _, i := range s.Find(tc.ref) {
			got = append(got, s.Inputs[i].MMSI)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q: %v, want %v", tc.ref, got, tc.want)
		}
	}
}

// Events after the evaluation time are not known yet.
func TestLoadAsOf(t *testing.T) {
	st := seeded(t)
	ps := map[uint32]risk.Profile{}
	s, err := Load(context.Background(), st, risktest.At.AddDate(0, -6, 0)) // mid-July 2023: before the Najin calls
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range Rate(rater(t, nil), s) {
		ps[p.MMSI] = p
	}
	if f := factor(ps[risktest.MAIA], risk.DarkHighRiskPortCall); f != nil || ps[risktest.Vostok].Rating != risk.Low {
		t.Errorf("future events counted: %s\n%s", explain(ps[risktest.MAIA]), explain(ps[risktest.Vostok]))
	}
}

func explain(p risk.Profile) string { return p.Explain() }

// scanning is a store with the optional bulk identity read.
type scanning struct {
	*duckdb.Store
	scans int
}

func (s *scanning) ScanIdentities(ctx context.Context, fn func([]vessel.Identity) error) error {
	s.scans++
	vs, err := s.Vessels(ctx, store.VesselQuery{Order: store.ByMMSI})
	if err != nil {
		return err
	}
	for _, v := range vs {
		h, err := s.Vessel(ctx, v.MMSI)
		if err != nil {
			return err
		}
		if err := fn(h.History); err != nil {
			return err
		}
	}
	return nil
}

func TestLoadWithIdentityScanner(t *testing.T) {
	st := seeded(t)
	plain, err := Load(context.Background(), st, risktest.At)
	if err != nil {
		t.Fatal(err)
	}
	sc := &scanning{Store: st}
	bulk, err := Load(context.Background(), sc, risktest.At)
	if err != nil || sc.scans != 1 {
		t.Fatal(err, sc.scans)
	}
	if !reflect.DeepEqual(plain.Inputs, bulk.Inputs) {
		t.Errorf("inputs differ:\n%+v\n%+v", plain.Inputs, bulk.Inputs)
	}
}
