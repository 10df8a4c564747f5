package fetch

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/lookout-maritime/lookout/internal/sanctions"
)

// server serves one fixture with an ETag and honours If-None-Match, as the
// publishers' CDNs do.
type server struct {
	body     []byte
	etag     string
	requests atomic.Int32
	cut      bool // send a shorter body than Content-Length says
	status   int
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	if s.status != 0 {
		w.WriteHeader(s.status)
		return
	}
	if r.Header.Get("User-Agent") == "" {
		http.Error(w, "no user agent", http.StatusForbidden)
		return
	}
	if r.Header.Get("If-None-Match") == s.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", s.etag)
	w.Header().Set("Last-Modified", "Fri, 03 May 2024 18:43:00 GMT")
	if s.cut {
		w.Header().Set("Content-Length", strconv.Itoa(len(s.body)))
		w.Write(s.body[:len(s.body)/2])
		return
	}
	w.Write(s.body)
}

func fixture(t *testing.T, p string) []byte {
	b, err := os.ReadFile("../testdata/" + p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestConditionalUpdate(t *testing.T) {
	s := &server{body: fixture(t, "ofac/sdn_fixture.xml"), etag: `"v1"`}
	ts := httptest.NewServer(s)
	defer ts.Close()
	f := New(Config{Client: ts.Client()})
	feed := Feed{Source: sanctions.SourceOFAC, URL: ts.URL + "/SDN.XML"}
	ctx := context.Background()
	r, err := f.Fetch(ctx, feed, Previous{})
	if err != nil || r.NotModified || r.List == nil || r.ETag != `"v1"` || r.LastMod == "" || r.List.Files[0] != feed.URL {
		t.Fatalf("first fetch: %+v %v", r, err)
	}
	r2, err := f.Fetch(ctx, feed, Previous{ETag: r.ETag, LastModified: r.LastMod, Entities: len(r.List.Entities)})
	if err != nil || !r2.NotModified || r2.List != nil {
		t.Fatalf("second fetch should be 304: %+v %v", r2, err)
	}
	s.etag = `"v2"`
	r3, err := f.Fetch(ctx, feed, Previous{ETag: `"v1"`})
	if err != nil || r3.NotModified || r3.ETag != `"v2"` {
		t.Fatalf("changed list: %+v %v", r3, err)
	}
	if s.requests.Load() != 3 {
		t.Errorf("requests %d", s.requests.Load())
	}
}

func TestIntegrity(t *testing.T) {
	good := fixture(t, "ofac/sdn_fixture.xml")
	cases := []struct {
		name string
		srv  *server
		feed func(url string) Feed
		prev Previous
		want error
	}{
		{"cut off", &server{body: good, etag: "x", cut: true}, nil, Previous{}, ErrIntegrity},
		{"not a list", &server{body: []byte("<html>maintenance</html>"), etag: "x"}, nil, Previous{}, ErrIntegrity},
		{"wrong list", &server{body: fixture(t, "eu/eu_fsf_fixture.xml"), etag: "x"}, nil, Previous{}, ErrIntegrity},
		{"pinned digest differs", &server{body: good, etag: "x"}, func(u string) Feed {
			return Feed{Source: sanctions.SourceOFAC, URL: u, SHA256: "00"}
		}, Previous{}, ErrIntegrity},
		{"shrank", &server{body: good, etag: "x"}, nil, Previous{Entities: 100000}, ErrIntegrity},
		{"server error", &server{status: 503}, nil, Previous{}, ErrHTTP},
	}
	for _, c := range cases {
		ts := httptest.NewServer(c.srv)
		feed := Feed{Source: sanctions.SourceOFAC, URL: ts.URL + "/sdn.xml"}
		if c.feed != nil {
			feed = c.feed(ts.URL + "/sdn.xml")
		}
		_, err := New(Config{Client: ts.Client()}).Fetch(context.Background(), feed, c.prev)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
		ts.Close()
	}
}

func TestFileName(t *testing.T) {
	for u, want := range map[string]string{
		"https://x/a/SDN.XML":             "SDN.XML",
		"https://x/content?token=abc":     "content",
		"https://x/":                      "x",
		"https://x/list.xml?format=a/b.c": "list.xml",
	} {
		if got := fileName(u); got != want {
			t.Errorf("%s: %s", u, got)
		}
	}
}
