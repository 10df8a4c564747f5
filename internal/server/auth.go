package server

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Role is what a token may do. Each role includes the ones below it.
type Role int

const (
	RoleNone    Role = iota // unauthenticated (health, the UI's static files, login)
	RoleViewer              // read vessels, tracks, events, imagery, alerts
	RoleAnalyst             // also screening, cases, dossiers, watches
	RoleAdmin               // also metrics and ingest runs
)

var roleNames = map[Role]string{RoleNone: "none", RoleViewer: "viewer", RoleAnalyst: "analyst", RoleAdmin: "admin"}

func (r Role) String() string {
	if s, ok := roleNames[r]; ok {
		return s
	}
	return fmt.Sprintf("role(%d)", int(r))
}

// ParseRole parses "viewer", "analyst" or "admin".
func ParseRole(s string) (Role, error) {
	for r, n := range roleNames {
		if r != RoleNone && n == strings.ToLower(strings.TrimSpace(s)) {
			return r, nil
		}
	}
	return RoleNone, fmt.Errorf("%w: %q (want viewer, analyst or admin)", ErrBadRole, s)
}

// MarshalText makes roles read as words in JSON.
func (r Role) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText parses a role name.
func (r *Role) UnmarshalText(b []byte) error {
	x, err := ParseRole(string(b))
	*r = x
	return err
}

// Sentinel errors.
var (
	ErrBadRole    = errors.New("server: unknown role")
	ErrBadToken   = errors.New("server: bad token file")
	ErrTokenName  = errors.New("server: token name must be 1-64 printable characters")
	errNoBackend  = errors.New("not available in this server")
	errBadRequest = errors.New("bad request")
)

// Principal is who a token belongs to.
type Principal struct {
	Name string `json:"name"`
	Role Role   `json:"role"`
}

// Who names the principal in audit records.
func (p Principal) Who() string { return p.Name + " (" + p.Role.String() + ")" }

// TokenHash is the SHA-256 of a token: tokens are stored only as hashes,
// so a leaked token file gives nobody access.
type TokenHash [sha256.Size]byte

// HashToken hashes a token.
func HashToken(token string) TokenHash { return sha256.Sum256([]byte(token)) }

// TokenStore looks tokens up by hash.
type TokenStore interface {
	Lookup(h TokenHash) (Principal, bool)
}

// tokenRecord is one line of a token file (JSON lines).
type tokenRecord struct {
	Name    string    `json:"name"`
	Role    Role      `json:"role"`
	SHA256  string    `json:"sha256"`
	Created time.Time `json:"created"`
}

// TokenFile is a TokenStore kept in a JSON-lines file of hashed tokens. It
// re-reads the file when its modification time or size changes, so a token
// created by `lookout token create` while the server runs works at once.
type TokenFile struct {
	path string
	mu   sync.Mutex
	mod  time.Time
	size int64
	m    map[TokenHash]Principal
	err  error
}

// OpenTokenFile opens (and reads) the token file at path. A missing file
// is an empty store.
func OpenTokenFile(path string) (*TokenFile, error) {
	f := &TokenFile{path: path}
	if err := f.reload(); err != nil {
		return nil, err
	}
	return f, nil
}

func (f *TokenFile) reload() error {
	fi, err := os.Stat(f.path)
	if errors.Is(err, os.ErrNotExist) {
		f.m, f.mod, f.size, f.err = map[TokenHash]Principal{}, time.Time{}, -1, nil
		return nil
	}
	if err != nil {
		return err
	}
	if f.m != nil && fi.ModTime().Equal(f.mod) && fi.Size() == f.size {
		return f.err
	}
	m, err := readTokenFile(f.path)
	f.mod, f.size, f.err = fi.ModTime(), fi.Size(), err
	if err == nil {
		f.m = m
	}
	return err
}

