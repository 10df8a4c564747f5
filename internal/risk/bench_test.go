package risk

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// syntheticFleet is n vessels as a busy store would hold them: one or two
// identities each, a handful of gaps and port visits, an encounter for
// one in ten, a dark port visit for one in a hundred, a sanctions hit for
// one in two hundred.
func syntheticFleet(n int) []Input {
	rng := rand.New(rand.NewPCG(1, 2))
	mids := []uint32{273, 636, 538, 351, 477, 211, 412, 563}
	ins := make([]Input, n)
	for i := range ins {
		mmsi := mids[i%len(mids)]*1_000_000 + uint32(i)
		t0 := at0.AddDate(-1, 0, rng.IntN(300))
		in := Input{MMSI: mmsi, History: []vessel.Identity{ident(mmsi, validIMO(900000+uint32(i%99999)), fmt.Sprintf("SHIP %d", i), "", t0, at0)}}
		if rng.IntN(20) == 0 {
			in.History = append(in.History, ident(mmsi, in.History[0].IMO, fmt.Sprintf("SHIP %d B", i), "", t0.AddDate(0, 2, 0), at0))
		}
		for j := range rng.IntN(6) {
			e := ev(event.Gap, mmsi, fmt.Sprintf("g-%d-%d", i, j), t0.Add(time.Duration(j)*96*time.Hour), time.Duration(8+rng.IntN(40))*time.Hour)
			e.Details[DetailSuspectedDisabling] = rng.IntN(10) == 0
			in.Events = append(in.Events, e)
		}
		for j := range rng.IntN(4) {
			e := ev(event.PortVisit, mmsi, fmt.Sprintf("p-%d-%d", i, j), t0.Add(time.Duration(j)*200*time.Hour), 30*time.Hour)
			e.Port = "Busan"
			if rng.IntN(500) == 0 {
				e.Port = "Najin"
			}
			in.Events = append(in.Events, e)
		}
		if rng.IntN(10) == 0 {
			e := ev(event.Encounter, mmsi, fmt.Sprintf("e-%d", i), t0.Add(500*time.Hour), 4*time.Hour)
			o := rng.IntN(n)
			e.OtherMMSI = mids[o%len(mids)]*1_000_000 + uint32(o)
			in.Events = append(in.Events, e)
		}
		if rng.IntN(100) == 0 {
			in.Events = append(in.Events, darkNajin(fmt.Sprintf("d-%d", i), t0.Add(300*time.Hour), 0.7))
		}
		if rng.IntN(200) == 0 {
			h := hitEv(fmt.Sprintf("h-%d", i), "direct", 0.95, "2023-05-19")
			h.MMSI = mmsi
			in.Events = append(in.Events, h)
		}
		ins[i] = in
	}
	return ins
}

// BenchmarkRateAll100k rates 100 000 vessels (issue 11: under 10 s on
// the 2-core development machine). Run with -benchtime=1x.
func BenchmarkRateAll100k(b *testing.B) {
	ins := syntheticFleet(100_000)
	r := mustRater(b, nil)
	b.ResetTimer()
	for b.Loop() {
		ps := r.RateAll(ins, at0)
		if len(ps) != len(ins) {
			b.Fatal("short")
		}
	}
}

// The fleet is rated sensibly: the hits are sanctioned, nothing else is,
// and most vessels are low.
func TestSyntheticFleetRatings(t *testing.T) {
	ins := syntheticFleet(5000)
	ps := mustRater(t, nil).RateAll(ins, at0)
	counts := map[Rating]int{}
	for _, p := range ps {
		counts[p.Rating]++
	}
	t.Logf("ratings %v", counts)
	if counts[Low] < len(ps)*9/10 || counts[Sanctioned] == 0 || counts[Sanctioned] > len(ps)/100 {
		t.Errorf("ratings %v", counts)
	}
}

// validIMO appends the check digit to six digits.
func validIMO(six uint32) uint32 {
	sum, x := uint32(0), six
	for w := uint32(2); w <= 7; w++ {
		sum += (x % 10) * w
		x /= 10
	}
	return six*10 + sum%10
}
