package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"
	"time"

	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// edgePoints are positions with every NULL the schema knows (speed and
// course not available, heading 511, class unknown), extreme values and
// several sources, over more than one output chunk.
func edgePoints(mmsi uint32, n int) []vessel.TrackPoint {
	t0 := time.Date(2024, 3, 1, 12, 0, 0, 123456000, time.UTC)
	classes := []vessel.Class{vessel.ClassA, vessel.ClassB, vessel.ClassUnknown, vessel.ClassBase, vessel.ClassAtoN}
	var pts []vessel.TrackPoint
	for i := range n {
		p := vessel.TrackPoint{Position: vessel.Position{
			MMSI: mmsi + uint32(i%3), Time: t0.Add(time.Duration(i) * 7 * time.Second),
			Lat: -90 + float64(i%181), Lon: 180 - float64(i%361)*0.999, SOG: float32(i%1023) / 10, COG: float32(i%3600) / 10,
			Heading: uint16(i % 512), Status: uint8(i % 16), Class: classes[i%len(classes)], MsgType: uint8(1 + i%27),
			Source: []string{"a.nmea", "tcp://rx:1", "b.csv"}[i%3/2+i%2],
		}, Segment: uint32(1 + i%5)}
		if i%4 == 1 {
			p.SOG = vessel.NA
		}
		if i%6 == 2 {
			p.COG = vessel.NA
		}
		if i%7 == 3 {
			p.Heading = 511
		}
		pts = append(pts, p)
	}
	return pts
}

