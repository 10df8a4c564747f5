package match

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/lookout-maritime/lookout/internal/sanctions"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// query is a VesselQuery parsed and normalised.
type query struct {
	imo      uint32
	imoValid bool
	imoText  string
	mmsi     uint32
	call     string
	flag     string // ISO alpha-2
	flagText string
	names    []qname
}

type qname struct {
	n      norm
	orig   string
	former bool
	cap    float64
}

func (ix *Index) parseQuery(q VesselQuery) query {
	var p query
	if s := strings.TrimSpace(q.IMO); s != "" {
		p.imo, p.imoValid = sanctions.ParseIMO(s)
		p.imoText = s
	}
	p.mmsi = sanctions.ParseMMSI(q.MMSI)
	if c := normCallSign(q.CallSign); len(c) >= 3 {
		p.call = c
	}
	if f := strings.TrimSpace(q.Flag); f != "" {
		p.flag, p.flagText = sanctions.CountryCode(f), f
	}
	add := func(s string, former bool) {
		for _, n := range variants(s) {
			dup := false
			for _, x := range p.names {
				if x.n.key == n.key {
					dup = true
					break
				}
			}
			if !dup {
				p.names = append(p.names, qname{n: n, orig: s, former: former, cap: ix.nameCap(n)})
			}
		}
	}
	add(q.Name, false)
	for _, f := range q.FormerNames {
		add(f, true)
	}
	return p
}

// ScreenVessel screens one vessel. Hits are sorted by score, strongest
// first; at most Config.MaxHits, none below Config.MinScore.
func (ix *Index) ScreenVessel(q VesselQuery) []Hit {
	return ix.screen(ix.parseQuery(q), -1)
}

// ScreenAll screens many vessels on workers goroutines (0: GOMAXPROCS);
// result i belongs to qs[i].
func (ix *Index) ScreenAll(qs []VesselQuery, workers int) [][]Hit {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	out := make([][]Hit, len(qs))
	var wg sync.WaitGroup
	const chunk = 256
	next := make(chan int, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for start := range next {
				for i := start; i < min(start+chunk, len(qs)); i++ {
					out[i] = ix.ScreenVessel(qs[i])
				}
			}
		}()
	}
	for start := 0; start < len(qs); start += chunk {
		next <- start
	}
	close(next)
	wg.Wait()
	return out
}

// IdentityQuery turns an AIS identity into a query.
func IdentityQuery(id vessel.Identity) VesselQuery {
	q := VesselQuery{Name: id.Name, CallSign: id.CallSign, Flag: id.Flag}
	if id.IMO != 0 {
		q.IMO = strconv.FormatUint(uint64(id.IMO), 10)
	}
	if id.MMSI != 0 {
		q.MMSI = fmt.Sprintf("%09d", id.MMSI)
	}
	return q
}

// ScreenIdentityHistory screens every identity a vessel was seen with
// (name, IMO, MMSI, call sign, flag from the MMSI) and merges the hits:
// one hit per list entity, with the score and reasons of the identity
// that matched best (Hit.Identity) and a reason naming that identity and
// when it was seen. A renamed or re-flagged vessel is found through its
// earlier identities.
func (ix *Index) ScreenIdentityHistory(history []vessel.Identity) []Hit {
	best := map[hitKey]Hit{}
	for i, id := range history {
		for _, h := range ix.screen(ix.parseQuery(IdentityQuery(id)), i) {
			k := keyOf(&h)
			if old, ok := best[k]; ok && old.Score >= h.Score {
				continue
			}
			seen := fmt.Sprintf("AIS identity %d of %d: MMSI %09d", i+1, len(history), id.MMSI)
			if !id.FirstSeen.IsZero() {
				seen += fmt.Sprintf(", seen %s to %s", id.FirstSeen.UTC().Format("2006-01-02T15:04Z"), id.LastSeen.UTC().Format("2006-01-02T15:04Z"))
			}
			if i < len(history)-1 {
				seen += " (not the latest identity)"
			}
			h.Reasons = append(h.Reasons, Reason{Field: "identity", Query: id.Name, Note: seen})
			best[k] = h
		}
	}
	out := make([]Hit, 0, len(best))
	for _, h := range best {
		out = append(out, h)
	}
	sortHits(out)
	if len(out) > ix.cfg.MaxHits {
		out = out[:ix.cfg.MaxHits]
	}
	return out
}

