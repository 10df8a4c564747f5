package server

import (
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/vessel"
)

// BenchmarkBuildTrack: a month of one vessel's positions (one a minute)
// simplified for a zoom-8 map.
func BenchmarkBuildTrack(b *testing.B) {
	pts := make([]vessel.TrackPoint, 43200)
	for i := range pts {
		f := float64(i)
		pts[i] = vessel.TrackPoint{Position: vessel.Position{MMSI: 1, Time: t0.Add(time.Duration(i) * time.Minute),
			Lat: 40 + 2*math.Sin(f/500), Lon: 130 + f/10000 + 0.001*math.Sin(f), SOG: 10}, Segment: 1 + uint32(i/20000)}
	}
	tol := 360 / (256 * math.Exp2(8)) / 2
	b.ReportAllocs()
	for b.Loop() {
		tc := buildTrack(1, pts, tol, 20000)
		if tc.Vertices == 0 {
			b.Fatal("empty")
		}
	}
}

// BenchmarkAPIVesselSearch: the whole request path (auth, parameter
// checks, metrics, gzip) over the real store for a name search.
func BenchmarkAPIVesselSearch(b *testing.B) {
	f := newFixtureN(b, 0)
	h := f.srv.Handler()
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("GET", "/api/vessels?q=maia", nil)
		req.Header.Set("Authorization", "Bearer "+tokViewer)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code, w.Body)
		}
	}
}
