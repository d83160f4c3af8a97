package store

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/rollcall-project/rollcall"
)

// TestListTotals: list reports the total without a COUNT when the page
// shows the end of the list; every page position must still give the
// number of rows created, including pages past the end.
func TestListTotals(t *testing.T) {
	eachDB(t, Options{}, func(t *testing.T, st *Store) {
		ctx := ctxAs(rollcall.Actor{Name: "t", Role: rollcall.RoleSystem})
		const n = 7
		for i := range n {
			mkSource(t, st, fmt.Sprintf("src-%d", i))
		}
		for _, tc := range []struct {
			limit, offset, rows int
		}{
			{0, 0, n},   // default limit, not full
			{3, 0, 3},   // full first page: counted
			{3, 3, 3},   // full middle page
			{3, 6, 1},   // last, partial page
			{7, 0, 7},   // exactly full
			{8, 0, 7},   // larger than the list
			{3, 7, 0},   // just past the end
			{3, 50, 0},  // far past the end
			{-1, 0, n},  // every row
			{-1, 4, 3},  // every row from an offset
			{-1, 9, 0},  // every row, past the end
			{1, -5, 1},  // a negative offset is 0
			{100, 6, 1}, // partial page from an offset
		} {
			got, total, err := st.ListSources(ctx, rollcall.ListOptions{Limit: tc.limit, Offset: tc.offset})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.rows || total != n {
				t.Errorf("limit %d offset %d: %d rows of %d, want %d of %d", tc.limit, tc.offset, len(got), total, tc.rows, n)
			}
		}
		// With a filter the total is the filtered one, counted or not.
		for _, limit := range []int{1, 2, 10} {
			got, total, err := st.ListSources(ctx, rollcall.ListOptions{Query: "src-1", Limit: limit})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || total != 1 {
				t.Errorf("query, limit %d: %d rows of %d, want 1 of 1", limit, len(got), total)
			}
		}
	})
}

