package track

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/vessel"
)

type wantID struct {
	mmsi        uint32
	imo         uint32
	name, call  string
	shipType    uint8
	flag        string
	first, last time.Duration
	reports     int
	dest        string
}

func checkHistory(t *testing.T, got []vessel.Identity, want []wantID) {
	t.Helper()
	ok := len(got) == len(want)
	for i := 0; ok && i < len(want); i++ {
		g, w := got[i], want[i]
		ok = g.MMSI == w.mmsi && g.IMO == w.imo && g.Name == w.name && g.CallSign == w.call &&
			g.ShipType == w.shipType && g.Flag == w.flag && g.FirstSeen.Equal(at(w.first)) &&
			g.LastSeen.Equal(at(w.last)) && g.Reports == w.reports && g.Destination == w.dest
	}
	if !ok {
		t.Errorf("history:%s\nwant %+v", describe(got), want)
	}
}

func newFlags(evs []IdentityEvent) []bool {
	var out []bool
	for _, e := range evs {
		out = append(out, e.New)
	}
	return out
}

// checkNew checks that the first batch of each identity, and only it, is
// marked new, and that there are want identities.
func checkNew(t *testing.T, evs []IdentityEvent, want int) {
	t.Helper()
	seen := map[string]bool{}
	for i, e := range evs {
		k := e.Key()
		if e.New == seen[k] {
			t.Errorf("batch %d (%s): new=%v, first batch of its identity=%v", i, k, e.New, !seen[k])
		}
		seen[k] = true
	}
	if len(seen) != want {
		t.Errorf("%d identities, want %d", len(seen), want)
	}
}

// TestIdentityHistory: renames, a new IMO and a re-flag (new MMSI, same
// IMO) each make a new identity, kept with first/last seen; destination
// changes do not.
func TestIdentityHistory(t *testing.T) {
	const ru, km = 273456780, 620123450
	m := time.Minute
	_, c := run(t, Config{},
		type5(ru, at(0), 9321483, "ARCTIC SUN", "UBCD7", 80, "VLADIVOSTOK"),
		type5(ru, at(6*m), 9321483, "ARCTIC SUN", "UBCD7", 80, "VLADIVOSTOK"),
		type5(ru, at(12*m), 9321483, "ARCTIC SUN", "UBCD7", 80, "NAKHODKA"), // new voyage, same identity
		type5(ru, at(60*m), 9321483, "SUN", "UBCD7", 80, "NAKHODKA"),        // rename
		type5(ru, at(66*m), 9321483, "SUN", "UBCD7", 80, "NAKHODKA"),
		type5(ru, at(90*m), 9321483, "SUN", "UBCD7", 70, "NAKHODKA"), // ship type 80 → 70
		// Re-flagged to Comoros: a new MMSI broadcasting the same IMO.
		type5(km, at(120*m), 9321483, "SUN", "D6A2345", 80, "NAJIN"),
		type5(km, at(126*m), 9321483, "SUN", "D6A2345", 80, "NAJIN"),
	)
	checkHistory(t, fold(c.Identities), []wantID{
		{ru, 9321483, "ARCTIC SUN", "UBCD7", 80, "RU", 0, 12 * m, 3, "NAKHODKA"},
		{ru, 9321483, "SUN", "UBCD7", 80, "RU", 60 * m, 66 * m, 2, "NAKHODKA"},
		{ru, 9321483, "SUN", "UBCD7", 70, "RU", 90 * m, 90 * m, 1, "NAKHODKA"},
		{km, 9321483, "SUN", "D6A2345", 80, "KM", 120 * m, 126 * m, 2, "NAJIN"},
	})
	checkNew(t, c.Identities, 4)
	// A complete identity is reported at its first report (a detector
	// learns of the rename at once), the rest of its reports when it is
	// superseded: batches come in event order.
	if got := newFlags(c.Identities); !slices.Equal(got, []bool{true, false, true, false, true, true, false}) {
		t.Errorf("new flags %v", got)
	}
	if !slices.IsSortedFunc(c.Identities, func(a, b IdentityEvent) int { return a.FirstSeen.Compare(b.FirstSeen) }) {
		t.Error("identity batches not in time order")
	}
}

