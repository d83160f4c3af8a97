// Package audit verifies and checkpoints the audit log kept in the
// database: it streams the entries out of a store.Store through a
// chain.Verifier (the pure engine in internal/audit/chain) and checks every signed checkpoint against them.
package audit

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/rollcall-project/rollcall/internal/audit/chain"
	"github.com/rollcall-project/rollcall/internal/store"
)

// page is how many entries are read per query.
const page = 5000

// Report is the outcome of a verification that did not fail.
type Report struct {
	Entries     int64  `json:"entries"`
	Head        string `json:"head"`
	Root        string `json:"root"`
	Checkpoints int    `json:"checkpoints"`
}

// Options add checks to Verify.
type Options struct {
	// Trusted, when set, is the only key checkpoints may be signed with.
	Trusted ed25519.PublicKey
	// External are checkpoints kept outside the database (their Text form);
	// they catch a rewrite that also replaced the stored checkpoints.
	External []string
	// OnEntry, if set, sees every entry once it has verified.
	OnEntry func(chain.Entry)
}

// Verify checks the whole log and every checkpoint. A broken log gives an
// *chain.VerifyError naming the first bad seq.
func Verify(ctx context.Context, db *store.Store, o Options) (*chain.Verifier, Report, error) {
	v := chain.NewVerifier()
	after := int64(0)
	for {
		es, err := db.AuditEntries(ctx, after, page)
		if err != nil {
			return nil, Report{}, err
		}
		for _, e := range es {
			if err := v.Add(e); err != nil {
				return nil, Report{}, err
			}
			if o.OnEntry != nil {
				o.OnEntry(e)
			}
		}
		if len(es) < page {
			break
		}
		after = es[len(es)-1].Seq
	}
	stored, err := db.Checkpoints(ctx)
	if err != nil {
		return nil, Report{}, err
	}
	texts := append([]string{}, o.External...)
	for _, c := range stored {
		texts = append(texts, c.Text)
	}
	for _, t := range texts {
		c, err := chain.ParseCheckpoint(t)
		if err != nil {
			return nil, Report{}, fmt.Errorf("checkpoint: %w", err)
		}
		if err := c.CheckAgainst(v, o.Trusted); err != nil {
			return nil, Report{}, err
		}
	}
	root, err := v.Tree().Root()
	if err != nil {
		return nil, Report{}, err
	}
	return v, Report{Entries: v.Size(), Head: v.Head(), Root: root.String(), Checkpoints: len(texts)}, nil
}

// Checkpoint verifies the log, then signs and stores a checkpoint of it.
func Checkpoint(ctx context.Context, db *store.Store, priv ed25519.PrivateKey, now time.Time) (chain.Checkpoint, error) {
	pub := priv.Public().(ed25519.PublicKey)
	v, _, err := Verify(ctx, db, Options{Trusted: pub})
	if err != nil {
		return chain.Checkpoint{}, fmt.Errorf("the log does not verify, so it cannot be checkpointed: %w", err)
	}
	c, err := chain.SignCheckpoint(priv, v, now)
	if err != nil {
		return c, err
	}
	err = db.SaveCheckpoint(ctx, &store.Checkpoint{Size: c.Size, Root: c.Root.String(), At: c.At, Text: c.Text()})
	return c, err
}

// Export writes every entry as one JSON object per line.
func Export(ctx context.Context, db *store.Store, w io.Writer) (int64, error) {
	enc := json.NewEncoder(w)
	after, n := int64(0), int64(0)
	for {
		es, err := db.AuditEntries(ctx, after, page)
		if err != nil {
			return n, err
		}
		for _, e := range es {
			if err := enc.Encode(e); err != nil {
				return n, err
			}
			n++
		}
		if len(es) < page {
			return n, nil
		}
		after = es[len(es)-1].Seq
	}
}

// ProveNewest verifies the log, signs and stores a fresh checkpoint, and
// returns the proof that the newest entry matching match is in it.
func ProveNewest(ctx context.Context, db *store.Store, priv ed25519.PrivateKey, match func(chain.Entry) bool) (chain.Proof, error) {
	var found *chain.Entry
	o := Options{Trusted: priv.Public().(ed25519.PublicKey), OnEntry: func(e chain.Entry) {
		if match(e) {
			found = &e
		}
	}}
	v, _, err := Verify(ctx, db, o)
	if err != nil {
		return chain.Proof{}, fmt.Errorf("the log does not verify: %w", err)
	}
	if found == nil {
		return chain.Proof{}, fmt.Errorf("no matching audit entry")
	}
	c, err := chain.SignCheckpoint(priv, v, time.Now())
	if err != nil {
		return chain.Proof{}, err
	}
	if err := db.SaveCheckpoint(ctx, &store.Checkpoint{Size: c.Size, Root: c.Root.String(), At: c.At, Text: c.Text()}); err != nil {
		return chain.Proof{}, err
	}
	return v.Prove(*found, c)
}
