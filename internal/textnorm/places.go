package textnorm

import (
	"slices"
	"strings"
	"sync"

	"github.com/rollcall-project/rollcall/internal/refdata/gazetteer"
)

// placeIndex resolves North Korean place names through the gazetteer.
type placeIndex struct {
	places []gazetteer.Place
	at     map[string]int // id → index in places
	// byKey maps the key of every name (see placeNameKey) to a place
	// index, or -1 when two places share it.
	byKey map[string]int
	// areas lists, per place, its id, its ancestors and the provinces it
	// once belonged to, with theirs.
	areas [][]string
}

var (
	placeOnce sync.Once
	placeIdx  *placeIndex
	placeErr  error
)

func loadPlaces() *placeIndex {
	placeOnce.Do(func() { placeIdx, placeErr = buildPlaces() })
	if placeErr != nil {
		panic(placeErr) // embedded data: a build defect
	}
	return placeIdx
}

func buildPlaces() (*placeIndex, error) {
	ps, err := gazetteer.Places()
	if err != nil {
		return nil, err
	}
	ix := &placeIndex{places: ps, at: map[string]int{}, byKey: map[string]int{}}
	for i, p := range ps {
		ix.at[p.ID] = i
	}
	for i, p := range ps {
		for _, n := range p.Names() {
			k := placeNameKey(n)
			if k == "" {
				continue
			}
			if j, seen := ix.byKey[k]; seen && j != i {
				ix.byKey[k] = -1
				continue
			}
			ix.byKey[k] = i
		}
	}
	ix.areas = make([][]string, len(ps))
	for i := range ps {
		var out []string
		var walk func(id string)
		walk = func(id string) {
			if slices.Contains(out, id) {
				return
			}
			out = append(out, id)
			p := ps[ix.at[id]]
			if par := p.Parent(); par != "" {
				walk(par)
			}
			for _, a := range p.AlsoIn {
				walk(a)
			}
		}
		walk(ps[i].ID)
		ix.areas[i] = out
	}
	return ix, nil
}

// words that say what kind of place a name is, dropped from keys
var placeGeneric = map[string]bool{
	"province": true, "prov": true, "do": true, "to": true, "si": true, "shi": true, "city": true, "special": true,
	"directly": true, "governed": true, "direct": true, "administered": true, "municipality": true, "county": true,
	"gun": true, "kun": true, "district": true, "guyok": true, "kuyok": true, "region": true, "administrative": true,
	"the": true, "of": true, "dprk": true, "industrial": true, "level": true,
}

// direction words: which half of a divided province
var placeDirection = map[string]string{
	"north": "n", "n": "n", "northern": "n", "buk": "n", "puk": "n", "pukto": "n", "bukdo": "n", "pukdo": "n",
	"south": "s", "s": "s", "southern": "s", "nam": "s", "namdo": "s",
}

// Hangul suffixes naming the kind of place, longest first
var placeSuffixesKo = []string{"특별행정구", "특별시", "직할시", "특급시", "구역", "시", "군", "도"}

// Latin suffixes of a name written in one word ("Hamgyongbuk-do"), with
// the direction they carry
var placeSuffixes = []struct{ suf, dir string }{
	{"pukto", "n"}, {"pukdo", "n"}, {"bukdo", "n"}, {"namdo", "s"}, {"do", ""}, {"to", ""},
}

