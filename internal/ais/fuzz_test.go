package ais

import (
	"bytes"
	"reflect"
	"testing"
)

var fuzzSeeds = []string{
	"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A",
	`\s:42809,c:1635731889,t:1635731965*6A\!AIVDM,1,1,,,403t>B1vFhQr5` + "`" + `NonbBw?>G00<0n,0*7B`,
	`\g:1-2-73874,n:157036,s:r003669945,c:1241544035*4A\!AIVDM,1,1,,B,15N4cJ` + "`" + `005Jrek0H@9n` + "`" + `DW5608EP,0*13`,
	"1635731889.5 !AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A",
	"2021-11-01T01:58:09Z !AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A,1635731889",
	"!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C\n!AIVDM,2,2,1,A,88888888880,2*25",
	"!AIVDM,2,1,6,A,8>qc9wiKf>d=Cq5r0mdew:?DLq>1LmhHrsqmBCKnJ50,0*30\n!AIVDM,2,2,6,A,3OLc=UCRp,0*4A",
	"!AIVDM,1,1,,B,H42O55lti4hhhilD3nink000?050,0*40",
	"!AIVDM,1,1,,A,E>jCfrv2`0c2h0W:0a2ah@@@@@@004WD>;2<H50hppN000,4*0A",
	"!AIVDO,1,1,,A,KCQ9r=hrFUnH7P00,0*41",
	"$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47",
	"!AIVDM,1,1,,A,,0*26",
}

// FuzzParseSentence: any line either parses into a consistent Sentence or
// gives an error with a known reason; it never panics.
func FuzzParseSentence(f *testing.F) {
	for _, s := range fuzzSeeds {
		for _, l := range bytes.Split([]byte(s), []byte("\n")) {
			f.Add(l)
		}
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		s, err := ParseSentence(line)
		if err != nil {
			if Code(err) == "other" {
				t.Fatalf("error without a reason: %v", err)
			}
			return
		}
		if s.FragNum < 1 || s.FragNum > s.FragCount || s.FragCount > 9 || s.FillBits > 5 {
			t.Fatalf("inconsistent sentence %+v", s)
		}
		for _, c := range s.Payload {
			if armour[c] == 0xFF {
				t.Fatalf("invalid payload character %q accepted", c)
			}
		}
	})
}

// FuzzDecoder feeds lines through the whole decoder: sentence parsing, tag
// blocks, reassembly and payload decoding.
func FuzzDecoder(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d := NewDecoder(Config{MaxFragmentAge: 8})
		reusing := NewDecoder(Config{MaxFragmentAge: 8, ReuseMessages: true})
		lines := bytes.Split(data, []byte("\n"))
		var msgs int
		for _, l := range lines {
			r, ok, err := d.Decode(l)
			if err != nil && Code(err) == "other" {
				t.Fatalf("error without a reason: %v", err)
			}
			// Reusing messages changes nothing but their lifetime.
			if r2, ok2, err2 := reusing.Decode(l); ok2 != ok || (err2 == nil) != (err == nil) || !reflect.DeepEqual(r2, r) {
				t.Fatalf("with ReuseMessages: %+v %v %v, without: %+v %v %v", r2, ok2, err2, r, ok, err)
			}
			if ok {
				msgs++
				h := r.Message.Head()
				if h.Type < 1 || h.Type > 27 {
					t.Fatalf("type %d decoded", h.Type)
				}
			}
		}
		st := d.Stats()
		rejected := 0
		for _, n := range st.Rejected {
			rejected += n
		}
		if st.Lines != len(lines) || st.Messages != msgs || msgs+rejected > len(lines) {
			t.Fatalf("stats %+v for %d lines, %d messages", st, len(lines), msgs)
		}
	})
}

// FuzzDecodeBits decodes arbitrary payload bits of any length.
func FuzzDecodeBits(f *testing.F) {
	f.Add([]byte("15RTgt0PAso;90TKcjM8h6g208CQ"), uint8(0))
	f.Add([]byte("55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp888888888880"), uint8(2))
	f.Add([]byte("8>qc9wiKf>d=Cq5r0mdew:?DLq>1LmhHrsqmBCKnJ503OLc=UCRp"), uint8(0))
	f.Add([]byte("H42O55lti4hhhilD3nink000?050"), uint8(0))
	f.Add([]byte("E>jCfrv2`0c2h0W:0a2ah@@@@@@004WD>;2<H50hppN000"), uint8(4))
	f.Fuzz(func(t *testing.T, raw []byte, fill uint8) {
		payload := make([]byte, 0, len(raw))
		for _, c := range raw {
			v := c & 63 // any 6-bit value, armoured
			if v < 40 {
				payload = append(payload, v+48)
			} else {
				payload = append(payload, v+56)
			}
		}
		if len(payload)*6 > maxPayloadBits {
			payload = payload[:maxPayloadBits/6]
		}
		var b Bits
		b.appendArmoured(payload)
		b.trim(int(fill % 6))
		m, err := DecodeBits(&b)
		if err != nil {
			if Code(err) == "other" {
				t.Fatalf("error without a reason: %v", err)
			}
			return
		}
		if m.Head().Type != uint8(b.U(0, 6)) {
			t.Fatalf("type %d from bits of type %d", m.Head().Type, b.U(0, 6))
		}
	})
}
