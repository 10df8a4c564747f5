package sanctions

import (
	"strings"
	"sync"
	"unicode"
)

// CountryCode returns the ISO 3166-1 alpha-2 code of a country name as
// lists write it ("Russia", "Democratic People's Republic of Korea",
// "St. Kitts & Nevis") or of a code ("RU", "ru"); "" when unknown.
func CountryCode(s string) string {
	s = strings.TrimSpace(s)
	if len(s) == 2 && isASCIILetters(s) {
		c := strings.ToUpper(s)
		if _, ok := countryCodes()[c]; ok {
			return c
		}
	}
	k := countryKey(s)
	if k == "" {
		return ""
	}
	if c, ok := countryNames[k]; ok {
		return c
	}
	return countryLoose()[looseKey(k)]
}

// looseKey drops the words lists write in different ways: "Saint"/"St",
// "and"/"&", "the".
func looseKey(k string) string {
	f := strings.Fields(k)
	out := f[:0]
	for _, w := range f {
		switch w {
		case "and", "the", "of":
			continue
		case "saint":
			w = "st"
		}
		out = append(out, w)
	}
	return strings.Join(out, " ")
}

var countryLoose = sync.OnceValue(func() map[string]string {
	m := make(map[string]string, len(countryNames))
	for name, c := range countryNames {
		m[looseKey(name)] = c
	}
	return m
})

func isASCIILetters(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// countryKey folds a name: lower case, letters and digits kept, "&" read as
// "and", every run of anything else one space ("St. Kitts & Nevis" ->
// "st kitts and nevis").
func countryKey(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r == '&':
			if b.Len() > 0 {
				b.WriteString(" and")
				space = true
			}
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	return b.String()
}

// countryCodes is the set of codes in countryNames, built on first use.
var countryCodes = sync.OnceValue(func() map[string]struct{} {
	m := make(map[string]struct{}, 256)
	for _, c := range countryNames {
		m[c] = struct{}{}
	}
	return m
})
