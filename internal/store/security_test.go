package store

import (
	"bytes"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/keys"
)

// swapCipher delegates to a keys.Cipher that the test replaces, as key
// rotation does between two runs of the program.
type swapCipher struct{ c atomic.Pointer[keys.Cipher] }

func (s *swapCipher) Seal(t, c, r string, p []byte) ([]byte, error) {
	return s.c.Load().Seal(t, c, r, p)
}
func (s *swapCipher) Open(t, c, r string, b []byte) ([]byte, error) {
	return s.c.Load().Open(t, c, r, b)
}
func (s *swapCipher) BlindIndex(t, c string, v []byte) string { return s.c.Load().BlindIndex(t, c, v) }

func TestResealAndEvidenceTables(t *testing.T) {
	k1, k2, ix := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32), bytes.Repeat([]byte{3}, 32)
	sc := &swapCipher{}
	c1, _ := keys.NewCipher(1, map[byte][]byte{1: k1}, ix)
	sc.c.Store(c1)
	eachDB(t, Options{Cipher: sc}, func(t *testing.T, st *Store) {
		sc.c.Store(c1)
		ctx := ctxAs(editor)
		src := mkSource(t, st, "S-reseal")
		src.Informant = &rollcall.Informant{Name: "N", Contact: "C"}
		must(t, st.UpdateSource(ctx, src))
		must(t, st.CreateRecord(ctx, &rollcall.Record{SourceID: src.ID, Key: "r", Name: "x", Testimony: "words", Sensitivity: rollcall.Confidential}))
		f := &EvidenceFile{SHA256: strings.Repeat("a", 64), Size: 3, CipherSHA256: strings.Repeat("b", 64), Name: "scan.jpg"}
		created, err := st.PutEvidence(ctx, f)
		if err != nil || !created {
			t.Fatalf("PutEvidence: %v %v", created, err)
		}
		if again, err := st.PutEvidence(ctx, &EvidenceFile{SHA256: f.SHA256}); err != nil || again {
			t.Fatalf("second PutEvidence: %v %v", again, err)
		}
		must(t, st.AddCustody(ctx, &Custody{SHA256: f.SHA256, Actor: "a", Action: "received", Party: "Courier"}))

		c2, _ := keys.NewCipher(2, map[byte][]byte{1: k1, 2: k2}, ix)
		sc.c.Store(c2)
		n, err := st.Reseal(ctx)
		if err != nil || n != 4 {
			t.Fatalf("Reseal = %d, %v (want 4: informant, testimony, file name, custody party)", n, err)
		}
		for _, c := range SealedColumns() {
			rows, err := st.DB().Query(`SELECT ` + c.Column + ` FROM ` + c.Table + ` WHERE ` + c.Column + ` IS NOT NULL`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var b []byte
				rows.Scan(&b)
				if v, _ := keys.Version(b); v != 2 {
					t.Errorf("%s.%s has key version %d after Reseal", c.Table, c.Column, v)
				}
			}
			rows.Close()
		}
		// Only the new key is needed now.
		only2, _ := keys.NewCipher(2, map[byte][]byte{2: k2}, ix)
		sc.c.Store(only2)
		got, err := st.GetSource(ctx, src.ID)
		if err != nil || got.Informant == nil || got.Informant.Contact != "C" {
			t.Fatalf("source after Reseal: %+v %v", got, err)
		}
		ef, err := st.GetEvidence(ctx, f.SHA256)
		if err != nil || ef.Name != "scan.jpg" {
			t.Fatalf("evidence after Reseal: %+v %v", ef, err)
		}
		cs, err := st.Custody(ctx, f.SHA256)
		if err != nil || len(cs) != 1 || cs[0].Party != "Courier" {
			t.Fatalf("custody after Reseal: %+v %v", cs, err)
		}
	})
}

