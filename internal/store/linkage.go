package store

import (
	"context"
	"fmt"
	"math"

	"github.com/rollcall-project/rollcall"
)

// AddLinkDecision records a human judgement on two records. Decisions are
// never changed or deleted: a later decision on the same pair overrides an
// earlier one wherever they are read (LinkDecisions returns them in order).
func (s *Store) AddLinkDecision(ctx context.Context, recordA, recordB int64, same bool, by, note string) error {
	if recordA == recordB {
		return rollcall.Errorf(rollcall.EINVALID, "a link decision needs two different records (got %d twice)", recordA)
	}
	if recordA > recordB {
		recordA, recordB = recordB, recordA
	}
	if by == "" {
		by = actorName(ctx)
	}
	if by == "" {
		return rollcall.Errorf(rollcall.EINVALID, "a link decision needs the name of who decided")
	}
	return s.write(ctx, func(tx *Store) error {
		now := tx.nowUTC()
		var id int64
		err := tx.q.QueryRowContext(ctx, `INSERT INTO link_decisions (record_a, record_b, same, decided_by, note, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, recordA, recordB, same, by, note, fmtTime(now)).Scan(&id)
		if err != nil {
			if constraintKind(err) == cForeignKey {
				return rollcall.WrapError(rollcall.EINVALID, err, "link decision: record %d or %d does not exist", recordA, recordB)
			}
			return mapErr(fmt.Errorf("add link decision: %w", err), "link decision", 0)
		}
		d := LinkDecision{ID: id, RecordA: recordA, RecordB: recordB, Same: same, By: by, Note: note, CreatedAt: now}
		_, err = tx.appendAuditEntry(ctx, ActionCreate, "link_decision", id, "", hashOf(d), fmt.Sprintf("records %d,%d same=%t", recordA, recordB, same))
		return err
	})
}

// LinkDecisions returns every decision, oldest first.
func (s *Store) LinkDecisions(ctx context.Context) ([]LinkDecision, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT id, record_a, record_b, same, decided_by, note, created_at FROM link_decisions ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("link decisions: %w", err)
	}
	defer rows.Close()
	out := []LinkDecision{}
	for rows.Next() {
		var d LinkDecision
		var created string
		if err := rows.Scan(&d.ID, &d.RecordA, &d.RecordB, &d.Same, &d.By, &d.Note, &created); err != nil {
			return nil, fmt.Errorf("link decisions: %w", err)
		}
		d.CreatedAt = parseTime(created)
		out = append(out, d)
	}
	return out, rows.Err()
}

// ReplaceReviewQueue replaces the review queue with pairs (derived data of
// a linkage run, so not audited row by row).
func (s *Store) ReplaceReviewQueue(ctx context.Context, pairs []ReviewPair) error {
	for _, p := range pairs {
		if p.RecordA == p.RecordB || math.IsNaN(p.Probability) || p.Probability < 0 || p.Probability > 1 || math.IsNaN(p.Worth) || math.IsInf(p.Worth, 0) {
			return rollcall.Errorf(rollcall.EINVALID, "review pair %d,%d: needs two records, a probability in [0,1] and a finite worth", p.RecordA, p.RecordB)
		}
	}
	return s.write(ctx, func(tx *Store) error {
		if _, err := tx.q.ExecContext(ctx, `DELETE FROM review_queue`); err != nil {
			return fmt.Errorf("clear review queue: %w", err)
		}
		const per = 500
		for i := 0; i < len(pairs); i += per {
			chunk := pairs[i:min(i+per, len(pairs))]
			args := make([]any, 0, 4*len(chunk))
			q := []byte(`INSERT INTO review_queue (record_a, record_b, probability, worth) VALUES `)
			for j, p := range chunk {
				a, b := p.RecordA, p.RecordB
				if a > b {
					a, b = b, a
				}
				if j > 0 {
					q = append(q, ", "...)
				}
				q = fmt.Appendf(q, "($%d, $%d, $%d, $%d)", 4*j+1, 4*j+2, 4*j+3, 4*j+4)
				args = append(args, a, b, p.Probability, p.Worth)
			}
			q = append(q, " ON CONFLICT (record_a, record_b) DO UPDATE SET probability = excluded.probability, worth = excluded.worth"...)
			if _, err := tx.q.ExecContext(ctx, string(q), args...); err != nil {
				if constraintKind(err) == cForeignKey {
					return rollcall.WrapError(rollcall.EINVALID, err, "review queue: a pair names a record that does not exist")
				}
				return mapErr(fmt.Errorf("fill review queue: %w", err), "review pair", 0)
			}
		}
		_, err := tx.appendAuditEntry(ctx, ActionUpdate, "review_queue", 0, "", hashOf(pairs), fmt.Sprintf("%d pairs", len(pairs)))
		return err
	})
}

// ReviewQueue returns a page of the queue, the pairs most worth deciding
// first (then the most doubtful: probability nearest 0.5), and the queue's
// length. limit <= 0 means all.
func (s *Store) ReviewQueue(ctx context.Context, limit, offset int) ([]ReviewPair, int, error) {
	var total int
	if err := s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM review_queue`).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("review queue: %w", err)
	}
	if limit <= 0 {
		limit = -1
	}
	pg, args := s.page(rollcall.ListOptions{Limit: limit, Offset: offset}, nil)
	rows, err := s.q.QueryContext(ctx, `SELECT record_a, record_b, probability, worth FROM review_queue
		ORDER BY worth DESC, ABS(probability - 0.5), record_a, record_b`+pg, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("review queue: %w", err)
	}
	defer rows.Close()
	out := []ReviewPair{}
	for rows.Next() {
		var p ReviewPair
		if err := rows.Scan(&p.RecordA, &p.RecordB, &p.Probability, &p.Worth); err != nil {
			return nil, 0, fmt.Errorf("review queue: %w", err)
		}
		out = append(out, p)
	}
	return out, total, rows.Err()
}
