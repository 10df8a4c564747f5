package source

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/coder/websocket"

	"github.com/lookout-maritime/lookout/internal/vessel"
)

// AISStreamURL is aisstream.io's WebSocket endpoint.
const AISStreamURL = "wss://stream.aisstream.io/v0/stream"

// BoundingBox is an area to subscribe to: two opposite corners in degrees.
type BoundingBox struct {
	Lat1, Lon1, Lat2, Lon2 float64
}

// MarshalJSON writes the box as aisstream.io wants it: [[lat1, lon1], [lat2, lon2]].
func (b BoundingBox) MarshalJSON() ([]byte, error) {
	return json.Marshal([2][2]float64{{b.Lat1, b.Lon1}, {b.Lat2, b.Lon2}})
}

// AISStreamConfig configures the live aisstream.io source.
type AISStreamConfig struct {
	// URL of the WebSocket endpoint (default AISStreamURL).
	URL string
	// APIKey is the aisstream.io API key (required; New reads it from the
	// AISSTREAM_API_KEY environment variable).
	APIKey string
	// BoundingBoxes to receive messages from (default: the whole world).
	BoundingBoxes []BoundingBox
	// MMSIs, when set, limits the subscription to these vessels.
	MMSIs []uint32
	// MessageTypes, when set, limits the subscription to these aisstream.io
	// message types ("PositionReport", "ShipStaticData", ...).
	MessageTypes []string
	// Name labels positions and rejects (default "aisstream").
	Name string
	// Clock dates messages that lack MetaData.time_utc (default time.Now).
	Clock func() time.Time
	// Logger receives connection events (default: discarded).
	Logger *slog.Logger
	// Backoff paces reconnection.
	Backoff Backoff
	// PingInterval is how often the connection is pinged to keep it open
	// (default 20 s, as aisstream.io's own examples do). Negative disables
	// pings.
	PingInterval time.Duration
	// Buffer is how many messages may wait between the connection and Next
	// (default 1024).
	Buffer int
}

// subscription is the first message sent on a connection.
type subscription struct {
	APIKey             string        `json:"APIKey"`
	BoundingBoxes      []BoundingBox `json:"BoundingBoxes"`
	FiltersShipMMSI    []string      `json:"FiltersShipMMSI,omitempty"`
	FilterMessageTypes []string      `json:"FilterMessageTypes,omitempty"`
}

// AISStream receives aisstream.io's live WebSocket feed: it connects,
// sends the subscription (API key, bounding boxes, filters), and yields
// the messages as observations dated by their MetaData.time_utc. It
// reconnects with back-off when the connection drops. A server error frame
// (e.g. "Api Key Is Not Valid") ends it: Next returns an error wrapping
// ErrAISStreamServer. Messages that cannot be used are *Reject values
// (see AISStreamFile), numbered by message from the start.
//
// The connection runs in a goroutine started by the first Next; Close
// stops it.
type AISStream struct {
	cfg     AISStreamConfig
	name    string
	sub     []byte
	feed    *feed
	line    int
	queue   queue
	skipped map[string]int
}

