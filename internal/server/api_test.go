package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/evidence"
)

// samplePath fills a route's path parameters with plausible values.
func samplePath(rt *route) string {
	p := strings.ReplaceAll(rt.path, "{$}", "")
	r := strings.NewReplacer("{mmsi}", fmt.Sprint(mmsiMaia), "{id}", "1", "{item}", "E1", "{file...}", "style.css")
	if strings.HasPrefix(rt.path, "/api/cases/") {
		r = strings.NewReplacer("{id}", "C0", "{item}", "E1")
	}
	if strings.HasPrefix(rt.path, "/api/watches/") {
		r = strings.NewReplacer("{id}", "wnone")
	}
	p = r.Replace(p)
	if p == "" {
		p = "/"
	}
	return p
}

func TestEveryRouteNeedsItsRole(t *testing.T) {
	f := newFixture(t)
	tokenBelow := map[Role]string{RoleAnalyst: tokViewer, RoleAdmin: tokAnalyst}
	for _, rt := range f.srv.routes {
		path := samplePath(rt)
		t.Run(rt.method+" "+rt.path, func(t *testing.T) {
			code, body, hdr := f.do(t, rt.method, path, "", nil)
			if rt.role == RoleNone {
				if code == http.StatusUnauthorized || code == http.StatusForbidden {
					t.Fatalf("public route answered %d: %s", code, body)
				}
				return
			}
			if code != http.StatusUnauthorized {
				t.Fatalf("no token: status %d, want 401: %s", code, body)
			}
			if !strings.Contains(hdr.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("401 without WWW-Authenticate: %v", hdr)
			}
			var e apiError
			if err := json.Unmarshal(body, &e); err != nil || e.Error == "" {
				t.Errorf("401 body is not an error message: %s", body)
			}
			if code, _, _ := f.do(t, rt.method, path, "not-a-token", nil); code != http.StatusUnauthorized {
				t.Errorf("unknown token: status %d, want 401", code)
			}
			if below, ok := tokenBelow[rt.role]; ok {
				code, body, _ := f.do(t, rt.method, path, below, nil)
				if code != http.StatusForbidden {
					t.Fatalf("role below %s: status %d, want 403: %s", rt.role, code, body)
				}
				if !strings.Contains(string(body), rt.role.String()) {
					t.Errorf("403 does not name the role needed: %s", body)
				}
			}
		})
	}
}

func TestMalformedAuthorization(t *testing.T) {
	f := newFixture(t)
	for _, h := range []string{"Basic dXNlcjpwYXNz", "Bearer", tokViewer, "Bearer " + tokViewer + "x"} {
		req, _ := http.NewRequest("GET", f.http.URL+"/api/stats", nil)
		req.Header.Set("Authorization", h)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("Authorization %q: status %d, want 401", h, resp.StatusCode)
		}
	}
}

func TestBadParameters(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		path, want string
	}{
		{"/api/vessels?limit=0", "limit"},
		{"/api/vessels?limit=abc", "limit"},
		{"/api/vessels?nmae=MAIA", `unknown query parameter "nmae"`},
		{"/api/vessels/abc", "mmsi"},
		{"/api/vessels/1234567890", "mmsi"},
		{"/api/vessels/273354710/track?from=yesterday", "from"},
		{"/api/vessels/273354710/track?from=2023-09-15&to=2023-09-14", "to: must be after from"},
		{"/api/vessels/273354710/track?zoom=40", "zoom"},
		{"/api/events?kind=party", `unknown event kind "party"`},
		{"/api/events?bbox=1,2,3", "bbox"},
		{"/api/events?bbox=0,10,10,5", "minLat <= maxLat"},
		{"/api/events?bbox=0,0,200,10", "longitudes"},
		{"/api/events?format=kml", "format"},
		{"/api/events?withdrawn=maybe", "withdrawn"},
		{"/api/events/abc", "event ID"},
		{"/api/near?lat=95&lon=0&radius_km=10", "lat"},
		{"/api/near?lat=42&lon=130", "radius_km: required"},
		{"/api/near?lat=42&lon=130&radius_km=0", "radius_km: must be > 0"},
		{"/api/near?lat=NaN&lon=130&radius_km=1", "lat"},
		{"/api/positions?at=noon", "at"},
		{"/api/positions?max_age=-5", "max_age"},
		{"/api/basemap.geojson?tolerance=-1", "tolerance"},
		{"/api/screen", "give at least one"},
		{"/api/vessels?q=" + strings.Repeat("x", 300), "longer than 256"},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			code, body, _ := f.do(t, "GET", c.path, tokAnalyst, nil)
			if code != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", code, body)
			}
			var e apiError
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatalf("not JSON: %s", body)
			}
			if !strings.Contains(e.Error, c.want) {
				t.Errorf("message %q does not mention %q", e.Error, c.want)
			}
		})
	}
	// Several problems are named in one answer.
	code, body, _ := f.do(t, "GET", "/api/events?kind=x&limit=0&from=y", tokViewer, nil)
	if code != 400 || !strings.Contains(string(body), "kind") || !strings.Contains(string(body), "limit") || !strings.Contains(string(body), "from") {
		t.Errorf("combined: %d %s", code, body)
	}
}

