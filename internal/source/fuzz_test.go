package source

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/vessel"
)

// Fuzz tests for every parser of outside input here: CSV rows, whole CSV
// files, CSV times, and aisstream.io messages. They check that nothing
// panics, that rejects carry a reason (and a column), and that what is
// yielded is in range. Run one with e.g.
//
//	go test ./internal/source -run '^$' -fuzz FuzzCSVRow -fuzztime 1m
//
// Finds are kept under testdata/fuzz/<FuzzName>.

var csvHeaders = []string{
	"# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status,ROT,SOG,COG,Heading,IMO,Callsign,Name,Ship type,Cargo type,Width,Length,Type of position fixing device,Draught,Destination,ETA,Data source type,A,B,C,D",
	"MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass",
	"mmsi,base_date_time,longitude,latitude,sog,cog,heading,vessel_name,imo,call_sign,vessel_type,status,length,width,draft,cargo,transceiver",
}

// checkObservation fails t when o is out of the ranges the vessel types
// promise.
func checkObservation(t *testing.T, o vessel.Observation) {
	t.Helper()
	if (o.Position == nil) == (o.Static == nil) {
		t.Fatalf("observation with %v position and %v static", o.Position, o.Static)
	}
	if o.MMSI() == 0 || o.MMSI() > 999999999 {
		t.Fatalf("MMSI %d", o.MMSI())
	}
	if o.Time().IsZero() || o.Time().Location() != time.UTC {
		t.Fatalf("time %v", o.Time())
	}
	if p := o.Position; p != nil {
		if !vessel.ValidPosition(p.Lat, p.Lon) || math.IsNaN(p.Lat) || math.IsNaN(p.Lon) {
			t.Fatalf("position %v, %v", p.Lat, p.Lon)
		}
		if !math.IsNaN(float64(p.SOG)) && (p.SOG < 0 || p.SOG > 1022) {
			t.Fatalf("SOG %v", p.SOG)
		}
		if !math.IsNaN(float64(p.COG)) && (p.COG < 0 || p.COG >= 360) {
			t.Fatalf("COG %v", p.COG)
		}
		if p.Heading > 359 && p.Heading != 511 {
			t.Fatalf("heading %d", p.Heading)
		}
		if p.Status > 15 {
			t.Fatalf("status %d", p.Status)
		}
	}
	if s := o.Static; s != nil {
		if s.Has == 0 {
			t.Fatal("static without fields")
		}
		if math.IsNaN(float64(s.Draught)) || s.Draught < 0 {
			t.Fatalf("draught %v", s.Draught)
		}
	}
}

func FuzzCSVRow(f *testing.F) {
	for i, name := range []string{"dma.csv", "marinecadastre.csv", "marinecadastre2.csv"} {
		data, err := os.ReadFile(filepath.Join("testdata", "csv", name))
		if err != nil {
			f.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n")[1:] {
			f.Add(uint8(i), line)
		}
	}
	f.Add(uint8(1), "1,2023-01-01T00:00:00.999999999999+14:00,-90,180,1022,359.99,359.5,@@,IMO1,,255,15,1e9,-0,NaN,,B")
	layouts := make([]*csvLayout, len(csvHeaders))
	for i, h := range csvHeaders {
		cols, _ := splitCSV(h, nil)
		l, err := detectCSV(cols)
		if err != nil {
			f.Fatal(err)
		}
		layouts[i] = l
	}
	f.Fuzz(func(t *testing.T, which uint8, line string) {
		l := layouts[int(which)%len(layouts)]
		fields, err := splitCSV(line, nil)
		if err != nil || len(fields) != l.n {
			return // rejected as "quote" or "columns" before parsing
		}
		dropped := map[string]int{}
		row, ferr := l.parse(fields, dropped)
		if ferr != nil {
			if ferr.Reason == "" || ferr.Column == "" || !strings.Contains(ferr.Error(), ferr.Column) {
				t.Fatalf("reject without reason or column: %#v", ferr)
			}
			if row.pos != nil || row.st != nil {
				t.Fatal("reject with observations")
			}
			return
		}
		if row.pos != nil {
			checkObservation(t, vessel.Observation{Position: row.pos})
			if row.skip != "" {
				t.Fatalf("position and skip %q", row.skip)
			}
		} else if row.skip == "" {
			t.Fatal("no position and no reason")
		}
		if row.st != nil {
			checkObservation(t, vessel.Observation{Static: row.st})
		}
		for k, v := range dropped {
			if k == "" || v <= 0 {
				t.Fatalf("dropped %v", dropped)
			}
		}
	})
}

