// Package bus carries Lookout's ingest over NATS JetStream so that many
// worker processes share the work: publishers put observations on a stream
// whose subjects are partitioned by a hash of the MMSI, and each worker
// owns some partitions (leases in a JetStream key-value bucket) and
// consumes them through durable consumers, acknowledging a batch only
// after the caller has written it to the store. With the store's
// idempotent writes that is at-least-once delivery without duplicates.
// docs/SCALE.md describes the design.
package bus

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Defaults.
const (
	DefaultURL        = "nats://127.0.0.1:4222"
	DefaultStream     = "LOOKOUT_OBS"
	DefaultSubject    = "lookout.obs"
	DefaultPartitions = 16
)

// ErrConfig: the configuration cannot work (e.g. a stream created with
// another number of partitions).
var ErrConfig = errors.New("bus: bad configuration")

// Config names the stream and its partitioning; publishers and workers of
// one deployment must agree on it. The zero value is usable.
type Config struct {
	// Stream is the JetStream stream name. Default DefaultStream.
	Stream string
	// Subject is the subject prefix: partition p is Subject + "." + p.
	// Default DefaultSubject.
	Subject string
	// Partitions is the number of partitions, fixed when the stream is
	// created; make it several times the largest number of workers, so
	// that partitions can move between them, but no more: NATS Server
	// 2.9 finds a filtered consumer's next message by scanning past the
	// other partitions' messages, so the server's work grows with
	// partitions × messages (docs/SCALE.md). Default DefaultPartitions.
	Partitions int
	// MaxBytes bounds the stream: when workers fall behind and it holds
	// this much, publishing waits (back-pressure) instead of the stream
	// growing. The stream's hard limit is twice this; the limit of an
	// existing stream wins over this field. Default 1 GiB.
	MaxBytes int64
	// DuplicateWindow is how long JetStream remembers message IDs to drop
	// re-published messages. Default 2 minutes.
	DuplicateWindow time.Duration
	// Logger; nil discards.
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.Stream == "" {
		c.Stream = DefaultStream
	}
	if c.Subject == "" {
		c.Subject = DefaultSubject
	}
	if c.Partitions <= 0 {
		c.Partitions = DefaultPartitions
	}
	if c.MaxBytes <= 0 {
		c.MaxBytes = 1 << 30
	}
	if c.DuplicateWindow <= 0 {
		c.DuplicateWindow = 2 * time.Minute
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Partition is the partition of mmsi among n: FNV-1a of its four bytes,
// so that consecutive MMSIs spread out.
func Partition(mmsi uint32, n int) int {
	h := fnv.New32a()
	h.Write([]byte{byte(mmsi >> 24), byte(mmsi >> 16), byte(mmsi >> 8), byte(mmsi)})
	return int(h.Sum32() % uint32(n))
}

func (c Config) subject(p int) string { return fmt.Sprintf("%s.%d", c.Subject, p) }

// EnsureStream creates the stream, or checks an existing one has the
// configured partitions. The stream is a work queue: a message is removed
// once its partition's consumer acknowledges it, so the stream holds only
// work not yet stored. It discards new messages when full: publishers see
// the error and wait.
func EnsureStream(ctx context.Context, js jetstream.JetStream, cfg Config) (jetstream.Stream, error) {
	cfg = cfg.withDefaults()
	want := jetstream.StreamConfig{
		Name:       cfg.Stream,
		Subjects:   []string{cfg.Subject + ".*"},
		Retention:  jetstream.WorkQueuePolicy,
		Discard:    jetstream.DiscardNew,
		MaxBytes:   2 * cfg.MaxBytes,
		Duplicates: cfg.DuplicateWindow,
		Storage:    jetstream.FileStorage,
		// Metadata would be the place, but servers before 2.10 drop it.
		Description: partitionsNote(cfg.Partitions),
	}
	s, err := js.Stream(ctx, cfg.Stream)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		s, err = js.CreateStream(ctx, want)
		if err != nil {
			return nil, fmt.Errorf("bus: creating stream %s: %w", cfg.Stream, err)
		}
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("bus: stream %s: %w", cfg.Stream, err)
	}
	if got := s.CachedInfo().Config.Description; got != partitionsNote(cfg.Partitions) {
		return nil, fmt.Errorf("%w: stream %s is described %q, configured with %d partitions", ErrConfig, cfg.Stream, got, cfg.Partitions)
	}
	return s, nil
}

func partitionsNote(n int) string { return fmt.Sprintf("lookout observations, partitions=%d", n) }