func TestLargeRequestsRefused(t *testing.T) {
	f := newFixture(t, func(c *Config, _ *Deps) { c.MaxBodyBytes = 4096 })
	big := `{"title":"` + strings.Repeat("a", 10000) + `"}`
	// Declared length: refused before reading.
	code, body, _ := f.do(t, "POST", "/api/cases", tokAnalyst, strings.NewReader(big))
	if code != http.StatusRequestEntityTooLarge {
		t.Fatalf("declared length: status %d, want 413: %s", code, body)
	}
	// Chunked, no length: refused while reading.
	req, _ := http.NewRequest("POST", f.http.URL+"/api/watches", io.MultiReader(strings.NewReader(big)))
	req.ContentLength = -1
	req.Header.Set("Authorization", "Bearer "+tokAnalyst)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked: status %d, want 413: %s", resp.StatusCode, data)
	}
	// Headers over the limit are refused by net/http itself.
	srvCfg := f.srv.cfg
	if srvCfg.MaxHeaderBytes != 64<<10 {
		t.Errorf("MaxHeaderBytes default %d", srvCfg.MaxHeaderBytes)
	}
	// A body that is not JSON by its type is refused (cross-site forms).
	req, _ = http.NewRequest("POST", f.http.URL+"/api/cases", strings.NewReader(`{"title":"x"}`))
	req.Header.Set("Authorization", "Bearer "+tokAnalyst)
	req.Header.Set("Content-Type", "text/plain")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain body: %d, want 415", resp.StatusCode)
	}
	// Bad JSON is a 400 naming the problem.
	code, body, _ = f.do(t, "POST", "/api/cases", tokAnalyst, strings.NewReader(`{"titel":"x"}`))
	if code != 400 || !strings.Contains(string(body), "titel") {
		t.Errorf("unknown field: %d %s", code, body)
	}
}

func TestVesselSearch(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		q    string
		want uint32
	}{
		{"maia", mmsiMaia},
		{"MAIA 1", mmsiMaia},
		{"9358010", mmsiMaia},
		{"IMO 9179842", mmsiAngara},
		{"273354710", mmsiMaia},
		{"ubaa1", mmsiAngara},
		{"angar", mmsiAngara},
	}
	for _, c := range cases {
		var out struct {
			Vessels []vesselJSON `json:"vessels"`
		}
		f.getJSON(t, "/api/vessels?q="+urlq(c.q), tokViewer, 200, &out)
		if len(out.Vessels) == 0 || out.Vessels[0].MMSI != c.want {
			t.Errorf("q=%q: got %+v, want MMSI %d first", c.q, out.Vessels, c.want)
		}
	}
	var none struct {
		Vessels []vesselJSON `json:"vessels"`
	}
	f.getJSON(t, "/api/vessels?q=nonesuch", tokViewer, 200, &none)
	if len(none.Vessels) != 0 {
		t.Errorf("nonesuch: %+v", none.Vessels)
	}
	f.getJSON(t, "/api/vessels?limit=1", tokViewer, 200, &none)
	if len(none.Vessels) != 1 {
		t.Errorf("limit=1: %d vessels", len(none.Vessels))
	}
}

func urlq(s string) string { return strings.ReplaceAll(s, " ", "%20") }

