package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/bench/decode/corpus"
	"github.com/lookout-maritime/lookout/internal/coast"
	"github.com/lookout-maritime/lookout/internal/detect"
	"github.com/lookout-maritime/lookout/internal/gazetteer"
	"github.com/lookout-maritime/lookout/internal/source"
	"github.com/lookout-maritime/lookout/internal/track"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/store/duckdb"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// nullStore counts and discards, to measure the pipeline without a store.
type nullStore struct{ pts, ids, evs int }

func (n *nullStore) BeginRun(context.Context, []string) (store.RunID, error)       { return 1, nil }
func (n *nullStore) FinishRun(context.Context, store.RunID, store.RunResult) error { return nil }
func (n *nullStore) AddPositions(_ context.Context, _ store.RunID, pts []vessel.TrackPoint) (store.LoadStats, error) {
	n.pts += len(pts)
	return store.LoadStats{Added: len(pts)}, nil
}
func (n *nullStore) UpsertIdentities(_ context.Context, ids []vessel.Identity) error {
	n.ids += len(ids)
	return nil
}
func (n *nullStore) PutEvents(_ context.Context, evs []event.Event) error {
	n.evs += len(evs)
	return nil
}

// BenchmarkPipelineNoStore: read → decode → track on the corpus named by
// LOOKOUT_BENCH_CORPUS (see bench/ingest), without a store.
func BenchmarkPipelineNoStore(b *testing.B) {
	corpus := os.Getenv("LOOKOUT_BENCH_CORPUS")
	if corpus == "" {
		b.Skip("set LOOKOUT_BENCH_CORPUS to an NMEA file (go run ./bench/decode/gencorpus)")
	}
	var msgs int64
	for b.Loop() {
		sum, err := Run(context.Background(), &nullStore{}, []string{corpus}, Config{})
		if err != nil {
			b.Fatal(err)
		}
		msgs = sum.Decoded
	}
	b.ReportMetric(float64(msgs)*float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkPipelineDuckDB: read → decode → track → DuckDB store on the
// corpus named by LOOKOUT_BENCH_CORPUS, into a fresh store each time, open
// and close (the final checkpoint) included, as `lookout ingest` runs it.
func BenchmarkPipelineDuckDB(b *testing.B) {
	corpus := os.Getenv("LOOKOUT_BENCH_CORPUS")
	if corpus == "" {
		b.Skip("set LOOKOUT_BENCH_CORPUS to an NMEA file (go run ./bench/decode/gencorpus)")
	}
	ctx := context.Background()
	var msgs int64
	var open, run, closing time.Duration
	for i := 0; b.Loop(); i++ {
		path := filepath.Join(b.TempDir(), fmt.Sprintf("s%d.duckdb", i))
		t0 := time.Now()
		st, err := duckdb.Open(ctx, duckdb.Config{Path: path})
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		sum, err := Run(ctx, st, []string{corpus}, Config{})
		if err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		if err := st.Close(); err != nil {
			b.Fatal(err)
		}
		open, run, closing = open+t1.Sub(t0), run+t2.Sub(t1), closing+time.Since(t2)
		msgs = sum.Decoded
	}
	n := float64(b.N)
	b.ReportMetric(float64(msgs)*n/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(open.Seconds()/n, "open-s")
	b.ReportMetric(run.Seconds()/n, "run-s")
	b.ReportMetric(closing.Seconds()/n, "close-s")
}

// BenchmarkTrackStatePerVessel measures the tracker's heap per active
// vessel mid-stream (reorder buffers full, nothing flushed) on a generated
// feed like the benchmark corpus: 3,000 vessels, 300 messages/s, so about
// 30 fixes per vessel in the default 5-minute reorder window. It reports
// B/vessel (all of the tracker's state) and buffered/vessel.
func BenchmarkTrackStatePerVessel(b *testing.B) {
	var buf bytes.Buffer
	if _, err := corpus.Generate(&buf, corpus.Config{Lines: 300_000, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	var perVessel, buffered float64
	for b.Loop() {
		src := source.NewNMEA(io.NopCloser(bytes.NewReader(data)), "corpus.nmea", int64(len(data)), source.NMEAConfig{BaseStationClock: true})
		src.Reuse()
		before := heap()
		tr := track.New(track.Config{}, nil)
		var d discardEmitter
		for {
			obs, err := src.Next(context.Background())
			if errors.Is(err, io.EOF) {
				break
			}
			if err == nil {
				tr.Add(obs, &d)
			}
		}
		after := heap()
		s := tr.Stats()
		perVessel = float64(after-before) / float64(s.Vessels)
		buffered = float64(s.Buffered) / float64(s.Vessels)
		runtime.KeepAlive(tr)
	}
	b.ReportMetric(perVessel, "B/vessel")
	b.ReportMetric(buffered, "buffered/vessel")
}

type discardEmitter struct{}

func (discardEmitter) Point(vessel.TrackPoint)        {}
func (discardEmitter) Identity(vessel.Identity, bool) {}

// BenchmarkTrackerOnCorpus: the tracker alone (Add for every observation,
// Flush, points collected as the pipeline collects them) on the decoded
// 1M-line benchmark corpus held in memory: 3,000 vessels at 300 messages/s,
// so the reorder buffers hold about 90,000 observations, as in a real
// ingest. It reports ns per observation, in wall and in CPU time (the
// latter varies less on a shared machine).
func BenchmarkTrackerOnCorpus(b *testing.B) {
	var buf bytes.Buffer
	if _, err := corpus.Generate(&buf, corpus.Config{Lines: 1_000_000, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	src := source.NewNMEA(io.NopCloser(bytes.NewReader(buf.Bytes())), "corpus.nmea", int64(buf.Len()), source.NMEAConfig{BaseStationClock: true})
	var obs []vessel.Observation
	for {
		o, err := src.Next(context.Background())
		if errors.Is(err, io.EOF) {
			break
		}
		if err == nil {
			obs = append(obs, o) // Next without Reuse: each its own copy
		}
	}
	col := track.Collector{Points: make([]vessel.TrackPoint, 0, 600_000)}
	cpu0 := cpuTime()
	for b.Loop() {
		tr := track.New(track.Config{}, nil)
		for i := range obs {
			tr.Add(obs[i], &col)
			if len(col.Points) >= 500_000 {
				col.Reset()
			}
		}
		tr.Flush(&col)
		col.Reset()
	}
	b.ReportMetric(b.Elapsed().Seconds()*1e9/float64(b.N*len(obs)), "ns/obs")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N*len(obs)), "cpu-ns/obs")
}

// BenchmarkDetectorsOnCorpus: the streaming detectors alone (the embedded
// gazetteer and coastline, default parameters) replaying the calls an
// ingest of the 1M-line benchmark corpus makes — every static report as
// read, then the tracker's points and identities — held in memory. It
// reports ns per track point, in wall and CPU time: what the detectors'
// goroutine costs per fix (docs/BENCHMARKS.md, "What detection adds").
func BenchmarkDetectorsOnCorpus(b *testing.B) {
	rec := buildReplay(b)
	g, err := gazetteer.Default()
	if err != nil {
		b.Fatal(err)
	}
	shore, err := coast.Load()
	if err != nil {
		b.Fatal(err)
	}
	cfg := detect.Default()
	cfg.PortVisit.SearchKm = max(cfg.PortVisit.SearchKm, g.MaxRadiusKm())
	cpu0 := cpuTime()
	events := 0
	for b.Loop() {
		e, err := detect.New(cfg, detect.Deps{Ports: g, Shore: shore}, nil)
		if err != nil {
			b.Fatal(err)
		}
		rec.replay(e)
		e.Flush()
		events = len(e.Drain())
	}
	b.ReportMetric(b.Elapsed().Seconds()*1e9/float64(b.N*len(rec.points)), "ns/point")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N*len(rec.points)), "cpu-ns/point")
	b.ReportMetric(float64(events), "events")
}

// replayLog keeps Observer calls in order for replaying.
type replayLog struct {
	calls  []byte // 'p', 'i', 's'
	points []vessel.TrackPoint
	ids    []vessel.Identity
	isNew  []bool
	st     []vessel.Static
}

func (r *replayLog) Point(p vessel.TrackPoint) {
	r.calls = append(r.calls, 'p')
	r.points = append(r.points, p)
}
func (r *replayLog) Static(s vessel.Static) { r.calls = append(r.calls, 's'); r.st = append(r.st, s) }
func (r *replayLog) Identity(id vessel.Identity, isNew bool) {
	r.calls = append(r.calls, 'i')
	r.ids, r.isNew = append(r.ids, id), append(r.isNew, isNew)
}

func (r *replayLog) replay(o Observer) {
	var p, i, s int
	for _, c := range r.calls {
		switch c {
		case 'p':
			o.Point(r.points[p])
			p++
		case 'i':
			o.Identity(r.ids[i], r.isNew[i])
			i++
		case 's':
			o.Static(r.st[s])
			s++
		}
	}
}

// buildReplay decodes the 1M-line corpus and records the Observer calls an
// ingest of it makes.
func buildReplay(b *testing.B) *replayLog {
	var buf bytes.Buffer
	if _, err := corpus.Generate(&buf, corpus.Config{Lines: 1_000_000, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	src := source.NewNMEA(io.NopCloser(bytes.NewReader(buf.Bytes())), "corpus.nmea", int64(buf.Len()), source.NMEAConfig{BaseStationClock: true})
	rec := &replayLog{}
	tr := track.New(track.Config{}, nil)
	for {
		o, err := src.Next(context.Background())
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			continue
		}
		if o.Static != nil {
			rec.Static(*o.Static)
		}
		tr.Add(o, rec)
	}
	tr.Flush(rec)
	return rec
}
