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
)

// parseBus splits a --bus URL into the NATS server URL and the stream
// configuration its query names:
//
//	nats://host:4222[?stream=NAME&subject=PREFIX&partitions=N]
//
// Publishers and workers of one deployment must agree on all three; the
// defaults are bus.DefaultStream, bus.DefaultSubject and
// bus.DefaultPartitions.
func parseBus(raw string) (string, bus.Config, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "nats" && u.Scheme != "tls") || u.Host == "" {
		return "", bus.Config{}, usageError{fmt.Errorf("--bus %q: want nats://host:port[?stream=NAME&subject=PREFIX&partitions=N]", raw)}
	}
	var cfg bus.Config
	q := u.Query()
	for k := range q {
		if k != "stream" && k != "subject" && k != "partitions" {
			return "", cfg, usageError{fmt.Errorf("--bus %q: unknown parameter %q (stream, subject, partitions)", raw, k)}
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
	Elapsed                  time.Duration
}

// runIngestBus reads and decodes specs and publishes the observations to
// the bus, partitioned by MMSI, then an end-of-run marker on every
// partition: workers track the whole input as one run, as a
// single-process ingest would. Message IDs name the file and the
// observation's ordinal in it, so re-publishing the same files within the
// stream's duplicate window (after a crash) publishes nothing twice.
func runIngestBus(cmd *cobra.Command, busURL string, specs []string, quiet, forceProgress bool) error {
	ctx := cmd.Context()
	stderr := cmd.ErrOrStderr()
	server, bcfg, err := parseBus(busURL)
	if err != nil {
		return err
	}
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
	chunks := make(chan []bus.Out, 1)
	pubDone := make(chan error, 1)
	pctx, cancelPub := context.WithCancel(ctx)
	defer cancelPub()
	go func() {
		var perr error
		for c := range chunks {
			if perr == nil {
				if perr = pub.Publish(pctx, c); perr == nil {
					sum.Published += int64(len(c))
				} else {
					cancelPub()
				}
			}
		}
		pubDone <- perr
	}()
	runKey := sha256.New()
	readErr := func() error {
		defer close(chunks)
		for _, spec := range specs {
			key, err := sourceKey(spec)
			if err != nil {
				return err
			}
			fmt.Fprintln(runKey, key)
			n, err := publishSource(pctx, cmd, spec, key, quiet, forceProgress, &sum, chunks)
			fmt.Fprintln(runKey, n)
			if err != nil {
				return err
			}
		}
		return nil
	}()
	pubErr := <-pubDone
	if readErr == nil && pubErr == nil {
		run := hex.EncodeToString(runKey.Sum(nil)[:12])
		pubErr = pub.PublishEnd(ctx, run)
	}
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

// publishSource decodes one source into chunks; it returns how many
// observations it produced.
func publishSource(ctx context.Context, cmd *cobra.Command, spec, key string, quiet, forceProgress bool, sum *busIngestSummary, chunks chan<- []bus.Out) (int64, error) {
	stderr := cmd.ErrOrStderr()
	src, err := source.New(spec, source.Options{Stdin: cmd.InOrStdin(), NMEA: source.NMEAConfig{BaseStationClock: true}})
	if err != nil {
		return 0, err
	}
	defer src.Close()
	_, total := src.Progress()
	bar := newProgress(stderr, total, spec, forceProgress)
	defer bar.Finish()
	var n int64
	chunk := make([]bus.Out, 0, busChunk)
	var rej *source.Reject
	send := func() error {
		select {
		case chunks <- chunk:
		case <-ctx.Done():
			return ctx.Err()
		}
		chunk = make([]bus.Out, 0, busChunk)
		return nil
	}
	for {
		obs, err := src.Next(ctx)
		switch {
		case errors.Is(err, io.EOF):
			bar.Update(src.Progress())
			if len(chunk) > 0 {
				return n, send()
			}
			return n, nil
		case errors.As(err, &rej):
			sum.Lines++
			sum.Rejected++
			sum.ByReason[rej.Reason]++
			if !quiet {
				fmt.Fprintf(stderr, "%v\n", rej)
			}
			continue
		case err != nil:
			return n, err
		}
		sum.Lines++
		sum.Decoded++
		data, err := bus.EncodeObservation(obs)
		if err != nil {
			return n, fmt.Errorf("%s: observation %d: %w", spec, n+1, err)
		}
		mmsi := uint32(0)
		if obs.Position != nil {
			mmsi = obs.Position.MMSI
		} else {
			mmsi = obs.Static.MMSI
		}
		n++
		chunk = append(chunk, bus.Out{MMSI: mmsi, ID: key + ":" + strconv.FormatInt(n, 10), Data: data})
		if len(chunk) == busChunk {
			if err := send(); err != nil {
				return n, err
			}
			done, _ := src.Progress()
			bar.Update(done, n)
		}
	}
}

func printBusIngestSummary(w io.Writer, sum busIngestSummary, cfg bus.Config, server string) {
	fmt.Fprintf(w, "ingest to bus %s stream %s (%d partitions): %d lines/rows, %d observations, %d rejected%s\n",
		server, cfg.Stream, cfg.Partitions, sum.Lines, sum.Decoded, sum.Rejected, reasonList(sum.ByReason))
	fmt.Fprintf(w, "  %d published, %s, %.0f messages/s\n", sum.Published, sum.Elapsed.Round(time.Millisecond),
		float64(sum.Published)/sum.Elapsed.Seconds())
}
