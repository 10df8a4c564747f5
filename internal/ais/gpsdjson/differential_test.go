package gpsdjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"

	"github.com/lookout-maritime/lookout/internal/ais"
)

// TestDifferentialGpsdecode decodes random payloads of every message type
// and length with Lookout and with the real gpsdecode (Debian's
// gpsd-clients, installed by .ci/run), and compares every field. It skips
// when gpsdecode is not installed.
func TestDifferentialGpsdecode(t *testing.T) {
	gpsdecode, err := exec.LookPath("gpsdecode")
	if err != nil {
		t.Skip("gpsdecode not installed (apt-get install gpsd-clients)")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var lines []string
	ours := map[int]ais.Message{} // by the MMSI used as an index
	nbits := map[int]int{}
	sent := map[int][]string{}
	const perType = 300
	for typ := 1; typ <= 27; typ++ {
		for i := 0; i < perType; i++ {
			id := typ*1000 + i + 100000000
			nbits[id] = randomLength(rng, typ)
			bits := make([]byte, nbits[id])
			for j := range bits {
				bits[j] = byte(rng.IntN(2))
			}
			put(bits, 0, 6, uint64(typ))
			put(bits, 8, 30, uint64(id))
			if (typ == 6 || typ == 8) && i%2 == 0 {
				// Half of the binary messages carry an application gpsd
				// decodes, at a length it decodes it at.
				apps := knownApps[typ]
				app := apps[rng.IntN(len(apps))]
				n := app.bits[rng.IntN(len(app.bits))]
				bits = make([]byte, n)
				for j := range bits {
					bits[j] = byte(rng.IntN(2))
				}
				nbits[id] = n
				put(bits, 0, 6, uint64(typ))
				put(bits, 8, 30, uint64(id))
				off := 40
				if typ == 6 {
					off = 72
				}
				put(bits, off, 10, uint64(app.dac))
				put(bits, off+10, 6, uint64(app.fi))
			}
			payload, fill := armourBits(bits)
			sent[id] = frame(payload, fill, i%10)
			lines = append(lines, sent[id]...)
			if m, err := ais.DecodePayload([]byte(payload), fill); err == nil {
				ours[id] = m
			}
		}
	}
	input := strings.Join(lines, "\n") + "\n"
	invalidJSON := map[int]bool{}
	for _, scaled := range []bool{true, false} {
		args := []string{"-s"}
		if !scaled {
			args = append(args, "-u")
		}
		cmd := exec.Command(gpsdecode, args...)
		cmd.Stdin = strings.NewReader(input)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("gpsdecode: %v", err)
		}
		theirs := map[int]map[string]any{}
		invalid := 0
		for _, l := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
			var v map[string]any
			if err := json.Unmarshal(l, &v); err != nil {
				// gpsd 3.22 leaves some inland-waterway text unescaped and
				// drops a comma in 8/1/19: nothing to compare with.
				var id int
				if i := bytes.Index(l, []byte(`"mmsi":`)); i >= 0 {
					fmt.Sscan(string(l[i+7:]), &id)
				}
				if m, ok := ours[id]; ok && json.Valid(Append(nil, m, Options{Scaled: scaled})) {
					invalidJSON[id] = true
					invalid++
					continue
				}
				t.Fatalf("gpsdecode output %q: %v", l, err)
			}
			theirs[int(v["mmsi"].(float64))] = v
		}
		agree, onlyOurs, onlyTheirs := 0, 0, 0
		for id, m := range ours {
			if invalidJSON[id] {
				continue
			}
			want, ok := theirs[id]
			if !ok {
				onlyOurs++
				if !acceptedDeliberately(m) {
					t.Errorf("type %d id %d: gpsd rejects, Lookout decodes %s", m.Head().Type, id, Append(nil, m, Options{Scaled: scaled}))
				}
				continue
			}
			got := render(t, m, scaled)
			if a, ok := m.(*ais.AidToNavigation); ok && len(a.Name) > 34 {
				// gpsd 3.22 keeps room for 14 extension characters (88 bits,
				// the M.1371 maximum); a longer one overwrites "accuracy".
				delete(got, "accuracy")
				delete(want, "accuracy")
			}
			for _, k := range []string{"country", "locode", "section", "terminal", "hectometre", "vin"} {
				// gpsd writes these inland-waterway strings unescaped: a
				// backslash in them is read back as an escape.
				if v, ok := got[k].(string); ok && strings.ContainsAny(v, `\"`) {
					delete(got, k)
					delete(want, k)
				}
			}
			if d := diffFields(got, want, ignoring(cutShort(int(m.Head().Type), nbits[id]))); len(d) > 0 {
				t.Errorf("type %d %q scaled=%v:\n  %s", m.Head().Type, sent[id], scaled, strings.Join(d, "\n  "))
				continue
			}
			agree++
		}
		for id, v := range theirs {
			if _, ok := ours[id]; !ok && !invalidJSON[id] {
				onlyTheirs++
				t.Errorf("gpsd decodes, Lookout rejects: %v", v)
			}
		}
		t.Logf("scaled=%v: %d random messages agree with gpsdecode, %d decoded only by Lookout (listed), %d only by gpsd, %d where gpsd printed invalid JSON",
			scaled, agree, onlyOurs, onlyTheirs, invalid)
	}
}

