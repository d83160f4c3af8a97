package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"

	"github.com/rollcall-project/rollcall"
)

// Params are Argon2id cost parameters. DefaultParams follow the OWASP
// password storage recommendation (19 MiB, 2 passes, 1 lane).
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
	KeyLen  uint32
	SaltLen uint32
}

// DefaultParams is the cost used for new hashes.
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1, KeyLen: 32, SaltLen: 16}

// MinPasswordLen is the shortest password accepted for an account.
const MinPasswordLen = 10

// MaxPasswordLen bounds the work an attacker can make Argon2 do per request.
const MaxPasswordLen = 1024

// CheckPassword says why a new password is unacceptable, or nil.
func CheckPassword(pw string) error {
	switch {
	case len([]rune(pw)) < MinPasswordLen:
		return &rollcall.Error{Code: rollcall.EINVALID, Field: "password", Message: fmt.Sprintf("a password needs at least %d characters", MinPasswordLen)}
	case len(pw) > MaxPasswordLen:
		return &rollcall.Error{Code: rollcall.EINVALID, Field: "password", Message: "the password is too long"}
	}
	return nil
}

// HashPassword returns the PHC string
// "$argon2id$v=19$m=...,t=...,p=...$salt$hash" for pw.
func HashPassword(pw string, p Params) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether pw matches the PHC string phc. A malformed
// hash is an error, not a mismatch, so a corrupt row shows up in the logs.
func VerifyPassword(pw, phc string) (bool, error) {
	p, salt, key, err := parsePHC(phc)
	if err != nil {
		return false, err
	}
	if len(pw) > MaxPasswordLen {
		return false, nil
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// NeedsRehash reports whether phc was made with other parameters than p.
func NeedsRehash(phc string, p Params) bool {
	q, _, _, err := parsePHC(phc)
	return err != nil || q.Memory != p.Memory || q.Time != p.Time || q.Threads != p.Threads
}

// Bounds on the parameters of a stored hash (far above DefaultParams).
const (
	maxMemory = 1 << 20 // KiB: 1 GiB
	maxTime   = 64
	maxKeyLen = 1024 // bytes of salt or key
)

func parsePHC(phc string) (p Params, salt, key []byte, err error) {
	parts := strings.Split(phc, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("password hash: not an argon2id PHC string")
	}
	if parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return p, nil, nil, fmt.Errorf("password hash: unsupported version %q", parts[2])
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, fmt.Errorf("password hash: parameters %q: %w", parts[3], err)
	}
	// Sscanf ignores what follows the last number and takes "+5" or " 5":
	// only the canonical form is a valid hash.
	if parts[3] != fmt.Sprintf("m=%d,t=%d,p=%d", p.Memory, p.Time, p.Threads) {
		return p, nil, nil, fmt.Errorf("password hash: parameters %q are not in canonical form", parts[3])
	}
	b64 := base64.RawStdEncoding
	if salt, err = b64.DecodeString(parts[4]); err != nil {
		return p, nil, nil, fmt.Errorf("password hash: salt: %w", err)
	}
	if key, err = b64.DecodeString(parts[5]); err != nil {
		return p, nil, nil, fmt.Errorf("password hash: key: %w", err)
	}
	// The decoder skips newlines and takes nonzero padding bits.
	if b64.EncodeToString(salt) != parts[4] || b64.EncodeToString(key) != parts[5] {
		return p, nil, nil, fmt.Errorf("password hash: salt or key is not canonical base64")
	}
	// Upper bounds too: a corrupt or planted row must not make one login
	// allocate terabytes or run for hours.
	if p.Memory == 0 || p.Time == 0 || p.Threads == 0 || len(key) < 16 ||
		p.Memory > maxMemory || p.Time > maxTime || len(key) > maxKeyLen || len(salt) > maxKeyLen {
		return p, nil, nil, fmt.Errorf("password hash: implausible parameters")
	}
	return p, salt, key, nil
}