func TestVesselDetail(t *testing.T) {
	f := newFixture(t)
	var a vesselDetailJSON
	f.getJSON(t, "/api/vessels/273214860", tokViewer, 200, &a)
	if len(a.History) != 2 || a.History[0].Name != "HAI XING" || a.History[1].Name != "ANGARA" {
		t.Errorf("ANGARA history: %+v", a.History)
	}
	if a.Latest == nil || a.Latest.IMO != 9179842 || a.Flag != "RU" {
		t.Errorf("ANGARA latest: %+v flag %q", a.Latest, a.Flag)
	}
	var m vesselDetailJSON
	f.getJSON(t, "/api/vessels/273354710", tokViewer, 200, &m)
	if len(m.Sanctions) != 1 || m.Sanctions[0].List != "OFAC-SDN" || m.Sanctions[0].Reasons == nil {
		t.Errorf("MAIA-1 sanctions: %+v", m.Sanctions)
	}
	if len(m.Events) != 2 {
		t.Errorf("MAIA-1 events: %d", len(m.Events))
	}
	code, body, _ := f.do(t, "GET", "/api/vessels/999999999", tokViewer, nil)
	if code != 404 || !strings.Contains(string(body), "999999999") {
		t.Errorf("unknown vessel: %d %s", code, body)
	}
}

func TestTrack(t *testing.T) {
	f := newFixture(t)
	var full, coarse, window trackCollection
	f.getJSON(t, "/api/vessels/273354710/track", tokViewer, 200, &full)
	if full.Positions != 60 || full.Vertices != 60 || len(full.Features) != 1 {
		t.Fatalf("full: %d positions, %d vertices, %d features", full.Positions, full.Vertices, len(full.Features))
	}
	p := full.Features[0].Properties
	if len(p.Times) != 60 || p.Times[0] != t0.Unix() || p.Times[59] != t0.Unix()+590*60 {
		t.Errorf("times: %v", p.Times)
	}
	f.getJSON(t, "/api/vessels/273354710/track?zoom=5", tokViewer, 200, &coarse)
	if coarse.Vertices >= 30 || coarse.Vertices < 2 {
		t.Errorf("zoom 5: %d vertices of 60", coarse.Vertices)
	}
	cp := coarse.Features[0].Properties
	if cp.Times[0] != p.Times[0] || cp.Times[len(cp.Times)-1] != p.Times[59] {
		t.Errorf("simplified track lost its ends: %v", cp.Times)
	}
	f.getJSON(t, "/api/vessels/273354710/track?from=2023-09-14T01:00:00Z&to=2023-09-14T02:00:00Z", tokViewer, 200, &window)
	if window.Positions != 6 {
		t.Errorf("one hour: %d positions, want 6", window.Positions)
	}
	var empty trackCollection
	f.getJSON(t, "/api/vessels/111111111/track", tokViewer, 200, &empty)
	if len(empty.Features) != 0 {
		t.Errorf("unknown vessel: %+v", empty)
	}
}

func TestEventsAndNear(t *testing.T) {
	f := newFixture(t)
	var out struct {
		Events []struct {
			ID   int64  `json:"id"`
			Kind string `json:"kind"`
			Key  string `json:"key"`
		} `json:"events"`
	}
	f.getJSON(t, "/api/events?kind=gap,port_visit", tokViewer, 200, &out)
	if len(out.Events) != 2 {
		t.Errorf("kinds: %+v", out.Events)
	}
	f.getJSON(t, "/api/events?bbox=130,42,131,42.5", tokViewer, 200, &out)
	if len(out.Events) != 1 || out.Events[0].Key != "gap-maia" {
		t.Errorf("bbox near Najin: %+v", out.Events)
	}
	f.getJSON(t, "/api/events?mmsi=273214860", tokViewer, 200, &out)
	if len(out.Events) != 1 || out.Events[0].Kind != "port_visit" {
		t.Errorf("mmsi: %+v", out.Events)
	}
	var fc featureCollection
	f.getJSON(t, "/api/events?format=geojson&kind=sanctions_hit", tokViewer, 200, &fc)
	if len(fc.Features) != 1 || fc.Features[0].Properties["kind"] != "sanctions_hit" {
		t.Errorf("geojson: %+v", fc)
	}
	gap := f.event(t, "gap-maia")
	var one struct {
		Explanation string `json:"explanation"`
		Positions   []any  `json:"positions"`
	}
	f.getJSON(t, fmt.Sprintf("/api/events/%d", gap.ID), tokViewer, 200, &one)
	if one.Explanation == "" || len(one.Positions) != 1 {
		t.Errorf("event: %+v", one)
	}
	var near struct {
		Vessels []nearJSON `json:"vessels"`
	}
	f.getJSON(t, "/api/near?lat=42.75&lon=133.07&radius_km=5", tokViewer, 200, &near)
	if len(near.Vessels) != 1 || near.Vessels[0].MMSI != mmsiAngara || near.Vessels[0].Positions != 10 {
		t.Errorf("near Vostochny: %+v", near.Vessels)
	}
}

