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

// pageSize is the rows of a list page: past it, a visible count and "more".
const pageSize = 20

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
		for _, k := range []string{"q", "kind"} {
			if x := q.Get(k); x != "" {
				u.Set(k, x)
			}
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

// SearchView is the search page: the first hits of each kind (from the
// name index; More marks a kind with more than fit), or, with ?kind=, one
// kind paged with its count.
type SearchView struct {
	*SearchResult
	More           map[string]bool
	Kind           string
	PersonsPage    *ListView[rollcall.Person]
	RecordsPage    *ListView[rollcall.Record]
	SourcesPage    *ListView[rollcall.Source]
	FacilitiesPage *ListView[rollcall.Facility]
}

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	v := SearchView{Kind: r.URL.Query().Get("kind"), More: map[string]bool{}}
	var err error
	switch v.Kind {
	case "":
		// One more than shown tells whether there are more.
		if v.SearchResult, err = s.search(r.Context(), q, searchLimit+1); err == nil {
			v.More["persons"], v.More["records"] = trimHits(&v.SearchResult.Persons), trimHits(&v.SearchResult.Records)
			v.More["sources"], v.More["facilities"] = trimHits(&v.SearchResult.Sources), trimHits(&v.SearchResult.Facilities)
		}
	case "persons":
		v.PersonsPage, err = searchPage(r, s.store.ListPersons)
	case "records":
		v.RecordsPage, err = searchPage(r, s.store.ListRecords)
	case "sources":
		v.SourcesPage, err = searchPage(r, s.store.ListSources)
	case "facilities":
		v.FacilitiesPage, err = searchPage(r, s.store.ListFacilities)
	default:
		err = &rollcall.Error{Code: rollcall.EINVALID, Field: "kind", Message: "kind must be persons, records, sources or facilities"}
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if v.SearchResult == nil {
		v.SearchResult = &SearchResult{Query: q}
	}
	// htmx asks for the results fragment only.
	if r.Header.Get("HX-Request") == "true" {
		s.renderBlock(w, r, "search", "results", v)
		return
	}
	s.render(w, r, http.StatusOK, "search", "search.title", v)
}

// trimHits cuts hits to searchLimit and reports whether there were more.
func trimHits[T any](hits *[]T) bool {
	if len(*hits) > searchLimit {
		*hits = (*hits)[:searchLimit]
		return true
	}
	return false
}

// searchPage lists one kind of search hit, paged with its count.
func searchPage[T any](r *http.Request, list func(context.Context, rollcall.ListOptions) ([]T, int, error)) (*ListView[T], error) {
	if len(r.URL.Query().Get("q")) > 200 {
		return nil, &rollcall.Error{Code: rollcall.EINVALID, Field: "q", Message: "the search text is too long"}
	}
	return listPage(r, list, nil)
}
