package match

import "testing"

func TestNormalize(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"MAIA-1", "MAIA 1"},
		{"M/V Maia I", "MAIA 1"},
		{"M.V. MAIA-I", "MAIA 1"},
		{"MV MAIA1", "MAIA 1"},
		{"SPARTA IV", "SPARTA 4"},
		{"Sparta-IV", "SPARTA 4"},
		{"NAM SAN NO. 8", "NAM SAN 8"},
		{"JI SONG 08", "JI SONG 8"},
		{"D'S SUPERMARKET", "DS SUPERMARKET"},
		{"FESCO & CO", "FESCO AND CO"},
		{"Ålesund Fjørd", "ALESUND FJORD"},
		{"Straße", "STRASSE"},
		{"MT", "MT"},     // a prefix alone is the name
		{"I", "I"},       // a numeral first is a word
		{"MIX", "MIX"},   // not a numeral below 40
		{"VIVA", "VIVA"}, // not a numeral at all
		{"LADY R", "LADY R"},
		{"7-28", "7 28"},
	} {
		if got := normalize(c.in, false).key; got != c.want {
			t.Errorf("normalize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCyrillic(t *testing.T) {
	for _, c := range []struct {
		in            string
		icao, popular string
	}{
		{"МАРИЯ", "MARIIA", "MARIA"},
		{"АНГАРА", "ANGARA", "ANGARA"},
		{"БАЛТИЙСКИЙ-111", "BALTIISKII 111", "BALTIYSKIY 111"},
		{"МЕХАНИК ПУСТОШНЫЙ", "MEKHANIK PUSTOSHNYI", "MEKHANIK PUSTOSHNY"},
		{"ПОРТ ОЛЯ-1", "PORT OLIA 1", "PORT OLYA 1"},
		{"ЮЖМОРГЕОЛОГИЯ", "IUZHMORGEOLOGIIA", "YUZHMORGEOLOGIA"},
		{"Щука", "SHCHUKA", "SHCHUKA"},
	} {
		vs := variants(c.in)
		got := []string{vs[0].key, vs[len(vs)-1].key}
		if got[0] != c.icao || got[1] != c.popular {
			t.Errorf("%s: %q, want ICAO %q and customary %q", c.in, got, c.icao, c.popular)
		}
	}
}

func TestNameSim(t *testing.T) {
	for _, c := range []struct {
		a, b     string
		min, max float64
	}{
		{"MAIA-1", "MAIA 1", 1, 1},
		{"MAIA-1", "MAIA I", 1, 1},
		{"CHONG CHON GANG", "CHONGCHONGANG", 0.97, 0.97},
		{"SPARTA III", "SPARTA IV", 0, 0.55},
		{"SPARTA", "SPARTA IV", 0, 0.80},
		{"ANGARA", "ANGRA", 0.9, 0.95},
		{"LADY MARIA", "LADY MARIIA", 0.95, 0.99},
		{"ALPHA", "ALPHA HELIOS", 0, 0.7},
		{"SASCO ANGARA", "ANGARA", 0, 0.75},
		{"GANG CHON CHONG", "CHONG CHON GANG", 0.99, 1},
	} {
		s, _ := nameSim(normalize(c.a, false), normalize(c.b, false))
		if s < c.min || s > c.max {
			t.Errorf("nameSim(%q, %q) = %.3f, want [%.2f, %.2f]", c.a, c.b, s, c.min, c.max)
		}
	}
}
