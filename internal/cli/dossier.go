package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lookout-maritime/lookout/internal/coast"
	"github.com/lookout-maritime/lookout/internal/dossier"
	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/evidence"
	"github.com/lookout-maritime/lookout/internal/gazetteer"
	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

func newDossierCmd() *cobra.Command {
	var f caseFlags
	var outDir, summary string
	var zip bool
	cmd := &cobra.Command{
		Use:   "dossier CASE -o DIR",
		Short: "Export a case as a self-contained dossier anyone can verify offline",
		Long: `Dossier writes DIR (or DIR as a .zip with --zip): index.html (opens from disk, no network:
map, timeline, events with their explanations and parameters, imagery, sanctions
designations), report.pdf (the same, paginated for an annex), case.geojson, case.kml,
events.csv, evidence/ (the files), proofs/ (signed checkpoint, public key, an inclusion proof
per item) and manifest.json (every file's SHA-256, signed). The export is logged in the case's
chain of custody. 'lookout verify DIR' checks it.`,
		Example: `  lookout dossier C1 -o najin-dossier
  lookout dossier C1 -o najin-dossier.zip --zip`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if outDir == "" {
				return usageError{fmt.Errorf("-o DIR is required")}
			}
			l, err := f.open()
			if err != nil {
				return err
			}
			defer l.Close()
			st, err := openReadOnly(cmd, f.store)
			if err != nil {
				return err
			}
			defer st.Close()
			who := whoAmI(f.who)
			// The export is itself custody: log it first, so the dossier's
			// checkpoint covers the record of its own making.
			if _, err := l.Record(args[0], evidence.Custody{Action: evidence.ActionExported, Who: who, Detail: "dossier " + outDir}); err != nil {
				return err
			}
			c, err := buildDossier(cmd.Context(), st, l, args[0], who)
			if err != nil {
				return err
			}
			if err := dossierMap(cmd.Context(), c, l, imageryDir(storePath(f.store))); err != nil {
				return err
			}
			c.Summary = summary
			opt := dossier.Options{Sign: l.SignNote}
			var m *dossier.Manifest
			if zip {
				fh, err := os.Create(outDir)
				if err != nil {
					return err
				}
				if m, err = dossier.WriteZip(fh, c, opt); err != nil {
					fh.Close()
					return err
				}
				if err := fh.Close(); err != nil {
					return err
				}
			} else if m, err = dossier.Write(outDir, c, opt); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "dossier of %s written to %s: %d files, %d evidence items, %d vessels, %d events\n",
				args[0], outDir, len(m.Files), len(c.Items), len(c.Vessels), len(c.Events))
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().StringVarP(&outDir, "output", "o", "", "directory to write (must not exist or be empty), or the zip file with --zip")
	cmd.Flags().BoolVar(&zip, "zip", false, "write one zip file instead of a directory")
	cmd.Flags().StringVar(&summary, "summary", "", "the investigator's account, printed at the top (blank lines separate paragraphs)")
	return cmd
}

// dossierStore is what a dossier reads from the store.
type dossierStore interface {
	snapshotStore
	Track(ctx context.Context, mmsi uint32, from, to time.Time) ([]vessel.TrackPoint, error)
	Event(ctx context.Context, id int64) (event.Event, error)
}