type hitKey struct {
	kind HitKind
	list sanctions.Source
	sha  string
	id   string
}

func keyOf(h *Hit) hitKey { return hitKey{h.Kind, h.List, h.ListSHA256, h.EntityID} }

func sortHits(hs []Hit) {
	sort.SliceStable(hs, func(i, j int) bool {
		a, b := &hs[i], &hs[j]
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		if a.Kind != b.Kind {
			return a.Kind == KindListed
		}
		if a.List != b.List {
			return a.List < b.List
		}
		return a.EntityID < b.EntityID
	})
}

// cand is one list entry under consideration for a query.
type cand struct {
	entry      int32
	nameSim    float64
	nameE      float64 // name evidence
	nameQ      int     // index of the best query name, -1 for none
	nameRec    int32   // best listed name record
	nameNote   simNote
	outmatched bool
}

// maxNameCands bounds the name candidates scored per query name;
// minDice is the trigram Dice coefficient a name needs to be one.
const (
	maxNameCands = 24
	minDice      = 0.4
)

func (ix *Index) screen(q query, identity int) []Hit {
	sc := ix.scratch.Get().(*scratch)
	defer ix.scratch.Put(sc)
	cands := sc.cands[:0]
	get := func(e int32) {
		if sc.seen[e] == 0 {
			sc.seen[e] = 1
			cands = append(cands, cand{entry: e, nameQ: -1})
		}
	}
	if q.imo != 0 {
		for _, e := range ix.imo[q.imo] {
			get(e)
		}
	}
	if q.mmsi != 0 {
		for _, e := range ix.mmsi[q.mmsi] {
			get(e)
		}
	}
	if q.call != "" {
		for _, e := range ix.call[q.call] {
			get(e)
		}
	}
	for _, qn := range q.names {
		for _, r := range ix.nameCandidates(sc, qn.n) {
			get(ix.names[r].entry)
		}
	}
	for i := range cands {
		sc.seen[cands[i].entry] = 0
	}
	sc.cands = cands
	best := 0.0
	for i := range cands {
		ix.scoreName(q, &cands[i])
		best = max(best, cands[i].nameSim)
	}
	var hits []Hit
	for i := range cands {
		c := &cands[i]
		if best >= 0.999 && c.nameSim < 0.99 && c.nameE > 0 {
			// Another listed ship has exactly this name: the query is
			// better explained by it (POLA MARIA is not POLA MARINA).
			c.nameE *= ix.cfg.Weights.Outmatched
			c.outmatched = true
		}
		if score, _ := ix.score(q, c, false); score < ix.cfg.MinScore {
			continue
		}
		score, reasons := ix.score(q, c, true)
		hits = ix.appendHits(hits, c.entry, score, reasons, identity)
	}
	hits = dedupe(hits)
	out := hits[:0]
	for _, h := range hits {
		if h.Score >= ix.cfg.MinScore {
			out = append(out, h)
		}
	}
	sortHits(out)
	if len(out) > ix.cfg.MaxHits {
		out = out[:ix.cfg.MaxHits]
	}
	return out
}

// nameCandidates returns the name records whose trigram sets have a Dice
// coefficient >= minDice with n's, best first, at most maxNameCands.
//
// Trigram hits are counted over the query's posting lists except the
// k = minShared-1 longest, where minShared is the fewest trigrams a name
// must share with the query to reach minDice (the prefix filter of
// set-similarity joins): a name sharing only those k cannot qualify, so
// none is lost; for the names reached, the k skipped trigrams are then
// looked up in the name's own short trigram list.
func (ix *Index) nameCandidates(sc *scratch, n norm) []int32 {
	sc.grams = gramsOf(n.compact, sc.grams[:0])
	g := sc.grams
	nq := len(g)
	if nq == 0 {
		return nil
	}
	// Longest posting lists first (insertion sort: a dozen grams).
	for i := 1; i < nq; i++ {
		for j := i; j > 0 && len(ix.grams[g[j]]) > len(ix.grams[g[j-1]]); j-- {
			g[j], g[j-1] = g[j-1], g[j]
		}
	}
	k := int(math.Ceil(minDice*float64(nq)/(2-minDice)-1e-9)) - 1
	k = max(0, min(k, nq-1))
	skipped := g[:k]
	sc.touched = sc.touched[:0]
	for _, gr := range g[k:] {
		for _, r := range ix.grams[gr] {
			if sc.counts[r] == 0 {
				sc.touched = append(sc.touched, r)
			}
			sc.counts[r]++
		}
	}
	// Keep the best maxNameCands by Dice, in an insertion-sorted array.
	keep := sc.keep[:0]
	floor := minDice
	for _, r := range sc.touched {
		c := int(sc.counts[r])
		sc.counts[r] = 0
		ng := ix.nameGrams[r]
		if 2*float64(c+len(skipped)) < floor*float64(nq+len(ng)) {
			continue // cannot reach the floor even with every skipped gram
		}
		for _, gr := range skipped {
			for _, x := range ng {
				if x == gr {
					c++
					break
				}
			}
		}
		d := 2 * float64(c) / float64(nq+len(ng))
		if d < floor {
			continue
		}
		if len(keep) < maxNameCands {
			keep = append(keep, rc{})
		}
		i := len(keep) - 1
		for i > 0 && keep[i-1].dice < d {
			keep[i] = keep[i-1]
			i--
		}
		keep[i] = rc{r, d}
		if len(keep) == maxNameCands {
			floor = max(floor, keep[len(keep)-1].dice)
		}
	}
	sc.keep = keep
	out := sc.out[:0]
	for _, k := range keep {
		out = append(out, k.r)
	}
	sc.out = out
	return out
}

