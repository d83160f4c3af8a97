package backup_test

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"testing"

	"filippo.io/age"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/backup"
	"github.com/rollcall-project/rollcall/internal/keys"
	"github.com/rollcall-project/rollcall/internal/store"
)

// BenchmarkBackupRestoreSQLite measures a backup and a full checked restore
// of a database of 2000 records with sealed testimonies.
func BenchmarkBackupRestoreSQLite(b *testing.B) {
	dir := b.TempDir()
	c, _ := keys.NewCipher(1, map[byte][]byte{1: bytes.Repeat([]byte{1}, 32)}, bytes.Repeat([]byte{2}, 32))
	st, err := store.Open(adminCtx(), filepath.Join(dir, "db"), store.Options{Cipher: c})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx := adminCtx()
	st.InTx(ctx, func(tx *store.Store) error {
		src := &rollcall.Source{Key: "s", Kind: "testimony", Title: "t", Sensitivity: rollcall.Confidential}
		if err := tx.CreateSource(ctx, src); err != nil {
			return err
		}
		for i := range 2000 {
			if err := tx.CreateRecord(ctx, &rollcall.Record{SourceID: src.ID, Key: fmt.Sprint(i), Name: "N", Testimony: "words words words", Sensitivity: rollcall.Confidential}); err != nil {
				return err
			}
		}
		return nil
	})
	id, _ := age.GenerateX25519Identity()
	b.Run("backup", func(b *testing.B) {
		for b.Loop() {
			if _, err := backup.Create(ctx, backup.Source{DB: st}, io.Discard, id.Recipient()); err != nil {
				b.Fatal(err)
			}
		}
	})
	var arch bytes.Buffer
	backup.Create(ctx, backup.Source{DB: st}, &arch, id.Recipient())
	b.Run("restore", func(b *testing.B) {
		i := 0
		for b.Loop() {
			i++
			target := filepath.Join(dir, fmt.Sprintf("r%d.db", i))
			if _, err := backup.Restore(ctx, bytes.NewReader(arch.Bytes()), backup.Target{DSN: target}, id); err != nil {
				b.Fatal(err)
			}
		}
	})
}
