package store

import (
	"context"
	"fmt"
	"slices"
	"sync"

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

// open decrypts a confidential value and audits the read: on its own, or
// counted in the context's bulk read (see BeginBulkRead).
func (s *Store) open(ctx context.Context, entity, table, column, uid string, id int64, ct []byte) ([]byte, error) {
	plain, err := s.cipher.Open(table, column, uid, ct)
	if err != nil {
		return nil, rollcall.WrapError(rollcall.EINTERNAL, err, "%s %d: cannot decrypt %s (wrong key?)", entity, id, column)
	}
	if b, ok := ctx.Value(bulkKey{}).(*BulkRead); ok {
		b.add(entity + "." + column)
		return plain, nil
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

type bulkKey struct{}

// BulkRead counts the confidential values an operation decrypts, so that
// an operation over many rows (an import comparing the stored testimonies
// with the file's) writes one read_confidential audit entry with counts
// instead of one per row. It is safe for concurrent use.
type BulkRead struct {
	op     string
	mu     sync.Mutex
	counts map[string]int // "record.testimony" → values decrypted
}

// BeginBulkRead returns a context under which confidential reads are
// counted in the returned BulkRead instead of audited one by one. The
// operation must call EndBulkRead when it ends, however it ends: the values
// were read either way.
func BeginBulkRead(ctx context.Context, op string) (context.Context, *BulkRead) {
	b := &BulkRead{op: op, counts: map[string]int{}}
	return context.WithValue(ctx, bulkKey{}, b), b
}

func (b *BulkRead) add(field string) {
	b.mu.Lock()
	b.counts[field]++
	b.mu.Unlock()
}

// Count is the number of values read so far.
func (b *BulkRead) Count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, c := range b.counts {
		n += c
	}
	return n
}

// EndBulkRead appends one read_confidential entry (entity "bulk") whose
// detail names the operation and how many values of each field it read,
// in the current transaction or a new one; nothing when nothing was read.
// Inside a transaction that may roll back, call it there and again after a
// failure, outside: the entry should survive the rollback.
func (s *Store) EndBulkRead(ctx context.Context, b *BulkRead) error {
	b.mu.Lock()
	fields := make([]string, 0, len(b.counts))
	for f := range b.counts {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	detail := "op=" + b.op
	for _, f := range fields {
		detail += fmt.Sprintf(" %s=%d", f, b.counts[f])
	}
	b.mu.Unlock()
	if len(fields) == 0 {
		return nil
	}
	return s.AppendAudit(context.WithoutCancel(ctx), chain.Entry{Action: ActionReadConfidential, Entity: "bulk", Detail: detail})
}
