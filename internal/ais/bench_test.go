package ais

import (
	"bytes"
	"os"
	"testing"
)

// BenchmarkDecoder decodes the bundled sample (real sentences of every
// type) line by line. The full comparison with peer tools is bench/decode.
func BenchmarkDecoder(b *testing.B) {
	data, err := os.ReadFile("../../testdata/sample.nmea")
	if err != nil {
		b.Fatal(err)
	}
	lines := bytes.Split(data, []byte("\n"))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	msgs := 0
	for i := 0; i < b.N; i++ {
		d := NewDecoder(Config{})
		for _, l := range lines {
			if _, ok, _ := d.Decode(l); ok {
				msgs++
			}
		}
	}
	b.ReportMetric(float64(msgs)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkPositionReport is the common case: one single-sentence type 1.
func BenchmarkPositionReport(b *testing.B) {
	b.Run("new", func(b *testing.B) { benchPositionReport(b, Config{}) })
	b.Run("reuse", func(b *testing.B) { benchPositionReport(b, Config{ReuseMessages: true}) })
}

func benchPositionReport(b *testing.B, cfg Config) {
	line := []byte(`\s:rx1,c:1700000000*01\!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A`)
	d := NewDecoder(cfg)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, ok, err := d.Decode(line); !ok {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseSentence splits and checks the bundled sample's lines:
// the checksum and field scan every line pays.
func BenchmarkParseSentence(b *testing.B) {
	data, err := os.ReadFile("../../testdata/sample.nmea")
	if err != nil {
		b.Fatal(err)
	}
	lines := bytes.Split(data, []byte("\n"))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		for _, l := range lines {
			ParseSentence(l)
		}
	}
}
