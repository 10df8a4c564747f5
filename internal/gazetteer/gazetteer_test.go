package gazetteer

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/lookout-maritime/lookout/internal/detect"
	"github.com/lookout-maritime/lookout/internal/geo"
)

func mustDefault(t testing.TB) *Gazetteer {
	t.Helper()
	g, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// The founding case: every place the issue names must be there, under its
// own name and its other spellings, with the right country and risk.
func TestFoundingCasePlaces(t *testing.T) {
	g := mustDefault(t)
	tests := []struct {
		query, id, country string
		high               bool
	}{
		{"Najin", "kp-najin", "KP", true},
		{"Rajin", "kp-najin", "KP", true},
		{"RASON", "kp-najin", "KP", true},
		{"rajin-sonbong", "kp-najin", "KP", true},
		{"나진", "kp-najin", "KP", true},
		{"Sonbong", "kp-sonbong", "KP", true},
		{"Chongjin", "kp-chongjin", "KP", true},
		{"Ch'ongjin", "kp-chongjin", "KP", true},
		{"Hamhung", "kp-hungnam", "KP", true},
		{"Hungnam", "kp-hungnam", "KP", true},
		{"Wonsan", "kp-wonsan", "KP", true},
		{"Wŏnsan", "kp-wonsan", "KP", true},
		{"Nampo", "kp-nampo", "KP", true},
		{"Namp'o", "kp-nampo", "KP", true},
		{"KP NAM", "kp-nampo", "KP", true},
		{"Songrim", "kp-songrim", "KP", true},
		{"Songnim", "kp-songrim", "KP", true},
		{"Vostochny", "ru-vostochny", "RU", false},
		{"Vostochnyy", "ru-vostochny", "RU", false},
		{"RUVYP", "ru-vostochny", "RU", false},
		{"Nakhodka", "ru-nakhodka", "RU", false},
		{"Находка", "ru-nakhodka", "RU", false},
		{"Vladivostok", "ru-vladivostok", "RU", false},
		{"Dunai", "ru-dunay", "RU", false},
		{"Dunay", "ru-dunay", "RU", false},
		{"Strelok Bay", "ru-dunay", "RU", false},
		{"Fokino", "ru-dunay", "RU", false},
		{"Slavyanka", "ru-slavyanka", "RU", false},
		{"Zarubino", "ru-zarubino", "RU", false},
		{"Posyet", "ru-posyet", "RU", false},
		{"Pos'yet", "ru-posyet", "RU", false},
		{"Bol'shoy Kamen'", "ru-bolshoy-kamen", "RU", false},
		{"BOLSHOY KAMEN", "ru-bolshoy-kamen", "RU", false},
		{"Busan", "kr-busan", "KR", false},
		{"Pusan", "kr-busan", "KR", false},
		{"Niigata", "jp-niigata", "JP", false},
		{"Toyama", "jp-toyama", "JP", false},
		{"Maizuru", "jp-maizuru", "JP", false},
		{"Sakaiminato", "jp-sakaiminato", "JP", false},
		{"Dalian", "cn-dalian", "CN", false},
		{"Tsingtao", "cn-qingdao", "CN", false},
		{"Xingang", "cn-tianjin", "CN", false},
		{"Hong Kong", "hk-hong-kong", "HK", false},
		{"Göteborg", "se-gothenburg", "SE", false},
		{"Goteborg", "se-gothenburg", "SE", false},
		{"Gdańsk", "pl-gdansk", "PL", false},
	}
	for _, tt := range tests {
		p, ok := g.Lookup(tt.query)
		if !ok {
			t.Errorf("Lookup(%q): not found", tt.query)
			continue
		}
		if p.ID != tt.id || p.Country != tt.country || p.HighRisk != tt.high {
			t.Errorf("Lookup(%q) = %s %s high=%v, want %s %s high=%v", tt.query, p.ID, p.Country, p.HighRisk, tt.id, tt.country, tt.high)
		}
	}
	for _, q := range []string{"", "Atlantis", "Najin2", "'"} {
		if p, ok := g.Lookup(q); ok {
			t.Errorf("Lookup(%q) = %s, want not found", q, p.ID)
		}
	}
}

func TestEmbeddedTable(t *testing.T) {
	ps, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) < 250 {
		t.Errorf("%d embedded places, want at least 250", len(ps))
	}
	ids := map[string]bool{}
	countries := map[string]int{}
	for _, p := range ps {
		if ids[p.ID] {
			t.Errorf("duplicate id %s", p.ID)
		}
		ids[p.ID] = true
		countries[p.Country]++
		if p.Source == "" || p.Origin != "embedded" {
			t.Errorf("%s: source %q origin %q", p.ID, p.Source, p.Origin)
		}
		for _, tag := range strings.Split(p.Source, ";") {
			if !slices.Contains(sourceTags, tag) {
				t.Errorf("%s: source tag %q is not explained in SOURCE.md", p.ID, tag)
			}
		}
		if !strings.HasPrefix(p.ID, strings.ToLower(p.Country)+"-") || p.ID != slug(p.ID) {
			t.Errorf("%s: id is not <country>-<slug>", p.ID)
		}
		if p.Country == "" || p.RadiusKm < 3 || p.RadiusKm > 10 {
			// The detectors look up places within SearchKm (10 km) of a fix.
			t.Errorf("%s: country %q radius %v (want a country and 3..10 km)", p.ID, p.Country, p.RadiusKm)
		}
		if p.IsZone() || len(p.Polygons) > 0 {
			t.Errorf("%s: embedded places are points", p.ID)
		}
	}
	// The regions an investigator of the founding case looks at.
	for c, min := range map[string]int{"KP": 10, "RU": 25, "CN": 25, "KR": 12, "JP": 35} {
		if countries[c] < min {
			t.Errorf("%d places in %s, want at least %d", countries[c], c, min)
		}
	}
}

