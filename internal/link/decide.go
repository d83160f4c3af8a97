package link

import (
	"context"
	"fmt"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/link/match"
	"github.com/rollcall-project/rollcall/internal/store"
)

// Decision is a human judgement on two stored records: the same person or
// not.
type Decision struct {
	RecordA, RecordB int64
	Same             bool
	// By is who decided; empty means the actor of the context.
	By, Note string
}

// Decided says what Decide changed.
type Decided struct {
	// Merged is set when the two records' persons became one.
	Merged bool `json:"merged"`
	// Person is the person holding RecordA after the decision (0: none).
	Person int64 `json:"person,omitempty"`
	// Rescored counts the queued pairs of the neighbourhood given a new
	// worth; Settled those the decision answered and took off the queue.
	Rescored int `json:"rescored"`
	Settled  int `json:"settled"`
}

// Decide applies a human decision at once, in one transaction: it is
// recorded (every later linkage run honours it) and the pair leaves the
// queue; "same" on records of two persons merges them (the larger keeps
// its id); and the pending pairs of the neighbourhood — every queued pair
// holding a record of either person — are re-scored: pairs between the
// two persons are settled by the decision and leave the queue, the others
// get the worth (match.ReviewWorth) of the clusters as they now are.
// "Different" on two records of one person is recorded; the next linkage
// run splits the person (splitting needs the whole model).
func Decide(ctx context.Context, st *store.Store, d Decision) (*Decided, error) {
	if d.RecordA <= 0 || d.RecordB <= 0 || d.RecordA == d.RecordB {
		return nil, rollcall.Errorf(rollcall.EINVALID, "a decision names two different records")
	}
	out := &Decided{}
	err := st.InTx(ctx, func(tx *store.Store) error {
		if err := tx.DecideReviewPair(ctx, d.RecordA, d.RecordB, d.Same, d.By, d.Note); err != nil {
			return err
		}
		n := &neighbourhood{tx: tx, person: map[int64]*int64{}, size: map[int64]int{}}
		ga, pa, err := n.group(ctx, d.RecordA)
		if err != nil {
			return err
		}
		gb, pb, err := n.group(ctx, d.RecordB)
		if err != nil {
			return err
		}
		apart := pa == nil || pb == nil || *pa != *pb
		side := map[int64]int{}
		if apart {
			for _, r := range ga {
				side[r] = 1
			}
			for _, r := range gb {
				side[r] = 2
			}
		}
		if d.Same && apart {
			if _, err := merge(ctx, tx, ga, gb, pa, pb); err != nil {
				return err
			}
			out.Merged = true
			n.forget()
		}
		if p, err := n.personOf(ctx, d.RecordA); err != nil {
			return err
		} else if p != nil {
			out.Person = *p
		}
		pending, err := tx.ReviewPairsTouching(ctx, append(ga, gb...))
		if err != nil {
			return err
		}
		var update, settle []store.ReviewPair
		for _, p := range pending {
			if sa, sb := side[p.RecordA], side[p.RecordB]; sa != 0 && sb != 0 && sa != sb {
				settle = append(settle, p)
				continue
			}
			t, err := n.touched(ctx, p.RecordA, p.RecordB)
			if err != nil {
				return err
			}
			if w := match.ReviewWorth(p.Probability, t); w != p.Worth {
				p.Worth = w
				update = append(update, p)
			}
		}
		out.Rescored, out.Settled = len(update), len(settle)
		return tx.RescoreReviewPairs(ctx, update, settle)
	})
	if err != nil {
		return nil, fmt.Errorf("decide records %d, %d: %w", d.RecordA, d.RecordB, err)
	}
	return out, nil
}

