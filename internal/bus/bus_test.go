package bus

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The integration tests need NATS with JetStream on loopback (the
// machine's server, or LOOKOUT_TEST_NATS); they skip without one. Each
// uses its own stream, subjects and lease bucket, deleted afterwards.

func natsURL() string {
	if u := os.Getenv("LOOKOUT_TEST_NATS"); u != "" {
		return u
	}
	return DefaultURL
}

func connect(t *testing.T) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(natsURL(), nats.Timeout(2*time.Second), nats.MaxReconnects(0))
	if err != nil {
		t.Skipf("NATS unreachable at %s (%v); start nats-server -js or set LOOKOUT_TEST_NATS", natsURL(), err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// testConfig returns a fresh stream configuration, removed at the end.
func testConfig(t *testing.T, partitions int) Config {
	t.Helper()
	nc := connect(t)
	b := make([]byte, 4)
	rand.Read(b)
	suffix := hex.EncodeToString(b)
	cfg := Config{Stream: "T_" + suffix, Subject: "lookout_test_" + suffix + ".obs", Partitions: partitions, DuplicateWindow: time.Minute}
	t.Cleanup(func() {
		js, err := jetstream.New(nc)
		if err != nil {
			return
		}
		ctx := context.Background()
		js.DeleteStream(ctx, cfg.Stream)
		js.DeleteKeyValue(ctx, cfg.Stream+"_leases")
	})
	return cfg
}

func msgID(mmsi uint32, seq int) string { return fmt.Sprintf("%d:%d", mmsi, seq) }

// corpus is n messages per vessel for vessels MMSIs, interleaved as a
// feed would be.
func corpus(vessels, n int) []Out {
	var out []Out
	for seq := 0; seq < n; seq++ {
		for v := 0; v < vessels; v++ {
			m := uint32(273000000 + v)
			out = append(out, Out{MMSI: m, ID: msgID(m, seq), Data: []byte(msgID(m, seq))})
		}
	}
	return out
}

// memStore records what handlers stored: an idempotent store, as the
// real ones are (a message's ID is its natural key here).
type memStore struct {
	mu       sync.Mutex
	stored   map[string]int // deliveries per ID
	order    map[uint32][]int
	byWorker map[string]int
	batches  int
}

func newMemStore() *memStore {
	return &memStore{stored: map[string]int{}, order: map[uint32][]int{}, byWorker: map[string]int{}}
}

func (s *memStore) write(worker string, partition, partitions int, msgs []Msg) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.batches++
	for _, m := range msgs {
		mm, seq, ok := strings.Cut(string(m.Data), ":")
		if !ok || m.ID != string(m.Data) {
			return fmt.Errorf("bad message %q id %q", m.Data, m.ID)
		}
		v, _ := strconv.ParseUint(mm, 10, 32)
		n, _ := strconv.Atoi(seq)
		if Partition(uint32(v), partitions) != partition {
			return fmt.Errorf("message of mmsi %d on partition %d", v, partition)
		}
		if s.stored[m.ID] == 0 {
			s.order[uint32(v)] = append(s.order[uint32(v)], n)
			s.byWorker[worker]++
		}
		s.stored[m.ID]++
	}
	return nil
}

func (s *memStore) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.stored)
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func streamMsgs(t *testing.T, nc *nats.Conn, cfg Config) uint64 {
	t.Helper()
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

// TestWorkerKilledAfterStoreWrite: two workers share the partitions; one
// dies right after a store write, before acknowledging. Its partitions
// pass to the other when its leases expire, the unacknowledged batch is
// delivered again (and stored again, idempotently), and in the end every
// message is stored, the stream is empty, and each vessel's messages were
// first stored in publish order.
func TestWorkerKilledAfterStoreWrite(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cfg := testConfig(t, 8)
	pub, err := NewPublisher(ctx, connect(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	msgs := corpus(100, 40)
	// Publish once before the workers start and once more while they run:
	// the second copy is de-duplicated by message ID.
	if err := pub.Publish(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	st := newMemStore()
	wcfg := WorkerConfig{Config: cfg, Batch: 50, MaxWait: 100 * time.Millisecond, LeaseTTL: 1500 * time.Millisecond, AckWait: 20 * time.Second, RetryPause: 100 * time.Millisecond}

	ncA := connect(t)
	ctxA, cancelA := context.WithCancel(ctx)
	var killed sync.Once
	var aBatches int
	var wA *Worker
	wA, err = NewWorker(ncA, withID(wcfg, "a"), func(ctx context.Context, p int, ms []Msg) error {
		if err := st.write("a", p, cfg.Partitions, ms); err != nil {
			return err
		}
		aBatches++
		if aBatches == 5 {
			// Die after the write, before the ack: as SIGKILL would.
			killed.Do(func() { ncA.Close(); cancelA() })
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	wB, err := NewWorker(connect(t), withID(wcfg, "b"), func(ctx context.Context, p int, ms []Msg) error {
		return st.write("b", p, cfg.Partitions, ms)
	})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); wA.Run(ctxA) }()
	ctxB, cancelB := context.WithCancel(ctx)
	defer cancelB()
	go func() { defer wg.Done(); wB.Run(ctxB) }()
	if err := pub.Publish(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "every message stored", 45*time.Second, func() bool { return st.count() == len(msgs) })
	waitFor(t, "worker b to hold every partition", 20*time.Second, func() bool { return len(wB.Partitions()) == cfg.Partitions })
	waitFor(t, "the stream to empty", 20*time.Second, func() bool { return streamMsgs(t, connect(t), cfg) == 0 })
	cancelB()
	wg.Wait()

	st.mu.Lock()
	defer st.mu.Unlock()
	again := 0
	for _, n := range st.stored {
		if n > 1 {
			again++
		}
	}
	if again == 0 {
		t.Errorf("no message was delivered twice: the kill did not happen before an ack")
	}
	if st.byWorker["a"] == 0 || st.byWorker["b"] == 0 {
		t.Errorf("work split %v", st.byWorker)
	}
	for m, seqs := range st.order {
		for i := range seqs {
			if seqs[i] != i {
				t.Fatalf("mmsi %d first stored in order %v", m, seqs)
			}
		}
	}
	t.Logf("%d messages, %d stored again after the kill, split %v, %d batches", len(msgs), again, st.byWorker, st.batches)
}

func withID(c WorkerConfig, id string) WorkerConfig { c.ID = id; return c }

// TestRebalance: a second worker gets half of the partitions from the
// first; when it stops, the first takes them back.
func TestRebalance(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cfg := testConfig(t, 6)
	wcfg := WorkerConfig{Config: cfg, MaxWait: 100 * time.Millisecond, LeaseTTL: time.Second}
	nop := func(context.Context, int, []Msg) error { return nil }
	a, _ := NewWorker(connect(t), withID(wcfg, "a"), nop)
	b, _ := NewWorker(connect(t), withID(wcfg, "b"), nop)
	go a.Run(ctx)
	waitFor(t, "a to hold all partitions", 10*time.Second, func() bool { return len(a.Partitions()) == 6 })
	ctxB, cancelB := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { b.Run(ctxB); close(done) }()
	waitFor(t, "an even split", 15*time.Second, func() bool { return len(a.Partitions()) == 3 && len(b.Partitions()) == 3 })
	cancelB()
	<-done
	waitFor(t, "a to take everything back", 15*time.Second, func() bool { return len(a.Partitions()) == 6 })
}

// TestPublishBackPressure: a stream much smaller than what is published
// makes the publisher wait for the worker to drain it; with no worker,
// publishing waits until its context ends, and the stream stays within
// its limit.
func TestPublishBackPressure(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cfg := testConfig(t, 4)
	cfg.MaxBytes = 16 << 10
	if os.Getenv("BUS_DEBUG") != "" {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	nc := connect(t)
	pub, err := NewPublisher(ctx, nc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	msgs := corpus(50, 40) // 2,000 messages, well over 16 KiB with headers
	short, cancelShort := context.WithTimeout(ctx, time.Second)
	err = pub.Publish(short, msgs)
	cancelShort()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("publishing into a full stream with no worker: %v", err)
	}
	js, _ := jetstream.New(nc)
	s, _ := js.Stream(ctx, cfg.Stream)
	info, err := s.Info(ctx)
	if err != nil || info.State.Bytes > uint64(2*cfg.MaxBytes) || info.State.Msgs == 0 || info.State.FirstSeq != 1 {
		t.Fatalf("stream state %+v %v", info.State, err)
	}
	st := newMemStore()
	w, _ := NewWorker(connect(t), WorkerConfig{Config: cfg, Batch: 20, MaxWait: 50 * time.Millisecond, LeaseTTL: time.Second},
		func(ctx context.Context, p int, ms []Msg) error { return st.write("w", p, cfg.Partitions, ms) })
	wctx, wcancel := context.WithCancel(ctx)
	defer wcancel()
	go w.Run(wctx)
	if err := pub.Publish(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "every message stored", 30*time.Second, func() bool { return st.count() == len(msgs) })
}

// TestHandlerErrorRetries: a failing store write acknowledges nothing; the
// batch is offered again until it succeeds.
func TestHandlerErrorRetries(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg := testConfig(t, 2)
	pub, err := NewPublisher(ctx, connect(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	msgs := corpus(10, 10)
	if err := pub.Publish(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	st := newMemStore()
	var mu sync.Mutex
	fails := 3
	w, _ := NewWorker(connect(t), WorkerConfig{Config: cfg, MaxWait: 50 * time.Millisecond, RetryPause: 20 * time.Millisecond, LeaseTTL: time.Second},
		func(ctx context.Context, p int, ms []Msg) error {
			mu.Lock()
			defer mu.Unlock()
			if fails > 0 {
				fails--
				return errors.New("store unavailable")
			}
			return st.write("w", p, cfg.Partitions, ms)
		})
	wctx, wcancel := context.WithCancel(ctx)
	defer wcancel()
	go w.Run(wctx)
	waitFor(t, "every message stored", 20*time.Second, func() bool { return st.count() == len(msgs) })
	waitFor(t, "the stream to empty", 10*time.Second, func() bool { return streamMsgs(t, connect(t), cfg) == 0 })
}

func TestPartitionSpread(t *testing.T) {
	const n = 16
	counts := make([]int, n)
	for m := uint32(200000000); m < 200000000+16000; m++ {
		p := Partition(m, n)
		if p != Partition(m, n) || p < 0 || p >= n {
			t.Fatalf("partition %d of %d", p, m)
		}
		counts[p]++
	}
	for p, c := range counts {
		if c < 800 || c > 1200 { // 1000 expected each
			t.Errorf("partition %d holds %d of 16000 consecutive MMSIs", p, c)
		}
	}
}

func TestConfigMismatch(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t, 4)
	if _, err := NewPublisher(ctx, connect(t), cfg); err != nil {
		t.Fatal(err)
	}
	cfg.Partitions = 8
	if _, err := NewPublisher(ctx, connect(t), cfg); !errors.Is(err, ErrConfig) {
		t.Fatalf("stream with another partition count: %v", err)
	}
}
