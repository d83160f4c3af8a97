// Package evidence keeps files (scans, photographs, recordings, documents)
// as evidence: stored by the SHA-256 of their content, so the same file is
// kept once and anyone holding a copy can check it is the one on record;
// encrypted at rest with age to the keyring's evidence recipient; and with a
// chain of custody in the database recording who received each file, from
// whom, how, and every later access.
package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"filippo.io/age"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/audit/chain"
	"github.com/rollcall-project/rollcall/internal/store"
)

// Custody actions.
const (
	ActionReceived = "received"
	ActionAccessed = "accessed"
)

// Vault is the evidence directory with its database tables.
type Vault struct {
	DB  *store.Store
	Dir string
	// Recipient encrypts new files; Identity (nil when the keyring is
	// locked) decrypts them.
	Recipient age.Recipient
	Identity  age.Identity
}

// DirFor is where a SQLite database keeps its evidence: beside the file.
func DirFor(dbPath string) string { return dbPath + ".evidence" }

var hashRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ValidHash reports whether s is a lower-case hex SHA-256.
func ValidHash(s string) bool { return hashRE.MatchString(s) }

// Path is where the encrypted file with content hash sha lives.
func (v *Vault) Path(sha string) string {
	return filepath.Join(v.Dir, sha[:2], sha[2:])
}

// Receipt says how a file arrived.
type Receipt struct {
	Name         string // original file name (confidential)
	MediaType    string
	SourceID     *int64
	Sensitivity  rollcall.Sensitivity
	ReceivedFrom string // confidential
	// ReceivedBy is who took the file in; default the context's actor.
	ReceivedBy string
	Method     string // "in person", "encrypted messenger", "USB", ...
	Note       string
}

// Add stores the content of r and records its receipt. When a file with the
// same content is already stored it keeps the one copy and only appends the
// new receipt to its chain of custody; created reports which happened.
func (v *Vault) Add(ctx context.Context, r io.Reader, rc Receipt) (f *store.EvidenceFile, created bool, err error) {
	if v.Recipient == nil {
		return nil, false, rollcall.Errorf(rollcall.EINVALID, "no evidence key: run `rollcall key init` first")
	}
	if err := os.MkdirAll(v.Dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("evidence directory: %w", err)
	}
	tmp, err := os.CreateTemp(v.Dir, ".incoming-*")
	if err != nil {
		return nil, false, fmt.Errorf("evidence: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	plainH, cipherH := sha256.New(), sha256.New()
	size, err := encryptTo(io.MultiWriter(tmp, cipherH), io.TeeReader(r, plainH), v.Recipient)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, false, fmt.Errorf("evidence: store file: %w", err)
	}
	sha := hex.EncodeToString(plainH.Sum(nil))
	dst := v.Path(sha)
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return nil, false, err
	}
	// Link, not rename: it fails if the file is there already (another
	// receipt of the same content, perhaps concurrent), and then the copy
	// on disk is the one whose ciphertext hash counts.
	cipherSum := hex.EncodeToString(cipherH.Sum(nil))
	fileNew := true
	if err := os.Link(tmp.Name(), dst); errors.Is(err, fs.ErrExist) {
		fileNew = false
		if cipherSum, err = hashFile(dst, sha256.New()); err != nil {
			return nil, false, fmt.Errorf("evidence: %w", err)
		}
	} else if err != nil {
		return nil, false, fmt.Errorf("evidence: %w", err)
	}
	actor := rollcall.ActorFrom(ctx).Name
	receiver := rc.ReceivedBy
	if receiver == "" {
		receiver = actor
	}
	err = v.DB.InTx(ctx, func(tx *store.Store) error {
		f = &store.EvidenceFile{SHA256: sha, Size: size, CipherSHA256: cipherSum, Name: rc.Name, MediaType: rc.MediaType,
			SourceID: rc.SourceID, Sensitivity: rc.Sensitivity, CreatedBy: receiver}
		var err error
		if created, err = tx.PutEvidence(ctx, f); err != nil {
			return err
		}
		if !created && fileNew {
			// The row exists but its file was missing: the new copy restores it;
			// keep the row's recorded ciphertext hash in step.
			if _, err := tx.Querier().ExecContext(ctx, `UPDATE evidence_files SET cipher_sha256 = $1 WHERE sha256 = $2`, cipherSum, sha); err != nil {
				return fmt.Errorf("evidence: %w", err)
			}
		}
		if err := tx.AddCustody(ctx, &store.Custody{SHA256: sha, Actor: receiver, Action: ActionReceived, Party: rc.ReceivedFrom, Method: rc.Method, Note: rc.Note}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, chain.Entry{Actor: actor, Action: "evidence.receive", Entity: "evidence", Detail: sha})
	})
	if err != nil {
		if fileNew {
			os.Remove(dst)
		}
		return nil, false, err
	}
	if !created {
		f, err = v.DB.GetEvidence(ctx, sha)
	}
	return f, created, err
}

