// Package ofac loads the US Treasury OFAC Specially Designated Nationals
// list: the legacy CSV files (sdn.csv with add.csv, alt.csv and the
// optional sdn_comments.csv) and sdn.xml.
package ofac

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/lookout-maritime/lookout/internal/sanctions"
)

// CSVFiles are the legacy CSV files of one SDN list version. SDN is
// required; the others may be nil.
type CSVFiles struct {
	SDN      io.Reader // sdn.csv: ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks
	Add      io.Reader // add.csv: ent_num, Add_num, Address, City/State/Province/Postal Code, Country, Add_remarks
	Alt      io.Reader // alt.csv: ent_num, alt_num, alt_type, alt_name, alt_remarks
	Comments io.Reader // sdn_comments.csv: ent_num, Remarks_Extended (remarks too long for sdn.csv)
}

// LoadCSV loads the SDN legacy CSV trio; add and alt may be nil.
func LoadCSV(sdn, add, alt io.Reader) (*sanctions.List, error) {
	return LoadCSVFiles(CSVFiles{SDN: sdn, Add: add, Alt: alt})
}

// LoadCSVFiles loads the legacy CSV files. The files have no header;
// "-0- " marks an empty field. A row with the wrong number of fields, a
// non-numeric or duplicate ent_num or an empty name rejects the file.
func LoadCSVFiles(f CSVFiles) (*sanctions.List, error) {
	sdnName := sanctions.NameOf(f.SDN, "sdn.csv")
	sdnData, err := sanctions.ReadAll(f.SDN, sdnName, 0)
	if err != nil {
		return nil, err
	}
	l := &sanctions.List{Source: sanctions.SourceOFAC, Format: "ofac-csv", Files: []string{sdnName}}
	hashed := [][]byte{sdnData}
	index := map[string]int{}
	err = readCSV(sdnData, sdnName, 12, func(rec []string, line int, raw string) error {
		e, err := sdnRow(rec, line, sdnName, l)
		if err != nil {
			return err
		}
		if _, dup := index[e.ID]; dup {
			return sanctions.Errorf(sanctions.ErrField, sdnName, line, "ent_num", "duplicate ent_num %s", e.ID)
		}
		e.Record = sanctions.Record{File: sdnName, Line: line, Element: "csv row", Raw: raw}
		index[e.ID] = len(l.Entities)
		l.Entities = append(l.Entities, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(l.Entities) == 0 {
		return nil, sanctions.Errorf(sanctions.ErrEmpty, sdnName, 0, "", "no SDN rows")
	}

	extra := []struct {
		r      io.Reader
		name   string
		fields int
		apply  func(e *sanctions.Entity, rec []string, file string, line int, raw string)
	}{
		{f.Comments, "sdn_comments.csv", 2, applyComment},
		{f.Alt, "alt.csv", 5, applyAlt},
		{f.Add, "add.csv", 6, applyAdd},
	}
	for _, x := range extra {
		if x.r == nil {
			continue
		}
		name := sanctions.NameOf(x.r, x.name)
		data, err := sanctions.ReadAll(x.r, name, 0)
		if err != nil {
			return nil, err
		}
		l.Files = append(l.Files, name)
		hashed = append(hashed, data)
		err = readCSV(data, name, x.fields, func(rec []string, line int, raw string) error {
			id := strings.TrimSpace(rec[0])
			if !isNumber(id) {
				return sanctions.Errorf(sanctions.ErrField, name, line, "ent_num", "ent_num %q is not a number", id)
			}
			i, ok := index[id]
			if !ok {
				l.Warnf(name, line, "ent_num", "ent_num %s is not in %s", id, sdnName)
				return nil
			}
			x.apply(&l.Entities[i], rec, name, line, raw)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	l.SHA256 = sanctions.HashFiles(hashed...)
	resolveLinks(l)
	return l, nil
}

// readCSV calls fn for every record with its first line and verbatim text.
func readCSV(data []byte, file string, fields int, fn func(rec []string, line int, raw string) error) error {
	// The published files end with a DOS end-of-file byte (0x1A).
	data = bytes.TrimRight(data, "\x1a\r\n \t")
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(data) == 0 {
		return nil
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = fields
	r.ReuseRecord = true
	var prev int64
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return &sanctions.ParseError{File: file, Line: pe.StartLine, Reason: "CSV: " + pe.Err.Error(), Err: sanctions.ErrMalformed}
			}
			return &sanctions.ParseError{File: file, Reason: "CSV", Err: err}
		}
		line, _ := r.FieldPos(0)
		end := r.InputOffset()
		raw := strings.TrimRight(string(data[prev:end]), "\r\n")
		raw = strings.TrimLeft(raw, "\r\n")
		prev = end
		if err := fn(rec, line, raw); err != nil {
			return err
		}
	}
}

// field returns a CSV field with OFAC's "-0-" empty marker removed.
func field(rec []string, i int) string {
	s := strings.TrimSpace(rec[i])
	if s == "-0-" {
		return ""
	}
	return sanctions.Clean(s)
}

func isNumber(s string) bool {
	if s == "" || len(s) > 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func kindOf(sdnType string) sanctions.Kind {
	switch strings.ToLower(strings.TrimSpace(sdnType)) {
	case "individual":
		return sanctions.KindPerson
	case "vessel":
		return sanctions.KindVessel
	case "aircraft":
		return sanctions.KindAircraft
	case "", "entity":
		return sanctions.KindOrganization
	}
	return sanctions.KindUnknown
}

// splitPrograms reads "SDGT] [IFSR" (the CSV drops the outer brackets).
func splitPrograms(s string) []string {
	var out []string
	for _, p := range strings.Split(s, "] [") {
		p = strings.Trim(strings.TrimSpace(p), "[]")
		out = sanctions.AppendUnique(out, p)
	}
	return out
}

func sdnRow(rec []string, line int, file string, l *sanctions.List) (sanctions.Entity, error) {
	id := strings.TrimSpace(rec[0])
	if !isNumber(id) {
		return sanctions.Entity{}, sanctions.Errorf(sanctions.ErrField, file, line, "ent_num", "ent_num %q is not a number", id)
	}
	e := sanctions.Entity{ID: id, Name: field(rec, 1), Kind: kindOf(field(rec, 2)), Designated: true}
	if e.Name == "" {
		return e, sanctions.Errorf(sanctions.ErrField, file, line, "SDN_Name", "ent_num %s has no name", id)
	}
	e.Programs = splitPrograms(field(rec, 3))
	if t := field(rec, 4); t != "" {
		e.IDs = append(e.IDs, sanctions.Identifier{Type: "Title", Value: t})
	}
	if e.Kind == sanctions.KindVessel {
		v := &sanctions.Vessel{
			CallSign: field(rec, 5),
			Type:     field(rec, 6),
			Tonnage:  number(field(rec, 7)),
			GRT:      number(field(rec, 8)),
			Flag:     field(rec, 9),
			Owner:    field(rec, 10),
		}
		v.FlagCode = sanctions.CountryCode(v.Flag)
		e.Vessel = v
	}
	e.Remarks = field(rec, 11)
	applyRemarks(&e, e.Remarks, func(format string, args ...any) {
		l.Warnf(file, line, "Remarks", "ent_num "+id+": "+format, args...)
	})
	return e, nil
}

// number reads "99,144" as 99144; 0 when not a number.
func number(s string) int {
	n, err := strconv.Atoi(strings.ReplaceAll(s, ",", ""))
	if err != nil {
		return 0
	}
	return n
}

func applyComment(e *sanctions.Entity, rec []string, file string, line int, raw string) {
	more := field(rec, 1)
	if more == "" {
		return
	}
	// The comment continues the remarks cut off in sdn.csv.
	e.Remarks += more
	applyRemarks(e, more, func(string, ...any) {})
	e.Record.Raw += "\n" + raw
}

func applyAlt(e *sanctions.Entity, rec []string, file string, line int, raw string) {
	kind := sanctions.AKA
	switch strings.ToLower(field(rec, 2)) {
	case "fka":
		kind = sanctions.FKA
	case "nka":
		kind = sanctions.NKA
	}
	weak := strings.Contains(strings.ToLower(field(rec, 4)), "weak")
	e.AddAlias(sanctions.Alias{Name: field(rec, 3), Kind: kind, Weak: weak})
	e.Record.Raw += "\n" + raw
}

func applyAdd(e *sanctions.Entity, rec []string, file string, line int, raw string) {
	parts := []string{}
	for _, i := range []int{2, 3, 4} {
		if s := field(rec, i); s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) > 0 {
		e.Addresses = append(e.Addresses, strings.Join(parts, ", "))
	}
	e.Record.Raw += "\n" + raw
}

// resolveLinks fills Link.ID for "Linked To" and Vess_owner names that
// name another entry of the list (by primary name, then by alias).
func resolveLinks(l *sanctions.List) {
	byName := map[string]string{}
	byAlias := map[string]string{}
	for i := range l.Entities {
		e := &l.Entities[i]
		k := linkKey(e.Name)
		if _, ok := byName[k]; !ok {
			byName[k] = e.ID
		}
		for _, a := range e.Aliases {
			if _, ok := byAlias[linkKey(a.Name)]; !ok {
				byAlias[linkKey(a.Name)] = e.ID
			}
		}
	}
	find := func(name string) string {
		k := linkKey(name)
		if id, ok := byName[k]; ok {
			return id
		}
		return byAlias[k]
	}
	for i := range l.Entities {
		e := &l.Entities[i]
		for j := range e.Links {
			if e.Links[j].ID == "" {
				e.Links[j].ID = find(e.Links[j].Name)
				if e.Links[j].ID == "" {
					l.Warnf(e.Record.File, e.Record.Line, "Remarks", "ent_num %s: linked entity %q is not in the list", e.ID, e.Links[j].Name)
				}
			}
		}
		if e.Vessel != nil && e.Vessel.Owner != "" {
			if id := find(e.Vessel.Owner); id != "" && id != e.ID {
				e.Links = append(e.Links, sanctions.Link{Role: sanctions.RoleOwner, ID: id, Name: e.Vessel.Owner, Note: "Vess_owner"})
			}
		}
	}
}

// linkKey folds a name for link resolution: upper case, letters and
// digits only ("PETROLEOS DE VENEZUELA, S.A." = "PETROLEOS DE VENEZUELA S.A").
func linkKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r > 127 {
			b.WriteRune(r)
		}
	}
	return b.String()
}
