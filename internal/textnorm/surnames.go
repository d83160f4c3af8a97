package textnorm

import (
	"bytes"
	"embed"
	"encoding/csv"
	"fmt"
	"strings"
	"sync"
)

// The surname tables come from hosoodev/NameEng (MIT licence), via
// the project's shared linkage reference data; see data/SOURCES.md.
//
//go:embed data/korean_surnames.csv data/korean_surnames_initial_r_forms.csv
var dataFS embed.FS

// surnameTable maps spellings to surname classes.
type surnameTable struct {
	// byLatin maps a folded Latin spelling to its class key.
	byLatin map[string]string
	// byHangul maps a Hangul surname (after Dueum) to its class key.
	byHangul map[string]string
	// twoSyllable lists Hangul surnames of two syllables (남궁, 황보).
	twoSyllable map[string]bool
	// common holds the usual spellings (system forms, the variants listed by
	// Wikipedia, the first observed ones): only these decide name order, so
	// a rare observed spelling such as "John" does not make John Smith a
	// Korean surname-first name.
	common map[string]int // spelling → rank of its surname (0 = commonest)
	// spellings maps a Hangul surname (after Dueum) to its usual Latin
	// spellings (the system forms, the Wikipedia variants, the commonest
	// observed ones), folded.
	spellings map[string]map[string]bool
}

var (
	surnamesOnce sync.Once
	surnames     *surnameTable
	surnamesErr  error
)

func loadSurnames() (*surnameTable, error) {
	surnamesOnce.Do(func() { surnames, surnamesErr = parseSurnames() })
	return surnames, surnamesErr
}

func mustSurnames() *surnameTable {
	t, err := loadSurnames()
	if err != nil {
		// The table is embedded: failing to parse it is a build defect.
		panic(err)
	}
	return t
}

func parseSurnames() (*surnameTable, error) {
	raw, err := dataFS.ReadFile("data/korean_surnames.csv")
	if err != nil {
		return nil, err
	}
	rows, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("korean_surnames.csv: %w", err)
	}
	t := &surnameTable{byLatin: map[string]string{}, byHangul: map[string]string{}, twoSyllable: map[string]bool{}, common: map[string]int{},
		spellings: map[string]map[string]bool{}}
	// A spelling seen for several surnames goes to the one where it ranks
	// best (earliest in the observed list), then to the commoner surname.
	type claim struct{ pos, rank int }
	best := map[string]claim{}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for rank, row := range rows[1:] {
		h := strings.TrimSpace(row[col["hangul"]])
		hd := Dueum(h)
		key := classKeyOfHangul(hd)
		t.byHangul[hd] = key
		if len([]rune(h)) == 2 {
			t.twoSyllable[h] = true
		}
		add := func(sp string, pos int) {
			f := strings.ReplaceAll(Fold(sp), " ", "")
			if f == "" {
				return
			}
			c, seen := best[f]
			if seen && (c.pos < pos || (c.pos == pos && c.rank <= rank)) {
				return
			}
			best[f] = claim{pos, rank}
			t.byLatin[f] = key
		}
		if t.spellings[hd] == nil {
			t.spellings[hd] = map[string]bool{}
		}
		addCommon := func(sp string) {
			if f := strings.ReplaceAll(Fold(sp), " ", ""); f != "" {
				if r, ok := t.common[f]; !ok || rank < r {
					t.common[f] = rank
				}
				t.spellings[hd][f] = true
			}
		}
		addCommon(row[col["rr"]])
		addCommon(row[col["mr"]])
		for _, sp := range strings.Split(row[col["variants_wikipedia_style"]], ";") {
			addCommon(sp)
		}
		for i, sp := range strings.Split(row[col["observed_spellings_ranked"]], ";") {
			if i < 4 {
				addCommon(sp)
			}
		}
		add(row[col["rr"]], 0)
		add(row[col["mr"]], 0)
		for i, sp := range strings.Split(row[col["variants_wikipedia_style"]], ";") {
			add(sp, i)
		}
		for i, sp := range strings.Split(row[col["observed_spellings_ranked"]], ";") {
			add(sp, i)
		}
	}
	raw, err = dataFS.ReadFile("data/korean_surnames_initial_r_forms.csv")
	if err != nil {
		return nil, err
	}
	rows, err = csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("korean_surnames_initial_r_forms.csv: %w", err)
	}
	for _, row := range rows[1:] {
		hd := Dueum(strings.TrimSpace(row[0]))
		key := classKeyOfHangul(hd)
		t.byHangul[hd] = key
		if t.spellings[hd] == nil {
			t.spellings[hd] = map[string]bool{}
		}
		for _, sp := range strings.Split(row[1], ";") {
			f := strings.ReplaceAll(Fold(sp), " ", "")
			if f != "" {
				t.spellings[hd][f] = true
			}
			if _, ok := t.common[f]; !ok && f != "" {
				t.common[f] = len(rows)
			}
			if _, ok := t.byLatin[f]; !ok && f != "" {
				t.byLatin[f] = key
			}
		}
	}
	return t, nil
}

