package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/lookout-maritime/lookout/internal/sanctions"
	"github.com/lookout-maritime/lookout/internal/sanctions/load"
	"github.com/lookout-maritime/lookout/internal/store"
)

func newSanctionsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sanctions",
		Short: "Load, list, compare and update sanctions lists (OFAC, UN, EU, UK, OpenSanctions)",
		Long: `Sanctions lists are kept in the store as versions: every load of a changed file is a new
version with its source, publication date, SHA-256 and counts, and screening results say
which version they used.`,
	}
	cmd.AddCommand(newSanctionsLoadCmd(), newSanctionsListCmd(), newSanctionsDiffCmd(), newSanctionsUpdateCmd())
	return cmd
}

// listStore is what the sanctions commands need of a store.
type listStore interface {
	AddListVersion(ctx context.Context, v store.ListVersion, data []byte) (store.ListVersion, bool, error)
	ListVersions(ctx context.Context) ([]store.ListVersion, error)
	ListData(ctx context.Context, id int64) ([]byte, error)
}

// storeList records a loaded list as a version; added is false when the
// same file was loaded before.
func storeList(ctx context.Context, st listStore, l *sanctions.List) (store.ListVersion, bool, error) {
	return storeListWith(ctx, st, l, nil)
}

func storeListWith(ctx context.Context, st listStore, l *sanctions.List, set func(*store.ListVersion)) (store.ListVersion, bool, error) {
	data, err := load.Encode(l)
	if err != nil {
		return store.ListVersion{}, false, err
	}
	v := store.ListVersion{
		Source: string(l.Source), Format: l.Format, Published: l.Published, SHA256: l.SHA256,
		Files: l.Files, Entities: len(l.Entities), Vessels: load.Vessels(l),
	}
	if set != nil {
		set(&v)
	}
	return st.AddListVersion(ctx, v, data)
}

func newSanctionsLoadCmd() *cobra.Command {
	var storeFlag string
	cmd := &cobra.Command{
		Use:   "load [flags] FILE...",
		Short: "Load sanctions list files into the store as new versions",
		Long: `Load reads list files — OFAC SDN XML or the legacy CSV files (sdn.csv with add.csv, alt.csv
and sdn_comments.csv given together), the UN consolidated XML, the EU consolidated XML, the
UK Sanctions List XML, OpenSanctions FollowTheMoney JSON lines; gzip is read too — and
stores each as a version. The format is recognised from the content. Loading an unchanged
file again adds nothing.`,
		Example: `  lookout sanctions load sdn.xml consolidated.xml
  lookout sanctions load sdn.csv add.csv alt.csv sdn_comments.csv`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			lists, err := load.Files(args)
			if err != nil {
				return err
			}
			st, err := openWrite(cmd, storeFlag)
			if err != nil {
				return err
			}
			defer st.Close()
			out := cmd.OutOrStdout()
			for _, l := range lists {
				v, added, err := storeList(cmd.Context(), st, l)
				if err != nil {
					return err
				}
				state := "new version"
				if !added {
					state = "unchanged (already stored)"
				}
				fmt.Fprintf(out, "%s %s: %s %d — %d entities, %d vessels, published %s, sha256 %s\n",
					l.Source, strings.Join(l.Files, "+"), state, v.ID, v.Entities, v.Vessels, dateOr(v.Published, "not stated"), short(v.SHA256))
				for _, w := range l.Warnings {
					fmt.Fprintf(cmd.ErrOrStderr(), "  warning: %s\n", w.Error())
				}
			}
			return nil
		},
	}
	addStoreFlag(cmd, &storeFlag)
	return cmd
}

