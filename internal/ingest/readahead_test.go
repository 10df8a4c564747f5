package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/source"
	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// pointStore keeps what it is given, as text (NaN speeds compare equal).
type pointStore struct {
	nullStore
	text strings.Builder
}

func (p *pointStore) AddPositions(ctx context.Context, run store.RunID, pts []vessel.TrackPoint) (store.LoadStats, error) {
	for _, q := range pts {
		fmt.Fprintf(&p.text, "%+v\n", q)
	}
	return p.nullStore.AddPositions(ctx, run, pts)
}

func (p *pointStore) UpsertIdentities(ctx context.Context, ids []vessel.Identity) error {
	for _, id := range ids {
		fmt.Fprintf(&p.text, "%+v\n", id)
	}
	return p.nullStore.UpsertIdentities(ctx, ids)
}

func (p *pointStore) PutEvents(ctx context.Context, evs []event.Event) error {
	return p.nullStore.PutEvents(ctx, evs)
}

// streamLike hides a file's size, as a live stream does: such a source is
// read without read-ahead.
type streamLike struct{ source.Source }

func (s streamLike) Progress() (int64, int64) { done, _ := s.Source.Progress(); return done, -1 }

// Reading a file ahead on its own goroutine gives exactly what reading
// it in line gives: the same points, identities, counts, and rejects in
// the same order.
func TestReadAheadSameAsInLine(t *testing.T) {
	in, _ := writeCorpus(t, 30_000) // corrupt lines included: rejects
	run := func(readAhead bool) (Summary, string, []string) {
		var rejects []string
		st := &pointStore{}
		sum, err := Run(context.Background(), st, []string{in}, Config{
			// Full batches only: batch boundaries (where identities
			// come between points) do not depend on timing.
			BatchPoints: 5000, MinBatchPoints: 5000,
			Open: func(spec string) (source.Source, error) {
				src, err := source.New(spec, source.Options{NMEA: source.NMEAConfig{BaseStationClock: true}})
				if err != nil || readAhead {
					return src, err
				}
				return streamLike{src}, nil
			},
			OnReject: func(r *source.Reject) { rejects = append(rejects, r.Error()) },
		})
		if err != nil {
			t.Fatal(err)
		}
		return sum, st.text.String(), rejects
	}
	sumA, storedA, rejA := run(true)
	sumB, storedB, rejB := run(false)
	if sumA.Decoded < 20_000 || len(rejA) == 0 {
		t.Fatalf("corpus too small to tell: %+v", sumA)
	}
	sumA.Elapsed, sumB.Elapsed = 0, 0
	if fmt.Sprint(sumA) != fmt.Sprint(sumB) {
		t.Errorf("summaries differ:\nread ahead %+v\nin line    %+v", sumA, sumB)
	}
	if storedA != storedB {
		t.Errorf("stored points or identities differ")
	}
	if strings.Join(rejA, "\n") != strings.Join(rejB, "\n") {
		t.Errorf("rejects differ or come in another order")
	}
}

// failingSource fails after n observations: a file that cannot be read
// on. Its error ends the run, read ahead or not.
type failingSource struct {
	source.Source
	n int
}

var errUnreadable = errors.New("unreadable")

func (f *failingSource) Next(ctx context.Context) (vessel.Observation, error) {
	if f.n == 0 {
		return vessel.Observation{}, errUnreadable
	}
	f.n--
	return f.Source.Next(ctx)
}

func TestReadAheadSourceError(t *testing.T) {
	in, _ := writeCorpus(t, 10_000)
	sum, err := Run(context.Background(), &nullStore{}, []string{in}, Config{
		Open: func(spec string) (source.Source, error) {
			src, err := source.New(spec, source.Options{})
			return &failingSource{src, 3000}, err
		},
	})
	if !errors.Is(err, errUnreadable) || sum.Lines != 3000 || sum.Status != store.RunFailed {
		t.Fatalf("want the source's error after 3000 lines: %v, %d lines, %s", err, sum.Lines, sum.Status)
	}
}

// mmsiAhead names the vessel of the observation k calls of Next ahead
// while it is in the chunk at hand, and nothing for rejects or past the
// chunk's end.
func TestMMSIAhead(t *testing.T) {
	in, _ := writeCorpus(t, 5_000) // corrupt lines included: rejects
	src, err := source.New(in, source.Options{NMEA: source.NMEAConfig{BaseStationClock: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	ra := startReadAhead(context.Background(), src)
	defer ra.stop()
	// What each call of Next returns: the MMSI, or 0 for a reject.
	var got []uint32
	type ask struct {
		at, k int // after call at, asked k ahead
		mmsi  uint32
		ok    bool
		chunk bool // call at+k is in the same chunk
	}
	var asks []ask
	for i := 0; ; i++ {
		obs, err := ra.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		switch {
		case err != nil && !isReject(err):
			t.Fatal(err)
		case obs.Position != nil:
			got = append(got, obs.Position.MMSI)
		case obs.Static != nil:
			got = append(got, obs.Static.MMSI)
		default:
			got = append(got, 0)
		}
		for _, k := range []int{1, 3, 12} {
			m, ok := ra.mmsiAhead(k)
			asks = append(asks, ask{at: i, k: k, mmsi: m, ok: ok, chunk: i%chunkItems+k < chunkItems})
		}
	}
	hits := 0
	for _, a := range asks {
		j := a.at + a.k
		want := j < len(got) && a.chunk && got[j] != 0
		if a.ok != want || a.ok && a.mmsi != got[j] {
			t.Fatalf("after call %d, %d ahead: (%d, %v), want call %d's MMSI (%v)", a.at, a.k, a.mmsi, a.ok, j, want)
		}
		if a.ok {
			hits++
		}
	}
	if hits < len(asks)*9/10 {
		t.Fatalf("only %d of %d asks answered", hits, len(asks))
	}
}