// scoreName finds the best pair of query name and listed name.
func (ix *Index) scoreName(q query, c *cand) {
	w := ix.cfg.Weights
	for qi, qn := range q.names {
		for _, r := range ix.entries[c.entry].names {
			rec := &ix.names[r]
			sim, note := nameSim(qn.n, rec.n)
			e := 0.0
			if sim >= w.MinNameSim {
				// A name tells no more than the less informative side:
				// "MARIA" against MARIVAN is no stronger than MARIA itself.
				e = min(rec.cap, qn.cap) * (1 - 2.2*(1-sim))
				switch rec.kind {
				case "former name":
					e *= w.FormerName
				case "weak alias":
					e *= w.WeakAlias
				}
				if qn.former {
					e *= w.FormerName
				}
			}
			if c.nameQ < 0 || e > c.nameE || e == c.nameE && sim > c.nameSim {
				c.nameSim, c.nameE, c.nameQ, c.nameRec, c.nameNote = sim, e, qi, r, note
			}
		}
	}
}

// nameReason explains the candidate's best name pair.
func (ix *Index) nameReason(q query, c *cand) Reason {
	qn := q.names[c.nameQ]
	rec := &ix.names[c.nameRec]
	field := "name"
	if rec.kind != "name" {
		field = rec.kind
	}
	if qn.former {
		field = "query former name vs " + field
	}
	note := c.nameNote.String(qn.n, rec.n, c.nameSim)
	if cp := min(rec.cap, qn.cap); cp < 0.8 && c.nameSim >= ix.cfg.Weights.MinNameSim {
		note += fmt.Sprintf("; a name alone is weak evidence (cap %.2f: short or common)", cp)
	}
	if c.outmatched {
		note += "; another listed vessel has exactly this name"
	}
	return Reason{Field: field, Query: qn.orig, Listed: rec.orig, Strength: round(c.nameE), Note: note}
}

// simNote says how two names compared.
type simNote uint8

const (
	noteSame simNote = iota
	noteSpacing
	noteSpelling
	noteNumbers
	noteOneNumber
)

func (n simNote) String(a, b norm, s float64) string {
	switch n {
	case noteSame:
		return "same name"
	case noteSpacing:
		return "same letters, spaced differently"
	case noteNumbers:
		return fmt.Sprintf("numbers differ (%s vs %s)", strings.Join(a.nums, " "), strings.Join(b.nums, " "))
	case noteOneNumber:
		return fmt.Sprintf("number on one side only (%.2f)", s)
	}
	return fmt.Sprintf("spelling similar (%.2f)", s)
}

