package bus

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Msg is one message a worker hands its Handler.
type Msg struct {
	Data []byte
	ID   string
	// Redelivered: the message was delivered before and not acknowledged
	// (a worker died, or a handler failed): it may be stored already.
	Redelivered bool
	// reply is the ack subject, given to consumers that acknowledge
	// messages themselves (the encounter stage).
	reply string
}

// Handler stores a batch of one partition's messages, given in stream
// order. Returning nil acknowledges them all; an error acknowledges none:
// the batch is offered again after a pause. The handler must therefore be
// idempotent (the store's writes are).
type Handler func(ctx context.Context, partition int, msgs []Msg) error

// WorkerConfig configures a Worker. Zero fields take defaults.
type WorkerConfig struct {
	Config
	// ID names the worker in leases and logs; default host-pid-random.
	ID string
	// Bucket is the key-value bucket of partition leases; default the
	// stream name + "_leases".
	Bucket string
	// Batch is the most messages handed to one Handler call; default 1000.
	Batch int
	// MaxWait is how long a fetch waits to fill a batch; default 500 ms.
	MaxWait time.Duration
	// AckWait is how long a delivered message may stay unacknowledged
	// before JetStream delivers it again; default 30 s. Handlers that
	// retry signal progress, so it bounds a dead worker, not a slow store.
	AckWait time.Duration
	// MaxAckPending bounds the messages delivered and not yet acknowledged
	// per partition (back-pressure: a slow store stops deliveries);
	// default 2 × Batch; negative: no bound (a stateful worker's default,
	// see NewStatefulWorker).
	MaxAckPending int
	// LeaseTTL is how long a partition stays with a worker that stopped
	// renewing (died); leases are renewed every LeaseTTL/3. Default 10 s.
	LeaseTTL time.Duration
	// RetryPause is the wait before offering a failed batch again;
	// default 1 s.
	RetryPause time.Duration
}

func (c WorkerConfig) withDefaults() WorkerConfig {
	c.Config = c.Config.withDefaults()
	if c.ID == "" {
		host, _ := os.Hostname()
		c.ID = fmt.Sprintf("%s-%d-%04x", host, os.Getpid(), rand.IntN(1<<16))
	}
	c.ID = badIDChars.ReplaceAllString(c.ID, "_")
	if c.Bucket == "" {
		c.Bucket = c.Stream + "_leases"
	}
	if c.Batch <= 0 {
		c.Batch = 1000
	}
	if c.MaxWait <= 0 {
		c.MaxWait = 500 * time.Millisecond
	}
	if c.AckWait <= 0 {
		c.AckWait = 30 * time.Second
	}
	if c.MaxAckPending == 0 {
		c.MaxAckPending = 2 * c.Batch
	}
	if c.LeaseTTL <= 0 {
		c.LeaseTTL = 10 * time.Second
	}
	if c.RetryPause <= 0 {
		c.RetryPause = time.Second
	}
	return c
}

var badIDChars = regexp.MustCompile(`[^A-Za-z0-9_-]`)

// Worker consumes the partitions it holds leases on. Each partition is
// consumed by one worker at a time, in stream order, so a vessel's
// observations are handled in the order they were published.
type Worker struct {
	cfg WorkerConfig
	nc  *nats.Conn
	js  jetstream.JetStream
	h   Handler
	// open, when set, makes a stateful worker (NewStatefulWorker): one
	// PartitionConsumer per partition held, acknowledging what it says is
	// done instead of every batch.
	open OpenFunc
	// selfAck: the PartitionConsumers acknowledge messages themselves, in
	// any order (Msg.reply), and Handle reports nothing done.
	selfAck bool

	mu    sync.Mutex
	owned map[int]*lease
}

type lease struct {
	rev    uint64
	cancel context.CancelFunc
	done   chan struct{}
}

// NewWorker returns a worker on nc handing batches to h.
func NewWorker(nc *nats.Conn, cfg WorkerConfig, h Handler) (*Worker, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("bus: %w", err)
	}
	return &Worker{cfg: cfg.withDefaults(), nc: nc, js: js, h: h, owned: map[int]*lease{}}, nil
}

// ID is the worker's name.
func (w *Worker) ID() string { return w.cfg.ID }

// Partitions returns the partitions the worker holds now.
func (w *Worker) Partitions() []int {
	w.mu.Lock()
	defer w.mu.Unlock()
	var ps []int
	for p := range w.owned {
		ps = append(ps, p)
	}
	slices.Sort(ps)
	return ps
}

func leaseKey(p int) string         { return fmt.Sprintf("p.%d", p) }
func heartbeatKey(id string) string { return "w." + id }

