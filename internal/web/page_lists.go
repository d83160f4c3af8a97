package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/rollcall-project/rollcall"
)

// ListView is the data of a paged list page.
type ListView[T any] struct {
	Query  string
	Items  []T
	Total  int
	Offset int
	Limit  int
	Prev   string // URL of the previous page, "" on the first
	Next   string
}

const pageSize = 50

// listPage reads q and offset, lists one page and builds the paging links.
func listPage[T any](r *http.Request, list func(context.Context, rollcall.ListOptions) ([]T, int, error), filters map[string]string) (*ListView[T], error) {
	q := r.URL.Query()
	off, _ := strconv.Atoi(q.Get("offset"))
	off = max(off, 0)
	o := rollcall.ListOptions{Query: q.Get("q"), Limit: pageSize, Offset: off, Filters: filters}
	items, total, err := visibleList(list)(r.Context(), o)
	if err != nil {
		return nil, err
	}
	v := &ListView[T]{Query: o.Query, Items: items, Total: total, Offset: off, Limit: pageSize}
	link := func(o int) string {
		u := url.Values{}
		if v.Query != "" {
			u.Set("q", v.Query)
		}
		u.Set("offset", strconv.Itoa(o))
		return r.URL.Path + "?" + u.Encode()
	}
	if off > 0 {
		v.Prev = link(max(off-pageSize, 0))
	}
	if off+pageSize < total {
		v.Next = link(off + pageSize)
	}
	return v, nil
}

func (s *Server) handlePersons(w http.ResponseWriter, r *http.Request) {
	v, err := listPage(r, s.store.ListPersons, nil)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "persons", "nav.persons", v)
}

func (s *Server) handleSources(w http.ResponseWriter, r *http.Request) {
	v, err := listPage(r, s.store.ListSources, nil)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "sources", "nav.sources", v)
}

func (s *Server) handleFacilities(w http.ResponseWriter, r *http.Request) {
	v, err := listPage(r, s.store.ListFacilities, nil)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "facilities", "nav.facilities", v)
}

func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	v, err := listPage(r, s.store.ListEvents, nil)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "events", "nav.events", v)
}

func (s *Server) handleLedger(w http.ResponseWriter, r *http.Request) {
	v, err := listPage(r, s.store.ListPublishedEstimates, nil)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "ledger", "nav.ledger", v)
}

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	res, err := s.search(r.Context(), r.URL.Query().Get("q"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	// htmx asks for the results fragment only.
	if r.Header.Get("HX-Request") == "true" {
		s.renderBlock(w, r, "search", "results", res)
		return
	}
	s.render(w, r, http.StatusOK, "search", "search.title", res)
}
