package sanctions

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
)

// Changes is what changed between two versions of a list, by entity ID.
// Entities are compared on their normalised fields, not on the original
// record's bytes: a reformatted file with the same content has no changes.
type Changes struct {
	Old, New  ListVersion
	Added     []Entity // in New only
	Removed   []Entity // in Old only
	Changed   []Change // in both, some field differs
	Unchanged int
}

// ListVersion identifies the lists a Diff compares.
type ListVersion struct {
	Source    Source
	SHA256    string
	Published string // RFC 3339 date, "" when the list has none
}

// Change is one entity present in both versions with different fields.
type Change struct {
	ID       string
	Name     string   // the new name
	Fields   []string // names of the fields that differ, e.g. "Name", "Aliases", "Vessel.Flag", "Programs"
	Old, New Entity
}

// Empty reports whether the versions have the same entities.
func (d *Changes) Empty() bool {
	return len(d.Added) == 0 && len(d.Removed) == 0 && len(d.Changed) == 0
}

func version(l *List) ListVersion {
	v := ListVersion{Source: l.Source, SHA256: l.SHA256}
	if !l.Published.IsZero() {
		v.Published = l.Published.UTC().Format("2006-01-02T15:04:05Z")
	}
	return v
}

// Diff compares two versions of a list. Either may be nil (an empty
// list). Results are sorted by entity ID.
func Diff(old, new *List) Changes {
	if old == nil {
		old = &List{}
	}
	if new == nil {
		new = &List{}
	}
	d := Changes{Old: version(old), New: version(new)}
	om, nm := old.ByID(), new.ByID()
	for id, ne := range nm {
		oe, ok := om[id]
		if !ok {
			d.Added = append(d.Added, *ne)
			continue
		}
		if f := changedFields(oe, ne); len(f) > 0 {
			d.Changed = append(d.Changed, Change{ID: id, Name: ne.Name, Fields: f, Old: *oe, New: *ne})
		} else {
			d.Unchanged++
		}
	}
	for id, oe := range om {
		if _, ok := nm[id]; !ok {
			d.Removed = append(d.Removed, *oe)
		}
	}
	sort.Slice(d.Added, func(i, j int) bool { return idLess(d.Added[i].ID, d.Added[j].ID) })
	sort.Slice(d.Removed, func(i, j int) bool { return idLess(d.Removed[i].ID, d.Removed[j].ID) })
	sort.Slice(d.Changed, func(i, j int) bool { return idLess(d.Changed[i].ID, d.Changed[j].ID) })
	return d
}

// idLess orders numeric IDs numerically ("9" < "10"), others as strings.
func idLess(a, b string) bool {
	if len(a) != len(b) && isDigits(a) && isDigits(b) {
		return len(a) < len(b)
	}
	return a < b
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// changedFields lists the normalised fields that differ. Aliases,
// programs, identifiers and links compare as sets.
func changedFields(a, b *Entity) []string {
	var f []string
	add := func(name string, differ bool) {
		if differ {
			f = append(f, name)
		}
	}
	add("Kind", a.Kind != b.Kind)
	add("Name", a.Name != b.Name)
	add("Aliases", !sameSet(a.Aliases, b.Aliases, func(x Alias) string { return fmt.Sprint(x) }))
	add("Programs", !sameSet(a.Programs, b.Programs, func(x string) string { return x }))
	add("Listed", !a.Listed.Equal(b.Listed))
	add("Designated", a.Designated != b.Designated)
	add("IDs", !sameSet(a.IDs, b.IDs, func(x Identifier) string { return fmt.Sprint(x) }))
	add("Links", !sameSet(a.Links, b.Links, func(x Link) string { return x.Role + "|" + x.ID + "|" + x.Name }))
	add("Remarks", a.Remarks != b.Remarks)
	switch {
	case a.Vessel == nil && b.Vessel == nil:
	case a.Vessel == nil || b.Vessel == nil:
		f = append(f, "Vessel")
	default:
		va, vb := reflect.ValueOf(*a.Vessel), reflect.ValueOf(*b.Vessel)
		t := va.Type()
		for i := 0; i < t.NumField(); i++ {
			if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
				f = append(f, "Vessel."+t.Field(i).Name)
			}
		}
	}
	return f
}

func sameSet[T any](a, b []T, key func(T) string) bool {
	if len(a) != len(b) {
		return false
	}
	ka := make([]string, len(a))
	kb := make([]string, len(b))
	for i := range a {
		ka[i], kb[i] = key(a[i]), key(b[i])
	}
	slices.Sort(ka)
	slices.Sort(kb)
	return slices.Equal(ka, kb)
}
