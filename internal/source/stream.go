package source

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/lookout-maritime/lookout/internal/ais"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// StreamConfig tunes a live NMEA stream (TCP or UDP).
type StreamConfig struct {
	Decoder ais.Config
	// Name labels positions and rejects (default "tcp://host:port" or
	// "udp://host:port").
	Name string
	// Clock gives the arrival time that dates lines without a tag-block
	// or prefix time (default time.Now). Tests set it.
	Clock func() time.Time
	// Logger receives connection events (default: discarded).
	Logger *slog.Logger
	// Backoff paces reconnection of a TCP stream.
	Backoff Backoff
	// DialTimeout bounds one TCP connection attempt (default 30 s).
	DialTimeout time.Duration
	// IdleTimeout drops and redials a TCP connection that delivered nothing
	// for this long, the sign of a peer gone without closing (default 5
	// min; negative: never).
	IdleTimeout time.Duration
	// Buffer is how many lines may wait between the network and Next
	// (default 1024).
	Buffer int
}

func (c StreamConfig) withDefaults() StreamConfig {
	if c.Clock == nil {
		c.Clock = time.Now
	}
	if c.DialTimeout <= 0 {
		c.DialTimeout = 30 * time.Second
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = 5 * time.Minute
	}
	return c
}

// maxStreamLine is the longest line a stream accepts; NMEA sentences are
// at most 82 characters, with tag blocks a few hundred.
const maxStreamLine = 64 << 10

// NMEAStream reads AIS NMEA sentences from a live feed: a TCP server such
// as AIS-catcher, rtl-ais or a receiver's network port (DialNMEA), or UDP
// datagrams sent to a local port (ListenNMEA). Lines without a receive
// time of their own (tag block c: or a leading Unix time) are dated with
// their arrival time. Rejected lines are *Reject values as from the NMEA
// file source, numbered from the start of the stream.
//
// The network is read in a goroutine started by the first Next; Close
// stops it. A TCP stream reconnects with back-off when the connection
// drops or cannot be made; it ends only when Close is called or Backoff's
// MaxAttempts is reached (then Next returns the error).
type NMEAStream struct {
	cfg  StreamConfig
	feed *feed
	loop func(ctx context.Context) error
	udp  net.PacketConn
	line int
	lineDecoder
}

// DialNMEA returns a stream that connects to a TCP NMEA server at addr
// ("host:port") when first read, and reconnects when it drops.
func DialNMEA(addr string, cfg StreamConfig) *NMEAStream {
	cfg = cfg.withDefaults()
	s := newNMEAStream("tcp://"+addr, cfg)
	s.loop = func(ctx context.Context) error {
		return s.feed.reconnect(ctx, cfg.Backoff, func(ctx context.Context) (bool, error) {
			return s.tcpSession(ctx, addr)
		})
	}
	return s
}

// ListenNMEA listens for UDP datagrams of NMEA lines on addr (":port" or
// "host:port"; several lines may share a datagram). The port is bound at
// once, so a port in use is reported here.
func ListenNMEA(addr string, cfg StreamConfig) (*NMEAStream, error) {
	cfg = cfg.withDefaults()
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		return nil, fmt.Errorf("source: udp://%s: %w", addr, err)
	}
	s := newNMEAStream("udp://"+pc.LocalAddr().String(), cfg)
	s.udp = pc
	s.loop = s.udpLoop
	return s, nil
}

func newNMEAStream(name string, cfg StreamConfig) *NMEAStream {
	if cfg.Name != "" {
		name = cfg.Name
	}
	s := &NMEAStream{cfg: cfg, feed: newFeed(name, cfg.Logger, cfg.Buffer),
		lineDecoder: newLineDecoder(name, cfg.Decoder)}
	s.byArrival = true
	return s
}

// Addr is the local address of a UDP stream (useful after listening on
// port 0), nil for TCP.
func (s *NMEAStream) Addr() net.Addr {
	if s.udp == nil {
		return nil
	}
	return s.udp.LocalAddr()
}

