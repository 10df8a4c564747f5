package decode_test

// Each benchmark iteration is one full pass over the corpus, line splitting
// included, so ns/op, B/s and allocs/op of the three compare directly. The
// msgs/s metric divides the corpus's message count (the same for all three)
// by the time per pass; decoded/op is what each one actually produced, as a
// sanity check. msgs/cpu-s divides by the CPU time the process used
// instead: on an idle core it matches msgs/s, on a busy machine it is the
// steadier figure.
//
// The corpus is the file named by LOOKOUT_BENCH_CORPUS, or else 200,000
// lines generated in memory with seed 1.

import (
	"bytes"
	"os"
	"runtime"
	"sync"
	"testing"
	"unsafe"

	goais "github.com/BertoldVdb/go-ais"
	"github.com/BertoldVdb/go-ais/aisnmea"

	"github.com/lookout-maritime/lookout/bench/decode/corpus"
	"github.com/lookout-maritime/lookout/internal/ais"
)

type benchCorpus struct {
	data     []byte
	lines    int
	messages int           // complete, well-formed messages (countMessages)
	stats    *corpus.Stats // nil when read from a file
}

var (
	loadOnce sync.Once
	loaded   benchCorpus
	loadErr  error
)

func load(tb testing.TB) benchCorpus {
	loadOnce.Do(func() {
		if p := os.Getenv("LOOKOUT_BENCH_CORPUS"); p != "" {
			loaded.data, loadErr = os.ReadFile(p)
		} else {
			var buf bytes.Buffer
			var st corpus.Stats
			st, loadErr = corpus.Generate(&buf, corpus.Config{Lines: 200_000, Seed: 1})
			loaded.data, loaded.stats = buf.Bytes(), &st
		}
		loaded.lines = bytes.Count(loaded.data, []byte{'\n'})
		loaded.messages = countMessages(loaded.data)
	})
	if loadErr != nil {
		tb.Fatal(loadErr)
	}
	return loaded
}

// run times pass over the corpus and reports the shared metrics.
func run(b *testing.B, pass func(data []byte) (decoded int)) {
	c := load(b)
	b.SetBytes(int64(len(c.data)))
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu0 := cpuTime()
	decoded := 0
	for b.Loop() {
		decoded = pass(c.data)
	}
	cpu := cpuTime() - cpu0
	runtime.ReadMemStats(&after)
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(c.messages*b.N)/sec, "msgs/s")
	if cpu > 0 {
		b.ReportMetric(float64(c.messages*b.N)/cpu.Seconds(), "msgs/cpu-s")
	}
	b.ReportMetric(float64(c.lines*b.N)/sec, "lines/s")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(c.messages*b.N), "allocs/msg")
	b.ReportMetric(float64(decoded), "decoded/op")
}

// nextLine splits data at the first '\n'. It is inlined into every pass so
// that all three pay the same for finding lines.
func nextLine(data []byte) (line, rest []byte) {
	i := bytes.IndexByte(data, '\n')
	if i < 0 {
		return data, nil
	}
	return data[:i], data[i+1:]
}

// BenchmarkLookout is Lookout's full decode: sentence parse and checksums,
// tag blocks, reassembly and payload decode into typed messages.
func BenchmarkLookout(b *testing.B) {
	run(b, func(data []byte) int {
		d := ais.NewDecoder(ais.Config{})
		n := 0
		for len(data) > 0 {
			var line []byte
			line, data = nextLine(data)
			if _, ok, _ := d.Decode(line); ok {
				n++
			}
		}
		return n
	})
}

