package publish

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/audit"
	"github.com/rollcall-project/rollcall/internal/audit/chain"
	"github.com/rollcall-project/rollcall/internal/store"
)

// auditAction is the audit log action of a publication.
const auditAction = "publish"

// auditDetail is the audit entry's detail for an export: its hash first,
// which CheckProof looks for.
func auditDetail(e *Export, sig Signature) string {
	return fmt.Sprintf("sha256=%s persons=%d k=%d", sig.SHA256, len(e.Persons), e.K)
}

// Record appends the publication of export e, signed as sig, to the audit
// log of db and returns the proof (the FILE.proof beside the export) that
// the entry is in the log under a checkpoint freshly signed with priv.
// Anyone can check the proof without the database (CheckProof).
func Record(ctx context.Context, db *store.Store, priv ed25519.PrivateKey, e *Export, sig Signature) (chain.Proof, error) {
	detail := auditDetail(e, sig)
	if err := db.AppendAudit(ctx, chain.Entry{Action: auditAction, Entity: "export", Detail: detail}); err != nil {
		return chain.Proof{}, err
	}
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
