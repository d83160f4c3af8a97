// Package storetest gives tests the real databases to run against: a SQLite
// file in the test's temp dir always, and a fresh PostgreSQL schema (dropped
// afterwards) when ROLLCALL_TEST_POSTGRES holds a server URL. It is imported
// only by tests, including internal/store's own, so it does not import the
// store: Open takes store.Open as an argument.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver for the admin connection
)

// Env names the variable that holds the PostgreSQL server URL.
const Env = "ROLLCALL_TEST_POSTGRES"

// SkipMessage is the reason a PostgreSQL run is skipped. It is one string so
// that the test summary counts every such skip on one line.
const SkipMessage = Env + " is not set: skipping the PostgreSQL run of this test"

// DB is one database a test runs against.
type DB struct {
	Name string // "sqlite" or "postgres"
	DSN  string // a SQLite file path or a postgres:// URL naming a fresh schema
}

// Run runs f once per database, each as a subtest named after it: "sqlite"
// on a new file, and "postgres" on a fresh schema, which is skipped (and so
// counted as skipped) when ROLLCALL_TEST_POSTGRES is not set.
func Run(t *testing.T, f func(t *testing.T, db DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { f(t, DB{Name: "sqlite", DSN: SQLitePath(t)}) })
	t.Run("postgres", func(t *testing.T) { f(t, DB{Name: "postgres", DSN: PostgresDSN(t)}) })
}

// Open opens the database at dsn with open (store.Open) and closes it when
// the test ends.
func Open[O any, S io.Closer](t testing.TB, open func(context.Context, string, O) (S, error), dsn string, o O) S {
	t.Helper()
	s, err := open(context.Background(), dsn, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Fresh returns another empty database of the same kind as db: a new SQLite
// file, or a new PostgreSQL schema on the same server.
func (db DB) Fresh(t testing.TB) string {
	t.Helper()
	if db.Name == "postgres" {
		return PostgresDSN(t)
	}
	return SQLitePath(t)
}

// SQLitePath returns the path of a new SQLite database file in a directory
// removed when the test ends.
func SQLitePath(t testing.TB) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "rollcall.db")
}

// PostgresDSN returns the URL of a fresh PostgreSQL schema, dropped when the
// test ends. It skips the test, saying so, when ROLLCALL_TEST_POSTGRES is
// not set.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(Env)
	if base == "" {
		t.Skip(SkipMessage)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("%s: %v", Env, err)
	}
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		admin.Close()
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", Env, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
