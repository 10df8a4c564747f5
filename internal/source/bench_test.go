package source

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
)

// benchCSV builds an export of n rows from 100 vessels, like a day file.
func benchCSV(header string, row func(i int) string, n int) []byte {
	var b bytes.Buffer
	b.WriteString(header + "\n")
	for i := 0; i < n; i++ {
		b.WriteString(row(i))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func benchmarkCSV(b *testing.B, data []byte) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		c, err := NewCSV(io.NopCloser(bytes.NewReader(data)), "bench.csv", int64(len(data)), CSVConfig{})
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, err := c.Next(context.Background())
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkCSVDMA(b *testing.B) {
	benchmarkCSV(b, benchCSV(csvHeaders[0], func(i int) string {
		return fmt.Sprintf("01/11/2023 %02d:%02d:%02d,Class A,2190%05d,55.%06d,12.%06d,Under way using engine,0.0,12.5,255.5,256,9123456,OXAB1,NORDIC TEST %d,Tanker,,32,183,GPS,10.5,GOTHENBURG,03/11/2023 14:30:00,AIS,150,33,16,16",
			i/3600%24, i/60%60, i%60, i%100, i, i, i%100)
	}, 20000))
}

func BenchmarkCSVMarineCadastre(b *testing.B) {
	benchmarkCSV(b, benchCSV(csvHeaders[1], func(i int) string {
		return fmt.Sprintf("3660%05d,2023-01-11T%02d:%02d:%02d,26.%05d,-80.%05d,8.8,272.7,270.0,TEST CARRIER %d,IMO9300001,5LAA1,70,8.0,208.0,30.0,8.0,70.0,A",
			i%100, i/3600%24, i/60%60, i%60, i, i, i%100)
	}, 20000))
}

// TestCSVTooLong: a row longer than the line limit is one "too_long"
// reject, and the rows after it are read.
func TestCSVTooLong(t *testing.T) {
	in := "MMSI,BaseDateTime,LAT,LON\n" + strings.Repeat("9", maxLine+10) + "\n1,2023-01-01 00:00:00,1,1\n"
	c, err := NewCSV(io.NopCloser(strings.NewReader(in)), "long.csv", -1, CSVConfig{})
	if err != nil {
		t.Fatal(err)
	}
	obs, rej := drain(t, c)
	if len(obs) != 1 || obs[0].Line != 3 || len(rej) != 1 || rej[0].Reason != "too_long" || rej[0].Line != 2 {
		t.Errorf("obs %+v rejects %+v", obs, rej)
	}
}
