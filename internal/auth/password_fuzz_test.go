package auth

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
)

// FuzzPasswordHash feeds arbitrary PHC strings and passwords to the hash
// parser and verifier: no panic, no unbounded work, a malformed hash is an
// error (never a match), and a fresh hash of the password verifies it and
// nothing else.
func FuzzPasswordHash(f *testing.F) {
	good, err := HashPassword("correct horse battery", cheap)
	if err != nil {
		f.Fatal(err)
	}
	f.Add("correct horse battery", good)
	f.Add("x", good)
	f.Add("", "")
	f.Add("pw", "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0$"+strings.Repeat("A", 43))
	// Cost parameters from a planted row: must be refused, not computed.
	f.Add("pw", "$argon2id$v=19$m=4294967295,t=4294967295,p=255$c2FsdA$"+strings.Repeat("A", 43))
	f.Add("pw", "$argon2id$v=19$m=64,t=1,p=0$c2FsdA$"+strings.Repeat("A", 43))
	// Non-canonical numbers that Sscanf would take.
	f.Add("pw", "$argon2id$v=19$m=+64,t=1,p=1junk$c2FsdA$"+strings.Repeat("A", 43))
	f.Add("pw", "$argon2id$v=19junk$m=64,t=1,p=1$c2FsdA$"+strings.Repeat("A", 43))
	f.Add("pw", "$argon2id$v=19$m=64,t=1,p=1$c2FsdB$"+strings.Repeat("A", 43))
	f.Add("pw", "$argon2id$v=19$m=64,t=1,p=1$c2Fs\ndA$"+strings.Repeat("A", 43))
	f.Add("pw", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$"+strings.Repeat("A", 43))
	f.Fuzz(func(t *testing.T, pw, phc string) {
		p, salt, key, err := parsePHC(phc)
		rehash := NeedsRehash(phc, cheap)
		if err != nil {
			if ok, verr := VerifyPassword(pw, phc); ok || verr == nil {
				t.Fatalf("malformed hash %q (%v) verified: %v, %v", phc, err, ok, verr)
			}
			if !rehash {
				t.Fatalf("malformed hash %q does not need a rehash", phc)
			}
		} else {
			if p.Memory == 0 || p.Time == 0 || p.Threads == 0 || p.Memory > maxMemory || p.Time > maxTime ||
				len(key) < 16 || len(key) > maxKeyLen || len(salt) > maxKeyLen {
				t.Fatalf("hash %q parsed with implausible parameters %+v (salt %d, key %d bytes)", phc, p, len(salt), len(key))
			}
			b64 := base64.RawStdEncoding
			if canon := fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", p.Memory, p.Time, p.Threads,
				b64.EncodeToString(salt), b64.EncodeToString(key)); canon != phc {
				t.Fatalf("hash %q parsed but is not canonical (%q)", phc, canon)
			}
			// Running Argon2 at a large cost is correct but slow: only the
			// cheap ones here.
			if uint64(p.Memory)*uint64(p.Time) <= 4096 {
				if _, verr := VerifyPassword(pw, phc); verr != nil {
					t.Fatalf("hash %q parses but does not verify: %v", phc, verr)
				}
			}
		}
		if len(pw) > 64 {
			pw = pw[:64] // keep each run quick; the length check has its own test
		}
		h, err := HashPassword(pw, cheap)
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := VerifyPassword(pw, h); !ok || err != nil {
			t.Fatalf("fresh hash of %q does not verify: %v, %v", pw, ok, err)
		}
		if ok, err := VerifyPassword(pw+"x", h); ok || err != nil {
			t.Fatalf("fresh hash of %q verifies %q: %v, %v", pw, pw+"x", ok, err)
		}
	})
}
