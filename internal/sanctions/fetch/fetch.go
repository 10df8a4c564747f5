// Package fetch downloads sanctions lists from their publication URLs with
// conditional requests (ETag / Last-Modified), checks what arrived and
// hands it on as a loaded list. It never writes anything itself: the
// caller stores the new version.
package fetch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/lookout-maritime/lookout/internal/sanctions"
	"github.com/lookout-maritime/lookout/internal/sanctions/load"
)

// Feed is one list's publication URL.
type Feed struct {
	Source sanctions.Source
	URL    string
	// SHA256, when set, is the digest the download must have (for a
	// pinned copy); empty accepts any content that parses.
	SHA256 string
}

// DefaultFeeds are the official publication URLs (checked against each
// authority's website in 2024–2025; all are configurable because they do
// move). The EU URL carries the public token the EU's FSF page gives.
var DefaultFeeds = []Feed{
	{Source: sanctions.SourceOFAC, URL: "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN.XML"},
	{Source: sanctions.SourceUN, URL: "https://scsanctions.un.org/resources/xml/en/consolidated.xml"},
	{Source: sanctions.SourceEU, URL: "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content?token=dG9rZW4tMjAxNw"},
	{Source: sanctions.SourceUK, URL: "https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.xml"},
}

// Sentinel errors.
var (
	ErrHTTP      = errors.New("fetch: unexpected HTTP response")
	ErrIntegrity = errors.New("fetch: download failed an integrity check")
)

// Previous is what the caller knows of the last stored version of a feed.
type Previous struct {
	ETag, LastModified string
	Entities           int
}

// Result is one feed's outcome.
type Result struct {
	Feed        Feed
	NotModified bool            // the server said 304: nothing to store
	List        *sanctions.List // set when a list arrived
	ETag        string
	LastMod     string
	Bytes       int64
}

// Config tunes a Fetcher; zero fields take defaults.
type Config struct {
	Client *http.Client // default: 2-minute timeout
	// MaxBytes bounds one download (default 512 MiB).
	MaxBytes int64
	// MinKeep refuses a list with fewer than MinKeep × the previous
	// version's entities: a truncated or broken publication must not
	// replace a good list (default 0.5; negative disables).
	MinKeep   float64
	UserAgent string
	Logger    *slog.Logger
}

// Fetcher downloads feeds.
type Fetcher struct{ cfg Config }

// New returns a Fetcher.
func New(cfg Config) *Fetcher {
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 2 * time.Minute}
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = 512 << 20
	}
	if cfg.MinKeep == 0 {
		cfg.MinKeep = 0.5
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "lookout-sanctions-update"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Fetcher{cfg: cfg}
}

// Fetch downloads one feed, asking only for something newer than prev.
func (f *Fetcher) Fetch(ctx context.Context, feed Feed, prev Previous) (Result, error) {
	res := Result{Feed: feed}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, feed.URL, nil)
	if err != nil {
		return res, fmt.Errorf("fetch %s: %w", feed.Source, err)
	}
	req.Header.Set("User-Agent", f.cfg.UserAgent)
	if prev.ETag != "" {
		req.Header.Set("If-None-Match", prev.ETag)
	}
	if prev.LastModified != "" {
		req.Header.Set("If-Modified-Since", prev.LastModified)
	}
	resp, err := f.cfg.Client.Do(req)
	if err != nil {
		return res, fmt.Errorf("fetch %s: %w", feed.Source, err)
	}
	defer resp.Body.Close()
	res.ETag, res.LastMod = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	switch resp.StatusCode {
	case http.StatusNotModified:
		res.NotModified = true
		f.cfg.Logger.Info("sanctions list not modified", "source", feed.Source, "url", feed.URL)
		return res, nil
	case http.StatusOK:
	default:
		return res, fmt.Errorf("fetch %s: %w: %s from %s", feed.Source, ErrHTTP, resp.Status, feed.URL)
	}
	// net/http reports a body shorter than Content-Length as
	// io.ErrUnexpectedEOF: a cut-off download never reaches the parser.
	data, err := io.ReadAll(io.LimitReader(resp.Body, f.cfg.MaxBytes+1))
	if err != nil {
		return res, fmt.Errorf("fetch %s: %w: reading %s: %v", feed.Source, ErrIntegrity, feed.URL, err)
	}
	if int64(len(data)) > f.cfg.MaxBytes {
		return res, fmt.Errorf("fetch %s: %w: larger than %d bytes", feed.Source, ErrIntegrity, f.cfg.MaxBytes)
	}
	res.Bytes = int64(len(data))
	if feed.SHA256 != "" {
		sum := sha256.Sum256(data)
		if got := hex.EncodeToString(sum[:]); !strings.EqualFold(got, feed.SHA256) {
			return res, fmt.Errorf("fetch %s: %w: sha256 %s, want %s", feed.Source, ErrIntegrity, got, feed.SHA256)
		}
	}
	l, err := load.Reader(fileName(feed.URL), bytes.NewReader(data))
	if err != nil {
		return res, fmt.Errorf("fetch %s: %w: %w", feed.Source, ErrIntegrity, err)
	}
	if feed.Source != "" && l.Source != feed.Source {
		return res, fmt.Errorf("fetch %s: %w: %s serves a %s list", feed.Source, ErrIntegrity, feed.URL, l.Source)
	}
	if f.cfg.MinKeep > 0 && prev.Entities > 0 && float64(len(l.Entities)) < f.cfg.MinKeep*float64(prev.Entities) {
		return res, fmt.Errorf("fetch %s: %w: %d entities where the stored version has %d; refusing a list that shrank this much (use --force if it is real)",
			feed.Source, ErrIntegrity, len(l.Entities), prev.Entities)
	}
	l.Files = []string{feed.URL}
	res.List = l
	return res, nil
}

// fileName is the last path element of a URL, for error messages and
// format detection.
func fileName(u string) string {
	u, _, _ = strings.Cut(u, "?")
	if b := path.Base(u); b != "" && b != "/" && b != "." {
		return b
	}
	return "download"
}
