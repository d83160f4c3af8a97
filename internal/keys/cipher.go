package keys

import (
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/text/unicode/norm"

	"github.com/rollcall-project/rollcall"
)

// KeySize is the size of every symmetric key in this package.
const KeySize = 32

// Cipher implements rollcall.FieldCipher. It seals with the active data key
// and opens with whichever key version a ciphertext names, so a database
// stays readable part-way through a rotation.
type Cipher struct {
	active   byte
	dataKeys map[byte][]byte
	indexKey []byte

	mu      sync.Mutex
	derived map[string]cipher.AEAD
	index   map[string][]byte // blind-index keys by table|column
}

var _ rollcall.FieldCipher = (*Cipher)(nil)

// NewCipher returns a cipher over the given data keys (version → 32-byte
// key) that seals with version active. indexKey keys the blind indexes; it is
// separate from the data keys so that rotating them leaves indexes valid.
func NewCipher(active byte, dataKeys map[byte][]byte, indexKey []byte) (*Cipher, error) {
	if _, ok := dataKeys[active]; !ok {
		return nil, fmt.Errorf("keys: active data key version %d missing", active)
	}
	for v, k := range dataKeys {
		if len(k) != KeySize {
			return nil, fmt.Errorf("keys: data key version %d has %d bytes, want %d", v, len(k), KeySize)
		}
	}
	if len(indexKey) != KeySize {
		return nil, fmt.Errorf("keys: index key has %d bytes, want %d", len(indexKey), KeySize)
	}
	c := &Cipher{active: active, dataKeys: make(map[byte][]byte, len(dataKeys)), indexKey: indexKey, derived: map[string]cipher.AEAD{}, index: map[string][]byte{}}
	for v, k := range dataKeys {
		c.dataKeys[v] = k
	}
	return c, nil
}

// ActiveVersion is the key version new ciphertexts carry.
func (c *Cipher) ActiveVersion() byte { return c.active }

// Version returns the key version a ciphertext was sealed with.
func Version(ciphertext []byte) (byte, bool) {
	if len(ciphertext) < 1+chacha20poly1305.NonceSizeX+chacha20poly1305.Overhead {
		return 0, false
	}
	return ciphertext[0], true
}

// fieldAEAD returns the AEAD for (version, table, column), deriving the
// per-column key with HKDF once and caching it.
func (c *Cipher) fieldAEAD(version byte, table, column string) (cipher.AEAD, error) {
	id := fmt.Sprintf("%d|%s|%s", version, table, column)
	c.mu.Lock()
	defer c.mu.Unlock()
	if a, ok := c.derived[id]; ok {
		return a, nil
	}
	dk, ok := c.dataKeys[version]
	if !ok {
		return nil, rollcall.Errorf(rollcall.EINTERNAL, "no data key with version %d in the keyring", version)
	}
	k, err := hkdf.Key(sha256.New, dk, nil, "rollcall field v1|"+table+"|"+column, KeySize)
	if err != nil {
		return nil, fmt.Errorf("keys: derive field key: %w", err)
	}
	a, err := chacha20poly1305.NewX(k)
	if err != nil {
		return nil, fmt.Errorf("keys: field cipher: %w", err)
	}
	c.derived[id] = a
	return a, nil
}

// associatedData binds a ciphertext to its place. Table and column are SQL
// identifiers (no '|'), so the encoding is unambiguous with rowKey last.
func associatedData(table, column, rowKey string) []byte {
	return []byte(table + "|" + column + "|" + rowKey)
}

// Seal encrypts plaintext for (table, column, rowKey). The result is
// version byte ‖ 24-byte nonce ‖ ciphertext ‖ tag.
func (c *Cipher) Seal(table, column, rowKey string, plaintext []byte) ([]byte, error) {
	a, err := c.fieldAEAD(c.active, table, column)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 1+a.NonceSize(), 1+a.NonceSize()+len(plaintext)+a.Overhead())
	out[0] = c.active
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("keys: nonce: %w", err)
	}
	return a.Seal(out, out[1:], plaintext, associatedData(table, column, rowKey)), nil
}

// Open decrypts a ciphertext made by Seal for the same (table, column,
// rowKey); a ciphertext moved elsewhere or altered fails.
func (c *Cipher) Open(table, column, rowKey string, ciphertext []byte) ([]byte, error) {
	v, ok := Version(ciphertext)
	if !ok {
		return nil, rollcall.Errorf(rollcall.EINTERNAL, "ciphertext for %s.%s too short", table, column)
	}
	a, err := c.fieldAEAD(v, table, column)
	if err != nil {
		return nil, err
	}
	nonce := ciphertext[1 : 1+a.NonceSize()]
	pt, err := a.Open(nil, nonce, ciphertext[1+a.NonceSize():], associatedData(table, column, rowKey))
	if err != nil {
		return nil, rollcall.WrapError(rollcall.EINTERNAL, err, "cannot decrypt %s.%s of row %q (wrong key, or the value was altered or moved)", table, column, rowKey)
	}
	return pt, nil
}

// BlindIndex returns a hex HMAC-SHA256 of the normalised value (NFC, trimmed,
// lower-cased) under a key derived for (table, column), so equal values match
// without the value being stored in clear and indexes of different columns
// cannot be compared with each other.
func (c *Cipher) BlindIndex(table, column string, value []byte) string {
	c.mu.Lock()
	k, ok := c.index[table+"|"+column]
	if !ok {
		var err error
		k, err = hkdf.Key(sha256.New, c.indexKey, nil, "rollcall blind index v1|"+table+"|"+column, KeySize)
		if err != nil {
			// HKDF only fails for an oversized output length, never here.
			panic(err)
		}
		c.index[table+"|"+column] = k
	}
	c.mu.Unlock()
	m := hmac.New(sha256.New, k)
	m.Write([]byte(NormalizeForIndex(string(value))))
	return hex.EncodeToString(m.Sum(nil))
}

// NormalizeForIndex is the normalisation BlindIndex applies.
func NormalizeForIndex(s string) string {
	return strings.ToLower(strings.TrimSpace(norm.NFC.String(s)))
}
