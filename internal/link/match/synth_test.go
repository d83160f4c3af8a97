package match

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall/internal/textnorm"
)

// A small generator of a fictional Korean population, written for these
// tests before internal/synth existed: persons with Hangul names, each
// recorded 1–4 times by sources that write the name in Hangul (South or
// North Korean spelling), Revised Romanization, McCune–Reischauer, North
// Korean practice or passport spellings, surname first or last, with typos,
// partial or approximate birth dates, province and facility name variants.
// Common surnames make homonyms.

// surname, weight, Latin spellings seen in practice
var synthSurnames = []struct {
	h     string
	w     float64
	latin []string
	nk    string // North Korean Hangul spelling when different
}{
	{"김", 21, []string{"Kim", "Gim"}, ""}, {"이", 14, []string{"Lee", "Yi", "Rhee", "Ri"}, "리"},
	{"박", 8, []string{"Park", "Pak", "Bak"}, ""}, {"최", 4.7, []string{"Choi", "Choe"}, ""},
	{"정", 4.4, []string{"Jung", "Jeong", "Chung", "Chong"}, ""}, {"강", 2.3, []string{"Kang", "Gang"}, ""},
	{"조", 2.1, []string{"Cho", "Jo"}, ""}, {"윤", 2.1, []string{"Yoon", "Yun"}, ""},
	{"장", 2, []string{"Jang", "Chang"}, ""}, {"임", 1.7, []string{"Lim", "Im", "Rim"}, "림"},
	{"한", 1.5, []string{"Han"}, ""}, {"오", 1.5, []string{"Oh", "O"}, ""},
	{"서", 1.5, []string{"Seo", "Suh", "So"}, ""}, {"신", 1.5, []string{"Shin", "Sin"}, ""},
	{"권", 1.4, []string{"Kwon", "Gwon"}, ""}, {"황", 1.4, []string{"Hwang"}, ""},
	{"안", 1.3, []string{"Ahn", "An"}, ""}, {"송", 1.3, []string{"Song"}, ""},
	{"류", 1.2, []string{"Ryu", "Yoo", "Yu"}, ""}, {"홍", 1.1, []string{"Hong"}, ""},
	{"전", 1.1, []string{"Jeon", "Jun", "Chon"}, ""}, {"고", 0.9, []string{"Ko", "Go"}, ""},
	{"문", 0.9, []string{"Moon", "Mun"}, ""}, {"양", 0.9, []string{"Yang", "Ryang"}, "량"},
	{"손", 0.9, []string{"Son", "Sohn"}, ""}, {"배", 0.8, []string{"Bae", "Pae"}, ""},
	{"백", 0.7, []string{"Baek", "Paek", "Paik"}, ""}, {"허", 0.6, []string{"Heo", "Huh", "Ho"}, ""},
	{"남", 0.5, []string{"Nam"}, ""}, {"노", 0.4, []string{"Noh", "Roh", "No"}, "로"},
	{"하", 0.4, []string{"Ha"}, ""}, {"곽", 0.4, []string{"Kwak", "Gwak"}, ""},
	{"차", 0.4, []string{"Cha"}, ""}, {"주", 0.4, []string{"Joo", "Ju", "Chu"}, ""},
	{"우", 0.4, []string{"Woo", "U"}, ""}, {"구", 0.4, []string{"Koo", "Ku"}, ""},
	{"민", 0.3, []string{"Min"}, ""}, {"진", 0.3, []string{"Jin", "Chin"}, ""},
	{"지", 0.3, []string{"Ji", "Chi"}, ""}, {"채", 0.3, []string{"Chae"}, ""},
	{"원", 0.3, []string{"Won"}, ""}, {"방", 0.3, []string{"Bang", "Pang"}, ""},
	{"남궁", 0.05, []string{"Namgung", "Namkung"}, ""},
}

var synthSyllables = strings.Fields("영 희 철 수 민 준 성 호 정 숙 경 미 광 남 용 일 진 혁 현 순 옥 금 은 석 국 명 학 원 동 춘 혜 선 지 연 진 상 훈 기 태 순 란 애 복 길 만 식 봉 룡 림")

var synthProvinces = [][]string{
	{"South Pyongan", "평안남도", "평남", "Pyongannam-do", "P'yŏngan-namdo"},
	{"North Pyongan", "평안북도", "평북", "Pyonganbuk-do"},
	{"South Hamgyong", "함경남도", "함남", "Hamgyongnam-do", "Hamgyeongnam-do"},
	{"North Hamgyong", "함경북도", "함북", "Hamgyongbuk-do"},
	{"Ryanggang", "량강도", "양강도", "Yanggang-do"},
	{"Chagang", "자강도", "Jagang"},
	{"Kangwon", "강원도", "Gangwon-do"},
	{"South Hwanghae", "황해남도", "황남"},
	{"North Hwanghae", "황해북도", "황북"},
	{"Pyongyang", "평양", "평양시", "P'yŏngyang"},
}

var synthFacilities = [][]string{
	{"Camp 15", "Yodok", "요덕 관리소", "Kwan-li-so No. 15", "Yodok political prison camp"},
	{"Camp 14", "Kaechon political prison camp", "개천 제14호 관리소", "Kwanliso 14"},
	{"Camp 16", "Hwasong", "화성 관리소", "Kwan-li-so No. 16"},
	{"Camp 25", "Chongjin political prison camp", "청진 제25호 관리소"},
	{"Kyo-hwa-so No. 1", "Kaechon reeducation camp", "개천 제1호교화소"},
	{"Kyohwaso No. 12", "Jongori", "전거리 교화소", "Chongori reeducation camp"},
	{"Kyo-hwa-so No. 4", "Kangdong reeducation camp", "강동 제4호교화소"},
	{"Nongpo holding centre", "농포집결소"},
}

