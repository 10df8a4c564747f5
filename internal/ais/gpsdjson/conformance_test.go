package gpsdjson

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/lookout-maritime/lookout/internal/ais"
)

// Deliberate differences from gpsd. Each is a place where gpsd is lenient or
// wrong; every one is counted, and the test fails if a difference appears
// that is not listed here.
//
// acceptedByLookout: messages gpsd rejects that Lookout decodes, by reason.
var acceptedByLookout = map[string]string{
	// Class B units that send part B cut to 160 bits: all but the low two
	// bits of to_starboard are there; gpsd wants 168 and drops the report.
	"24/160": "type 24 part B of 160 bits sent by real transmitters",
}

// fieldDiffs: per "type/field", why Lookout prints another value than gpsd.
var fieldDiffs = map[string]string{
	// gpsd 3.22 squares ROT/4.733 and loses the sign, so a left turn
	// reads as a right turn; M.1371-5 says negative is port.
	"1/turn": "gpsd 3.22 drops the sign of the rate of turn",
	"2/turn": "gpsd 3.22 drops the sign of the rate of turn",
	"3/turn": "gpsd 3.22 drops the sign of the rate of turn",
	// gpsd 3.22 never decodes the communication state of type 26.
	"26/radio": "gpsd 3.22 prints radio 0 for type 26",
}

// messageDiffs: single messages where gpsd reads garbage, by first sentence.
var messageDiffs = map[string]string{
	// 146 bits with 4 fill bits: gpsd keeps the fill bits and reads them
	// as the first bits of offset2_1.
	"!AIVDM,1,1,,A,?7VN8RKqwwTo=foWV7iwt?vLp,4*44": "gpsd reads fill bits as data",
}

type vector struct {
	NMEA     []string       `json:"nmea"`
	Scaled   map[string]any `json:"gpsd"`
	Unscaled map[string]any `json:"gpsd_unscaled"`
}

func readJSONL[T any](t *testing.T, path string) []T {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []T
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, v)
	}
	return out
}

// decodeAll feeds sentences to a fresh decoder, returning reports and errors.
func decodeAll(lines []string) ([]ais.Report, []error) {
	d := ais.NewDecoder(ais.Config{})
	var reps []ais.Report
	var errs []error
	for _, l := range lines {
		r, ok, err := d.Decode([]byte(l))
		if err != nil {
			errs = append(errs, err)
		}
		if ok {
			reps = append(reps, r)
		}
	}
	return reps, errs
}

func render(t *testing.T, m ais.Message, scaled bool) map[string]any {
	t.Helper()
	b := Append(nil, m, Options{Scaled: scaled})
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("invalid JSON %s: %v", b, err)
	}
	return v
}

