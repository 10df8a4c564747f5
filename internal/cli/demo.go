package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lookout-maritime/lookout/internal/demo"
	"github.com/lookout-maritime/lookout/internal/dossier"
	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/evidence"
	"github.com/lookout-maritime/lookout/internal/imagery"
	"github.com/lookout-maritime/lookout/internal/ingest"
	"github.com/lookout-maritime/lookout/internal/risk"
	"github.com/lookout-maritime/lookout/internal/risk/riskstore"
	"github.com/lookout-maritime/lookout/internal/sanctions/load"
	"github.com/lookout-maritime/lookout/internal/sanctions/match"
	"github.com/lookout-maritime/lookout/internal/sim"
	"github.com/lookout-maritime/lookout/internal/source"
	"github.com/lookout-maritime/lookout/internal/store"
)

func init() { register(newDemoCmd) }

// demoMarker marks a directory as written by `lookout demo`, so that a
// second run may clear it and nothing else is ever deleted.
const demoMarker = ".lookout-demo"

type demoOptions struct {
	dir     string
	seed    int64
	noServe bool
	addr    string
	asJSON  bool
}

func newDemoCmd() *cobra.Command {
	var o demoOptions
	cmd := &cobra.Command{
		Use:   "demo [--dir lookout-demo] [--no-serve]",
		Short: "The founding case in one command: the Najin shipments of autumn 2023, detected, screened and packaged",
		Long: `Demo reconstructs the case Lookout was founded for: from September to December 2023 the
US-sanctioned Russian cargo ships ANGARA, MAIA-1 and MARIA loaded containers at North Korea's
Najin port and carried them to Russia's far-east ports, their AIS off for the North Korean leg.

It generates SIMULATED AIS traffic and satellite scenes around the real ships' identities (see
docs/DEMO.md for what is real and what is not), then runs the same code paths as real data:
ingest with the streaming detectors, the real OFAC SDN list of 2024-05-03 through the normal
loader, screening, imagery matching and risk ratings; it opens a case with the findings, writes
the dossier, verifies it, prints what was found and serves the web map with the case open
(unless --no-serve). Everything goes under --dir, which a later run clears and rewrites.`,
		Example: `  lookout demo
  lookout demo --no-serve --dir /tmp/najin
  lookout demo --no-serve --json | jq .ships`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDemo(cmd, o)
		},
	}
	cmd.Flags().StringVar(&o.dir, "dir", "lookout-demo", "directory for the generated data, store, evidence and dossier")
	cmd.Flags().Int64Var(&o.seed, "seed", 1, "simulation seed (the same seed gives the same data)")
	cmd.Flags().BoolVar(&o.noServe, "no-serve", false, "stop after the dossier instead of serving the web map")
	cmd.Flags().StringVar(&o.addr, "addr", "127.0.0.1:8080", "address to serve the web map on")
	cmd.Flags().BoolVar(&o.asJSON, "json", false, "print the summary as JSON")
	return cmd
}

// demoSummary is what the demo found: printed at the end, written to
// summary.json, asserted by the end-to-end test.
type demoSummary struct {
	Simulated  bool           `json:"simulated"`
	Dir        string         `json:"dir"`
	Store      string         `json:"store"`
	Case       string         `json:"case"`
	CaseTitle  string         `json:"case_title"`
	Dossier    string         `json:"dossier"`
	Messages   int64          `json:"messages"`
	Rejected   int64          `json:"rejected"`
	Positions  int            `json:"positions"`
	Vessels    int            `json:"vessels"`
	Events     map[string]int `json:"events"`
	List       string         `json:"list"`
	Ships      []demoShip     `json:"ships"`
	LookAlike  demoLookAlike  `json:"look_alike"`
	Scenes     []demoScene    `json:"scenes"`
	Verified   bool           `json:"verified"`
	Verify     string         `json:"verify"`
	ElapsedSec float64        `json:"elapsed_s"`
	Stages     []demoStage    `json:"stages"`
}

