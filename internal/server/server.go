// Package server is Lookout's HTTP face: a JSON/GeoJSON API described by an
// OpenAPI document (/openapi.json), live alerts over Server-Sent Events
// with optional webhooks, token authentication with roles, Prometheus
// metrics, and the embedded web map (web/).
//
// The server reads the store through the small interfaces in deps.go; the
// CLI wires concrete implementations in. Every route is declared once in
// the route table (routes.go), which registers it on the mux, enforces its
// role and query parameters, and documents it in the OpenAPI document.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// Config tunes the server. Zero fields take the defaults in parentheses.
type Config struct {
	Addr string // listen address ("127.0.0.1:8080")

	ReadHeaderTimeout time.Duration // (5s)
	ReadTimeout       time.Duration // whole request incl. body (60s)
	WriteTimeout      time.Duration // response; the alert stream lifts it (120s)
	IdleTimeout       time.Duration // keep-alive (120s)
	ShutdownTimeout   time.Duration // graceful shutdown before connections are cut (10s)
	MaxHeaderBytes    int           // (64 KiB)
	MaxBodyBytes      int64         // JSON request bodies (1 MiB)
	MaxUploadBytes    int64         // evidence files added to a case (64 MiB)

	// SearchRefresh is how stale the fallback search index may get (30s).
	SearchRefresh time.Duration
	// SnapshotMaxAge is how old a vessel's last position may be to show
	// on the map at a given time (6h).
	SnapshotMaxAge time.Duration
	// MaxTrackPoints caps one track response after simplification (20000).
	MaxTrackPoints int

	// WatchFile keeps watches across restarts when Deps.Watches is nil.
	WatchFile string
	// AlertBuffer is each alert-stream client's queue; a client that
	// falls this far behind loses alerts (counted) rather than slowing
	// the ingest that publishes them (256).
	AlertBuffer    int
	WebhookTimeout time.Duration // per attempt (5s)
	WebhookRetries int           // attempts after the first (3)
	WebhookBackoff time.Duration // before the first retry, doubling (1s)
	WebhookQueue   int           // deliveries waiting; more are dropped and counted (1024)

	// WebDir serves the UI from disk instead of the embedded copy (edit
	// and reload without rebuilding).
	WebDir string
	// SecureCookie marks the login cookie Secure (serve behind TLS).
	SecureCookie bool
	// TempDir holds dossiers while they are rendered (os.TempDir()).
	TempDir string
	// Now is the wall clock for snapshots' "taken" times and token
	// creation (time.Now). Event times never come from it.
	Now func() time.Time
}

