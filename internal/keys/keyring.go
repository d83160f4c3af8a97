package keys

import (
	"bytes"
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/age"
	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"

	"github.com/rollcall-project/rollcall"
)

// FormatVersion is the keyring file format this package writes.
const FormatVersion = 1

// KEK kinds.
const (
	KindPassphrase = "passphrase"
	KindKeyFile    = "keyfile"
)

// MinPassphrase is the shortest passphrase Create accepts.
const MinPassphrase = 12

// Argon2Params tune passphrase stretching; they are stored in the keyring so
// that they can be raised later without breaking existing files.
type Argon2Params struct {
	Time      uint32 `json:"time"`
	MemoryKiB uint32 `json:"memory_kib"`
	Threads   uint8  `json:"threads"`
}

// DefaultArgon2 follows RFC 9106's second recommended option (64 MiB).
var DefaultArgon2 = Argon2Params{Time: 3, MemoryKiB: 64 * 1024, Threads: 2}

// KEKParams say how the key-encryption key is obtained.
type KEKParams struct {
	Kind   string        `json:"kind"`
	Salt   []byte        `json:"salt,omitempty"`
	Argon2 *Argon2Params `json:"argon2,omitempty"`
	// KeyFile is where the key file was when the keyring was made: a hint
	// only; ROLLCALL_KEY_FILE overrides it.
	KeyFile string `json:"key_file,omitempty"`
}

// DataKey is one version of the field-encryption key, wrapped by the master key.
type DataKey struct {
	Version byte       `json:"version"`
	Created time.Time  `json:"created"`
	Retired *time.Time `json:"retired,omitempty"`
	Wrapped []byte     `json:"wrapped"`
}

// File is the keyring as stored: every key in it is wrapped.
type File struct {
	Format  int       `json:"format"`
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	KEK     KEKParams `json:"kek"`
	// Master is the master key wrapped by the KEK.
	Master   []byte    `json:"master"`
	Active   byte      `json:"active"`
	DataKeys []DataKey `json:"data_keys"`
	IndexKey []byte    `json:"index_key"`
	// SigningPublic is the Ed25519 key that signs audit checkpoints and public
	// exports; SigningSeed its private seed, wrapped.
	SigningPublic []byte `json:"signing_public"`
	SigningSeed   []byte `json:"signing_seed"`
	// EvidenceRecipient is the age recipient evidence files are encrypted
	// to; EvidenceIdentity its secret, wrapped. Adding evidence needs only
	// the recipient; reading it needs the unlocked keyring.
	EvidenceRecipient string `json:"evidence_recipient"`
	EvidenceIdentity  []byte `json:"evidence_identity"`
	Comment           string `json:"comment,omitempty"`
	// Integrity is an HMAC, under a key derived from the master key, over
	// every other field: swapping the evidence recipient, the signing key or
	// the active key version in the file is detected at unlock.
	Integrity []byte `json:"integrity"`
}

// Secret is what the operator holds: a passphrase or a key file.
type Secret struct {
	Passphrase []byte
	KeyFile    string
}

// Keyring is an unlocked keyring: it holds the master key in memory.
type Keyring struct {
	path   string
	file   File
	master []byte
}

// Options tune Create; the zero value gives the defaults.
type Options struct {
	Argon2 Argon2Params // zero means DefaultArgon2
}

