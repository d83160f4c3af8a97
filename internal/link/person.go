package link

import (
	"strconv"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/link/match"
)

// This file is the one field set for linking stored records into persons:
// `link --db`, the demo, linkage draws and live linkage in the server all
// compare the same columns the same way, with the same cluster guards.

// PersonFields are the fields compared when stored records are linked into
// persons: names in any script or order (the hangul form as an
// alternative), sex, partial birth dates, province and facility through
// the gazetteer and the facility registry, arrest date, charge category,
// sentence and release date. Surnames and birth dates are guarded: a
// cluster never joins records whose surnames or birth years disagree
// beyond the comparators' tolerance unless their own pair is strong.
func PersonFields() []match.Field {
	return []match.Field{
		{Column: "name", Kind: match.Name, Alternatives: []string{"name_alt"}, Guard: true},
		{Column: "sex", Kind: match.Exact},
		{Column: "birth_date", Kind: match.Date, Guard: true},
		{Column: "province", Kind: match.Place},
		{Column: "facility", Kind: match.Facility},
		{Column: "arrest_date", Kind: match.Date},
		{Column: "charge_category", Kind: match.Category},
		{Column: "sentence_years", Kind: match.Number},
		{Column: "released_on", Kind: match.Date},
	}
}

// PersonColumns are the Dataset columns PersonRecord fills, in order: the
// columns of PersonFields and their alternatives.
func PersonColumns() []string {
	return []string{"name", "name_alt", "sex", "birth_date", "province", "facility",
		"arrest_date", "charge_category", "sentence_years", "released_on"}
}

// The typed date columns of PersonColumns.
const (
	colBirth    = 3
	colArrest   = 6
	colReleased = 9
)

// PersonRecord is stored record r as the engine reads it, with the columns
// of PersonColumns. facility names a facility id (the registry's English
// name), for records that give no facility text; it may be nil.
func PersonRecord(r rollcall.Record, facility map[int64]string) match.Record {
	fac := r.FacilityText
	if fac == "" && r.FacilityID != nil {
		fac = facility[*r.FacilityID]
	}
	sentence := ""
	if r.SentenceYears != nil {
		sentence = strconv.FormatFloat(*r.SentenceYears, 'g', -1, 64)
	}
	dates := make([]rollcall.PartialDate, len(PersonColumns()))
	dates[colBirth], dates[colArrest], dates[colReleased] = r.BirthDate, r.ArrestDate, r.ReleasedOn
	return match.Record{
		ID:     strconv.FormatInt(r.ID, 10),
		Source: strconv.FormatInt(r.SourceID, 10),
		Values: []string{r.Name, r.NameAlt, r.Sex, "", r.Province, fac, "", r.ChargeCat, sentence, ""},
		Dates:  dates,
	}
}

// PersonDataset is recs as one Dataset of PersonColumns, in order.
func PersonDataset(recs []rollcall.Record, facility map[int64]string) *match.Dataset {
	ds := &match.Dataset{Columns: PersonColumns(), Records: make([]match.Record, len(recs))}
	for i, r := range recs {
		ds.Records[i] = PersonRecord(r, facility)
	}
	return ds
}

// SetGuard turns the cluster guard on for the field comparing column col
// (its own column or one of its alternatives); false when no field does.
func SetGuard(fields []match.Field, col string) bool {
	for i := range fields {
		if fields[i].Column == col {
			fields[i].Guard = true
			return true
		}
		for _, a := range fields[i].Alternatives {
			if a == col {
				fields[i].Guard = true
				return true
			}
		}
	}
	return false
}
