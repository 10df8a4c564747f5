package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/lookout-maritime/lookout/internal/coast"
	"github.com/lookout-maritime/lookout/internal/detect"
	"github.com/lookout-maritime/lookout/internal/dossier"
	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/evidence"
	"github.com/lookout-maritime/lookout/internal/gazetteer"
	"github.com/lookout-maritime/lookout/internal/imagery"
	"github.com/lookout-maritime/lookout/internal/ingest"
	"github.com/lookout-maritime/lookout/internal/risk"
	"github.com/lookout-maritime/lookout/internal/risk/riskstore"
	"github.com/lookout-maritime/lookout/internal/sanctions/fetch"
	"github.com/lookout-maritime/lookout/internal/sanctions/match"
	"github.com/lookout-maritime/lookout/internal/server"
	"github.com/lookout-maritime/lookout/internal/source"
	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/track"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

func init() { register(newServeCmd) }

// serveOptions configure serveStore. Only StorePath is required.
type serveOptions struct {
	// Addr is the listen address (default 127.0.0.1:8080; port 0 picks a
	// free one, reported through Ready).
	Addr string
	// StorePath is a DuckDB file or a postgres:// URL.
	StorePath string
	// ImageryDir, EvidenceDir and TokensPath default to the places next to
	// the store (imageryDir, evidenceDir, tokenPath).
	ImageryDir, EvidenceDir, TokensPath string
	// Ingest lists sources read into the store while serving (files, or
	// tcp://, udp://, aisstream:// streams); their detector events go to
	// the alert stream as they are stored.
	Ingest []string
	// Reorder is how long the live ingest holds each vessel's positions to
	// put late ones in time order (0: the tracker's default, 5 min;
	// negative: none). A position reaches the store no sooner.
	Reorder time.Duration
	// ReorderDepth bounds how many positions per vessel the reordering
	// holds (0: the tracker's default).
	ReorderDepth int
	// Detect sets the live ingest's detectors and the map's places (the
	// gazetteer with the user's files); nil: the defaults.
	Detect *detectFlags
	// RefreshLists is how often the sanctions lists are downloaded again
	// (0: never). Refreshing needs a writable store.
	RefreshLists time.Duration
	// Feeds are the lists to refresh (nil: fetch.DefaultFeeds); Fetcher
	// downloads them (nil: fetch.New with defaults).
	Feeds   []fetch.Feed
	Fetcher *fetch.Fetcher
	// OpenCase is the case the printed URL opens in the web map.
	OpenCase string
	// NewToken, when set, creates a fresh admin token with this name at
	// start (the demo does, so its user can sign in). Without it an admin
	// token named "admin" is created only when the token file is missing.
	NewToken string
	// WebDir serves the UI from disk (development).
	WebDir string
	// Out receives the URL, the new token and ingest summaries (default:
	// discarded); Logger the server's log (default: discarded).
	Out    io.Writer
	Logger *slog.Logger
	// Ready is called once the server listens.
	Ready func(serveInfo)
}

// serveInfo says where a started server is and how to sign in.
type serveInfo struct {
	URL     string // the server's root, e.g. http://127.0.0.1:8080/
	OpenURL string // the page to open: the case when OpenCase is set
	// Token is an admin token created by this start ("" when none was);
	// TokenFile is where tokens are kept.
	Token, TokenFile string
}

