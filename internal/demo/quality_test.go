package demo

import (
	"fmt"
	"os"
	"testing"

	"github.com/rollcall-project/rollcall/internal/link"
	"github.com/rollcall-project/rollcall/internal/link/match"
	"github.com/rollcall-project/rollcall/internal/refdata"
)

// TestDemoLinkageQuality links a small demo population through the
// database path (import, link.Run with PersonFields, persons stored) and
// holds its pairwise precision and recall against the generator's truth.
func TestDemoLinkageQuality(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the demo linkage test in -short mode")
	}
	ctx, st := openStore(t)
	must(t, refdata.Load(ctx, st))
	sum, err := loadLinked(ctx, st, 3000, link.Options{})
	must(t, err)
	q := sum.Quality
	t.Logf("%d records: P %.4f R %.4f F1 %.4f, %d persons (true %d), largest %d (true %d), review %d (%.1f%%), %d of the first %d would change a person (%d by doubt alone)",
		q.Records, q.Precision, q.Recall, q.F1, q.Persons, q.TruePersons, q.Largest, q.LargestTrue, q.Review, 100*q.ReviewShare, q.WouldChange, q.Examined, q.WouldChangeByDoubt)
	if q.Precision < 0.97 || q.Recall < 0.94 {
		t.Errorf("linkage precision %.4f recall %.4f, want ≥ 0.97 and ≥ 0.94", q.Precision, q.Recall)
	}
	if q.Largest > q.LargestTrue {
		t.Errorf("largest person has %d records, the largest true one %d", q.Largest, q.LargestTrue)
	}
	if q.ReviewShare > 0.05 {
		t.Errorf("review queue holds %.1f%% of the records, want ≤ 5%%", 100*q.ReviewShare)
	}
	if q.Persons != sum.Link.Persons || q.Records != sum.Link.Records {
		t.Errorf("measured %d persons of %d records, linkage reported %d of %d", q.Persons, q.Records, sum.Link.Persons, sum.Link.Records)
	}
}

// BenchmarkDemoLinkage100k is `rollcall demo --persons 100000` up to the
// stored estimates, with the linkage measured against the truth (about
// eight minutes; set ROLLCALL_BENCH_100K=1).
func BenchmarkDemoLinkage100k(b *testing.B) {
	if os.Getenv("ROLLCALL_BENCH_100K") == "" {
		b.Skip("set ROLLCALL_BENCH_100K=1 to link the 100,000-person demo population")
	}
	for range b.N {
		ctx, st := openStore(b)
		must(b, refdata.Load(ctx, st))
		sum, err := Load(ctx, st, 100000)
		must(b, err)
		q := sum.Quality
		b.Logf("%d records: P %.4f R %.4f F1 %.4f, %d persons (true %d), largest %d (true %d), review %d (%.1f%%), %d of the first %d would change a person (%d by doubt alone)",
			q.Records, q.Precision, q.Recall, q.F1, q.Persons, q.TruePersons, q.Largest, q.LargestTrue, q.Review, 100*q.ReviewShare, q.WouldChange, q.Examined, q.WouldChangeByDoubt)
		for _, e := range sum.Estimates {
			r := e.Outcome.Result
			b.Logf("estimate %s %s: %.0f [%.0f, %.0f] from %d (true %d)", e.Options.Method, e.Options.By, r.Estimate, r.Lower, r.Upper, r.Observed, sum.TruePersons)
		}
		b.ReportMetric(q.Precision, "precision")
		b.ReportMetric(q.Recall, "recall")
		b.ReportMetric(q.F1, "f1")
	}
}

// beforePersonFields is the field set the database path used before
// link.PersonFields (province and facility as categories, no guards): kept
// to measure what the change did.
func beforePersonFields() *match.Settings {
	return &match.Settings{Fields: []match.Field{
		{Column: "name", Kind: match.Name, Alternatives: []string{"name_alt"}},
		{Column: "sex", Kind: match.Exact},
		{Column: "birth_date", Kind: match.Date},
		{Column: "province", Kind: match.Category},
		{Column: "facility", Kind: match.Category},
	}, LinkType: match.LinkAndDedupe}
}

// BenchmarkDemoLinkageBeforeAfter links the demo population at 20,000
// and 50,000 persons with the old field set and with PersonFields (linkage
// only; about eight minutes; set ROLLCALL_BENCH_LINKSIZES=1).
func BenchmarkDemoLinkageBeforeAfter(b *testing.B) {
	if os.Getenv("ROLLCALL_BENCH_LINKSIZES") == "" {
		b.Skip("set ROLLCALL_BENCH_LINKSIZES=1 to link the 20k and 50k demo populations with both field sets")
	}
	for _, n := range []int{20000, 50000} {
		for _, which := range []string{"before", "after"} {
			b.Run(fmt.Sprint(n, which), func(b *testing.B) {
				for range b.N {
					ctx, st := openStore(b)
					must(b, refdata.Load(ctx, st))
					opts := link.Options{}
					if which == "before" {
						opts.Settings = beforePersonFields()
					}
					sum, err := loadLinked(ctx, st, n, opts)
					must(b, err)
					q := sum.Quality
					b.Logf("%d records: P %.4f R %.4f F1 %.4f, %d persons (true %d), largest %d (true %d), review %d (%.1f%%), %d of the first %d would change a person (%d by doubt alone)",
						q.Records, q.Precision, q.Recall, q.F1, q.Persons, q.TruePersons, q.Largest, q.LargestTrue, q.Review, 100*q.ReviewShare, q.WouldChange, q.Examined, q.WouldChangeByDoubt)
				}
			})
		}
	}
}
