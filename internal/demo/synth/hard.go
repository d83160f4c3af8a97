package synth

import (
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/textnorm"
)

// Options.Hard renders the lists the way real ones differ most, to measure
// linkage where it is hard. The forms are written here by hand and by
// rule, not read from the gazetteer the linkage resolves them with:
//
//   - names: Hangul (South or North spelling, spaced or not), romanized by
//     system (RR, MR, North Korean) or by the customary spellings people
//     choose syllable by syllable (Joon-hyun, Chun Hyon, Young-hee, Kyung
//     Hee), surname first or last, "SURNAME, Given", capitals, typos;
//   - homonyms: 30% of given names come from a short list of popular
//     ones, so that namesakes born in the same years are common;
//   - provinces in English, abbreviated, RR, MR, older spellings, Hangul
//     full or short, or a city of the province, alone or with it;
//   - facilities by name, number, "Camp N (Place)", type and number, the
//     place romanized another way, the type alone, or the holding centre
//     a person passed through instead of the camp;
//   - fewer persons reported (about 13,000 records for 20,000 persons over
//     five lists), more duplicates within a list, more missing fields.

// hardCoverage scales the chance that a list reports a person.
const hardCoverage = 0.6

// hardDup is the least chance of a second record of one person in a list.
const hardDup = 0.05

// Popular given names (North Korean usage), commonest first: namesakes.
var popularGiven = map[string][]string{
	"m": strings.Fields("영철 철수 영호 광철 명철 성철 영남 철남 혁철 정호 영일 성호 광혁 명호 영수 진혁 일남 국철 학철 용철"),
	"f": strings.Fields("영희 옥순 춘희 명옥 영순 금순 정희 영옥 순희 은정 미향 경희 혜영 선희 정숙 영숙 순옥 명순 향미 금옥"),
}

// hardPopular is the share of given names drawn from the popular list.
const hardPopular = 0.3

// hardGiven picks a given name: from the popular list (Zipf weights) or
// from syllable pairs.
func hardGiven(r *rand.Rand, sex string) string {
	if r.Float64() < hardPopular {
		names := popularGiven[sex]
		w := make([]float64, len(names))
		for i := range w {
			w[i] = 1 / float64(i+1)
		}
		return names[pickWeighted(r, w)]
	}
	syl := givenSyllables[sex]
	for {
		g := pick(r, syl[0]) + pick(r, syl[1])
		if []rune(g)[0] != []rune(g)[1] {
			return g
		}
	}
}

// customary respellings of RR syllables, as people write their names
var respell = []struct{ from, to string }{
	{"yeo", "yo"}, {"yeo", "you"}, {"eo", "o"}, {"eo", "u"}, {"eu", "u"}, {"ae", "ai"}, {"ae", "e"},
	{"ui", "ee"}, {"ui", "i"}, {"u", "oo"}, {"i", "ee"}, {"ye", "yeh"}, {"wa", "wha"},
}

var respellInitial = []struct{ from, to string }{
	{"g", "k"}, {"d", "t"}, {"b", "p"}, {"j", "ch"}, {"si", "shi"}, {"r", "l"},
}

// customarySyllable spells one Hangul syllable the way a passport or a
// press report might: RR, MR without diacritics, or RR respelled.
func customarySyllable(r *rand.Rand, syl string) string {
	switch x := r.Float64(); {
	case x < 0.3:
		return textnorm.Romanize(syl, textnorm.RR)
	case x < 0.55:
		return stripDiacritics(textnorm.Romanize(syl, textnorm.MR))
	}
	s := textnorm.Romanize(syl, textnorm.RR)
	for _, rs := range respell {
		if strings.Contains(s, rs.from) && r.Float64() < 0.5 {
			s = strings.Replace(s, rs.from, rs.to, 1)
			break
		}
	}
	if r.Float64() < 0.3 {
		for _, rs := range respellInitial {
			if strings.HasPrefix(s, rs.from) {
				s = rs.to + s[len(rs.from):]
				break
			}
		}
	}
	return s
}

