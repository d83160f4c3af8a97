package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/audit/chain"
)

// auditLockKey is the pg_advisory_xact_lock key that serialises writers
// (and so audit appends) on PostgreSQL.
const auditLockKey int64 = 7_406_411_001

// Audit actions written by the store.
const (
	ActionCreate           = "create"
	ActionUpdate           = "update"
	ActionDelete           = "delete"
	ActionImport           = "import"
	ActionReadConfidential = "read_confidential"
)

// AppendAudit appends e to the audit log, in the current transaction or a
// new one. Seq, PrevHash and Hash are set here; At defaults to now and
// Actor to the context's actor.
func (s *Store) AppendAudit(ctx context.Context, e chain.Entry) error {
	return s.write(ctx, func(tx *Store) error {
		_, err := tx.appendAudit(ctx, e)
		return err
	})
}

// appendAudit must run inside a transaction that holds the write lock
// (SQLite: an immediate transaction; PostgreSQL: the advisory lock InTx
// takes), so reading the head and writing the next entry cannot interleave.
func (s *Store) appendAudit(ctx context.Context, e chain.Entry) (chain.Entry, error) {
	if s.tx == nil {
		return e, errors.New("audit append outside a transaction")
	}
	var seq int64
	var prev string
	err := s.q.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&seq, &prev)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		seq, prev = 0, chain.Genesis()
	case err != nil:
		return e, fmt.Errorf("audit head: %w", err)
	}
	e.Seq = seq + 1
	e.PrevHash = prev
	if e.At.IsZero() {
		e.At = s.now()
	}
	// The hash covers At as written, so round it to what the text keeps.
	e.At = e.At.UTC()
	if e.Actor == "" {
		e.Actor = actorName(ctx)
	}
	e.Hash = e.ComputeHash()
	_, err = s.q.ExecContext(ctx, `INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, before_hash, after_hash, detail, row_hashes, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		e.Seq, e.At.Format(chain.TimeFormat), e.Actor, e.Action, e.Entity, e.EntityID, e.BeforeHash, e.AfterHash, e.Detail, e.RowHashes, e.PrevHash, e.Hash)
	if err != nil {
		return e, mapErr(fmt.Errorf("audit append: %w", err), "audit entry", e.Seq)
	}
	return e, nil
}

// logChange records a create, update or delete of one row, with the row's
// MAC as it now is when the entity is one whose rows are checked.
func (s *Store) logChange(ctx context.Context, action, entity string, id int64, before, after string) error {
	rh, err := s.changeRowHashes(ctx, entity, id)
	if err != nil {
		return err
	}
	_, err = s.appendAudit(ctx, chain.Entry{Action: action, Entity: entity, EntityID: id, BeforeHash: before, AfterHash: after, RowHashes: rh})
	return err
}

func (s *Store) appendAuditEntry(ctx context.Context, action, entity string, id int64, before, after, detail string) (chain.Entry, error) {
	return s.appendAudit(ctx, chain.Entry{Action: action, Entity: entity, EntityID: id, BeforeHash: before, AfterHash: after, Detail: detail})
}

// AuditEntries returns up to limit entries with seq > afterSeq, oldest
// first (limit <= 0: all).
func (s *Store) AuditEntries(ctx context.Context, afterSeq int64, limit int) ([]chain.Entry, error) {
	q := `SELECT seq, at, actor, action, entity, entity_id, before_hash, after_hash, detail, row_hashes, prev_hash, hash
		FROM audit_log WHERE seq > $1 ORDER BY seq`
	args := []any{afterSeq}
	if limit > 0 {
		q += ` LIMIT $2`
		args = append(args, limit)
	}
	rows, err := s.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("audit entries: %w", err)
	}
	defer rows.Close()
	var out []chain.Entry
	for rows.Next() {
		var e chain.Entry
		var at string
		if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.Entity, &e.EntityID, &e.BeforeHash, &e.AfterHash, &e.Detail, &e.RowHashes, &e.PrevHash, &e.Hash); err != nil {
			return nil, fmt.Errorf("audit entries: %w", err)
		}
		t, err := time.Parse(chain.TimeFormat, at)
		if err != nil {
			return nil, rollcall.WrapError(rollcall.EINTERNAL, err, "audit entry %d has a malformed time %q", e.Seq, at)
		}
		e.At = t.UTC()
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit entries: %w", err)
	}
	return out, nil
}
