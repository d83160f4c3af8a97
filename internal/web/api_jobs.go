package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/jobs"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/work"
)

// readBody reads a request body of at most maxBody bytes.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, rollcall.WrapError(rollcall.EINVALID, err, "the request body is larger than %d bytes", maxBody)
	}
	if err != nil {
		return nil, rollcall.WrapError(rollcall.EINVALID, err, "cannot read the request body")
	}
	return b, nil
}

// accepted answers 202 with the job and where to follow it.
func accepted(w http.ResponseWriter, j *jobs.Job) {
	w.Header().Set("Location", "/api/v1/jobs/"+strconv.FormatInt(j.ID, 10))
	writeJSON(w, http.StatusAccepted, j)
}

// enqueueEstimate checks the options of an estimate and queues it.
func (s *Server) enqueueEstimate(ctx context.Context, p work.EstimateParams) (*jobs.Job, error) {
	if err := p.Normalize(); err != nil {
		return nil, err
	}
	return s.jobs.Enqueue(ctx, jobs.Request{Kind: work.KindEstimate, Params: p})
}

// enqueueRelink queues a full relink, or returns the one already queued.
func (s *Server) enqueueRelink(ctx context.Context) (*jobs.Job, error) {
	return s.jobs.Enqueue(ctx, jobs.Request{Kind: work.KindRelink, Params: work.RelinkParams{}, DedupeKey: "all"})
}

// enqueueAmnesty queues a re-evaluation of one decree (by key) or all ("").
func (s *Server) enqueueAmnesty(ctx context.Context, decree string) (*jobs.Job, error) {
	p := work.AmnestyParams{Decree: decree}
	return s.jobs.Enqueue(ctx, jobs.Request{Kind: work.KindAmnesty, Params: p, DedupeKey: "decree:" + decree})
}

// handleAPIEstimateRun queues an estimate with the options of `rollcall
// estimate --db` (POST /api/v1/estimates).
func (s *Server) handleAPIEstimateRun(w http.ResponseWriter, r *http.Request) {
	b, err := readBody(w, r)
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	p, err := work.ParseEstimateParams(b)
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	j, err := s.enqueueEstimate(r.Context(), p)
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	accepted(w, j)
}

// handleAPIRelink queues a full relink (POST /api/v1/relinks); the body,
// if any, is an empty object.
func (s *Server) handleAPIRelink(w http.ResponseWriter, r *http.Request) {
	if err := s.emptyOptions(w, r, &work.RelinkParams{}); err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	j, err := s.enqueueRelink(r.Context())
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	accepted(w, j)
}

// emptyOptions reads an optional JSON body into v (absent: the defaults).
func (s *Server) emptyOptions(w http.ResponseWriter, r *http.Request, v any) error {
	b, err := readBody(w, r)
	if err != nil || len(b) == 0 {
		return err
	}
	return work.DecodeOptions(b, v)
}

// handleAPIAmnestyEvaluation queues an amnesty re-evaluation of one decree
// or all (POST /api/v1/amnesty-evaluations).
func (s *Server) handleAPIAmnestyEvaluation(w http.ResponseWriter, r *http.Request) {
	b, err := readBody(w, r)
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	if len(b) == 0 {
		b = []byte("{}")
	}
	p, err := work.ParseAmnestyParams(r.Context(), s.store, b)
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	j, err := s.enqueueAmnesty(r.Context(), p.Decree)
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	accepted(w, j)
}

// handleAPIJobs lists jobs, newest first (GET /api/v1/jobs).
func (s *Server) handleAPIJobs(w http.ResponseWriter, r *http.Request) {
	o, err := listOptions(r)
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	items, total, err := s.jobs.List(r.Context(), o)
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, Page[store.Job]{Items: items, Total: total, Limit: o.Limit, Offset: o.Offset})
}

// handleAPIJob shows one job (GET /api/v1/jobs/{id}).
func (s *Server) handleAPIJob(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	j, err := s.jobs.Get(r.Context(), id)
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, j)
}

// handleAPIJobCancel cancels a queued job or asks its process to stop a
// running one (POST /api/v1/jobs/{id}/cancel).
func (s *Server) handleAPIJobCancel(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	j, err := s.jobs.Cancel(r.Context(), id)
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, j)
}