type synthPerson struct {
	surname            int
	given              []string
	y, m, d            int
	province, facility int
}

// synthKorean generates n records from about n/2 persons; columns are
// name, birth, province, facility; truth gives each record's person.
func synthKorean(n int, seed uint64) (*Dataset, []string) {
	rng := rand.New(rand.NewPCG(seed, 99))
	tot := 0.0
	for _, s := range synthSurnames {
		tot += s.w
	}
	pickSurname := func() int {
		x := rng.Float64() * tot
		for i, s := range synthSurnames {
			x -= s.w
			if x < 0 {
				return i
			}
		}
		return 0
	}
	ds := &Dataset{Columns: []string{"name", "birth", "province", "facility"}}
	var truth []string
	for p := 0; len(ds.Records) < n; p++ {
		per := synthPerson{surname: pickSurname(), y: 1930 + rng.IntN(70), m: 1 + rng.IntN(12), d: 1 + rng.IntN(28),
			province: rng.IntN(len(synthProvinces)), facility: rng.IntN(len(synthFacilities))}
		per.given = []string{synthSyllables[rng.IntN(len(synthSyllables))], synthSyllables[rng.IntN(len(synthSyllables))]}
		k := 1 + rng.IntN(4)
		for r := 0; r < k && len(ds.Records) < n; r++ {
			id := fmt.Sprintf("p%d-r%d", p, r)
			ds.Records = append(ds.Records, Record{ID: id, Source: "s", Values: []string{
				synthName(rng, per), synthDate(rng, per), synthPick(rng, synthProvinces[per.province], 0.1),
				synthPick(rng, synthFacilities[per.facility], 0.25),
			}})
			truth = append(truth, strconv.Itoa(p))
		}
	}
	return ds, truth
}

func synthPick(rng *rand.Rand, vs []string, missing float64) string {
	if rng.Float64() < missing {
		return ""
	}
	return vs[rng.IntN(len(vs))]
}

func synthName(rng *rand.Rand, p synthPerson) string {
	s := synthSurnames[p.surname]
	given := strings.Join(p.given, "")
	nkHangul := rng.Float64() < 0.3
	sh := s.h
	if nkHangul && s.nk != "" {
		sh = s.nk
	}
	gh := given
	if !nkHangul {
		gh = textnorm.Dueum(given)
	}
	switch x := rng.Float64(); {
	case x < 0.3:
		return sh + gh
	case x < 0.4:
		return textnorm.RomanizeName(sh+gh, textnorm.MR)
	case x < 0.55:
		return textnorm.RomanizeName(sh+gh, textnorm.NK)
	}
	// passport / press spelling: a common surname spelling, given-name
	// syllables in RR or with customary vowels, joined, hyphenated or apart
	sur := s.latin[rng.IntN(len(s.latin))]
	var syl []string
	for _, g := range gh {
		r := textnorm.Romanize(string(g), textnorm.RR)
		if rng.Float64() < 0.5 {
			r = strings.NewReplacer("yeo", "yo", "eo", "o", "eu", "u", "ui", "ee", "ae", "ai").Replace(r)
		}
		syl = append(syl, r)
	}
	var g string
	switch rng.IntN(3) {
	case 0:
		g = strings.Join(syl, "-")
	case 1:
		g = strings.Join(syl, "")
	default:
		g = strings.Join(syl, " ")
	}
	g = capitalizeFirst(g)
	if rng.Float64() < 0.1 {
		g = typo(rng, g)
	}
	switch rng.IntN(4) {
	case 0:
		return strings.ToUpper(sur) + ", " + g
	case 1:
		return g + " " + strings.ToUpper(sur)
	}
	return sur + " " + g
}

func capitalizeFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// typo deletes, doubles or swaps one letter (not the first).
func typo(rng *rand.Rand, s string) string {
	if len(s) < 4 {
		return s
	}
	i := 1 + rng.IntN(len(s)-2)
	switch rng.IntN(3) {
	case 0:
		return s[:i] + s[i+1:]
	case 1:
		return s[:i] + s[i:i+1] + s[i:]
	}
	return s[:i] + s[i+1:i+2] + s[i:i+1] + s[i+2:]
}

func synthDate(rng *rand.Rand, p synthPerson) string {
	switch x := rng.Float64(); {
	case x < 0.1:
		return ""
	case x < 0.3:
		return strconv.Itoa(p.y)
	case x < 0.4:
		return "c. " + strconv.Itoa(p.y+rng.IntN(3)-1)
	case x < 0.45:
		return fmt.Sprintf("%d-%02d", p.y, p.m)
	case x < 0.5:
		return fmt.Sprintf("%d년경", p.y)
	}
	d := p.d
	if rng.Float64() < 0.05 {
		d = 1 + rng.IntN(28) // a wrong day
	}
	return fmt.Sprintf("%d-%02d-%02d", p.y, p.m, d)
}

func TestKoreanSynthetic(t *testing.T) {
	ds, truth := synthKorean(4000, 1)
	fields := []Field{{Column: "name", Kind: Name}, {Column: "birth", Kind: Date},
		{Column: "province", Kind: Category}, {Column: "facility", Kind: Category}}
	res, err := Run(context.Background(), ds, Settings{Fields: fields}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ev := Evaluate(ds, res, truth)
	t.Logf("korean synthetic: %+v rules=%v", ev, res.Stats.Rules)
	if ev.F1 < 0.95 {
		t.Errorf("Korean synthetic F1 = %.4f, want ≥ 0.95", ev.F1)
	}
}
