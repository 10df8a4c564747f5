package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lookout-maritime/lookout/internal/risk"
	"github.com/lookout-maritime/lookout/internal/risk/risktest"
	"github.com/lookout-maritime/lookout/internal/store"
	"github.com/lookout-maritime/lookout/internal/store/duckdb"
)

// riskAt is the evaluation time of the risk fixtures (risktest.At).
const riskAt = "2024-01-15"

// seedRiskStore writes the risktest fleet to a new DuckDB file.
func seedRiskStore(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "risk.duckdb")
	ctx := context.Background()
	st, err := duckdb.Open(ctx, duckdb.Config{Path: path, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := risktest.Seed(ctx, st); err != nil {
		t.Fatal(err)
	}
	return path
}

// fleetGolden compares with testdata/fleet/NAME (rewritten with -update).
func fleetGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "fleet", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/cli -run Risk -update to create)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestRiskRankingAndExplanation(t *testing.T) {
	db := seedRiskStore(t)
	out, errOut, code := run(t, "", "risk", "--store", db, "--at", riskAt)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	fleetGolden(t, "risk_table.golden", out)
	// The ranking: sanctioned, high, elevated, then the low ones.
	var order []string
	for _, l := range strings.Split(out, "\n")[1:6] {
		order = append(order, strings.Fields(l)[3])
	}
	if strings.Join(order, " ") != "273359640 273777777 273214860 636000001 273000002" {
		t.Errorf("order %v", order)
	}

	out, errOut, code = run(t, "", "risk", "--store", db, "--at", riskAt, "MAIA")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	fleetGolden(t, "risk_maia.golden", out)
	for _, want := range []string{"Rating: SANCTIONED", "dark_high_risk_port_call", "Najin", "after its designation on 2023-05-19", risktest.KeyMaiaDark} {
		if !strings.Contains(out, want) {
			t.Errorf("explanation lacks %q", want)
		}
	}
	// By IMO, by former name and by MMSI: the same vessel.
	for _, ref := range [][]string{{"IMO", "9358010"}, {"maia-1"}, {"273359640"}} {
		o, _, code := run(t, "", append([]string{"risk", "--store", db, "--at", riskAt}, ref...)...)
		if code != 0 || o != out {
			t.Errorf("risk %v: exit %d\n%s", ref, code, o)
		}
	}

	// --json: the profile.
	out, _, code = run(t, "", "risk", "--store", db, "--at", riskAt, "--json", "VOSTOK 7")
	var p risk.Profile
	if code != 0 || json.Unmarshal([]byte(out), &p) != nil || p.MMSI != risktest.Vostok || p.Rating != risk.High || len(p.Factors) == 0 {
		t.Fatalf("--json VESSEL: %d %s", code, out)
	}

	// --json --min high: JSON lines, ranked.
	out, _, code = run(t, "", "risk", "--store", db, "--at", riskAt, "--json", "--min", "high", "--factors", "2")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 2 {
		t.Fatalf("--min high: %d\n%s", code, out)
	}
	var row rankRow
	if err := json.Unmarshal([]byte(lines[1]), &row); err != nil || row.Rank != 2 || row.MMSI != risktest.Vostok || len(row.TopFactors) != 2 ||
		row.Policy != "lookout-default@2025.1" {
		t.Errorf("row %+v %v", row, err)
	}
	// --limit.
	out, _, _ = run(t, "", "risk", "--store", db, "--at", riskAt, "--limit", "1")
	if strings.Count(out, "\n") != 3 || !strings.Contains(out, "1 shown") {
		t.Errorf("--limit 1:\n%s", out)
	}
}

