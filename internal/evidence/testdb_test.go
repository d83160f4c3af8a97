package evidence_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/rollcall-project/rollcall/internal/store"
)

// testDB is a database to run a test against: a SQLite file, and a fresh
// PostgreSQL schema when ROLLCALL_TEST_POSTGRES holds a URL.
type testDB struct {
	name string
	dsn  string
}

func testDBs(t *testing.T) []testDB {
	t.Helper()
	dbs := []testDB{{"sqlite", filepath.Join(t.TempDir(), "rollcall.db")}}
	base := os.Getenv("ROLLCALL_TEST_POSTGRES")
	if base == "" {
		t.Log("ROLLCALL_TEST_POSTGRES not set: PostgreSQL variant skipped")
		return dbs
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "sec_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return append(dbs, testDB{"postgres", u.String()})
}

func openStore(t *testing.T, dsn string, o store.Options) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), dsn, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
