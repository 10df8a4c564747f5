package match

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Names are compared in a normal form: upper-case ASCII where the script
// allows, tokens separated by one space, with
//
//   - Cyrillic transliterated (two ways, see below) and Latin diacritics
//     folded (Ö -> O, ß -> SS);
//   - apostrophes dropped, "&" read as AND, any other punctuation, hyphen
//     or slash a token break ("MAIA-1" -> MAIA 1);
//   - letters and digits split apart ("MAIA1" -> MAIA 1);
//   - a leading ship prefix dropped: M/V, MV, M.V., M/T, MT, M/S, MS, S/S,
//     SS, F/V, FV, M/Y, MY, when a name follows;
//   - Roman numerals after the first token read as numbers (MAIA I ->
//     MAIA 1, SPARTA IV -> SPARTA 4), "NO" before a number dropped
//     (NAM SAN NO. 8 -> NAM SAN 8), leading zeros dropped.
//
// Cyrillic has no single romanisation: lists write МАРИЯ as MARIIA
// (ICAO Doc 9303, used in Russian passports since 2013), MARIYA (BGN/PCGN)
// or MARIA (customary English). variants returns the ICAO form and a
// customary form (Й -> Y, Ю -> YU, Я -> YA but -ИЯ -> IA, ЫЙ/ИЙ -> Y/IY,
// Ё -> E, no signs); every name on both sides is compared in each of its
// forms and the best pair counts.

// cyrICAO is ICAO Doc 9303 (7th ed., 2015) Part 3 transliteration of
// Russian, Ukrainian and Belarusian letters, upper case.
var cyrICAO = map[rune]string{
	'А': "A", 'Б': "B", 'В': "V", 'Г': "G", 'Д': "D", 'Е': "E", 'Ё': "E", 'Ж': "ZH", 'З': "Z",
	'И': "I", 'Й': "I", 'К': "K", 'Л': "L", 'М': "M", 'Н': "N", 'О': "O", 'П': "P", 'Р': "R",
	'С': "S", 'Т': "T", 'У': "U", 'Ф': "F", 'Х': "KH", 'Ц': "TS", 'Ч': "CH", 'Ш': "SH",
	'Щ': "SHCH", 'Ъ': "IE", 'Ы': "Y", 'Ь': "", 'Э': "E", 'Ю': "IU", 'Я': "IA",
	'Ґ': "G", 'Є': "IE", 'І': "I", 'Ї': "I", 'Ў': "U",
}

// cyrPopular differs from ICAO where English-language lists usually do.
var cyrPopular = map[rune]string{
	'Й': "Y", 'Ъ': "", 'Ю': "YU", 'Я': "YA", 'Ё': "E", 'Є': "YE", 'Ї': "YI",
}

const maxTokens = 16

// norm is a name in normal form.
type norm struct {
	key     string   // tokens joined by spaces
	compact string   // tokens joined without spaces
	alpha   []string // tokens with a letter
	nums    []string // number tokens
}

// variants returns the normal forms of s: one, or two when s has Cyrillic
// letters. Names that normalise to nothing give none.
func variants(s string) []norm {
	if s == "" {
		return nil
	}
	a := normalize(s, false)
	if !hasCyrillic(s) {
		if a.key == "" {
			return nil
		}
		return []norm{a}
	}
	b := normalize(s, true)
	switch {
	case a.key == "" && b.key == "":
		return nil
	case a.key == b.key:
		return []norm{a}
	}
	return []norm{a, b}
}

func hasCyrillic(s string) bool {
	for _, r := range s {
		if r >= 0x400 && r <= 0x4FF {
			return true
		}
	}
	return false
}

// fold maps one rune to its upper-case ASCII form: letters and digits
// kept, separators returned as " ", apostrophes as "".
func fold(r rune, popular bool) string {
	switch {
	case r < utf8.RuneSelf:
		switch {
		case r >= 'a' && r <= 'z':
			return string(r - 32)
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return string(r)
		case r == '\'' || r == '`':
			return ""
		case r == '&':
			return " AND "
		}
		return " "
	case r == '’' || r == '‘' || r == 'ʼ' || r == '´':
		return ""
	case r >= 0x400 && r <= 0x4FF:
		u := unicode.ToUpper(r)
		if popular {
			if s, ok := cyrPopular[u]; ok {
				return s
			}
		}
		if s, ok := cyrICAO[u]; ok {
			return s
		}
		if unicode.IsLetter(r) {
			return string(u)
		}
		return " "
	}
	if s, ok := latinFold[r]; ok {
		return s
	}
	if unicode.IsLetter(r) || unicode.IsDigit(r) {
		return string(unicode.ToUpper(r))
	}
	return " "
}