// Exists reports whether a keyring file is at path.
func Exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// Create makes a new keyring at path protected by secret. It refuses to
// overwrite an existing file: losing a keyring loses every confidential field.
func Create(path string, secret Secret, opts Options) (*Keyring, error) {
	if Exists(path) {
		return nil, rollcall.Errorf(rollcall.ECONFLICT, "keyring %s already exists; refusing to overwrite it", path)
	}
	id := make([]byte, 8)
	master := make([]byte, KeySize)
	if _, err := rand.Read(id); err != nil {
		return nil, err
	}
	if _, err := rand.Read(master); err != nil {
		return nil, err
	}
	k := &Keyring{path: path, master: master, file: File{
		Format:  FormatVersion,
		ID:      hex.EncodeToString(id),
		Created: time.Now().UTC().Truncate(time.Second),
		Comment: "rollcall keyring: every key here is encrypted; without the passphrase, key file or recovery shares the data cannot be read",
	}}
	if err := k.setSecret(secret, opts); err != nil {
		return nil, err
	}
	dk := make([]byte, KeySize)
	ix := make([]byte, KeySize)
	seed := make([]byte, ed25519.SeedSize)
	for _, b := range [][]byte{dk, ix, seed} {
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
	}
	var err error
	if k.file.IndexKey, err = k.wrap(ix, "index"); err != nil {
		return nil, err
	}
	if k.file.SigningSeed, err = k.wrap(seed, "signing"); err != nil {
		return nil, err
	}
	k.file.SigningPublic = ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
	id2, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, err
	}
	if k.file.EvidenceIdentity, err = k.wrap([]byte(id2.String()), "evidence"); err != nil {
		return nil, err
	}
	k.file.EvidenceRecipient = id2.Recipient().String()
	if err := k.addDataKey(1, dk); err != nil {
		return nil, err
	}
	if err := k.Save(); err != nil {
		return nil, err
	}
	return k, nil
}

// setSecret (re)wraps the master key under a KEK from secret.
func (k *Keyring) setSecret(secret Secret, opts Options) error {
	var p KEKParams
	switch {
	case secret.KeyFile != "" && secret.Passphrase != nil:
		return rollcall.Errorf(rollcall.EINVALID, "give a passphrase or a key file, not both")
	case secret.KeyFile != "":
		abs, err := filepath.Abs(secret.KeyFile)
		if err != nil {
			return err
		}
		p = KEKParams{Kind: KindKeyFile, KeyFile: abs}
	case len(secret.Passphrase) > 0:
		if len([]rune(string(secret.Passphrase))) < MinPassphrase {
			return rollcall.Errorf(rollcall.EINVALID, "passphrase too short: use at least %d characters (a few random words)", MinPassphrase)
		}
		a := opts.Argon2
		if a == (Argon2Params{}) {
			a = DefaultArgon2
		}
		salt := make([]byte, 16)
		if _, err := rand.Read(salt); err != nil {
			return err
		}
		p = KEKParams{Kind: KindPassphrase, Salt: salt, Argon2: &a}
	default:
		return rollcall.Errorf(rollcall.EINVALID, "no passphrase or key file given")
	}
	kek, err := deriveKEK(p, secret)
	if err != nil {
		return err
	}
	w, err := seal(kek, k.master, k.ad("master"))
	if err != nil {
		return err
	}
	k.file.KEK = p
	k.file.Master = w
	return nil
}

// ChangeSecret rewraps the master key under a new passphrase or key file
// and saves. Data keys and recovery shares stay valid.
func (k *Keyring) ChangeSecret(secret Secret, opts Options) error {
	if err := k.setSecret(secret, opts); err != nil {
		return err
	}
	return k.Save()
}

// deriveKEK turns the operator's secret into the 32-byte KEK.
func deriveKEK(p KEKParams, s Secret) ([]byte, error) {
	switch p.Kind {
	case KindPassphrase:
		if len(s.Passphrase) == 0 {
			return nil, rollcall.Errorf(rollcall.EUNAUTHORIZED, "this keyring needs a passphrase (set ROLLCALL_PASSPHRASE or use --passphrase-stdin)")
		}
		if p.Argon2 == nil || len(p.Salt) < 16 || p.Argon2.Time == 0 || p.Argon2.MemoryKiB < 8 || p.Argon2.Threads == 0 {
			return nil, rollcall.Errorf(rollcall.EINVALID, "keyring has invalid Argon2 parameters")
		}
		return argon2.IDKey(s.Passphrase, p.Salt, p.Argon2.Time, p.Argon2.MemoryKiB, p.Argon2.Threads, KeySize), nil
	case KindKeyFile:
		path := s.KeyFile
		if path == "" {
			path = p.KeyFile
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, rollcall.WrapError(rollcall.EUNAUTHORIZED, err, "cannot read key file %s (set ROLLCALL_KEY_FILE)", path)
		}
		b = bytes.TrimSpace(b)
		if len(b) < KeySize {
			return nil, rollcall.Errorf(rollcall.EINVALID, "key file %s holds %d bytes; it needs at least %d", path, len(b), KeySize)
		}
		return hkdf.Key(sha256.New, b, nil, "rollcall kek keyfile v1", KeySize)
	}
	return nil, rollcall.Errorf(rollcall.EINVALID, "unknown key-encryption kind %q", p.Kind)
}

