package match_test

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/sanctions"
	"github.com/lookout-maritime/lookout/internal/sanctions/ftm"
	"github.com/lookout-maritime/lookout/internal/sanctions/match"
	"github.com/lookout-maritime/lookout/internal/sanctions/uk"
	"github.com/lookout-maritime/lookout/internal/sanctions/un"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

func load(t testing.TB, path string, fn func(*os.File) (*sanctions.List, error)) *sanctions.List {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l, err := fn(f)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func listed(hs []match.Hit, id string) *match.Hit {
	for i := range hs {
		if hs[i].Kind == match.KindListed && hs[i].EntityID == id {
			return &hs[i]
		}
	}
	return nil
}

func alerts(hs []match.Hit) []string {
	var ids []string
	for _, h := range hs {
		if h.Alert && h.Kind == match.KindListed {
			ids = append(ids, h.EntityID)
		}
	}
	return ids
}

// The case facts of the issue, on the real OFAC extract.
func TestCaseVessels(t *testing.T) {
	ix := match.NewIndex(match.Config{}, loadOFAC(t))
	for _, c := range []struct {
		name string
		q    match.VesselQuery
		want []string // alerting listed entities
		min  float64  // score of want[0] at least
	}{
		{"ANGARA by IMO", match.VesselQuery{IMO: "IMO 9179842"}, []string{"37059"}, 0.95},
		{"ANGARA by IMO, no space", match.VesselQuery{IMO: "IMO9179842"}, []string{"37059"}, 0.95},
		{"ANGARA by bare IMO", match.VesselQuery{IMO: "9179842"}, []string{"37059"}, 0.95},
		{"ANGARA by name", match.VesselQuery{Name: "Angara", Flag: "RU"}, []string{"37059"}, 0.8},
		{"ANGARA in Cyrillic", match.VesselQuery{Name: "АНГАРА", Flag: "RU"}, []string{"37059"}, 0.8},
		{"ADLER's IMO is not ANGARA", match.VesselQuery{IMO: "9179854", Name: "ANGARA"}, []string{"37057"}, 0.95},
		{"MAIA-1 as MAIA 1", match.VesselQuery{Name: "MAIA 1"}, []string{"37098"}, 0.85},
		{"MAIA-1 as M/V MAIA I", match.VesselQuery{Name: "M/V MAIA I"}, []string{"37098"}, 0.85},
		{"MAIA-1 by IMO", match.VesselQuery{IMO: "9358010"}, []string{"37098"}, 0.95},
		{"SPARTA IV as SPARTA 4", match.VesselQuery{Name: "SPARTA 4"}, []string{"37029"}, 0.9},
		{"SPARTA III is not SPARTA IV", match.VesselQuery{Name: "SPARTA III"}, []string{"37028"}, 0.9},
		{"LADY R by IMO and name", match.VesselQuery{Name: "LADY R", IMO: "9161003"}, []string{"37095"}, 0.95},
		{"MARIA alone: common short name", match.VesselQuery{Name: "MARIA"}, nil, 0},
		{"МАРИЯ alone", match.VesselQuery{Name: "МАРИЯ"}, nil, 0},
		{"MARIA with its IMO", match.VesselQuery{Name: "МАРИЯ", IMO: "8517839"}, []string{"46773"}, 0.95},
		{"MARIA with its call sign", match.VesselQuery{Name: "MARIA", CallSign: "UBRH7"}, []string{"46773"}, 0.8},
		{"MARIA E, a.k.a. MARIA, by IMO", match.VesselQuery{Name: "MARIA", IMO: "9617923"}, []string{"36716"}, 0.95},
		{"SASCO ANGARA is not ANGARA", match.VesselQuery{Name: "SASCO ANGARA"}, []string{"44245"}, 0.9},
		{"LADY MARIIA by IMO", match.VesselQuery{Name: "LADY MARIIA", IMO: "9220641"}, []string{"37089"}, 0.95},
		{"a former name (f.k.a.) with the MMSI", match.VesselQuery{Name: "ALPHA", MMSI: "572469210"}, []string{"15036"}, 0.85},
		{"another ship called MARIA", match.VesselQuery{Name: "MARIA", IMO: "9412347"}, nil, 0},
	} {
		hs := ix.ScreenVessel(c.q)
		got := alerts(hs)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: alerts %v, want %v; hits %+v", c.name, got, c.want, brief(hs))
			continue
		}
		if len(c.want) > 0 {
			h := listed(hs, c.want[0])
			if h.Score < c.min || len(h.Reasons) == 0 || h.List != sanctions.SourceOFAC || len(h.Programs) == 0 {
				t.Errorf("%s: %+v", c.name, *h)
			}
		}
	}
	// Short common names stay visible below the threshold, ranked by how
	// well they match.
	hs := ix.ScreenVessel(match.VesselQuery{Name: "MARIA"})
	if len(hs) < 2 || hs[0].Alert || !strings.HasPrefix(hs[0].Name, "MARIA") {
		t.Errorf("MARIA: %v", brief(hs))
	}
}

