package track

import "time"

// Defaults of Config. The segmentation defaults are those of Global Fishing
// Watch's gpsdio-segment (github.com/GlobalFishingWatch/gpsdio-segment,
// gpsdio_segment/core.py: DEFAULT_MAX_HOURS = 24, DEFAULT_MAX_SPEED = 40
// knots, DEFAULT_NOISE_DIST = 500 m).
const (
	DefaultReorder         = 5 * time.Minute
	DefaultReorderDepth    = 8
	DefaultDuplicate       = 2 * time.Second
	DefaultMaxGap          = 24 * time.Hour
	DefaultMaxSpeed        = 40.0  // knots
	DefaultNoise           = 500.0 // metres
	DefaultMaxSegments     = 8
	DefaultIdle            = 24 * time.Hour
	DefaultIdentityGrace   = 15 * time.Minute
	DefaultIdentityRefresh = time.Hour
)

// Config tunes a Tracker. Every duration is event time (the observations'
// own timestamps), never the wall clock. A zero field takes its default.
type Config struct {
	// Reorder is how late an observation may arrive, relative to the newest
	// observation of the same vessel, and still be put in time order.
	// Each vessel's observations are held in a buffer and released in time
	// order once the vessel's newest event time (or, for a vessel that fell
	// silent, the newest event time of the whole input) is Reorder past
	// them. An observation older than one already released is "late": it is
	// still emitted, at once, and counted in Stats.Late. Negative: no
	// buffering; everything is released as it arrives.
	// Default DefaultReorder (5 min).
	Reorder time.Duration

	// ReorderDepth bounds each vessel's reorder buffer: when more than
	// ReorderDepth of its observations wait, the oldest are released
	// without waiting out Reorder. An observation that arrives behind
	// ReorderDepth newer ones of its vessel is then late even within
	// Reorder (and a copy of an older report that arrives that late is
	// no longer recognised as a duplicate). This is what keeps memory per
	// vessel bounded whatever its reporting rate — a class A ship under
	// way reports every 2 to 10 s, 30 to 150 times in 5 minutes — while
	// the disorder of merged terrestrial feeds (receivers seconds apart)
	// is a few reports deep. Negative: no bound, only Reorder.
	// Default DefaultReorderDepth (8).
	ReorderDepth int

	// Duplicate is how far apart the event times of two copies of one
	// report may be (the same message heard by two receivers whose clocks
	// or tag blocks differ by a second). Two positions of one MMSI within
	// Duplicate of each other with the same latitude, longitude, speed,
	// course, heading, status and message type are one report; so are two
	// static reports with identical content. The first to arrive is kept,
	// later copies are dropped and counted. Negative: no de-duplication.
	// Default DefaultDuplicate (2 s).
	Duplicate time.Duration

	// MaxGap ends a segment: a fix more than MaxGap after a segment's last
	// fix never joins it. Default DefaultMaxGap (24 h).
	MaxGap time.Duration

	// MaxSpeed in knots: a fix joins a segment only if the speed implied
	// from the segment's last fix is at most MaxSpeed, or the two are at
	// most Noise apart. Default DefaultMaxSpeed (40 kn).
	MaxSpeed float64

	// Noise in metres: fixes this close are always plausible, whatever
	// the time between them (GPS jitter of a ship at anchor reporting every
	// few seconds). Default DefaultNoise (500 m).
	Noise float64

	// MaxSegments is how many segments of one MMSI are kept open at once
	// (several ships sharing an MMSI, spoofed fixes). When a new one opens
	// beyond this, the one silent longest is closed. Default 8.
	MaxSegments int

	// Idle evicts a vessel that has sent nothing for this long (measured
	// against the newest event time of the input): its buffers are
	// released, its pending identity report is emitted, and only a compact
	// record is kept (next segment number, last identity) so that its
	// reappearance continues the numbering and does not re-announce a
	// known identity as new. Shorter than MaxGap, an evicted vessel's
	// reappearance starts a new segment earlier than MaxGap would.
	// Default DefaultIdle (24 h).
	Idle time.Duration

	// IdentityGrace is how long a new identity may wait for its missing
	// halves before it is reported: a class B transponder sends its name
	// (type 24 part A) and its call sign, type and dimensions (part B) in
	// separate messages, and an identity is reported once it has both, or
	// once IdentityGrace has passed since its first report.
	// Default DefaultIdentityGrace (15 min, two and a half type 24 cycles).
	IdentityGrace time.Duration

	// IdentityRefresh: a reported identity's further confirmations are
	// reported as an update when the oldest unreported one is this old,
	// so that a long-running stream keeps LastSeen current in the store.
	// Default DefaultIdentityRefresh (1 h).
	IdentityRefresh time.Duration
}

func (c Config) withDefaults() Config {
	if c.Reorder == 0 {
		c.Reorder = DefaultReorder
	}
	if c.ReorderDepth == 0 {
		c.ReorderDepth = DefaultReorderDepth
	}
	if c.Duplicate == 0 {
		c.Duplicate = DefaultDuplicate
	}
	if c.MaxGap <= 0 {
		c.MaxGap = DefaultMaxGap
	}
	if c.MaxSpeed <= 0 {
		c.MaxSpeed = DefaultMaxSpeed
	}
	if c.Noise <= 0 {
		c.Noise = DefaultNoise
	}
	if c.MaxSegments <= 0 {
		c.MaxSegments = DefaultMaxSegments
	}
	if c.Idle <= 0 {
		c.Idle = DefaultIdle
	}
	if c.Reorder > 0 && c.Idle < c.Reorder {
		c.Idle = c.Reorder
	}
	if c.IdentityGrace <= 0 {
		c.IdentityGrace = DefaultIdentityGrace
	}
	if c.IdentityRefresh <= 0 {
		c.IdentityRefresh = DefaultIdentityRefresh
	}
	return c
}
