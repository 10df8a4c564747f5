// Command storedigest prints a digest of what a DuckDB store holds —
// positions, identities, vessel summaries and events, each in a canonical
// order — so that two ingests of the same input can be compared: an
// optimisation of the ingest path must not change a single stored value.
//
//	go run ./bench/ingest/storedigest STORE.duckdb
//
// The store is opened for writing (an older schema is migrated first);
// nothing else is changed. Event IDs are left out (they number events in
// storage order) unless DIGEST_EVENT_IDS is set; everything else is in.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"hash"
	"os"
	"time"

	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/store/duckdb"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: storedigest STORE.duckdb")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "storedigest:", err)
		os.Exit(1)
	}
}

type part struct {
	n int
	h hash.Hash
}

func newPart() *part { return &part{h: sha256.New()} }

func (p *part) add(format string, args ...any) {
	p.n++
	fmt.Fprintf(p.h, format+"\n", args...)
}

func (p *part) String() string { return fmt.Sprintf("%9d  %x", p.n, p.h.Sum(nil)[:12]) }

func run(path string) error {
	ctx := context.Background()
	st, err := duckdb.Open(ctx, duckdb.Config{Path: path})
	if err != nil {
		return err
	}
	defer st.Close()
	pos := newPart()
	err = st.ScanPositions(ctx, vesselTimeZero, vesselTimeZero, func(pts []vessel.TrackPoint) error {
		for _, p := range pts {
			pos.add("%d %d %v %v %v %v %d %d %d %d %q %d", p.MMSI, p.Time.UnixMicro(), p.Lat, p.Lon, p.SOG, p.COG,
				p.Heading, p.Status, p.Class, p.MsgType, p.Source, p.Segment)
		}
		return nil
	})
	if err != nil {
		return err
	}
	ids := newPart()
	err = st.ScanIdentities(ctx, func(batch []vessel.Identity) error {
		for _, id := range batch {
			b, err := json.Marshal(id)
			if err != nil {
				return err
			}
			ids.add("%s", b)
		}
		return nil
	})
	if err != nil {
		return err
	}
	vs := newPart()
	sums, err := st.Vessels(ctx, store.VesselQuery{})
	if err != nil {
		return err
	}
	for _, v := range sums {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		vs.add("%s", b)
	}
	evs := newPart()
	all, err := st.Events(ctx, store.EventQuery{IncludeWithdrawn: true})
	if err != nil {
		return err
	}
	for _, e := range all {
		if os.Getenv("DIGEST_EVENT_IDS") == "" {
			e.ID = 0
		}
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		evs.add("%s", b)
	}
	fmt.Printf("positions  %v\nidentities %v\nvessels    %v\nevents     %v\n", pos, ids, vs, evs)
	return nil
}

// vesselTimeZero is an open bound.
var vesselTimeZero time.Time
