// Package uk loads the UK Sanctions List XML published by the FCDO: one
// <Designation> per designated person, entity or ship, with
//
//	<UniqueID> <OFSIGroupID> <UNReferenceNumber> <DateDesignated dd/mm/yyyy>
//	<LastUpdated> <RegimeName> <IndividualEntityShip Individual|Entity|Ship>
//	<Names><Name><Name1>..<Name6><NameType>Primary Name|Alias|...</NameType></Name></Names>
//	<NonLatinNames><NonLatinName><NameNonLatinScript/></NonLatinName></NonLatinNames>
//	<ShipDetails><Ship><IMONumbers><IMONumber/></IMONumbers>
//	  <CurrentOwnerOperators><CurrentOwnerOperator/></CurrentOwnerOperators>
//	  <CurrentBelievedFlagOfShips><CurrentBelievedFlagOfShip/></CurrentBelievedFlagOfShips>
//	  <PreviousFlags><PreviousFlag/></PreviousFlags> <TypeOfShipDetails><TypeOfShip/></TypeOfShipDetails>
//	  <CallSigns><CallSign/></CallSigns> <YearBuilt/> </Ship></ShipDetails>
//	<OtherInformation> <UKStatementofReasons>
//
// Element names are matched by local name at any depth below the
// designation, so the loader is not tied to one namespace or root name.
package uk

import (
	"encoding/xml"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/lookout-maritime/lookout/internal/sanctions"
)

type ship struct {
	IMOs      []string `xml:"IMONumbers>IMONumber"`
	Owners    []string `xml:"CurrentOwnerOperators>CurrentOwnerOperator"`
	Flags     []string `xml:"CurrentBelievedFlagOfShips>CurrentBelievedFlagOfShip"`
	PrevFlags []string `xml:"PreviousFlags>PreviousFlag"`
	Types     []string `xml:"TypeOfShipDetails>TypeOfShip"`
	CallSigns []string `xml:"CallSigns>CallSign"`
	MMSIs     []string `xml:"MMSINumbers>MMSINumber"`
	YearBuilt string   `xml:"YearBuilt"`
	Tonnage   string   `xml:"Tonnage"`
}

type designation struct {
	UniqueID string   `xml:"UniqueID"`
	GroupID  string   `xml:"OFSIGroupID"`
	UNRef    string   `xml:"UNReferenceNumber"`
	Date     string   `xml:"DateDesignated"`
	Regimes  []string `xml:"RegimeName"`
	Type     string   `xml:"IndividualEntityShip"`
	Names    []struct {
		N1   string `xml:"Name1"`
		N2   string `xml:"Name2"`
		N3   string `xml:"Name3"`
		N4   string `xml:"Name4"`
		N5   string `xml:"Name5"`
		N6   string `xml:"Name6"`
		Type string `xml:"NameType"`
	} `xml:"Names>Name"`
	NonLatin []string `xml:"NonLatinNames>NonLatinName>NameNonLatinScript"`
	Ships    []ship   `xml:"ShipDetails>Ship"`
	Other    string   `xml:"OtherInformation"`
	Reasons  string   `xml:"UKStatementofReasons"`
}