func brief(hs []match.Hit) []string {
	var s []string
	for _, h := range hs {
		s = append(s, h.EntityID+" "+h.Name+" "+string(h.Kind[:6])+" "+strings.TrimRight(strings.TrimRight(time.Duration(h.Score*1000).String(), "s"), "µn"))
	}
	return s
}

func TestReasonsExplain(t *testing.T) {
	ix := match.NewIndex(match.Config{}, loadOFAC(t))
	hs := ix.ScreenVessel(match.VesselQuery{Name: "ANGARA", IMO: "9179854"})
	var angara *match.Hit
	for i := range hs {
		if hs[i].EntityID == "37059" {
			angara = &hs[i]
		}
	}
	if angara != nil && angara.Alert {
		t.Fatalf("ANGARA alerts on ADLER's IMO: %+v", angara)
	}
	adler := listed(hs, "37057")
	if adler == nil || adler.Reasons[0].Field != "imo" || adler.Reasons[0].Listed != "9179854" {
		t.Fatalf("ADLER: %+v", adler)
	}
	// The name disagreement is said, not hidden.
	if !slices.ContainsFunc(adler.Reasons, func(r match.Reason) bool { return strings.Contains(r.Note, "name differs") }) {
		t.Errorf("ADLER reasons %+v", adler.Reasons)
	}
}

// Ownership: OFAC "Linked To" followed several levels (real data), with
// the chain shown.
func TestOwnershipChainOFAC(t *testing.T) {
	ix := match.NewIndex(match.Config{}, loadOFAC(t))
	hs := ix.ScreenVessel(match.VesselQuery{IMO: "9187629"}) // ARTAVIL
	var deep *match.Hit
	for i := range hs {
		if hs[i].Kind == match.KindOwnership && len(hs[i].Chain) >= 3 {
			deep = &hs[i]
			break
		}
	}
	if deep == nil {
		t.Fatalf("no chain of 2+ links: %v", brief(hs))
	}
	if deep.Chain[0].EntityID != "15036" || deep.Chain[1].Name != "NATIONAL IRANIAN TANKER COMPANY" || deep.Chain[1].Role != sanctions.RoleLinked ||
		deep.EntityID != deep.Chain[len(deep.Chain)-1].EntityID || !deep.Chain[len(deep.Chain)-1].Designated {
		t.Errorf("chain %+v", deep.Chain)
	}
	one := ix.ScreenVessel(match.VesselQuery{IMO: "9179842"})
	var own *match.Hit
	for i := range one {
		if one[i].Kind == match.KindOwnership && one[i].EntityID == "37065" {
			own = &one[i]
		}
	}
	if own == nil || !own.Alert || own.Name != "M LEASING LLC" || len(own.Chain) != 2 {
		t.Errorf("ANGARA owner: %+v", own)
	}
}

// FollowTheMoney: a vessel that is not itself sanctioned, owned through two
// companies by a sanctioned one, is an ownership hit with the chain.
func TestOwnershipChainFtM(t *testing.T) {
	l := load(t, "../testdata/ftm/ftm_fixture.jsonl", func(f *os.File) (*sanctions.List, error) { return ftm.Load(f) })
	ix := match.NewIndex(match.Config{}, l)
	hs := ix.ScreenVessel(match.VesselQuery{Name: "SEA BREEZE", IMO: "9305609"})
	if len(hs) != 1 {
		t.Fatalf("hits %v", brief(hs))
	}
	h := hs[0]
	var names []string
	for _, c := range h.Chain {
		names = append(names, c.Name)
	}
	if h.Kind != match.KindOwnership || !h.Alert || h.EntityID != "lk-co-petro-frontier" ||
		!slices.Equal(names, []string{"SEA BREEZE", "BLUE HORIZON SHIPPING LTD", "NORTHERN CROSS HOLDING LIMITED", "PETRO FRONTIER JSC"}) ||
		h.DesignationDate.Format("2006-01-02") != "2024-02-23" {
		t.Errorf("%+v", h)
	}
	// Found by its former name too.
	if hs := ix.ScreenVessel(match.VesselQuery{Name: "NORDIC BREEZE", MMSI: "636019825"}); len(hs) == 0 || hs[0].EntityID != "lk-co-petro-frontier" {
		t.Errorf("former name: %v", brief(hs))
	}
	// A Cyrillic-named vessel owned by a sanctioned company.
	if hs := ix.ScreenVessel(match.VesselQuery{Name: "MARIYA", IMO: "9412347"}); len(hs) == 0 || hs[0].EntityID != "lk-co-m-leasing" || hs[0].Kind != match.KindOwnership {
		t.Errorf("MARIYA: %v", brief(hs))
	}
}