func dateOr(t time.Time, none string) string {
	if t.IsZero() {
		return none
	}
	return t.UTC().Format("2006-01-02")
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

func newSanctionsListCmd() *cobra.Command {
	var storeFlag string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the stored sanctions list versions, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := openReadOnly(cmd, storeFlag)
			if err != nil {
				return err
			}
			defer st.Close()
			vs, err := st.ListVersions(cmd.Context())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				for _, v := range vs {
					if err := enc.Encode(listVersionJSON(v)); err != nil {
						return err
					}
				}
				return nil
			}
			if len(vs) == 0 {
				fmt.Fprintln(out, "no sanctions lists loaded (lookout sanctions load FILE...)")
				return nil
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "VERSION\tSOURCE\tFORMAT\tPUBLISHED\tLOADED\tENTITIES\tVESSELS\tSHA256\tFILES")
			for _, v := range vs {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\n", v.ID, v.Source, v.Format, dateOr(v.Published, "-"),
					v.Loaded.Format(time.RFC3339), v.Entities, v.Vessels, short(v.SHA256), strings.Join(v.Files, " "))
			}
			return tw.Flush()
		},
	}
	addStoreFlag(cmd, &storeFlag)
	cmd.Flags().BoolVar(&asJSON, "json", false, "one JSON object per version")
	return cmd
}

type listVersionOut struct {
	Version   int64    `json:"version"`
	Source    string   `json:"source"`
	Format    string   `json:"format"`
	Published string   `json:"published,omitempty"`
	Loaded    string   `json:"loaded"`
	SHA256    string   `json:"sha256"`
	Files     []string `json:"files"`
	Entities  int      `json:"entities"`
	Vessels   int      `json:"vessels"`
}

func listVersionJSON(v store.ListVersion) listVersionOut {
	o := listVersionOut{Version: v.ID, Source: v.Source, Format: v.Format, Loaded: v.Loaded.Format(time.RFC3339),
		SHA256: v.SHA256, Files: v.Files, Entities: v.Entities, Vessels: v.Vessels}
	if !v.Published.IsZero() {
		o.Published = v.Published.Format(time.RFC3339)
	}
	return o
}

// latestLists returns the newest stored version of each source, decoded.
func latestLists(ctx context.Context, st listStore) ([]*sanctions.List, []store.ListVersion, error) {
	vs, err := st.ListVersions(ctx)
	if err != nil {
		return nil, nil, err
	}
	seen := map[string]bool{}
	var lists []*sanctions.List
	var used []store.ListVersion
	for _, v := range vs {
		if seen[v.Source] {
			continue
		}
		seen[v.Source] = true
		l, err := versionList(ctx, st, v.ID)
		if err != nil {
			return nil, nil, err
		}
		lists = append(lists, l)
		used = append(used, v)
	}
	return lists, used, nil
}

func versionList(ctx context.Context, st listStore, id int64) (*sanctions.List, error) {
	data, err := st.ListData(ctx, id)
	if err != nil {
		return nil, err
	}
	l, err := load.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("list version %d: %w", id, err)
	}
	return l, nil
}

func newSanctionsDiffCmd() *cobra.Command {
	var storeFlag, source string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "diff [flags] [OLD NEW]",
		Short: "Show what a new list version added, removed or changed",
		Long: `Diff compares two stored versions of one list, by entity ID on the normalised fields (a
reformatted file with the same content shows no change). Without arguments it compares the
two newest versions of each source that has two; OLD and NEW are version numbers from
'lookout sanctions list'.`,
		Args: cobra.RangeArgs(0, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				return usageError{fmt.Errorf("give both OLD and NEW versions, or neither")}
			}
			st, err := openReadOnly(cmd, storeFlag)
			if err != nil {
				return err
			}
			defer st.Close()
			ctx := cmd.Context()
			var pairs [][2]int64
			if len(args) == 2 {
				var a, b int64
				if _, err := fmt.Sscan(args[0], &a); err != nil {
					return usageError{fmt.Errorf("OLD %q is not a version number", args[0])}
				}
				if _, err := fmt.Sscan(args[1], &b); err != nil {
					return usageError{fmt.Errorf("NEW %q is not a version number", args[1])}
				}
				pairs = append(pairs, [2]int64{a, b})
			} else {
				vs, err := st.ListVersions(ctx)
				if err != nil {
					return err
				}
				bySource := map[string][]int64{}
				var order []string
				for _, v := range vs {
					if source != "" && !strings.EqualFold(v.Source, source) {
						continue
					}
					if bySource[v.Source] == nil {
						order = append(order, v.Source)
					}
					bySource[v.Source] = append(bySource[v.Source], v.ID)
				}
				for _, s := range order {
					if ids := bySource[s]; len(ids) >= 2 {
						pairs = append(pairs, [2]int64{ids[1], ids[0]})
					}
				}
				if len(pairs) == 0 {
					fmt.Fprintln(cmd.OutOrStdout(), "no list has two versions to compare")
					return nil
				}
			}
			for _, p := range pairs {
				old, err := versionList(ctx, st, p[0])
				if err != nil {
					return err
				}
				nw, err := versionList(ctx, st, p[1])
				if err != nil {
					return err
				}
				if old.Source != nw.Source {
					return usageError{fmt.Errorf("versions %d (%s) and %d (%s) are different lists", p[0], old.Source, p[1], nw.Source)}
				}
				d := sanctions.Diff(old, nw)
				if asJSON {
					if err := writeDiffJSON(cmd.OutOrStdout(), p, &d); err != nil {
						return err
					}
					continue
				}
				writeDiffText(cmd.OutOrStdout(), p, &d)
			}
			return nil
		},
	}
	addStoreFlag(cmd, &storeFlag)
	cmd.Flags().StringVar(&source, "source", "", "only this list (OFAC-SDN, UN-SC, EU-FSF, UK-SL, OpenSanctions)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "one JSON object per change")
	return cmd
}

