package un

import (
	"regexp"
	"strings"

	"github.com/lookout-maritime/lookout/internal/sanctions"
)

// The UN writes vessel names in capitals inside the narrative of the
// company that owns or manages them:
//
//	Registered owner, ship manager, and commercial manager of Panama-flagged
//	vessel HUA FU, a cargo ship that loaded DPRK coal at Najin ...
//	Registered owner of DPRK tankers SAM JONG 1 and SAM JONG 2. ...
//	... is the operator/manager of the vessel Chong Chon Gang. ...
//
// vesselsOf finds those names (runs of capitalised words, optionally with
// a number, in a narrative that speaks of vessels or tankers; or
// capitalised words after "the vessel"), drops runs that are company
// names or abbreviations, reads the company's relation to each vessel from
// the words just before its first mention (owner, manager, operator; else
// only "named"), and a flag written as "<Country>-flagged" just before it.
// It also records the company's IMO company number ("IMO number: 5571322").

var (
	companyIMORe = regexp.MustCompile(`IMO\)?\s*(?:[Nn]umber|[Nn]o\.?)?\s*:?\s*(\d{7})\b`)
	vesselWordRe = regexp.MustCompile(`(?i)\b(vessels?|tankers?|ship manager|registered owner)\b`)
	mixedNameRe  = regexp.MustCompile(`\b[Vv]essel\s+((?:[A-Z][a-z]+ ){1,3}[A-Z][a-z]+)\b`)
	flaggedRe    = regexp.MustCompile(`([A-Z][A-Za-z.'’]*(?:[ -][A-Z][A-Za-z.'’]*)*)-flagged(?:\s+[a-z]+){0,3}\s*$`)
)

// stopTokens are capitalised words of the narratives that are not vessel
// names, and companyTokens mark a run as a company's name.
var stopTokens = map[string]bool{
	"DPRK": true, "IMO": true, "ETA": true, "ID": true, "USD": true, "US": true,
	"UNSC": true, "OFAC": true, "EU": true, "STS": true, "AIS": true, "MT": true, "MV": true,
}

var companyTokens = map[string]bool{
	"SHIPPING": true, "SHPG": true, "CO": true, "LTD": true, "LIMITED": true, "COMPANY": true,
	"CORP": true, "CORPORATION": true, "TRADING": true, "JV": true, "INC": true, "LLC": true,
	"GROUP": true, "MANAGEMENT": true, "PTE": true, "TECHNOLOGY": true, "INTERNATIONAL": true,
	"ENERGY": true, "FREIGHT": true,
}

type span struct {
	name  string
	start int
}

func vesselsOf(parent *sanctions.Entity, comments string) []sanctions.Entity {
	text := sanctions.Clean(comments)
	for _, m := range companyIMORe.FindAllStringSubmatch(text, -1) {
		parent.IDs = append(parent.IDs, sanctions.Identifier{Type: "IMO company number", Value: m[1]})
	}
	if !vesselWordRe.MatchString(text) {
		return nil
	}
	own := map[string]bool{key(parent.Name): true}
	for _, a := range parent.Aliases {
		own[key(a.Name)] = true
	}
	var spans []span
	for _, m := range mixedNameRe.FindAllStringSubmatchIndex(text, -1) {
		spans = append(spans, span{strings.ToUpper(text[m[2]:m[3]]), m[2]})
	}
	spans = append(spans, capitalRuns(text)...)

	var out []sanctions.Entity
	seen := map[string]bool{}
	for _, s := range spans {
		k := key(s.name)
		if seen[k] || own[k] {
			continue
		}
		seen[k] = true
		back := text[max(0, s.start-80):s.start]
		role, note := roleBefore(back)
		if role == sanctions.RoleNamed {
			// "SAM MA 2 owned by Korea Samma Shipping Company"
			after := strings.ToLower(text[s.start+len(s.name) : min(len(text), s.start+len(s.name)+20)])
			if strings.Contains(after, "owned by") {
				role, note = sanctions.RoleOwner, "from designation narrative"
			}
		}
		v := &sanctions.Vessel{}
		if m := flaggedRe.FindStringSubmatch(back); m != nil {
			v.Flag = m[1]
			v.FlagCode = sanctions.CountryCode(m[1])
			if m[1] == "DPRK" {
				v.FlagCode = "KP"
			}
		}
		out = append(out, sanctions.Entity{
			ID:       parent.ID + "/vessel/" + s.name,
			Kind:     sanctions.KindVessel,
			Name:     s.name,
			Programs: parent.Programs,
			Listed:   parent.Listed,
			Vessel:   v,
			Links:    []sanctions.Link{{Role: role, ID: parent.ID, Name: parent.Name, Note: note}},
			Derived:  "vessel named in COMMENTS1 of " + parent.ID + " (" + parent.Name + ")",
			Record:   parent.Record,
		})
	}
	return out
}

