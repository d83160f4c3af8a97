package synth

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rollcall-project/rollcall/internal/textnorm"
)

//go:embed data/korean_surnames.csv
var surnamesCSV []byte

// surname is one Korean surname with how often it occurs and how people
// spell it in Latin letters.
type surname struct {
	hangul string
	rr, mr string
	weight float64
	// spellings people chose (passport sample), with counts as weights.
	spellings []string
	spellW    []float64
}

// names holds the inventories names are built from.
type names struct {
	surnames []surname
	cum      []float64 // cumulative weights of surnames
}

func loadNames() (*names, error) {
	rows, err := csv.NewReader(bytes.NewReader(surnamesCSV)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("synth: surnames: %w", err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	counts := func(s string) (names []string, w []float64, total float64) {
		for _, part := range strings.Split(s, ";") {
			n, c, ok := strings.Cut(part, ":")
			if !ok {
				continue
			}
			v, err := strconv.ParseFloat(c, 64)
			if err != nil || v <= 0 {
				continue
			}
			names = append(names, n)
			w = append(w, v)
			total += v
		}
		return
	}
	var out []surname
	var ratios []float64
	snu := make([]float64, 0, len(rows))
	for _, r := range rows[1:] {
		s := surname{hangul: r[col["hangul"]], rr: r[col["rr"]], mr: r[col["mr"]]}
		s.weight, _ = strconv.ParseFloat(r[col["passport_2011_total"]], 64)
		s.spellings, s.spellW, _ = counts(r[col["passport_1999_sample"]])
		if len(s.spellings) == 0 {
			s.spellings, s.spellW = []string{s.rr}, []float64{1}
		}
		_, _, st := counts(r[col["snu_students_2011"]])
		snu = append(snu, st)
		if s.weight > 0 && st > 0 {
			ratios = append(ratios, s.weight/st)
		}
		out = append(out, s)
	}
	// Where the passport count is missing (the three commonest surnames),
	// scale the student count by the median ratio of the others.
	slices.Sort(ratios)
	median := ratios[len(ratios)/2]
	n := &names{surnames: out}
	total := 0.0
	for i := range out {
		if out[i].weight <= 0 {
			out[i].weight = snu[i] * median
		}
		if out[i].weight <= 0 {
			out[i].weight = 1
		}
		total += out[i].weight
		n.cum = append(n.cum, total)
	}
	return n, nil
}

func (n *names) pickSurname(r *rand.Rand) *surname {
	x := r.Float64() * n.cum[len(n.cum)-1]
	i, _ := slices.BinarySearch(n.cum, x)
	return &n.surnames[min(i, len(n.surnames)-1)]
}

// Given-name syllables, first and second, by sex: common North Korean
// names (영철, 명철, 광혁, 춘희, 옥순, 금련).
var givenSyllables = map[string][2][]string{
	"m": {
		{"영", "명", "성", "광", "철", "정", "진", "용", "문", "학", "경", "상", "동", "기", "남", "일", "국", "창", "혁", "룡"},
		{"철", "호", "수", "남", "일", "준", "혁", "민", "석", "훈", "길", "룡", "국", "진", "식", "만", "범", "근", "성", "환"},
	},
	"f": {
		{"영", "순", "옥", "금", "춘", "명", "정", "은", "미", "경", "선", "혜", "향", "련", "성", "복", "현", "설", "화", "애"},
		{"희", "순", "옥", "숙", "화", "실", "미", "향", "련", "애", "자", "정", "심", "금", "선", "경", "란", "주", "영", "니"},
	},
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func pickWeighted(r *rand.Rand, w []float64) int {
	total := 0.0
	for _, x := range w {
		total += x
	}
	x := r.Float64() * total
	for i, v := range w {
		if x < v {
			return i
		}
		x -= v
	}
	return len(w) - 1
}

// northSurname gives the North Korean spelling of a surname that South
// Korea writes with the initial sound law (이 → 리, 임 → 림, 노 → 로).
var northSurname = map[string]string{
	"이": "리", "임": "림", "유": "류", "노": "로", "나": "라", "양": "량", "여": "려", "염": "렴", "육": "륙", "용": "룡",
}

// northRomanSurname is how North Korean English-language media spell them.
var northRomanSurname = map[string]string{
	"리": "Ri", "림": "Rim", "류": "Ryu", "로": "Ro", "라": "Ra", "량": "Ryang", "려": "Ryo", "렴": "Ryom", "륙": "Ryuk", "룡": "Ryong",
}

// stripDiacritics turns McCune–Reischauer into the plain form many lists
// use: ŏ → o, ŭ → u, apostrophes dropped.
func stripDiacritics(s string) string {
	return strings.NewReplacer("ŏ", "o", "Ŏ", "O", "ŭ", "u", "Ŭ", "U", "'", "", "’", "").Replace(s)
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// romanSyllables romanizes each syllable of a given name on its own, the
// way names are romanized (no sound changes across the syllables).
func romanSyllables(given string, sys textnorm.System) []string {
	var out []string
	for _, r := range given {
		out = append(out, textnorm.Romanize(string(r), sys))
	}
	return out
}

// givenMR is the McCune–Reischauer given name with its voicing between
// syllables, as textnorm writes a full name ("Yŏng-hŭi").
func givenMR(full string, sys textnorm.System) string {
	s := textnorm.RomanizeName(full, sys)
	if _, g, ok := strings.Cut(s, " "); ok {
		return g
	}
	return s
}

// typo makes one plausible keying error in s: a letter dropped, doubled,
// swapped with its neighbour, or a vowel confused; in Hangul a syllable's
// vowel or final consonant changed.
func typo(r *rand.Rand, s string) string {
	rs := []rune(s)
	if len(rs) < 3 {
		return s
	}
	if textnorm.HasHangul(s) {
		idx := []int{}
		for i, c := range rs {
			if _, ok := textnorm.Decompose(c); ok && i > 0 {
				idx = append(idx, i)
			}
		}
		if len(idx) == 0 {
			return s
		}
		i := pick(r, idx)
		j, _ := textnorm.Decompose(rs[i])
		if r.IntN(2) == 0 {
			// neighbouring vowels: ㅓ/ㅗ, ㅕ/ㅛ, ㅐ/ㅔ, ...
			swap := map[int]int{4: 8, 8: 4, 6: 12, 12: 6, 1: 5, 5: 1, 13: 18, 18: 13, 0: 4, 20: 18}
			if v, ok := swap[j.V]; ok {
				j.V = v
			} else {
				j.V = (j.V + 1) % 21
			}
		} else {
			// final consonant dropped, added, or ㄴ/ㅇ confused
			switch j.T {
			case 0:
				j.T = 4
			case 4:
				j.T = 21
			case 21:
				j.T = 4
			default:
				j.T = 0
			}
		}
		rs[i] = textnorm.Compose(j)
		return string(rs)
	}
	// Only touch letters, never the first one (people get initials right).
	var letters []int
	for i, c := range rs {
		if i > 0 && unicode.IsLetter(c) && unicode.IsLetter(rs[i-1]) {
			letters = append(letters, i)
		}
	}
	if len(letters) == 0 {
		return s
	}
	i := pick(r, letters)
	switch r.IntN(4) {
	case 0: // drop
		return string(append(rs[:i:i], rs[i+1:]...))
	case 1: // double
		return string(append(append(rs[:i+1:i+1], rs[i]), rs[i+1:]...))
	case 2: // swap with the previous letter, unless that is the initial
		if i == 1 {
			return string(append(append(rs[:i+1:i+1], rs[i]), rs[i+1:]...))
		}
		rs[i], rs[i-1] = rs[i-1], rs[i]
		return string(rs)
	default: // vowel confusion
		conf := map[rune]rune{'o': 'u', 'u': 'o', 'e': 'a', 'a': 'e', 'i': 'e', 'y': 'i'}
		if c, ok := conf[unicode.ToLower(rs[i])]; ok {
			rs[i] = c
			return string(rs)
		}
		return string(append(rs[:i:i], rs[i+1:]...))
	}
}
