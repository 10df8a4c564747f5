package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/evidence"
	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// evidenceDir is --evidence, else LOOKOUT_EVIDENCE, else a directory next
// to a DuckDB store ("lookout.duckdb" → "lookout.evidence"), else
// ./lookout-evidence for a database store.
func evidenceDir(flag, storeSpec string) string {
	if flag != "" {
		return flag
	}
	if env := os.Getenv("LOOKOUT_EVIDENCE"); env != "" {
		return env
	}
	if strings.Contains(storeSpec, "://") {
		return "lookout-evidence"
	}
	return strings.TrimSuffix(storeSpec, filepath.Ext(storeSpec)) + ".evidence"
}

// whoAmI names the investigator in custody entries: --who, else
// LOOKOUT_USER, else the login name.
func whoAmI(flag string) string {
	if flag != "" {
		return flag
	}
	if env := os.Getenv("LOOKOUT_USER"); env != "" {
		return env
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "unknown"
}

type caseFlags struct {
	store, evidence, who string
}

func (f *caseFlags) add(cmd *cobra.Command) {
	addStoreFlag(cmd, &f.store)
	cmd.Flags().StringVar(&f.evidence, "evidence", "", "evidence log directory (default $LOOKOUT_EVIDENCE, else next to the store)")
	cmd.Flags().StringVar(&f.who, "who", "", "investigator recorded in the chain of custody (default $LOOKOUT_USER, else your login)")
}

func (f *caseFlags) open() (*evidence.Log, error) {
	return evidence.Open(evidenceDir(f.evidence, storePath(f.store)), evidence.Config{})
}

func newCaseCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "case",
		Short: "Cases and their evidence in a tamper-evident, append-only log",
		Long: `A case collects evidence — vessel snapshots, detector events, satellite scenes, files and
notes — in an append-only Merkle log (RFC 6962) with signed checkpoints. Items are never
edited: a correction is a new item that refers to the old one, and every later action on a
case (viewed, exported) is itself logged. 'lookout dossier' exports a case; 'lookout verify'
checks an export offline.`,
	}
	cmd.AddCommand(newCaseNewCmd(), newCaseAddCmd(), newCaseShowCmd(), newCaseListCmd())
	return cmd
}

func newCaseNewCmd() *cobra.Command {
	var f caseFlags
	cmd := &cobra.Command{
		Use:   "new TITLE",
		Short: "Open a new case; prints its ID",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := f.open()
			if err != nil {
				return err
			}
			defer l.Close()
			c, err := l.NewCase(strings.Join(args, " "), whoAmI(f.who))
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), c.ID)
			return nil
		},
	}
	f.add(cmd)
	return cmd
}

// caseAdd is what `case add` puts in: exactly one of the sources.
type caseAdd struct {
	vessel, event, scene, file, note string
	source, description, corrects    string
}