// serveStore serves a store's API and web map until ctx is done, then shuts
// down gracefully (requests in flight finish, alert streams end, a live
// ingest is stopped and recorded). `lookout serve` and `lookout demo` call
// it.
func serveStore(ctx context.Context, o serveOptions) error {
	if o.StorePath == "" {
		return errors.New("serve: no store")
	}
	out := o.Out
	if out == nil {
		out = io.Discard
	}
	logger := o.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if o.Addr == "" {
		o.Addr = "127.0.0.1:8080"
	}
	if o.Detect == nil {
		o.Detect = &detectFlags{}
	}
	if o.ImageryDir == "" {
		o.ImageryDir = imageryDir(o.StorePath)
	}
	if o.EvidenceDir == "" {
		o.EvidenceDir = evidenceDir("", o.StorePath)
	}
	o.TokensPath = tokenPath(o.TokensPath, o.StorePath)
	isURL := strings.Contains(o.StorePath, "://")

	// Without a live ingest or list refreshes a DuckDB store is opened
	// read-only, so other read-only commands (vessels, events...) can
	// share it.
	readOnly := len(o.Ingest) == 0 && o.RefreshLists <= 0
	// Only a live ingest makes a new store: refreshing lists into an
	// empty one would serve nothing.
	if len(o.Ingest) == 0 && !isURL {
		if _, err := os.Stat(o.StorePath); errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("serve: store %s does not exist: ingest AIS first (lookout ingest FILE...), or serve --ingest SOURCE", o.StorePath)
		}
	}
	st, err := openStore(ctx, o.StorePath, readOnly && !isURL)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer st.Close()

	info := serveInfo{TokenFile: o.TokensPath}
	// A missing token file is an empty one; the first token is made once
	// the server listens (below), so a failed start loses no token.
	tokens, err := server.OpenTokenFile(o.TokensPath)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}

	screener := &storeScreener{st: st}
	deps := server.Deps{Store: st, Tokens: tokens, Screener: screener,
		Imagery: serverImagery{newImageryReader(o.ImageryDir)}}
	if ls, ok := st.(latestPositioner); ok { // the map's vessel layer in one query
		deps.Snapshot = snapshotter{ls}
	}
	// The evidence log takes an exclusive lock: while the server runs,
	// cases are worked on through it (the web map or the API).
	if l, err := evidence.Open(o.EvidenceDir, evidence.Config{}); err != nil {
		fmt.Fprintf(out, "cases are not available: %v\n", err)
	} else {
		defer l.Close()
		deps.Cases = l
		deps.Dossier = &dossierExporter{st: st, log: l, imageryDir: o.ImageryDir}
	}
	mask, err := coast.Load()
	if err != nil {
		return fmt.Errorf("serve: coastline: %w", err)
	}
	deps.Basemap = server.BasemapFunc(func(minLon, minLat, maxLon, maxLat, tol float64) ([]byte, error) {
		b, err := mask.LandGeoJSON(coast.BBox{MinLon: minLon, MinLat: minLat, MaxLon: maxLon, MaxLat: maxLat}, tol)
		if errors.Is(err, coast.ErrBadBBox) {
			return nil, fmt.Errorf("%w: %v", store.ErrInvalid, err)
		}
		return b, err
	})
	places, err := o.Detect.places()
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	deps.Places = serverPlaces{places}

	watchFile := strings.TrimSuffix(o.StorePath, filepath.Ext(o.StorePath)) + ".watches.json"
	if isURL {
		watchFile = "lookout.watches.json"
	}
	var eng *detect.Engine
	if len(o.Ingest) > 0 {
		if eng, err = o.Detect.engine(logger); err != nil {
			return fmt.Errorf("serve: detectors: %w", err)
		}
	}
	srv, err := server.New(server.Config{Addr: o.Addr, WebDir: o.WebDir, WatchFile: watchFile}, deps, logger)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if _, err := os.Stat(o.TokensPath); errors.Is(err, fs.ErrNotExist) || o.NewToken != "" {
		name := o.NewToken
		if name == "" {
			name = "admin"
		}
		if info.Token, err = server.CreateToken(o.TokensPath, server.RoleAdmin, name, time.Now()); err != nil {
			ln.Close()
			return fmt.Errorf("serve: %w", err)
		}
	}
	info.URL = "http://" + ln.Addr().String() + "/"
	info.OpenURL = info.URL
	if o.OpenCase != "" {
		info.OpenURL += "#/case/" + url.PathEscape(o.OpenCase)
	}
	fmt.Fprintf(out, "Lookout is serving %s at %s\n", o.StorePath, info.URL)
	if info.Token != "" {
		fmt.Fprintf(out, "Open %s and sign in with this admin token (shown only now; kept hashed in %s):\n\n    %s\n\n",
			info.OpenURL, o.TokensPath, info.Token)
	} else {
		fmt.Fprintf(out, "Open %s and sign in with a token from %s (lookout token create --role analyst --name NAME).\n", info.OpenURL, o.TokensPath)
	}
	if o.RefreshLists > 0 {
		fmt.Fprintf(out, "Sanctions lists are refreshed every %s (%s).\n", o.RefreshLists, feedNames(o.feeds()))
	}
	fmt.Fprintln(out, "Stop with Ctrl-C.")
	if o.Ready != nil {
		o.Ready(info)
	}

	ingestCtx, stopIngest := context.WithCancel(ctx)
	defer stopIngest()
	var wg sync.WaitGroup
	if len(o.Ingest) > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			liveIngest(ingestCtx, st, srv, eng, o, out, logger)
		}()
	}
	if o.RefreshLists > 0 {
		f := o.Fetcher
		if f == nil {
			f = fetch.New(fetch.Config{Logger: logger})
		}
		r := &listRefresher{st: st, fetcher: f, feeds: o.feeds(), sink: srv, screener: screener, log: logger}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.run(ingestCtx, o.RefreshLists)
		}()
	}
	err = srv.Serve(ctx, ln)
	stopIngest()
	wg.Wait()
	return err
}

