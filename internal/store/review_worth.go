package store

import (
	"context"
	"fmt"
	"math"

	"github.com/rollcall-project/rollcall"
)

// ReviewPairsTouching returns the queued pairs that hold any of records,
// ordered as the queue is.
func (s *Store) ReviewPairsTouching(ctx context.Context, records []int64) ([]ReviewPair, error) {
	out := []ReviewPair{}
	if len(records) == 0 {
		return out, nil
	}
	args := make([]any, len(records))
	for i, r := range records {
		args[i] = r
	}
	in := placeholders(1, len(args))
	rows, err := s.q.QueryContext(ctx, `SELECT record_a, record_b, probability, worth FROM review_queue
		WHERE record_a IN (`+in+`) OR record_b IN (`+in+`)
		ORDER BY worth DESC, ABS(probability - 0.5), record_a, record_b`, args...)
	if err != nil {
		return nil, fmt.Errorf("review pairs of records: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p ReviewPair
		if err := rows.Scan(&p.RecordA, &p.RecordB, &p.Probability, &p.Worth); err != nil {
			return nil, fmt.Errorf("review pairs of records: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// RescoreReviewPairs sets the worth of the queued pairs in update and takes
// the pairs in drop off the queue (both keyed by their two records), in
// one transaction. Pairs no longer queued are skipped.
func (s *Store) RescoreReviewPairs(ctx context.Context, update, drop []ReviewPair) error {
	for _, p := range update {
		if math.IsNaN(p.Worth) || math.IsInf(p.Worth, 0) {
			return rollcall.Errorf(rollcall.EINVALID, "review pair %d,%d: worth must be finite", p.RecordA, p.RecordB)
		}
	}
	return s.write(ctx, func(tx *Store) error {
		for _, p := range update {
			a, b := min(p.RecordA, p.RecordB), max(p.RecordA, p.RecordB)
			if _, err := tx.q.ExecContext(ctx, `UPDATE review_queue SET worth = $1 WHERE record_a = $2 AND record_b = $3`, p.Worth, a, b); err != nil {
				return fmt.Errorf("rescore review pair %d,%d: %w", a, b, err)
			}
		}
		for _, p := range drop {
			a, b := min(p.RecordA, p.RecordB), max(p.RecordA, p.RecordB)
			if _, err := tx.q.ExecContext(ctx, `DELETE FROM review_queue WHERE record_a = $1 AND record_b = $2`, a, b); err != nil {
				return fmt.Errorf("dequeue review pair %d,%d: %w", a, b, err)
			}
		}
		return nil
	})
}
