package web

import (
	"context"
	"net/http"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/api"
	"github.com/rollcall-project/rollcall/internal/auth"
	"github.com/rollcall-project/rollcall/internal/store"
)

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2e9)
	defer cancel()
	if err := s.store.DB().PingContext(ctx); err != nil {
		s.writeAPIError(w, r, rollcall.WrapError(rollcall.EINTERNAL, err, "database unavailable"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml")
	_, _ = w.Write(api.OpenAPI)
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, state(r).user)
}

func (s *Server) handleAPIUsers(w http.ResponseWriter, r *http.Request) {
	us, err := s.store.ListUsers(r.Context())
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	if us == nil {
		us = []auth.User{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": us})
}

func (s *Server) handleTerms(w http.ResponseWriter, r *http.Request) {
	ts, err := s.store.Terms(r.Context(), r.PathValue("scheme"))
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	if ts == nil {
		ts = []rollcall.Term{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": ts})
}

func (s *Server) handleAPIEstimates(w http.ResponseWriter, r *http.Request) {
	es, err := s.store.ListEstimates(r.Context())
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	if es == nil {
		es = []store.EstimateRow{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": es})
}

func (s *Server) handlePersonRecords(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	p, err := s.store.GetPerson(r.Context(), id)
	if err == nil {
		err = checkVisible(r.Context(), p)
	}
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	recs, err := s.store.RecordsOfPerson(r.Context(), id)
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	recs = visibleOnly(r.Context(), recs)
	if recs == nil {
		recs = []rollcall.Record{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": recs})
}

// handleNotFound answers any unknown path, as a page or as JSON under /api.
func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, rollcall.Errorf(rollcall.ENOTFOUND, "no such page"))
}
