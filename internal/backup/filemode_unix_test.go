//go:build unix

package backup_test

import (
	"bytes"
	"io/fs"
	"path/filepath"
	"syscall"
	"testing"

	"filippo.io/age"

	"github.com/rollcall-project/rollcall/internal/backup"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/storetest"
)

// TestFilesOwnerOnly: under umask 0 (so a mode we see is the one the code
// set), every file rollcall creates that can hold non-public data is 0600
// and every directory 0700: the SQLite database and its WAL, the keyring,
// the evidence store, and all of them again as a restore installs them
// (issue 12, finding 6, "the database file, its WAL and backups are created
// 0644").
func TestFilesOwnerOnly(t *testing.T) {
	old := syscall.Umask(0)
	t.Cleanup(func() { syscall.Umask(old) })
	ctx := adminCtx()
	dir := t.TempDir()
	p := plant(t, filepath.Join(dir, "planted.db"), dir)
	checkTree(t, dir, p.evDir)

	id, _ := age.GenerateX25519Identity()
	var arch bytes.Buffer
	if _, err := backup.Create(ctx, backup.Source{DB: p.db, KeyringPath: p.ringPath, EvidenceDir: p.evDir}, &arch, id.Recipient()); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "restored")
	target := backup.Target{DSN: filepath.Join(out, "restored.db"), KeyringPath: filepath.Join(out, "restored.keyring"), EvidenceDir: filepath.Join(out, "ev")}
	if _, err := backup.Restore(ctx, bytes.NewReader(arch.Bytes()), target, id); err != nil {
		t.Fatal(err)
	}
	db := storetest.Open(t, store.Open, target.DSN, store.Options{})
	if _, err := db.SourceByKey(ctx, "S-1"); err != nil {
		t.Fatal(err)
	}
	checkTree(t, out, target.EvidenceDir)
}

// checkTree walks dir: files must be 0600, directories 0700, and the
// database, its WAL, the keyring and an evidence file (in evDir) must be
// among them.
func checkTree(t *testing.T, dir, evDir string) {
	t.Helper()
	seen := map[string]bool{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		if p != dir && fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", p, fi.Mode().Perm(), want)
		}
		switch ext := filepath.Ext(p); {
		case ext == ".db" || ext == ".keyring":
			seen[ext] = true
		case ext == ".db-wal":
			seen["wal"] = true
		case !d.IsDir() && filepath.Dir(filepath.Dir(p)) == evDir:
			seen["evidence"] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{".db", "wal", ".keyring", "evidence"} {
		if !seen[k] {
			t.Errorf("%s: no %s file to check (found %v)", dir, k, seen)
		}
	}
}
