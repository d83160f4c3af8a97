package store

import (
	"context"
	"crypto/rand"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/keys"
)

func newRowCipher(t testing.TB) *keys.Cipher {
	c, _, _ := newRowCipherKeys(t)
	return c
}

func newRowCipherKeys(t testing.TB) (c *keys.Cipher, dataKey, indexKey []byte) {
	dk, ik := make([]byte, keys.KeySize), make([]byte, keys.KeySize)
	rand.Read(dk)
	rand.Read(ik)
	c, err := keys.NewCipher(1, map[byte][]byte{1: dk}, ik)
	if err != nil {
		t.Fatal(err)
	}
	return c, dk, ik
}

// rowFixture holds one row of each covered table, written by the store.
type rowFixture struct {
	src     *rollcall.Source
	per     *rollcall.Person
	rec     *rollcall.Record
	ev      *rollcall.Event
	outcome *rollcall.AmnestyOutcome
	fu      *rollcall.FollowUp
}

func newRowFixture(t *testing.T, st *Store) rowFixture {
	ctx := ctxAs(editor)
	var f rowFixture
	f.src = &rollcall.Source{Key: "s1", Kind: "testimony", Title: "Interview", Informant: &rollcall.Informant{Name: "a name"}, Sensitivity: rollcall.Confidential}
	must(t, st.CreateSource(ctx, f.src))
	f.per = &rollcall.Person{Name: "Kim", NameAlt: "김", Sensitivity: rollcall.Internal}
	must(t, st.CreatePerson(ctx, f.per))
	f.rec = &rollcall.Record{SourceID: f.src.ID, Key: "r1", Name: "Kim", PersonID: &f.per.ID, SentenceYears: ptr(2.5),
		Testimony: "words", Sensitivity: rollcall.Confidential}
	must(t, st.CreateRecord(ctx, f.rec))
	f.ev = &rollcall.Event{Type: "arrest", Date: rollcall.MustDate("1999-03"), SentenceYears: ptr(3.0),
		Victims: []rollcall.Victim{{PersonID: &f.per.ID}}, SourceIDs: []int64{f.src.ID}, Sensitivity: rollcall.Internal}
	must(t, st.CreateEvent(ctx, f.ev))
	dec := &rollcall.AmnestyDecree{Key: "kp-2015", Country: "KP", Title: "Amnesty", Decreed: rollcall.MustDate("2015-07"), Rule: "true"}
	must(t, st.CreateAmnestyDecree(ctx, dec))
	f.outcome = &rollcall.AmnestyOutcome{PersonID: f.per.ID, DecreeID: dec.ID, Status: "release_reported", SourceID: &f.src.ID}
	must(t, st.AddAmnestyOutcome(ctx, f.outcome))
	f.fu = &rollcall.FollowUp{PersonID: f.per.ID, Date: rollcall.MustDate("2016"), Kind: "housing", Observation: "x", Sensitivity: rollcall.Internal}
	must(t, st.CreateFollowUp(ctx, f.fu))
	return f
}

func verifyRows(t *testing.T, st *Store) *RowReport {
	t.Helper()
	rep, err := st.VerifyRows(context.Background())
	must(t, err)
	return rep
}

func wantNoRowFindings(t *testing.T, st *Store) {
	t.Helper()
	if rep := verifyRows(t, st); len(rep.Findings) > 0 || len(rep.Unkeyed) > 0 {
		t.Fatalf("findings %+v, unkeyed %v", rep.Findings, rep.Unkeyed)
	}
}

