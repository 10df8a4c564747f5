// Package evalset reads the labelled screening queries of
// internal/sanctions/testdata/eval.jsonl and scores predictions against
// them, for the matcher's quality test and the comparison benchmark.
package evalset

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/lookout-maritime/lookout/internal/sanctions/match"
)

// Query is one labelled query.
type Query struct {
	ID       string `json:"id"`
	Category string `json:"category"`
	Query    struct {
		Name     string `json:"name"`
		IMO      string `json:"imo"`
		MMSI     string `json:"mmsi"`
		CallSign string `json:"callsign"`
		Flag     string `json:"flag"`
	} `json:"query"`
	Expect string `json:"expect"` // the list's entity ID, or "none"
	Note   string `json:"note"`
}

// VesselQuery returns the query to screen.
func (q *Query) VesselQuery() match.VesselQuery {
	return match.VesselQuery{Name: q.Query.Name, IMO: q.Query.IMO, MMSI: q.Query.MMSI, CallSign: q.Query.CallSign, Flag: q.Query.Flag}
}

// Read reads JSON lines.
func Read(r io.Reader) ([]Query, error) {
	var qs []Query
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		if len(sc.Bytes()) == 0 {
			continue
		}
		var q Query
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			return nil, fmt.Errorf("evalset: line %d: %w", n, err)
		}
		qs = append(qs, q)
	}
	return qs, sc.Err()
}

// ReadFile reads a JSON-lines file.
func ReadFile(path string) ([]Query, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(f)
}

// Counts are micro-averaged over (query, entity) pairs: a query's
// predicted set is the entities it alerts on, its gold set the expected
// entity (empty for "none"). Each predicted entity other than the expected
// one is a false positive; a missed expected entity a false negative.
type Counts struct{ TP, FP, FN, N int }

// Add scores one query's predictions; it reports whether they were exact.
func (c *Counts) Add(expect string, predicted []string) bool {
	c.N++
	hit, fp := false, 0
	for _, id := range predicted {
		if id == expect {
			hit = true
		} else {
			fp++
		}
	}
	c.FP += fp
	if expect != "none" {
		if hit {
			c.TP++
		} else {
			c.FN++
		}
	}
	return fp == 0 && (expect == "none" || hit)
}

// PRF returns precision, recall and F1.
func (c Counts) PRF() (p, r, f float64) {
	if c.TP+c.FP > 0 {
		p = float64(c.TP) / float64(c.TP+c.FP)
	}
	if c.TP+c.FN > 0 {
		r = float64(c.TP) / float64(c.TP+c.FN)
	}
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	return p, r, f
}

// Alerts returns the entity IDs of the alerting listed-vessel hits.
func Alerts(hits []match.Hit) []string {
	var ids []string
	for _, h := range hits {
		if h.Alert && h.Kind == match.KindListed {
			ids = append(ids, h.EntityID)
		}
	}
	return ids
}
