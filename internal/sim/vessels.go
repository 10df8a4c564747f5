package sim

import (
	"fmt"
	"strings"
)

// Role is what a vessel is in the scenario.
type Role string

// The roles of the scenario's vessels.
const (
	// RoleSanctioned: one of the three designated ships of the founding
	// case, with its real public identifiers.
	RoleSanctioned Role = "sanctioned"
	// RoleLookalike: an ordinary ship whose name resembles a designated
	// one; screening must not flag it.
	RoleLookalike Role = "lookalike"
	// RoleBackground: ordinary traffic.
	RoleBackground Role = "background"
	// RoleSTS: one of the two tankers of the legitimate ship-to-ship
	// transfer at sea.
	RoleSTS Role = "sts"
)

// Vessel is one simulated vessel's identity as its AIS type 5 reports it.
type Vessel struct {
	MMSI     uint32 `json:"mmsi"`
	IMO      uint32 `json:"imo"`
	Name     string `json:"name"`
	CallSign string `json:"call_sign"`
	// Flag is the ISO 3166-1 alpha-2 code of the flag its MMSI's MID
	// stands for.
	Flag     string  `json:"flag"`
	ShipType uint8   `json:"ship_type"` // AIS ship and cargo type
	Kind     string  `json:"kind"`      // "Ro-Ro cargo", "general cargo", "tanker", ...
	LengthM  float64 `json:"length_m"`
	BeamM    float64 `json:"beam_m"`
	SpeedKn  float64 `json:"speed_kn"`
	Role     Role    `json:"role"`
	// RealIdentifiers: the name and IMO number (and the call sign where
	// Note says so) are a real designated vessel's public identifiers;
	// everything else about it, its track included, is simulated.
	RealIdentifiers bool   `json:"real_identifiers,omitempty"`
	Note            string `json:"note,omitempty"`
}

// The founding case's vessels. Names, IMO numbers, types and flag are the
// public identifiers of the OFAC designations (see docs/DEMO.md); MARIA's
// call sign UBRH7 is the one on the SDN list. The MMSIs, the other call
// signs and the dimensions are simulated approximations: the SDN list
// gives none, and no source the project can cite gives them.
func foundingVessels() []Vessel {
	return []Vessel{
		{MMSI: 273219850, IMO: 9179842, Name: "ANGARA", CallSign: "UBJQ8", Flag: "RU", ShipType: 70,
			Kind: "Ro-Ro cargo", LengthM: 130, BeamM: 21, SpeedKn: 11.5, Role: RoleSanctioned, RealIdentifiers: true,
			Note: "OFAC RUSSIA-EO14024, designated 2022-05-08 (SDN ent_num 37059); MMSI, call sign and dimensions SIMULATED"},
		{MMSI: 273356190, IMO: 9358010, Name: "MAIA-1", CallSign: "UBPD4", Flag: "RU", ShipType: 70,
			Kind: "general cargo", LengthM: 118, BeamM: 18, SpeedKn: 11, Role: RoleSanctioned, RealIdentifiers: true,
			Note: "OFAC RUSSIA-EO14024, designated 2022-05-08 (SDN ent_num 37098); MMSI, call sign and dimensions SIMULATED"},
		{MMSI: 273310470, IMO: 8517839, Name: "MARIA", CallSign: "UBRH7", Flag: "RU", ShipType: 70,
			Kind: "general cargo", LengthM: 98, BeamM: 16, SpeedKn: 10, Role: RoleSanctioned, RealIdentifiers: true,
			Note: "OFAC RUSSIA-EO14024, designated December 2023 (SDN ent_num 46773, call sign UBRH7 from the list); MMSI and dimensions SIMULATED"},
	}
}