func newCaseAddCmd() *cobra.Command {
	var f caseFlags
	var a caseAdd
	cmd := &cobra.Command{
		Use:   "add CASE (--vessel MMSI|IMO | --event ID | --scene ID | --file F | --note TEXT)",
		Short: "Add an item of evidence to a case",
		Long: `Add preserves one item: a snapshot of a vessel (identity history, sanctions hits and events,
as JSON), a stored event, a satellite scene, any file (kept byte for byte, hashed with
SHA-256), or a note. --corrects ID records the item as a correction of an earlier one.`,
		Example: `  lookout case add C1 --vessel 273000001
  lookout case add C1 --file najin-2023-09-08.jpg --source "Planet Labs" --description "Najin pier 3"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n := 0
			for _, v := range []string{a.vessel, a.event, a.scene, a.file, a.note} {
				if v != "" {
					n++
				}
			}
			if n != 1 {
				return usageError{errors.New("give exactly one of --vessel, --event, --scene, --file, --note")}
			}
			l, err := f.open()
			if err != nil {
				return err
			}
			defer l.Close()
			it, content, err := a.item(cmd.Context(), &f, cmd)
			if err != nil {
				return err
			}
			it.Source = firstNonEmpty(a.source, it.Source)
			it.Description = firstNonEmpty(a.description, it.Description)
			it.Corrects = a.corrects
			added, err := l.Add(args[0], it, whoAmI(f.who), bytes.NewReader(content))
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s %s %s sha256 %s (%d bytes)\n", added.ID, added.Kind, added.Ref, added.SHA256, added.Size)
			return nil
		},
	}
	f.add(cmd)
	fl := cmd.Flags()
	fl.StringVar(&a.vessel, "vessel", "", "a vessel by MMSI or IMO: its identity history, sanctions hits and events")
	fl.StringVar(&a.event, "event", "", "a stored event by ID (see lookout events)")
	fl.StringVar(&a.scene, "scene", "", "a registered satellite scene by ID")
	fl.StringVar(&a.file, "file", "", "a file, kept byte for byte")
	fl.StringVar(&a.note, "note", "", "a note")
	fl.StringVar(&a.source, "source", "", "where the item comes from (provider, URL)")
	fl.StringVar(&a.description, "description", "", "what the item shows")
	fl.StringVar(&a.corrects, "corrects", "", "ID of an earlier item this one corrects")
	return cmd
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// item builds the evidence item and its content.
func (a *caseAdd) item(ctx context.Context, f *caseFlags, cmd *cobra.Command) (evidence.Item, []byte, error) {
	switch {
	case a.note != "":
		return evidence.Item{Kind: evidence.KindNote, MediaType: "text/plain; charset=utf-8"}, []byte(a.note), nil
	case a.file != "":
		data, err := os.ReadFile(a.file)
		if err != nil {
			return evidence.Item{}, nil, err
		}
		mt := mime.TypeByExtension(filepath.Ext(a.file))
		it := evidence.Item{Kind: evidence.KindFile, MediaType: mt, FileName: filepath.Base(a.file), Ref: filepath.Base(a.file)}
		if fi, err := os.Stat(a.file); err == nil {
			it.Captured = fi.ModTime()
		}
		return it, data, nil
	case a.scene != "":
		it, data, err := sceneItem(ctx, imageryDir(storePath(f.store)), a.scene)
		if err != nil {
			return evidence.Item{}, nil, fmt.Errorf("--scene: %w", err)
		}
		return it, data, nil
	}
	st, err := openReadOnly(cmd, f.store)
	if err != nil {
		return evidence.Item{}, nil, err
	}
	defer st.Close()
	if a.event != "" {
		id, err := strconv.ParseInt(a.event, 10, 64)
		if err != nil {
			return evidence.Item{}, nil, usageError{fmt.Errorf("--event %q is not an event ID", a.event)}
		}
		e, err := st.Event(ctx, id)
		if err != nil {
			return evidence.Item{}, nil, err
		}
		return eventItem(&e)
	}
	snap, err := vesselSnapshot(ctx, st, a.vessel)
	if err != nil {
		return evidence.Item{}, nil, err
	}
	return snapshotItem(snap, storePath(f.store))
}

// eventItem is a stored event as evidence: its canonical JSON.
func eventItem(e *event.Event) (evidence.Item, []byte, error) {
	data, err := evidence.Canonical(eventJSON(e))
	if err != nil {
		return evidence.Item{}, nil, err
	}
	return evidence.Item{Kind: evidence.KindEvent, Ref: fmt.Sprintf("event %d %s", e.ID, e.Key), MediaType: "application/json",
		Captured: e.End, Source: e.Detector + " " + e.Version, Description: e.Explanation}, data, nil
}

// snapshotItem is a vessel snapshot as evidence: its canonical JSON.
func snapshotItem(snap snapshot, storeSpec string) (evidence.Item, []byte, error) {
	data, err := evidence.Canonical(snap)
	if err != nil {
		return evidence.Item{}, nil, err
	}
	return evidence.Item{Kind: evidence.KindVessel, Ref: "MMSI " + strconv.FormatUint(uint64(snap.MMSI), 10), MediaType: "application/json",
		Captured: snap.Taken, Source: "lookout store " + storeSpec,
		Description: fmt.Sprintf("%s: %d identities, %d events", snap.Name, len(snap.History), len(snap.Events))}, data, nil
}

// snapshot is what a vessel item preserves.
type snapshot struct {
	MMSI    uint32              `json:"mmsi"`
	Name    string              `json:"name"`
	Taken   time.Time           `json:"taken"`
	Summary store.VesselSummary `json:"summary"`
	History []vessel.Identity   `json:"history"`
	Events  []event.Event       `json:"events"`
}

type snapshotStore interface {
	Vessel(ctx context.Context, mmsi uint32) (store.VesselHistory, error)
	VesselsByIMO(ctx context.Context, imo uint32) ([]store.VesselHistory, error)
	Events(ctx context.Context, q store.EventQuery) ([]event.Event, error)
}

// vesselSnapshot freezes what the store knows of a vessel (MMSI, or IMO
// when 7 digits: its most recent MMSI).
func vesselSnapshot(ctx context.Context, st snapshotStore, ref string) (snapshot, error) {
	q := strings.TrimSpace(strings.TrimPrefix(strings.ToUpper(ref), "IMO"))
	n, err := strconv.ParseUint(q, 10, 32)
	if err != nil {
		return snapshot{}, usageError{fmt.Errorf("--vessel %q is neither an MMSI nor an IMO number", ref)}
	}
	var h store.VesselHistory
	if len(q) == 7 {
		hs, err := st.VesselsByIMO(ctx, uint32(n))
		if err != nil {
			return snapshot{}, err
		}
		h = hs[0]
		for _, x := range hs[1:] {
			if x.LastSeen.After(h.LastSeen) {
				h = x
			}
		}
	} else if h, err = st.Vessel(ctx, uint32(n)); err != nil {
		return snapshot{}, err
	}
	evs, err := st.Events(ctx, store.EventQuery{MMSI: h.MMSI})
	if err != nil {
		return snapshot{}, err
	}
	s := snapshot{MMSI: h.MMSI, Taken: time.Now().UTC().Truncate(time.Second), Summary: h.VesselSummary, History: h.History, Events: evs}
	if h.Latest != nil {
		s.Name = h.Latest.Name
	}
	return s, nil
}

func newCaseShowCmd() *cobra.Command {
	var f caseFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show CASE",
		Short: "Show a case's evidence and chain of custody (the viewing is logged)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := f.open()
			if err != nil {
				return err
			}
			defer l.Close()
			if _, err := l.Record(args[0], evidence.Custody{Action: evidence.ActionViewed, Who: whoAmI(f.who), Detail: "lookout case show"}); err != nil {
				return err
			}
			c, err := l.Case(args[0])
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return json.NewEncoder(out).Encode(c)
			}
			fmt.Fprintf(out, "%s  %s\nopened %s by %s; log size %d; public key %s\n\n", c.ID, c.Title,
				c.Created.Format(time.RFC3339), c.Who, l.Size(), l.PublicKey())
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ITEM\tKIND\tREF\tADDED\tBY\tSHA256\tDESCRIPTION")
			for _, it := range c.Items {
				desc := it.Description
				if it.Corrects != "" {
					desc = "corrects " + it.Corrects + ": " + desc
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", it.ID, it.Kind, it.Ref, it.Added.Format(time.RFC3339), it.AddedBy, short(it.SHA256), desc)
			}
			tw.Flush()
			fmt.Fprintf(out, "\ncustody (%d entries):\n", len(c.Custody))
			for _, e := range c.Custody {
				fmt.Fprintf(out, "  %s %s %s %s %s\n", e.Time.Format(time.RFC3339), e.Who, e.Action, e.Target, e.Detail)
			}
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "the case as JSON")
	return cmd
}

func newCaseListCmd() *cobra.Command {
	var f caseFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List cases",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := f.open()
			if err != nil {
				return err
			}
			defer l.Close()
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "CASE\tOPENED\tBY\tITEMS\tTITLE")
			for _, c := range l.Cases() {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", c.ID, c.Created.Format(time.RFC3339), c.Who, len(c.Items), c.Title)
			}
			return tw.Flush()
		},
	}
	f.add(cmd)
	return cmd
}
