// Package evidence keeps cases and their evidence in an append-only,
// tamper-evident log: a Merkle tree in the RFC 6962 / Certificate
// Transparency style (golang.org/x/mod/sumdb/tlog), whose checkpoints are
// signed with the installation's Ed25519 key in the signed-note format
// (golang.org/x/mod/sumdb/note, c2sp.org/tlog-checkpoint).
//
// Every fact is an Entry: a case opened, an item of evidence added, a
// custody action (viewed, exported, annotated). Entries are canonical JSON
// and never change; a correction is a new item that names the item it
// corrects. Evidence content is stored content-addressed by SHA-256 and the
// entry records that digest, so a checkpoint commits to every byte of every
// file. Proofs can be checked with VerifyCheckpoint, VerifyInclusion and
// VerifyConsistency without the Log.
package evidence

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Errors.
var (
	ErrNotFound = errors.New("evidence: not found")
	ErrInvalid  = errors.New("evidence: invalid")
	ErrCorrupt  = errors.New("evidence: log storage is corrupt")
	ErrProof    = errors.New("evidence: proof does not verify")
	ErrLocked   = errors.New("evidence: log is in use by another process")
)

// EntryType says what an entry records.
type EntryType string

const (
	TypeCase    EntryType = "case"    // a case was opened
	TypeItem    EntryType = "item"    // an item of evidence was added (or a correction)
	TypeCustody EntryType = "custody" // someone did something with a case or item
)

// Kind is what an item of evidence is about.
type Kind string

const (
	KindVessel Kind = "vessel" // a vessel's identity/track snapshot
	KindEvent  Kind = "event"  // a detector event
	KindScene  Kind = "scene"  // a satellite scene or photograph
	KindFile   Kind = "file"   // any other file (document, screenshot, list extract)
	KindNote   Kind = "note"   // the investigator's own note
)

// Kinds lists the item kinds.
var Kinds = []Kind{KindVessel, KindEvent, KindScene, KindFile, KindNote}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Action is a custody action.
type Action string

const (
	ActionViewed    Action = "viewed"
	ActionExported  Action = "exported"
	ActionAnnotated Action = "annotated"
)

// Valid reports whether a is a known action.
func (a Action) Valid() bool {
	return a == ActionViewed || a == ActionExported || a == ActionAnnotated
}

// Entry is one record of the log. Which fields are set depends on Type.
// Index is the entry's position in the log (its leaf index); it is not
// part of the stored bytes, which the leaf hash covers.
type Entry struct {
	Index int64     `json:"-"`
	Type  EntryType `json:"type"`
	Case  string    `json:"case"`
	Time  time.Time `json:"time"` // when the log recorded it (the installation's clock, UTC)
	Who   string    `json:"who"`

	Title  string `json:"title,omitempty"`  // TypeCase
	Item   *Item  `json:"item,omitempty"`   // TypeItem
	Action Action `json:"action,omitempty"` // TypeCustody
	Target string `json:"target,omitempty"` // TypeCustody: the item acted on, "" for the whole case
	Detail string `json:"detail,omitempty"` // TypeCustody: what was done (file written, annotation text)
}

// Item is an item of evidence as the log records it. ID, Case, SHA256,
// Size, AddedBy and Added are filled by Log.Add; the rest is the caller's
// description of where the content came from.
type Item struct {
	ID   string `json:"id"` // "E<index>"
	Kind Kind   `json:"kind"`
	// Ref names the thing the item is about: an MMSI or IMO, an event
	// key, a scene id, a URL.
	Ref       string `json:"ref,omitempty"`
	SHA256    string `json:"sha256"` // hex digest of the content
	Size      int64  `json:"size"`
	MediaType string `json:"media_type"`
	FileName  string `json:"file_name,omitempty"` // original file name
	// Captured is when the content was captured or acquired at its
	// source (scene acquisition time, download time); zero when unknown.
	Captured time.Time `json:"captured,omitzero"`
	Source   string    `json:"source,omitempty"` // provider, URL or feed
	AddedBy  string    `json:"added_by"`
	Added    time.Time `json:"added"`
	// Corrects is the ID of the item this one corrects; the old item
	// stays in the log.
	Corrects    string `json:"corrects,omitempty"`
	Description string `json:"description,omitempty"`
}

// Canonical returns v encoded as canonical JSON: object keys sorted, no
// insignificant whitespace, no HTML escaping, numbers as written. The same
// value always gives the same bytes, so a reader can re-derive an entry's
// leaf hash from its fields.
func Canonical(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(generic); err != nil { // maps are written with sorted keys
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// ParseEntry decodes an entry's stored bytes, checking that they are
// canonical and well-formed.
func ParseEntry(data []byte) (Entry, error) {
	var e Entry
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return Entry{}, fmt.Errorf("%w: entry: %v", ErrInvalid, err)
	}
	if dec.More() {
		return Entry{}, fmt.Errorf("%w: entry: trailing data", ErrInvalid)
	}
	c, err := Canonical(e)
	if err != nil {
		return Entry{}, fmt.Errorf("%w: entry: %v", ErrInvalid, err)
	}
	if !bytes.Equal(c, data) {
		return Entry{}, fmt.Errorf("%w: entry is not in canonical form", ErrInvalid)
	}
	if err := e.check(); err != nil {
		return Entry{}, err
	}
	return e, nil
}

// check validates the fields an entry of its type must have.
func (e *Entry) check() error {
	if e.Case == "" {
		return fmt.Errorf("%w: entry has no case", ErrInvalid)
	}
	switch e.Type {
	case TypeCase:
		if strings.TrimSpace(e.Title) == "" {
			return fmt.Errorf("%w: case entry has no title", ErrInvalid)
		}
	case TypeItem:
		if e.Item == nil {
			return fmt.Errorf("%w: item entry has no item", ErrInvalid)
		}
		if !e.Item.Kind.Valid() {
			return fmt.Errorf("%w: item kind %q", ErrInvalid, e.Item.Kind)
		}
		if len(e.Item.SHA256) != 64 {
			return fmt.Errorf("%w: item sha256 %q", ErrInvalid, e.Item.SHA256)
		}
	case TypeCustody:
		if !e.Action.Valid() {
			return fmt.Errorf("%w: custody action %q", ErrInvalid, e.Action)
		}
	default:
		return fmt.Errorf("%w: entry type %q", ErrInvalid, e.Type)
	}
	return nil
}

// caseID and itemID name cases and items after their leaf index, so an ID
// points straight at the entry that proves it.
func caseID(index int64) string { return fmt.Sprintf("C%d", index) }
func itemID(index int64) string { return fmt.Sprintf("E%d", index) }
