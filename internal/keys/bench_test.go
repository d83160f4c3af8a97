package keys

import (
	"path/filepath"
	"testing"
)

func BenchmarkSeal(b *testing.B) {
	c := testCipher(&testing.T{})
	pt := make([]byte, 1024)
	b.SetBytes(int64(len(pt)))
	for b.Loop() {
		c.Seal("records", "testimony", "row-key", pt)
	}
}

func BenchmarkOpen(b *testing.B) {
	c := testCipher(&testing.T{})
	ct, _ := c.Seal("records", "testimony", "row-key", make([]byte, 1024))
	b.SetBytes(1024)
	for b.Loop() {
		if _, err := c.Open("records", "testimony", "row-key", ct); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBlindIndex(b *testing.B) {
	c := testCipher(&testing.T{})
	for b.Loop() {
		c.BlindIndex("sources", "informant_name", []byte("Kim Chol-su"))
	}
}

// BenchmarkUnlockDefaultArgon2 is the cost an operator pays per command with
// the production Argon2id parameters.
func BenchmarkUnlockDefaultArgon2(b *testing.B) {
	path := filepath.Join(b.TempDir(), "k")
	if _, err := Create(path, Secret{Passphrase: []byte(pass)}, Options{}); err != nil {
		b.Fatal(err)
	}
	f, _ := Load(path)
	for b.Loop() {
		if _, err := f.Unlock(path, Secret{Passphrase: []byte(pass)}); err != nil {
			b.Fatal(err)
		}
	}
}
