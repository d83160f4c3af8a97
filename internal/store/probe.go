package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/rollcall-project/rollcall"
)

// Probed is what Probe found at a database name.
type Probed int

const (
	// ProbeMissing: no file at the path (SQLite only).
	ProbeMissing Probed = iota
	// ProbeEmpty: an empty file, or a database without a single table.
	ProbeEmpty
	// ProbeDemo: a rollcall database carrying the demo's marker
	// (SettingDemo = "true").
	ProbeDemo
	// ProbeOther: anything else — a real rollcall database, another
	// program's database, a file that is not a database.
	ProbeOther
)

func (p Probed) String() string {
	switch p {
	case ProbeMissing:
		return "missing"
	case ProbeEmpty:
		return "empty"
	case ProbeDemo:
		return "demo"
	}
	return "other"
}

// sqliteHeader begins every SQLite database file.
var sqliteHeader = []byte("SQLite format 3\x00")

// Probe tells what the database named by dsn holds without creating,
// migrating or writing anything: a missing SQLite file stays missing, an
// existing one stays byte for byte the same, and no WAL or journal is left
// beside it. A PostgreSQL database is read in a read-only transaction.
func Probe(ctx context.Context, dsn string) (Probed, error) {
	if IsPostgresDSN(dsn) {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return ProbeOther, fmt.Errorf("probe database: %w", err)
		}
		defer db.Close()
		return probeTables(ctx, db, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`)
	}
	if dsn == "" {
		return ProbeOther, rollcall.Errorf(rollcall.EINVALID, "no database path given")
	}
	f, err := os.Open(dsn)
	if errors.Is(err, fs.ErrNotExist) {
		return ProbeMissing, nil
	}
	if err != nil {
		return ProbeOther, fmt.Errorf("probe database %s: %w", dsn, err)
	}
	head := make([]byte, len(sqliteHeader))
	n, err := io.ReadFull(f, head)
	f.Close()
	switch {
	case n == 0:
		return ProbeEmpty, nil
	case err != nil && !errors.Is(err, io.ErrUnexpectedEOF):
		return ProbeOther, fmt.Errorf("probe database %s: %w", dsn, err)
	case !bytes.Equal(head[:n], sqliteHeader):
		return ProbeOther, nil // not a SQLite database
	}
	// Without a WAL beside it the file is the whole database: immutable
	// reads it with no lock, WAL or shared-memory file. With one (a server
	// may be running on it) a read-only connection sees the WAL's pages too.
	mode := "mode=ro&immutable=1"
	if fi, err := os.Stat(dsn + "-wal"); err == nil && fi.Size() > 0 {
		mode = "mode=ro"
	}
	db, err := sql.Open("sqlite", "file:"+escapeURIPath(dsn)+"?"+mode)
	if err != nil {
		return ProbeOther, fmt.Errorf("probe database %s: %w", dsn, err)
	}
	defer db.Close()
	return probeTables(ctx, db, `SELECT name FROM sqlite_master WHERE type = 'table'`)
}

// probeTables lists the tables with listTables and reads the demo marker
// when there is a settings table, in a read-only transaction.
func probeTables(ctx context.Context, db *sql.DB, listTables string) (Probed, error) {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return ProbeOther, fmt.Errorf("probe database: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, listTables)
	if err != nil {
		return ProbeOther, fmt.Errorf("probe database: %w", err)
	}
	var tables int
	settings := false
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return ProbeOther, fmt.Errorf("probe database: %w", err)
		}
		tables++
		settings = settings || name == "settings"
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return ProbeOther, fmt.Errorf("probe database: %w", err)
	}
	if tables == 0 {
		return ProbeEmpty, nil
	}
	if !settings {
		return ProbeOther, nil
	}
	var v string
	err = tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = $1`, SettingDemo).Scan(&v)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return ProbeOther, nil
	case err != nil:
		return ProbeOther, fmt.Errorf("probe database: %w", err)
	}
	if v == "true" {
		return ProbeDemo, nil
	}
	return ProbeOther, nil
}