// NewAISStream checks cfg and returns the source; it connects when first
// read.
func NewAISStream(cfg AISStreamConfig) (*AISStream, error) {
	if cfg.APIKey == "" {
		return nil, errors.New("source: aisstream: no API key (set AISSTREAM_API_KEY)")
	}
	if cfg.URL == "" {
		cfg.URL = AISStreamURL
	}
	if cfg.Name == "" {
		cfg.Name = "aisstream"
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.PingInterval == 0 {
		cfg.PingInterval = 20 * time.Second
	}
	sub := subscription{APIKey: cfg.APIKey, BoundingBoxes: cfg.BoundingBoxes, FilterMessageTypes: cfg.MessageTypes}
	if len(sub.BoundingBoxes) == 0 {
		sub.BoundingBoxes = []BoundingBox{{-90, -180, 90, 180}}
	}
	for _, b := range sub.BoundingBoxes {
		if b.Lat1 < -90 || b.Lat1 > 90 || b.Lat2 < -90 || b.Lat2 > 90 ||
			b.Lon1 < -180 || b.Lon1 > 180 || b.Lon2 < -180 || b.Lon2 > 180 {
			return nil, fmt.Errorf("source: aisstream: bounding box %v out of range", b)
		}
	}
	for _, m := range cfg.MMSIs {
		if m == 0 || m > 999999999 {
			return nil, fmt.Errorf("source: aisstream: %d is not an MMSI", m)
		}
		sub.FiltersShipMMSI = append(sub.FiltersShipMMSI, fmt.Sprintf("%09d", m))
	}
	data, err := json.Marshal(sub)
	if err != nil {
		return nil, fmt.Errorf("source: aisstream: %w", err)
	}
	return &AISStream{cfg: cfg, name: cfg.Name, sub: data, skipped: map[string]int{},
		feed: newFeed(cfg.Name, cfg.Logger, cfg.Buffer)}, nil
}

func (a *AISStream) loop(ctx context.Context) error {
	return a.feed.reconnect(ctx, a.cfg.Backoff, a.session)
}

// session runs one WebSocket connection until it fails or ctx ends.
func (a *AISStream) session(ctx context.Context) (bool, error) {
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	c, _, err := websocket.Dial(dctx, a.cfg.URL, nil)
	cancel()
	if err != nil {
		return false, err
	}
	defer c.CloseNow()
	c.SetReadLimit(1 << 20)
	// aisstream.io closes connections that do not subscribe within 3 s.
	wctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	err = c.Write(wctx, websocket.MessageText, a.sub)
	cancel()
	if err != nil {
		return false, fmt.Errorf("subscribe: %w", err)
	}
	n := a.feed.connects.Add(1)
	a.feed.log.Info("source: connected", "source", a.name, "url", a.cfg.URL, "connection", n)
	if a.cfg.PingInterval > 0 {
		pctx, stop := context.WithCancel(ctx)
		defer stop()
		go a.ping(pctx, c)
	}
	got := false
	for {
		_, data, err := c.Read(ctx)
		if err != nil {
			if s := websocket.CloseStatus(err); s != -1 {
				return got, fmt.Errorf("closed by the server (%d %s)", s, closeReason(err))
			}
			return got, err
		}
		a.feed.bytes.Add(int64(len(data)))
		if len(data) > 0 && isErrorFrame(data) {
			_, _, derr := decodeAISStream(data, a.name, time.Time{})
			if errors.Is(derr, ErrAISStreamServer) {
				return got, permanent{derr}
			}
		}
		got = true
		if !a.feed.send(ctx, feedItem{data: data, at: a.cfg.Clock()}) {
			return got, ctx.Err()
		}
	}
}

// isErrorFrame tells a server error frame, {"error": "..."}, from a
// message, cheaply: messages are decoded once, by Next.
func isErrorFrame(data []byte) bool {
	if len(data) > 4096 || !bytes.Contains(data, []byte(`"error"`)) {
		return false
	}
	var probe struct {
		Error string `json:"error"`
	}
	return json.Unmarshal(data, &probe) == nil && probe.Error != ""
}

func closeReason(err error) string {
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		return ce.Reason
	}
	return ""
}

// ping keeps the connection alive while it is read.
func (a *AISStream) ping(ctx context.Context, c *websocket.Conn) {
	t := time.NewTicker(a.cfg.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			pctx, cancel := context.WithTimeout(ctx, a.cfg.PingInterval)
			err := c.Ping(pctx)
			cancel()
			if err != nil && ctx.Err() == nil {
				a.feed.log.Warn("source: ping failed", "source", a.name, "err", err)
			}
		}
	}
}

// Next implements Source.
func (a *AISStream) Next(ctx context.Context) (vessel.Observation, error) {
	a.feed.run(a.loop)
	for {
		if o, ok := a.queue.pop(); ok {
			return o, nil
		}
		it, err := a.feed.next(ctx)
		if err != nil {
			return vessel.Observation{}, err
		}
		a.line++
		obs, skip, derr := decodeAISStream(it.data, a.name, it.at.UTC())
		if derr != nil {
			return vessel.Observation{}, asReject(a.name, a.line, derr)
		}
		if skip != "" {
			a.skipped[skip]++
			continue
		}
		for i := range obs {
			obs[i].File, obs[i].Line = a.name, a.line
		}
		a.queue.fill(append(a.queue.empty(), obs...))
	}
}

// Progress implements Source: bytes received, and -1 for the total.
func (a *AISStream) Progress() (int64, int64) { return a.feed.bytes.Load(), -1 }

// Close implements Source.
func (a *AISStream) Close() error {
	a.feed.close()
	return nil
}

// Connects is how many connections were made.
func (a *AISStream) Connects() int { return int(a.feed.connects.Load()) }

// Skipped counts messages that gave nothing, by reason (see AISStreamFile).
func (a *AISStream) Skipped() map[string]int { return a.skipped }