// Run claims partitions and consumes them until ctx ends, then finishes
// the batches in progress, releases its leases (so that other workers
// take over at once) and returns nil. It returns an error only when the
// stream or the lease bucket cannot be set up.
func (w *Worker) Run(ctx context.Context) error {
	if _, err := EnsureStream(ctx, w.js, w.cfg.Config); err != nil {
		return err
	}
	kv, err := w.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: w.cfg.Bucket, TTL: w.cfg.LeaseTTL, History: 1, Storage: jetstream.FileStorage})
	if err != nil {
		return fmt.Errorf("bus: lease bucket %s: %w", w.cfg.Bucket, err)
	}
	tick := time.NewTicker(w.cfg.LeaseTTL / 3)
	defer tick.Stop()
	for {
		if err := w.balance(ctx, kv); err != nil && ctx.Err() == nil {
			w.cfg.Logger.Warn("bus: lease round failed", "worker", w.cfg.ID, "err", err)
		}
		select {
		case <-ctx.Done():
			w.releaseAll(kv)
			return nil
		case <-tick.C:
		}
	}
}

// balance renews the worker's leases, then claims or releases partitions
// to hold its share: ceil(partitions / live workers).
func (w *Worker) balance(ctx context.Context, kv jetstream.KeyValue) error {
	// The round must end in time to renew the leases it holds before they
	// expire: claiming (a consumer each) is cut short at a third of the
	// lease time, and partitions are stopped together, not one by one.
	roundEnd := time.Now().Add(w.cfg.LeaseTTL / 3)
	if _, err := kv.Put(ctx, heartbeatKey(w.cfg.ID), []byte(time.Now().UTC().Format(time.RFC3339))); err != nil {
		return fmt.Errorf("heartbeat: %w", err)
	}
	keys, err := kv.Keys(ctx)
	if err != nil && !errors.Is(err, jetstream.ErrNoKeysFound) {
		return fmt.Errorf("listing workers: %w", err)
	}
	live := 0
	for _, k := range keys {
		if strings.HasPrefix(k, "w.") {
			live++
		}
	}
	n := w.cfg.Partitions
	target := (n + max(live, 1) - 1) / max(live, 1)

	w.mu.Lock()
	owned := make(map[int]*lease, len(w.owned))
	for p, l := range w.owned {
		owned[p] = l
	}
	w.mu.Unlock()
	var gone, lost []int
	for p, l := range owned {
		select {
		case <-l.done:
			// Its consumer went (deleted by a new owner, or lost with a
			// server restart): give the partition up, so that it is
			// claimed again, by this worker or another, with a fresh
			// consumer; a new owner holds the lease already and keeps it.
			gone = append(gone, p)
			continue
		default:
		}
		rev, err := kv.Update(ctx, leaseKey(p), []byte(w.cfg.ID), l.rev)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			// Expired and perhaps taken: stop at once.
			w.cfg.Logger.Warn("bus: lost partition lease", "worker", w.cfg.ID, "partition", p, "err", err)
			lost = append(lost, p)
			continue
		}
		l.rev = rev
	}
	w.stopAll(lost)
	held := w.Partitions()
	var extra []int
	for len(held) > target {
		extra = append(extra, held[len(held)-1])
		held = held[:len(held)-1]
	}
	revs := w.stopAll(append(gone, extra...))
	// Released also when ctx ended meanwhile: the lease must not linger
	// until its TTL.
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	for i, p := range append(gone, extra...) {
		if err := kv.Delete(dctx, leaseKey(p), jetstream.LastRevision(revs[i])); err != nil && i >= len(gone) {
			w.cfg.Logger.Warn("bus: releasing partition", "worker", w.cfg.ID, "partition", p, "err", err)
		}
		if i < len(gone) {
			w.cfg.Logger.Info("bus: gave up partition whose consumer went", "worker", w.cfg.ID, "partition", p)
		} else {
			w.cfg.Logger.Info("bus: released partition", "worker", w.cfg.ID, "partition", p)
		}
	}
	cancel()
	// Claim from a worker-specific starting point so that workers starting
	// together do not all race for partition 0.
	h := fnv.New32a()
	h.Write([]byte(w.cfg.ID))
	start := int(h.Sum32() % uint32(n))
	var listed map[int][]string // the stream's consumers, listed once a round
	for i := 0; i < n && len(held) < target && time.Now().Before(roundEnd); i++ {
		p := (start + i) % n
		if slices.Contains(held, p) {
			continue
		}
		rev, err := kv.Create(ctx, leaseKey(p), []byte(w.cfg.ID))
		if errors.Is(err, jetstream.ErrKeyExists) {
			continue
		}
		if err != nil {
			return fmt.Errorf("claiming partition %d: %w", p, err)
		}
		if listed == nil {
			if listed, err = w.consumers(ctx); err != nil {
				kv.Delete(ctx, leaseKey(p), jetstream.LastRevision(rev))
				return fmt.Errorf("partition %d: %w", p, err)
			}
		}
		if err := w.start(ctx, p, rev, listed[p]); err != nil {
			kv.Delete(ctx, leaseKey(p), jetstream.LastRevision(rev))
			return fmt.Errorf("partition %d: %w", p, err)
		}
		held = append(held, p)
		w.cfg.Logger.Info("bus: took partition", "worker", w.cfg.ID, "partition", p)
	}
	return nil
}

