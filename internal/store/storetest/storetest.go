// Package storetest is the conformance suite every store backend passes:
// one test body, run against DuckDB now and PostgreSQL later, so the
// contracts documented in package store hold whatever the backend.
//
// A backend's test calls Run:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, storetest.Backend{
//			NewLocation: func(t *testing.T) string { return filepath.Join(t.TempDir(), "s.duckdb") },
//			Open: func(t *testing.T, loc string) (store.Store, error) { return duckdb.Open(ctx, duckdb.Config{Path: loc}) },
//		})
//	}
package storetest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// Backend tells the suite how to get stores.
type Backend struct {
	// NewLocation returns a new, empty location for one test: a file path,
	// a database or schema name. Cleanup is the backend's (t.Cleanup).
	NewLocation func(t *testing.T) string
	// Open opens the store at loc, creating it when new. The suite closes
	// what it opens, and opens a location again after closing it to check
	// persistence.
	Open func(t *testing.T, loc string) (store.Store, error)
}

// Run runs every conformance test as a subtest of t.
func Run(t *testing.T, b Backend) {
	tests := []struct {
		name string
		fn   func(t *testing.T, b Backend)
	}{
		{"Schema", testSchema},
		{"RoundTrip", testRoundTrip},
		{"IdempotentLoad", testIdempotentLoad},
		{"BoundaryDuplicates", testBoundaryDuplicates},
		{"Identities", testIdentities},
		{"Vessels", testVessels},
		{"Track", testTrack},
		{"ScanPositions", testScanPositions},
		{"ScanIdentities", testScanIdentities},
		{"Near", testNear},
		{"NearRandom", testNearRandom},
		{"Runs", testRuns},
		{"Concurrency", testConcurrency},
		{"Events", testEvents},
		{"Lists", testLists},
		{"Closed", testClosed},
		{"Invalid", testInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, b) })
	}
}

// open opens a new store and closes it at the end of the test.
func open(t *testing.T, b Backend) (store.Store, string) {
	t.Helper()
	loc := b.NewLocation(t)
	s := reopen(t, b, loc)
	return s, loc
}