type demoShip struct {
	Name           string          `json:"name"`
	IMO            uint32          `json:"imo"`
	MMSI           uint32          `json:"mmsi"`
	DarkLegs       int             `json:"dark_legs"` // ground truth
	DarkPortVisits []demoDarkVisit `json:"dark_port_visits"`
	Hits           []demoHit       `json:"sanctions_hits"`
	Rating         string          `json:"rating"`
	Score          float64         `json:"score"`
}

type demoDarkVisit struct {
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Top      string    `json:"top_candidate"`
	Score    float64   `json:"confidence"`
	TruePort string    `json:"true_port"` // the port the simulation sent the ship to
}

type demoHit struct {
	List    string  `json:"list"`
	Entity  string  `json:"entity"`
	Program string  `json:"program"`
	Match   string  `json:"match"`
	Score   float64 `json:"score"`
	Reasons string  `json:"reasons"`
}

type demoLookAlike struct {
	Name      string `json:"name"`
	MMSI      uint32 `json:"mmsi"`
	Resembles string `json:"resembles"`
	Hit       bool   `json:"hit"`
}

type demoScene struct {
	ID         string    `json:"id"`
	Acquired   time.Time `json:"acquired"`
	Detections int       `json:"detections"`
	Matched    int       `json:"matched"`
	Dark       []float64 `json:"dark_lengths_m"`
}

type demoStage struct {
	Name    string  `json:"name"`
	Seconds float64 `json:"seconds"`
}

// stages prints one line per stage as it finishes and keeps the timings.
type stages struct {
	w     io.Writer
	n, of int
	sum   *demoSummary
}

func (s *stages) run(name string, fn func() (string, error)) error {
	s.n++
	start := time.Now()
	note, err := fn()
	d := time.Since(start)
	if err != nil {
		fmt.Fprintf(s.w, "[%d/%d] %s: FAILED after %s\n", s.n, s.of, name, d.Round(time.Millisecond))
		return fmt.Errorf("demo: %s: %w", name, err)
	}
	fmt.Fprintf(s.w, "[%d/%d] %-28s %6.1f s  %s\n", s.n, s.of, name, d.Seconds(), note)
	s.sum.Stages = append(s.sum.Stages, demoStage{name, d.Seconds()})
	return nil
}

// prepareDemoDir makes dir empty, refusing a non-empty directory that an
// earlier demo did not write.
func prepareDemoDir(dir string) error {
	ents, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	case len(ents) > 0:
		if _, err := os.Stat(filepath.Join(dir, demoMarker)); err != nil {
			return fmt.Errorf("%s is not empty and was not written by 'lookout demo'; choose another --dir", dir)
		}
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, demoMarker), []byte("written by lookout demo; a later run clears this directory\n"), 0o644)
}

