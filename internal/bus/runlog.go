package bus

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// RunLog records which runs each partition has finished: stored, and
// about to be acknowledged. Acknowledging a run is one message at a time
// and may be cut short (the worker dies, the server is slow and the lease
// lapses); the partition's next consumer then gets the rest of the run,
// which a fresh tracker would track as if it were the whole input. With
// the log it knows the run is finished and acknowledges the rest
// unread. Entries live in a key-value bucket (<stream>_runs) for
// RunLogTTL.
type RunLog struct {
	kv jetstream.KeyValue

	mu   sync.Mutex
	done map[string]bool // keys known finished
}

// RunLogTTL is how long a finished run is remembered: longer than any
// acknowledgement takes.
const RunLogTTL = 24 * time.Hour

// OpenRunLog opens (creating) the run log of cfg's stream.
func OpenRunLog(ctx context.Context, nc *nats.Conn, cfg Config) (*RunLog, error) {
	cfg = cfg.withDefaults()
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("bus: %w", err)
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: cfg.Stream + "_runs", TTL: RunLogTTL, History: 1, Storage: jetstream.FileStorage})
	if err != nil {
		return nil, fmt.Errorf("bus: run log %s_runs: %w", cfg.Stream, err)
	}
	return &RunLog{kv: kv, done: map[string]bool{}}, nil
}

var plainRun = regexp.MustCompile(`^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$`)

func runKey(partition int, run string) string {
	if !plainRun.MatchString(run) || len(run) > 128 {
		h := sha256.Sum256([]byte(run))
		run = "h" + hex.EncodeToString(h[:12])
	}
	return fmt.Sprintf("p%d.%s", partition, run)
}

// Finished reports whether partition has finished run.
func (l *RunLog) Finished(ctx context.Context, partition int, run string) (bool, error) {
	k := runKey(partition, run)
	l.mu.Lock()
	done := l.done[k]
	l.mu.Unlock()
	if done {
		return true, nil
	}
	_, err := l.kv.Get(ctx, k)
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("bus: run log: %w", err)
	}
	l.mu.Lock()
	l.done[k] = true
	l.mu.Unlock()
	return true, nil
}

// Finish records that partition has finished run.
func (l *RunLog) Finish(ctx context.Context, partition int, run string) error {
	k := runKey(partition, run)
	if _, err := l.kv.Put(ctx, k, []byte(time.Now().UTC().Format(time.RFC3339))); err != nil {
		return fmt.Errorf("bus: run log: %w", err)
	}
	l.mu.Lock()
	l.done[k] = true
	l.mu.Unlock()
	return nil
}
