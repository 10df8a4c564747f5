// Package store declares what Lookout keeps between runs — positions,
// identity history, vessel summaries, ingest-run bookkeeping and (later)
// detector events — as small interfaces with documented contracts, plus the
// value types that cross them. Backends live in sub-packages (duckdb now,
// PostgreSQL + PostGIS later) and must pass the shared conformance suite in
// store/storetest.
//
// # Contracts common to every backend
//
// Time: every time is UTC with microsecond resolution; finer resolution is
// truncated on the way in. Time ranges are half-open [From, To); a zero From
// or To leaves that end open.
//
// Ownership: slices passed in are only read during the call and may be
// reused by the caller as soon as it returns. Slices and maps returned are
// owned by the caller.
//
// Concurrency: a Store is safe for concurrent use by many goroutines. Each
// read sees one consistent committed snapshot; each write call is atomic (all
// of it is visible or none of it, also after a crash) and writes are applied
// one at a time in some serial order. A store does not promise to admit more
// than one process at a time (the DuckDB file does not; PostgreSQL does).
//
// Idempotency: loading the same positions twice stores them once (see
// PositionLoader for the natural key), so an interrupted ingest is repaired
// by running it again.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// Sentinel errors. Backends wrap them with context; test with errors.Is.
var (
	// ErrNotFound: the vessel, IMO or ingest run asked for is not stored.
	ErrNotFound = errors.New("store: not found")
	// ErrSchemaTooNew: the store was written by a newer Lookout whose schema
	// this build does not know; upgrade Lookout (never downgrade a store).
	ErrSchemaTooNew = errors.New("store: schema is newer than this build supports")
	// ErrNeedsMigration: a read-only open found an older schema; open it
	// read-write once to migrate.
	ErrNeedsMigration = errors.New("store: schema needs migration")
	// ErrLocked: another process or another open Store holds the store.
	ErrLocked = errors.New("store: locked by another user")
	// ErrClosed: the Store was closed.
	ErrClosed = errors.New("store: closed")
	// ErrInvalid: an argument is out of range (a radius <= 0, a latitude
	// beyond ±90, an inverted time range...).
	ErrInvalid = errors.New("store: invalid argument")
	// ErrRunState: finishing a run that is not running.
	ErrRunState = errors.New("store: ingest run is not running")
)

// Store is everything a backend provides. Consumers should not take a Store:
// they declare the few methods they use (often one of the interfaces below)
// where they use them.
type Store interface {
	PositionLoader
	IdentityWriter
	RunRecorder
	RunReader
	VesselReader
	TrackReader
	NearFinder
	StatsReader
	EventWriter
	EventReader
	ListStore
	// Close releases the store. It waits for a write in progress and makes
	// later calls fail with ErrClosed. Closing twice is not an error.
	Close() error
}

// PositionLoader stores track points.
//
// The natural key of a position is (MMSI, Time at µs, Lat, Lon): one vessel
// reporting one fix at one instant. The same fix heard by a second receiver,
// repeated in a second file or delivered again by an interrupted-and-rerun
// ingest is a duplicate; the first stored copy wins, including its Source,
// MsgType, Segment and ingest run. Duplicates inside one call count as
// duplicates too.
type PositionLoader interface {
	// AddPositions stores pts as one atomic batch and records its counts
	// against run (0: no run). Points need not be sorted. Large batches
	// (10^5–10^7 points) load fastest; each call is one transaction, so a
	// crash loses at most the call in progress.
	AddPositions(ctx context.Context, run RunID, pts []vessel.TrackPoint) (LoadStats, error)
}

// LoadStats says what one AddPositions call did.
type LoadStats struct {
	Added      int // new positions stored
	Duplicates int // positions already stored, or repeated within the call
}

// IdentityWriter keeps identity history.
//
// Identities are keyed by (MMSI, vessel.Identity.Key()). Upserting an
// identity whose key is new adds it to the history (a rename, re-flag or new
// IMO is a new identity; the old one is kept). Upserting a known key extends
// it: FirstSeen becomes the earlier, LastSeen the later of the two;
// Destination, Class, Length and Beam follow the later report (when it
// has them); Source is that of the earliest report. Reports add up,
// except that an upsert whose [FirstSeen, LastSeen]
// lies inside the stored interval is taken as a re-delivery of data already
// counted (a re-run ingest) and only raises Reports to its own count if that
// is larger — so re-ingesting a file changes nothing.
//
// The vessel summary of each MMSI (VesselSummary.Latest) follows the
// identity with the latest LastSeen.
type IdentityWriter interface {
	// UpsertIdentities applies ids atomically, in slice order.
	UpsertIdentities(ctx context.Context, ids []vessel.Identity) error
}

// RunID identifies an ingest run. IDs are positive and increase.
type RunID int64

// RunStatus is an ingest run's state.
type RunStatus string