// liveIngest reads the sources into the store with the streaming
// detectors, publishing each event to the alert stream once it is stored
// and counting what was stored and rejected in the server's metrics. A
// failed source is reported; the server keeps serving.
func liveIngest(ctx context.Context, st store.Store, srv *server.Server, eng *detect.Engine, o serveOptions, out io.Writer, logger *slog.Logger) {
	cfg := ingest.Config{Logger: logger, OnReject: func(r *source.Reject) { srv.IngestRejected(r.Reason, 1) }}
	cfg.Track.Reorder, cfg.Track.ReorderDepth = o.Reorder, o.ReorderDepth
	if eng != nil { // not --no-detect
		cfg.Observer = eng
	}
	for _, s := range o.Ingest {
		// A stream's positions should reach the map soon, not after the
		// half million a file's batches hold: a batch goes to the store
		// when it holds 50 000 points or has waited two seconds.
		if s == "-" || strings.Contains(s, "://") {
			cfg.BatchPoints, cfg.FlushEvery = 50_000, 2*time.Second
		}
	}
	ps := &publishingStore{Store: st, publish: srv.Publish, added: srv.IngestAdded}
	sum, err := ingest.Run(ctx, ps, o.Ingest, cfg)
	if err != nil && ctx.Err() == nil {
		fmt.Fprintf(out, "ingest: %v\n", err)
	}
	printIngestSummary(out, sum, o.StorePath)
}

// publishingStore is the store as the live ingest sees it: events go to
// the server's alert stream after they are stored (an alert never names an
// event the store lost), and stored positions are counted.
type publishingStore struct {
	store.Store
	publish func(event.Event)
	added   func(int)
}

func (p *publishingStore) PutEvents(ctx context.Context, evs []event.Event) error {
	if err := p.Store.PutEvents(ctx, evs); err != nil {
		return err
	}
	for _, e := range evs {
		p.publish(e)
	}
	return nil
}

func (p *publishingStore) AddPositions(ctx context.Context, run store.RunID, pts []vessel.TrackPoint) (store.LoadStats, error) {
	ls, err := p.Store.AddPositions(ctx, run, pts)
	if err == nil {
		p.added(ls.Added)
	}
	return ls, err
}

func (o serveOptions) feeds() []fetch.Feed {
	if len(o.Feeds) > 0 {
		return o.Feeds
	}
	return fetch.DefaultFeeds
}

func feedNames(feeds []fetch.Feed) string {
	names := make([]string, len(feeds))
	for i, f := range feeds {
		names[i] = string(f.Source)
	}
	return strings.Join(names, ", ")
}

// refreshSink is where a list refresh reports: the server's alert stream
// and metrics (*server.Server).
type refreshSink interface {
	Publish(event.Event)
	ListFetched(source, outcome string)
	ListRefreshFailed(stage string)
	ListRefreshed(t time.Time)
	ListVersion(source string, id int64)
}

// errRefreshBusy: a refresh was asked for while another ran.
var errRefreshBusy = errors.New("a sanctions refresh is already running")

// listRefresher keeps the sanctions lists current while serving: it
// downloads them as `lookout sanctions update` does (conditional requests,
// integrity checks, a new version only when the content changed), and
// after a new version re-screens the store as `lookout screen` does and
// re-rates the vessels as `lookout risk --update` does, publishing the new
// sanctions_hit and risk_change events so that watches fire. Failures are
// logged and counted; the lists in use stay as they were.
type listRefresher struct {
	st       store.Store
	fetcher  *fetch.Fetcher
	feeds    []fetch.Feed
	sink     refreshSink
	screener *storeScreener // the API's, warmed after a new version
	log      *slog.Logger
	now      func() time.Time // default time.Now

	mu sync.Mutex // held by the refresh in progress
}

