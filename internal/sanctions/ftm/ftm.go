// Package ftm loads FollowTheMoney entities as OpenSanctions exports them:
// JSON lines, one entity each, {"id", "schema", "properties": {name:
// [values]}, "datasets", "target"}.
//
// Things (Vessel, Company, Organization, LegalEntity, PublicBody, Person)
// become entities; the interval schemata become links and designations:
//
//	Ownership{owner, asset}        -> asset's link {Role: owner, ID: owner}
//	Directorship{director, organization} -> organization's link {Role: director}
//	Sanction{entity, program, startDate} -> entity designated, its programs and date
//	Vessel{owner, operator}        -> the vessel's owner and operator links
//
// An entity is designated when a Sanction names it, when its topics hold
// "sanction", or when the export marks it "target". Other schemata
// (Address, Identification, ...) are skipped.
package ftm

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/lookout-maritime/lookout/internal/sanctions"
)

type line struct {
	ID         string                     `json:"id"`
	Schema     string                     `json:"schema"`
	Properties map[string]json.RawMessage `json:"properties"`
	Target     bool                       `json:"target"`
	Caption    string                     `json:"caption"`
}

// values reads a property's values: strings, or nested entities whose id
// is taken.
func (l *line) values(prop string) []string {
	raw, ok := l.Properties[prop]
	if !ok {
		return nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		items = []json.RawMessage{raw}
	}
	var out []string
	for _, it := range items {
		var s string
		if json.Unmarshal(it, &s) == nil {
			if s = sanctions.Clean(s); s != "" {
				out = append(out, s)
			}
			continue
		}
		var nested struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(it, &nested) == nil && nested.ID != "" {
			out = append(out, nested.ID)
		}
	}
	return out
}

func (l *line) first(prop string) string {
	if v := l.values(prop); len(v) > 0 {
		return v[0]
	}
	return ""
}

var kinds = map[string]sanctions.Kind{
	"Vessel": sanctions.KindVessel, "Company": sanctions.KindOrganization, "Organization": sanctions.KindOrganization,
	"LegalEntity": sanctions.KindOrganization, "PublicBody": sanctions.KindOrganization, "Person": sanctions.KindPerson,
	"Airplane": sanctions.KindAircraft,
}

// Load reads FollowTheMoney JSON lines. A line that is not a JSON object
// with an id and a schema rejects the file.
func Load(r io.Reader) (*sanctions.List, error) {
	file := sanctions.NameOf(r, "entities.ftm.json")
	data, err := sanctions.ReadAll(r, file, 0)
	if err != nil {
		return nil, err
	}
	l := &sanctions.List{Source: sanctions.SourceOpenSanctions, Format: "ftm-jsonl", Files: []string{file}, SHA256: sanctions.HashFiles(data)}
	index := map[string]int{}
	type edge struct {
		ln   line
		rec  sanctions.Record
		line int
	}
	var edges []edge
	n := 0
	for len(data) > 0 {
		n++
		var raw []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			raw, data = data[:i], data[i+1:]
		} else {
			raw, data = data, nil
		}
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 {
			continue
		}
		var ln line
		if err := json.Unmarshal(raw, &ln); err != nil {
			return nil, sanctions.Errorf(sanctions.ErrMalformed, file, n, "", "not a JSON entity: %v", err)
		}
		if ln.ID == "" || ln.Schema == "" {
			return nil, sanctions.Errorf(sanctions.ErrField, file, n, "", "entity without id or schema")
		}
		rec := sanctions.Record{File: file, Line: n, Element: "json line", Raw: string(raw)}
		if kind, ok := kinds[ln.Schema]; ok {
			if _, dup := index[ln.ID]; dup {
				return nil, sanctions.Errorf(sanctions.ErrField, file, n, "id", "duplicate id %q", ln.ID)
			}
			e, err := entity(&ln, kind, rec)
			if err != nil {
				return nil, err
			}
			index[e.ID] = len(l.Entities)
			l.Entities = append(l.Entities, e)
			continue
		}
		switch ln.Schema {
		case "Ownership", "Directorship", "Sanction":
			edges = append(edges, edge{ln, rec, n})
		}
	}
	if len(l.Entities) == 0 {
		return nil, sanctions.Errorf(sanctions.ErrEmpty, file, 0, "", "no Thing entities (Vessel, Company, Organization, Person, ...)")
	}
	get := func(id string) *sanctions.Entity {
		if i, ok := index[id]; ok {
			return &l.Entities[i]
		}
		return nil
	}
	for _, ed := range edges {
		ln := ed.ln
		switch ln.Schema {
		case "Ownership":
			owner, asset := ln.first("owner"), ln.first("asset")
			link(l, get(asset), owner, sanctions.RoleOwner, note(&ln, "percentage", "role", "ownershipType"), ed.rec)
		case "Directorship":
			director, org := ln.first("director"), ln.first("organization")
			link(l, get(org), director, sanctions.RoleDirector, note(&ln, "role"), ed.rec)
		case "Sanction":
			e := get(ln.first("entity"))
			if e == nil {
				l.Warnf(file, ed.line, "entity", "sanction %s names entity %q not in the file", ln.ID, ln.first("entity"))
				continue
			}
			e.Designated = true
			for _, p := range ln.values("program") {
				e.Programs = sanctions.AppendUnique(e.Programs, p)
			}
			for _, d := range append(ln.values("startDate"), ln.values("listingDate")...) {
				if t, ok := date(d); ok && (e.Listed.IsZero() || t.Before(e.Listed)) {
					e.Listed = t
				}
			}
			for _, id := range ln.values("authorityId") {
				e.IDs = append(e.IDs, sanctions.Identifier{Type: "authority ID", Value: id})
			}
			e.Record.Raw += "\n" + ed.rec.Raw
		}
	}
	// Name the link targets.
	for i := range l.Entities {
		for j := range l.Entities[i].Links {
			k := &l.Entities[i].Links[j]
			if t := get(k.ID); t != nil {
				k.Name = t.Name
			}
		}
	}
	return l, nil
}

