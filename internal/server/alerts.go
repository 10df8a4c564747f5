package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/store"
)

// Watch asks for alerts on events matching all of its set conditions:
// any of Kinds, about any of MMSIs or IMOs (the event's vessel or the
// other vessel of an encounter), inside BBox. "A sanctioned vessel's AIS
// appears", "a watched vessel goes dark" and "entry into DPRK waters" are
// watches on kinds, vessels and an area.
type Watch struct {
	ID      string       `json:"id"`
	Name    string       `json:"name"`
	Kinds   []event.Kind `json:"kinds,omitempty"`
	MMSIs   []uint32     `json:"mmsis,omitempty"`
	IMOs    []uint32     `json:"imos,omitempty"`
	BBox    *store.BBox  `json:"bbox,omitempty"`
	Webhook string       `json:"webhook,omitempty"` // POSTed each alert as JSON
	Owner   string       `json:"owner"`
	Created time.Time    `json:"created"`
}

// Matches reports whether e is an alert for w. Withdrawn events are not.
func (w *Watch) Matches(e *event.Event) bool {
	if e.Withdrawn {
		return false
	}
	if len(w.Kinds) > 0 && !slices.Contains(w.Kinds, e.Kind) {
		return false
	}
	if len(w.MMSIs) > 0 && !slices.Contains(w.MMSIs, e.MMSI) && (e.OtherMMSI == 0 || !slices.Contains(w.MMSIs, e.OtherMMSI)) {
		return false
	}
	if len(w.IMOs) > 0 && (e.IMO == 0 || !slices.Contains(w.IMOs, e.IMO)) {
		return false
	}
	if w.BBox != nil && !w.BBox.Contains(e.Lat, e.Lon) {
		return false
	}
	return true
}

// WatchStore keeps watches.
type WatchStore interface {
	Watches(ctx context.Context) ([]Watch, error)
	PutWatch(ctx context.Context, w Watch) error
	DeleteWatch(ctx context.Context, id string) error // errNotFound-wrapping ErrNoWatch when absent
}

// ErrNoWatch: the watch to delete does not exist.
var ErrNoWatch = errors.New("server: no such watch")

// WatchFile is a WatchStore in memory, saved to a JSON file (atomically,
// on every change) when it has a path.
type WatchFile struct {
	path string
	mu   sync.Mutex
	m    map[string]Watch
}

// OpenWatchFile reads the watches in path ("" keeps them in memory only).
func OpenWatchFile(path string) (*WatchFile, error) {
	f := &WatchFile{path: path, m: map[string]Watch{}}
	if path == "" {
		return f, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return nil, fmt.Errorf("server: watch file: %w", err)
	}
	var ws []Watch
	if err := json.Unmarshal(data, &ws); err != nil {
		return nil, fmt.Errorf("server: watch file %s: %w", path, err)
	}
	for _, w := range ws {
		f.m[w.ID] = w
	}
	return f, nil
}

// Watches implements WatchStore, oldest first.
func (f *WatchFile) Watches(context.Context) ([]Watch, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.list(), nil
}