// buildDossier assembles a case's dossier from the evidence log (items,
// proofs, custody) and the store (each vessel item's current identity
// history, track and events; the events items name).
func buildDossier(ctx context.Context, st dossierStore, l *evidence.Log, caseID, who string) (*dossier.Case, error) {
	c := &dossier.Case{Generated: time.Now().UTC(), Author: who}
	if err := dossier.FromLog(l, caseID, c); err != nil {
		return nil, err
	}
	c.Simulated = strings.Contains(c.Title, "SIMULATED")
	if c.Simulated {
		c.SimulatedNote = "The AIS positions and satellite scenes in this case are SIMULATED for demonstration (lookout demo); the vessels' identities and sanctions designations are real public facts."
	}
	seenEvent := map[string]bool{}
	addEvent := func(e event.Event) {
		if !seenEvent[e.Key] {
			seenEvent[e.Key] = true
			c.Events = append(c.Events, e)
		}
	}
	seenVessel := map[uint32]bool{}
	for _, it := range c.Items {
		switch it.Kind {
		case evidence.KindVessel:
			mmsi, ok := strings.CutPrefix(it.Ref, "MMSI ")
			n, err := strconv.ParseUint(mmsi, 10, 32)
			if !ok || err != nil || seenVessel[uint32(n)] {
				continue
			}
			seenVessel[uint32(n)] = true
			v, evs, err := dossierVessel(ctx, st, uint32(n))
			if err != nil {
				return nil, fmt.Errorf("dossier: vessel %s: %w", it.Ref, err)
			}
			c.Vessels = append(c.Vessels, v)
			for _, e := range evs {
				addEvent(e)
			}
		case evidence.KindEvent:
			var id int64
			if _, err := fmt.Sscanf(it.Ref, "event %d", &id); err != nil {
				continue
			}
			if e, err := st.Event(ctx, id); err == nil {
				addEvent(e)
			}
		}
	}
	sort.SliceStable(c.Events, func(i, j int) bool { return c.Events[i].Start.Before(c.Events[j].Start) })
	return c, nil
}

func dossierVessel(ctx context.Context, st dossierStore, mmsi uint32) (dossier.Vessel, []event.Event, error) {
	h, err := st.Vessel(ctx, mmsi)
	if err != nil {
		return dossier.Vessel{}, nil, err
	}
	v := dossier.Vessel{MMSI: mmsi, Identities: h.History}
	if h.Latest != nil {
		v.IMO, v.Name, v.Flag = h.Latest.IMO, h.Latest.Name, h.Latest.Flag
	}
	if v.Track, err = st.Track(ctx, mmsi, time.Time{}, time.Time{}); err != nil {
		return v, nil, err
	}
	evs, err := st.Events(ctx, store.EventQuery{MMSI: mmsi})
	if err != nil {
		return v, nil, err
	}
	for _, e := range evs {
		if e.Kind == event.SanctionsHit {
			v.Sanctions = append(v.Sanctions, designation(e))
		}
	}
	return v, evs, nil
}

// designation reads a sanctions_hit event's details (see match.HitEvent).
func designation(e event.Event) dossier.Designation {
	s := func(k string) string { v, _ := e.Details[k].(string); return v }
	d := dossier.Designation{List: s("list"), Program: s("program"), ListedName: s("entity_name"),
		Source:      "list version " + fmt.Sprint(e.Details["list_version"]) + ", sha256 " + s("list_sha256"),
		ListVersion: s("list_published"), Remarks: e.Explanation}
	if d.ListVersion == "" {
		d.ListVersion = "version " + fmt.Sprint(e.Details["list_version"])
	}
	if t, err := time.Parse("2006-01-02", s("designation_date")); err == nil {
		d.Listed = t
	}
	var matched []string
	if rs, ok := e.Details["reasons"].([]any); ok {
		for _, r := range rs {
			m, _ := r.(map[string]any)
			if st, _ := m["strength"].(float64); st > 0 && m["field"] != "identity" {
				matched = append(matched, fmt.Sprintf("%v %v", m["field"], m["query"]))
			}
		}
	}
	d.MatchedOn = strings.Join(matched, "; ")
	if s("match") == "owner" {
		d.MatchedOn += " (through ownership: " + s("entity_name") + ")"
	}
	return d
}