// hardName renders a person's name for a record of style st.
func (p *Person) hardName(r *rand.Rand, st style) (name, alt string) {
	hangul := st == styleHangul && r.Float64() < 0.8 || st != styleHangul && r.Float64() < 0.08
	full := p.Hangul
	north := st == styleState || r.Float64() < 0.3
	if north {
		full = p.NorthHangul
	}
	sur := string([]rune(full)[:len([]rune(full))-len([]rune(p.given))])
	if hangul {
		name = full
		if r.Float64() < 0.15 {
			name = sur + " " + p.given
		}
		if r.Float64() < 0.03 {
			name = typo(r, name)
		}
		if r.Float64() < 0.2 {
			alt = textnorm.RomanizeName(full, textnorm.MR)
		}
		return name, alt
	}
	var surL, givenL string
	switch x := r.Float64(); {
	case x < 0.15:
		// a system, as the romanizer writes it
		sys := []textnorm.System{textnorm.RR, textnorm.MR, textnorm.NK}[r.IntN(3)]
		s := textnorm.RomanizeName(full, sys)
		surL, givenL, _ = strings.Cut(s, " ")
		if r.Float64() < 0.5 {
			surL, givenL = stripDiacritics(surL), stripDiacritics(givenL)
		}
	default:
		// customary spellings, syllable by syllable
		surL = p.sur.spellings[pickWeighted(r, p.sur.spellW)]
		if nk, ok := northRomanSurname[firstSyllable(full)]; ok && north && r.Float64() < 0.6 {
			surL = nk
		}
		var syl []string
		for _, g := range p.given {
			syl = append(syl, customarySyllable(r, string(g)))
		}
		switch r.IntN(3) {
		case 0:
			givenL = strings.Join(syl, "-")
		case 1:
			givenL = strings.Join(syl, "")
		default:
			givenL = strings.Join(syl, " ")
		}
	}
	surL, givenL = capitalize(surL), capitalizeWords(givenL)
	if r.Float64() < 0.08 {
		givenL = typo(r, givenL)
	}
	switch x := r.Float64(); {
	case x < 0.45:
		name = surL + " " + givenL
	case x < 0.65:
		name = givenL + " " + surL
	case x < 0.8:
		name = strings.ToUpper(surL) + ", " + givenL
	case x < 0.9:
		name = givenL + " " + strings.ToUpper(surL)
	default:
		name = strings.ToUpper(surL) + " " + givenL
	}
	if r.Float64() < 0.25 {
		alt = p.Hangul
	}
	return name, alt
}

func capitalizeWords(s string) string {
	ws := strings.Split(s, " ")
	for i, w := range ws {
		ws[i] = capitalize(w)
	}
	return strings.Join(ws, " ")
}

// hardProvince is how lists write a province: its names, older
// spellings, and some of its cities (English, Hangul).
type hardProvince struct {
	en, ko, short string
	base, dir     string // "Hamgyong", "north"; dir "" if undivided
	old           []string
	cities        [][2]string
}

