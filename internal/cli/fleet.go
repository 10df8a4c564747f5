package cli

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/risk"
	"github.com/lookout-maritime/lookout/internal/risk/riskstore"
	"github.com/lookout-maritime/lookout/internal/sanctions/match"
	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// fleetOpts are the flags of `lookout screen --fleet`.
type fleetOpts struct {
	file, out, policy, at string
	json                  bool
}

// fleetStore is what fleet screening reads.
type fleetStore interface {
	listStore
	riskstore.Reader
}

// fleetReport is the JSON form of a screened fleet file.
type fleetReport struct {
	File     string            `json:"file"`
	At       time.Time         `json:"at"`
	Policy   string            `json:"policy"`
	Lists    []fleetList       `json:"lists"`
	Rows     int               `json:"rows"`
	BadRows  int               `json:"bad_rows"`
	Warnings int               `json:"warnings"`
	Issues   []risk.FleetIssue `json:"issues"`
	Ratings  map[string]int    `json:"ratings"`
	WithHits int               `json:"with_sanctions_hits"`
	Vessels  []fleetVesselOut  `json:"vessels"`
	index    map[string]fleetList
}

type fleetList struct {
	Source    string `json:"source"`
	Version   int64  `json:"version"`
	SHA256    string `json:"sha256"`
	Published string `json:"published,omitempty"`
}

// fleetVesselOut is one row of the fleet file, screened and rated.
type fleetVesselOut struct {
	Line       int           `json:"line"`
	Input      risk.FleetRow `json:"input"`
	Matched    *fleetMatch   `json:"matched,omitempty"`
	Rating     risk.Rating   `json:"rating"`
	Score      float64       `json:"score"`
	TopFactors []risk.Factor `json:"top_factors"`
	Hits       []fleetHitOut `json:"sanctions_hits"`
	Notes      []string      `json:"notes,omitempty"`
}

// fleetMatch is the stored vessel a row was recognised as.
type fleetMatch struct {
	MMSI     uint32    `json:"mmsi"`
	IMO      uint32    `json:"imo,omitempty"`
	Name     string    `json:"name,omitempty"`
	Flag     string    `json:"flag,omitempty"`
	By       string    `json:"by"` // "mmsi" or "imo"
	LastSeen time.Time `json:"last_seen,omitzero"`
}

type fleetHitOut struct {
	List            string   `json:"list"`
	ListVersion     int64    `json:"list_version"`
	EntityID        string   `json:"entity_id"`
	Entity          string   `json:"entity"`
	Program         string   `json:"program"`
	Kind            string   `json:"kind"`
	Score           float64  `json:"score"`
	DesignationDate string   `json:"designation_date,omitempty"`
	Reasons         []string `json:"reasons"`
}

// screenFleet screens and rates every row of a fleet file.
func screenFleet(cmd *cobra.Command, storeFlag string, o fleetOpts) error {
	at, err := parseAt(o.at)
	if err != nil {
		return err
	}
	policy, err := loadPolicy(o.policy)
	if err != nil {
		return err
	}
	r, err := risk.New(risk.Config{Policy: policy})
	if err != nil {
		return err
	}
	ff, err := readFleetFile(cmd, o.file)
	if err != nil {
		return err
	}
	errOut := cmd.ErrOrStderr()
	for _, is := range ff.Issues {
		fmt.Fprintf(errOut, "lookout: %v\n", is)
	}
	if n := ff.Bad + ff.Warnings - len(ff.Issues); n > 0 {
		fmt.Fprintf(errOut, "lookout: %s: %d more problems not shown\n", ff.File, n)
	}
	st, err := openReadOnly(cmd, storeFlag)
	if err != nil {
		return err
	}
	defer st.Close()
	rep, err := rateFleet(cmd.Context(), st, r, ff, at)
	if err != nil {
		return err
	}

	if o.out != "" {
		var c, j bytes.Buffer
		if err := writeFleetCSV(&c, rep); err != nil {
			return err
		}
		if err := writeFleetJSON(&j, rep); err != nil {
			return err
		}
		for _, f := range []struct {
			path string
			b    []byte
		}{{o.out + ".csv", c.Bytes()}, {o.out + ".json", j.Bytes()}} {
			if err := os.WriteFile(f.path, f.b, 0o644); err != nil {
				return fmt.Errorf("fleet report: %w", err)
			}
		}
	}
	out := cmd.OutOrStdout()
	switch {
	case o.json:
		if err := writeFleetJSON(out, rep); err != nil {
			return err
		}
	case o.out == "":
		if err := writeFleetCSV(out, rep); err != nil {
			return err
		}
	}
	var parts []string
	for _, rt := range slices.Backward(risk.Ratings) {
		parts = append(parts, fmt.Sprintf("%d %s", rep.Ratings[string(rt)], rt))
	}
	written := ""
	if o.out != "" {
		written = fmt.Sprintf("; wrote %s.csv and %s.json", o.out, o.out)
	}
	fmt.Fprintf(errOut, "screened %d vessels from %s (%d bad rows skipped, %d warnings): %s; %d with sanctions hits%s\n",
		rep.Rows, ff.File, ff.Bad, ff.Warnings, strings.Join(parts, ", "), rep.WithHits, written)
	return nil
}

