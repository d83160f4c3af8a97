package keys

import (
	"bytes"
	"crypto/rand"
	"testing"
)

func testCipher(t *testing.T) *Cipher {
	t.Helper()
	k1, ix := make([]byte, 32), make([]byte, 32)
	rand.Read(k1)
	rand.Read(ix)
	c, err := NewCipher(1, map[byte][]byte{1: k1}, ix)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSealOpenBindsPlace(t *testing.T) {
	c := testCipher(t)
	pt := []byte("김철수, +82 10 1234 5678")
	ct, err := c.Seal("sources", "informant", "S-1", pt)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(ct, pt) || bytes.Contains(ct, []byte("김철수")) {
		t.Fatal("ciphertext contains plaintext")
	}
	got, err := c.Open("sources", "informant", "S-1", ct)
	if err != nil || !bytes.Equal(got, pt) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	// Moving the ciphertext to another row, column or table must fail.
	moves := []struct{ table, column, row string }{
		{"sources", "informant", "S-2"},
		{"sources", "notes", "S-1"},
		{"records", "informant", "S-1"},
	}
	for _, m := range moves {
		if _, err := c.Open(m.table, m.column, m.row, ct); err == nil {
			t.Errorf("ciphertext opened at %v", m)
		}
	}
	// Any flipped bit must fail.
	for i := range ct {
		bad := bytes.Clone(ct)
		bad[i] ^= 1
		if _, err := c.Open("sources", "informant", "S-1", bad); err == nil {
			t.Fatalf("flipped byte %d accepted", i)
		}
	}
	// Two seals of one value differ (random nonce).
	ct2, _ := c.Seal("sources", "informant", "S-1", pt)
	if bytes.Equal(ct, ct2) {
		t.Fatal("two seals are equal")
	}
}

func TestOpenAcrossRotation(t *testing.T) {
	k1, k2, ix := make([]byte, 32), make([]byte, 32), make([]byte, 32)
	rand.Read(k1)
	rand.Read(k2)
	rand.Read(ix)
	old, _ := NewCipher(1, map[byte][]byte{1: k1}, ix)
	ct1, _ := old.Seal("records", "testimony", "7", []byte("words"))
	both, _ := NewCipher(2, map[byte][]byte{1: k1, 2: k2}, ix)
	if got, err := both.Open("records", "testimony", "7", ct1); err != nil || string(got) != "words" {
		t.Fatalf("old ciphertext after rotation: %q %v", got, err)
	}
	ct2, _ := both.Seal("records", "testimony", "7", []byte("words"))
	if v, _ := Version(ct2); v != 2 {
		t.Fatalf("new ciphertext has version %d, want 2", v)
	}
	if _, err := old.Open("records", "testimony", "7", ct2); err == nil {
		t.Fatal("old cipher opened a version-2 ciphertext")
	}
	if old.BlindIndex("sources", "informant_name", []byte("Kim")) != both.BlindIndex("sources", "informant_name", []byte("Kim")) {
		t.Fatal("blind index changed with data key rotation")
	}
}

func TestBlindIndex(t *testing.T) {
	c := testCipher(t)
	a := c.BlindIndex("sources", "informant_name", []byte(" Kim Chol "))
	if a != c.BlindIndex("sources", "informant_name", []byte("kim chol")) {
		t.Error("normalised values give different indexes")
	}
	if a == c.BlindIndex("sources", "informant_contact", []byte("kim chol")) {
		t.Error("indexes of two columns are comparable")
	}
	if a == testCipher(t).BlindIndex("sources", "informant_name", []byte("kim chol")) {
		t.Error("index does not depend on the key")
	}
	// NFC: precomposed and decomposed Hangul are the same value.
	if c.BlindIndex("t", "c", []byte("\u1100\u1161")) != c.BlindIndex("t", "c", []byte("가")) {
		t.Error("NFC normalisation missing")
	}
}

func FuzzOpen(f *testing.F) {
	k, ix := bytes.Repeat([]byte{7}, 32), bytes.Repeat([]byte{9}, 32)
	c, _ := NewCipher(1, map[byte][]byte{1: k}, ix)
	ct, _ := c.Seal("t", "c", "r", []byte("hello"))
	f.Add(ct)
	f.Add([]byte{})
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		// Only "hello" was ever sealed under this key: anything else that
		// opens is a forgery.
		if pt, err := c.Open("t", "c", "r", data); err == nil && string(pt) != "hello" {
			t.Fatalf("forged ciphertext opened to %q", pt)
		}
	})
}