func newVerifyCmd() *cobra.Command {
	var key string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "verify DIR|ZIP",
		Short: "Verify a dossier offline: every file's hash, every inclusion proof, the signatures",
		Long: `Verify checks a dossier without Lookout's store or server: each file against manifest.json,
each evidence item's inclusion proof against the signed checkpoint, and the signatures. It
names every altered, missing or added file and exits non-zero when anything fails. --key gives
the installation's public key as you obtained it independently (not from the bundle).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rep, err := dossier.Verify(args[0], dossier.VerifyOptions{TrustedKey: key})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				if err := json.NewEncoder(out).Encode(rep); err != nil {
					return err
				}
			} else {
				verdict := "OK"
				if !rep.OK {
					verdict = "FAILED"
				}
				fmt.Fprintf(out, "%s: %s — %d files, %d evidence items, checkpoint of %d entries signed by %s", rep.Path, verdict, rep.Files, len(rep.Items), rep.Checkpoint.Size, rep.KeyName)
				if key != "" {
					fmt.Fprintf(out, " (trusted key: %v)", rep.TrustedKey)
				}
				fmt.Fprintln(out)
				for _, p := range rep.Altered {
					fmt.Fprintf(out, "  altered: %s\n", p)
				}
				for _, p := range rep.Missing {
					fmt.Fprintf(out, "  missing: %s\n", p)
				}
				for _, p := range rep.Added {
					fmt.Fprintf(out, "  added:   %s\n", p)
				}
				for _, p := range rep.Problems {
					fmt.Fprintf(out, "  %s: %s\n", p.Path, p.Reason)
				}
			}
			if !rep.OK {
				return errSilent
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&key, "key", "", "the public key you trust (name+hash+base64), obtained independently")
	cmd.Flags().BoolVar(&asJSON, "json", false, "the report as JSON")
	return cmd
}

// dossierMap completes a case for its map: the ports its events name
// (visited, and the top candidates of dark port visits) from the
// gazetteer, the scenes among its items from the imagery catalogue in
// imgDir, and the embedded coastline under the whole.
func dossierMap(ctx context.Context, c *dossier.Case, l *evidence.Log, imgDir string) error {
	g, err := gazetteer.Default()
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	addPort := func(name, note string) {
		if name == "" || seen[name] {
			return
		}
		p, ok := g.Lookup(name)
		if !ok {
			return
		}
		seen[name] = true
		if p.HighRisk {
			note = strings.TrimSpace(note + " (high-risk port)")
		}
		c.Ports = append(c.Ports, dossier.Port{Name: p.Name, Country: p.Country, Lat: p.Lat, Lon: p.Lon, Note: note, HighRisk: p.HighRisk})
	}
	for _, e := range c.Events {
		switch e.Kind {
		case event.PortVisit:
			addPort(e.Port, "port called at")
		case event.DarkPortVisit:
			if len(e.Candidates) > 0 {
				addPort(e.Candidates[0].Port, "most plausible port of dark calls")
			}
		}
	}
	sort.Slice(c.Ports, func(i, j int) bool { return c.Ports[i].Name < c.Ports[j].Name })
	if imgDir != "" {
		items, err := l.Items(c.ID)
		if err != nil {
			return err
		}
		if c.Scenes, err = caseScenes(ctx, imgDir, items); err != nil {
			return err
		}
	}
	w, s, e, n, ok := c.MapBounds()
	if !ok {
		return nil
	}
	mask, err := coast.Load()
	if err != nil {
		return err
	}
	// A tolerance of a thousandth of the box keeps the coastline smooth on
	// an A4 page and the HTML small.
	tol := math.Max(e-w, n-s) / 1000
	land, err := mask.LandGeoJSON(coast.BBox{MinLon: w, MinLat: s, MaxLon: e, MaxLat: n}, tol)
	if err != nil {
		return fmt.Errorf("dossier: coastline: %w", err)
	}
	c.LandGeoJSON, c.LandSource = land, "Natural Earth 1:10m land (public domain)"
	// The inset map (the high-risk port with the scenes) is drawn from the
	// same coastline at its own, finer scale.
	if w, s, e, n, ok := c.InsetBounds(); ok {
		inset, err := mask.LandGeoJSON(coast.BBox{MinLon: w, MinLat: s, MaxLon: e, MaxLat: n}, (e-w)/1000)
		if err != nil {
			return fmt.Errorf("dossier: inset coastline: %w", err)
		}
		c.InsetLandGeoJSON = inset
	}
	return nil
}