// FuzzCSVSource feeds whole files: header detection, line splitting and
// rows together.
func FuzzCSVSource(f *testing.F) {
	for _, name := range []string{"dma.csv", "dma_2018.csv", "marinecadastre.csv", "marinecadastre2.csv"} {
		data, err := os.ReadFile(filepath.Join("testdata", "csv", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("MMSI,BaseDateTime,LAT,LON\n\"1\",\"2023-01-01 00:00:00\",\"1\",\"1\"\n"))
	f.Add([]byte("\ufeff\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		kindByContent(data) // must not panic either
		c, err := NewCSV(io.NopCloser(bytes.NewReader(data)), "f.csv", int64(len(data)), CSVConfig{})
		if err != nil {
			if !errors.Is(err, ErrUnknownCSV) {
				t.Fatalf("header error not ErrUnknownCSV: %v", err)
			}
			return
		}
		for n := 0; ; n++ {
			o, err := c.Next(context.Background())
			var r *Reject
			switch {
			case errors.Is(err, io.EOF):
				return
			case errors.As(err, &r):
				if r.Reason == "" || r.Line < 1 || r.File != "f.csv" || r.Err == nil {
					t.Fatalf("reject %+v", r)
				}
			case err != nil:
				t.Fatal(err)
			default:
				checkObservation(t, o)
				if o.Line < 1 || o.File != "f.csv" {
					t.Fatalf("observation at %s:%d", o.File, o.Line)
				}
			}
			if n > len(data)+10 {
				t.Fatal("more items than lines")
			}
		}
	})
}

func FuzzParseCSVTime(f *testing.F) {
	for _, s := range []string{"01/11/2023 00:00:00", "2023-01-11T00:00:05", "2025-12-31 00:00:00.25+01:30",
		"2025-12-31T00:00:00Z", "29/02/2023 12:00:00", "2025-12-31T00:00:00-0130"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, ok := parseCSVTime(s)
		if ok && (tm.IsZero() || tm.Location() != time.UTC || tm.Year() < 1899) {
			t.Fatalf("%q: %v", s, tm)
		}
		if !ok && !tm.IsZero() {
			t.Fatalf("%q: failed with %v", s, tm)
		}
	})
}

func FuzzSplitCSV(f *testing.F) {
	for _, s := range []string{"a,b,c", `"a,b",c`, `"say ""hi""",x`, `x,"open`, `"a"b`, ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fields, err := splitCSV(s, nil)
		if err != nil {
			return
		}
		if len(fields) == 0 {
			t.Fatal("no fields")
		}
		if !strings.Contains(s, `"`) && strings.Join(fields, ",") != s {
			t.Fatalf("%q split to %q", s, fields)
		}
	})
}

func FuzzAISStreamMessage(f *testing.F) {
	data, err := os.ReadFile(filepath.Join("testdata", "aisstream", "messages.jsonl"))
	if err != nil {
		f.Fatal(err)
	}
	for _, line := range bytes.Split(data, []byte("\n")) {
		f.Add(line)
	}
	f.Add([]byte(`{"MessageType":"PositionReport","MetaData":{"MMSI":"1"},"Message":{"PositionReport":{"Latitude":1e308,"Sog":-1,"Cog":1e20,"TrueHeading":-5}}}`))
	fallback := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, msg []byte) {
		obs, skip, err := decodeAISStream(msg, "f", fallback)
		if err != nil {
			var de *asDecodeError
			if !errors.As(err, &de) && !errors.Is(err, ErrAISStreamServer) {
				t.Fatalf("error of unknown kind: %v", err)
			}
			if de != nil && de.reason == "" {
				t.Fatalf("error without reason: %v", err)
			}
			if obs != nil || skip != "" {
				t.Fatal("error with a result")
			}
			return
		}
		if (len(obs) == 0) == (skip == "") {
			t.Fatalf("%d observations, skip %q", len(obs), skip)
		}
		for _, o := range obs {
			checkObservation(t, o)
		}
	})
}
