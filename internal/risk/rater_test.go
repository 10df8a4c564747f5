package risk

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// The founding case pattern: a ship designated in May 2023, renamed in
// August, AIS off with Najin the most plausible call in September. It must
// rate above a ship whose only blemish is an ordinary AIS gap — with the
// sanctions hit (sanctioned) and, what matters for an unlisted look-alike,
// on behaviour alone.
func TestRenamedAfterDesignationDarkAtNajinOutranksOrdinaryGap(t *testing.T) {
	r := mustRater(t, nil)
	const mmsi = 273000001 // Russia
	history := []vessel.Identity{
		ident(mmsi, 9358010, "MAIA-1", "RU", date("2022-01-01"), date("2023-08-01")),
		ident(mmsi, 9358010, "MAIA", "RU", date("2023-08-02"), date("2024-01-10")),
	}
	bad := Input{MMSI: mmsi, History: history, Events: []event.Event{
		hitEv("hit-1", "former_name", 0.97, "2023-05-19"),
		darkNajin("dark-1", date("2023-09-10"), 0.9),
	}}
	ordinary := Input{MMSI: 273000002, History: []vessel.Identity{ident(273000002, 9179842, "ANGARA STAR", "RU", date("2022-01-01"), date("2024-01-10"))},
		Events: []event.Event{gapEv("gap-x", date("2023-10-01"), 14*time.Hour, false)}}

	pb, po := r.Rate(bad, at0), r.Rate(ordinary, at0)
	if pb.Rating != Sanctioned || po.Rating != Low {
		t.Fatalf("ratings %s and %s, want sanctioned and low\n%s\n%s", pb.Rating, po.Rating, pb.Explain(), po.Explain())
	}
	if pb.Score <= po.Score {
		t.Errorf("score %.1f not above %.1f", pb.Score, po.Score)
	}
	// The rename after designation is weighted by the multiplier.
	var rename *Factor
	for i := range pb.Factors {
		if pb.Factors[i].Kind == Rename {
			rename = &pb.Factors[i]
		}
	}
	if rename == nil || rename.Multiplier != 3 || !strings.Contains(rename.Explanation, "after its designation on 2023-05-19") {
		t.Errorf("rename factor %+v", rename)
	}
	// The Najin call is among the top factors.
	if !slices.ContainsFunc(pb.Top(3), func(f Factor) bool { return f.Kind == DarkHighRiskPortCall && f.Events[0] == "dark-1" }) {
		t.Errorf("dark Najin call not in top 3:\n%s", pb.Explain())
	}

	// On behaviour alone (no list hit, so no designation multiplier)
	// the renamed ship that went dark to Najin is still rated higher,
	// and at least elevated.
	bad.Events = bad.Events[1:]
	pb = r.Rate(bad, at0)
	if pb.Score <= po.Score || pb.Rating.Level() <= po.Rating.Level() || !pb.Rating.AtLeast(Elevated) {
		t.Errorf("without the hit: %s %.1f vs %s %.1f", pb.Rating, pb.Score, po.Rating, po.Score)
	}
}

// richInput has one event-backed factor of most kinds, no binding caps,
// and a designation date carried by two hits (so removing one hit does
// not change the multiplier of later identity changes). Several hits of
// one kind (one entity on several lists) are capped at one hit's weight.
func richInput() Input {
	const mmsi = 273000001
	port := ev(event.PortVisit, mmsi, "port-1", date("2023-11-02"), 30*time.Hour)
	port.Port, port.Confidence = "Rajin", 0.75
	enc := ev(event.Encounter, mmsi, "enc-1", date("2023-10-05"), 5*time.Hour)
	enc.OtherMMSI, enc.OtherName = 445000001, "CHON MA SAN"
	enc2 := ev(event.Encounter, mmsi, "enc-2", date("2023-10-20"), 3*time.Hour)
	enc2.OtherMMSI = 273999999
	spoof := ev(event.Spoofing, mmsi, "spoof-1", date("2023-12-01"), time.Hour)
	spoof.Details[DetailSpoofType] = "teleport"
	spoof.Confidence = 0.6
	idc := ev(event.IdentityChange, mmsi, "idc-1", date("2023-08-02"), 0)
	idc.Details[DetailChanged] = []any{"name", "callsign"}
	idc.Details[DetailOld] = map[string]any{"name": "MAIA-1"}
	idc.Details[DetailNew] = map[string]any{"name": "MAIA"}
	flagc := ev(event.IdentityChange, mmsi, "idc-2", date("2023-09-30"), 0)
	flagc.Details[DetailField] = "flag"
	draught := ev(event.DraughtChange, mmsi, "dr-1", date("2023-09-16"), 0)
	draught.Details[DetailContext] = "dark_port_visit"
	draught.Details[DetailDeltaM] = 2.4
	draughtPort := ev(event.DraughtChange, mmsi, "dr-2", date("2023-10-16"), 0) // in port, seen: not counted
	draughtPort.Details[DetailContext] = "port_visit"
	loit := ev(event.Loitering, mmsi, "loit-1", date("2023-10-05"), 8*time.Hour)
	dd := ev(event.DarkDetection, mmsi, "sat-1", date("2023-09-12"), 0)
	return Input{MMSI: mmsi, Events: []event.Event{
		hitEv("hit-1", "owner", 0.9, "2023-05-19"),
		hitEv("hit-2", "former_name", 0.85, "2023-05-19"),
		darkNajin("dark-1", date("2023-09-10"), 0.9),
		port, enc, enc2, spoof, idc, flagc, draught, draughtPort, loit, dd,
		gapEv("gap-1", date("2023-12-20"), 14*time.Hour, false),
		gapEv("gap-2", date("2023-09-09"), 8*24*time.Hour, true),
	}}
}