const (
	RunRunning RunStatus = "running"
	RunOK      RunStatus = "ok"
	RunFailed  RunStatus = "failed"
	// RunInterrupted marks a run found still "running" when the store was
	// next opened for writing: its process died. The positions it committed
	// stay; re-running the same ingest completes it without duplicates.
	RunInterrupted RunStatus = "interrupted"
)

// RunRecorder keeps ingest-run bookkeeping. PositionsAdded and
// DuplicatesSkipped are maintained by AddPositions in the same transaction
// as the positions, so they are exact even for an interrupted run.
type RunRecorder interface {
	// BeginRun records a new running run reading sources.
	BeginRun(ctx context.Context, sources []string) (RunID, error)
	// FinishRun records the end of a running run with the counts the
	// pipeline kept. It fails with ErrNotFound for an unknown run and
	// ErrRunState for one that is not running.
	FinishRun(ctx context.Context, id RunID, res RunResult) error
}

// RunResult is what the pipeline reports when a run ends.
type RunResult struct {
	Status           RunStatus // RunOK or RunFailed
	Lines            int64     // input lines or rows read
	Decoded          int64     // of which decoded into observations
	Rejected         int64     // of which rejected
	RejectedByReason map[string]int64
}

// IngestRun is one recorded run.
type IngestRun struct {
	ID                RunID
	Started           time.Time
	Finished          time.Time // zero while running or when interrupted
	Sources           []string
	Status            RunStatus
	Lines             int64
	Decoded           int64
	Rejected          int64
	RejectedByReason  map[string]int64 // never nil
	PositionsAdded    int64
	DuplicatesSkipped int64
}

// RunReader reads ingest runs.
type RunReader interface {
	// Run returns one run or ErrNotFound.
	Run(ctx context.Context, id RunID) (IngestRun, error)
	// Runs returns all runs, newest first.
	Runs(ctx context.Context) ([]IngestRun, error)
}

// VesselSummary is one MMSI as the store knows it.
type VesselSummary struct {
	MMSI uint32
	// Latest is the identity seen last, nil when the MMSI sent positions
	// but no static data.
	Latest *vessel.Identity
	// Identities is the number of distinct identities seen.
	Identities int
	// Positions is the number of positions stored.
	Positions int64
	// FirstSeen and LastSeen span positions and identity reports.
	FirstSeen, LastSeen time.Time
}

// VesselHistory is a vessel with its identity history.
type VesselHistory struct {
	VesselSummary
	// History holds every identity of the MMSI, ordered by FirstSeen.
	History []vessel.Identity
}

// VesselOrder orders a vessel listing.
type VesselOrder int

const (
	ByMMSI      VesselOrder = iota // ascending MMSI
	ByPositions                    // most positions first, then MMSI
	ByLastSeen                     // most recently seen first, then MMSI
)

// VesselQuery selects a vessel listing.
type VesselQuery struct {
	Order  VesselOrder
	Limit  int // 0: no limit
	Offset int
}

// VesselReader reads vessels.
type VesselReader interface {
	// Vessels lists vessels. An empty store gives an empty list.
	Vessels(ctx context.Context, q VesselQuery) ([]VesselSummary, error)
	// Vessel returns one MMSI with its identity history, or ErrNotFound.
	Vessel(ctx context.Context, mmsi uint32) (VesselHistory, error)
	// VesselsByIMO returns every MMSI that ever broadcast imo, ordered by
	// MMSI, or ErrNotFound when none did.
	VesselsByIMO(ctx context.Context, imo uint32) ([]VesselHistory, error)
}

// TrackReader reads tracks.
type TrackReader interface {
	// Track returns the positions of mmsi with from <= Time < to (zero
	// bounds are open) ordered by time, then lat, lon. An MMSI without
	// positions gives an empty track, not an error.
	Track(ctx context.Context, mmsi uint32, from, to time.Time) ([]vessel.TrackPoint, error)
}

// PositionScanner reads every stored position in time order: how
// detectors are re-run over a store (`lookout detect`), where encounters
// need all vessels' fixes interleaved as they happened.
type PositionScanner interface {
	// ScanPositions calls fn with the positions with from <= Time < to
	// (zero bounds are open), ordered by time, then MMSI, lat, lon, in
	// batches of at most a few thousand; fn must not keep the slice. An
	// error from fn stops the scan and is returned.
	ScanPositions(ctx context.Context, from, to time.Time, fn func([]vessel.TrackPoint) error) error
}

// IdentityScanner reads every stored identity in one pass: how whole-store
// work (risk ratings, detector re-runs) avoids a query per vessel.
type IdentityScanner interface {
	// ScanIdentities calls fn with every stored identity, ordered by
	// MMSI, then FirstSeen, LastSeen and key (the order of
	// VesselHistory.History), in batches; fn must not keep the slice. An
	// error from fn stops the scan and is returned.
	ScanIdentities(ctx context.Context, fn func([]vessel.Identity) error) error
}

