package ofac

import (
	"strconv"
	"strings"

	"github.com/lookout-maritime/lookout/internal/sanctions"
)

// The legacy files put most structured data in the Remarks column, as
// "; "-separated items each with an optional "alt. " prefix, a key and a
// value, e.g. "Vessel Registration Identification IMO 9179842; MMSI
// 273...; Former Vessel Flag Malta; alt. Former Vessel Flag Tuvalu;
// a.k.a. 'MARIA'; f.k.a. 'ANA I'; Linked To: M LEASING LLC." The XML
// carries the same items as idList entries (idType + idNumber) and akaList.

// applyRemarks reads the items of remarks into e. Items it does not know
// stay in e.Remarks only.
func applyRemarks(e *sanctions.Entity, remarks string, warn func(format string, args ...any)) {
	for _, item := range splitRemarks(remarks) {
		applyItem(e, item, warn)
	}
}

// splitRemarks splits on ";" outside single-quoted names and drops the
// final period of the last item.
func splitRemarks(s string) []string {
	s = strings.TrimSpace(s)
	var out []string
	start := 0
	quoted := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\'':
			// An apostrophe inside a word (ABU-'ALI, D'S) does not open a
			// quote: only one after a space or at the start does, and only
			// one before ";", "." or the end closes it.
			if !quoted && (i == 0 || s[i-1] == ' ') {
				quoted = true
			} else if quoted && (i+1 == len(s) || s[i+1] == ';' || s[i+1] == '.' || s[i+1] == ' ' && i+2 < len(s) && s[i+2] == '(') {
				quoted = false
			}
		case ';':
			if !quoted {
				out = appendItem(out, s[start:i])
				start = i + 1
			}
		}
	}
	out = appendItem(out, s[start:])
	if n := len(out); n > 0 {
		out[n-1] = strings.TrimSuffix(out[n-1], ".")
	}
	return out
}

func appendItem(out []string, s string) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return out
	}
	return append(out, s)
}

// applyItem applies one remark item ("alt. " already allowed for).
func applyItem(e *sanctions.Entity, item string, warn func(string, ...any)) {
	it := strings.TrimPrefix(item, "alt. ")
	it = strings.TrimPrefix(it, "Alt. ")
	key, val, ok := cutKey(it)
	if !ok {
		return
	}
	applyID(e, key, val, warn)
}

// remark keys the loader understands, longest first where one is a
// prefix of another.
var remarkKeys = []string{
	"Vessel Registration Identification",
	"Identification Number",
	"Company Number",
	"Former Vessel Flag",
	"Other Vessel Flag",
	"Other Vessel Call Sign",
	"Other Vessel Type",
	"Vessel Year of Build",
	"MMSI",
	"a.k.a.",
	"f.k.a.",
	"n.k.a.",
	"Linked To:",
	"Registration Number",
	"Business Registration Number",
	"Tax ID No.",
	"UK Company Number",
	"National ID No.",
	"Registration ID",
}

func cutKey(it string) (key, val string, ok bool) {
	for _, k := range remarkKeys {
		if strings.HasPrefix(it, k) && (len(it) == len(k) || it[len(k)] == ' ') {
			return k, strings.TrimSpace(it[len(k):]), true
		}
	}
	return "", "", false
}

