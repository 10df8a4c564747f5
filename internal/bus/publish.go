package bus

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Out is one message to publish.
type Out struct {
	MMSI uint32 // chooses the partition
	// ID de-duplicates re-publication (a publisher restarted on the same
	// input): JetStream drops a message whose ID it saw within the
	// duplicate window. Empty: a digest of Data.
	ID   string
	Data []byte
	// part, when positive, is the partition + 1 to publish to instead of
	// the MMSI's (the cell stream's messages).
	part int
}

func (p *Publisher) subjectOf(o *Out) string {
	if o.part > 0 {
		return p.cfg.subject(o.part - 1)
	}
	return p.cfg.subject(Partition(o.MMSI, p.cfg.Partitions))
}

// Publisher publishes to the partitioned stream.
type Publisher struct {
	cfg    Config
	js     jetstream.JetStream
	stream jetstream.Stream
}

// NewPublisher makes sure the stream exists and returns a publisher on nc.
func NewPublisher(ctx context.Context, nc *nats.Conn, cfg Config) (*Publisher, error) {
	cfg = cfg.withDefaults()
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("bus: %w", err)
	}
	st, err := EnsureStream(ctx, js, cfg)
	if err != nil {
		return nil, err
	}
	// An existing stream's limit wins: the publisher waits for room below
	// half of it whatever this publisher was configured with.
	if mb := st.CachedInfo().Config.MaxBytes; mb > 0 {
		cfg.MaxBytes = mb / 2
	}
	return &Publisher{cfg: cfg, js: js, stream: st}, nil
}

// Publish publishes msgs and returns once JetStream has stored every one
// of them (or ctx ends): a caller that records its input as done after
// Publish returns loses nothing.
//
// Back-pressure: messages go out asynchronously in chunks of at most half
// of Config.MaxBytes, and before each chunk the publisher waits while the
// stream holds Config.MaxBytes or more (workers are behind). The stream's
// own limit is twice that, with new messages refused beyond it (and sent
// again after a pause); the publisher keeps clear of it because NATS
// Server 2.9 was seen to drop the oldest messages of a work-queue stream
// instead of refusing new ones when asynchronous publishes race its byte
// limit.
func (p *Publisher) Publish(ctx context.Context, msgs []Out) error {
	for len(msgs) > 0 {
		n, size := 0, 0
		for n < len(msgs) && (n == 0 || size+len(msgs[n].Data)+msgOverhead <= int(p.cfg.MaxBytes/2)) {
			size += len(msgs[n].Data) + msgOverhead
			n++
		}
		if err := p.waitForRoom(ctx); err != nil {
			return err
		}
		if err := p.publishChunk(ctx, msgs[:n]); err != nil {
			return err
		}
		msgs = msgs[n:]
	}
	return nil
}

// RunBytes is the most a publisher should publish in one run before
// ending it (PublishEnd) and starting the next: a stateful worker
// acknowledges a run only at its end, so the stream must hold a whole run
// with room to spare, or publishers would wait for room that never comes.
// Half of Config.MaxBytes (a quarter of the stream's hard limit).
func (p *Publisher) RunBytes() int64 { return p.cfg.MaxBytes / 2 }

// MessageBytes is what a message of data bytes counts for against
// RunBytes and Config.MaxBytes (its data and an estimate of the stream's
// overhead per message).
func MessageBytes(data []byte) int64 { return int64(len(data) + msgOverhead) }

// msgOverhead is a generous estimate of what a message costs the stream
// beyond its data (subject, message ID header, sequence, time).
const msgOverhead = 128

// waitForRoom waits while the stream holds MaxBytes or more.
func (p *Publisher) waitForRoom(ctx context.Context) error {
	pause := 20 * time.Millisecond
	for {
		info, err := p.stream.Info(ctx)
		if err != nil {
			return fmt.Errorf("bus: stream %s: %w", p.cfg.Stream, err)
		}
		if info.State.Bytes < uint64(p.cfg.MaxBytes) {
			return nil
		}
		p.cfg.Logger.Debug("bus: stream full, waiting for workers", "stream", p.cfg.Stream, "bytes", info.State.Bytes)
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			return fmt.Errorf("bus: publish: stream %s full: %w", p.cfg.Stream, ctx.Err())
		}
		pause = min(2*pause, time.Second)
	}
}

func (p *Publisher) publishChunk(ctx context.Context, msgs []Out) error {
	pending := make([]int, len(msgs))
	for i := range pending {
		pending[i] = i
	}
	ids := make([]string, len(msgs))
	for i, m := range msgs {
		ids[i] = m.ID
		if ids[i] == "" {
			sum := sha256.Sum256(m.Data)
			ids[i] = hex.EncodeToString(sum[:16])
		}
	}
	pause := 50 * time.Millisecond
	for len(pending) > 0 {
		futures := make([]jetstream.PubAckFuture, len(pending))
		for k, i := range pending {
			m := &nats.Msg{Subject: p.subjectOf(&msgs[i]), Data: msgs[i].Data, Header: nats.Header{}}
			m.Header.Set(jetstream.MsgIDHeader, ids[i])
			f, err := p.js.PublishMsgAsync(m)
			// Too many publishes await their acknowledgement (a busy
			// server): wait for them, then go on.
			for errors.Is(err, jetstream.ErrTooManyStalledMsgs) {
				select {
				case <-p.js.PublishAsyncComplete():
				case <-time.After(time.Second):
				case <-ctx.Done():
					return fmt.Errorf("bus: publish: %w", ctx.Err())
				}
				f, err = p.js.PublishMsgAsync(m)
			}
			if err != nil {
				return fmt.Errorf("bus: publish: %w", err)
			}
			futures[k] = f
		}
		var again []int
		for k, f := range futures {
			select {
			case <-f.Ok():
			case err := <-f.Err():
				if !isFull(err) {
					return fmt.Errorf("bus: publish to %s: %w", f.Msg().Subject, err)
				}
				again = append(again, pending[k])
			case <-ctx.Done():
				return fmt.Errorf("bus: publish: %w", ctx.Err())
			}
		}
		if len(again) > 0 {
			p.cfg.Logger.Debug("bus: stream refused messages, full", "stream", p.cfg.Stream, "messages", len(again))
			select {
			case <-time.After(pause):
			case <-ctx.Done():
				return fmt.Errorf("bus: publish: stream %s full: %w", p.cfg.Stream, ctx.Err())
			}
			pause = min(2*pause, 2*time.Second)
		}
		pending = again
	}
	return nil
}

// errCodeStoreFailed is the server's JSStreamStoreFailedF, what a full
// stream with the discard-new policy answers ("maximum bytes exceeded").
const errCodeStoreFailed jetstream.ErrorCode = 10077

// isFull reports whether err is the stream refusing a message for its size
// limits.
func isFull(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode == errCodeStoreFailed
}