func TestRemovingAFactorsEventLowersScoreByItsContribution(t *testing.T) {
	r := mustRater(t, nil).WithCounterparties(CounterpartyMap{445000001: Sanctioned, 273999999: High})
	in := richInput()
	full := r.Rate(in, at0)
	kinds := map[FactorKind]bool{}
	for _, f := range full.Factors {
		kinds[f.Kind] = true
		if f.CapScale != 1 {
			t.Fatalf("cap binds on %s; the scenario must not", f.Kind)
		}
	}
	for _, k := range []FactorKind{SanctionsOwner, DarkHighRiskPortCall, HighRiskPortCall, SanctionedEncounter, HighRiskEncounter,
		Spoofing, Rename, Reflag, DraughtChangeDark, Loitering, DarkDetection, AISGap, SuspectedDisabling} {
		if !kinds[k] {
			t.Errorf("scenario lacks %s:\n%s", k, full.Explain())
		}
	}
	sum := 0.0
	for _, f := range full.Factors {
		sum += f.Contribution
	}
	if !near(sum, full.Score) {
		t.Fatalf("factors sum to %v, score %v", sum, full.Score)
	}
	for _, f := range full.Factors {
		if len(f.Events) != 1 || strings.HasPrefix(f.Events[0], "identity:") {
			continue
		}
		key := f.Events[0]
		less := in
		less.Events = slices.DeleteFunc(slices.Clone(in.Events), func(e event.Event) bool { return e.Key == key })
		// An identity_change event may give two factors (name and
		// flag); the drop is then the sum of that event's factors.
		want := 0.0
		for _, g := range full.Factors {
			if slices.Contains(g.Events, key) {
				want += g.Contribution
			}
		}
		got := full.Score - r.Rate(less, at0).Score
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("removing %s (%s) lowered the score by %v, want %v", key, f.Kind, got, want)
		}
	}
}

// The same property on random vessels, with caps off (with a cap binding,
// the kind's other factors take up the slack, by design).
func TestRemovalPropertyRandom(t *testing.T) {
	p := DefaultPolicy()
	for k, f := range p.Factors {
		f.Cap = 0
		p.Factors[k] = f
	}
	r := mustRater(t, p).WithCounterparties(CounterpartyMap{445000001: Sanctioned, 273999999: High})
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		in := randomInput(rng, trial)
		full := r.Rate(in, at0)
		if math.IsNaN(full.Score) || full.Score < 0 {
			t.Fatalf("score %v", full.Score)
		}
		for i := range in.Events {
			key := in.Events[i].Key
			if in.Events[i].Kind == event.SanctionsHit || in.Events[i].Kind == event.IdentityChange {
				continue // they interact through the designation date and the history
			}
			want := 0.0
			for _, f := range full.Factors {
				if slices.Contains(f.Events, key) {
					want += f.Contribution
				}
			}
			less := in
			less.Events = slices.Delete(slices.Clone(in.Events), i, i+1)
			if got := full.Score - r.Rate(less, at0).Score; math.Abs(got-want) > 1e-9 {
				t.Fatalf("trial %d: removing %s lowered the score by %v, want %v", trial, key, got, want)
			}
		}
	}
}

