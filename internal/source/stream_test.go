package source

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/vessel"
)

// Sentences used by the stream tests.
const (
	tagged    = `\s:rx1,c:1700000000*01\!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A` // 371798000 at its own time
	untimed   = "!AIVDM,1,1,,A,16SteH0P00Jt63hHaa6SagvJ087r,0*42"                        // 440348000
	badSum    = "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4B"
	part1     = "!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C"
	part2     = "!AIVDM,2,2,1,A,88888888880,2*25"
	baseStn   = "!AIVDM,1,1,,A,403OviQuMGCqWrRO9>E6fE700@GO,0*4D"
	notAIS    = "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47"
	untimedA  = "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A" // 371798000
	streamMax = 10 * time.Second
)

// testClock is a settable clock for arrival times.
type testClock struct{ t atomic.Pointer[time.Time] }

func newTestClock(t time.Time) *testClock {
	c := &testClock{}
	c.set(t)
	return c
}
func (c *testClock) set(t time.Time) { c.t.Store(&t) }
func (c *testClock) now() time.Time  { return *c.t.Load() }
func fastBackoff(attempts int) Backoff {
	return Backoff{Initial: 5 * time.Millisecond, Max: 20 * time.Millisecond, MaxAttempts: attempts}
}

// next reads n items (observations or rejects) from s.
func nextN(t *testing.T, s Source, n int) ([]vessel.Observation, []*Reject) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), streamMax)
	defer cancel()
	var obs []vessel.Observation
	var rej []*Reject
	for len(obs)+len(rej) < n {
		o, err := s.Next(ctx)
		var r *Reject
		switch {
		case errors.As(err, &r):
			rej = append(rej, r)
		case err != nil:
			t.Fatalf("after %d observations and %d rejects: %v", len(obs), len(rej), err)
		default:
			obs = append(obs, o)
		}
	}
	return obs, rej
}

// TestTCPStream: lines split across TCP writes are joined, untimed lines
// get the clock's arrival time, rejects are reported with their line, and
// the stream reconnects when the server closes the connection.
func TestTCPStream(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	t1 := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	t2 := t1.Add(time.Hour)
	clock := newTestClock(t1)
	second := make(chan struct{})
	served := make(chan error, 1)
	go func() {
		served <- func() error {
			c, err := ln.Accept()
			if err != nil {
				return err
			}
			for _, chunk := range []string{
				tagged + "\r\n" + untimed[:20], untimed[20:] + "\n",
				notAIS + "\n" + badSum + "\n" + part1 + "\n",
				part2 + "\n" + baseStn + "\n" + untimedA[:5],
			} {
				if _, err := c.Write([]byte(chunk)); err != nil {
					return err
				}
				time.Sleep(5 * time.Millisecond)
			}
			c.Close() // mid-line: the last fragment reaches the decoder and is rejected
			<-second
			c, err = ln.Accept()
			if err != nil {
				return err
			}
			defer c.Close()
			_, err = c.Write([]byte(untimed + "\n"))
			if err != nil {
				return err
			}
			time.Sleep(streamMax) // hold the connection open until the client leaves
			return nil
		}()
	}()

	s := DialNMEA(ln.Addr().String(), StreamConfig{Clock: clock.now, Backoff: fastBackoff(0), Name: "feed"})
	defer s.Close()
	obs, rej := nextN(t, s, 5)
	clock.set(t2)
	close(second)
	obs2, _ := nextN(t, s, 1)
	obs = append(obs, obs2...)

	golden(t, "stream/tcp.golden", render(obs, rej)+renderCounts("skipped", s.Skipped()))
	if s.Connects() != 2 {
		t.Errorf("%d connections, want 2", s.Connects())
	}
	if done, total := s.Progress(); done <= 0 || total != -1 {
		t.Errorf("progress %d/%d", done, total)
	}
	if obs[1].Position.Time != t1 || obs[3].Position.Time != t2 {
		t.Errorf("arrival times %v %v, want %v %v", obs[1].Position.Time, obs[3].Position.Time, t1, t2)
	}
	if err := s.Close(); err != nil {
		t.Error(err)
	}
}

// TestTCPStreamGivesUp: with MaxAttempts, a server that refuses every
// connection ends the stream with an error.
func TestTCPStreamGivesUp(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	s := DialNMEA(addr, StreamConfig{Backoff: fastBackoff(3)})
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), streamMax)
	defer cancel()
	_, err = s.Next(ctx)
	var r *Reject
	if err == nil || errors.As(err, &r) || !strings.Contains(err.Error(), "giving up after 3") {
		t.Errorf("error %v, want giving up after 3 attempts", err)
	}
}

// TestTCPStreamIdle: a connection that stays silent is dropped and
// redialled; cancelling Next's context returns at once; Close stops it.
func TestTCPStreamIdle(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var conns []net.Conn // kept open and silent
	acceptDone := make(chan struct{})
	go func() {
		defer close(acceptDone)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	s := DialNMEA(ln.Addr().String(), StreamConfig{Backoff: fastBackoff(0), IdleTimeout: 30 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := s.Next(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Next: %v, want the context's deadline", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("Next took %v after its context ended", time.Since(start))
	}
	if s.Connects() < 2 {
		t.Errorf("%d connections, want the idle one redialled", s.Connects())
	}
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(streamMax):
		t.Fatal("Close did not return")
	}
	ln.Close()
	<-acceptDone
	for _, c := range conns {
		c.Close()
	}
}

// TestUDPStream: several lines per datagram, a multi-part message split
// across datagrams, rejects, and arrival times.
func TestUDPStream(t *testing.T) {
	at := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	s, err := ListenNMEA("127.0.0.1:0", StreamConfig{Clock: newTestClock(at).now, Name: "udp"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := ListenNMEA(s.Addr().String(), StreamConfig{}); err == nil {
		t.Error("listening twice on one port succeeded")
	}
	c, err := net.Dial("udp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// The socket is bound, so datagrams wait in it until read.
	for _, d := range []string{
		tagged + "\n" + untimed + "\n",
		badSum, // no newline: a datagram ends its last line
		part1 + "\r\n",
		part2 + "\n\n" + notAIS + "\n",
	} {
		if _, err := c.Write([]byte(d)); err != nil {
			t.Fatal(err)
		}
	}
	obs, rej := nextN(t, s, 4)
	golden(t, "stream/udp.golden", render(obs, rej)+renderCounts("skipped", s.Skipped()))
}
