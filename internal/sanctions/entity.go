package sanctions

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Source names the authority a list comes from.
type Source string

const (
	SourceOFAC          Source = "OFAC-SDN"      // US Treasury OFAC Specially Designated Nationals
	SourceUN            Source = "UN-SC"         // UN Security Council consolidated list
	SourceEU            Source = "EU-FSF"        // EU consolidated financial sanctions list
	SourceUK            Source = "UK-SL"         // UK Sanctions List (FCDO)
	SourceOpenSanctions Source = "OpenSanctions" // FollowTheMoney export (any dataset)
)

// List is one version of one sanctions list, as loaded from its files.
type List struct {
	Source Source
	Format string // "ofac-csv", "ofac-xml", "un-xml", "eu-xml", "uk-xml", "ftm-jsonl"
	// Published is the generation or publication time the file states (UN
	// dateGenerated, OFAC Publish_Date, EU generationDate); zero when the
	// format has none (OFAC CSV: the caller knows when it downloaded it).
	Published time.Time
	// SHA256 is the hex SHA-256 of the input bytes; for a multi-file input
	// (the OFAC CSV trio) of the files' SHA-256s concatenated in argument
	// order, so one list version has one hash.
	SHA256   string
	Files    []string // input names, in argument order
	Entities []Entity
	// Warnings are problems that did not reject the file: a record kept
	// with a field dropped (an IMO number with a bad check digit is kept
	// and flagged, an unresolvable "Linked To" keeps its name only).
	Warnings []ParseError
}

// ByID returns the list's entities by ID.
func (l *List) ByID() map[string]*Entity {
	m := make(map[string]*Entity, len(l.Entities))
	for i := range l.Entities {
		m[l.Entities[i].ID] = &l.Entities[i]
	}
	return m
}

// Kind is what an entity is.
type Kind string

const (
	KindVessel       Kind = "vessel"
	KindOrganization Kind = "organization"
	KindPerson       Kind = "person"
	KindAircraft     Kind = "aircraft"
	KindUnknown      Kind = "unknown"
)

// Entity is one listed (or list-mentioned) party in normalised form, with
// its original record beside it.
type Entity struct {
	// ID is the list's own identifier: OFAC ent_num, UN REFERENCE_NUMBER,
	// EU logicalId, UK UniqueID, FtM id. Entities derived from narrative
	// text get "<parent id>/vessel/<name>".
	ID       string
	Kind     Kind
	Name     string
	Aliases  []Alias
	Programs []string
	// Listed is the designation date when the list gives one.
	Listed time.Time
	// Designated is true for the list's targets. It is false for entities
	// a list only mentions: a FollowTheMoney owner without a Sanction, a
	// vessel named in a UN narrative. Screening reports listed hits only
	// for designated entities; the others can carry an ownership chain.
	Designated bool
	Vessel     *Vessel // vessels only
	IDs        []Identifier
	Links      []Link
	Addresses  []string // one line each, as listed
	Remarks    string
	// Derived says how an entity that has no record of its own was made,
	// e.g. "vessel named in COMMENTS1 of KPe.056"; "" for records.
	Derived string
	Record  Record
}

// AliasKind says what kind of other name an alias is.
type AliasKind string

const (
	AKA AliasKind = "aka" // also known as
	FKA AliasKind = "fka" // formerly known as: a former name
	NKA AliasKind = "nka" // now known as
)

// Alias is another name of an entity. Weak aliases (OFAC category weak,
// FtM weakAlias, EU strong="false", UN QUALITY Low) are kept but scored
// lower by the matcher.
type Alias struct {
	Name string
	Kind AliasKind
	Weak bool
}

// Vessel holds what a list says about a ship.
type Vessel struct {
	// IMO is the ship's IMO number, 0 when the list gives none. IMOText is
	// the text it came from. IMOValid is false when the check digit fails
	// (the number is kept: the list is the authority on what it lists).
	IMO            uint32
	IMOText        string
	IMOValid       bool
	MMSI           uint32 // 0 when none
	CallSign       string
	OtherCallSigns []string
	Type           string
	Flag           string // as listed
	FlagCode       string // ISO 3166-1 alpha-2 of Flag, "" when unknown
	FormerFlags    []string
	Owner          string // owner/operator text as listed (OFAC Vess_owner, UK CurrentOwnerOperator)
	Tonnage        int
	GRT            int
	YearBuilt      int
}

// Identifier is any other identifier a list gives: "IMO company number",
// "Registration Number", "Tax ID No.", passport numbers.
type Identifier struct {
	Type    string
	Value   string
	Country string
}

// Link roles: the target is this entity's Role.
const (
	RoleOwner    = "owner"     // target owns this entity (FtM Ownership, UK owner/operator, OFAC Vess_owner)
	RoleOperator = "operator"  // target operates this vessel
	RoleManager  = "manager"   // target manages this vessel (UN narrative "ship manager")
	RoleDirector = "director"  // target is a director of this organisation (FtM Directorship)
	RoleLinked   = "linked to" // OFAC "Linked To:": owned, controlled or acting for; the list does not say which
	RoleNamed    = "named"     // named in the target's designation narrative, relation not stated
)

// Link is a relation the list states from this entity to another.
type Link struct {
	Role string
	// ID is the target's entity ID in the same list, "" when the list
	// names a target it does not list (the name is then kept alone).
	ID   string
	Name string // target's name as the list writes it
	Note string // e.g. "percentage 51", "from remarks"
}

// Record is the original record an entity was made from: verbatim bytes,
// with where they were.
type Record struct {
	File    string
	Line    int    // first line, 1-based
	Element string // XML element, "csv row", "json line"
	Raw     string
}

// HashFiles returns the hex SHA-256 of one input, or for several inputs
// the SHA-256 of their SHA-256s concatenated, so a multi-file list version
// has one stable hash.
func HashFiles(data ...[]byte) string {
	if len(data) == 1 {
		s := sha256.Sum256(data[0])
		return hex.EncodeToString(s[:])
	}
	h := sha256.New()
	for _, d := range data {
		s := sha256.Sum256(d)
		h.Write(s[:])
	}
	return hex.EncodeToString(h.Sum(nil))
}
