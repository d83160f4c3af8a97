package gazetteer

import (
	"bytes"
	"encoding/csv"
	"slices"
	"testing"
)

func TestFacilities(t *testing.T) {
	fs, err := Facilities()
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(FacilitiesCSV())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != len(rows)-1 {
		t.Fatalf("%d facilities, %d rows", len(fs), len(rows)-1)
	}
	i := slices.IndexFunc(fs, func(f Facility) bool { return f.ID == "kwanliso-22" })
	if i < 0 || fs[i].Number != 22 || fs[i].Type != "kwanliso" || !slices.Contains(fs[i].Aliases, "Haengyong") {
		t.Errorf("kwanliso-22: %+v", fs[i])
	}
}

func TestPlaces(t *testing.T) {
	ps, err := Places()
	if err != nil {
		t.Fatal(err)
	}
	levels := map[string]int{}
	for _, p := range ps {
		levels[p.Level]++
		if p.NameEn == "" || p.NameKo == "" || p.RR == "" || p.MR == "" {
			t.Errorf("%s lacks a name: %+v", p.ID, p)
		}
	}
	// nine provinces and four cities governed as provinces
	if levels["province"] != 9 || levels["direct_city"]+levels["special_city"] != 4 {
		t.Errorf("levels %v", levels)
	}
	i := slices.IndexFunc(ps, func(p Place) bool { return p.ID == "north-hamgyong/hoeryong" })
	if i < 0 || ps[i].Parent() != "north-hamgyong" || !slices.Contains(ps[i].Names(), "회령") {
		t.Errorf("hoeryong: %+v", ps[i])
	}
}
