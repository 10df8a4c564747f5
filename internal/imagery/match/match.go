// Package match matches vessels detected in a satellite scene to AIS
// tracks: which detection is which transmitting vessel, which detections
// have no AIS (dark vessels), and which transmitting vessels inside the
// footprint were not seen (possible spoofing, or too small to image).
//
// Each AIS track is interpolated to the acquisition time (dead-reckoned
// from its nearest fix when the scene falls outside it). A detection and a
// track may pair only within a gate that grows with the time since the
// track's nearest fix and with its speed. Pairs are scored by a negative
// log-likelihood — a Gaussian position error whose spread grows the same
// way, plus length agreement — against the alternatives "the detection is
// a vessel without AIS" and "the vessel was not detected", and the
// assignment minimising the total over each connected group is found
// exactly (Assign). A pair's score is the posterior odds of the optimal
// assignment against the best one without that pair: when an alternative
// is nearly as likely the match is flagged ambiguous rather than guessed.
package match

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/imagery"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// Detector and Version name the events this package emits.
const (
	Detector = "imagery-match"
	Version  = "1"
)

// ErrInput is returned for unusable input.
var ErrInput = errors.New("match: bad input")

// Track is one vessel's AIS fixes around the acquisition, in time order.
type Track struct {
	MMSI    uint32
	IMO     uint32
	Name    string
	LengthM float64 // from static data, 0 when unknown
	Points  []vessel.TrackPoint
}

// LandMask says whether a point is on land (internal/coast's Mask is one);
// a vessel predicted on land is in a berth the detector did not test.
type LandMask interface {
	OnLand(lat, lon float64) bool
}

// Config sets the matcher; zero fields take the defaults.
type Config struct {
	// MaxFixAge: a track whose nearest fix is further than this from the
	// acquisition time is not predicted (default 30 min).
	MaxFixAge time.Duration
	// SigmaM is the position error at a fix: AIS GNSS error plus the
	// scene's geolocation error (default 150 m).
	SigmaM float64
	// DriftKn is how fast the prediction error grows for a vessel whose
	// speed is unknown or zero (default 2 kn); SpeedFraction the extra
	// growth per knot of speed (default 0.3: course and speed changes).
	DriftKn, SpeedFraction float64
	// AzimuthShiftS: a SAR image displaces a moving ship along the
	// satellite track by about slant range / satellite speed × its radial
	// speed (≈ 110 s for Sentinel-1 IW); half of that times the speed is
	// added to the error (default 110; 0 for optical imagery: set
	// OpticalImagery).
	AzimuthShiftS  float64
	OpticalImagery bool
	// GateSigmas: pairs further apart than this many standard deviations
	// are not considered (default 4). MaxGateM caps the gate (default
	// 20 km).
	GateSigmas, MaxGateM float64
	// LengthSigma is the spread of ln(detected length / AIS length)
	// (default 0.3).
	LengthSigma float64
	// DarkDensityKm2 is the expected density of vessels without AIS, per
	// km² (default 0.01): the likelihood a detection is dark is compared
	// with that of a pairing against it.
	DarkDensityKm2 float64
	// DetectProb is the chance a vessel in the footprint is detected
	// (default 0.9).
	DetectProb float64
	// MinScore: matches scoring below it are reported ambiguous (default
	// 0.8, i.e. the runner-up is at least a quarter as likely).
	MinScore float64
	// MinDetectableM: vessels shorter are not expected to be seen
	// (default 3× the scene's resolution, 0 when that is unknown).
	MinDetectableM float64
	// ExactLimit is the largest group (detections + tracks) whose
	// per-pair scores are computed by re-solving (default 80); larger
	// groups get the local margin of each pair.
	ExactLimit int
}

func (c Config) withDefaults(s *imagery.Scene) Config {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	if c.MaxFixAge == 0 {
		c.MaxFixAge = 30 * time.Minute
	}
	def(&c.SigmaM, 150)
	def(&c.DriftKn, 2)
	def(&c.SpeedFraction, 0.3)
	if c.OpticalImagery {
		c.AzimuthShiftS = 0
	} else {
		def(&c.AzimuthShiftS, 110)
	}
	def(&c.GateSigmas, 4)
	def(&c.MaxGateM, 20000)
	def(&c.LengthSigma, 0.3)
	def(&c.DarkDensityKm2, 0.01)
	def(&c.DetectProb, 0.9)
	def(&c.MinScore, 0.8)
	if c.MinDetectableM == 0 && s != nil {
		c.MinDetectableM = 3 * s.ResolutionM
	}
	if c.ExactLimit == 0 {
		c.ExactLimit = 80
	}
	return c
}

