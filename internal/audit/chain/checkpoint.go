package chain

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// Checkpoint is a signed statement "the log had Size entries and this Merkle
// root at At". Kept outside the database (printed, mailed, published), a
// checkpoint lets anyone prove later that entries were removed from the
// tail or rewritten, which the hash chain alone cannot show.
type Checkpoint struct {
	Size      int64     `json:"size"`
	Root      tlog.Hash `json:"root"`
	Head      string    `json:"head"` // hash of entry Size, hex
	At        time.Time `json:"at"`
	PublicKey []byte    `json:"public_key"`
	Signature []byte    `json:"signature"`
}

const checkpointHeader = "rollcall audit checkpoint v1"

// body is the signed text.
func (c Checkpoint) body() []byte {
	return fmt.Appendf(nil, "%s\n%d\n%s\n%s\n%s\n", checkpointHeader, c.Size, c.Root, c.Head, c.At.UTC().Format(time.RFC3339))
}

// SignCheckpoint signs the state of a verified log.
func SignCheckpoint(priv ed25519.PrivateKey, v *Verifier, at time.Time) (Checkpoint, error) {
	root, err := v.Tree().Root()
	if err != nil {
		return Checkpoint{}, err
	}
	c := Checkpoint{Size: v.Size(), Root: root, Head: v.Head(), At: at.UTC().Truncate(time.Second)}
	c.PublicKey = priv.Public().(ed25519.PublicKey)
	c.Signature = ed25519.Sign(priv, c.body())
	return c, nil
}

// Text formats the checkpoint as a self-contained note: the signed body,
// a blank line, then "— <public key> <signature>" (base64).
func (c Checkpoint) Text() string {
	return string(c.body()) + "\n— " + base64.StdEncoding.EncodeToString(c.PublicKey) + " " + base64.StdEncoding.EncodeToString(c.Signature) + "\n"
}

// ParseCheckpoint reads what Text writes.
func ParseCheckpoint(text string) (Checkpoint, error) {
	var c Checkpoint
	body, sig, ok := strings.Cut(text, "\n\n— ")
	if !ok {
		return c, fmt.Errorf("audit: checkpoint has no signature line")
	}
	lines := strings.Split(body, "\n")
	if len(lines) != 5 || lines[0] != checkpointHeader {
		return c, fmt.Errorf("audit: not a rollcall checkpoint")
	}
	var err error
	if c.Size, err = strconv.ParseInt(lines[1], 10, 64); err != nil || c.Size < 0 {
		return c, fmt.Errorf("audit: checkpoint size %q", lines[1])
	}
	if c.Root, err = tlog.ParseHash(lines[2]); err != nil {
		return c, fmt.Errorf("audit: checkpoint root: %w", err)
	}
	c.Head = lines[3]
	if c.At, err = time.Parse(time.RFC3339, lines[4]); err != nil {
		return c, fmt.Errorf("audit: checkpoint time: %w", err)
	}
	f := strings.Fields(sig)
	if len(f) != 2 {
		return c, fmt.Errorf("audit: bad signature line")
	}
	if c.PublicKey, err = base64.StdEncoding.DecodeString(f[0]); err != nil || len(c.PublicKey) != ed25519.PublicKeySize {
		return c, fmt.Errorf("audit: bad public key in checkpoint")
	}
	if c.Signature, err = base64.StdEncoding.DecodeString(f[1]); err != nil {
		return c, fmt.Errorf("audit: bad signature in checkpoint")
	}
	if !bytes.Equal(c.body(), []byte(body+"\n")) {
		return c, fmt.Errorf("audit: checkpoint is not in canonical form")
	}
	return c, nil
}

// VerifySignature checks the signature, against trusted if given (otherwise
// against the key the checkpoint names, which only proves integrity).
func (c Checkpoint) VerifySignature(trusted ed25519.PublicKey) error {
	pub := ed25519.PublicKey(c.PublicKey)
	if trusted != nil && !bytes.Equal(trusted, pub) {
		return fmt.Errorf("audit: checkpoint of size %d is signed by another key", c.Size)
	}
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, c.body(), c.Signature) {
		return fmt.Errorf("audit: checkpoint of size %d has a bad signature", c.Size)
	}
	return nil
}

// CheckAgainst verifies that the log v has verified is consistent with the
// checkpoint: signed correctly, no shorter than it, and with the same root
// over its first Size entries. The error names the first seq that cannot be
// reconciled.
func (c Checkpoint) CheckAgainst(v *Verifier, trusted ed25519.PublicKey) error {
	if err := c.VerifySignature(trusted); err != nil {
		return err
	}
	if v.Size() < c.Size {
		return &VerifyError{Seq: v.Size() + 1, Reason: fmt.Sprintf("log ends at seq %d but checkpoint of %s signed %d entries (tail removed)", v.Size(), c.At.Format(time.RFC3339), c.Size)}
	}
	root, err := v.Tree().RootAt(c.Size)
	if err != nil {
		return err
	}
	if root != c.Root {
		return &VerifyError{Seq: c.Size, Reason: fmt.Sprintf("the first %d entries differ from those checkpointed at %s (log rewritten)", c.Size, c.At.Format(time.RFC3339))}
	}
	return nil
}
