// Package dossier renders a case as a self-contained bundle a panel of
// experts can read and check offline: index.html (opens from disk, no
// network), report.pdf (the same content, paginated for an annex),
// case.geojson, case.kml, events.csv, the evidence files, the proofs that
// tie each file to a signed checkpoint of the evidence log, and
// manifest.json listing every file with its SHA-256 and size. Verify checks
// a bundle (directory or zip) without Lookout's server.
package dossier

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/evidence"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// Errors.
var (
	ErrInvalid = errors.New("dossier: invalid case")
	ErrBundle  = errors.New("dossier: unreadable bundle")
)

// Case is everything a dossier shows. The caller fills it from the store,
// the sanctions index and the evidence log (FromLog fills the evidence
// part).
type Case struct {
	ID      string
	Title   string
	Created time.Time
	// Generated is when the dossier was made (stamped on every page).
	Generated time.Time
	Author    string
	// Summary is the investigator's account of the case, plain text;
	// blank lines separate paragraphs.
	Summary string
	// Simulated marks a case built on simulated data: every page and the
	// map say so prominently. SimulatedNote says what was simulated.
	Simulated     bool
	SimulatedNote string

	Vessels []Vessel
	Events  []event.Event
	Ports   []Port
	Scenes  []Scene

	// Items are the evidence items with their proofs and content.
	Items []Item
	// Custody is the case's custody record from the log.
	Custody []evidence.Entry
	// Checkpoint is the signed checkpoint every proof is against;
	// PublicKey its verifier key ("name+hash+base64").
	Checkpoint []byte
	PublicKey  string

	// LandGeoJSON is the coastline drawn under the map: a GeoJSON
	// FeatureCollection, Feature or geometry of (Multi)Polygons in WGS 84.
	// LandSource credits it (e.g. "Natural Earth 1:10m land, public domain").
	LandGeoJSON []byte
	LandSource  string
	// InsetLandGeoJSON, when set, is the coastline of map 2 (the zoom on
	// the high-risk port and the imagery, see InsetBounds) at that map's
	// finer detail; without it map 2 uses LandGeoJSON.
	InsetLandGeoJSON []byte
}

// Vessel is one vessel of the case.
type Vessel struct {
	MMSI uint32
	IMO  uint32
	Name string
	Flag string // ISO 3166-1 alpha-2
	// Identities is the identity history, oldest first.
	Identities []vessel.Identity
	Sanctions  []Designation
	// Track is the vessel's track in time order.
	Track []vessel.TrackPoint
}

// Label names the vessel for a reader: its name, else its IMO or MMSI.
func (v *Vessel) Label() string {
	switch {
	case v.Name != "":
		return v.Name
	case v.IMO != 0:
		return fmt.Sprintf("IMO %d", v.IMO)
	default:
		return fmt.Sprintf("MMSI %d", v.MMSI)
	}
}

// Designation is a sanctions listing that matched the vessel.
type Designation struct {
	List        string    // "OFAC SDN", "UN 1718 Committee", "EU 833/2014"...
	ListVersion string    // publication date or version of the list file used
	Source      string    // URL or file the list came from
	Program     string    // sanctions programme or regime
	ListedName  string    // the name as listed
	Listed      time.Time // designation date; zero when the list gives none
	MatchedOn   string    // what matched: "IMO 9358010", "name MAIA-1"...
	Remarks     string
}

// Port is a port or place shown on the map.
type Port struct {
	Name    string
	Country string
	Lat     float64
	Lon     float64
	Note    string
	// HighRisk marks a port of concern (e.g. a DPRK port): it is drawn
	// red and the dark calls that may have reached it are the case.
	HighRisk bool
}

// Scene is a satellite scene or photograph with what was seen in it.
type Scene struct {
	ID       string
	Provider string
	Sensor   string
	Acquired time.Time
	// Item is the evidence item holding the image (PNG or JPEG); "" when
	// the image is not part of the dossier.
	Item string
	// Bounds is the footprint (west, south, east, north), drawn on the
	// map when set.
	Bounds      [4]float64
	Caption     string
	Detections  []Detection
	Annotations []Annotation
}

