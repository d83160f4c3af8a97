package web

import (
	"context"
	"net/http"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/link"
	"github.com/rollcall-project/rollcall/internal/store"
)

// ReviewItem is a doubtful pair with both records.
type ReviewItem struct {
	store.ReviewPair
	A *rollcall.Record `json:"a"`
	B *rollcall.Record `json:"b"`
}

// reviewItems returns up to limit pairs of the review queue with their
// records, and the queue's length.
func (s *Server) reviewItems(ctx context.Context, limit, offset int) ([]ReviewItem, int, error) {
	var pairs []store.ReviewPair
	var total int
	var err error
	if a := rollcall.ActorFrom(ctx); a.CanSeeConfidential() {
		pairs, total, err = s.store.ReviewQueue(ctx, limit, offset)
	} else {
		// Pairs with a record above the reviewer's ceiling are left out
		// before paging, so the page and the count hold only what the
		// reviewer may see.
		pairs, total, err = s.store.ReviewQueueWithout(ctx, a.Ceiling(), limit, offset)
	}
	if err != nil {
		return nil, 0, err
	}
	items := make([]ReviewItem, 0, len(pairs))
	for _, p := range pairs {
		a, err := s.store.GetRecord(ctx, p.RecordA)
		if err != nil {
			return nil, 0, err
		}
		b, err := s.store.GetRecord(ctx, p.RecordB)
		if err != nil {
			return nil, 0, err
		}
		if !visible(ctx, a) || !visible(ctx, b) {
			continue // an editor reviews pairs with confidential records
		}
		items = append(items, ReviewItem{ReviewPair: p, A: a, B: b})
	}
	return items, total, nil
}

func (s *Server) handleAPIReviewQueue(w http.ResponseWriter, r *http.Request) {
	o, err := listOptions(r)
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	items, total, err := s.reviewItems(r.Context(), o.Limit, o.Offset)
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, Page[ReviewItem]{Items: items, Total: total, Limit: o.Limit, Offset: o.Offset})
}

// LinkDecisionInput is the body of POST /api/v1/link-decisions.
type LinkDecisionInput struct {
	RecordA int64  `json:"record_a"`
	RecordB int64  `json:"record_b"`
	Same    bool   `json:"same"`
	Note    string `json:"note,omitempty"`
}

func (s *Server) decide(ctx context.Context, in LinkDecisionInput) error {
	if in.RecordA <= 0 || in.RecordB <= 0 || in.RecordA == in.RecordB {
		return rollcall.Errorf(rollcall.EINVALID, "a decision names two different records")
	}
	// The decision applies at once and re-scores the pairs around it; a
	// "different" on two records of one person splits the person now.
	if _, err := link.Decide(ctx, s.store, link.Decision{RecordA: in.RecordA, RecordB: in.RecordB, Same: in.Same,
		By: rollcall.ActorFrom(ctx).Name, Note: in.Note}); err != nil {
		return err
	}
	if !in.Same {
		return link.Split(ctx, s.store, in.RecordA, in.RecordB)
	}
	return nil
}

func (s *Server) handleAPILinkDecision(w http.ResponseWriter, r *http.Request) {
	var in LinkDecisionInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	if err := s.decide(r.Context(), in); err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, in)
}