// normalize returns the normal form of s, with the customary Cyrillic
// romanisation when popular is set.
func normalize(s string, popular bool) norm {
	var b strings.Builder
	b.Grow(len(s) + 8)
	var prev rune
	for _, r := range s {
		u := unicode.ToUpper(r)
		if popular {
			pu := unicode.ToUpper(prev)
			switch {
			case u == 'Я' && pu == 'И':
				b.WriteString("A")
				prev = r
				continue
			case u == 'Й' && (pu == 'Ы'):
				// -ЫЙ: the Y of Ы already stands for it (СЕВЕРНЫЙ -> SEVERNY).
				prev = r
				continue
			}
		}
		b.WriteString(fold(r, popular))
		prev = r
	}
	return tokenize(b.String())
}

// tokenize splits an upper-case ASCII-ish string into normal-form tokens.
func tokenize(s string) norm {
	var toks []string
	for _, f := range strings.Fields(s) {
		toks = splitAlnum(toks, f)
		if len(toks) >= maxTokens {
			toks = toks[:maxTokens]
			break
		}
	}
	toks = dropPrefix(toks)
	out := toks[:0]
	for i, t := range toks {
		switch {
		case isDigits(t):
			t = strings.TrimLeft(t, "0")
			if t == "" {
				t = "0"
			}
		case i > 0 && (t == "NO" || t == "NR") && i+1 < len(toks) && isDigits(toks[i+1]):
			continue
		case i > 0:
			if n := roman(t); n > 0 {
				t = strconv.Itoa(n)
			}
		}
		out = append(out, t)
	}
	n := norm{key: strings.Join(out, " "), compact: strings.Join(out, "")}
	for _, t := range out {
		if isDigits(t) {
			n.nums = append(n.nums, t)
		} else {
			n.alpha = append(n.alpha, t)
		}
	}
	return n
}

// splitAlnum appends the letter runs and digit runs of f as tokens.
func splitAlnum(toks []string, f string) []string {
	start := 0
	for i := 1; i < len(f); i++ {
		if isDigit(f[i]) != isDigit(f[i-1]) && f[i] < utf8.RuneSelf && f[i-1] < utf8.RuneSelf {
			toks = append(toks, f[start:i])
			start = i
		}
	}
	return append(toks, f[start:])
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// shipPrefixes are dropped from the front of a name that has more tokens.
var shipPrefixes = [][]string{
	{"M", "V"}, {"M", "T"}, {"M", "S"}, {"S", "S"}, {"F", "V"}, {"M", "Y"},
	{"MV"}, {"MT"}, {"MS"}, {"SS"}, {"FV"}, {"MY"},
}

func dropPrefix(toks []string) []string {
	for _, p := range shipPrefixes {
		if len(toks) > len(p) {
			ok := true
			for i := range p {
				if toks[i] != p[i] {
					ok = false
					break
				}
			}
			if ok {
				return toks[len(p):]
			}
		}
	}
	return toks
}

// roman reads a Roman numeral from I to XXXIX; 0 otherwise.
func roman(s string) int {
	if len(s) > 6 {
		return 0
	}
	val := map[byte]int{'I': 1, 'V': 5, 'X': 10}
	n, prev := 0, 0
	for i := len(s) - 1; i >= 0; i-- {
		v, ok := val[s[i]]
		if !ok {
			return 0
		}
		if v < prev {
			n -= v
		} else {
			n += v
			prev = v
		}
	}
	if n < 1 || n > 39 || toRoman(n) != s {
		return 0
	}
	return n
}

func toRoman(n int) string {
	var b strings.Builder
	for ; n >= 10; n -= 10 {
		b.WriteByte('X')
	}
	ones := []string{"", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"}
	b.WriteString(ones[n])
	return b.String()
}

// normCallSign keeps letters and digits, upper case.
func normCallSign(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
