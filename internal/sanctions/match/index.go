package match

import (
	"sync"
	"time"

	"github.com/lookout-maritime/lookout/internal/sanctions"
)

// HitKind says why a hit matters.
type HitKind string

const (
	// KindListed: the vessel itself is on the list.
	KindListed HitKind = "listed vessel"
	// KindOwnership: the vessel is owned, operated or managed by a
	// designated entity (possibly through intermediate companies).
	KindOwnership HitKind = "owned by designated entity"
)

// Hit is one list entity the query matched.
type Hit struct {
	Kind  HitKind
	Score float64 // in [0,1]
	Alert bool    // Score >= Config.AlertThreshold
	// The designated entity: the listed vessel, or for ownership hits the
	// designated owner at the end of Chain.
	List            sanctions.Source
	ListSHA256      string
	EntityID        string // the list's own ID (OFAC ent_num, UN reference, ...)
	EntityKind      sanctions.Kind
	Name            string
	Programs        []string
	DesignationDate time.Time // zero when the list gives none
	Reasons         []Reason
	// Chain, for ownership hits: the matched vessel first, then each
	// linked entity up to the designated one.
	Chain []ChainLink
	// Identity is the index in the screened identity history of the
	// identity that matched best; -1 for ScreenVessel.
	Identity int
}

// Reason is one piece of evidence for or against a hit.
type Reason struct {
	Field    string  // "imo", "mmsi", "callsign", "name", "former name", "alias", "flag", "former flag", "identity"
	Query    string  // the query's value
	Listed   string  // the list's value
	Strength float64 // evidence in [0,1]; a factor < 1 written negative (-0.7 = score ×0.3) for conflicts
	Note     string
}

// ChainLink is one entity on an ownership chain.
type ChainLink struct {
	EntityID   string
	Name       string
	Kind       sanctions.Kind
	Role       string // how this entity relates to the previous one ("owner", "linked to"); "" for the first
	Note       string
	Designated bool
}

// VesselQuery is what is known of a vessel to screen. Any field may be
// empty.
type VesselQuery struct {
	Name        string
	FormerNames []string // earlier names (a rename is screened too)
	IMO         string   // "IMO 9179842", "IMO9179842" or "9179842"
	MMSI        string   // nine digits
	CallSign    string
	Flag        string // ISO 3166-1 alpha-2 or a country name
}

// Index holds normalised lists for screening. It is safe for concurrent
// use once built.
type Index struct {
	cfg       Config
	lists     []*sanctions.List
	entries   []entry
	names     []nameRec
	imo       map[uint32][]int32
	mmsi      map[uint32][]int32
	call      map[string][]int32
	grams     map[uint32][]int32 // trigram -> name records
	nameGrams [][]uint32         // name record -> its trigrams
	scratch   sync.Pool
}

type entry struct {
	list        int
	e           *sanctions.Entity
	names       []int32
	chains      [][]step // designated entities reachable over links
	call        []string // normalised call signs
	formerFlags []string // ISO codes of the listed former flags
}

// step is one hop of a chain: the entry reached and the link used.
type step struct {
	to   int32
	role string
	note string
}

type nameRec struct {
	entry int32
	n     norm
	kind  string // "name", "alias", "former name", "weak alias"
	orig  string
	cap   float64
}

// NewIndex builds an index over lists. Lists keep their entities'
// addresses: do not modify them while the index is in use.
func NewIndex(cfg Config, lists ...*sanctions.List) *Index {
	ix := &Index{
		cfg:   cfg.withDefaults(),
		lists: lists,
		imo:   map[uint32][]int32{},
		mmsi:  map[uint32][]int32{},
		call:  map[string][]int32{},
		grams: map[uint32][]int32{},
	}
	byID := make([]map[string]int32, len(lists))
	for li, l := range lists {
		byID[li] = map[string]int32{}
		for ei := range l.Entities {
			e := &l.Entities[ei]
			idx := int32(len(ix.entries))
			byID[li][e.ID] = idx
			ix.entries = append(ix.entries, entry{list: li, e: e})
			en := &ix.entries[idx]
			if e.Kind != sanctions.KindVessel {
				continue
			}
			ix.addName(idx, e.Name, "name", false)
			for _, a := range e.Aliases {
				kind := "alias"
				switch {
				case a.Kind == sanctions.FKA:
					kind = "former name"
				case a.Weak:
					kind = "weak alias"
				}
				ix.addName(idx, a.Name, kind, a.Weak)
			}
			if v := e.Vessel; v != nil {
				for _, f := range v.FormerFlags {
					if c := sanctions.CountryCode(f); c != "" {
						en.formerFlags = append(en.formerFlags, c)
					}
				}
				if v.IMO != 0 {
					ix.imo[v.IMO] = append(ix.imo[v.IMO], idx)
				}
				if v.MMSI != 0 {
					ix.mmsi[v.MMSI] = append(ix.mmsi[v.MMSI], idx)
				}
				for _, c := range append([]string{v.CallSign}, v.OtherCallSigns...) {
					if c = normCallSign(c); len(c) >= 3 {
						en.call = append(en.call, c)
						ix.call[c] = append(ix.call[c], idx)
					}
				}
			}
		}
	}
	ix.buildChains(byID)
	ix.scratch.New = func() any { return newScratch(len(ix.names), len(ix.entries)) }
	ix.cfg.Logger.Debug("sanctions index built", "lists", len(lists), "entities", len(ix.entries), "names", len(ix.names), "trigrams", len(ix.grams))
	return ix
}

