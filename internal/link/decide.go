package link

import (
	"context"

	"github.com/rollcall-project/rollcall/internal/store"
)

// Decide records a human decision on two records (taking the pair off the
// review queue) and applies it at once: the records of both their persons
// are linked again with the stored model, every decision honoured, so a
// "same" merges the two persons and a "different" splits them (person ids
// kept as a full run keeps them), in the same transaction.
func Decide(ctx context.Context, st *store.Store, recordA, recordB int64, same bool, by, note string) error {
	s, _, err := LoadModel(ctx, st)
	if err != nil {
		return err
	}
	if s == nil {
		prior := PriorSettings()
		s = &prior
	}
	return st.InTx(ctx, func(tx *store.Store) error {
		if err := tx.DecideReviewPair(ctx, recordA, recordB, same, by, note); err != nil {
			return err
		}
		pair, err := tx.LinkRecords(ctx, []int64{recordA, recordB}, nil)
		if err != nil {
			return err
		}
		var persons []int64
		for _, r := range pair {
			if r.PersonID != nil {
				persons = append(persons, *r.PersonID)
			}
		}
		batch, err := tx.LinkRecords(ctx, []int64{recordA, recordB}, persons)
		if err != nil {
			return err
		}
		return relinkRecords(ctx, tx, batch, *s, map[int64]string{})
	})
}
