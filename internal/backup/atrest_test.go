package backup_test

import (
	"bytes"
	"context"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/backup"
	"github.com/rollcall-project/rollcall/internal/evidence"
	"github.com/rollcall-project/rollcall/internal/keys"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/storetest"
)

var cheap = keys.Options{Argon2: keys.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1}}

const passphrase = "a long enough test passphrase"

// markers are unique values planted in every confidential field; control is
// planted in a public field and must be found, which proves the byte search
// itself works.
var markers = []string{
	"mrkinformantname7f3a", "mrkinformantcontact91bc", "mrktestimony44de",
	"mrkevidencefrom0a1b", "mrkevidencename5c6d", "mrkevidencecontente2f3",
	"김비밀증인", // a Korean marker: UTF-8 bytes must not appear either
}

// Markers and control are single lower-case tokens, so that a full-text
// index (which splits and case-folds text) would still hold them whole.
const control = "ctrlpublicrecordname77aa"

type planted struct {
	db       *store.Store
	ring     *keys.Keyring
	ringPath string
	evDir    string
}

// plant writes one source, record and evidence file carrying the markers.
func plant(t *testing.T, dsn, dir string) planted {
	t.Helper()
	ctx := rollcall.WithActor(context.Background(), rollcall.Actor{Name: "tester", Role: rollcall.RoleAdmin})
	ringPath := filepath.Join(dir, "test.keyring")
	ring, err := keys.Create(ringPath, keys.Secret{Passphrase: []byte(passphrase)}, cheap)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ring.Cipher()
	if err != nil {
		t.Fatal(err)
	}
	db := storetest.Open(t, store.Open, dsn, store.Options{Cipher: c})
	src := &rollcall.Source{Key: "S-1", Kind: "testimony", Title: "Interview 1", Sensitivity: rollcall.Confidential,
		Informant: &rollcall.Informant{Name: markers[0] + " " + markers[6], Contact: markers[1], Consent: []string{"research"}}}
	if err := db.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	rec := &rollcall.Record{SourceID: src.ID, Key: "R-1", Name: control, Testimony: markers[2] + " " + markers[6], Sensitivity: rollcall.Confidential}
	if err := db.CreateRecord(ctx, rec); err != nil {
		t.Fatal(err)
	}
	f := ring.File()
	rcpt, err := f.EvidenceRecipientKey()
	if err != nil {
		t.Fatal(err)
	}
	v := &evidence.Vault{DB: db, Dir: filepath.Join(dir, "evidence"), Recipient: rcpt}
	if _, _, err := v.Add(ctx, strings.NewReader("scan: "+markers[5]), evidence.Receipt{Name: markers[4] + ".jpg", ReceivedFrom: markers[3], Method: "in person", SourceID: &src.ID}); err != nil {
		t.Fatal(err)
	}
	// Reading the values back proves they were stored, not dropped.
	got, err := db.GetSource(ctx, src.ID)
	if err != nil || got.Informant == nil || got.Informant.Contact != markers[1] {
		t.Fatalf("informant did not round-trip: %+v %v", got, err)
	}
	return planted{db: db, ring: ring, ringPath: ringPath, evDir: v.Dir}
}

// assertAbsent fails if any marker occurs in b, and (when wantControl) if the
// public control value does not.
func assertAbsent(t *testing.T, what string, b []byte, wantControl bool) {
	t.Helper()
	for _, m := range markers {
		if bytes.Contains(b, []byte(m)) {
			t.Errorf("%s contains confidential marker %q in clear", what, m)
		}
	}
	if wantControl && !bytes.Contains(b, []byte(control)) {
		t.Errorf("%s does not contain the public control value: the search proves nothing", what)
	}
}

func readAll(t *testing.T, paths ...string) []byte {
	var all []byte
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

// TestConfidentialFieldsNeverInClear is the at-rest check: the markers must
// not appear in the SQLite file or its WAL, a pg_dump of the PostgreSQL
// schema, the evidence directory, the keyring, or a backup archive (before or
// after decrypting it).
func TestConfidentialFieldsNeverInClear(t *testing.T) {
	storetest.Run(t, func(t *testing.T, tdb storetest.DB) {
		dir := t.TempDir()
		p := plant(t, tdb.DSN, dir)
		ctx := context.Background()
		if tdb.Name == "sqlite" {
			// The WAL is read while the store is open, before any checkpoint.
			assertAbsent(t, "SQLite file + WAL", readAll(t, tdb.DSN, tdb.DSN+"-wal", tdb.DSN+"-shm"), true)
		} else {
			pgDump(t, tdb.DSN)
		}
		var ev []byte
		filepath.WalkDir(p.evDir, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				ev = append(ev, readAll(t, path)...)
			}
			return nil
		})
		if len(ev) == 0 {
			t.Fatal("no evidence file stored")
		}
		assertAbsent(t, "evidence directory", ev, false)
		assertAbsent(t, "keyring", readAll(t, p.ringPath), false)
		if bytes.Contains(readAll(t, p.ringPath), []byte(passphrase)) {
			t.Error("keyring contains the passphrase")
		}

		id, _ := age.GenerateX25519Identity()
		var arch bytes.Buffer
		src := backup.Source{DB: p.db, KeyringPath: p.ringPath, EvidenceDir: p.evDir}
		if _, err := backup.Create(ctx, src, &arch, id.Recipient()); err != nil {
			t.Fatal(err)
		}
		assertAbsent(t, "backup archive", arch.Bytes(), false)
		dr, err := age.Decrypt(bytes.NewReader(arch.Bytes()), id)
		if err != nil {
			t.Fatal(err)
		}
		plain, _ := io.ReadAll(dr)
		assertAbsent(t, "decrypted backup archive", plain, true)
	})
}

// pgDump dumps the test schema with pg_dump and searches it.
func pgDump(t *testing.T, dsn string) {
	t.Helper()
	bin, err := exec.LookPath("pg_dump")
	if err != nil {
		t.Log("pg_dump not installed: PostgreSQL dump check skipped")
		return
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	schema := q.Get("search_path")
	q.Del("search_path")
	u.RawQuery = q.Encode()
	out, err := exec.Command(bin, "--dbname="+u.String(), "--schema="+schema, "--data-only").CombinedOutput()
	if err != nil {
		t.Fatalf("pg_dump: %v\n%s", err, out)
	}
	assertAbsent(t, "pg_dump", out, true)
}
