package duckdb

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// LatestPositions agrees with the latest fix of each vessel's Track in the
// window, inside boxes including one across the antimeridian.
func TestLatestPositions(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, testConfig(filepath.Join(t.TempDir(), "l.duckdb")))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rng := rand.New(rand.NewPCG(5, 6))
	t0 := time.Date(2023, 10, 1, 0, 0, 0, 0, time.UTC)
	var pts []vessel.TrackPoint
	for m := uint32(1); m <= 200; m++ {
		lat, lon := rng.Float64()*120-60, rng.Float64()*360-180
		for i := 0; i < 50; i++ {
			at := t0.Add(time.Duration(rng.IntN(48*60)) * time.Minute)
			pts = append(pts, vessel.TrackPoint{Position: vessel.Position{MMSI: m, Time: at, Lat: lat + rng.Float64()*0.5,
				Lon: max(-180, min(180, lon+rng.Float64()*0.5)), SOG: 10, COG: 90, Heading: 90, Class: vessel.ClassA, MsgType: 1, Source: "t"}, Segment: 1})
		}
	}
	if _, err := st.AddPositions(ctx, 0, pts); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		at     time.Time
		maxAge time.Duration
		box    *store.BBox
	}{
		{t0.Add(24 * time.Hour), time.Hour, nil},
		{t0.Add(48 * time.Hour), 48 * time.Hour, nil},
		{t0.Add(30 * time.Hour), 6 * time.Hour, &store.BBox{MinLat: -30, MinLon: -90, MaxLat: 40, MaxLon: 90}},
		{t0.Add(40 * time.Hour), 24 * time.Hour, &store.BBox{MinLat: -60, MinLon: 150, MaxLat: 60, MaxLon: -150}},
	} {
		got, err := st.LatestPositions(ctx, tc.at, tc.maxAge, tc.box, 0)
		if err != nil {
			t.Fatal(err)
		}
		var want []vessel.TrackPoint
		for m := uint32(1); m <= 200; m++ {
			tr, err := st.Track(ctx, m, tc.at.Add(-tc.maxAge), tc.at)
			if err != nil {
				t.Fatal(err)
			}
			for i := len(tr) - 1; i >= 0; i-- {
				if tc.box == nil || tc.box.Contains(tr[i].Lat, tr[i].Lon) {
					want = append(want, tr[i])
					break
				}
			}
		}
		if len(got) != len(want) || len(want) == 0 {
			t.Fatalf("%v %v %v: %d vessels, want %d", tc.at, tc.maxAge, tc.box, len(got), len(want))
		}
		for i := range want {
			if got[i].MMSI != want[i].MMSI || !got[i].Time.Equal(want[i].Time) || got[i].Lat != want[i].Lat {
				t.Fatalf("vessel %d: got %+v, want %+v", want[i].MMSI, got[i].Position, want[i].Position)
			}
		}
		if lim, err := st.LatestPositions(ctx, tc.at, tc.maxAge, tc.box, 3); err != nil || len(lim) != min(3, len(want)) {
			t.Fatalf("limit 3: %d, %v", len(lim), err)
		}
	}
}