// TestIdentityPlaceholders: IMO 0, an empty or '@'-padded name or call
// sign, and ship type 0 neither start an identity nor blank a known value.
func TestIdentityPlaceholders(t *testing.T) {
	const mmsi = 445123000
	m := time.Minute
	_, c := run(t, Config{},
		type5(mmsi, at(0), 0, "", "", 0, ""), // all placeholders: an empty identity
		type5(mmsi, at(6*m), 8910225, "KANG MYONG", "HMYQ", 70, "NAMPO"),
		type5(mmsi, at(12*m), 0, "KANG MYONG", "HMYQ", 70, "NAMPO"),
		type5(mmsi, at(18*m), 8910225, "@@@@@@@@", "HMYQ", 0, ""),
		type5(mmsi, at(24*m), 8910225, "KANG MYONG  ", "  ", 70, "NAMPO"),
	)
	checkHistory(t, fold(c.Identities), []wantID{
		// The all-placeholder first report makes no identity.
		{mmsi, 8910225, "KANG MYONG", "HMYQ", 70, "KP", 6 * m, 24 * m, 4, "NAMPO"},
	})
}

// TestType24Merge: a class B's part A (name) and part B (call sign, type,
// dimensions) make one identity, in either order; a later part A rename
// keeps the call sign; a part B that comes after the grace time is a new
// identity.
func TestType24Merge(t *testing.T) {
	const mmsi = 312000111 // Belize
	s := time.Second
	m := time.Minute
	tests := []struct {
		name string
		obs  []vessel.Observation
		want []wantID
	}{
		{"A then B", []vessel.Observation{
			part24A(mmsi, at(0), "NIGHT OWL"),
			part24B(mmsi, at(5*s), "V3AB2", 37, 12, 4),
			part24A(mmsi, at(6*m), "NIGHT OWL"),
			part24B(mmsi, at(6*m+5*s), "V3AB2", 37, 12, 4),
		}, []wantID{{mmsi, 0, "NIGHT OWL", "V3AB2", 37, "BZ", 0, 6*m + 5*s, 4, ""}}},
		{"B then A", []vessel.Observation{
			part24B(mmsi, at(0), "V3AB2", 37, 12, 4),
			part24A(mmsi, at(40*s), "NIGHT OWL"),
		}, []wantID{{mmsi, 0, "NIGHT OWL", "V3AB2", 37, "BZ", 0, 40 * s, 2, ""}}},
		{"part A rename keeps call sign and type", []vessel.Observation{
			part24A(mmsi, at(0), "NIGHT OWL"),
			part24B(mmsi, at(5*s), "V3AB2", 37, 12, 4),
			part24A(mmsi, at(30*m), "DAY OWL"),
			part24B(mmsi, at(30*m+5*s), "V3AB2", 37, 12, 4),
		}, []wantID{
			{mmsi, 0, "NIGHT OWL", "V3AB2", 37, "BZ", 0, 5 * s, 2, ""},
			{mmsi, 0, "DAY OWL", "V3AB2", 37, "BZ", 30 * m, 30*m + 5*s, 2, ""},
		}},
		{"part B beyond the grace time", []vessel.Observation{
			part24A(mmsi, at(0), "NIGHT OWL"),
			part24A(mmsi, at(6*m), "NIGHT OWL"),
			part24A(mmsi, at(16*m), "NIGHT OWL"), // 16 min > 15 min grace: reported as it is
			part24B(mmsi, at(20*m), "V3AB2", 37, 12, 4),
		}, []wantID{
			{mmsi, 0, "NIGHT OWL", "", 0, "BZ", 0, 16 * m, 3, ""},
			{mmsi, 0, "NIGHT OWL", "V3AB2", 37, "BZ", 20 * m, 20 * m, 1, ""},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, c := run(t, Config{}, tc.obs...)
			checkHistory(t, fold(c.Identities), tc.want)
			checkNew(t, c.Identities, len(tc.want))
			if id := c.Identities[len(c.Identities)-1]; id.Length != 12 || id.Beam != 4 || id.Class != vessel.ClassB {
				t.Errorf("dimensions/class not merged: %+v", id.Identity)
			}
		})
	}
}