// tcpSession reads one TCP connection until it fails or ctx ends.
func (s *NMEAStream) tcpSession(ctx context.Context, addr string) (bool, error) {
	d := net.Dialer{Timeout: s.cfg.DialTimeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	n := s.feed.connects.Add(1)
	s.feed.log.Info("source: connected", "source", s.name, "remote", conn.RemoteAddr().String(), "connection", n)
	br := bufio.NewReaderSize(&feedCounter{r: conn, f: s.feed}, maxStreamLine)
	got := false
	for {
		if s.cfg.IdleTimeout > 0 {
			conn.SetReadDeadline(time.Now().Add(s.cfg.IdleTimeout))
		}
		line, err := br.ReadSlice('\n')
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			if !s.feed.send(ctx, feedItem{at: s.cfg.Clock(), tooLong: true}) {
				return got, ctx.Err()
			}
		case len(line) > 0: // a last line without newline before EOF too
			got = true
			if !s.feed.send(ctx, feedItem{data: bytes.Clone(line), at: s.cfg.Clock()}) {
				return got, ctx.Err()
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return got, errors.New("connection closed by the server")
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return got, fmt.Errorf("nothing received for %v", s.cfg.IdleTimeout)
			}
			return got, err
		}
	}
}

// udpLoop reads datagrams until the socket is closed.
func (s *NMEAStream) udpLoop(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() { s.udp.Close() })
	defer stop()
	s.feed.connects.Add(1)
	buf := make([]byte, 64<<10)
	for {
		n, _, err := s.udp.ReadFrom(buf)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("source: %s: %w", s.name, err)
		}
		at := s.cfg.Clock()
		s.feed.bytes.Add(int64(n))
		for data := buf[:n]; len(data) > 0; {
			line := data
			if i := bytes.IndexByte(data, '\n'); i >= 0 {
				line, data = data[:i+1], data[i+1:]
			} else {
				data = nil
			}
			if len(trim(line)) == 0 {
				continue
			}
			if !s.feed.send(ctx, feedItem{data: bytes.Clone(line), at: at}) {
				return nil
			}
		}
	}
}

// feedCounter counts bytes received for Progress.
type feedCounter struct {
	r io.Reader
	f *feed
}

func (c *feedCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.f.bytes.Add(int64(n))
	return n, err
}

// Next implements Source. It blocks until a line gives an observation or
// a reject, ctx ends, or the stream fails for good.
func (s *NMEAStream) Next(ctx context.Context) (vessel.Observation, error) {
	s.feed.run(s.loop)
	for {
		if o, ok := s.queue.pop(); ok {
			return o, nil
		}
		it, err := s.feed.next(ctx)
		if err != nil {
			return vessel.Observation{}, err
		}
		s.line++
		if it.tooLong {
			return vessel.Observation{}, &Reject{File: s.name, Line: s.line, Reason: "format",
				Err: fmt.Errorf("%w: line longer than %d bytes", ais.ErrFormat, maxStreamLine)}
		}
		if rej := s.decodeLine(it.data, s.line, it.at); rej != nil {
			return vessel.Observation{}, rej
		}
	}
}

// Progress implements Source: bytes received, and -1 for the total.
func (s *NMEAStream) Progress() (int64, int64) { return s.feed.bytes.Load(), -1 }

// Close implements Source: it stops reading and closes the connection.
func (s *NMEAStream) Close() error {
	s.feed.close()
	if s.udp != nil {
		s.udp.Close()
	}
	return nil
}

// Connects is how many connections were made (1 for UDP once reading).
func (s *NMEAStream) Connects() int { return int(s.feed.connects.Load()) }

// Stats returns the decoder's counters.
func (s *NMEAStream) Stats() ais.Stats { return s.dec.Stats() }

// Skipped counts decoded messages that carry nothing to store, by reason
// ("not_ais", "type_4", ...), as for NMEA files.
func (s *NMEAStream) Skipped() map[string]int { return s.skipped }