// TestFillPaths loads the same points through the direct vector writes
// and through the driver's setters: both read back as they went in.
func TestFillPaths(t *testing.T) {
	if !rawOK {
		t.Error("direct chunk writes unavailable (duckdb-go's DataChunk changed): loads take the slow path; update chunk.go")
	}
	ctx := context.Background()
	pts := edgePoints(211000000, 5000) // more than two 2048-row chunks per vessel
	var got [2][]vessel.TrackPoint
	for k, slow := range []bool{false, true} {
		forceSlowFill = slow
		s, err := Open(ctx, testConfig(filepath.Join(t.TempDir(), "s.duckdb")))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddPositions(ctx, 0, pts); err != nil {
			t.Fatal(err)
		}
		// A second batch with a new source and known ones.
		more := edgePoints(211000000, 10)
		for i := range more {
			more[i].Time = more[i].Time.AddDate(1, 0, 0)
			if i%2 == 0 {
				more[i].Source = "later.nmea"
			}
		}
		if _, err := s.AddPositions(ctx, 0, more); err != nil {
			t.Fatal(err)
		}
		// NULLs where the schema says (Track reads NULL and the
		// placeholders alike, so this is checked in SQL, through the
		// view that unpacks flags).
		var nulls, wantNulls [4]int
		for _, p := range append(append([]vessel.TrackPoint{}, pts...), more...) {
			for i, isNull := range []bool{math.IsNaN(float64(p.SOG)), math.IsNaN(float64(p.COG)), p.Heading == 511, p.Class == vessel.ClassUnknown} {
				if isNull {
					wantNulls[i]++
				}
			}
		}
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FILTER (sog IS NULL), count(*) FILTER (cog IS NULL),
    count(*) FILTER (heading IS NULL), count(*) FILTER (class IS NULL) FROM positions_view`).Scan(&nulls[0], &nulls[1], &nulls[2], &nulls[3]); err != nil {
			t.Fatal(err)
		}
		if nulls != wantNulls {
			t.Errorf("slow=%v: NULL sog, cog, heading, class: %v, want %v", slow, nulls, wantNulls)
		}
		got[k] = edgeTracks(t, s)
		s.Close()
		want := append(append([]vessel.TrackPoint{}, pts...), more...)
		if len(got[k]) != len(want) {
			t.Fatalf("slow=%v: %d points back, want %d", slow, len(got[k]), len(want))
		}
		byKey := map[[3]float64]vessel.TrackPoint{}
		for _, p := range want {
			byKey[[3]float64{float64(p.MMSI), float64(p.Time.UnixMicro()), p.Lat}] = p
		}
		for _, p := range got[k] {
			w, ok := byKey[[3]float64{float64(p.MMSI), float64(p.Time.UnixMicro()), p.Lat}]
			if !ok || !samePoint(p, w) {
				t.Fatalf("slow=%v: read back %+v, stored %+v", slow, p, w)
			}
		}
	}
	forceSlowFill = false
	for i := range got[0] {
		if !samePoint(got[0][i], got[1][i]) {
			t.Fatalf("the two paths read back differently: %+v, %+v", got[0][i], got[1][i])
		}
	}
}

// edgeTracks reads back the tracks of the three vessels of edgePoints
// (211000000-2), in vessel order.
func edgeTracks(t *testing.T, s *Store) []vessel.TrackPoint {
	t.Helper()
	var pts []vessel.TrackPoint
	for m := uint32(211000000); m < 211000003; m++ {
		tr, err := s.Track(context.Background(), m, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		pts = append(pts, tr...)
	}
	return pts
}

func samePoint(a, b vessel.TrackPoint) bool {
	same32 := func(x, y float32) bool { return x == y || (math.IsNaN(float64(x)) && math.IsNaN(float64(y))) }
	return a.MMSI == b.MMSI && a.Time.Equal(b.Time) && a.Lat == b.Lat && a.Lon == b.Lon && same32(a.SOG, b.SOG) &&
		same32(a.COG, b.COG) && a.Heading == b.Heading && a.Status == b.Status && a.Class == b.Class &&
		a.MsgType == b.MsgType && a.Source == b.Source && a.Segment == b.Segment
}

// TestMigratePositions: positions stored by schema version 2 (source and
// class as strings, one column per field) read back the same after the
// steps to version 3 (numbers) and 4 (small fields packed), and later
// loads reuse the migrated sources.
func TestMigratePositions(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v2.duckdb")
	old := fstest.MapFS{}
	for _, n := range []string{"0001_init.sql", "0002_events_lists.sql"} {
		b, err := fs.ReadFile(migrations, n)
		if err != nil {
			t.Fatal(err)
		}
		old[n] = &fstest.MapFile{Data: b}
	}
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, db, old, slog.New(slog.DiscardHandler), time.Now); err != nil {
		t.Fatal(err)
	}
	pts := edgePoints(244000000, 40)
	for _, p := range pts {
		var sog, cog, heading, class any
		if !math.IsNaN(float64(p.SOG)) {
			sog = p.SOG
		}
		if !math.IsNaN(float64(p.COG)) {
			cog = p.COG
		}
		if p.Heading != 511 {
			heading = p.Heading
		}
		if p.Class != vessel.ClassUnknown {
			class = string(rune(p.Class))
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO positions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
			p.MMSI, p.Time, p.Lat, p.Lon, sog, cog, heading, p.Status, class, p.MsgType, p.Source, p.Segment); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	s, err := Open(ctx, testConfig(path))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var got []vessel.TrackPoint
	for m := uint32(244000000); m < 244000003; m++ {
		tr, err := s.Track(ctx, m, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, tr...)
	}
	if len(got) != len(pts) {
		t.Fatalf("%d points after migration, want %d", len(got), len(pts))
	}
	for _, g := range got {
		found := false
		for _, p := range pts {
			if samePoint(g, p) {
				found = true
				break
			}
		}
		if !found {
			t.Fatalf("after migration: %+v not stored before", g)
		}
	}
	// A load after the migration knows its sources.
	more := []vessel.TrackPoint{pts[0], pts[1]}
	more[0].Time = more[0].Time.AddDate(1, 0, 0)
	more[1].Time, more[1].Source = more[1].Time.AddDate(1, 0, 0), "new.nmea"
	if _, err := s.AddPositions(ctx, 0, more); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sources`).Scan(&n); err != nil || n != 4 {
		t.Fatalf("%d sources (%v), want the 3 migrated and 1 new", n, err)
	}
	tr, err := s.Track(ctx, more[1].MMSI, more[1].Time, more[1].Time.Add(time.Second))
	if err != nil || len(tr) != 1 || tr[0].Source != "new.nmea" {
		t.Fatalf("track after load: %+v %v", tr, err)
	}
}