func runDemo(cmd *cobra.Command, o demoOptions) error {
	ctx := cmd.Context()
	start := time.Now()
	stderr := cmd.ErrOrStderr()
	if err := prepareDemoDir(o.dir); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	sum := &demoSummary{Simulated: true, Dir: o.dir, CaseTitle: demo.Title, Events: map[string]int{}}
	sum.Store = filepath.Join(o.dir, "lookout.duckdb")
	sum.Dossier = filepath.Join(o.dir, "dossier")
	dataDir := filepath.Join(o.dir, "data")
	imgDir := imageryDir(sum.Store)
	fmt.Fprintf(stderr, "Lookout demo: %s\nAll AIS tracks, images and detections are SIMULATED; the ships' identities, designations and ports, and some dates from public reporting, are real (docs/DEMO.md).\n", demo.Title)
	s := &stages{w: stderr, of: 9, sum: sum}

	var man sim.Manifest
	if err := s.run("simulate AIS and imagery", func() (string, error) {
		var err error
		man, err = sim.Founding(o.seed).Write(dataDir)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%d vessels, %d AIS messages, %d scenes in %s", len(man.Vessels), man.AIS.Messages, len(man.Scenes), dataDir), nil
	}); err != nil {
		return err
	}

	st, err := openStore(ctx, sum.Store, false)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer st.Close()

	if err := s.run("ingest with detectors", func() (string, error) {
		var det detectFlags
		det.profile = "gfw"
		eng, err := det.engine(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
		if err != nil {
			return "", err
		}
		specs := []string{}
		for _, f := range man.Files {
			if f.Kind == "ais-nmea" || f.Kind == "ais-csv" {
				specs = append(specs, filepath.Join(dataDir, f.Path))
			}
		}
		cfg := ingest.Config{
			Observer: eng,
			Open: func(spec string) (source.Source, error) {
				return source.New(spec, source.Options{NMEA: source.NMEAConfig{BaseStationClock: true}})
			},
		}
		res, err := ingest.Run(ctx, st, specs, cfg)
		if err != nil {
			return "", err
		}
		sum.Messages, sum.Rejected, sum.Positions = res.Decoded, res.Rejected, res.Added
		sum.Vessels = res.Track.Vessels + res.Track.Retired
		return fmt.Sprintf("%d messages, %d positions of %d vessels, %d events", res.Decoded, res.Added, sum.Vessels, res.Events), nil
	}); err != nil {
		return err
	}

	if err := s.run("load OFAC SDN list", func() (string, error) {
		l, err := load.Reader(demo.SDNFile, demo.SDN())
		if err != nil {
			return "", err
		}
		l.Published = demo.SDNPublished // the CSV carries no date; its provenance does
		v, _, err := storeListWith(ctx, st, l, func(v *store.ListVersion) { v.URL = demo.SDNURL })
		if err != nil {
			return "", err
		}
		sum.List = fmt.Sprintf("%s version %d (published %s, sha256 %s)", v.Source, v.ID, dateOr(v.Published, "?"), short(v.SHA256))
		return fmt.Sprintf("%d entries, %d vessels (%s)", v.Entities, load.Vessels(l), demo.SDNFile), nil
	}); err != nil {
		return err
	}

	if err := s.run("screen every vessel", func() (string, error) {
		evs, screened, err := screenAll(ctx, st)
		if err != nil {
			return "", err
		}
		if err := st.ReplaceEvents(ctx, []string{match.Detector}, evs); err != nil {
			return "", err
		}
		return fmt.Sprintf("%d vessels screened, %d sanctions hits", screened, len(evs)), nil
	}); err != nil {
		return err
	}

	sceneIDs := map[string]string{} // sim scene ID -> catalogue ID
	if err := s.run("register and match imagery", func() (string, error) {
		dark := 0
		for _, sc := range man.Scenes {
			if sc.Image == "" {
				continue
			}
			det := ""
			if sc.DetectionsCSV != "" {
				det = filepath.Join(dataDir, sc.DetectionsCSV)
			}
			id, rep, err := importScene(ctx, imgDir, filepath.Join(dataDir, sc.Image), det)
			if err != nil {
				return "", fmt.Errorf("scene %s: %w", sc.ID, err)
			}
			if sc.Kind == "sar" { // no detections come with radar: find the ships
				l, err := openImagery(imgDir, true)
				if err != nil {
					return "", err
				}
				if _, err := l.detect(ctx, id, imagery.DetectConfig{}); err != nil {
					return "", fmt.Errorf("scene %s: ship detection: %w", sc.ID, err)
				}
			}
			if rep != nil && rep.Rejected > 0 {
				return "", fmt.Errorf("scene %s: %d detection rows rejected", sc.ID, rep.Rejected)
			}
			sceneIDs[sc.ID] = id
			m, err := matchSceneInStore(ctx, st, imgDir, id)
			if err != nil {
				return "", fmt.Errorf("scene %s: %w", sc.ID, err)
			}
			if sc.Kind == "optical" {
				if err := annotateDark(ctx, st, imgDir, id, m, &man); err != nil {
					return "", fmt.Errorf("scene %s: %w", sc.ID, err)
				}
			}
			ds := demoScene{ID: id, Acquired: sc.Acquired, Detections: m.Detections, Matched: len(m.Matched)}
			for _, d := range m.Dark {
				ds.Dark = append(ds.Dark, d.LengthM)
			}
			dark += len(m.Dark)
			sum.Scenes = append(sum.Scenes, ds)
		}
		return fmt.Sprintf("%d scenes, %d detections without AIS", len(sum.Scenes), dark), nil
	}); err != nil {
		return err
	}

	if err := s.run("rate vessel risk", func() (string, error) {
		r, err := risk.New(risk.Config{})
		if err != nil {
			return "", err
		}
		res, err := riskstore.Update(ctx, st, r, man.End)
		if err != nil {
			return "", err
		}
		high := 0
		for _, p := range res.Profiles {
			if p.Rating.Level() >= risk.High.Level() {
				high++
			}
		}
		return fmt.Sprintf("%d vessels rated, %d high or sanctioned", res.Rated, high), nil
	}); err != nil {
		return err
	}

	if err := demoFindings(ctx, st, &man, sum); err != nil {
		return err
	}

	var caseID string
	evDir := evidenceDir("", sum.Store)
	if err := s.run("open the case", func() (string, error) {
		l, err := evidence.Open(evDir, evidence.Config{})
		if err != nil {
			return "", err
		}
		defer l.Close()
		n, err := demoCase(ctx, st, l, &man, sum, imgDir, sceneIDs)
		if err != nil {
			return "", err
		}
		caseID = sum.Case
		return fmt.Sprintf("case %s: %d evidence items", caseID, n), nil
	}); err != nil {
		return err
	}

	if err := s.run("write the dossier", func() (string, error) {
		l, err := evidence.Open(evDir, evidence.Config{})
		if err != nil {
			return "", err
		}
		defer l.Close()
		const who = "lookout demo"
		if _, err := l.Record(caseID, evidence.Custody{Action: evidence.ActionExported, Who: who, Detail: "dossier " + sum.Dossier}); err != nil {
			return "", err
		}
		c, err := buildDossier(ctx, st, l, caseID, who)
		if err != nil {
			return "", err
		}
		if err := dossierMap(ctx, c, l, imgDir); err != nil {
			return "", err
		}
		c.Summary = demoNarrative(sum)
		m, err := dossier.Write(sum.Dossier, c, dossier.Options{Sign: l.SignNote})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%d files, %d vessels, %d events, %d scenes in %s", len(m.Files), len(c.Vessels), len(c.Events), len(c.Scenes), sum.Dossier), nil
	}); err != nil {
		return err
	}

	if err := s.run("verify the dossier", func() (string, error) {
		rep, err := dossier.Verify(sum.Dossier, dossier.VerifyOptions{})
		if err != nil {
			return "", err
		}
		sum.Verified = rep.OK
		sum.Verify = fmt.Sprintf("%d files, %d evidence items, checkpoint of %d entries signed by %s", rep.Files, len(rep.Items), rep.Checkpoint.Size, rep.KeyName)
		if !rep.OK {
			return "", fmt.Errorf("verification failed: altered %v, missing %v, added %v, problems %v", rep.Altered, rep.Missing, rep.Added, rep.Problems)
		}
		return "OK: " + sum.Verify, nil
	}); err != nil {
		return err
	}

	sum.ElapsedSec = time.Since(start).Seconds()
	if b, err := json.MarshalIndent(sum, "", "  "); err == nil {
		_ = os.WriteFile(filepath.Join(o.dir, "summary.json"), append(b, '\n'), 0o644)
	}
	out := cmd.OutOrStdout()
	if o.asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(sum); err != nil {
			return err
		}
	} else {
		writeDemoSummary(out, sum)
	}
	if o.noServe {
		return nil
	}
	st.Close() // the server opens the store itself
	return serveStore(ctx, serveOptions{Addr: o.addr, StorePath: sum.Store, OpenCase: caseID, NewToken: "demo", Out: out,
		Ready: func(info serveInfo) {
			fmt.Fprintf(out, "\nThe case is open at %s\n", info.OpenURL)
			if info.Token != "" {
				fmt.Fprintf(out, "Sign in with the token %s (kept in %s). Ctrl-C stops the server.\n", info.Token, info.TokenFile)
			}
		}})
}

