package keys

import (
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

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

// RowMACSize is the length in bytes of a row MAC (hex doubles it): 128 bits
// is ample for integrity and halves what the audit log carries per row.
const RowMACSize = 16

// RowMAC returns a hex HMAC-SHA256 (truncated to RowMACSize) over the table,
// the row id and every non-NULL column (name and value), under a key derived
// from the index key. The index key survives data-key rotation, so rotating
// keys leaves row MACs valid; without the key a MAC cannot be recomputed, so
// a row edited behind the program's back cannot be given a matching one.
// Values are encoded so that SQLite and PostgreSQL give the same bytes for
// the same data: booleans and integral numbers as decimal integers, other
// numbers in shortest form, text and times as UTF-8 text, blobs as bytes,
// each tagged and length-prefixed.
func (c *Cipher) RowMAC(table string, id int64, names []string, values []any) (string, error) {
	if len(names) != len(values) {
		return "", fmt.Errorf("keys: row MAC of %s %d: %d names for %d values", table, id, len(names), len(values))
	}
	c.mu.Lock()
	k, ok := c.index["rowmac"]
	if !ok {
		var err error
		if k, err = hkdf.Key(sha256.New, c.indexKey, nil, "rollcall row mac v1", KeySize); err != nil {
			c.mu.Unlock()
			return "", fmt.Errorf("keys: derive row MAC key: %w", err)
		}
		c.index["rowmac"] = k
	}
	c.mu.Unlock()
	m := hmac.New(sha256.New, k)
	var buf []byte
	buf = appendRowField(buf, 't', []byte(table))
	buf = appendRowField(buf, 'i', strconv.AppendInt(nil, id, 10))
	for i, v := range values {
		tag, b, err := canonicalValue(v)
		if err != nil {
			return "", fmt.Errorf("keys: row MAC of %s %d column %s: %w", table, id, names[i], err)
		}
		if tag == 0 {
			continue // NULL: absent, as if the column were not there
		}
		buf = appendRowField(buf, 'c', []byte(names[i]))
		buf = appendRowField(buf, tag, b)
	}
	m.Write(buf)
	return hex.EncodeToString(m.Sum(nil)[:RowMACSize]), nil
}

func appendRowField(buf []byte, tag byte, b []byte) []byte {
	buf = append(buf, tag)
	buf = binary.BigEndian.AppendUint64(buf, uint64(len(b)))
	return append(buf, b...)
}

// canonicalValue maps a database/sql value to a tag and bytes; tag 0 is NULL.
func canonicalValue(v any) (byte, []byte, error) {
	switch x := v.(type) {
	case nil:
		return 0, nil, nil
	case bool:
		if x {
			return 'n', []byte("1"), nil
		}
		return 'n', []byte("0"), nil
	case int64:
		return 'n', strconv.AppendInt(nil, x, 10), nil
	case int32:
		return 'n', strconv.AppendInt(nil, int64(x), 10), nil
	case int:
		return 'n', strconv.AppendInt(nil, int64(x), 10), nil
	case float32:
		return canonicalValue(float64(x))
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return 'n', strconv.AppendInt(nil, int64(x), 10), nil
		}
		return 'n', strconv.AppendFloat(nil, x, 'g', -1, 64), nil
	case string:
		return 's', []byte(x), nil
	case []byte:
		return 'b', x, nil
	case time.Time:
		return 's', []byte(x.UTC().Format(time.RFC3339Nano)), nil
	default:
		return 0, nil, fmt.Errorf("unsupported value type %T", v)
	}
}
