package store

import (
	"github.com/lookout-maritime/lookout/internal/vessel"
)

// MergeIdentity applies the upsert rule of IdentityWriter: it returns what
// is stored after upserting next onto stored, two identities with the same
// Key. Backends share it so the rule is written once.
func MergeIdentity(stored, next vessel.Identity) vessel.Identity {
	m := stored
	inside := !next.FirstSeen.Before(stored.FirstSeen) && !next.LastSeen.After(stored.LastSeen)
	if inside {
		m.Reports = max(stored.Reports, next.Reports)
	} else {
		m.Reports = stored.Reports + next.Reports
	}
	if next.FirstSeen.Before(stored.FirstSeen) {
		m.FirstSeen = next.FirstSeen
		m.Source = next.Source
	}
	if !next.LastSeen.Before(stored.LastSeen) {
		m.LastSeen = next.LastSeen
		if next.Destination != "" {
			m.Destination = next.Destination
		}
		if next.Class != vessel.ClassUnknown {
			m.Class = next.Class
		}
	}
	// Length and beam are not part of the key: take the later non-zero.
	if next.Length != 0 && (stored.Length == 0 || !next.LastSeen.Before(stored.LastSeen)) {
		m.Length = next.Length
	}
	if next.Beam != 0 && (stored.Beam == 0 || !next.LastSeen.Before(stored.LastSeen)) {
		m.Beam = next.Beam
	}
	return m
}