// Candidate is another vessel a detection could be.
type Candidate struct {
	MMSI      uint32  `json:"mmsi"`
	Name      string  `json:"name,omitempty"`
	DistanceM float64 `json:"distance_m"`
}

// Match pairs a detection with an AIS vessel.
type Match struct {
	Detection imagery.Detection `json:"detection"`
	MMSI      uint32            `json:"mmsi"`
	IMO       uint32            `json:"imo,omitempty"`
	Name      string            `json:"name,omitempty"`
	LengthM   float64           `json:"length_m,omitempty"` // from AIS
	// PredLat, PredLon: the track at the acquisition time.
	PredLat   float64 `json:"pred_lat"`
	PredLon   float64 `json:"pred_lon"`
	DistanceM float64 `json:"distance_m"`
	// FixAge is the time from the acquisition to the track's nearest fix.
	FixAge time.Duration `json:"fix_age"`
	// Score in (0, 1): the odds of this assignment against the best one
	// without this pair, as a probability. Ambiguous when below MinScore;
	// Alternatives then names the other vessels in the gate.
	Score        float64     `json:"score"`
	Ambiguous    bool        `json:"ambiguous,omitempty"`
	Alternatives []Candidate `json:"alternatives,omitempty"`
}

// Dark is a detection no AIS vessel accounts for.
type Dark struct {
	Detection imagery.Detection `json:"detection"`
	// Score: probability it is not one of Candidates (1 when none was in
	// the gate).
	Score      float64     `json:"score"`
	Candidates []Candidate `json:"candidates,omitempty"`
}

// Unseen is an AIS vessel predicted inside the footprint with no
// detection.
type Unseen struct {
	MMSI    uint32        `json:"mmsi"`
	Name    string        `json:"name,omitempty"`
	Lat     float64       `json:"lat"`
	Lon     float64       `json:"lon"`
	FixAge  time.Duration `json:"fix_age"`
	LengthM float64       `json:"length_m,omitempty"`
	// Reason: "not detected" (possible spoofing, or a missed detection),
	// "too small" (below MinDetectableM), "on land mask" (in a berth or on
	// a coastline the detector did not test).
	Reason string `json:"reason"`
	// Score: how strongly the scene contradicts the AIS position
	// (0 when Reason explains the absence).
	Score float64 `json:"score"`
}

// Result is the outcome for one scene.
type Result struct {
	SceneID string
	Time    time.Time
	Matched []Match
	Dark    []Dark
	// Events are the dark_detection events, one per Dark.
	Events  []event.Event
	NotSeen []Unseen
	// NotImaged lists tracks predicted at the acquisition time outside the
	// footprint: no conclusion either way.
	NotImaged []uint32
	// Stale counts tracks with no fix within MaxFixAge.
	Stale int
}

// predicted is a track at the acquisition time.
type predicted struct {
	tr       *Track
	lat, lon float64
	age      time.Duration
	speedKn  float64
	sigma    float64
	gate     float64
	interp   bool
}

// Predict returns the track's position at t: interpolated between the
// fixes around t within one segment, else dead-reckoned from the nearest
// fix by its speed and course. ok is false when no fix is within maxAge.
func Predict(tr *Track, t time.Time, maxAge time.Duration) (lat, lon float64, age time.Duration, speedKn float64, interp, ok bool) {
	pts := tr.Points
	i := sort.Search(len(pts), func(i int) bool { return !pts[i].Time.Before(t) })
	var a, b *vessel.TrackPoint
	if i > 0 {
		a = &pts[i-1]
	}
	if i < len(pts) {
		b = &pts[i]
	}
	if a != nil && t.Sub(a.Time) > maxAge {
		a = nil
	}
	if b != nil && b.Time.Sub(t) > maxAge {
		b = nil
	}
	if a != nil && b != nil && a.Segment != b.Segment {
		// Different segments: the nearer fix alone.
		if t.Sub(a.Time) <= b.Time.Sub(t) {
			b = nil
		} else {
			a = nil
		}
	}
	switch {
	case a != nil && b != nil:
		span := b.Time.Sub(a.Time).Seconds()
		f := 0.0
		if span > 0 {
			f = t.Sub(a.Time).Seconds() / span
		}
		dlon := math.Remainder(b.Lon-a.Lon, 360)
		lat, lon = a.Lat+f*(b.Lat-a.Lat), wrap(a.Lon+f*dlon)
		age = min(t.Sub(a.Time), b.Time.Sub(t))
		speedKn = sog(a)
		if math.IsNaN(speedKn) && span > 0 {
			speedKn = distanceM(a.Lat, a.Lon, b.Lat, b.Lon) / 1852 / (span / 3600)
		}
		if math.IsNaN(speedKn) {
			speedKn = 0
		}
		return lat, lon, age, speedKn, true, true
	case a != nil || b != nil:
		p := a
		if p == nil {
			p = b
		}
		dt := t.Sub(p.Time).Seconds() // negative when extrapolating backwards
		lat, lon = p.Lat, p.Lon
		speedKn = sog(p)
		if !math.IsNaN(speedKn) && !math.IsNaN(float64(p.COG)) && speedKn > 0.5 {
			lat, lon = destination(p.Lat, p.Lon, float64(p.COG), speedKn*1852/3600*dt)
		}
		if math.IsNaN(speedKn) {
			speedKn = 0
		}
		return lat, lon, time.Duration(math.Abs(dt) * float64(time.Second)), speedKn, false, true
	}
	return 0, 0, 0, 0, false, false
}

