package keys

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall"
)

// cheap keeps Argon2 fast in tests; the stored parameters are what Unlock uses.
var cheap = Options{Argon2: Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1}}

const pass = "correct horse battery staple"

func newRing(t *testing.T) (*Keyring, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "db.keyring")
	k, err := Create(path, Secret{Passphrase: []byte(pass)}, cheap)
	if err != nil {
		t.Fatal(err)
	}
	return k, path
}

func TestKeyringPassphrase(t *testing.T) {
	k, path := newRing(t)
	c1, _ := k.Cipher()
	ct, _ := c1.Seal("records", "testimony", "1", []byte("marker"))

	raw, _ := os.ReadFile(path)
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("keyring mode %v, want 0600", fi.Mode().Perm())
	}
	f, err := ParseFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Unlock(path, Secret{Passphrase: []byte("wrong horse battery staple")}); rollcall.ErrorCode(err) != rollcall.EUNAUTHORIZED {
		t.Fatalf("wrong passphrase: %v", err)
	}
	k2, err := f.Unlock(path, Secret{Passphrase: []byte(pass)})
	if err != nil {
		t.Fatal(err)
	}
	c2, _ := k2.Cipher()
	if pt, err := c2.Open("records", "testimony", "1", ct); err != nil || string(pt) != "marker" {
		t.Fatalf("reopened keyring: %q %v", pt, err)
	}
	if _, err := Create(path, Secret{Passphrase: []byte(pass)}, cheap); rollcall.ErrorCode(err) != rollcall.ECONFLICT {
		t.Fatalf("Create over an existing keyring: %v", err)
	}
	if _, err := Create(filepath.Join(t.TempDir(), "k"), Secret{Passphrase: []byte("short")}, cheap); rollcall.ErrorCode(err) != rollcall.EINVALID {
		t.Fatalf("short passphrase: %v", err)
	}
}

func TestKeyringTamper(t *testing.T) {
	k, path := newRing(t)
	f := k.File()
	// Swapping the wrapped index key into the data key slot must fail: the
	// purpose is bound as associated data.
	f.DataKeys[0].Wrapped = f.IndexKey
	b, _ := json.Marshal(f)
	os.WriteFile(path, b, 0o600)
	g, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Unlock(path, Secret{Passphrase: []byte(pass)}); err == nil {
		t.Fatal("swapped wrapped keys accepted")
	}
}

func TestKeyringKeyFile(t *testing.T) {
	dir := t.TempDir()
	kf := filepath.Join(dir, "key")
	if err := GenerateKeyFile(kf); err != nil {
		t.Fatal(err)
	}
	if err := GenerateKeyFile(kf); err == nil {
		t.Fatal("GenerateKeyFile overwrote a key file")
	}
	path := filepath.Join(dir, "db.keyring")
	if _, err := Create(path, Secret{KeyFile: kf}, cheap); err != nil {
		t.Fatal(err)
	}
	f, _ := Load(path)
	if _, err := f.Unlock(path, Secret{}); err != nil { // uses the stored hint
		t.Fatalf("unlock with key file hint: %v", err)
	}
	other := filepath.Join(dir, "other")
	GenerateKeyFile(other)
	if _, err := f.Unlock(path, Secret{KeyFile: other}); rollcall.ErrorCode(err) != rollcall.EUNAUTHORIZED {
		t.Fatalf("other key file: %v", err)
	}
}

func TestKeyringRotateAndRecovery(t *testing.T) {
	k, path := newRing(t)
	c1, _ := k.Cipher()
	ct1, _ := c1.Seal("sources", "informant", "K", []byte("old"))
	v, err := k.Rotate()
	if err != nil || v != 2 {
		t.Fatalf("Rotate = %d, %v", v, err)
	}
	shares, err := k.SplitRecovery(3, 2)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := Load(path)
	if _, err := f.CombineRecovery(path, shares[:1]); err == nil {
		t.Fatal("one share of a 2-of-3 split recovered the keyring")
	}
	for _, pair := range [][]string{{shares[0], shares[1]}, {shares[2], shares[0]}, {shares[1], shares[2]}} {
		r, err := f.CombineRecovery(path, pair)
		if err != nil {
			t.Fatalf("recovery with two shares: %v", err)
		}
		c, _ := r.Cipher()
		if pt, err := c.Open("sources", "informant", "K", ct1); err != nil || string(pt) != "old" {
			t.Fatalf("recovered keyring cannot open a version-1 field: %v", err)
		}
		if c.ActiveVersion() != 2 {
			t.Fatalf("active version %d after rotation", c.ActiveVersion())
		}
	}
	// A typo in a share is caught by its checksum.
	bad := []byte(shares[0])
	bad[len("rcs1-")+len(k.ID())+5] ^= 1
	if _, _, _, err := DecodeShare(string(bad)); err == nil {
		t.Fatal("corrupted share decoded")
	}
	// After recovery the operator sets a new passphrase; the old one stops
	// working, the new one and the shares keep working.
	r, _ := f.CombineRecovery(path, shares[:2])
	if err := r.ChangeSecret(Secret{Passphrase: []byte("a brand new passphrase")}, cheap); err != nil {
		t.Fatal(err)
	}
	f2, _ := Load(path)
	if _, err := f2.Unlock(path, Secret{Passphrase: []byte(pass)}); err == nil {
		t.Fatal("old passphrase still works")
	}
	if _, err := f2.Unlock(path, Secret{Passphrase: []byte("a brand new passphrase")}); err != nil {
		t.Fatal(err)
	}
	if _, err := f2.CombineRecovery(path, shares[1:]); err != nil {
		t.Fatalf("shares stopped working after a passphrase change: %v", err)
	}
}

