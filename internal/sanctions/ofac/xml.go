package ofac

import (
	"encoding/xml"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/lookout-maritime/lookout/internal/sanctions"
)

// sdn.xml, as its schema (sdn.xsd) describes it: <sdnList> with
// <publshInformation> (sic) and <sdnEntry> elements. Element names are
// matched by local name, so both the old (tempuri.org) and the current
// (sanctionslistservice.ofac.treas.gov) namespaces load.
type xmlEntry struct {
	UID       string   `xml:"uid"`
	FirstName string   `xml:"firstName"`
	LastName  string   `xml:"lastName"`
	Title     string   `xml:"title"`
	SDNType   string   `xml:"sdnType"`
	Remarks   string   `xml:"remarks"`
	Programs  []string `xml:"programList>program"`
	IDs       []struct {
		UID     string `xml:"uid"`
		Type    string `xml:"idType"`
		Number  string `xml:"idNumber"`
		Country string `xml:"idCountry"`
	} `xml:"idList>id"`
	AKAs []struct {
		UID       string `xml:"uid"`
		Type      string `xml:"type"`
		Category  string `xml:"category"`
		LastName  string `xml:"lastName"`
		FirstName string `xml:"firstName"`
	} `xml:"akaList>aka"`
	Addresses []struct {
		Address1 string `xml:"address1"`
		Address2 string `xml:"address2"`
		Address3 string `xml:"address3"`
		City     string `xml:"city"`
		State    string `xml:"stateOrProvince"`
		Postal   string `xml:"postalCode"`
		Country  string `xml:"country"`
	} `xml:"addressList>address"`
	Vessel *struct {
		CallSign string `xml:"callSign"`
		Type     string `xml:"vesselType"`
		Flag     string `xml:"vesselFlag"`
		Owner    string `xml:"vesselOwner"`
		Tonnage  string `xml:"tonnage"`
		GRT      string `xml:"grossRegisteredTonnage"`
	} `xml:"vesselInfo"`
}

type xmlPublish struct {
	Date  string `xml:"Publish_Date"`
	Count string `xml:"Record_Count"`
}

