package match

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"
	"testing"

	"github.com/rollcall-project/rollcall/internal/demo/synth"
)

// hardKorean is internal/synth's fictional population rendered the hard
// way (synth.Options.Hard: names in any order and romanization, popular
// given names, province and facility aliases, partial dates, missing
// fields), five lists, as a Dataset with every field the lists give, and
// the truth per record.
func hardKorean(t testing.TB, persons int, seed uint64) (*Dataset, []string) {
	t.Helper()
	g, err := synth.Generate(synth.Options{Persons: persons, Seed: seed, Hard: true})
	if err != nil {
		t.Fatal(err)
	}
	ds := &Dataset{Columns: []string{"name", "name_alt", "sex", "birth_date", "province", "facility", "arrest_date",
		"charge_category", "sentence_years", "released_on"}}
	truth := make([]string, 0, len(g.Records))
	for _, r := range g.Records {
		sentence := ""
		if r.SentenceYears != nil {
			sentence = strconv.FormatFloat(*r.SentenceYears, 'g', -1, 64)
		}
		ds.Records = append(ds.Records, Record{ID: r.Source + "/" + r.Key, Source: r.Source, Values: []string{
			r.Name, r.NameAlt, r.Sex, r.BirthDate.String(), r.Province, r.FacilityText, r.ArrestDate.String(),
			r.ChargeCat, sentence, r.ReleasedOn.String()}})
		truth = append(truth, fmt.Sprint(g.Truth[synth.RecordKey{Source: r.Source, Record: r.Key}]))
	}
	return ds, truth
}

// koreanFields compares every field, names and birth dates guarded.
func koreanFields() []Field {
	return []Field{
		{Column: "name", Kind: Name, Alternatives: []string{"name_alt"}, Guard: true},
		{Column: "sex", Kind: Exact},
		{Column: "birth_date", Kind: Date, Guard: true},
		{Column: "province", Kind: Place},
		{Column: "facility", Kind: Facility},
		{Column: "arrest_date", Kind: Date},
		{Column: "charge_category", Kind: Category},
		{Column: "sentence_years", Kind: Number},
		{Column: "released_on", Kind: Date},
	}
}

// hardFigures are the measures the goals of issue 11 name.
type hardFigures struct {
	Evaluation
	reviewShare         float64
	maxCluster, maxTrue int
	records             int
}

func measureHard(t testing.TB, persons int, seed uint64) (hardFigures, *Result) {
	ds, truth := hardKorean(t, persons, seed)
	res, err := Run(context.Background(), ds, Settings{Fields: koreanFields(), LinkType: LinkAndDedupe}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := hardFigures{Evaluation: Evaluate(ds, res, truth), records: len(ds.Records)}
	f.reviewShare = float64(len(res.Review)) / float64(len(ds.Records))
	f.maxCluster, f.maxTrue = largest(res.Cluster), largestTruth(truth)
	return f, res
}

func largest(cluster []int32) int {
	n := map[int32]int{}
	m := 0
	for _, c := range cluster {
		n[c]++
		m = max(m, n[c])
	}
	return m
}

func largestTruth(truth []string) int {
	n := map[string]int{}
	m := 0
	for _, x := range truth {
		n[x]++
		m = max(m, n[x])
	}
	return m
}

// The goals of issue 11 at 20,000 fictional persons (about 13,000 records
// over five lists), on a seed the method was not developed on (seeds 5,
// 11, 12 and 13 were): F1 ≥ 0.95, a review queue of at most 5% of the
// records, and no cluster much larger than the largest true one.
func TestKoreanHard20k(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: 20,000 persons")
	}
	f, res := measureHard(t, 20000, 2024)
	t.Logf("hard Korean 20k: %d records P %.4f R %.4f F1 %.4f, review %d (%.1f%%), largest cluster %d (true %d), pair completeness %.4f, %v",
		f.records, f.Precision, f.Recall, f.F1, len(res.Review), 100*f.reviewShare, f.maxCluster, f.maxTrue, f.PairCompleteness, res.Stats.Elapsed)
	if f.F1 < 0.95 {
		t.Errorf("F1 %.4f, want ≥ 0.95", f.F1)
	}
	if f.reviewShare > 0.05 {
		t.Errorf("review queue %.1f%% of records, want ≤ 5%%", 100*f.reviewShare)
	}
	// One namesake too many can still join (two 김영철/김용철 of one list
	// agreeing on all else); a chain gathering many is what the guards stop.
	if f.maxCluster > f.maxTrue+1 {
		t.Errorf("largest cluster %d records, the largest true one %d", f.maxCluster, f.maxTrue)
	}
}