// demoStore is what the demo reads back to summarise.
type demoStore interface {
	Events(ctx context.Context, q store.EventQuery) ([]event.Event, error)
}

// demoFindings fills the summary from the store: per founding ship its
// dark port visits (with the ground truth beside them), sanctions hits and
// rating; the look-alike's screening; event counts.
func demoFindings(ctx context.Context, st demoStore, man *sim.Manifest, sum *demoSummary) error {
	all, err := st.Events(ctx, store.EventQuery{})
	if err != nil {
		return fmt.Errorf("demo: events: %w", err)
	}
	for _, e := range all {
		sum.Events[string(e.Kind)]++
	}
	byMMSI := map[uint32][]event.Event{}
	for _, e := range all {
		byMMSI[e.MMSI] = append(byMMSI[e.MMSI], e)
	}
	for _, v := range man.Vessels {
		if v.Role != sim.RoleSanctioned {
			continue
		}
		ship := demoShip{Name: v.Name, IMO: v.IMO, MMSI: v.MMSI}
		var legs []sim.DarkLeg
		for _, l := range man.DarkLegs {
			if l.MMSI == v.MMSI {
				legs = append(legs, l)
			}
		}
		ship.DarkLegs = len(legs)
		for _, e := range byMMSI[v.MMSI] {
			switch e.Kind {
			case event.DarkPortVisit:
				dv := demoDarkVisit{Start: e.Start, End: e.End, Score: e.Confidence}
				if len(e.Candidates) > 0 {
					dv.Top = e.Candidates[0].Port
				}
				for _, l := range legs {
					if l.Off.Before(e.End) && l.On.After(e.Start) {
						dv.TruePort = l.Port
					}
				}
				ship.DarkPortVisits = append(ship.DarkPortVisits, dv)
			case event.SanctionsHit:
				ship.Hits = append(ship.Hits, demoHit{List: str(e.Details["list"]), Entity: str(e.Details["entity_name"]),
					Program: str(e.Details["program"]), Match: str(e.Details["match"]), Score: e.Confidence, Reasons: e.Explanation})
			case event.RiskChange:
				ship.Rating, ship.Score = str(e.Details["new_rating"]), num(e.Details["new_score"])
			}
		}
		sum.Ships = append(sum.Ships, ship)
	}
	la := man.LookAlike
	sum.LookAlike = demoLookAlike{Name: la.Name, MMSI: la.MMSI, Resembles: la.Resembles}
	for _, e := range byMMSI[la.MMSI] {
		if e.Kind == event.SanctionsHit {
			sum.LookAlike.Hit = true
		}
	}
	return nil
}

