package sanctionsbench

import (
	"bytes"
	"encoding/csv"
	"io"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/moov-io/iso3166"
	"github.com/moov-io/watchman/pkg/download"
	"github.com/moov-io/watchman/pkg/search"
	wofac "github.com/moov-io/watchman/pkg/sources/ofac"

	"github.com/lookout-maritime/lookout/internal/sanctions/match"
)

// Watchman is moov-io/watchman v0.51.0's search over an OFAC SDN file,
// used the way its server does (internal/search/service.go): every list
// entity scored with search.Similarity against the normalised query.
type Watchman struct {
	Entities []search.Entity[search.Value]
}

// NewWatchman reads sdn.csv and alt.csv bytes with watchman's own OFAC
// reader and mapper.
func NewWatchman(sdn, alt []byte) (*Watchman, error) {
	files := download.Files{"sdn.csv": io.NopCloser(bytes.NewReader(sdn))}
	if alt != nil {
		files["alt.csv"] = io.NopCloser(bytes.NewReader(alt))
	}
	res, err := wofac.Read(files)
	if err != nil {
		return nil, err
	}
	ents := wofac.GroupIntoEntities(res.SDNs, nil, nil, res.AlternateIdentities)
	for i := range ents {
		ents[i] = ents[i].Normalize()
	}
	return &Watchman{Entities: ents}, nil
}

// DeriveAlt writes the alt.csv that OFAC publishes beside sdn.csv (aliases
// and former names, one row each) from the a.k.a./f.k.a./n.k.a. items of
// sdn.csv's remarks, which carry the same names. The test extract has
// sdn.csv rows only; watchman reads names from alt.csv, not from remarks,
// so both matchers get this file.
func DeriveAlt(sdn []byte) []byte {
	r := csv.NewReader(bytes.NewReader(bytes.TrimRight(sdn, "\x1a\r\n")))
	r.FieldsPerRecord = -1
	var out bytes.Buffer
	w := csv.NewWriter(&out)
	w.UseCRLF = true
	n := 0
	for {
		rec, err := r.Read()
		if err != nil {
			break
		}
		if len(rec) < 12 {
			continue
		}
		for _, m := range altRe.FindAllStringSubmatch(rec[11], -1) {
			n++
			w.Write([]string{rec[0], strconv.Itoa(n), m[1] + "ka", m[2], "-0- "})
		}
	}
	w.Flush()
	return out.Bytes()
}

var altRe = regexp.MustCompile(`\b([afn])\.k\.a\. '([^']+)'`)

// Query turns a VesselQuery into a watchman vessel query: IMO as digits
// (as its OFAC mapper stores them) and the flag as its country name.
func Query(q match.VesselQuery) search.Entity[search.Value] {
	imo := strings.TrimSpace(strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(q.IMO)), "IMO"))
	flag := strings.TrimSpace(q.Flag)
	if len(flag) == 2 {
		flag = iso3166.GetName(strings.ToUpper(flag))
	} else if c := iso3166.LookupCode(flag); c != "" {
		flag = iso3166.GetName(c)
	}
	e := search.Entity[search.Value]{
		Name:   q.Name,
		Type:   search.EntityVessel,
		Source: search.SourceAPIRequest,
		Vessel: &search.Vessel{Name: q.Name, IMONumber: strings.TrimLeft(imo, ": "), MMSI: q.MMSI, CallSign: q.CallSign, Flag: flag},
	}
	return e.Normalize()
}

// Scored is one watchman result.
type Scored struct {
	ID    string
	Name  string
	Type  search.EntityType
	Score float64
}

// Search scores every entity and returns the vessel entities scoring at
// least min, best first.
func (w *Watchman) Search(q match.VesselQuery, min float64) []Scored {
	wq := Query(q)
	var out []Scored
	for i := range w.Entities {
		e := &w.Entities[i]
		if e.Type != search.EntityVessel {
			continue
		}
		if s := search.Similarity(wq, *e); s >= min {
			out = append(out, Scored{e.SourceID, e.Name, e.Type, s})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out
}

// SearchAll runs Search for every query on GOMAXPROCS goroutines.
func (w *Watchman) SearchAll(qs []match.VesselQuery, min float64) [][]Scored {
	out := make([][]Scored, len(qs))
	var wg sync.WaitGroup
	next := make(chan int)
	for k := 0; k < runtime.GOMAXPROCS(0); k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = w.Search(qs[i], min)
			}
		}()
	}
	for i := range qs {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}
