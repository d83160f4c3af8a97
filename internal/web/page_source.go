package web

import (
	"net/http"
	"strconv"

	"github.com/rollcall-project/rollcall"
)

// SourceView is the data of a source's page.
type SourceView struct {
	Source  *rollcall.Source
	Records *ListView[rollcall.Record]
}

func (s *Server) handleSource(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	src, err := s.store.GetSource(r.Context(), id)
	if err == nil {
		err = checkVisible(r.Context(), src)
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	recs, err := listPage(r, s.store.ListRecords, map[string]string{"source_id": strconv.FormatInt(id, 10)})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "source", "source.title", SourceView{Source: src, Records: recs})
}

// RecordView is the data of a record's page.
type RecordView struct {
	Record   *rollcall.Record
	Source   *rollcall.Source
	Person   *rollcall.Person
	Facility *rollcall.Facility
	// LinkPending: the record waits for live linkage.
	LinkPending bool
}

func (s *Server) handleRecord(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := RecordView{}
	if v.Record, err = s.store.GetRecord(ctx, id); err == nil {
		err = checkVisible(ctx, v.Record)
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if v.Source, err = s.store.GetSource(ctx, v.Record.SourceID); err != nil {
		s.renderError(w, r, err)
		return
	}
	if v.Record.PersonID != nil {
		if v.Person, err = s.store.GetPerson(ctx, *v.Record.PersonID); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	if v.Record.FacilityID != nil {
		if v.Facility, err = s.store.GetFacility(ctx, *v.Record.FacilityID); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	if v.LinkPending, err = s.store.LinkPending(ctx, id); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "record", "record.title", v)
}