// BenchmarkKoreanHard50k measures the goals at 50,000 persons (F1 ≥ 0.92).
// go test -run XXX -bench KoreanHard50k -benchtime 1x ./internal/link/match/
func BenchmarkKoreanHard50k(b *testing.B) {
	ds, truth := hardKorean(b, 50000, 2024)
	runtime.GC()
	b.ResetTimer()
	var res *Result
	for b.Loop() {
		var err error
		res, err = Run(context.Background(), ds, Settings{Fields: koreanFields(), LinkType: LinkAndDedupe}, nil)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	ev := Evaluate(ds, res, truth)
	b.ReportMetric(ev.F1, "F1")
	b.ReportMetric(ev.Precision, "precision")
	b.ReportMetric(ev.Recall, "recall")
	b.ReportMetric(100*float64(len(res.Review))/float64(len(ds.Records)), "review-%")
	b.ReportMetric(float64(largest(res.Cluster)), "largest")
	b.Logf("hard Korean 50k: %d records P %.4f R %.4f F1 %.4f review %d, largest cluster %d (true %d), completeness %.4f",
		len(ds.Records), ev.Precision, ev.Recall, ev.F1, len(res.Review), largest(res.Cluster), largestTruth(truth), ev.PairCompleteness)
}

// A calibration curve fitted on the labelled pairs of one population makes
// the probabilities of another honest: in every well-filled bin the share
// of true matches is near the mean probability, and the doubtful pairs hold
// about as many matches as their probabilities add up to.
func TestCalibrationOnHeldOutPopulation(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: links two populations")
	}
	fit, fitTruth := hardKorean(t, 6000, 31)
	res, err := Run(context.Background(), fit, Settings{Fields: koreanFields(), LinkType: LinkAndDedupe}, nil)
	if err != nil {
		t.Fatal(err)
	}
	model := make([]float64, len(res.Pairs))
	same := make([]bool, len(res.Pairs))
	for i, p := range res.Pairs {
		model[i], same[i] = res.ModelProb(i), fitTruth[p.A] == fitTruth[p.B]
	}
	cal := FitCalibration(model, same)
	if len(cal) < 3 {
		t.Fatalf("calibration of %d knots", len(cal))
	}
	ds, truth := hardKorean(t, 6000, 32)
	for _, tc := range []struct {
		name string
		cal  Calibration
	}{{"model", nil}, {"calibrated", cal}} {
		res, err := Run(context.Background(), ds, Settings{Fields: koreanFields(), LinkType: LinkAndDedupe, Calibration: tc.cal}, nil)
		if err != nil {
			t.Fatal(err)
		}
		bins, ece := Reliability(res.Pairs, truth, 10)
		sum, matches := 0.0, 0
		for _, p := range res.Pairs {
			if p.Prob >= 0.1 && p.Prob < 0.9 {
				sum += float64(p.Prob)
				if truth[p.A] == truth[p.B] {
					matches++
				}
			}
		}
		t.Logf("%s: ECE %.4f; doubtful pairs (0.1–0.9) hold %d matches, their probabilities add up to %.1f", tc.name, ece, matches, sum)
		for _, b := range bins {
			t.Logf("  [%.1f, %.1f) %6d pairs, predicted %.3f, observed %.3f", b.Lo, b.Hi, b.Pairs, b.Predicted, b.Observed)
		}
		if tc.cal == nil {
			continue
		}
		for _, b := range bins {
			if b.Pairs >= 50 && math.Abs(b.Predicted-b.Observed) > 0.15 {
				t.Errorf("calibrated bin [%.1f, %.1f): predicted %.3f, observed %.3f", b.Lo, b.Hi, b.Predicted, b.Observed)
			}
		}
		if math.Abs(sum-float64(matches)) > 0.2*float64(matches) {
			t.Errorf("calibrated doubtful pairs: probabilities add up to %.1f, %d matches", sum, matches)
		}
	}
}

// Draws honour the human decisions, are partitions, repeat for a seed and
// vary with it; on a labelled set (RLdata10000) the true number of persons
// lies within the spread of the drawn clusterings.
func TestDraws(t *testing.T) {
	fields, cols := fieldsOf(t, "fname_c1:name", "fname_c2:name", "lname_c1:name", "lname_c2:name", "by:exact", "bm:exact", "bd:exact")
	recs, truth := loadCSV(t, "RLdata10000.csv", "rl", "rec_id", "true_id", cols)
	ds := &Dataset{Columns: cols, Records: recs}
	res, err := Run(context.Background(), ds, Settings{Fields: fields}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// decide a doubtful pair each way
	var doubtful []Pair
	for _, p := range res.Pairs {
		if p.Prob > 0.3 && p.Prob < 0.7 {
			doubtful = append(doubtful, p)
		}
	}
	if len(doubtful) < 2 {
		t.Fatalf("%d doubtful pairs", len(doubtful))
	}
	same, apart := doubtful[0], doubtful[1]
	dec := []Decision{{A: recs[same.A].ID, B: recs[same.B].ID, Same: true}, {A: recs[apart.A].ID, B: recs[apart.B].ID, Same: false}}
	res, err = Run(context.Background(), ds, Settings{Fields: fields}, dec)
	if err != nil {
		t.Fatal(err)
	}
	const n = 60
	draws, err := res.Draws(n, 7)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := res.Draws(n, 7)
	other, _ := res.Draws(n, 8)
	counts := make([]int, n)
	differs := false
	for d, c := range draws {
		if len(c) != len(recs) {
			t.Fatalf("draw %d has %d records", d, len(c))
		}
		if c[same.A] != c[same.B] {
			t.Errorf("draw %d splits a must-link", d)
		}
		if c[apart.A] == c[apart.B] {
			t.Errorf("draw %d joins a cannot-link", d)
		}
		if !slices.Equal(c, again[d]) {
			t.Fatalf("draw %d differs for the same seed", d)
		}
		differs = differs || !slices.Equal(c, other[d])
		counts[d] = int(slices.Max(c)) + 1
	}
	if !differs {
		t.Error("another seed gave the same draws")
	}
	trueCount := 0
	seen := map[string]bool{}
	for _, x := range truth {
		if !seen[x] {
			seen[x] = true
			trueCount++
		}
	}
	lo, hi := slices.Min(counts), slices.Max(counts)
	t.Logf("RLdata10000: %d persons in truth, %d in the point clustering, draws %d–%d", trueCount, res.Stats.Clusters, lo, hi)
	if lo == hi {
		t.Error("draws do not vary")
	}
	if trueCount < lo || trueCount > hi {
		t.Errorf("true number of persons %d outside the draws' range %d–%d", trueCount, lo, hi)
	}
	if _, err := res.Draws(-1, 1); err == nil {
		t.Error("negative draw count accepted")
	}
}
