package web

import (
	"context"
	"net/http"
	"slices"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/estimate"
	"github.com/rollcall-project/rollcall/internal/store"
)

// DashboardView is the data of the dashboard.
type DashboardView struct {
	Counts        []Count
	Ours          []EstimateBar
	Published     []rollcall.PublishedEstimate
	RecentSources []rollcall.Source
	RecentRecords []rollcall.Record
}

// Count is a documented total.
type Count struct {
	Key   string // message key
	Href  string
	Value int
}

// EstimateBar is one of our estimates scaled for a bar with its interval.
type EstimateBar struct {
	store.EstimateRow
	// Positions in percent of the widest upper bound.
	Obs, Lo, Pt, Hi float64
}

func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	one := rollcall.ListOptions{Limit: 1}
	var v DashboardView
	counters := []struct {
		key, href string
		f         func() (int, error)
	}{
		{"nav.persons", "/persons", func() (int, error) { _, n, err := visibleList(s.store.ListPersons)(ctx, one); return n, err }},
		{"nav.records", "/search", func() (int, error) { _, n, err := visibleList(s.store.ListRecords)(ctx, one); return n, err }},
		{"nav.sources", "/sources", func() (int, error) { _, n, err := visibleList(s.store.ListSources)(ctx, one); return n, err }},
		{"nav.facilities", "/facilities", func() (int, error) { _, n, err := s.store.ListFacilities(ctx, one); return n, err }},
		{"nav.events", "/events", func() (int, error) { _, n, err := visibleList(s.store.ListEvents)(ctx, one); return n, err }},
	}
	for _, c := range counters {
		n, err := c.f()
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		v.Counts = append(v.Counts, Count{Key: c.key, Href: c.href, Value: n})
	}
	ests, err := s.store.ListEstimates(ctx)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v.Ours = estimateBars(estimate.Latest(ests))
	if v.Published, _, err = s.store.ListPublishedEstimates(ctx, rollcall.ListOptions{Limit: 10}); err != nil {
		s.renderError(w, r, err)
		return
	}
	if v.RecentSources, err = newest(ctx, s.store.ListSources, 5); err != nil {
		s.renderError(w, r, err)
		return
	}
	if v.RecentRecords, err = newest(ctx, s.store.ListRecords, 8); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "dashboard", "dashboard.title", v)
}

// newest returns the last n rows of a list ordered by id, newest first.
func newest[T any](ctx context.Context, list func(context.Context, rollcall.ListOptions) ([]T, int, error), n int) ([]T, error) {
	list = visibleList(list)
	_, total, err := list(ctx, rollcall.ListOptions{Limit: 1})
	if err != nil {
		return nil, err
	}
	items, _, err := list(ctx, rollcall.ListOptions{Limit: n, Offset: max(total-n, 0)})
	if err != nil {
		return nil, err
	}
	slices.Reverse(items)
	return visibleOnly(ctx, items), nil
}

// estimateBars scales estimates to the largest upper bound (or estimate).
func estimateBars(ests []store.EstimateRow) []EstimateBar {
	top := 0.0
	for _, e := range ests {
		top = max(top, e.Estimate, float64(e.Observed))
		if e.Upper != nil {
			top = max(top, *e.Upper)
		}
	}
	if top == 0 {
		top = 1
	}
	out := make([]EstimateBar, 0, len(ests))
	for _, e := range ests {
		b := EstimateBar{EstimateRow: e, Obs: 100 * float64(e.Observed) / top, Pt: 100 * e.Estimate / top}
		b.Lo, b.Hi = b.Pt, b.Pt
		if e.Lower != nil {
			b.Lo = 100 * *e.Lower / top
		}
		if e.Upper != nil {
			b.Hi = 100 * *e.Upper / top
		}
		out = append(out, b)
	}
	return out
}
