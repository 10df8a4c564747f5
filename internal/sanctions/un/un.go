// Package un loads the UN Security Council Consolidated List XML
// (scsanctions.un.org, schema sc-sanctions.xsd): <CONSOLIDATED_LIST
// dateGenerated> with <INDIVIDUALS>/<INDIVIDUAL> and <ENTITIES>/<ENTITY>.
//
// The list has no vessel records. DPRK shipping companies name their
// vessels only in the narrative COMMENTS1 ("Registered owner of CHON MYONG
// 1, a DPRK-flagged vessel ... IMO number: 5571322."); the loader extracts
// those names as vessel entities linked to the company (see vessels.go).
// The seven-digit IMO numbers in those texts are the companies' IMO
// company numbers (they fail the ship-number check digit), and are kept
// as the company's identifiers.
package un

import (
	"encoding/xml"
	"io"
	"strings"
	"time"

	"github.com/lookout-maritime/lookout/internal/sanctions"
)

type value struct {
	Values []string `xml:"VALUE"`
}

type alias struct {
	Quality string `xml:"QUALITY"`
	Name    string `xml:"ALIAS_NAME"`
}

type address struct {
	Street  string `xml:"STREET"`
	City    string `xml:"CITY"`
	State   string `xml:"STATE_PROVINCE"`
	Zip     string `xml:"ZIP_CODE"`
	Country string `xml:"COUNTRY"`
	Note    string `xml:"NOTE"`
}

type document struct {
	Type    string `xml:"TYPE_OF_DOCUMENT"`
	Type2   string `xml:"TYPE_OF_DOCUMENT2"`
	Number  string `xml:"NUMBER"`
	Country string `xml:"ISSUING_COUNTRY"`
}

// record is an INDIVIDUAL or an ENTITY: they share these elements.
type record struct {
	DataID      string     `xml:"DATAID"`
	First       string     `xml:"FIRST_NAME"`
	Second      string     `xml:"SECOND_NAME"`
	Third       string     `xml:"THIRD_NAME"`
	Fourth      string     `xml:"FOURTH_NAME"`
	Original    string     `xml:"NAME_ORIGINAL_SCRIPT"`
	ListType    string     `xml:"UN_LIST_TYPE"`
	Reference   string     `xml:"REFERENCE_NUMBER"`
	ListedOn    string     `xml:"LISTED_ON"`
	Comments    string     `xml:"COMMENTS1"`
	Nationality value      `xml:"NATIONALITY"`
	Aliases     []alias    `xml:"INDIVIDUAL_ALIAS"`
	EAliases    []alias    `xml:"ENTITY_ALIAS"`
	Addresses   []address  `xml:"INDIVIDUAL_ADDRESS"`
	EAddresses  []address  `xml:"ENTITY_ADDRESS"`
	Documents   []document `xml:"INDIVIDUAL_DOCUMENT"`
}

