package server

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestTokenFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "etc", "tokens.jsonl")
	tf, err := OpenTokenFile(path) // missing: empty
	if err != nil {
		t.Fatal(err)
	}
	tok, err := CreateToken(path, RoleAnalyst, "ana", t0)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok, "lk_") || len(tok) < 40 {
		t.Errorf("token %q", tok)
	}
	data, _ := os.ReadFile(path)
	if strings.Contains(string(data), tok) || strings.Contains(string(data), tok[3:]) {
		t.Fatal("token file holds the token itself, not only its hash")
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode())
	}
	// Created while open: seen at once.
	if p, ok := tf.Lookup(HashToken(tok)); !ok || p.Name != "ana" || p.Role != RoleAnalyst {
		t.Errorf("lookup: %+v %v", p, ok)
	}
	tok2, _ := CreateToken(path, RoleAdmin, "adam", t0)
	if p, ok := tf.Lookup(HashToken(tok2)); !ok || p.Role != RoleAdmin {
		t.Errorf("second token: %+v %v", p, ok)
	}
	if _, ok := tf.Lookup(HashToken(tok + "x")); ok {
		t.Error("altered token accepted")
	}
	for _, c := range []struct {
		role Role
		name string
		want error
	}{{RoleNone, "x", ErrBadRole}, {Role(9), "x", ErrBadRole}, {RoleViewer, "", ErrTokenName}, {RoleViewer, "a\nb", ErrTokenName}} {
		if _, err := CreateToken(path, c.role, c.name, t0); !errors.Is(err, c.want) {
			t.Errorf("CreateToken(%v, %q): %v", c.role, c.name, err)
		}
	}
}

func TestTokenFileErrorsNameTheLine(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ content, want string }{
		{"{\"name\":\"a\",\"role\":\"viewer\",\"sha256\":\"00\"}\n", ":1: sha256"},
		{"# comment\n\n{\"name\":\"a\",\"role\":\"boss\",\"sha256\":\"" + strings.Repeat("0", 64) + "\"}\n", ":3:"},
		{"{\"name\":\"a\",\"sha256\":\"" + strings.Repeat("0", 64) + "\"}\n", ":1: role missing"},
		{"not json\n", ":1:"},
	} {
		path := filepath.Join(dir, "t.jsonl")
		if err := os.WriteFile(path, []byte(c.content), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := OpenTokenFile(path)
		if !errors.Is(err, ErrBadToken) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v", c.content, err)
		}
	}
}

func TestTokenFileKeepsTokensWhenFileBreaks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.jsonl")
	tok, _ := CreateToken(path, RoleViewer, "v", t0)
	tf, err := OpenTokenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("garbage that is longer than before, so the size differs\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	future := time.Now().Add(time.Hour)
	_ = os.Chtimes(path, future, future)
	if _, ok := tf.Lookup(HashToken(tok)); !ok {
		t.Error("a broken rewrite locked everyone out")
	}
}

func TestParseRole(t *testing.T) {
	for s, want := range map[string]Role{"viewer": RoleViewer, " Analyst ": RoleAnalyst, "ADMIN": RoleAdmin} {
		if r, err := ParseRole(s); err != nil || r != want {
			t.Errorf("%q: %v %v", s, r, err)
		}
	}
	for _, s := range []string{"", "none", "root"} {
		if _, err := ParseRole(s); !errors.Is(err, ErrBadRole) {
			t.Errorf("%q: %v", s, err)
		}
	}
}
