package store

import (
	"context"
	"testing"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/textnorm"
)

// TestSearchIndexMatchesListQuery: the indexed search finds what the
// scanning Query of ListPersons/ListRecords finds, across scripts, and
// follows updates and deletes.
func TestSearchIndexMatchesListQuery(t *testing.T) {
	eachDB(t, Options{NameKeys: textnorm.NameKeys}, testSearchIndex)
}

func testSearchIndex(t *testing.T, st *Store) {
	ctx := rollcall.WithActor(context.Background(), rollcall.Actor{Name: "t", Role: rollcall.RoleSystem})
	src := &rollcall.Source{Key: "s", Kind: "testimony", Title: "S"}
	if err := st.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	names := []string{"김영희", "Kim Yong-hui", "Pak Chol-su", "박철수", "Ri Yong-chol", "이영철", "Kim Hak-kil"}
	for i, n := range names {
		if err := st.CreatePerson(ctx, &rollcall.Person{Name: n, Sensitivity: rollcall.Internal}); err != nil {
			t.Fatal(err)
		}
		if err := st.CreateRecord(ctx, &rollcall.Record{SourceID: src.ID, Key: string(rune('a' + i)), Name: n, Sensitivity: rollcall.Internal}); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{"Kim Young-hee", "김영희", "kim", "pak chol", "이영철", "Lee Young-chul", "hak", "nobody", "!!"} {
		ps, err := st.SearchPersons(ctx, q, 50)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		want, _, err := st.ListPersons(ctx, rollcall.ListOptions{Query: q, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		if got, exp := personNames(ps), personNames(want); got != exp {
			t.Errorf("persons %q: index %q, scan %q", q, got, exp)
		}
		rs, err := st.SearchRecords(ctx, q, 50)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != len(want) {
			t.Errorf("records %q: %d hits, persons %d", q, len(rs), len(want))
		}
	}
	// Updates and deletes reach the index.
	ps, _ := st.SearchPersons(ctx, "pak", 10)
	if len(ps) != 2 {
		t.Fatalf("pak: %d", len(ps))
	}
	p := ps[0]
	p.Name = "Choe Ok-sun"
	if err := st.UpdatePerson(ctx, &p); err != nil {
		t.Fatal(err)
	}
	if ps, _ := st.SearchPersons(ctx, "choe", 10); len(ps) != 1 || ps[0].ID != p.ID {
		t.Errorf("after update: %v", personNames(ps))
	}
	if err := st.DeletePerson(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if ps, _ := st.SearchPersons(ctx, "choe", 10); len(ps) != 0 {
		t.Errorf("after delete: %v", personNames(ps))
	}
}

func personNames(ps []rollcall.Person) string {
	s := ""
	for _, p := range ps {
		s += p.Name + ";"
	}
	return s
}
