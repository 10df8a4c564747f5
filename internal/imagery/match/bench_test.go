package match

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/imagery"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// BenchmarkRun: 10 000 detections against 10 000 AIS tracks of 100 fixes
// each (1 M positions) over a 2° × 2° scene; 8 000 detections are AIS
// ships, 2 000 dark.
func BenchmarkRun(b *testing.B) {
	rng := rand.New(rand.NewPCG(9, 9))
	const nTracks, perTrack, nDark = 10000, 100, 2000
	scene := imagery.Scene{ID: "big", Acquired: t0, ResolutionM: 10,
		Footprint: imagery.Footprint{{{129.5, 41.5}, {131.5, 41.5}, {131.5, 43.5}, {129.5, 43.5}, {129.5, 41.5}}}}
	tracks := make([]Track, nTracks)
	var dets []imagery.Detection
	for k := range tracks {
		lat, lon := 41.5+2*rng.Float64(), 129.5+2*rng.Float64()
		sog, cog := rng.Float64()*14, rng.Float64()*360
		vn, ve := sog*1852/3600*math.Cos(cog*math.Pi/180)/111320, sog*1852/3600*math.Sin(cog*math.Pi/180)/82000
		mmsi := uint32(200000000 + k)
		tr := Track{MMSI: mmsi, LengthM: 30 + rng.Float64()*200, Points: make([]vessel.TrackPoint, perTrack)}
		for i := range tr.Points {
			dt := float64(i-perTrack/2)*60 + 7
			tr.Points[i] = vessel.TrackPoint{Position: vessel.Position{MMSI: mmsi, Time: t0.Add(time.Duration(dt) * time.Second),
				Lat: lat + vn*dt, Lon: lon + ve*dt, SOG: float32(sog), COG: float32(cog)}, Segment: 1}
		}
		tracks[k] = tr
		if k < nTracks-nDark {
			dets = append(dets, imagery.Detection{ID: fmt.Sprint(k), Time: t0, Lat: lat + 80*rng.NormFloat64()/111320,
				Lon: lon + 80*rng.NormFloat64()/82000, LengthM: tr.LengthM * (0.8 + 0.4*rng.Float64()), Confidence: 0.9})
		}
	}
	for k := 0; k < nDark; k++ {
		dets = append(dets, imagery.Detection{ID: fmt.Sprintf("dark%d", k), Time: t0, Lat: 41.5 + 2*rng.Float64(), Lon: 129.5 + 2*rng.Float64(), LengthM: 80, Confidence: 0.9})
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := Run(Input{Scene: scene, Detections: dets, Tracks: tracks}, Config{})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(res.Matched)), "matched")
		b.ReportMetric(float64(len(res.Dark)), "dark")
	}
}