func str(v any) string {
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

func num(v any) float64 {
	f, _ := v.(float64)
	return f
}

// demoCase opens the case and adds the findings: the three ships'
// snapshots, their dark port visits and sanctions hits, the imagery with
// its dark detections, the sanctions list as published, and a note.
func demoCase(ctx context.Context, st store.Store, l *evidence.Log, man *sim.Manifest, sum *demoSummary, imgDir string, sceneIDs map[string]string) (int, error) {
	const who = "lookout demo"
	c, err := l.NewCase(demo.Title, who)
	if err != nil {
		return 0, err
	}
	sum.Case = c.ID
	n := 0
	add := func(it evidence.Item, data []byte) error {
		if _, err := l.Add(c.ID, it, who, strings.NewReader(string(data))); err != nil {
			return fmt.Errorf("case %s: add %s %s: %w", c.ID, it.Kind, it.Ref, err)
		}
		n++
		return nil
	}
	if err := add(evidence.Item{Kind: evidence.KindNote, MediaType: "text/plain; charset=utf-8",
		Description: "How this case was made"}, []byte(demoNarrative(sum))); err != nil {
		return n, err
	}
	for _, ship := range sum.Ships {
		snap, err := vesselSnapshot(ctx, st, fmt.Sprint(ship.MMSI))
		if err != nil {
			return n, err
		}
		it, data, err := snapshotItem(snap, sum.Store)
		if err != nil {
			return n, err
		}
		if err := add(it, data); err != nil {
			return n, err
		}
		evs, err := st.Events(ctx, store.EventQuery{MMSI: ship.MMSI, Kinds: []event.Kind{event.DarkPortVisit, event.SanctionsHit}})
		if err != nil {
			return n, err
		}
		for i := range evs {
			it, data, err := eventItem(&evs[i])
			if err != nil {
				return n, err
			}
			if err := add(it, data); err != nil {
				return n, err
			}
		}
	}
	ids := make([]string, 0, len(sceneIDs))
	for _, id := range sceneIDs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		it, data, err := sceneItem(ctx, imgDir, id)
		if err != nil {
			return n, err
		}
		if err := add(it, data); err != nil {
			return n, err
		}
	}
	dark, err := st.Events(ctx, store.EventQuery{Kinds: []event.Kind{event.DarkDetection}})
	if err != nil {
		return n, err
	}
	for i := range dark {
		it, data, err := eventItem(&dark[i])
		if err != nil {
			return n, err
		}
		if err := add(it, data); err != nil {
			return n, err
		}
	}
	sdn, err := io.ReadAll(demo.SDN())
	if err != nil {
		return n, err
	}
	if err := add(evidence.Item{Kind: evidence.KindFile, MediaType: "application/gzip", FileName: demo.SDNFile, Ref: demo.SDNFile,
		Source:      "US Treasury OFAC, Specially Designated Nationals list (legacy CSV), as published 2024-05-03",
		Description: "The sanctions list the screening used"}, sdn); err != nil {
		return n, err
	}
	return n, nil
}