// start takes over partition p: it removes the consumers earlier owners
// left (a work-queue stream allows one per partition) and creates a fresh
// one, which delivers every unacknowledged message of the partition, in
// order, at once — what a dead owner left unacknowledged comes first.
// The consumer's name is new for each owner, so a stale owner's fetches
// fail instead of stealing messages.
func (w *Worker) start(ctx context.Context, p int, rev uint64, stale []string) error {
	name := fmt.Sprintf("p%d-%s-%d", p, w.cfg.ID, rev)
	cons, err := w.newConsumerAfter(ctx, p, name, stale)
	if err != nil {
		return err
	}
	pctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	l := &lease{rev: rev, cancel: cancel, done: make(chan struct{})}
	w.mu.Lock()
	w.owned[p] = l
	w.mu.Unlock()
	go func() {
		defer close(l.done)
		if w.open != nil {
			w.consumeStateful(pctx, p, name, cons)
			return
		}
		w.consume(pctx, p, cons)
	}()
	return nil
}

// newConsumer removes the partition's consumers (a work-queue stream
// allows one per subject) and creates the consumer name on it, delivering
// every unacknowledged message of the partition from the first.
func (w *Worker) newConsumer(ctx context.Context, p int, name string) (jetstream.Consumer, error) {
	byPart, err := w.consumers(ctx)
	if err != nil {
		return nil, err
	}
	return w.newConsumerAfter(ctx, p, name, byPart[p])
}

// consumers lists the consumers of the stream by partition.
func (w *Worker) consumers(ctx context.Context) (map[int][]string, error) {
	st, err := w.js.Stream(ctx, w.cfg.Stream)
	if err != nil {
		return nil, err
	}
	byPart := map[int][]string{}
	names := st.ListConsumers(ctx)
	for info := range names.Info() {
		for p := range w.cfg.Partitions {
			if info.Config.FilterSubject == w.cfg.subject(p) {
				byPart[p] = append(byPart[p], info.Name)
				break
			}
		}
	}
	if err := names.Err(); err != nil {
		return nil, fmt.Errorf("listing consumers: %w", err)
	}
	return byPart, nil
}

// newConsumerAfter is newConsumer with the partition's consumers listed
// already (stale).
func (w *Worker) newConsumerAfter(ctx context.Context, p int, name string, stale []string) (jetstream.Consumer, error) {
	st, err := w.js.Stream(ctx, w.cfg.Stream)
	if err != nil {
		return nil, err
	}
	subj := w.cfg.subject(p)
	for _, name := range stale {
		if err := st.DeleteConsumer(ctx, name); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
			return nil, fmt.Errorf("removing consumer %s: %w", name, err)
		}
	}
	cons, err := st.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:       name,
		FilterSubject: subj,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       w.cfg.AckWait,
		MaxAckPending: w.cfg.MaxAckPending,
		DeliverPolicy: jetstream.DeliverAllPolicy,
		// Its state need not survive a server restart: the stream keeps
		// every unacknowledged message, and a partition whose consumer
		// is lost is claimed again with a new one (balance). Memory
		// consumers are also much quicker to create on a busy server.
		MemoryStorage: true,
	})
	if err != nil {
		return nil, fmt.Errorf("creating consumer %s: %w", name, err)
	}
	w.cfg.Logger.Debug("bus: consumer", "name", name, "removed", stale)
	return cons, nil
}

// stopAll stops the partitions ps together (see stop) and returns their
// lease revisions, in order.
func (w *Worker) stopAll(ps []int) []uint64 {
	revs := make([]uint64, len(ps))
	ls := make([]*lease, len(ps))
	w.mu.Lock()
	for i, p := range ps {
		ls[i] = w.owned[p]
		delete(w.owned, p)
	}
	w.mu.Unlock()
	for _, l := range ls {
		if l != nil {
			l.cancel()
		}
	}
	for i, l := range ls {
		if l != nil {
			<-l.done
			revs[i] = l.rev
		}
	}
	return revs
}