// applyID applies one (key, value) pair: a remark item, or an sdn.xml
// idList entry (idType, idNumber).
func applyID(e *sanctions.Entity, key, val string, warn func(string, ...any)) {
	key = strings.TrimSpace(key)
	val = strings.TrimSpace(val)
	switch key {
	case "Vessel Registration Identification", "Identification Number", "Company Number":
		if key == "Company Number" && !strings.HasPrefix(strings.ToUpper(val), "IMO") {
			e.IDs = append(e.IDs, splitCountry(key, val))
			return
		}
		if key == "Identification Number" && !strings.HasPrefix(strings.ToUpper(val), "IMO") {
			e.IDs = append(e.IDs, splitCountry(key, val))
			return
		}
		id := splitCountry(key, val)
		n, valid := sanctions.ParseIMO(id.Value)
		if e.Kind != sanctions.KindVessel {
			// IMO numbers on companies are IMO company / registered-owner
			// numbers (the UN and OFAC write both kinds the same way).
			e.IDs = append(e.IDs, sanctions.Identifier{Type: "IMO company number", Value: imoDigits(id.Value, n), Country: id.Country})
			return
		}
		v := vessel(e)
		if n == 0 {
			// Kept as an identifier: "Vessel Registration Identification 15411".
			e.IDs = append(e.IDs, id)
			return
		}
		if v.IMO != 0 && v.IMO != n {
			e.IDs = append(e.IDs, sanctions.Identifier{Type: "other IMO", Value: strconv.Itoa(int(n))})
			return
		}
		v.IMO, v.IMOText, v.IMOValid = n, val, valid
		if !valid {
			warn("IMO %d: check digit does not match", n)
		}
	case "MMSI":
		if m := sanctions.ParseMMSI(val); m != 0 {
			v := vessel(e)
			if v.MMSI == 0 {
				v.MMSI = m
			} else if v.MMSI != m {
				e.IDs = append(e.IDs, sanctions.Identifier{Type: "other MMSI", Value: val})
			}
		} else {
			e.IDs = append(e.IDs, sanctions.Identifier{Type: "MMSI", Value: val})
			warn("MMSI %q is not nine digits", val)
		}
	case "Former Vessel Flag":
		v := vessel(e)
		v.FormerFlags = sanctions.AppendUnique(v.FormerFlags, val)
	case "Other Vessel Flag":
		v := vessel(e)
		if v.Flag == "" {
			v.Flag, v.FlagCode = val, sanctions.CountryCode(val)
		} else {
			v.FormerFlags = sanctions.AppendUnique(v.FormerFlags, val)
		}
	case "Other Vessel Call Sign":
		v := vessel(e)
		v.OtherCallSigns = sanctions.AppendUnique(v.OtherCallSigns, val)
	case "Other Vessel Type":
		v := vessel(e)
		if v.Type == "" {
			v.Type = val
		}
	case "Vessel Year of Build":
		if y, err := strconv.Atoi(val); err == nil {
			vessel(e).YearBuilt = y
		}
	case "a.k.a.", "f.k.a.", "n.k.a.":
		kind := map[string]sanctions.AliasKind{"a.k.a.": sanctions.AKA, "f.k.a.": sanctions.FKA, "n.k.a.": sanctions.NKA}[key]
		e.AddAlias(sanctions.Alias{Name: unquote(val), Kind: kind})
	case "Linked To:", "Linked To":
		name := strings.TrimSpace(strings.TrimSuffix(val, "."))
		if name == "" {
			return
		}
		for _, l := range e.Links {
			if l.Role == sanctions.RoleLinked && l.Name == name {
				return
			}
		}
		e.Links = append(e.Links, sanctions.Link{Role: sanctions.RoleLinked, Name: name})
	case "Registration Number", "Business Registration Number", "Tax ID No.", "UK Company Number", "National ID No.", "Registration ID":
		e.IDs = append(e.IDs, splitCountry(key, val))
	}
}

func vessel(e *sanctions.Entity) *sanctions.Vessel {
	if e.Vessel == nil {
		e.Vessel = &sanctions.Vessel{}
	}
	return e.Vessel
}

func imoDigits(val string, n uint32) string {
	if n != 0 {
		return strconv.Itoa(int(n))
	}
	s := strings.TrimSpace(strings.TrimPrefix(strings.ToUpper(val), "IMO"))
	return strings.TrimRight(s, ".")
}

// splitCountry reads "X12345 (Hong Kong)" into value and country.
func splitCountry(typ, val string) sanctions.Identifier {
	val = strings.TrimSpace(strings.TrimSuffix(val, "."))
	if i := strings.LastIndex(val, " ("); i > 0 && strings.HasSuffix(val, ")") {
		return sanctions.Identifier{Type: typ, Value: val[:i], Country: val[i+2 : len(val)-1]}
	}
	return sanctions.Identifier{Type: typ, Value: val}
}

// unquote strips the single quotes around an alias: 'MARIA' -> MARIA.
func unquote(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
		return s[1 : len(s)-1]
	}
	return strings.Trim(s, "'")
}
