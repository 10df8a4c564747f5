package cli

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lookout-maritime/lookout/internal/server"
)

func TestTokenPath(t *testing.T) {
	for _, tc := range []struct{ flag, env, store, want string }{
		{"", "", "lookout.duckdb", "lookout.tokens"},
		{"", "", filepath.Join("a", "b.duckdb"), filepath.Join("a", "b.tokens")},
		{"", "", "postgres://db/lookout", "lookout.tokens"},
		{"", "/etc/lookout/tokens", "lookout.duckdb", "/etc/lookout/tokens"},
		{"mine.tokens", "/etc/lookout/tokens", "lookout.duckdb", "mine.tokens"},
	} {
		t.Setenv("LOOKOUT_TOKENS", tc.env)
		if got := tokenPath(tc.flag, tc.store); got != tc.want {
			t.Errorf("tokenPath(%q, %q) with LOOKOUT_TOKENS=%q = %q, want %q", tc.flag, tc.store, tc.env, got, tc.want)
		}
	}
}

func TestTokenCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.duckdb")
	t.Setenv("LOOKOUT_TOKENS", "")
	out, _, code := run(t, "", "token", "list", "--store", db)
	if code != 0 || !strings.Contains(out, "no tokens in "+filepath.Join(dir, "s.tokens")) {
		t.Fatalf("empty list: %d %s", code, out)
	}
	out, errOut := mustRun(t, "token", "create", "--store", db, "--role", "analyst", "--name", "panel expert 3")
	tok := strings.TrimSpace(out)
	if !strings.HasPrefix(tok, "lk_") || strings.Count(out, "\n") != 1 || !strings.Contains(errOut, "shown only this once") {
		t.Fatalf("create: %q %q", out, errOut)
	}
	out, _ = mustRun(t, "token", "create", "--store", db, "--role", "viewer", "--name", "dashboard")
	viewerTok := strings.TrimSpace(out)
	if viewerTok == tok {
		t.Fatal("two tokens alike")
	}
	// The server accepts what was created, with its role.
	tf, err := server.OpenTokenFile(filepath.Join(dir, "s.tokens"))
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := tf.Lookup(server.HashToken(tok)); !ok || p.Name != "panel expert 3" || p.Role != server.RoleAnalyst {
		t.Errorf("lookup: %+v %v", p, ok)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "s.tokens"))
	if strings.Contains(string(raw), tok) {
		t.Error("token stored in clear")
	}
	if fi, err := os.Stat(filepath.Join(dir, "s.tokens")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("token file mode: %v %v", fi.Mode(), err)
	}

	out, _ = mustRun(t, "token", "list", "--store", db)
	if !strings.Contains(out, "panel expert 3  analyst") || !strings.Contains(out, "dashboard") {
		t.Errorf("list: %s", out)
	}
	out, _ = mustRun(t, "token", "list", "--store", db, "--json")
	var es []tokenEntry
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var e tokenEntry
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatal(err)
		}
		es = append(es, e)
	}
	h := server.HashToken(tok)
	if len(es) != 2 || es[0].Role != server.RoleAnalyst || es[1].Role != server.RoleViewer || len(es[0].SHA256) != 64 || es[0].Created.IsZero() {
		t.Fatalf("list --json: %+v", es)
	}
	if es[0].SHA256 != hex.EncodeToString(h[:]) {
		t.Errorf("hash %s", es[0].SHA256)
	}

	for _, args := range [][]string{
		{"token", "create", "--store", db, "--role", "root", "--name", "x"},
		{"token", "create", "--store", db, "--role", "viewer"},
	} {
		if _, errOut, code := run(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, errOut)
		}
	}

	out, _ = mustRun(t, "token", "revoke", "--store", db, "dashboard")
	if !strings.Contains(out, "1 token(s) revoked") {
		t.Errorf("revoke: %s", out)
	}
	if _, ok := tf.Lookup(server.HashToken(viewerTok)); ok {
		t.Error("revoked token still valid")
	}
	if _, ok := tf.Lookup(server.HashToken(tok)); !ok {
		t.Error("the other token was revoked too")
	}
	mustRun(t, "token", "revoke", "--store", db, es[0].SHA256[:10])
	if _, ok := tf.Lookup(server.HashToken(tok)); ok {
		t.Error("token revoked by hash prefix still valid")
	}
	if _, errOut, code := run(t, "", "token", "revoke", "--store", db, "nobody"); code != 1 || !strings.Contains(errOut, "no token named") {
		t.Errorf("revoke unknown: %d %s", code, errOut)
	}

	bad := filepath.Join(dir, "bad.tokens")
	os.WriteFile(bad, []byte("{\"name\":\"a\",\"role\":\"viewer\",\"sha256\":\"00\"}\nnot json\n"), 0o600)
	if _, errOut, code := run(t, "", "token", "list", "--tokens", bad); code != 1 || !strings.Contains(errOut, "bad.tokens:2:") {
		t.Errorf("bad file: %d %s", code, errOut)
	}
}

// FuzzReadTokens: any token file gives entries or an error naming its
// line, never a panic.
func FuzzReadTokens(f *testing.F) {
	f.Add([]byte(`{"name":"a","role":"viewer","sha256":"` + strings.Repeat("0", 64) + `","created":"2024-01-01T00:00:00Z"}` + "\n"))
	f.Add([]byte("# comment\n\n{\"role\":\"root\"}\n"))
	f.Add([]byte("{\"name\":\"x\"}\r\n{"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "t.tokens")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		es, err := readTokens(path)
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("error without the file: %v", err)
			}
			return
		}
		for _, e := range es {
			if e.Line < 1 {
				t.Fatalf("entry without a line: %+v", e)
			}
		}
	})
}
