package textnorm

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/rollcall-project/rollcall/internal/refdata/gazetteer"
)

// facility is one known facility of the gazetteer, with the keys of the
// places it is named after.
type facility struct {
	id, typ string
	number  int
	places  []string // skeletons of the place in its names and aliases
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
	fs, err := gazetteer.Facilities()
	if err != nil {
		return nil, err
	}
	t := &facilityTable{}
	for _, g := range fs {
		f := facility{id: g.ID, typ: g.Type, number: g.Number}
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
		if en := strings.Fields(g.NameEn); len(en) > 0 {
			addPlace(en[0])
		}
		if ko := strings.Fields(g.NameKo); len(ko) > 0 {
			addPlace(ko[0])
		}
		for _, a := range g.Aliases {
			addPlace(a)
		}
		// the town in brackets ("Nongpo holding centre (Chongjin)") and the
		// county: sources name a facility by either
		if m := parenWord.FindStringSubmatch(g.NameEn); m != nil {
			addArea(m[1])
		}
		if c := strings.Fields(g.County); len(c) > 0 {
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

// facilityLookup resolves s to one facility (key, ok), and gives the type
// it names and, when it fits several facilities (a town with two camps),
// their ids.
func facilityLookup(s string) (key string, ok bool, typ string, cands []string) {
	t := loadFacilities()
	f := Fold(s)
	if f == "" {
		return "", false, "", nil
	}
	soft := false // "prison" says kyohwaso unless the place names another
	for _, p := range facilityTypePhrases {
		if strings.Contains(f, p.phrase) {
			typ, soft = p.typ, p.phrase == "prison"
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
	if num == 0 && len(places) == 0 {
		return "", false, typ, nil
	}
	if soft && len(places) > 0 {
		// "Yodok prison", "Hoeryong prison": the camp named after the place
		var named []string
		for _, fc := range t.list {
			if (num == 0 || fc.number == num) && anyIn(places, fc.places) {
				named = append(named, fc.id)
			}
		}
		if len(named) == 1 {
			return named[0], true, facilityTypeOf(t, named[0]), nil
		}
	}
	found := t.search(typ, num, places)
	if typ == "" && campWord && num != 0 && len(places) == 0 {
		// "Camp 15" is how the kwanliso are known; "Camp 12 (Jongori)"
		// names its place and may be any type
		if k := t.search("kwanliso", num, nil); len(k) > 0 {
			found, typ = k, "kwanliso"
		}
	}
	if len(found) == 1 {
		return found[0], true, facilityTypeOf(t, found[0]), nil
	}
	return "", false, typ, found
}

// search lists the facilities of type typ (any if ""), number num (any if
// 0) named after one of places: facilities named after the place first;
// failing that, those in a town or county of that name. A bare place name
// ("Chongjin") may mean any of them.
func (t *facilityTable) search(typ string, num int, places []string) []string {
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
	return found
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

// CategoryKey normalizes a category value: a known facility gives its id
// ("kwanliso-15"), a place with several facilities the set of their ids
// ("~jipkyulso-nongpo|kwanliso-25" for Chongjin), a text naming only a
// facility type that type ("kwanliso"), a known province its key, anything
// else its folded form. A type key is a prefix of its facilities' ids up to
// the hyphen, so that comparators can see "kyohwaso" as compatible with
// "kyohwaso-4", and a set as compatible with its members.
func CategoryKey(s string) string {
	if r, ok := FacilityRef(s); ok {
		return r
	}
	if p, ok := ProvinceKey(s); ok {
		return p
	}
	return Fold(s)
}

// FacilityRef is what a text says about a facility: the facility's id
// prefixed by its type when the id does not start with it
// ("kwanliso-15", "kwanliso-choma-bong"), "~" and the ids of the
// facilities it may be ("~kwanliso-22|kyohwaso-12" for Hoeryong, a town
// with two), or a type alone ("kwanliso" for "suspected political prison
// camp"). A type is a prefix of its facilities' ids up to a hyphen, so
// that comparators can see "kyohwaso" as compatible with "kyohwaso-4",
// and a set as compatible with its members. ok is false when the text
// names no known facility or type.
func FacilityRef(s string) (ref string, ok bool) {
	t := loadFacilities()
	typed := func(id string) string {
		if typ := facilityTypeOf(t, id); typ != "" && !strings.HasPrefix(id, typ+"-") {
			return typ + "-" + id // so that the type alone stays compatible
		}
		return id
	}
	k, found, typ, cands := facilityLookup(s)
	if found {
		return typed(k), true
	}
	if len(cands) > 1 {
		// "~a|b": one of these facilities (a town with two camps)
		for i, c := range cands {
			cands[i] = typed(c)
		}
		slices.Sort(cands)
		return "~" + strings.Join(cands, "|"), true
	}
	if typ != "" && onlyTypeWords(s) {
		return typ, true
	}
	return "", false
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
