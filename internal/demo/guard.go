package demo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/store"
)

// DefaultDB is the demo's own database file, in the current directory,
// used when no --db is given: never $ROLLCALL_DB.
const DefaultDB = "rollcall-demo.db"

// IgnoredEnv are the variables that point a command at a real database, its
// keys or its evidence. The demo ignores all of them (issue 12, finding 5:
// a demo run in an operator's shell filled the real database with
// fictional persons and an admin account).
var IgnoredEnv = []string{
	"ROLLCALL_DB", "ROLLCALL_KEYRING", "ROLLCALL_KEY_FILE", "ROLLCALL_PASSPHRASE",
	"ROLLCALL_NEW_PASSPHRASE", "ROLLCALL_BACKUP_PASSPHRASE", "ROLLCALL_EVIDENCE_DIR",
}

// Env returns getenv without the IgnoredEnv variables, and the names of
// those that were set, for the notice that says they were ignored.
func Env(getenv func(string) string) (func(string) string, []string) {
	var set []string
	for _, k := range IgnoredEnv {
		if getenv(k) != "" {
			set = append(set, k)
		}
	}
	return func(k string) string {
		for _, i := range IgnoredEnv {
			if k == i {
				return ""
			}
		}
		return getenv(k)
	}, set
}

// Check tells whether the demo may use the database at dsn, without
// writing to it: fresh is true for a database to be created (no file, an
// empty file or database), false for one the demo created earlier (it
// carries the marker Mark writes). Anything else is refused with an error
// that says what to do. A missing SQLite file's directory is created.
func Check(ctx context.Context, dsn string) (fresh bool, err error) {
	p, err := store.Probe(ctx, dsn)
	if err != nil {
		return false, err
	}
	switch p {
	case store.ProbeMissing:
		if dir := filepath.Dir(dsn); dir != "." {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return false, fmt.Errorf("create the demo's directory: %w", err)
			}
		}
		return true, nil
	case store.ProbeEmpty:
		return true, nil
	case store.ProbeDemo:
		return false, nil
	}
	what := "delete it if it is a demo that did not finish, or give another file with --db"
	if store.IsPostgresDSN(dsn) {
		what = "give an empty database with --db"
	}
	return false, rollcall.Errorf(rollcall.EINVALID,
		"%s is not a demo database (it lacks the demo's marker): the demo writes fictional persons and an admin account, so it only uses a database it created itself; %s",
		store.RedactDSN(dsn), what)
}

// Mark writes the demo's marker (and an audit entry saying so) into a
// database the demo has just created. It is written before any fictional
// data, so that a run stopped while loading leaves a database the next
// run reuses.
func Mark(ctx context.Context, st *store.Store) error {
	if err := st.SetSetting(ctx, store.SettingDemo, "true"); err != nil {
		return fmt.Errorf("mark the demo database: %w", err)
	}
	return nil
}
