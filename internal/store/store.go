// Package store keeps rollcall's data in one SQLite file or a PostgreSQL
// database, with the same SQL, the same behaviour and the same tests for
// both. Every change is versioned (optimistic locking), written to the
// hash-chained audit log in the same transaction, and confidential fields
// are sealed with a FieldCipher before they reach the database.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/rollcall-project/rollcall"
)

// Dialects.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFS embed.FS

// Options configure a Store.
type Options struct {
	// Cipher seals confidential fields; without one, writing a non-empty
	// confidential field fails and stored ones read back redacted.
	Cipher rollcall.FieldCipher
	Logger *slog.Logger
	// NameKeys returns normalised search keys for a name (romanisations,
	// hangul, folded case). Nil uses lower-cased words.
	NameKeys func(string) []string
	// Now is the clock of stored times and leases (default time.Now);
	// tests set it to control time.
	Now func() time.Time
}

// querier is what *sql.DB and *sql.Tx have in common, so every method works
// the same inside and outside a transaction.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// Store is the database. A Store returned by Open is safe for concurrent
// use; the Store that InTx hands to its function is bound to one
// transaction and must not outlive it.
type Store struct {
	db       *sql.DB
	q        querier
	tx       *sql.Tx
	dialect  string
	cipher   rollcall.FieldCipher
	log      *slog.Logger
	nameKeys func(string) []string
	now      func() time.Time

	importStmt *sql.Stmt  // ImportRecords' prepared batch insert, per transaction
	stmts      *stmtCache // SQLite: prepared read statements (nil on PostgreSQL)

	// linkQueued is called after a transaction that queued records for
	// live linkage commits (OnLinkQueued); queued marks such a transaction.
	linkQueued *atomic.Pointer[func()]
	queued     bool
}

// OnLinkQueued sets f to be called after every commit that queued records
// for live linkage, so that a linker in this process starts at once
// instead of at its next poll. f must not block.
func (s *Store) OnLinkQueued(f func()) { s.linkQueued.Store(&f) }

// IsPostgresDSN reports whether dsn names a PostgreSQL server.
func IsPostgresDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens (creating if needed) the database named by dsn, a SQLite file
// path or a postgres:// URL, and brings its schema up to date.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	s := &Store{cipher: opts.Cipher, log: opts.Logger, nameKeys: opts.NameKeys, now: time.Now, linkQueued: &atomic.Pointer[func()]{}}
	if opts.Now != nil {
		s.now = opts.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	var err error
	if IsPostgresDSN(dsn) {
		s.dialect = Postgres
		s.db, err = sql.Open("pgx", dsn)
	} else {
		s.dialect = SQLite
		s.db, err = openSQLite(dsn, s.log)
	}
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	s.q = s.db
	if s.dialect == SQLite {
		s.stmts = newStmtCache(s.db)
		s.q = s.stmts
	}
	if err := s.db.PingContext(ctx); err != nil {
		s.db.Close()
		return nil, rollcall.WrapError(rollcall.EINTERNAL, err, "cannot open database %s", RedactDSN(dsn))
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

func openSQLite(path string, log *slog.Logger) (*sql.DB, error) {
	if path == "" {
		return nil, rollcall.Errorf(rollcall.EINVALID, "no database path given")
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create database directory: %w", err)
		}
	}
	if err := ownerOnly(path, log); err != nil {
		return nil, err
	}
	// Busy timeout first so the other pragmas cannot fail on a lock; WAL
	// lets readers work beside the one writer; NORMAL sync is safe in WAL;
	// immediate transactions take the write lock up front, so two writers
	// queue on busy_timeout instead of failing to upgrade a read lock.
	q := url.Values{}
	q.Set("_busy_timeout", "10000")
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "NORMAL")
	q.Set("_foreign_keys", "1")
	q.Set("_txlock", "immediate")
	// A 32 MiB page cache per connection keeps a bulk import's b-tree pages
	// in memory instead of spilling them to the WAL mid-transaction.
	q.Add("_pragma", "cache_size(-32768)")
	// Reads come straight from a shared memory map of the file instead of
	// a copy into each connection's page cache: a pooled connection whose
	// cache is cold then costs no read calls.
	q.Add("_pragma", "mmap_size(1073741824)")
	db, err := sql.Open("sqlite", "file:"+escapeURIPath(path)+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	// One writer at a time anyway; the cap bounds the page caches. Idle
	// connections are kept up to the cap: closing one under load throws
	// away its page cache and prepared statements only to open another.
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	return db, nil
}

// escapeURIPath escapes path for a SQLite file: URI, in which a path ends
// at '?' or '#': escaped, a path holding one (a test named "x#01" has one)
// opens that file, not a truncated name shared with others. SQLite decodes
// the %XX escapes.
func escapeURIPath(path string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}

// FileMode is the mode of the files rollcall creates that may hold
// non-public data: the database and its WAL, the keyring, backups, exports,
// evidence.
const FileMode fs.FileMode = 0o600

// ownerOnly creates the SQLite file at path if it is missing and makes it,
// and the WAL, shared-memory and journal files beside it, readable and
// writable by the owner only, whatever the umask. SQLite creates the WAL
// and shared-memory files itself, with the database file's mode: setting
// that covers them too. A file we cannot chmod (owned by another account)
// is left as it is, with a warning.
func ownerOnly(path string, log *slog.Logger) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, FileMode)
	switch {
	case err == nil:
		if err := errors.Join(f.Chmod(FileMode), f.Close()); err != nil {
			return fmt.Errorf("create database %s: %w", path, err)
		}
	case !errors.Is(err, fs.ErrExist):
		return fmt.Errorf("create database %s: %w", path, err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm() == FileMode {
			continue
		}
		if err := os.Chmod(p, FileMode); err != nil {
			log.Warn("cannot restrict the database file to its owner", "file", p, "mode", fi.Mode().Perm(), "err", err)
		}
	}
	return nil
}