// lookalikeVessel resembles MARIA by name (the Russian transliteration
// МАРИЯ), is Russian-flagged and of the same kind, but is another ship:
// its IMO number and call sign differ from the designation's.
func lookalikeVessel() Vessel {
	return Vessel{MMSI: 273417260, IMO: imoWithCheck(914327), Name: "MARIYA", CallSign: "UFKM3", Flag: "RU", ShipType: 70,
		Kind: "general cargo", LengthM: 96, BeamM: 15, SpeedKn: 10.5, Role: RoleLookalike,
		Note: "SIMULATED ordinary ship named like the designated MARIA (IMO 8517839); not sanctioned"}
}

// stsVessels are the two tankers of the ship-to-ship transfer: a
// Russian bunkering tanker and a product tanker that takes fuel from it.
func stsVessels() [2]Vessel {
	return [2]Vessel{
		{MMSI: 273392640, IMO: imoWithCheck(924418), Name: "PRIMORSKIY BUNKER", CallSign: "UGTE5", Flag: "RU", ShipType: 80,
			Kind: "bunkering tanker", LengthM: 82, BeamM: 14, SpeedKn: 10, Role: RoleSTS,
			Note: "SIMULATED; delivers bunkers at sea, AIS on throughout"},
		{MMSI: 538009317, IMO: imoWithCheck(937652), Name: "EASTERN HARMONY", CallSign: "V7QK9", Flag: "MH", ShipType: 80,
			Kind: "product tanker", LengthM: 144, BeamM: 23, SpeedKn: 12.5, Role: RoleSTS,
			Note: "SIMULATED; takes bunkers at sea, AIS on throughout"},
	}
}

// imoWithCheck appends the IMO check digit to six digits: the weighted
// sum 7,6,5,4,3,2 of the digits, modulo 10.
func imoWithCheck(six uint32) uint32 {
	sum := uint32(0)
	d := six
	for w := uint32(2); w <= 7; w++ {
		sum += (d % 10) * w
		d /= 10
	}
	return six*10 + sum%10
}

// validIMO reports whether n has a correct IMO check digit.
func validIMO(n uint32) bool {
	return n >= 1000000 && n <= 9999999 && imoWithCheck(n/10) == n
}

// flagInfo is what makes a vessel's flag look right: its MIDs, call sign
// prefixes and name style.
type flagInfo struct {
	code   string
	mids   []uint32
	calls  []string
	style  string // "ru", "kr", "jp", "cn", "intl"
	weight float64
}

var flags = []flagInfo{
	{"RU", []uint32{273}, []string{"UB", "UF", "UG", "UH"}, "ru", 30},
	{"KR", []uint32{440, 441}, []string{"DS", "D7", "D9"}, "kr", 14},
	{"JP", []uint32{431, 432}, []string{"7J", "JD", "JG"}, "jp", 9},
	{"CN", []uint32{412, 413, 414}, []string{"BO", "BP", "BR"}, "cn", 10},
	{"PA", []uint32{351, 352, 353, 354, 355, 356, 357, 370, 371, 372, 373}, []string{"3E", "3F", "H3", "H9"}, "intl", 12},
	{"LR", []uint32{636}, []string{"5L", "A8", "D5"}, "intl", 5},
	{"MH", []uint32{538}, []string{"V7"}, "intl", 5},
	{"HK", []uint32{477}, []string{"VR", "VRS"}, "intl", 6},
	{"SL", []uint32{667}, []string{"9L"}, "intl", 3},
	{"MN", []uint32{457}, []string{"JV"}, "intl", 2},
	{"TG", []uint32{671}, []string{"5V"}, "intl", 2},
	{"KM", []uint32{616}, []string{"D6"}, "intl", 2},
}

