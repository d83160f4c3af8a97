package estimate

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/estimate/mse"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/storetest"
)

// koreaCounts is the 3-list "comfort women" table (MultipleSystemsEstimation
// `Korea`, Ball, Shin & Yang 2018), by pattern over lists b, c, d.
var koreaCounts = map[[3]bool]int{
	{true, false, false}: 5, {false, true, false}: 5, {true, true, false}: 54,
	{false, false, true}: 41, {true, false, true}: 6, {false, true, true}: 0,
	{true, true, true}: 12,
}

// seed fills a real store with one source per list and one person
// per individual of the table, each with a record in every list that saw
// them; sex alternates so the data can be stratified.
func seed(t *testing.T, ctx context.Context, st *store.Store) { seedAs(t, ctx, st, true) }

// seedAs is seed with the persons and records marked fictional or not (a
// test of the FICTIONAL mark needs unmarked rows; their names are still
// invented).
func seedAs(t *testing.T, ctx context.Context, st *store.Store, fictional bool) {
	t.Helper()
	var srcIDs [3]int64
	for i, key := range []string{"b", "c", "d"} {
		s := &rollcall.Source{Key: key, Kind: "list", Title: "fictional list " + key, Sensitivity: rollcall.Internal, Fictional: fictional}
		if err := st.CreateSource(ctx, s); err != nil {
			t.Fatal(err)
		}
		srcIDs[i] = s.ID
	}
	n := 0
	for pattern, count := range koreaCounts {
		for range count {
			n++
			sex := "f"
			if n%3 == 0 {
				sex = "m"
			}
			p := &rollcall.Person{Name: fmt.Sprintf("Fictional Person %d", n), Sex: sex, Sensitivity: rollcall.Internal, Fictional: fictional}
			if err := st.CreatePerson(ctx, p); err != nil {
				t.Fatal(err)
			}
			for j, on := range pattern {
				if !on {
					continue
				}
				r := &rollcall.Record{SourceID: srcIDs[j], Key: fmt.Sprint(n), Name: p.Name, Sex: sex, Sensitivity: rollcall.Internal, Fictional: fictional}
				if err := st.CreateRecord(ctx, r); err != nil {
					t.Fatal(err)
				}
				if err := st.SetRecordPerson(ctx, r.ID, &p.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

func openStore(t *testing.T, db storetest.DB) (context.Context, *store.Store) {
	ctx := rollcall.WithActor(context.Background(), rollcall.Actor{Name: "test", Role: rollcall.RoleSystem})
	return ctx, storetest.Open(t, store.Open, db.DSN, store.Options{})
}

func TestRunMatchesTableEstimate(t *testing.T) { storetest.Run(t, testRunMatchesTableEstimate) }

func testRunMatchesTableEstimate(t *testing.T, db storetest.DB) {
	ctx, st := openStore(t, db)
	seed(t, ctx, st)

	// The same table built by hand, independently of the store.
	want, _ := mse.NewTable([]string{"b", "c", "d"})
	for p, c := range koreaCounts {
		var bits uint32
		for j, on := range p {
			if on {
				bits |= 1 << j
			}
		}
		want.Add(bits, c)
	}
	wantRes, err := mse.LogLinear(ctx, want, mse.LogLinearOptions{})
	if err != nil {
		t.Fatal(err)
	}

	out, err := Run(ctx, st, Options{Method: mse.MethodLogLinear, Save: true})
	if err != nil {
		t.Fatal(err)
	}
	if out.Result.Observed != 123 {
		t.Errorf("observed %d, want 123", out.Result.Observed)
	}
	if out.Result.Model != wantRes.Model || math.Abs(out.Result.Estimate-wantRes.Estimate) > 1e-9 {
		t.Errorf("got %s %.3f, want %s %.3f", out.Result.Model, out.Result.Estimate, wantRes.Model, wantRes.Estimate)
	}
	// Published BIC-best model for these data: [12][23], N̂ 157.2 (mse-reference.md).
	if out.Result.Model != "[12][23]" || math.Abs(out.Result.Estimate-157.2) > 0.5 {
		t.Errorf("got %s %.1f, want [12][23] 157.2", out.Result.Model, out.Result.Estimate)
	}
	saved, err := st.ListEstimates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(saved) != 1 || saved[0].InputHash != out.InputHash || saved[0].Model != "[12][23]" || saved[0].ParamsJSON == "" {
		t.Fatalf("saved %+v", saved)
	}

	// The hash names the table: the same data give the same hash, a change a new one.
	again, err := Run(ctx, st, Options{Method: mse.MethodChao})
	if err != nil {
		t.Fatal(err)
	}
	if again.InputHash != out.InputHash {
		t.Errorf("hash changed without a data change")
	}
	extra := &rollcall.Person{Name: "Fictional Extra", Sensitivity: rollcall.Internal, Fictional: true}
	if err := st.CreatePerson(ctx, extra); err != nil {
		t.Fatal(err)
	}
	src, _ := st.SourceByKey(ctx, "b")
	r := &rollcall.Record{SourceID: src.ID, Key: "extra", Name: extra.Name, Sensitivity: rollcall.Internal, Fictional: true}
	if err := st.CreateRecord(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := st.SetRecordPerson(ctx, r.ID, &extra.ID); err != nil {
		t.Fatal(err)
	}
	changed, err := Run(ctx, st, Options{Method: mse.MethodChao})
	if err != nil {
		t.Fatal(err)
	}
	if changed.InputHash == out.InputHash || changed.Result.Observed != 124 {
		t.Errorf("after adding a person: hash same=%v observed %d", changed.InputHash == out.InputHash, changed.Result.Observed)
	}
}

func TestRunStratifiedAndGrouped(t *testing.T) { storetest.Run(t, testRunStratifiedAndGrouped) }

func testRunStratifiedAndGrouped(t *testing.T, db storetest.DB) {
	ctx, st := openStore(t, db)
	seed(t, ctx, st)
	out, err := Run(ctx, st, Options{Method: mse.MethodChao, By: Strata{"sex"}, Save: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Result.Strata) != 2 {
		t.Fatalf("strata %d, want 2 (f, m)", len(out.Result.Strata))
	}
	sum := 0
	for _, s := range out.Result.Strata {
		sum += s.Result.Observed
	}
	if sum != 123 {
		t.Errorf("strata observe %d, want 123", sum)
	}
	saved, _ := st.ListEstimates(ctx)
	if len(saved) != 3 {
		t.Errorf("saved %d rows, want overall + 2 strata", len(saved))
	}
	// Grouping b and c into one list leaves two lists.
	g, err := Run(ctx, st, Options{Method: mse.MethodChao, Groups: map[string]string{"b": "bc", "c": "bc"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Lists) != 2 || g.Grouping != "groups" {
		t.Errorf("lists %v grouping %s", g.Lists, g.Grouping)
	}
	// All three sources are of kind "list": grouping by kind leaves one list, too few.
	if _, err := Run(ctx, st, Options{Method: mse.MethodChao, Lists: "kind"}); rollcall.ErrorCode(err) != rollcall.EINVALID {
		t.Errorf("one list: got %v, want EINVALID", err)
	}
}

func TestRunNeedsLinkedPersons(t *testing.T) { storetest.Run(t, testRunNeedsLinkedPersons) }

func testRunNeedsLinkedPersons(t *testing.T, db storetest.DB) {
	ctx, st := openStore(t, db)
	if _, err := Run(ctx, st, Options{Method: mse.MethodChao}); rollcall.ErrorCode(err) != rollcall.EINVALID {
		t.Errorf("empty database: got %v, want EINVALID", err)
	}
}

// TestRunMarksFictional: a result computed on fictional persons is stored
// with the FICTIONAL mark, one fictional record among unmarked ones is
// enough, and a result on unmarked data is never marked.
func TestRunMarksFictional(t *testing.T) { storetest.Run(t, testRunMarksFictional) }

func testRunMarksFictional(t *testing.T, db storetest.DB) {
	ctx, st := openStore(t, db)
	seedAs(t, ctx, st, false)
	out, err := Run(ctx, st, Options{Method: mse.MethodChao, By: Strata{"sex"}, Save: true})
	if err != nil {
		t.Fatal(err)
	}
	saved, err := st.ListEstimates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if out.Fictional || len(saved) == 0 {
		t.Fatalf("unmarked data: outcome fictional %v, %d saved", out.Fictional, len(saved))
	}
	for _, e := range saved {
		if e.Fictional {
			t.Errorf("unmarked data gave a fictional estimate: %+v", e)
		}
	}
	// One record marked fictional makes the next result fictional, in
	// every stratum row it stores.
	recs, _, err := st.ListRecords(ctx, rollcall.ListOptions{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	r, err := st.GetRecord(ctx, recs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	r.Fictional = true
	if err := st.UpdateRecord(ctx, r); err != nil {
		t.Fatal(err)
	}
	if out, err = Run(ctx, st, Options{Method: mse.MethodChao, By: Strata{"sex"}, Save: true}); err != nil {
		t.Fatal(err)
	}
	after, err := st.ListEstimates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !out.Fictional || len(after) != 2*len(saved) {
		t.Fatalf("one fictional record: outcome fictional %v, %d saved", out.Fictional, len(after))
	}
	for _, e := range after[len(saved):] {
		if !e.Fictional {
			t.Errorf("estimate %d (%s) on fictional data is not marked", e.ID, e.Stratum)
		}
	}
}
