package auth

import (
	"strings"
	"testing"
)

var cheap = Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("correct horse battery", DefaultParams)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("PHC string %q", h)
	}
	h2, _ := HashPassword("correct horse battery", DefaultParams)
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	for pw, want := range map[string]bool{"correct horse battery": true, "correct horse batterx": false, "": false} {
		ok, err := VerifyPassword(pw, h)
		if err != nil || ok != want {
			t.Errorf("verify %q = %v, %v; want %v", pw, ok, err, want)
		}
	}
	if NeedsRehash(h, DefaultParams) || !NeedsRehash(h, cheap) {
		t.Error("NeedsRehash wrong")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=x$AA$AA", "plain"} {
		if _, err := VerifyPassword("x", bad); err == nil {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}
}

// TestArgon2idVector checks verification against the example in the
// README of the reference implementation (P-H-C/phc-winner-argon2):
// `echo -n "password" | ./argon2 somesalt -id -t 2 -m 16 -p 1` prints
// this encoded hash.
func TestArgon2idVector(t *testing.T) {
	const phc = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"
	ok, err := VerifyPassword("password", phc)
	if err != nil || !ok {
		t.Fatalf("reference vector: %v %v", ok, err)
	}
}

func TestCheckPassword(t *testing.T) {
	if CheckPassword("short") == nil || CheckPassword(strings.Repeat("x", MaxPasswordLen+1)) == nil || CheckPassword("long enough pw") != nil {
		t.Error("CheckPassword bounds wrong")
	}
}

func TestAllows(t *testing.T) {
	cases := []struct {
		role, min string
		want      bool
	}{
		{"", "", true}, {"", "viewer", false}, {"viewer", "viewer", true}, {"viewer", "analyst", false},
		{"analyst", "viewer", true}, {"analyst", "editor", false}, {"editor", "analyst", true}, {"editor", "admin", false},
		{"admin", "editor", true}, {"bogus", "viewer", false}, {"system", "admin", true},
	}
	for _, c := range cases {
		if got := Allows(c.role, c.min); got != c.want {
			t.Errorf("Allows(%q, %q) = %v", c.role, c.min, got)
		}
	}
	if ValidRole("system") || !ValidRole("analyst") || ValidRole("root") {
		t.Error("ValidRole wrong")
	}
}

func TestSecrets(t *testing.T) {
	a, b := NewSecret(), NewSecret()
	if a == b || len(a) != 43 {
		t.Fatalf("secrets %q %q", a, b)
	}
	if HashSecret(a) == HashSecret(b) || len(HashSecret(a)) != 64 {
		t.Fatal("hash")
	}
}
