package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/lookout-maritime/lookout/bench/decode/corpus"
	"github.com/lookout-maritime/lookout/internal/bus"
	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/sim"
	"github.com/lookout-maritime/lookout/internal/source"
	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

func TestParseBus(t *testing.T) {
	for _, tc := range []struct {
		in, server string
		want       bus.Config
		err        string
	}{
		{in: "nats://127.0.0.1:4222", server: "nats://127.0.0.1:4222"},
		{in: "nats://nats:4222?stream=AIS&subject=ais.obs&partitions=128&max_bytes=1048576", server: "nats://nats:4222",
			want: bus.Config{Stream: "AIS", Subject: "ais.obs", Partitions: 128, MaxBytes: 1 << 20}},
		{in: "tls://user:pw@nats.example:4443?partitions=8", server: "tls://user:pw@nats.example:4443", want: bus.Config{Partitions: 8}},
		{in: "127.0.0.1:4222", err: "want nats://"},
		{in: "http://nats:4222", err: "want nats://"},
		{in: "nats://", err: "want nats://"},
		{in: "nats://h:1?partition=8", err: `unknown parameter "partition"`},
		{in: "nats://h:1?partitions=0", err: "want 1 to 4096"},
		{in: "nats://h:1?partitions=x", err: "want 1 to 4096"},
		{in: "nats://h:1?max_bytes=1000", err: "at least 65536"},
	} {
		server, cfg, err := parseBus(tc.in)
		if tc.err != "" {
			var ue usageError
			if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.As(err, &ue) {
				t.Errorf("%s: error %v, want a usage error with %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || server != tc.server || !reflect.DeepEqual(cfg, tc.want) {
			t.Errorf("%s: %q %+v %v, want %q %+v", tc.in, server, cfg, err, tc.server, tc.want)
		}
	}
}

func natsTestURL() string {
	if u := os.Getenv("LOOKOUT_TEST_NATS"); u != "" {
		return u
	}
	return bus.DefaultURL
}

// busURL returns a --bus URL naming a stream of its own for this test,
// removed (with its cell stream and lease buckets) at the end; the test
// skips when NATS does not answer.
func busURL(t *testing.T, partitions int, extra string) string {
	t.Helper()
	nc, err := nats.Connect(natsTestURL(), nats.Timeout(2*time.Second), nats.MaxReconnects(0))
	if err != nil {
		t.Skipf("NATS unreachable at %s (%v); start nats-server -js or set LOOKOUT_TEST_NATS", natsTestURL(), err)
	}
	b := make([]byte, 4)
	rand.Read(b)
	suffix := hex.EncodeToString(b)
	stream, subject := "TCLI_"+suffix, "lookout_cli_"+suffix+".obs"
	t.Cleanup(func() {
		defer nc.Close()
		js, err := jetstream.New(nc)
		if err != nil {
			return
		}
		ctx := context.Background()
		for _, s := range []string{stream, stream + "_CELLS"} {
			js.DeleteStream(ctx, s)
			js.DeleteKeyValue(ctx, s+"_leases")
			js.DeleteKeyValue(ctx, s+"_runs")
		}
	})
	u := fmt.Sprintf("%s?stream=%s&subject=%s&partitions=%d", natsTestURL(), stream, subject, partitions)
	if extra != "" {
		u += "&" + extra
	}
	return u
}

// streamMessages is how many messages the --bus URL's stream holds.
func streamMessages(t *testing.T, busURL string) uint64 {
	t.Helper()
	server, cfg, err := parseBus(busURL)
	if err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect(server)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	s, err := js.Stream(context.Background(), cfg.Stream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

// testCorpus writes a generated NMEA corpus of lines lines.
func testCorpus(t *testing.T, lines int, seed uint64) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "feed.nmea")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := corpus.Generate(f, corpus.Config{Lines: lines, Seed: seed, ClassA: 400, ClassB: 100, Rate: 20}); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// storeContent is everything a store holds that ingest writes.
type storeContent struct {
	Positions []vessel.TrackPoint
	Vessels   []store.VesselHistory
	Events    []event.Event
}

func storeSnapshot(t *testing.T, spec string) storeContent {
	t.Helper()
	ctx := context.Background()
	st, err := openStore(ctx, spec, true)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var c storeContent
	sc, ok := st.(store.PositionScanner)
	if !ok {
		t.Fatalf("%T cannot scan positions", st)
	}
	if err := sc.ScanPositions(ctx, time.Time{}, time.Time{}, func(ps []vessel.TrackPoint) error {
		for _, p := range ps {
			p.Time = p.Time.UTC()
			c.Positions = append(c.Positions, p)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	vs, err := st.Vessels(ctx, store.VesselQuery{Order: store.ByMMSI})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		h, err := st.Vessel(ctx, v.MMSI)
		if err != nil {
			t.Fatal(err)
		}
		normalise(&h)
		c.Vessels = append(c.Vessels, h)
	}
	evs, err := st.Events(ctx, store.EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		e.ID = 0 // assigned by each store
		e.Start, e.End = e.Start.UTC(), e.End.UTC()
		c.Events = append(c.Events, e)
	}
	// Stores list events in the order they were stored, which differs
	// between one process and several workers.
	slices.SortFunc(c.Events, func(a, b event.Event) int { return strings.Compare(a.Key, b.Key) })
	return c
}

func normalise(h *store.VesselHistory) {
	h.FirstSeen, h.LastSeen = h.FirstSeen.UTC(), h.LastSeen.UTC()
	fix := func(id *vessel.Identity) {
		id.FirstSeen, id.LastSeen = id.FirstSeen.UTC(), id.LastSeen.UTC()
	}
	if h.Latest != nil {
		l := *h.Latest
		fix(&l)
		h.Latest = &l
	}
	for i := range h.History {
		fix(&h.History[i])
	}
}

// sameContent reports how got differs from want, "" when it does not.
func sameContent(got, want storeContent) string {
	var b strings.Builder
	if len(got.Positions) != len(want.Positions) {
		fmt.Fprintf(&b, "%d positions, want %d\n", len(got.Positions), len(want.Positions))
	}
	for i := range min(len(got.Positions), len(want.Positions)) {
		if !reflect.DeepEqual(got.Positions[i], want.Positions[i]) {
			fmt.Fprintf(&b, "position %d: %+v, want %+v\n", i, got.Positions[i], want.Positions[i])
			break
		}
	}
	if len(got.Vessels) != len(want.Vessels) {
		fmt.Fprintf(&b, "%d vessels, want %d\n", len(got.Vessels), len(want.Vessels))
	}
	for i := range min(len(got.Vessels), len(want.Vessels)) {
		if !reflect.DeepEqual(got.Vessels[i], want.Vessels[i]) {
			fmt.Fprintf(&b, "vessel %d: %+v\nwant %+v\n", got.Vessels[i].MMSI, got.Vessels[i], want.Vessels[i])
			break
		}
	}
	// Revision counts how often an event was re-published while the input
	// was read: an engine publishes an open gap when its clock passes the
	// gap's OpenAfter, and a partition's clock is the newest time of its
	// own vessels, not of the whole input. The final events agree;
	// compare them without it.
	revs := 0
	strip := func(evs []event.Event) []event.Event {
		out := make([]event.Event, len(evs))
		for i, e := range evs {
			e.Revision = 0
			out[i] = e
		}
		return out
	}
	for i := range min(len(got.Events), len(want.Events)) {
		if got.Events[i].Revision != want.Events[i].Revision {
			revs++
		}
	}
	if revs > 0 {
		fmt.Fprintf(os.Stderr, "note: %d events re-published a different number of times\n", revs)
	}
	got.Events, want.Events = strip(got.Events), strip(want.Events)
	if len(got.Events) != len(want.Events) {
		fmt.Fprintf(&b, "%d events, want %d\n", len(got.Events), len(want.Events))
	}
	for i := range min(len(got.Events), len(want.Events)) {
		if g, w := got.Events[i], want.Events[i]; !reflect.DeepEqual(g, w) {
			gj, _ := json.Marshal(g)
			wj, _ := json.Marshal(w)
			fmt.Fprintf(&b, "event %d: %s\nwant %s\n", i, gj, wj)
			break
		}
	}
	return b.String()
}

// startCmd runs the CLI in-process with ctx (cancel it to stop a worker,
// as SIGTERM would); wait returns its error and output.
func startCmd(ctx context.Context, args ...string) (wait func() (error, string)) {
	var out bytes.Buffer
	var mu sync.Mutex
	w := lockedWriter{&mu, &out}
	done := make(chan error, 1)
	go func() {
		root := newRoot(strings.NewReader(""), w, w)
		root.SetArgs(args)
		done <- root.ExecuteContext(ctx)
	}()
	return func() (error, string) {
		err := <-done
		mu.Lock()
		defer mu.Unlock()
		return err, out.String()
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// `lookout ingest --bus` then `lookout worker` leave the store exactly as
// `lookout ingest` of the same input does: positions, vessels, identity
// history and events.
func TestBusIngestEqualsIngest(t *testing.T) {
	u := busURL(t, 8, "")
	in := testCorpus(t, 30_000, 5)
	dir := t.TempDir()
	want := filepath.Join(dir, "single.duckdb")
	if _, errOut, code := run(t, "", "ingest", "-q", "--store", want, in); code != 0 {
		t.Fatalf("ingest: %s", errOut)
	}
	_, errOut, code := run(t, "", "ingest", "-q", "--bus", u, in)
	if code != 0 || !strings.Contains(errOut, "in 1 run(s)") {
		t.Fatalf("ingest --bus (%d): %s", code, errOut)
	}
	got := filepath.Join(dir, "bus.duckdb")
	_, errOut, code = run(t, "", "worker", "-q", "--until-empty", "--bus", u, "--store", got)
	if code != 0 {
		t.Fatalf("worker: %s", errOut)
	}
	t.Log(errOut)
	w := storeSnapshot(t, want)
	kinds := map[event.Kind]int{}
	for _, e := range w.Events {
		kinds[e.Kind]++
	}
	t.Logf("reference: %d positions, %d vessels, events %v", len(w.Positions), len(w.Vessels), kinds)
	if len(w.Positions) < 10_000 || len(w.Vessels) < 400 {
		t.Fatalf("reference store holds %d positions of %d vessels: corpus too small", len(w.Positions), len(w.Vessels))
	}
	if diff := sameContent(storeSnapshot(t, got), w); diff != "" {
		t.Fatalf("the bus store differs from the single-process store:\n%s", diff)
	}
	if n := streamMessages(t, u); n != 0 {
		t.Errorf("%d messages left in the stream", n)
	}
}

// A stream much smaller than the input: the publisher cuts the input into
// runs that fit (without them it would wait for room forever, workers
// acknowledging only at the end of a run), waits while workers catch up,
// and every position arrives.
func TestBusIngestSplitsRuns(t *testing.T) {
	u := busURL(t, 4, "max_bytes=1048576")
	in := testCorpus(t, 12_000, 9)
	dir := t.TempDir()
	want := filepath.Join(dir, "single.duckdb")
	if _, errOut, code := run(t, "", "ingest", "-q", "--store", want, in); code != 0 {
		t.Fatalf("ingest: %s", errOut)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	pub := startCmd(ctx, "ingest", "-q", "--bus", u, in)
	time.Sleep(300 * time.Millisecond) // the stream fills up and the publisher waits
	got := filepath.Join(dir, "bus.duckdb")
	wctx, stop := context.WithCancel(ctx)
	worker := startCmd(wctx, "worker", "-q", "--batch", "500", "--bus", u, "--store", got)
	err, out := pub()
	if err != nil {
		t.Fatalf("ingest --bus: %v\n%s", err, out)
	}
	var runs int
	if i := strings.Index(out, "published in "); i < 0 {
		t.Fatalf("no summary: %s", out)
	} else {
		fmt.Sscanf(out[i:], "published in %d run(s)", &runs)
	}
	if runs < 3 {
		t.Errorf("%d runs for 12,000 lines in a 2 MiB stream: %s", runs, out)
	}
	waitUntil(t, "the stream to empty", 30*time.Second, func() bool { return streamMessages(t, u) == 0 })
	stop()
	if err, out := worker(); err != nil {
		t.Fatalf("worker: %v\n%s", err, out)
	}
	// The runs are tracked apart, as consecutive ingests of the pieces
	// would be: segments restart, and a report heard twice a second apart
	// on either side of a cut is kept twice (the tracker de-duplicates
	// within a run). Every position of the single ingest is stored, and
	// every other one is such a repeat.
	type key struct {
		mmsi     uint32
		lat, lon float64
	}
	at := func(c storeContent) (map[key][]time.Time, int) {
		m := map[key][]time.Time{}
		for _, p := range c.Positions {
			k := key{p.MMSI, p.Lat, p.Lon}
			m[k] = append(m[k], p.Time)
		}
		return m, len(c.Positions)
	}
	g, ng := at(storeSnapshot(t, got))
	w, nw := at(storeSnapshot(t, want))
	extra := 0
	for k, ts := range g {
		for _, tm := range ts {
			if slices.ContainsFunc(w[k], tm.Equal) {
				continue
			}
			extra++
			if !slices.ContainsFunc(w[k], func(x time.Time) bool { return x.Sub(tm).Abs() <= 2*time.Second }) {
				t.Errorf("mmsi %d at %v %g,%g stored through the bus only, and it repeats no other report", k.mmsi, tm, k.lat, k.lon)
			}
		}
	}
	if ng-extra != nw {
		t.Errorf("%d positions stored through the bus (%d repeats), %d by a single ingest", ng, extra, nw)
	}
	t.Logf("%d positions in %d runs, %d repeats kept across run ends", ng, runs, extra)
}

func waitUntil(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// The simulated founding case (with a few background vessels) holds a
// ship-to-ship transfer between two tankers that the MMSI partitioning
// puts on different partitions: two workers, neither of which tracks both,
// store the same encounter — and every other event, position and identity
// — as a single-process ingest does.
func TestBusEncounterAcrossPartitions(t *testing.T) {
	busURL(t, 1, "") // skips at once without NATS
	cfg := sim.DefaultConfig(1)
	cfg.Background = 5
	cfg.NoImages, cfg.NoSAR, cfg.Gzip = true, true, false
	dir := t.TempDir()
	man, err := sim.New(cfg).Write(filepath.Join(dir, "sim"))
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "sim", man.AIS.File)
	a, b := man.STS.MMSI[0], man.STS.MMSI[1]
	parts := 0
	for _, n := range []int{8, 16, 4, 32} {
		if bus.Partition(a, n) != bus.Partition(b, n) {
			parts = n
			break
		}
	}
	if parts == 0 {
		t.Fatalf("the STS pair %d, %d shares a partition whatever the count", a, b)
	}
	u := busURL(t, parts, "")
	want := filepath.Join(dir, "single.duckdb")
	if _, errOut, code := run(t, "", "ingest", "-q", "--store", want, in); code != 0 {
		t.Fatalf("ingest: %s", errOut)
	}
	if _, errOut, code := run(t, "", "ingest", "-q", "--bus", u, in); code != 0 {
		t.Fatalf("ingest --bus: %s", errOut)
	}
	pg := pgURL(t)
	// A bound for hung workers, not a speed check: alone they take ~10 s,
	// but beside the other packages' tests on two cores one run took 64 s
	// and a 60 s bound cut its spatial stage short.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var waits []func() (error, string)
	for _, id := range []string{"w1", "w2"} {
		waits = append(waits, startCmd(ctx, "worker", "-q", "--until-empty", "--id", id, "--bus", u, "--store", pg))
	}
	var stage string
	for _, wait := range waits {
		err, out := wait()
		if err != nil {
			t.Fatalf("worker: %v\n%s", err, out)
		}
		if i := strings.Index(out, "spatial stage"); i >= 0 {
			stage += out[i:strings.Index(out[i:], "\n")+i] + "; "
		}
	}
	t.Log(stage)
	w := storeSnapshot(t, want)
	found := false
	for _, e := range w.Events {
		found = found || (e.Kind == event.Encounter && e.MMSI == min(a, b) && e.OtherMMSI == max(a, b))
	}
	if !found {
		t.Fatalf("the single-process ingest found no encounter between %d and %d", a, b)
	}
	if diff := sameContent(storeSnapshot(t, pg), w); diff != "" {
		t.Fatalf("the workers' store differs from the single-process store:\n%s", diff)
	}
}

// A worker that finished a run but was cut short acknowledging it (it
// died, or its lease lapsed on a busy server) leaves the rest of the run
// in the stream. The next consumer must not track that rest as if it were
// a whole input — a fresh tracker would keep repeats the whole run's
// tracker dropped — but acknowledge it unread (bus.RunLog).
func TestWorkerSkipsRestOfFinishedRun(t *testing.T) {
	u := busURL(t, 4, "")
	in := testCorpus(t, 8_000, 3)
	got := filepath.Join(t.TempDir(), "bus.duckdb")
	if _, errOut, code := run(t, "", "ingest", "-q", "--bus", u, in); code != 0 {
		t.Fatalf("ingest --bus: %s", errOut)
	}
	if _, errOut, code := run(t, "", "worker", "-q", "--until-empty", "--bus", u, "--store", got); code != 0 {
		t.Fatalf("worker: %s", errOut)
	}
	before := storeSnapshot(t, got)

	// What an interrupted acknowledgement leaves: the second half of the
	// run, and its end.
	key, err := sourceKey(in)
	if err != nil {
		t.Fatal(err)
	}
	runName := runBaseOf([]string{key}) + ".0"
	var obs []vessel.Observation
	src, err := source.New(in, source.Options{NMEA: source.NMEAConfig{BaseStationClock: true}})
	if err != nil {
		t.Fatal(err)
	}
	for {
		o, err := src.Next(context.Background())
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			continue // rejected lines
		}
		obs = append(obs, o)
	}
	src.Close()
	obs = obs[len(obs)/2:]
	server, cfg, _ := parseBus(u)
	nc, err := nats.Connect(server)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	pub, err := bus.NewPublisher(context.Background(), nc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var out []bus.Out
	for i, o := range obs {
		data, err := bus.EncodeRunObservation(o, runName)
		if err != nil {
			t.Fatal(err)
		}
		m := uint32(0)
		if o.Position != nil {
			m = o.Position.MMSI
		} else {
			m = o.Static.MMSI
		}
		out = append(out, bus.Out{MMSI: m, ID: fmt.Sprintf("rest:%d", i), Data: data})
	}
	if err := pub.Publish(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	if err := pub.PublishEnd(context.Background(), runName+"-again"); err != nil { // another run follows
		t.Fatal(err)
	}
	_, errOut, code := run(t, "", "worker", "-q", "--until-empty", "--bus", u, "--store", got)
	if code != 0 {
		t.Fatalf("worker: %s", errOut)
	}
	want := fmt.Sprintf("%d observations, 0 bad, 4 ends of run, %d of finished runs", 0, len(obs))
	if !strings.Contains(errOut, want) {
		t.Errorf("the second worker did not skip the rest of the finished run (want %q):\n%s", want, errOut)
	}
	if diff := sameContent(storeSnapshot(t, got), before); diff != "" {
		t.Fatalf("the rest of a finished run changed the store:\n%s", diff)
	}
	if n := streamMessages(t, u); n != 0 {
		t.Errorf("%d messages left in the stream", n)
	}
}