var hardProvinces = map[string]hardProvince{
	"Pyongyang":      {"Pyongyang", "평양시", "평양", "Pyongyang", "", []string{"Pyeongyang", "Pyong Yang"}, [][2]string{{"Kangdong", "강동군"}}},
	"South Pyongan":  {"South Pyongan", "평안남도", "평남", "Pyongan", "south", []string{"Pyungan"}, [][2]string{{"Pyongsong", "평성시"}, {"Kaechon", "개천시"}, {"Sunchon", "순천시"}, {"Anju", "안주시"}}},
	"North Pyongan":  {"North Pyongan", "평안북도", "평북", "Pyongan", "north", []string{"Pyungan"}, [][2]string{{"Sinuiju", "신의주시"}, {"Jongju", "정주시"}, {"Kusong", "구성시"}}},
	"Chagang":        {"Chagang", "자강도", "자강", "Chagang", "", []string{"Jagang"}, [][2]string{{"Kanggye", "강계시"}, {"Manpo", "만포시"}, {"Huichon", "희천시"}}},
	"South Hwanghae": {"South Hwanghae", "황해남도", "황남", "Hwanghae", "south", []string{"Whanghae"}, [][2]string{{"Haeju", "해주시"}}},
	"North Hwanghae": {"North Hwanghae", "황해북도", "황북", "Hwanghae", "north", []string{"Whanghae"}, [][2]string{{"Sariwon", "사리원시"}, {"Songrim", "송림시"}}},
	"Kangwon":        {"Kangwon", "강원도", "강원", "Kangwon", "", []string{"Gangwon", "Kang-won"}, [][2]string{{"Wonsan", "원산시"}, {"Munchon", "문천시"}}},
	"South Hamgyong": {"South Hamgyong", "함경남도", "함남", "Hamgyong", "south", []string{"Hamkyung", "Hamkyong"}, [][2]string{{"Hamhung", "함흥시"}, {"Tanchon", "단천시"}, {"Sinpo", "신포시"}}},
	"North Hamgyong": {"North Hamgyong", "함경북도", "함북", "Hamgyong", "north", []string{"Hamkyung", "Hamkyong"}, [][2]string{{"Chongjin", "청진시"}, {"Hoeryong", "회령시"}, {"Musan", "무산군"}, {"Onsong", "온성군"}, {"Kimchaek", "김책시"}}},
	"Ryanggang":      {"Ryanggang", "량강도", "양강도", "Ryanggang", "", []string{"Yanggang", "Ryangkang"}, [][2]string{{"Hyesan", "혜산시"}, {"Samjiyon", "삼지연시"}, {"Kapsan", "갑산군"}}},
	"Rason":          {"Rason", "라선시", "나선", "Rason", "", []string{"Rajin-Sonbong", "Najin"}, nil},
	"Nampo":          {"Nampo", "남포시", "남포", "Nampo", "", []string{"Namp'o", "Chinnampo"}, nil},
}

// hardProvinceText writes the person's province one of the ways lists do.
func hardProvinceText(r *rand.Rand, p *Person, st style) string {
	hp, ok := hardProvinces[p.Province]
	if !ok || r.Float64() < 0.2 {
		return ""
	}
	if st == styleHangul && r.Float64() < 0.8 {
		switch x := r.Float64(); {
		case x < 0.6:
			return hp.ko
		case x < 0.8 || len(hp.cities) == 0:
			return hp.short
		}
		c := pick(r, hp.cities)
		if r.Float64() < 0.5 {
			return hp.ko + " " + c[1]
		}
		return c[1]
	}
	koBase := strings.TrimSuffix(strings.TrimSuffix(hp.ko, "도"), "시")
	if hp.dir != "" {
		koBase = strings.TrimSuffix(strings.TrimSuffix(koBase, "남"), "북")
	}
	suffix := map[string][3]string{"north": {"buk-do", "-pukto", "North"}, "south": {"nam-do", "-namdo", "South"}, "": {"-do", "-do", ""}}[hp.dir]
	switch x := r.Float64(); {
	case x < 0.3:
		return hp.en
	case x < 0.4 && hp.dir != "":
		return hp.dir[:1] + ". " + hp.base
	case x < 0.5:
		// RR: Hamgyeongbuk-do
		return capitalize(textnorm.Romanize(koBase, textnorm.RR)) + suffix[0]
	case x < 0.6:
		// MR, with or without its marks: Hamgyŏng-pukto
		s := capitalize(textnorm.Romanize(koBase, textnorm.MR)) + suffix[1]
		if r.Float64() < 0.5 {
			s = stripDiacritics(s)
		}
		return s
	case x < 0.7:
		// an older spelling: Hamkyung-pukto, North Hamkyung
		o := pick(r, hp.old)
		if hp.dir != "" && r.Float64() < 0.5 {
			return suffix[2] + " " + o
		}
		return o + suffix[1]
	case x < 0.8:
		return hp.en + " Province"
	case len(hp.cities) > 0:
		c := pick(r, hp.cities)
		if r.Float64() < 0.4 {
			return c[0] + ", " + hp.en
		}
		return c[0]
	}
	return hp.en
}

