package synth

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/textnorm"
)

func generate(t *testing.T, opts Options) *Dataset {
	t.Helper()
	ds, err := Generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func csvBytes(t *testing.T, ds *Dataset) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, w := range []func(*bytes.Buffer) error{
		func(b *bytes.Buffer) error { return ds.WriteSources(b) },
		func(b *bytes.Buffer) error { return ds.WriteRecords(b) },
		func(b *bytes.Buffer) error { return ds.WriteEvents(b) },
		func(b *bytes.Buffer) error { return ds.WriteTruth(b) },
	} {
		if err := w(&b); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

func TestDeterministic(t *testing.T) {
	a := csvBytes(t, generate(t, Options{Persons: 500, Seed: 7}))
	b := csvBytes(t, generate(t, Options{Persons: 500, Seed: 7}))
	if !bytes.Equal(a, b) {
		t.Fatal("the same seed gave different data")
	}
	c := csvBytes(t, generate(t, Options{Persons: 500, Seed: 8}))
	if bytes.Equal(a, c) {
		t.Fatal("different seeds gave the same data")
	}
}

func TestDataset(t *testing.T) {
	ds := generate(t, Options{Persons: 3000, Seed: 1})
	if len(ds.Sources) != 5 {
		t.Fatalf("%d sources, want 5", len(ds.Sources))
	}
	for _, s := range ds.Sources {
		if !s.Fictional {
			t.Errorf("source %s not marked fictional", s.Key)
		}
	}
	if len(ds.Truth) != len(ds.Records) {
		t.Fatalf("truth has %d entries for %d records", len(ds.Truth), len(ds.Records))
	}
	perPerson := map[PersonID]map[string]int{}
	perSource := map[string]int{}
	for _, r := range ds.Records {
		if !r.Fictional {
			t.Fatalf("record %s/%s not fictional", r.Source, r.Key)
		}
		if r.PersonID != nil {
			t.Fatalf("record %s/%s carries its true person id", r.Source, r.Key)
		}
		id, ok := ds.Truth[RecordKey{r.Source, r.Key}]
		if !ok || id < 1 || int(id) > len(ds.Persons) {
			t.Fatalf("record %s/%s has no valid truth", r.Source, r.Key)
		}
		if perPerson[id] == nil {
			perPerson[id] = map[string]int{}
		}
		perPerson[id][r.Source]++
		perSource[r.Source]++
		if r.Name == "" {
			t.Errorf("record %s/%s has no name", r.Source, r.Key)
		}
	}
	// Realistic overlap: some people in one list, some in several, many in
	// none; and a few listed twice by the same source.
	var one, several, dups int
	for _, m := range perPerson {
		if len(m) == 1 {
			one++
		} else {
			several++
		}
		for _, n := range m {
			if n > 1 {
				dups++
			}
		}
	}
	unseen := len(ds.Persons) - len(perPerson)
	t.Logf("persons %d: unseen %d, in one list %d, in several %d; within-list duplicates %d; per source %v",
		len(ds.Persons), unseen, one, several, dups, perSource)
	if unseen == 0 || one == 0 || several == 0 || dups == 0 {
		t.Errorf("want unseen, single-list, multi-list persons and duplicates: %d %d %d %d", unseen, one, several, dups)
	}
	// Each source speaks its own way.
	checks := map[string]func(string) bool{
		"syn-testimony": textnorm.HasHangul,
		"syn-ngo":       textnorm.IsASCII,
		"syn-state":     regexp.MustCompile(`^[A-Z][a-z]+( [A-Z][a-z]+)+$`).MatchString,
		"syn-press":     regexp.MustCompile(`^[A-Z]+, `).MatchString,
	}
	for src, ok := range checks {
		bad := 0
		for _, r := range ds.Records {
			if r.Source == src && !ok(r.Name) {
				bad++
			}
		}
		// typos may break a pattern in a few records
		if bad > perSource[src]/10 {
			t.Errorf("%s: %d of %d names not in the source's style", src, bad, perSource[src])
		}
	}
	var diacritics, facVariants int
	facTexts := map[string]bool{}
	for _, r := range ds.Records {
		if r.Source == "syn-un" && strings.ContainsAny(r.Name, "ŏŭ") {
			diacritics++
		}
		facTexts[r.FacilityText] = true
	}
	for _, v := range []string{"Camp 15", "Yodok", "요덕 관리소", "Kwan-li-so No. 15"} {
		if facTexts[v] {
			facVariants++
		}
	}
	if diacritics == 0 || facVariants < 3 {
		t.Errorf("want McCune–Reischauer with diacritics and facility name variants: %d, %d", diacritics, facVariants)
	}
	// Birth dates at every precision, approximate ones among them.
	precs := map[rollcall.Precision]int{}
	about := 0
	for _, r := range ds.Records {
		precs[r.BirthDate.Precision()]++
		if r.BirthDate.Qualifier() == rollcall.QualAbout {
			about++
		}
	}
	if len(precs) != 4 || about == 0 {
		t.Errorf("birth date precisions %v, about %d", precs, about)
	}
	// The 2015 amnesty released some; everyone with events has a record.
	amnesty := 0
	for _, p := range ds.Persons {
		if p.Amnesty {
			amnesty++
			if p.Released.Year() != 2015 {
				t.Errorf("person %d amnestied in %d", p.ID, p.Released.Year())
			}
		}
	}
	if amnesty == 0 {
		t.Error("nobody released in the 2015 amnesty")
	}
	recs := map[RecordKey]bool{}
	for _, r := range ds.Records {
		recs[RecordKey{r.Source, r.Key}] = true
	}
	types := map[string]int{}
	for _, e := range ds.Events {
		types[e.Type]++
		if !recs[RecordKey{e.Source, e.Record}] || !e.Fictional || e.Key == "" {
			t.Fatalf("event %+v: unknown record or not fictional", e)
		}
	}
	for _, typ := range []string{"arrest", "sentence", "detention", "transfer", "release", "amnesty_release", "death_in_custody"} {
		if types[typ] == 0 {
			t.Errorf("no %s events (%v)", typ, types)
		}
	}
}

func TestMoreSources(t *testing.T) {
	ds := generate(t, Options{Persons: 300, Seed: 3, Sources: 8})
	keys := map[string]bool{}
	for _, s := range ds.Sources {
		if keys[s.Key] {
			t.Errorf("duplicate source key %s", s.Key)
		}
		keys[s.Key] = true
	}
	if len(keys) != 8 {
		t.Errorf("%d sources, want 8", len(keys))
	}
	ds = generate(t, Options{Persons: 300, Seed: 3, Sources: 2})
	if len(ds.Sources) != 2 {
		t.Errorf("%d sources, want 2", len(ds.Sources))
	}
}

func TestTypo(t *testing.T) {
	for _, s := range []string{"Kim Yong-hui", "김영희", "Pak Chŏng-hŭi"} {
		changed := 0
		for i := range 50 {
			r := newRand(uint64(i))
			got := typo(r, s)
			if got != s {
				changed++
			}
			if []rune(got)[0] != []rune(s)[0] {
				t.Errorf("typo(%q) = %q changed the initial", s, got)
			}
			if d := textnorm.EditDistance([]rune(got), []rune(s)); d > 2 {
				t.Errorf("typo(%q) = %q is %d edits away", s, got, d)
			}
		}
		if changed < 40 {
			t.Errorf("typo(%q) changed it only %d of 50 times", s, changed)
		}
	}
}

// TestLatentClasses checks that the visibility classes make reporting
// heterogeneous, as designed: well-known people are reported by more
// sources than hardly-known ones, and the UN list depends on the NGO list.
func TestLatentClasses(t *testing.T) {
	ds := generate(t, Options{Persons: 6000, Seed: 11})
	lists := map[PersonID]map[string]bool{}
	for k, id := range ds.Truth {
		if lists[id] == nil {
			lists[id] = map[string]bool{}
		}
		lists[id][k.Source] = true
	}
	seen := [3]float64{}
	size := [3]float64{}
	for _, p := range ds.Persons {
		size[p.Class]++
		if len(lists[p.ID]) > 0 {
			seen[p.Class]++
		}
	}
	rate := [3]float64{}
	for c := range rate {
		rate[c] = seen[c] / size[c]
	}
	t.Logf("share reported by at least one source, by class: %.2f %.2f %.2f", rate[0], rate[1], rate[2])
	if !(rate[0] > rate[1] && rate[1] > 2*rate[2]) {
		t.Errorf("reporting rates by class %v are not heterogeneous as designed", rate)
	}
	// P(UN | NGO) > P(UN | not NGO) within the middle class.
	var unNGO, ngo, unNot, not float64
	for _, p := range ds.Persons {
		if p.Class != 1 || p.Arrest.Year() > 2022 {
			continue
		}
		l := lists[p.ID]
		if l["syn-ngo"] {
			ngo++
			if l["syn-un"] {
				unNGO++
			}
		} else {
			not++
			if l["syn-un"] {
				unNot++
			}
		}
	}
	if unNGO/ngo <= 1.2*unNot/not {
		t.Errorf("P(UN|NGO) = %.2f, P(UN|not NGO) = %.2f: no list dependence", unNGO/ngo, unNot/not)
	}
}

// TestLifeCoursesConsistent checks every person's dates are in order and
// within the facility's known operating years.
func TestLifeCoursesConsistent(t *testing.T) {
	ds := generate(t, Options{Persons: 5000, Seed: 21})
	for _, p := range ds.Persons {
		steps := []time.Time{p.Birth, p.Arrest, p.Detained}
		if !p.Transfer.IsZero() {
			steps = append(steps, p.Transfer)
		}
		if !p.Released.IsZero() {
			steps = append(steps, p.Released)
		}
		if !p.Died.IsZero() {
			steps = append(steps, p.Died)
		}
		for i := 1; i < len(steps); i++ {
			if steps[i].Before(steps[i-1]) {
				t.Fatalf("person %d: dates out of order: %v", p.ID, steps)
			}
		}
		if !p.Released.IsZero() && !p.Died.IsZero() {
			t.Fatalf("person %d both released and dead", p.ID)
		}
		if last := steps[len(steps)-1]; last.After(horizon) {
			t.Fatalf("person %d: %v after the horizon", p.ID, last)
		}
		if age := p.Arrest.Year() - p.Birth.Year(); age < 18 || age > 66 {
			t.Fatalf("person %d arrested at %d", p.ID, age)
		}
		f := p.Facility
		if cy := closedYear(f); cy != 0 && !p.Died.IsZero() && p.Died.Year() > cy {
			t.Fatalf("person %d died in %s in %d, after it closed in %d", p.ID, f.Key, p.Died.Year(), cy)
		}
		if p.Amnesty && (p.Released.Before(amnestyDate) || p.SentenceYears == nil) {
			t.Fatalf("person %d: amnesty release %v without a sentence running on 2015-08-01", p.ID, p.Released)
		}
	}
}

// Hard renders the same persons the hard way: fewer records, every name
// order and spelling, province and facility aliases; it is repeatable and
// still fictional, and the default rendering does not change with it.
func TestHard(t *testing.T) {
	easy := generate(t, Options{Persons: 3000, Seed: 5})
	hard := generate(t, Options{Persons: 3000, Seed: 5, Hard: true})
	if !bytes.Equal(csvBytes(t, hard), csvBytes(t, generate(t, Options{Persons: 3000, Seed: 5, Hard: true}))) {
		t.Fatal("the same seed gave different hard data")
	}
	if !bytes.Equal(csvBytes(t, easy), csvBytes(t, generate(t, Options{Persons: 3000, Seed: 5}))) {
		t.Fatal("the default rendering is not repeatable")
	}
	if r := float64(len(hard.Records)) / float64(len(easy.Records)); r < 0.5 || r > 0.75 {
		t.Errorf("hard lists hold %d records, the default %d: want about 60%%", len(hard.Records), len(easy.Records))
	}
	westernRE := regexp.MustCompile(`^[A-Z][a-z].* [A-Z]+$`)
	var comma, westernCaps, hangulProvince, shortOrCity, numberedCamp int
	for _, r := range hard.Records {
		if !r.Fictional {
			t.Fatalf("record %s/%s not fictional", r.Source, r.Key)
		}
		switch {
		case strings.Contains(r.Name, ","):
			comma++
		case westernRE.MatchString(r.Name):
			westernCaps++
		}
		if textnorm.HasHangul(r.Province) {
			hangulProvince++
		}
		if strings.HasPrefix(r.Province, "n. ") || strings.HasPrefix(r.Province, "s. ") || strings.Contains(r.Province, ",") {
			shortOrCity++
		}
		if strings.HasPrefix(r.FacilityText, "Camp ") && strings.Contains(r.FacilityText, "(") {
			numberedCamp++
		}
	}
	for what, n := range map[string]int{"SURNAME, Given": comma, "Given SURNAME": westernCaps, "Hangul province": hangulProvince,
		"abbreviated province or city": shortOrCity, "Camp N (Place)": numberedCamp} {
		if n < 10 {
			t.Errorf("%d records with %s", n, what)
		}
	}
	// homonyms: popular given names make namesakes common
	names := map[string]int{}
	for _, p := range hard.Persons {
		names[p.Hangul]++
	}
	shared := 0
	for _, n := range names {
		if n > 1 {
			shared += n
		}
	}
	if shared < len(hard.Persons)/20 {
		t.Errorf("%d of %d persons share their name with another", shared, len(hard.Persons))
	}
}