func TestPositions(t *testing.T) {
	f := newFixture(t)
	var p positionsJSON
	f.getJSON(t, "/api/positions?at=2023-09-14T05:00:30Z&max_age=3600", tokViewer, 200, &p)
	if p.Count != 2 || len(p.MMSI) != 2 {
		t.Fatalf("positions: %+v", p)
	}
	for i, m := range p.MMSI {
		want := t0.Add(5 * time.Hour).Unix()
		if p.Time[i] != want {
			t.Errorf("MMSI %d at %d, want the 05:00 fix %d", m, p.Time[i], want)
		}
	}
	f.getJSON(t, "/api/positions?at=2023-09-14T05:00:30Z&bbox=133,42,134,43", tokViewer, 200, &p)
	if p.Count != 1 || p.MMSI[0] != mmsiAngara {
		t.Errorf("bbox: %+v", p)
	}
	// Default time: just after the newest position.
	f.getJSON(t, "/api/positions", tokViewer, 200, &p)
	if p.Count != 2 {
		t.Errorf("latest: %+v", p)
	}
}

func TestNotImplemented(t *testing.T) {
	f := newFixture(t, func(_ *Config, d *Deps) { d.Basemap = nil })
	for _, path := range []string{"/api/imagery/scenes", "/api/imagery/detections", "/api/places", "/api/basemap.geojson", "/api/screen?name=MAIA"} {
		code, body, _ := f.do(t, "GET", path, tokAnalyst, nil)
		if code != http.StatusNotImplemented || !strings.Contains(string(body), "started without") {
			t.Errorf("%s: %d %s", path, code, body)
		}
	}
	code, body, _ := f.do(t, "POST", "/api/cases/C0/dossier", tokAnalyst, nil)
	if code != http.StatusNotImplemented {
		t.Errorf("dossier: %d %s", code, body)
	}
}