// refreshResult says what one refresh did.
type refreshResult struct {
	NewVersions []store.ListVersion // stored by this refresh
	Failed      []string            // sources that failed to download or store
	Screened    int                 // vessels re-screened (0: no new version)
	NewHits     []event.Event       // sanctions_hit events not stored before
	RiskChanges []event.Event
}

func (r *listRefresher) clock() time.Time {
	if r.now != nil {
		return r.now()
	}
	return time.Now()
}

// run refreshes every interval until ctx is done. The first refresh is
// due an interval after the newest download from one of the feeds (so a
// restarted server keeps the schedule), or an interval after start when
// none was ever downloaded: starting a server never fetches on its own
// (`lookout sanctions update` fetches now).
func (r *listRefresher) run(ctx context.Context, every time.Duration) {
	due := r.clock().Add(every)
	if last, ok := r.lastDownload(ctx); ok && last.Add(every).Before(due) {
		due = last.Add(every)
	}
	r.log.Info("sanctions refresh scheduled", "every", every, "next", due.Format(time.RFC3339), "feeds", feedNames(r.feeds))
	for {
		t := time.NewTimer(max(0, due.Sub(r.clock())))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		// Errors are logged and counted by refresh; the schedule goes on.
		r.refresh(ctx)
		due = r.clock().Add(every)
	}
}

// lastDownload is when a version was last downloaded from one of the
// feeds' URLs.
func (r *listRefresher) lastDownload(ctx context.Context) (time.Time, bool) {
	vs, err := r.st.ListVersions(ctx)
	if err != nil {
		return time.Time{}, false
	}
	var last time.Time
	for _, v := range vs {
		for _, f := range r.feeds {
			if v.URL != "" && v.URL == f.URL && v.Loaded.After(last) {
				last = v.Loaded
			}
		}
	}
	return last, !last.IsZero()
}

// refresh downloads every feed once and, when a new version arrived,
// re-screens the store and re-rates its vessels. It never overlaps
// another refresh: a second call while one runs returns errRefreshBusy at
// once. Its errors are also logged and counted.
func (r *listRefresher) refresh(ctx context.Context) (refreshResult, error) {
	var res refreshResult
	if !r.mu.TryLock() {
		r.log.Warn("sanctions refresh skipped: the previous one is still running")
		return res, errRefreshBusy
	}
	defer r.mu.Unlock()
	start := r.clock()
	before, err := r.st.ListVersions(ctx)
	if err != nil {
		r.sink.ListRefreshFailed("fetch")
		r.log.Error("sanctions refresh: reading the stored lists", "err", err)
		return res, fmt.Errorf("sanctions refresh: %w", err)
	}
	known := map[int64]bool{}
	for _, v := range before {
		known[v.ID] = true
	}
	// One feed at a time through updateLists, so that each feed's outcome
	// is known and one failure does not hide another.
	for _, feed := range r.feeds {
		var report strings.Builder
		err := updateLists(ctx, r.st, r.fetcher, []fetch.Feed{feed}, &report)
		msg := strings.TrimSpace(report.String())
		if err != nil {
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			res.Failed = append(res.Failed, string(feed.Source))
			r.sink.ListFetched(string(feed.Source), "failed")
			r.log.Error("sanctions refresh failed; the stored version stays in use", "source", feed.Source, "url", feed.URL,
				"err", firstNonEmpty(msg, err.Error()))
			continue
		}
		r.log.Info("sanctions refresh", "source", feed.Source, "result", msg)
	}
	after, err := r.st.ListVersions(ctx)
	if err != nil {
		r.sink.ListRefreshFailed("fetch")
		r.log.Error("sanctions refresh: reading the stored lists", "err", err)
		return res, fmt.Errorf("sanctions refresh: %w", err)
	}
	newBySource := map[string]bool{}
	for _, v := range after {
		if !known[v.ID] {
			res.NewVersions = append(res.NewVersions, v)
			newBySource[v.Source] = true
		}
	}
	failed := map[string]bool{}
	for _, s := range res.Failed {
		failed[s] = true
	}
	for _, f := range r.feeds {
		switch src := string(f.Source); {
		case failed[src]:
		case newBySource[src]:
			r.sink.ListFetched(src, "new_version")
		default:
			r.sink.ListFetched(src, "unchanged")
		}
	}
	seen := map[string]bool{}
	for _, v := range after { // newest first: the versions screening uses
		if !seen[v.Source] {
			seen[v.Source] = true
			r.sink.ListVersion(v.Source, v.ID)
		}
	}
	if len(res.Failed) > 0 {
		r.sink.ListRefreshFailed("fetch")
		err = fmt.Errorf("sanctions refresh: %d of %d feeds failed (%s)", len(res.Failed), len(r.feeds), strings.Join(res.Failed, ", "))
	}
	if len(res.NewVersions) == 0 {
		if err == nil {
			r.sink.ListRefreshed(r.clock())
		}
		return res, err
	}
	if serr := r.rescreen(ctx, &res); serr != nil {
		return res, errors.Join(err, serr)
	}
	r.log.Info("sanctions refresh done", "new_versions", len(res.NewVersions), "screened", res.Screened,
		"new_hits", len(res.NewHits), "risk_changes", len(res.RiskChanges), "took", r.clock().Sub(start).Round(time.Millisecond))
	if err == nil {
		r.sink.ListRefreshed(r.clock())
	}
	return res, err
}