// TestQueryIsLiteral: the substring search treats %, _ and \ as
// themselves (it did as an escaped LIKE, and does as instr/strpos), and
// folds ASCII case.
func TestQueryIsLiteral(t *testing.T) {
	eachDB(t, Options{}, func(t *testing.T, st *Store) {
		ctx := ctxAs(rollcall.Actor{Name: "t", Role: rollcall.RoleSystem})
		for i, title := range []string{"100% Sure", "under_score", `back\slash`, "Plain Title"} {
			s := newSource(st, fmt.Sprintf("k%d", i))
			s.Title = title
			if err := st.CreateSource(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		for q, want := range map[string]int{"%": 1, "_": 1, `\`: 1, "0% s": 1, "PLAIN": 1, "title": 1, "%%": 0, "e": 3, "x": 0} {
			got, total, err := st.ListSources(ctx, rollcall.ListOptions{Query: q})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != want || total != want {
				t.Errorf("query %q: %d hits (total %d), want %d", q, len(got), total, want)
			}
		}
	})
}

// TestStmtCache: cached statements give the same answers and errors as
// direct queries, from many goroutines, beyond the cache bound, and the
// store still closes cleanly.
func TestStmtCache(t *testing.T) {
	eachDB(t, Options{}, func(t *testing.T, st *Store) {
		ctx := ctxAs(rollcall.Actor{Name: "t", Role: rollcall.RoleSystem})
		src := mkSource(t, st, "only")
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for g := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 50 {
					got, err := st.GetSource(ctx, src.ID)
					if err != nil || got.Key != "only" {
						errs <- fmt.Errorf("goroutine %d, %d: %v %v", g, i, got, err)
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		// More distinct texts than the cache holds all still run.
		for i := range maxCachedStmts + 20 {
			var v int
			if err := st.q.QueryRowContext(ctx, fmt.Sprintf("SELECT %d", i)).Scan(&v); err != nil || v != i {
				t.Fatalf("SELECT %d: %d, %v", i, v, err)
			}
		}
		// A text that does not prepare fails as it would uncached, twice.
		for range 2 {
			if _, err := st.q.QueryContext(ctx, "SELECT nonsense FROM nowhere"); err == nil {
				t.Fatal("a bad query succeeded")
			}
		}
		if _, err := st.GetSource(ctx, src.ID+1000); rollcall.ErrorCode(err) != rollcall.ENOTFOUND {
			t.Errorf("missing source: %v", err)
		}
	})
}

// TestOptimizeSearchIndex: merging the full-text index changes no search
// result, and leaves one segment per index on SQLite.
func TestOptimizeSearchIndex(t *testing.T) {
	eachDB(t, Options{}, func(t *testing.T, st *Store) {
		ctx := ctxAs(rollcall.Actor{Name: "t", Role: rollcall.RoleSystem})
		src := mkSource(t, st, "s")
		names := []string{"김영희", "Kim Yong-hui", "Pak Chol-su", "박철수", "Ri Yong-chol", "이영철", "Kim Hak-kil"}
		// One transaction per row, so SQLite's index gets several segments.
		for round := range 3 {
			for i, n := range names {
				if err := st.CreatePerson(ctx, &rollcall.Person{Name: n, Sensitivity: rollcall.Internal}); err != nil {
					t.Fatal(err)
				}
				if err := st.CreateRecord(ctx, &rollcall.Record{SourceID: src.ID, Key: fmt.Sprintf("%d-%d", round, i), Name: n, Sensitivity: rollcall.Internal}); err != nil {
					t.Fatal(err)
				}
			}
		}
		queries := []string{"Kim Young-hee", "김영희", "kim", "pak chol", "이영철", "hak", "nobody"}
		search := func() string {
			out := ""
			for _, q := range queries {
				ps, err := st.SearchPersons(ctx, q, 50)
				if err != nil {
					t.Fatal(err)
				}
				rs, err := st.SearchRecords(ctx, q, 50)
				if err != nil {
					t.Fatal(err)
				}
				out += fmt.Sprintf("%s: %s %d|", q, personNames(ps), len(rs))
			}
			return out
		}
		before := search()
		if st.Dialect() == SQLite && segments(t, st, "persons_fts") < 2 {
			t.Fatal("the test meant to build several index segments")
		}
		if err := st.OptimizeSearchIndex(ctx); err != nil {
			t.Fatal(err)
		}
		if after := search(); after != before {
			t.Errorf("results changed:\nbefore %s\nafter  %s", before, after)
		}
		if st.Dialect() == SQLite {
			for _, tab := range []string{"persons_fts", "records_fts"} {
				if n := segments(t, st, tab); n != 1 {
					t.Errorf("%s: %d segments after optimize", tab, n)
				}
			}
		}
	})
}

func segments(t *testing.T, st *Store, fts string) int {
	t.Helper()
	var n int
	if err := st.DB().QueryRowContext(context.Background(), `SELECT count(DISTINCT segid) FROM `+fts+`_idx`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestMatchExpr: tokens shared by every alternative are factored out of
// the full-text expression (a AND b) OR (a AND c) = a AND (b OR c), and an
// alternative that is the shared part alone makes the others redundant.
func TestMatchExpr(t *testing.T) {
	keys := map[string][]string{
		"kim yongjin": {"kim yogcin"},
		"김용진":         {"kim yogcin"},
		"kim":         {"gim"},
		"pak pak":     {"pak"},
		"ri yong":     {"ri", "ri yong"},
	}
	nk := func(q string) []string { return keys[q] }
	for _, tc := range []struct{ q, sqlite, pg string }{
		{"kim yongjin", `("kim"*) AND (("yongjin"*) OR ("yogcin"*))`, `(kim:*) & ((yongjin:*) | (yogcin:*))`},
		{"김용진", `("김용진"*) OR ("kim"* AND "yogcin"*)`, `(김용진:*) | (kim:* & yogcin:*)`},
		{"kim", `("kim"*) OR ("gim"*)`, `(kim:*) | (gim:*)`},
		{"pak pak", `("pak"*)`, `(pak:*)`},
		{"ri yong", `("ri"* AND "yong"*)`, `(ri:* & yong:*)`},
		{"solo", `("solo"*)`, `(solo:*)`},
	} {
		for _, d := range []struct{ dialect, want string }{{SQLite, tc.sqlite}, {Postgres, tc.pg}} {
			st := &Store{dialect: d.dialect, nameKeys: nk}
			got, ok := st.matchExpr(tc.q)
			if !ok || got != d.want {
				t.Errorf("%s %q: %q (%v), want %q", d.dialect, tc.q, got, ok, d.want)
			}
		}
	}
	if _, ok := (&Store{dialect: SQLite}).matchExpr(" !! "); ok {
		t.Error("a query without words gave an expression")
	}
}
