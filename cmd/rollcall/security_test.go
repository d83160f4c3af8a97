package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/keys"
	"github.com/rollcall-project/rollcall/internal/store"
)

const secTestPass = "a passphrase for the cli tests"

// secEnv runs rollcall commands against one database with a fixed
// environment, as an operator would.
type secEnv struct {
	t   *testing.T
	db  string
	env map[string]string
}

func newSecEnv(t *testing.T) *secEnv {
	dir := t.TempDir()
	return &secEnv{t: t, db: filepath.Join(dir, "rc.db"), env: map[string]string{"ROLLCALL_PASSPHRASE": secTestPass}}
}

func (e *secEnv) run(stdin string, args ...string) (string, error) {
	e.t.Helper()
	m := NewMain()
	var out, errb bytes.Buffer
	m.Stdin, m.Stdout, m.Stderr = strings.NewReader(stdin), &out, &errb
	m.Getenv = func(k string) string { return e.env[k] }
	err := m.Run(context.Background(), append([]string{"--db", e.db}, args...))
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	return out.String(), err
}

func (e *secEnv) must(stdin string, args ...string) string {
	e.t.Helper()
	out, err := e.run(stdin, args...)
	if err != nil {
		e.t.Fatalf("rollcall %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// plant adds a confidential source and record through the store with the
// keyring's cipher, as the import and web paths do.
func (e *secEnv) plant(informant, testimony string) {
	e.t.Helper()
	f, err := keys.Load(e.db + ".keyring")
	if err != nil {
		e.t.Fatal(err)
	}
	ring, err := f.Unlock(e.db+".keyring", keys.Secret{Passphrase: []byte(secTestPass)})
	if err != nil {
		e.t.Fatal(err)
	}
	c, _ := ring.Cipher()
	st, err := store.Open(context.Background(), e.db, store.Options{Cipher: c})
	if err != nil {
		e.t.Fatal(err)
	}
	defer st.Close()
	ctx := rollcall.WithActor(context.Background(), rollcall.Actor{Name: "t", Role: rollcall.RoleAdmin})
	src := &rollcall.Source{Key: "S-" + informant, Kind: "testimony", Title: "t", Sensitivity: rollcall.Confidential,
		Informant: &rollcall.Informant{Name: informant, Contact: "c-" + informant}}
	if err := st.CreateSource(ctx, src); err != nil {
		e.t.Fatal(err)
	}
	if err := st.CreateRecord(ctx, &rollcall.Record{SourceID: src.ID, Key: "R-" + informant, Name: "Public Name", Testimony: testimony, Sensitivity: rollcall.Confidential}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *secEnv) sql(q string, args ...any) {
	e.t.Helper()
	db, err := sql.Open("sqlite", e.db)
	if err != nil {
		e.t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(q, args...); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
}

func TestCLIKeyRotateReencryptsEverything(t *testing.T) {
	e := newSecEnv(t)
	e.must("", "key", "init")
	e.plant("Informant One", "testimony one")
	e.plant("Informant Two", "testimony two")
	out := e.must("", "key", "rotate")
	if !strings.Contains(out, "data key version 2 active; 4 confidential values re-encrypted") {
		t.Fatalf("rotate: %s", out)
	}
	// Every sealed value in the file now carries key version 2.
	db, _ := sql.Open("sqlite", e.db)
	defer db.Close()
	for _, c := range store.SealedColumns() {
		rows, err := db.Query(`SELECT ` + c.Column + ` FROM ` + c.Table + ` WHERE ` + c.Column + ` IS NOT NULL`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var b []byte
			rows.Scan(&b)
			if v, _ := keys.Version(b); v != 2 {
				t.Errorf("%s.%s still sealed with key %d", c.Table, c.Column, v)
			}
		}
		rows.Close()
	}
	// And still readable through the CLI with the same passphrase.
	if out := e.must("", "show", "source", "S-Informant Two", "--format", "json"); !strings.Contains(out, "c-Informant Two") {
		t.Fatalf("informant unreadable after rotation:\n%s", out)
	}
	if out := e.must("", "audit", "verify"); !strings.Contains(out, "audit log OK") {
		t.Fatal(out)
	}
}

func TestCLIWrongPassphraseAndRecovery(t *testing.T) {
	e := newSecEnv(t)
	e.must("", "key", "init")
	e.plant("Witness", "words")
	shares := strings.Fields(e.must("", "key", "recovery", "split", "--shares", "3", "--threshold", "2"))
	if len(shares) != 3 {
		t.Fatalf("shares: %v", shares)
	}
	e.env["ROLLCALL_PASSPHRASE"] = "this is not the passphrase"
	if _, err := e.run("", "show", "source", "S-Witness"); rollcall.ErrorCode(err) != rollcall.EUNAUTHORIZED {
		t.Fatalf("wrong passphrase: %v", err)
	}
	// One share is not enough; two are, and set a new passphrase.
	e.env["ROLLCALL_NEW_PASSPHRASE"] = "the recovered new passphrase"
	if _, err := e.run(shares[1]+"\n", "key", "recovery", "combine"); err == nil {
		t.Fatal("one share recovered the keyring")
	}
	e.must(shares[2]+"\n"+shares[0]+"\n", "key", "recovery", "combine")
	e.env["ROLLCALL_PASSPHRASE"] = "the recovered new passphrase"
	if out := e.must("", "show", "source", "S-Witness", "--format", "json"); !strings.Contains(out, "c-Witness") {
		t.Fatalf("after recovery:\n%s", out)
	}
}

func TestCLIAuditVerifyNamesTheBadEntry(t *testing.T) {
	e := newSecEnv(t)
	e.must("", "key", "init")
	e.plant("A", "x")
	e.plant("B", "y")
	e.must("", "audit", "checkpoint", "--output", filepath.Join(t.TempDir(), "cp"))
	e.sql(`UPDATE audit_log SET detail = 'edited' WHERE seq = 2`)
	_, err := e.run("", "audit", "verify")
	if err == nil || !strings.Contains(err.Error(), "seq 2") {
		t.Fatalf("audit verify after an edit: %v", err)
	}
}

func TestCLIAuditTruncationCaughtByExternalCheckpoint(t *testing.T) {
	e := newSecEnv(t)
	e.must("", "key", "init")
	e.plant("A", "x")
	cp := filepath.Join(t.TempDir(), "cp")
	e.must("", "audit", "checkpoint", "--output", cp)
	e.sql(`DELETE FROM audit_log WHERE seq > 1`)
	e.sql(`DELETE FROM audit_checkpoints`)
	if _, err := e.run("", "audit", "verify"); err != nil {
		t.Fatalf("without any checkpoint the shortened chain is self-consistent: %v", err)
	}
	_, err := e.run("", "audit", "verify", "--checkpoint", cp)
	if err == nil || !strings.Contains(err.Error(), "seq 2") || !strings.Contains(err.Error(), "tail removed") {
		t.Fatalf("audit verify --checkpoint: %v", err)
	}
}

func TestCLIPublishAndVerifyExport(t *testing.T) {
	e := newSecEnv(t)
	e.must("", "key", "init")
	e.plant("Secret Informant", "secret testimony")
	dir := t.TempDir()
	out := filepath.Join(dir, "public.json")
	e.must("", "publish", "--output", out)
	pub := strings.Fields(strings.SplitAfter(e.must("", "key", "show"), "signing key:")[1])[0]
	if res := e.must("", "verify-export", out, "--key", pub); !strings.HasPrefix(res, "OK") {
		t.Fatal(res)
	}
	b, _ := os.ReadFile(out)
	for _, s := range []string{"Secret Informant", "secret testimony", "Public Name"} {
		if bytes.Contains(b, []byte(s)) {
			t.Errorf("export contains %q (no consent / confidential)", s)
		}
	}
	// The export's hash is in the audit log.
	log := e.must("", "audit", "export", "--format", "ndjson")
	sig, _ := os.ReadFile(out + ".sig")
	sum := strings.Fields(strings.Split(string(sig), "\n")[1])[1]
	if !strings.Contains(log, `"action":"publish"`) || !strings.Contains(log, sum) {
		t.Fatalf("audit log lacks the export hash %s", sum)
	}
	os.WriteFile(out, append(b, ' '), 0o644)
	if _, err := e.run("", "verify-export", out, "--key", pub); err == nil {
		t.Fatal("altered export verified")
	}
}

func TestCLIBackupRestorePassphrase(t *testing.T) {
	e := newSecEnv(t)
	e.must("", "key", "init")
	e.plant("Backed Up", "kept")
	e.env["ROLLCALL_BACKUP_PASSPHRASE"] = "backup passphrase for tests"
	arch := filepath.Join(t.TempDir(), "b.age")
	e.must("", "backup", "--output", arch)
	r := &secEnv{t: t, db: filepath.Join(t.TempDir(), "restored.db"), env: e.env}
	r.must("", "restore", arch)
	if out := r.must("", "show", "source", "S-Backed Up", "--format", "json"); !strings.Contains(out, "c-Backed Up") {
		t.Fatalf("restored informant:\n%s", out)
	}
	r.env = map[string]string{"ROLLCALL_BACKUP_PASSPHRASE": "wrong backup passphrase"}
	if _, err := r.run("", "restore", arch); err == nil {
		t.Fatal("restore with a wrong passphrase succeeded")
	}
}
