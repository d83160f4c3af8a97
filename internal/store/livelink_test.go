package store

import (
	"sync"
	"testing"
	"time"

	"github.com/rollcall-project/rollcall"
)

// TestRecordWritesQueueLinkage: creating, importing, changing and deleting
// a record queue it for live linkage in the same transaction; a write that
// comes after a linker read the queue keeps the record queued.
func TestRecordWritesQueueLinkage(t *testing.T) {
	eachDB(t, Options{}, func(t *testing.T, st *Store) {
		ctx := ctxAs(editor)
		src := rollcall.Source{Key: "s", Kind: "testimony", Title: "t", Sensitivity: rollcall.Internal}
		must(t, st.CreateSource(ctx, &src))
		rec := rollcall.Record{SourceID: src.ID, Name: "박순옥", Sex: "f", Sensitivity: rollcall.Internal}
		must(t, st.CreateRecord(ctx, &rec))
		imp := []rollcall.Record{{SourceID: src.ID, Name: "Pak Sun-ok", Sensitivity: rollcall.Internal}, {SourceID: src.ID, Name: "김철수", Sensitivity: rollcall.Internal}}
		must(t, st.ImportRecords(ctx, imp))
		pend, total, err := st.PendingLinks(ctx, 0)
		must(t, err)
		if total != 3 || len(pend) != 3 || pend[0].RecordID != rec.ID || pend[0].Gen != 1 {
			t.Fatalf("queue %+v (%d)", pend, total)
		}
		// A failed write queues nothing.
		bad := rollcall.Record{SourceID: src.ID + 99, Name: "x", Sensitivity: rollcall.Internal}
		if err := st.CreateRecord(ctx, &bad); err == nil {
			t.Fatal("record of a missing source stored")
		}
		// A linker read gen 1; a write comes; taking gen 1 off keeps it.
		rec.Name = "박순옥 (朴順玉)"
		must(t, st.UpdateRecord(ctx, &rec))
		must(t, st.DonePendingLinks(ctx, pend))
		left, total, err := st.PendingLinks(ctx, 0)
		must(t, err)
		if total != 1 || left[0].RecordID != rec.ID || left[0].Gen != 2 {
			t.Fatalf("after the write: %+v", left)
		}
		must(t, st.DonePendingLinks(ctx, left))
		// Linking (SetRecordPerson) queues nothing; an edit of a field the
		// linkage does not compare neither; deleting queues the person.
		p := rollcall.Person{Name: "Pak Sun-ok", Sensitivity: rollcall.Internal}
		must(t, st.CreatePerson(ctx, &p))
		must(t, st.SetRecordPerson(ctx, rec.ID, &p.ID))
		cur, err := st.GetRecord(ctx, rec.ID)
		must(t, err)
		cur.BirthPlace = "Hamhung"
		must(t, st.UpdateRecord(ctx, cur))
		if on, err := st.LinkPending(ctx, rec.ID); err != nil || on {
			t.Fatalf("queued after linking or an unrelated edit: %v %v", on, err)
		}
		must(t, st.DeleteRecord(ctx, rec.ID))
		left, _, err = st.PendingLinks(ctx, 0)
		must(t, err)
		if len(left) != 1 || left[0].RecordID != rec.ID || left[0].PersonID == nil || *left[0].PersonID != p.ID {
			t.Fatalf("after delete: %+v", left)
		}
	})
}

// TestLinkLease: one holder at a time; a holder that stops renewing loses
// the lease when it runs out (the clock is the test's), and then may not
// write under it.
func TestLinkLease(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	eachDB(t, Options{Now: clock}, func(t *testing.T, st *Store) {
		ctx := ctxAs(editor)
		cases := []struct {
			holder  string
			advance time.Duration
			want    bool
		}{
			{"a", 0, true},
			{"b", 0, false},
			{"a", time.Minute, true},       // renewed until 0:03
			{"b", 90 * time.Second, false}, // 0:02:30
			{"b", time.Minute, true},       // 0:03:30: a's ran out
			{"a", 0, false},
		}
		for i, c := range cases {
			mu.Lock()
			now = now.Add(c.advance)
			mu.Unlock()
			got, err := st.AcquireLinkLease(ctx, c.holder, 2*time.Minute)
			must(t, err)
			if got != c.want {
				t.Fatalf("case %d: %s got the lease %v, want %v", i, c.holder, got, c.want)
			}
		}
		err := st.InTx(ctx, func(tx *Store) error { return tx.HoldsLinkLease(ctx, "a") })
		wantCode(t, err, rollcall.ECONFLICT)
		must(t, st.InTx(ctx, func(tx *Store) error { return tx.HoldsLinkLease(ctx, "b") }))
		must(t, st.ReleaseLinkLease(ctx, "b"))
		got, err := st.AcquireLinkLease(ctx, "a", 2*time.Minute)
		must(t, err)
		if !got {
			t.Fatal("a lease given up is not free")
		}
	})
}
