package server

import (
	"context"
	"io"
	"time"

	"github.com/lookout-maritime/lookout/internal/dossier"
	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/evidence"
	"github.com/lookout-maritime/lookout/internal/sanctions/match"
	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// Store is what the API reads from the store. Both backends
// (store/duckdb, store/postgres) satisfy it.
type Store interface {
	store.VesselReader
	store.TrackReader
	store.NearFinder
	store.StatsReader
	store.EventReader
	store.RunReader
}

// Deps are the server's collaborators. Store and Tokens are required; every
// other one may be nil, and the endpoints that need it then answer 501 Not
// Implemented saying what is missing.
type Deps struct {
	Store  Store
	Tokens TokenStore

	// Snapshot gives the vessel positions at one time (the map's vessel
	// layer). Nil: an approximation from Near and Track, fine for small
	// stores; a store should implement it for 100 000 vessels.
	Snapshot Snapshotter
	// Search finds vessels by name or call sign, former identities
	// included. Nil: an in-memory index of each vessel's latest identity,
	// rebuilt from Store.Vessels at most every Config.SearchRefresh.
	Search VesselSearcher
	// Screener screens a vessel query against the newest sanctions lists.
	Screener Screener
	// Cases is the evidence log (*evidence.Log satisfies it).
	Cases CaseStore
	// Dossier renders a case as a zip bundle.
	Dossier DossierExporter
	// Audit records each case read and export. Nil with Cases set: the
	// reads are recorded in the evidence log as custody entries when
	// Cases also has Record (as *evidence.Log does).
	Audit Auditor
	// Imagery lists satellite scenes with their vessel detections.
	Imagery Imagery
	// Basemap gives the land polygons under the map.
	Basemap Basemap
	// Places lists ports, anchorages and named zones.
	Places Places
	// Watches keeps alert watches. Nil: in memory (lost on restart), or
	// in Config.WatchFile when set.
	Watches WatchStore
}

// Snapshotter returns, for every vessel with a position in
// [At-MaxAge, At) inside BBox (nil: everywhere), its latest such position.
type Snapshotter interface {
	PositionsAt(ctx context.Context, q SnapshotQuery) ([]vessel.TrackPoint, error)
}

// SnapshotQuery selects the positions Snapshotter returns.
type SnapshotQuery struct {
	At     time.Time
	MaxAge time.Duration
	BBox   *store.BBox
	Limit  int // 0: no limit
}

// VesselSearcher finds vessels by free text: a name (or part of one), a
// call sign. Results best first.
type VesselSearcher interface {
	SearchVessels(ctx context.Context, text string, limit int) ([]store.VesselSummary, error)
}

// Screener screens one ad hoc vessel query. Hits best first.
type Screener interface {
	Screen(ctx context.Context, q match.VesselQuery) ([]match.Hit, error)
}

// CaseStore is the part of the evidence log the API uses; *evidence.Log
// satisfies it.
type CaseStore interface {
	Cases() []evidence.Case
	Case(id string) (evidence.Case, error)
	NewCase(title, who string) (evidence.Case, error)
	Add(caseID string, it evidence.Item, who string, content io.Reader) (evidence.Item, error)
	Item(id string) (evidence.Item, error)
	OpenItem(id string) (io.ReadCloser, error)
}

// DossierExporter writes a case's dossier as a zip to w. The server has
// already recorded the export (Auditor) when it calls ExportZip, so the
// dossier's checkpoint covers the record of its own making.
type DossierExporter interface {
	ExportZip(ctx context.Context, caseID, who string, w io.Writer) error
}

// AuditEntry is one audited access to a case.
type AuditEntry struct {
	Case   string
	Item   string          // "" for the case as a whole
	Action evidence.Action // viewed or exported
	Who    string          // the token's name and role
	Detail string          // what was asked, e.g. "GET /api/cases/C1 from 127.0.0.1"
}

// Auditor records case reads and exports. An error fails the request: no
// case is shown without its record.
type Auditor interface {
	Audit(ctx context.Context, e AuditEntry) error
}

// CustodyRecorder is what EvidenceAuditor needs; *evidence.Log has it.
type CustodyRecorder interface {
	Record(caseID string, c evidence.Custody) (evidence.Entry, error)
}

// EvidenceAuditor records audit entries as custody entries in the
// evidence log.
type EvidenceAuditor struct{ Log CustodyRecorder }

// Audit implements Auditor.
func (a EvidenceAuditor) Audit(_ context.Context, e AuditEntry) error {
	_, err := a.Log.Record(e.Case, evidence.Custody{Action: e.Action, Who: e.Who, Target: e.Item, Detail: e.Detail})
	return err
}

// ImageryQuery selects scenes acquired in [From, To) whose footprint
// intersects BBox (nil: anywhere).
type ImageryQuery struct {
	BBox     *store.BBox
	From, To time.Time
	Limit    int
}

// Imagery lists satellite scenes with their detections (dossier.Scene is
// the shared shape: footprint bounds, sensor, detections matched to AIS
// or dark).
type Imagery interface {
	Scenes(ctx context.Context, q ImageryQuery) ([]dossier.Scene, error)
}

// Basemap returns land polygons inside the box as GeoJSON, simplified at
// toleranceDeg (internal/coast's Mask.LandGeoJSON wrapped in a func).
type Basemap interface {
	LandGeoJSON(minLon, minLat, maxLon, maxLat, toleranceDeg float64) ([]byte, error)
}

// BasemapFunc adapts a function to Basemap.
type BasemapFunc func(minLon, minLat, maxLon, maxLat, toleranceDeg float64) ([]byte, error)

// LandGeoJSON implements Basemap.
func (f BasemapFunc) LandGeoJSON(minLon, minLat, maxLon, maxLat, tol float64) ([]byte, error) {
	return f(minLon, minLat, maxLon, maxLat, tol)
}

// Place is a port, anchorage or zone drawn on the map.
type Place struct {
	Name     string
	Country  string // ISO 3166-1 alpha-2
	Kind     string // "port", "anchorage", "zone", ...
	Lat, Lon float64
	// Polygon is the zone's outer ring as [lon, lat] pairs; nil for a point.
	Polygon  [][2]float64
	HighRisk bool
	Source   string
}

// Places lists the places on the map.
type Places interface {
	Places(ctx context.Context) ([]Place, error)
}

// ensure the shared event type is what alerts carry.
var _ = event.Event{}
