package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/lookout-maritime/lookout/internal/server"
)

func init() { register(newTokenCmd) }

// tokenPath is where `lookout serve` keeps its API tokens (hashed): --tokens,
// else $LOOKOUT_TOKENS, else next to a DuckDB store ("lookout.duckdb" →
// "lookout.tokens"), else ./lookout.tokens for a database store.
func tokenPath(flag, storeSpec string) string {
	if flag != "" {
		return flag
	}
	if env := os.Getenv("LOOKOUT_TOKENS"); env != "" {
		return env
	}
	if strings.Contains(storeSpec, "://") {
		return "lookout.tokens"
	}
	return strings.TrimSuffix(storeSpec, filepath.Ext(storeSpec)) + ".tokens"
}

type tokenFlags struct{ store, tokens string }

func (f *tokenFlags) add(cmd *cobra.Command) {
	addStoreFlag(cmd, &f.store)
	cmd.Flags().StringVar(&f.tokens, "tokens", "", "token file (default $LOOKOUT_TOKENS, else next to the store: lookout.duckdb → lookout.tokens)")
}

func (f *tokenFlags) path() string { return tokenPath(f.tokens, storePath(f.store)) }

func newTokenCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "API tokens for 'lookout serve': create, list, revoke",
		Long: `Tokens let people and programs use the API and the web map. Each has a name and a role:
viewer (vessels, tracks, events, imagery, alerts), analyst (also screening, cases, dossiers,
watches) or admin (also metrics and ingest runs). The token file keeps only SHA-256 hashes,
so a token is shown once, when it is created. A running server picks up changes at once.`,
	}
	cmd.AddCommand(newTokenCreateCmd(), newTokenListCmd(), newTokenRevokeCmd())
	return cmd
}

func newTokenCreateCmd() *cobra.Command {
	var f tokenFlags
	var role, name string
	cmd := &cobra.Command{
		Use:     "create --role viewer|analyst|admin --name NAME",
		Short:   "Create a token (printed once: keep it)",
		Example: `  lookout token create --role analyst --name "panel expert 3"`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := server.ParseRole(role)
			if err != nil {
				return usageError{fmt.Errorf("--role: %w", err)}
			}
			if name == "" {
				return usageError{errors.New("--name is required (who the token is for)")}
			}
			path := f.path()
			tok, err := server.CreateToken(path, r, name, time.Now())
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), tok)
			fmt.Fprintf(cmd.ErrOrStderr(), "%s token for %q added to %s; it is shown only this once\n", r, name, path)
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&role, "role", "", "viewer, analyst or admin")
	cmd.Flags().StringVar(&name, "name", "", "who or what the token is for (recorded in the chain of custody)")
	return cmd
}

// tokenEntry is one line of the token file as `token list` shows it.
type tokenEntry struct {
	Line    int         `json:"line"`
	Name    string      `json:"name"`
	Role    server.Role `json:"role"`
	SHA256  string      `json:"sha256"`
	Created time.Time   `json:"created"`
}

// readTokens reads the token file's entries (a missing file has none).
// The file's format belongs to internal/server; this reads the fields it
// documents and reports a bad line with its number.
func readTokens(path string) ([]tokenEntry, error) {
	fh, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	var out []tokenEntry
	sc := bufio.NewScanner(fh)
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		e := tokenEntry{Line: line}
		if err := json.Unmarshal([]byte(s), &e); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, line, err)
		}
		e.Line = line
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

func newTokenListCmd() *cobra.Command {
	var f tokenFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List tokens: name, role, created, hash prefix (the tokens themselves are not kept)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			path := f.path()
			es, err := readTokens(path)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				for _, e := range es {
					if err := enc.Encode(e); err != nil {
						return err
					}
				}
				return nil
			}
			if len(es) == 0 {
				fmt.Fprintf(out, "no tokens in %s (lookout token create --role admin --name NAME)\n", path)
				return nil
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tROLE\tCREATED\tSHA256")
			for _, e := range es {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.Name, e.Role, e.Created.UTC().Format(time.RFC3339), short(e.SHA256))
			}
			return tw.Flush()
		},
	}
	f.add(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "one JSON object per token")
	return cmd
}

func newTokenRevokeCmd() *cobra.Command {
	var f tokenFlags
	cmd := &cobra.Command{
		Use:   "revoke NAME|SHA256-PREFIX",
		Short: "Revoke the tokens with this name, or the one whose hash starts so (at least 8 hex digits)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := f.path()
			es, err := readTokens(path)
			if err != nil {
				return err
			}
			ref := args[0]
			drop := map[int]bool{}
			for _, e := range es {
				if e.Name == ref || (len(ref) >= 8 && strings.HasPrefix(e.SHA256, strings.ToLower(ref))) {
					drop[e.Line] = true
				}
			}
			if len(drop) == 0 {
				return fmt.Errorf("no token named %q or with a hash starting %q in %s", ref, ref, path)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			var kept []string
			for i, l := range strings.SplitAfter(string(b), "\n") {
				if !drop[i+1] {
					kept = append(kept, l)
				}
			}
			// Rewrite atomically: a server reading the file sees the old
			// or the new one, never half.
			tmp, err := os.CreateTemp(filepath.Dir(path), ".tokens-*")
			if err != nil {
				return err
			}
			defer os.Remove(tmp.Name())
			if _, err := tmp.WriteString(strings.Join(kept, "")); err != nil {
				tmp.Close()
				return err
			}
			if err := tmp.Chmod(0o600); err != nil {
				tmp.Close()
				return err
			}
			if err := tmp.Close(); err != nil {
				return err
			}
			if err := os.Rename(tmp.Name(), path); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d token(s) revoked\n", len(drop))
			return nil
		},
	}
	f.add(cmd)
	return cmd
}
