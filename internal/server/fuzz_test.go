package server

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/lookout-maritime/lookout/internal/store/duckdb"
)

// FuzzParseBBox: any text gives a box inside the world or an error.
func FuzzParseBBox(f *testing.F) {
	for _, s := range []string{"129,40,135,46", "170,-10,-170,10", "1,2,3", "NaN,0,1,1", "1e400,0,1,1", ",,,", "-180,-90,180,90"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := parseBBox(s)
		if err != nil {
			return
		}
		for _, v := range []float64{b.MinLat, b.MaxLat, b.MinLon, b.MaxLon} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%q: %+v", s, b)
			}
		}
		if b.MinLat > b.MaxLat || b.MinLat < -90 || b.MaxLat > 90 || math.Abs(b.MinLon) > 180 || math.Abs(b.MaxLon) > 180 {
			t.Fatalf("%q: %+v", s, b)
		}
	})
}

// FuzzTokenFile: any token file is read or refused with ErrBadToken,
// never a crash.
func FuzzTokenFile(f *testing.F) {
	f.Add([]byte(`{"name":"a","role":"viewer","sha256":"` + "00000000000000000000000000000000000000000000000000000000000000aa" + `"}` + "\n"))
	f.Add([]byte("# c\n\n{}\n"))
	f.Add([]byte(`{"role":"root"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "t")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		m, err := readTokenFile(path)
		if err == nil {
			for _, p := range m {
				if p.Role < RoleViewer || p.Role > RoleAdmin {
					t.Fatalf("accepted role %v", p.Role)
				}
			}
		}
	})
}

// FuzzQuery sends arbitrary query strings to the parameter-heavy routes:
// the answer is 200 or a 4xx with a message, never a 500 or a panic.
func FuzzQuery(f *testing.F) {
	st, err := duckdb.Open(context.Background(), duckdb.Config{Path: filepath.Join(f.TempDir(), "s.duckdb")})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	srv, err := New(Config{}, Deps{Store: st, Tokens: fuzzTokens()}, nil)
	if err != nil {
		f.Fatal(err)
	}
	h := srv.Handler()
	for _, s := range []string{"kind=gap&bbox=1,2,3,4", "from=2023-01-01&to=2022-01-01", "limit=-1", "zoom=99", "lat=1&lon=2&radius_km=3", "q=%00", "at=1e9"} {
		f.Add(0, s)
		f.Add(3, s)
	}
	paths := []string{"/api/events", "/api/vessels", "/api/near", "/api/positions", "/api/vessels/1/track"}
	f.Fuzz(func(t *testing.T, which int, raw string) {
		if which < 0 {
			which = -which
		}
		u := &url.URL{Path: paths[which%len(paths)], RawQuery: raw}
		req := httptest.NewRequest("GET", "/", nil)
		req.URL = u
		req.RequestURI = u.String()
		req.Header.Set("Authorization", "Bearer t")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%s?%s: %d %s", u.Path, raw, w.Code, w.Body)
		}
		if w.Code != http.StatusOK && w.Code != http.StatusBadRequest {
			t.Fatalf("%s?%s: %d %s", u.Path, raw, w.Code, w.Body)
		}
	})
}

func fuzzTokens() TokenStore {
	t := &MemTokens{}
	t.Add("t", Principal{Name: "fuzz", Role: RoleAdmin})
	return t
}
