package sim

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lookout-maritime/lookout/internal/event"
)

// ScoredKinds are the event kinds Score rates: those with ground truth,
// and those of which the scenario holds none (loitering, spoofing,
// identity changes), where every event found is a false positive.
var ScoredKinds = []event.Kind{event.PortVisit, event.Gap, event.DarkPortVisit, event.Encounter,
	event.Loitering, event.Spoofing, event.IdentityChange}

// KindScore is how the events of one kind compare with the truth.
type KindScore struct {
	Kind event.Kind
	// Truth counts the required truth events (Optional ones left out),
	// Found those matched by an event.
	Truth, Found int
	// Events counts the events scored (those matching only an Optional
	// truth event left out), Correct those matching a truth event.
	Events, Correct int
	// Precision is Correct/Events and Recall Found/Truth; each is 1 when
	// its denominator is 0 (nothing found of a kind that is not there).
	Precision, Recall float64
	// Missed are the required truth events no event matched; Spurious the
	// events matching none (or a truth event another event matched
	// better: a visit split in two counts one half as spurious).
	Missed   []TruthEvent
	Spurious []event.Event
}

// Matches reports whether event e is the detection of truth event t:
// the same vessel (for an encounter, the same pair in either order), time
// spans that overlap, and for port visits and dark port visits the same
// port (for a dark port visit, its top-ranked candidate).
func Matches(t TruthEvent, e *event.Event) bool {
	if t.Kind != e.Kind || e.Start.After(t.End) || t.Start.After(e.End) {
		return false
	}
	switch t.Kind {
	case event.Encounter:
		if !(e.MMSI == t.MMSI && e.OtherMMSI == t.OtherMMSI || e.MMSI == t.OtherMMSI && e.OtherMMSI == t.MMSI) {
			return false
		}
	default:
		if e.MMSI != t.MMSI {
			return false
		}
	}
	switch t.Kind {
	case event.PortVisit, event.DarkPortVisit:
		return strings.EqualFold(e.Port, t.Port)
	}
	return true
}

// overlap is the time two spans share.
func overlap(t TruthEvent, e *event.Event) time.Duration {
	a, b := t.Start, t.End
	if e.Start.After(a) {
		a = e.Start
	}
	if e.End.Before(b) {
		b = e.End
	}
	return b.Sub(a)
}

// Score compares detector events with the ground truth, kind by kind
// (ScoredKinds), one to one: each truth event is matched by at most one
// event, pairs taken by the longest overlap first. Withdrawn events are
// ignored.
func Score(truth []TruthEvent, events []event.Event) []KindScore {
	var out []KindScore
	for _, k := range ScoredKinds {
		out = append(out, scoreKind(k, truth, events))
	}
	return out
}

func scoreKind(k event.Kind, truth []TruthEvent, events []event.Event) KindScore {
	ks := KindScore{Kind: k}
	var ts []TruthEvent
	for _, t := range truth {
		if t.Kind == k {
			ts = append(ts, t)
		}
	}
	var es []*event.Event
	for i := range events {
		if e := &events[i]; e.Kind == k && !e.Withdrawn {
			es = append(es, e)
		}
	}
	type pair struct {
		t, e int
		ov   time.Duration
	}
	var pairs []pair
	for ti := range ts {
		for ei, e := range es {
			if Matches(ts[ti], e) {
				pairs = append(pairs, pair{ti, ei, overlap(ts[ti], e)})
			}
		}
	}
	slices.SortStableFunc(pairs, func(a, b pair) int { return cmp.Compare(b.ov, a.ov) })
	tMatch, eMatch := make([]int, len(ts)), make([]int, len(es))
	for i := range tMatch {
		tMatch[i] = -1
	}
	for i := range eMatch {
		eMatch[i] = -1
	}
	for _, p := range pairs {
		if tMatch[p.t] < 0 && eMatch[p.e] < 0 {
			tMatch[p.t], eMatch[p.e] = p.e, p.t
		}
	}
	for ti, t := range ts {
		if t.Optional {
			continue
		}
		ks.Truth++
		if tMatch[ti] >= 0 {
			ks.Found++
		} else {
			ks.Missed = append(ks.Missed, t)
		}
	}
	for ei, e := range es {
		switch {
		case eMatch[ei] < 0:
			ks.Events++
			ks.Spurious = append(ks.Spurious, *e)
		case !ts[eMatch[ei]].Optional:
			ks.Events++
			ks.Correct++
		}
	}
	ks.Precision, ks.Recall = ratio(ks.Correct, ks.Events), ratio(ks.Found, ks.Truth)
	return ks
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// ScoreTable formats scores as a Markdown table.
func ScoreTable(scores []KindScore) string {
	var b strings.Builder
	b.WriteString("| kind | truth | found | events | correct | precision | recall |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, s := range scores {
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %.3f | %.3f |\n", s.Kind, s.Truth, s.Found, s.Events, s.Correct, s.Precision, s.Recall)
	}
	return b.String()
}
