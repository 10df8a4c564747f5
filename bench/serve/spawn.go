package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type spawnConfig struct {
	lookout         string
	vessels, points int
	feedRate        float64
	feedVessels     int
	warmup          time.Duration
	cpuprofile      string
	reorder         string
	keep            bool
	load            loadConfig
}

// serveProc is `lookout serve` running as a child process.
type serveProc struct {
	cmd          *exec.Cmd
	url, token   string
	done         chan error
	stdout, logs *os.File
}

var (
	urlRE   = regexp.MustCompile(`at (http://127\.0\.0\.1:\d+/)`)
	tokenRE = regexp.MustCompile(`^\s+(lk_[A-Za-z0-9_-]+)$`)
)

// startServe runs lookout serve on the store, ingesting the feed at
// feedAddr, and waits until it prints its URL and token.
func startServe(ctx context.Context, bin, dir, storePath, feedAddr, cpuprofile, reorder string) (*serveProc, error) {
	args := []string{"serve", "--store", storePath, "--addr", "127.0.0.1:0", "--ingest", "tcp://" + feedAddr,
		"--new-token", "bench", "--refresh-lists", "0", "--log-level", "warn"}
	if reorder != "" {
		args = append(args, "--reorder", reorder)
	}
	if cpuprofile != "" {
		args = append(args, "--cpuprofile", cpuprofile)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "LOOKOUT_TOKENS=", "LOOKOUT_EVIDENCE=", "LOOKOUT_IMAGERY=")
	logs, err := os.Create(filepath.Join(dir, "serve.log"))
	if err != nil {
		return nil, err
	}
	cmd.Stderr = logs
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &serveProc{cmd: cmd, done: make(chan error, 1), logs: logs}
	found := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		signalled := false
		for sc.Scan() {
			line := sc.Text()
			if m := urlRE.FindStringSubmatch(line); m != nil && p.url == "" {
				p.url = m[1]
			}
			if m := tokenRE.FindStringSubmatch(line); m != nil && p.token == "" {
				p.token = m[1]
			}
			if strings.HasPrefix(line, "Stop with Ctrl-C") && !signalled {
				signalled = true
				close(found)
			}
			fmt.Fprintln(logs, "stdout:", line)
		}
		p.done <- cmd.Wait()
	}()
	select {
	case <-found:
	case err := <-p.done:
		return nil, fmt.Errorf("lookout serve ended before listening: %v (see %s)", err, logs.Name())
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		return nil, errors.New("lookout serve did not start within 2 minutes")
	case <-ctx.Done():
		cmd.Process.Kill()
		return nil, ctx.Err()
	}
	if p.url == "" || p.token == "" {
		p.stop()
		return nil, fmt.Errorf("lookout serve printed no URL or token (see %s)", logs.Name())
	}
	return p, nil
}

// stop interrupts the server (it shuts down gracefully and writes its CPU
// profile) and waits for it.
func (p *serveProc) stop() error {
	p.cmd.Process.Signal(syscall.SIGINT)
	select {
	case err := <-p.done:
		return err
	case <-time.After(60 * time.Second):
		p.cmd.Process.Kill()
		return errors.New("lookout serve did not stop within 60 s of SIGINT")
	}
}

// scrape reads the counters the report needs from /metrics.
type scrape struct {
	at        time.Time
	positions float64 // lookout_ingest_positions_total
	rejected  float64 // sum of lookout_ingest_rejected_total
	events    float64 // sum of lookout_events_total
	cpu       float64 // process_cpu_seconds_total
	rss       float64 // process_resident_memory_bytes
	rejects   map[string]float64
}

var sampleRE = regexp.MustCompile(`(?m)^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$`)

func (a *api) metrics() (scrape, error) {
	b, code, err := a.get("/metrics")
	if err != nil || code != 200 {
		return scrape{}, fmt.Errorf("/metrics: %v (HTTP %d)", err, code)
	}
	s := scrape{at: time.Now(), rejects: map[string]float64{}}
	for _, m := range sampleRE.FindAllStringSubmatch(string(b), -1) {
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			continue
		}
		switch m[1] {
		case "lookout_ingest_positions_total":
			s.positions = v
		case "lookout_ingest_rejected_total":
			s.rejected += v
			s.rejects[m[2]] += v
		case "lookout_events_total":
			s.events += v
		case "process_cpu_seconds_total":
			s.cpu = v
		case "process_resident_memory_bytes":
			s.rss = v
		}
	}
	return s, nil
}

// phase is one measured load: the API latencies and what the server and
// the feeder did meanwhile.
type phase struct {
	name       string
	res        loadResult
	from, to   scrape
	sentFrom   int64
	sentTo     int64
	sentAt     [2]time.Time
	feedBehind int64
}

