package cli

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/store/duckdb"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

const ofacVessels = "../sanctions/testdata/ofac/sdn_2024-05-03_vessels_and_owners.csv"

// seedVessels stores three AIS vessels: MAIA-1 under its real IMO, a
// renamed ANGARA (former name on AIS), and an innocent look-alike.
func seedVessels(t *testing.T, path string) {
	t.Helper()
	ctx := context.Background()
	st, err := duckdb.Open(ctx, duckdb.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t0 := time.Date(2023, 9, 1, 0, 0, 0, 0, time.UTC)
	ids := []vessel.Identity{
		{MMSI: 273000001, IMO: 9358010, Name: "MAIA-1", CallSign: "UBCT9", ShipType: 70, Flag: "RU", FirstSeen: t0, LastSeen: t0.Add(48 * time.Hour), Reports: 5, Source: "t"},
		{MMSI: 273000002, Name: "ANGARA", Flag: "RU", ShipType: 70, FirstSeen: t0, LastSeen: t0.Add(24 * time.Hour), Reports: 3, Source: "t"},
		{MMSI: 273000002, Name: "BLUE HORIZON", Flag: "RU", ShipType: 70, FirstSeen: t0.Add(30 * 24 * time.Hour), LastSeen: t0.Add(40 * 24 * time.Hour), Reports: 3, Source: "t"},
		{MMSI: 563000003, IMO: 9876543, Name: "MARIA GRACE", Flag: "SG", ShipType: 80, FirstSeen: t0, LastSeen: t0.Add(24 * time.Hour), Reports: 2, Source: "t"},
	}
	if err := st.UpsertIdentities(ctx, ids); err != nil {
		t.Fatal(err)
	}
	pts := []vessel.TrackPoint{
		{Position: vessel.Position{MMSI: 273000001, Time: t0.Add(time.Hour), Lat: 42.9, Lon: 132.4, SOG: 10, COG: 90, Heading: 511, Source: "t"}, Segment: 1},
	}
	if _, err := st.AddPositions(ctx, 0, pts); err != nil {
		t.Fatal(err)
	}
}

func TestSanctionsLoadScreenEvents(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.duckdb")
	seedVessels(t, db)

	// No lists yet: a clear error.
	_, errOut, code := run(t, "", "screen", "--store", db, "--name", "MAIA 1")
	if code != 1 || !strings.Contains(errOut, "sanctions load") {
		t.Fatalf("screen without lists: %d %s", code, errOut)
	}

	out, errOut, code := run(t, "", "sanctions", "load", "--store", db, ofacVessels)
	if code != 0 || !strings.Contains(out, "OFAC-SDN") || !strings.Contains(out, "new version 1") || !strings.Contains(out, "1013 entities") {
		t.Fatalf("load: %d %s %s", code, out, errOut)
	}
	out, _, _ = run(t, "", "sanctions", "load", "--store", db, ofacVessels)
	if !strings.Contains(out, "unchanged") {
		t.Fatalf("second load: %s", out)
	}

	// A new version: one vessel removed, one added.
	raw, err := os.ReadFile(ofacVessels)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(raw), "\n")
	var kept []string
	var removed string
	for _, l := range lines {
		if removed == "" && strings.Contains(l, `"vessel"`) && strings.Contains(l, "SPARTA IV") {
			removed = l
			continue
		}
		kept = append(kept, l)
	}
	if removed == "" {
		t.Fatal("fixture lacks SPARTA IV")
	}
	kept = append(kept, `99999,"NEW TEST SHIP","vessel","DPRK3",-0- ,-0- ,"General Cargo",-0- ,-0- ,"Korea, North",-0- ,"Vessel Registration Identification IMO 9000007."`+"\r\n")
	v2 := filepath.Join(dir, "sdn.csv")
	if err := os.WriteFile(v2, []byte(strings.Join(kept, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, errOut, code := run(t, "", "sanctions", "load", "--store", db, v2); code != 0 || !strings.Contains(out, "new version 2") {
		t.Fatalf("load v2: %s %s", out, errOut)
	}
	out, _, code = run(t, "", "sanctions", "diff", "--store", db)
	if code != 0 || !strings.Contains(out, "1 added, 1 removed") || !strings.Contains(out, "+ 99999 NEW TEST SHIP") || !strings.Contains(out, "SPARTA IV") {
		t.Fatalf("diff: %s", out)
	}
	out, _, _ = run(t, "", "sanctions", "diff", "--store", db, "--json", "1", "2")
	if n := strings.Count(out, "\n"); n != 2 || !strings.Contains(out, `"change":"added"`) {
		t.Fatalf("diff --json: %s", out)
	}
	out, _, _ = run(t, "", "sanctions", "list", "--store", db, "--json")
	var lv listVersionOut
	if err := json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &lv); err != nil || lv.Version != 2 || lv.Vessels == 0 {
		t.Fatalf("list: %v %s", err, out)
	}

	// Ad hoc: name variants, IMO, and a look-alike below threshold.
	out, _, code = run(t, "", "screen", "--store", db, "--name", "M/V Maia I", "--json")
	var h hitOut
	if code != 0 || json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &h) != nil || h.EntityID != "37098" || !h.Alert ||
		h.List != "OFAC-SDN" || !strings.Contains(h.Program, "RUSSIA-EO14024") || h.ListVersion != 2 || len(h.Reasons) == 0 {
		t.Fatalf("screen --name: %s", out)
	}
	out, _, _ = run(t, "", "screen", "--store", db, "--imo", "IMO 9179842")
	if !strings.Contains(out, "ANGARA") || !strings.Contains(out, "ALERT") {
		t.Fatalf("screen --imo: %s", out)
	}
	out, _, _ = run(t, "", "screen", "--store", db, "--name", "MARIA GRACE", "--flag", "SG", "--json")
	if strings.TrimSpace(out) != "" {
		t.Fatalf("look-alike alerted: %s", out)
	}

	// Store-wide screening records events; the renamed ANGARA is found
	// through its former name, the look-alike is not a hit.
	out, errOut, code = run(t, "", "screen", "--store", db)
	if code != 0 || !strings.Contains(out, "screened 3 vessels") {
		t.Fatalf("screen: %d %s %s", code, out, errOut)
	}
	out, _, _ = run(t, "", "events", "--store", db, "--kind", "sanctions_hit", "--json")
	byMMSI := map[uint32]map[string]map[string]any{} // mmsi -> entity -> details
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var e struct {
			MMSI    uint32         `json:"mmsi"`
			Details map[string]any `json:"details"`
		}
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		if byMMSI[e.MMSI] == nil {
			byMMSI[e.MMSI] = map[string]map[string]any{}
		}
		byMMSI[e.MMSI][e.Details["entity_id"].(string)] = e.Details
	}
	if byMMSI[273000001]["37098"]["match"] != "direct" || byMMSI[273000002]["37059"]["match"] != "former_name" ||
		byMMSI[273000002]["37065"]["match"] != "owner" || byMMSI[563000003] != nil {
		t.Fatalf("events: %v", byMMSI)
	}
	// Screening twice replaces, not duplicates.
	run(t, "", "screen", "--store", db)
	out2, _, _ := run(t, "", "events", "--store", db, "--kind", "sanctions_hit", "--json")
	if strings.Count(out2, "\n") != strings.Count(out, "\n") {
		t.Fatalf("re-screening duplicated events:\n%s\nvs\n%s", out2, out)
	}
	out, _, _ = run(t, "", "vessel", "--store", db, "273000002")
	if !strings.Contains(out, "SANCTIONS") || !strings.Contains(out, "ANGARA") {
		t.Fatalf("vessel does not show the hit: %s", out)
	}
}