func readFleetFile(cmd *cobra.Command, path string) (*risk.FleetFile, error) {
	if path == "-" {
		return risk.ReadFleet(cmd.InOrStdin(), "stdin")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("fleet file: %w", err)
	}
	defer f.Close()
	return risk.ReadFleet(f, path)
}

// rateFleet screens every row against the newest stored lists and rates
// it with what the store knows of the vessel (matched by MMSI, else by
// IMO) plus the row's own identity: its IMO (check digit), its flag (a
// flag of convenience, or one the MMSI contradicts) and its fresh
// sanctions hits.
func rateFleet(ctx context.Context, st fleetStore, r *risk.Rater, ff *risk.FleetFile, at time.Time) (*fleetReport, error) {
	sc, err := newScreener(ctx, st)
	if err != nil {
		return nil, err
	}
	snap, err := riskstore.Load(ctx, st, at)
	if err != nil {
		return nil, err
	}
	// The store's ratings, for encounters with the fleet's vessels.
	profs := riskstore.Rate(r, snap)
	ratings := make(risk.CounterpartyMap, len(profs))
	for _, p := range profs {
		ratings[p.MMSI] = p.Rating
	}
	rr := r.WithCounterparties(ratings)

	rep := &fleetReport{File: ff.File, At: at, Policy: r.Policy().ID(), Rows: len(ff.Rows), BadRows: ff.Bad, Warnings: ff.Warnings,
		Issues: ff.Issues, Ratings: map[string]int{}, index: map[string]fleetList{}}
	for _, rt := range risk.Ratings {
		rep.Ratings[string(rt)] = 0
	}
	if rep.Issues == nil {
		rep.Issues = []risk.FleetIssue{}
	}
	for _, v := range sc.versions {
		l := fleetList{Source: v.Source, Version: v.ID, SHA256: v.SHA256}
		if !v.Published.IsZero() {
			l.Published = v.Published.UTC().Format(time.RFC3339)
		}
		rep.Lists = append(rep.Lists, l)
		rep.index[v.Source] = l
	}
	slices.SortFunc(rep.Lists, func(a, b fleetList) int { return cmp.Compare(a.Source, b.Source) })

	queries := make([]match.VesselQuery, len(ff.Rows))
	for i, row := range ff.Rows {
		q := match.VesselQuery{Name: row.Name, Flag: row.Flag}
		if row.IMO != 0 {
			q.IMO = strconv.FormatUint(uint64(row.IMO), 10)
		}
		if row.MMSI != 0 {
			q.MMSI = fmt.Sprintf("%09d", row.MMSI)
		}
		queries[i] = q
	}
	rowHits := sc.ix.ScreenAll(queries, 0)

	for i, row := range ff.Rows {
		vo := fleetVesselOut{Line: row.Line, Input: row, Hits: []fleetHitOut{}}
		in := risk.Input{MMSI: row.MMSI, IMO: row.IMO, Name: row.Name, RegisteredFlag: row.Flag}
		var history []vessel.Identity
		if k := matchFleetRow(snap, row); k >= 0 {
			sin := &snap.Inputs[k]
			m := &fleetMatch{MMSI: sin.MMSI, By: "mmsi", LastSeen: snap.Summary[k].LastSeen}
			if row.MMSI != sin.MMSI {
				m.By = "imo"
			}
			if n := len(sin.History); n > 0 {
				last := sin.History[n-1]
				m.IMO, m.Name, m.Flag = last.IMO, last.Name, last.Flag
			}
			vo.Matched = m
			history = sin.History
			in.MMSI, in.History, in.Events = sin.MMSI, sin.History, slices.Clone(sin.Events)
			if row.IMO != 0 && m.IMO != 0 && row.IMO != m.IMO {
				vo.Notes = append(vo.Notes, fmt.Sprintf("the file gives IMO %d, the vessel broadcasts IMO %d", row.IMO, m.IMO))
			}
			if row.Name != "" && m.Name != "" && !strings.EqualFold(strings.Join(strings.Fields(row.Name), " "), m.Name) &&
				!slices.ContainsFunc(history, func(id vessel.Identity) bool { return strings.EqualFold(id.Name, row.Name) }) {
				vo.Notes = append(vo.Notes, fmt.Sprintf("the file names it %q, AIS %q", row.Name, m.Name))
			}
		} else if row.MMSI != 0 || row.IMO != 0 {
			vo.Notes = append(vo.Notes, "not in the store: rated on the file's identity and the lists alone")
		} else {
			vo.Notes = append(vo.Notes, "no IMO or MMSI: screened by name only, not rated on behaviour")
		}

		// Hits on the row as given and, for a known vessel, on every
		// identity it was seen with (a renamed vessel is found by its
		// former name); one per list entity, the best.
		hits := alerting(rowHits[i])
		if len(history) > 0 {
			hits = append(hits, alerting(sc.ix.ScreenIdentityHistory(history))...)
		}
		hits = bestPerEntity(hits)
		stored := map[string]bool{}
		for _, e := range in.Events {
			if e.Kind == event.SanctionsHit {
				stored[fmt.Sprint(e.Details["list"])+"|"+fmt.Sprint(e.Details["entity_id"])] = true
			}
		}
		for _, h := range hits {
			vo.Hits = append(vo.Hits, fleetHit(h, rep.index[string(h.List)].Version))
			if stored[string(h.List)+"|"+h.EntityID] {
				continue // the store's screening already counts it
			}
			hist := history
			if h.Identity < 0 {
				hist = nil // the row's identity, not the store's
			}
			e := sc.ix.HitEvent(h, in.MMSI, hist, sc.info(h), 0, 0)
			e.Key = event.MakeKey("fleet", event.SanctionsHit, row.Line, string(h.List), h.EntityID)
			if e.Name == "" { // the row's identity: name the vessel as the file does
				e.Name, e.IMO = row.Name, row.IMO
			}
			in.Events = append(in.Events, e)
		}
		if len(vo.Hits) > 0 {
			rep.WithHits++
		}
		p := rr.Rate(in, at)
		vo.Rating, vo.Score, vo.TopFactors = p.Rating, float64(int64(p.Score*10+0.5))/10, p.Top(5)
		if vo.TopFactors == nil {
			vo.TopFactors = []risk.Factor{}
		}
		rep.Ratings[string(p.Rating)]++
		rep.Vessels = append(rep.Vessels, vo)
	}
	if rep.Vessels == nil {
		rep.Vessels = []fleetVesselOut{}
	}
	return rep, nil
}