// nameSim compares two names in normal form: 1 for the same tokens,
// 0.97 for the same letters spaced differently, else token by token with
// Jaro-Winkler, capped when numbers disagree.
func nameSim(a, b norm) (float64, simNote) {
	if a.key == b.key {
		return 1, noteSame
	}
	if a.compact == b.compact {
		return 0.97, noteSpacing
	}
	// Token by token (a single word is one token: then this is plain
	// Jaro-Winkler). Whole-string Jaro-Winkler is not used across token
	// boundaries: its prefix bonus makes ALPHA look like ALPHA HELIOS.
	s, note := tokenScore(a.alpha, b.alpha), noteSpelling
	if len(a.alpha) == 0 && len(b.alpha) == 0 {
		s = 0 // numbers only, and they differ
	}
	switch {
	case len(a.nums) > 0 && len(b.nums) > 0 && !slices.Equal(a.nums, b.nums):
		if s > 0.55 {
			s, note = 0.55, noteNumbers
		}
	case (len(a.nums) > 0) != (len(b.nums) > 0):
		if s > 0.80 {
			s, note = 0.80, noteOneNumber
		}
	}
	return s, note
}

// tokenScore pairs each token of a with its most similar unused token of
// b (Jaro-Winkler >= 0.8) and returns the similarity-weighted share of
// letters paired, so extra words on either side lower it.
func tokenScore(a, b []string) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	total := 0
	for _, t := range a {
		total += len(t)
	}
	for _, t := range b {
		total += len(t)
	}
	var used uint32
	matched := 0.0
	for _, x := range a {
		best, bj := 0.0, -1
		for j, y := range b {
			if j >= 32 || used&(1<<j) != 0 {
				continue
			}
			if s := jaroWinkler(x, y); s > best {
				best, bj = s, j
			}
		}
		if bj >= 0 && best >= 0.8 {
			used |= 1 << bj
			matched += best * float64(len(x)+len(b[bj]))
		}
	}
	return matched / float64(total)
}

// score combines the evidence for one candidate.
func (ix *Index) score(q query, c *cand, explain bool) (float64, []Reason) {
	w := ix.cfg.Weights
	en := &ix.entries[c.entry]
	v := en.e.Vessel
	if v == nil {
		v = &sanctions.Vessel{}
	}
	var reasons []Reason
	add := func(r func() Reason) {
		if explain {
			reasons = append(reasons, r())
		}
	}
	eIMO := 0.0
	var otherBuf [5]float64
	other := otherBuf[:0]
	factor := 1.0
	if q.imo != 0 && v.IMO != 0 {
		switch {
		case q.imo == v.IMO && q.imoValid && v.IMOValid:
			eIMO = w.IMO
			add(func() Reason {
				return Reason{Field: "imo", Query: q.imoText, Listed: strconv.Itoa(int(v.IMO)), Strength: eIMO, Note: "same IMO number (check digit valid)"}
			})
		case q.imo == v.IMO:
			eIMO = w.IMOInvalid
			add(func() Reason {
				return Reason{Field: "imo", Query: q.imoText, Listed: strconv.Itoa(int(v.IMO)), Strength: eIMO, Note: "same IMO number, but its check digit fails"}
			})
		case q.imoValid && v.IMOValid:
			factor *= w.IMOConflict
			add(func() Reason {
				return Reason{Field: "imo", Query: q.imoText, Listed: strconv.Itoa(int(v.IMO)), Strength: -round(1 - w.IMOConflict), Note: "different IMO numbers: a different ship (sister ships share names and builders)"}
			})
		}
	}
	if q.mmsi != 0 && v.MMSI != 0 {
		if q.mmsi == v.MMSI {
			other = append(other, w.MMSI)
			add(func() Reason {
				return Reason{Field: "mmsi", Query: fmt.Sprintf("%09d", q.mmsi), Listed: fmt.Sprintf("%09d", v.MMSI), Strength: w.MMSI, Note: "same MMSI (MMSIs change with flag and are reused: confirm with IMO or name)"}
			})
		} else {
			factor *= w.MMSIConflict
			add(func() Reason {
				return Reason{Field: "mmsi", Query: fmt.Sprintf("%09d", q.mmsi), Listed: fmt.Sprintf("%09d", v.MMSI), Strength: -round(1 - w.MMSIConflict), Note: "different MMSI (may have changed with a re-flag)"}
			})
		}
	}
	if q.call != "" && len(en.call) > 0 {
		if slices.Contains(en.call, q.call) {
			other = append(other, w.CallSign)
			add(func() Reason {
				return Reason{Field: "callsign", Query: q.call, Listed: q.call, Strength: w.CallSign, Note: "same call sign"}
			})
		} else {
			factor *= w.CallConflict
			add(func() Reason {
				return Reason{Field: "callsign", Query: q.call, Listed: en.call[0], Strength: -round(1 - w.CallConflict), Note: "different call sign"}
			})
		}
	}
	if c.nameQ >= 0 {
		if c.nameE > 0 {
			other = append(other, c.nameE)
			if explain {
				reasons = append(reasons, ix.nameReason(q, c))
			}
		} else if eIMO > 0 && explain {
			r := ix.nameReason(q, c)
			r.Strength = 0
			r.Note = "name differs: renamed, or a data error (" + r.Note + ")"
			reasons = append(reasons, r)
		}
	}
	if q.flag != "" && (len(other) > 0 || eIMO > 0) {
		switch {
		case q.flag == v.FlagCode:
			other = append(other, w.Flag)
			add(func() Reason {
				return Reason{Field: "flag", Query: q.flagText, Listed: v.Flag, Strength: w.Flag, Note: "same flag"}
			})
		case slices.Contains(en.formerFlags, q.flag):
			other = append(other, w.FormerFlag)
			add(func() Reason {
				return Reason{Field: "former flag", Query: q.flagText, Listed: strings.Join(v.FormerFlags, ", "), Strength: w.FormerFlag, Note: "flag is one the list gives as former"}
			})
		}
	}
	rest := 1.0
	for _, e := range other {
		rest *= 1 - e
	}
	o := (1 - rest) * factor
	return 1 - (1-eIMO)*(1-o), reasons
}