// hardFacilityText names a facility one of the ways lists do.
func hardFacilityText(r *rand.Rand, p *Person, st style) string {
	f := p.Facility
	if p.FirstFacility != nil && r.Float64() < 0.25 {
		f = p.FirstFacility // the holding centre the person passed through
	}
	if f == nil || r.Float64() < 0.15 {
		return ""
	}
	// the place the facility is named after, in Hangul and two
	// romanizations
	placeKo := ""
	if ko := strings.Fields(f.NameKo); len(ko) > 0 {
		placeKo = ko[0]
		for _, suf := range []string{"교화소", "집결소", "관리소"} {
			placeKo = strings.TrimSuffix(placeKo, suf)
		}
	}
	placeEn := strings.Fields(f.NameEn)[0]
	typeKo := map[string]string{"kwanliso": "관리소", "kyohwaso": "교화소", "jipkyulso": "집결소"}[f.Type]
	typeEn := map[string][]string{"kwanliso": {"Kwanliso", "Kwan-li-so", "Kwalliso"}, "kyohwaso": {"Kyohwaso", "Kyo-hwa-so", "Gyohwaso"},
		"jipkyulso": {"Jipkyulso", "Chipkyolso", "holding centre"}}[f.Type]
	var forms []string
	add := func(s ...string) { forms = append(forms, s...) }
	if st == styleHangul {
		if placeKo != "" {
			add(placeKo+" "+typeKo, placeKo)
		}
		if f.Number != "" {
			add("제"+f.Number+"호 "+typeKo, f.Number+"호 "+typeKo)
		}
		if len(forms) > 0 && r.Float64() < 0.85 {
			return pick(r, forms)
		}
		forms = forms[:0]
	}
	add(f.NameEn, placeEn+" "+strings.ToLower(pick(r, typeEn)))
	if f.Number != "" {
		add("Camp "+f.Number+" ("+placeEn+")", pick(r, typeEn)+" "+f.Number, "No. "+f.Number+" "+pick(r, typeEn))
		if f.Type == "kwanliso" {
			add("Camp " + f.Number)
		}
	}
	if placeKo != "" {
		rr := capitalize(textnorm.Romanize(placeKo, textnorm.RR))
		mr := capitalize(stripDiacritics(textnorm.Romanize(placeKo, textnorm.MR)))
		add(rr, mr+" prison", rr+" "+strings.ToLower(typeEn[0]))
	}
	if r.Float64() < 0.05 {
		return f.Type // the type alone
	}
	return pick(r, forms)
}

// harden re-renders a record the hard way (Options.Hard).
func (ds *Dataset) harden(r *rand.Rand, rec *Record, p *Person, pr profile) {
	rec.Name, rec.NameAlt = p.hardName(r, pr.style)
	rec.Province = hardProvinceText(r, p, pr.style)
	rec.FacilityText = hardFacilityText(r, p, pr.style)
	if r.Float64() < 0.1 {
		rec.Sex = ""
	}
	// a birth year a digit off now and then, beyond the year-off errors
	// every style makes
	if y, _, _ := rec.BirthDate.Earliest(); !rec.BirthDate.IsZero() && r.Float64() < 0.03 {
		if d, err := rollcall.ParseDate(strconv.Itoa(y + pick(r, []int{-10, 10, -2, 2}))); err == nil {
			rec.BirthDate = d
		}
	}
	if r.Float64() < 0.1 {
		rec.ArrestDate = rollcall.PartialDate{}
	}
}
