//go:build unix

package export

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/rollcall-project/rollcall/internal/storetest"
)

// TestExportFileOwnerOnly: an export file is 0600 whatever the umask, also
// when it replaces a world-readable file (issue 12, finding 6).
func TestExportFileOwnerOnly(t *testing.T) {
	st, _ := setup(t, storetest.DB{Name: "sqlite", DSN: storetest.SQLitePath(t)})
	old := syscall.Umask(0)
	t.Cleanup(func() { syscall.Umask(old) })
	dir := t.TempDir()
	for _, format := range []string{CSV, XLSX, JSON} {
		p := filepath.Join(dir, "records."+format)
		if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := WriteFile(ctxSystem(), st, p, Options{Entity: Records, Format: format}); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 || fi.Size() < 100 {
			t.Errorf("%s: mode %v, %d bytes; want 0600 and the export", format, fi.Mode().Perm(), fi.Size())
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 3 {
		t.Errorf("temporary files left: %v", ents)
	}
}
