package sim

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// Notice is the label every file the simulator writes carries.
const Notice = "SIMULATED data for the Lookout founding-case demo: every AIS message, track, image and detection is made up. " +
	"Only the three designated ships' names, IMO numbers, types and flag, the designations, the ports and the dates taken from public reporting are real (see docs/DEMO.md)."

// Manifest is the ground truth of a written scenario (manifest.json).
type Manifest struct {
	Simulated bool      `json:"simulated"` // always true
	Notice    string    `json:"notice"`
	Generator string    `json:"generator"`
	Seed      int64     `json:"seed"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	// Files are every file written, with their SHA-256.
	Files   []File    `json:"files"`
	AIS     AISStats  `json:"ais"`
	Vessels []Vessel  `json:"vessels"`
	Ports   []PortRef `json:"ports"`
	// DarkLegs are the founding ships' AIS-off periods and the port they
	// actually visited meanwhile: the dark-port-visit ground truth.
	DarkLegs []DarkLeg `json:"dark_legs"`
	// PortCalls are every stay alongside of the founding ships, the
	// look-alike and the STS tankers (with AIS on or off).
	PortCalls []PortCall `json:"port_calls"`
	Scenes    []Scene    `json:"scenes"`
	// LookAlike is the vessel screening must not flag, and the designated
	// one it resembles.
	LookAlike LookAlike `json:"look_alike"`
	// STS is the legitimate ship-to-ship transfer.
	STS STSPair `json:"sts"`
	// Dropouts are the ordinary vessels' reception gaps (all shorter than
	// 12 h, none near the DPRK).
	Dropouts []Dropout `json:"dropouts"`
	// Truth is what the behaviour detectors should find: every vessel's
	// port visits, the gaps and dark port visits of the dark legs, the
	// encounter of the STS pair (see TruthEvent; Score compares events
	// with it).
	Truth []TruthEvent `json:"truth"`
}

// File is one written file, relative to the output directory.
type File struct {
	Path   string `json:"path"`
	Kind   string `json:"kind"` // "ais-nmea", "ais-csv", "scene-image", "scene-sidecar", "detections", "sar-geotiff", "readme"
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// AISStats counts what the AIS files hold.
type AISStats struct {
	File      string         `json:"file"`
	Lines     int            `json:"lines"`     // NMEA sentences (lines)
	Messages  int            `json:"messages"`  // AIS messages (a type 5 is two lines)
	Positions int            `json:"positions"` // types 1, 2, 3
	Statics   int            `json:"statics"`   // type 5
	ByType    map[string]int `json:"by_type"`
	// CSVFile and CSVRows: the optional second file.
	CSVFile string `json:"csv_file,omitempty"`
	CSVRows int    `json:"csv_rows,omitempty"`
	// With a degraded Reception: the reception, the messages sent
	// (Messages counts the copies received, what a decoder reads), and
	// those no station heard.
	Reception *Reception `json:"reception,omitempty"`
	Sent      int        `json:"sent,omitempty"`
	Unheard   int        `json:"unheard,omitempty"`
}

// PortRef is a port of the scenario and its reference point; berths lie
// within 3 km of it.
type PortRef struct {
	Name     string  `json:"name"`
	Country  string  `json:"country"`
	Lat      float64 `json:"lat"`
	Lon      float64 `json:"lon"`
	HighRisk bool    `json:"high_risk,omitempty"`
}

// DarkLeg is one AIS-off period of a founding ship.
type DarkLeg struct {
	MMSI uint32 `json:"mmsi"`
	IMO  uint32 `json:"imo"`
	Name string `json:"name"`
	// Off is the switch-off (the last report is at most one reporting
	// interval before it), On the switch-on.
	Off    time.Time `json:"off"`
	On     time.Time `json:"on"`
	OffLat float64   `json:"off_lat"`
	OffLon float64   `json:"off_lon"`
	OnLat  float64   `json:"on_lat"`
	OnLon  float64   `json:"on_lon"`
	// Port is the port actually visited, Arrived/Departed the stay
	// alongside, BerthLat/Lon where the ship lay.
	Port     string    `json:"port"`
	Country  string    `json:"country"`
	Arrived  time.Time `json:"arrived"`
	Departed time.Time `json:"departed"`
	BerthLat float64   `json:"berth_lat"`
	BerthLon float64   `json:"berth_lon"`
	// From and To are the Russian ports before and after.
	From          string  `json:"from"`
	To            string  `json:"to"`
	DraughtBefore float64 `json:"draught_before_m"`
	DraughtAfter  float64 `json:"draught_after_m"`
}

// PortCall is one stay alongside.
type PortCall struct {
	MMSI     uint32    `json:"mmsi"`
	Name     string    `json:"name"`
	Port     string    `json:"port"`
	Arrived  time.Time `json:"arrived"`
	Departed time.Time `json:"departed"`
	AISOff   bool      `json:"ais_off,omitempty"` // the whole stay was dark
}

// Scene is one simulated satellite scene over Najin.
type Scene struct {
	ID       string    `json:"id"`
	Acquired time.Time `json:"acquired"`
	Platform string    `json:"platform"`
	// Kind is "optical" (a rendered PNG with a sidecar) or "sar" (a
	// GeoTIFF the CFAR detector can run on).
	Kind        string  `json:"kind"`
	ResolutionM float64 `json:"resolution_m"`
	// Footprint is the imaged area: a closed ring of [lon, lat].
	Footprint [][2]float64 `json:"footprint"`
	// Image, Sidecar and DetectionsCSV are file paths relative to the
	// output directory ("" when not written).
	Image         string `json:"image,omitempty"`
	Sidecar       string `json:"sidecar,omitempty"`
	DetectionsCSV string `json:"detections_csv,omitempty"`
	Caption       string `json:"caption"`
	// Detections are the vessels in the scene: for optical scenes the
	// rows of DetectionsCSV; for SAR the ships drawn (a detector must find
	// them).
	Detections []Detection `json:"detections"`
}

// Detection is one vessel seen in a scene, with the truth behind it.
type Detection struct {
	ID         string  `json:"id"`
	Lat        float64 `json:"lat"`
	Lon        float64 `json:"lon"`
	LengthM    float64 `json:"length_m"`
	WidthM     float64 `json:"width_m"`
	HeadingDeg float64 `json:"heading_deg"`
	Confidence float64 `json:"confidence"`
	// MMSI and Name of the vessel really there (0/"" for a local vessel
	// that has no AIS); AISOff whether its AIS was off at the time.
	MMSI   uint32 `json:"mmsi,omitempty"`
	Name   string `json:"name,omitempty"`
	AISOff bool   `json:"ais_off"`
	// TrueLat/Lon and TrueLengthM are the vessel's real position and
	// length (the detection carries measurement error).
	TrueLat     float64 `json:"true_lat"`
	TrueLon     float64 `json:"true_lon"`
	TrueLengthM float64 `json:"true_length_m"`
}

// LookAlike is the vessel named like a designated one.
type LookAlike struct {
	MMSI         uint32 `json:"mmsi"`
	IMO          uint32 `json:"imo"`
	Name         string `json:"name"`
	Resembles    string `json:"resembles"`
	ResemblesIMO uint32 `json:"resembles_imo"`
}

// STSPair is the legitimate ship-to-ship transfer.
type STSPair struct {
	MMSI      [2]uint32 `json:"mmsi"`
	Names     [2]string `json:"names"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Lat       float64   `json:"lat"`
	Lon       float64   `json:"lon"`
	DistanceM float64   `json:"distance_m"` // between the two hulls' reference points
}

