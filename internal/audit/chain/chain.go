// Package chain is the audit log's engine, with no database: the
// append-only, hash-chained log of every change, export and confidential
// read. Each entry's hash covers the previous
// entry's hash, so editing, deleting or reordering any entry breaks the
// chain from that point on.
package chain

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"strconv"
	"time"
)

// Entry is one line of the audit log. BeforeHash and AfterHash are SHA-256
// digests of the changed row as it was and as it became, so the log proves
// what changed without holding any plaintext.
type Entry struct {
	Seq        int64     `json:"seq"`
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
	Action     string    `json:"action"`
	Entity     string    `json:"entity"`
	EntityID   int64     `json:"entity_id"`
	BeforeHash string    `json:"before_hash,omitempty"`
	AfterHash  string    `json:"after_hash,omitempty"`
	Detail     string    `json:"detail,omitempty"`
	// RowHashes are keyed MACs of the rows this entry wrote (or "-" for a
	// row it deleted), one table per entry: "table\nid mac\n…". The store
	// checks current rows against the last MAC logged for each.
	RowHashes string `json:"row_hashes,omitempty"`
	PrevHash  string `json:"prev_hash"`
	Hash      string `json:"hash"`
}

// TimeFormat is how At is written into the log and into the hash.
const TimeFormat = time.RFC3339Nano

// genesis is the PrevHash of the first entry.
var genesis = func() string {
	sum := sha256.Sum256([]byte("rollcall audit log v1 genesis"))
	return hex.EncodeToString(sum[:])
}()

// Genesis returns the PrevHash of the first entry of every log.
func Genesis() string { return genesis }

// ComputeHash returns the SHA-256 (hex) over every field but Hash. Each
// field is written with its length first, so no two different entries
// encode to the same bytes however their strings are chosen.
func (e Entry) ComputeHash() string {
	h := sha256.New()
	h.Write([]byte("rollcall-audit-v1"))
	field(h, strconv.FormatInt(e.Seq, 10))
	field(h, e.At.UTC().Format(TimeFormat))
	field(h, e.Actor)
	field(h, e.Action)
	field(h, e.Entity)
	field(h, strconv.FormatInt(e.EntityID, 10))
	field(h, e.BeforeHash)
	field(h, e.AfterHash)
	field(h, e.Detail)
	field(h, e.PrevHash)
	// Written only when present, so entries from before row hashes keep
	// their hashes; the length prefixes keep the two forms distinct.
	if e.RowHashes != "" {
		field(h, e.RowHashes)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func field(h hash.Hash, s string) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(s)))
	h.Write(n[:])
	h.Write([]byte(s))
}