// appendHits adds the listed hit of entry (if designated) and its
// ownership hits.
func (ix *Index) appendHits(hits []Hit, ei int32, score float64, reasons []Reason, identity int) []Hit {
	en := &ix.entries[ei]
	l := ix.lists[en.list]
	if en.e.Designated {
		hits = append(hits, ix.hit(KindListed, en, score, reasons, identity))
	}
	w := ix.cfg.Weights
	for _, ch := range en.chains {
		s := score
		for _, st := range ch {
			switch st.role {
			case sanctions.RoleLinked:
				s *= w.LinkedDecay
			case sanctions.RoleNamed:
				s *= w.NamedDecay
			default:
				s *= w.HopDecay
			}
		}
		if round(s) < ix.cfg.MinScore {
			continue
		}
		links := make([]ChainLink, 1, len(ch)+1)
		links[0] = ChainLink{EntityID: en.e.ID, Name: en.e.Name, Kind: en.e.Kind, Designated: en.e.Designated, Note: en.e.Derived}
		for _, st := range ch {
			t := ix.entries[st.to].e
			links = append(links, ChainLink{EntityID: t.ID, Name: t.Name, Kind: t.Kind, Role: st.role, Note: st.note, Designated: t.Designated})
		}
		target := &ix.entries[ch[len(ch)-1].to]
		h := ix.hit(KindOwnership, target, s, reasons, identity)
		h.Chain = links
		h.Reasons = append(slices.Clip(h.Reasons), Reason{Field: "chain", Query: en.e.Name, Listed: target.e.Name, Strength: round(s / math.Max(score, 1e-9)),
			Note: fmt.Sprintf("%s (%s) is linked to designated %s in %d step(s) on %s", en.e.Name, en.e.ID, target.e.Name, len(ch), l.Source)})
		hits = append(hits, h)
	}
	return hits
}

func (ix *Index) hit(kind HitKind, en *entry, score float64, reasons []Reason, identity int) Hit {
	l := ix.lists[en.list]
	return Hit{
		Kind:            kind,
		Score:           round(score),
		Alert:           round(score) >= ix.cfg.AlertThreshold,
		List:            l.Source,
		ListSHA256:      l.SHA256,
		EntityID:        en.e.ID,
		EntityKind:      en.e.Kind,
		Name:            en.e.Name,
		Programs:        en.e.Programs,
		DesignationDate: en.e.Listed,
		Reasons:         reasons,
		Identity:        identity,
	}
}

// dedupe keeps the strongest hit per list entity and kind (one owner can
// be reached from several matched vessels).
func dedupe(hs []Hit) []Hit {
	if len(hs) < 2 {
		return hs
	}
	best := map[hitKey]int{}
	out := hs[:0]
	for _, h := range hs {
		k := keyOf(&h)
		if i, ok := best[k]; ok {
			if h.Score > out[i].Score {
				out[i] = h
			}
			continue
		}
		best[k] = len(out)
		out = append(out, h)
	}
	return out
}

func round(x float64) float64 { return math.Round(x*1000) / 1000 }
