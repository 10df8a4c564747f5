package risk

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Details keys the engine reads. Producers (the detectors, the sanctions
// screener, imagery matching) should fill them; each has a fallback when
// missing, documented beside it and in docs/RISK.md.
const (
	// sanctions_hit
	DetailMatch           = "match"            // "direct" (default), "former_name" or "owner"
	DetailScore           = "score"            // number in [0,1]; default Event.Confidence
	DetailDesignationDate = "designation_date" // "2006-01-02" or RFC 3339; optional
	DetailList            = "list"             // e.g. "OFAC SDN"; for explanations
	DetailProgram         = "program"          // e.g. "RUSSIA-EO14024"; for explanations
	DetailEntityID        = "entity_id"        // the list's own id; for explanations
	DetailEntityName      = "entity_name"      // the listed name; default Event.Name

	// port_visit (and dark_port_visit without candidates)
	DetailHighRisk = "high_risk" // bool: the port is high-risk (else the policy's port and country lists decide)
	DetailCountry  = "country"   // ISO alpha-2 of the port

	// gap
	DetailSuspectedDisabling = "suspected_disabling" // bool

	// spoofing
	DetailSpoofType = "type" // e.g. "teleport", "two_places", "on_land"; for explanations
	// A spoofing event of type "invalid_imo" names the number in "imo"
	// (default Event.IMO); it counts as the invalid_imo factor, once per
	// number together with the identity history, not as spoofing.
	SpoofInvalidIMO = "invalid_imo"
	DetailIMO       = "imo"

	// identity_change: which fields changed, as a list of strings or one
	// comma-separated string, among "name", "flag", "imo", "mmsi",
	// "call_sign", "ship_type"; "old" and "new" are optional objects with
	// the same keys, for explanations, or else flat "FIELD_before" and
	// "FIELD_after" members (as internal/detect writes them). Without
	// "changed", a single "field" string is accepted; without either the
	// change counts as a rename.
	DetailChanged = "changed"
	DetailField   = "field"
	DetailOld     = "old"
	DetailNew     = "new"

	// draught_change: counted only across a dark period, i.e. when "dark"
	// is true or "across" (what internal/detect writes) or "context" is
	// "gap" or "dark_port_visit". "delta_m" (or "before_m" and "after_m")
	// is used in explanations.
	DetailDark    = "dark"
	DetailAcross  = "across"
	DetailContext = "context"
	DetailDeltaM  = "delta_m"
	DetailBeforeM = "before_m"
	DetailAfterM  = "after_m"
)

func detailString(d map[string]any, k string) string {
	switch v := d[k].(type) {
	case string:
		return v
	case nil:
		return ""
	case json.Number:
		return v.String()
	case float64, int, int64, uint32:
		return toString(v)
	}
	return ""
}

func toString(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case uint32:
		return strconv.FormatUint(uint64(x), 10)
	}
	return ""
}

// detailFloat reads a number however it arrived: float64 from JSON, an
// int from Go code, json.Number from a decoder with UseNumber, or a numeric
// string.
func detailFloat(d map[string]any, k string) (float64, bool) {
	switch v := d[k].(type) {
	case float64:
		return v, true
	case float32:
		return float64(v), true
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	case int32:
		return float64(v), true
	case uint32:
		return float64(v), true
	case uint64:
		return float64(v), true
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return f, err == nil
	}
	return 0, false
}

// detailBool reads a bool, also from "true"/"false" strings and 0/1.
func detailBool(d map[string]any, k string) bool {
	switch v := d[k].(type) {
	case bool:
		return v
	case string:
		b, _ := strconv.ParseBool(strings.TrimSpace(v))
		return b
	}
	if f, ok := detailFloat(d, k); ok {
		return f != 0
	}
	return false
}

// detailStrings reads a list of strings ([]string, []any, or "a,b").
func detailStrings(d map[string]any, k string) []string {
	switch v := d[k].(type) {
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case string:
		parts := strings.Split(v, ",")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		return parts
	}
	return nil
}

// detailTime reads a date ("2006-01-02") or an RFC 3339 time.
func detailTime(d map[string]any, k string) time.Time {
	switch v := d[k].(type) {
	case time.Time:
		return v.UTC()
	case string:
		v = strings.TrimSpace(v)
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t.UTC()
		}
		if t, err := time.Parse("2006-01-02", v); err == nil {
			return t
		}
	}
	return time.Time{}
}

// detailMapString reads d[k][field] as a string (for "old"/"new"), or
// else the flat d[field+"_"+flat] ("name_before") the detectors write.
func detailMapString(d map[string]any, k, field, flat string) string {
	if m, ok := d[k].(map[string]any); ok {
		if s := anyString(m[field]); s != "" {
			return s
		}
	}
	return anyString(d[field+"_"+flat])
}

func anyString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	case json.Number:
		return x.String()
	case uint64:
		return strconv.FormatUint(x, 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	default:
		return toString(v)
	}
}