var randomKinds = []event.Kind{event.Gap, event.DarkPortVisit, event.PortVisit, event.Encounter, event.Spoofing,
	event.Loitering, event.DraughtChange, event.DarkDetection, event.SanctionsHit, event.IdentityChange, event.Geofence}

func randomInput(rng *rand.Rand, n int) Input {
	in := Input{MMSI: 273000001}
	for i := range 1 + rng.IntN(25) {
		k := randomKinds[rng.IntN(len(randomKinds))]
		start := at0.Add(-time.Duration(rng.IntN(800*24)) * time.Hour)
		e := ev(k, in.MMSI, string(k)+"-"+itoa(n)+"-"+itoa(i), start, time.Duration(rng.IntN(200))*time.Hour)
		e.Confidence = rng.Float64()
		switch k {
		case event.Gap:
			e.Details[DetailSuspectedDisabling] = rng.IntN(2) == 0
		case event.DarkPortVisit:
			e = darkNajin(e.Key, start, rng.Float64())
			e.Candidates[0].HighRisk = rng.IntN(3) > 0
		case event.PortVisit:
			e.Port = []string{"Najin", "Busan", "Nampo"}[rng.IntN(3)]
		case event.Encounter:
			e.OtherMMSI = []uint32{445000001, 273999999, 211000000}[rng.IntN(3)]
		case event.DraughtChange:
			e.Details[DetailDark] = rng.IntN(2) == 0
		case event.SanctionsHit:
			e = hitEv(e.Key, []string{"direct", "owner", "former_name"}[rng.IntN(3)], rng.Float64(), "2023-03-01")
		case event.IdentityChange:
			e.Details[DetailChanged] = "name,flag"
		}
		if rng.IntN(10) == 0 {
			e.Withdrawn = true
		}
		in.Events = append(in.Events, e)
	}
	return in
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestDecay(t *testing.T) {
	r := mustRater(t, nil)
	w := DefaultPolicy().Factors[SuspectedDisabling]
	hl := time.Duration(w.HalfLifeDays*24) * time.Hour
	cases := []struct {
		name string
		end  time.Time // the gap's end; it starts 2 days earlier
		want float64   // decay factor
	}{
		{"fresh", at0, 1},
		{"ongoing at evaluation", at0.Add(time.Hour), 1},
		{"one half-life", at0.Add(-hl), 0.5},
		{"two half-lives", at0.Add(-2 * hl), 0.25},
		{"half a half-life", at0.Add(-hl / 2), math.Sqrt(0.5)},
		{"ten half-lives", at0.Add(-10 * hl), 1.0 / 1024},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := gapEv("g", c.end.Add(-48*time.Hour), 48*time.Hour, true)
			p := r.Rate(Input{MMSI: 273000001, Events: []event.Event{e}}, at0)
			if len(p.Factors) != 1 {
				t.Fatalf("%d factors", len(p.Factors))
			}
			f := p.Factors[0]
			if math.Abs(f.Decay-c.want) > 1e-12 || math.Abs(f.Contribution-w.Weight*c.want) > 1e-9 {
				t.Errorf("decay %v contribution %v, want %v and %v", f.Decay, f.Contribution, c.want, w.Weight*c.want)
			}
		})
	}
	// Decay is monotone: the same evidence counts less the later it is
	// rated, and never below zero.
	e := darkNajin("d", date("2023-09-10"), 1)
	prev := math.Inf(1)
	for d := 0; d < 3000; d += 97 {
		s := r.Rate(Input{MMSI: 273000001, Events: []event.Event{e}}, date("2023-09-16").AddDate(0, 0, d)).Score
		if s > prev || s < 0 {
			t.Fatalf("score %v after %v at day %d", s, prev, d)
		}
		prev = s
	}
	// Events after the evaluation time are not known yet.
	if p := r.Rate(Input{MMSI: 273000001, Events: []event.Event{e}}, date("2023-09-01")); len(p.Factors) != 0 {
		t.Errorf("future event counted: %+v", p.Factors)
	}
	// Sanctions hits and attributes do not decay.
	p := r.Rate(Input{MMSI: 273000001, Events: []event.Event{hitEv("h", "direct", 1, "2010-01-01")}}, at0.AddDate(20, 0, 0))
	if p.Score != 100 || p.Rating != Sanctioned {
		t.Errorf("old hit: %.1f %s", p.Score, p.Rating)
	}
}

