package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/rollcall-project/rollcall"
)

// ServerLock keeps a restore from replacing a database under a running
// server (issue 12, finding 3). Every serving process holds it shared;
// restore takes it exclusively and so refuses while any server runs, and a
// server refuses to start while a restore runs.
//
// SQLite: an flock on "<db>.lock" beside the database file (mode 0600),
// which also lists the pids of the serving processes for the message.
// PostgreSQL: a session-level advisory lock per database and schema, held
// on a connection of its own for as long as the lock is.
type ServerLock struct {
	once    sync.Once
	release func() error
	err     error
}

// Release gives the lock up; a second call does nothing.
func (l *ServerLock) Release() error {
	if l == nil {
		return nil
	}
	l.once.Do(func() { l.err = l.release() })
	return l.err
}

// LockForServing takes dsn's lock shared, for a process that serves the
// database. It fails with ECONFLICT while a restore holds the lock.
func LockForServing(ctx context.Context, dsn string) (*ServerLock, error) {
	return lockServer(ctx, dsn, false)
}

// LockForRestore takes dsn's lock exclusively, for a restore. It does not
// wait: while a server runs it fails at once with ECONFLICT, naming the
// server's pid when it can.
func LockForRestore(ctx context.Context, dsn string) (*ServerLock, error) {
	return lockServer(ctx, dsn, true)
}

func lockServer(ctx context.Context, dsn string, exclusive bool) (*ServerLock, error) {
	if IsPostgresDSN(dsn) {
		return lockPostgres(ctx, dsn, exclusive)
	}
	return lockSQLite(dsn, exclusive)
}

// refusal is the message of a lock not granted. pids are the serving
// processes known to hold it (none when a restore holds it, or when they
// cannot be named).
func refusal(exclusive bool, pids []int) error {
	slices.Sort(pids)
	pids = slices.Compact(pids)
	if !exclusive {
		return rollcall.Errorf(rollcall.ECONFLICT, "a restore is running on this database; start the server when it has finished")
	}
	switch len(pids) {
	case 0:
		return rollcall.Errorf(rollcall.ECONFLICT, "a server is running on this database; stop it before restoring")
	case 1:
		return rollcall.Errorf(rollcall.ECONFLICT, "a server is running on this database (pid %d); stop it before restoring", pids[0])
	}
	s := make([]string, len(pids))
	for i, p := range pids {
		s[i] = strconv.Itoa(p)
	}
	return rollcall.Errorf(rollcall.ECONFLICT, "servers are running on this database (pids %s); stop them before restoring", strings.Join(s, ", "))
}

// LockPath is the SQLite lock file of the database at path.
func LockPath(path string) string { return path + ".lock" }

// errLocked is what tryFlock returns when another process holds the lock.
var errLocked = errors.New("locked")

func lockSQLite(path string, exclusive bool) (*ServerLock, error) {
	if path == "" {
		return nil, rollcall.Errorf(rollcall.EINVALID, "no database path given")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create database directory: %w", err)
	}
	lp := LockPath(path)
	f, err := os.OpenFile(lp, os.O_RDWR|os.O_CREATE, FileMode)
	if err != nil {
		return nil, fmt.Errorf("open lock file %s: %w", lp, err)
	}
	if err := tryFlock(f, exclusive); err != nil {
		var pids []int
		if errors.Is(err, errLocked) && exclusive {
			pids = livePids(f)
		}
		f.Close()
		if errors.Is(err, errLocked) {
			return nil, refusal(exclusive, pids)
		}
		return nil, fmt.Errorf("lock %s: %w", lp, err)
	}
	if exclusive {
		// Whatever pids are listed belong to servers that are gone.
		if err := f.Truncate(0); err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", lp, err)
		}
		return &ServerLock{release: f.Close}, nil
	}
	pid := os.Getpid()
	editPids(f, func(ps []int) []int { return append(ps, pid) })
	return &ServerLock{release: func() error {
		editPids(f, func(ps []int) []int {
			// One line per lock: a process may hold two (tests do).
			if i := slices.Index(ps, pid); i >= 0 {
				ps = slices.Delete(ps, i, i+1)
			}
			return ps
		})
		return f.Close() // closing drops the flock
	}}, nil
}

