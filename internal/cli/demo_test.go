package cli

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/sim"
	"github.com/lookout-maritime/lookout/internal/store"
)

// TestDemoEndToEnd runs `lookout demo --no-serve` and checks what the
// founding case must show (issue 10): the dark calls at Najin, the dark
// detections there, the sanctions hits and nothing more, and a dossier
// that verifies.
func TestDemoEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo takes tens of seconds")
	}
	dir := filepath.Join(t.TempDir(), "demo")
	out, errOut, code := run(t, "", "demo", "--no-serve", "--json", "--dir", dir)
	if code != 0 {
		t.Fatalf("demo: exit %d\n%s", code, errOut)
	}
	var sum demoSummary
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("summary: %v\n%s", err, out)
	}
	t.Logf("demo took %.1f s: %v", sum.ElapsedSec, sum.Stages)
	var man sim.Manifest
	b, err := os.ReadFile(filepath.Join(dir, "data", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &man); err != nil {
		t.Fatal(err)
	}
	if !sum.Simulated || !strings.Contains(sum.CaseTitle, "SIMULATED") || !man.Simulated {
		t.Error("the demo is not labelled SIMULATED")
	}
	if sum.Rejected != 0 || sum.Messages < 500_000 {
		t.Errorf("%d messages, %d rejected", sum.Messages, sum.Rejected)
	}

	// Each ship: every dark leg of the simulation is found as a dark port
	// visit with Najin first, and the ship is a direct sanctions hit with
	// its reasons.
	founding := map[uint32]bool{}
	if len(sum.Ships) != 3 {
		t.Fatalf("%d founding ships in the summary", len(sum.Ships))
	}
	for _, ship := range sum.Ships {
		founding[ship.MMSI] = true
		found := 0
		for _, leg := range man.DarkLegs {
			if leg.MMSI != ship.MMSI {
				continue
			}
			ok := false
			for _, v := range ship.DarkPortVisits {
				if v.Start.Before(leg.On) && v.End.After(leg.Off) && v.Top == "Najin" {
					ok = true
				}
			}
			if ok {
				found++
			} else {
				t.Errorf("%s: dark leg %s to %s (at %s) has no dark port visit with Najin on top", ship.Name, leg.Off, leg.On, leg.Port)
			}
		}
		if ship.DarkLegs == 0 || found != ship.DarkLegs {
			t.Errorf("%s: %d of %d dark legs found", ship.Name, found, ship.DarkLegs)
		}
		direct := false
		for _, h := range ship.Hits {
			if h.Match == "direct" && h.Reasons != "" && h.Program != "" && h.List != "" {
				direct = true
			}
		}
		if !direct {
			t.Errorf("%s: no direct sanctions hit with reasons: %+v", ship.Name, ship.Hits)
		}
		if ship.Rating != "sanctioned" {
			t.Errorf("%s rated %q", ship.Name, ship.Rating)
		}
	}
	if sum.LookAlike.Name == "" || sum.LookAlike.Hit {
		t.Errorf("look-alike %+v", sum.LookAlike)
	}

	// Background traffic raises no dark port visit and no sanctions hit.
	st, err := openStore(t.Context(), sum.Store, true)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	evs, err := st.Events(t.Context(), storeQuery(event.DarkPortVisit, event.SanctionsHit))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if !founding[e.MMSI] {
			t.Errorf("background vessel %d (%s) has a %s: %s", e.MMSI, e.Name, e.Kind, e.Explanation)
		}
	}
	// ... and no background vessel is rated high.
	changes, err := st.Events(t.Context(), storeQuery(event.RiskChange))
	if err != nil {
		t.Fatal(err)
	}
	najinFactor := map[uint32]bool{}
	for _, e := range changes {
		if r := e.Details["new_rating"]; !founding[e.MMSI] && (r == "high" || r == "sanctioned") {
			t.Errorf("background vessel %d (%s) rated %v: %s", e.MMSI, e.Name, r, e.Explanation)
		}
		top, _ := e.Details["top_factors"].([]any)
		for _, f := range top {
			if m, _ := f.(map[string]any); m["kind"] == "dark_high_risk_port_call" {
				najinFactor[e.MMSI] = true
			}
		}
	}
	// ... while the three ships' dark calls at Najin are among their top
	// risk factors.
	for _, ship := range sum.Ships {
		if !najinFactor[ship.MMSI] {
			t.Errorf("%s: the dark Najin calls are not among its top risk factors", ship.Name)
		}
	}

	// Each optical scene over Najin: no detection matched to AIS, and each
	// founding ship alongside with its AIS off is there as a dark
	// detection of about its length.
	scenes := map[string]demoScene{}
	for _, s := range sum.Scenes {
		scenes[s.ID] = s
	}
	for _, sc := range man.Scenes {
		if sc.Kind != "optical" {
			continue
		}
		got, ok := scenes[sc.ID]
		if !ok {
			t.Errorf("scene %s not registered", sc.ID)
			continue
		}
		if got.Matched != 0 {
			t.Errorf("scene %s: %d detections matched to AIS at Najin", sc.ID, got.Matched)
		}
		for _, d := range sc.Detections {
			if !founding[d.MMSI] || !d.AISOff {
				continue
			}
			ok := false
			for _, l := range got.Dark {
				if math.Abs(l-d.TrueLengthM) <= 0.2*d.TrueLengthM {
					ok = true
				}
			}
			if !ok {
				t.Errorf("scene %s: %s (%.0f m) not among the dark detections %v", sc.ID, d.Name, d.TrueLengthM, got.Dark)
			}
		}
	}

	// The dossier verifies offline.
	if !sum.Verified {
		t.Error("the demo's own verification failed")
	}
	vout, verr, code := run(t, "", "verify", sum.Dossier)
	if code != 0 || !strings.Contains(vout, "OK") {
		t.Errorf("verify: exit %d\n%s%s", code, vout, verr)
	}
	for _, f := range []string{"index.html", "report.pdf", "case.geojson", "case.kml", "events.csv", "manifest.json"} {
		if _, err := os.Stat(filepath.Join(sum.Dossier, f)); err != nil {
			t.Errorf("dossier lacks %s", f)
		}
	}

	// A second run clears its own directory; a foreign one is refused.
	foreign := t.TempDir()
	if err := os.WriteFile(filepath.Join(foreign, "thesis.tex"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := run(t, "", "demo", "--no-serve", "--dir", foreign); code == 0 || !strings.Contains(errOut, "not written by 'lookout demo'") {
		t.Errorf("demo over a foreign directory: exit %d, %s", code, errOut)
	}
}

func storeQuery(kinds ...event.Kind) store.EventQuery { return store.EventQuery{Kinds: kinds} }
