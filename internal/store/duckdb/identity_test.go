package duckdb

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/vessel"
)

// TestKnownIdentities: a writer merges the identities it upserted before
// from its own copy, without reading them back, and stores what a store
// that reads every identity back (reopened before each call) stores: the
// same times, report counts, destinations, classes, sizes and sources,
// through renames, reports older than the stored ones and a destination
// that changes.
func TestKnownIdentities(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	open := func(name string) *Store {
		s, err := Open(ctx, Config{Path: filepath.Join(dir, name)})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	t0 := time.Date(2023, 9, 1, 0, 0, 0, 0, time.UTC)
	ident := func(v, gen, call int) vessel.Identity {
		at := t0.Add(time.Duration(call) * time.Hour)
		if call == 3 && v%2 == 0 {
			at = t0.Add(-time.Hour) // older than what is stored
		}
		id := vessel.Identity{MMSI: 273000000 + uint32(v), IMO: 9000000 + uint32(v), Name: fmt.Sprintf("MARIA %d/%d", v, gen),
			CallSign: fmt.Sprintf("UB%d", v), ShipType: 70, Flag: "RU", Class: vessel.ClassA,
			FirstSeen: at, LastSeen: at.Add(time.Duration(10+v) * time.Minute), Reports: 2 + v%3,
			Source: fmt.Sprintf("feed-%d.nmea", call), Destination: fmt.Sprintf("PORT %d", (call+v)%3)}
		if call%2 == 1 {
			id.Length, id.Beam, id.Class = uint16(100+call), 20, vessel.ClassUnknown
		}
		return id
	}
	calls := make([][]vessel.Identity, 5)
	for call := range calls {
		for v := range 40 {
			gen := 0
			if v%7 == 0 && call >= 2 {
				gen = 1 // renamed: a new identity from the third call on
			}
			calls[call] = append(calls[call], ident(v, gen, call))
		}
	}

	warm := open("warm.duckdb")
	defer warm.Close()
	for i, ids := range calls {
		before := warm.w.idLookups
		if err := warm.UpsertIdentities(ctx, ids); err != nil {
			t.Fatal(err)
		}
		// Only the renamed vessels' new identities (first seen in the
		// third call) are looked up after the first call.
		want := 0
		switch i {
		case 0:
			want = 40
		case 2:
			want = 6
		}
		if got := warm.w.idLookups - before; got != want {
			t.Errorf("call %d looked up %d identities, want %d", i, got, want)
		}
	}
	for i, ids := range calls {
		cold := open("cold.duckdb")
		if err := cold.UpsertIdentities(ctx, ids); err != nil {
			t.Fatal(err)
		}
		if got := cold.w.idLookups; got != len(ids) {
			t.Errorf("reopened store looked up %d identities in call %d, want %d", got, i, len(ids))
		}
		if err := cold.Close(); err != nil {
			t.Fatal(err)
		}
	}
	cold := open("cold.duckdb")
	defer cold.Close()
	all := func(s *Store) []string {
		var out []string
		if err := s.ScanIdentities(ctx, func(ids []vessel.Identity) error {
			for _, id := range ids {
				out = append(out, fmt.Sprintf("%+v", id))
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		slices.Sort(out)
		return out
	}
	w, c := all(warm), all(cold)
	if len(w) != 40+6 {
		t.Errorf("%d identities stored, want 46", len(w))
	}
	if !slices.Equal(w, c) {
		for i := range min(len(w), len(c)) {
			if w[i] != c[i] {
				t.Errorf("first difference:\n warm %s\n cold %s", w[i], c[i])
				break
			}
		}
		t.Fatalf("%d identities from the writer's copy, %d read back: they differ", len(w), len(c))
	}
}

// TestKnownIdentitiesAfterFailure: an upsert that fails leaves the
// writer's copy as the table is; the next upsert of the same identity
// stores what a store reading it back stores.
func TestKnownIdentitiesAfterFailure(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	t0 := time.Date(2023, 10, 1, 0, 0, 0, 0, time.UTC)
	id := func(hour int, dest string) vessel.Identity {
		at := t0.Add(time.Duration(hour) * time.Hour)
		return vessel.Identity{MMSI: 273000100, IMO: 9000100, Name: "ANGARA", CallSign: "UBXX", ShipType: 70, Flag: "RU",
			Class: vessel.ClassA, FirstSeen: at, LastSeen: at.Add(time.Minute), Reports: 3, Source: "a.nmea", Destination: dest}
	}
	run := func(name string, reopen bool) []vessel.Identity {
		path := filepath.Join(dir, name)
		s, err := Open(ctx, Config{Path: path})
		if err != nil {
			t.Fatal(err)
		}
		step := func(ids []vessel.Identity, fail bool) {
			if reopen {
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
				if s, err = Open(ctx, Config{Path: path}); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.UpsertIdentities(ctx, ids); (err != nil) != fail {
				t.Fatalf("%s: upsert %v: error %v, want failure %v", name, ids[0].Destination, err, fail)
			}
		}
		step([]vessel.Identity{id(0, "NAJIN")}, false)
		// A destination that is not UTF-8 reaches the table as NULL, which
		// it refuses: the call fails after its identity was merged.
		step([]vessel.Identity{id(1, "RAJIN\xff")}, true)
		step([]vessel.Identity{id(2, "VOSTOCHNY")}, false)
		var out []vessel.Identity
		if err := s.ScanIdentities(ctx, func(ids []vessel.Identity) error {
			out = append(out, ids...)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		s.Close()
		return out
	}
	warm, cold := run("warm.duckdb", false), run("cold.duckdb", true)
	if len(warm) != 1 || fmt.Sprintf("%+v", warm) != fmt.Sprintf("%+v", cold) {
		t.Fatalf("after a failed upsert, the writer's copy stored\n %+v\nreading back stored\n %+v", warm, cold)
	}
	if got := warm[0]; got.Reports != 6 || got.Destination != "VOSTOCHNY" {
		t.Errorf("stored %d reports to %q, want 6 to VOSTOCHNY (the failed call's not counted)", got.Reports, got.Destination)
	}
}