// Load reads the UK Sanctions List XML.
func Load(r io.Reader) (*sanctions.List, error) {
	x, _, l, err := sanctions.OpenXMLList(r, "UK_Sanctions_List.xml", "Designations", sanctions.SourceUK, "uk-xml")
	if err != nil {
		return nil, err
	}
	file := l.Files[0]
	seen := map[string]bool{}
	if err := x.Walk(func(se *xml.StartElement, off int64) error {
		switch se.Name.Local {
		case "DateGenerated":
			var s string
			if _, err := x.Decode(&s, se, off); err != nil {
				return err
			}
			t, err := ukDate(s)
			if err != nil {
				return sanctions.Errorf(sanctions.ErrField, file, x.Line(off), "DateGenerated", "%q is not a date", s)
			}
			l.Published = t
		case "Designation":
			var d designation
			rec, err := x.Decode(&d, se, off)
			if err != nil {
				return err
			}
			e, err := entity(&d, rec)
			if err != nil {
				return err
			}
			if seen[e.ID] {
				return sanctions.Errorf(sanctions.ErrField, file, rec.Line, "UniqueID", "duplicate UniqueID %s", e.ID)
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
		return nil, sanctions.Errorf(sanctions.ErrEmpty, file, 0, "Designations", "no <Designation> elements")
	}
	resolveOwners(l)
	return l, nil
}

// ukDate reads dd/mm/yyyy, or an ISO date-time.
func ukDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"02/01/2006", time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, &time.ParseError{Value: s}
}

func entity(d *designation, rec sanctions.Record) (sanctions.Entity, error) {
	id := sanctions.Clean(d.UniqueID)
	if id == "" {
		return sanctions.Entity{}, sanctions.Errorf(sanctions.ErrField, rec.File, rec.Line, "UniqueID", "designation without UniqueID")
	}
	e := sanctions.Entity{ID: id, Designated: true, Record: rec}
	switch strings.ToLower(sanctions.Clean(d.Type)) {
	case "individual":
		e.Kind = sanctions.KindPerson
	case "entity":
		e.Kind = sanctions.KindOrganization
	case "ship":
		e.Kind = sanctions.KindVessel
	default:
		return e, sanctions.Errorf(sanctions.ErrField, rec.File, rec.Line, "IndividualEntityShip", "%s: unknown type %q", id, d.Type)
	}
	for _, n := range d.Names {
		// Name6 is the family name (or the whole name of an entity or ship).
		var parts []string
		for _, p := range []string{n.N1, n.N2, n.N3, n.N4, n.N5, n.N6} {
			if p = sanctions.Clean(p); p != "" {
				parts = append(parts, p)
			}
		}
		full := strings.Join(parts, " ")
		if full == "" {
			continue
		}
		typ := strings.ToLower(sanctions.Clean(n.Type))
		switch {
		case typ == "primary name" && e.Name == "":
			e.Name = full
		case strings.Contains(typ, "previous") || strings.Contains(typ, "former"):
			e.AddAlias(sanctions.Alias{Name: full, Kind: sanctions.FKA})
		default:
			e.AddAlias(sanctions.Alias{Name: full, Kind: sanctions.AKA, Weak: strings.Contains(typ, "weak")})
		}
	}
	if e.Name == "" && len(e.Aliases) > 0 {
		e.Name, e.Aliases = e.Aliases[0].Name, e.Aliases[1:]
	}
	if e.Name == "" {
		return e, sanctions.Errorf(sanctions.ErrField, rec.File, rec.Line, "Names", "%s has no name", id)
	}
	for _, n := range d.NonLatin {
		e.AddAlias(sanctions.Alias{Name: n, Kind: sanctions.AKA})
	}
	for _, r := range d.Regimes {
		e.Programs = sanctions.AppendUnique(e.Programs, sanctions.Clean(r))
	}
	if s := sanctions.Clean(d.Date); s != "" {
		t, err := ukDate(s)
		if err != nil {
			return e, sanctions.Errorf(sanctions.ErrField, rec.File, rec.Line, "DateDesignated", "%s: %q is not a date", id, s)
		}
		e.Listed = t
	}
	if g := sanctions.Clean(d.GroupID); g != "" {
		e.IDs = append(e.IDs, sanctions.Identifier{Type: "OFSI group ID", Value: g})
	}
	if u := sanctions.Clean(d.UNRef); u != "" {
		e.IDs = append(e.IDs, sanctions.Identifier{Type: "UN reference number", Value: u})
	}
	e.Remarks = sanctions.Clean(strings.TrimSpace(d.Other + " " + d.Reasons))
	for _, s := range d.Ships {
		if e.Kind != sanctions.KindVessel {
			break
		}
		if e.Vessel == nil {
			e.Vessel = &sanctions.Vessel{}
		}
		v := e.Vessel
		for _, imo := range s.IMOs {
			n, valid := sanctions.ParseIMO(imo)
			if n != 0 && v.IMO == 0 {
				v.IMO, v.IMOText, v.IMOValid = n, sanctions.Clean(imo), valid
			} else if n != 0 && n != v.IMO {
				e.IDs = append(e.IDs, sanctions.Identifier{Type: "other IMO", Value: strconv.Itoa(int(n))})
			}
		}
		for _, m := range s.MMSIs {
			if n := sanctions.ParseMMSI(m); n != 0 && v.MMSI == 0 {
				v.MMSI = n
			}
		}
		for _, c := range s.CallSigns {
			if c = sanctions.Clean(c); v.CallSign == "" {
				v.CallSign = c
			} else {
				v.OtherCallSigns = sanctions.AppendUnique(v.OtherCallSigns, c)
			}
		}
		for _, f := range s.Flags {
			if f = sanctions.Clean(f); f != "" && v.Flag == "" {
				v.Flag, v.FlagCode = f, sanctions.CountryCode(f)
			}
		}
		for _, f := range s.PrevFlags {
			v.FormerFlags = sanctions.AppendUnique(v.FormerFlags, sanctions.Clean(f))
		}
		for _, t := range s.Types {
			if t = sanctions.Clean(t); t != "" && v.Type == "" {
				v.Type = t
			}
		}
		for _, o := range s.Owners {
			if o = sanctions.Clean(o); o != "" {
				if v.Owner == "" {
					v.Owner = o
				}
				e.Links = append(e.Links, sanctions.Link{Role: sanctions.RoleOwner, Name: o, Note: "CurrentOwnerOperator"})
			}
		}
		if y, err := strconv.Atoi(sanctions.Clean(s.YearBuilt)); err == nil {
			v.YearBuilt = y
		}
		if t, err := strconv.Atoi(strings.ReplaceAll(sanctions.Clean(s.Tonnage), ",", "")); err == nil {
			v.Tonnage = t
		}
	}
	return e, nil
}

// resolveOwners links a ship's owner/operator text to a designation of
// the same name in the list.
func resolveOwners(l *sanctions.List) {
	byName := map[string]string{}
	for _, e := range l.Entities {
		if e.Kind == sanctions.KindVessel {
			continue
		}
		byName[fold(e.Name)] = e.ID
		for _, a := range e.Aliases {
			if _, ok := byName[fold(a.Name)]; !ok {
				byName[fold(a.Name)] = e.ID
			}
		}
	}
	for i := range l.Entities {
		for j := range l.Entities[i].Links {
			k := &l.Entities[i].Links[j]
			if k.ID == "" {
				k.ID = byName[fold(k.Name)]
			}
		}
	}
}

func fold(s string) string {
	var b strings.Builder
	for _, c := range strings.ToUpper(s) {
		if c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c > 127 {
			b.WriteRune(c)
		}
	}
	return b.String()
}
