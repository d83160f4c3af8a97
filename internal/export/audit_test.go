package export

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/rollcall-project/rollcall/internal/storetest"
)

// TestExportIsAudited: every export leaves an audit entry that names the
// entity and carries the SHA-256 of exactly the bytes written.
func TestExportIsAudited(t *testing.T) { storetest.Run(t, testExportIsAudited) }

func testExportIsAudited(t *testing.T, db storetest.DB) {
	st, _ := setup(t, db)
	out, stats := export(t, st, Facilities, GeoJSON)
	entries, err := st.AuditEntries(ctxSystem(), 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 {
		t.Fatal("no audit entries")
	}
	last := entries[len(entries)-1]
	sum := sha256.Sum256(out)
	if last.Action != "export" || last.Entity != Facilities || last.AfterHash != hex.EncodeToString(sum[:]) || last.Actor != "test" {
		t.Errorf("last audit entry %+v; want export of %s with hash %x by test (%d written)", last, Facilities, sum, stats.Written)
	}
}