func TestCapScalesAKindProportionally(t *testing.T) {
	r := mustRater(t, nil)
	// 20 fresh ordinary gaps: 20 × 2 points capped at 6.
	var evs []event.Event
	for i := range 20 {
		evs = append(evs, gapEv("g"+itoa(i), at0.Add(-time.Duration(i+1)*time.Hour*15), 14*time.Hour, false))
	}
	p := r.Rate(Input{MMSI: 273000001, Events: evs}, at0)
	if !near(p.Score, 6) || p.Rating != Low {
		t.Errorf("score %v rating %s, want 6 low", p.Score, p.Rating)
	}
	for _, f := range p.Factors {
		if f.CapScale >= 1 || !near(f.Contribution, f.Weight*f.Strength*f.Decay*f.CapScale) {
			t.Errorf("factor %+v", f)
		}
	}
}

func TestSanctionsHits(t *testing.T) {
	r := mustRater(t, nil)
	cases := []struct {
		name   string
		hit    event.Event
		rating Rating
		kind   FactorKind
	}{
		{"direct", hitEv("h", "direct", 0.97, ""), Sanctioned, SanctionsDirect},
		{"former name", hitEv("h", "former_name", 0.9, ""), Sanctioned, SanctionsFormerName},
		{"owner floors at high", hitEv("h", "owner", 0.85, ""), High, SanctionsOwner},
		{"no match key is direct", func() event.Event { e := hitEv("h", "", 0.95, ""); delete(e.Details, DetailMatch); return e }(), Sanctioned, SanctionsDirect},
		{"below alert threshold ignored", hitEv("h", "direct", 0.7, ""), Low, ""},
		{"score from confidence", func() event.Event { e := hitEv("h", "direct", 0.95, ""); delete(e.Details, DetailScore); return e }(), Sanctioned, SanctionsDirect},
		{"score as string", func() event.Event { e := hitEv("h", "direct", 0.95, ""); e.Details[DetailScore] = "0.95"; return e }(), Sanctioned, SanctionsDirect},
		{"score as json.Number", func() event.Event {
			e := hitEv("h", "direct", 0.95, "")
			e.Details[DetailScore] = json.Number("0.95")
			return e
		}(), Sanctioned, SanctionsDirect},
		{"withdrawn", func() event.Event { e := hitEv("h", "direct", 1, ""); e.Withdrawn = true; return e }(), Low, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := r.Rate(Input{MMSI: 273000001, Events: []event.Event{c.hit}}, at0)
			if p.Rating != c.rating {
				t.Errorf("rating %s, want %s\n%s", p.Rating, c.rating, p.Explain())
			}
			if c.kind == "" {
				if len(p.Factors) != 0 {
					t.Errorf("factors %+v", p.Factors)
				}
				return
			}
			if len(p.Factors) != 1 || p.Factors[0].Kind != c.kind || p.Factors[0].Events[0] != "h" {
				t.Errorf("factors %+v", p.Factors)
			}
		})
	}
}

