package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Backoff is how a live source waits between attempts to (re)connect:
// Initial, doubling up to Max, reset once a connection delivers data.
type Backoff struct {
	Initial time.Duration // first wait (default 1 s)
	Max     time.Duration // longest wait (default 1 min)
	// Jitter waits a random time between half and all of each delay, so
	// that many clients cut off together do not come back in step.
	Jitter bool
	// MaxAttempts is how many attempts in a row may fail before the source
	// gives up with an error; 0 never gives up.
	MaxAttempts int
}

func (b Backoff) withDefaults() Backoff {
	if b.Initial <= 0 {
		b.Initial = time.Second
	}
	if b.Max <= 0 {
		b.Max = time.Minute
	}
	if b.Max < b.Initial {
		b.Max = b.Initial
	}
	return b
}

// delay is the wait before attempt n+1 after n failures in a row (n >= 1).
func (b Backoff) delay(n int) time.Duration {
	d := b.Initial
	for i := 1; i < n && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	if b.Jitter {
		d = d/2 + rand.N(d/2+1)
	}
	return d
}

// permanent marks an error that reconnecting cannot fix.
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// feedItem is one line or message received, with when it arrived.
type feedItem struct {
	data    []byte
	at      time.Time
	tooLong bool // a line longer than the read buffer, dropped
}

// feed runs a live source's receiving loop in its own goroutine, so that
// the network is read while the consumer works, and hands items to Next
// through a bounded channel (a slow consumer slows the sender down, as TCP
// does, rather than growing memory).
type feed struct {
	name     string
	log      *slog.Logger
	items    chan feedItem
	cancel   context.CancelFunc
	done     chan struct{}
	start    sync.Once
	err      error // why the loop ended; written before items is closed
	bytes    atomic.Int64
	connects atomic.Int64
}

func newFeed(name string, log *slog.Logger, buffer int) *feed {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if buffer <= 0 {
		buffer = 1024
	}
	return &feed{name: name, log: log, items: make(chan feedItem, buffer), done: make(chan struct{})}
}

// run starts loop once; loop's error (nil when cancelled by close) ends the
// feed.
func (f *feed) run(loop func(ctx context.Context) error) {
	f.start.Do(func() {
		ctx, cancel := context.WithCancel(context.Background())
		f.cancel = cancel
		go func() {
			defer close(f.done)
			err := loop(ctx)
			if ctx.Err() != nil {
				err = nil
			}
			f.err = err
			close(f.items)
		}()
	})
}

// send hands an item to Next, false when the feed is closing.
func (f *feed) send(ctx context.Context, it feedItem) bool {
	select {
	case f.items <- it:
		return true
	case <-ctx.Done():
		return false
	}
}

// next waits for the next item. When the loop has ended it returns its
// error, or io.EOF when the feed was closed.
func (f *feed) next(ctx context.Context) (feedItem, error) {
	if err := ctx.Err(); err != nil {
		return feedItem{}, err
	}
	select {
	case it, ok := <-f.items:
		if !ok {
			if f.err != nil {
				return feedItem{}, f.err
			}
			return feedItem{}, io.EOF
		}
		return it, nil
	case <-ctx.Done():
		return feedItem{}, ctx.Err()
	}
}

// close stops the loop and waits for it.
func (f *feed) close() {
	f.start.Do(func() { close(f.items); close(f.done) }) // never started
	if f.cancel != nil {
		f.cancel()
	}
	<-f.done
}

// reconnect runs session until ctx ends, waiting by b between attempts. A
// session reports whether it received anything (which resets the back-off)
// and why it ended; a permanent error, or MaxAttempts failures in a row,
// end reconnect with an error.
func (f *feed) reconnect(ctx context.Context, b Backoff, session func(ctx context.Context) (bool, error)) error {
	b = b.withDefaults()
	failures := 0
	for {
		got, err := session(ctx)
		if ctx.Err() != nil {
			return nil
		}
		var p permanent
		if errors.As(err, &p) {
			f.log.Error("source: giving up", "source", f.name, "err", err)
			return fmt.Errorf("source: %s: %w", f.name, p.err)
		}
		if got {
			failures = 0
		}
		failures++
		if b.MaxAttempts > 0 && failures >= b.MaxAttempts {
			f.log.Error("source: giving up", "source", f.name, "attempts", failures, "err", err)
			return fmt.Errorf("source: %s: giving up after %d failed attempts: %w", f.name, failures, err)
		}
		d := b.delay(failures)
		f.log.Warn("source: disconnected, reconnecting", "source", f.name, "err", err, "in", d)
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}