// diffFields lists the fields whose values differ, ignoring listed ones.
func diffFields(got, want map[string]any, ignore map[string]string) []string {
	var d []string
	typ := fmt.Sprint(want["type"])
	for k, w := range want {
		if k == "device" {
			continue
		}
		if _, ok := ignore[typ+"/"+k]; ok {
			continue
		}
		if k == "data" && sameData(got[k], w) {
			continue
		}
		if g, ok := got[k]; !ok || !reflect.DeepEqual(g, w) {
			d = append(d, fmt.Sprintf("%s: got %v, gpsd %v", k, got[k], w))
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok && k != "device" {
			d = append(d, fmt.Sprintf("%s: extra field %v", k, got[k]))
		}
	}
	sort.Strings(d)
	return d
}

// sameData compares gpsd "bits:hex" data by its bits only: gpsd prints the
// whole last byte, whose trailing bits belong to the next field.
func sameData(got, want any) bool {
	g, ok1 := got.(string)
	w, ok2 := want.(string)
	if !ok1 || !ok2 {
		return false
	}
	gn, gh, _ := strings.Cut(g, ":")
	wn, wh, _ := strings.Cut(w, ":")
	if gn != wn || len(gh) != len(wh) {
		return false
	}
	var bits int
	fmt.Sscan(gn, &bits)
	full := bits / 4
	if gh[:full] != wh[:full] {
		return false
	}
	if r := bits % 4; r != 0 {
		var a, b int
		fmt.Sscanf(gh[full:full+1], "%x", &a)
		fmt.Sscanf(wh[full:full+1], "%x", &b)
		mask := 0xF &^ (0xF >> r)
		return a&mask == b&mask
	}
	return true
}

// cutShort lists the fields of entries that a short payload cut: type 7/13
// acknowledgements and type 20 reservation blocks that start before the end
// of the payload but do not fit. gpsd reads them as if zero-padded (for
// type 20 the 2-6 bits of byte-boundary padding become a bogus block);
// Lookout leaves them out. Those fields are not compared.
func cutShort(typ, nbits int) map[string]string {
	skip := map[string]string{}
	step, names := 0, []string(nil)
	switch typ {
	case 7, 13:
		step, names = 32, []string{"mmsi"}
	case 20:
		step, names = 30, []string{"offset", "number", "timeout", "increment"}
	default:
		return skip
	}
	for i := 1; i <= 4; i++ {
		start := 40 + step*(i-1)
		if start < nbits && start+30 > nbits {
			for _, n := range names {
				skip[fmt.Sprintf("%d/%s%d", typ, n, i)] = "cut-short entry"
			}
		}
	}
	return skip
}

// ignoring merges the listed field differences with more.
func ignoring(more map[string]string) map[string]string {
	all := map[string]string{}
	for k, v := range fieldDiffs {
		all[k] = v
	}
	for k, v := range more {
		all[k] = v
	}
	return all
}

func bitsKey(r ais.Report) string {
	return fmt.Sprintf("%d/%d", r.Message.Head().Type, r.Bits)
}

// TestVectorsAgreeWithGpsd checks every real test sentence against gpsd
// 3.22's decoding of it, field for field, scaled and unscaled.
func TestVectorsAgreeWithGpsd(t *testing.T) {
	vs := readJSONL[vector](t, "testdata/vectors.gpsd.jsonl")
	if len(vs) < 2700 {
		t.Fatalf("only %d vectors", len(vs))
	}
	var agree, accepted, rejected, listed int
	diffCount := map[string]int{}
	for i, v := range vs {
		reps, errs := decodeAll(v.NMEA)
		if v.Scaled == nil {
			if len(reps) == 0 {
				rejected++
				continue
			}
			key := bitsKey(reps[0])
			if _, ok := acceptedByLookout[key]; ok {
				accepted++
				continue
			}
			t.Errorf("vector %d %q: gpsd rejects, Lookout decodes type/bits %s", i, v.NMEA, key)
			continue
		}
		if len(reps) != 1 {
			t.Errorf("vector %d %q: %d reports, errors %v", i, v.NMEA, len(reps), errs)
			continue
		}
		if _, ok := messageDiffs[v.NMEA[0]]; ok {
			listed++
			continue
		}
		ok := true
		for _, c := range []struct {
			scaled bool
			want   map[string]any
		}{{true, v.Scaled}, {false, v.Unscaled}} {
			got := render(t, reps[0].Message, c.scaled)
			typ := fmt.Sprint(c.want["type"])
			for k := range fieldDiffs {
				if f, ok := strings.CutPrefix(k, typ+"/"); ok && fmt.Sprint(got[f]) != fmt.Sprint(c.want[f]) {
					diffCount[k]++
				}
			}
			skip := ignoring(cutShort(int(reps[0].Message.Head().Type), reps[0].Bits))
			if d := diffFields(got, c.want, skip); len(d) > 0 {
				ok = false
				t.Errorf("vector %d %q scaled=%v:\n  %s", i, v.NMEA, c.scaled, strings.Join(d, "\n  "))
			}
		}
		if ok {
			agree++
		}
	}
	t.Logf("%d vectors: %d agree with gpsd, %d rejected by both, %d decoded only by Lookout (listed), %d listed garbage reads by gpsd, listed field differences: %v",
		len(vs), agree, rejected, accepted, listed, diffCount)
}
