package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lookout-maritime/lookout/internal/evidence"
)

func TestCaseCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.duckdb")
	seedVessels(t, db)
	t.Setenv("LOOKOUT_USER", "analyst1")
	out, errOut, code := run(t, "", "case", "new", "--store", db, "DPRK–Russia shipments via Najin")
	if code != 0 {
		t.Fatalf("case new: %s", errOut)
	}
	id := strings.TrimSpace(out)
	photo := filepath.Join(dir, "najin.jpg")
	os.WriteFile(photo, []byte("\xff\xd8\xff fake jpeg"), 0o644)
	for _, args := range [][]string{
		{"--vessel", "273000001"},
		{"--vessel", "IMO 9358010"},
		{"--file", photo, "--source", "test imagery", "--description", "Najin pier"},
		{"--note", "Three ships alongside at Najin"},
	} {
		if out, errOut, code := run(t, "", append([]string{"case", "add", "--store", db, id}, args...)...); code != 0 || !strings.Contains(out, "sha256") {
			t.Fatalf("case add %v: %d %s %s", args, code, out, errOut)
		}
	}
	if _, _, code := run(t, "", "case", "add", "--store", db, id, "--note", "x", "--file", photo); code != 2 {
		t.Error("two sources accepted")
	}
	if _, errOut, code := run(t, "", "case", "add", "--store", db, "NOPE", "--note", "x"); code != 1 || !strings.Contains(errOut, "NOPE") {
		t.Errorf("unknown case: %d %s", code, errOut)
	}
	out, _, code = run(t, "", "case", "show", "--store", db, "--json", id)
	var c evidence.Case
	if code != 0 || json.Unmarshal([]byte(out), &c) != nil {
		t.Fatalf("case show: %s", out)
	}
	if len(c.Items) != 4 || c.Items[0].Kind != evidence.KindVessel || c.Items[2].FileName != "najin.jpg" || c.Items[2].MediaType != "image/jpeg" ||
		c.Items[3].AddedBy != "analyst1" || len(c.Custody) != 1 || c.Custody[0].Action != evidence.ActionViewed {
		t.Fatalf("case: %+v", c)
	}
	out, _, _ = run(t, "", "case", "list", "--store", db)
	if !strings.Contains(out, "Najin") || !strings.Contains(out, id) {
		t.Fatalf("case list: %s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "s.evidence")); err != nil {
		t.Fatalf("evidence log not next to the store: %v", err)
	}
}