func TestRiskErrors(t *testing.T) {
	db := seedRiskStore(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "policy.json")
	pol := strings.Replace(string(risk.DefaultPolicyJSON()), `"weight": 2,`, `"weight": "two",`, 1)
	if err := os.WriteFile(bad, []byte(pol), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"risk", "--store", db, "NOBODY"}, 1, `no vessel in the store matches "NOBODY"`},
		{[]string{"risk", "--store", db, "--min", "medium"}, 2, `--min: risk: unknown rating "medium"`},
		{[]string{"risk", "--store", db, "--at", "yesterday"}, 2, "--at"},
		{[]string{"risk", "--store", db, "--policy", bad}, 1, bad + ": risk: invalid policy: line 14, column 22: json: cannot unmarshal string"},
		{[]string{"risk", "--store", db, "--update", "MAIA"}, 2, "takes no VESSEL"},
		{[]string{"screen", "--store", db, "--fleet", "x.csv", "--name", "MAIA"}, 2, "does not combine"},
		{[]string{"screen", "--store", db, "--out", "x"}, 2, "go with --fleet"},
	} {
		_, errOut, code := run(t, "", tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
}

// --update records rating changes once; a new policy or new evidence
// records the changes they make.
func TestRiskUpdate(t *testing.T) {
	db := seedRiskStore(t)
	out, errOut, code := run(t, "", "risk", "--store", db, "--at", riskAt, "--update")
	if code != 0 || !strings.Contains(out, "rated 5 vessels as of 2024-01-15T00:00:00Z under lookout-default@2025.1") ||
		!strings.Contains(out, ": 3 rating changes recorded") || !strings.Contains(out, "273359640  MAIA became sanctioned (was low") {
		t.Fatalf("update: %d %s %s", code, out, errOut)
	}
	out, _, _ = run(t, "", "events", "--store", db, "--kind", "risk_change", "--json")
	if n := strings.Count(out, "\n"); n != 3 || !strings.Contains(out, `"new_rating":"high"`) {
		t.Fatalf("events: %d\n%s", n, out)
	}
	out, _, _ = run(t, "", "risk", "--store", db, "--at", riskAt, "--update")
	if !strings.Contains(out, ": 0 rating changes recorded") {
		t.Errorf("second update: %s", out)
	}
	// The explanation says what was recorded.
	out, _, _ = run(t, "", "risk", "--store", db, "--at", riskAt, "MAIA")
	if !strings.Contains(out, "Recorded: sanctioned since 2024-01-15T00:00:00Z (risk_change event ") {
		t.Errorf("recorded line missing:\n%s", out)
	}

	// A stricter gap policy: the ordinary gap makes ELBE TRADER elevated.
	p := risk.DefaultPolicy()
	p.Version = "gaps-50"
	g := p.Factors[risk.AISGap]
	g.Weight, g.Cap = 50, 50
	p.Factors[risk.AISGap] = g
	b, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	pf := filepath.Join(t.TempDir(), "gaps.json")
	if err := os.WriteFile(pf, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, _ = run(t, "", "risk", "--store", db, "--at", riskAt, "--update", "--policy", pf, "--json")
	var e struct {
		MMSI    uint32         `json:"mmsi"`
		Details map[string]any `json:"details"`
	}
	if err := json.Unmarshal([]byte(out), &e); err != nil || e.MMSI != risktest.Ordinary || e.Details["new_rating"] != "elevated" ||
		e.Details["policy"] != "lookout-default@gaps-50" {
		t.Fatalf("policy update: %v %s %s", err, out, errOut)
	}
	// --print-policy --policy writes it back identically.
	out, _, _ = run(t, "", "risk", "--print-policy", "--policy", pf)
	if out != string(b) {
		t.Errorf("print-policy differs")
	}
	out, _, _ = run(t, "", "risk", "--print-policy")
	if out != string(risk.DefaultPolicyJSON()) {
		t.Errorf("default policy differs")
	}
}

// updateRisk is what demo and serve call.
func TestUpdateRiskFunction(t *testing.T) {
	db := seedRiskStore(t)
	ctx := context.Background()
	st, err := openStore(ctx, db, false)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	at := risktest.At
	n, err := updateRisk(ctx, st, nil, at)
	if err != nil || n != 3 {
		t.Fatalf("%d %v", n, err)
	}
	if n, err = updateRisk(ctx, st, nil, at); err != nil || n != 0 {
		t.Fatalf("again: %d %v", n, err)
	}
	// The sanctions hit gone (a new list without MAIA-1, re-screened).
	if err := st.ReplaceEvents(ctx, []string{"sanctions-screen"}, nil); err != nil {
		t.Fatal(err)
	}
	if n, err = updateRisk(ctx, st, nil, at); err != nil || n != 2 {
		t.Fatalf("after delisting: %d %v", n, err)
	}
	evs, err := st.Events(ctx, store.EventQuery{MMSI: risktest.MAIA})
	if err != nil {
		t.Fatal(err)
	}
	var last string
	for _, e := range evs {
		if e.Kind == "risk_change" {
			last = e.Explanation
		}
	}
	if !strings.HasPrefix(last, "MAIA fell to high risk (was sanctioned") || !strings.Contains(last, "No longer counted: sanctions_former_name") {
		t.Errorf("last change %q", last)
	}
}

// The same ratings and the same change log on PostgreSQL.
func TestRiskOnPostgres(t *testing.T) {
	pg := pgURL(t)
	ctx := context.Background()
	st, err := openStore(ctx, pg, false)
	if err != nil {
		t.Fatal(err)
	}
	err = risktest.Seed(ctx, st)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, code := run(t, "", "risk", "--store", pg, "--at", riskAt)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	fleetGolden(t, "risk_table.golden", out)
	for i, want := range []string{": 3 rating changes recorded", ": 0 rating changes recorded"} {
		out, errOut, _ = run(t, "", "risk", "--store", pg, "--at", riskAt, "--update")
		if !strings.Contains(out, want) {
			t.Fatalf("update %d: %s %s", i, out, errOut)
		}
	}
}
