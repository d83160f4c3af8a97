package publish

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// value returns p's value in the table named name, as Build counts it.
func value(name string, p rollcall.Person) string {
	for _, d := range dims {
		if d.name == name {
			if v := d.of(p); v != "" {
				return v
			}
			return "unknown"
		}
	}
	panic("no table " + name)
}

// attack is what a reader who holds the export and knows everything else
// tries: it returns every fact it learns about the persons the list does
// not name that rests on fewer than k of them. The reader is granted more
// than the export gives: every value a table could hold, and the true
// number of unnamed persons whenever it is k or more (below k, knowing it
// from elsewhere is knowing everything the tables could tell).
//   - subtraction (issue 12 finding 1): a cell minus the named persons with
//     that value, when it equals the true number of unnamed persons with it
//     and is 1..k-1;
//   - a cell, total or persons_withheld showing 1..k-1;
//   - a table's cells left out holding 1..k-1 persons together (the total
//     minus the cells shown), or a single value left out whose count is
//     then known.
func attack(e *Export, persons []rollcall.Person, k int) []string {
	var found []string
	named := map[string]map[string]int{}
	unnamed := map[string]map[string]int{}
	nUnnamed := 0
	for _, p := range persons {
		if !Publishable(p) {
			nUnnamed++
		}
		for _, d := range dims {
			m := unnamed
			if Publishable(p) {
				m = named
			}
			if m[d.name] == nil {
				m[d.name] = map[string]int{}
			}
			m[d.name][value(d.name, p)]++
		}
	}
	small := func(n int) bool { return n > 0 && n < k }
	if e.Withheld != nil && small(*e.Withheld) {
		found = append(found, fmt.Sprintf("persons_withheld = %d", *e.Withheld))
	}
	for _, t := range e.Statistics {
		shown, sum := map[string]bool{}, 0
		for _, c := range t.Cells {
			shown[c.Value] = true
			sum += c.Count
			if small(c.Count) {
				found = append(found, fmt.Sprintf("%s %s = %d shown", t.Name, c.Value, c.Count))
			}
			if d := c.Count - named[t.Name][c.Value]; small(d) && d == unnamed[t.Name][c.Value] {
				found = append(found, fmt.Sprintf("%s %s: cell minus named list = %d unnamed", t.Name, c.Value, d))
			}
		}
		if t.Total != nil && small(*t.Total) {
			found = append(found, fmt.Sprintf("%s total = %d", t.Name, *t.Total))
		}
		if nUnnamed < k {
			continue
		}
		rest := nUnnamed - sum
		if small(rest) {
			found = append(found, fmt.Sprintf("%s: the cells left out hold %d", t.Name, rest))
		}
		var left []string
		for _, v := range vocabulary[t.Name] {
			if v == "" {
				v = "unknown"
			}
			if !shown[v] {
				left = append(left, v)
			}
		}
		// One value left out: its count is the rest, recovered exactly.
		if len(left) == 1 && rest > 0 && rest < k {
			found = append(found, fmt.Sprintf("%s %s recovered as %d", t.Name, left[0], rest))
		}
	}
	return found
}

// person makes a person; named persons are public and consented.
func person(id int64, named bool, sex, province, status string) rollcall.Person {
	p := rollcall.Person{Meta: rollcall.Meta{ID: id}, Name: fmt.Sprintf("Person %d", id), Sex: sex, Province: province, Status: status,
		Sensitivity: rollcall.Public, ConsentPublish: named}
	return p
}

var (
	sexes     = []string{"f", "m", ""}
	provinces = []string{"Hamgyongbuk-do", "Hamgyongnam-do", "Ryanggang-do", "Jagang-do", "Pyongan-bukto", "Pyongyang", ""}
	statuses  = []string{"detained", "died", "executed", "released", "unknown", ""}
)

// randomPersons draws n persons, each named with probability pNamed.
func randomPersons(r *rand.Rand, n int, pNamed float64) []rollcall.Person {
	ps := make([]rollcall.Person, n)
	for i := range ps {
		ps[i] = person(int64(i+1), r.Float64() < pNamed, sexes[r.IntN(len(sexes))], provinces[r.IntN(len(provinces))], statuses[r.IntN(len(statuses))])
		if r.IntN(10) == 0 {
			ps[i].Sensitivity = rollcall.Confidential // unnamed whatever its consent
		}
	}
	return ps
}

