package cli

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lookout-maritime/lookout/internal/risk"
)

const fleetFile = "testdata/fleet/fleet.csv"

// fleetStoreWithLists is the risktest fleet with the OFAC fixture loaded.
func fleetStoreWithLists(t *testing.T) string {
	t.Helper()
	db := seedRiskStore(t)
	if out, errOut, code := run(t, "", "sanctions", "load", "--store", db, ofacVessels); code != 0 {
		t.Fatalf("load: %s %s", out, errOut)
	}
	return db
}

func TestScreenFleet(t *testing.T) {
	db := fleetStoreWithLists(t)
	prefix := filepath.Join(t.TempDir(), "screened")
	out, errOut, code := run(t, "", "screen", "--store", db, "--fleet", fleetFile, "--at", riskAt, "--out", prefix)
	if code != 0 || out != "" {
		t.Fatalf("exit %d, stdout %q, stderr %s", code, out, errOut)
	}
	// Bad rows are reported with file:line and counted; the run goes on.
	for _, want := range []string{
		`lookout: testdata/fleet/fleet.csv:8: IMO No. "2.73E+08": not a seven-digit IMO number (row skipped)`,
		`lookout: testdata/fleet/fleet.csv:10: IMO No. "9301237x": not a seven-digit IMO number (row skipped)`,
		`lookout: testdata/fleet/fleet.csv:11: Flag State "Atlantis": not a country name or ISO code (field ignored)`,
		"screened 7 vessels from testdata/fleet/fleet.csv (2 bad rows skipped, 1 warnings): 2 sanctioned, 1 high, 0 elevated, 4 low; 2 with sanctions hits; wrote ",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	csvOut, err := os.ReadFile(prefix + ".csv")
	if err != nil {
		t.Fatal(err)
	}
	jsonOut, err := os.ReadFile(prefix + ".json")
	if err != nil {
		t.Fatal(err)
	}
	fleetGolden(t, "screened.csv", string(csvOut))
	fleetGolden(t, "screened.json", string(jsonOut))

	var rep struct {
		Rows    int              `json:"rows"`
		BadRows int              `json:"bad_rows"`
		Vessels []fleetVesselOut `json:"vessels"`
		Lists   []fleetList      `json:"lists"`
	}
	if err := json.Unmarshal(jsonOut, &rep); err != nil {
		t.Fatal(err)
	}
	byLine := map[int]fleetVesselOut{}
	for _, v := range rep.Vessels {
		byLine[v.Line] = v
	}
	kinds := func(v fleetVesselOut) []risk.FactorKind {
		var ks []risk.FactorKind
		for _, f := range v.TopFactors {
			ks = append(ks, f.Kind)
		}
		return ks
	}
	if rep.Rows != 7 || rep.BadRows != 2 || len(rep.Vessels) != 7 || len(rep.Lists) != 1 || rep.Lists[0].Source != "OFAC-SDN" {
		t.Fatalf("report: %d vessels, lists %+v", len(rep.Vessels), rep.Lists)
	}
	// MAIA: known by MMSI; the listing is the store's former-name hit,
	// counted once although the file's IMO matches it directly too; the
	// fresh screening adds its designated owner (TRANSMORFLOT LLC).
	maia := byLine[2]
	if maia.Matched == nil || maia.Matched.By != "mmsi" || maia.Rating != risk.Sanctioned || len(maia.Hits) != 2 || maia.Hits[0].EntityID != "37098" ||
		slices.Contains(kinds(maia), risk.SanctionsDirect) || !slices.Contains(kinds(maia), risk.DarkHighRiskPortCall) {
		t.Errorf("MAIA: %+v", maia)
	}
	// ANGARA: not in the store, listed by IMO.
	angara := byLine[3]
	if angara.Matched != nil || angara.Rating != risk.Sanctioned || len(angara.Hits) == 0 || angara.Hits[0].EntityID != "37059" ||
		!strings.Contains(strings.Join(angara.Hits[0].Reasons, " "), "9179842") || !strings.HasPrefix(angara.TopFactors[0].Explanation, "ANGARA matches ANGARA") {
		t.Errorf("ANGARA: %+v", angara)
	}
	// VOSTOK 7: known by IMO only, rated on its behaviour.
	if v := byLine[4]; v.Matched == nil || v.Matched.By != "imo" || v.Matched.MMSI != 273777777 || v.Rating != risk.High {
		t.Errorf("VOSTOK 7: %+v", v)
	}
	// ELBE TRADER: registered in Cameroon by the file, Russian by its
	// MMSI: a flag mismatch and a flag of convenience, not yet elevated.
	if v := byLine[5]; v.Rating != risk.Low || v.Score < 13 || !slices.Contains(kinds(v), risk.MIDFlagMismatch) || !slices.Contains(kinds(v), risk.FlagOfConvenience) {
		t.Errorf("ELBE TRADER: %+v", v)
	}
	// NEW BUILD: an IMO whose check digit fails.
	if v := byLine[7]; !slices.Contains(kinds(v), risk.InvalidIMO) || v.Matched != nil {
		t.Errorf("NEW BUILD: %+v", v)
	}
	// SVETLAYA: name only, the flag dropped.
	if v := byLine[11]; v.Matched != nil || v.Input.FlagInput != "Atlantis" || v.Input.Flag != "" || len(v.Notes) == 0 {
		t.Errorf("SVETLAYA: %+v", v)
	}

	// The CSV: one row per screened row, in file order.
	recs, err := csv.NewReader(strings.NewReader(string(csvOut))).ReadAll()
	if err != nil || len(recs) != 8 || !slices.Equal(recs[0], fleetCSVHeader) || recs[1][0] != "2" || recs[1][9] != "sanctioned" {
		t.Fatalf("csv %v: %v", err, recs)
	}

	// Stdout: CSV by default, JSON with --json; stdin with "-".
	raw, err := os.ReadFile(fleetFile)
	if err != nil {
		t.Fatal(err)
	}
	out, _, code = run(t, "", "screen", "--store", db, "--fleet", fleetFile, "--at", riskAt)
	if code != 0 || out != string(csvOut) {
		t.Errorf("stdout CSV differs (exit %d)", code)
	}
	out, _, code = run(t, "", "screen", "--store", db, "--fleet", fleetFile, "--at", riskAt, "--json")
	if code != 0 || out != string(jsonOut) {
		t.Errorf("stdout JSON differs (exit %d)", code)
	}
	out, errOut, code = run(t, string(raw), "screen", "--store", db, "--fleet", "-", "--at", riskAt)
	if code != 0 || out != string(csvOut) || !strings.Contains(errOut, "stdin:8:") {
		t.Errorf("stdin: exit %d\n%s", code, errOut)
	}
}

func TestScreenFleetErrors(t *testing.T) {
	db := fleetStoreWithLists(t)
	dir := t.TempDir()
	noHeader := filepath.Join(dir, "owners.csv")
	if err := os.WriteFile(noHeader, []byte("owner,country\nACME,PA\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := run(t, "", "screen", "--store", db, "--fleet", noHeader)
	if code != 1 || !strings.Contains(errOut, noHeader+`:1: the header "owner,country" names no IMO, MMSI or vessel name column`) {
		t.Errorf("no header: %d %s", code, errOut)
	}
	_, errOut, code = run(t, "", "screen", "--store", db, "--fleet", filepath.Join(dir, "missing.csv"))
	if code != 1 || !strings.Contains(errOut, "missing.csv") {
		t.Errorf("missing: %d %s", code, errOut)
	}
	// Without lists: a clear error.
	empty := seedRiskStore(t)
	_, errOut, code = run(t, "", "screen", "--store", empty, "--fleet", fleetFile)
	if code != 1 || !strings.Contains(errOut, "no sanctions lists") {
		t.Errorf("no lists: %d %s", code, errOut)
	}
	// A formula in a name is defused in the CSV.
	evil := filepath.Join(dir, "evil.csv")
	if err := os.WriteFile(evil, []byte("name,imo\n\"=HYPERLINK(\"\"x\"\")\",9358010\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, code := run(t, "", "screen", "--store", db, "--fleet", evil, "--at", riskAt)
	if code != 0 || !strings.Contains(out, `'=HYPERLINK`) {
		t.Errorf("formula: %d %s", code, out)
	}
}
