// Package storetest gives tests the real databases to run against: a SQLite
// file in the test's temp dir always, and a fresh PostgreSQL schema (dropped
// afterwards) when ROLLCALL_TEST_POSTGRES holds a server URL. It is imported
// only by tests.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver for the admin connection

	"github.com/rollcall-project/rollcall/internal/store"
)

// DB is one database a test runs against.
type DB struct {
	Name string // "sqlite" or "postgres"
	DSN  string
}

// DBs returns the databases to test: SQLite, and PostgreSQL when configured
// (the test log says when it is not).
func DBs(t testing.TB) []DB {
	t.Helper()
	dbs := []DB{{"sqlite", filepath.Join(t.TempDir(), "rollcall.db")}}
	base := os.Getenv("ROLLCALL_TEST_POSTGRES")
	if base == "" {
		t.Log("ROLLCALL_TEST_POSTGRES not set: PostgreSQL variant skipped")
		return dbs
	}
	return append(dbs, DB{"postgres", freshSchema(t, base)})
}

// PostgresDSN returns the URL of a fresh PostgreSQL schema, dropped when the
// test ends. It skips the test, saying so, when ROLLCALL_TEST_POSTGRES is
// not set.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv("ROLLCALL_TEST_POSTGRES")
	if base == "" {
		t.Skip("ROLLCALL_TEST_POSTGRES is not set: skipping the PostgreSQL run of this test")
	}
	return freshSchema(t, base)
}

func freshSchema(t testing.TB, base string) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
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
	return u.String()
}

// Open opens the store at dsn and closes it when the test ends.
func Open(t testing.TB, dsn string, o store.Options) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), dsn, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
