package track

import (
	"math"
	"time"

	"github.com/lookout-maritime/lookout/internal/vessel"
)

// keyFields are the fields whose change makes a new identity (with the
// flag, which is constant per MMSI).
type keyFields struct {
	imo      uint32
	shipType uint8
	name     string
	callSign string
}

type keyMask uint8

const (
	kIMO keyMask = 1 << iota
	kName
	kCallSign
	kShipType
)

// hash is FNV-1a over the key fields; never 0 (0 means "none").
func (k *keyFields) hash() uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	for _, b := range [5]byte{byte(k.imo), byte(k.imo >> 8), byte(k.imo >> 16), byte(k.imo >> 24), k.shipType} {
		h = (h ^ uint64(b)) * prime
	}
	for i := 0; i < len(k.name); i++ {
		h = (h ^ uint64(k.name[i])) * prime
	}
	h = (h ^ 0xff) * prime // separator: no byte of a valid string
	for i := 0; i < len(k.callSign); i++ {
		h = (h ^ uint64(k.callSign[i])) * prime
	}
	if h == 0 {
		h = 1
	}
	return h
}

// report is a static report's key fields, normalised.
type report struct {
	present     keyMask // fields carried with a real value
	placeholder keyMask // fields carried with a placeholder (IMO 0, "", type 0)
	key         keyFields
}

func parseReport(s *vessel.Static) report {
	var r report
	mark := func(has vessel.Fields, m keyMask, real bool) {
		if s.Has&has == 0 {
			return
		}
		if real {
			r.present |= m
		} else {
			r.placeholder |= m
		}
	}
	r.key.imo = s.IMO
	r.key.name = clean(s.Name)
	r.key.callSign = clean(s.CallSign)
	r.key.shipType = s.ShipType
	mark(vessel.HasIMO, kIMO, r.key.imo != 0)
	mark(vessel.HasName, kName, r.key.name != "")
	mark(vessel.HasCallSign, kCallSign, r.key.callSign != "")
	mark(vessel.HasShipType, kShipType, r.key.shipType != 0)
	return r
}

// clean trims the spaces and '@' padding AIS text fields carry. It is
// strings.Trim(s, " @\t") without building the cutset on every call (2 %
// of an ingest's CPU: every static report has three text fields).
func clean(s string) string {
	i, j := 0, len(s)
	for i < j && isPad(s[i]) {
		i++
	}
	for j > i && isPad(s[j-1]) {
		j--
	}
	return s[i:j]
}

func isPad(c byte) bool { return c == ' ' || c == '@' || c == '\t' }

// identity is a vessel's identity state: the current identity and the
// unreported batch of its reports.
type identity struct {
	flag      string
	key       keyFields // the current identity's key (before the first report after a re-appearance: the retired one)
	active    bool      // key is confirmed by a report since the vessel (re)appeared
	published bool      // the current identity has been emitted at least once
	seen      vessel.Fields
	started   int64 // event time of the current identity's first report

	// The batch not yet emitted.
	reports     int
	first, last time.Time
	firstNs     int64
	source      string

	// Latest values of the non-key fields.
	length, beam uint16
	dest         string
	class        vessel.Class

	known  [4]uint64 // hashes of identities emitted on this MMSI, newest first
	nknown int
}

func newIdentity(mmsi uint32) *identity { return &identity{flag: vessel.FlagOf(mmsi)} }

// merge overlays r on the current key.
func (id *identity) merge(r report) (cand keyFields, conflict, fill bool) {
	cand = id.key
	check := func(m keyMask, known, differs bool) {
		if r.present&m == 0 {
			return
		}
		if !known {
			fill = true
		} else if differs {
			conflict = true
		}
	}
	check(kIMO, cand.imo != 0, cand.imo != r.key.imo)
	check(kName, cand.name != "", cand.name != r.key.name)
	check(kCallSign, cand.callSign != "", cand.callSign != r.key.callSign)
	check(kShipType, cand.shipType != 0, cand.shipType != r.key.shipType)
	if r.present&kIMO != 0 {
		cand.imo = r.key.imo
	}
	if r.present&kName != 0 {
		cand.name = r.key.name
	}
	if r.present&kCallSign != 0 {
		cand.callSign = r.key.callSign
	}
	if r.present&kShipType != 0 {
		cand.shipType = r.key.shipType
	}
	if conflict {
		// A different identity: what it broadcasts as not available is
		// not inherited from the previous one.
		if r.placeholder&kIMO != 0 {
			cand.imo = 0
		}
		if r.placeholder&kName != 0 {
			cand.name = ""
		}
		if r.placeholder&kCallSign != 0 {
			cand.callSign = ""
		}
		if r.placeholder&kShipType != 0 {
			cand.shipType = 0
		}
	}
	return cand, conflict, fill
}

// apply takes a static report released in time order.
func (id *identity) apply(t *Tracker, mmsi uint32, s *vessel.Static, at int64, emit Emitter) {
	r := parseReport(s)
	if !id.active && r.present == 0 {
		// Nothing but placeholders and no identity yet: nothing to record.
		return
	}
	cand, conflict, fill := id.merge(r)
	switch {
	case !id.active:
		id.key = cand
		id.start(at)
	case conflict || (fill && id.published):
		id.emitPending(t, mmsi, emit)
		id.key = cand
		id.start(at)
	case fill:
		id.key = cand // completes an identity not reported yet
	}
	id.confirm(s, at)
}

