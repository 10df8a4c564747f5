package cli

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/spf13/cobra"

	"github.com/lookout-maritime/lookout/internal/bus"
	"github.com/lookout-maritime/lookout/internal/source"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// parseBus splits a --bus URL into the NATS server URL and the stream
// configuration its query names:
//
//	nats://host:4222[?stream=NAME&subject=PREFIX&partitions=N&max_bytes=B]
//
// Publishers and workers of one deployment must agree on the first three;
// the defaults are bus.DefaultStream, bus.DefaultSubject and
// bus.DefaultPartitions. max_bytes sizes a stream when it is created (see
// bus.Config.MaxBytes; default 1 GiB).
func parseBus(raw string) (string, bus.Config, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "nats" && u.Scheme != "tls") || u.Host == "" {
		return "", bus.Config{}, usageError{fmt.Errorf("--bus %q: want nats://host:port[?stream=NAME&subject=PREFIX&partitions=N&max_bytes=B]", raw)}
	}
	var cfg bus.Config
	q := u.Query()
	for k := range q {
		if k != "stream" && k != "subject" && k != "partitions" && k != "max_bytes" {
			return "", cfg, usageError{fmt.Errorf("--bus %q: unknown parameter %q (stream, subject, partitions, max_bytes)", raw, k)}
		}
	}
	cfg.Stream, cfg.Subject = q.Get("stream"), q.Get("subject")
	if p := q.Get("partitions"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 4096 {
			return "", cfg, usageError{fmt.Errorf("--bus %q: partitions %q: want 1 to 4096", raw, p)}
		}
		cfg.Partitions = n
	}
	if b := q.Get("max_bytes"); b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n < 1<<16 {
			return "", cfg, usageError{fmt.Errorf("--bus %q: max_bytes %q: want a number of bytes, at least 65536", raw, b)}
		}
		cfg.MaxBytes = n
	}
	u.RawQuery = ""
	return u.String(), cfg, nil
}

func connectBus(server, name string) (*nats.Conn, error) {
	nc, err := nats.Connect(server, nats.Name(name), nats.Timeout(5*time.Second), nats.MaxReconnects(-1))
	if err != nil {
		return nil, fmt.Errorf("connecting to NATS at %s: %w", server, err)
	}
	return nc, nil
}

// busChunk is how many observations go to JetStream per Publish call: large
// enough to keep the asynchronous publishes streaming, small enough that
// decoding waits little for the acknowledgements of the previous chunk.
const busChunk = 20_000

// busIngestSummary is what `lookout ingest --bus` did.
type busIngestSummary struct {
	Lines, Decoded, Rejected int64
	ByReason                 map[string]int64
	Published                int64
	Runs                     int // ends of run published
	Elapsed                  time.Duration
}

// busItem is what the decoding side hands the publishing side: messages,
// or the end of a run once everything before it is published.
type busItem struct {
	msgs []bus.Out
	end  string
}

// runIngestBus reads and decodes specs and publishes the observations to
// the bus, partitioned by MMSI, each tagged with its run, then an
// end-of-run marker on every partition: workers track the input as one
// run, as a single-process ingest would. An input larger than the
// stream's run size (bus.Publisher.RunBytes, half of its byte limit) is
// cut into runs of that size, because workers acknowledge a run only when
// it ends and the stream must hold it until then: the workers then track
// it as consecutive ingests of its pieces would. Run names and message
// IDs derive from the files' paths and the observations' ordinals, so
// re-publishing the same files within the stream's duplicate window
// (after a crash) publishes nothing twice.
func runIngestBus(cmd *cobra.Command, busURL string, specs []string, quiet, forceProgress bool) error {
	ctx := cmd.Context()
	stderr := cmd.ErrOrStderr()
	server, bcfg, err := parseBus(busURL)
	if err != nil {
		return err
	}
	keys := make([]string, len(specs))
	for i, spec := range specs {
		if keys[i], err = sourceKey(spec); err != nil {
			return fmt.Errorf("ingest: %w", err)
		}
	}
	runBase := runBaseOf(keys)
	nc, err := connectBus(server, "lookout ingest")
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	defer nc.Close()
	pub, err := bus.NewPublisher(ctx, nc, bcfg)
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	bcfg = pub.Config()
	start := time.Now()
	sum := busIngestSummary{ByReason: map[string]int64{}}

	// Publishing runs beside decoding: one chunk is published while the
	// next is filled.
	items := make(chan busItem, 1)
	pubDone := make(chan error, 1)
	pctx, cancelPub := context.WithCancel(ctx)
	defer cancelPub()
	go func() {
		var perr error
		for it := range items {
			if perr != nil {
				continue
			}
			if it.end != "" {
				if perr = pub.PublishEnd(pctx, it.end); perr == nil {
					sum.Runs++
				}
			} else if perr = pub.Publish(pctx, it.msgs); perr == nil {
				sum.Published += int64(len(it.msgs))
			}
			if perr != nil {
				cancelPub()
			}
		}
		pubDone <- perr
	}()
	r := &busRuns{base: runBase, limit: pub.RunBytes(), items: items}
	readErr := func() error {
		defer close(items)
		for i, spec := range specs {
			if err := publishSource(pctx, cmd, spec, keys[i], quiet, forceProgress, &sum, r); err != nil {
				return err
			}
		}
		return r.end(pctx)
	}()
	pubErr := <-pubDone
	sum.Elapsed = time.Since(start)
	printBusIngestSummary(stderr, sum, bcfg, server)
	switch {
	case pubErr != nil:
		return fmt.Errorf("ingest: %w", pubErr)
	case readErr != nil:
		return fmt.Errorf("ingest: %w", readErr)
	}
	return nil
}

