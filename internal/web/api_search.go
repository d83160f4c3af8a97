package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/rollcall-project/rollcall"
)

// SearchResult holds the hits of a search in each kind of object.
type SearchResult struct {
	Query      string              `json:"query"`
	Persons    []rollcall.Person   `json:"persons"`
	Records    []rollcall.Record   `json:"records"`
	Sources    []rollcall.Source   `json:"sources"`
	Facilities []rollcall.Facility `json:"facilities"`
}

const searchLimit = 20

// search asks the store for q in persons, records, sources and facilities.
// The store matches names by their normalised keys (internal/textnorm), so
// a romanized query finds a hangul name and the other way round; a name
// matches when each query word starts one of its words.
func (s *Server) search(ctx context.Context, q string, limit int) (*SearchResult, error) {
	res := &SearchResult{Query: q, Persons: []rollcall.Person{}, Records: []rollcall.Record{},
		Sources: []rollcall.Source{}, Facilities: []rollcall.Facility{}}
	q = strings.TrimSpace(q)
	if q == "" {
		return res, nil
	}
	if len(q) > 200 {
		return nil, &rollcall.Error{Code: rollcall.EINVALID, Field: "q", Message: "the search text is too long"}
	}
	o := rollcall.ListOptions{Query: q, Limit: limit}
	var err error
	// Persons and records are the big tables: the store's full-text index
	// over their name keys. Sources and facilities are few: a scan is fine
	// and also matches titles and other fields.
	if res.Persons, err = s.store.SearchPersons(ctx, q, limit); err != nil {
		return nil, err
	}
	if res.Records, err = s.store.SearchRecords(ctx, q, limit); err != nil {
		return nil, err
	}
	if res.Sources, _, err = s.store.ListSources(ctx, o); err != nil {
		return nil, err
	}
	if res.Facilities, _, err = s.store.ListFacilities(ctx, o); err != nil {
		return nil, err
	}
	res.Persons = visibleOnly(ctx, res.Persons)
	res.Records = visibleOnly(ctx, res.Records)
	res.Sources = visibleOnly(ctx, res.Sources)
	nonNil(&res.Persons)
	nonNil(&res.Records)
	nonNil(&res.Sources)
	nonNil(&res.Facilities)
	return res, nil
}

func nonNil[T any](s *[]T) {
	if *s == nil {
		*s = []T{}
	}
}

func (s *Server) handleAPISearch(w http.ResponseWriter, r *http.Request) {
	res, err := s.search(r.Context(), r.URL.Query().Get("q"), searchLimit)
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}
