package match_test

import (
	"strings"
	"testing"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
	"github.com/lookout-maritime/lookout/internal/sanctions/match"
	"github.com/lookout-maritime/lookout/internal/vessel"
)

func TestHitEventFormerName(t *testing.T) {
	ix := match.NewIndex(match.Config{}, loadOFAC(t))
	t0 := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	history := []vessel.Identity{
		{MMSI: 273000001, IMO: 9358010, Name: "MAIA-1", Flag: "RU", FirstSeen: t0, LastSeen: t0.Add(24 * time.Hour)},
		{MMSI: 273000001, IMO: 9358010, Name: "SEA BREEZE", Flag: "RU", FirstSeen: t0.AddDate(1, 0, 0), LastSeen: t0.AddDate(1, 1, 0)},
	}
	hits := ix.ScreenIdentityHistory(history)
	if len(hits) == 0 || !hits[0].Alert {
		t.Fatalf("no alert for MAIA-1's IMO: %+v", hits)
	}
	e := ix.HitEvent(hits[0], 273000001, history, match.ListInfo{Version: 7}, 42.9, 132.4)
	if e.Kind != event.SanctionsHit || e.MMSI != 273000001 || e.Key == "" || e.Confidence != hits[0].Score ||
		e.Details["list_version"] != int64(7) || e.Details["entity_id"] != hits[0].EntityID || e.Params["alert_threshold"] != 0.8 {
		t.Fatalf("event: %+v", e)
	}
	if !strings.Contains(e.Explanation, "SEA BREEZE") || !strings.Contains(e.Explanation, "MAIA") {
		t.Errorf("explanation: %s", e.Explanation)
	}
	// The IMO is the same under both names, so the best identity may be
	// either; the match kind must follow which one it was.
	want := match.MatchDirect
	if hits[0].Identity == 0 {
		want = match.MatchFormerName
	}
	if e.Details["match"] != want {
		t.Errorf("match %v, want %s (identity %d)", e.Details["match"], want, hits[0].Identity)
	}
	again := ix.HitEvent(hits[0], 273000001, history, match.ListInfo{Version: 8}, 0, 0)
	if again.Key != e.Key {
		t.Error("the same hit on a newer list version must keep its key")
	}
}