// stop ends the consumption of p after its batch in progress and returns
// the lease revision.
func (w *Worker) stop(p int) uint64 {
	w.mu.Lock()
	l := w.owned[p]
	delete(w.owned, p)
	w.mu.Unlock()
	if l == nil {
		return 0
	}
	l.cancel()
	<-l.done
	return l.rev
}

func (w *Worker) releaseAll(kv jetstream.KeyValue) {
	// Stop every partition at once: each finishes its batch in progress or
	// its fetch (up to MaxWait), and one after the other that would take
	// partitions × MaxWait.
	w.mu.Lock()
	owned := w.owned
	w.owned = map[int]*lease{}
	w.mu.Unlock()
	for _, l := range owned {
		l.cancel()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for p, l := range owned {
		<-l.done
		kv.Delete(ctx, leaseKey(p), jetstream.LastRevision(l.rev))
	}
	kv.Delete(ctx, heartbeatKey(w.cfg.ID))
}

// consume fetches batches of p, hands them to the handler and acks them
// once it succeeded, until ctx ends or the consumer is gone.
func (w *Worker) consume(ctx context.Context, p int, cons jetstream.Consumer) {
	log := w.cfg.Logger.With("worker", w.cfg.ID, "partition", p)
	for ctx.Err() == nil {
		batch, err := cons.Fetch(w.cfg.Batch, jetstream.FetchMaxWait(w.cfg.MaxWait))
		if err != nil {
			if errors.Is(err, jetstream.ErrConsumerNotFound) || errors.Is(err, jetstream.ErrConsumerDeleted) {
				log.Warn("bus: partition consumer gone: another worker took it")
				return
			}
			log.Warn("bus: fetch failed", "err", err)
			sleep(ctx, w.cfg.RetryPause)
			continue
		}
		var raw []jetstream.Msg
		for m := range batch.Messages() {
			raw = append(raw, m)
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && len(raw) == 0 {
			if errors.Is(err, jetstream.ErrConsumerNotFound) || errors.Is(err, jetstream.ErrConsumerDeleted) {
				log.Warn("bus: partition consumer gone: another worker took it")
				return
			}
			log.Debug("bus: fetch ended", "err", err)
		}
		if len(raw) == 0 {
			continue
		}
		msgs := make([]Msg, len(raw))
		for i, m := range raw {
			msgs[i] = Msg{Data: m.Data(), ID: m.Headers().Get(jetstream.MsgIDHeader)}
			if md, err := m.Metadata(); err == nil && md.NumDelivered > 1 {
				msgs[i].Redelivered = true
			}
		}
		// The batch is stored before anything is acknowledged; a failure
		// keeps it, signalling progress so JetStream does not hand it out
		// again meanwhile. A worker stopped here acks nothing: the next
		// owner gets the batch again.
		for {
			err := w.h(ctx, p, msgs)
			if err == nil {
				break
			}
			log.Warn("bus: handler failed; retrying the batch", "messages", len(msgs), "err", err)
			for _, m := range raw {
				m.InProgress()
			}
			if !sleep(ctx, w.cfg.RetryPause) {
				return
			}
		}
		for _, m := range raw[:len(raw)-1] {
			if err := m.Ack(); err != nil {
				log.Warn("bus: ack failed; the message will be delivered again", "err", err)
			}
		}
		// Wait for the server to confirm the last ack: the batch is then
		// off the stream before the next fetch.
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		if err := raw[len(raw)-1].DoubleAck(actx); err != nil {
			log.Warn("bus: ack failed; the batch may be delivered again", "err", err)
		}
		cancel()
	}
}

// WaitEmpty returns when every stream named has held no message for a
// second (four polls in a row: work passing between the two stages shows
// in one of them, and a publisher waiting for room resumes within a
// second), or when ctx ends. It is meant for a backlog already published.
func WaitEmpty(ctx context.Context, nc *nats.Conn, streams []string) error {
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	empty := 0
	for empty < 4 {
		if !sleep(ctx, 250*time.Millisecond) {
			return nil
		}
		n := uint64(0)
		for _, name := range streams {
			s, err := js.Stream(ctx, name)
			if errors.Is(err, jetstream.ErrStreamNotFound) {
				continue
			}
			if err != nil {
				return fmt.Errorf("stream %s: %w", name, err)
			}
			info, err := s.Info(ctx)
			if err != nil {
				return fmt.Errorf("stream %s: %w", name, err)
			}
			n += info.State.Msgs
		}
		if n == 0 {
			empty++
		} else {
			empty = 0
		}
	}
	return nil
}

// sleep waits d or until ctx ends; it reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