// Name parts by style. They are ordinary words and made-up combinations,
// not copied from any ship register.
var (
	ruFirst  = []string{"KAPITAN", "PROFESSOR", "AKADEMIK", "INZHENER"}
	ruPerson = []string{"ORLOV", "BELOUSOV", "SOROKIN", "MELNIKOV", "LAZAREV", "VOLKOV", "SEDOV", "BAKLANOV", "GROMOV", "ZUEV", "PETRENKO", "KRYLOV", "TIMOFEEV", "DUBININ"}
	ruPlace  = []string{"PRIMORYE", "AMURSKIY ZALIV", "SIKHOTE-ALIN", "USSURI", "SUCHAN", "POSYETSKIY", "TUMANNAYA", "ZOLOTOY ROG", "BOLSHOY KAMEN", "RUSSKIY OSTROV", "NOVIK", "ASKOLD", "PUTYATIN", "POPOV"}
	krFirst  = []string{"HANBIT", "BADA", "NURI", "HAEDAL", "SEORAK", "GAYA", "MIRAE", "HANSOL", "DAON", "SAEBYEOL", "HAENURI", "DONGHAE"}
	krSecond = []string{"STAR", "BRIDGE", "FRONTIER", "GLORY", "PIONEER", "WAVE", "SKY", "ACE"}
	jpFirst  = []string{"HOKUYO", "KAIYO", "ASAHI", "SAKURA", "MIDORI", "HIKARI", "KOHO", "SHINSEI", "TOYO", "NICHIEI", "KAISEI", "SHOEI"}
	cnFirst  = []string{"HUA", "XIN", "JIN", "HAI", "LIAO", "YUAN", "FU", "TAI", "RONG", "MING", "AN", "SHUN"}
	cnSecond = []string{"HAI", "XIANG", "SHUN", "DA", "FENG", "HANG", "TONG", "CHENG", "LONG", "YANG"}
	inFirst  = []string{"OCEAN", "PACIFIC", "EASTERN", "GOLDEN", "SILVER", "ASIA", "GRAND", "BRIGHT", "NEW", "ROYAL", "BLUE", "NORTHERN"}
	inSecond = []string{"PIONEER", "FORTUNE", "VOYAGER", "BREEZE", "GRACE", "JADE", "PEARL", "SPIRIT", "LEADER", "HORIZON", "CROWN", "TRADER", "VENTURE", "UNITY"}
)

func pick(r *rng, xs []string) string { return xs[r.intn(len(xs))] }

// shipName makes a name in the flag's style.
func shipName(r *rng, style string) string {
	num := func() string {
		if r.chance(0.35) {
			return fmt.Sprintf(" %d", 1+r.intn(12))
		}
		return ""
	}
	switch style {
	case "ru":
		if r.chance(0.5) {
			return pick(r, ruFirst) + " " + pick(r, ruPerson)
		}
		return pick(r, ruPlace) + num()
	case "kr":
		return pick(r, krFirst) + " " + pick(r, krSecond) + num()
	case "jp":
		if r.chance(0.4) {
			return fmt.Sprintf("%s MARU NO.%d", pick(r, jpFirst), 1+r.intn(18))
		}
		return pick(r, jpFirst) + " MARU"
	case "cn":
		return fmt.Sprintf("%s %s %d", pick(r, cnFirst), pick(r, cnSecond), 1+r.intn(88))
	default:
		return pick(r, inFirst) + " " + pick(r, inSecond) + num()
	}
}

// callSign makes a call sign from a flag prefix and letters or digits.
func callSign(r *rng, prefixes []string) string {
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	p := pick(r, prefixes)
	var b strings.Builder
	b.WriteString(p)
	for b.Len() < 4 {
		b.WriteByte(letters[r.intn(26)])
	}
	b.WriteByte(byte('0' + r.intn(10)))
	return b.String()
}

// kindInfo is a background ship kind with its dimensions, speed and
// draughts.
type kindInfo struct {
	kind            string
	shipType        uint8
	lenMin, lenMax  float64
	speedMin, speed float64
	weight          float64
}

var kinds = []kindInfo{
	{"general cargo", 70, 80, 140, 10, 13, 30},
	{"bulk carrier", 70, 150, 230, 11, 14, 18},
	{"container ship", 71, 140, 220, 14, 18, 16},
	{"oil products tanker", 80, 100, 185, 11, 14, 16},
	{"vehicle carrier", 70, 150, 200, 15, 18, 8},
	{"refrigerated cargo", 79, 90, 140, 13, 16, 8},
	{"LPG tanker", 84, 95, 150, 12, 15, 4},
}