func TestCases(t *testing.T) {
	f := newFixture(t)
	var c evidence.Case
	f.postJSON(t, "/api/cases", tokAnalyst, `{"title":"Najin calls, autumn 2023"}`, 201, &c)
	if c.ID == "" || c.Who != "ana (analyst)" {
		t.Fatalf("case: %+v", c)
	}
	var vit, eit, nit evidence.Item
	f.postJSON(t, "/api/cases/"+c.ID+"/items", tokAnalyst, `{"kind":"vessel","mmsi":273354710}`, 201, &vit)
	if vit.Ref != "MMSI 273354710" || vit.SHA256 == "" {
		t.Errorf("vessel item: %+v", vit)
	}
	gap := f.event(t, "gap-maia")
	f.postJSON(t, "/api/cases/"+c.ID+"/items", tokAnalyst, fmt.Sprintf(`{"kind":"event","event_id":%d}`, gap.ID), 201, &eit)
	if !strings.HasPrefix(eit.Ref, fmt.Sprintf("event %d ", gap.ID)) {
		t.Errorf("event item: %+v", eit)
	}
	f.postJSON(t, "/api/cases/"+c.ID+"/items", tokAnalyst, `{"kind":"note","text":"seen at the coal berth"}`, 201, &nit)
	for _, bad := range []string{`{"kind":"file"}`, `{"kind":"vessel"}`, `{"kind":"note","text":" "}`, `{"kind":"event","event_id":999}`} {
		code, body, _ := f.do(t, "POST", "/api/cases/"+c.ID+"/items", tokAnalyst, strings.NewReader(bad))
		if code != 400 && code != 404 {
			t.Errorf("%s: %d %s", bad, code, body)
		}
	}

	// Reading the case is audited, and the answer includes its own record.
	var got caseJSON
	f.getJSON(t, "/api/cases/"+c.ID, tokAnalyst, 200, &got)
	if len(got.Items) != 3 || len(got.Current) != 3 {
		t.Errorf("items: %+v", got.Items)
	}
	if n := len(got.Custody); n != 1 || got.Custody[0].Action != evidence.ActionViewed || got.Custody[0].Who != "ana (analyst)" {
		t.Errorf("custody after one read: %+v", got.Custody)
	}

	// The item downloads as stored, and the download is audited.
	code, body, hdr := f.do(t, "GET", "/api/cases/"+c.ID+"/items/"+nit.ID, tokAnalyst, nil)
	sum := sha256.Sum256(body)
	if code != 200 || string(body) != "seen at the coal berth" || hex.EncodeToString(sum[:]) != nit.SHA256 {
		t.Errorf("note download: %d %q", code, body)
	}
	if !strings.Contains(hdr.Get("Content-Disposition"), "attachment") || !strings.Contains(hdr.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("download headers: %v", hdr)
	}
	lc, _ := f.log.Case(c.ID)
	if n := len(lc.Custody); n != 2 || lc.Custody[1].Target != nit.ID {
		t.Errorf("custody after download: %+v", lc.Custody)
	}

	// No way out of the evidence store, and no item of another case.
	other, _ := f.log.NewCase("other", "x")
	oit, _ := f.log.Add(other.ID, evidence.Item{Kind: evidence.KindNote}, "x", strings.NewReader("secret"))
	for _, p := range []struct {
		path string
		want int
	}{
		{"/api/cases/" + c.ID + "/items/..%2F..%2Fetc%2Fpasswd", 400},
		{"/api/cases/" + c.ID + "/items/E1%00", 400},
		{"/api/cases/..%2Fx/items/E1", 400},
		{"/api/cases/" + c.ID + "/items/E999", 404},
		{"/api/cases/" + c.ID + "/items/" + oit.ID, 404},
		{"/api/cases/C999", 404},
	} {
		code, body, _ := f.do(t, "GET", p.path, tokAnalyst, nil)
		if code != p.want {
			t.Errorf("%s: %d, want %d: %s", p.path, code, p.want, body)
		}
		if strings.Contains(string(body), "secret") || strings.Contains(string(body), "root:") {
			t.Errorf("%s leaked content: %s", p.path, body)
		}
	}
	var list struct {
		Cases []caseSummaryJSON `json:"cases"`
	}
	f.getJSON(t, "/api/cases", tokAnalyst, 200, &list)
	if len(list.Cases) != 2 || list.Cases[0].Items != 3 {
		t.Errorf("cases: %+v", list.Cases)
	}
}

func TestDownloadName(t *testing.T) {
	for _, c := range []struct {
		it   evidence.Item
		want string
	}{
		{evidence.Item{ID: "E3", FileName: "photo.jpg"}, "E3-photo.jpg"},
		{evidence.Item{ID: "E3", FileName: "../../etc/passwd"}, "E3-passwd"},
		{evidence.Item{ID: "E3", FileName: `..\..\boot.ini`}, "E3-boot.ini"},
		{evidence.Item{ID: "E3", FileName: ".."}, "E3.bin"},
		{evidence.Item{ID: "E3", FileName: "", MediaType: "application/json"}, "E3.json"},
		{evidence.Item{ID: "E3", FileName: "a\"b.txt"}, "E3.bin"},
	} {
		if got := downloadName(&c.it); got != c.want {
			t.Errorf("%q: %q, want %q", c.it.FileName, got, c.want)
		}
	}
}

