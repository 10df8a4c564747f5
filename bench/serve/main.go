// Command serve is a load test for the Lookout API: it sends a mix of
// typical map and investigation requests (vessel search, vessel page,
// track at a zoom level, events in a box, vessels near a point, the map's
// positions) from many concurrent clients for a while, and reports each
// endpoint's latency percentiles and errors.
//
// Against a running server:
//
//	go run ./bench/serve -url http://127.0.0.1:8080 -token lk_… -c 16 -d 60s
//
// Self-contained, on a synthetic DuckDB store served in-process on
// loopback:
//
//	go run ./bench/serve -self -vessels 20000 -points 50 -c 8 -d 20s
//
// Under a live feed (-spawn): it builds the synthetic store, starts
// `lookout serve --ingest tcp://FEED` as a child process, and runs the
// same API load twice at a fixed request rate, first with the feed idle,
// then while a TCP NMEA feeder it runs sends -feed-rate messages/s to the
// server (which connects to it, as to AIS-catcher). It reports the API
// latency per endpoint for both, the ingest rate and rejects the server's
// /metrics count, the feeder's achieved rate and the server's CPU use:
//
//	go run ./bench/serve -spawn -feed-rate 50000 -rate 50 -c 16 -d 60s -warmup 60s -reorder 30s [-cpuprofile serve.pprof]
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/lookout-maritime/lookout/internal/server"
	"github.com/lookout-maritime/lookout/internal/store/duckdb"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

func main() {
	var (
		base     = flag.String("url", "http://127.0.0.1:8080", "server to load")
		token    = flag.String("token", os.Getenv("LOOKOUT_TOKEN"), "API token (viewer role is enough)")
		conc     = flag.Int("c", 8, "concurrent clients")
		dur      = flag.Duration("d", 20*time.Second, "how long to send requests")
		rate     = flag.Float64("rate", 0, "total requests per second (0: as fast as the clients go)")
		mix      = flag.String("mix", "search=3,vessel=2,track=3,events=2,near=1,positions=1", "endpoint weights")
		self     = flag.Bool("self", false, "serve a synthetic store in-process on loopback instead of -url")
		nVessels = flag.Int("vessels", 20000, "-self: vessels in the synthetic store")
		nPoints  = flag.Int("points", 50, "-self: positions per vessel")
		seed     = flag.Uint64("seed", 1, "random seed for the request mix")

		spawn      = flag.Bool("spawn", false, "build the synthetic store, run `lookout serve --ingest tcp://FEED` on it and measure the API without and with a live feed")
		lookoutBin = flag.String("lookout", "", "-spawn: the lookout binary (default: go build ./cmd/lookout into a temporary directory)")
		feedRate   = flag.Float64("feed-rate", 50000, "-spawn: AIS messages per second the feeder sends")
		feedShips  = flag.Int("feed-vessels", 20000, "-spawn: vessels in the feed (each reports once per feed-vessels/feed-rate seconds)")
		warmup     = flag.Duration("warmup", 5*time.Second, "-spawn: feed before the API load is measured")
		cpuprofile = flag.String("cpuprofile", "", "-spawn: have the server write a CPU profile of the whole run here")
		keep       = flag.Bool("keep", false, "-spawn: keep the temporary store and the server's log")
		reorder    = flag.String("reorder", "", "-spawn: the server's --reorder (default: its own, 5m: positions reach the store 5 min after arrival)")
	)
	flag.Parse()
	var err error
	if *spawn {
		if *rate <= 0 {
			// A fixed offered load, so that the two phases compare.
			*rate = 100
		}
		err = runSpawn(spawnConfig{lookout: *lookoutBin, vessels: *nVessels, points: *nPoints, feedRate: *feedRate, feedVessels: *feedShips,
			warmup: *warmup, cpuprofile: *cpuprofile, keep: *keep, reorder: *reorder,
			load: loadConfig{conc: *conc, dur: *dur, rate: *rate, mix: *mix, seed: *seed}})
	} else {
		err = run(*base, *token, loadConfig{conc: *conc, dur: *dur, rate: *rate, mix: *mix, seed: *seed}, *self, *nVessels, *nPoints)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "serve bench:", err)
		os.Exit(1)
	}
}

// loadConfig is one API load.
type loadConfig struct {
	conc int
	dur  time.Duration
	rate float64 // requests/s in all (0: as fast as the clients go)
	mix  string
	seed uint64
}

func run(base, token string, lc loadConfig, self bool, nVessels, nPoints int) error {
	ctx := context.Background()
	if self {
		url, tok, stop, err := selfServer(ctx, nVessels, nPoints)
		if err != nil {
			return err
		}
		defer stop()
		base, token = url, tok
	}
	if token == "" {
		return errors.New("-token (or LOOKOUT_TOKEN) is required")
	}
	res, err := apiLoad(newAPI(base, token, lc.conc), lc)
	if err != nil {
		return err
	}
	res.print(os.Stdout)
	fmt.Printf("%d clients for %v against %s (GOMAXPROCS %d)\n", lc.conc, lc.dur, base, runtime.GOMAXPROCS(0))
	return nil
}

