package store

import (
	"context"
	"fmt"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/audit/chain"
)

// errNoKey is returned when a confidential value is written without a cipher.
func errNoKey(entity, field string) error {
	return &rollcall.Error{Code: rollcall.EINVALID, Field: field,
		Message: fmt.Sprintf("%s: confidential fields need an encryption key (rollcall key init)", entity)}
}

// seal encrypts a confidential value for table.column of the row with uid.
// An empty value is stored as NULL.
func (s *Store) seal(entity, table, column, uid string, plain []byte) ([]byte, error) {
	if len(plain) == 0 {
		return nil, nil
	}
	if s.cipher == nil {
		return nil, errNoKey(entity, column)
	}
	ct, err := s.cipher.Seal(table, column, uid, plain)
	if err != nil {
		return nil, rollcall.WrapError(rollcall.EINTERNAL, err, "%s: cannot encrypt %s", entity, column)
	}
	return ct, nil
}

// canRead reports whether the context's actor may read confidential values
// and a key is loaded to read them with.
func (s *Store) canRead(ctx context.Context) bool {
	return s.cipher != nil && rollcall.ActorFrom(ctx).CanSeeConfidential()
}

// open decrypts a confidential value and audits the read.
func (s *Store) open(ctx context.Context, entity, table, column, uid string, id int64, ct []byte) ([]byte, error) {
	plain, err := s.cipher.Open(table, column, uid, ct)
	if err != nil {
		return nil, rollcall.WrapError(rollcall.EINTERNAL, err, "%s %d: cannot decrypt %s (wrong key?)", entity, id, column)
	}
	err = s.write(ctx, func(tx *Store) error {
		_, err := tx.appendAudit(ctx, chain.Entry{Action: ActionReadConfidential, Entity: entity, EntityID: id, Detail: column})
		return err
	})
	if err != nil {
		return nil, err
	}
	return plain, nil
}

// keepConfidential decides what an update writes to a confidential column.
// A new value is sealed (editors and admins only). An empty value clears
// the column only when the caller could have seen what it clears: an actor
// who may see confidential fields, with the key loaded, on a row not marked
// redacted; otherwise the stored ciphertext stays.
func (s *Store) keepConfidential(ctx context.Context, entity, table, column, uid string, cur []byte, redacted bool, plain []byte) ([]byte, error) {
	canSee := rollcall.ActorFrom(ctx).CanSeeConfidential()
	if len(plain) > 0 {
		if !canSee {
			return nil, &rollcall.Error{Code: rollcall.EFORBIDDEN, Field: column,
				Message: fmt.Sprintf("%s: only editors and admins may change %s", entity, column)}
		}
		return s.seal(entity, table, column, uid, plain)
	}
	if !canSee || s.cipher == nil || redacted {
		return cur, nil
	}
	return nil, nil
}