func TestLoginCookie(t *testing.T) {
	f := newFixture(t)
	code, body, hdr := f.do(t, "POST", "/api/login", "", strings.NewReader(`{"token":"`+tokAnalyst+`"}`))
	if code != 200 {
		t.Fatalf("login: %d %s", code, body)
	}
	sc := hdr.Get("Set-Cookie")
	if !strings.Contains(sc, "HttpOnly") || !strings.Contains(sc, "SameSite=Strict") {
		t.Errorf("cookie: %s", sc)
	}
	cookie := strings.SplitN(sc, ";", 2)[0]
	send := func(method, path, body string, csrf bool) int {
		req, _ := http.NewRequest(method, f.http.URL+path, strings.NewReader(body))
		req.Header.Set("Cookie", cookie)
		req.Header.Set("Content-Type", "application/json")
		if csrf {
			req.Header.Set(csrfHeader, "1")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if c := send("GET", "/api/whoami", "", false); c != 200 {
		t.Errorf("GET with cookie: %d", c)
	}
	if c := send("POST", "/api/cases", `{"title":"x"}`, false); c != 401 {
		t.Errorf("POST with cookie, no CSRF header: %d, want 401", c)
	}
	if c := send("POST", "/api/cases", `{"title":"x"}`, true); c != 201 {
		t.Errorf("POST with cookie and CSRF header: %d", c)
	}
	if code, _, _ := f.do(t, "POST", "/api/login", "", strings.NewReader(`{"token":"nope"}`)); code != 401 {
		t.Errorf("bad login: %d", code)
	}
}

func TestMetrics(t *testing.T) {
	f := newFixture(t)
	f.srv.IngestAdded(1234)
	f.srv.IngestRejected("bad checksum", 7)
	f.getJSON(t, "/api/stats", tokViewer, 200, nil)
	code, body, _ := f.do(t, "GET", "/metrics", tokAdmin, nil)
	if code != 200 {
		t.Fatalf("metrics: %d", code)
	}
	for _, want := range []string{
		"lookout_ingest_positions_total 1234",
		`lookout_ingest_rejected_total{reason="bad checksum"} 7`,
		`lookout_http_request_duration_seconds_count{code="200",route="GET /api/stats"} 1`,
	} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	f := newFixture(t)
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
		Comp    struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	f.getJSON(t, "/openapi.json", tokViewer, 200, &doc)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q", doc.OpenAPI)
	}
	n := 0
	for _, rt := range f.srv.routes {
		p := openAPIPath(rt.path)
		if p == "" {
			p = "/"
		}
		op, ok := doc.Paths[p][strings.ToLower(rt.method)]
		if !ok {
			t.Errorf("%s %s is not documented", rt.method, rt.path)
			continue
		}
		n++
		if s, _ := op["summary"].(string); s == "" {
			t.Errorf("%s %s has no summary", rt.method, rt.path)
		}
		// Every path parameter in the pattern is declared.
		for _, m := range pathParamRE.FindAllStringSubmatch(rt.path, -1) {
			found := false
			for _, prm := range rt.params {
				found = found || (prm.in == "path" && prm.name == m[1])
			}
			if !found {
				t.Errorf("%s %s: path parameter %s undeclared", rt.method, rt.path, m[1])
			}
		}
		for _, name := range []string{rt.respSchema, rt.bodySchema} {
			if name != "" && doc.Comp.Schemas[name] == nil {
				t.Errorf("%s %s: schema %s missing", rt.method, rt.path, name)
			}
		}
	}
	ops := 0
	for _, item := range doc.Paths {
		ops += len(item)
	}
	if ops != n {
		t.Errorf("document has %d operations, route table %d", ops, n)
	}
}

func TestHealthAndUI(t *testing.T) {
	f := newFixture(t)
	code, body, _ := f.do(t, "GET", "/healthz", "", nil)
	if code != 200 || !strings.Contains(string(body), "ok") {
		t.Errorf("healthz: %d %s", code, body)
	}
	code, body, hdr := f.do(t, "GET", "/", "", nil)
	if code != 200 || !strings.Contains(string(body), "<!doctype html>") || !strings.Contains(hdr.Get("Content-Security-Policy"), "default-src 'self'") {
		t.Errorf("index: %d %v", code, hdr)
	}
	code, _, _ = f.do(t, "GET", "/ui/vendor/leaflet/leaflet.css", "", nil)
	if code != 200 {
		t.Errorf("leaflet.css: %d", code)
	}
	for _, p := range []string{"/ui/../go.mod", "/ui/%2e%2e/go.mod", "/ui/nonesuch.js"} {
		code, body, _ := f.do(t, "GET", p, "", nil)
		if code == 200 {
			t.Errorf("%s: 200 %s", p, body)
		}
	}
	code, body, _ = f.do(t, "GET", "/api/nonesuch", tokViewer, nil)
	if code != 404 || !strings.Contains(string(body), "openapi") {
		t.Errorf("unknown API path: %d %s", code, body)
	}
	var fc featureCollection
	f.getJSON(t, "/api/basemap.geojson?bbox=129,40,135,46", tokViewer, 200, &fc)
	if len(fc.Features) != 1 {
		t.Errorf("basemap: %+v", fc)
	}
}