// merge joins the records of groups ga and gb (of persons pa, pb; nil: a
// record of no person) into one person: the one with more records keeps
// its id and gets its attributes refreshed; the other goes unless
// something refers to it.
func merge(ctx context.Context, tx *store.Store, ga, gb []int64, pa, pb *int64) (int64, error) {
	if pb != nil && (pa == nil || len(gb) > len(ga)) {
		ga, gb, pa, pb = gb, ga, pb, pa
	}
	all := append(append([]int64{}, ga...), gb...)
	members := make([]rollcall.Record, 0, len(all))
	for _, id := range all {
		r, err := tx.GetRecord(ctx, id)
		if err != nil {
			return 0, err
		}
		members = append(members, *r)
	}
	fresh := resolvePerson(members)
	var pid int64
	if pa == nil {
		if err := tx.CreatePerson(ctx, &fresh); err != nil {
			return 0, fmt.Errorf("create person: %w", err)
		}
		pid = fresh.ID
	} else {
		pid = *pa
		p, err := tx.GetPerson(ctx, pid)
		if err != nil {
			return 0, err
		}
		p.Name, p.NameAlt, p.Sex, p.BirthDate, p.Province = fresh.Name, fresh.NameAlt, fresh.Sex, fresh.BirthDate, fresh.Province
		p.Fictional, p.Sensitivity = fresh.Fictional, rollcall.MaxSensitivity(p.Sensitivity, fresh.Sensitivity)
		if err := tx.UpdatePerson(ctx, p); err != nil {
			return 0, fmt.Errorf("update person %d: %w", pid, err)
		}
	}
	for _, m := range members {
		if m.PersonID != nil && *m.PersonID == pid {
			continue
		}
		if err := tx.SetRecordPerson(ctx, m.ID, &pid); err != nil {
			return 0, fmt.Errorf("link record %d: %w", m.ID, err)
		}
	}
	if pb != nil {
		if err := tx.DeletePerson(ctx, *pb); err != nil {
			if code := rollcall.ErrorCode(err); code != rollcall.EINVALID && code != rollcall.ECONFLICT {
				return 0, fmt.Errorf("remove person %d: %w", *pb, err)
			}
		}
	}
	return pid, nil
}

// neighbourhood caches the persons of records and the sizes of persons
// while the pairs around a decision are re-scored.
type neighbourhood struct {
	tx     *store.Store
	person map[int64]*int64 // record → person
	size   map[int64]int    // person → records
}

func (n *neighbourhood) forget() {
	clear(n.person)
	clear(n.size)
}

func (n *neighbourhood) personOf(ctx context.Context, rec int64) (*int64, error) {
	if p, ok := n.person[rec]; ok {
		return p, nil
	}
	r, err := n.tx.GetRecord(ctx, rec)
	if err != nil {
		return nil, err
	}
	n.person[rec] = r.PersonID
	return r.PersonID, nil
}

// group returns the records of rec's person (rec alone when it has none)
// and the person.
func (n *neighbourhood) group(ctx context.Context, rec int64) ([]int64, *int64, error) {
	p, err := n.personOf(ctx, rec)
	if err != nil || p == nil {
		return []int64{rec}, p, err
	}
	recs, err := n.tx.RecordsOfPerson(ctx, *p)
	if err != nil {
		return nil, nil, err
	}
	ids := make([]int64, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
		pid := *p
		n.person[r.ID] = &pid
	}
	n.size[*p] = len(ids)
	return ids, p, nil
}

// touched is match.ReviewWorth's count of records for a pair.
func (n *neighbourhood) touched(ctx context.Context, a, b int64) (int, error) {
	size := func(rec int64) (int64, int, error) {
		p, err := n.personOf(ctx, rec)
		if err != nil || p == nil {
			return -rec, 1, err // a record of no person is a cluster of one
		}
		if s, ok := n.size[*p]; ok {
			return *p, s, nil
		}
		g, _, err := n.group(ctx, rec)
		return *p, len(g), err
	}
	pa, sa, err := size(a)
	if err != nil {
		return 0, err
	}
	pb, sb, err := size(b)
	if err != nil {
		return 0, err
	}
	if pa == pb {
		return sa, nil
	}
	return sa + sb, nil
}
