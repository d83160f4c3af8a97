package backup_test

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/audit"
	"github.com/rollcall-project/rollcall/internal/backup"
	"github.com/rollcall-project/rollcall/internal/evidence"
	"github.com/rollcall-project/rollcall/internal/keys"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/storetest"
)

func adminCtx() context.Context {
	return rollcall.WithActor(context.Background(), rollcall.Actor{Name: "tester", Role: rollcall.RoleAdmin})
}

// TestRoundTrip backs up a database with confidential fields, evidence and
// a signed checkpoint, restores it into a fresh target, and checks that
// everything reads back: the fields decrypt with the restored keyring, the
// evidence decrypts and hashes right, and the audit log verifies.
func TestRoundTrip(t *testing.T) {
	storetest.Run(t, func(t *testing.T, tdb storetest.DB) {
		ctx := adminCtx()
		dir := t.TempDir()
		p := plant(t, tdb.DSN, dir)
		priv, _ := p.ring.Signer()
		if _, err := audit.Checkpoint(ctx, p.db, priv, time.Date(2026, time.December, 12, 12, 12, 12, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
		_, before, err := audit.Verify(ctx, p.db, audit.Options{})
		if err != nil {
			t.Fatal(err)
		}
		id, _ := age.GenerateX25519Identity()
		var arch bytes.Buffer
		if _, err := backup.Create(ctx, backup.Source{DB: p.db, KeyringPath: p.ringPath, EvidenceDir: p.evDir}, &arch, id.Recipient()); err != nil {
			t.Fatal(err)
		}

		out := t.TempDir()
		target := backup.Target{DSN: filepath.Join(out, "restored.db"), KeyringPath: filepath.Join(out, "restored.keyring"), EvidenceDir: filepath.Join(out, "ev")}
		if tdb.Name == "postgres" {
			target.DSN = tdb.Fresh(t) // a fresh, empty schema
		}
		res, err := backup.Restore(ctx, bytes.NewReader(arch.Bytes()), target, id)
		if err != nil {
			t.Fatal(err)
		}
		if res.Evidence != 1 {
			t.Fatalf("restored %d evidence files, want 1", res.Evidence)
		}
		kf, err := keys.Load(target.KeyringPath)
		if err != nil {
			t.Fatal(err)
		}
		ring, err := kf.Unlock(target.KeyringPath, keys.Secret{Passphrase: []byte(passphrase)})
		if err != nil {
			t.Fatal(err)
		}
		c, _ := ring.Cipher()
		db := storetest.Open(t, store.Open, target.DSN, store.Options{Cipher: c})
		src, err := db.SourceByKey(ctx, "S-1")
		if err != nil || src.Informant == nil || src.Informant.Contact != markers[1] {
			t.Fatalf("restored informant: %+v %v", src, err)
		}
		_, after, err := audit.Verify(ctx, db, audit.Options{Trusted: ring.PublicKey()})
		if err != nil {
			t.Fatal(err)
		}
		// Reading the informant above appended audit entries; the backed-up
		// prefix must be unchanged.
		if after.Entries < before.Entries || after.Checkpoints != 1 {
			t.Fatalf("audit after restore: %+v, before: %+v", after, before)
		}
		idn, _ := ring.EvidenceIdentity()
		v := &evidence.Vault{DB: db, Dir: target.EvidenceDir, Identity: idn}
		probs, n, err := v.Verify(ctx)
		if err != nil || n != 1 || len(probs) != 0 {
			t.Fatalf("evidence after restore: %d files, problems %v, %v", n, probs, err)
		}
		if tdb.Name == "postgres" {
			// A second restore into the now non-empty database is refused.
			if _, err := backup.Restore(ctx, bytes.NewReader(arch.Bytes()), target, id); rollcall.ErrorCode(err) != rollcall.ECONFLICT {
				t.Fatalf("restore over data without --force: %v", err)
			}
			// New rows get fresh ids after the restore moved the sequences.
			s2 := &rollcall.Source{Key: "S-2", Kind: "report", Title: "after restore", Sensitivity: rollcall.Public}
			if err := db.CreateSource(ctx, s2); err != nil || s2.ID <= src.ID {
				t.Fatalf("create after restore: id %d, %v", s2.ID, err)
			}
		}
	})
}

// TestRestoreRefusesBadArchives checks each way an archive can be wrong,
// and that the existing database is untouched each time.
func TestRestoreRefusesBadArchives(t *testing.T) {
	ctx := adminCtx()
	dir := t.TempDir()
	dsn := filepath.Join(dir, "live.db")
	p := plant(t, dsn, dir)
	id, _ := age.GenerateX25519Identity()
	var good bytes.Buffer
	if _, err := backup.Create(ctx, backup.Source{DB: p.db, KeyringPath: p.ringPath}, &good, id.Recipient()); err != nil {
		t.Fatal(err)
	}

	// A backup of a database whose audit log was tampered with.
	if _, err := p.db.DB().Exec(`UPDATE audit_log SET actor = 'mallory' WHERE seq = 1`); err != nil {
		t.Fatal(err)
	}
	var tampered bytes.Buffer
	m, err := backup.Create(ctx, backup.Source{DB: p.db}, &tampered, id.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	if m.Audit.Error == "" {
		t.Fatal("backup did not notice the broken audit log")
	}
	p.db.DB().Exec(`UPDATE audit_log SET actor = 'tester' WHERE seq = 1`)

	flipped := bytes.Clone(good.Bytes())
	flipped[len(flipped)/2] ^= 0x01
	other, _ := age.GenerateX25519Identity()

	// An archive whose members were rewritten consistently by someone who
	// holds the recipient key: a member changed without updating the manifest.
	rewritten := rewrite(t, good.Bytes(), id, func(name string, b []byte) []byte {
		if name == "keyring.json" {
			return bytes.Replace(b, []byte(`"format": 1`), []byte(`"format": 1 `), 1)
		}
		return b
	})
	escaping := rewrite(t, good.Bytes(), id, func(name string, b []byte) []byte { return b }, "../../etc/evil")

	tests := []struct {
		name string
		arch []byte
		id   age.Identity
		want string
	}{
		{"wrong key", good.Bytes(), other, "cannot decrypt"},
		{"flipped byte", flipped, id, ""},
		{"truncated", good.Bytes()[:good.Len()*2/3], id, ""},
		{"audit log tampered before backup", tampered.Bytes(), id, "audit log did not verify"},
		{"member differs from manifest", rewritten, id, "does not match the manifest"},
		{"path escaping the directory", escaping, id, "unexpected member"},
	}
	target := filepath.Join(t.TempDir(), "target.db")
	if err := os.WriteFile(target, []byte("existing database"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := backup.Restore(ctx, bytes.NewReader(tc.arch), backup.Target{DSN: target}, tc.id)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if b, _ := os.ReadFile(target); string(b) != "existing database" {
				t.Fatal("a refused restore changed the target")
			}
		})
	}
	// And the good one restores, moving the old file aside.
	res, err := backup.Restore(ctx, bytes.NewReader(good.Bytes()), backup.Target{DSN: target}, id)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(res.MovedAside); string(b) != "existing database" {
		t.Fatal("the previous database was not kept")
	}
}

// rewrite decrypts an archive, passes each member through f, optionally adds
// members with extra names, and re-encrypts it to the same identity.
func rewrite(t *testing.T, arch []byte, id *age.X25519Identity, f func(string, []byte) []byte, extra ...string) []byte {
	t.Helper()
	dr, err := age.Decrypt(bytes.NewReader(arch), id)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(dr)
	var out bytes.Buffer
	ew, _ := age.Encrypt(&out, id.Recipient())
	tw := tar.NewWriter(ew)
	for _, name := range extra {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: 1, Typeflag: tar.TypeReg})
		tw.Write([]byte("x"))
	}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		b = f(h.Name, b)
		h.Size = int64(len(b))
		tw.WriteHeader(h)
		tw.Write(b)
	}
	tw.Close()
	ew.Close()
	return out.Bytes()
}