// roleBefore reads the company's relation to a vessel from the words
// before the vessel's first mention.
func roleBefore(back string) (role, note string) {
	b := strings.ToLower(back)
	if i := strings.LastIndexAny(b, ".;"); i >= 0 && i < len(b)-1 && !strings.HasSuffix(b[:i+1], " st.") {
		b = b[i+1:] // the sentence the vessel is in
	}
	switch {
	case strings.Contains(b, "owner") || strings.Contains(b, " owns") || strings.Contains(b, "owned by"):
		return sanctions.RoleOwner, "from designation narrative"
	case strings.Contains(b, "operator"):
		return sanctions.RoleOperator, "from designation narrative"
	case strings.Contains(b, "manager"):
		return sanctions.RoleManager, "from designation narrative"
	}
	return sanctions.RoleNamed, "named in designation narrative; relation not stated"
}

// capitalRuns finds runs of words in capitals (with digits after them:
// "SAM JONG 2"), cut at punctuation, stop words and quotes.
func capitalRuns(text string) []span {
	var out []span
	var cur []string
	start := -1
	flush := func() {
		for len(cur) > 0 && isNumber(cur[0]) {
			cur = cur[1:]
		}
		if len(cur) > 0 {
			name := strings.Join(cur, " ")
			letters := 0
			company := false
			for _, t := range cur {
				if companyTokens[t] {
					company = true
				}
				for _, c := range t {
					if c >= 'A' && c <= 'Z' {
						letters++
					}
				}
			}
			if !company && letters >= 3 {
				out = append(out, span{name, start})
			}
		}
		cur, start = nil, -1
	}
	i := 0
	for i < len(text) {
		for i < len(text) && text[i] == ' ' {
			i++
		}
		j := i
		for j < len(text) && text[j] != ' ' {
			j++
		}
		if i >= len(text) {
			break
		}
		word := text[i:j]
		lead := strings.IndexFunc(word, func(r rune) bool { return !strings.ContainsRune("“\"'(‘", r) })
		if lead > 0 {
			flush()
		}
		core := strings.TrimLeft(word, "“\"'(‘")
		core = strings.TrimSuffix(core, "’s")
		trimmed := strings.TrimRight(core, "”\"'),.;:’")
		ends := trimmed != core
		if w := trimmed; (isCaps(w) && !stopTokens[w]) || isNumber(w) && len(cur) > 0 && len(w) <= 4 {
			if start < 0 {
				start = i
			}
			cur = append(cur, w)
		} else {
			flush()
		}
		if ends {
			flush()
		}
		i = j
	}
	flush()
	return out
}

func isCaps(w string) bool {
	letters := 0
	for _, c := range w {
		switch {
		case c >= 'A' && c <= 'Z':
			letters++
		case c >= '0' && c <= '9', c == '-':
		default:
			return false
		}
	}
	return letters >= 1 && (letters >= 2 || len(w) == 1)
}

func isNumber(w string) bool {
	if w == "" {
		return false
	}
	for _, c := range w {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// key folds a name to capital letters and digits.
func key(s string) string {
	var b strings.Builder
	for _, c := range strings.ToUpper(s) {
		if c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	return b.String()
}