func entityLabel(e *sanctions.Entity) string {
	s := fmt.Sprintf("%s %s (%s", e.ID, e.Name, e.Kind)
	if e.Vessel != nil && e.Vessel.IMO != 0 {
		s += fmt.Sprintf(", IMO %d", e.Vessel.IMO)
	}
	if len(e.Programs) > 0 {
		s += ", " + strings.Join(e.Programs, " ")
	}
	return s + ")"
}

func writeDiffText(w io.Writer, p [2]int64, d *sanctions.Changes) {
	fmt.Fprintf(w, "%s version %d → %d (published %s → %s): %d added, %d removed, %d changed, %d unchanged\n",
		d.New.Source, p[0], p[1], orDash(d.Old.Published), orDash(d.New.Published), len(d.Added), len(d.Removed), len(d.Changed), d.Unchanged)
	for i := range d.Added {
		fmt.Fprintf(w, "  + %s\n", entityLabel(&d.Added[i]))
	}
	for i := range d.Removed {
		fmt.Fprintf(w, "  - %s\n", entityLabel(&d.Removed[i]))
	}
	for i := range d.Changed {
		c := &d.Changed[i]
		fmt.Fprintf(w, "  ~ %s: %s\n", entityLabel(&c.New), strings.Join(c.Fields, ", "))
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

type diffLine struct {
	Source   string   `json:"source"`
	Old      int64    `json:"old_version"`
	New      int64    `json:"new_version"`
	Change   string   `json:"change"` // added, removed, changed
	EntityID string   `json:"entity_id"`
	Name     string   `json:"name"`
	Kind     string   `json:"kind"`
	IMO      uint32   `json:"imo,omitempty"`
	Programs []string `json:"programs,omitempty"`
	Fields   []string `json:"fields,omitempty"`
}

func writeDiffJSON(w io.Writer, p [2]int64, d *sanctions.Changes) error {
	enc := json.NewEncoder(w)
	line := func(change string, e *sanctions.Entity, fields []string) error {
		l := diffLine{Source: string(d.New.Source), Old: p[0], New: p[1], Change: change, EntityID: e.ID, Name: e.Name,
			Kind: string(e.Kind), Programs: e.Programs, Fields: fields}
		if e.Vessel != nil {
			l.IMO = e.Vessel.IMO
		}
		return enc.Encode(l)
	}
	var lines []func() error
	for i := range d.Added {
		e := &d.Added[i]
		lines = append(lines, func() error { return line("added", e, nil) })
	}
	for i := range d.Removed {
		e := &d.Removed[i]
		lines = append(lines, func() error { return line("removed", e, nil) })
	}
	for i := range d.Changed {
		c := &d.Changed[i]
		lines = append(lines, func() error { return line("changed", &c.New, c.Fields) })
	}
	for _, f := range lines {
		if err := f(); err != nil {
			return err
		}
	}
	return nil
}

// sortedKeys is a helper for deterministic output of maps.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