// GenerateKeyFile writes a new random key file (hex, mode 0600); it refuses
// to overwrite one.
func GenerateKeyFile(path string) error {
	b := make([]byte, KeySize)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create key file: %w", err)
	}
	if _, err := f.WriteString(hex.EncodeToString(b) + "\n"); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ad is the associated data for a wrapped item: keyring id and purpose, so
// wrapped keys cannot be swapped between keyrings or roles.
func (k *Keyring) ad(purpose string) []byte {
	return []byte("rollcall keyring v1|" + k.file.ID + "|" + purpose)
}

func seal(key, plaintext, ad []byte) ([]byte, error) {
	a, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, a.NonceSize(), a.NonceSize()+len(plaintext)+a.Overhead())
	if _, err := rand.Read(out); err != nil {
		return nil, err
	}
	return a.Seal(out, out, plaintext, ad), nil
}

func open(key, ciphertext, ad []byte) ([]byte, error) {
	a, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	if len(ciphertext) < a.NonceSize()+a.Overhead() {
		return nil, errors.New("wrapped key too short")
	}
	return a.Open(nil, ciphertext[:a.NonceSize()], ciphertext[a.NonceSize():], ad)
}

func (k *Keyring) wrap(key []byte, purpose string) ([]byte, error) {
	return seal(k.master, key, k.ad(purpose))
}

func (k *Keyring) unwrap(w []byte, purpose string) ([]byte, error) {
	b, err := open(k.master, w, k.ad(purpose))
	if err != nil {
		return nil, fmt.Errorf("keys: unwrap %s: %w", purpose, err)
	}
	return b, nil
}

func (k *Keyring) addDataKey(v byte, dk []byte) error {
	w, err := k.wrap(dk, fmt.Sprintf("data-%d", v))
	if err != nil {
		return err
	}
	k.file.DataKeys = append(k.file.DataKeys, DataKey{Version: v, Created: time.Now().UTC().Truncate(time.Second), Wrapped: w})
	k.file.Active = v
	return nil
}

// Load reads a keyring file without unlocking it.
func Load(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, rollcall.WrapError(rollcall.ENOTFOUND, err, "no keyring at %s (run `rollcall key init`)", path)
		}
		return nil, fmt.Errorf("read keyring: %w", err)
	}
	return ParseFile(b)
}

// ParseFile decodes a keyring file.
func ParseFile(b []byte) (*File, error) {
	var f File
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, rollcall.WrapError(rollcall.EINVALID, err, "keyring is not valid JSON")
	}
	if f.Format != FormatVersion {
		return nil, rollcall.Errorf(rollcall.EINVALID, "keyring format %d not supported (want %d)", f.Format, FormatVersion)
	}
	if f.ID == "" || len(f.Master) == 0 || len(f.DataKeys) == 0 || len(f.SigningPublic) != ed25519.PublicKeySize || f.EvidenceRecipient == "" {
		return nil, rollcall.Errorf(rollcall.EINVALID, "keyring is incomplete")
	}
	return &f, nil
}

// Unlock derives the KEK from secret and unwraps the master key.
func (f *File) Unlock(path string, secret Secret) (*Keyring, error) {
	kek, err := deriveKEK(f.KEK, secret)
	if err != nil {
		return nil, err
	}
	k := &Keyring{path: path, file: *f}
	m, err := open(kek, f.Master, k.ad("master"))
	if err != nil {
		return nil, rollcall.Errorf(rollcall.EUNAUTHORIZED, "wrong passphrase or key file for keyring %s", path)
	}
	k.master = m
	return k, k.check()
}

// UnlockWithMaster opens the keyring with a master key recovered from shares.
func (f *File) UnlockWithMaster(path string, master []byte) (*Keyring, error) {
	k := &Keyring{path: path, file: *f, master: master}
	if err := k.check(); err != nil {
		return nil, rollcall.Errorf(rollcall.EUNAUTHORIZED, "the recovered key does not open keyring %s (wrong or too few shares)", path)
	}
	return k, nil
}