// api is an authenticated client of the server under test.
type api struct {
	base, token string
	client      *http.Client
}

func newAPI(base, token string, conc int) *api {
	return &api{base: strings.TrimSuffix(base, "/"), token: token,
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: conc * 2}}}
}

func (a *api) get(path string) ([]byte, int, error) {
	req, err := http.NewRequest("GET", a.base+path, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	resp, err := a.client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return b, resp.StatusCode, err
}

// loadResult is one load's latencies and errors by endpoint.
type loadResult struct {
	lat  map[string][]time.Duration
	errs map[string]int
	dur  time.Duration
}

// apiLoad sends the request mix from lc.conc clients for lc.dur.
func apiLoad(a *api, lc loadConfig) (loadResult, error) {
	get, conc, dur, rate, seed := a.get, lc.conc, lc.dur, lc.rate, lc.seed
	// Learn real MMSIs, names and a time range from the server.
	body, code, err := get("/api/vessels?limit=1000")
	if err != nil || code != 200 {
		return loadResult{}, fmt.Errorf("listing vessels: %v (HTTP %d) %.200s", err, code, body)
	}
	var list struct {
		Vessels []struct {
			MMSI   uint32 `json:"mmsi"`
			Latest *struct {
				Name string `json:"name"`
			} `json:"latest"`
			Last  time.Time `json:"last_seen"`
			First time.Time `json:"first_seen"`
		} `json:"vessels"`
	}
	if err := json.Unmarshal(body, &list); err != nil || len(list.Vessels) == 0 {
		return loadResult{}, fmt.Errorf("listing vessels: %v (%d vessels)", err, len(list.Vessels))
	}
	type target struct {
		mmsi        uint32
		name        string
		first, last time.Time
	}
	var targets []target
	for _, v := range list.Vessels {
		t := target{mmsi: v.MMSI, first: v.First, last: v.Last}
		if v.Latest != nil {
			t.name = v.Latest.Name
		}
		targets = append(targets, t)
	}
	kinds, err := parseMix(lc.mix)
	if err != nil {
		return loadResult{}, err
	}
	makeReq := func(r *rand.Rand) (string, string) {
		tg := targets[r.IntN(len(targets))]
		lat, lon := -60+120*r.Float64(), -180+360*r.Float64()
		switch pick(kinds, r) {
		case "search":
			q := fmt.Sprint(tg.mmsi)
			if tg.name != "" && r.IntN(2) == 0 {
				q = strings.ReplaceAll(tg.name[:min(len(tg.name), 1+r.IntN(5))], " ", "%20")
			}
			return "search", "/api/vessels?limit=12&q=" + q
		case "vessel":
			return "vessel", fmt.Sprintf("/api/vessels/%d", tg.mmsi)
		case "track":
			return "track", fmt.Sprintf("/api/vessels/%d/track?zoom=%d", tg.mmsi, 4+r.IntN(8))
		case "events":
			return "events", fmt.Sprintf("/api/events?format=geojson&limit=2000&bbox=%.2f,%.2f,%.2f,%.2f", lon, lat, math.Min(lon+20, 180), math.Min(lat+15, 90))
		case "near":
			return "near", fmt.Sprintf("/api/near?lat=%.3f&lon=%.3f&radius_km=50", lat, lon)
		default:
			return "positions", fmt.Sprintf("/api/positions?bbox=%.2f,%.2f,%.2f,%.2f", lon, lat, math.Min(lon+10, 180), math.Min(lat+8, 90))
		}
	}

	var mu sync.Mutex
	lat := map[string][]time.Duration{}
	errs := map[string]int{}
	deadline := time.Now().Add(dur)
	var tick <-chan time.Time
	if rate > 0 {
		t := time.NewTicker(time.Duration(float64(time.Second) / rate))
		defer t.Stop()
		tick = t.C
	}
	var wg sync.WaitGroup
	for w := range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, uint64(w)))
			for time.Now().Before(deadline) {
				if tick != nil {
					<-tick
				}
				kind, path := makeReq(r)
				start := time.Now()
				b, code, err := get(path)
				d := time.Since(start)
				mu.Lock()
				if err != nil || code != 200 {
					errs[kind]++
					if errs[kind] <= 3 {
						fmt.Fprintf(os.Stderr, "%s %s: %v HTTP %d %.200s\n", kind, path, err, code, b)
					}
				} else {
					lat[kind] = append(lat[kind], d)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return loadResult{lat: lat, errs: errs, dur: dur}, nil
}

// print writes one row per endpoint and one for all requests.
func (r loadResult) print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "endpoint\trequests\terrors\treq/s\tp50 ms\tp95 ms\tp99 ms\tmax ms\t\n")
	var all []time.Duration
	for _, k := range slices.Sorted(maps.Keys(r.lat)) {
		ds := r.lat[k]
		all = append(all, ds...)
		row(tw, k, ds, r.errs[k], r.dur)
	}
	nerr := 0
	for _, n := range r.errs {
		nerr += n
	}
	row(tw, "all", all, nerr, r.dur)
	tw.Flush()
}