// readPids reads the pids listed in the lock file.
func readPids(f *os.File) []int {
	b, err := os.ReadFile(f.Name())
	if err != nil {
		return nil
	}
	var ps []int
	for _, l := range strings.Fields(string(b)) {
		if p, err := strconv.Atoi(l); err == nil && p > 0 {
			ps = append(ps, p)
		}
	}
	return ps
}

// livePids are the listed pids of processes that still exist: a server
// killed with -9 leaves its pid behind, and its flock goes with it.
func livePids(f *os.File) []int {
	return slices.DeleteFunc(readPids(f), func(p int) bool { return !processExists(p) })
}

// editPids rewrites the list of pids. Servers starting and stopping at the
// same instant may lose each other's line; the list only feeds a message
// (the flock is the lock), and dead pids are skipped when read.
func editPids(f *os.File, edit func([]int) []int) {
	ps := edit(livePids(f))
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "%d\n", p)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(b.String()), 0)
	}
}

// pgLockClass is the first key of rollcall's two-key advisory locks
// ("roll"); the second is a hash of the database and schema. Goose's
// migration lock uses the one-key form, a different key space.
const pgLockClass = 0x726f6c6c

func lockPostgres(ctx context.Context, dsn string, exclusive bool) (*ServerLock, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	// One connection, kept: a session lock lives as long as its session.
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, rollcall.WrapError(rollcall.EINTERNAL, err, "cannot open database %s", RedactDSN(dsn))
	}
	fail := func(err error) (*ServerLock, error) {
		conn.Close()
		db.Close()
		return nil, err
	}
	var dbName, schema string
	if err := conn.QueryRowContext(ctx, `SELECT current_database(), COALESCE(current_schema(), '')`).Scan(&dbName, &schema); err != nil {
		return fail(fmt.Errorf("server lock: %w", err))
	}
	h := fnv.New32a()
	h.Write([]byte(dbName + "\x00" + schema))
	key := int32(h.Sum32() & 0x7fffffff)
	role := "restore"
	if !exclusive {
		role = "serve"
	}
	// The holder's pid is read back from application_name by a refused
	// restore (pg_locks knows only the backend's pid).
	if _, err := conn.ExecContext(ctx, `SELECT set_config('application_name', $1, false)`,
		fmt.Sprintf("rollcall %s pid %d", role, os.Getpid())); err != nil {
		return fail(fmt.Errorf("server lock: %w", err))
	}
	fn := "pg_try_advisory_lock_shared"
	if exclusive {
		fn = "pg_try_advisory_lock"
	}
	var ok bool
	if err := conn.QueryRowContext(ctx, `SELECT `+fn+`($1, $2)`, int32(pgLockClass), key).Scan(&ok); err != nil {
		return fail(fmt.Errorf("server lock: %w", err))
	}
	if !ok {
		var pids []int
		if exclusive {
			pids = pgLockHolders(ctx, conn, key)
		}
		return fail(refusal(exclusive, pids))
	}
	unlock := "pg_advisory_unlock_shared"
	if exclusive {
		unlock = "pg_advisory_unlock"
	}
	return &ServerLock{release: func() error {
		// Closing the session would drop the lock anyway; unlocking first
		// leaves nothing behind if the pool kept the connection.
		_, uerr := conn.ExecContext(context.Background(), `SELECT `+unlock+`($1, $2)`, int32(pgLockClass), key)
		return errors.Join(uerr, conn.Close(), db.Close())
	}}, nil
}

// pgLockHolders names the pids of the rollcall servers holding the lock,
// from their sessions' application_name; none if it cannot see them.
func pgLockHolders(ctx context.Context, conn *sql.Conn, key int32) []int {
	rows, err := conn.QueryContext(ctx, `SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
		AND l.classid::int8 = $1 AND l.objid::int8 = $2 ORDER BY a.pid`, int64(pgLockClass), int64(key))
	if err != nil {
		return nil
	}
	defer rows.Close()
	var pids []int
	for rows.Next() {
		var app string
		if rows.Scan(&app) != nil {
			return nil
		}
		if _, p, ok := strings.Cut(app, " pid "); ok {
			if n, err := strconv.Atoi(p); err == nil {
				pids = append(pids, n)
			}
		}
	}
	return pids
}