// vocabulary is every value each table could hold.
var vocabulary = map[string][]string{"persons_by_sex": sexes, "persons_by_province": provinces, "persons_by_status": statuses}

var day = time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)

func build(t *testing.T, ps []rollcall.Person, k int, number int64, earlier []store.PublishedCell) (*Export, []Differenced) {
	t.Helper()
	e, diffs, err := Build(Data{Persons: ps}, Options{K: k, Number: number, Now: day, Earlier: earlier})
	if err != nil {
		t.Fatal(err)
	}
	return e, diffs
}

// TestSubtractingTheNamedListRevealsNothing is issue 12 finding 1: with 12
// public persons of whom 11 consented, subtracting the named list from each
// table of format 1 gave the withheld person's sex, province and fate.
func TestSubtractingTheNamedListRevealsNothing(t *testing.T) {
	issue := func() []rollcall.Person {
		var ps []rollcall.Person
		for i := range 11 {
			ps = append(ps, person(int64(i+1), true, sexes[i%2], provinces[i%3], statuses[i%2]))
		}
		return append(ps, person(12, false, "m", "Ryanggang-do", "executed"))
	}
	many := func(unnamed int) []rollcall.Person {
		ps := issue()
		for i := range unnamed {
			ps = append(ps, person(int64(100+i), false, "f", "Pyongyang", "detained"))
		}
		return ps
	}
	tests := []struct {
		name    string
		persons []rollcall.Person
		k       int
	}{
		{"issue 12: one withheld among 12", issue(), 5},
		{"one withheld in a small cell beside a large one", many(9), 5},
		{"one withheld in a small cell beside k others", many(5), 5},
		{"k 2", many(3), 2},
		{"k 1 shows every count", many(3), 1},
		{"nobody withheld", issue()[:11], 5},
		{"nobody at all", nil, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, _ := build(t, tc.persons, tc.k, 1, nil)
			if found := attack(e, tc.persons, tc.k); len(found) > 0 {
				t.Fatalf("the export reveals %v", found)
			}
		})
	}
	// The attack is not empty-handed by construction: on format 1's
	// statistics (over every person, named included) it finds the issue's
	// leak.
	v1 := &Export{}
	for _, d := range dims {
		tb := Table{Name: d.name}
		counts := map[string]int{}
		for _, p := range issue() {
			counts[value(d.name, p)]++
		}
		for v, n := range counts {
			tb.Cells = append(tb.Cells, Cell{Value: v, Count: n})
		}
		v1.Statistics = append(v1.Statistics, tb)
	}
	if found := attack(v1, issue(), 5); len(found) < 3 {
		t.Fatalf("the attack finds %v in format 1's statistics, want the withheld person's sex, province and fate", found)
	}
	// The statistics are a function of the unnamed persons alone: whatever
	// the named persons are, they do not move.
	r := rand.New(rand.NewPCG(12, 1))
	for range 200 {
		k := 1 + r.IntN(6)
		ps := randomPersons(r, r.IntN(80), r.Float64())
		e, _ := build(t, ps, k, 1, nil)
		if found := attack(e, ps, k); len(found) > 0 {
			t.Fatalf("k=%d, %d persons: the export reveals %v", k, len(ps), found)
		}
		for i := range ps {
			if Publishable(ps[i]) {
				ps[i].Sex, ps[i].Province, ps[i].Status = sexes[r.IntN(len(sexes))], provinces[r.IntN(len(provinces))], statuses[r.IntN(len(statuses))]
			}
		}
		e2, _ := build(t, ps, k, 1, nil)
		if !reflect.DeepEqual(e.Statistics, e2.Statistics) || !reflect.DeepEqual(e.Withheld, e2.Withheld) {
			t.Fatalf("the statistics moved with the named persons' values:\n%+v\n%+v", e.Statistics, e2.Statistics)
		}
	}
}