// NearQuery asks which vessels were within RadiusKm of (Lat, Lon) with
// From <= time < To. Distances are great-circle (haversine) on a sphere of
// EarthRadiusKm.
type NearQuery struct {
	Lat, Lon float64
	RadiusKm float64
	From, To time.Time
}

// NearHit is one vessel found by Near.
type NearHit struct {
	MMSI      uint32
	Latest    *vessel.Identity // as in VesselSummary
	Positions int64            // positions inside the circle and time range
	// FirstSeen and LastSeen are the first and last position inside.
	FirstSeen, LastSeen time.Time
	// Closest is the position inside nearest to the centre (the earliest
	// of equally near ones).
	Closest Approach
}

// Approach is a vessel's closest approach to a point.
type Approach struct {
	DistanceKm float64
	Time       time.Time
	Lat, Lon   float64
}

// NearFinder answers proximity questions.
type NearFinder interface {
	// Near returns the vessels with at least one position inside the
	// circle, nearest first (then by MMSI). Circles crossing the
	// antimeridian or containing a pole are handled. RadiusKm must be > 0
	// and at most half the Earth's circumference (ErrInvalid otherwise).
	Near(ctx context.Context, q NearQuery) ([]NearHit, error)
}

// Stats are store-wide counts.
type Stats struct {
	Positions     int64
	Vessels       int64
	Identities    int64
	Runs          int64
	SchemaVersion int
}

// StatsReader reads store-wide counts.
type StatsReader interface {
	Stats(ctx context.Context) (Stats, error)
}

// EventWriter keeps detector events (internal/event).
//
// Events are keyed by event.Event.Key. Putting an event whose Key is new
// adds it with a new ID; putting a known Key replaces the stored event and
// keeps its ID (a revision, or a withdrawal, of the same finding).
type EventWriter interface {
	// PutEvents upserts evs atomically, in slice order.
	PutEvents(ctx context.Context, evs []event.Event) error
	// ReplaceEvents atomically deletes every stored event whose Detector
	// is in detectors and upserts evs: a re-run of detection over stored
	// data. Events that are upserted again keep their IDs.
	ReplaceEvents(ctx context.Context, detectors []string, evs []event.Event) error
}

// EventQuery selects events. Zero fields do not filter.
type EventQuery struct {
	Kinds []event.Kind
	MMSI  uint32 // the event's vessel or, for encounters, the other one
	// From and To select events overlapping [From, To): End >= From and
	// Start < To.
	From, To time.Time
	// BBox, when set, keeps events whose representative position is inside.
	BBox      *BBox
	Detectors []string
	// Withdrawn events are left out unless asked for.
	IncludeWithdrawn bool
	Limit            int // 0: no limit
}

// BBox is a latitude/longitude rectangle; MinLon > MaxLon crosses the
// antimeridian.
type BBox struct{ MinLat, MinLon, MaxLat, MaxLon float64 }

// Contains reports whether (lat, lon) is inside b.
func (b BBox) Contains(lat, lon float64) bool {
	if lat < b.MinLat || lat > b.MaxLat {
		return false
	}
	if b.MinLon <= b.MaxLon {
		return lon >= b.MinLon && lon <= b.MaxLon
	}
	return lon >= b.MinLon || lon <= b.MaxLon
}

// EventReader reads events.
type EventReader interface {
	// Events returns the selected events ordered by Start, then ID.
	Events(ctx context.Context, q EventQuery) ([]event.Event, error)
	// Event returns one event by ID or ErrNotFound.
	Event(ctx context.Context, id int64) (event.Event, error)
}

// ListVersion is one load of a sanctions list: the store keeps every
// version so that screening results can say which one they used and
// `lookout sanctions diff` can compare two.
type ListVersion struct {
	ID        int64
	Source    string    // sanctions.Source, e.g. "OFAC-SDN"
	Format    string    // e.g. "ofac-xml"
	Published time.Time // as the file states; zero when it does not
	SHA256    string    // of the input file(s)
	Files     []string
	Loaded    time.Time
	Entities  int
	Vessels   int
	// URL, ETag and LastModified are set when the version was downloaded:
	// the next update asks the server only for something newer.
	URL, ETag, LastModified string
}

// ListStore keeps sanctions list versions with their content (an opaque
// encoding the sanctions package chooses).
type ListStore interface {
	// AddListVersion stores a new version. When a version of the same
	// Source with the same SHA256 is stored already, it returns that one
	// and added=false, storing nothing.
	AddListVersion(ctx context.Context, v ListVersion, data []byte) (stored ListVersion, added bool, err error)
	// ListVersions returns every version, newest (highest ID) first.
	ListVersions(ctx context.Context) ([]ListVersion, error)
	// ListData returns a version's content, or ErrNotFound.
	ListData(ctx context.Context, id int64) ([]byte, error)
}