// TestIdentityFlapping: two ships sharing an MMSI alternate their type 5
// reports; each identity is new once, then its batches are updates.
func TestIdentityFlapping(t *testing.T) {
	const mmsi = 538007777
	m := time.Minute
	var obs []vessel.Observation
	for i := range 6 {
		obs = append(obs,
			type5(mmsi, at(time.Duration(2*i)*6*m), 9111111, "ALPHA", "V7AA1", 80, ""),
			type5(mmsi, at(time.Duration(2*i+1)*6*m), 9222222, "BRAVO", "V7BB2", 80, ""))
	}
	_, c := run(t, Config{}, obs...)
	h := fold(c.Identities)
	if len(h) != 2 || h[0].Name != "ALPHA" || h[0].Reports != 6 || h[1].Name != "BRAVO" || h[1].Reports != 6 {
		t.Fatalf("history:%s", describe(h))
	}
	if !h[0].FirstSeen.Equal(at(0)) || !h[0].LastSeen.Equal(at(60*m)) || !h[1].LastSeen.Equal(at(66*m)) {
		t.Errorf("first/last seen:%s", describe(h))
	}
	checkNew(t, c.Identities, 2)
	if len(c.Identities) != 12 {
		t.Errorf("%d batches, want one per switch: 12", len(c.Identities))
	}
}

// TestIdentityConflictClearsPlaceholders: a different ship's type 5 with
// IMO 0 does not inherit the previous identity's IMO.
func TestIdentityConflictClearsPlaceholders(t *testing.T) {
	const mmsi = 667001234
	_, c := run(t, Config{},
		type5(mmsi, at(0), 9333333, "OCEAN", "9LAB1", 80, ""),
		type5(mmsi, at(time.Hour), 0, "RIVER", "9LXY2", 80, ""),
	)
	h := fold(c.Identities)
	if len(h) != 2 || h[1].IMO != 0 || h[1].Name != "RIVER" {
		t.Errorf("history:%s", describe(h))
	}
}

// TestIdentityRefresh: a long-lived identity is reported in batches that
// fold back to one identity with all its reports.
func TestIdentityRefresh(t *testing.T) {
	const mmsi = 636019825
	var obs []vessel.Observation
	for i := range 50 { // 5 hours of type 5 every 6 minutes
		obs = append(obs, type5(mmsi, at(time.Duration(i)*6*time.Minute), 9444444, "LIBERTY", "A8ZZ9", 81, ""))
	}
	tr, c := run(t, Config{}, obs...)
	if len(c.Identities) < 5 {
		t.Errorf("%d batches for 5 h, want one per hour at least", len(c.Identities))
	}
	checkHistory(t, fold(c.Identities), []wantID{
		{mmsi, 9444444, "LIBERTY", "A8ZZ9", 81, "LR", 0, 49 * 6 * time.Minute, 50, ""}})
	if s := tr.Stats(); s.NewIdentity != 1 || s.IdentityUpd != int64(len(c.Identities)-1) {
		t.Errorf("stats %+v", s)
	}
}

// TestLateStatic: a static report older than the reorder window counts
// for the identity it matches, or is recorded on its own.
func TestLateStatic(t *testing.T) {
	const mmsi = 273111222
	m := time.Minute
	tr, c := run(t, Config{},
		type5(mmsi, at(0), 9555555, "VOLGA", "UAAA", 80, ""),
		pos(mmsi, at(20*m), 43.1, 131.9),
		pos(mmsi, at(40*m), 43.1, 131.9),                         // releases everything up to 35 min
		type5(mmsi, at(3*m), 9555555, "VOLGA", "UAAA", 80, ""),   // late, same identity
		type5(mmsi, at(2*m), 9555555, "VOLGA-2", "UAAA", 80, ""), // late, another name
	)
	if s := tr.Stats(); s.Late != 2 || s.Statics != 3 {
		t.Errorf("stats %+v", s)
	}
	checkHistory(t, fold(c.Identities), []wantID{
		{mmsi, 9555555, "VOLGA", "UAAA", 80, "RU", 0, 3 * m, 2, ""},
		{mmsi, 9555555, "VOLGA-2", "UAAA", 80, "RU", 2 * m, 2 * m, 1, ""},
	})
}

// clean trims exactly what strings.Trim with the AIS padding cutset
// trims, multi-byte text included.
func TestClean(t *testing.T) {
	for _, s := range []string{"", " ", "@@@@", "EVER DIADEM@@@@", "  MAIA-1  ", "\tANGARA@ @", "@ A@B @",
		"MARIA", "@", "Ñ@@", "@ÅLESUND ", " \t@", "X", "A B", "京@"} {
		if got, want := clean(s), strings.Trim(s, " @\t"); got != want {
			t.Errorf("clean(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzClean(f *testing.F) {
	for _, s := range []string{"", "EVER DIADEM@@@@", " \t@x@ \t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := clean(s), strings.Trim(s, " @\t"); got != want {
			t.Errorf("clean(%q) = %q, want %q", s, got, want)
		}
	})
}