func (ph phase) report(w io.Writer) {
	secs := ph.to.at.Sub(ph.from.at).Seconds()
	fmt.Fprintf(w, "\n== %s (%.0f s)\n", ph.name, secs)
	ph.res.print(w)
	sent := float64(ph.sentTo-ph.sentFrom) / ph.sentAt[1].Sub(ph.sentAt[0]).Seconds()
	if ph.sentTo == 0 {
		sent = 0
	}
	fmt.Fprintf(w, "feed sent %.0f msg/s; server stored %.0f positions/s, rejected %.0f lines (%.1f/s), published %.0f events; server CPU %.2f cores, RSS %.0f MiB at the end",
		sent, (ph.to.positions-ph.from.positions)/secs, ph.to.rejected-ph.from.rejected, (ph.to.rejected-ph.from.rejected)/secs,
		ph.to.events-ph.from.events, (ph.to.cpu-ph.from.cpu)/secs, ph.to.rss/(1<<20))
	if ph.feedBehind > 0 {
		fmt.Fprintf(w, "; the feed fell more than 1 s behind its pace on %d of its 5 ms ticks (TCP back-pressure: the server did not keep up)", ph.feedBehind)
	}
	fmt.Fprintln(w)
	for k, v := range ph.to.rejects {
		if d := v - ph.from.rejects[k]; d > 0 {
			fmt.Fprintf(w, "  rejected %s: %.0f\n", k, d)
		}
	}
}

func runSpawn(sc spawnConfig) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "lookout-serve-feed-bench-")
	if err != nil {
		return err
	}
	if sc.keep {
		fmt.Fprintf(os.Stderr, "keeping %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	bin := sc.lookout
	if bin == "" {
		bin = filepath.Join(dir, "lookout")
		build := exec.Command("go", "build", "-o", bin, "./cmd/lookout")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("building lookout (run from the repository root, or give -lookout): %w", err)
		}
	}
	storePath := filepath.Join(dir, "bench.duckdb")
	st, err := buildStore(ctx, storePath, sc.vessels, sc.points)
	if err != nil {
		return err
	}
	if err := st.Close(); err != nil {
		return err
	}
	start := time.Now()
	c, err := newCorpus(sc.feedVessels, 20, sc.feedRate, sc.load.seed)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "feed corpus: %d vessels, %d rounds, encoded in %v\n", c.vessels, len(c.rounds), time.Since(start).Round(time.Millisecond))
	fd, err := newFeeder("127.0.0.1:0", c)
	if err != nil {
		return err
	}
	defer fd.ln.Close()
	srv, err := startServe(ctx, bin, dir, storePath, fd.addr(), sc.cpuprofile, sc.reorder)
	if err != nil {
		return err
	}
	defer srv.stop()
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	conn, err := fd.waitConn(wctx)
	cancel()
	if err != nil {
		return err
	}
	defer conn.Close()
	a := newAPI(srv.url, srv.token, sc.load.conc)

	measure := func(name string) (phase, error) {
		ph := phase{name: name}
		var err error
		if ph.from, err = a.metrics(); err != nil {
			return ph, err
		}
		ph.sentFrom, ph.sentAt[0] = fd.sent.Load(), time.Now()
		behind := fd.behind.Load()
		if ph.res, err = apiLoad(a, sc.load); err != nil {
			return ph, err
		}
		ph.sentTo, ph.sentAt[1] = fd.sent.Load(), time.Now()
		ph.feedBehind = fd.behind.Load() - behind
		ph.to, err = a.metrics()
		return ph, err
	}
	load0 := loadavg()
	idle, err := measure("API load, feed connected but idle")
	if err != nil {
		return err
	}
	fctx, stopFeed := context.WithCancel(ctx)
	feedErr := make(chan error, 1)
	go func() { feedErr <- fd.run(fctx, conn, sc.feedRate) }()
	time.Sleep(sc.warmup)
	live, err := measure(fmt.Sprintf("API load while feeding %.0f msg/s over TCP", sc.feedRate))
	stopFeed()
	if ferr := <-feedErr; ferr != nil && err == nil {
		err = fmt.Errorf("feed: %w", ferr)
	}
	if err != nil {
		return err
	}
	total := fd.sent.Load()
	serr := srv.stop()
	fmt.Printf("lookout serve on a synthetic store of %d vessels × %d positions; API: %d clients, %.0f requests/s offered, mix %s, %v a phase\n",
		sc.vessels, sc.points, sc.load.conc, sc.load.rate, sc.load.mix, sc.load.dur)
	reorder := sc.reorder
	if reorder == "" {
		reorder = "5m (default)"
	}
	fmt.Printf("feed: %d vessels, type 1 position reports (and one type 5 each first), dated on arrival; %d lines sent in all; server --reorder %s\n",
		sc.feedVessels, total, reorder)
	idle.report(os.Stdout)
	live.report(os.Stdout)
	fmt.Printf("\nmachine: %d CPUs (GOMAXPROCS %d), %s/%s, %s; %s; load average %s before, %s after\n", runtime.NumCPU(), runtime.GOMAXPROCS(0),
		runtime.GOOS, runtime.GOARCH, runtime.Version(), time.Now().UTC().Format("2006-01-02"), load0, loadavg())
	if sc.cpuprofile != "" {
		fmt.Printf("server CPU profile: %s (go tool pprof -top %s %s)\n", sc.cpuprofile, bin, sc.cpuprofile)
	}
	if serr != nil {
		return fmt.Errorf("lookout serve: %w", serr)
	}
	return nil
}

// loadavg is the 1-minute load average (the machine may be shared).
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}
