// Package keys protects confidential fields at rest and holds the keys that
// sign audit checkpoints and public exports.
//
// A random master key wraps everything else. The master key itself is wrapped
// by a key-encryption key (KEK) derived from an operator passphrase (Argon2id)
// or read from a key file, and may be split into Shamir shares for recovery.
// Data keys (one per rotation, identified by a version byte carried in every
// ciphertext) give per-column keys through HKDF-SHA256; fields are sealed
// with XChaCha20-Poly1305 and bound to table, column and row key as
// associated data. The keyring lives in a JSON file next to the database; it
// contains no key in clear.
package keys
