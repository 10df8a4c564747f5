package bus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// PartitionConsumer consumes one partition for as long as its worker holds
// it, keeping state across batches (a tracker). It is the stateful
// counterpart of Handler: a Handler's batches are independent and each is
// acknowledged once stored; a PartitionConsumer says itself how much of
// what it was given is done.
type PartitionConsumer interface {
	// Handle takes the partition's next messages, in stream order, each
	// message once. It returns how many of msgs, counted from the first,
	// complete the work they belong to: those, and every message handed
	// to this consumer before them, are then acknowledged (removed from
	// the stream). The rest stay unacknowledged until a later Handle says
	// they are done.
	//
	// An error acknowledges nothing more: the worker closes the consumer,
	// pauses, and opens a fresh one, to which every unacknowledged
	// message of the partition is delivered again from the first — so a
	// consumer's state always comes from an unbroken replay.
	Handle(ctx context.Context, msgs []Msg) (done int, err error)
	// Close ends the consumer: the partition was released, lost, or its
	// Handle failed. Unacknowledged messages go to the next consumer of
	// the partition, in this worker or another.
	Close()
}

// OpenFunc opens the consumer of a partition the worker has just taken.
type OpenFunc func(ctx context.Context, partition int) (PartitionConsumer, error)

// NewStatefulWorker returns a worker that opens a PartitionConsumer for
// each partition it takes. Its consumers may hold messages
// unacknowledged for as long as their work takes (Lookout's worker: until
// the end of a publisher's run), so by default nothing bounds the
// messages pending per partition (MaxAckPending -1) and AckWait is a day:
// a dead worker's partitions are not waited for anyway — the new owner's
// fresh consumer delivers them at once. Memory stays bounded because the
// worker fetches a batch at a time and keeps only the variable part of
// the ack subjects of pending messages (about 40 bytes each); the
// publisher bounds a run's size (see Publisher.RunBytes).
func NewStatefulWorker(nc *nats.Conn, cfg WorkerConfig, open OpenFunc) (*Worker, error) {
	if cfg.AckWait <= 0 {
		cfg.AckWait = 24 * time.Hour
	}
	if cfg.MaxAckPending == 0 {
		cfg.MaxAckPending = -1
	}
	w, err := NewWorker(nc, cfg, nil)
	if err != nil {
		return nil, err
	}
	w.open = open
	return w, nil
}

