package gpsdjson

import (
	"encoding/json"
	"testing"

	"github.com/lookout-maritime/lookout/internal/ais"
)

// FuzzAppend: whatever decodes renders as valid JSON, scaled and unscaled.
func FuzzAppend(f *testing.F) {
	for _, s := range []string{
		"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A",
		"!AIVDM,1,1,,B,H42O55lti4hhhilD3nink000?050,0*40",
		"!AIVDM,1,1,,A,E>jCfrv2`0c2h0W:0a2ah@@@@@@004WD>;2<H50hppN000,4*0A",
		"!AIVDM,1,1,,B,>>M4fWA<59B1@E=@,0*17",
		"!AIVDM,1,1,,A,85Mwp`1Kf3aCnsNvBWLi=wQuNhA5t43N`5nCuI=p<IBfVqnMgPGs,0*47",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		d := ais.NewDecoder(ais.Config{})
		r, ok, _ := d.Decode(line)
		if !ok {
			return
		}
		checkJSON(t, r.Message)
	})
}

// FuzzAppendBits renders arbitrary payload bits: any 6-bit values, so every
// message type and DAC/FI application is reached.
func FuzzAppendBits(f *testing.F) {
	f.Add([]byte("15RTgt0PAso;90TKcjM8h6g208CQ"), uint8(0))
	f.Add([]byte("85Mwp`1Kf3aCnsNvBWLi=wQuNhA5t43N`5nCuI=p<IBfVqnMgPGs"), uint8(0))
	f.Add([]byte("6>jR0600V:C0>da4P106P00"), uint8(2))
	f.Add([]byte("8>jR06@0Gwli:QQUP3en?wvlFR06EuOwgwl?wnSwe7wvlOwwsAwwnSGmwvh0"), uint8(0))
	f.Fuzz(func(t *testing.T, raw []byte, fill uint8) {
		payload := make([]byte, 0, len(raw))
		for _, c := range raw {
			v := c & 63
			if v < 40 {
				payload = append(payload, v+48)
			} else {
				payload = append(payload, v+56)
			}
		}
		m, err := ais.DecodePayload(payload, int(fill%6))
		if err != nil {
			return
		}
		checkJSON(t, m)
	})
}

func checkJSON(t *testing.T, m ais.Message) {
	t.Helper()
	for _, scaled := range []bool{true, false} {
		b := Append(nil, m, Options{Scaled: scaled, Device: "fuzz\"\\"})
		if !json.Valid(b) {
			t.Fatalf("invalid JSON: %s", b)
		}
	}
}