// check verifies the integrity tag and unwraps every key once, so that an
// altered or corrupt keyring fails early.
func (k *Keyring) check() error {
	tag, err := k.mac()
	if err != nil {
		return err
	}
	if !hmac.Equal(tag, k.file.Integrity) {
		return rollcall.Errorf(rollcall.EINVALID, "keyring %s was altered (its integrity tag does not match)", k.path)
	}
	if _, err := k.Cipher(); err != nil {
		return err
	}
	if _, err := k.Signer(); err != nil {
		return err
	}
	_, err = k.EvidenceIdentity()
	return err
}

// EvidenceIdentity returns the age identity that decrypts evidence files.
func (k *Keyring) EvidenceIdentity() (*age.X25519Identity, error) {
	b, err := k.unwrap(k.file.EvidenceIdentity, "evidence")
	if err != nil {
		return nil, err
	}
	id, err := age.ParseX25519Identity(string(b))
	if err != nil {
		return nil, fmt.Errorf("keys: evidence identity: %w", err)
	}
	if id.Recipient().String() != k.file.EvidenceRecipient {
		return nil, errors.New("keys: evidence identity does not match its recipient")
	}
	return id, nil
}

// EvidenceRecipientKey returns the age recipient evidence is encrypted to.
func (f *File) EvidenceRecipientKey() (*age.X25519Recipient, error) {
	return age.ParseX25519Recipient(f.EvidenceRecipient)
}

// Path is the keyring's file.
func (k *Keyring) Path() string { return k.path }

// ID is the keyring's random identifier.
func (k *Keyring) ID() string { return k.file.ID }

// File returns the stored (wrapped) form.
func (k *Keyring) File() File { return k.file }

// Cipher returns the field cipher over every data key in the keyring.
func (k *Keyring) Cipher() (*Cipher, error) {
	dks := map[byte][]byte{}
	for _, d := range k.file.DataKeys {
		b, err := k.unwrap(d.Wrapped, fmt.Sprintf("data-%d", d.Version))
		if err != nil {
			return nil, err
		}
		dks[d.Version] = b
	}
	ix, err := k.unwrap(k.file.IndexKey, "index")
	if err != nil {
		return nil, err
	}
	return NewCipher(k.file.Active, dks, ix)
}

// Signer returns the Ed25519 private key for checkpoints and exports.
func (k *Keyring) Signer() (ed25519.PrivateKey, error) {
	seed, err := k.unwrap(k.file.SigningSeed, "signing")
	if err != nil {
		return nil, err
	}
	priv := ed25519.NewKeyFromSeed(seed)
	if !bytes.Equal(priv.Public().(ed25519.PublicKey), k.file.SigningPublic) {
		return nil, errors.New("keys: signing key does not match its public key")
	}
	return priv, nil
}

// PublicKey is the signing public key.
func (k *Keyring) PublicKey() ed25519.PublicKey { return ed25519.PublicKey(k.file.SigningPublic) }

// Rotate adds a new data key, makes it active and retires the others (kept
// so that older ciphertexts and backups still open). It saves the keyring;
// the caller then re-encrypts the database.
func (k *Keyring) Rotate() (byte, error) {
	var top byte
	for _, d := range k.file.DataKeys {
		top = max(top, d.Version)
	}
	if top == 255 {
		return 0, rollcall.Errorf(rollcall.EINVALID, "the keyring has used all 255 key versions")
	}
	dk := make([]byte, KeySize)
	if _, err := rand.Read(dk); err != nil {
		return 0, err
	}
	now := time.Now().UTC().Truncate(time.Second)
	for i := range k.file.DataKeys {
		if k.file.DataKeys[i].Retired == nil {
			k.file.DataKeys[i].Retired = &now
		}
	}
	if err := k.addDataKey(top+1, dk); err != nil {
		return 0, err
	}
	return top + 1, k.Save()
}

// mac computes the integrity tag of the keyring's fields.
func (k *Keyring) mac() ([]byte, error) {
	f := k.file
	f.Integrity = nil
	b, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	key, err := hkdf.Key(sha256.New, k.master, nil, "rollcall keyring integrity v1|"+k.file.ID, KeySize)
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, key)
	m.Write(b)
	return m.Sum(nil), nil
}

