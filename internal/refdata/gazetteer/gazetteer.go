// Package gazetteer holds the reference tables that name places and
// detention facilities in North Korea, embedded and parsed without any
// storage: the known facilities (data/facilities.csv, each row with its
// sources), other names of facilities (data/facility_aliases.csv) and the
// provinces, special cities, cities and counties with their names in
// English, Korean, Revised Romanization, McCune–Reischauer, old names and
// abbreviations (data/places.csv). See data/SOURCES.md.
//
// It is pure so that both refdata (which loads the facilities into a store)
// and the text normalizers and linkage engine (which resolve what records
// write) read the one copy.
package gazetteer

import (
	"bytes"
	"embed"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
)

//go:embed data/*.csv
var dataFS embed.FS

// FacilitiesCSV returns the embedded facilities.csv, for loaders that read
// all its columns.
func FacilitiesCSV() []byte {
	b, err := dataFS.ReadFile("data/facilities.csv")
	if err != nil {
		panic(err) // embedded at build time
	}
	return b
}

// Facility is what the name resolvers need of one known facility.
type Facility struct {
	ID     string // "kyohwaso-12"
	Type   string // "kwanliso", "kyohwaso", "jipkyulso", ...
	Number int    // 0 when it has none
	NameEn string
	NameKo string
	// Province and County as the source gives them ("North Hamgyong",
	// "Hoeryong-si").
	Province, County string
	// Aliases are other names sources use (data/facility_aliases.csv), not
	// spelling variants of the names above.
	Aliases []string
}

// Place is one province, special city, city, county or district.
type Place struct {
	// ID is hierarchical: "north-hamgyong", "north-hamgyong/hoeryong".
	ID string
	// Level is province, direct_city, special_city, city, county or district.
	Level  string
	NameEn string
	NameKo string
	Hanja  string
	RR, MR string // Revised Romanization and McCune–Reischauer of NameKo
	// AlsoIn lists provinces it belonged to at some time (Rason was part of
	// North Hamgyong 2004–2010).
	AlsoIn []string
	// Other names: abbreviations, old names, other spellings and scripts.
	Other  []string
	Source string
}

// Names returns every name of the place.
func (p Place) Names() []string {
	out := []string{p.NameEn, p.NameKo, p.Hanja, p.RR, p.MR}
	out = append(out, p.Other...)
	kept := out[:0]
	for _, n := range out {
		if n != "" {
			kept = append(kept, n)
		}
	}
	return kept
}

// Parent is the id of the place's province (or special city), "" for one.
func (p Place) Parent() string {
	if i := strings.LastIndexByte(p.ID, '/'); i >= 0 {
		return p.ID[:i]
	}
	return ""
}

// Facilities returns the facilities with their aliases.
func Facilities() ([]Facility, error) {
	rows, err := readCSV("facilities.csv", "id", "type", "number", "name_en", "name_ko", "province", "county")
	if err != nil {
		return nil, err
	}
	aliases, err := readCSV("facility_aliases.csv", "id", "alias")
	if err != nil {
		return nil, err
	}
	out := make([]Facility, 0, len(rows))
	at := map[string]int{}
	for i, r := range rows {
		f := Facility{ID: r["id"], Type: r["type"], NameEn: r["name_en"], NameKo: r["name_ko"],
			Province: r["province"], County: r["county"]}
		if n := r["number"]; n != "" {
			if f.Number, err = strconv.Atoi(n); err != nil {
				return nil, fmt.Errorf("gazetteer: facilities.csv:%d: number %q: %w", i+2, n, err)
			}
		}
		at[f.ID] = len(out)
		out = append(out, f)
	}
	for i, r := range aliases {
		j, ok := at[r["id"]]
		if !ok {
			return nil, fmt.Errorf("gazetteer: facility_aliases.csv:%d: no facility %q", i+2, r["id"])
		}
		out[j].Aliases = append(out[j].Aliases, r["alias"])
	}
	return out, nil
}

// Places returns the places, each after its parent.
func Places() ([]Place, error) {
	rows, err := readCSV("places.csv", "id", "level", "name_en", "name_ko", "hanja", "rr", "mr", "also_in", "other_names", "source")
	if err != nil {
		return nil, err
	}
	ids := map[string]bool{}
	out := make([]Place, 0, len(rows))
	for i, r := range rows {
		p := Place{ID: r["id"], Level: r["level"], NameEn: r["name_en"], NameKo: r["name_ko"], Hanja: r["hanja"],
			RR: r["rr"], MR: r["mr"], AlsoIn: list(r["also_in"]), Other: list(r["other_names"]), Source: r["source"]}
		switch p.Level {
		case "province", "direct_city", "special_city", "city", "county", "district":
		default:
			return nil, fmt.Errorf("gazetteer: places.csv:%d: unknown level %q", i+2, p.Level)
		}
		if ids[p.ID] {
			return nil, fmt.Errorf("gazetteer: places.csv:%d: id %q twice", i+2, p.ID)
		}
		if par := p.Parent(); par != "" && !ids[par] {
			return nil, fmt.Errorf("gazetteer: places.csv:%d: %q comes before its parent %q", i+2, p.ID, par)
		}
		if p.Source == "" {
			return nil, fmt.Errorf("gazetteer: places.csv:%d: %q has no source", i+2, p.ID)
		}
		ids[p.ID] = true
		out = append(out, p)
	}
	for i, p := range out {
		for _, a := range p.AlsoIn {
			if !ids[a] {
				return nil, fmt.Errorf("gazetteer: places.csv:%d: %q is also in unknown %q", i+2, p.ID, a)
			}
		}
	}
	return out, nil
}

func list(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ";") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// readCSV reads an embedded table into rows keyed by header, checking that
// the columns named are there.
func readCSV(name string, want ...string) ([]map[string]string, error) {
	b, err := dataFS.ReadFile("data/" + name)
	if err != nil {
		return nil, fmt.Errorf("gazetteer: %w", err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("gazetteer: %s: %w", name, err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("gazetteer: %s: empty", name)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[strings.TrimSpace(h)] = i
	}
	for _, w := range want {
		if _, ok := col[w]; !ok {
			return nil, fmt.Errorf("gazetteer: %s: no column %q", name, w)
		}
	}
	out := make([]map[string]string, 0, len(recs)-1)
	for _, rec := range recs[1:] {
		row := make(map[string]string, len(col))
		for h, i := range col {
			row[h] = strings.TrimSpace(rec[i])
		}
		out = append(out, row)
	}
	return out, nil
}