func reopen(t *testing.T, b Backend, loc string) store.Store {
	t.Helper()
	s, err := b.Open(t, loc)
	if err != nil {
		t.Fatalf("open %s: %v", loc, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var t0 = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)

// pt makes a track point.
func pt(mmsi uint32, t time.Time, lat, lon float64) vessel.TrackPoint {
	return vessel.TrackPoint{Position: vessel.Position{
		MMSI: mmsi, Time: t, Lat: lat, Lon: lon, SOG: 10.5, COG: 90, Heading: 88, Status: 0,
		Class: vessel.ClassA, MsgType: 1, Source: "test",
	}, Segment: 1}
}

// line makes n points of one vessel every step from start, moving east.
func line(mmsi uint32, start time.Time, step time.Duration, n int, lat, lon float64) []vessel.TrackPoint {
	pts := make([]vessel.TrackPoint, n)
	for i := range pts {
		pts[i] = pt(mmsi, start.Add(time.Duration(i)*step), lat, lon+float64(i)*0.001)
	}
	return pts
}

func mustAdd(t *testing.T, s store.Store, run store.RunID, pts []vessel.TrackPoint) store.LoadStats {
	t.Helper()
	st, err := s.AddPositions(context.Background(), run, pts)
	if err != nil {
		t.Fatalf("AddPositions: %v", err)
	}
	return st
}

func stats(t *testing.T, s store.Store) store.Stats {
	t.Helper()
	st, err := s.Stats(context.Background())
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	return st
}

func testSchema(t *testing.T, b Backend) {
	s, loc := open(t, b)
	st := stats(t, s)
	if st.SchemaVersion < 1 || st.Positions != 0 || st.Vessels != 0 || st.Identities != 0 || st.Runs != 0 {
		t.Fatalf("new store: %+v", st)
	}
	mustAdd(t, s, 0, line(1, t0, time.Minute, 10, 10, 10))
	if err := s.UpsertIdentities(context.Background(), []vessel.Identity{ident(1, "ONE", t0, t0.Add(time.Hour))}); err != nil {
		t.Fatal(err)
	}
	before := stats(t, s)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	s = reopen(t, b, loc)
	if after := stats(t, s); after != before {
		t.Fatalf("after reopen %+v, before %+v", after, before)
	}
	if before.Positions != 10 || before.Vessels != 1 || before.Identities != 1 {
		t.Fatalf("stats %+v", before)
	}
}

func testRoundTrip(t *testing.T, b Backend) {
	s, _ := open(t, b)
	ns := time.Date(2024, 3, 1, 12, 0, 0, 123456789, time.FixedZone("X", 3600))
	in := []vessel.TrackPoint{
		{Position: vessel.Position{MMSI: 211000001, Time: ns, Lat: 54.123456789, Lon: -0.000001, SOG: 12.3, COG: 359.9,
			Heading: 359, Status: 5, Class: vessel.ClassA, MsgType: 3, Source: "rx1"}, Segment: 2},
		{Position: vessel.Position{MMSI: 211000001, Time: ns.Add(time.Second), Lat: -89.5, Lon: 180, SOG: vessel.NA, COG: vessel.NA,
			Heading: 511, Status: 15, Class: vessel.ClassUnknown, MsgType: 0, Source: "file.csv, \"quoted\""}, Segment: 3},
		{Position: vessel.Position{MMSI: 211000001, Time: ns.Add(2 * time.Second), Lat: 90, Lon: -180, SOG: 0, COG: 0,
			Heading: 0, Status: 0, Class: vessel.ClassB, MsgType: 18, Source: ""}, Segment: 1},
	}
	if st := mustAdd(t, s, 0, in); st.Added != 3 || st.Duplicates != 0 {
		t.Fatalf("stats %+v", st)
	}
	got, err := s.Track(context.Background(), 211000001, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(in) {
		t.Fatalf("got %d points", len(got))
	}
	for i := range in {
		want := in[i]
		want.Time = want.Time.UTC().Truncate(time.Microsecond)
		if !samePoint(got[i], want) {
			t.Errorf("point %d:\n got %+v\nwant %+v", i, got[i], want)
		}
		if got[i].Time.Location() != time.UTC {
			t.Errorf("point %d: time not in UTC: %v", i, got[i].Time.Location())
		}
	}
}

// samePoint compares points treating NaN speeds and courses as equal.
func samePoint(a, b vessel.TrackPoint) bool {
	eqf := func(x, y float32) bool { return x == y || (x != x && y != y) }
	return a.MMSI == b.MMSI && a.Time.Equal(b.Time) && a.Lat == b.Lat && a.Lon == b.Lon && eqf(a.SOG, b.SOG) && eqf(a.COG, b.COG) &&
		a.Heading == b.Heading && a.Status == b.Status && a.Class == b.Class && a.MsgType == b.MsgType && a.Source == b.Source &&
		a.Segment == b.Segment
}

func testIdempotentLoad(t *testing.T, b Backend) {
	ctx := context.Background()
	s, _ := open(t, b)
	batch := append(line(1, t0, time.Minute, 100, 10, 10), line(2, t0, time.Minute, 50, 20, 20)...)
	if st := mustAdd(t, s, 0, batch); st.Added != 150 || st.Duplicates != 0 {
		t.Fatalf("first load %+v", st)
	}
	if st := mustAdd(t, s, 0, batch); st.Added != 0 || st.Duplicates != 150 {
		t.Fatalf("second load %+v", st)
	}
	// The same fixes from another source and segment are duplicates; the
	// first copy stays.
	other := slices.Clone(batch[:10])
	for i := range other {
		other[i].Source, other[i].Segment, other[i].MsgType = "rx2", 9, 3
	}
	// Repeats inside one call, and one new fix.
	other = append(other, other[0], pt(1, t0.Add(-time.Hour), 1, 1), pt(1, t0.Add(-time.Hour), 1, 1))
	if st := mustAdd(t, s, 0, other); st.Added != 1 || st.Duplicates != 12 {
		t.Fatalf("mixed load %+v", st)
	}
	// Same MMSI and time, another place: a different fix (spoofing shows
	// up this way), kept.
	if st := mustAdd(t, s, 0, []vessel.TrackPoint{pt(1, t0, 10.5, 10)}); st.Added != 1 {
		t.Fatalf("same time, other place: %+v", st)
	}
	if got := stats(t, s).Positions; got != 152 {
		t.Fatalf("positions %d, want 152", got)
	}
	tr, err := s.Track(ctx, 1, t0, t0.Add(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range tr {
		if p.Source != "test" || p.Segment != 1 {
			t.Fatalf("duplicate replaced the first copy: %+v", p)
		}
	}
	v, err := s.Vessel(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if v.Positions != 102 {
		t.Fatalf("vessel 1 positions %d, want 102", v.Positions)
	}
	// Empty batch.
	if st := mustAdd(t, s, 0, nil); st != (store.LoadStats{}) {
		t.Fatalf("empty batch %+v", st)
	}
}

func ident(mmsi uint32, name string, first, last time.Time) vessel.Identity {
	return vessel.Identity{MMSI: mmsi, IMO: 9000001, Name: name, CallSign: "CALL", ShipType: 70, Length: 100, Beam: 20,
		Flag: "PA", Class: vessel.ClassA, FirstSeen: first, LastSeen: last, Reports: 3, Source: "src-" + name, Destination: "PORT"}
}

func testIdentities(t *testing.T, b Backend) {
	ctx := context.Background()
	s, _ := open(t, b)
	up := func(ids ...vessel.Identity) {
		t.Helper()
		if err := s.UpsertIdentities(ctx, ids); err != nil {
			t.Fatalf("UpsertIdentities: %v", err)
		}
	}
	hist := func() []vessel.Identity {
		t.Helper()
		v, err := s.Vessel(ctx, 7)
		if err != nil {
			t.Fatalf("Vessel: %v", err)
		}
		return v.History
	}
	h := time.Hour
	a := ident(7, "ALPHA", t0, t0.Add(h))
	up(a)
	if got := hist(); len(got) != 1 || !sameIdentity(got[0], a) {
		t.Fatalf("new identity: %+v", got)
	}
	// Same key later: extends last seen, adds reports, takes the later
	// destination, keeps the first source.
	a2 := a
	a2.FirstSeen, a2.LastSeen, a2.Reports, a2.Destination, a2.Source = t0.Add(2*h), t0.Add(3*h), 2, "NEXT", "other"
	up(a2)
	want := a
	want.LastSeen, want.Reports, want.Destination = t0.Add(3*h), 5, "NEXT"
	if got := hist(); len(got) != 1 || !sameIdentity(got[0], want) {
		t.Fatalf("extended identity:\n got %+v\nwant %+v", got, want)
	}
	// Re-delivery of data already covered changes nothing.
	up(a, a2)
	if got := hist(); len(got) != 1 || !sameIdentity(got[0], want) {
		t.Fatalf("re-delivered identity:\n got %+v\nwant %+v", got, want)
	}
	// Earlier report: first seen and source move back.
	a0 := a
	a0.FirstSeen, a0.LastSeen, a0.Reports, a0.Source = t0.Add(-2*h), t0.Add(-h), 1, "early"
	up(a0)
	want.FirstSeen, want.Reports, want.Source = a0.FirstSeen, 6, "early"
	if got := hist(); len(got) != 1 || !sameIdentity(got[0], want) {
		t.Fatalf("earlier identity:\n got %+v\nwant %+v", got, want)
	}
	// A rename is a second identity; the summary follows it.
	b2 := ident(7, "BRAVO", t0.Add(5*h), t0.Add(6*h))
	up(b2)
	got := hist()
	if len(got) != 2 || !sameIdentity(got[0], want) || !sameIdentity(got[1], b2) {
		t.Fatalf("rename:\n got %+v", got)
	}
	v, err := s.Vessel(ctx, 7)
	if err != nil {
		t.Fatal(err)
	}
	if v.Latest == nil || v.Latest.Name != "BRAVO" || v.Identities != 2 {
		t.Fatalf("summary after rename: %+v", v.VesselSummary)
	}
	if !v.FirstSeen.Equal(a0.FirstSeen) || !v.LastSeen.Equal(b2.LastSeen) {
		t.Fatalf("summary span %v..%v", v.FirstSeen, v.LastSeen)
	}
	// Several updates of one key in one call apply in order.
	c := ident(8, "CHARLIE", t0, t0.Add(h))
	c2 := c
	c2.FirstSeen, c2.LastSeen, c2.Reports = t0.Add(2*h), t0.Add(4*h), 4
	up(c, c2)
	cv, err := s.Vessel(ctx, 8)
	if err != nil {
		t.Fatal(err)
	}
	if len(cv.History) != 1 || cv.History[0].Reports != 7 || !cv.History[0].LastSeen.Equal(t0.Add(4*h)) {
		t.Fatalf("two updates in one call: %+v", cv.History)
	}
	// Invalid identity.
	bad := c
	bad.LastSeen = c.FirstSeen.Add(-h)
	if err := s.UpsertIdentities(ctx, []vessel.Identity{bad}); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("inverted identity: %v", err)
	}
}

func sameIdentity(a, b vessel.Identity) bool {
	return a.MMSI == b.MMSI && a.IMO == b.IMO && a.Name == b.Name && a.CallSign == b.CallSign && a.ShipType == b.ShipType &&
		a.Length == b.Length && a.Beam == b.Beam && a.Flag == b.Flag && a.Class == b.Class && a.FirstSeen.Equal(b.FirstSeen) &&
		a.LastSeen.Equal(b.LastSeen) && a.Reports == b.Reports && a.Source == b.Source && a.Destination == b.Destination
}

// A batch of new data with a few copies of stored fixes — what a file
// ingest ships when a vessel's fixes of one second straddle two batches —
// stores the new fixes and drops the copies, also a vessel's whole share
// of the batch, with exact counts and spans.
func testBoundaryDuplicates(t *testing.T, b Backend) {
	ctx := context.Background()
	s, _ := open(t, b)
	first := slices.Concat(line(1, t0, time.Minute, 100, 10, 10), line(2, t0, time.Minute, 100, 20, 20),
		line(3, t0, time.Minute, 10, 30, 30))
	mustAdd(t, s, 0, first)
	next := slices.Concat(line(1, t0.Add(100*time.Minute), time.Minute, 100, 11, 10),
		line(2, t0.Add(100*time.Minute), time.Minute, 100, 21, 20),
		line(4, t0, time.Minute, 50, 40, 40)) // new, after the others in MMSI order
	copyOf := func(p vessel.TrackPoint) vessel.TrackPoint {
		p.Source, p.MsgType = "rx2", 3
		return p
	}
	moved := first[99]
	moved.Lat += 0.001 // same vessel and second, another place: new
	next = append(next, copyOf(first[99]), moved, copyOf(first[150]), copyOf(first[205]))
	if st := mustAdd(t, s, 0, next); st.Added != 251 || st.Duplicates != 3 {
		t.Fatalf("new data with boundary copies: %+v, want 251 added, 3 duplicates", st)
	}
	if got := stats(t, s).Positions; got != 461 {
		t.Fatalf("positions %d, want 461", got)
	}
	for _, c := range []struct {
		mmsi        uint32
		n           int64
		first, last time.Time
	}{
		{1, 201, t0, t0.Add(199 * time.Minute)},
		{2, 200, t0, t0.Add(199 * time.Minute)},
		{3, 10, t0, t0.Add(9 * time.Minute)}, // all of its share was copies
		{4, 50, t0, t0.Add(49 * time.Minute)},
	} {
		v, err := s.Vessel(ctx, c.mmsi)
		if err != nil {
			t.Fatal(err)
		}
		if v.Positions != c.n || !v.FirstSeen.Equal(c.first) || !v.LastSeen.Equal(c.last) {
			t.Errorf("vessel %d: %d positions %v–%v, want %d %v–%v", c.mmsi, v.Positions, v.FirstSeen, v.LastSeen, c.n, c.first, c.last)
		}
	}
	tr, err := s.Track(ctx, 1, first[99].Time, first[99].Time.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if len(tr) != 2 || !samePoint(tr[0], first[99]) && !samePoint(tr[1], first[99]) {
		t.Fatalf("vessel 1 at the boundary: %+v, want the first copy and the moved fix", tr)
	}
	// A copy inside two overlapping stored spans of its vessel (loaded
	// twice over the same hour, at other places) is dropped once.
	five := line(5, t0, time.Minute, 60, 50, 50)
	mustAdd(t, s, 0, five)
	mustAdd(t, s, 0, line(5, t0.Add(30*time.Minute), time.Minute, 60, 51, 50))
	if st := mustAdd(t, s, 0, append(line(6, t0, time.Minute, 100, 60, 60), copyOf(five[40]))); st.Added != 100 || st.Duplicates != 1 {
		t.Fatalf("a copy inside overlapping spans: %+v, want 100 added, 1 duplicate", st)
	}
	if v, err := s.Vessel(ctx, 5); err != nil || v.Positions != 120 {
		t.Fatalf("vessel 5: %+v %v, want 120 positions", v, err)
	}
	// Two batches give vessel 7 spans equal in count, first and last
	// time, at other places; copies of the last fix of each are both
	// dropped (a backend that remembers its last batch must not take
	// the older, equal span for it).
	x := line(7, t0, time.Minute, 2, 70, 70)
	y := line(7, t0, time.Minute, 2, 71, 70)
	mustAdd(t, s, 0, x)
	mustAdd(t, s, 0, append(slices.Clone(y), line(8, t0, time.Minute, 20, 80, 80)...))
	if st := mustAdd(t, s, 0, append(line(9, t0, time.Minute, 20, 90, 90), copyOf(x[1]), copyOf(y[1]))); st.Added != 20 || st.Duplicates != 2 {
		t.Fatalf("copies of the last fixes of two equal spans: %+v, want 20 added, 2 duplicates", st)
	}
	if v, err := s.Vessel(ctx, 7); err != nil || v.Positions != 4 {
		t.Fatalf("vessel 7: %+v %v, want 4 positions", v, err)
	}
}

func testVessels(t *testing.T, b Backend) {
	ctx := context.Background()
	s, _ := open(t, b)
	vs, err := s.Vessels(ctx, store.VesselQuery{})
	if err != nil || len(vs) != 0 {
		t.Fatalf("empty store: %v %v", vs, err)
	}
	mustAdd(t, s, 0, line(300, t0, time.Minute, 5, 1, 1))
	mustAdd(t, s, 0, line(100, t0.Add(time.Hour), time.Minute, 20, 1, 1))
	mustAdd(t, s, 0, line(200, t0.Add(2*time.Hour), time.Minute, 10, 1, 1))
	// 400 has identity only; 100 an identity seen before its positions.
	i100 := ident(100, "HUNDRED", t0.Add(-time.Hour), t0)
	i400 := ident(400, "FOUR", t0, t0.Add(5*time.Hour))
	i400.IMO = 9000002
	i100b := ident(101, "OTHER MMSI SAME IMO", t0, t0)
	if err := s.UpsertIdentities(ctx, []vessel.Identity{i100, i400, i100b}); err != nil {
		t.Fatal(err)
	}
	check := func(q store.VesselQuery, want ...uint32) {
		t.Helper()
		vs, err := s.Vessels(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var got []uint32
		for _, v := range vs {
			got = append(got, v.MMSI)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%+v: got %v want %v", q, got, want)
		}
	}
	check(store.VesselQuery{}, 100, 101, 200, 300, 400)
	check(store.VesselQuery{Order: store.ByPositions}, 100, 200, 300, 101, 400)
	check(store.VesselQuery{Order: store.ByLastSeen}, 400, 200, 100, 300, 101)
	check(store.VesselQuery{Limit: 2, Offset: 1}, 101, 200)
	vs, _ = s.Vessels(ctx, store.VesselQuery{})
	v100 := vs[0]
	if v100.Positions != 20 || v100.Identities != 1 || v100.Latest == nil || v100.Latest.Name != "HUNDRED" ||
		!v100.FirstSeen.Equal(t0.Add(-time.Hour)) || !v100.LastSeen.Equal(t0.Add(time.Hour+19*time.Minute)) {
		t.Fatalf("vessel 100: %+v latest %+v", v100, v100.Latest)
	}
	if v300 := vs[3]; v300.Latest != nil || v300.Identities != 0 || v300.Positions != 5 {
		t.Fatalf("vessel 300: %+v", v300)
	}
	if v400 := vs[4]; v400.Positions != 0 || v400.Latest == nil || !v400.LastSeen.Equal(t0.Add(5*time.Hour)) {
		t.Fatalf("vessel 400: %+v", v400)
	}
	if _, err := s.Vessel(ctx, 999); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown MMSI: %v", err)
	}
	byIMO, err := s.VesselsByIMO(ctx, 9000001)
	if err != nil {
		t.Fatal(err)
	}
	if len(byIMO) != 2 || byIMO[0].MMSI != 100 || byIMO[1].MMSI != 101 || len(byIMO[0].History) != 1 {
		t.Fatalf("by IMO: %+v", byIMO)
	}
	if _, err := s.VesselsByIMO(ctx, 1234567); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown IMO: %v", err)
	}
}

func testTrack(t *testing.T, b Backend) {
	ctx := context.Background()
	s, _ := open(t, b)
	pts := line(5, t0, time.Minute, 100, 40, 40)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(pts), func(i, j int) { pts[i], pts[j] = pts[j], pts[i] })
	// Load in three unordered calls, with another vessel in between.
	mustAdd(t, s, 0, pts[:30])
	mustAdd(t, s, 0, line(6, t0, time.Minute, 100, 40, 40))
	mustAdd(t, s, 0, pts[30:])
	all, err := s.Track(ctx, 5, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 100 {
		t.Fatalf("%d points", len(all))
	}
	for i, p := range all {
		if p.MMSI != 5 || !p.Time.Equal(t0.Add(time.Duration(i)*time.Minute)) {
			t.Fatalf("point %d: %v %v", i, p.MMSI, p.Time)
		}
	}
	cases := []struct {
		from, to time.Time
		n        int
		first    int
	}{
		{t0.Add(10 * time.Minute), t0.Add(20 * time.Minute), 10, 10}, // half-open
		{t0.Add(10*time.Minute - time.Microsecond), t0.Add(10*time.Minute + time.Microsecond), 1, 10},
		{time.Time{}, t0.Add(5 * time.Minute), 5, 0},
		{t0.Add(95 * time.Minute), time.Time{}, 5, 95},
		{t0.Add(-time.Hour), t0, 0, 0},
		{t0.Add(10 * time.Minute).In(time.FixedZone("E", 7200)), t0.Add(12 * time.Minute), 2, 10},
	}
	for _, c := range cases {
		got, err := s.Track(ctx, 5, c.from, c.to)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != c.n || (c.n > 0 && !got[0].Time.Equal(t0.Add(time.Duration(c.first)*time.Minute))) {
			t.Errorf("track %v..%v: %d points", c.from, c.to, len(got))
		}
	}
	empty, err := s.Track(ctx, 12345, time.Time{}, time.Time{})
	if err != nil || empty == nil || len(empty) != 0 {
		t.Fatalf("unknown MMSI: %v %v", empty, err)
	}
	if _, err := s.Track(ctx, 5, t0.Add(time.Hour), t0); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("inverted range: %v", err)
	}
}

// testScanPositions needs more than one batch (a few thousand positions)
// to catch paging mistakes: 3 vessels x 5000 fixes, a minute apart, with
// two vessels reporting at the same instants.
func testScanPositions(t *testing.T, b Backend) {
	ctx := context.Background()
	s, _ := open(t, b)
	sc, ok := s.(store.PositionScanner)
	if !ok {
		t.Fatalf("%T does not implement store.PositionScanner", s)
	}
	const n = 5000
	mustAdd(t, s, 0, line(9, t0, time.Minute, n, 41, 40))
	mustAdd(t, s, 0, line(7, t0, time.Minute, n, 40, 40))
	mustAdd(t, s, 0, line(8, t0.Add(30*time.Second), time.Minute, n, 42, 40))
	scan := func(from, to time.Time) []vessel.TrackPoint {
		t.Helper()
		var got []vessel.TrackPoint
		if err := sc.ScanPositions(ctx, from, to, func(b []vessel.TrackPoint) error {
			got = append(got, b...)
			return nil
		}); err != nil {
			t.Fatalf("ScanPositions %v..%v: %v", from, to, err)
		}
		return got
	}
	all := scan(time.Time{}, time.Time{})
	if len(all) != 3*n {
		t.Fatalf("scanned %d positions, want %d", len(all), 3*n)
	}
	for i, p := range all {
		// Order: time, then MMSI: 7 and 9 at each whole minute, 8 half a minute later.
		minute, k := i/3, i%3
		want := []struct {
			mmsi uint32
			at   time.Time
		}{{7, t0.Add(time.Duration(minute) * time.Minute)}, {9, t0.Add(time.Duration(minute) * time.Minute)},
			{8, t0.Add(time.Duration(minute)*time.Minute + 30*time.Second)}}[k]
		if p.MMSI != want.mmsi || !p.Time.Equal(want.at) {
			t.Fatalf("position %d: MMSI %d at %v, want %d at %v", i, p.MMSI, p.Time, want.mmsi, want.at)
		}
		if p.Source != "test" || p.Class != vessel.ClassA || p.SOG != 10.5 || p.Segment != 1 {
			t.Fatalf("position %d lost fields: %+v", i, p)
		}
	}
	part := scan(t0.Add(10*time.Minute), t0.Add(20*time.Minute))
	if len(part) != 30 || !part[0].Time.Equal(t0.Add(10*time.Minute)) {
		t.Fatalf("window: %d positions from %v", len(part), part[0].Time)
	}
	stop := errors.New("enough")
	calls := 0
	err := sc.ScanPositions(ctx, time.Time{}, time.Time{}, func([]vessel.TrackPoint) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("an error from fn: got %v after %d calls", err, calls)
	}
	if err := sc.ScanPositions(ctx, t0.Add(time.Hour), t0, func([]vessel.TrackPoint) error { return nil }); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("inverted range: %v", err)
	}
}

// testScanIdentities: one pass gives exactly every vessel's history, in
// Vessel's order, across batches.
func testScanIdentities(t *testing.T, b Backend) {
	ctx := context.Background()
	s, _ := open(t, b)
	sc, ok := s.(store.IdentityScanner)
	if !ok {
		t.Fatalf("%T does not implement store.IdentityScanner", s)
	}
	var ids []vessel.Identity
	for m := uint32(1); m <= 3000; m++ {
		ids = append(ids, ident(m, fmt.Sprintf("SHIP %d", m), t0.Add(time.Duration(m)*time.Second), t0.Add(time.Hour)))
		if m%1000 == 0 { // three vessels renamed, the new name seen first in the input
			ids = append([]vessel.Identity{ident(m, "RENAMED", t0.Add(2*time.Hour), t0.Add(3*time.Hour))}, ids...)
		}
	}
	if err := s.UpsertIdentities(ctx, ids); err != nil {
		t.Fatal(err)
	}
	var got []vessel.Identity
	if err := sc.ScanIdentities(ctx, func(b []vessel.Identity) error { got = append(got, b...); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ids) {
		t.Fatalf("scanned %d identities, want %d", len(got), len(ids))
	}
	i := 0
	for m := uint32(1); m <= 3000; m++ {
		h, err := s.Vessel(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range h.History {
			if !sameIdentity(got[i], want) {
				t.Fatalf("identity %d: got %+v, want %+v", i, got[i], want)
			}
			i++
		}
	}
	stop := errors.New("enough")
	if err := sc.ScanIdentities(ctx, func([]vessel.Identity) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("an error from fn: got %v", err)
	}
}

func testNear(t *testing.T, b Backend) {
	ctx := context.Background()
	s, _ := open(t, b)
	m := time.Minute
	pts := []vessel.TrackPoint{
		// 10: passes 0.5 km north of the centre (10, 20).
		pt(10, t0, 10.05, 20), pt(10, t0.Add(m), 10.0045, 20), pt(10, t0.Add(2*m), 9.95, 20), pt(10, t0.Add(3*m), 12, 20),
		// 11: stays 3 km away.
		pt(11, t0, 10, 20.027), pt(11, t0.Add(m), 10, 20.0274),
		// 12: outside the circle but inside its bounding box (corner).
		pt(12, t0, 10.08, 20.08),
		// 13: inside but outside the time range.
		pt(13, t0.Add(-time.Hour), 10, 20),
		// Antimeridian: 20 and 22 are 1.7 km apart across ±180; 21 is far.
		pt(20, t0, 0, -179.99), pt(21, t0, 0, 179.5), pt(22, t0, 0, 179.995),
		// Pole: centre (89.99, 0); 30 is on the far side of the pole.
		pt(30, t0, 89.995, 180), pt(31, t0, 89.9, 90),
	}
	mustAdd(t, s, 0, pts)
	near := func(lat, lon, r float64, from, to time.Time) []store.NearHit {
		t.Helper()
		hits, err := s.Near(ctx, store.NearQuery{Lat: lat, Lon: lon, RadiusKm: r, From: from, To: to})
		if err != nil {
			t.Fatalf("Near: %v", err)
		}
		// Every hit agrees with a brute-force check of the points.
		for _, h := range hits {
			var want store.NearHit
			for _, p := range pts {
				d := store.HaversineKm(lat, lon, p.Lat, p.Lon)
				if p.MMSI != h.MMSI || d > r || (!from.IsZero() && p.Time.Before(from)) || (!to.IsZero() && !p.Time.Before(to)) {
					continue
				}
				if want.Positions == 0 || d < want.Closest.DistanceKm {
					want.Closest = store.Approach{DistanceKm: d, Time: p.Time, Lat: p.Lat, Lon: p.Lon}
				}
				if want.Positions == 0 || p.Time.Before(want.FirstSeen) {
					want.FirstSeen = p.Time
				}
				if p.Time.After(want.LastSeen) {
					want.LastSeen = p.Time
				}
				want.Positions++
			}
			if h.Positions != want.Positions || !h.FirstSeen.Equal(want.FirstSeen) || !h.LastSeen.Equal(want.LastSeen) ||
				!h.Closest.Time.Equal(want.Closest.Time) || math.Abs(h.Closest.DistanceKm-want.Closest.DistanceKm) > 1e-6 ||
				h.Closest.Lat != want.Closest.Lat || h.Closest.Lon != want.Closest.Lon {
				t.Errorf("near %g,%g r %g: hit %+v, want %+v", lat, lon, r, h, want)
			}
		}
		return hits
	}
	ids := func(hits []store.NearHit) []uint32 {
		var out []uint32
		for _, h := range hits {
			out = append(out, h.MMSI)
		}
		return out
	}
	hits := near(10, 20, 10, t0, t0.Add(time.Hour))
	if got := ids(hits); !slices.Equal(got, []uint32{10, 11}) {
		t.Fatalf("near (10,20): %v", got)
	}
	if h := hits[0]; h.Positions != 3 || !h.Closest.Time.Equal(t0.Add(m)) || math.Abs(h.Closest.DistanceKm-0.5004) > 0.001 ||
		!h.FirstSeen.Equal(t0) || !h.LastSeen.Equal(t0.Add(2*m)) {
		t.Fatalf("closest approach of 10: %+v", h)
	}
	if got := ids(near(10, 20, 10, time.Time{}, time.Time{})); !slices.Equal(got, []uint32{13, 10, 11}) {
		t.Fatalf("near, no time bounds: %v", got)
	}
	if got := ids(near(10, 20, 1, t0, t0.Add(time.Hour))); !slices.Equal(got, []uint32{10}) {
		t.Fatalf("near 1 km: %v", got)
	}
	// Centre west of the antimeridian: 22 is 0.6 km west, 20 2.2 km east.
	if got := ids(near(0, 179.99, 5, time.Time{}, time.Time{})); !slices.Equal(got, []uint32{22, 20}) {
		t.Fatalf("antimeridian, centre west of it: %v", got)
	}
	// Centre east of it: 20 is 0.2 km east, 22 0.8 km west.
	if got := ids(near(0, -179.992, 5, time.Time{}, time.Time{})); !slices.Equal(got, []uint32{20, 22}) {
		t.Fatalf("antimeridian, centre east of it: %v", got)
	}
	if got := ids(near(89.99, 0, 2, time.Time{}, time.Time{})); !slices.Equal(got, []uint32{30}) {
		t.Fatalf("pole: %v", got)
	}
	if got := ids(near(89.99, 0, 15, time.Time{}, time.Time{})); !slices.Equal(got, []uint32{30, 31}) {
		t.Fatalf("pole, wider: %v", got)
	}
	if got := near(-45, 100, 50, time.Time{}, time.Time{}); got == nil || len(got) != 0 {
		t.Fatalf("empty sea: %v", got)
	}
}

// testNearRandom compares Near with brute force on random points
// clustered around places that stress the bounding box.
func testNearRandom(t *testing.T, b Backend) {
	ctx := context.Background()
	s, _ := open(t, b)
	rng := rand.New(rand.NewPCG(7, 11))
	centres := [][2]float64{{0, 180}, {0, -180}, {60, 179.9}, {-70, -179.8}, {89.9, 0}, {-89.95, 45}, {35, 20}, {0, 0.01}}
	var pts []vessel.TrackPoint
	for i := 0; i < 3000; i++ {
		c := centres[rng.IntN(len(centres))]
		lat := math.Max(-90, math.Min(90, c[0]+rng.NormFloat64()*0.5))
		lon := c[1] + rng.NormFloat64()*0.5
		lon = math.Mod(lon+540, 360) - 180
		pts = append(pts, pt(uint32(1+rng.IntN(40)), t0.Add(time.Duration(rng.IntN(1000))*time.Minute), lat, lon))
	}
	mustAdd(t, s, 0, pts)
	for _, c := range centres {
		for _, r := range []float64{1, 10, 40} {
			from, to := t0.Add(100*time.Minute), t0.Add(900*time.Minute)
			hits, err := s.Near(ctx, store.NearQuery{Lat: c[0], Lon: c[1], RadiusKm: r, From: from, To: to})
			if err != nil {
				t.Fatal(err)
			}
			want := map[uint32]int64{}
			for _, p := range pts {
				if !p.Time.Before(from) && p.Time.Before(to) && store.HaversineKm(c[0], c[1], p.Lat, p.Lon) <= r {
					want[p.MMSI]++
				}
			}
			got := map[uint32]int64{}
			for i, h := range hits {
				got[h.MMSI] = h.Positions
				if i > 0 && hits[i-1].Closest.DistanceKm > h.Closest.DistanceKm {
					t.Errorf("hits not ordered by distance")
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("near %v r %g:\n got %v\nwant %v", c, r, got, want)
			}
		}
	}
}

func testRuns(t *testing.T, b Backend) {
	ctx := context.Background()
	s, _ := open(t, b)
	runs, err := s.Runs(ctx)
	if err != nil || runs == nil || len(runs) != 0 {
		t.Fatalf("no runs: %v %v", runs, err)
	}
	id, err := s.BeginRun(ctx, []string{"a.nmea", "b.nmea.gz"})
	if err != nil {
		t.Fatal(err)
	}
	batch := line(1, t0, time.Minute, 10, 1, 1)
	mustAdd(t, s, id, batch)
	mustAdd(t, s, id, batch[:4])
	r, err := s.Run(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != store.RunRunning || r.PositionsAdded != 10 || r.DuplicatesSkipped != 4 || !slices.Equal(r.Sources, []string{"a.nmea", "b.nmea.gz"}) ||
		r.Started.IsZero() || !r.Finished.IsZero() {
		t.Fatalf("running run: %+v", r)
	}
	res := store.RunResult{Status: store.RunOK, Lines: 100, Decoded: 90, Rejected: 10, RejectedByReason: map[string]int64{"checksum": 7, "short": 3}}
	if err := s.FinishRun(ctx, id, res); err != nil {
		t.Fatal(err)
	}
	r, err = s.Run(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != store.RunOK || r.Lines != 100 || r.Decoded != 90 || r.Rejected != 10 || r.RejectedByReason["checksum"] != 7 ||
		r.PositionsAdded != 10 || r.Finished.Before(r.Started) || r.Finished.IsZero() {
		t.Fatalf("finished run: %+v", r)
	}
	if err := s.FinishRun(ctx, id, res); !errors.Is(err, store.ErrRunState) {
		t.Fatalf("finishing twice: %v", err)
	}
	if err := s.FinishRun(ctx, 9999, res); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown run: %v", err)
	}
	if _, err := s.Run(ctx, 9999); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown run: %v", err)
	}
	if _, err := s.AddPositions(ctx, 9999, batch); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("positions for an unknown run: %v", err)
	}
	id2, err := s.BeginRun(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if id2 <= id {
		t.Fatalf("run ids %d then %d", id, id2)
	}
	if err := s.FinishRun(ctx, id2, store.RunResult{Status: store.RunFailed}); err != nil {
		t.Fatal(err)
	}
	runs, err = s.Runs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[0].ID != id2 || runs[1].ID != id || runs[0].Status != store.RunFailed || runs[0].Sources == nil ||
		runs[0].RejectedByReason == nil {
		t.Fatalf("runs: %+v", runs)
	}
}

// testConcurrency checks the documented contract: concurrent writers and
// readers, each write atomic, the result that of some serial order.
func testConcurrency(t *testing.T, b Backend) {
	ctx := context.Background()
	s, _ := open(t, b)
	const writers, batches, per = 4, 5, 200
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < batches; i++ {
				// Writers overlap: writer w loads batches also loaded by w+1.
				batch := line(uint32(1+(w+i)%writers), t0.Add(time.Duration(i)*time.Hour), time.Second, per, 1, 1)
				if _, err := s.AddPositions(ctx, 0, batch); err != nil {
					errs <- err
					return
				}
				if err := s.UpsertIdentities(ctx, []vessel.Identity{ident(uint32(1+w), "W", t0, t0.Add(time.Duration(i)*time.Hour))}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	stop := make(chan struct{})
	var rg sync.WaitGroup
	for r := 0; r < 2; r++ {
		rg.Add(1)
		go func() {
			defer rg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				tr, err := s.Track(ctx, 1, time.Time{}, time.Time{})
				if err != nil {
					errs <- err
					return
				}
				// Each batch is atomic: a reader sees whole batches.
				if len(tr)%per != 0 {
					errs <- fmt.Errorf("reader saw a partial batch: %d points", len(tr))
					return
				}
				if _, err := s.Vessels(ctx, store.VesselQuery{}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	rg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// Distinct (mmsi, hour) pairs loaded.
	distinct := map[[2]int]bool{}
	for w := 0; w < writers; w++ {
		for i := 0; i < batches; i++ {
			distinct[[2]int{(w + i) % writers, i}] = true
		}
	}
	st := stats(t, s)
	if st.Positions != int64(len(distinct)*per) || st.Vessels != writers || st.Identities != writers {
		t.Fatalf("after concurrent load: %+v, want %d positions", st, len(distinct)*per)
	}
	vs, err := s.Vessels(ctx, store.VesselQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, v := range vs {
		sum += v.Positions
	}
	if sum != st.Positions {
		t.Fatalf("vessel counts add up to %d, store has %d", sum, st.Positions)
	}
}

func testClosed(t *testing.T, b Backend) {
	ctx := context.Background()
	s, _ := open(t, b)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	checks := map[string]error{}
	_, checks["AddPositions"] = s.AddPositions(ctx, 0, line(1, t0, time.Minute, 1, 1, 1))
	checks["UpsertIdentities"] = s.UpsertIdentities(ctx, []vessel.Identity{ident(1, "X", t0, t0)})
	_, checks["BeginRun"] = s.BeginRun(ctx, nil)
	_, checks["Track"] = s.Track(ctx, 1, time.Time{}, time.Time{})
	_, checks["Vessels"] = s.Vessels(ctx, store.VesselQuery{})
	_, checks["Near"] = s.Near(ctx, store.NearQuery{Lat: 1, Lon: 1, RadiusKm: 1})
	_, checks["Stats"] = s.Stats(ctx)
	checks["PutEvents"] = s.PutEvents(ctx, nil)
	_, checks["Events"] = s.Events(ctx, store.EventQuery{})
	_, _, checks["AddListVersion"] = s.AddListVersion(ctx, store.ListVersion{Source: "X", SHA256: "x"}, nil)
	_, checks["ListVersions"] = s.ListVersions(ctx)
	names := make([]string, 0, len(checks))
	for n := range checks {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if !errors.Is(checks[n], store.ErrClosed) {
			t.Errorf("%s after Close: %v", n, checks[n])
		}
	}
}

func testInvalid(t *testing.T, b Backend) {
	ctx := context.Background()
	s, _ := open(t, b)
	for _, q := range []store.NearQuery{
		{Lat: 0, Lon: 0, RadiusKm: 0},
		{Lat: 0, Lon: 0, RadiusKm: -1},
		{Lat: 91, Lon: 0, RadiusKm: 1},
		{Lat: 0, Lon: 181, RadiusKm: 1},
		{Lat: 0, Lon: 0, RadiusKm: math.NaN()},
		{Lat: 0, Lon: 0, RadiusKm: 1, From: t0, To: t0.Add(-time.Second)},
	} {
		if _, err := s.Near(ctx, q); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Near(%+v): %v", q, err)
		}
	}
	bad := line(1, t0, time.Minute, 3, 1, 1)
	bad[1].Lat = 91
	if _, err := s.AddPositions(ctx, 0, bad); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("latitude 91: %v", err)
	}
	bad[1].Lat, bad[1].Time = 1, time.Time{}
	if _, err := s.AddPositions(ctx, 0, bad); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("zero time: %v", err)
	}
	if got := stats(t, s).Positions; got != 0 {
		t.Errorf("a rejected batch stored %d positions", got)
	}
	if err := s.FinishRun(ctx, 1, store.RunResult{Status: store.RunRunning}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("finishing as running: %v", err)
	}
}