func sog(p *vessel.TrackPoint) float64 {
	v := float64(p.SOG)
	if math.IsNaN(v) || v < 0 || v >= 102.3 {
		return math.NaN()
	}
	return v
}

func wrap(lon float64) float64 { return math.Remainder(lon, 360) }

func distanceM(lat1, lon1, lat2, lon2 float64) float64 {
	const r, rad = 6371008.8, math.Pi / 180
	s1 := math.Sin((lat2 - lat1) * rad / 2)
	s2 := math.Sin((lon2 - lon1) * rad / 2)
	h := s1*s1 + math.Cos(lat1*rad)*math.Cos(lat2*rad)*s2*s2
	return 2 * r * math.Asin(math.Sqrt(math.Min(h, 1)))
}

func destination(lat, lon, brg, d float64) (float64, float64) {
	const r, rad = 6371008.8, math.Pi / 180
	a := d / r
	p1, l1, t := lat*rad, lon*rad, brg*rad
	p2 := math.Asin(math.Sin(p1)*math.Cos(a) + math.Cos(p1)*math.Sin(a)*math.Cos(t))
	l2 := l1 + math.Atan2(math.Sin(t)*math.Sin(a)*math.Cos(p1), math.Cos(a)-math.Sin(p1)*math.Sin(p2))
	return p2 / rad, wrap(l2 / rad)
}

// Input is one scene's detections and the AIS tracks around it.
type Input struct {
	Scene      imagery.Scene
	Detections []imagery.Detection
	Tracks     []Track
	// Land, when set, explains vessels predicted on land.
	Land LandMask
}

// Run matches one scene.
func Run(in Input, cfg Config) (*Result, error) {
	if in.Scene.Acquired.IsZero() {
		return nil, fmt.Errorf("%w: scene %q has no acquisition time", ErrInput, in.Scene.ID)
	}
	if len(in.Scene.Footprint) == 0 {
		return nil, fmt.Errorf("%w: scene %q has no footprint: without one, unseen and not imaged cannot be told apart", ErrInput, in.Scene.ID)
	}
	cfg = cfg.withDefaults(&in.Scene)
	t := in.Scene.Acquired
	res := &Result{SceneID: in.Scene.ID, Time: t}
	// Predict every track; keep those inside (or near: a vessel just
	// outside may still be the detection at the edge) the footprint.
	var preds []predicted
	for i := range in.Tracks {
		tr := &in.Tracks[i]
		lat, lon, age, spd, interp, ok := Predict(tr, t, cfg.MaxFixAge)
		if !ok {
			res.Stale++
			continue
		}
		p := predicted{tr: tr, lat: lat, lon: lon, age: age, speedKn: spd, interp: interp}
		drift := (cfg.DriftKn + cfg.SpeedFraction*spd) * 1852 / 3600 * age.Seconds()
		az := 0.5 * cfg.AzimuthShiftS * spd * 1852 / 3600
		p.sigma = math.Sqrt(cfg.SigmaM*cfg.SigmaM + drift*drift + az*az)
		p.gate = math.Min(cfg.GateSigmas*p.sigma, cfg.MaxGateM)
		preds = append(preds, p)
	}
	m := newMatcher(in, preds, cfg)
	m.solve(res)
	return res, nil
}