// Load reads the consolidated list XML.
func Load(r io.Reader) (*sanctions.List, error) {
	x, root, l, err := sanctions.OpenXMLList(r, "consolidated.xml", "CONSOLIDATED_LIST", sanctions.SourceUN, "un-xml")
	if err != nil {
		return nil, err
	}
	file := l.Files[0]
	if g := sanctions.Attr(root, "dateGenerated"); g != "" {
		t, err := time.Parse(time.RFC3339Nano, g)
		if err != nil {
			return nil, sanctions.Errorf(sanctions.ErrField, file, 1, "CONSOLIDATED_LIST", "dateGenerated %q: %v", g, err)
		}
		l.Published = t.UTC()
	}
	seen := map[string]bool{}
	var derived []sanctions.Entity
	if err := x.Walk(func(se *xml.StartElement, off int64) error {
		switch se.Name.Local {
		case "INDIVIDUALS", "ENTITIES":
			// containers: descend
		case "INDIVIDUAL", "ENTITY":
			var rec record
			raw, err := x.Decode(&rec, se, off)
			if err != nil {
				return err
			}
			e, err := entity(&rec, se.Name.Local == "INDIVIDUAL", raw)
			if err != nil {
				return err
			}
			if seen[e.ID] {
				return sanctions.Errorf(sanctions.ErrField, file, raw.Line, "REFERENCE_NUMBER", "duplicate reference %s", e.ID)
			}
			seen[e.ID] = true
			if e.Kind == sanctions.KindOrganization {
				derived = append(derived, vesselsOf(&e, rec.Comments)...)
			}
			l.Entities = append(l.Entities, e)
		default:
			if err := x.Skip(); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if len(l.Entities) == 0 {
		return nil, sanctions.Errorf(sanctions.ErrEmpty, file, 0, "CONSOLIDATED_LIST", "no INDIVIDUAL or ENTITY elements")
	}
	for _, v := range derived {
		if !seen[v.ID] {
			seen[v.ID] = true
			l.Entities = append(l.Entities, v)
		}
	}
	return l, nil
}

func entity(rec *record, individual bool, raw sanctions.Record) (sanctions.Entity, error) {
	var parts []string
	for _, p := range []string{rec.First, rec.Second, rec.Third, rec.Fourth} {
		if p = sanctions.Clean(p); p != "" {
			parts = append(parts, p)
		}
	}
	name := strings.Join(parts, " ")
	id := sanctions.Clean(rec.Reference)
	if id == "" {
		id = sanctions.Clean(rec.DataID)
	}
	if id == "" {
		return sanctions.Entity{}, sanctions.Errorf(sanctions.ErrField, raw.File, raw.Line, raw.Element, "no REFERENCE_NUMBER or DATAID")
	}
	if name == "" {
		return sanctions.Entity{}, sanctions.Errorf(sanctions.ErrField, raw.File, raw.Line, "FIRST_NAME", "%s has no name", id)
	}
	e := sanctions.Entity{ID: id, Name: name, Kind: sanctions.KindOrganization, Designated: true, Record: raw}
	if individual {
		e.Kind = sanctions.KindPerson
	}
	e.Programs = sanctions.AppendUnique(nil, sanctions.Clean(rec.ListType))
	if d := sanctions.Clean(rec.ListedOn); d != "" {
		// Dates carry an offset now and then: "2015-04-07-04:00".
		t, err := time.Parse("2006-01-02", d[:min(10, len(d))])
		if err != nil {
			return e, sanctions.Errorf(sanctions.ErrField, raw.File, raw.Line, "LISTED_ON", "%s: date %q", id, d)
		}
		e.Listed = t
	}
	if d := sanctions.Clean(rec.DataID); d != "" {
		e.IDs = append(e.IDs, sanctions.Identifier{Type: "UN DATAID", Value: d})
	}
	if o := sanctions.Clean(rec.Original); o != "" {
		e.AddAlias(sanctions.Alias{Name: o, Kind: sanctions.AKA})
	}
	for _, a := range append(rec.Aliases, rec.EAliases...) {
		q := strings.ToLower(sanctions.Clean(a.Quality))
		kind := sanctions.AKA
		if q == "f.k.a." {
			kind = sanctions.FKA
		}
		e.AddAlias(sanctions.Alias{Name: a.Name, Kind: kind, Weak: q == "low"})
	}
	for _, a := range append(rec.Addresses, rec.EAddresses...) {
		var p []string
		for _, s := range []string{a.Street, a.City, a.State, a.Zip, a.Country, a.Note} {
			if s = sanctions.Clean(s); s != "" {
				p = append(p, s)
			}
		}
		if len(p) > 0 {
			e.Addresses = append(e.Addresses, strings.Join(p, ", "))
		}
	}
	for _, d := range rec.Documents {
		typ := sanctions.Clean(d.Type)
		if typ == "" {
			typ = sanctions.Clean(d.Type2)
		}
		if n := sanctions.Clean(d.Number); n != "" {
			e.IDs = append(e.IDs, sanctions.Identifier{Type: typ, Value: n, Country: sanctions.Clean(d.Country)})
		}
	}
	e.Remarks = sanctions.Clean(rec.Comments)
	return e, nil
}