// sourceTags are the source column's tags, each explained in SOURCE.md.
var sourceTags = []string{"wpi", "wiki", "unpoe", "csis", "rusi", "ne10m"}

func TestSourceDocumentsTags(t *testing.T) {
	b := Sources()
	for _, tag := range sourceTags {
		if !strings.Contains(b, "`"+tag+"`") {
			t.Errorf("SOURCE.md does not explain the source tag %q", tag)
		}
	}
}

// DPRK ports are high-risk by default, and only they.
func TestHighRiskDefault(t *testing.T) {
	g := mustDefault(t)
	var got []string
	for _, p := range g.HighRisk() {
		if p.Country != "KP" {
			t.Errorf("%s (%s) is high-risk by default", p.ID, p.Country)
		}
		got = append(got, p.Name)
	}
	for _, p := range g.All() {
		if p.Country == "KP" && !p.HighRisk {
			t.Errorf("DPRK port %s is not high-risk", p.ID)
		}
	}
	want := []string{"Chongjin", "Haeju", "Hungnam", "Kimchaek", "Nampo", "Najin", "Ryongampo", "Sinpo", "Sonbong", "Songrim", "Tanchon", "Wonsan"}
	sort.Strings(got)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("high-risk ports %v, want %v", got, want)
	}
}