// LoadXML loads sdn.xml. Vessel IMO numbers and MMSIs come from idList
// ("Vessel Registration Identification", "MMSI"), former names from
// akaList (type f.k.a.), and "Linked To" relations from idList entries of
// that type or from remarks text, whichever the file uses.
func LoadXML(r io.Reader) (*sanctions.List, error) {
	x, _, l, err := sanctions.OpenXMLList(r, "sdn.xml", "sdnList", sanctions.SourceOFAC, "ofac-xml")
	if err != nil {
		return nil, err
	}
	file := l.Files[0]
	seen := map[string]bool{}
	stated := -1
	if err := x.Walk(func(se *xml.StartElement, off int64) error {
		switch se.Name.Local {
		case "publshInformation":
			var p xmlPublish
			if _, err := x.Decode(&p, se, off); err != nil {
				return err
			}
			if t, err := time.Parse("01/02/2006", strings.TrimSpace(p.Date)); err == nil {
				l.Published = t
			} else if p.Date != "" {
				l.Warnf(file, x.Line(off), "Publish_Date", "unreadable date %q", p.Date)
			}
			if n, err := strconv.Atoi(strings.TrimSpace(p.Count)); err == nil {
				stated = n
			}
		case "sdnEntry":
			var xe xmlEntry
			rec, err := x.Decode(&xe, se, off)
			if err != nil {
				return err
			}
			e, err := xmlEntity(&xe, rec, l)
			if err != nil {
				return err
			}
			if seen[e.ID] {
				return sanctions.Errorf(sanctions.ErrField, file, rec.Line, "uid", "duplicate uid %s", e.ID)
			}
			seen[e.ID] = true
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
		return nil, sanctions.Errorf(sanctions.ErrEmpty, file, 0, "sdnList", "no <sdnEntry> elements")
	}
	if stated >= 0 && stated != len(l.Entities) {
		l.Warnf(file, 0, "Record_Count", "states %d records, file has %d", stated, len(l.Entities))
	}
	resolveLinks(l)
	return l, nil
}

func xmlEntity(xe *xmlEntry, rec sanctions.Record, l *sanctions.List) (sanctions.Entity, error) {
	id := strings.TrimSpace(xe.UID)
	if !isNumber(id) {
		return sanctions.Entity{}, sanctions.Errorf(sanctions.ErrField, rec.File, rec.Line, "uid", "uid %q is not a number", id)
	}
	name := joinName(xe.LastName, xe.FirstName)
	if name == "" {
		return sanctions.Entity{}, sanctions.Errorf(sanctions.ErrField, rec.File, rec.Line, "lastName", "uid %s has no name", id)
	}
	e := sanctions.Entity{ID: id, Name: name, Kind: kindOf(xe.SDNType), Designated: true, Record: rec}
	for _, p := range xe.Programs {
		e.Programs = sanctions.AppendUnique(e.Programs, sanctions.Clean(p))
	}
	if t := sanctions.Clean(xe.Title); t != "" {
		e.IDs = append(e.IDs, sanctions.Identifier{Type: "Title", Value: t})
	}
	if xe.Vessel != nil || e.Kind == sanctions.KindVessel {
		v := &sanctions.Vessel{}
		if xe.Vessel != nil {
			v.CallSign = sanctions.Clean(xe.Vessel.CallSign)
			v.Type = sanctions.Clean(xe.Vessel.Type)
			v.Flag = sanctions.Clean(xe.Vessel.Flag)
			v.Owner = sanctions.Clean(xe.Vessel.Owner)
			v.Tonnage = number(sanctions.Clean(xe.Vessel.Tonnage))
			v.GRT = number(sanctions.Clean(xe.Vessel.GRT))
			v.FlagCode = sanctions.CountryCode(v.Flag)
		}
		if e.Kind == sanctions.KindVessel {
			e.Vessel = v
		}
	}
	warn := func(format string, args ...any) {
		l.Warnf(rec.File, rec.Line, "idList", "uid "+id+": "+format, args...)
	}
	for _, x := range xe.IDs {
		typ := strings.TrimSpace(x.Type)
		num := sanctions.Clean(x.Number)
		if typ == "" || num == "" {
			continue
		}
		if strings.HasPrefix(typ, "Linked To") {
			applyID(&e, "Linked To:", num, warn)
			continue
		}
		if _, _, known := cutKey(typ); known || typ == "MMSI" {
			if x.Country != "" && !strings.HasSuffix(num, ")") {
				num += " (" + sanctions.Clean(x.Country) + ")"
			}
			applyID(&e, typ, num, warn)
			continue
		}
		e.IDs = append(e.IDs, sanctions.Identifier{Type: strings.TrimSuffix(typ, ":"), Value: num, Country: sanctions.Clean(x.Country)})
	}
	for _, a := range xe.AKAs {
		kind := sanctions.AKA
		switch strings.ToLower(strings.TrimSpace(a.Type)) {
		case "f.k.a.", "fka":
			kind = sanctions.FKA
		case "n.k.a.", "nka":
			kind = sanctions.NKA
		}
		e.AddAlias(sanctions.Alias{Name: joinName(a.LastName, a.FirstName), Kind: kind, Weak: strings.EqualFold(strings.TrimSpace(a.Category), "weak")})
	}
	for _, a := range xe.Addresses {
		var parts []string
		for _, s := range []string{a.Address1, a.Address2, a.Address3, a.City, a.State, a.Postal, a.Country} {
			if s = sanctions.Clean(s); s != "" {
				parts = append(parts, s)
			}
		}
		if len(parts) > 0 {
			e.Addresses = append(e.Addresses, strings.Join(parts, ", "))
		}
	}
	e.Remarks = sanctions.Clean(xe.Remarks)
	if e.Remarks != "" {
		// Remarks text may hold items the idList does not, e.g.
		// "(Linked To: NATIONAL IRANIAN TANKER COMPANY)".
		applyRemarks(&e, strings.Trim(e.Remarks, "()"), warn)
	}
	return e, nil
}

// joinName writes "LAST, First" as the CSV does; vessels and entities
// have a last name only.
func joinName(last, first string) string {
	last, first = sanctions.Clean(last), sanctions.Clean(first)
	switch {
	case first == "":
		return last
	case last == "":
		return first
	}
	return last + ", " + first
}