func TestIdentityChangesFromEventsAndHistory(t *testing.T) {
	r := mustRater(t, nil)
	const mmsi = 273000001
	h := []vessel.Identity{
		ident(mmsi, 9358010, "MAIA-1", "RU", date("2022-01-01"), date("2023-03-01")),
		ident(mmsi, 9358010, "MAIA", "RU", date("2023-03-02"), date("2023-06-01")),
		ident(mmsi, 9358010, "MAIA", "CM", date("2023-06-02"), date("2023-09-01")),
		ident(mmsi, 9358011, "MAIA", "CM", date("2023-09-02"), date("2024-01-01")),
	}
	// No events: three changes from the history, named by identity ref.
	p := r.Rate(Input{MMSI: mmsi, History: h}, at0)
	got := map[FactorKind]string{}
	for _, f := range p.Factors {
		got[f.Kind] = f.Events[0]
	}
	if got[Rename] != "identity:273000001:1677715200" || got[Reflag] == "" || got[IMOChange] == "" {
		t.Errorf("history factors %v\n%s", got, p.Explain())
	}
	// The new IMO 9358011 fails its check digit.
	if got[InvalidIMO] == "" {
		t.Errorf("invalid IMO not flagged")
	}
	// An identity_change event a day later stands for the same rename:
	// counted once, under the event.
	e := ev(event.IdentityChange, mmsi, "idc", date("2023-03-03"), 0)
	e.Details[DetailChanged] = []string{"name"}
	p = r.Rate(Input{MMSI: mmsi, History: h, Events: []event.Event{e}}, at0)
	n := 0
	for _, f := range p.Factors {
		if f.Kind == Rename {
			n++
			if f.Events[0] != "idc" || !strings.Contains(f.Explanation, "from MAIA-1 to MAIA") {
				t.Errorf("rename factor %+v", f)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d rename factors, want 1", n)
	}
	// After a designation the changes weigh three times as much.
	d := hitEv("hit", "direct", 0.96, "2023-05-01")
	p2 := r.Rate(Input{MMSI: mmsi, History: h, Events: []event.Event{d}}, at0)
	for _, f := range p2.Factors {
		switch f.Kind {
		case Rename: // March: before the designation
			if f.Multiplier != 1 {
				t.Errorf("rename before designation multiplied: %+v", f)
			}
		case Reflag, IMOChange:
			if f.Multiplier != 3 {
				t.Errorf("%s after designation not multiplied: %+v", f.Kind, f)
			}
		}
	}
}

func TestAttributeFactors(t *testing.T) {
	r := mustRater(t, nil)
	cases := []struct {
		name  string
		in    Input
		kinds []FactorKind
	}{
		{"Panama flag of convenience", Input{MMSI: 352000001}, []FactorKind{FlagOfConvenience}},
		{"Germany: nothing", Input{MMSI: 211000001, IMO: 9179842}, nil},
		{"DPRK flag is high-risk and on the ITF list", Input{MMSI: 445000001}, []FactorKind{HighRiskFlag, FlagOfConvenience}},
		{"registered flag differs from MID", Input{MMSI: 211000001, RegisteredFlag: "de"}, nil},
		{"registered flag differs from MID", Input{MMSI: 211000001, RegisteredFlag: "PA"}, []FactorKind{FlagOfConvenience, MIDFlagMismatch}},
		{"invalid IMO given", Input{MMSI: 211000001, IMO: 9179843}, []FactorKind{InvalidIMO}},
		{"invalid IMO broadcast", Input{MMSI: 211000001, History: []vessel.Identity{ident(211000001, 1234568, "X", "DE", at0, at0)}}, []FactorKind{InvalidIMO}},
		{"no MMSI, no flag", Input{Name: "NOBODY"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := r.Rate(c.in, at0)
			var got []FactorKind
			for _, f := range p.Factors {
				got = append(got, f.Kind)
			}
			slices.Sort(got)
			want := slices.Clone(c.kinds)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("factors %v, want %v", got, want)
			}
		})
	}
}

func TestPortCalls(t *testing.T) {
	r := mustRater(t, nil)
	mk := func(port, country string, hr bool) event.Event {
		e := ev(event.PortVisit, 273000001, "pv", date("2023-12-01"), 24*time.Hour)
		e.Port = port
		if country != "" {
			e.Details[DetailCountry] = country
		}
		if hr {
			e.Details[DetailHighRisk] = true
		}
		return e
	}
	cases := []struct {
		name string
		e    event.Event
		want bool
	}{
		{"Najin by name", mk("Najin", "", false), true},
		{"alias, any case", mk("RAJIN", "", false), true},
		{"by country", mk("Unlisted Wharf", "KP", false), true},
		{"flagged by detector", mk("Somewhere", "", true), true},
		{"Vladivostok", mk("Vladivostok", "RU", false), false},
		{"dark visit, top candidate high-risk", darkNajin("pv", date("2023-12-01"), 0.8), true},
		{"dark visit, Najin second", func() event.Event {
			e := darkNajin("pv", date("2023-12-01"), 0.4)
			e.Candidates[1].Score = 0.9 // Vladivostok now ranks first
			return e
		}(), false},
		{"dark visit without candidates", func() event.Event {
			e := ev(event.DarkPortVisit, 273000001, "pv", date("2023-12-01"), 24*time.Hour)
			e.Port = "Chongjin"
			return e
		}(), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := r.Rate(Input{MMSI: 273000001, Events: []event.Event{c.e}}, at0)
			if got := len(p.Factors) == 1; got != c.want {
				t.Errorf("counted %v, want %v: %+v", got, c.want, p.Factors)
			}
		})
	}
}