func encryptTo(w io.Writer, r io.Reader, rcpt age.Recipient) (int64, error) {
	ew, err := age.Encrypt(w, rcpt)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(ew, r)
	if err != nil {
		return n, err
	}
	return n, ew.Close()
}

// Get writes the content of file sha to w, after recording the access in
// the chain of custody and the audit log. It fails (after writing) if the
// content no longer hashes to sha; callers write to a temporary file and
// keep it only on success.
func (v *Vault) Get(ctx context.Context, sha string, w io.Writer, purpose string) error {
	if !ValidHash(sha) {
		return rollcall.Errorf(rollcall.EINVALID, "%q is not a SHA-256 in hex", sha)
	}
	if v.Identity == nil {
		return rollcall.Errorf(rollcall.EUNAUTHORIZED, "the keyring is locked: evidence cannot be decrypted")
	}
	actor := rollcall.ActorFrom(ctx)
	if !actor.CanSeeConfidential() {
		return rollcall.Errorf(rollcall.EFORBIDDEN, "role %q may not read evidence files", actor.Role)
	}
	if _, err := v.DB.GetEvidence(ctx, sha); err != nil {
		return err
	}
	err := v.DB.InTx(ctx, func(tx *store.Store) error {
		if err := tx.AddCustody(ctx, &store.Custody{SHA256: sha, Actor: actor.Name, Action: ActionAccessed, Note: purpose}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, chain.Entry{Actor: actor.Name, Action: "evidence.access", Entity: "evidence", Detail: sha})
	})
	if err != nil {
		return err
	}
	h := sha256.New()
	if err := v.decrypt(sha, io.MultiWriter(w, h)); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sha {
		return rollcall.Errorf(rollcall.EINTERNAL, "evidence file %s is corrupt: its content now hashes to %s", sha, got)
	}
	return nil
}

func (v *Vault) decrypt(sha string, w io.Writer) error {
	in, err := os.Open(v.Path(sha))
	if err != nil {
		return rollcall.WrapError(rollcall.ENOTFOUND, err, "evidence file %s is missing from %s", sha, v.Dir)
	}
	defer in.Close()
	dr, err := age.Decrypt(in, v.Identity)
	if err != nil {
		return rollcall.WrapError(rollcall.EINTERNAL, err, "evidence file %s cannot be decrypted (altered, or another keyring)", sha)
	}
	if _, err := io.Copy(w, dr); err != nil {
		return rollcall.WrapError(rollcall.EINTERNAL, err, "evidence file %s is damaged", sha)
	}
	return nil
}

// Problem is one thing Verify found wrong.
type Problem struct {
	SHA256 string `json:"sha256"`
	Kind   string `json:"kind"` // "missing", "altered", "corrupt", "unrecorded"
	Detail string `json:"detail"`
}

func (p Problem) String() string { return fmt.Sprintf("%s %s: %s", p.Kind, p.SHA256, p.Detail) }

// Verify re-hashes every stored file: the ciphertext against the hash
// recorded at receipt (works with a locked keyring) and, when the identity
// is available, the decrypted content against its name. Files in the
// directory that the database does not know are reported too.
func (v *Vault) Verify(ctx context.Context) ([]Problem, int, error) {
	files, err := v.DB.ListEvidence(ctx)
	if err != nil {
		return nil, 0, err
	}
	var probs []Problem
	known := map[string]bool{}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		known[f.SHA256] = true
		got, err := hashFile(v.Path(f.SHA256), sha256.New())
		if errors.Is(err, fs.ErrNotExist) {
			probs = append(probs, Problem{f.SHA256, "missing", "no file at " + v.Path(f.SHA256)})
			continue
		}
		if err != nil {
			return nil, 0, err
		}
		if got != f.CipherSHA256 {
			probs = append(probs, Problem{f.SHA256, "altered", "the stored (encrypted) file changed since it was received"})
			continue
		}
		if v.Identity != nil {
			h := sha256.New()
			if err := v.decrypt(f.SHA256, h); err != nil {
				probs = append(probs, Problem{f.SHA256, "corrupt", rollcall.ErrorMessage(err)})
			} else if hex.EncodeToString(h.Sum(nil)) != f.SHA256 {
				probs = append(probs, Problem{f.SHA256, "corrupt", "decrypted content does not hash to its name"})
			}
		}
	}
	err = filepath.WalkDir(v.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		sha := filepath.Base(filepath.Dir(p)) + d.Name()
		if !known[sha] {
			probs = append(probs, Problem{sha, "unrecorded", "file " + p + " is not in the database"})
		}
		return nil
	})
	return probs, len(files), err
}

func hashFile(path string, h hash.Hash) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
