package chain

import (
	"fmt"
)

// VerifyError names the first entry at which the log stops being the log
// that was written.
type VerifyError struct {
	Seq    int64  // the first bad entry (or the first missing one)
	Reason string // what is wrong with it
}

func (e *VerifyError) Error() string {
	return fmt.Sprintf("audit log broken at seq %d: %s", e.Seq, e.Reason)
}

// Verifier checks a log entry by entry, in seq order, so that a log of any
// length can be verified while streaming it from the database. It also
// builds the Merkle tree over the entry hashes for checkpoint checks.
type Verifier struct {
	prevSeq  int64
	prevHash string
	tree     Tree
	err      error
}

// NewVerifier starts verifying a log from its first entry.
func NewVerifier() *Verifier {
	return &Verifier{prevHash: Genesis()}
}

// Add checks the next entry. After the first error it keeps returning it.
func (v *Verifier) Add(e Entry) error {
	if v.err != nil {
		return v.err
	}
	v.err = v.check(e)
	if v.err == nil {
		v.prevSeq, v.prevHash = e.Seq, e.Hash
		v.err = v.tree.Add(e.Hash)
	}
	return v.err
}

func (v *Verifier) check(e Entry) error {
	want := v.prevSeq + 1
	switch {
	case e.Seq > want:
		if e.Seq == want+1 {
			return &VerifyError{Seq: want, Reason: "entry is missing (deleted)"}
		}
		return &VerifyError{Seq: want, Reason: fmt.Sprintf("entries %d to %d are missing (deleted)", want, e.Seq-1)}
	case e.Seq < want:
		return &VerifyError{Seq: e.Seq, Reason: fmt.Sprintf("entry appears again after seq %d (duplicated or reordered)", v.prevSeq)}
	}
	if e.Hash != e.ComputeHash() {
		return &VerifyError{Seq: e.Seq, Reason: "content does not match its hash (edited, or moved from another position)"}
	}
	if e.PrevHash != v.prevHash {
		if v.prevSeq == 0 {
			return &VerifyError{Seq: e.Seq, Reason: "first entry does not start from the genesis hash (entries before it removed, or it was inserted)"}
		}
		return &VerifyError{Seq: e.Seq, Reason: fmt.Sprintf("does not follow entry %d (inserted, reordered, or entry %d was replaced)", v.prevSeq, v.prevSeq)}
	}
	return nil
}

// Size is the number of entries verified so far.
func (v *Verifier) Size() int64 { return v.tree.Size() }

// Head is the hash of the last verified entry (the genesis hash if none).
func (v *Verifier) Head() string { return v.prevHash }

// Tree is the Merkle tree over the verified entries.
func (v *Verifier) Tree() *Tree { return &v.tree }

// Verify checks a whole log, given from seq 1 in ascending order: each
// entry's hash matches its content, each follows the one before, and no seq
// is missing. The error is a *VerifyError naming the first bad seq.
func Verify(entries []Entry) error {
	v := NewVerifier()
	for _, e := range entries {
		if err := v.Add(e); err != nil {
			return err
		}
	}
	return nil
}