func TestSetHighRisk(t *testing.T) {
	g := mustDefault(t)
	gen := g.Generation()
	n, err := g.SetHighRisk("Vostochnyy", true)
	if err != nil || n != 1 {
		t.Fatalf("SetHighRisk = %d, %v", n, err)
	}
	if g.Generation() == gen {
		t.Error("Generation unchanged by SetHighRisk: the detectors would keep stale places")
	}
	gen = g.Generation()
	if _, err := g.Add(Place{ID: "x", Name: "X", Kind: Port, Lat: 1, Lon: 1}); err != nil {
		t.Fatal(err)
	}
	if g.Generation() == gen {
		t.Error("Generation unchanged by Add")
	}
	hits := g.Within(42.75, 133.055, 1)
	if len(hits) != 1 || hits[0].Name != "Vostochny" || !hits[0].HighRisk {
		t.Errorf("Within after SetHighRisk = %+v", hits)
	}
	if _, err := g.SetHighRisk("Nowhere", true); err == nil {
		t.Error("SetHighRisk of an unknown name: no error")
	}
	// Another Default is not affected.
	if p, _ := mustDefault(t).Lookup("Vostochny"); p.HighRisk {
		t.Error("SetHighRisk leaked into another gazetteer")
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Najin", "najin"},
		{"RAJIN-SONBONG", "rajinsonbong"},
		{"Bol'shoy Kamen'", "bolshoykamen"},
		{"Wŏnsan", "wonsan"},
		{"Göteborg", "goteborg"},
		{"Łódź", "lodz"},
		{"Straße", "strasse"},
		{"Århus", "arhus"},
		{"Ærøskøbing", "aeroskobing"},
		{"Lázaro Cárdenas", "lazarocardenas"},
		{"Находка", "находка"},
		{"ВЛАДИВОСТОК", "владивосток"},
		{"나진", "나진"},
		{"  -- ", ""},
	}
	for _, tt := range tests {
		if got := fold(tt.in); got != tt.want {
			t.Errorf("fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSlug(t *testing.T) {
	tests := []struct {
		parts []string
		want  string
	}{
		{[]string{"kp", "Najin"}, "kp-najin"},
		{[]string{"ru", "Bol'shoy Kamen'"}, "ru-bolshoy-kamen"},
		{[]string{"", "New York/New Jersey"}, "new-york-new-jersey"},
		{[]string{"se", "Göteborg"}, "se-goteborg"},
		{[]string{"kr", "부산"}, "kr-부산"},
	}
	for _, tt := range tests {
		if got := slug(tt.parts...); got != tt.want {
			t.Errorf("slug(%q) = %q, want %q", tt.parts, got, tt.want)
		}
	}
}

func names(ps []detect.Place) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name
	}
	sort.Strings(out)
	return out
}

func TestWithin(t *testing.T) {
	g := New(
		Place{Name: "A", Lat: 0, Lon: 0},
		Place{Name: "East", Lat: 0, Lon: 179.99},
		Place{Name: "West", Lat: 0, Lon: -179.99},
		Place{Name: "North", Lat: 89.99, Lon: 10},
		Place{Name: "North2", Lat: 89.99, Lon: -170},
		Place{Name: "Edge", Lat: 0, Lon: 0.0899}, // ~10.0 km east of A
		Place{Name: "Zone", Kind: Zone, Lat: 0, Lon: 0, RadiusKm: 5},
	)
	tests := []struct {
		name         string
		lat, lon, km float64
		want         []string
	}{
		{"centre", 0, 0, 1, []string{"A"}},
		{"radius includes edge", 0, 0, 10.1, []string{"A", "Edge"}},
		{"radius excludes edge", 0, 0, 9.9, []string{"A"}},
		{"zero radius at a place", 0, 0, 0, []string{"A"}},
		{"zero radius elsewhere", 0, 0.001, 0, nil},
		{"antimeridian from the east", 0, 179.995, 2, []string{"East", "West"}},
		{"antimeridian from the west", 0, -179.999, 2, []string{"East", "West"}},
		{"antimeridian, lon 180", 0, 180, 2, []string{"East", "West"}},
		{"antimeridian, lon -180", 0, -180, 2, []string{"East", "West"}},
		{"unnormalised lon", 0, 540, 2, []string{"East", "West"}},
		{"pole", 90, 0, 5, []string{"North", "North2"}},
		{"across the pole", 89.99, 10, 3, []string{"North", "North2"}},
		{"nowhere", 45, 45, 100, nil},
		{"whole earth", 10, 10, 30000, []string{"A", "East", "Edge", "North", "North2", "West"}},
		{"NaN", math.NaN(), 0, 10, nil},
		{"negative km", 0, 0, -1, nil},
	}
	for _, tt := range tests {
		got := names(g.Within(tt.lat, tt.lon, tt.km))
		if len(got) == 0 {
			got = nil
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: Within(%v, %v, %v) = %v, want %v", tt.name, tt.lat, tt.lon, tt.km, got, tt.want)
		}
	}
}

// Within must agree with a linear scan everywhere: random places (dense
// near the antimeridian and the poles) and random queries of every size.
func TestWithinMatchesLinearScan(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var ps []Place
	for i := range 3000 {
		lat := r.Float64()*180 - 90
		lon := r.Float64()*360 - 180
		switch i % 4 {
		case 0:
			lon = 180 - r.Float64()*2
		case 1:
			lat = 90 - r.Float64()*3
		}
		ps = append(ps, Place{ID: fmt.Sprint("p", i), Name: fmt.Sprint("P", i), Lat: lat, Lon: lon})
	}
	g := New(ps...)
	all := g.snap.Load().ports
	for q := range 4000 {
		lat := r.Float64()*180 - 90
		lon := r.Float64()*720 - 360
		if q%3 == 0 {
			lon = 179 + r.Float64()*2
		}
		km := math.Pow(10, r.Float64()*4.5) // 1 m .. 30,000 km
		var want []string
		for _, p := range all {
			if geo.DistanceM(lat, lon, p.Lat, p.Lon) <= km*1000 {
				want = append(want, p.Name)
			}
		}
		sort.Strings(want)
		got := names(g.Within(lat, lon, km))
		if len(got) == 0 {
			got = nil
		}
		if !slices.Equal(got, want) {
			t.Fatalf("Within(%v, %v, %v): %d places, linear scan %d", lat, lon, km, len(got), len(want))
		}
	}
}

func TestWithinEmbedded(t *testing.T) {
	g := mustDefault(t)
	// A ship at the sim's Najin berth sees Najin only.
	if got := names(g.Within(42.2335, 130.2995, 10)); !slices.Equal(got, []string{"Najin"}) {
		t.Errorf("at Najin's berth: %v", got)
	}
	// Nakhodka Bay: Nakhodka, Kozmino and Vostochny are close together.
	got := names(g.Within(42.77, 132.98, 10))
	if !slices.Contains(got, "Kozmino") || !slices.Contains(got, "Vostochny") {
		t.Errorf("in Nakhodka Bay: %v", got)
	}
	for _, p := range g.Within(42.2335, 130.2995, 10) {
		if !p.HighRisk || p.Country != "KP" || p.RadiusKm != 3 {
			t.Errorf("Najin as the detectors see it: %+v", p)
		}
	}
}

func TestAddOverrides(t *testing.T) {
	g := mustDefault(t)
	n0 := g.Len()
	// A user's Najin (no country) replaces the embedded one by name.
	replaced, err := g.Add(Place{Name: "najin", Lat: 42.24, Lon: 130.31, RadiusKm: 5, HighRisk: false, Origin: "mine.csv"})
	if err != nil || replaced != 1 {
		t.Fatalf("Add = %d, %v", replaced, err)
	}
	if g.Len() != n0 {
		t.Errorf("Len %d after an override, want %d", g.Len(), n0)
	}
	p, _ := g.Lookup("Najin")
	if p.Origin != "mine.csv" || p.RadiusKm != 5 || p.HighRisk {
		t.Errorf("Najin after override: %+v", p)
	}
	// Its aliases went with the embedded entry.
	if q, ok := g.Lookup("Rajin"); ok {
		t.Errorf("Rajin still answers: %+v", q)
	}
	// Same name, another country: a new place, not an override.
	if replaced, _ := g.Add(Place{Name: "Vladivostok", Country: "US", Lat: 40, Lon: -70}); replaced != 0 {
		t.Errorf("Vladivostok, US replaced %d", replaced)
	}
	if all := g.LookupAll("Vladivostok"); len(all) != 2 {
		t.Errorf("LookupAll(Vladivostok) = %d places", len(all))
	}
	// Same ID overrides whatever the name.
	if replaced, _ := g.Add(Place{ID: "ru-dunay", Name: "Dunay military port", Country: "RU", Lat: 42.89, Lon: 132.36}); replaced != 1 {
		t.Errorf("override by id replaced %d", replaced)
	}
	if p, _ := g.Lookup("ru-dunay"); p.Name != "Dunay military port" {
		t.Errorf("ru-dunay is %q", p.Name)
	}
	// Invalid places are refused with a reason; the valid ones go in.
	replaced, err = g.Add(Place{Name: "Bad", Lat: 91}, Place{Name: "Good", Lat: 1, Lon: 1})
	if !errors.Is(err, ErrRange) || !strings.Contains(err.Error(), `"Bad"`) {
		t.Errorf("Add of a bad place: %v", err)
	}
	if _, ok := g.Lookup("Good"); !ok {
		t.Error("the good place of a mixed Add is missing")
	}
	// The caller's slices are not shared.
	aliases := []string{"Mine"}
	g.Add(Place{Name: "Shared", Aliases: aliases, Lat: 2, Lon: 2})
	aliases[0] = "Changed"
	if _, ok := g.Lookup("Mine"); !ok {
		t.Error("changing the caller's slice changed the gazetteer")
	}
}

func TestDuplicateUserIDsStayUnique(t *testing.T) {
	g := New()
	g.Add(Place{ID: "x", Name: "One", Lat: 1, Lon: 1})
	g.Add(Place{ID: "x", Name: "Two", Lat: 2, Lon: 2}) // replaces One by ID
	if g.Len() != 1 {
		t.Fatalf("Len %d", g.Len())
	}
	// Two places without IDs, same name, different countries.
	g.Add(Place{Name: "Port", Country: "AA", Lat: 3, Lon: 3}, Place{Name: "Port", Country: "BB", Lat: 4, Lon: 4})
	ids := map[string]bool{}
	for _, p := range g.All() {
		if ids[p.ID] {
			t.Errorf("duplicate ID %s", p.ID)
		}
		ids[p.ID] = true
	}
}

func TestZones(t *testing.T) {
	g := New(
		Place{Name: "Circle", Kind: Zone, Lat: 42.3, Lon: 130.5, RadiusKm: 20},
		Place{Name: "Box", Kind: Zone, Polygons: [][][2]float64{{{0, 179}, {0, -179}, {1, -179}, {1, 179}}}, Lat: 0.5, Lon: 180},
		Place{Name: "Port", Lat: 1, Lon: 1},
	)
	zs := g.Zones()
	if len(zs) != 2 {
		t.Fatalf("%d zones", len(zs))
	}
	byName := map[string]detect.Zone{}
	for _, z := range zs {
		byName[z.Name] = z
	}
	tests := []struct {
		zone     string
		lat, lon float64
		in       bool
	}{
		{"Circle", 42.3, 130.5, true},
		{"Circle", 42.3 + 19.0/111.2, 130.5, true},
		{"Circle", 42.3 + 21.0/111.2, 130.5, false},
		{"Box", 0.5, 179.5, true},
		{"Box", 0.5, -179.5, true},
		{"Box", 0.5, 178.5, false},
		{"Box", 0.5, -178.5, false},
	}
	for _, tt := range tests {
		z := byName[tt.zone]
		if got := inside(z.Polygon, tt.lat, tt.lon); got != tt.in {
			t.Errorf("%s.Contains(%v, %v) = %v, want %v", tt.zone, tt.lat, tt.lon, got, tt.in)
		}
	}
	// Zones are not ports.
	if got := names(g.Within(42.3, 130.5, 10)); len(got) != 0 {
		t.Errorf("Within returned zones: %v", got)
	}
	// A zone needs an area.
	if _, err := g.Add(Place{Name: "Empty", Kind: Zone, Lat: 1, Lon: 1}); !errors.Is(err, ErrMissing) {
		t.Errorf("zone without radius or polygon: %v", err)
	}
}

// inside is an even-odd point-in-polygon test over continuous longitudes,
// trying lon and lon±360 (detect.Zone.Contains needs zones prepared by
// detect.New).
func inside(poly [][2]float64, lat, lon float64) bool {
	for _, l := range []float64{lon, lon - 360, lon + 360} {
		in := false
		for i, j := 0, len(poly)-1; i < len(poly); j, i = i, i+1 {
			yi, xi, yj, xj := poly[i][0], poly[i][1], poly[j][0], poly[j][1]
			if (yi > lat) != (yj > lat) && l < (xj-xi)*(lat-yi)/(yj-yi)+xi {
				in = !in
			}
		}
		if in {
			return true
		}
	}
	return false
}

func TestCleanRing(t *testing.T) {
	tests := []struct {
		name string
		in   [][2]float64
		want [][2]float64
		err  error
	}{
		{"closed", [][2]float64{{0, 0}, {0, 1}, {1, 1}, {0, 0}}, [][2]float64{{0, 0}, {0, 1}, {1, 1}}, nil},
		{"across antimeridian", [][2]float64{{0, 179}, {0, -179}, {1, -179}}, [][2]float64{{0, 179}, {0, 181}, {1, 181}}, nil},
		{"west of antimeridian", [][2]float64{{0, -179}, {0, 179}, {1, 179}}, [][2]float64{{0, -179}, {0, -181}, {1, -181}}, nil},
		{"shifted back", [][2]float64{{0, 200}, {0, 201}, {1, 201}}, [][2]float64{{0, -160}, {0, -159}, {1, -159}}, nil},
		{"too few", [][2]float64{{0, 0}, {1, 1}, {0, 0}}, nil, ErrGeometry},
		{"bad lat", [][2]float64{{0, 0}, {95, 1}, {1, 1}}, nil, ErrRange},
	}
	for _, tt := range tests {
		got, err := cleanRing(tt.in)
		if tt.err != nil {
			if !errors.Is(err, tt.err) {
				t.Errorf("%s: err %v, want %v", tt.name, err, tt.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
}

// Queries run while places are added: no race, every answer whole.
func TestConcurrentQueriesAndAdds(t *testing.T) {
	g := mustDefault(t)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if got := g.Within(42.2335, 130.2995, 5); len(got) == 0 {
					t.Error("Najin vanished during an Add")
					return
				}
				g.Lookup("Rajin")
			}
		}()
	}
	for i := range 50 {
		g.Add(Place{Name: fmt.Sprint("User ", i), Lat: float64(i % 80), Lon: float64(i)})
	}
	close(stop)
	wg.Wait()
	if g.Len() < 50 {
		t.Errorf("Len %d", g.Len())
	}
}

func BenchmarkWithin(b *testing.B) {
	g := mustDefault(b)
	r := rand.New(rand.NewPCG(3, 4))
	type q struct{ lat, lon float64 }
	// Fixes in the Sea of Japan and Yellow Sea, some in harbours.
	qs := make([]q, 4096)
	for i := range qs {
		qs[i] = q{33 + r.Float64()*12, 120 + r.Float64()*20}
		if i%8 == 0 {
			qs[i] = q{42.2335 + r.Float64()*0.01, 130.2995}
		}
	}
	for _, km := range []float64{3, 10, 100} {
		b.Run(fmt.Sprintf("embedded/%gkm", km), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				x := qs[i%len(qs)]
				g.Within(x.lat, x.lon, km)
			}
		})
	}
	// A big user gazetteer: 50,000 places worldwide.
	var ps []Place
	for i := range 50000 {
		ps = append(ps, Place{ID: fmt.Sprint(i), Name: fmt.Sprint("P", i), Lat: r.Float64()*140 - 70, Lon: r.Float64()*360 - 180})
	}
	big := New(ps...)
	b.Run("50k/10km", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			x := qs[i%len(qs)]
			big.Within(x.lat, x.lon, 10)
		}
	})
}

func BenchmarkLookup(b *testing.B) {
	g := mustDefault(b)
	b.ReportAllocs()
	for b.Loop() {
		g.Lookup("Rajin-Sonbong")
	}
}

// No name or alias of the embedded table answers for two places: Lookup
// would have to guess.
func TestEmbeddedNamesUnambiguous(t *testing.T) {
	s := mustDefault(t).snap.Load()
	for k, idx := range s.byKey {
		if len(idx) > 1 {
			var ids []string
			for _, i := range idx {
				ids = append(ids, s.places[i].ID)
			}
			t.Errorf("%q answers for %v", k, ids)
		}
	}
}
