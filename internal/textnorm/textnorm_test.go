package textnorm

import (
	"math"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Ch'oe Yŏng-hŭi", "choe yonghui"},
		{"  KIM,  Ryong-man ", "kim ryongman"},
		{"Ｋｉｍ　Ｙｏｎｇ", "kim yong"}, // full-width letters and space (NFKC)
		{"José Müller", "jose muller"},
		{"김영희", "김영희"},
		{"\u1100\u1175\u11b7", "김"}, // conjoining jamo compose
		{"O'Brien-Smith", "obriensmith"},
		{"Kwan-li-so No. 15", "kwanliso no 15"},
		{"", ""},
		{"---", ""},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Examples from the Revised Romanization rules (Ministry of Culture and
// Tourism, 2000), section on sound changes.
func TestRomanizeRR(t *testing.T) {
	tests := []struct{ in, want string }{
		{"백마", "baengma"},
		{"신라", "silla"},
		{"종로", "jongno"},
		{"왕십리", "wangsimni"},
		{"별내", "byeollae"},
		{"독립", "dongnip"},
		{"같이", "gachi"},
		{"굳이", "guji"},
		{"좋고", "joko"},
		{"놓다", "nota"},
		{"해돋이", "haedoji"},
		{"학여울", "hangnyeoul"}, // an ㄴ insertion RR writes; we do not insert ㄴ
		{"서울 Seoul", "seoul Seoul"},
	}
	for _, tt := range tests {
		got := Romanize(tt.in, RR)
		if tt.in == "학여울" {
			// ㄴ-insertion needs a dictionary of compounds; check we give
			// the liaison form instead.
			if got != "hagyeoul" {
				t.Errorf("Romanize(%q) = %q, want liaison form hagyeoul", tt.in, got)
			}
			continue
		}
		if got != tt.want {
			t.Errorf("Romanize(%q, RR) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Names as the systems and North Korean media write them.
func TestRomanizeName(t *testing.T) {
	tests := []struct {
		in   string
		sys  System
		want string
	}{
		{"박정희", MR, "Pak Chŏng-hŭi"},
		{"김대중", MR, "Kim Tae-jung"},
		{"김일성", MR, "Kim Il-sŏng"},
		{"김정은", NK, "Kim Jong Un"},
		{"최룡해", NK, "Choe Ryong Hae"},
		{"리설주", NK, "Ri Sol Ju"},
		{"김영희", RR, "Gim Yeonghui"},
		{"한복남", RR, "Han Boknam"}, // RR does not assimilate within given names
		{"남궁민수", RR, "Namgung Minsu"},
	}
	for _, tt := range tests {
		if got := RomanizeName(tt.in, tt.sys); got != tt.want {
			t.Errorf("RomanizeName(%q, %d) = %q, want %q", tt.in, tt.sys, got, tt.want)
		}
	}
}

func TestDecomposeRoundTrip(t *testing.T) {
	for r := rune(hangulBase); r <= hangulLast; r++ {
		j, ok := Decompose(r)
		if !ok || Compose(j) != r {
			t.Fatalf("round trip of %U failed: %+v", r, j)
		}
	}
	if _, ok := Decompose('A'); ok {
		t.Error("Decompose('A') ok")
	}
	j, _ := Decompose('갈')
	if j != (Jamo{L: 0, V: 0, T: 8}) {
		t.Errorf("Decompose(갈) = %+v, want ㄱ ㅏ ㄹ (0,0,8)", j)
	}
}

func TestDueum(t *testing.T) {
	for in, want := range map[string]string{"리": "이", "류": "유", "림": "임", "로": "노", "라": "나", "량": "양", "녀": "여", "룡남": "용남", "김": "김", "Ri": "Ri", "": ""} {
		if got := Dueum(in); got != want {
			t.Errorf("Dueum(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSurnameClass(t *testing.T) {
	groups := [][]string{
		{"Kim", "Gim", "김", "KIM", "Ghim"},
		{"Lee", "Yi", "Rhee", "Ri", "I", "이", "리"},
		{"Park", "Pak", "Bak", "박"},
		{"Choi", "Choe", "Ch'oe", "최"},
		{"Jung", "Jeong", "Chung", "Chong", "Chŏng", "정"},
		{"Ryu", "Yoo", "Yu", "류", "유"},
		{"Lim", "Im", "Rim", "임", "림"},
		{"Namgung", "남궁"},
	}
	var keys []string
	for _, g := range groups {
		k0, known := SurnameClass(g[0])
		if !known {
			t.Errorf("SurnameClass(%q) not known", g[0])
		}
		for _, s := range g[1:] {
			if k, _ := SurnameClass(s); k != k0 {
				t.Errorf("SurnameClass(%q) = %q, want %q as for %q", s, k, k0, g[0])
			}
		}
		for _, other := range keys {
			if other == k0 {
				t.Errorf("class %q of %q shared with another group", k0, g[0])
			}
		}
		keys = append(keys, k0)
	}
	if _, known := SurnameClass("Smith"); known {
		t.Error("Smith is not a Korean surname")
	}
}

func TestParseName(t *testing.T) {
	tests := []struct {
		in   string
		want Name
	}{
		{"KIM, Ryong-man", Name{"kim", "ryongman"}},
		{"Ryong-man KIM", Name{"kim", "ryongman"}},
		{"Kim Young-hee", Name{"kim", "younghee"}},
		{"Young-hee Kim", Name{"kim", "younghee"}},
		{"Kim Yong Hui", Name{"kim", "yong hui"}},
		{"김영희", Name{"김", "영희"}},
		{"남궁민수", Name{"남궁", "민수"}},
		{"John Smith", Name{"smith", "john"}},
		{"michaela", Name{"", "michaela"}},
		{"", Name{}},
	}
	for _, tt := range tests {
		if got := ParseName(tt.in); got != tt.want {
			t.Errorf("ParseName(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestNameKeyVariants(t *testing.T) {
	same := [][]string{
		{"김영희", "Kim Young-hee", "Gim Yeong-hui", "Kim Yong Hui", "KIM, Yong-hui", "Young-hee KIM", "Kim Yŏng-hŭi"},
		{"김룡만", "KIM, Ryong-man", "Kim Yong-man", "Ryong Man Kim", "Ryong-man Kim"},
		{"리설주", "Ri Sol Ju", "Lee Sol-ju", "이설주", "Yi Seol-ju"},
		{"최룡해", "Choe Ryong Hae", "Choi Yong-hae"},
		{"박정희", "Park Chung-hee", "Pak Chŏng-hŭi", "Bak Jeonghui"},
		{"김정은", "Kim Jong Un", "Kim Jong-un", "Gim Jeong-eun", "KIM, Jong-Un"},
		{"태영호", "Thae Yong-ho", "Tae Yeong-ho"},
		{"황장엽", "Hwang Jang-yop", "Hwang Jang-yeop"},
		{"김여정", "Kim Yo Jong", "Kim Yeo-jeong"},
		{"박봉주", "Pak Pong Ju", "Park Bong-ju"},
	}
	var keys []string
	for _, g := range same {
		k0 := NameKey(g[0])
		for _, s := range g[1:] {
			if k := NameKey(s); k != k0 {
				t.Errorf("NameKey(%q) = %q, want %q as for %q", s, k, k0, g[0])
			}
		}
		for _, k := range keys {
			if k == k0 {
				t.Errorf("key %q of %q collides with another person", k0, g[0])
			}
		}
		keys = append(keys, k0)
	}
	if NameKey("Kim Young-sook") == NameKey("Kim Young-hee") {
		t.Error("different given names share a key")
	}
	// A guessed order has the other reading as alternative key.
	if NameKeyAlt("Jeong Suk Moon") != NameKey("문정숙") || NameKey("Jeong Suk Moon") != NameKey("정숙문") {
		t.Errorf("Jeong Suk Moon: key %q alt %q", NameKey("Jeong Suk Moon"), NameKeyAlt("Jeong Suk Moon"))
	}
	if NameKeyAlt("KIM, Ryong-man") != "" || NameKeyAlt("김영희") != "" {
		t.Error("alternative key for a name with a certain order")
	}
}

func TestNameKeysSearch(t *testing.T) {
	has := func(keys []string, k string) bool {
		for _, x := range keys {
			if x == k {
				return true
			}
		}
		return false
	}
	// The query's main key is among the record's keys: a Hangul query
	// finds the romanized record and the other way round.
	pairs := [][2]string{{"김영희", "Kim Young-hee"}, {"Kim Young-hee", "김영희"}, {"Kim", "김영희"}, {"리설주", "Ri Sol Ju"},
		{"Young-hee Kim", "김영희"}, {"정숙문", "Jeong Suk Moon"}, {"문정숙", "Jeong Suk Moon"}}
	for _, p := range pairs {
		rec := NameKeys(p[1])
		if q := NameKeys(p[0]); !has(rec, q[0]) {
			t.Errorf("query %q key %q not among keys %q of %q", p[0], q[0], rec, p[1])
		}
	}
	if len(NameKeys("")) != 0 {
		t.Error("NameKeys of empty name not empty")
	}
}

// Reference values from Winkler (1990) / the usual JW test tables.
func TestJaroWinkler(t *testing.T) {
	tests := []struct {
		a, b string
		want float64
	}{
		{"MARTHA", "MARHTA", 0.9611},
		{"DWAYNE", "DUANE", 0.84},
		{"DIXON", "DICKSONX", 0.8133},
		{"", "", 1},
		{"abc", "", 0},
		// one letter of three differs: Jaro = (2/3+2/3+1)/3, prefix 2.
		{"김영희", "김영호", 0.7778 + 2*0.1*(1-0.7778)},
	}
	for _, tt := range tests {
		got := JaroWinklerString(tt.a, tt.b)
		if math.Abs(got-tt.want) > 0.001 {
			t.Errorf("JaroWinkler(%q, %q) = %.4f, want %.4f", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"kitten", "sitting", 3},
		{"ca", "ac", 1},
		{"김영희", "김희영", 1},
		{"김영희", "김영", 1},
		{"", "abc", 3},
		{"same", "same", 0},
	}
	for _, tt := range tests {
		a, b := []rune(tt.a), []rune(tt.b)
		if got := EditDistance(a, b); got != tt.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := WithinOneEdit(a, b); got != (tt.want <= 1) {
			t.Errorf("WithinOneEdit(%q, %q) = %v", tt.a, tt.b, got)
		}
	}
}

func TestFacilityKey(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"Camp 15", "kwanliso-15"},
		{"Yodok", "kwanliso-15"},
		{"요덕 관리소", "kwanliso-15"},
		{"Kwan-li-so No. 15", "kwanliso-15"},
		{"Yodok political prison camp (Camp 15)", "kwanliso-15"},
		{"요덕 제15호 관리소", "kwanliso-15"},
		{"Kyo-hwa-so No. 1", "kyohwaso-1"},
		{"개천 제1호교화소", "kyohwaso-1"},
		{"Camp 14", "kwanliso-14"},
		{"Kaechon political prison camp", "kwanliso-14"},
		{"농포집결소", "jipkyulso-nongpo"},
		{"Prison No. 4", "kyohwaso-4"},
		{"Kangdong prison", "kyohwaso-4"},
		{"Hoeryong prison", "kwanliso-22"}, // the camp named after Hoeryong, not Jongori in its county
		{"Yodok prison", "kwanliso-15"},
		{"요덕 정치범수용소", "kwanliso-15"},
		{"제15호 관리소", "kwanliso-15"},
		{"Kwalliso No. 16", "kwanliso-16"},
		{"Melbourne", ""},
		{"No. 11", ""},   // kwanliso 11 and kyohwaso 11 both exist
		{"Chongjin", ""}, // Camp 25 and the Nongpo holding centre
		{"Hoeryong", ""}, // Camp 22 and Jongori (Hoeryong-si)
		{"Nongpo holding centre (Chongjin)", "jipkyulso-nongpo"},
		// one facility under its Hangul name, number, MR and RR spellings
		{"전거리 교화소", "kyohwaso-12"},
		{"Camp 12 (Jongori)", "kyohwaso-12"},
		{"Kyohwaso 12", "kyohwaso-12"},
		{"Chongori", "kyohwaso-12"},
		{"Jeongeori", "kyohwaso-12"},
		{"12호 교화소", "kyohwaso-12"},
		{"Camp 12", "kwanliso-12"}, // "Camp N" alone is the kwanliso
		// other names from facility_aliases.csv
		{"Haengyong", "kwanliso-22"},
		{"Myonggan", "kwanliso-16"},
	}
	for _, tt := range tests {
		got, ok := FacilityKey(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("FacilityKey(%q) = %q, %v, want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestProvinceKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"South Pyongan", "south-pyongan"},
		{"Pyongannam-do", "south-pyongan"},
		{"P'yŏngan-namdo", "south-pyongan"},
		{"평남", "south-pyongan"},
		{"평안남도", "south-pyongan"},
		{"North Hamgyong", "north-hamgyong"},
		{"Hamgyeongbuk-do", "north-hamgyong"},
		{"Ryanggang", "ryanggang"},
		{"양강도", "ryanggang"},
		{"Pyongyang", "pyongyang"},
		{"Pyongan", ""}, // north or south?
		{"Texas", ""},
	}
	for _, tt := range tests {
		got, ok := ProvinceKey(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("ProvinceKey(%q) = %q, %v, want %q", tt.in, got, ok, tt.want)
		}
	}
	if CategoryKey("Camp 15") != CategoryKey("요덕 관리소") || CategoryKey("평남") != CategoryKey("South Pyongan") {
		t.Error("CategoryKey does not join variants")
	}
	for in, want := range map[string]string{"kyohwaso": "kyohwaso", "suspected political prison camp": "kwanliso", "Camp 15": "kwanliso-15",
		"Ch'oma-bong": "kwanliso-choma-bong", "Chongjin": "~jipkyulso-nongpo|kwanliso-25"} {
		if got := CategoryKey(in); got != want {
			t.Errorf("CategoryKey(%q) = %q, want %q", in, got, want)
		}
	}
	if CategoryKey(" VIC ") != "vic" {
		t.Errorf("CategoryKey(VIC) = %q, want folded vic", CategoryKey(" VIC "))
	}
}

func TestPlaceKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"N. Hamgyong", "north-hamgyong"},
		{"Hamgyongbuk-do", "north-hamgyong"},
		{"함경북도", "north-hamgyong"},
		{"함북", "north-hamgyong"},
		{"North Hamgyong", "north-hamgyong"},
		{"Hamkyung-pukto", "north-hamgyong"},
		{"Hamgyŏng-pukto", "north-hamgyong"},
		{"Hamgyong North", "north-hamgyong"},
		{"North Hamgyong Province", "north-hamgyong"},
		{"Yanggang-do", "ryanggang"},
		{"량강도", "ryanggang"},
		{"P'yŏngyang-si", "pyongyang"},
		{"평양시", "pyongyang"},
		{"Pyeongannam-do", "south-pyongan"},
		{"Hoeryong", "north-hamgyong/hoeryong"},
		{"회령시", "north-hamgyong/hoeryong"},
		{"Hoeryong, North Hamgyong", "north-hamgyong/hoeryong"},
		{"함경북도 회령시", "north-hamgyong/hoeryong"},
		{"Hoeryong City, N. Hamgyong Province", "north-hamgyong/hoeryong"},
		{"Musan-gun", "north-hamgyong/musan"},
		{"Ch'ŏngjin", "north-hamgyong/chongjin"},
		{"Songnim", "north-hwanghae/songrim"},
		{"Whanghae-pukto", "north-hwanghae"},
		// old names
		{"Rajin-Sonbong", "rason"},
		{"나선", "rason"},
		{"Chinnampo", "nampo"},
		{"Songjin", "north-hamgyong/kimchaek"},
		{"Sinpa", "ryanggang/kimjongsuk"},
		{"Nyongbyon", "north-pyongan/yongbyon"},
		{"Yongbyon", "north-pyongan/yongbyon"},
		// not a place, or two that cannot both hold
		{"Hyesan, North Hamgyong", ""},
		{"Pyongan", ""},
		{"Hamgyong", ""},
		{"London", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, ok := PlaceKey(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("PlaceKey(%q) = %q, %v, want %q", tt.in, got, ok, tt.want)
		}
	}
	if got := PlaceAreas("rason"); !slices.Equal(got, []string{"rason", "north-hamgyong"}) {
		t.Errorf("PlaceAreas(rason) = %q", got)
	}
	if got := PlaceAreas("north-hamgyong/hoeryong"); !slices.Equal(got, []string{"north-hamgyong/hoeryong", "north-hamgyong"}) {
		t.Errorf("PlaceAreas(hoeryong) = %q", got)
	}
	if PlaceAreas("atlantis") != nil {
		t.Error("PlaceAreas of an unknown id")
	}
	// Every name in the gazetteer reaches its own place: no two places
	// share a key.
	for k, i := range loadPlaces().byKey {
		if i < 0 {
			t.Errorf("two places share the key %q", k)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"김영희", "Kim Young-hee", "KIM, Ryong-man", "Ch'oe Yŏng-hŭi", "ǅ", "ﬁ", "\u1100\u1161", "y", "ay", "ㄱ", "a,b,c", "Ｋｉｍ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		fs := Fold(s)
		if !utf8.ValidString(fs) {
			t.Fatalf("Fold(%q) = %q not valid UTF-8", s, fs)
		}
		if IsASCII(s) && foldUnicode(s) != fs {
			t.Fatalf("ASCII fast path: Fold(%q) = %q, Unicode path %q", s, fs, foldUnicode(s))
		}
		if Fold(fs) != fs {
			t.Fatalf("Fold not idempotent: %q → %q → %q", s, fs, Fold(fs))
		}
		if strings.HasPrefix(fs, " ") || strings.HasSuffix(fs, " ") || strings.Contains(fs, "  ") {
			t.Fatalf("Fold(%q) = %q has stray spaces", s, fs)
		}
		for _, r := range Romanize(s, RR) {
			if isHangulSyllable(r) {
				t.Fatalf("Romanize(%q) kept Hangul", s)
			}
		}
		sk := Skeleton(s)
		if !IsASCII(sk) {
			t.Fatalf("Skeleton(%q) = %q not ASCII", s, sk)
		}
		in := AnalyzeName(s)
		if in.Key != NameKey(s) || in.AltKey != NameKeyAlt(s) || in.Norm != NormalizeName(s) {
			t.Fatalf("AnalyzeName(%q) = %+v disagrees with NameKey %q, NameKeyAlt %q, NormalizeName %q", s, in, NameKey(s), NameKeyAlt(s), NormalizeName(s))
		}
		_ = NameKeys(s)
		_ = NormalizeName(s)
		_, _ = FacilityKey(s)
		_, _ = ProvinceKey(s)
		_, _ = PlaceKey(s)
	})
}

func FuzzCompare(f *testing.F) {
	f.Add("martha", "marhta")
	f.Add("김영희", "김희영")
	f.Add("", "x")
	f.Fuzz(func(t *testing.T, a, b string) {
		if !utf8.ValidString(a) || !utf8.ValidString(b) {
			return // invalid bytes all become U+FFFD
		}
		ra, rb := []rune(a), []rune(b)
		if len(ra) > 200 || len(rb) > 200 {
			return
		}
		j := JaroWinkler(ra, rb)
		if j < 0 || j > 1.0000001 || math.IsNaN(j) {
			t.Fatalf("JaroWinkler(%q, %q) = %v", a, b, j)
		}
		for _, floor := range []float64{0.8, 0.92} {
			jf := JaroWinklerFloor(ra, rb, floor)
			if (j >= floor) != (jf >= floor) || (j >= floor && jf != j) {
				t.Fatalf("JaroWinklerFloor(%q, %q, %v) = %v, JaroWinkler %v", a, b, floor, jf, j)
			}
		}
		if d1, d2 := Jaro(ra, rb), Jaro(rb, ra); math.Abs(d1-d2) > 1e-12 {
			t.Fatalf("Jaro not symmetric: %v %v", d1, d2)
		}
		if WithinOneEdit(ra, rb) != (EditDistance(ra, rb) <= 1) {
			t.Fatalf("WithinOneEdit(%q, %q) disagrees with EditDistance %d", a, b, EditDistance(ra, rb))
		}
		if (a == b) != (JaroWinkler(ra, rb) == 1 && len(ra) == len(rb) && EditDistance(ra, rb) == 0) {
			t.Fatalf("identity check failed for %q %q", a, b)
		}
	})
}

func TestSkeleton(t *testing.T) {
	for _, s := range []string{"Young-hee", "Yeong-hui", "Yong Hui", "영희", "YOUNGHEE"} {
		if got := Skeleton(s); got != "yoghi" {
			t.Errorf("Skeleton(%q) = %q, want yoghi", s, got)
		}
	}
	if Skeleton("Yeon-hee") == Skeleton("Yeong-hee") {
		t.Error("연 and 영 should differ")
	}
	if Skeleton("Whang") != Skeleton("Hwang") || Skeleton("Whanghae") != Skeleton("황해") {
		t.Error("the older spelling wh should meet hw")
	}
}
