package refdata

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/storetest"
)

// tableDump renders every row of the tables Load writes and of the audit
// log, so that two states of the database can be compared.
func tableDump(t *testing.T, st *store.Store) string {
	t.Helper()
	var b strings.Builder
	for _, tb := range []string{"facilities", "terms", "published_estimates", "amnesty_decrees", "audit_log"} {
		rows, err := st.DB().Query(fmt.Sprintf("SELECT * FROM %s ORDER BY 1, 2", tb))
		if err != nil {
			t.Fatalf("%s: %v", tb, err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		n := 0
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s %v\n", tb, vals)
			n++
		}
		rows.Close()
		if n == 0 && tb != "audit_log" {
			t.Errorf("Load wrote no %s", tb)
		}
	}
	return b.String()
}

func TestLoadIdempotent(t *testing.T) { storetest.Run(t, testLoadIdempotent) }

func testLoadIdempotent(t *testing.T, db storetest.DB) {
	ctx := rollcall.WithActor(context.Background(), rollcall.Actor{Name: "test", Role: rollcall.RoleSystem})
	st := storetest.Open(t, store.Open, db.DSN, store.Options{})
	if err := Load(ctx, st); err != nil {
		t.Fatal(err)
	}
	first := tableDump(t, st)
	if err := Load(ctx, st); err != nil {
		t.Fatal(err)
	}
	if second := tableDump(t, st); second != first {
		t.Error("loading the reference data twice changed the database")
	}
	d, err := st.DecreeByKey(ctx, "kp-amnesty-2015")
	if err != nil {
		t.Fatal(err)
	}
	if d.Rule == "" || d.Effective.String() != "2015-08-01" {
		t.Errorf("2015 decree read back as %+v", d)
	}
	f, err := st.FacilityByKey(ctx, "kwanliso-16")
	if err != nil {
		t.Fatal(err)
	}
	if f.Lat == nil || *f.Lat != 41.314103 || len(f.Aliases) == 0 {
		t.Errorf("Camp 16 read back as %+v", f)
	}
	terms, err := st.Terms(ctx, rollcall.VocabChargeCat)
	if err != nil || len(terms) == 0 {
		t.Errorf("charge categories: %v, %v", terms, err)
	}
	// A changed fact is updated in place, not duplicated.
	f.Status = "test status"
	if err := st.UpdateFacility(ctx, f); err != nil {
		t.Fatal(err)
	}
	if err := Load(ctx, st); err != nil {
		t.Fatal(err)
	}
	f2, _ := st.FacilityByKey(ctx, "kwanliso-16")
	if f2.Status != "operating" || f2.ID != f.ID {
		t.Errorf("reload did not restore the status in place: %+v", f2)
	}
}
