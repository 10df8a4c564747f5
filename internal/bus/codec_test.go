package bus

import (
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/vessel"
)

func TestObservationRoundTrip(t *testing.T) {
	tm := time.Date(2023, 9, 5, 6, 7, 8, 123456789, time.FixedZone("X", 3600))
	cases := []vessel.Observation{
		{Position: &vessel.Position{MMSI: 273, Time: tm, Lat: 42.25, Lon: 130.3, SOG: 11.5, COG: 270.1, Heading: 268, Status: 5,
			Class: vessel.ClassA, MsgType: 1, Source: "rx"}, File: "a.nmea", Line: 12},
		{Position: &vessel.Position{MMSI: 273, Time: tm, Lat: -90, Lon: 180, SOG: vessel.NA, COG: vessel.NA, Heading: 511, Status: 15}},
		{Static: &vessel.Static{MMSI: 273, Time: tm, Has: vessel.HasIMO | vessel.HasName, IMO: 9358010, Name: "MAIA-1", Destination: "NAJIN",
			Class: vessel.ClassA, MsgType: 5, Draught: 7.5}},
	}
	for i, o := range cases {
		b, err := EncodeObservation(o)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeObservation(b)
		if err != nil {
			t.Fatalf("case %d: %v (%s)", i, err, b)
		}
		want := o
		if p := want.Position; p != nil {
			q := *p
			q.Time = q.Time.UTC()
			want.Position = &q
			if math.IsNaN(float64(p.SOG)) {
				if !math.IsNaN(float64(got.Position.SOG)) || !math.IsNaN(float64(got.Position.COG)) {
					t.Fatalf("case %d: missing speed not kept: %+v", i, got.Position)
				}
				got.Position.SOG, got.Position.COG, want.Position.SOG, want.Position.COG = 0, 0, 0, 0
			}
		}
		if s := want.Static; s != nil {
			q := *s
			q.Time = q.Time.UTC()
			want.Static = &q
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("case %d:\n got %+v %+v\nwant %+v %+v", i, got.Position, got.Static, want.Position, want.Static)
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	for name, in := range map[string]string{
		"not json":    "273:1",
		"empty":       `{}`,
		"both":        `{"p":{"mmsi":1,"t":"2024-01-01T00:00:00Z","lat":1,"lon":1,"hdg":0,"st":0},"s":{"MMSI":1,"Time":"2024-01-01T00:00:00Z"}}`,
		"no time":     `{"p":{"mmsi":1,"lat":1,"lon":1,"hdg":0,"st":0}}`,
		"bad lat":     `{"p":{"mmsi":1,"t":"2024-01-01T00:00:00Z","lat":95,"lon":1,"hdg":0,"st":0}}`,
		"static time": `{"s":{"MMSI":1}}`,
	} {
		if _, err := DecodeObservation([]byte(in)); !errors.Is(err, ErrBadMessage) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := EncodeObservation(vessel.Observation{}); !errors.Is(err, ErrBadMessage) {
		t.Errorf("empty observation encoded: %v", err)
	}
}

// FuzzDecodeObservation: whatever arrives on the bus, decoding returns an
// observation or ErrBadMessage, never panics; what decodes re-encodes.
func FuzzDecodeObservation(f *testing.F) {
	b, _ := EncodeObservation(vessel.Observation{Position: &vessel.Position{MMSI: 1, Time: time.Unix(1, 0), SOG: vessel.NA}})
	f.Add(b)
	f.Add([]byte(`{"s":{"MMSI":1,"Time":"2024-01-01T00:00:00Z","Name":"X"}}`))
	f.Add([]byte(`{"p":null}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		o, err := DecodeObservation(in)
		if err != nil {
			if !errors.Is(err, ErrBadMessage) {
				t.Fatalf("error without ErrBadMessage: %v", err)
			}
			return
		}
		if _, err := EncodeObservation(o); err != nil {
			t.Fatalf("decoded %+v does not encode: %v", o, err)
		}
	})
}

// An end-of-run marker decodes as such through Decode, is refused by
// DecodeObservation, and observations pass through Decode unchanged.
func TestEndMarker(t *testing.T) {
	o, end, err := Decode(EncodeEnd("run-1"))
	if err != nil || end != "run-1" || o.Position != nil || o.Static != nil {
		t.Fatalf("Decode(marker) = %+v, %q, %v", o, end, err)
	}
	if _, err := DecodeObservation(EncodeEnd("run-1")); !errors.Is(err, ErrBadMessage) {
		t.Errorf("DecodeObservation took a marker: %v", err)
	}
	if _, _, err := Decode([]byte(`{"end":"r","s":{"MMSI":1,"Time":"2024-01-01T00:00:00Z"}}`)); !errors.Is(err, ErrBadMessage) {
		t.Errorf("marker with an observation: %v", err)
	}
	b, _ := EncodeObservation(vessel.Observation{Position: &vessel.Position{MMSI: 7, Time: time.Unix(5, 0).UTC(), Lat: 1, Lon: 2, SOG: vessel.NA, COG: vessel.NA}})
	o, end, err = Decode(b)
	if err != nil || end != "" || o.Position == nil || o.Position.MMSI != 7 {
		t.Errorf("Decode(observation) = %+v, %q, %v", o, end, err)
	}
}

// FuzzDecode: Decode never panics and fails only with ErrBadMessage.
func FuzzDecode(f *testing.F) {
	f.Add(EncodeEnd("x"))
	f.Add([]byte(`{"end":"","p":null}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		o, end, err := Decode(in)
		if err != nil {
			if !errors.Is(err, ErrBadMessage) {
				t.Fatalf("error without ErrBadMessage: %v", err)
			}
			return
		}
		if end == "" {
			if _, err := EncodeObservation(o); err != nil {
				t.Fatalf("decoded %+v does not encode: %v", o, err)
			}
		}
	})
}
