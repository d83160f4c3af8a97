package store

import (
	"context"
	"fmt"
)

// DecideReviewPair records a human decision on a queued pair and takes the
// pair off the review queue, in one transaction: the queue then shows only
// pairs still waiting. (Added by the web helper; AddLinkDecision alone
// leaves the pair queued until the next linkage run.)
func (s *Store) DecideReviewPair(ctx context.Context, recordA, recordB int64, same bool, by, note string) error {
	if recordA > recordB {
		recordA, recordB = recordB, recordA
	}
	return s.write(ctx, func(tx *Store) error {
		if err := tx.AddLinkDecision(ctx, recordA, recordB, same, by, note); err != nil {
			return err
		}
		if _, err := tx.q.ExecContext(ctx, `DELETE FROM review_queue WHERE record_a = $1 AND record_b = $2`, recordA, recordB); err != nil {
			return fmt.Errorf("dequeue review pair: %w", err)
		}
		return nil
	})
}