// matchFleetRow finds the stored vessel of a row: its MMSI when the store
// knows it, else the MMSI most recently seen broadcasting its IMO; -1
// when neither.
func matchFleetRow(snap *riskstore.Snapshot, row risk.FleetRow) int {
	if row.MMSI != 0 {
		if k := snap.Index(row.MMSI); k >= 0 {
			return k
		}
	}
	if row.IMO == 0 {
		return -1
	}
	best := -1
	for _, k := range snap.ByIMO(row.IMO) {
		if best < 0 || snap.Summary[k].LastSeen.After(snap.Summary[best].LastSeen) {
			best = k
		}
	}
	return best
}

func alerting(hs []match.Hit) []match.Hit {
	out := make([]match.Hit, 0, len(hs))
	for _, h := range hs {
		if h.Alert {
			out = append(out, h)
		}
	}
	return out
}

// bestPerEntity keeps the strongest hit per list entity and kind,
// strongest first.
func bestPerEntity(hs []match.Hit) []match.Hit {
	slices.SortStableFunc(hs, func(a, b match.Hit) int { return cmp.Compare(b.Score, a.Score) })
	seen := map[string]bool{}
	out := hs[:0]
	for _, h := range hs {
		k := string(h.Kind) + "|" + string(h.List) + "|" + h.EntityID
		if !seen[k] {
			seen[k] = true
			out = append(out, h)
		}
	}
	return out
}