// busRuns cuts the published observations into runs of at most limit
// bytes and chunks of busChunk messages.
type busRuns struct {
	base  string
	limit int64
	items chan<- busItem
	k     int   // current run
	bytes int64 // published in it so far
	chunk []bus.Out
}

func (r *busRuns) name() string { return fmt.Sprintf("%s.%d", r.base, r.k) }

func (r *busRuns) send(ctx context.Context, it busItem) error {
	select {
	case r.items <- it:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// flush hands over the chunk being filled.
func (r *busRuns) flush(ctx context.Context) error {
	if len(r.chunk) == 0 {
		return nil
	}
	err := r.send(ctx, busItem{msgs: r.chunk})
	r.chunk = make([]bus.Out, 0, busChunk)
	return err
}

// add encodes obs as a message of the current run and queues it, ending
// the run first when the message would overflow it: a message must carry
// the name of the run whose end marker follows it.
func (r *busRuns) add(ctx context.Context, obs vessel.Observation, mmsi uint32, id string) error {
	data, err := bus.EncodeRunObservation(obs, r.name())
	if err != nil {
		return err
	}
	if r.bytes > 0 && r.bytes+bus.MessageBytes(data) > r.limit {
		if err := r.end(ctx); err != nil {
			return err
		}
		if data, err = bus.EncodeRunObservation(obs, r.name()); err != nil {
			return err
		}
	}
	r.bytes += bus.MessageBytes(data)
	r.chunk = append(r.chunk, bus.Out{MMSI: mmsi, ID: id, Data: data})
	if len(r.chunk) == busChunk {
		return r.flush(ctx)
	}
	return nil
}

// end ends the current run (after what is queued) and starts the next.
func (r *busRuns) end(ctx context.Context) error {
	if err := r.flush(ctx); err != nil {
		return err
	}
	if err := r.send(ctx, busItem{end: r.name()}); err != nil {
		return err
	}
	r.k++
	r.bytes = 0
	return nil
}

// runBaseOf names the runs of a publication of the sources keyed keys:
// run k is runBaseOf(keys) + "." + k.
func runBaseOf(keys []string) string {
	h := sha256.New()
	for _, k := range keys {
		fmt.Fprintln(h, k)
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// sourceKey names a source in message IDs: a file by its absolute path
// (the same file published again gets the same IDs), a stream by a random
// nonce (each connection is new input).
func sourceKey(spec string) (string, error) {
	if spec == "-" || strings.Contains(spec, "://") {
		b := make([]byte, 8)
		rand.Read(b)
		return "stream-" + hex.EncodeToString(b), nil
	}
	abs, err := filepath.Abs(spec)
	if err != nil {
		return "", fmt.Errorf("%s: %w", spec, err)
	}
	h := sha256.Sum256([]byte(abs))
	return hex.EncodeToString(h[:8]), nil
}

// publishSource decodes one source and queues its observations.
func publishSource(ctx context.Context, cmd *cobra.Command, spec, key string, quiet, forceProgress bool, sum *busIngestSummary, r *busRuns) error {
	stderr := cmd.ErrOrStderr()
	src, err := source.New(spec, source.Options{Stdin: cmd.InOrStdin(), NMEA: source.NMEAConfig{BaseStationClock: true}})
	if err != nil {
		return err
	}
	defer src.Close()
	_, total := src.Progress()
	bar := newProgress(stderr, total, spec, forceProgress)
	defer bar.Finish()
	var n int64
	var rej *source.Reject
	for {
		obs, err := src.Next(ctx)
		switch {
		case errors.Is(err, io.EOF):
			bar.Update(src.Progress())
			return r.flush(ctx)
		case errors.As(err, &rej):
			sum.Lines++
			sum.Rejected++
			sum.ByReason[rej.Reason]++
			if !quiet {
				fmt.Fprintf(stderr, "%v\n", rej)
			}
			continue
		case err != nil:
			return err
		}
		sum.Lines++
		sum.Decoded++
		n++
		mmsi := uint32(0)
		if obs.Position != nil {
			mmsi = obs.Position.MMSI
		} else {
			mmsi = obs.Static.MMSI
		}
		if err := r.add(ctx, obs, mmsi, key+":"+strconv.FormatInt(n, 10)); err != nil {
			if ctx.Err() != nil {
				return err
			}
			return fmt.Errorf("%s: observation %d: %w", spec, n, err)
		}
		if n%busChunk == 0 {
			done, _ := src.Progress()
			bar.Update(done, n)
		}
	}
}

func printBusIngestSummary(w io.Writer, sum busIngestSummary, cfg bus.Config, server string) {
	fmt.Fprintf(w, "ingest to bus %s stream %s (%d partitions): %d lines/rows, %d observations, %d rejected%s\n",
		server, cfg.Stream, cfg.Partitions, sum.Lines, sum.Decoded, sum.Rejected, reasonList(sum.ByReason))
	fmt.Fprintf(w, "  %d published in %d run(s), %s, %.0f messages/s\n", sum.Published, sum.Runs, sum.Elapsed.Round(time.Millisecond),
		float64(sum.Published)/sum.Elapsed.Seconds())
}