// classKeyOfHangul is the class key of a (Dueum-normalized) Hangul surname:
// the phonetic skeleton of its RR form, so that an unknown Latin spelling
// that sounds the same still meets it.
func classKeyOfHangul(h string) string {
	return Skeleton(romanizeHangulPart(h, RR, false, true))
}

// SurnameClass returns the variant-class key of a surname written in Hangul
// or Latin letters (김, Kim, Gim and Ghim give the same key; 리, 이, Lee, Yi,
// Rhee and Ri give the same key) and whether the surname is a known Korean
// one. Unknown surnames get their phonetic Skeleton.
func SurnameClass(s string) (key string, known bool) {
	t := mustSurnames()
	if HasHangul(s) {
		h := Dueum(strings.ReplaceAll(Fold(s), " ", ""))
		if k, ok := t.byHangul[h]; ok {
			return k, true
		}
		return classKeyOfHangul(h), false
	}
	f := strings.ReplaceAll(Fold(s), " ", "")
	if k, ok := t.byLatin[f]; ok {
		return k, true
	}
	return Skeleton(f), false
}

// SurnamesCompatible reports whether two surnames, each in Hangul or
// Latin letters (as ParseName gives them), may be one surname: two Hangul
// surnames must be the same (이 = 리); a Latin spelling must be a usual
// spelling of a Hangul surname (Cho for 조 or 추, not for 주), unless it is
// no known spelling at all (a typo), when it must sound the same; two
// Latin spellings must fall in one variant class or be a typo apart.
func SurnamesCompatible(a, b string) bool {
	ha, hb := HasHangul(a), HasHangul(b)
	t := mustSurnames()
	switch {
	case ha && hb:
		return Dueum(a) == Dueum(b)
	case ha != hb:
		h, l := a, b
		if hb {
			h, l = b, a
		}
		h = Dueum(h)
		if sp := t.spellings[h]; sp != nil {
			if sp[l] {
				return true
			}
			if _, known := t.common[l]; known {
				return false // the usual spelling of other surnames
			}
		}
		k, _ := SurnameClass(l)
		return classKeyOfHangul(h) == k || similarKeys(classKeyOfHangul(h), k)
	}
	ka, _ := SurnameClass(a)
	kb, _ := SurnameClass(b)
	return ka == kb || similarKeys(ka, kb)
}

// similarKeys reports surname keys a typo apart.
func similarKeys(a, b string) bool {
	return a != "" && b != "" && JaroWinklerFloor([]rune(a), []rune(b), 0.8) >= 0.8
}

// isRareSurname reports a Latin token that is only a rarely observed
// spelling of a Korean surname (Kiim, Ghim).
func isRareSurname(tok string) bool {
	_, ok := mustSurnames().byLatin[tok]
	return ok
}

// surnameRank returns the frequency rank of a folded token read as a
// common Korean surname spelling (0 is Kim), and whether it is one.
func surnameRank(tok string) (int, bool) {
	t := mustSurnames()
	if HasHangul(tok) {
		_, ok := t.byHangul[Dueum(tok)]
		return 0, ok
	}
	r, ok := t.common[tok]
	return r, ok
}