func fleetHit(h match.Hit, version int64) fleetHitOut {
	o := fleetHitOut{List: string(h.List), ListVersion: version, EntityID: h.EntityID, Entity: h.Name,
		Program: strings.Join(h.Programs, " "), Kind: string(h.Kind), Score: h.Score, Reasons: []string{}}
	if !h.DesignationDate.IsZero() {
		o.DesignationDate = h.DesignationDate.UTC().Format("2006-01-02")
	}
	for _, r := range h.Reasons {
		if r.Field == "identity" {
			o.Reasons = append(o.Reasons, r.Note)
			continue
		}
		o.Reasons = append(o.Reasons, fmt.Sprintf("%s %q ~ %q %+.2f", r.Field, r.Query, r.Listed, r.Strength))
	}
	return o
}

func writeFleetJSON(w io.Writer, rep *fleetReport) error {
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// fleetCSVHeader: the columns of the fleet CSV.
var fleetCSVHeader = []string{"line", "imo", "mmsi", "name", "flag", "matched_mmsi", "matched_imo", "matched_name", "matched_by",
	"rating", "score", "top_factors", "sanctions_hits", "notes"}

func writeFleetCSV(w io.Writer, rep *fleetReport) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(fleetCSVHeader); err != nil {
		return err
	}
	num := func(n uint32) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatUint(uint64(n), 10)
	}
	for _, v := range rep.Vessels {
		var mm, mi, mn, by string
		if m := v.Matched; m != nil {
			mm, mi, mn, by = num(m.MMSI), num(m.IMO), m.Name, m.By
		}
		flag := v.Input.Flag
		if flag == "" {
			flag = v.Input.FlagInput
		}
		factors := make([]string, 0, len(v.TopFactors))
		for _, f := range v.TopFactors {
			factors = append(factors, fmt.Sprintf("%s %+.1f: %s", f.Kind, f.Contribution, strings.TrimSuffix(f.Explanation, ".")))
		}
		hits := make([]string, 0, len(v.Hits))
		for _, h := range v.Hits {
			hits = append(hits, fmt.Sprintf("%s v%d %s %s (%s) %.2f: %s", h.List, h.ListVersion, h.EntityID, h.Entity, h.Program, h.Score,
				strings.Join(h.Reasons, "; ")))
		}
		rec := []string{strconv.Itoa(v.Line), num(v.Input.IMO), num(v.Input.MMSI), v.Input.Name, flag, mm, mi, mn, by,
			string(v.Rating), strconv.FormatFloat(v.Score, 'f', 1, 64), strings.Join(factors, " | "), strings.Join(hits, " | "),
			strings.Join(v.Notes, "; ")}
		for i := range rec {
			rec[i] = csvSafe(rec[i])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe defuses cells a spreadsheet would run as a formula (names come
// from outside: a fleet file, AIS, a list).
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return "'" + s
		}
	}
	return s
}

// fleetStore must be satisfied by the stores openStore returns.
var _ fleetStore = store.Store(nil)
