package store

import (
	"context"
	"errors"
	"testing"

	"github.com/rollcall-project/rollcall"
)

// TestBulkRead: confidential reads under BeginBulkRead are not audited one
// by one but in one entry with the counts, written by EndBulkRead (also
// inside a transaction); without it each read is its own entry, as before
// (issue 12, finding 6: "a re-import that changes nothing writes 300,000
// read_confidential audit entries").
func TestBulkRead(t *testing.T) {
	eachDB(t, Options{Cipher: newTestCipher(t)}, func(t *testing.T, st *Store) {
		ed := ctxAs(editor)
		s := newSource(st, "s")
		s.Informant = &rollcall.Informant{Name: "Informant"}
		must(t, st.CreateSource(ed, s))
		for _, k := range []string{"1", "2", "3"} {
			must(t, st.CreateRecord(ed, &rollcall.Record{SourceID: s.ID, Key: k, Name: "N", Testimony: "words " + k}))
		}
		readAll := func(ctx context.Context) {
			for _, k := range []string{"1", "2", "3"} {
				r, err := st.RecordByKey(ctx, s.ID, k)
				must(t, err)
				if r.Testimony != "words "+k {
					t.Fatalf("testimony %q", r.Testimony)
				}
			}
			_, err := st.SourceByKey(ctx, "s")
			must(t, err)
		}

		before := auditLen(t, st)
		readAll(ed)
		if n := auditLen(t, st) - before; n != 4 {
			t.Fatalf("%d entries for 4 reads one by one, want 4", n)
		}

		before = auditLen(t, st)
		ctx, bulk := BeginBulkRead(ed, "test")
		readAll(ctx)
		readAll(ctx)
		if n := auditLen(t, st) - before; n != 0 || bulk.Count() != 8 {
			t.Fatalf("%d entries during the bulk read (count %d), want 0 and 8", n, bulk.Count())
		}
		must(t, st.EndBulkRead(ctx, bulk))
		entries, err := st.AuditEntries(ed, int64(before), 0)
		must(t, err)
		if len(entries) != 1 || entries[0].Action != ActionReadConfidential || entries[0].Entity != "bulk" ||
			entries[0].Detail != "op=test record.testimony=6 source.informant=2" || entries[0].Actor != "ed" {
			t.Fatalf("bulk read audited as %+v", entries)
		}

		// Inside a transaction the entry commits with it; after a rollback
		// the caller logs again outside.
		before = auditLen(t, st)
		ctx, bulk = BeginBulkRead(ed, "tx")
		boom := errors.New("boom")
		err = st.InTx(ctx, func(tx *Store) error {
			if _, err := tx.RecordByKey(ctx, s.ID, "1"); err != nil {
				return err
			}
			must(t, tx.EndBulkRead(ctx, bulk))
			return boom
		})
		if !errors.Is(err, boom) || auditLen(t, st) != before {
			t.Fatalf("rolled back: %v, %d new entries", err, auditLen(t, st)-before)
		}
		must(t, st.EndBulkRead(ctx, bulk))
		if auditLen(t, st) != before+1 {
			t.Fatal("the bulk read after a rollback was not logged")
		}

		// Nothing read, nothing logged.
		before = auditLen(t, st)
		ctx, bulk = BeginBulkRead(ed, "none")
		must(t, st.EndBulkRead(ctx, bulk))
		if auditLen(t, st) != before {
			t.Fatal("an empty bulk read was logged")
		}
	})
}
