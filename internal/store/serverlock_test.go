// The server lock is a flock on unix (serverlock_unix.go); elsewhere it is
// not enforced (SECURITY.md), so these tests are built where it exists.

//go:build unix

package store

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/storetest"
)

// TestRestoreRefusedWhileServerHoldsLock: servers share the lock, a restore
// is refused at once while any holds it (naming the pid), and a server is
// refused while a restore holds it (issue 12, finding 3).
func TestRestoreRefusedWhileServerHoldsLock(t *testing.T) {
	ctx := context.Background()
	storetest.Run(t, func(t *testing.T, db storetest.DB) {
		storetest.Open(t, Open, db.DSN, Options{})
		s1, err := LockForServing(ctx, db.DSN)
		must(t, err)
		s2, err := LockForServing(ctx, db.DSN)
		must(t, err) // a second server on the same database is allowed

		pidText := fmt.Sprintf("pid %d", os.Getpid())
		for _, held := range []string{"two servers", "one server"} {
			start := time.Now()
			_, err = LockForRestore(ctx, db.DSN)
			took := time.Since(start)
			wantCode(t, err, rollcall.ECONFLICT)
			msg := rollcall.ErrorMessage(err)
			if !strings.Contains(msg, "stop") || !strings.Contains(msg, fmt.Sprint(os.Getpid())) {
				t.Fatalf("%s: refusal %q does not name the server (%s) and say to stop it", held, msg, pidText)
			}
			t.Logf("%s: restore refused in %v: %s", held, took, msg)
			if took > 5*time.Second {
				t.Fatalf("restore waited %v for the lock instead of refusing", took)
			}
			must(t, s2.Release())
		}
		must(t, s2.Release()) // twice is harmless
		must(t, s1.Release())

		r, err := LockForRestore(ctx, db.DSN)
		must(t, err)
		_, err = LockForServing(ctx, db.DSN)
		wantCode(t, err, rollcall.ECONFLICT)
		if msg := rollcall.ErrorMessage(err); !strings.Contains(msg, "restore is running") {
			t.Fatalf("server refused with %q", msg)
		}
		if _, err := LockForRestore(ctx, db.DSN); rollcall.ErrorCode(err) != rollcall.ECONFLICT {
			t.Fatalf("a second restore got %v, want ECONFLICT", err)
		}
		must(t, r.Release())
		s3, err := LockForServing(ctx, db.DSN)
		must(t, err)
		must(t, s3.Release())

		if db.Name == "sqlite" {
			fi, err := os.Stat(LockPath(db.DSN))
			must(t, err)
			if fi.Mode().Perm() != FileMode {
				t.Fatalf("lock file mode %v, want %v", fi.Mode().Perm(), FileMode)
			}
		}
	})
}

// TestServerLockIsPerDatabase: a lock on one database does not stop a
// restore of another (another file, another PostgreSQL schema).
func TestServerLockIsPerDatabase(t *testing.T) {
	ctx := context.Background()
	storetest.Run(t, func(t *testing.T, db storetest.DB) {
		other := db.Fresh(t)
		storetest.Open(t, Open, db.DSN, Options{})
		storetest.Open(t, Open, other, Options{})
		s, err := LockForServing(ctx, db.DSN)
		must(t, err)
		defer s.Release()
		r, err := LockForRestore(ctx, other)
		must(t, err)
		must(t, r.Release())
	})
}