// Dropout is an ordinary reception gap.
type Dropout struct {
	MMSI  uint32    `json:"mmsi"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

func timeUTC(t int64) time.Time { return time.Unix(t, 0).UTC() }

// ReadManifest reads a manifest.json written by Write.
func ReadManifest(path string) (Manifest, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Manifest{}, fmt.Errorf("sim: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return Manifest{}, fmt.Errorf("sim: %s: %w", path, err)
	}
	if !m.Simulated {
		return Manifest{}, fmt.Errorf("sim: %s is not a simulator manifest", path)
	}
	return m, nil
}

// Vessel returns the vessel with an MMSI.
func (m *Manifest) Vessel(mmsi uint32) (Vessel, bool) {
	for _, v := range m.Vessels {
		if v.MMSI == mmsi {
			return v, true
		}
	}
	return Vessel{}, false
}

// ByRole returns the vessels of a role, in manifest order.
func (m *Manifest) ByRole(r Role) []Vessel {
	var out []Vessel
	for _, v := range m.Vessels {
		if v.Role == r {
			out = append(out, v)
		}
	}
	return out
}

// DarkLegsOf returns a vessel's dark legs in time order.
func (m *Manifest) DarkLegsOf(mmsi uint32) []DarkLeg {
	var out []DarkLeg
	for _, d := range m.DarkLegs {
		if d.MMSI == mmsi {
			out = append(out, d)
		}
	}
	return out
}
