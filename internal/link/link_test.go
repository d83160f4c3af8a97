package link

import (
	"context"
	"crypto/rand"
	"testing"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/demo/synth"
	"github.com/rollcall-project/rollcall/internal/keys"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/storetest"
)

// load puts a fictional synth population's sources and records into the
// real database db and returns the true person of each stored record id.
func load(t *testing.T, db storetest.DB, persons int) (context.Context, *store.Store, map[int64]synth.PersonID) {
	t.Helper()
	return loadWith(t, db, persons, store.Options{})
}

func loadWith(t *testing.T, db storetest.DB, persons int, opts store.Options) (context.Context, *store.Store, map[int64]synth.PersonID) {
	t.Helper()
	ctx := rollcall.WithActor(context.Background(), rollcall.Actor{Name: "test", Role: rollcall.RoleSystem})
	st := storetest.Open(t, store.Open, db.DSN, opts)
	ds, err := synth.Generate(synth.Options{Persons: persons, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	srcID := map[string]int64{}
	for _, s := range ds.Sources {
		s.Informant = nil // no key in this test: confidential fields stay out
		if err := st.CreateSource(ctx, &s); err != nil {
			t.Fatal(err)
		}
		srcID[s.Key] = s.ID
	}
	truth := map[int64]synth.PersonID{}
	for _, r := range ds.Records {
		rec := r.Record
		rec.SourceID, rec.PersonID, rec.FacilityID, rec.Testimony = srcID[r.Source], nil, nil, ""
		if err := st.CreateRecord(ctx, &rec); err != nil {
			t.Fatal(err)
		}
		truth[rec.ID] = ds.Truth[synth.RecordKey{Source: r.Source, Record: rec.Key}]
	}
	return ctx, st, truth
}

// pairF1 scores the stored record→person links against the truth.
func pairF1(t *testing.T, ctx context.Context, st *store.Store, truth map[int64]synth.PersonID) (prec, rec, f1 float64) {
	t.Helper()
	recs, _, err := st.ListRecords(ctx, rollcall.ListOptions{Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	var tp, fp, fn float64
	for i := range recs {
		for j := i + 1; j < len(recs); j++ {
			a, b := recs[i], recs[j]
			if a.PersonID == nil || b.PersonID == nil {
				t.Fatalf("record %d or %d has no person", a.ID, b.ID)
			}
			same := *a.PersonID == *b.PersonID
			real := truth[a.ID] == truth[b.ID]
			switch {
			case same && real:
				tp++
			case same:
				fp++
			case real:
				fn++
			}
		}
	}
	prec, rec = tp/(tp+fp), tp/(tp+fn)
	return prec, rec, 2 * prec * rec / (prec + rec)
}

func TestRunLinksRecordsIntoPersons(t *testing.T) { storetest.Run(t, testRunLinksRecordsIntoPersons) }

func testRunLinksRecordsIntoPersons(t *testing.T, db storetest.DB) {
	ctx, st, truth := load(t, db, 300)
	rep, err := Run(ctx, st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Records != len(truth) || rep.Created != rep.Persons {
		t.Errorf("first run: %+v", rep)
	}
	p, r, f1 := pairF1(t, ctx, st, truth)
	t.Logf("records %d persons %d (true 300 minus the unseen) precision %.4f recall %.4f F1 %.4f review %d",
		rep.Records, rep.Persons, p, r, f1, rep.Review)
	if f1 < 0.95 {
		t.Errorf("pairwise F1 %.4f < 0.95", f1)
	}

	// A second run over unchanged data changes nothing: ids are stable.
	again, err := Run(ctx, st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Created != 0 || again.RecordsMoved != 0 || again.Removed != 0 {
		t.Errorf("rerun changed the database: %+v", again)
	}
}

func TestRunHonoursHumanDecisions(t *testing.T) { storetest.Run(t, testRunHonoursHumanDecisions) }

func testRunHonoursHumanDecisions(t *testing.T, db storetest.DB) {
	ctx, st, _ := load(t, db, 120)
	if _, err := Run(ctx, st, Options{}); err != nil {
		t.Fatal(err)
	}
	recs, _, err := st.ListRecords(ctx, rollcall.ListOptions{Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	// Two records of different persons: a human says they are the same.
	var a, b rollcall.Record
	for _, r := range recs[1:] {
		if *r.PersonID != *recs[0].PersonID {
			a, b = recs[0], r
			break
		}
	}
	if err := st.AddLinkDecision(ctx, a.ID, b.ID, true, "reviewer", "same scar described"); err != nil {
		t.Fatal(err)
	}
	// Two records of one person (if any): a human says they differ.
	var c, d rollcall.Record
	byPerson := map[int64]rollcall.Record{}
	for _, r := range recs {
		if r.ID == a.ID || r.ID == b.ID {
			continue
		}
		if o, ok := byPerson[*r.PersonID]; ok {
			c, d = o, r
			break
		}
		byPerson[*r.PersonID] = r
	}
	if c.ID == 0 {
		t.Fatal("no person with two records in the test data")
	}
	if err := st.AddLinkDecision(ctx, c.ID, d.ID, false, "reviewer", "different fathers"); err != nil {
		t.Fatal(err)
	}
	rep, err := Run(ctx, st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.DecisionsKept != 2 {
		t.Errorf("decisions honoured %d, want 2", rep.DecisionsKept)
	}
	get := func(id int64) int64 {
		r, err := st.GetRecord(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return *r.PersonID
	}
	if get(a.ID) != get(b.ID) {
		t.Errorf("must-link records %d and %d are in persons %d and %d", a.ID, b.ID, get(a.ID), get(b.ID))
	}
	if get(c.ID) == get(d.ID) {
		t.Errorf("cannot-link records %d and %d share person %d", c.ID, d.ID, get(c.ID))
	}
}

// TestRelinkKeepsRowHashes (issue 12 finding 4): linking, relinking after
// human decisions (records move, persons are updated and removed) leave no
// row that audit verify would call edited behind the program's back.
func TestRelinkKeepsRowHashes(t *testing.T) { storetest.Run(t, testRelinkKeepsRowHashes) }

func testRelinkKeepsRowHashes(t *testing.T, db storetest.DB) {
	ix, dk := make([]byte, keys.KeySize), make([]byte, keys.KeySize)
	rand.Read(ix)
	rand.Read(dk)
	c, err := keys.NewCipher(1, map[byte][]byte{1: dk}, ix)
	if err != nil {
		t.Fatal(err)
	}
	ctx, st, _ := loadWith(t, db, 120, store.Options{Cipher: c})
	if _, err := st.SealRows(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(ctx, st, Options{}); err != nil {
		t.Fatal(err)
	}
	recs, _, err := st.ListRecords(ctx, rollcall.ListOptions{Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	// Split every person with two records or more: the rerun moves records
	// and creates persons.
	seen := map[int64]int64{}
	splits := 0
	for _, r := range recs {
		if o, ok := seen[*r.PersonID]; ok {
			if err := st.AddLinkDecision(ctx, o, r.ID, false, "reviewer", "differ"); err != nil {
				t.Fatal(err)
			}
			splits++
			continue
		}
		seen[*r.PersonID] = r.ID
	}
	// And join two persons: one of them loses its records and goes.
	if err := st.AddLinkDecision(ctx, recs[0].ID, recs[len(recs)-1].ID, true, "reviewer", "same"); err != nil {
		t.Fatal(err)
	}
	rep, err := Run(ctx, st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.RecordsMoved == 0 || splits == 0 {
		t.Fatalf("the rerun moved nothing: %+v", rep)
	}
	rows, err := st.VerifyRows(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows.Findings) > 0 || len(rows.Unkeyed) > 0 || rows.Rows < int64(len(recs)) {
		t.Fatalf("after relinking: %d rows, findings %+v, unkeyed %v", rows.Rows, rows.Findings, rows.Unkeyed)
	}
}

// TestResolvePersonTies: the person's values follow the attribute rule,
// ties going to the earliest record. With the old "first to reach the top
// count" mode the second record's name and province won here.
func TestResolvePersonTies(t *testing.T) {
	recs := []rollcall.Record{
		{Name: "Kim Yong-hui", Province: "Ryanggang", Sex: "f", Sensitivity: rollcall.Public},
		{Name: "Kim Young-hee", Province: "Hamgyong", Sex: "f", Sensitivity: rollcall.Confidential},
		{Name: "Kim Young-hee", Province: "Hamgyong", Sensitivity: rollcall.Internal},
		{Name: "Kim Yong-hui", Province: "Ryanggang", Sex: "m", Sensitivity: rollcall.Public},
	}
	p := resolvePerson(recs)
	if p.Name != "Kim Yong-hui" || p.Province != "Ryanggang" || p.Sex != "f" || p.Sensitivity != rollcall.Confidential {
		t.Errorf("resolvePerson = name %q province %q sex %q sensitivity %q", p.Name, p.Province, p.Sex, p.Sensitivity)
	}
}