// TestReadPaths: Track read directly from DuckDB's vectors and through
// database/sql gives the same points in the same order, also when the
// rows are stored out of order (batches loaded newest first, not
// compacted) and with time bounds.
func TestReadPaths(t *testing.T) {
	if !rawConnOK {
		t.Error("direct result reads unavailable (duckdb-go's Conn changed): track queries take the slow path; update rawread.go")
	}
	ctx := context.Background()
	s, err := Open(ctx, testConfig(filepath.Join(t.TempDir(), "s.duckdb")))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pts := edgePoints(211000000, 6000)
	for i := 3; i >= 0; i-- { // newest batch first
		if _, err := s.AddPositions(ctx, 0, pts[i*1500:(i+1)*1500]); err != nil {
			t.Fatal(err)
		}
	}
	from, to := pts[100].Time, pts[5000].Time
	for _, q := range []struct{ from, to time.Time }{{}, {from, to}, {from, time.Time{}}, {time.Time{}, to}} {
		for m := uint32(211000000); m < 211000003; m++ {
			var got [2][]vessel.TrackPoint
			for k, slow := range []bool{false, true} {
				forceSlowRead = slow
				got[k], err = s.Track(ctx, m, q.from, q.to)
				forceSlowRead = false
				if err != nil {
					t.Fatal(err)
				}
			}
			if len(got[0]) != len(got[1]) || len(got[0]) == 0 {
				t.Fatalf("mmsi %d %v..%v: %d points directly, %d through database/sql", m, q.from, q.to, len(got[0]), len(got[1]))
			}
			for i := range got[0] {
				if !samePoint(got[0][i], got[1][i]) {
					t.Fatalf("mmsi %d point %d: %+v directly, %+v through database/sql", m, i, got[0][i], got[1][i])
				}
			}
		}
	}
}