func TestSanctionsUpdate(t *testing.T) {
	body, err := os.ReadFile("../sanctions/testdata/ofac/sdn_fixture.xml")
	if err != nil {
		t.Fatal(err)
	}
	hits := 0
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		if r.Header.Get("If-None-Match") == `"abc"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"abc"`)
		w.Write(body)
	}))
	defer ts.Close()
	db := filepath.Join(t.TempDir(), "s.duckdb")
	out, errOut, code := run(t, "", "sanctions", "update", "--store", db, "--feed", "OFAC-SDN="+ts.URL+"/SDN.XML")
	if code != 0 || !strings.Contains(out, "new version 1") {
		t.Fatalf("update: %d %s %s", code, out, errOut)
	}
	out, _, code = run(t, "", "sanctions", "update", "--store", db, "--feed", "OFAC-SDN="+ts.URL+"/SDN.XML")
	if code != 0 || !strings.Contains(out, "not modified") || hits != 2 {
		t.Fatalf("conditional update: %d %s (hits %d)", code, out, hits)
	}
	out, _, code = run(t, "", "sanctions", "update", "--store", db, "--feed", "UN-SC="+ts.URL+"/consolidated.xml")
	if code != 1 || !strings.Contains(out, "FAILED") {
		t.Fatalf("wrong list at a feed must fail: %d %s", code, out)
	}
	if _, _, code := run(t, "", "sanctions", "update", "--store", db, "--feed", "nonsense"); code != 2 {
		t.Fatalf("bad --feed: %d", code)
	}
}
