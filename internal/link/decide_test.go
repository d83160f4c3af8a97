package link

import (
	"context"
	"math"
	"testing"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/link/match"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/storetest"
)

func TestDecideRescoresTheNeighbourhood(t *testing.T) {
	storetest.Run(t, testDecideRescoresTheNeighbourhood)
}

func testDecideRescoresTheNeighbourhood(t *testing.T, db storetest.DB) {
	ctx := rollcall.WithActor(context.Background(), rollcall.Actor{Name: "test", Role: rollcall.RoleSystem})
	st := storetest.Open(t, store.Open, db.DSN, store.Options{})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	src := &rollcall.Source{Key: "list", Kind: "testimony", Title: "Fictional list", Date: rollcall.MustDate("2014-03"),
		Reliability: "B", Credibility: 2, Sensitivity: rollcall.Internal, Fictional: true}
	must(st.CreateSource(ctx, src))
	// Persons P1 = {r1, r2}, P2 = {r3}, P3 = {r4, r5}.
	names := []string{"Kim Yong-ho", "김용호", "Kim Yongho", "Pak Chol", "박철"}
	r := make([]int64, len(names))
	for i, n := range names {
		rec := rollcall.Record{SourceID: src.ID, Key: n, Name: n, Sensitivity: rollcall.Internal, Fictional: true}
		must(st.CreateRecord(ctx, &rec))
		r[i] = rec.ID
	}
	person := func(recs ...int64) int64 {
		p := rollcall.Person{Name: names[0], Fictional: true, Sensitivity: rollcall.Internal}
		must(st.CreatePerson(ctx, &p))
		for _, id := range recs {
			must(st.SetRecordPerson(ctx, id, &p.ID))
		}
		return p.ID
	}
	p1, p2 := person(r[0], r[1]), person(r[2])
	person(r[3], r[4])
	must(st.ReplaceReviewQueue(ctx, []store.ReviewPair{
		{RecordA: r[0], RecordB: r[2], Probability: 0.5},  // decided first
		{RecordA: r[1], RecordB: r[2], Probability: 0.45}, // P1–P2: settled by it
		{RecordA: r[2], RecordB: r[3], Probability: 0.6},  // P2–P3: rescored
		{RecordA: r[0], RecordB: r[3], Probability: 0.3},  // P1–P3: rescored
		{RecordA: r[3], RecordB: r[4], Probability: 0.4},  // inside P3: not in the neighbourhood
	}))
	worth := func() map[[2]int64]float64 {
		q, _, err := st.ReviewQueue(ctx, 0, 0)
		must(err)
		m := map[[2]int64]float64{}
		for _, p := range q {
			m[[2]int64{p.RecordA, p.RecordB}] = p.Worth
		}
		return m
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

	got, err := Decide(ctx, st, Decision{RecordA: r[2], RecordB: r[0], Same: true, Note: "same camp"})
	must(err)
	if !got.Merged || got.Settled != 1 || got.Rescored != 2 {
		t.Fatalf("same: %+v", got)
	}
	if got.Person != p1 {
		t.Errorf("the larger person %d should keep its id, got %d", p1, got.Person)
	}
	recs, err := st.RecordsOfPerson(ctx, p1)
	must(err)
	if len(recs) != 3 {
		t.Errorf("person %d holds %d records, want 3", p1, len(recs))
	}
	if _, err := st.GetPerson(ctx, p2); rollcall.ErrorCode(err) != rollcall.ENOTFOUND {
		t.Errorf("emptied person %d: %v", p2, err)
	}
	w := worth()
	want := map[[2]int64]float64{
		{r[2], r[3]}: match.ReviewWorth(0.6, 5), // three records of P1 and two of P3
		{r[0], r[3]}: match.ReviewWorth(0.3, 5),
		{r[3], r[4]}: 0,
	}
	if len(w) != len(want) {
		t.Errorf("queue %v, want %v", w, want)
	}
	for k, v := range want {
		if g, ok := w[k]; !ok || !near(g, v) {
			t.Errorf("worth of %v: %v (queued %t), want %v", k, g, ok, v)
		}
	}

	// Different: the pairs between the two persons are settled, the
	// other pairs of the neighbourhood rescored.
	got, err = Decide(ctx, st, Decision{RecordA: r[2], RecordB: r[3], Same: false, By: "reviewer"})
	must(err)
	if got.Merged || got.Person != p1 || got.Settled != 1 || got.Rescored != 1 {
		t.Fatalf("different: %+v", got)
	}
	w = worth()
	if len(w) != 1 || !near(w[[2]int64{r[3], r[4]}], match.ReviewWorth(0.4, 2)) {
		t.Errorf("queue after different: %v", w)
	}
	ds, err := st.LinkDecisions(ctx)
	must(err)
	if len(ds) != 2 || !ds[0].Same || ds[0].By != "test" || ds[1].Same || ds[1].By != "reviewer" {
		t.Errorf("decisions: %+v", ds)
	}
	if _, err := Decide(ctx, st, Decision{RecordA: r[0], RecordB: r[0], Same: true}); rollcall.ErrorCode(err) != rollcall.EINVALID {
		t.Errorf("one record twice: %v", err)
	}
}
