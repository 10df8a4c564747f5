// Package load opens sanctions list files of any supported format: it
// recognises the format from the content (not the file name), groups the
// OFAC legacy CSV files of one version, decompresses gzip, and calls the
// format's loader. It also encodes a loaded list for the store.
package load

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/lookout-maritime/lookout/internal/sanctions"
	"github.com/lookout-maritime/lookout/internal/sanctions/eu"
	"github.com/lookout-maritime/lookout/internal/sanctions/ftm"
	"github.com/lookout-maritime/lookout/internal/sanctions/ofac"
	"github.com/lookout-maritime/lookout/internal/sanctions/uk"
	"github.com/lookout-maritime/lookout/internal/sanctions/un"
)

// ErrUnknownFormat: the content is none of the supported list formats.
var ErrUnknownFormat = errors.New("load: unknown sanctions list format")

// Format is a recognised list file format.
type Format string

const (
	OFACXML   Format = "ofac-xml"
	OFACCSV   Format = "ofac-csv" // sdn.csv (add.csv, alt.csv, sdn_comments.csv join it)
	OFACAdd   Format = "ofac-csv-add"
	OFACAlt   Format = "ofac-csv-alt"
	OFACNotes Format = "ofac-csv-comments"
	UNXML     Format = "un-xml"
	EUXML     Format = "eu-xml"
	UKXML     Format = "uk-xml"
	FtMJSON   Format = "ftm-jsonl"
)

// maxFile bounds one list file: the largest published list (EU) is ~30 MB.
const maxFile = 512 << 20

// Detect recognises the format of a list file from its first bytes and,
// for the OFAC CSV companions that look alike, its file name.
func Detect(name string, head []byte) (Format, error) {
	b := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	switch {
	case len(b) == 0:
		return "", fmt.Errorf("%s: %w: empty", name, ErrUnknownFormat)
	case b[0] == '{':
		return FtMJSON, nil
	case b[0] == '<':
		root, err := rootElement(b)
		if err != nil {
			return "", fmt.Errorf("%s: %w: %v", name, ErrUnknownFormat, err)
		}
		switch root {
		case "sdnList":
			return OFACXML, nil
		case "CONSOLIDATED_LIST":
			return UNXML, nil
		case "export":
			return EUXML, nil
		case "Designations", "ArrayOfFinancialSanctionsTarget":
			return UKXML, nil
		}
		return "", fmt.Errorf("%s: %w: XML root <%s>", name, ErrUnknownFormat, root)
	case b[0] >= '0' && b[0] <= '9':
		// The OFAC legacy CSV files have no header; each row starts with
		// ent_num. The file name tells the four apart.
		base := strings.ToLower(filepath.Base(name))
		base = strings.TrimSuffix(base, ".gz")
		switch {
		case strings.Contains(base, "comments"):
			return OFACNotes, nil
		case strings.HasPrefix(base, "add"):
			return OFACAdd, nil
		case strings.HasPrefix(base, "alt"):
			return OFACAlt, nil
		}
		return OFACCSV, nil
	}
	return "", fmt.Errorf("%s: %w", name, ErrUnknownFormat)
}

func rootElement(b []byte) (string, error) {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = false
	for {
		tok, err := d.Token()
		if err != nil {
			return "", fmt.Errorf("no root element: %w", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local, nil
		}
	}
}

// file is one input read into memory, decompressed.
type file struct {
	name   string
	data   []byte
	format Format
}

// namedReader gives a loader the file's name for its error messages.
type namedReader struct {
	*bytes.Reader
	name string
}

func (r namedReader) Name() string { return r.name }

func readFile(path string) (file, error) {
	f, err := os.Open(path)
	if err != nil {
		return file{}, fmt.Errorf("load: %w", err)
	}
	defer f.Close()
	return readNamed(path, f)
}

func readNamed(name string, r io.Reader) (file, error) {
	br := bufio.NewReader(r)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return file{}, fmt.Errorf("load: %s: gzip: %w", name, err)
		}
		defer zr.Close()
		r = zr
	} else {
		r = br
	}
	data, err := sanctions.ReadAll(r, name, maxFile)
	if err != nil {
		return file{}, err
	}
	head := data
	if len(head) > 4096 {
		head = head[:4096]
	}
	fm, err := Detect(name, head)
	if err != nil {
		return file{}, err
	}
	return file{name: name, data: data, format: fm}, nil
}

// Files loads the lists in paths. Each path is one list, except the OFAC
// legacy CSV files: add.csv, alt.csv and sdn_comments.csv given beside an
// sdn.csv join it as one list version.
func Files(paths []string) ([]*sanctions.List, error) {
	files := make([]file, 0, len(paths))
	for _, p := range paths {
		f, err := readFile(p)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return loadFiles(files)
}

// Reader loads one list from r; name is used for format detection and in
// errors. It cannot join OFAC CSV companions: use Files for those.
func Reader(name string, r io.Reader) (*sanctions.List, error) {
	f, err := readNamed(name, r)
	if err != nil {
		return nil, err
	}
	ls, err := loadFiles([]file{f})
	if err != nil {
		return nil, err
	}
	return ls[0], nil
}

func loadFiles(files []file) ([]*sanctions.List, error) {
	var csv *ofac.CSVFiles
	var companions []file
	var lists []*sanctions.List
	for _, f := range files {
		rd := namedReader{bytes.NewReader(f.data), f.name}
		var (
			l   *sanctions.List
			err error
		)
		switch f.format {
		case OFACXML:
			l, err = ofac.LoadXML(rd)
		case UNXML:
			l, err = un.Load(rd)
		case EUXML:
			l, err = eu.Load(rd)
		case UKXML:
			l, err = uk.Load(rd)
		case FtMJSON:
			l, err = ftm.Load(rd)
		case OFACCSV:
			if csv != nil {
				return nil, fmt.Errorf("load: %s: a second sdn.csv in one load; load OFAC CSV versions one at a time", f.name)
			}
			csv = &ofac.CSVFiles{SDN: rd}
			continue
		default:
			companions = append(companions, f)
			continue
		}
		if err != nil {
			return nil, err
		}
		lists = append(lists, l)
	}
	if len(companions) > 0 && csv == nil {
		return nil, fmt.Errorf("load: %s: an OFAC %s file needs its sdn.csv in the same load", companions[0].name, companions[0].format)
	}
	if csv != nil {
		for _, c := range companions {
			rd := namedReader{bytes.NewReader(c.data), c.name}
			switch c.format {
			case OFACAdd:
				csv.Add = rd
			case OFACAlt:
				csv.Alt = rd
			case OFACNotes:
				csv.Comments = rd
			}
		}
		l, err := ofac.LoadCSVFiles(*csv)
		if err != nil {
			return nil, err
		}
		lists = append(lists, l)
	}
	return lists, nil
}