func TestEvidenceWithoutKey(t *testing.T) {
	eachDB(t, Options{}, func(t *testing.T, st *Store) {
		ctx := ctxAs(editor)
		_, err := st.PutEvidence(ctx, &EvidenceFile{SHA256: strings.Repeat("c", 64), Name: "secret name"})
		wantCode(t, err, rollcall.EINVALID)
		if _, err := st.PutEvidence(ctx, &EvidenceFile{SHA256: strings.Repeat("c", 64)}); err != nil {
			t.Fatalf("evidence without confidential fields needs no key: %v", err)
		}
		if _, err := st.Reseal(ctx); err == nil {
			t.Fatal("Reseal without a key succeeded")
		}
	})
}

// TestSealedColumnsComplete: every BLOB column holds sealed values, so each
// must be listed in SealedColumns, or key rotation would leave it on the
// old key.
func TestSealedColumnsComplete(t *testing.T) {
	eachDB(t, Options{}, func(t *testing.T, st *Store) {
		// FTS5 shadow tables (*_fts_data, ...) hold index blocks, not values.
		q := `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
			WHERE m.type = 'table' AND upper(p.type) = 'BLOB' AND m.name NOT LIKE '%\_fts\_%' ESCAPE '\'`
		if st.Dialect() == Postgres {
			q = `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND data_type = 'bytea'`
		}
		rows, err := st.DB().Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		listed := map[string]bool{}
		for _, c := range SealedColumns() {
			listed[c.Table+"."+c.Column] = true
		}
		n := 0
		for rows.Next() {
			var tb, col string
			rows.Scan(&tb, &col)
			n++
			if !listed[tb+"."+col] {
				t.Errorf("%s.%s is a BLOB column missing from SealedColumns", tb, col)
			}
		}
		if n < len(SealedColumns()) {
			t.Errorf("found %d BLOB columns, SealedColumns lists %d", n, len(SealedColumns()))
		}
	})
}

// TestRekey: the rotation's re-encryption and its audit entry are one
// transaction; without a key neither happens.
func TestRekey(t *testing.T) {
	k1, k2, ix := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32), bytes.Repeat([]byte{3}, 32)
	sc := &swapCipher{}
	c1, _ := keys.NewCipher(1, map[byte][]byte{1: k1}, ix)
	eachDB(t, Options{Cipher: sc}, func(t *testing.T, st *Store) {
		sc.c.Store(c1)
		ctx := ctxAs(editor)
		src := mkSource(t, st, "S-rekey")
		must(t, st.CreateRecord(ctx, &rollcall.Record{SourceID: src.ID, Key: "r", Name: "x", Testimony: "words", Sensitivity: rollcall.Confidential}))
		c2, _ := keys.NewCipher(2, map[byte][]byte{1: k1, 2: k2}, ix)
		sc.c.Store(c2)
		n, err := st.Rekey(ctx, 2)
		if err != nil || n != 1 {
			t.Fatalf("Rekey = %d, %v (want 1: the testimony)", n, err)
		}
		es, err := st.AuditEntries(ctx, 0, -1)
		if err != nil || len(es) == 0 {
			t.Fatalf("audit entries: %d, %v", len(es), err)
		}
		last := es[len(es)-1]
		if last.Action != "key.rotate" || last.Entity != "keyring" || last.Detail != "data key version 2; 1 values re-encrypted" {
			t.Errorf("last audit entry %+v", last)
		}
	})
	eachDB(t, Options{}, func(t *testing.T, st *Store) {
		ctx := ctxAs(editor)
		before, _ := st.AuditEntries(ctx, 0, -1)
		if _, err := st.Rekey(ctx, 2); rollcall.ErrorCode(err) != rollcall.EINVALID {
			t.Fatalf("Rekey without a key: %v", err)
		}
		if after, _ := st.AuditEntries(ctx, 0, -1); len(after) != len(before) {
			t.Errorf("a failed Rekey left %d audit entries", len(after)-len(before))
		}
	})
}
