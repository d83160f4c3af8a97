package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/rollcall-project/rollcall"
)

// entityAPI is the list/get/create/update quartet of one entity.
type entityAPI interface {
	path() string
	list(http.ResponseWriter, *http.Request)
	get(http.ResponseWriter, *http.Request)
	create(http.ResponseWriter, *http.Request)
	update(http.ResponseWriter, *http.Request)
}

// entity serves one entity type with the store's functions for it.
type entity[T any] struct {
	s        *Server
	name     string // "source"
	plural   string // URL segment: "sources"
	listFn   func(context.Context, rollcall.ListOptions) ([]T, int, error)
	getFn    func(context.Context, int64) (*T, error)
	createFn func(context.Context, *T) error
	updateFn func(context.Context, *T) error
	meta     func(*T) *rollcall.Meta
}

func (e *entity[T]) path() string { return e.plural }

// entities lists the entities the API serves generically.
func (s *Server) entities() []entityAPI {
	st := s.store
	return []entityAPI{
		&entity[rollcall.Source]{s, "source", "sources", st.ListSources, st.GetSource, st.CreateSource, st.UpdateSource,
			func(v *rollcall.Source) *rollcall.Meta { return &v.Meta }},
		&entity[rollcall.Record]{s, "record", "records", st.ListRecords, st.GetRecord, st.CreateRecord, st.UpdateRecord,
			func(v *rollcall.Record) *rollcall.Meta { return &v.Meta }},
		&entity[rollcall.Person]{s, "person", "persons", st.ListPersons, st.GetPerson, st.CreatePerson, st.UpdatePerson,
			func(v *rollcall.Person) *rollcall.Meta { return &v.Meta }},
		&entity[rollcall.Facility]{s, "facility", "facilities", st.ListFacilities, st.GetFacility, st.CreateFacility, st.UpdateFacility,
			func(v *rollcall.Facility) *rollcall.Meta { return &v.Meta }},
		&entity[rollcall.Event]{s, "event", "events", st.ListEvents, st.GetEvent, st.CreateEvent, st.UpdateEvent,
			func(v *rollcall.Event) *rollcall.Meta { return &v.Meta }},
		&entity[rollcall.PublishedEstimate]{s, "published estimate", "published-estimates", st.ListPublishedEstimates,
			st.GetPublishedEstimate, st.CreatePublishedEstimate, st.UpdatePublishedEstimate,
			func(v *rollcall.PublishedEstimate) *rollcall.Meta { return &v.Meta }},
		&entity[rollcall.AmnestyDecree]{s, "amnesty decree", "amnesty-decrees", st.ListAmnestyDecrees, st.GetAmnestyDecree,
			st.CreateAmnestyDecree, st.UpdateAmnestyDecree, func(v *rollcall.AmnestyDecree) *rollcall.Meta { return &v.Meta }},
		&entity[rollcall.FollowUp]{s, "follow-up", "follow-ups", st.ListFollowUps, st.GetFollowUp, st.CreateFollowUp,
			st.UpdateFollowUp, func(v *rollcall.FollowUp) *rollcall.Meta { return &v.Meta }},
	}
}

// Page is a page of a list.
type Page[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Limit  int `json:"limit"`
	Offset int `json:"offset"`
}

const (
	defaultLimit = 50
	maxLimit     = 500
)

// listOptions reads q, limit, offset and exact-match filters from the
// query string; the store rejects filters it does not know.
func listOptions(r *http.Request) (rollcall.ListOptions, error) {
	o := rollcall.ListOptions{Limit: defaultLimit}
	for k, vs := range r.URL.Query() {
		v := vs[len(vs)-1]
		switch k {
		case "q":
			o.Query = v
		case "limit":
			// Out of bounds is refused, not clamped: limit=0 giving one row
			// would be silently wrong.
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > maxLimit {
				return o, &rollcall.Error{Code: rollcall.EINVALID, Field: k, Message: fmt.Sprintf("limit must be a whole number from 1 to %d", maxLimit)}
			}
			o.Limit = n
		case "offset":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return o, &rollcall.Error{Code: rollcall.EINVALID, Field: k, Message: "offset must be a whole number ≥ 0"}
			}
			o.Offset = n
		default:
			if o.Filters == nil {
				o.Filters = map[string]string{}
			}
			o.Filters[k] = v
		}
	}
	return o, nil
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, rollcall.Errorf(rollcall.ENOTFOUND, "no such object")
	}
	return id, nil
}

func (e *entity[T]) list(w http.ResponseWriter, r *http.Request) {
	o, err := listOptions(r)
	if err != nil {
		e.s.writeAPIError(w, r, err)
		return
	}
	items, total, err := visibleList(e.listFn)(r.Context(), o)
	if err != nil {
		e.s.writeAPIError(w, r, err)
		return
	}
	if items == nil {
		items = []T{}
	}
	writeJSON(w, http.StatusOK, Page[T]{Items: items, Total: total, Limit: o.Limit, Offset: o.Offset})
}

func (e *entity[T]) get(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		e.s.writeAPIError(w, r, err)
		return
	}
	v, err := e.getFn(r.Context(), id)
	if err == nil {
		err = checkVisible(r.Context(), v)
	}
	if err != nil {
		e.s.writeAPIError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (e *entity[T]) create(w http.ResponseWriter, r *http.Request) {
	var v T
	if err := decodeJSON(w, r, &v); err != nil {
		e.s.writeAPIError(w, r, err)
		return
	}
	m := e.meta(&v)
	if m.ID != 0 || m.Version != 0 {
		e.s.writeAPIError(w, r, rollcall.Errorf(rollcall.EINVALID, "a new %s has no id or version", e.name))
		return
	}
	if err := validateBody(r.Context(), e.s.store, &v); err != nil {
		e.s.writeAPIError(w, r, err)
		return
	}
	if err := e.createFn(r.Context(), &v); err != nil {
		e.s.writeAPIError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/"+e.plural+"/"+strconv.FormatInt(m.ID, 10))
	writeJSON(w, http.StatusCreated, &v)
}

func (e *entity[T]) update(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		e.s.writeAPIError(w, r, err)
		return
	}
	var v T
	if err := decodeJSON(w, r, &v); err != nil {
		e.s.writeAPIError(w, r, err)
		return
	}
	m := e.meta(&v)
	if m.Version == 0 {
		e.s.writeAPIError(w, r, &rollcall.Error{Code: rollcall.EINVALID, Field: "version",
			Message: "an update names the version it changes"})
		return
	}
	if m.ID != 0 && m.ID != id {
		e.s.writeAPIError(w, r, &rollcall.Error{Code: rollcall.EINVALID, Field: "id", Message: "the id in the body differs from the URL"})
		return
	}
	m.ID = id
	if err := validateBody(r.Context(), e.s.store, &v); err != nil {
		e.s.writeAPIError(w, r, err)
		return
	}
	if err := e.updateFn(r.Context(), &v); err != nil {
		e.s.writeAPIError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, &v)
}