// UN: vessels named only in a company's narrative lead to the company.
func TestUNNarrativeVessels(t *testing.T) {
	l := load(t, "../testdata/un/UN_consolidated_2026-02-27_DPRK_only.xml", func(f *os.File) (*sanctions.List, error) { return un.Load(f) })
	ix := match.NewIndex(match.Config{}, l)
	hs := ix.ScreenVessel(match.VesselQuery{Name: "CHON MYONG 1", Flag: "KP"})
	if len(hs) == 0 || hs[0].Kind != match.KindOwnership || hs[0].EntityID != "KPe.056" || !hs[0].Alert || hs[0].Chain[1].Role != sanctions.RoleOwner {
		t.Errorf("CHON MYONG 1: %+v", hs)
	}
	// "named" only (KUM UN SAN 3 received fuel from KOTI): shown, weaker.
	hs = ix.ScreenVessel(match.VesselQuery{Name: "KUM UN SAN 3"})
	if len(hs) == 0 || hs[0].EntityID != "KPe.067" || hs[0].Chain[1].Role != sanctions.RoleNamed || hs[0].Score >= 0.9 {
		t.Errorf("KUM UN SAN 3: %+v", hs)
	}
}

// Several lists in one index: the same ship on two lists is two hits.
func TestMultipleLists(t *testing.T) {
	ukl := load(t, "../testdata/uk/uk_sanctions_list_fixture.xml", func(f *os.File) (*sanctions.List, error) { return uk.Load(f) })
	ix := match.NewIndex(match.Config{}, loadOFAC(t), ukl)
	hs := ix.ScreenVessel(match.VesselQuery{IMO: "9358010"})
	var lists []sanctions.Source
	for _, h := range hs {
		if h.Kind == match.KindListed && h.Alert {
			lists = append(lists, h.List)
		}
	}
	if !slices.Equal(lists, []sanctions.Source{sanctions.SourceOFAC, sanctions.SourceUK}) {
		t.Errorf("lists %v: %v", lists, brief(hs))
	}
	// The UK's Cyrillic alias.
	if h := listed(ix.ScreenVessel(match.VesselQuery{Name: "АНГАРА"}), "RUS9001"); h == nil || !h.Alert {
		t.Errorf("UK ANGARA by Cyrillic alias: %+v", h)
	}
}

// A renamed vessel is found through its earlier AIS identities.
func TestIdentityHistory(t *testing.T) {
	ix := match.NewIndex(match.Config{}, loadOFAC(t))
	t0 := time.Date(2024, 1, 5, 0, 0, 0, 0, time.UTC)
	history := []vessel.Identity{
		{MMSI: 273612520, Name: "SPARTA IV", CallSign: "", Flag: "RU", FirstSeen: t0, LastSeen: t0.Add(30 * 24 * time.Hour)},
		{MMSI: 620999123, Name: "OCEAN PRIDE", Flag: "KM", FirstSeen: t0.Add(40 * 24 * time.Hour), LastSeen: t0.Add(90 * 24 * time.Hour)},
	}
	hs := ix.ScreenIdentityHistory(history)
	h := listed(hs, "37029")
	if h == nil || !h.Alert || h.Identity != 0 {
		t.Fatalf("renamed SPARTA IV not found: %v", brief(hs))
	}
	last := h.Reasons[len(h.Reasons)-1]
	if last.Field != "identity" || !strings.Contains(last.Note, "not the latest") || !strings.Contains(last.Note, "2024-01-05") {
		t.Errorf("identity reason %+v", last)
	}
	// The current identity alone says nothing.
	if hs := ix.ScreenVessel(match.IdentityQuery(history[1])); len(alerts(hs)) != 0 {
		t.Errorf("current identity alerts: %v", brief(hs))
	}
	// An IMO broadcast under any identity is enough.
	history[1].IMO = 9743033
	if h := listed(ix.ScreenIdentityHistory(history[1:]), "37029"); h == nil || h.Score < 0.95 {
		t.Errorf("by IMO: %+v", h)
	}
}

func TestConcurrentScreening(t *testing.T) {
	ix := match.NewIndex(match.Config{}, loadOFAC(t))
	qs := []match.VesselQuery{{Name: "ANGARA", Flag: "RU"}, {IMO: "9358010"}, {Name: "MARIA"}, {Name: "NOT A LISTED SHIP"}}
	var many []match.VesselQuery
	for i := 0; i < 400; i++ {
		many = append(many, qs[i%len(qs)])
	}
	res := ix.ScreenAll(many, 4)
	for i, r := range res {
		want := ix.ScreenVessel(many[i])
		if len(r) != len(want) || len(r) > 0 && (r[0].EntityID != want[0].EntityID || r[0].Score != want[0].Score) {
			t.Fatalf("query %d differs in parallel", i)
		}
	}
}

func TestConfigDefaults(t *testing.T) {
	c := match.Defaults()
	if c.AlertThreshold != 0.80 || c.MinScore != 0.50 || c.Weights.IMO != 0.97 || c.MaxChainDepth != 4 {
		t.Errorf("%+v", c)
	}
	ix := match.NewIndex(match.Config{AlertThreshold: 0.99}, loadOFAC(t))
	if hs := ix.ScreenVessel(match.VesselQuery{Name: "SASCO ANGARA"}); len(hs) == 0 || hs[0].Alert {
		t.Errorf("threshold not applied: %v", brief(hs))
	}
}
