package ingest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall/internal/keys"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/storetest"
	"github.com/rollcall-project/rollcall/internal/textnorm"
)

// TestReimportLogsOneBulkRead: re-importing records whose testimonies must
// be compared with the stored ones (confidential reads) writes one
// read_confidential entry with the count, not one per row, and changes
// nothing else (issue 12, finding 6: "a re-import that changes nothing
// writes 300,000 read_confidential audit entries").
func TestReimportLogsOneBulkRead(t *testing.T) {
	c, err := keys.NewCipher(1, map[byte][]byte{1: bytes.Repeat([]byte{3}, keys.KeySize)}, bytes.Repeat([]byte{4}, keys.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	opts := store.Options{Cipher: c, NameKeys: textnorm.NameKeys}
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			dsn := filepath.Join(t.TempDir(), "bulk.db")
			if db == "postgres" {
				dsn = storetest.PostgresDSN(t)
			}
			st, err := store.Open(ctxSystem(), dsn, opts)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			const n = 500
			var b strings.Builder
			b.WriteString("key,kind,title,informant_name\ns1,testimony,Interviews,Informant A\n")
			src := filepath.Join(t.TempDir(), "sources.csv")
			os.WriteFile(src, []byte(b.String()), 0o600)
			b.Reset()
			b.WriteString("source,key,name,testimony\n")
			for i := range n {
				fmt.Fprintf(&b, "s1,%d,Fictional Person %d,\"Testimony %d: held at a camp.\"\n", i, i, i)
			}
			recs := filepath.Join(t.TempDir(), "records.csv")
			os.WriteFile(recs, []byte(b.String()), 0o600)
			if _, err := Import(ctxSystem(), st, []string{src, recs}, Options{}); err != nil {
				t.Fatal(err)
			}
			before, err := st.AuditEntries(ctxSystem(), 0, -1)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Import(ctxSystem(), st, []string{src, recs}, Options{})
			if err != nil || res.Records.Unchanged != n || res.Sources.Unchanged != 1 {
				t.Fatalf("re-import: %+v %v", res, err)
			}
			all, err := st.AuditEntries(ctxSystem(), 0, -1)
			if err != nil {
				t.Fatal(err)
			}
			added := all[len(before):]
			if len(added) != 1 || added[0].Action != store.ActionReadConfidential || added[0].Entity != "bulk" ||
				added[0].Detail != fmt.Sprintf("op=import record.testimony=%d source.informant=1", n) {
				t.Fatalf("entries added by a re-import that changes nothing: %d, want 1 with the counts (%+v)", len(added), added[:min(len(added), 3)])
			}
		})
	}
}
