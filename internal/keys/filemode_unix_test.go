//go:build unix

package keys

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestKeyFilesOwnerOnly: under umask 0, the keyring (created, rotated) and
// a generated key file are 0600 (issue 12, finding 6).
func TestKeyFilesOwnerOnly(t *testing.T) {
	old := syscall.Umask(0)
	t.Cleanup(func() { syscall.Umask(old) })
	k, path := newRing(t)
	check := func(what, p string) {
		t.Helper()
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", what, fi.Mode().Perm())
		}
	}
	check("new keyring", path)
	if _, err := k.Rotate(); err != nil {
		t.Fatal(err)
	}
	check("rotated keyring", path)
	kf := filepath.Join(t.TempDir(), "key")
	if err := GenerateKeyFile(kf); err != nil {
		t.Fatal(err)
	}
	check("key file", kf)
}
