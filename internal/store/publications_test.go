package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/storetest"
)

// Publications round-trip, numbers are unique, and a database migrated
// past 00060 without it (its branch merged after a
// higher-numbered one) gets it on the next open, out of order.
func TestPublicationsStoredAndMigratedOutOfOrder(t *testing.T) {
	ctx := rollcall.WithActor(context.Background(), rollcall.Actor{Name: "t", Role: rollcall.RoleSystem})
	storetest.Run(t, func(t *testing.T, tdb storetest.DB) {
		st := storetest.Open(t, store.Open, tdb.DSN, store.Options{})
		sum := strings.Repeat("ab", 32)
		p := &store.Publication{Number: 1, Format: "f", K: 5, SHA256: sum, Cells: []store.PublishedCell{{Table: "t", Value: "v", Count: 7}}}
		entry, err := st.SavePublication(ctx, p, "d")
		if err != nil || entry.Action != store.PublicationAction || entry.EntityID != 1 {
			t.Fatalf("save: %+v, %v", entry, err)
		}
		cells, err := st.PublishedCells(ctx)
		if err != nil || len(cells) != 1 || cells[0] != (store.PublishedCell{Publication: 1, Table: "t", Value: "v", Count: 7}) {
			t.Fatalf("cells %+v, %v", cells, err)
		}
		// One number, one publication.
		if _, err := st.SavePublication(ctx, &store.Publication{Number: 1, Format: "f", K: 5, SHA256: sum}, "d"); rollcall.ErrorCode(err) != rollcall.ECONFLICT {
			t.Fatalf("second publication 1: %v", err)
		}
		for _, q := range []string{`DROP TABLE publication_cells`, `DROP TABLE publications`, `DELETE FROM goose_db_version WHERE version_id = 60`} {
			if _, err := st.DB().ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		st.Close()
		st = storetest.Open(t, store.Open, tdb.DSN, store.Options{})
		if _, err := st.Publications(ctx); err != nil {
			t.Fatalf("00060 not applied again: %v", err)
		}
	})
}
