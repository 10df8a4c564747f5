package main

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"sync/atomic"
	"time"

	"github.com/lookout-maritime/lookout/internal/ais"
)

// corpus is the AIS a feeder sends: one type 5 static report per vessel,
// then position reports that sail each vessel out and back along a
// straight line for ever (steps 0…K-1, then K-2…1), round after round
// with every vessel reporting once a round. Lines carry no time: the
// server dates them on arrival, as it does AIS-catcher's or a receiver's
// raw output, so the feed is always "live".
type corpus struct {
	statics [][]byte
	rounds  [][][]byte // rounds[step][vessel]
	vessels int
}

// newCorpus encodes the feed for n vessels at 10 kn in the open central
// Pacific (no coastline: no spurious on-land rejects), each vessel moving
// as far per round as 10 kn covers in n/rate seconds, so that the reports
// stay plausible to the tracker at the target rate and below.
func newCorpus(n, steps int, rate float64, seed uint64) (*corpus, error) {
	r := rand.New(rand.NewPCG(seed, 99))
	c := &corpus{vessels: n, rounds: make([][][]byte, 2*steps-2)}
	roundSec := float64(n) / rate
	const kn = 10.0
	stepM := kn * 1852 / 3600 * roundSec
	type v struct {
		mmsi         uint32
		lat, lon     float64
		dlat, dlon   float64 // per step, degrees
		course, back uint16
	}
	vs := make([]v, n)
	for i := range vs {
		mmsi := uint32(366000000 + i) // a block no other bench store uses
		lat, lon := -30+60*r.Float64(), -170+60*r.Float64()
		cog := 360 * r.Float64()
		dlat := stepM * math.Cos(cog*math.Pi/180) / 111_320
		dlon := stepM * math.Sin(cog*math.Pi/180) / (111_320 * math.Cos(lat*math.Pi/180))
		vs[i] = v{mmsi, lat, lon, dlat, dlon, uint16(cog * 10), uint16(math.Mod(cog+180, 360) * 10)}
		sv := &ais.StaticVoyage{Header: ais.Header{Type: 5, MMSI: mmsi}, IMO: 0, CallSign: fmt.Sprintf("FD%05d", i%100000),
			ShipName: fmt.Sprintf("FEED %d", i), ShipType: 70, ToBow: 100, ToStern: 20, ToPort: 10, ToStarboard: 10, EPFD: 1,
			Draught: 80, Destination: "OPEN SEA"}
		lines, err := encodeLines(sv, i)
		if err != nil {
			return nil, err
		}
		c.statics = append(c.statics, lines...)
	}
	for k := range c.rounds {
		step, course := k, func(x v) uint16 { return x.course }
		if k >= steps {
			step, course = 2*steps-2-k, func(x v) uint16 { return x.back }
		}
		round := make([][]byte, n)
		for i, x := range vs {
			pr := &ais.PositionReport{Header: ais.Header{Type: 1, MMSI: x.mmsi}, Status: 0, Turn: ais.TurnNA, Speed: uint16(kn * 10),
				Lon: int32(math.Round((x.lon + x.dlon*float64(step)) * 600000)), Lat: int32(math.Round((x.lat + x.dlat*float64(step)) * 600000)),
				Course: course(x), Heading: course(x) / 10, Second: 60}
			lines, err := encodeLines(pr, i)
			if err != nil {
				return nil, err
			}
			round[i] = lines[0]
		}
		c.rounds[k] = round
	}
	return c, nil
}

func encodeLines(m ais.Message, i int) ([][]byte, error) {
	ch := byte('A')
	if i%2 == 1 {
		ch = 'B'
	}
	ss, err := ais.EncodeSentences(m, ch, i%10)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(ss))
	for j, s := range ss {
		out[j] = []byte(s + "\r\n")
	}
	return out, nil
}

// feeder serves the corpus to whoever connects (the server under test
// dials it: `lookout serve --ingest tcp://ADDR`), paced at a rate.
type feeder struct {
	ln     net.Listener
	c      *corpus
	conn   chan net.Conn
	sent   atomic.Int64 // lines written
	behind atomic.Int64 // 5 ms ticks that found the feed more than a second behind its pace
}

func newFeeder(addr string, c *corpus) (*feeder, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	f := &feeder{ln: ln, c: c, conn: make(chan net.Conn, 1)}
	go func() {
		conn, err := ln.Accept()
		if err == nil {
			f.conn <- conn
		}
	}()
	return f, nil
}

func (f *feeder) addr() string { return f.ln.Addr().String() }

// waitConn waits for the server to connect.
func (f *feeder) waitConn(ctx context.Context) (net.Conn, error) {
	select {
	case c := <-f.conn:
		return c, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("the server did not connect to the feed at %s: %w", f.addr(), ctx.Err())
	}
}

// run sends the statics, then rounds of positions, at rate lines per
// second until ctx ends. It writes in 5 ms slices: each slice tops the
// count sent up to rate × elapsed, so a slow moment is caught up (a
// backlog the socket does not take shows as a lower achieved rate).
func (f *feeder) run(ctx context.Context, conn net.Conn, rate float64) error {
	w := bufio.NewWriterSize(conn, 256<<10)
	next := func() func() []byte {
		i, k, v := 0, 0, 0
		return func() []byte {
			if i < len(f.c.statics) {
				i++
				return f.c.statics[i-1]
			}
			line := f.c.rounds[k][v]
			if v++; v == f.c.vessels {
				v, k = 0, (k+1)%len(f.c.rounds)
			}
			return line
		}
	}()
	start := time.Now()
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	var sent int64
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		want := int64(rate * time.Since(start).Seconds())
		if want-sent > int64(rate) {
			// More than a second behind: the server does not take the
			// lines as fast (TCP back-pressure). Catch up a second at
			// most, so the achieved rate shows what it does take.
			f.behind.Add(1)
			want = sent + int64(rate)
		}
		for ; sent < want; sent++ {
			if _, err := w.Write(next()); err != nil {
				return err
			}
		}
		if err := w.Flush(); err != nil {
			return err
		}
		f.sent.Store(sent)
	}
}