// Save writes the keyring atomically (temp file, fsync, rename), mode 0600.
func (k *Keyring) Save() error {
	tag, err := k.mac()
	if err != nil {
		return err
	}
	k.file.Integrity = tag
	b, err := json.MarshalIndent(k.file, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(k.path, append(b, '\n'), 0o600)
}

func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// SplitRecovery splits the master key into n shares, threshold of which
// recover the keyring if the passphrase or key file is lost.
func (k *Keyring) SplitRecovery(n, threshold int) ([]string, error) {
	shares, err := Split(k.master, n, threshold)
	if err != nil {
		return nil, rollcall.WrapError(rollcall.EINVALID, err, "cannot split: need 2 <= threshold <= shares <= 255")
	}
	out := make([]string, len(shares))
	for i, s := range shares {
		out[i] = EncodeShare(k.file.ID, threshold, s)
	}
	return out, nil
}

// EncodeShare formats a share as one line of text:
// rcs1-<keyring id>-<threshold>-<x>-<hex y>-<check>, where check is
// the first 4 bytes of SHA-256 over the rest (catches typing errors).
func EncodeShare(keyringID string, threshold int, s Share) string {
	body := fmt.Sprintf("rcs1-%s-%d-%d-%s", keyringID, threshold, s.X, hex.EncodeToString(s.Y))
	sum := sha256.Sum256([]byte(body))
	return body + "-" + hex.EncodeToString(sum[:4])
}

// DecodeShare parses a share line.
func DecodeShare(line string) (keyringID string, threshold int, s Share, err error) {
	line = strings.TrimSpace(line)
	parts := strings.Split(line, "-")
	bad := func(why string) (string, int, Share, error) {
		return "", 0, Share{}, rollcall.Errorf(rollcall.EINVALID, "not a recovery share: %s", why)
	}
	if len(parts) != 6 || parts[0] != "rcs1" {
		return bad("wrong format")
	}
	body := strings.Join(parts[:5], "-")
	sum := sha256.Sum256([]byte(body))
	if hex.EncodeToString(sum[:4]) != parts[5] {
		return bad("checksum mismatch (typing error?)")
	}
	var x int
	if _, err := fmt.Sscanf(parts[2]+" "+parts[3], "%d %d", &threshold, &x); err != nil || x < 1 || x > 255 || threshold < 2 {
		return bad("bad share number or threshold")
	}
	y, err := hex.DecodeString(parts[4])
	if err != nil || len(y) != KeySize {
		return bad("bad share value")
	}
	return parts[1], threshold, Share{X: byte(x), Y: y}, nil
}

// CombineRecovery recovers the master key from share lines and unlocks f.
func (f *File) CombineRecovery(path string, lines []string) (*Keyring, error) {
	var shares []Share
	threshold := 0
	for i, l := range lines {
		id, t, s, err := DecodeShare(l)
		if err != nil {
			return nil, fmt.Errorf("share %d: %w", i+1, err)
		}
		if id != f.ID {
			return nil, rollcall.Errorf(rollcall.EINVALID, "share %d belongs to keyring %s, not %s", i+1, id, f.ID)
		}
		threshold = t
		shares = append(shares, s)
	}
	if len(shares) < threshold {
		return nil, rollcall.Errorf(rollcall.EINVALID, "%d shares given; this keyring needs %d", len(shares), threshold)
	}
	m, err := Combine(shares)
	if err != nil {
		return nil, rollcall.WrapError(rollcall.EINVALID, err, "cannot combine shares")
	}
	return f.UnlockWithMaster(path, m)
}

// EncodePublicKey formats a signing key for people to copy: "ed25519:<base64>".
func EncodePublicKey(pub ed25519.PublicKey) string {
	return "ed25519:" + base64.StdEncoding.EncodeToString(pub)
}

// ParsePublicKey reads the form EncodePublicKey writes (the prefix optional).
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(strings.TrimSpace(s), "ed25519:"))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, rollcall.Errorf(rollcall.EINVALID, "not an Ed25519 public key: want ed25519:<base64 of 32 bytes>")
	}
	return ed25519.PublicKey(b), nil
}
