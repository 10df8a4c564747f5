package ofac

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/lookout-maritime/lookout/internal/sanctions"
)

// checkLoad is what every fuzz target asserts: a *ParseError or a list
// whose entities all have an ID and a name.
func checkLoad(t *testing.T, l *sanctions.List, err error) {
	if err != nil {
		var pe *sanctions.ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("error is not a *ParseError: %v", err)
		}
		if l != nil {
			t.Fatal("list and error both returned")
		}
		return
	}
	if l == nil || len(l.Entities) == 0 {
		t.Fatal("nil error without entities")
	}
	for _, e := range l.Entities {
		if e.ID == "" || e.Name == "" {
			t.Fatalf("entity without ID or name: %+v", e)
		}
	}
}

func seedLines(f *testing.F, name string, max int) {
	data, err := os.ReadFile(filepath.Join(testdata, name))
	if err != nil {
		f.Fatal(err)
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	for i := 0; i < len(lines); i += 97 {
		f.Add(bytes.Join(lines[i:min(i+3, len(lines))], nil))
		if max--; max == 0 {
			break
		}
	}
}

func FuzzLoadCSV(f *testing.F) {
	seedLines(f, "sdn_2024-05-03_vessels_and_owners.csv", 12)
	seedLines(f, "watchman-ofactest/sdn.csv", 3)
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := LoadCSV(bytes.NewReader(data), nil, nil)
		checkLoad(t, l, err)
	})
}

func FuzzLoadCSVAltAdd(f *testing.F) {
	alt, _ := os.ReadFile(filepath.Join(testdata, "watchman-ofactest/alt.csv"))
	add, _ := os.ReadFile(filepath.Join(testdata, "watchman-ofactest/add.csv"))
	f.Add(alt, add)
	sdn, err := os.ReadFile(filepath.Join(testdata, "watchman-ofactest/sdn.csv"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, alt, add []byte) {
		l, err := LoadCSV(bytes.NewReader(sdn), bytes.NewReader(add), bytes.NewReader(alt))
		checkLoad(t, l, err)
	})
}

func FuzzLoadXML(f *testing.F) {
	data, err := os.ReadFile(filepath.Join(testdata, "sdn_fixture.xml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add(data[:len(data)/2])
	f.Add([]byte(`<sdnList><sdnEntry><uid>1</uid><lastName>X</lastName><sdnType>Vessel</sdnType><idList><id><idType>MMSI</idType><idNumber>273</idNumber></id></idList></sdnEntry></sdnList>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := LoadXML(bytes.NewReader(data))
		checkLoad(t, l, err)
	})
}
