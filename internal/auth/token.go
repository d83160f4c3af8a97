package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// TokenPrefix marks rollcall API tokens so that secret scanners can spot
// a leaked one.
const TokenPrefix = "rcat_"

// NewSecret returns 32 random bytes, base64url-encoded: a session id, a
// CSRF token or (with TokenPrefix) an API token.
func NewSecret() string {
	b := make([]byte, 32)
	// crypto/rand.Read never fails on supported platforms (Go 1.24+).
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashSecret is what the database keeps of a session id or API token: a
// stolen database then gives no usable credential. The secrets have 256
// bits of entropy, so a fast hash suffices.
func HashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
