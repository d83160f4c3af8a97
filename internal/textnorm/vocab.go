package textnorm

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
)

// facility is one row of the embedded facility list (data/facilities.csv,
// compiled for rollcall from the public sources named in its source column).
type facility struct {
	id, typ string
	number  int
	places  []string // skeletons of the place in its names
	areas   []string // skeletons of its town or county, a weaker clue
}

type facilityTable struct {
	list []facility
}

var (
	facOnce sync.Once
	facTab  *facilityTable
	facErr  error
)

func loadFacilities() *facilityTable {
	facOnce.Do(func() { facTab, facErr = parseFacilities() })
	if facErr != nil {
		panic(facErr) // embedded data: a build defect
	}
	return facTab
}

// parenWord finds a one-word place in brackets.
var parenWord = regexp.MustCompile(`\(([A-Za-z'-]+)\)`)

var facilitySuffixes = []string{"정치범수용소", "관리소", "교화소", "집결소", "교양소", "노동단련대"}

func parseFacilities() (*facilityTable, error) {
	raw, err := dataFS.ReadFile("data/facilities.csv")
	if err != nil {
		return nil, err
	}
	rows, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("facilities.csv: %w", err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	t := &facilityTable{}
	for _, row := range rows[1:] {
		f := facility{id: row[col["id"]], typ: row[col["type"]]}
		f.number, _ = strconv.Atoi(row[col["number"]])
		add := func(list *[]string, p string) {
			p = strings.TrimSpace(p)
			for _, suf := range facilitySuffixes {
				p = strings.TrimSuffix(p, suf)
			}
			if k := placeKey(p); k != "" && !slices.Contains(*list, k) {
				*list = append(*list, k)
			}
		}
		addPlace := func(p string) { add(&f.places, p) }
		addArea := func(p string) { add(&f.areas, p) }
		if en := strings.Fields(row[col["name_en"]]); len(en) > 0 {
			addPlace(en[0])
		}
		if ko := strings.Fields(row[col["name_ko"]]); len(ko) > 0 {
			addPlace(ko[0])
		}
		// the town in brackets ("Nongpo holding centre (Chongjin)") and the
		// county: sources name a facility by either
		if m := parenWord.FindStringSubmatch(row[col["name_en"]]); m != nil {
			addArea(m[1])
		}
		if c := strings.Fields(row[col["county"]]); len(c) > 0 {
			w := c[0]
			for _, suf := range []string{"-si", "-gun", "-guyok"} {
				w = strings.TrimSuffix(w, suf)
			}
			addArea(w)
		}
		t.list = append(t.list, f)
	}
	return t, nil
}

// placeKey is the skeleton of a place name without "-ni", "-ri", "-dong".
func placeKey(p string) string {
	f := strings.ReplaceAll(Fold(p), " ", "")
	if HasHangul(f) {
		f = romanizeHangulPart(f, RR, false, false)
	}
	return Skeleton(f)
}

// facility type words, folded with spaces removed
var facilityTypes = map[string]string{
	"kwanliso": "kwanliso", "kwalliso": "kwanliso", "gwalliso": "kwanliso", "gwanliso": "kwanliso", "관리소": "kwanliso",
	"kyohwaso": "kyohwaso", "gyohwaso": "kyohwaso", "교화소": "kyohwaso",
	"jipkyulso": "jipkyulso", "jipgyeolso": "jipkyulso", "chipkyolso": "jipkyulso", "집결소": "jipkyulso",
	"kyoyangso": "kyoyangso", "gyoyangso": "kyoyangso", "교양소": "kyoyangso",
	"정치범수용소": "kwanliso", "수용소": "kwanliso",
}

// words that say "political prison camp" / "reeducation camp" in English
var facilityTypePhrases = []struct{ phrase, typ string }{
	{"political prison camp", "kwanliso"}, {"political camp", "kwanliso"}, {"concentration camp", "kwanliso"},
	{"internment camp", "kwanliso"}, {"control zone", "kwanliso"}, {"prison camp", "kwanliso"},
	{"reeducation camp", "kyohwaso"}, {"re education camp", "kyohwaso"}, {"reeducation", "kyohwaso"},
	{"holding centre", "jipkyulso"}, {"holding center", "jipkyulso"}, {"detention centre", "jipkyulso"},
	// after the phrases above: "Prison No. 4", "Kangdong prison" are kyohwaso
	{"prison", "kyohwaso"},
}

// FacilityKey maps a facility name in any of its usual forms ("Camp 15",
// "Yodok", "요덕 관리소", "Kwan-li-so No. 15", "Yodok political prison camp")
// to the facility's id in the embedded list ("kwanliso-15"). ok is false
// when s names no known facility or is ambiguous.
func FacilityKey(s string) (key string, ok bool) {
	key, ok, _, _ = facilityLookup(s)
	return key, ok
}

// FacilityType returns the facility type ("kwanliso", "kyohwaso",
// "jipkyulso", "kyoyangso") that s names, whether or not it names one
// facility: "kyohwaso", "suspected political prison camp" and "Camp 15"
// all have a type.
func FacilityType(s string) (typ string, ok bool) {
	_, _, typ, _ = facilityLookup(s)
	return typ, typ != ""
}

// facilityLookup resolves s to one facility (key, ok), and gives the type
// it names and, when it fits several facilities (a town with two camps),
// their ids.
func facilityLookup(s string) (key string, ok bool, typ string, cands []string) {
	t := loadFacilities()
	f := Fold(s)
	if f == "" {
		return "", false, "", nil
	}
	for _, p := range facilityTypePhrases {
		if strings.Contains(f, p.phrase) {
			typ = p.typ
			f = strings.ReplaceAll(f, p.phrase, " ")
			break
		}
	}
	// Split Hangul runs from digits (제15호 → 제 15 호) and find type words,
	// a number and place words.
	words := strings.Fields(splitDigits(f))
	joined := strings.Join(words, "")
	for w, ty := range facilityTypes {
		if strings.Contains(joined, w) {
			typ = ty
		}
	}
	num := 0
	campWord := false
	var places []string
	for i, w := range words {
		if n, err := strconv.Atoi(w); err == nil {
			num = n
			continue
		}
		switch w {
		case "camp", "no", "number", "제", "호", "political", "prison", "the", "kwan", "li", "so", "kyo", "hwa", "camps":
			if w == "camp" || w == "camps" {
				campWord = true
			}
			continue
		}
		if _, isType := facilityTypes[w]; isType {
			continue
		}
		for _, suf := range facilitySuffixes {
			w = strings.TrimSuffix(w, suf)
		}
		if w == "" {
			continue
		}
		places = append(places, placeKey(w))
		if i+1 < len(words) {
			// two-word places written apart (Pokchong ni)
			places = append(places, placeKey(w+words[i+1]))
		}
	}
	if typ == "" && campWord && num != 0 {
		typ = "kwanliso" // "Camp 15" is how the kwanliso are known
	}
	if num == 0 && len(places) == 0 {
		return "", false, typ, nil
	}
	// Facilities named after the place first; failing that, those in a
	// town or county of that name. A bare place name ("Chongjin") may mean
	// any of them.
	bare := typ == "" && num == 0
	var found []string
	for _, byArea := range []bool{bare, true} {
		for _, fc := range t.list {
			if typ != "" && fc.typ != typ {
				continue
			}
			if num != 0 && fc.number != num {
				continue
			}
			if len(places) > 0 && !anyIn(places, fc.places) && (!byArea || !anyIn(places, fc.areas)) {
				continue
			}
			found = append(found, fc.id)
		}
		if len(found) > 0 || len(places) == 0 {
			break
		}
	}
	if len(found) == 1 {
		return found[0], true, facilityTypeOf(t, found[0]), nil
	}
	return "", false, typ, found
}

func facilityTypeOf(t *facilityTable, id string) string {
	for _, f := range t.list {
		if f.id == id {
			return f.typ
		}
	}
	return ""
}

func anyIn(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

// splitDigits puts spaces around runs of digits.
func splitDigits(s string) string {
	var b strings.Builder
	prevDigit := false
	for i, r := range s {
		d := unicode.IsDigit(r)
		if i > 0 && d != prevDigit {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
		prevDigit = d
	}
	return b.String()
}

// province keys and their Hangul names (full and short)
var provincesHangul = map[string]string{
	"평양": "pyongyang", "평양시": "pyongyang", "평양직할시": "pyongyang",
	"평안남도": "south-pyongan", "평남": "south-pyongan",
	"평안북도": "north-pyongan", "평북": "north-pyongan",
	"함경남도": "south-hamgyong", "함남": "south-hamgyong",
	"함경북도": "north-hamgyong", "함북": "north-hamgyong",
	"황해남도": "south-hwanghae", "황남": "south-hwanghae",
	"황해북도": "north-hwanghae", "황북": "north-hwanghae",
	"자강도": "chagang", "자강": "chagang",
	"량강도": "ryanggang", "양강도": "ryanggang", "량강": "ryanggang", "양강": "ryanggang",
	"강원도": "kangwon", "강원": "kangwon",
	"라선": "rason", "나선": "rason", "라선시": "rason", "나선시": "rason",
	"남포": "nampo", "남포시": "nampo",
	"개성": "kaesong", "개성시": "kaesong",
}

// Latin bases: skeleton → key (directional ones need north/south)
var provinceBases = map[string]string{
	Skeleton("pyongan"): "pyongan", Skeleton("hamgyong"): "hamgyong", Skeleton("hwanghae"): "hwanghae",
	Skeleton("pyongyang"): "pyongyang", Skeleton("chagang"): "chagang", Skeleton("jagang"): "chagang",
	Skeleton("yanggang"): "ryanggang", Skeleton("kangwon"): "kangwon", Skeleton("rason"): "rason",
	Skeleton("najin sonbong"): "rason", Skeleton("rajin sonbong"): "rason", Skeleton("nampo"): "nampo", Skeleton("kaesong"): "kaesong",
}

// ProvinceKey maps a North Korean province or special city in Hangul or any
// romanization ("South Pyongan", "Pyongannam-do", "P'yŏngan-namdo", "평남")
// to a key such as "south-pyongan"; ok is false if s is not one.
func ProvinceKey(s string) (key string, ok bool) {
	f := Fold(s)
	if f == "" {
		return "", false
	}
	if HasHangul(f) {
		k, ok := provincesHangul[strings.ReplaceAll(f, " ", "")]
		return k, ok
	}
	dir := ""
	var rest []string
	for _, w := range strings.Fields(f) {
		switch w {
		case "south", "s", "southern":
			dir = "south"
		case "north", "n", "northern":
			dir = "north"
		case "province", "do", "si", "city", "special", "prov":
		default:
			rest = append(rest, w)
		}
	}
	j := strings.Join(rest, "")
	for _, suf := range []string{"do", "to"} {
		j = strings.TrimSuffix(j, suf)
	}
	switch {
	case strings.HasSuffix(j, "nam"):
		dir, j = "south", strings.TrimSuffix(j, "nam")
	case strings.HasSuffix(j, "puk"), strings.HasSuffix(j, "buk"):
		dir, j = "north", j[:len(j)-3]
	}
	sk := Skeleton(j)
	if len(sk) > 1 && sk[0] == 'l' && sk[1] == 'y' {
		sk = sk[1:]
	}
	base, ok := provinceBases[sk]
	if !ok {
		return "", false
	}
	switch base {
	case "pyongan", "hamgyong", "hwanghae":
		if dir == "" {
			return "", false
		}
		return dir + "-" + base, true
	}
	return base, true
}

// CategoryKey normalizes a category value: a known facility gives its id
// ("kwanliso-15"), a place with several facilities the set of their ids
// ("~jipkyulso-nongpo|kwanliso-25" for Chongjin), a text naming only a
// facility type that type ("kwanliso"), a known province its key, anything
// else its folded form. A type key is a prefix of its facilities' ids up to
// the hyphen, so that comparators can see "kyohwaso" as compatible with
// "kyohwaso-4", and a set as compatible with its members.
func CategoryKey(s string) string {
	t := loadFacilities()
	typed := func(id string) string {
		if typ := facilityTypeOf(t, id); typ != "" && !strings.HasPrefix(id, typ+"-") {
			return typ + "-" + id // so that the type alone stays compatible
		}
		return id
	}
	k, ok, typ, cands := facilityLookup(s)
	if ok {
		return typed(k)
	}
	if len(cands) > 1 {
		// "~a|b": one of these facilities (a town with two camps)
		for i, c := range cands {
			cands[i] = typed(c)
		}
		slices.Sort(cands)
		return "~" + strings.Join(cands, "|")
	}
	if p, ok := ProvinceKey(s); ok {
		return p
	}
	if typ != "" && onlyTypeWords(s) {
		return typ
	}
	return Fold(s)
}

// onlyTypeWords reports whether s says nothing but a facility type
// ("kyohwaso", "suspected political prison camp").
func onlyTypeWords(s string) bool {
	f := " " + Fold(s) + " "
	for _, p := range facilityTypePhrases {
		f = strings.ReplaceAll(f, " "+p.phrase+" ", " ")
	}
	for _, w := range strings.Fields(f) {
		if _, ok := facilityTypes[w]; ok {
			continue
		}
		switch w {
		case "suspected", "camp", "the", "a", "restricted", "area", "north", "korean":
			continue
		}
		return false
	}
	return true
}
