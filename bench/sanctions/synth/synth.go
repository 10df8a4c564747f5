// Package synth generates a synthetic sanctions list of vessels and their
// owners, and vessel queries against it with the truth, deterministically
// from a seed: the same arguments give the same bytes.
//
// The list is written as an OFAC SDN legacy sdn.csv so that Lookout and
// moov-io/watchman read the very same file. Vessel names mix pseudo-words
// built from syllables with words common in real ship names and numbers;
// every listed vessel has a valid IMO number, most an MMSI, a call sign and
// a flag; a third have former names (f.k.a.), all are "Linked To:" one of
// the owner companies.
//
// Queries: a share are listed vessels described the way screening input
// describes them (exact IMO; name and flag; a spelling variant; a former
// name with the MMSI; a one-letter typo with the call sign; MMSI and
// name), the rest are other ships built by the same generator with names
// and IMO numbers not on the list.
package synth

import (
	"encoding/csv"
	"fmt"
	"io"
	"math/rand"
	"strconv"
	"strings"

	"github.com/lookout-maritime/lookout/internal/sanctions/match"
)

// Ship is a listed vessel.
type Ship struct {
	ID       string
	Name     string
	Former   []string
	IMO      uint32
	MMSI     uint32
	CallSign string
	Flag     string
	Owner    int // index into Owners
}

// List is a generated list.
type List struct {
	Ships  []Ship
	Owners []string // company names; their IDs are "9" + index
}

// Query is a screening query with the ID of the listed ship it describes,
// or "none".
type Query struct {
	Q      match.VesselQuery
	Expect string
	Kind   string
}

var (
	syll   = syllables()
	words  = strings.Fields("STAR OCEAN SEA PACIFIC ATLANTIC BALTIC NORDIC GLORY GRACE HOPE PRIDE SPIRIT PRINCESS QUEEN LADY CAPE BAY RIVER SUN WIND WAVE GOLDEN SILVER PEARL EXPRESS PIONEER VOYAGER TRADER FALCON EAGLE PHOENIX ORION AURORA ATLAS DELTA ALPHA UNITY VICTORY MARINER GRAND ROYAL NORTH SOUTH EAST WEST")
	flags  = []string{"Panama", "Liberia", "Marshall Islands", "Malta", "Russia", "Iran", "China", "Hong Kong", "Singapore", "Togo", "Cameroon", "Comoros", "Gabon", "Palau", "Sierra Leone", "Cook Islands", "Tanzania", "Cyprus", "Greece", "Norway"}
	mids   = map[string]string{"Panama": "351", "Liberia": "636", "Marshall Islands": "538", "Malta": "229", "Russia": "273", "Iran": "422", "China": "412", "Hong Kong": "477", "Singapore": "563", "Togo": "671", "Cameroon": "613", "Comoros": "620", "Gabon": "626", "Palau": "511", "Sierra Leone": "667", "Cook Islands": "518", "Tanzania": "674", "Cyprus": "209", "Greece": "237", "Norway": "257"}
	suffix = strings.Fields("LLC LTD SHIPPING MARITIME INC CO SA OOO JSC")
)

// syllables are every consonant-vowel pair of 16 consonants and 6 vowels
// and a few common clusters: pseudo-words of two or three share trigrams
// about as often as ship names drawn from many languages do (more often
// than the real OFAC vessel names, which is the harder case).
func syllables() []string {
	var s []string
	for _, c := range "BCDFGHKLMNPRSTVZ" {
		for _, v := range "AEIOUY" {
			s = append(s, string(c)+string(v))
		}
	}
	return append(s, strings.Fields("AL AN AR EL EN ER IN OR UN TRA STE KRI NOR VAL SHA CHE ZHA KHO")...)
}

type gen struct{ r *rand.Rand }

func (g gen) pseudo() string {
	n := 2 + g.r.Intn(2)
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(syll[g.r.Intn(len(syll))])
	}
	return b.String()
}

// name makes a ship name: one to three tokens, pseudo-words or common
// words, sometimes with a number.
func (g gen) name() string {
	var toks []string
	switch k := g.r.Intn(10); {
	case k < 3:
		toks = []string{g.pseudo()}
	case k < 6:
		toks = []string{g.pseudo(), g.pseudo()}
	case k < 8:
		toks = []string{words[g.r.Intn(len(words))], g.pseudo()}
	default:
		toks = []string{g.pseudo(), words[g.r.Intn(len(words))]}
	}
	if g.r.Intn(4) == 0 {
		toks = append(toks, strconv.Itoa(1+g.r.Intn(30)))
	}
	return strings.Join(toks, " ")
}

func (g gen) imo(used map[uint32]bool) uint32 {
	for {
		base := uint32(7000000 + g.r.Intn(2999999))
		base -= base % 10
		d := base / 10
		sum := uint32(0)
		for w := uint32(2); w <= 7; w++ {
			sum += (d % 10) * w
			d /= 10
		}
		n := base + sum%10
		if !used[n] {
			used[n] = true
			return n
		}
	}
}

func (g gen) mmsi(flag string, used map[uint32]bool) uint32 {
	mid, _ := strconv.Atoi(mids[flag])
	for {
		n := uint32(mid*1000000 + g.r.Intn(1000000))
		if !used[n] {
			used[n] = true
			return n
		}
	}
}

func (g gen) callsign() string {
	const l = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 4+g.r.Intn(3))
	for i := range b {
		b[i] = l[g.r.Intn(len(l))]
	}
	return string(b)
}

