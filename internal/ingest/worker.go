package ingest

import (
	"context"
	"log/slog"

	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/track"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// Stream is the pipeline of Run for input that arrives in pieces and is
// stored piece by piece: one partition of the bus in `lookout worker`.
// Observations go through a tracker and an observer as in Run; Write
// stores what they have emitted since the last Write (identities,
// positions, then events, with Run's store writer); End ends a run of
// input as Run does at its end (flushing the tracker and the observer)
// and starts a fresh tracker and observer for what follows, so that every
// run of input is tracked and detected as a single-process ingest of the
// same input would. A Stream is not safe for concurrent use.
type Stream struct {
	cfg   StreamConfig
	tr    *track.Tracker
	obs   Observer // of the current run; nil: none
	b     batch
	out   *tee
	w     writer
	stats track.Stats // of the trackers ended so far
}

// StreamConfig configures a Stream.
type StreamConfig struct {
	Track track.Config
	// NewObserver returns the observer of one run of input (the streaming
	// detectors); nil, or a nil result: none. The Stream takes a fresh
	// one for every run, as each Run has its own.
	NewObserver func() Observer
	Logger      *slog.Logger
}

// StreamStats is what a Stream did.
type StreamStats struct {
	Added, Duplicates int // positions stored / already stored
	Identities        int // identity batches upserted
	Events            int // events stored
	Track             track.Stats
}

// NewStream returns a Stream storing into st, counting positions against
// run (0: none).
func NewStream(st Store, run store.RunID, cfg StreamConfig) *Stream {
	s := &Stream{cfg: cfg, w: writer{st: st, run: run}}
	s.out = &tee{b: &s.b}
	s.start()
	return s
}

// start begins a run: a fresh tracker and observer.
func (s *Stream) start() {
	s.tr = track.New(s.cfg.Track, s.cfg.Logger)
	s.obs = nil
	if s.cfg.NewObserver != nil {
		s.obs = s.cfg.NewObserver()
	}
	s.out.obs = s.obs
}

// Add tracks one observation; the Stream copies what it keeps.
func (s *Stream) Add(obs vessel.Observation) {
	if s.obs != nil && obs.Static != nil {
		s.obs.Static(*obs.Static)
	}
	s.tr.Add(obs, s.out)
}

// End ends a run of input: everything the tracker holds is emitted and
// the observer's open state becomes events (stored by the next Write);
// the next observation starts a new run.
func (s *Stream) End() {
	s.tr.Flush(s.out)
	if s.obs != nil {
		s.obs.Flush()
		s.b.events = append(s.b.events, s.obs.Drain()...)
	}
	s.stats = addTrackStats(s.stats, s.tr.Stats())
	s.start()
}

// Write stores what was emitted since the last Write, each part an atomic
// store call; the writes are idempotent (the store's natural keys and
// event keys), so writing the same emissions again changes nothing. After
// a failed Write its emissions are gone: discard the Stream and replay its
// input into a new one (the bus worker does).
func (s *Stream) Write(ctx context.Context) error {
	if s.obs != nil {
		s.b.events = append(s.b.events, s.obs.Drain()...)
	}
	err := s.upsertRounds(ctx)
	if err == nil {
		s.w.ctx = ctx
		err = s.w.write(&s.b)
	}
	s.w.ctx = nil
	s.b.reset()
	return err
}

// upsertRounds upserts the identity batches to write, but the last round,
// in rounds holding each identity at most once, leaving the last round to
// the writer. The store recognises an identity batch delivered again (a
// replayed partition) by its interval lying inside the stored one; two
// batches of one identity upserted in one call are merged first, and a
// merged interval reaching past what is stored would count the
// re-delivered batch again. One batch per identity and call keeps every
// replay exact.
func (s *Stream) upsertRounds(ctx context.Context) error {
	seen := map[[2]any]bool{}
	start := 0
	for i := range s.b.ids {
		id := &s.b.ids[i]
		k := [2]any{id.MMSI, id.Key()}
		if seen[k] {
			if err := s.w.st.UpsertIdentities(ctx, s.b.ids[start:i]); err != nil {
				return err
			}
			s.w.idents += i - start
			clear(seen)
			start = i
		}
		seen[k] = true
	}
	if start > 0 {
		n := copy(s.b.ids, s.b.ids[start:])
		clear(s.b.ids[n:])
		s.b.ids = s.b.ids[:n]
	}
	return nil
}

// Stats returns the counts so far.
func (s *Stream) Stats() StreamStats {
	return StreamStats{Added: s.w.added, Duplicates: s.w.dups, Identities: s.w.idents, Events: s.w.events,
		Track: addTrackStats(s.stats, s.tr.Stats())}
}

func addTrackStats(a, b track.Stats) track.Stats {
	a.Observations += b.Observations
	a.Invalid += b.Invalid
	a.Duplicates += b.Duplicates
	a.Points += b.Points
	a.Statics += b.Statics
	a.Buffered = b.Buffered
	a.Late += b.Late
	a.Segments += b.Segments
	a.NewIdentity += b.NewIdentity
	a.IdentityUpd += b.IdentityUpd
	a.Evictions += b.Evictions
	a.Vessels = b.Vessels
	a.Retired = b.Retired
	return a
}