// consumeStateful runs partition p through consumers opened by w.open
// until ctx ends or the partition's JetStream consumer is taken away.
func (w *Worker) consumeStateful(ctx context.Context, p int, name string, cons jetstream.Consumer) {
	log := w.cfg.Logger.With("worker", w.cfg.ID, "partition", p)
	var pc PartitionConsumer
	defer func() {
		if pc != nil {
			pc.Close()
		}
	}()
	// pending holds the ack subjects of the messages handed to pc and not
	// yet acknowledged, oldest first.
	pending := newAckList()
	resets := 0
	// seen is the delivery sequence of the last message received from the
	// JetStream consumer. A fetch that times out on a busy server can lose
	// messages the server delivered: they count as pending there and would
	// come again only after AckWait (a day), while a run cannot end
	// without them. A jump in the sequence, or a consumer that delivered
	// more than was received while nothing is left to fetch, is such a
	// loss: the partition is replayed.
	var seen uint64
	var checked time.Time
	// reset starts over from the first unacknowledged message: a fresh
	// JetStream consumer (the old one would only redeliver after AckWait)
	// and a fresh PartitionConsumer.
	reset := func() bool {
		if pc != nil {
			pc.Close()
			pc = nil
		}
		for {
			if !sleep(ctx, w.cfg.RetryPause) {
				return false
			}
			resets++
			cname := fmt.Sprintf("%s-r%d", name, resets)
			c, err := w.newConsumer(ctx, p, cname)
			if err == nil {
				cons = c
				pending = newAckList()
				seen = 0
				return true
			}
			log.Warn("bus: recreating the partition consumer", "err", err)
		}
	}
	for ctx.Err() == nil {
		if pc == nil {
			var err error
			if pc, err = w.open(ctx, p); err != nil {
				pc = nil
				log.Warn("bus: opening the partition consumer", "err", err)
				if !sleep(ctx, w.cfg.RetryPause) {
					return
				}
				continue
			}
		}
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
		var msgs []Msg
		lost := false
		for m := range batch.Messages() {
			md, err := m.Metadata()
			if lost || err != nil || md.Sequence.Consumer != seen+1 {
				lost = true
				continue // drained, not handed: the replay delivers them
			}
			seen = md.Sequence.Consumer
			// A message delivered again by this JetStream consumer (after
			// AckWait) was handed to pc already: it is in pending.
			if md.NumDelivered > 1 {
				continue
			}
			msgs = append(msgs, Msg{Data: m.Data(), ID: m.Headers().Get(jetstream.MsgIDHeader)})
			if w.selfAck {
				msgs[len(msgs)-1].reply = m.Reply()
			} else {
				pending.add(m.Reply())
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && len(msgs) == 0 {
			if errors.Is(err, jetstream.ErrConsumerNotFound) || errors.Is(err, jetstream.ErrConsumerDeleted) {
				log.Warn("bus: partition consumer gone: another worker took it")
				return
			}
			log.Debug("bus: fetch ended", "err", err)
		}
		if !lost && len(msgs) == 0 && time.Since(checked) > 2*time.Second {
			checked = time.Now()
			if ci, err := cons.Info(ctx); err == nil && ci.Delivered.Consumer > seen {
				lost = true
			}
		}
		if lost {
			log.Warn("bus: messages delivered but not received (a fetch timed out); replaying the partition's unacknowledged messages", "received", seen)
			if !reset() {
				return
			}
			continue
		}
		if len(msgs) == 0 {
			continue
		}
		done, err := pc.Handle(ctx, msgs)
		if err == nil && (done < 0 || done > len(msgs) || (w.selfAck && done != 0)) {
			err = fmt.Errorf("%w: Handle reported %d of %d messages done", ErrConfig, done, len(msgs))
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			log.Warn("bus: partition consumer failed; replaying its unacknowledged messages", "err", err)
			if !reset() {
				return
			}
			continue
		}
		if done == 0 {
			continue
		}
		k := pending.len() - len(msgs) + done
		w.ack(ctx, log, pending, k)
		pending.drop(k)
	}
}

// ack acknowledges the first k messages of l (k > 0), a chunk at a time,
// waiting for the server to confirm each chunk's last (acknowledgements on
// one connection are processed in order): a run's worth of acks at once
// would queue the lease renewals behind them on a busy server.
func (w *Worker) ack(ctx context.Context, log interface{ Warn(string, ...any) }, l *ackList, k int) {
	for start := 0; start < k; start += ackChunk {
		end := min(start+ackChunk, k)
		for i := start; i < end-1; i++ {
			if err := w.nc.Publish(l.at(i), ackBody); err != nil {
				log.Warn("bus: ack failed; the message will be delivered again", "err", err)
			}
		}
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		_, err := w.nc.RequestWithContext(actx, l.at(end-1), ackBody)
		cancel()
		if err != nil {
			log.Warn("bus: ack failed; messages may be delivered again", "err", err)
		}
	}
}

const ackChunk = 2000

var ackBody = []byte("+ACK")

// PublishEnd puts the end-of-run marker of run (EncodeEnd) on every
// partition, after everything published before it, and returns once
// JetStream has stored them all. Its message IDs derive from run, so
// publishing the end of one run twice within the duplicate window stores
// it once.
func (p *Publisher) PublishEnd(ctx context.Context, run string) error {
	data := EncodeEnd(run)
	pause := 50 * time.Millisecond
	for part := 0; part < p.cfg.Partitions; part++ {
		m := &nats.Msg{Subject: p.cfg.subject(part), Data: data, Header: nats.Header{}}
		m.Header.Set(jetstream.MsgIDHeader, fmt.Sprintf("end:%s:%d", run, part))
		for {
			_, err := p.js.PublishMsg(ctx, m)
			if err == nil {
				break
			}
			if !isFull(err) {
				return fmt.Errorf("bus: publishing the end of run %s: %w", run, err)
			}
			if !sleep(ctx, pause) {
				return fmt.Errorf("bus: publishing the end of run %s: %w", run, ctx.Err())
			}
			pause = min(2*pause, 2*time.Second)
		}
	}
	return nil
}

// Config returns the publisher's configuration, defaults filled in.
func (p *Publisher) Config() Config { return p.cfg }
