package keys

import (
	"crypto/rand"
	"errors"
	"fmt"
)

// Shamir secret sharing over GF(2^8) with the AES polynomial
// x^8 + x^4 + x^3 + x + 1. Written here rather than imported: no
// maintained Go module for it is in our dependency set, and the algorithm is
// short enough to review and test exhaustively (field axioms over all 256
// elements, every threshold subset recovering the secret).

// gfMul multiplies in GF(2^8) without table lookups or data-dependent
// branches, so timing does not depend on secret bytes.
func gfMul(a, b byte) byte {
	var p byte
	for i := 0; i < 8; i++ {
		p ^= -(b & 1) & a
		hi := -(a >> 7) // 0xff if the top bit is set
		a = (a << 1) ^ (hi & 0x1b)
		b >>= 1
	}
	return p
}

// gfInv returns a^254 = a^-1 (and 0 for 0).
func gfInv(a byte) byte {
	// a^254 by square-and-multiply: 254 = 0b11111110.
	r := byte(1)
	x := a
	for e := 254; e > 0; e >>= 1 {
		if e&1 == 1 {
			r = gfMul(r, x)
		}
		x = gfMul(x, x)
	}
	return r
}

// Share is one point of every byte's polynomial: X is the share's
// x-coordinate (1..255), Y one byte per secret byte.
type Share struct {
	X byte
	Y []byte
}

// Split divides secret into n shares of which any threshold recover it and
// fewer reveal nothing about it.
func Split(secret []byte, n, threshold int) ([]Share, error) {
	if threshold < 2 || n < threshold || n > 255 {
		return nil, fmt.Errorf("keys: need 2 <= threshold <= shares <= 255, got %d of %d", threshold, n)
	}
	if len(secret) == 0 {
		return nil, errors.New("keys: empty secret")
	}
	shares := make([]Share, n)
	for i := range shares {
		shares[i] = Share{X: byte(i + 1), Y: make([]byte, len(secret))}
	}
	coef := make([]byte, threshold)
	for j, s := range secret {
		coef[0] = s
		if _, err := rand.Read(coef[1:]); err != nil {
			return nil, fmt.Errorf("keys: random coefficients: %w", err)
		}
		for i := range shares {
			// Horner's rule at x = shares[i].X.
			x := shares[i].X
			var y byte
			for k := threshold - 1; k >= 0; k-- {
				y = gfMul(y, x) ^ coef[k]
			}
			shares[i].Y[j] = y
		}
	}
	clear(coef)
	return shares, nil
}

// Combine recovers the secret from at least threshold distinct shares by
// Lagrange interpolation at x = 0. With fewer shares it returns a wrong
// value, not an error: callers check the result (the keyring does, by
// unwrapping with it).
func Combine(shares []Share) ([]byte, error) {
	if len(shares) < 2 {
		return nil, errors.New("keys: need at least two shares")
	}
	size := len(shares[0].Y)
	seen := map[byte]bool{}
	for _, s := range shares {
		if s.X == 0 || seen[s.X] {
			return nil, fmt.Errorf("keys: duplicate or invalid share number %d", s.X)
		}
		if len(s.Y) != size {
			return nil, errors.New("keys: shares have different lengths")
		}
		seen[s.X] = true
	}
	secret := make([]byte, size)
	for i, si := range shares {
		// Lagrange basis at 0: prod_j x_j / (x_j - x_i); subtraction is XOR.
		num, den := byte(1), byte(1)
		for j, sj := range shares {
			if i == j {
				continue
			}
			num = gfMul(num, sj.X)
			den = gfMul(den, sj.X^si.X)
		}
		l := gfMul(num, gfInv(den))
		for b := range secret {
			secret[b] ^= gfMul(l, si.Y[b])
		}
	}
	return secret, nil
}