// demoNarrative is the investigator's account at the top of the dossier.
func demoNarrative(sum *demoSummary) string {
	var b strings.Builder
	b.WriteString("SIMULATED DEMONSTRATION. This case reconstructs the pattern of the shipments publicly reported between Najin (DPRK) and Russia's far-east ports from September to December 2023. The AIS positions, satellite scenes and detections are simulated; the vessels' names, IMO numbers and sanctions designations are real public facts.\n\n")
	for _, s := range sum.Ships {
		top := map[string]int{}
		for _, v := range s.DarkPortVisits {
			top[v.Top]++
		}
		fmt.Fprintf(&b, "%s (IMO %d): %d dark port visits inferred (top candidates: %s); %d sanctions hits.\n\n", s.Name, s.IMO, len(s.DarkPortVisits), countList(top), len(s.Hits))
	}
	dark := 0
	for _, sc := range sum.Scenes {
		dark += len(sc.Dark)
	}
	fmt.Fprintf(&b, "%d satellite scenes over Najin show %d vessels with no AIS transmission matching them.\n", len(sum.Scenes), dark)
	fmt.Fprintf(&b, "\nScreening used %s.", sum.List)
	return b.String()
}

func countList(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s ×%d", orDash(k), m[k])
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func writeDemoSummary(w io.Writer, sum *demoSummary) {
	fmt.Fprintf(w, "\n%s\n\n", demo.Title)
	fmt.Fprintf(w, "AIS: %d messages (%d rejected), %d positions of %d vessels\n", sum.Messages, sum.Rejected, sum.Positions, sum.Vessels)
	kinds := make([]string, 0, len(sum.Events))
	for k := range sum.Events {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	fmt.Fprintf(w, "Events:")
	for _, k := range kinds {
		fmt.Fprintf(w, " %s %d,", k, sum.Events[k])
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w)
	for _, s := range sum.Ships {
		fmt.Fprintf(w, "%s  IMO %d  MMSI %d  rating %s\n", s.Name, s.IMO, s.MMSI, orDash(s.Rating))
		for _, h := range s.Hits {
			fmt.Fprintf(w, "  sanctioned: %s %s (%s), %s match, score %.2f\n", h.List, h.Entity, h.Program, h.Match, h.Score)
		}
		for _, v := range s.DarkPortVisits {
			fmt.Fprintf(w, "  dark %s to %s, most likely at %s (%.2f)\n", v.Start.Format("2006-01-02 15:04"), v.End.Format("2006-01-02 15:04"), orDash(v.Top), v.Score)
		}
	}
	hit := "not a sanctions hit"
	if sum.LookAlike.Hit {
		hit = "FLAGGED as a sanctions hit"
	}
	fmt.Fprintf(w, "\nLook-alike %s (resembles %s): %s\n", sum.LookAlike.Name, sum.LookAlike.Resembles, hit)
	for _, sc := range sum.Scenes {
		fmt.Fprintf(w, "Scene %s %s: %d detections, %d matched to AIS, dark: %v m\n", sc.ID, sc.Acquired.Format("2006-01-02"), sc.Detections, sc.Matched, sc.Dark)
	}
	fmt.Fprintf(w, "\nCase %s, dossier %s (verified: %v; %s)\n", sum.Case, sum.Dossier, sum.Verified, sum.Verify)
	fmt.Fprintf(w, "Done in %.1f s. Open %s/index.html in a browser, or check it with: lookout verify %s\n", sum.ElapsedSec, sum.Dossier, sum.Dossier)
}

// annotateDark marks each dark detection of a photo the way an analyst
// would: "possibly ANGARA" where its length fits, within 15 %, the length
// a designated ship of the case broadcasts on AIS.
func annotateDark(ctx context.Context, st store.Store, imgDir, sceneID string, m *sceneMatch, man *sim.Manifest) error {
	type ship struct {
		name      string
		mmsi, imo uint32
		length    float64
	}
	var ships []ship
	for _, v := range man.Vessels {
		if v.Role != sim.RoleSanctioned {
			continue
		}
		h, err := st.Vessel(ctx, v.MMSI)
		if err != nil || h.Latest == nil || h.Latest.Length == 0 {
			continue
		}
		ships = append(ships, ship{h.Latest.Name, v.MMSI, h.Latest.IMO, float64(h.Latest.Length)})
	}
	l, err := openImagery(imgDir, true)
	if err != nil {
		return err
	}
	sc, err := l.cat.Scene(ctx, sceneID)
	if err != nil {
		return err
	}
	for _, d := range m.Dark {
		best, off := -1, 0.15
		for i, sh := range ships {
			if r := math.Abs(d.LengthM-sh.length) / sh.length; r <= off {
				best, off = i, r
			}
		}
		if best < 0 {
			continue
		}
		sh := ships[best]
		a := imagery.Annotation{SceneID: sceneID, Kind: "point", Label: "possibly " + sh.name, Author: "lookout demo",
			Time: time.Now().UTC(), MMSI: sh.mmsi, IMO: sh.imo,
			Note: fmt.Sprintf("detection %s: %.0f m long, %s broadcasts %.0f m; no AIS position explains it (dark detection)", d.Detection, d.LengthM, sh.name, sh.length)}
		if a.X, a.Y, _, err = imageFraction(sc, d.Lat, d.Lon); err != nil {
			return err
		}
		if err := l.cat.PutAnnotation(ctx, a); err != nil {
			return err
		}
	}
	return nil
}