func readTokenFile(path string) (map[TokenHash]Principal, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	m := map[TokenHash]Principal{}
	sc := bufio.NewScanner(fh)
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		var rec tokenRecord
		if err := json.Unmarshal([]byte(s), &rec); err != nil {
			return nil, fmt.Errorf("%w: %s:%d: %v", ErrBadToken, path, line, err)
		}
		raw, err := hex.DecodeString(rec.SHA256)
		if err != nil || len(raw) != sha256.Size {
			return nil, fmt.Errorf("%w: %s:%d: sha256 is not 64 hex digits", ErrBadToken, path, line)
		}
		if rec.Role == RoleNone {
			return nil, fmt.Errorf("%w: %s:%d: role missing", ErrBadToken, path, line)
		}
		m[TokenHash(raw)] = Principal{Name: rec.Name, Role: rec.Role}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBadToken, path, err)
	}
	return m, nil
}

// Lookup implements TokenStore. When the file became unreadable since the
// last read, the tokens read last stay valid and the error is kept for
// Err.
func (f *TokenFile) Lookup(h TokenHash) (Principal, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_ = f.reload()
	p, ok := f.m[h]
	return p, ok
}

// CreateToken makes a new random token for name with role, appends its
// hash to the token file at path (created 0600 with its directory when
// missing) and returns the token: the only time it is ever shown.
func CreateToken(path string, role Role, name string, now time.Time) (string, error) {
	if role < RoleViewer || role > RoleAdmin {
		return "", fmt.Errorf("%w: %v", ErrBadRole, role)
	}
	if name == "" || len(name) > 64 || strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", ErrTokenName
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	token := "lk_" + base64.RawURLEncoding.EncodeToString(b[:])
	h := HashToken(token)
	line, err := json.Marshal(tokenRecord{Name: name, Role: role, SHA256: hex.EncodeToString(h[:]), Created: now.UTC()})
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("server: token file: %w", err)
	}
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return "", fmt.Errorf("server: token file: %w", err)
	}
	if _, err := fh.Write(append(line, '\n')); err != nil {
		fh.Close()
		return "", fmt.Errorf("server: token file %s: %w", path, err)
	}
	if err := fh.Sync(); err != nil {
		fh.Close()
		return "", fmt.Errorf("server: token file %s: %w", path, err)
	}
	return token, fh.Close()
}

// MemTokens is an in-memory TokenStore (tests, embedding).
type MemTokens struct {
	mu sync.RWMutex
	m  map[TokenHash]Principal
}

// Add registers token for p.
func (t *MemTokens) Add(token string, p Principal) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[TokenHash]Principal{}
	}
	t.m[HashToken(token)] = p
}

// Lookup implements TokenStore.
func (t *MemTokens) Lookup(h TokenHash) (Principal, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	p, ok := t.m[h]
	return p, ok
}

const (
	cookieName = "lookout_token"
	// csrfHeader must accompany state-changing requests authenticated by
	// the cookie: a cross-site form cannot set it, and a cross-site
	// script cannot send it without a CORS preflight the server refuses.
	csrfHeader = "X-Lookout-Request"
)

type ctxKey int

const principalKey ctxKey = 1

func principalOf(ctx context.Context) Principal {
	p, _ := ctx.Value(principalKey).(Principal)
	return p
}

// authenticate finds the request's token: the Authorization header, else
// the cookie the UI's login set, else (for EventSource, which can send
// neither) the token query parameter on routes that allow it.
func (s *Server) authenticate(r *http.Request, allowQuery bool) (Principal, bool, string) {
	var token string
	viaCookie := false
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return Principal{}, false, "Authorization must be 'Bearer TOKEN'"
		}
		token = strings.TrimSpace(tok)
	} else if c, err := r.Cookie(cookieName); err == nil && c.Value != "" {
		token, viaCookie = c.Value, true
	} else if allowQuery && r.URL.Query().Get("token") != "" {
		token = r.URL.Query().Get("token")
	}
	if token == "" {
		return Principal{}, false, "an API token is required (Authorization: Bearer TOKEN)"
	}
	if viaCookie && r.Method != http.MethodGet && r.Method != http.MethodHead && r.Header.Get(csrfHeader) == "" {
		return Principal{}, false, "cookie-authenticated " + r.Method + " needs the " + csrfHeader + " header"
	}
	p, ok := s.deps.Tokens.Lookup(HashToken(token))
	if !ok {
		return Principal{}, false, "unknown or revoked token"
	}
	return p, true, ""
}

func contextWith(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey, p)
}