func row(w io.Writer, name string, ds []time.Duration, errs int, dur time.Duration) {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	q := func(p float64) float64 {
		if len(ds) == 0 {
			return 0
		}
		return float64(ds[min(len(ds)-1, int(math.Ceil(p*float64(len(ds))))-1)].Microseconds()) / 1000
	}
	fmt.Fprintf(w, "%s\t%d\t%d\t%.0f\t%.1f\t%.1f\t%.1f\t%.1f\t\n", name, len(ds), errs, float64(len(ds))/dur.Seconds(), q(.5), q(.95), q(.99), q(1))
}

type weighted struct {
	name string
	w    int
}

func parseMix(s string) ([]weighted, error) {
	var out []weighted
	for _, part := range strings.Split(s, ",") {
		name, w, ok := strings.Cut(part, "=")
		var n int
		if _, err := fmt.Sscan(w, &n); !ok || err != nil || n < 0 {
			return nil, fmt.Errorf("-mix: %q is not name=weight", part)
		}
		switch name {
		case "search", "vessel", "track", "events", "near", "positions":
		default:
			return nil, fmt.Errorf("-mix: unknown endpoint %q", name)
		}
		out = append(out, weighted{name, n})
	}
	return out, nil
}

func pick(ws []weighted, r *rand.Rand) string {
	total := 0
	for _, w := range ws {
		total += w.w
	}
	n := r.IntN(max(total, 1))
	for _, w := range ws {
		if n < w.w {
			return w.name
		}
		n -= w.w
	}
	return ws[0].name
}

// selfServer builds a synthetic store and serves it on a loopback port.
func selfServer(ctx context.Context, nVessels, nPoints int) (string, string, func(), error) {
	dir, err := os.MkdirTemp("", "lookout-serve-bench-")
	if err != nil {
		return "", "", nil, err
	}
	st, err := buildStore(ctx, filepath.Join(dir, "bench.duckdb"), nVessels, nPoints)
	if err != nil {
		return "", "", nil, err
	}
	tokens := &server.MemTokens{}
	tokens.Add("bench", server.Principal{Name: "bench", Role: server.RoleViewer})
	srv, err := server.New(server.Config{}, server.Deps{Store: st, Tokens: tokens}, slog.New(slog.DiscardHandler))
	if err != nil {
		return "", "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", "", nil, err
	}
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { _ = srv.Serve(sctx, ln); close(done) }()
	stop := func() {
		cancel()
		<-done
		st.Close()
		os.RemoveAll(dir)
	}
	return "http://" + ln.Addr().String(), "bench", stop, nil
}

// buildStore writes a synthetic store (vessels sailing straight lines,
// one fix every 10 minutes) and returns it open.
func buildStore(ctx context.Context, path string, nVessels, nPoints int) (*duckdb.Store, error) {
	st, err := duckdb.Open(ctx, duckdb.Config{Path: path})
	if err != nil {
		return nil, err
	}
	t0 := time.Date(2023, 9, 1, 0, 0, 0, 0, time.UTC)
	r := rand.New(rand.NewPCG(7, 7))
	var pts []vessel.TrackPoint
	var ids []vessel.Identity
	flush := func() error {
		if _, err := st.AddPositions(ctx, 0, pts); err != nil {
			return err
		}
		pts = pts[:0]
		return nil
	}
	start := time.Now()
	for v := range nVessels {
		mmsi := uint32(200000000 + v)
		lat, lon := -50+100*r.Float64(), -180+360*r.Float64()
		dlat, dlon := (r.Float64()-0.5)*0.05, (r.Float64()-0.5)*0.05
		for i := range nPoints {
			pts = append(pts, vessel.TrackPoint{Position: vessel.Position{MMSI: mmsi, Time: t0.Add(time.Duration(v%600)*time.Second + time.Duration(i)*10*time.Minute),
				Lat: lat + dlat*float64(i), Lon: math.Remainder(lon+dlon*float64(i), 360), SOG: 12, COG: 90, Heading: 511, Class: vessel.ClassA, MsgType: 1, Source: "bench"}, Segment: 1})
		}
		ids = append(ids, vessel.Identity{MMSI: mmsi, IMO: uint32(9000000 + v), Name: fmt.Sprintf("BENCH %c%c %d", 'A'+v%26, 'A'+v/26%26, v), CallSign: fmt.Sprintf("BN%05d", v),
			FirstSeen: t0, LastSeen: t0.Add(time.Duration(nPoints) * 10 * time.Minute), Reports: 1, Source: "bench", Class: vessel.ClassA})
		if len(pts) >= 1_000_000 {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	if err := st.UpsertIdentities(ctx, ids); err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "synthetic store: %d vessels × %d positions in %v\n", nVessels, nPoints, time.Since(start).Round(time.Millisecond))
	return st, nil
}