func TestRateAllResolvesEncountersInTwoPasses(t *testing.T) {
	r := mustRater(t, nil)
	// A is sanctioned; B met A; C met B; D met nobody.
	a := Input{MMSI: 273000010, Events: []event.Event{hitEv("hit-a", "direct", 1, "")}}
	encAB := ev(event.Encounter, 273000011, "enc-ab", date("2023-12-01"), 4*time.Hour)
	encAB.OtherMMSI = 273000010
	encAB2 := encAB
	encAB2.Key = "enc-ab-2"
	encAB2.Start = date("2023-12-20")
	encAB2.End = encAB2.Start.Add(3 * time.Hour)
	b := Input{MMSI: 273000011, Events: []event.Event{encAB, encAB2}}
	encBC := ev(event.Encounter, 273000012, "enc-bc", date("2023-12-05"), 4*time.Hour)
	encBC.OtherMMSI = 273000011
	c := Input{MMSI: 273000012, Events: []event.Event{encBC}}
	d := Input{MMSI: 273000013}
	ps := r.RateAll([]Input{a, b, c, d}, at0)
	if ps[0].Rating != Sanctioned || ps[1].Rating != High || ps[3].Rating != Low {
		t.Fatalf("ratings %s %s %s %s", ps[0].Rating, ps[1].Rating, ps[2].Rating, ps[3].Rating)
	}
	if ps[1].Factors[0].Kind != SanctionedEncounter {
		t.Errorf("B's top factor %s", ps[1].Factors[0].Kind)
	}
	// C met B, which was low in the first pass: risk does not travel two
	// hops.
	if ps[2].Rating != Low || len(ps[2].Factors) != 0 {
		t.Errorf("C rated %s %+v", ps[2].Rating, ps[2].Factors)
	}
	// Without a lookup, encounters are left out.
	if p := r.Rate(b, at0); len(p.Factors) != 0 {
		t.Errorf("encounter counted without counterparties")
	}
}

func TestRatings(t *testing.T) {
	for i, r := range Ratings {
		if r.Level() != i {
			t.Errorf("%s level %d", r, r.Level())
		}
		got, err := ParseRating(" " + strings.ToUpper(string(r)))
		if err != nil || got != r {
			t.Errorf("ParseRating(%s) = %s, %v", r, got, err)
		}
	}
	if _, err := ParseRating("severe"); err == nil {
		t.Error("severe parsed")
	}
	if !High.AtLeast(Elevated) || Elevated.AtLeast(High) {
		t.Error("AtLeast")
	}
}

// Events as they come back from a JSON store (numbers float64, lists
// []any, maps map[string]any) rate exactly like the Go values.
func TestRateAfterJSONRoundTrip(t *testing.T) {
	r := mustRater(t, nil).WithCounterparties(CounterpartyMap{445000001: Sanctioned, 273999999: High})
	in := richInput()
	b, err := json.Marshal(in.Events)
	if err != nil {
		t.Fatal(err)
	}
	var back []event.Event
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	p1, p2 := r.Rate(in, at0), r.Rate(Input{MMSI: in.MMSI, Events: back}, at0)
	if !near(p1.Score, p2.Score) || p1.Rating != p2.Rating || len(p1.Factors) != len(p2.Factors) {
		t.Errorf("%v %s %d vs %v %s %d", p1.Score, p1.Rating, len(p1.Factors), p2.Score, p2.Rating, len(p2.Factors))
	}
}

// Arbitrary event JSON never panics the engine, and the profile stays
// consistent: finite non-negative score, factors summing to it.
func FuzzRate(f *testing.F) {
	b, _ := json.Marshal(richInput().Events)
	f.Add(b)
	f.Add([]byte(`[{"kind":"sanctions_hit","details":{"score":"NaN","match":7,"designation_date":"x"}}]`))
	f.Add([]byte(`[{"kind":"dark_port_visit","candidates":[{"port":"Najin","score":-3,"high_risk":true}]},{"kind":"identity_change","details":{"changed":[1,"flag",null],"old":"x"}}]`))
	r := mustRater(f, nil).WithCounterparties(CounterpartyMap{445000001: Sanctioned})
	f.Fuzz(func(t *testing.T, data []byte) {
		var evs []event.Event
		if json.Unmarshal(data, &evs) != nil {
			return
		}
		p := r.Rate(Input{MMSI: 273000001, Events: evs, History: []vessel.Identity{ident(273000001, 1, "A", "RU", at0, at0)}}, at0)
		sum := 0.0
		for _, f := range p.Factors {
			sum += f.Contribution
		}
		if math.IsNaN(p.Score) || math.IsInf(p.Score, 0) || p.Score < 0 || math.Abs(sum-p.Score) > 1e-6*(1+p.Score) {
			t.Fatalf("score %v, factors sum %v", p.Score, sum)
		}
		_ = p.Explain()
	})
}
