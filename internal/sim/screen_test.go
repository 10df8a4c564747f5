package sim

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/lookout-maritime/lookout/internal/demo"
	"github.com/lookout-maritime/lookout/internal/sanctions/load"
	"github.com/lookout-maritime/lookout/internal/sanctions/match"
)

func query(v Vessel) match.VesselQuery {
	return match.VesselQuery{Name: v.Name, IMO: strconv.Itoa(int(v.IMO)), MMSI: fmt.Sprintf("%09d", v.MMSI),
		CallSign: v.CallSign, Flag: v.Flag}
}

// Screened against the bundled OFAC SDN list with the screener's
// defaults: the three founding ships are listed-vessel alerts on their
// IMO numbers, with the list's names; the look-alike, the STS tankers and
// every ordinary vessel raise no alert, and the look-alike not even a
// hit.
func TestScreening(t *testing.T) {
	l, err := load.Reader(demo.SDNFile, demo.SDN())
	if err != nil {
		t.Fatal(err)
	}
	ix := match.NewIndex(match.Config{}, l)
	s := founding(t)
	var qs []match.VesselQuery
	for _, sh := range s.ships {
		qs = append(qs, query(sh.Vessel))
	}
	res := ix.ScreenAll(qs, 0)
	for i, sh := range s.ships {
		hits := res[i]
		switch sh.Role {
		case RoleSanctioned:
			if len(hits) == 0 || !hits[0].Alert || hits[0].Kind != match.KindListed || hits[0].Name != sh.Name {
				t.Errorf("%s: hits %+v, want a listed-vessel alert named %s", sh.Name, hits, sh.Name)
				continue
			}
			imo := false
			for _, r := range hits[0].Reasons {
				imo = imo || (r.Field == "imo" && r.Listed == strconv.Itoa(int(sh.IMO)))
			}
			if !imo {
				t.Errorf("%s: alert without the IMO reason: %+v", sh.Name, hits[0].Reasons)
			}
		case RoleLookalike:
			if len(hits) != 0 {
				t.Errorf("look-alike %s: hits %+v", sh.Name, hits)
			}
		default:
			for _, h := range hits {
				if h.Alert {
					t.Errorf("%s (%s, IMO %d, MMSI %d): alert on %s %+v", sh.Name, sh.Role, sh.IMO, sh.MMSI, h.Name, h.Reasons)
				}
			}
		}
	}
	// The look-alike is close by name: screened by name alone, MARIYA
	// resembles MARIA (a weak hit), which the IMO number then rules out.
	la := lookalikeVessel()
	found := false
	for _, h := range ix.ScreenVessel(match.VesselQuery{Name: la.Name}) {
		found = found || h.Name == "MARIA"
	}
	if !found {
		t.Errorf("name-only screening of %s does not find MARIA: the look-alike does not look alike", la.Name)
	}
}