type app struct {
	dac, fi int
	bits    []int // total message lengths gpsd decodes the application at
}

// knownApps are the DAC/FI applications gpsd 3.22 decodes (see apps.go).
var knownApps = map[int][]app{
	6: {{1, 12, []int{88 + 272, 400}}, {1, 14, []int{88 + 96, 360}}, {1, 15, []int{104}}, {1, 16, []int{104, 136}},
		{1, 18, []int{88 + 272, 400}}, {1, 20, []int{88 + 260, 400}}, {1, 25, []int{88 + 130, 300}},
		{1, 28, []int{88 + 100, 400}}, {1, 30, []int{88 + 60, 300}}, {1, 32, []int{88 + 96, 360}},
		{200, 21, []int{248}}, {200, 22, []int{232}}, {200, 55, []int{168}}, {235, 10, []int{136}}, {250, 10, []int{136}}},
	8: {{1, 11, []int{352}}, {1, 31, []int{360}}, {1, 13, []int{56 + 200, 472}}, {1, 15, []int{56 + 100}},
		{1, 16, []int{128, 192}}, {1, 17, []int{56 + 100, 400}}, {1, 19, []int{56 + 200}}, {1, 27, []int{56 + 150, 500}},
		{1, 29, []int{56 + 100, 400}}, {200, 10, []int{168}}, {200, 23, []int{256}}, {200, 24, []int{168}}, {200, 40, []int{168}}},
}

// acceptedDeliberately mirrors acceptedByLookout for generated messages.
func acceptedDeliberately(m ais.Message) bool {
	sd, ok := m.(*ais.StaticDataReport)
	return ok && sd.PartNum == 1
}

// randomLength picks a payload length gpsd and the standard care about:
// mostly valid lengths, some at the edges of the accepted ranges.
func randomLength(rng *rand.Rand, typ int) int {
	nominal := map[int][]int{
		1: {168, 163}, 2: {168}, 3: {168}, 4: {168}, 5: {424, 420}, 6: {88, 120, 376, 1008},
		7: {72, 104, 136, 168}, 8: {56, 168, 256, 1008}, 9: {168}, 10: {72}, 11: {168},
		12: {72, 96, 1008}, 13: {72, 168}, 14: {40, 80, 1008}, 15: {88, 110, 160, 168},
		16: {96, 144}, 17: {80, 120, 816}, 18: {168}, 19: {312}, 20: {72, 102, 132, 162, 186},
		21: {272, 300, 360}, 22: {168}, 23: {160}, 24: {160, 168}, 25: {40, 88, 168},
		26: {60, 106, 300, 1004}, 27: {96, 168},
	}[typ]
	n := nominal[rng.IntN(len(nominal))]
	if rng.IntN(4) == 0 {
		n += rng.IntN(13) - 6
	}
	if n < 40 {
		n = 40
	}
	return n
}

func put(bits []byte, off, n int, v uint64) {
	for i := 0; i < n; i++ {
		bits[off+i] = byte(v >> (n - 1 - i) & 1)
	}
}

func armourBits(bits []byte) (string, int) {
	fill := (6 - len(bits)%6) % 6
	var sb strings.Builder
	for i := 0; i < len(bits)+fill; i += 6 {
		v := 0
		for j := 0; j < 6; j++ {
			v <<= 1
			if i+j < len(bits) {
				v |= int(bits[i+j])
			}
		}
		if v < 40 {
			sb.WriteByte(byte(v + 48))
		} else {
			sb.WriteByte(byte(v + 56))
		}
	}
	return sb.String(), fill
}

// frame splits a payload into checksummed sentences of at most 60 characters.
func frame(payload string, fill, seq int) []string {
	var parts []string
	for len(payload) > 60 {
		parts = append(parts, payload[:60])
		payload = payload[60:]
	}
	parts = append(parts, payload)
	var out []string
	for i, p := range parts {
		f, s := 0, ""
		if i == len(parts)-1 {
			f = fill
		}
		if len(parts) > 1 {
			s = fmt.Sprint(seq)
		}
		body := fmt.Sprintf("AIVDM,%d,%d,%s,A,%s,%d", len(parts), i+1, s, p, f)
		var x byte
		for j := 0; j < len(body); j++ {
			x ^= body[j]
		}
		out = append(out, fmt.Sprintf("!%s*%02X", body, x))
	}
	return out
}