// TestVerifyRowsFindsRawEdits edits, deletes and inserts rows of every
// covered table with SQL behind the store and checks that VerifyRows names
// each (table, id) and problem.
func TestVerifyRowsFindsRawEdits(t *testing.T) {
	eachDB(t, Options{Cipher: newRowCipher(t)}, func(t *testing.T, st *Store) {
		f := newRowFixture(t, st)
		_, err := st.SealRows(ctxAs(editor))
		must(t, err)
		wantNoRowFindings(t, st)
		cases := []struct {
			name    string
			sql     string
			args    []any
			table   string
			id      int64
			problem string
		}{
			{"record name", `UPDATE records SET name = 'Lee' WHERE id = $1`, []any{f.rec.ID}, "records", f.rec.ID, RowEdited},
			{"record unlinked", `UPDATE records SET person_id = NULL WHERE id = $1`, []any{f.rec.ID}, "records", f.rec.ID, RowEdited},
			{"record testimony dropped", `UPDATE records SET testimony = NULL WHERE id = $1`, []any{f.rec.ID}, "records", f.rec.ID, RowEdited},
			{"record sentence", `UPDATE records SET sentence_years = 25 WHERE id = $1`, []any{f.rec.ID}, "records", f.rec.ID, RowEdited},
			{"person sex", `UPDATE persons SET sex = 'f' WHERE id = $1`, []any{f.per.ID}, "persons", f.per.ID, RowEdited},
			{"person consent", `UPDATE persons SET consent_publish = $2 WHERE id = $1`, []any{f.per.ID, true}, "persons", f.per.ID, RowEdited},
			{"source informant", `UPDATE sources SET informant = NULL WHERE id = $1`, []any{f.src.ID}, "sources", f.src.ID, RowEdited},
			{"event sensitivity", `UPDATE events SET sensitivity = 'public' WHERE id = $1`, []any{f.ev.ID}, "events", f.ev.ID, RowEdited},
			{"event victim changed", `UPDATE event_victims SET role = 'witness' WHERE event_id = $1`, []any{f.ev.ID}, "events", f.ev.ID, RowEdited},
			{"event victim removed", `DELETE FROM event_victims WHERE event_id = $1`, []any{f.ev.ID}, "events", f.ev.ID, RowEdited},
			{"event victim added", `INSERT INTO event_victims (event_id, pos, record_id) VALUES ($1, 5, $2)`, []any{f.ev.ID, f.rec.ID}, "events", f.ev.ID, RowEdited},
			{"event source removed", `DELETE FROM event_sources WHERE event_id = $1`, []any{f.ev.ID}, "events", f.ev.ID, RowEdited},
			{"outcome status", `UPDATE amnesty_outcomes SET status = 'release_verified' WHERE id = $1`, []any{f.outcome.ID}, "amnesty_outcomes", f.outcome.ID, RowEdited},
			{"followup text", `UPDATE followups SET observation = 'y' WHERE id = $1`, []any{f.fu.ID}, "followups", f.fu.ID, RowEdited},
			{"followup deleted", `DELETE FROM followups WHERE id = $1`, []any{f.fu.ID}, "followups", f.fu.ID, RowDeleted},
			{"outcome deleted", `DELETE FROM amnesty_outcomes WHERE id = $1`, []any{f.outcome.ID}, "amnesty_outcomes", f.outcome.ID, RowDeleted},
			{"record deleted", `DELETE FROM records WHERE id = $1`, []any{f.rec.ID}, "records", f.rec.ID, RowDeleted},
			{"record inserted", `INSERT INTO records (id, uid, version, created_at, updated_at, source_id, key, name, sensitivity)
				VALUES (9001, 'u', 1, 'x', 'x', $1, 'planted', 'Planted', 'public')`, []any{f.src.ID}, "records", 9001, RowInserted},
			{"person inserted", `INSERT INTO persons (id, uid, version, created_at, updated_at, name, sensitivity)
				VALUES (9002, 'u2', 1, 'x', 'x', 'Planted', 'public')`, nil, "persons", 9002, RowInserted},
			{"source inserted", `INSERT INTO sources (id, uid, version, created_at, updated_at, key, kind, title, sensitivity)
				VALUES (9003, 'u3', 1, 'x', 'x', 'planted', 'list', 'P', 'public')`, nil, "sources", 9003, RowInserted},
			{"event inserted", `INSERT INTO events (id, uid, version, created_at, updated_at, type, sensitivity)
				VALUES (9004, 'u4', 1, 'x', 'x', 'arrest', 'public')`, nil, "events", 9004, RowInserted},
		}
		for _, c := range cases {
			t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
				// Each case in its own transaction, rolled back, so the
				// next starts from the clean state.
				err := st.InTx(context.Background(), func(tx *Store) error {
					if _, err := tx.Tx().ExecContext(context.Background(), c.sql, c.args...); err != nil {
						return err
					}
					rep, err := tx.VerifyRows(context.Background())
					if err != nil {
						return err
					}
					want := []RowFinding{{c.table, c.id, c.problem}}
					if !reflect.DeepEqual(rep.Findings, want) {
						t.Errorf("findings %+v, want %+v", rep.Findings, want)
					}
					return errRollback
				})
				if err != errRollback {
					t.Fatal(err)
				}
			})
		}
		wantNoRowFindings(t, st)
	})
}

