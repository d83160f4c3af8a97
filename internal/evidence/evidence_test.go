package evidence_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/audit"
	"github.com/rollcall-project/rollcall/internal/evidence"
	"github.com/rollcall-project/rollcall/internal/keys"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/storetest"
)

func setup(t *testing.T, dsn string) (*evidence.Vault, context.Context) {
	t.Helper()
	dir := t.TempDir()
	ring, err := keys.Create(filepath.Join(dir, "k"), keys.Secret{Passphrase: []byte("evidence test passphrase")},
		keys.Options{Argon2: keys.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := ring.Cipher()
	id, _ := ring.EvidenceIdentity()
	f := ring.File()
	rcpt, _ := f.EvidenceRecipientKey()
	db := storetest.Open(t, store.Open, dsn, store.Options{Cipher: c})
	ctx := rollcall.WithActor(context.Background(), rollcall.Actor{Name: "archivist", Role: rollcall.RoleEditor})
	return &evidence.Vault{DB: db, Dir: filepath.Join(dir, "evidence"), Recipient: rcpt, Identity: id}, ctx
}

func sum(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func TestAddGetCustody(t *testing.T) {
	storetest.Run(t, func(t *testing.T, tdb storetest.DB) {
		v, ctx := setup(t, tdb.DSN)
		content := []byte("photograph of a list of names\x00\x01binary")
		f, created, err := v.Add(ctx, bytes.NewReader(content), evidence.Receipt{Name: "list.jpg", ReceivedFrom: "courier A", Method: "in person"})
		if err != nil || !created {
			t.Fatalf("Add = %v, %v", created, err)
		}
		// Named by the SHA-256 of the content (computed independently here).
		if f.SHA256 != sum(content) || f.Size != int64(len(content)) {
			t.Fatalf("file = %+v, want hash %s", f, sum(content))
		}
		path := filepath.Join(v.Dir, f.SHA256[:2], f.SHA256[2:])
		stored, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("not stored content-addressed at %s: %v", path, err)
		}
		if bytes.Contains(stored, content[:20]) {
			t.Fatal("evidence stored in clear")
		}
		// The same content again is deduplicated; the receipt is appended.
		_, created, err = v.Add(ctx, bytes.NewReader(content), evidence.Receipt{ReceivedFrom: "courier B", Method: "post"})
		if err != nil || created {
			t.Fatalf("second Add = %v, %v", created, err)
		}
		var n int
		filepath.WalkDir(v.Dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				n++
			}
			return nil
		})
		if n != 1 {
			t.Fatalf("%d files stored for one content", n)
		}
		var out bytes.Buffer
		if err := v.Get(ctx, f.SHA256, &out, "court request"); err != nil || !bytes.Equal(out.Bytes(), content) {
			t.Fatalf("Get = %q, %v", out.Bytes(), err)
		}
		cs, err := v.DB.Custody(ctx, f.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		var steps []string
		for _, c := range cs {
			steps = append(steps, c.Actor+":"+c.Action+":"+c.Party+":"+c.Method+":"+c.Note)
		}
		want := "archivist:received:courier A:in person:|archivist:received:courier B:post:|archivist:accessed:::court request"
		if strings.Join(steps, "|") != want {
			t.Fatalf("custody = %v\nwant %s", steps, want)
		}
		// Every step is in the audit log too, and the log verifies.
		_, rep, err := audit.Verify(ctx, v.DB, audit.Options{})
		if err != nil || rep.Entries < 3 {
			t.Fatalf("audit: %+v %v", rep, err)
		}
		// A viewer may not read evidence.
		vctx := rollcall.WithActor(context.Background(), rollcall.Actor{Name: "v", Role: rollcall.RoleViewer})
		if err := v.Get(vctx, f.SHA256, &out, ""); rollcall.ErrorCode(err) != rollcall.EFORBIDDEN {
			t.Fatalf("viewer Get: %v", err)
		}
	})
}

func TestVerifyFindsEveryProblem(t *testing.T) { storetest.Run(t, testVerifyFindsEveryProblem) }

func testVerifyFindsEveryProblem(t *testing.T, db storetest.DB) {
	v, ctx := setup(t, db.DSN)
	var hashes []string
	for _, c := range []string{"one", "two", "three", "four"} {
		f, _, err := v.Add(ctx, strings.NewReader(c), evidence.Receipt{Method: "test"})
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, f.SHA256)
	}
	probs, n, err := v.Verify(ctx)
	if err != nil || n != 4 || len(probs) != 0 {
		t.Fatalf("clean vault: %d files, %v, %v", n, probs, err)
	}
	// 0: deleted; 1: bytes changed; 2: replaced by a validly encrypted file
	// with other content (someone holding the recipient key); plus a stray file.
	os.Remove(v.Path(hashes[0]))
	b, _ := os.ReadFile(v.Path(hashes[1]))
	b[len(b)-1] ^= 1
	os.WriteFile(v.Path(hashes[1]), b, 0o600)
	other, _ := os.ReadFile(v.Path(hashes[3]))
	os.WriteFile(v.Path(hashes[2]), other, 0o600)
	stray := strings.Repeat("ab", 32)
	os.MkdirAll(filepath.Dir(v.Path(stray)), 0o700)
	os.WriteFile(v.Path(stray), []byte("x"), 0o600)

	probs, _, err = v.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range probs {
		got[p.SHA256] = p.Kind
	}
	want := map[string]string{hashes[0]: "missing", hashes[1]: "altered", hashes[2]: "altered", stray: "unrecorded"}
	if len(got) != len(want) {
		t.Fatalf("problems %v, want %v", got, want)
	}
	for h, k := range want {
		if got[h] != k {
			t.Errorf("%s: got %q, want %q", h[:8], got[h], k)
		}
	}
	// Without the ciphertext hash check, the deep check still catches a
	// substituted file: make the recorded ciphertext hash match the swap.
	v.DB.DB().Exec(`UPDATE evidence_files SET cipher_sha256 = $1 WHERE sha256 = $2`, sum(other), hashes[2])
	probs, _, _ = v.Verify(ctx)
	found := false
	for _, p := range probs {
		if p.SHA256 == hashes[2] && p.Kind == "corrupt" {
			found = true
		}
	}
	if !found {
		t.Fatalf("substituted content not caught by the deep check: %v", probs)
	}
	// Get refuses content that does not hash to its name.
	var out bytes.Buffer
	if err := v.Get(ctx, hashes[2], &out, ""); err == nil {
		t.Fatal("Get returned substituted content without error")
	}
}

// TestConcurrentSameContent: many receipts of one file at once keep one
// copy whose recorded hash matches what is on disk.
func TestConcurrentSameContent(t *testing.T) { storetest.Run(t, testConcurrentSameContent) }

func testConcurrentSameContent(t *testing.T, db storetest.DB) {
	v, ctx := setup(t, db.DSN)
	done := make(chan error, 8)
	for i := range 8 {
		go func() {
			_, _, err := v.Add(ctx, strings.NewReader("the same scan"), evidence.Receipt{Method: "m", Note: string(rune('a' + i))})
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	probs, n, err := v.Verify(ctx)
	if err != nil || n != 1 || len(probs) != 0 {
		t.Fatalf("after concurrent adds: %d files, %v, %v", n, probs, err)
	}
	cs, _ := v.DB.Custody(ctx, sum([]byte("the same scan")))
	if len(cs) != 8 {
		t.Fatalf("%d receipts in the chain of custody, want 8", len(cs))
	}
}