// Config returns the configuration in force, defaults filled in.
func (ix *Index) Config() Config { return ix.cfg }

func (ix *Index) addName(entry int32, name, kind string, weak bool) {
	for _, n := range variants(name) {
		dup := false
		for _, r := range ix.entries[entry].names {
			if ix.names[r].n.key == n.key {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		ri := int32(len(ix.names))
		gs := gramsOf(n.compact, nil)
		ix.names = append(ix.names, nameRec{entry: entry, n: n, kind: kind, orig: name, cap: ix.nameCap(n)})
		ix.nameGrams = append(ix.nameGrams, gs)
		for _, g := range gs {
			ix.grams[g] = append(ix.grams[g], ri)
		}
		ix.entries[entry].names = append(ix.entries[entry].names, ri)
	}
}

// nameCap is how strong the evidence of a perfect name match is: low for
// short names and names of common words, high for long names with a
// number (see commonWords).
func (ix *Index) nameCap(n norm) float64 {
	info := 0.0
	common := true
	for _, t := range n.alpha {
		if commonWords[t] {
			info += 0.3
			continue
		}
		common = false
		switch l := len(t); {
		case l <= 1:
			info += 0.3
		case l == 2:
			info += 0.5
		case l == 3:
			info += 0.7
		case l == 4:
			info += 0.85
		case l == 5:
			info += 0.95
		case l == 6:
			info += 1.15
		default:
			info += 1.3
		}
	}
	if len(n.nums) > 0 {
		info += 0.4
	}
	c := 0.54 + 0.26*info
	if common && len(n.alpha) > 0 && c > ix.cfg.Weights.CommonNameCap {
		c = ix.cfg.Weights.CommonNameCap
	}
	if c > 0.95 {
		c = 0.95
	}
	return c
}

// gramsOf appends the trigrams of "^" + s + "$" packed in uint32s.
func gramsOf(s string, out []uint32) []uint32 {
	if s == "" {
		return out
	}
	p := make([]byte, 0, len(s)+2)
	p = append(append(append(p, '^'), s...), '$')
	for i := 0; i+3 <= len(p); i++ {
		g := uint32(p[i])<<16 | uint32(p[i+1])<<8 | uint32(p[i+2])
		dup := false
		for _, x := range out {
			if x == g {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, g)
		}
	}
	return out
}

// buildChains resolves links to entries and finds, for every entity, the
// designated entities reachable within MaxChainDepth links.
func (ix *Index) buildChains(byID []map[string]int32) {
	adj := make([][]step, len(ix.entries))
	for i := range ix.entries {
		en := &ix.entries[i]
		for _, k := range en.e.Links {
			if k.ID == "" {
				continue
			}
			if to, ok := byID[en.list][k.ID]; ok && to != int32(i) {
				adj[i] = append(adj[i], step{to: to, role: k.Role, note: k.Note})
			}
		}
	}
	for i := range ix.entries {
		if ix.entries[i].e.Kind != sanctions.KindVessel || len(adj[i]) == 0 {
			continue
		}
		// Breadth first: the shortest chain to each designated entity.
		type path struct {
			at    int32
			steps []step
		}
		seen := map[int32]bool{int32(i): true}
		queue := []path{{at: int32(i)}}
		for len(queue) > 0 {
			p := queue[0]
			queue = queue[1:]
			if len(p.steps) >= ix.cfg.MaxChainDepth {
				continue
			}
			for _, s := range adj[p.at] {
				if seen[s.to] {
					continue
				}
				seen[s.to] = true
				np := path{at: s.to, steps: append(append([]step{}, p.steps...), s)}
				if ix.entries[s.to].e.Designated {
					ix.entries[i].chains = append(ix.entries[i].chains, np.steps)
				}
				queue = append(queue, np)
			}
		}
	}
}

// scratch is per-goroutine working memory for one query.
type scratch struct {
	counts  []uint16 // trigram hits per name record
	seen    []uint8  // candidate marks per entry
	touched []int32
	grams   []uint32
	keep    []rc
	out     []int32
	cands   []cand
}

type rc struct {
	r    int32
	dice float64
}

func newScratch(names, entries int) *scratch {
	return &scratch{counts: make([]uint16, names), seen: make([]uint8, entries)}
}