var errRollback = fmt.Errorf("rollback")

// TestVerifyRowsProgramWritesClean runs the program's own writes (updates,
// links, unlinks by deleting a person, deletes, imports, reindexing, key
// rotation) and checks that none of them gives a finding.
func TestVerifyRowsProgramWritesClean(t *testing.T) {
	c, dk1, ik := newRowCipherKeys(t)
	eachDB(t, Options{Cipher: c}, func(t *testing.T, st *Store) {
		ctx := ctxAs(editor)
		_, err := st.SealRows(ctx)
		must(t, err)
		f := newRowFixture(t, st)
		wantNoRowFindings(t, st)

		f.rec.Name, f.rec.Testimony = "Kim Y", "more words"
		must(t, st.UpdateRecord(ctx, f.rec))
		f.per.Province = "Hamgyong"
		must(t, st.UpdatePerson(ctx, f.per))
		f.src.Title = "Interview 2"
		must(t, st.UpdateSource(ctx, f.src))
		f.ev.Place = "Onsong"
		f.ev.Victims = append(f.ev.Victims, rollcall.Victim{RecordID: &f.rec.ID, Role: "witness"})
		must(t, st.UpdateEvent(ctx, f.ev))
		ev2 := &rollcall.Event{Type: "release", Sensitivity: rollcall.Internal}
		must(t, st.CreateEvent(ctx, ev2))
		f.fu.Observation = "moved"
		must(t, st.UpdateFollowUp(ctx, f.fu))
		wantNoRowFindings(t, st)

		// 2,500 imported records: three row-hash entries.
		recs := make([]rollcall.Record, 2500)
		for i := range recs {
			recs[i] = rollcall.Record{SourceID: f.src.ID, Key: fmt.Sprint("imp", i), Name: fmt.Sprint("Name ", i),
				Testimony: "t", Sensitivity: rollcall.Confidential}
		}
		must(t, st.ImportRecords(ctx, recs))
		wantNoRowFindings(t, st)

		// Link, then delete the person: the unlinked records are logged.
		p2 := &rollcall.Person{Name: "Other", Sensitivity: rollcall.Internal}
		must(t, st.CreatePerson(ctx, p2))
		for _, r := range recs[:3] {
			must(t, st.SetRecordPerson(ctx, r.ID, &p2.ID))
		}
		must(t, st.DeletePerson(ctx, p2.ID))
		must(t, st.DeleteFollowUp(ctx, f.fu.ID))
		must(t, st.DeleteRecord(ctx, recs[10].ID))
		wantNoRowFindings(t, st)

		// Reindexing with other name keys rewrites name_keys.
		st2 := *st
		st2.nameKeys = func(s string) []string { return []string{"zz" + s} }
		n, err := st2.ReindexNames(ctx)
		must(t, err)
		if n == 0 {
			t.Fatal("reindex changed nothing")
		}
		wantNoRowFindings(t, st)

		// Key rotation reseals testimonies and informants: same index key,
		// new data key.
		dk := make([]byte, keys.KeySize)
		rand.Read(dk)
		rot, err := keys.NewCipher(2, map[byte][]byte{1: dk1, 2: dk}, ik)
		must(t, err)
		st3 := *st
		st3.cipher = rot
		_, err = st3.Rekey(ctx, 2)
		must(t, err)
		wantNoRowFindings(t, &st3)
		rep := verifyRows(t, &st3)
		if rep.Rows < 2500 {
			t.Fatalf("checked %d rows", rep.Rows)
		}
	})
}