func (f *WatchFile) list() []Watch {
	out := make([]Watch, 0, len(f.m))
	for _, w := range f.m {
		out = append(out, w)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// PutWatch implements WatchStore.
func (f *WatchFile) PutWatch(_ context.Context, w Watch) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	old, had := f.m[w.ID]
	f.m[w.ID] = w
	if err := f.save(); err != nil {
		if had {
			f.m[w.ID] = old
		} else {
			delete(f.m, w.ID)
		}
		return err
	}
	return nil
}

// DeleteWatch implements WatchStore.
func (f *WatchFile) DeleteWatch(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	old, ok := f.m[id]
	if !ok {
		return fmt.Errorf("%w: %w %q", errNotFound, ErrNoWatch, id)
	}
	delete(f.m, id)
	if err := f.save(); err != nil {
		f.m[id] = old
		return err
	}
	return nil
}

func (f *WatchFile) save() error {
	if f.path == "" {
		return nil
	}
	data, err := json.MarshalIndent(f.list(), "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.path), ".watches-*")
	if err != nil {
		return fmt.Errorf("server: watch file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("server: watch file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("server: watch file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("server: watch file: %w", err)
	}
	if err := os.Rename(tmp.Name(), f.path); err != nil {
		return fmt.Errorf("server: watch file: %w", err)
	}
	return nil
}

// Alert is one event matching one watch: what the stream and webhooks send.
type Alert struct {
	Seq   uint64      `json:"seq"`
	Watch string      `json:"watch"`
	Name  string      `json:"watch_name"`
	Event event.Event `json:"event"`
}

// broker matches published events against the watches and fans alerts
// out to stream subscribers and the webhook queue. Publish never blocks:
// a slow subscriber or a full webhook queue loses alerts (counted in
// lookout_alerts_dropped_total) instead of stalling the ingest.
type broker struct {
	s *Server

	mu      sync.Mutex
	watches []Watch // cached copy of the store's, refreshed on change
	loaded  bool
	subs    map[*subscriber]struct{}
	seq     uint64
	closed  bool
	done    chan struct{}

	hooks     chan hookJob
	hookStop  chan struct{}
	hookClose sync.Once
}

type subscriber struct {
	watch string // "" all
	ch    chan Alert
}

type hookJob struct {
	url   string
	alert Alert
}

func newBroker(s *Server) *broker {
	return &broker{s: s, subs: map[*subscriber]struct{}{}, done: make(chan struct{}),
		hooks: make(chan hookJob, s.cfg.WebhookQueue), hookStop: make(chan struct{})}
}

func (b *broker) reload(ctx context.Context) error {
	ws, err := b.s.deps.Watches.Watches(ctx)
	if err != nil {
		return err
	}
	b.mu.Lock()
	b.watches, b.loaded = ws, true
	b.mu.Unlock()
	return nil
}

// Publish matches e against the watches and delivers an alert per
// matching watch to the stream clients and webhooks. The ingest pipeline
// calls it for every event it stores. Safe for concurrent use.
func (s *Server) Publish(e event.Event) {
	s.metrics.events.WithLabelValues(string(e.Kind)).Inc()
	b := s.alerts
	if err := b.ensureLoaded(context.Background()); err != nil {
		s.log.Error("alerts: reading watches", "err", err)
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	for i := range b.watches {
		w := &b.watches[i]
		if !w.Matches(&e) {
			continue
		}
		b.seq++
		a := Alert{Seq: b.seq, Watch: w.ID, Name: w.Name, Event: e}
		s.metrics.alerts.Inc()
		for sub := range b.subs {
			if sub.watch != "" && sub.watch != w.ID {
				continue
			}
			select {
			case sub.ch <- a:
			default:
				s.metrics.alertsDrop.Inc()
			}
		}
		if w.Webhook != "" {
			select {
			case b.hooks <- hookJob{url: w.Webhook, alert: a}:
			default:
				s.metrics.alertsDrop.Inc()
				s.log.Warn("alerts: webhook queue full, alert dropped", "watch", w.ID)
			}
		}
	}
}

func (b *broker) ensureLoaded(ctx context.Context) error {
	b.mu.Lock()
	loaded := b.loaded
	b.mu.Unlock()
	if loaded {
		return nil
	}
	return b.reload(ctx)
}

func (b *broker) subscribe(watch string) (*subscriber, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, false
	}
	sub := &subscriber{watch: watch, ch: make(chan Alert, b.s.cfg.AlertBuffer)}
	b.subs[sub] = struct{}{}
	b.s.metrics.streams.Inc()
	return sub, true
}

func (b *broker) unsubscribe(sub *subscriber) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.subs[sub]; ok {
		delete(b.subs, sub)
		b.s.metrics.streams.Dec()
	}
}

// close ends every stream (shutdown).
func (b *broker) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.closed {
		b.closed = true
		close(b.done)
	}
}

// startWebhooks starts the delivery workers; cancel stops them at once.
func (b *broker) startWebhooks() (*sync.WaitGroup, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	client := &http.Client{Timeout: b.s.cfg.WebhookTimeout}
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case <-b.hookStop:
					// Drain what is queued, then stop.
					for {
						select {
						case j := <-b.hooks:
							b.deliver(ctx, client, j)
						default:
							return
						}
					}
				case j := <-b.hooks:
					b.deliver(ctx, client, j)
				}
			}
		}()
	}
	return &wg, cancel
}

// stopWebhooks asks the workers to drain the queue and stop.
func (b *broker) stopWebhooks(context.Context) { b.hookClose.Do(func() { close(b.hookStop) }) }

// deliver POSTs one alert, retrying on network errors, 5xx and 429 with
// doubling backoff; other 4xx answers are final.
func (b *broker) deliver(ctx context.Context, client *http.Client, j hookJob) {
	body, err := json.Marshal(j.alert)
	if err != nil {
		return
	}
	err = deliverWebhook(ctx, client, j.url, body, b.s.cfg.WebhookRetries, b.s.cfg.WebhookBackoff)
	if err != nil {
		b.s.metrics.webhooks.WithLabelValues("failed").Inc()
		b.s.log.Warn("alerts: webhook failed", "watch", j.alert.Watch, "url", redactURL(j.url), "err", err)
		return
	}
	b.s.metrics.webhooks.WithLabelValues("ok").Inc()
}

