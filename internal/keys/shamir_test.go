package keys

import (
	"bytes"
	"crypto/rand"
	"testing"
)

// TestGFField checks the field axioms the interpolation relies on over every
// element, against an independent log/antilog construction with generator 3.
func TestGFField(t *testing.T) {
	// Build exp/log tables by repeated multiplication by the generator 3
	// using the textbook shift-and-reduce (independent of gfMul's loop).
	var exp [255]byte
	x := byte(1)
	for i := 0; i < 255; i++ {
		exp[i] = x
		// x*3 = x*2 ^ x
		x2 := x << 1
		if x&0x80 != 0 {
			x2 ^= 0x1b
		}
		x = x2 ^ x
	}
	if x != 1 {
		t.Fatalf("3 is not a generator of order 255")
	}
	var log [256]int
	for i, e := range exp {
		log[e] = i
	}
	for a := 0; a < 256; a++ {
		for b := 0; b < 256; b++ {
			want := byte(0)
			if a != 0 && b != 0 {
				want = exp[(log[a]+log[b])%255]
			}
			if got := gfMul(byte(a), byte(b)); got != want {
				t.Fatalf("gfMul(%d,%d) = %d, want %d", a, b, got, want)
			}
		}
		if a != 0 && gfMul(byte(a), gfInv(byte(a))) != 1 {
			t.Fatalf("gfInv(%d) is not an inverse", a)
		}
	}
	// Known value from FIPS-197 §4.2: {57} • {83} = {c1}.
	if got := gfMul(0x57, 0x83); got != 0xc1 {
		t.Fatalf("{57}•{83} = %#x, want 0xc1", got)
	}
}

func TestShamirEverySubset(t *testing.T) {
	tests := []struct{ n, k int }{{3, 2}, {5, 3}, {5, 5}, {7, 4}}
	for _, tc := range tests {
		secret := make([]byte, 32)
		rand.Read(secret)
		shares, err := Split(secret, tc.n, tc.k)
		if err != nil {
			t.Fatal(err)
		}
		for mask := 1; mask < 1<<tc.n; mask++ {
			var sub []Share
			for i := 0; i < tc.n; i++ {
				if mask&(1<<i) != 0 {
					sub = append(sub, shares[i])
				}
			}
			if len(sub) < 2 {
				continue
			}
			got, err := Combine(sub)
			if err != nil {
				t.Fatal(err)
			}
			if ok := bytes.Equal(got, secret); ok != (len(sub) >= tc.k) {
				t.Errorf("n=%d k=%d with %d shares (mask %b): recovered=%v", tc.n, tc.k, len(sub), mask, ok)
			}
		}
	}
}

func TestShamirRejects(t *testing.T) {
	if _, err := Split([]byte{1}, 2, 3); err == nil {
		t.Error("threshold above shares accepted")
	}
	if _, err := Split([]byte{1}, 3, 1); err == nil {
		t.Error("threshold 1 accepted (would store the secret in clear)")
	}
	s, _ := Split([]byte("secret"), 3, 2)
	if _, err := Combine([]Share{s[0], s[0]}); err == nil {
		t.Error("duplicate shares accepted")
	}
}

// TestShamirOneShareRevealsNothing: with threshold 2, for a fixed share x the
// y byte is secret ⊕ a·x with uniform a, so y is uniform whatever the secret.
// Check that every y value occurs for a single secret across many splits.
func TestShamirOneShareRevealsNothing(t *testing.T) {
	seen := map[byte]bool{}
	for i := 0; i < 5000 && len(seen) < 256; i++ {
		s, err := Split([]byte{0x42}, 2, 2)
		if err != nil {
			t.Fatal(err)
		}
		seen[s[0].Y[0]] = true
	}
	if len(seen) < 256 {
		t.Fatalf("one share took only %d of 256 values", len(seen))
	}
}