func TestSuppress(t *testing.T) {
	// render shows a table as value=count, "total" last ("x" when null).
	render := func(tables []Table) []string {
		var out []string
		for _, tb := range tables {
			s := tb.Name + ":"
			for _, c := range tb.Cells {
				s += fmt.Sprintf(" %s=%d", c.Value, c.Count)
			}
			if tb.Total == nil {
				s += " total=x"
			} else {
				s += fmt.Sprintf(" total=%d", *tb.Total)
			}
			out = append(out, s)
		}
		return out
	}
	type tbl = map[string]int
	tests := []struct {
		name    string
		counts  []tbl
		earlier []store.PublishedCell
		want    []string
		diffs   []Differenced
	}{
		{"all large", []tbl{{"a": 5, "b": 6}}, nil, []string{"t0: a=5 b=6 total=11"}, nil},
		// b=3 is left out; alone it would be the total minus a and c, so
		// the smallest other cell goes too, and the total.
		{"one small cell gets a complement", []tbl{{"a": 10, "b": 3, "c": 7}}, nil, []string{"t0: a=10 total=x"}, nil},
		// b and c hold 4 < k together: a third cell goes.
		{"small cells holding fewer than k together", []tbl{{"a": 10, "b": 3, "c": 1, "d": 8}}, nil, []string{"t0: a=10 total=x"}, nil},
		{"two small cells holding k", []tbl{{"a": 10, "b": 3, "c": 2, "d": 8}}, nil, []string{"t0: a=10 d=8 total=x"}, nil},
		{"a single small cell empties the table", []tbl{{"a": 2}}, nil, []string{"t0: total=x"}, nil},
		// The other table shows everything, so the total is known: the
		// first still hides two cells holding at least k.
		{"the total is shared by the tables", []tbl{{"a": 10, "b": 3, "c": 7}, {"x": 12, "y": 8}}, nil,
			[]string{"t0: a=10 total=x", "t1: x=12 y=8 total=x"}, nil},
		{"a cell 1 away from an earlier one is withheld, with a complement", []tbl{{"a": 10, "b": 6, "c": 7}},
			[]store.PublishedCell{{Publication: 1, Table: "t0", Value: "b", Count: 5}},
			[]string{"t0: a=10 total=x"}, []Differenced{{Table: "t0", Value: "b", Publication: 1}}},
		{"a difference of k is shown", []tbl{{"a": 10, "b": 10}},
			[]store.PublishedCell{{Publication: 1, Table: "t0", Value: "b", Count: 5}, {Publication: 1, Table: "t0", Value: "", Count: 15}},
			[]string{"t0: a=10 b=10 total=20"}, nil},
		{"every earlier publication counts", []tbl{{"a": 10, "b": 10}},
			[]store.PublishedCell{{Publication: 1, Table: "t0", Value: "b", Count: 12}, {Publication: 2, Table: "t0", Value: "b", Count: 5}},
			[]string{"t0: total=x"}, []Differenced{{Table: "t0", Value: "b", Publication: 1}}},
		// The total moved by 1 though no cell did by less than k: every
		// table hides enough that the total cannot be computed.
		{"a total 1 away hides the totals", []tbl{{"a": 10, "b": 11}, {"x": 21}},
			[]store.PublishedCell{{Publication: 1, Table: "t0", Value: "", Count: 20}},
			[]string{"t0: total=x", "t1: total=x"}, []Differenced{{Table: "t0", Value: "", Publication: 1}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var names []string
			total := 0
			for i, c := range tc.counts {
				names = append(names, fmt.Sprintf("t%d", i))
				if i == 0 {
					for _, n := range c {
						total += n
					}
				}
			}
			tables, _, diffs := Suppress(names, tc.counts, total, 5, tc.earlier)
			if got := render(tables); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if !reflect.DeepEqual(diffs, tc.diffs) {
				t.Errorf("withheld for differencing %v, want %v", diffs, tc.diffs)
			}
		})
	}
}

// checkNoSmallDifferences fails when two publications show the same cell
// (or a total) with counts 1..k-1 apart.
func checkNoSmallDifferences(t *testing.T, cells []store.PublishedCell, k int) {
	t.Helper()
	type key struct{ table, value string }
	seen := map[key][]store.PublishedCell{}
	for _, c := range cells {
		kk := key{c.Table, c.Value}
		if c.Value == "" {
			kk = key{"", ""} // every total is the number of unnamed persons
		}
		for _, o := range seen[kk] {
			if d := c.Count - o.Count; o.Publication != c.Publication && d != 0 && d > -k && d < k {
				t.Fatalf("%s/%s is %d in publication %d and %d in publication %d", c.Table, c.Value, o.Count, o.Publication, c.Count, c.Publication)
			}
		}
		seen[kk] = append(seen[kk], c)
	}
}

