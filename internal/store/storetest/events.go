package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/store"
)

func ev(key string, kind event.Kind, mmsi uint32, start time.Time, hours float64, lat, lon float64, det string) event.Event {
	return event.Event{
		Key: key, Kind: kind, MMSI: mmsi, Start: start, End: start.Add(time.Duration(hours * float64(time.Hour))),
		Lat: lat, Lon: lon, Detector: det, Version: "1", Confidence: 0.5,
		Explanation: "test " + key, Params: map[string]any{"min_hours": 12.0},
		Details:   map[string]any{"distance_km": 42.5},
		Positions: []event.Ref{{MMSI: mmsi, Time: start, Lat: lat, Lon: lon}},
	}
}

func keys(evs []event.Event) []string {
	var ks []string
	for _, e := range evs {
		ks = append(ks, e.Key)
	}
	return ks
}

func events(t *testing.T, s store.Store, q store.EventQuery) []event.Event {
	t.Helper()
	evs, err := s.Events(context.Background(), q)
	if err != nil {
		t.Fatalf("events %+v: %v", q, err)
	}
	return evs
}

func testEvents(t *testing.T, b Backend) {
	ctx := context.Background()
	s, loc := open(t, b)
	if got := events(t, s, store.EventQuery{}); len(got) != 0 {
		t.Fatalf("empty store has events: %v", got)
	}
	t0 := time.Date(2023, 9, 5, 6, 0, 0, 0, time.UTC)
	gap := ev("g1", event.Gap, 273, t0, 60, 42.7, 133.0, "gap")
	gap.Candidates = []event.Candidate{{Port: "Najin", Country: "KP", Score: 0.9, HighRisk: true, DetourKm: 400, MaxDwellH: 40}}
	gap.Port = "Najin"
	enc := ev("e1", event.Encounter, 273, t0.Add(100*time.Hour), 3, 40, 135, "encounter")
	enc.OtherMMSI = 999
	anti := ev("a1", event.Loitering, 111, t0.Add(-48*time.Hour), 5, 10, 179.9, "loitering")
	if err := s.PutEvents(ctx, []event.Event{gap, enc, anti}); err != nil {
		t.Fatal(err)
	}
	all := events(t, s, store.EventQuery{})
	if !slices.Equal(keys(all), []string{"a1", "g1", "e1"}) {
		t.Fatalf("order by start: %v", keys(all))
	}
	for _, e := range all {
		if e.ID <= 0 {
			t.Fatalf("event %s has no ID", e.Key)
		}
	}
	got := all[1]
	if got.Port != "Najin" || len(got.Candidates) != 1 || !got.Candidates[0].HighRisk || got.Details["distance_km"] != 42.5 ||
		got.Params["min_hours"] != 12.0 || len(got.Positions) != 1 || !got.Positions[0].Time.Equal(t0) || !got.End.Equal(t0.Add(60*time.Hour)) ||
		got.Start.Location() != time.UTC {
		t.Fatalf("round trip: %+v", got)
	}
	one, err := s.Event(ctx, got.ID)
	if err != nil || one.Key != "g1" {
		t.Fatalf("Event(%d): %+v %v", got.ID, one, err)
	}
	if _, err := s.Event(ctx, 1<<40); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown id: %v", err)
	}

	// Filters.
	cases := []struct {
		name string
		q    store.EventQuery
		want []string
	}{
		{"kind", store.EventQuery{Kinds: []event.Kind{event.Gap, event.Loitering}}, []string{"a1", "g1"}},
		{"mmsi also other vessel", store.EventQuery{MMSI: 999}, []string{"e1"}},
		{"mmsi", store.EventQuery{MMSI: 273}, []string{"g1", "e1"}},
		{"overlap from", store.EventQuery{From: t0.Add(59 * time.Hour)}, []string{"g1", "e1"}},
		{"overlap to", store.EventQuery{To: t0}, []string{"a1"}},
		{"to is exclusive", store.EventQuery{To: t0.Add(time.Microsecond)}, []string{"a1", "g1"}},
		{"bbox", store.EventQuery{BBox: &store.BBox{MinLat: 41, MinLon: 130, MaxLat: 43, MaxLon: 134}}, []string{"g1"}},
		{"bbox across antimeridian", store.EventQuery{BBox: &store.BBox{MinLat: 0, MinLon: 179, MaxLat: 20, MaxLon: -179}}, []string{"a1"}},
		{"detector", store.EventQuery{Detectors: []string{"encounter"}}, []string{"e1"}},
		{"limit", store.EventQuery{Limit: 2}, []string{"a1", "g1"}},
	}
	for _, c := range cases {
		if got := keys(events(t, s, c.q)); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}

	// A revision keeps the ID; a withdrawal hides the event by default.
	gap2 := gap
	gap2.End = t0.Add(30 * time.Hour)
	gap2.Revision = 1
	enc2 := enc
	enc2.Withdrawn = true
	if err := s.PutEvents(ctx, []event.Event{gap2, enc2}); err != nil {
		t.Fatal(err)
	}
	now := events(t, s, store.EventQuery{})
	if !slices.Equal(keys(now), []string{"a1", "g1"}) || now[1].ID != got.ID || now[1].Revision != 1 || !now[1].End.Equal(t0.Add(30*time.Hour)) {
		t.Fatalf("after revision: %+v", now)
	}
	if w := events(t, s, store.EventQuery{IncludeWithdrawn: true, Kinds: []event.Kind{event.Encounter}}); len(w) != 1 || !w[0].Withdrawn {
		t.Fatalf("withdrawn event: %+v", w)
	}

	// Replace: the gap detector's events are replaced, others stay, a
	// re-emitted key keeps its ID.
	g3 := ev("g3", event.Gap, 274, t0, 20, 42, 131, "gap")
	if err := s.ReplaceEvents(ctx, []string{"gap"}, []event.Event{g3, gap2}); err != nil {
		t.Fatal(err)
	}
	after := events(t, s, store.EventQuery{IncludeWithdrawn: true})
	if !slices.Equal(keys(after), []string{"a1", "g1", "g3", "e1"}) {
		t.Fatalf("after replace: %v", keys(after))
	}
	if after[1].ID != got.ID {
		t.Errorf("re-emitted event changed ID %d -> %d", got.ID, after[1].ID)
	}
	if err := s.ReplaceEvents(ctx, []string{"gap"}, nil); err != nil {
		t.Fatal(err)
	}
	if got := keys(events(t, s, store.EventQuery{IncludeWithdrawn: true})); !slices.Equal(got, []string{"a1", "e1"}) {
		t.Fatalf("replace with nothing: %v", got)
	}

	// Invalid events are refused whole.
	bad := []event.Event{
		{Kind: event.Gap, Start: t0, End: t0, Detector: "gap"},
		{Key: "x", Kind: "no_such_kind", Start: t0, End: t0, Detector: "gap"},
		{Key: "x", Kind: event.Gap, Start: t0, End: t0.Add(-time.Hour), Detector: "gap"},
		{Key: "x", Kind: event.Gap, End: t0, Detector: "gap"},
		{Key: "x", Kind: event.Gap, Start: t0, End: t0},
	}
	for i, e := range bad {
		if err := s.PutEvents(ctx, []event.Event{ev("ok", event.Gap, 1, t0, 1, 0, 0, "gap"), e}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("bad event %d: %v", i, err)
		}
	}
	if _, err := s.Events(ctx, store.EventQuery{From: t0, To: t0}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("empty range: %v", err)
	}
	if got := keys(events(t, s, store.EventQuery{})); !slices.Equal(got, []string{"a1"}) {
		t.Fatalf("a refused batch stored something: %v", got)
	}

	// Persistence.
	s.Close()
	s = reopen(t, b, loc)
	if got := keys(events(t, s, store.EventQuery{IncludeWithdrawn: true})); !slices.Equal(got, []string{"a1", "e1"}) {
		t.Fatalf("after reopen: %v", got)
	}
}