// TestBulkMode: DuckDB runs on one thread between BeginBulk and its end,
// and on as many as before afterwards.
func TestBulkMode(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Config{Path: filepath.Join(t.TempDir(), "s.duckdb"), Threads: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	threads := func() (n int) {
		if err := s.db.QueryRowContext(ctx, `SELECT current_setting('threads')`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	end, err := s.BeginBulk(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := threads(); n != 1 {
		t.Errorf("%d threads in bulk mode", n)
	}
	// Blocks are kept for reuse (bulkBlockMemory).
	var kept string
	if err := s.db.QueryRowContext(ctx, `SELECT value FROM duckdb_settings() WHERE name = 'block_allocator_memory'`).Scan(&kept); err != nil {
		t.Fatal(err)
	}
	if kept == "0 bytes" {
		t.Errorf("block_allocator_memory %s in bulk mode", kept)
	}
	if _, err := s.AddPositions(ctx, 0, edgePoints(211000000, 100)); err != nil {
		t.Fatal(err)
	}
	end()
	if n := threads(); n != 3 {
		t.Errorf("%d threads after bulk mode, want 3", n)
	}
}

// TestAddPacked: a packed batch (the ingest pipeline's) stores what the
// same points stored through AddPositions do, its times truncated to the
// microsecond before 1970 as after; points a batch cannot hold are
// refused with ErrInvalid.
func TestAddPacked(t *testing.T) {
	ctx := context.Background()
	pts := edgePoints(211000000, 3000)
	for i := range pts {
		pts[i].Time = pts[i].Time.Add(time.Duration(i%1000) * time.Nanosecond)
		if i%5 == 0 { // before 1970: truncation rounds down
			pts[i].Time = pts[i].Time.AddDate(-60, 0, 0)
		}
	}
	var got [2][]vessel.TrackPoint
	for k, packed := range []bool{false, true} {
		s, err := Open(ctx, testConfig(filepath.Join(t.TempDir(), "s.duckdb")))
		if err != nil {
			t.Fatal(err)
		}
		var ls store.LoadStats
		if packed {
			var b vessel.Points
			b.Sources.Index("unused source") // a table whose indexes are not the store's ids
			for i := range pts {
				b.Add(&pts[i])
			}
			ls, err = s.AddPacked(ctx, 0, &b)
		} else {
			ls, err = s.AddPositions(ctx, 0, pts)
		}
		if err != nil || ls.Added != len(pts) {
			t.Fatalf("packed=%v: %+v, %v", packed, ls, err)
		}
		got[k] = edgeTracks(t, s)
		s.Close()
	}
	if len(got[0]) != len(pts) || len(got[1]) != len(pts) {
		t.Fatalf("%d and %d points back, want %d", len(got[0]), len(got[1]), len(pts))
	}
	want := map[[2]int64]vessel.TrackPoint{}
	for _, p := range pts {
		p.Time = time.UnixMicro(p.Time.UnixMicro()).UTC()
		want[[2]int64{int64(p.MMSI), p.Time.UnixMicro()}] = p
	}
	for i := range got[0] {
		w := want[[2]int64{int64(got[1][i].MMSI), got[1][i].Time.UnixMicro()}]
		if !samePoint(got[0][i], got[1][i]) || !samePoint(got[1][i], w) {
			t.Fatalf("point %d: packed %+v, unpacked %+v, stored %+v", i, got[1][i], got[0][i], w)
		}
	}

	s, err := Open(ctx, testConfig(filepath.Join(t.TempDir(), "bad.duckdb")))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	good := vessel.TrackPoint{Position: vessel.Position{MMSI: 211000000, Time: time.Date(2023, 9, 20, 0, 0, 0, 0, time.UTC), Lat: 42, Lon: 130}}
	noSource := vessel.Points{P: []vessel.PackedPoint{{MMSI: 211000000, Packed: vessel.Packed{T: 1, Src: 3}}}}
	var noTime vessel.Points
	noTime.Add(&vessel.TrackPoint{Position: vessel.Position{MMSI: 211000000}})
	for name, b := range map[string]*vessel.Points{"source index past the table": &noSource, "no time": &noTime} {
		if _, err := s.AddPacked(ctx, 0, b); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	late := good
	late.Time = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := s.AddPositions(ctx, 0, []vessel.TrackPoint{good, late}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("a time past 2262: %v, want ErrInvalid", err)
	}
	if n, err := s.AddPositions(ctx, 0, []vessel.TrackPoint{good}); err != nil || n.Added != 1 {
		t.Errorf("after the refused batches, a good point: %+v, %v", n, err)
	}
}

// TestBoundaryFromMemory: the copy of a vessel's last fix of the batch
// before (a file ingest's usual duplicate) is settled from what the
// writer kept of that batch, without a lookup in the store; after a
// reopen, or with a copy of an earlier fix, the store is asked.
func TestBoundaryFromMemory(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.duckdb")
	s, err := Open(ctx, testConfig(path))
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2023, 10, 1, 0, 0, 0, 0, time.UTC)
	line := func(mmsi uint32, from, n int) []vessel.TrackPoint {
		var pts []vessel.TrackPoint
		for i := from; i < from+n; i++ {
			pts = append(pts, vessel.TrackPoint{Position: vessel.Position{MMSI: mmsi, Time: t0.Add(time.Duration(i) * time.Minute),
				Lat: 42, Lon: 130 + float64(i)*1e-3, Source: "a.nmea", MsgType: 1}})
		}
		return pts
	}
	copyOf := func(p vessel.TrackPoint) vessel.TrackPoint { p.MsgType, p.Source = 3, "b.nmea"; return p }
	first := slices.Concat(line(1, 0, 50), line(2, 0, 50))
	add := func(pts []vessel.TrackPoint, added, dups, lookups int) {
		t.Helper()
		before := s.w.lookups
		st, err := s.AddPositions(ctx, 0, pts)
		if err != nil || st.Added != added || st.Duplicates != dups || s.w.lookups-before != lookups {
			t.Fatalf("%+v, %v, %d lookups; want %d added, %d duplicates, %d lookups", st, err, s.w.lookups-before, added, dups, lookups)
		}
	}
	add(first, 100, 0, 0)
	add(slices.Concat(line(1, 50, 50), line(2, 50, 50), []vessel.TrackPoint{copyOf(first[49]), copyOf(first[99])}), 100, 2, 0)
	add(slices.Concat(line(1, 100, 50), []vessel.TrackPoint{copyOf(first[10])}), 50, 1, 1)
	s.Close()
	if s, err = Open(ctx, testConfig(path)); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	add(slices.Concat(line(1, 150, 50), []vessel.TrackPoint{copyOf(line(1, 149, 1)[0])}), 50, 1, 1)
}

// TestSuspectLimitCountsOnce: a point both settled from memory and inside
// an older span of its vessel counts once towards the re-ingest limit; a
// batch just under the limit still looks up every suspect (here a copy
// in a span met after the overlapping ones).
func TestSuspectLimitCountsOnce(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, testConfig(filepath.Join(t.TempDir(), "s.duckdb")))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2023, 10, 1, 0, 0, 0, 0, time.UTC)
	pt := func(m uint32, i int, lat, lon float64) vessel.TrackPoint {
		return vessel.TrackPoint{Position: vessel.Position{MMSI: m, Time: t0.Add(time.Duration(i) * time.Minute),
			Lat: lat, Lon: lon, Source: "a.nmea", MsgType: 1}}
	}
	var early []vessel.TrackPoint
	for i := 1; i <= 6; i++ {
		early = append(early, pt(1, i, 10, 10+float64(i)))
	}
	if _, err := s.AddPositions(ctx, 0, early); err != nil {
		t.Fatal(err)
	}
	// The last batch: vessel 1 at its sixth minute elsewhere, vessel 2.
	moved, two := pt(1, 6, 11, 16), pt(2, 1, 20, 20)
	if st, err := s.AddPositions(ctx, 0, []vessel.TrackPoint{moved, two, pt(2, 2, 20, 21)}); err != nil || st.Added != 3 {
		t.Fatalf("%+v %v", st, err)
	}
	// 28 points, limit 7: 7 copies of vessel 1 (one of them settled from
	// memory and inside the early span too), a copy of vessel 2's first
	// fix, 20 new fixes of vessel 3.
	b := slices.Concat(early, []vessel.TrackPoint{moved, two})
	for i := range 20 {
		b = append(b, pt(3, 100+i, 30, 30))
	}
	st, err := s.AddPositions(ctx, 0, b)
	if err != nil || st.Added != 20 || st.Duplicates != 8 {
		t.Fatalf("%+v %v, want 20 added, 8 duplicates", st, err)
	}
	if v, err := s.Vessel(ctx, 2); err != nil || v.Positions != 2 {
		t.Fatalf("vessel 2: %+v %v, want 2 positions", v, err)
	}
}

// TestManySources: a batch's new sources are added in one statement,
// however many; each point reads back with its own, also after a later
// batch adds more to those already stored.
func TestManySources(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Config{Path: filepath.Join(t.TempDir(), "s.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pts := edgePoints(212000000, 6000)
	for i := range pts {
		pts[i].Source = fmt.Sprintf("rx-%d", i%4000)
	}
	for _, part := range [][]vessel.TrackPoint{pts[:3000], pts[3000:]} { // rx-3000..3999 are new in the second
		if _, err := s.AddPositions(ctx, 0, part); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]string{}
	for _, p := range pts {
		want[fmt.Sprintf("%d/%d", p.MMSI, p.Time.UnixMicro())] = p.Source
	}
	got := 0
	for m := range uint32(3) {
		track, err := s.Track(ctx, 212000000+m, time.Time{}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range track {
			if k := fmt.Sprintf("%d/%d", p.MMSI, p.Time.UnixMicro()); p.Source != want[k] {
				t.Fatalf("%s: source %q, want %q", k, p.Source, want[k])
			}
			got++
		}
	}
	if got != len(pts) {
		t.Errorf("%d positions read back, want %d", got, len(pts))
	}
}
