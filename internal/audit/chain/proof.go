package chain

import (
	"crypto/ed25519"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// Proof shows a third party, without access to the database, that one
// entry is in the log as of a signed checkpoint: the entry, its Merkle
// inclusion proof, and the checkpoint.
type Proof struct {
	Entry      Entry       `json:"entry"`
	Path       []tlog.Hash `json:"path"`
	Checkpoint string      `json:"checkpoint"`
}

// Prove builds the proof that entry seq is in the tree of checkpoint c.
// v must have verified at least c.Size entries, including seq; e is that
// entry.
func (v *Verifier) Prove(e Entry, c Checkpoint) (Proof, error) {
	if e.Seq < 1 || e.Seq > c.Size || c.Size > v.Size() {
		return Proof{}, fmt.Errorf("audit: entry %d is not within checkpoint size %d (log has %d)", e.Seq, c.Size, v.Size())
	}
	p, err := v.Tree().ProveInclusion(e.Seq-1, c.Size)
	if err != nil {
		return Proof{}, err
	}
	return Proof{Entry: e, Path: p, Checkpoint: c.Text()}, nil
}

// Check verifies the proof: the checkpoint is signed by trusted, the entry
// matches its own hash, and the path leads from it to the checkpoint's root.
func (p Proof) Check(trusted ed25519.PublicKey) (Checkpoint, error) {
	c, err := ParseCheckpoint(p.Checkpoint)
	if err != nil {
		return c, err
	}
	if err := c.VerifySignature(trusted); err != nil {
		return c, err
	}
	if p.Entry.Hash != p.Entry.ComputeHash() {
		return c, fmt.Errorf("audit: the entry in the proof does not match its hash")
	}
	leaf, err := LeafHash(p.Entry.Hash)
	if err != nil {
		return c, err
	}
	if p.Entry.Seq < 1 || p.Entry.Seq > c.Size {
		return c, fmt.Errorf("audit: entry %d is outside the checkpoint of %d entries", p.Entry.Seq, c.Size)
	}
	if err := tlog.CheckRecord(tlog.RecordProof(p.Path), c.Size, c.Root, p.Entry.Seq-1, leaf); err != nil {
		return c, fmt.Errorf("audit: entry %d is not in the checkpointed log: %w", p.Entry.Seq, err)
	}
	return c, nil
}
