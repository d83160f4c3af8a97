package web

import (
	"testing"

	"github.com/rollcall-project/rollcall"
)

func TestCompareRecords(t *testing.T) { eachFixture(t, testCompareRecords) }

func testCompareRecords(t *testing.T, f *fixture) {
	a := &rollcall.Record{Name: "Kim Hakgil", ArrestDate: rollcall.MustDate("2003-04"), BirthDate: rollcall.MustDate("1967"), Fate: "detained", Sex: "m"}
	b := &rollcall.Record{Name: "KIM Hak-kil", ArrestDate: rollcall.MustDate("2003-04-08"), BirthDate: rollcall.MustDate("1969"), Fate: "detained"}
	rows := f.srv.compare([]*rollcall.Record{a, b}, "en")
	want := map[string]bool{"field.name": true, "field.arrest_date": false, "field.birth_date": true, "field.fate": false, "field.sex": false}
	for _, r := range rows {
		if w, ok := want[r.Label]; ok && r.Differs != w {
			t.Errorf("%s: differs = %v, want %v (%q)", r.Label, r.Differs, w, r.Values)
		}
		switch r.Label {
		case "field.arrest_date":
			if r.Values[0] != "April 2003" || r.Values[1] != "8 April 2003" {
				t.Errorf("dates %q", r.Values)
			}
		case "field.fate":
			if r.Values[0] != "Detained" {
				t.Errorf("fate not labelled: %q", r.Values)
			}
		case "field.sex":
			if r.Values[0] != "male" || r.Values[1] != "" {
				t.Errorf("sex %q", r.Values)
			}
		}
	}
}

// TestCompareAcrossScripts: records that state the same thing in two
// scripts are no conflict on the person page; a real difference still is.
func TestCompareAcrossScripts(t *testing.T) { eachFixture(t, testCompareAcrossScripts) }

func testCompareAcrossScripts(t *testing.T, f *fixture) {
	a := &rollcall.Record{Name: "박순옥", Province: "황해남도", BirthPlace: "해주", FacilityText: "요덕 관리소", Sex: "f", BirthDate: rollcall.MustDate("1968년 3월")}
	b := &rollcall.Record{Name: "Pak Sun-ok", Province: "South Hwanghae", BirthPlace: "Haeju", FacilityText: "Camp 15", Sex: "f", BirthDate: rollcall.MustDate("1968-03")}
	c := &rollcall.Record{Name: "Pak Sun-hui", Province: "North Hwanghae", BirthPlace: "Sariwon", FacilityText: "Camp 16"}
	for _, lang := range []string{"en", "ko"} {
		for _, r := range f.srv.compare([]*rollcall.Record{a, b}, lang) {
			if r.Differs {
				t.Errorf("%s: %s differs across scripts: %q", lang, r.Label, r.Values)
			}
		}
		differs := map[string]bool{}
		for _, r := range f.srv.compare([]*rollcall.Record{a, b, c}, lang) {
			differs[r.Label] = r.Differs
		}
		for _, l := range []string{"field.name", "field.province", "field.birth_place", "field.facility"} {
			if !differs[l] {
				t.Errorf("%s: %s does not differ though the third record says otherwise", lang, l)
			}
		}
	}
}
