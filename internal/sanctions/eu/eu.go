// Package eu loads the EU consolidated list of persons, groups and
// entities subject to EU financial sanctions (the Financial Sanctions
// Files "xmlFullSanctionsList_1_1" export): <export generationDate> with
// one <sanctionEntity> per listing, its data in attributes:
//
//	<sanctionEntity designationDate euReferenceNumber logicalId unitedNationId>
//	  <remark/> <regulation programme publicationDate entryIntoForceDate numberTitle/>
//	  <subjectType code="person|enterprise" classificationCode="P|E"/>
//	  <nameAlias wholeName firstName lastName strong nameLanguage/>
//	  <identification identificationTypeCode identificationTypeDescription number countryIso2Code/>
//	  <address street city zipCode countryDescription/> <citizenship/> <birthdate/>
//
// The file lists persons and enterprises, no vessels: in screening the EU
// list matters through owners and managers. IMO numbers it gives
// (identification type "imo", or "IMO number" in a remark) on an
// enterprise are IMO company numbers.
package eu

import (
	"encoding/xml"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/lookout-maritime/lookout/internal/sanctions"
)

type nameAlias struct {
	Whole    string `xml:"wholeName,attr"`
	First    string `xml:"firstName,attr"`
	Middle   string `xml:"middleName,attr"`
	Last     string `xml:"lastName,attr"`
	Strong   string `xml:"strong,attr"`
	Language string `xml:"nameLanguage,attr"`
}

type entry struct {
	LogicalID   string   `xml:"logicalId,attr"`
	EURef       string   `xml:"euReferenceNumber,attr"`
	UNID        string   `xml:"unitedNationId,attr"`
	Designation string   `xml:"designationDate,attr"`
	Remarks     []string `xml:"remark"`
	Regulations []struct {
		Programme   string `xml:"programme,attr"`
		Published   string `xml:"publicationDate,attr"`
		InForce     string `xml:"entryIntoForceDate,attr"`
		NumberTitle string `xml:"numberTitle,attr"`
	} `xml:"regulation"`
	Subject struct {
		Code           string `xml:"code,attr"`
		Classification string `xml:"classificationCode,attr"`
	} `xml:"subjectType"`
	Names []nameAlias `xml:"nameAlias"`
	IDs   []struct {
		Code        string `xml:"identificationTypeCode,attr"`
		Description string `xml:"identificationTypeDescription,attr"`
		Number      string `xml:"number,attr"`
		Latin       string `xml:"latinNumber,attr"`
		Country     string `xml:"countryIso2Code,attr"`
		CountryName string `xml:"countryDescription,attr"`
	} `xml:"identification"`
	Addresses []struct {
		Street  string `xml:"street,attr"`
		City    string `xml:"city,attr"`
		Zip     string `xml:"zipCode,attr"`
		Region  string `xml:"region,attr"`
		Country string `xml:"countryDescription,attr"`
	} `xml:"address"`
}

var imoRe = regexp.MustCompile(`IMO\)?\s*(?:[Nn]umber|[Nn]o\.?)?\s*:?\s*(\d{7})\b`)

// Load reads the EU XML export.
func Load(r io.Reader) (*sanctions.List, error) {
	x, root, l, err := sanctions.OpenXMLList(r, "eu-fsf.xml", "export", sanctions.SourceEU, "eu-xml")
	if err != nil {
		return nil, err
	}
	file := l.Files[0]
	if g := sanctions.Attr(root, "generationDate"); g != "" {
		t, err := parseTime(g)
		if err != nil {
			return nil, sanctions.Errorf(sanctions.ErrField, file, x.Line(0), "export", "generationDate %q", g)
		}
		l.Published = t
	}
	seen := map[string]bool{}
	if err := x.Walk(func(se *xml.StartElement, off int64) error {
		if se.Name.Local != "sanctionEntity" {
			if err := x.Skip(); err != nil {
				return err
			}
			return nil
		}
		var en entry
		rec, err := x.Decode(&en, se, off)
		if err != nil {
			return err
		}
		e, err := entity(&en, rec)
		if err != nil {
			return err
		}
		if seen[e.ID] {
			return sanctions.Errorf(sanctions.ErrField, file, rec.Line, "sanctionEntity", "duplicate logicalId %s", e.ID)
		}
		seen[e.ID] = true
		l.Entities = append(l.Entities, e)
		return nil
	}); err != nil {
		return nil, err
	}
	if len(l.Entities) == 0 {
		return nil, sanctions.Errorf(sanctions.ErrEmpty, file, 0, "export", "no <sanctionEntity> elements")
	}
	return l, nil
}

func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, &time.ParseError{Value: s, Message: ": not a date"}
}