// mutate changes a population as time does between two publications:
// persons added, consent given or withdrawn, values corrected, persons
// merged away.
func mutate(r *rand.Rand, ps []rollcall.Person) []rollcall.Person {
	out := append([]rollcall.Person{}, ps...)
	for range 1 + r.IntN(4) {
		switch r.IntN(4) {
		case 0:
			out = append(out, person(int64(1000+len(out)), r.IntN(2) == 0, sexes[r.IntN(len(sexes))], provinces[r.IntN(len(provinces))], statuses[r.IntN(len(statuses))]))
		case 1:
			if len(out) > 0 {
				i := r.IntN(len(out))
				out[i].ConsentPublish = !out[i].ConsentPublish
			}
		case 2:
			if len(out) > 0 {
				out[r.IntN(len(out))].Status = statuses[r.IntN(len(statuses))]
			}
		case 3:
			if len(out) > 0 {
				i := r.IntN(len(out))
				out = append(out[:i], out[i+1:]...)
			}
		}
	}
	return out
}

// TestDifferencingTwoPublications: whatever changed between two
// publications, no cell shown by both moved by 1..k-1, and neither lets the
// attack of TestSubtractingTheNamedListRevealsNothing find anything.
func TestDifferencingTwoPublications(t *testing.T) {
	// Directed: one person withdraws consent between two publications; in
	// format 1 terms the second would show their values as +1 cells.
	var ps []rollcall.Person
	for i := range 30 {
		ps = append(ps, person(int64(i+1), i < 10, sexes[i%2], provinces[i%2], statuses[i%2]))
	}
	e1, _ := build(t, ps, 5, 1, nil)
	ps2 := append([]rollcall.Person{}, ps...)
	ps2[0].ConsentPublish = false
	e2, diffs := build(t, ps2, 5, 2, e1.Revealed())
	if len(diffs) == 0 {
		t.Fatalf("withdrawn consent: nothing withheld; second export %+v", e2.Statistics)
	}
	checkNoSmallDifferences(t, append(e1.Revealed(), e2.Revealed()...), 5)

	r := rand.New(rand.NewPCG(12, 2))
	withheld := 0
	for range 300 {
		k := 2 + r.IntN(5)
		a := randomPersons(r, r.IntN(120), r.Float64())
		b := mutate(r, a)
		c := mutate(r, b)
		var cells []store.PublishedCell
		for i, pop := range [][]rollcall.Person{a, b, c} {
			e, d := build(t, pop, k, int64(i+1), cells)
			withheld += len(d)
			if found := attack(e, pop, k); len(found) > 0 {
				t.Fatalf("publication %d reveals %v", i+1, found)
			}
			cells = append(cells, e.Revealed()...)
		}
		checkNoSmallDifferences(t, cells, k)
	}
	if withheld == 0 {
		t.Fatal("300 random series withheld nothing for differencing: the test does not exercise the check")
	}
}

// TestExportGolden pins format 2 byte for byte (testdata/export_v2.json;
// go test -update rewrites it).
func TestExportGolden(t *testing.T) {
	fid := int64(7)
	var ps []rollcall.Person
	for i := range 24 {
		ps = append(ps, person(int64(i+1), i < 3, sexes[i%2], provinces[i%3], statuses[i%4]))
	}
	ps[0].BirthDate = rollcall.MustDate("1961-04-05")
	d := Data{Persons: ps,
		Facilities: []rollcall.Facility{{Meta: rollcall.Meta{ID: 7}, Key: "kwanliso-15", Number: "15", NameEn: "Yodok", NameKo: "요덕", Type: "kwanliso", Province: "Hamgyongnam-do"}},
		Records:    []rollcall.Record{{Meta: rollcall.Meta{ID: 1}, PersonID: ptr(int64(1)), FacilityID: &fid, Sensitivity: rollcall.Public}}}
	earlier := []store.PublishedCell{{Publication: 1, Table: "persons_by_status", Value: "died", Count: 4}}
	e, _, err := Build(d, Options{K: 5, Number: 2, Now: day, Earlier: earlier})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "export_v2.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("export differs from %s:\n%s", path, got)
	}
	if FormatOf(got) != Format {
		t.Fatalf("FormatOf = %q", FormatOf(got))
	}
}

func TestCheckK(t *testing.T) {
	for _, k := range []int{0, -1} {
		if err := CheckK(k); rollcall.ErrorCode(err) != rollcall.EINVALID {
			t.Errorf("k=%d: %v", k, err)
		}
		if _, _, err := Build(Data{}, Options{K: k}); err == nil {
			t.Errorf("Build with k=%d accepted", k)
		}
	}
	if err := CheckK(1); err != nil {
		t.Error(err)
	}
}
