package ingest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/storetest"
	"github.com/rollcall-project/rollcall/internal/textnorm"
)

// eachDB runs f against a fresh SQLite file and, when
// ROLLCALL_TEST_POSTGRES holds a URL, a fresh schema on that server.
func eachDB(t *testing.T, f func(t *testing.T, st *store.Store)) {
	storetest.Run(t, func(t *testing.T, db storetest.DB) {
		f(t, storetest.Open(t, store.Open, db.DSN, store.Options{NameKeys: textnorm.NameKeys}))
	})
}

// dump renders every row of every table, in a stable order, so that two
// states of a database can be compared whole.
func dump(t *testing.T, st *store.Store) string {
	t.Helper()
	ctx := context.Background()
	db := st.DB()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`
	if st.Dialect() == store.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	if len(tables) < 5 {
		t.Fatalf("only tables %v", tables)
	}
	var b strings.Builder
	for _, tb := range tables {
		r, err := db.QueryContext(ctx, fmt.Sprintf(`SELECT * FROM %q ORDER BY 1`, tb))
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := r.Columns()
		fmt.Fprintf(&b, "== %s %v\n", tb, cols)
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for r.Next() {
			if err := r.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				fmt.Fprintf(&b, "%v|", v)
			}
			b.WriteByte('\n')
		}
		r.Close()
	}
	return b.String()
}
