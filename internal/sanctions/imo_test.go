package sanctions

import "testing"

func TestParseIMO(t *testing.T) {
	for _, c := range []struct {
		in    string
		n     uint32
		valid bool
	}{
		{"IMO 9179842", 9179842, true},
		{"IMO9179842", 9179842, true},
		{"9179842", 9179842, true},
		{"imo: 9179842.", 9179842, true},
		{"IMO No. 9179842", 9179842, true},
		{"9179854", 9179854, true},  // ADLER
		{"9179843", 9179843, false}, // check digit
		{"5342883", 5342883, false}, // a UN company number, not a ship number
		{"917984", 0, false},
		{"91798420", 0, false},
		{"IMO 91798A2", 0, false},
		{"", 0, false},
	} {
		n, v := ParseIMO(c.in)
		if n != c.n || v != c.valid {
			t.Errorf("ParseIMO(%q) = %d, %v; want %d, %v", c.in, n, v, c.n, c.valid)
		}
	}
	if ParseMMSI("MMSI 273612520") != 273612520 || ParseMMSI("27361252") != 0 {
		t.Error("ParseMMSI")
	}
}

func TestCountryCode(t *testing.T) {
	for in, want := range map[string]string{
		"Russia": "RU", "RU": "RU", "ru": "RU", "Democratic People's Republic of Korea": "KP", "St. Kitts & Nevis": "KN",
		"Saint Kitts and Nevis": "KN", "St. Vincent and the Grenadines": "VC", "Korea, South": "KR", "Togo": "TG",
		"None Identified": "", "": "", "Hong Kong": "HK", "Türkiye": "TR", "Cameroon": "CM",
	} {
		if got := CountryCode(in); got != want {
			t.Errorf("CountryCode(%q) = %q, want %q", in, got, want)
		}
	}
}
