//go:build unix

package store

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/rollcall-project/rollcall"
)

// withUmask runs the test under umask 0, so that a mode we see is the one
// the code set, not one the umask narrowed.
func withUmask(t *testing.T) {
	old := syscall.Umask(0)
	t.Cleanup(func() { syscall.Umask(old) })
}

// TestDatabaseFilesOwnerOnly: a new SQLite database, its WAL and its
// shared-memory file are 0600 whatever the umask, and an existing database
// left 0644 (and its WAL) are narrowed to 0600 when opened (issue 12,
// finding 6, "the database file, its WAL … are created 0644").
func TestDatabaseFilesOwnerOnly(t *testing.T) {
	withUmask(t)
	ctx := rollcall.WithActor(context.Background(), rollcall.Actor{Name: "test", Role: rollcall.RoleSystem})
	dir := t.TempDir()
	path := filepath.Join(dir, "new.db")
	st, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateSource(ctx, &rollcall.Source{Key: "s", Kind: "testimony", Title: "t"}); err != nil {
		t.Fatal(err)
	}
	checkModes(t, path, "-wal", "-shm")
	st.Close()

	// An existing database made 0644 by an older version, with its WAL.
	old := filepath.Join(dir, "old.db")
	st, err = Open(ctx, old, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateSource(ctx, &rollcall.Source{Key: "s", Kind: "testimony", Title: "t"}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{old, old + "-wal", old + "-shm"} {
		if err := os.Chmod(p, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	st2, err := Open(ctx, old, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	checkModes(t, old, "-wal", "-shm")
	st.Close()
}

func checkModes(t *testing.T, path string, suffixes ...string) {
	t.Helper()
	for _, sfx := range append([]string{""}, suffixes...) {
		fi, err := os.Stat(path + sfx)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(path+sfx), err)
			continue
		}
		if m := fi.Mode().Perm(); m != FileMode {
			t.Errorf("%s: mode %v, want %v", filepath.Base(path+sfx), m, FileMode)
		}
	}
}
