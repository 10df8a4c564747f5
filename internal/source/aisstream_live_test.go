package source

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// fakeAISStream is a local stand-in for aisstream.io: it records each
// subscription and plays a script per connection.
type fakeAISStream struct {
	t      *testing.T
	mu     sync.Mutex
	subs   []string
	script []func(ctx context.Context, c *websocket.Conn) // one per connection
	srv    *httptest.Server
}

func newFakeAISStream(t *testing.T, script ...func(ctx context.Context, c *websocket.Conn)) *fakeAISStream {
	f := &fakeAISStream{t: t, script: script}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAISStream) url() string {
	return "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/v0/stream"
}

func (f *fakeAISStream) serve(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer c.CloseNow()
	ctx, cancel := context.WithTimeout(r.Context(), streamMax)
	defer cancel()
	_, sub, err := c.Read(ctx)
	if err != nil {
		return
	}
	f.mu.Lock()
	n := len(f.subs)
	f.subs = append(f.subs, string(sub))
	f.mu.Unlock()
	if n < len(f.script) {
		f.script[n](ctx, c)
	}
}

func (f *fakeAISStream) subscriptions() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.subs...)
}

// fixtureMessages returns the messages of the aisstream fixture file.
func fixtureMessages(t *testing.T) [][]byte {
	data, err := os.ReadFile(filepath.Join("testdata", "aisstream", "messages.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Split(bytes.TrimSpace(data), []byte("\n"))
}

func send(ctx context.Context, c *websocket.Conn, msgs ...[]byte) {
	for _, m := range msgs {
		if c.Write(ctx, websocket.MessageText, m) != nil {
			return
		}
	}
}

// TestAISStreamLive replays fixture messages from a local server, drops the
// connection mid-stream, and checks the client reconnects, subscribes
// again with the same message, and yields every message once.
func TestAISStreamLive(t *testing.T) {
	msgs := fixtureMessages(t)
	fake := newFakeAISStream(t,
		func(ctx context.Context, c *websocket.Conn) {
			send(ctx, c, msgs[0], msgs[1], msgs[2]) // then drop without a close frame
		},
		func(ctx context.Context, c *websocket.Conn) {
			send(ctx, c, msgs[3], msgs[6], msgs[9]) // static, base station (skipped), bad time (reject)
			<-ctx.Done()
		},
	)
	clock := newTestClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	a, err := NewAISStream(AISStreamConfig{
		URL: fake.url(), APIKey: "test-key",
		BoundingBoxes: []BoundingBox{{38, 124, 43, 131}, {-10, -20, 10, 20}},
		MMSIs:         []uint32{244000001, 2190071},
		MessageTypes:  []string{"PositionReport", "ShipStaticData"},
		Clock:         clock.now, Backoff: fastBackoff(0), Name: "live",
	})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	obs, rej := nextN(t, a, 6)
	golden(t, "aisstream/live.golden", render(obs, rej)+renderCounts("skipped", a.Skipped()))
	if a.Connects() != 2 {
		t.Errorf("%d connections, want 2", a.Connects())
	}
	want := `{"APIKey":"test-key","BoundingBoxes":[[[38,124],[43,131]],[[-10,-20],[10,20]]],` +
		`"FiltersShipMMSI":["244000001","002190071"],"FilterMessageTypes":["PositionReport","ShipStaticData"]}`
	subs := fake.subscriptions()
	if len(subs) != 2 || subs[0] != want || subs[1] != want {
		t.Errorf("subscriptions %q\nwant twice %s", subs, want)
	}
	if done, total := a.Progress(); done <= 0 || total != -1 {
		t.Errorf("progress %d/%d", done, total)
	}
}

// TestAISStreamLiveDefaults: no bounding box subscribes to the world, with
// no filters; a message without time_utc gets the arrival time.
func TestAISStreamLiveDefaults(t *testing.T) {
	at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	fake := newFakeAISStream(t, func(ctx context.Context, c *websocket.Conn) {
		send(ctx, c, []byte(`{"MessageType":"PositionReport","MetaData":{"MMSI":244000001},`+
			`"Message":{"PositionReport":{"UserID":244000001,"Latitude":52,"Longitude":4}}}`))
		<-ctx.Done()
	})
	a, err := NewAISStream(AISStreamConfig{URL: fake.url(), APIKey: "k", Clock: newTestClock(at).now})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	obs, _ := nextN(t, a, 1)
	if p := obs[0].Position; p == nil || !p.Time.Equal(at) || p.Source != "aisstream" || p.Heading != 511 {
		t.Errorf("position %+v", obs[0].Position)
	}
	if subs := fake.subscriptions(); len(subs) != 1 || subs[0] != `{"APIKey":"k","BoundingBoxes":[[[-90,-180],[90,180]]]}` {
		t.Errorf("subscription %q", subs)
	}
}

// TestAISStreamLiveRefused: a server error frame ends the source with
// ErrAISStreamServer, without reconnecting.
func TestAISStreamLiveRefused(t *testing.T) {
	fake := newFakeAISStream(t, func(ctx context.Context, c *websocket.Conn) {
		send(ctx, c, []byte(`{"error": "Api Key Is Not Valid"}`))
		c.Close(websocket.StatusPolicyViolation, "bad key")
	})
	a, err := NewAISStream(AISStreamConfig{URL: fake.url(), APIKey: "wrong", Backoff: fastBackoff(0)})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx, cancel := context.WithTimeout(context.Background(), streamMax)
	defer cancel()
	_, err = a.Next(ctx)
	if !errors.Is(err, ErrAISStreamServer) || !strings.Contains(err.Error(), "Api Key Is Not Valid") {
		t.Errorf("error %v, want ErrAISStreamServer", err)
	}
	if n := len(fake.subscriptions()); n != 1 {
		t.Errorf("%d connections, want 1", n)
	}
}

func TestNewAISStreamChecks(t *testing.T) {
	for _, cfg := range []AISStreamConfig{
		{},
		{APIKey: "k", BoundingBoxes: []BoundingBox{{0, 0, 95, 10}}},
		{APIKey: "k", MMSIs: []uint32{1000000000}},
	} {
		if _, err := NewAISStream(cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
}
