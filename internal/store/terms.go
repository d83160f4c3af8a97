package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/rollcall-project/rollcall"
)

// UpsertTerm adds a vocabulary term or replaces its labels.
func (s *Store) UpsertTerm(ctx context.Context, t rollcall.Term) error {
	t.Scheme, t.Code = strings.TrimSpace(t.Scheme), strings.TrimSpace(t.Code)
	if t.Scheme == "" || t.Code == "" {
		return rollcall.Errorf(rollcall.EINVALID, "a vocabulary term needs a scheme and a code")
	}
	return s.write(ctx, func(tx *Store) error {
		var before string
		var cur rollcall.Term
		err := tx.q.QueryRowContext(ctx, `SELECT scheme, code, label_en, label_ko, description, source FROM terms WHERE scheme = $1 AND code = $2`,
			t.Scheme, t.Code).Scan(&cur.Scheme, &cur.Code, &cur.LabelEn, &cur.LabelKo, &cur.Description, &cur.Source)
		action := ActionCreate
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("upsert term: %w", err)
		}
		if err == nil {
			if cur == t {
				return nil
			}
			before, action = hashOf(cur), ActionUpdate
		}
		_, err = tx.q.ExecContext(ctx, `INSERT INTO terms (scheme, code, label_en, label_ko, description, source)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (scheme, code) DO UPDATE SET label_en = excluded.label_en, label_ko = excluded.label_ko,
			description = excluded.description, source = excluded.source`,
			t.Scheme, t.Code, t.LabelEn, t.LabelKo, t.Description, t.Source)
		if err != nil {
			return mapErr(fmt.Errorf("upsert term: %w", err), "term", 0)
		}
		_, err = tx.appendAuditEntry(ctx, action, "term", 0, before, hashOf(t), t.Scheme+":"+t.Code)
		return err
	})
}

// Terms returns the terms of a scheme ("" for all), by scheme and code.
func (s *Store) Terms(ctx context.Context, scheme string) ([]rollcall.Term, error) {
	q := `SELECT scheme, code, label_en, label_ko, description, source FROM terms`
	var args []any
	if scheme != "" {
		q += ` WHERE scheme = $1`
		args = append(args, scheme)
	}
	rows, err := s.q.QueryContext(ctx, q+` ORDER BY scheme, code`, args...)
	if err != nil {
		return nil, fmt.Errorf("terms: %w", err)
	}
	defer rows.Close()
	out := []rollcall.Term{}
	for rows.Next() {
		var t rollcall.Term
		if err := rows.Scan(&t.Scheme, &t.Code, &t.LabelEn, &t.LabelKo, &t.Description, &t.Source); err != nil {
			return nil, fmt.Errorf("terms: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