func TestKeyringSignerAndFileHasNoSecrets(t *testing.T) {
	k, path := newRing(t)
	priv, err := k.Signer()
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("checkpoint")
	if !ed25519.Verify(k.PublicKey(), msg, ed25519.Sign(priv, msg)) {
		t.Fatal("signature does not verify")
	}
	pub, err := ParsePublicKey(EncodePublicKey(k.PublicKey()))
	if err != nil || !bytes.Equal(pub, k.PublicKey()) {
		t.Fatalf("public key round trip: %v", err)
	}
	raw, _ := os.ReadFile(path)
	c, _ := k.Cipher()
	for name, secret := range map[string][]byte{"master": k.master, "seed": priv.Seed(), "data key": c.dataKeys[1], "index key": c.indexKey} {
		if bytes.Contains(raw, secret) || strings.Contains(string(raw), jsonB64(secret)) {
			t.Errorf("keyring file contains the %s in clear", name)
		}
	}
}

func jsonB64(b []byte) string {
	s, _ := json.Marshal(b)
	return strings.Trim(string(s), `"`)
}

func FuzzDecodeShare(f *testing.F) {
	k, _ := Create(filepath.Join(f.TempDir(), "k"), Secret{Passphrase: []byte(pass)}, cheap)
	s, _ := k.SplitRecovery(2, 2)
	f.Add(s[0])
	f.Add("rcs1-----")
	f.Fuzz(func(t *testing.T, line string) {
		id, th, sh, err := DecodeShare(line)
		if err == nil && (id == "" || th < 2 || sh.X == 0 || len(sh.Y) != KeySize) {
			t.Fatalf("accepted invalid share %q", line)
		}
	})
}

func FuzzParseFile(f *testing.F) {
	k, path := func() (*Keyring, string) {
		p := filepath.Join(f.TempDir(), "k")
		k, _ := Create(p, Secret{Passphrase: []byte(pass)}, cheap)
		return k, p
	}()
	_ = k
	raw, _ := os.ReadFile(path)
	f.Add(raw)
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		kf, err := ParseFile(b)
		if err != nil {
			return
		}
		// Parsed files must never unlock with a wrong passphrase.
		if _, err := kf.Unlock(path, Secret{Passphrase: []byte("not the passphrase at all")}); err == nil && kf.KEK.Kind == KindPassphrase {
			t.Fatal("fuzzed keyring unlocked with a wrong passphrase")
		}
	})
}

// TestKeyringIntegrity: an attacker who can write the keyring file but does
// not know the passphrase must not be able to redirect new evidence to their
// own age key, swap the signing key, or pick the active data key.
func TestKeyringIntegrity(t *testing.T) {
	k, path := newRing(t)
	k.Rotate()
	orig := k.File()
	other, _ := Create(filepath.Join(t.TempDir(), "other"), Secret{Passphrase: []byte(pass)}, cheap)
	tampers := map[string]func(f *File){
		"evidence recipient": func(f *File) { f.EvidenceRecipient = other.File().EvidenceRecipient },
		"signing key":        func(f *File) { f.SigningPublic = other.File().SigningPublic },
		"active version":     func(f *File) { f.Active = 1 },
		"comment":            func(f *File) { f.Comment = "edited" },
		"integrity removed":  func(f *File) { f.Integrity = nil },
	}
	for name, tamper := range tampers {
		f := orig
		f.DataKeys = append([]DataKey{}, orig.DataKeys...)
		tamper(&f)
		b, _ := json.Marshal(f)
		os.WriteFile(path, b, 0o600)
		g, err := Load(path)
		if err != nil {
			continue // refused at parse: also fine
		}
		if _, err := g.Unlock(path, Secret{Passphrase: []byte(pass)}); err == nil {
			t.Errorf("%s: altered keyring unlocked", name)
		}
	}
	b, _ := json.Marshal(orig)
	os.WriteFile(path, b, 0o600)
	g, _ := Load(path)
	if _, err := g.Unlock(path, Secret{Passphrase: []byte(pass)}); err != nil {
		t.Fatalf("untouched keyring: %v", err)
	}
}