// rescreen screens every stored vessel against the newest lists (as
// `lookout screen`), replaces the screening events, publishes the hits
// that are new, then re-rates the vessels (as `lookout risk --update`)
// and publishes the rating changes.
func (r *listRefresher) rescreen(ctx context.Context, res *refreshResult) error {
	q := store.EventQuery{Detectors: []string{match.Detector}, IncludeWithdrawn: true}
	prev, err := r.st.Events(ctx, q)
	if err != nil {
		r.sink.ListRefreshFailed("screen")
		r.log.Error("sanctions refresh: reading the screening events", "err", err)
		return fmt.Errorf("sanctions refresh: %w", err)
	}
	had := make(map[string]bool, len(prev))
	for _, e := range prev {
		had[e.Key] = true
	}
	evs, screened, err := screenAll(ctx, r.st)
	if err == nil {
		err = r.st.ReplaceEvents(ctx, []string{match.Detector}, evs)
	}
	if err != nil {
		r.sink.ListRefreshFailed("screen")
		r.log.Error("sanctions refresh: re-screening the store", "err", err)
		return fmt.Errorf("sanctions refresh: screening: %w", err)
	}
	res.Screened = screened
	// Published as stored (with their IDs); a hit already known before
	// this version, under the same vessel, list and entity, is not
	// alerted again.
	stored, err := r.st.Events(ctx, q)
	if err != nil {
		r.sink.ListRefreshFailed("screen")
		r.log.Error("sanctions refresh: reading the screening events", "err", err)
		return fmt.Errorf("sanctions refresh: %w", err)
	}
	for _, e := range stored {
		if !had[e.Key] {
			res.NewHits = append(res.NewHits, e)
			r.sink.Publish(e)
		}
	}
	// The API's screener switches to the new versions on its next
	// request; building its index now spares that request the wait.
	if r.screener != nil {
		if _, err := r.screener.current(ctx); err != nil {
			r.log.Warn("sanctions refresh: rebuilding the API's screening index", "err", err)
		}
	}
	rater, err := risk.New(risk.Config{})
	if err == nil {
		var rr riskstore.Result
		rr, err = riskstore.Update(ctx, r.st, rater, r.clock().UTC().Truncate(time.Second))
		res.RiskChanges = rr.Changes
	}
	if err != nil {
		r.sink.ListRefreshFailed("risk")
		r.log.Error("sanctions refresh: re-rating the vessels", "err", err)
		return fmt.Errorf("sanctions refresh: risk: %w", err)
	}
	for _, e := range res.RiskChanges {
		r.sink.Publish(e)
	}
	return nil
}

// storeScreener screens against the newest list versions in the store,
// rebuilding its index when a newer version is loaded (by `lookout
// sanctions update` beside a running server).
type storeScreener struct {
	st listStore

	mu  sync.Mutex
	key string
	sc  *screener
}

// Screen implements server.Screener.
func (s *storeScreener) Screen(ctx context.Context, q match.VesselQuery) ([]match.Hit, error) {
	sc, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	return sc.ix.ScreenVessel(q), nil
}