func note(ln *line, props ...string) string {
	var parts []string
	for _, p := range props {
		for _, v := range ln.values(p) {
			parts = append(parts, p+" "+v)
		}
	}
	return strings.Join(parts, ", ")
}

func link(l *sanctions.List, from *sanctions.Entity, to, role, note string, rec sanctions.Record) {
	if from == nil || to == "" {
		l.Warnf(rec.File, rec.Line, "", "relation %s refers to an entity not in the file", rec.Raw[:min(len(rec.Raw), 60)])
		return
	}
	for _, k := range from.Links {
		if k.ID == to && k.Role == role {
			return
		}
	}
	from.Links = append(from.Links, sanctions.Link{Role: role, ID: to, Note: note})
	from.Record.Raw += "\n" + rec.Raw
}

// date reads an FtM date prefix: "2024", "2024-02", "2024-02-23...".
func date(s string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02", "2006-01", "2006"} {
		if len(s) >= len(layout) {
			if t, err := time.Parse(layout, s[:len(layout)]); err == nil {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

func entity(ln *line, kind sanctions.Kind, rec sanctions.Record) (sanctions.Entity, error) {
	e := sanctions.Entity{ID: ln.ID, Kind: kind, Record: rec, Designated: ln.Target}
	names := ln.values("name")
	switch {
	case len(names) > 0:
		e.Name = names[0]
		names = names[1:]
	case ln.Caption != "":
		e.Name = sanctions.Clean(ln.Caption)
	}
	if e.Name == "" {
		return e, sanctions.Errorf(sanctions.ErrField, rec.File, rec.Line, "name", "%s %s has no name", ln.Schema, ln.ID)
	}
	for _, n := range append(names, ln.values("alias")...) {
		e.AddAlias(sanctions.Alias{Name: n, Kind: sanctions.AKA})
	}
	for _, n := range ln.values("previousName") {
		e.AddAlias(sanctions.Alias{Name: n, Kind: sanctions.FKA})
	}
	for _, n := range ln.values("weakAlias") {
		e.AddAlias(sanctions.Alias{Name: n, Kind: sanctions.AKA, Weak: true})
	}
	for _, t := range ln.values("topics") {
		if t == "sanction" || strings.HasPrefix(t, "sanction.") {
			e.Designated = true
		}
	}
	for _, p := range ln.values("program") {
		e.Programs = sanctions.AppendUnique(e.Programs, p)
	}
	for _, prop := range []string{"registrationNumber", "taxNumber", "innCode", "ogrnCode", "leiCode", "idNumber"} {
		for _, v := range ln.values(prop) {
			e.IDs = append(e.IDs, sanctions.Identifier{Type: prop, Value: v})
		}
	}
	if kind != sanctions.KindVessel {
		for _, v := range ln.values("imoNumber") {
			e.IDs = append(e.IDs, sanctions.Identifier{Type: "IMO company number", Value: strings.TrimSpace(strings.TrimPrefix(strings.ToUpper(v), "IMO"))})
		}
		return e, nil
	}
	v := &sanctions.Vessel{}
	e.Vessel = v
	for _, s := range ln.values("imoNumber") {
		if n, valid := sanctions.ParseIMO(s); n != 0 && v.IMO == 0 {
			v.IMO, v.IMOText, v.IMOValid = n, s, valid
		}
	}
	for _, s := range ln.values("mmsi") {
		if m := sanctions.ParseMMSI(s); m != 0 && v.MMSI == 0 {
			v.MMSI = m
		}
	}
	cs := ln.values("callSign")
	if len(cs) > 0 {
		v.CallSign, v.OtherCallSigns = cs[0], cs[1:]
	}
	if f := ln.first("flag"); f != "" {
		v.Flag = f
		v.FlagCode = sanctions.CountryCode(f)
	}
	v.FormerFlags = ln.values("pastFlags")
	v.Type = ln.first("type")
	if d, ok := date(ln.first("buildDate")); ok {
		v.YearBuilt = d.Year()
	}
	v.Tonnage, _ = strconv.Atoi(ln.first("tonnage"))
	v.GRT, _ = strconv.Atoi(ln.first("grossRegisteredTonnage"))
	for _, o := range ln.values("owner") {
		e.Links = append(e.Links, sanctions.Link{Role: sanctions.RoleOwner, ID: o, Note: "Vessel.owner"})
	}
	for _, o := range ln.values("operator") {
		e.Links = append(e.Links, sanctions.Link{Role: sanctions.RoleOperator, ID: o, Note: "Vessel.operator"})
	}
	return e, nil
}
