package publish

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/audit"
	"github.com/rollcall-project/rollcall/internal/audit/chain"
	"github.com/rollcall-project/rollcall/internal/store"
)

// auditAction is the audit log action of a publication.
const auditAction = store.PublicationAction

// auditDetail is the audit entry's detail for an export: its hash first,
// which CheckProof looks for.
func auditDetail(e *Export, sig Signature) string {
	return fmt.Sprintf("sha256=%s publication=%d persons=%d k=%d format=%s", sig.SHA256, e.Publication, len(e.Persons), e.K, e.Format)
}

// Result is one publication: the export, its exact bytes and signature,
// and the cells withheld because of earlier publications (for the
// operator).
type Result struct {
	Export   *Export
	Bytes    []byte
	Sig      Signature
	Withheld []Differenced
}

// Publish builds, signs and records the next publication of db with
// threshold k. Reading the data and the earlier publications, taking the
// next number, and saving what this one reveals together with its audit
// entry happen in one transaction holding the store's write lock, so two
// publications made at once are checked one against the other. ctx must
// carry an actor allowed to list every row (the CLI's system actor).
func Publish(ctx context.Context, db *store.Store, priv ed25519.PrivateKey, k int, now time.Time) (*Result, error) {
	if err := CheckK(k); err != nil {
		return nil, err
	}
	var r Result
	err := db.InTx(ctx, func(tx *store.Store) error {
		d, err := Collect(ctx, tx)
		if err != nil {
			return err
		}
		n, err := tx.NextPublicationNumber(ctx)
		if err != nil {
			return err
		}
		earlier, err := tx.PublishedCells(ctx)
		if err != nil {
			return err
		}
		e, diffs, err := Build(d, Options{K: k, Number: n, Now: now, Earlier: earlier})
		if err != nil {
			return err
		}
		b, err := e.Marshal()
		if err != nil {
			return fmt.Errorf("encode publication %d: %w", n, err)
		}
		sig := Sign(priv, b)
		p := &store.Publication{Number: n, Format: e.Format, K: k, SHA256: sig.SHA256, Persons: len(e.Persons),
			Withheld: diffs, Cells: e.Revealed(), Body: b}
		if _, err := tx.SavePublication(ctx, p, auditDetail(e, sig)); err != nil {
			return err
		}
		r = Result{Export: e, Bytes: b, Sig: sig, Withheld: diffs}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// Prove returns the proof (the FILE.proof beside the export) that r's
// audit entry is in the log of db under a checkpoint freshly signed with
// priv. Anyone can check the proof without the database (CheckProof).
func Prove(ctx context.Context, db *store.Store, priv ed25519.PrivateKey, r *Result) (chain.Proof, error) {
	detail := auditDetail(r.Export, r.Sig)
	proof, err := audit.ProveNewest(ctx, db, priv, func(en chain.Entry) bool { return en.Action == auditAction && en.Detail == detail })
	if err != nil {
		return chain.Proof{}, fmt.Errorf("prove the export's audit entry: %w", err)
	}
	return proof, nil
}

// CheckProof checks a proof file (JSON, named name in messages) against
// the publisher's key trusted and the export's verified signature sig: the
// proof holds under a checkpoint trusted signed, and its entry records this
// export. It returns the proof and its checkpoint.
func CheckProof(name string, b []byte, trusted ed25519.PublicKey, sig Signature) (chain.Proof, chain.Checkpoint, error) {
	var proof chain.Proof
	if err := json.Unmarshal(b, &proof); err != nil {
		return proof, chain.Checkpoint{}, rollcall.WrapError(rollcall.EINVALID, err, "%s is not a proof", name)
	}
	c, err := proof.Check(trusted)
	if err != nil {
		return proof, c, rollcall.WrapError(rollcall.EINVALID, err, "the audit log proof does not verify: %v", err)
	}
	if proof.Entry.Action != auditAction || !strings.Contains(proof.Entry.Detail, "sha256="+sig.SHA256+" ") {
		return proof, c, rollcall.Errorf(rollcall.EINVALID, "the audit log proof is for another file")
	}
	return proof, c, nil
}
