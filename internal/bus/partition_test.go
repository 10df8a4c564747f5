package bus

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// seqConsumer is a stateful partition consumer like Lookout's worker: it
// keeps per-vessel state (how many messages of each vessel it has seen,
// which must arrive in order from the first) and writes it only at an
// end-of-run marker, which is the only point it acknowledges.
type seqConsumer struct {
	p     int
	seen  map[uint32]int
	res   *results
	fail  bool // fail the second Handle call
	calls int
}

type results struct {
	mu      sync.Mutex
	final   map[uint32]int // mmsi → messages counted at the end of the run
	opens   atomic.Int64
	broken  []string
	handled atomic.Int64
}

func (c *seqConsumer) Handle(ctx context.Context, msgs []Msg) (int, error) {
	c.calls++
	if c.fail && c.calls == 2 {
		return 0, errors.New("store down")
	}
	done := 0
	for i, m := range msgs {
		c.res.handled.Add(1)
		if _, end, err := Decode(m.Data); err == nil && end != "" {
			c.res.mu.Lock()
			for mmsi, n := range c.seen {
				c.res.final[mmsi] = n // idempotent: a replay writes the same
			}
			c.res.mu.Unlock()
			clear(c.seen)
			done = i + 1
			continue
		}
		var mmsi uint32
		var seq int
		if _, err := fmt.Sscanf(string(m.Data), "%d:%d", &mmsi, &seq); err != nil {
			return 0, err
		}
		if seq != c.seen[mmsi] {
			c.res.mu.Lock()
			c.res.broken = append(c.res.broken, fmt.Sprintf("partition %d mmsi %d: got %d after %d", c.p, mmsi, seq, c.seen[mmsi]))
			c.res.mu.Unlock()
		}
		c.seen[mmsi] = seq + 1
	}
	return done, nil
}

func (c *seqConsumer) Close() {}

// TestStatefulWorkerReplays: a consumer that fails and a worker that dies
// mid-run both leave their partitions to fresh consumers that see every
// unacknowledged message again from the first of the run, in order; when
// the end-of-run markers are handled the stream is empty and every
// vessel's state is complete.
func TestStatefulWorkerReplays(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cfg := testConfig(t, 4)
	pub, err := NewPublisher(ctx, connect(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	res := &results{final: map[uint32]int{}}
	var failOnce atomic.Bool
	open := func(ctx context.Context, p int) (PartitionConsumer, error) {
		res.opens.Add(1)
		return &seqConsumer{p: p, seen: map[uint32]int{}, res: res, fail: p == 0 && failOnce.CompareAndSwap(false, true)}, nil
	}
	wcfg := WorkerConfig{Config: cfg, Batch: 40, MaxWait: 50 * time.Millisecond, LeaseTTL: 1500 * time.Millisecond, RetryPause: 50 * time.Millisecond}
	ncA := connect(t)
	wA, _ := NewStatefulWorker(ncA, withID(wcfg, "a"), open)
	wB, _ := NewStatefulWorker(connect(t), withID(wcfg, "b"), open)
	ctxA, cancelA := context.WithCancel(ctx)
	ctxB, cancelB := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); wA.Run(ctxA) }()
	go func() { defer wg.Done(); wB.Run(ctxB) }()

	msgs := corpus(50, 60)
	if err := pub.Publish(ctx, msgs[:len(msgs)/2]); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "both workers to consume", 20*time.Second, func() bool {
		return res.handled.Load() > int64(len(msgs)/4) && len(wA.Partitions()) > 0
	})
	// Worker a dies: its connection goes, nothing more is acknowledged.
	ncA.Close()
	cancelA()
	if err := pub.Publish(ctx, msgs[len(msgs)/2:]); err != nil {
		t.Fatal(err)
	}
	if err := pub.PublishEnd(ctx, "run-1"); err != nil {
		t.Fatal(err)
	}
	if err := pub.PublishEnd(ctx, "run-1"); err != nil { // de-duplicated
		t.Fatal(err)
	}
	waitFor(t, "the stream to empty", 60*time.Second, func() bool { return streamMsgs(t, connect(t), cfg) == 0 })
	cancelB()
	wg.Wait()

	res.mu.Lock()
	defer res.mu.Unlock()
	for _, b := range res.broken {
		t.Error(b)
	}
	if len(res.final) != 50 {
		t.Errorf("%d vessels finished, want 50", len(res.final))
	}
	for mmsi, n := range res.final {
		if n != 60 {
			t.Errorf("mmsi %d: %d messages at the end of the run, want 60", mmsi, n)
		}
	}
	if !failOnce.Load() {
		t.Error("the failing consumer was never opened")
	}
	if res.handled.Load() <= int64(len(msgs)+cfg.Partitions) {
		t.Errorf("handled %d messages: nothing was replayed", res.handled.Load())
	}
	t.Logf("%d consumers opened, %d messages handled for %d published", res.opens.Load(), res.handled.Load(), len(msgs))
}

// TestStatefulWorkerRecoversLostDeliveries: messages the server delivers
// that never reach the worker (here taken by another client from the
// worker's own consumer, as a fetch timing out on a busy server loses
// them) would otherwise wait a day for redelivery, with the run unable
// to end. The worker sees the gap and replays the partition; the run ends
// complete.
func TestStatefulWorkerRecoversLostDeliveries(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg := testConfig(t, 1)
	nc := connect(t)
	pub, err := NewPublisher(ctx, nc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	res := &results{final: map[uint32]int{}}
	open := func(ctx context.Context, p int) (PartitionConsumer, error) {
		res.opens.Add(1)
		return &seqConsumer{p: p, seen: map[uint32]int{}, res: res}, nil
	}
	w, _ := NewStatefulWorker(connect(t), WorkerConfig{Config: cfg, Batch: 10, MaxWait: 50 * time.Millisecond, LeaseTTL: time.Second, RetryPause: 50 * time.Millisecond}, open)
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	go w.Run(wctx)
	waitFor(t, "the worker to hold the partition", 10*time.Second, func() bool { return len(w.Partitions()) == 1 })

	// Steal deliveries from the worker's consumer while it works.
	js, _ := jetstream.New(nc)
	st, _ := js.Stream(ctx, cfg.Stream)
	var name string
	waitFor(t, "the worker's consumer", 5*time.Second, func() bool {
		for n := range st.ListConsumers(ctx).Info() {
			name = n.Name
		}
		return name != ""
	})
	thief, err := st.Consumer(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	msgs := corpus(20, 30)
	if err := pub.Publish(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	stolen := 0
	for stolen == 0 {
		b, err := thief.Fetch(5, jetstream.FetchMaxWait(200*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		for range b.Messages() {
			stolen++ // dropped: neither handed nor acknowledged
		}
	}
	if err := pub.PublishEnd(ctx, "run-1"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the stream to empty", 20*time.Second, func() bool { return streamMsgs(t, connect(t), cfg) == 0 })
	res.mu.Lock()
	defer res.mu.Unlock()
	for _, b := range res.broken {
		t.Error(b)
	}
	if len(res.final) != 20 {
		t.Errorf("%d vessels finished, want 20", len(res.final))
	}
	for mmsi, n := range res.final {
		if n != 30 {
			t.Errorf("mmsi %d: %d messages at the end of the run, want 30", mmsi, n)
		}
	}
	if res.opens.Load() < 2 {
		t.Errorf("%d consumers opened: the loss was not noticed", res.opens.Load())
	}
	t.Logf("%d deliveries stolen, %d consumers opened", stolen, res.opens.Load())
}
