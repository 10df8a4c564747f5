package vessel

import (
	"testing"
)

func TestMIDCountry(t *testing.T) {
	tests := []struct {
		mid  uint16
		code string
		name string
	}{
		{201, "AL", "Albania"},
		{273, "RU", "Russian Federation"},
		{445, "KP", "Korea (Democratic People's Republic of)"},
		{440, "KR", "Korea (Republic of)"},
		{636, "LR", "Liberia"},
		{637, "LR", "Liberia"},
		{538, "MH", "Marshall Islands"},
		{341, "KN", "Saint Kitts and Nevis"},
		{620, "KM", "Comoros"},
		{616, "KM", "Comoros"},
		{457, "MN", "Mongolia"},
		{312, "BZ", "Belize"},
		{511, "PW", "Palau"},
		{613, "CM", "Cameroon"},
		{667, "SL", "Sierra Leone"},
		{671, "TG", "Togo"},
		{351, "PA", "Panama"},
		{374, "PA", "Panama"},
		{422, "IR", "Iran"},
		{461, "OM", "Oman"},
		{463, "PK", "Pakistan"},
		{548, "PH", "Philippines"},
		{262, "ME", "Montenegro"},
		{279, "RS", "Serbia"},
		{204, "PT", "Portugal (Azores)"},
		{254, "MC", "Monaco"},
		{255, "PT", "Portugal (Madeira)"},
		{303, "US", "United States (Alaska)"},
		{477, "HK", "Hong Kong"},
		{416, "TW", "Taiwan"},
		{518, "CK", "Cook Islands"},
		{572, "TV", "Tuvalu"},
		{576, "VU", "Vanuatu"},
		{626, "GA", "Gabon"},
		{638, "SS", "South Sudan"},
		{740, "FK", "Falkland Islands"},
		{775, "VE", "Venezuela"},
	}
	for _, tc := range tests {
		c, ok := MIDCountry(tc.mid)
		if !ok || c.Code != tc.code || c.Name != tc.name {
			t.Errorf("MIDCountry(%d) = %+v, %v; want {%s %s}", tc.mid, c, ok, tc.code, tc.name)
		}
	}
}

func TestMIDUnallocated(t *testing.T) {
	for _, mid := range []uint16{0, 1, 100, 111, 200, 217, 221, 222, 223, 260, 280, 299, 300, 302, 320,
		400, 456, 500, 600, 602, 614, 639, 680, 700, 776, 800, 999, 65535} {
		if c, ok := MIDCountry(mid); ok {
			t.Errorf("MIDCountry(%d) = %+v, want not allocated", mid, c)
		}
	}
}

// TestMIDTableShape checks every entry: an upper-case two-letter code, a
// name, and a MID whose first digit is an ITU region (2 Europe ... 7 South
// America); and that the table is complete (it holds 292 MIDs; a block
// lost in an edit would show here).
func TestMIDTableShape(t *testing.T) {
	n := 0
	perRegion := map[int]int{}
	for mid, c := range midTable {
		if c == (Country{}) {
			continue
		}
		n++
		perRegion[mid/100]++
		if mid < 201 || mid > 775 {
			t.Errorf("MID %d outside 201–775", mid)
		}
		if len(c.Code) != 2 || c.Code[0] < 'A' || c.Code[0] > 'Z' || c.Code[1] < 'A' || c.Code[1] > 'Z' {
			t.Errorf("MID %d: bad code %q", mid, c.Code)
		}
		if c.Name == "" {
			t.Errorf("MID %d: no name", mid)
		}
	}
	if n != 292 {
		t.Errorf("%d MIDs allocated, want 292", n)
	}
	for r := 2; r <= 7; r++ {
		if perRegion[r] < 14 {
			t.Errorf("region %d has %d MIDs", r, perRegion[r])
		}
	}
}

func TestParseMMSI(t *testing.T) {
	tests := []struct {
		mmsi uint32
		kind MMSIKind
		mid  uint16
		flag string
	}{
		{273123456, MMSIShip, 273, "RU"},
		{445123000, MMSIShip, 445, "KP"},
		{636019825, MMSIShip, 636, "LR"},
		{201000001, MMSIShip, 201, "AL"},
		{775999999, MMSIShip, 775, "VE"},
		{123456789, MMSIInvalid, 0, ""}, // MID 123 is not allocated
		{217000000, MMSIInvalid, 0, ""}, // gap in the table
		{999999999, MMSIInvalid, 0, ""},
		{0, MMSIInvalid, 0, ""},
		{1, MMSIInvalid, 0, ""},
		{1000000000, MMSIInvalid, 0, ""}, // ten digits
		{2734500, MMSICoast, 273, "RU"},  // 002734500
		{2320001, MMSICoast, 232, "GB"},  // 002320001
		{23200010, MMSIGroup, 232, "GB"}, // 023200010
		{111273123, MMSISARAircraft, 273, "RU"},
		{111999123, MMSIInvalid, 0, ""}, // 111 with an unallocated MID
		{110273123, MMSIInvalid, 0, ""}, // 1xx but not 111
		{982731234, MMSIAuxiliary, 273, "RU"},
		{992351234, MMSIAtoN, 235, "GB"},
		{992999999, MMSIInvalid, 0, ""},
		{827312345, MMSIHandheld, 273, "RU"},
		{970012345, MMSISART, 0, ""},
		{972012345, MMSIMOB, 0, ""},
		{974012345, MMSIEPIRB, 0, ""},
		{971012345, MMSIInvalid, 0, ""},
		{950000000, MMSIInvalid, 0, ""},
	}
	for _, tc := range tests {
		kind, mid := ParseMMSI(tc.mmsi)
		if kind != tc.kind || mid != tc.mid {
			t.Errorf("ParseMMSI(%09d) = %v, %d; want %v, %d", tc.mmsi, kind, mid, tc.kind, tc.mid)
		}
		if f := FlagOf(tc.mmsi); f != tc.flag {
			t.Errorf("FlagOf(%09d) = %q, want %q", tc.mmsi, f, tc.flag)
		}
	}
}

func TestMMSIKindString(t *testing.T) {
	if MMSIShip.String() != "ship" || MMSIEPIRB.String() != "epirb" || MMSIKind(200).String() != "invalid" {
		t.Error("MMSIKind names")
	}
}

func BenchmarkFlagOf(b *testing.B) {
	n := 0
	for i := 0; i < b.N; i++ {
		n += len(FlagOf(uint32(201000000 + i%575000000)))
	}
	if n < 0 {
		b.Fatal(n)
	}
}