// RedactDSN hides a password in a database URL, for messages.
func RedactDSN(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		return u.Redacted()
	}
	return dsn
}

func (s *Store) migrate(ctx context.Context) error {
	dir, dialect := "migrations/sqlite", goose.DialectSQLite3
	if s.dialect == Postgres {
		dir, dialect = "migrations/postgres", goose.DialectPostgres
	}
	fsys, err := fs.Sub(migrationFS, dir)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	// Out of order: migrations are numbered per branch of work, so a
	// database may already hold a higher one than a migration merged later
	// (00060 after 00065); goose applies the missing one instead of refusing.
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true), goose.WithAllowOutofOrder(true)}
	if s.dialect == Postgres {
		// Two servers starting on one database must not migrate at once.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return fmt.Errorf("migrations: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, s.db, fsys, opts...)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return rollcall.WrapError(rollcall.EINTERNAL, err, "cannot migrate the database schema")
	}
	for _, r := range res {
		s.log.Debug("migrated", "version", r.Source.Version, "file", r.Source.Path, "took", r.Duration)
	}
	return nil
}

// SchemaVersion returns the version of the newest applied migration.
func (s *Store) SchemaVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.q.QueryRowContext(ctx, `SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return v, nil
}

// Close closes the database. Closing a transaction-bound Store does nothing.
func (s *Store) Close() error {
	if s.tx != nil {
		return nil
	}
	if s.stmts != nil {
		s.stmts.close()
	}
	return s.db.Close()
}

// Dialect returns "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.dialect }

// DB returns the underlying database, for packages that run their own SQL
// (users, security). Their writes do not pass through the audit log unless
// they call AppendAudit.
func (s *Store) DB() *sql.DB { return s.db }

// Tx returns the transaction the Store is bound to, nil outside InTx.
func (s *Store) Tx() *sql.Tx { return s.tx }

// Querier returns the handle to run SQL on: the transaction inside InTx,
// the database outside.
func (s *Store) Querier() interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
} {
	return s.q
}

// Cipher returns the field cipher, nil when none is loaded.
func (s *Store) Cipher() rollcall.FieldCipher { return s.cipher }

// InTx runs f with a Store bound to one transaction: everything f does is
// committed together, or nothing is when f returns an error or panics.
// Inside a transaction already, f joins it.
func (s *Store) InTx(ctx context.Context, f func(tx *Store) error) (err error) {
	if s.tx != nil {
		return f(s)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(fmt.Errorf("begin transaction: %w", err), "", 0)
	}
	ts := *s
	ts.tx, ts.q, ts.importStmt = tx, tx, nil
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
		if err != nil {
			tx.Rollback()
		}
	}()
	if s.dialect == Postgres {
		// Every writer takes the audit lock first, so PostgreSQL queues
		// writers as SQLite does and the audit chain cannot fork or deadlock.
		if _, err = tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, auditLockKey); err != nil {
			return mapErr(fmt.Errorf("lock: %w", err), "", 0)
		}
	}
	if err = f(&ts); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return mapErr(fmt.Errorf("commit: %w", err), "", 0)
	}
	if ts.queued {
		if f := s.linkQueued.Load(); f != nil {
			(*f)()
		}
	}
	return nil
}

// write runs f in the current transaction or a new one.
func (s *Store) write(ctx context.Context, f func(tx *Store) error) error {
	return s.InTx(ctx, f)
}

// timestamps are written in one fixed-width UTC form so text order is time
// order in both databases.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func fmtTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// nowUTC is the store's clock, truncated to microseconds so that a time
// survives a round trip through either database unchanged.
func (s *Store) nowUTC() time.Time { return s.now().UTC().Truncate(time.Microsecond) }