func entity(en *entry, rec sanctions.Record) (sanctions.Entity, error) {
	id := strings.TrimSpace(en.LogicalID)
	if id == "" {
		return sanctions.Entity{}, sanctions.Errorf(sanctions.ErrField, rec.File, rec.Line, "sanctionEntity", "no logicalId")
	}
	e := sanctions.Entity{ID: id, Designated: true, Record: rec}
	switch strings.ToLower(en.Subject.Code) {
	case "person":
		e.Kind = sanctions.KindPerson
	case "enterprise", "entity":
		e.Kind = sanctions.KindOrganization
	case "vessel":
		e.Kind = sanctions.KindVessel
	default:
		switch en.Subject.Classification {
		case "P":
			e.Kind = sanctions.KindPerson
		case "E":
			e.Kind = sanctions.KindOrganization
		default:
			e.Kind = sanctions.KindUnknown
		}
	}
	// The first strong name is the name; the others are aliases.
	for _, n := range en.Names {
		name := sanctions.Clean(n.Whole)
		if name == "" {
			name = sanctions.Clean(strings.Join([]string{n.First, n.Middle, n.Last}, " "))
		}
		if name == "" {
			continue
		}
		weak := strings.EqualFold(strings.TrimSpace(n.Strong), "false")
		if e.Name == "" && !weak {
			e.Name = name
			continue
		}
		e.AddAlias(sanctions.Alias{Name: name, Kind: sanctions.AKA, Weak: weak})
	}
	if e.Name == "" && len(e.Aliases) > 0 {
		e.Name, e.Aliases = e.Aliases[0].Name, e.Aliases[1:]
	}
	if e.Name == "" {
		return e, sanctions.Errorf(sanctions.ErrField, rec.File, rec.Line, "nameAlias", "logicalId %s has no name", id)
	}
	if en.EURef != "" {
		e.IDs = append(e.IDs, sanctions.Identifier{Type: "EU reference number", Value: sanctions.Clean(en.EURef)})
	}
	if en.UNID != "" {
		e.IDs = append(e.IDs, sanctions.Identifier{Type: "UN reference number", Value: sanctions.Clean(en.UNID)})
	}
	if d := strings.TrimSpace(en.Designation); d != "" {
		t, err := parseTime(d)
		if err != nil {
			return e, sanctions.Errorf(sanctions.ErrField, rec.File, rec.Line, "sanctionEntity", "logicalId %s: designationDate %q", id, d)
		}
		e.Listed = t
	}
	for _, reg := range en.Regulations {
		e.Programs = sanctions.AppendUnique(e.Programs, sanctions.Clean(reg.Programme))
		// Without a designation date the earliest regulation in force is the listing.
		if en.Designation == "" && reg.InForce != "" {
			if t, err := parseTime(reg.InForce); err == nil && (e.Listed.IsZero() || t.Before(e.Listed)) {
				e.Listed = t
			}
		}
	}
	for _, x := range en.IDs {
		num := sanctions.Clean(x.Number)
		if num == "" {
			num = sanctions.Clean(x.Latin)
		}
		if num == "" {
			continue
		}
		typ := sanctions.Clean(x.Description)
		if typ == "" {
			typ = x.Code
		}
		if strings.EqualFold(x.Code, "imo") || strings.Contains(strings.ToUpper(typ), "IMO") {
			applyIMO(&e, num)
			continue
		}
		e.IDs = append(e.IDs, sanctions.Identifier{Type: typ, Value: num, Country: sanctions.Clean(x.Country)})
	}
	var remarks []string
	for _, r := range en.Remarks {
		if r = sanctions.Clean(r); r != "" {
			remarks = append(remarks, r)
			for _, m := range imoRe.FindAllStringSubmatch(r, -1) {
				applyIMO(&e, m[1])
			}
		}
	}
	e.Remarks = strings.Join(remarks, " ")
	for _, a := range en.Addresses {
		var p []string
		for _, s := range []string{a.Street, a.City, a.Zip, a.Region, a.Country} {
			if s = sanctions.Clean(s); s != "" && s != "UNKNOWN" {
				p = append(p, s)
			}
		}
		if len(p) > 0 {
			e.Addresses = append(e.Addresses, strings.Join(p, ", "))
		}
	}
	return e, nil
}

func applyIMO(e *sanctions.Entity, s string) {
	n, valid := sanctions.ParseIMO(s)
	if e.Kind == sanctions.KindVessel && n != 0 {
		if e.Vessel == nil {
			e.Vessel = &sanctions.Vessel{}
		}
		if e.Vessel.IMO == 0 {
			e.Vessel.IMO, e.Vessel.IMOText, e.Vessel.IMOValid = n, s, valid
		}
		return
	}
	id := sanctions.Identifier{Type: "IMO company number", Value: strings.TrimSpace(strings.TrimPrefix(strings.ToUpper(s), "IMO"))}
	for _, x := range e.IDs {
		if x == id {
			return
		}
	}
	e.IDs = append(e.IDs, id)
}