// TestVerifyRowsUnkeyed: rows written before row hashes (or without a key)
// are unkeyed until sealed, and after sealing a row never hashed counts as
// inserted.
func TestVerifyRowsUnkeyed(t *testing.T) {
	storetestRunPlainThenKeyed(t, func(t *testing.T, plain, keyed *Store) {
		ctx := ctxAs(editor)
		src := &rollcall.Source{Key: "s", Kind: "list", Title: "t", Sensitivity: rollcall.Internal}
		must(t, plain.CreateSource(ctx, src))
		for i := range 3 {
			must(t, plain.CreateRecord(ctx, &rollcall.Record{SourceID: src.ID, Key: fmt.Sprint(i), Name: "n", Sensitivity: rollcall.Internal}))
		}
		rep := verifyRows(t, keyed)
		if want := map[string]int64{"sources": 1, "records": 3}; !reflect.DeepEqual(rep.Unkeyed, want) || rep.Sealed || len(rep.Findings) > 0 {
			t.Fatalf("before sealing: %+v, want unkeyed %v", rep, want)
		}
		n, err := keyed.SealRows(ctx)
		must(t, err)
		if n != 4 {
			t.Fatalf("sealed %d rows, want 4", n)
		}
		wantNoRowFindings(t, keyed)
		// A write without the key after sealing shows as an insert.
		r := &rollcall.Record{SourceID: src.ID, Key: "late", Name: "n", Sensitivity: rollcall.Internal}
		must(t, plain.CreateRecord(ctx, r))
		rep = verifyRows(t, keyed)
		if want := []RowFinding{{"records", r.ID, RowInserted}}; !reflect.DeepEqual(rep.Findings, want) {
			t.Fatalf("findings %+v, want %+v", rep.Findings, want)
		}
	})
}

func storetestRunPlainThenKeyed(t *testing.T, f func(t *testing.T, plain, keyed *Store)) {
	eachDB(t, Options{}, func(t *testing.T, plain *Store) {
		keyed := *plain
		keyed.cipher = newRowCipher(t)
		f(t, plain, &keyed)
	})
}

// TestRowTablesCoverEveryColumn fails when a column is added to a covered
// table without deciding whether row MACs cover it.
func TestRowTablesCoverEveryColumn(t *testing.T) {
	eachDB(t, Options{}, func(t *testing.T, st *Store) {
		for _, rt := range rowTables {
			rows, err := st.DB().Query(`SELECT * FROM ` + rt.table + ` WHERE 1 = 0`)
			must(t, err)
			cols, err := rows.Columns()
			rows.Close()
			must(t, err)
			cols = slices.DeleteFunc(cols, func(c string) bool { return c == "id" })
			got := slices.Sorted(slices.Values(rt.cols))
			slices.Sort(cols)
			if !slices.Equal(got, cols) {
				t.Errorf("%s: row MACs cover %v, table has %v", rt.table, got, cols)
			}
		}
	})
}

// TestRowHashesInAuditChain: the row hashes are covered by the entry hash,
// so changing one breaks the chain.
func TestRowHashesInAuditChain(t *testing.T) {
	eachDB(t, Options{Cipher: newRowCipher(t)}, func(t *testing.T, st *Store) {
		newRowFixture(t, st)
		es, err := st.AuditEntries(context.Background(), 0, 0)
		must(t, err)
		n := 0
		for _, e := range es {
			if e.ComputeHash() != e.Hash {
				t.Fatalf("entry %d does not hash to its hash", e.Seq)
			}
			if e.RowHashes != "" {
				n++
				e.RowHashes = strings.Replace(e.RowHashes, " ", " 0", 1)
				if e.ComputeHash() == e.Hash {
					t.Fatalf("entry %d: changed row hashes keep the hash", e.Seq)
				}
			}
		}
		if n != 6 {
			t.Fatalf("%d entries carry row hashes, want 6 (one per covered table)", n)
		}
	})
}

// BenchmarkVerifyRows10k checks 10,000 imported records.
func BenchmarkVerifyRows10k(b *testing.B) {
	ctx := ctxAs(editor)
	st, err := Open(ctx, b.TempDir()+"/bench.db", Options{Cipher: newRowCipher(b)})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	src := &rollcall.Source{Key: "s", Kind: "list", Title: "t", Sensitivity: rollcall.Internal}
	if err := st.CreateSource(ctx, src); err != nil {
		b.Fatal(err)
	}
	recs := make([]rollcall.Record, 10000)
	for i := range recs {
		recs[i] = rollcall.Record{SourceID: src.ID, Key: fmt.Sprint(i), Name: fmt.Sprint("Name ", i), Province: "Hamgyong", Sensitivity: rollcall.Internal}
	}
	if err := st.ImportRecords(ctx, recs); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		rep, err := st.VerifyRows(ctx)
		if err != nil || len(rep.Findings) > 0 {
			b.Fatal(err, rep.Findings)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/10001, "ns/row")
}