func (id *identity) start(at int64) {
	id.active, id.published, id.seen, id.started = true, false, 0, at
	id.dest = ""
}

func (id *identity) confirm(s *vessel.Static, at int64) {
	if id.reports == 0 {
		id.first, id.firstNs, id.source = s.Time, at, s.Source
	}
	id.last = s.Time
	id.reports++
	id.seen |= s.Has
	id.takeValues(s)
}

func (id *identity) takeValues(s *vessel.Static) {
	if s.Has&vessel.HasDimensions != 0 && s.Length()+s.Beam() > 0 {
		id.length, id.beam = uint16(min(s.Length(), 65535)), uint16(min(s.Beam(), 65535))
	}
	if s.Has&vessel.HasDestination != 0 {
		if d := clean(s.Destination); d != "" {
			id.dest = d
		}
	}
	if s.Class != vessel.ClassUnknown {
		id.class = s.Class
	}
}

// complete reports whether the current identity has what a full report
// gives: name, call sign and ship type, received or known.
func (id *identity) complete() bool {
	const all = vessel.HasName | vessel.HasCallSign | vessel.HasShipType
	return id.seen&all == all || (id.key.name != "" && id.key.callSign != "" && id.key.shipType != 0)
}

// dueAt is the event time from which the current identity has something
// to emit: at once when it is complete but not reported, when its grace
// ends if it is not complete, when its unreported batch is
// IdentityRefresh old; math.MaxInt64 when nothing is pending.
func (id *identity) dueAt(t *Tracker) int64 {
	switch {
	case !id.active:
		return math.MaxInt64
	case !id.published && id.complete():
		return math.MinInt64
	case !id.published:
		return id.started + t.grace
	case id.reports > 0:
		return id.firstNs + t.refresh
	}
	return math.MaxInt64
}

// emitPending emits the current identity's unreported batch, if any.
func (id *identity) emitPending(t *Tracker, mmsi uint32, emit Emitter) {
	if !id.active || id.reports == 0 {
		return
	}
	isNew := false
	if !id.published {
		h := id.key.hash()
		isNew = !id.isKnown(h)
		id.published = true
		id.addKnown(h)
	}
	emit.Identity(id.identity(mmsi, id.key, id.first, id.last, id.reports, id.source, id.dest), isNew)
	t.countIdentity(isNew)
	id.reports, id.first, id.last, id.firstNs, id.source = 0, time.Time{}, time.Time{}, 0, ""
}

func (id *identity) identity(mmsi uint32, k keyFields, first, last time.Time, n int, src, dest string) vessel.Identity {
	return vessel.Identity{MMSI: mmsi, IMO: k.imo, Name: k.name, CallSign: k.callSign, ShipType: k.shipType,
		Length: id.length, Beam: id.beam, Flag: id.flag, Class: id.class,
		FirstSeen: first, LastSeen: last, Reports: n, Source: src, Destination: dest}
}

// late takes a static report older than what was released: it counts for
// the current identity if it matches it, and is otherwise emitted on its
// own, without changing the current identity.
func (id *identity) late(t *Tracker, mmsi uint32, s *vessel.Static, emit Emitter) {
	r := parseReport(s)
	if !id.active && r.present == 0 {
		return
	}
	cand, conflict, fill := id.merge(r)
	if id.active && !conflict && !fill {
		if id.reports == 0 {
			id.first, id.last, id.firstNs, id.source = s.Time, s.Time, s.Time.UnixNano(), s.Source
		} else if s.Time.Before(id.first) {
			id.first, id.firstNs, id.source = s.Time, s.Time.UnixNano(), s.Source
		}
		id.reports++
		return
	}
	h := cand.hash()
	isNew := !id.isKnown(h)
	if isNew {
		id.addKnown(h)
	}
	dest := ""
	if s.Has&vessel.HasDestination != 0 {
		dest = clean(s.Destination)
	}
	one := id.identity(mmsi, cand, s.Time, s.Time, 1, s.Source, dest)
	if s.Class != vessel.ClassUnknown {
		one.Class = s.Class
	}
	if s.Has&vessel.HasDimensions != 0 && s.Length()+s.Beam() > 0 {
		one.Length, one.Beam = uint16(min(s.Length(), 65535)), uint16(min(s.Beam(), 65535))
	}
	emit.Identity(one, isNew)
	t.countIdentity(isNew)
}

func (id *identity) isKnown(h uint64) bool {
	for i := 0; i < id.nknown; i++ {
		if id.known[i] == h {
			return true
		}
	}
	return false
}

func (id *identity) addKnown(h uint64) {
	for i := 0; i < id.nknown; i++ {
		if id.known[i] == h {
			copy(id.known[1:i+1], id.known[:i])
			id.known[0] = h
			return
		}
	}
	copy(id.known[1:], id.known[:len(id.known)-1])
	id.known[0] = h
	id.nknown = min(id.nknown+1, len(id.known))
}

func (t *Tracker) countIdentity(isNew bool) {
	if isNew {
		t.stats.NewIdentity++
	} else {
		t.stats.IdentityUpd++
	}
}