func deliverWebhook(ctx context.Context, client *http.Client, u string, body []byte, retries int, backoff time.Duration) error {
	var last error
	for attempt := 0; attempt <= retries; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(backoff):
			}
			backoff *= 2
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "lookout-alerts")
		resp, err := client.Do(req)
		if err != nil {
			last = err
			continue
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		switch {
		case resp.StatusCode/100 == 2:
			return nil
		case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
			last = fmt.Errorf("HTTP %d", resp.StatusCode)
		default:
			return fmt.Errorf("HTTP %d (not retried)", resp.StatusCode)
		}
	}
	return fmt.Errorf("after %d attempts: %w", retries+1, last)
}

// redactURL drops credentials and the query (webhook URLs often carry a
// secret) before logging.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User, u.RawQuery = nil, ""
	return u.String()
}

// Handlers.

func (s *Server) handleWatches(w http.ResponseWriter, r *http.Request, _ *query) {
	ws, err := s.deps.Watches.Watches(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if ws == nil {
		ws = []Watch{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"watches": ws})
}

type watchInput struct {
	Name    string       `json:"name"`
	Kinds   []event.Kind `json:"kinds"`
	MMSIs   []uint32     `json:"mmsis"`
	IMOs    []uint32     `json:"imos"`
	BBox    []float64    `json:"bbox"` // minLon, minLat, maxLon, maxLat
	Webhook string       `json:"webhook"`
}

func (s *Server) handleCreateWatch(w http.ResponseWriter, r *http.Request, _ *query) {
	var in watchInput
	if err := decodeBody(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	var probs []string
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || len(in.Name) > 200 {
		probs = append(probs, "name: 1 to 200 characters required")
	}
	for _, k := range in.Kinds {
		if !k.Valid() {
			probs = append(probs, fmt.Sprintf("kinds: unknown event kind %q", k))
		}
	}
	if len(in.MMSIs) > 10000 || len(in.IMOs) > 10000 {
		probs = append(probs, "mmsis, imos: at most 10000 each")
	}
	wt := Watch{Name: in.Name, Kinds: in.Kinds, MMSIs: in.MMSIs, IMOs: in.IMOs, Owner: principalOf(r.Context()).Who(), Created: s.cfg.Now().UTC()}
	if in.BBox != nil {
		if len(in.BBox) != 4 {
			probs = append(probs, "bbox: want [minLon, minLat, maxLon, maxLat]")
		} else if b, err := parseBBox(fmt.Sprintf("%v,%v,%v,%v", in.BBox[0], in.BBox[1], in.BBox[2], in.BBox[3])); err != nil {
			probs = append(probs, "bbox: "+err.Error())
		} else {
			wt.BBox = b
		}
	}
	if in.Webhook != "" {
		u, err := url.Parse(in.Webhook)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			probs = append(probs, "webhook: must be an http or https URL")
		} else {
			wt.Webhook = in.Webhook
		}
	}
	if len(in.Kinds) == 0 && len(in.MMSIs) == 0 && len(in.IMOs) == 0 && wt.BBox == nil {
		probs = append(probs, "a watch needs at least one of kinds, mmsis, imos, bbox")
	}
	if len(probs) > 0 {
		s.fail(w, r, badRequest("%s", strings.Join(probs, "; ")))
		return
	}
	var id [6]byte
	_, _ = rand.Read(id[:])
	wt.ID = "w" + hex.EncodeToString(id[:])
	if err := s.deps.Watches.PutWatch(r.Context(), wt); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.alerts.reload(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, wt)
}

func (s *Server) handleDeleteWatch(w http.ResponseWriter, r *http.Request, q *query) {
	if err := s.deps.Watches.DeleteWatch(r.Context(), q.path("id")); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.alerts.reload(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleStream is the alert stream: "alert" events with an Alert as data,
// a comment every 15 s to keep proxies from closing the connection.
func (s *Server) handleStream(w http.ResponseWriter, r *http.Request, q *query) {
	watch := q.str("watch")
	if err := q.err(); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.alerts.ensureLoaded(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	sub, ok := s.alerts.subscribe(watch)
	if !ok {
		writeError(w, http.StatusServiceUnavailable, "server is shutting down")
		return
	}
	defer s.alerts.unsubscribe(sub)
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, ": lookout alerts\nretry: 3000\n\n")
	if err := rc.Flush(); err != nil {
		return
	}
	tick := time.NewTicker(15 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.alerts.done:
			return
		case <-tick.C:
			if _, err := io.WriteString(w, ": keep-alive\n\n"); err != nil {
				return
			}
		case a := <-sub.ch:
			data, err := json.Marshal(a)
			if err != nil {
				continue
			}
			if _, err := fmt.Fprintf(w, "id: %d\nevent: alert\ndata: %s\n\n", a.Seq, data); err != nil {
				return
			}
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}