func testLists(t *testing.T, b Backend) {
	ctx := context.Background()
	s, loc := open(t, b)
	if vs, err := s.ListVersions(ctx); err != nil || len(vs) != 0 {
		t.Fatalf("empty store: %v %v", vs, err)
	}
	pub := time.Date(2024, 5, 3, 0, 0, 0, 0, time.UTC)
	v1 := store.ListVersion{Source: "OFAC-SDN", Format: "ofac-csv", Published: pub, SHA256: "aa", Files: []string{"sdn.csv"}, Entities: 10, Vessels: 2}
	got, added, err := s.AddListVersion(ctx, v1, []byte("one"))
	if err != nil || !added || got.ID <= 0 || got.Loaded.IsZero() || !got.Published.Equal(pub) {
		t.Fatalf("add: %+v %v %v", got, added, err)
	}
	again, added, err := s.AddListVersion(ctx, v1, []byte("ignored"))
	if err != nil || added || again.ID != got.ID {
		t.Fatalf("same file again must not add a version: %+v %v %v", again, added, err)
	}
	v2 := v1
	v2.SHA256, v2.Published = "bb", time.Time{}
	got2, added, err := s.AddListVersion(ctx, v2, []byte("two"))
	if err != nil || !added || got2.ID <= got.ID || !got2.Published.IsZero() {
		t.Fatalf("new version: %+v %v %v", got2, added, err)
	}
	un := store.ListVersion{Source: "UN-SC", Format: "un-xml", SHA256: "aa", URL: "http://x/un.xml", ETag: `"e1"`, LastModified: "Mon, 01 Jan 2024 00:00:00 GMT"}
	if _, added, err := s.AddListVersion(ctx, un, []byte("un")); err != nil || !added {
		t.Fatalf("same hash, other source: %v %v", added, err)
	}
	if _, _, err := s.AddListVersion(ctx, store.ListVersion{Source: "X"}, nil); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("no hash: %v", err)
	}
	s.Close()
	s = reopen(t, b, loc)
	vs, err := s.ListVersions(ctx)
	if err != nil || len(vs) != 3 || vs[0].Source != "UN-SC" || vs[0].ETag != `"e1"` || vs[0].URL != "http://x/un.xml" || vs[0].LastModified == "" || vs[1].URL != "" || vs[1].ID != got2.ID || vs[2].Files[0] != "sdn.csv" || vs[2].Entities != 10 || vs[2].Vessels != 2 {
		t.Fatalf("versions: %+v %v", vs, err)
	}
	if d, err := s.ListData(ctx, got.ID); err != nil || string(d) != "one" {
		t.Fatalf("data: %q %v", d, err)
	}
	if _, err := s.ListData(ctx, 999); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown version: %v", err)
	}
}
