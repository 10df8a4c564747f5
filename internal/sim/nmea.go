package sim

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/lookout-maritime/lookout/internal/ais"
)

// internDests gives every destination of every plan its index, so that
// sampling (which runs concurrently) only reads the table.
func (s *Scenario) internDests() {
	for _, sh := range s.ships {
		for i := range sh.plan.segs {
			s.destIndex(sh.plan.segs[i].dest)
		}
	}
}

// messages samples every vessel and returns the messages in time order
// (ties by vessel, then positions before statics).
func (s *Scenario) messages() []rec {
	s.internDests()
	workers := min(runtime.GOMAXPROCS(0), 8)
	parts := make([][]rec, len(s.ships))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				parts[i] = s.sample(s.ships[i], nil)
			}
		}()
	}
	for i := range s.ships {
		next <- i
	}
	close(next)
	wg.Wait()
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	all := make([]rec, 0, n)
	for _, p := range parts {
		all = append(all, p...)
	}
	slices.SortFunc(all, func(a, b rec) int {
		if c := cmp.Compare(a.t, b.t); c != 0 {
			return c
		}
		if c := cmp.Compare(a.ship, b.ship); c != 0 {
			return c
		}
		return cmp.Compare(a.kind, b.kind)
	})
	return all
}

// aisMessage builds the AIS message of a record.
func (s *Scenario) aisMessage(m *rec, pr *ais.PositionReport, sv *ais.StaticVoyage) ais.Message {
	sh := s.ships[m.ship]
	if m.kind == recPosition {
		*pr = ais.PositionReport{
			Header: ais.Header{Type: m.mtype, MMSI: sh.MMSI},
			Status: m.status, Turn: ais.TurnNA, Speed: m.sog, Lon: m.lon, Lat: m.lat,
			Course: m.cog, Heading: m.hdg, Second: uint8(m.t % 60),
		}
		return pr
	}
	eta := time.Unix(m.eta, 0).UTC()
	bow := uint16(sh.LengthM * 0.8)
	port := uint16(sh.BeamM / 2)
	*sv = ais.StaticVoyage{
		Header: ais.Header{Type: 5, MMSI: sh.MMSI}, IMO: sh.IMO, CallSign: sh.CallSign, ShipName: sh.Name,
		ShipType: sh.ShipType, ToBow: bow, ToStern: uint16(sh.LengthM) - bow, ToPort: port, ToStarboard: uint16(sh.BeamM) - port,
		EPFD: 1, Month: uint8(eta.Month()), Day: uint8(eta.Day()), Hour: uint8(eta.Hour()), Minute: uint8(eta.Minute()),
		Draught: m.draught, Destination: s.dests[m.dest],
	}
	return sv
}

// tagBlock appends an NMEA 4.10 tag block "\body*hh\".
func tagBlock(dst []byte, body []byte) []byte {
	var x byte
	for _, c := range body {
		x ^= c
	}
	const hex = "0123456789ABCDEF"
	dst = append(dst, '\\')
	dst = append(dst, body...)
	return append(dst, '*', hex[x>>4], hex[x&15], '\\')
}

// writeNMEA writes the copies received as NMEA 0183 lines, each with a
// tag block carrying the receiver (s:) and the receive time (c:, Unix
// seconds); the two lines of a type 5 are grouped (g:) with the tag on the
// first.
func (s *Scenario) writeNMEA(w io.Writer, msgs []rec, copies []copyRec, st *AISStats) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	var pr ais.PositionReport
	var sv ais.StaticVoyage
	var line, body []byte
	seq, group := 0, 0
	st.ByType = map[string]int{}
	rxNames := make([]string, max(1, s.cfg.Reception.Receivers))
	for k := range rxNames {
		rxNames[k] = receiverName(k)
	}
	for _, c := range copies {
		i := int(c.msg)
		m := &msgs[i]
		channel := byte('A') // a message goes out on one channel: every station hears it there
		if i%2 == 1 {
			channel = 'B'
		}
		sentences, err := ais.EncodeSentences(s.aisMessage(m, &pr, &sv), channel, seq)
		if err != nil {
			return fmt.Errorf("sim: encode %s at %s: %w", s.ships[m.ship].Name, time.Unix(m.t, 0).UTC(), err)
		}
		if len(sentences) > 1 {
			seq = (seq + 1) % 10
			group = group%99999 + 1
		}
		for k, sen := range sentences {
			body = body[:0]
			if len(sentences) > 1 {
				body = fmt.Appendf(body, "g:%d-%d-%d", k+1, len(sentences), group)
				if k == 0 {
					body = append(body, ',')
				}
			}
			if k == 0 {
				body = append(body, "s:"...)
				body = append(body, rxNames[c.rx]...)
				body = append(body, ",c:"...)
				body = strconv.AppendInt(body, c.t, 10)
			}
			line = tagBlock(line[:0], body)
			line = append(line, sen...)
			line = append(line, '\n')
			if _, err := bw.Write(line); err != nil {
				return err
			}
			st.Lines++
		}
		st.Messages++
		if m.kind == recPosition {
			st.Positions++
		} else {
			st.Statics++
		}
		st.ByType[strconv.Itoa(int(m.mtype))]++
	}
	return bw.Flush()
}