// placeNameKey is the key under which a place name is looked up: the
// direction of a divided province ("n", "s" or none), a colon, and the
// phonetic skeleton of the rest without words such as province or city,
// Hangul read in Revised Romanization after the initial-sound law (량강 =
// 양강). "North Hamgyong", "Hamgyongbuk-do", "Hamkyung-pukto", "N.
// Hamgyong" and "함경북도" share one key.
func placeNameKey(s string) string {
	f := Fold(s)
	if f == "" {
		return ""
	}
	dir := ""
	var rest []string
	for _, w := range strings.Fields(f) {
		if d, ok := placeDirection[w]; ok {
			dir = d
			continue
		}
		if placeGeneric[w] {
			continue
		}
		rest = append(rest, w)
	}
	j := strings.Join(rest, "")
	if j == "" {
		return ""
	}
	if HasHangul(j) {
		for _, suf := range placeSuffixesKo {
			if t := strings.TrimSuffix(j, suf); t != j && len([]rune(t)) >= 1 {
				j = t
				break
			}
		}
		switch {
		case strings.HasSuffix(j, "북") && len([]rune(j)) >= 2:
			dir, j = "n", strings.TrimSuffix(j, "북")
		case strings.HasSuffix(j, "남") && len([]rune(j)) >= 2:
			dir, j = "s", strings.TrimSuffix(j, "남")
		}
		j = romanizeHangulPart(Dueum(j), RR, false, false)
	} else {
		for _, ps := range placeSuffixes {
			if t := strings.TrimSuffix(j, ps.suf); t != j && len(t) >= 3 {
				j = t
				if ps.dir != "" {
					dir = ps.dir
				}
				break
			}
		}
		for _, ps := range []struct{ suf, dir string }{{"buk", "n"}, {"puk", "n"}, {"nam", "s"}} {
			if t := strings.TrimSuffix(j, ps.suf); t != j && len(t) >= 4 {
				dir, j = ps.dir, t
				break
			}
		}
		for _, suf := range []string{"si", "shi", "gun", "kun", "guyok", "kuyok"} {
			if t := strings.TrimSuffix(j, suf); t != j && len(t) >= 4 {
				j = t
				break
			}
		}
	}
	sk := Skeleton(j)
	// the initial-sound law in Latin letters: Ryanggang = Yanggang,
	// Nyongbyon = Yongbyon, Rason = Nason
	if len(sk) > 1 && (sk[0] == 'l' || sk[0] == 'n') {
		switch sk[1] {
		case 'y', 'i':
			sk = sk[1:]
		case 'a', 'e', 'o':
			if sk[0] == 'l' {
				sk = "n" + sk[1:]
			}
		}
	}
	if sk == "" {
		return ""
	}
	return dir + ":" + sk
}

// PlaceKey resolves a North Korean province, special city, city or county
// named in any usual form ("N. Hamgyong", "Hamgyongbuk-do", "함경북도",
// "Hamkyung-pukto", "Hoeryong, North Hamgyong", "함경북도 회령시") to its
// gazetteer id ("north-hamgyong", "north-hamgyong/hoeryong"). A text naming
// a place and the province it lies in gives the place. ok is false when s
// names no known place, or places that cannot both hold.
func PlaceKey(s string) (id string, ok bool) {
	i := loadPlaces().resolve(s)
	if i < 0 {
		return "", false
	}
	return loadPlaces().places[i].ID, true
}

// PlaceAreas returns the areas a gazetteer place lies in: its own id, the
// ids of the places containing it and of the provinces it once belonged
// to (Rason: rason, north-hamgyong). It is nil for an unknown id.
func PlaceAreas(id string) []string {
	ix := loadPlaces()
	i, ok := ix.at[id]
	if !ok {
		return nil
	}
	return ix.areas[i]
}

func (ix *placeIndex) lookup(s string) int {
	k := placeNameKey(s)
	if k == "" {
		return -1
	}
	if i, ok := ix.byKey[k]; ok {
		return i
	}
	return -1
}

// resolve finds the place s names: the whole text, else the most specific
// of the places its parts name when the others contain it.
func (ix *placeIndex) resolve(s string) int {
	if i := ix.lookup(s); i >= 0 {
		return i
	}
	// parts: comma-separated pieces, or runs of up to three words
	var found []int
	add := func(i int) {
		if i >= 0 && !slices.Contains(found, i) {
			found = append(found, i)
		}
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == ';' || r == '/' || r == '(' || r == ')' })
	if len(parts) > 1 {
		for _, p := range parts {
			add(ix.resolve(p))
		}
	} else {
		ws := strings.Fields(Fold(s))
		if len(ws) < 2 || len(ws) > 8 {
			return -1
		}
		for n := min(3, len(ws)); n >= 1; n-- {
			for a := 0; a+n <= len(ws); a++ {
				add(ix.lookup(strings.Join(ws[a:a+n], " ")))
			}
		}
	}
	if len(found) == 0 {
		return -1
	}
	// the deepest place that every other one contains
	best := -1
	for _, i := range found {
		all := true
		for _, j := range found {
			if j != i && !slices.Contains(ix.areas[i], ix.places[j].ID) {
				all = false
				break
			}
		}
		if all {
			best = i
		}
	}
	return best
}

// ProvinceKey maps a North Korean province or city governed as one, in
// Hangul or any romanization ("South Pyongan", "Pyongannam-do",
// "P'yŏngan-namdo", "평남"), to its gazetteer id ("south-pyongan"); ok is
// false if s names no such place.
func ProvinceKey(s string) (key string, ok bool) {
	ix := loadPlaces()
	i := ix.lookup(s)
	if i < 0 || ix.places[i].Parent() != "" {
		return "", false
	}
	return ix.places[i].ID, true
}