func (s *storeScreener) current(ctx context.Context) (*screener, error) {
	vs, err := s.st.ListVersions(ctx)
	if err != nil {
		return nil, err
	}
	// The newest version of each source, as latestLists picks them.
	seen := map[string]bool{}
	var key strings.Builder
	for _, v := range vs {
		if !seen[v.Source] {
			seen[v.Source] = true
			key.WriteString(v.Source + ":" + strconv.FormatInt(v.ID, 10) + " ")
		}
	}
	if key.Len() == 0 {
		return nil, fmt.Errorf("%w: %v", store.ErrNotFound, errNoLists)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sc != nil && s.key == key.String() {
		return s.sc, nil
	}
	sc, err := newScreener(ctx, s.st)
	if err != nil {
		return nil, err
	}
	s.sc, s.key = sc, key.String()
	return sc, nil
}

// dossierExporter renders a case's dossier for the API as `lookout
// dossier --zip` does: ports, the case's scenes and the coastline on its
// map (dossierMap).
type dossierExporter struct {
	st         dossierStore
	log        *evidence.Log
	imageryDir string
}

// ExportZip implements server.DossierExporter.
func (d *dossierExporter) ExportZip(ctx context.Context, caseID, who string, w io.Writer) error {
	c, err := buildDossier(ctx, d.st, d.log, caseID, who)
	if err != nil {
		return err
	}
	if err := dossierMap(ctx, c, d.log, d.imageryDir); err != nil {
		return err
	}
	_, err = dossier.WriteZip(w, c, dossier.Options{Sign: d.log.SignNote})
	return err
}

// serverPlaces adapts the gazetteer to server.Places: one map place per
// point, or per part of a place's area.
type serverPlaces struct{ g *gazetteer.Gazetteer }

func (p serverPlaces) Places(context.Context) ([]server.Place, error) {
	all := p.g.All()
	out := make([]server.Place, 0, len(all))
	for _, x := range all {
		sp := server.Place{Name: x.Name, Country: x.Country, Kind: string(x.Kind), Lat: x.Lat, Lon: x.Lon,
			HighRisk: x.HighRisk, Source: x.Source}
		if len(x.Polygons) == 0 {
			out = append(out, sp)
			continue
		}
		for _, ring := range x.Polygons {
			part := sp
			part.Polygon = make([][2]float64, len(ring))
			for i, v := range ring { // the gazetteer's [lat, lon] to GeoJSON's [lon, lat]
				part.Polygon[i] = [2]float64{v[1], v[0]}
			}
			out = append(out, part)
		}
	}
	return out, nil
}

// serverImagery adapts the imagery catalogue to server.Imagery.
type serverImagery struct{ r *imageryReader }

func (s serverImagery) Scenes(ctx context.Context, q server.ImageryQuery) ([]dossier.Scene, error) {
	iq := imagery.SceneQuery{From: q.From, To: q.To, Limit: q.Limit}
	if b := q.BBox; b != nil {
		iq.BBox = &[4]float64{b.MinLon, b.MinLat, b.MaxLon, b.MaxLat}
	}
	return s.r.scenes(ctx, iq)
}

func newServeCmd() *cobra.Command {
	var o serveOptions
	var df detectFlags
	var storeFlag, logLevel string
	var feedFlags []string
	cmd := &cobra.Command{
		Use:   "serve [flags]",
		Short: "Serve the API, live alerts and the web map over the store",
		Long: `Serve answers the HTTP JSON/GeoJSON API (described at /openapi.json), streams live alerts
(Server-Sent Events and webhooks for watches), exposes Prometheus metrics (/metrics) and serves
the web map, over the store, its evidence log (cases and dossiers), the imagery catalogue and
the newest sanctions lists.

Every request but /healthz and the map's own files needs a token (Authorization: Bearer TOKEN,
or the map's sign-in). On the first start, when there is no token file yet, an admin token is
created and printed once; make more with 'lookout token create'. Tokens live next to the store
(lookout.duckdb → lookout.tokens) unless --tokens says otherwise.

With --ingest, sources are read into the store while serving (files, or tcp://, udp://,
aisstream:// streams), through the streaming detectors (--profile, --param, --gazetteer as
for 'lookout ingest'): their events reach the alert stream as they are stored. The map's ports
and zones are the gazetteer's, with the files --gazetteer adds.

Every --refresh-lists (24h; counted from the last download, or from start when there was
none) the sanctions lists are downloaded again as 'lookout sanctions update' does: conditional
requests, integrity checks, a new version only when the content changed (--feed SOURCE=URL
replaces the official URLs). After a new version the store is re-screened and re-rated as
'lookout screen' and 'lookout risk --update' do: new sanctions_hit and risk_change events reach
the alert stream, and the API screens against the new version. A failed download is logged
and counted in /metrics (lookout_sanctions_fetches_total, lookout_sanctions_refresh_failures_total)
and the stored version stays in use.

A DuckDB store is opened read-only, so that other commands can read it while it is served,
only with neither --ingest nor list refreshes (--refresh-lists 0).

Ctrl-C (SIGINT) or SIGTERM shuts down gracefully.`,
		Example: `  lookout serve
  lookout serve --addr 0.0.0.0:8080 --store postgres://lookout@db/lookout
  lookout serve --ingest tcp://ais.example.org:5631 --reorder 30s
  lookout serve --refresh-lists 6h --feed OFAC-SDN=https://mirror.example/sdn.xml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var level slog.Level
			if err := level.UnmarshalText([]byte(logLevel)); err != nil {
				return usageError{fmt.Errorf("--log-level %q: want debug, info, warn or error", logLevel)}
			}
			if o.RefreshLists < 0 {
				return usageError{fmt.Errorf("--refresh-lists %s: want a duration >= 0", o.RefreshLists)}
			}
			if len(feedFlags) > 0 {
				feeds, err := parseFeeds(feedFlags)
				if err != nil {
					return usageError{err}
				}
				o.Feeds = feeds
			}
			o.StorePath = storePath(storeFlag)
			o.Detect = &df
			o.Out = cmd.OutOrStdout()
			o.Logger = slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level}))
			return serveStore(cmd.Context(), o)
		},
	}
	addStoreFlag(cmd, &storeFlag)
	fl := cmd.Flags()
	fl.StringVar(&o.Addr, "addr", "127.0.0.1:8080", "listen address (port 0: any free port)")
	fl.StringArrayVar(&o.Ingest, "ingest", nil, "read this source into the store while serving (repeatable): a file, tcp://host:port, udp://:port, aisstream://")
	fl.StringVar(&o.TokensPath, "tokens", "", "token file (default $LOOKOUT_TOKENS, else next to the store)")
	fl.StringVar(&o.ImageryDir, "imagery-dir", "", "imagery directory (default $LOOKOUT_IMAGERY, else next to the store)")
	fl.StringVar(&o.EvidenceDir, "evidence", "", "evidence log directory (default $LOOKOUT_EVIDENCE, else next to the store)")
	fl.StringVar(&o.OpenCase, "open-case", "", "print the link that opens this case in the web map")
	fl.StringVar(&o.NewToken, "new-token", "", "create a fresh admin token with this name and print it")
	fl.StringVar(&o.WebDir, "web-dir", "", "serve the web map from this directory instead of the built-in copy (development)")
	fl.DurationVar(&o.Reorder, "reorder", 0, "--ingest: hold each vessel's positions this long to put late ones in order (default 5m; a position reaches the map no sooner; negative: no reordering)")
	fl.IntVar(&o.ReorderDepth, "reorder-depth", track.DefaultReorderDepth, "--ingest: hold at most this many positions per vessel for reordering (negative: no bound, only --reorder)")
	fl.DurationVar(&o.RefreshLists, "refresh-lists", 24*time.Hour, "download the sanctions lists again this often (0: never; needs a writable store)")
	fl.StringArrayVar(&feedFlags, "feed", nil, "SOURCE=URL[#sha256=HEX] to refresh instead of the default feeds (as for 'lookout sanctions update')")
	fl.StringVar(&logLevel, "log-level", "info", "server log level on standard error: debug, info, warn, error")
	df.add(cmd, true)
	return cmd
}

// latestPositioner is a store that answers the map's "where was every
// vessel at T" in one query (the DuckDB store does).
type latestPositioner interface {
	LatestPositions(ctx context.Context, at time.Time, maxAge time.Duration, box *store.BBox, limit int) ([]vessel.TrackPoint, error)
}

// snapshotter adapts it to the server's Snapshotter.
type snapshotter struct{ st latestPositioner }

func (s snapshotter) PositionsAt(ctx context.Context, q server.SnapshotQuery) ([]vessel.TrackPoint, error) {
	return s.st.LatestPositions(ctx, q.At, q.MaxAge, q.BBox, q.Limit)
}
