package chain

import (
	"encoding/hex"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// Tree is an RFC 6962 Merkle tree over entry hashes (the construction of
// the Go checksum database, golang.org/x/mod/sumdb/tlog). Leaf i is the
// 32-byte hash of entry seq i+1. It keeps every stored hash in memory:
// about 64 bytes per entry.
type Tree struct {
	stored []tlog.Hash
	n      int64
}

// Add appends an entry hash (hex) as the next leaf.
func (t *Tree) Add(entryHash string) error {
	b, err := hex.DecodeString(entryHash)
	if err != nil || len(b) != tlog.HashSize {
		return fmt.Errorf("audit: entry hash %q is not 32 bytes of hex", entryHash)
	}
	hs, err := tlog.StoredHashes(t.n, b, t.reader())
	if err != nil {
		return fmt.Errorf("audit: tree: %w", err)
	}
	t.stored = append(t.stored, hs...)
	t.n++
	return nil
}

func (t *Tree) reader() tlog.HashReader {
	return tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			if x < 0 || x >= int64(len(t.stored)) {
				return nil, fmt.Errorf("audit: tree index %d out of range", x)
			}
			out[i] = t.stored[x]
		}
		return out, nil
	})
}

// Size is the number of leaves.
func (t *Tree) Size() int64 { return t.n }

// RootAt is the tree hash over the first n leaves (n <= Size).
func (t *Tree) RootAt(n int64) (tlog.Hash, error) {
	if n < 0 || n > t.n {
		return tlog.Hash{}, fmt.Errorf("audit: tree has %d leaves, not %d", t.n, n)
	}
	if n == 0 {
		return tlog.Hash{}, nil
	}
	return tlog.TreeHash(n, t.reader())
}

// Root is the hash of the whole tree.
func (t *Tree) Root() (tlog.Hash, error) { return t.RootAt(t.n) }

// ProveInclusion proves that leaf index (seq-1) is in the tree of size n.
func (t *Tree) ProveInclusion(index, n int64) (tlog.RecordProof, error) {
	if n > t.n {
		return nil, fmt.Errorf("audit: tree has %d leaves, not %d", t.n, n)
	}
	return tlog.ProveRecord(n, index, t.reader())
}

// ProveConsistency proves that the tree of size n extends the one of size m.
func (t *Tree) ProveConsistency(m, n int64) (tlog.TreeProof, error) {
	if n > t.n {
		return nil, fmt.Errorf("audit: tree has %d leaves, not %d", t.n, n)
	}
	return tlog.ProveTree(n, m, t.reader())
}

// LeafHash is the Merkle leaf hash of an entry hash (hex), for checking an
// inclusion proof with tlog.CheckRecord.
func LeafHash(entryHash string) (tlog.Hash, error) {
	b, err := hex.DecodeString(entryHash)
	if err != nil || len(b) != tlog.HashSize {
		return tlog.Hash{}, fmt.Errorf("audit: entry hash %q is not 32 bytes of hex", entryHash)
	}
	return tlog.RecordHash(b), nil
}
