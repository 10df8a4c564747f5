package server

import (
	"context"
	"strings"
	"testing"

	"github.com/lookout-maritime/lookout/internal/sanctions"
	"github.com/lookout-maritime/lookout/internal/sanctions/match"
)

// indexScreener adapts the real matcher, as `lookout serve` would.
type indexScreener struct{ ix *match.Index }

func (s indexScreener) Screen(_ context.Context, q match.VesselQuery) ([]match.Hit, error) {
	return s.ix.ScreenVessel(q), nil
}

func TestScreen(t *testing.T) {
	// One listed vessel, as OFAC lists MAIA-1 (IMO 9358010).
	list := &sanctions.List{Source: sanctions.SourceOFAC, Format: "test", SHA256: strings.Repeat("ab", 32), Entities: []sanctions.Entity{{
		ID: "1", Kind: sanctions.KindVessel, Name: "MAIA-1", Programs: []string{"RUSSIA-EO14024"}, Designated: true,
		Vessel: &sanctions.Vessel{IMO: 9358010, IMOText: "IMO 9358010", IMOValid: true, Flag: "Russia", FlagCode: "RU"},
	}}}
	scr := indexScreener{ix: match.NewIndex(match.Config{}, list)}
	f := newFixture(t, func(_ *Config, d *Deps) { d.Screener = scr })
	var out struct {
		Hits []hitJSON `json:"hits"`
	}
	f.getJSON(t, "/api/screen?imo=9358010", tokAnalyst, 200, &out)
	if len(out.Hits) != 1 || out.Hits[0].Name != "MAIA-1" || !out.Hits[0].Alert || out.Hits[0].List != "OFAC-SDN" {
		t.Fatalf("hits: %+v", out.Hits)
	}
	found := false
	for _, r := range out.Hits[0].Reasons {
		found = found || (r.Field == "imo" && r.Strength > 0)
	}
	if !found {
		t.Errorf("no IMO reason: %+v", out.Hits[0].Reasons)
	}
	f.getJSON(t, "/api/screen?name=COMPLETELY%20DIFFERENT", tokAnalyst, 200, &out)
	if len(out.Hits) != 0 {
		t.Errorf("unrelated name: %+v", out.Hits)
	}
	if code, _, _ := f.do(t, "GET", "/api/screen?imo=9358010", tokViewer, nil); code != 403 {
		t.Errorf("viewer screening: %d", code)
	}
}