func (c *Config) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if c.Addr == "" {
		c.Addr = "127.0.0.1:8080"
	}
	def(&c.ReadHeaderTimeout, 5*time.Second)
	def(&c.ReadTimeout, 60*time.Second)
	def(&c.WriteTimeout, 120*time.Second)
	def(&c.IdleTimeout, 120*time.Second)
	def(&c.ShutdownTimeout, 10*time.Second)
	def(&c.SearchRefresh, 30*time.Second)
	def(&c.SnapshotMaxAge, 6*time.Hour)
	def(&c.WebhookTimeout, 5*time.Second)
	def(&c.WebhookBackoff, time.Second)
	if c.MaxHeaderBytes <= 0 {
		c.MaxHeaderBytes = 64 << 10
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 1 << 20
	}
	if c.MaxUploadBytes <= 0 {
		c.MaxUploadBytes = 64 << 20
	}
	if c.MaxTrackPoints <= 0 {
		c.MaxTrackPoints = 20000
	}
	if c.AlertBuffer <= 0 {
		c.AlertBuffer = 256
	}
	if c.WebhookRetries < 0 {
		c.WebhookRetries = 0
	} else if c.WebhookRetries == 0 {
		c.WebhookRetries = 3
	}
	if c.WebhookQueue <= 0 {
		c.WebhookQueue = 1024
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Server serves the API, the alert stream and the UI.
type Server struct {
	cfg     Config
	deps    Deps
	log     *slog.Logger
	metrics *metrics
	alerts  *broker
	search  *searchIndex
	routes  []*route
	handler http.Handler
	openapi []byte

	runOnce sync.Once
}

// New builds a server. It fails when a required dependency is missing or
// the watch file cannot be read.
func New(cfg Config, deps Deps, logger *slog.Logger) (*Server, error) {
	cfg.defaults()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if deps.Store == nil {
		return nil, errors.New("server: Deps.Store is required")
	}
	if deps.Tokens == nil {
		return nil, errors.New("server: Deps.Tokens is required")
	}
	if deps.Watches == nil {
		w, err := OpenWatchFile(cfg.WatchFile)
		if err != nil {
			return nil, err
		}
		deps.Watches = w
	}
	if deps.Audit == nil && deps.Cases != nil {
		if rec, ok := deps.Cases.(CustodyRecorder); ok {
			deps.Audit = EvidenceAuditor{Log: rec}
		}
	}
	s := &Server{cfg: cfg, deps: deps, log: logger}
	s.metrics = newMetrics()
	s.alerts = newBroker(s)
	if deps.Search == nil {
		s.search = &searchIndex{st: deps.Store, refresh: cfg.SearchRefresh}
	}
	mux := http.NewServeMux()
	s.routes = s.routeTable()
	for _, rt := range s.routes {
		mux.Handle(rt.method+" "+rt.path, s.wrap(rt))
	}
	// Anything else: a JSON 404 for the API, the UI's own 404 otherwise.
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such API endpoint: "+r.Method+" "+r.URL.Path+" (see /openapi.json)")
	})
	doc, err := s.openAPI()
	if err != nil {
		return nil, fmt.Errorf("server: openapi: %w", err)
	}
	s.openapi = doc
	s.handler = s.recoverer(mux)
	return s, nil
}

// Handler returns the server's handler (for httptest or a caller's own
// http.Server).
func (s *Server) Handler() http.Handler { return s.handler }

// Run listens on Config.Addr and serves until ctx is done, then shuts down
// gracefully: it stops accepting, ends alert streams, waits up to
// Config.ShutdownTimeout for requests in flight, and delivers queued
// webhooks until then.
func (s *Server) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("server: listen %s: %w", s.cfg.Addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve is Run on a listener the caller opened.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    s.cfg.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	hooks, hooksCtx := s.alerts.startWebhooks()
	s.log.Info("serving", "addr", ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		s.alerts.close()
		hooksCtx()
		hooks.Wait()
		return fmt.Errorf("server: %w", err)
	case <-ctx.Done():
	}
	s.alerts.close() // ends streams so Shutdown need not wait for them
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	s.alerts.stopWebhooks(sctx)
	hooksCtx()
	hooks.Wait()
	if err != nil {
		srv.Close()
		return fmt.Errorf("server: shutdown: %w", err)
	}
	return nil
}

// IngestAdded counts positions stored by a live ingest (the ingest rate
// is its rate in Prometheus).
func (s *Server) IngestAdded(n int) { s.metrics.ingested.Add(float64(n)) }

// IngestRejected counts input rejected by a live ingest, by reason.
func (s *Server) IngestRejected(reason string, n int) {
	s.metrics.rejected.WithLabelValues(reason).Add(float64(n))
}

// ListFetched counts a scheduled download of a sanctions list by outcome:
// "new_version", "unchanged" (304 Not Modified or the same content) or
// "failed".
func (s *Server) ListFetched(source, outcome string) {
	s.metrics.listFetches.WithLabelValues(source, outcome).Inc()
}

// ListRefreshFailed counts a scheduled sanctions refresh that failed at a
// stage: "fetch", "screen" (re-screening the store) or "risk".
func (s *Server) ListRefreshFailed(stage string) {
	s.metrics.listFailed.WithLabelValues(stage).Inc()
}

// ListRefreshed records a refresh that completed without a failure, at t.
func (s *Server) ListRefreshed(t time.Time) {
	s.metrics.listLastOK.Set(float64(t.UnixNano()) / 1e9)
}

// ListVersion records the list version screening uses for a source.
func (s *Server) ListVersion(source string, id int64) {
	s.metrics.listVersion.WithLabelValues(source).Set(float64(id))
}