// BenchmarkGoAIS is github.com/BertoldVdb/go-ais with its fast
// (reflection-free) payload codec behind its own NMEA layer, which parses
// the sentence (go-nmea), reassembles multi-part messages and decodes: the
// same work as BenchmarkLookout. Lines are handed over as strings without a
// copy, as generous to it as its string API allows.
func BenchmarkGoAIS(b *testing.B) {
	run(b, func(data []byte) int {
		nc := aisnmea.NMEACodecNew(goais.CodecNewFast(false, false, true))
		n := 0
		for len(data) > 0 {
			var line []byte
			line, data = nextLine(data)
			if len(line) == 0 {
				continue
			}
			p, err := nc.ParseSentence(unsafe.String(&line[0], len(line)))
			if err == nil && p != nil && p.Packet != nil {
				n++
			}
		}
		return n
	})
}

// BenchmarkChecksumScan only finds each sentence and verifies its checksum:
// the floor under any decoder that checks what it reads.
func BenchmarkChecksumScan(b *testing.B) {
	run(b, func(data []byte) int {
		n := 0
		for len(data) > 0 {
			var line []byte
			line, data = nextLine(data)
			if checksumOK(line) {
				n++
			}
		}
		return n
	})
}

// checksumOK reports whether the sentence in line (after any tag block)
// has "*hh" matching the XOR of the bytes between '!' and '*'.
func checksumOK(line []byte) bool {
	start := bytes.IndexByte(line, '!')
	if start < 0 {
		return false
	}
	var x byte
	i := start + 1
	for ; i < len(line) && line[i] != '*'; i++ {
		x ^= line[i]
	}
	if i+2 >= len(line) {
		return false
	}
	hi, lo := hexVal[line[i+1]], hexVal[line[i+2]]
	return hi < 16 && lo < 16 && hi<<4|lo == x
}

var hexVal = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xFF
	}
	for i, c := range "0123456789ABCDEF" {
		t[c] = byte(i)
		t[c|0x20] = byte(i) // lower case; harmless for the digits
	}
	return t
}()

// countMessages counts the messages a strict decoder should report, with
// no code shared with the decoders under test: sentences with a valid
// checksum and payload that are single-part, or the last part of a
// multi-part message whose earlier parts came just before, in order.
func countMessages(data []byte) int {
	n, want := 0, 1 // want: the fragment number that continues the current message
	for len(data) > 0 {
		var line []byte
		line, data = nextLine(data)
		if !checksumOK(line) {
			want = 1
			continue
		}
		f := bytes.Split(line[bytes.IndexByte(line, '!'):], []byte{','})
		if len(f) < 7 || len(f[1]) != 1 || len(f[2]) != 1 || !validPayload(f[5]) {
			want = 1
			continue
		}
		count, num := int(f[1][0]-'0'), int(f[2][0]-'0')
		switch {
		case num != want:
			want = 1
		case num == count:
			n++
			want = 1
		default:
			want++
		}
	}
	return n
}

func validPayload(p []byte) bool {
	for _, c := range p {
		if c < '0' || c > 'w' || (c > 'W' && c < '`') {
			return false
		}
	}
	return len(p) > 0
}

// TestCorpus checks the benchmark measures what it claims: Lookout decodes
// every well-formed message of a generated corpus, by type, rejects every
// corrupt line, and countMessages agrees.
func TestCorpus(t *testing.T) {
	var buf bytes.Buffer
	st, err := corpus.Generate(&buf, corpus.Config{Lines: 50_000, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if got := countMessages(buf.Bytes()); got != st.Messages {
		t.Errorf("countMessages = %d, corpus has %d", got, st.Messages)
	}
	d := ais.NewDecoder(ais.Config{})
	var byType [28]int
	rejected := 0
	data := buf.Bytes()
	for len(data) > 0 {
		var line []byte
		line, data = nextLine(data)
		rep, ok, err := d.Decode(line)
		switch {
		case err != nil:
			rejected++
		case ok:
			byType[rep.Message.Head().Type]++
		}
	}
	if byType != st.ByType {
		t.Errorf("decoded by type\n got %v\nwant %v", byType, st.ByType)
	}
	if rejected != st.CorruptLines() {
		t.Errorf("rejected %d lines, corpus has %d corrupt (%v)", rejected, st.CorruptLines(), st.Corrupt)
	}
}
