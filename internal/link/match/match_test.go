package match

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/rollcall-project/rollcall"
)

// column builds one prepared column from values.
func testColumn(t *testing.T, kind Kind, part string, vals ...string) *column {
	t.Helper()
	ds := &Dataset{Columns: []string{"v"}}
	for i, v := range vals {
		ds.Records = append(ds.Records, Record{ID: fmt.Sprint(i), Values: []string{v}})
	}
	f := Field{Column: "v", Kind: kind, NamePart: part}
	tf := true
	f.TermFrequency = &tf
	return prepareColumn(ds, &f, 2)
}

func levelName(c *column, a, b int32) string { return levelNames(c.kind)[c.level(a, b)] }

func TestDateLevels(t *testing.T) {
	tests := []struct{ a, b, want string }{
		{"1987-03-04", "1987-03-04", "exact"},
		{"19870304", "1987-03-04", "exact"},
		{"1987", "1987-03-04", "same_year"},
		{"1987-03", "1987-03-04", "same_month"},
		{"c. 1987", "1986", "same_year"},
		{"1987년경", "1988-05-01", "same_year"},
		{"1987-03-04", "1987-03-05", "one_edit"},
		{"1987-03-04", "1987-04-03", "one_edit"}, // day and month swapped
		{"1987-03-04", "1987-11-30", "within_a_year"},
		{"1987", "1990", "different"},
		{"1987-03-04", "", "missing"},
		{"19871304", "19871304", "exact"}, // unreadable but equal
		{"19871304", "19871305", "one_edit"},
	}
	for _, tt := range tests {
		c := testColumn(t, Date, "", tt.a, tt.b)
		if got := levelName(c, 0, 1); got != tt.want {
			t.Errorf("date %q vs %q: %s, want %s", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestNameLevels(t *testing.T) {
	tests := []struct{ a, b, want string }{
		{"김영희", "Gim Yeong-hui", "exact"}, // the RR reading of the Hangul
		{"김영희", "Kim Young-hee", "variant"},
		{"Kim Yong Hui", "KIM, Young-hee", "variant"},
		{"Kim Young-hee", "Kim Young-hye", "jaro_winkler_0.92"},
		{"Kim Young-hee", "Park Chul-soo", "different"},
		{"Kim Young-hee", "", "missing"},
		// order swapped, "SURNAME, Given", customary spellings, Hangul
		{"Chun Hyon Choi", "Choi Joonhyun", "variant"},
		{"CHOI, Joon-hyun", "Chun-hyon Choi", "variant"},
		{"최준현", "Chun Hyon Choi", "variant"},
		{"Joon Hyun CHOI", "최준현", "variant"},
		// one key, two names: Hangul tells them apart
		{"김영철", "김용철", "jaro_winkler_0.92"},
		{"조명철", "추명철", "same_given"},
		// McCune–Reischauer's breve: Yŏng (영) is not Yong (용)
		{"Kim Yŏng-il", "Kim Yong-il", "variant"},
		{"Kim Yŏng-il", "Kim Yeong-il", "exact"},
	}
	for _, tt := range tests {
		c := testColumn(t, Name, "full", tt.a, tt.b)
		if got := levelName(c, 0, 1); got != tt.want {
			t.Errorf("name %q vs %q: %s, want %s", tt.a, tt.b, got, tt.want)
		}
	}
	// Latin typos compare as close, rune by rune.
	c := testColumn(t, Name, "given", "jonathan", "jonathon")
	if got := levelName(c, 0, 1); got != "jaro_winkler_0.92" {
		t.Errorf("jonathan vs jonathon: %s", got)
	}
}

func TestCategoryAndNumberLevels(t *testing.T) {
	c := testColumn(t, Category, "", "Camp 15", "요덕 관리소", "Kwan-li-so No. 15", "Camp 14", "")
	for _, p := range [][2]int32{{0, 1}, {1, 2}} {
		if got := levelName(c, p[0], p[1]); got != "exact" {
			t.Errorf("facility variants %d,%d: %s", p[0], p[1], got)
		}
	}
	if got := levelName(c, 0, 3); got != "different" {
		t.Errorf("camp 15 vs 14: %s", got)
	}
	if got := levelName(c, 0, 4); got != "missing" {
		t.Errorf("missing: %s", got)
	}
	n := testColumn(t, Number, "", "100.0", "104.5", "150", "1,000", "1000", "$1,000.00", "1987", "1988", "1990", "about 5")
	if got := levelName(n, 0, 1); got != "close" {
		t.Errorf("100.0 vs 104.5: %s", got)
	}
	if got, got2 := levelName(n, 6, 7), levelName(n, 6, 8); got != "close" || got2 != "different" {
		t.Errorf("1987 vs 1988: %s, 1987 vs 1990: %s", got, got2)
	}
	if got := levelName(n, 4, 5); got != "exact" {
		t.Errorf("1000 vs $1,000.00: %s", got)
	}
	if got := levelName(n, 0, 9); got != "missing" {
		t.Errorf("a number vs words: %s", got)
	}
	if got := levelName(n, 0, 2); got != "different" {
		t.Errorf("100 vs 150: %s", got)
	}
	if got := levelName(n, 3, 4); got != "exact" {
		t.Errorf("1,000 vs 1000: %s", got)
	}
}

// Facilities and places resolve through the gazetteer whatever the
// script, romanization, number or old name; unknown text compares as text.
func TestFacilityAndPlaceLevels(t *testing.T) {
	f := testColumn(t, Facility, "", "전거리 교화소", "Camp 12 (Jongori)", "Kyohwaso 12", "Chongori",
		"Camp 15", "Hoeryong", "kyohwaso", "Hyesan police jail", "Hyesan police jial", "")
	for _, tt := range []struct {
		a, b int32
		want string
	}{
		{0, 1, "exact"}, {0, 2, "exact"}, {0, 3, "exact"}, {1, 3, "exact"},
		{0, 4, "different"},
		{0, 5, "compatible"}, // Hoeryong has Camp 22 and Jongori
		{4, 5, "different"},
		{2, 6, "compatible"}, // a kyohwaso and the type
		{7, 8, "compatible"}, // unknown texts a typo apart
		{0, 7, "unresolved"},
		{0, 9, "missing"},
	} {
		if got := levelName(f, tt.a, tt.b); got != tt.want {
			t.Errorf("facility %d vs %d: %s, want %s", tt.a, tt.b, got, tt.want)
		}
	}
	p := testColumn(t, Place, "", "N. Hamgyong", "Hamgyongbuk-do", "함경북도", "Hamkyung-pukto", "Hoeryong",
		"Chongjin", "South Hamgyong", "Rajin-Sonbong", "Pyongyang", "Springfield", "Springfeild", "")
	for _, tt := range []struct {
		a, b int32
		want string
	}{
		{0, 1, "exact"}, {0, 2, "exact"}, {0, 3, "exact"},
		{0, 4, "within"}, // Hoeryong lies in North Hamgyong
		{4, 5, "same_province"},
		{0, 6, "different"},
		{0, 7, "within"}, // Rason was part of North Hamgyong
		{5, 8, "different"},
		{9, 10, "within"},
		{0, 9, "unresolved"},
		{0, 11, "missing"},
	} {
		if got := levelName(p, tt.a, tt.b); got != tt.want {
			t.Errorf("place %d vs %d: %s, want %s", tt.a, tt.b, got, tt.want)
		}
	}
	for _, k := range []string{"facility", "place"} {
		if _, err := ParseKind(k); err != nil {
			t.Errorf("ParseKind(%q): %v", k, err)
		}
	}
}

// The term-frequency adjustment makes agreement on a rare value stronger
// than on a common one.
func TestTermFrequency(t *testing.T) {
	vals := []string{"Smith", "Smith", "Smith", "Smith", "Smith", "Smith", "Nakamura-Lopez", "Nakamura-Lopez"}
	c := testColumn(t, Name, "surname", vals...)
	if common, rare := c.tfAdjust(0), c.tfAdjust(6); !(rare > 0 && common < 0) {
		t.Errorf("tf adjustment common %.3f, rare %.3f: want common < 0 < rare", common, rare)
	}
	// A given name shared under different surnames: 영철 is common.
	names := []string{"김영철", "박영철", "리영철", "최영철", "정영철", "강영철", "한옥란", "조옥란"}
	g := testColumn(t, Name, "full", names...)
	if common, rare := g.givenTFAdjust(0), g.givenTFAdjust(6); !(rare > 0 && common < 0) {
		t.Errorf("given-name tf adjustment 영철 %.3f, 옥란 %.3f: want common < 0 < rare", common, rare)
	}
}

func TestClusterChainGuard(t *testing.T) {
	// 0–1 and 2–3 are sure; 1–2 is a weak link; 0–3 is scored as different.
	w := &work{src: make([]int32, 4), s: &Settings{Threshold: 0.5, ChainThreshold: 0.9, ConflictBelow: 0.01}}
	w.pairs = []pairIdx{{0, 1}, {2, 3}, {1, 2}, {0, 3}}
	w.prob = []float32{0.99, 0.99, 0.6, 0.001}
	got, refused, _ := w.cluster(nil)
	if got[0] != got[1] || got[2] != got[3] || got[1] == got[2] || refused != 1 {
		t.Errorf("chain guard: clusters %v refused %d, want {0,1} {2,3} and 1 refused", got, refused)
	}
	// Without evidence against, the weak link joins.
	w.prob[3] = 0.3
	got, _, _ = w.cluster(nil)
	if got[0] != got[3] {
		t.Errorf("without conflict the chain should join: %v", got)
	}
	// A strong link is never refused by the guard.
	w.prob = []float32{0.99, 0.99, 0.95, 0.001}
	got, _, _ = w.cluster(nil)
	if got[0] != got[3] {
		t.Errorf("strong link refused: %v", got)
	}
	// A cannot-link decision always wins.
	w.pairs = append(w.pairs, pairIdx{1, 3})
	w.prob = append(w.prob, 0)
	got, _, _ = w.cluster([]decided{{pair: 4, same: false}})
	if got[1] == got[3] {
		t.Errorf("cannot-link ignored: %v", got)
	}
	// Must-link wins over a contradicting cannot-link, and is counted.
	w.pairs = append(w.pairs, pairIdx{1, 2})
	w.prob = append(w.prob, 0.5)
	got, _, conflicts := w.cluster([]decided{{pair: 4, same: false}, {pair: 5, same: true}, {pair: 1, same: true}})
	if got[1] != got[3] || conflicts != 1 {
		t.Errorf("must-links 1–2–3 against cannot-link 1–3: clusters %v, conflicts %d", got, conflicts)
	}
}

// guardedWork prepares a run over ds with the fields given, scored by
// hand: each pair of pairs gets the probability in prob.
func guardedWork(t *testing.T, ds *Dataset, fields []Field, pairs []pairIdx, prob []float32) *work {
	t.Helper()
	s := Settings{Fields: fields}
	if err := s.fillDefaults(ds); err != nil {
		t.Fatal(err)
	}
	nsrc, src := sourceIDs(ds)
	w := &work{ds: ds, s: &s, opt: Options{Workers: 1, Progress: func(string, int64, int64) {}}, src: src, nsrc: nsrc}
	if err := w.prepare(context.Background()); err != nil {
		t.Fatal(err)
	}
	w.pairs, w.prob = pairs, prob
	return w
}

// The guard checks a merge against the whole cluster: Park Ryong-min does
// not join Kang Ryong-min through a record without a surname, nor does a
// Kang Ryong-min born fifty years later.
func TestGuardChecksWholeCluster(t *testing.T) {
	ds := &Dataset{Columns: []string{"name", "birth"}, Records: []Record{
		{ID: "a", Source: "x", Values: []string{"Kang Ryong-min", "1951"}},
		{ID: "b", Source: "y", Values: []string{"Ryong-min", "c. 1951"}},
		{ID: "c", Source: "z", Values: []string{"Park Ryong-min", "1952"}},
		{ID: "d", Source: "w", Values: []string{"강룡민", "2002"}},
		{ID: "e", Source: "v", Values: []string{"Kang Yong-min", "1951-05"}},
	}}
	pairs := []pairIdx{{0, 1}, {1, 2}, {1, 3}, {1, 4}}
	prob := []float32{0.95, 0.9, 0.9, 0.9}
	for _, guard := range []bool{false, true} {
		fields := []Field{{Column: "name", Kind: Name, Guard: guard}, {Column: "birth", Kind: Date, Guard: guard}}
		w := guardedWork(t, ds, fields, pairs, prob)
		got, refused, _ := w.cluster(nil)
		if !guard {
			if got[0] != got[2] || got[0] != got[3] {
				t.Errorf("unguarded: clusters %v, want all joined through b", got)
			}
			continue
		}
		if got[0] != got[1] || got[0] != got[4] || got[0] == got[2] || got[0] == got[3] || refused != 2 {
			t.Errorf("guarded: clusters %v, refused %d; want a, b, e together, c and d apart, 2 refused", got, refused)
		}
	}
}

// Two records of one list join only through their own pair.
func TestSameSourceNeedsOwnPair(t *testing.T) {
	ds := &Dataset{Columns: []string{"name"}, Records: []Record{
		{ID: "a", Source: "ngo", Values: []string{"Kim Yong-chol"}},
		{ID: "b", Source: "un", Values: []string{"Kim Yong Chol"}},
		{ID: "c", Source: "ngo", Values: []string{"KIM, Yong-chol"}},
	}}
	fields := []Field{{Column: "name", Kind: Name}}
	w := guardedWork(t, ds, fields, []pairIdx{{0, 1}, {1, 2}}, []float32{0.99, 0.95})
	if got, _, _ := w.cluster(nil); got[0] != got[1] || got[2] == got[0] {
		t.Errorf("clusters %v: want a and b together, c (same list as a, no pair of its own) apart", got)
	}
	w = guardedWork(t, ds, fields, []pairIdx{{0, 1}, {1, 2}, {0, 2}}, []float32{0.99, 0.95, 0.6})
	if got, _, _ := w.cluster(nil); got[0] != got[2] {
		t.Errorf("clusters %v: a and c scored 0.6 together should join", got)
	}
}

func TestEvaluateByHand(t *testing.T) {
	ds := &Dataset{Columns: []string{"x"}}
	for i := 0; i < 5; i++ {
		ds.Records = append(ds.Records, Record{ID: fmt.Sprint(i), Values: []string{""}})
	}
	// predicted {0,1,2} {3} {4}; truth {0,1} {2,3} {4}
	res := &Result{Cluster: []int32{0, 0, 0, 1, 2}, Settings: Settings{LinkType: Dedupe}}
	ev := Evaluate(ds, res, []string{"a", "a", "b", "b", "c"})
	// predicted pairs 01 02 12 (3), true pairs 01 23 (2), both: 01 (1)
	if ev.PredictedPairs != 3 || ev.TruePairs != 2 || ev.TruePositives != 1 {
		t.Fatalf("counts %+v", ev)
	}
	if ev.Precision != 1.0/3 || ev.Recall != 0.5 || fmt.Sprintf("%.4f", ev.F1) != "0.4000" {
		t.Errorf("P %.4f R %.4f F1 %.4f, want 0.3333 0.5 0.4", ev.Precision, ev.Recall, ev.F1)
	}
	// As a link of two sources {0,1,2} and {3,4}: only cross pairs count.
	for i := range ds.Records {
		ds.Records[i].Source = map[bool]string{true: "x", false: "y"}[i < 3]
	}
	res.Settings.LinkType = Link
	ev = Evaluate(ds, res, []string{"a", "a", "b", "b", "c"})
	// cross pairs predicted: none (3 is alone); true cross: 2–3
	if ev.PredictedPairs != 0 || ev.TruePairs != 1 || ev.Recall != 0 {
		t.Errorf("link counts %+v", ev)
	}
}

func TestRunRejectsBadInput(t *testing.T) {
	ds := &Dataset{Columns: []string{"name"}, Records: []Record{{ID: "a", Values: []string{"x"}}, {ID: "a", Values: []string{"y"}}}}
	_, err := Run(context.Background(), ds, Settings{Fields: []Field{{Column: "name", Kind: Name}}}, nil)
	if rollcall.ErrorCode(err) != rollcall.EINVALID {
		t.Errorf("duplicate ids: %v, want invalid", err)
	}
	ds.Records[1].ID = "b"
	for _, s := range []Settings{
		{},
		{Fields: []Field{{Column: "nope", Kind: Name}}},
		{Fields: []Field{{Column: "name", Kind: "fuzzy"}}},
		{Fields: []Field{{Column: "name", Kind: Name}}, Blocking: [][]string{{"name:year"}}},
		{Fields: []Field{{Column: "name", Kind: Name}}, Threshold: 1.5},
	} {
		if _, err := Run(context.Background(), ds, s, nil); rollcall.ErrorCode(err) != rollcall.EINVALID {
			t.Errorf("settings %+v: %v, want invalid", s, err)
		}
	}
}

func TestRunTinyInputs(t *testing.T) {
	s := Settings{Fields: []Field{{Column: "name", Kind: Name}}}
	for n := 0; n <= 2; n++ {
		ds := &Dataset{Columns: []string{"name"}}
		for i := 0; i < n; i++ {
			ds.Records = append(ds.Records, Record{ID: fmt.Sprint(i), Values: []string{"Kim Young-hee"}})
		}
		res, err := Run(context.Background(), ds, s, nil)
		if err != nil {
			t.Fatalf("%d records: %v", n, err)
		}
		if len(res.Cluster) != n {
			t.Errorf("%d records: %d cluster numbers", n, len(res.Cluster))
		}
	}
	// Linking a single list: nothing is comparable, every record alone.
	one, _ := synthKorean(50, 5)
	res, err := Run(context.Background(), one, Settings{Fields: []Field{{Column: "name", Kind: Name}}, LinkType: Link}, nil)
	if err != nil || len(res.Pairs) != 0 || res.Stats.Clusters != 50 {
		t.Errorf("link within one source: err %v, %d pairs, %d clusters", err, len(res.Pairs), res.Stats.Clusters)
	}
	bad := Settings{Fields: []Field{{Column: "name", Kind: Name, Levels: make([]Level, 8)}}, Trained: true, Lambda: 0.1}
	ds := &Dataset{Columns: []string{"name"}, Records: []Record{{ID: "a", Values: []string{"x"}}, {ID: "b", Values: []string{"y"}}}}
	if _, err := Run(context.Background(), ds, bad, nil); rollcall.ErrorCode(err) != rollcall.EINVALID {
		t.Errorf("model with zero m/u: %v, want invalid", err)
	}
}

// Decisions override the model on every run, and a saved model repeats
// the run exactly.
func TestDecisionsAndSavedModel(t *testing.T) {
	fields, cols := fieldsOf(t, febrlFields...)
	recs, truth := loadCSV(t, "febrl3.csv", "febrl3", "rec_id", "true_id", cols)
	ds := &Dataset{Columns: cols, Records: recs}
	res, err := Run(context.Background(), ds, Settings{Fields: fields}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// a surely linked true pair, and two records of different people
	var same Pair
	for _, p := range res.Pairs {
		if p.Prob > 0.99 && truth[p.A] == truth[p.B] {
			same = p
			break
		}
	}
	a, b := int32(-1), int32(-1)
	for i := range recs {
		if res.Cluster[i] != res.Cluster[same.A] {
			if a < 0 {
				a = int32(i)
			} else if res.Cluster[i] != res.Cluster[a] {
				b = int32(i)
				break
			}
		}
	}
	dec := []Decision{
		{A: recs[same.A].ID, B: recs[same.B].ID, Same: false},
		{A: recs[a].ID, B: recs[b].ID, Same: true},
		{A: "no-such-id", B: recs[a].ID, Same: true},
	}
	res2, err := Run(context.Background(), ds, Settings{Fields: fields}, dec)
	if err != nil {
		t.Fatal(err)
	}
	if res2.Cluster[same.A] == res2.Cluster[same.B] {
		t.Error("cannot-link pair still clustered together")
	}
	if res2.Cluster[a] != res2.Cluster[b] {
		t.Error("must-link pair not clustered together")
	}
	for _, p := range res2.Review {
		if (p.A == same.A && p.B == same.B) || (p.A == min(a, b) && p.B == max(a, b)) {
			t.Error("decided pair in the review queue")
		}
	}
	// Explain's weights add up, with the prior, to the pair's score.
	prior := math.Log2(res.Settings.Lambda / (1 - res.Settings.Lambda))
	for i := 0; i < len(res.Pairs); i += 997 {
		sum := prior
		for _, c := range res.Explain(i) {
			sum += c.Weight
		}
		if p := 1 / (1 + math.Exp2(-sum)); math.Abs(p-float64(res.Pairs[i].Prob)) > 1e-4 {
			t.Fatalf("pair %d: weights give %.5f, probability %.5f", i, p, res.Pairs[i].Prob)
		}
	}
	// Save and reload the trained settings: same clusters without EM.
	js, err := json.Marshal(res.Settings)
	if err != nil {
		t.Fatal(err)
	}
	var loaded Settings
	if err := json.Unmarshal(js, &loaded); err != nil {
		t.Fatal(err)
	}
	if !loaded.Trained || len(loaded.Fields[0].Levels) == 0 || len(loaded.Blocking) == 0 {
		t.Fatalf("saved settings incomplete: %s", js)
	}
	res3, err := Run(context.Background(), ds, loaded, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res3.Stats.EMIterations != 0 {
		t.Error("trained model was retrained")
	}
	for i := range res.Cluster {
		if res.Cluster[i] != res3.Cluster[i] {
			t.Fatalf("record %d: cluster %d with the saved model, %d before", i, res3.Cluster[i], res.Cluster[i])
		}
	}
}

// Blocking never compares all pairs of a large input.
func TestBlockingBounded(t *testing.T) {
	ds, _ := synthKorean(20000, 3)
	res, err := Run(context.Background(), ds, Settings{Fields: []Field{{Column: "name", Kind: Name}, {Column: "birth", Kind: Date}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.CandidatePairs > 500_000 || res.Stats.CandidatePairs*100 > res.Stats.ComparablePair {
		t.Errorf("%d candidate pairs of %d", res.Stats.CandidatePairs, res.Stats.ComparablePair)
	}
	if len(res.Stats.Rules) == 0 {
		t.Error("no blocking rules reported")
	}
}

func TestReadCSVErrors(t *testing.T) {
	_, err := ReadCSV(stringsReader("a,b\n1,x\n"), "f.csv", "s", "id", nil)
	var e *rollcall.Error
	if !errors.As(err, &e) || e.Field != "id" {
		t.Errorf("missing id column: %v", err)
	}
	_, err = ReadCSV(stringsReader("id,b\n,x\n"), "f.csv", "s", "id", []string{"b"})
	if rollcall.ErrorCode(err) != rollcall.EINVALID {
		t.Errorf("empty id: %v", err)
	}
	recs, err := ReadCSV(stringsReader("\ufeffid,b\n1,x\n2\n"), "f.csv", "s", "id", []string{"b"})
	if err != nil || len(recs) != 2 || recs[1].Values[0] != "" {
		t.Errorf("short row: %v %+v", err, recs)
	}
}

// Comparing a pair allocates nothing: the hot loop runs millions of times.
func TestLevelDoesNotAllocate(t *testing.T) {
	cols := []*column{
		testColumn(t, Name, "full", "Kim Young-hee", "Gim Yeong-hui", "Park Chul-soo"),
		testColumn(t, Date, "", "1987-03-04", "1987", "1987-04-03"),
		testColumn(t, Category, "", "Camp 15", "kwanliso", "Yodok"),
		testColumn(t, Exact, "", "12345", "12346", "99"),
		testColumn(t, Text, "", "wallaby place", "wallaby plce", "x"),
		testColumn(t, Facility, "", "Camp 15", "Hoeryong", "Hyesan jail"),
		testColumn(t, Place, "", "Hoeryong", "N. Hamgyong", "Springfield"),
	}
	allocs := testing.AllocsPerRun(100, func() {
		for _, c := range cols {
			for a := int32(0); a < 3; a++ {
				for b := int32(0); b < 3; b++ {
					_ = c.level(a, b)
				}
			}
		}
	})
	if allocs != 0 {
		t.Errorf("level allocates %.1f times per round", allocs)
	}
}

func TestBlockingYearPlusMinusOne(t *testing.T) {
	ds := &Dataset{Columns: []string{"name", "birth"}}
	for i, y := range []string{"1986", "1987", "1989", "1988", "c. 1987"} {
		ds.Records = append(ds.Records, Record{ID: fmt.Sprint(i), Values: []string{"Kim Young-hee", y}})
	}
	s := Settings{Fields: []Field{{Column: "name", Kind: Name}, {Column: "birth", Kind: Date}},
		Blocking: [][]string{{"name", "birth:year1"}}}
	res, err := Run(context.Background(), ds, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[[2]int32]bool{}
	for _, p := range res.Pairs {
		if got[[2]int32{p.A, p.B}] {
			t.Errorf("pair %d–%d twice", p.A, p.B)
		}
		got[[2]int32{p.A, p.B}] = true
	}
	// years within one of each other; "c. 1987" counts as 1987
	want := [][2]int32{{0, 1}, {1, 3}, {2, 3}, {0, 4}, {1, 4}, {3, 4}}
	if len(got) != len(want) {
		t.Errorf("pairs %v, want %v", got, want)
	}
	for _, p := range want {
		if !got[p] {
			t.Errorf("missing pair %v (have %v)", p, got)
		}
	}
}

// A field with an alternative column compares the closest forms.
func TestAlternativeColumns(t *testing.T) {
	ds := &Dataset{Columns: []string{"name", "name_alt"}, Records: []Record{
		{ID: "a", Values: []string{"김영희", ""}},
		{ID: "b", Values: []string{"Pak Chol-su", "Kim Young-hee"}},
		{ID: "c", Values: []string{"", "Gim Yeong-hui"}},
		{ID: "d", Values: []string{"", ""}},
	}}
	f := Field{Column: "name", Kind: Name, NamePart: "full", Alternatives: []string{"name_alt"}}
	c := prepareColumn(ds, &f, 2)
	for _, tt := range []struct {
		a, b int32
		want string
	}{{0, 1, "variant"}, {0, 2, "exact"}, {1, 2, "variant"}, {0, 3, "missing"}} {
		if got := levelName(c, tt.a, tt.b); got != tt.want {
			t.Errorf("%s vs %s: %s, want %s", ds.Records[tt.a].ID, ds.Records[tt.b].ID, got, tt.want)
		}
	}
	_, err := Run(context.Background(), ds, Settings{Fields: []Field{{Column: "name", Kind: Name, Alternatives: []string{"nope"}}}}, nil)
	if rollcall.ErrorCode(err) != rollcall.EINVALID {
		t.Errorf("unknown alternative column: %v", err)
	}
}

func TestTextLevels(t *testing.T) {
	c := testColumn(t, Text, "", "Hoeryong, North Hamgyong", "North Hamgyong Hoeryong", "hoeryong north hamgyong", "Hoeryong North Hamgyng", "Pyongyang")
	for _, tt := range []struct {
		a, b int32
		want string
	}{{0, 2, "exact"}, {0, 1, "same_words"}, {0, 3, "jaro_winkler_0.92"}, {0, 4, "different"}} {
		if got := levelName(c, tt.a, tt.b); got != tt.want {
			t.Errorf("text %d vs %d: %s, want %s", tt.a, tt.b, got, tt.want)
		}
	}
}
