package load

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/lookout-maritime/lookout/internal/sanctions"
)

const td = "../testdata"

func TestDetect(t *testing.T) {
	cases := []struct {
		name, head string
		want       Format
	}{
		{"sdn.xml", `<?xml version="1.0"?><sdnList xmlns="x">`, OFACXML},
		{"x", "\xef\xbb\xbf  <CONSOLIDATED_LIST>", UNXML},
		{"x", `<export generationDate="2024">`, EUXML},
		{"x", `<?xml version="1.0"?><!-- c --><Designations>`, UKXML},
		{"x.jsonl", `{"id":"a","schema":"Vessel"}`, FtMJSON},
		{"sdn.csv", `36,"AEROCARIBBEAN",-0-`, OFACCSV},
		{"/d/add.csv", `25,25,"Calle",-0-`, OFACAdd},
		{"ALT.CSV.gz", `25,220,"aka","X"`, OFACAlt},
		{"sdn_comments.csv", `306,"Remarks"`, OFACNotes},
	}
	for _, c := range cases {
		got, err := Detect(c.name, []byte(c.head))
		if err != nil || got != c.want {
			t.Errorf("%s %q: %s %v, want %s", c.name, c.head, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "   ", "<html><body>", "name,imo\nX,1", "<"} {
		if _, err := Detect("f.txt", []byte(bad)); !errors.Is(err, ErrUnknownFormat) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestFilesEveryFormat(t *testing.T) {
	cases := []struct {
		path   string
		source sanctions.Source
	}{
		{"ofac/sdn_fixture.xml", sanctions.SourceOFAC},
		{"eu/eu_fsf_fixture.xml", sanctions.SourceEU},
		{"uk/uk_sanctions_list_fixture.xml", sanctions.SourceUK},
		{"ftm/ftm_fixture.jsonl", sanctions.SourceOpenSanctions},
		{"ofac/sdn_2024-05-03_vessels_and_owners.csv", sanctions.SourceOFAC},
	}
	for _, c := range cases {
		ls, err := Files([]string{filepath.Join(td, c.path)})
		if err != nil || len(ls) != 1 || ls[0].Source != c.source || len(ls[0].Entities) == 0 {
			t.Fatalf("%s: %v %v", c.path, ls, err)
		}
	}
}

func TestOFACTrioIsOneList(t *testing.T) {
	dir := filepath.Join(td, "ofac/watchman-ofactest")
	paths := []string{filepath.Join(dir, "alt.csv"), filepath.Join(dir, "sdn.csv"), filepath.Join(dir, "add.csv"), filepath.Join(dir, "sdn_comments.csv")}
	ls, err := Files(paths)
	if err != nil || len(ls) != 1 {
		t.Fatalf("%v %v", ls, err)
	}
	alone, err := Files(paths[1:2])
	if err != nil {
		t.Fatal(err)
	}
	if ls[0].SHA256 == alone[0].SHA256 || len(ls[0].Files) != 4 {
		t.Errorf("companions not joined: %v vs %v", ls[0].Files, alone[0].Files)
	}
	aliases := func(l *sanctions.List) (n int) {
		for _, e := range l.Entities {
			n += len(e.Aliases)
		}
		return
	}
	if aliases(ls[0]) <= aliases(alone[0]) {
		t.Errorf("alt.csv added no aliases: %d vs %d", aliases(ls[0]), aliases(alone[0]))
	}
	if _, err := Files(paths[:1]); err == nil {
		t.Error("alt.csv without sdn.csv accepted")
	}
}

func TestGzipAndErrors(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(td, "ofac/sdn_fixture.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(raw)
	zw.Close()
	gz, err := Reader("sdn.xml.gz", &buf)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := Reader("sdn.xml", bytes.NewReader(raw))
	if gz.SHA256 != plain.SHA256 || len(gz.Entities) != len(plain.Entities) {
		t.Errorf("gzip changed the list: %s vs %s", gz.SHA256, plain.SHA256)
	}
	if _, err := Files([]string{"/no/such/file.xml"}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	// A damaged file names itself.
	_, err = Reader("broken.xml", bytes.NewReader(raw[:len(raw)/2]))
	var pe *sanctions.ParseError
	if !errors.As(err, &pe) || pe.File != "broken.xml" {
		t.Errorf("truncated XML: %v", err)
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	ls, err := Files([]string{filepath.Join(td, "ofac/sdn_2024-05-03_vessels_and_owners.csv")})
	if err != nil {
		t.Fatal(err)
	}
	l := ls[0]
	l.Warnings = append(l.Warnings, *sanctions.Errorf(sanctions.ErrField, "f", 3, "IMO", "bad check digit"))
	data, err := Encode(l)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Warnings) != len(l.Warnings) || back.Warnings[len(back.Warnings)-1].Reason != "bad check digit" {
		t.Fatalf("warnings: %+v", back.Warnings)
	}
	back.Warnings, l.Warnings = nil, nil
	if !reflect.DeepEqual(back, l) {
		t.Fatal("decoded list differs")
	}
	if Vessels(back) == 0 || Vessels(back) != Vessels(l) {
		t.Fatalf("vessels %d", Vessels(back))
	}
	if _, err := Decode([]byte("not zstd")); err == nil {
		t.Error("garbage decoded")
	}
}

func FuzzDetect(f *testing.F) {
	for _, s := range []string{"<sdnList>", "{}", "12,x", "<?xml?><export>", ""} {
		f.Add("sdn.csv", []byte(s))
	}
	f.Fuzz(func(t *testing.T, name string, head []byte) {
		fm, err := Detect(name, head)
		if (err == nil) == (fm == "") {
			t.Fatalf("format %q with error %v", fm, err)
		}
		// Whatever Detect says, loading must fail cleanly, never panic.
		_, _ = Reader(name, bytes.NewReader(head))
	})
}