// Detection is a vessel detected in a scene.
type Detection struct {
	Lat, Lon   float64
	LengthM    float64
	Confidence float64
	MMSI       uint32 // the AIS track it matched, 0 for a dark vessel
	Note       string
}

// Annotation is a labelled box on a scene's image, in fractions of the
// image's width and height from the top left.
type Annotation struct {
	X, Y, W, H float64
	Label      string
}

// Item is an evidence item as the dossier ships it.
type Item struct {
	evidence.Item
	// Proof ties the item's log entry to Case.Checkpoint.
	Proof evidence.ItemProof
	// Open returns the item's content.
	Open func() (io.ReadCloser, error)
}

// Options tune Write.
type Options struct {
	// Sign signs a note text with the installation's key (Log.SignNote);
	// with it the manifest's digest is signed, so a change to
	// manifest.json itself is named. Nil: the manifest is unsigned.
	Sign func(text string) ([]byte, error)
	// Logger receives progress. Default: discard.
	Logger *slog.Logger
}

// FromLog fills c's evidence from the log: every item of the case
// (corrections and corrected items alike), its custody record, a fresh
// checkpoint, the public key, and an inclusion proof for each item against
// that checkpoint. Record the export as a custody action before calling
// it, so the checkpoint covers the export too.
func FromLog(l *evidence.Log, caseID string, c *Case) error {
	ec, err := l.Case(caseID)
	if err != nil {
		return err
	}
	if c.ID == "" {
		c.ID = ec.ID
	}
	if c.Title == "" {
		c.Title = ec.Title
	}
	if c.Created.IsZero() {
		c.Created = ec.Created
	}
	c.Custody = ec.Custody
	cp, err := l.Checkpoint()
	if err != nil {
		return err
	}
	checked, err := evidence.VerifyCheckpoint(l.PublicKey(), cp)
	if err != nil {
		return err
	}
	c.Checkpoint, c.PublicKey = cp, l.PublicKey()
	c.Items = c.Items[:0]
	for _, it := range ec.Items {
		p, err := l.ProveItem(it.ID, checked.Size)
		if err != nil {
			return err
		}
		id := it.ID
		c.Items = append(c.Items, Item{Item: it, Proof: p, Open: func() (io.ReadCloser, error) { return l.OpenItem(id) }})
	}
	return nil
}

func (c *Case) check() error {
	if c.Title == "" || c.ID == "" {
		return fmt.Errorf("%w: a case needs an ID and a title", ErrInvalid)
	}
	for _, it := range c.Items {
		if it.Open == nil {
			return fmt.Errorf("%w: item %s has no content", ErrInvalid, it.ID)
		}
	}
	if len(c.Items) > 0 && (len(c.Checkpoint) == 0 || c.PublicKey == "") {
		return fmt.Errorf("%w: items without a checkpoint and public key cannot be proved", ErrInvalid)
	}
	return nil
}

// vesselByMMSI finds the vessel with the MMSI.
func (c *Case) vesselByMMSI(mmsi uint32) *Vessel {
	for i := range c.Vessels {
		if c.Vessels[i].MMSI == mmsi {
			return &c.Vessels[i]
		}
	}
	return nil
}

// sortedEvents returns the events by start time, withdrawn ones left out.
func (c *Case) sortedEvents() []event.Event {
	evs := slices.DeleteFunc(slices.Clone(c.Events), func(e event.Event) bool { return e.Withdrawn })
	slices.SortStableFunc(evs, func(a, b event.Event) int { return a.Start.Compare(b.Start) })
	return evs
}

func (c *Case) item(id string) *Item {
	for i := range c.Items {
		if c.Items[i].ID == id {
			return &c.Items[i]
		}
	}
	return nil
}
