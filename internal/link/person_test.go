package link

import (
	"slices"
	"strconv"
	"testing"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/link/match"
)

func TestPersonRecord(t *testing.T) {
	fac := int64(7)
	years := 15.0
	tests := []struct {
		name string
		rec  rollcall.Record
		want []string // Values
	}{
		{"every field", rollcall.Record{Meta: rollcall.Meta{ID: 3}, SourceID: 2, Name: "Kim Yong-ho", NameAlt: "김용호", Sex: "m",
			BirthDate: rollcall.MustDate("1961"), Province: "N. Hamgyong", FacilityText: "Kyohwaso 12", ArrestDate: rollcall.MustDate("2009-04"),
			ChargeCat: "border_crossing", SentenceYears: &years, ReleasedOn: rollcall.MustDate("2015-08-15")},
			[]string{"Kim Yong-ho", "김용호", "m", "", "N. Hamgyong", "Kyohwaso 12", "", "border_crossing", "15", ""}},
		{"facility by id", rollcall.Record{Meta: rollcall.Meta{ID: 4}, SourceID: 2, Name: "리영철", FacilityID: &fac},
			[]string{"리영철", "", "", "", "", "Camp 12 (Jongori)", "", "", "", ""}},
		{"facility text wins over id", rollcall.Record{Meta: rollcall.Meta{ID: 5}, SourceID: 1, Name: "x", FacilityText: "전거리 교화소", FacilityID: &fac},
			[]string{"x", "", "", "", "", "전거리 교화소", "", "", "", ""}},
	}
	facilities := map[int64]string{7: "Camp 12 (Jongori)"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PersonRecord(tt.rec, facilities)
			if got.ID != itoa(tt.rec.ID) {
				t.Errorf("id %q", got.ID)
			}
			if got.Source != itoa(tt.rec.SourceID) {
				t.Errorf("source %q", got.Source)
			}
			if !slices.Equal(got.Values, tt.want) {
				t.Errorf("values %q, want %q", got.Values, tt.want)
			}
			if len(got.Values) != len(PersonColumns()) || len(got.Dates) != len(PersonColumns()) {
				t.Fatalf("%d values, %d dates for %d columns", len(got.Values), len(got.Dates), len(PersonColumns()))
			}
			for i, d := range []rollcall.PartialDate{tt.rec.BirthDate, tt.rec.ArrestDate, tt.rec.ReleasedOn} {
				col := []int{colBirth, colArrest, colReleased}[i]
				if got.Dates[col] != d {
					t.Errorf("date of %s: %v, want %v", PersonColumns()[col], got.Dates[col], d)
				}
			}
		})
	}
	// Every field and alternative PersonFields compares is a column.
	for _, f := range PersonFields() {
		for _, c := range append([]string{f.Column}, f.Alternatives...) {
			if !slices.Contains(PersonColumns(), c) {
				t.Errorf("field column %q is not in PersonColumns", c)
			}
		}
	}
	// The stored records are guarded on surname and birth date.
	var guarded []string
	for _, f := range PersonFields() {
		if f.Guard {
			guarded = append(guarded, f.Column)
		}
	}
	if !slices.Equal(guarded, []string{"name", "birth_date"}) {
		t.Errorf("guarded %v, want name and birth_date", guarded)
	}
}

func TestSetGuard(t *testing.T) {
	tests := []struct {
		col     string
		ok      bool
		guarded string
	}{
		{"birth", true, "birth"},
		{"name_hangul", true, "name"}, // an alternative guards its field
		{"province", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.col, func(t *testing.T) {
			fields := []match.Field{
				{Column: "name", Kind: match.Name, Alternatives: []string{"name_hangul"}},
				{Column: "birth", Kind: match.Date},
			}
			if ok := SetGuard(fields, tt.col); ok != tt.ok {
				t.Fatalf("SetGuard(%q) = %t", tt.col, ok)
			}
			for _, f := range fields {
				if f.Guard != (f.Column == tt.guarded) {
					t.Errorf("field %s guard %t", f.Column, f.Guard)
				}
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