// NewList generates n listed vessels and their owners.
func NewList(n int, seed int64) *List {
	g := gen{rand.New(rand.NewSource(seed))}
	l := &List{}
	for i := 0; i < n/6+1; i++ {
		l.Owners = append(l.Owners, g.pseudo()+" "+g.pseudo()+" "+suffix[g.r.Intn(len(suffix))])
	}
	usedIMO, usedMMSI, usedName := map[uint32]bool{}, map[uint32]bool{}, map[string]bool{}
	for i := 0; i < n; i++ {
		s := Ship{ID: strconv.Itoa(100000 + i), Flag: flags[g.r.Intn(len(flags))], Owner: g.r.Intn(len(l.Owners))}
		for s.Name == "" || usedName[s.Name] {
			s.Name = g.name()
		}
		usedName[s.Name] = true
		s.IMO = g.imo(usedIMO)
		if g.r.Intn(10) < 7 {
			s.MMSI = g.mmsi(s.Flag, usedMMSI)
		}
		if g.r.Intn(10) < 6 {
			s.CallSign = g.callsign()
		}
		if g.r.Intn(3) == 0 {
			f := g.name()
			if !usedName[f] {
				s.Former = append(s.Former, f)
			}
		}
		l.Ships = append(l.Ships, s)
	}
	return l
}

// WriteSDN writes the list as an OFAC legacy sdn.csv.
func (l *List) WriteSDN(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	empty := "-0- "
	or := func(s string) string {
		if s == "" {
			return empty
		}
		return s
	}
	for i, o := range l.Owners {
		if err := cw.Write([]string{"9" + strconv.Itoa(i), o, empty, "SYNTH", empty, empty, empty, empty, empty, empty, empty, "Synthetic owner."}); err != nil {
			return err
		}
	}
	for _, s := range l.Ships {
		var rem []string
		rem = append(rem, fmt.Sprintf("Vessel Registration Identification IMO %d", s.IMO))
		if s.MMSI != 0 {
			rem = append(rem, fmt.Sprintf("MMSI %09d", s.MMSI))
		}
		for _, f := range s.Former {
			rem = append(rem, "f.k.a. '"+f+"'")
		}
		rem = append(rem, "Linked To: "+l.Owners[s.Owner])
		if err := cw.Write([]string{s.ID, s.Name, "vessel", "SYNTH", empty, or(s.CallSign), "Crude Oil Tanker", empty, empty, s.Flag, empty, strings.Join(rem, "; ") + "."}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Queries generates n queries of which share describe listed ships.
func (l *List) Queries(n int, share float64, seed int64) []Query {
	g := gen{rand.New(rand.NewSource(seed))}
	usedIMO, usedName := map[uint32]bool{}, map[string]bool{}
	for _, s := range l.Ships {
		usedIMO[s.IMO] = true
		usedName[s.Name] = true
		for _, f := range s.Former {
			usedName[f] = true
		}
	}
	qs := make([]Query, 0, n)
	for i := 0; i < n; i++ {
		if g.r.Float64() >= share {
			// A ship not on the list.
			name := g.name()
			for usedName[name] {
				name = g.name()
			}
			flag := flags[g.r.Intn(len(flags))]
			q := match.VesselQuery{Name: name, Flag: flag}
			if g.r.Intn(10) < 8 {
				q.IMO = strconv.Itoa(int(g.imo(usedIMO)))
			}
			if g.r.Intn(10) < 8 {
				q.MMSI = fmt.Sprintf("%09d", g.mmsi(flag, map[uint32]bool{}))
			}
			qs = append(qs, Query{Q: q, Expect: "none", Kind: "not listed"})
			continue
		}
		s := &l.Ships[g.r.Intn(len(l.Ships))]
		q := Query{Expect: s.ID}
		switch k := g.r.Intn(6); {
		case k == 0:
			q.Kind = "imo, renamed"
			q.Q = match.VesselQuery{IMO: "IMO " + strconv.Itoa(int(s.IMO)), Name: g.name()}
		case k == 1:
			q.Kind = "name and flag"
			q.Q = match.VesselQuery{Name: s.Name, Flag: s.Flag}
		case k == 2:
			q.Kind = "spelling variant and flag"
			q.Q = match.VesselQuery{Name: "M/V " + strings.ReplaceAll(strings.ToLower(s.Name), " ", "-"), Flag: s.Flag}
		case k == 3 && len(s.Former) > 0 && s.MMSI != 0:
			q.Kind = "former name and MMSI"
			q.Q = match.VesselQuery{Name: s.Former[0], MMSI: fmt.Sprintf("%09d", s.MMSI)}
		case k == 4 && s.CallSign != "":
			q.Kind = "typo and call sign"
			q.Q = match.VesselQuery{Name: typo(g, s.Name), CallSign: s.CallSign}
		default:
			q.Kind = "imo and name"
			q.Q = match.VesselQuery{IMO: strconv.Itoa(int(s.IMO)), Name: s.Name}
		}
		qs = append(qs, q)
	}
	return qs
}

func typo(g gen, s string) string {
	b := []byte(s)
	for tries := 0; tries < 10; tries++ {
		p := g.r.Intn(len(b))
		if b[p] >= 'A' && b[p] <= 'Z' {
			b[p] = byte('A' + (int(b[p]-'A')+1+g.r.Intn(24))%26)
			return string(b)
		}
	}
	return s
}
