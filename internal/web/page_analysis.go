package web

import (
	"net/http"
	"strconv"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/amnesty"
	"github.com/rollcall-project/rollcall/internal/chart"
	"github.com/rollcall-project/rollcall/internal/estimate"
	"github.com/rollcall-project/rollcall/internal/i18n"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/work"
)

// EstimatesView shows our estimates beside published ones, never merged.
type EstimatesView struct {
	Ours      []EstimateBar // newest per stratum and method, as bars
	Results   []EstimateGroup
	Published []rollcall.PublishedEstimate
	// Run is the form that runs an estimate as a job (analysts only).
	Run *EstimateRunView
}

// ActiveJob reports whether the page shows a job still running.
func (v EstimatesView) ActiveJob() bool {
	return v.Run != nil && v.Run.Job != nil && v.Run.Job.Active()
}

func (s *Server) handleEstimates(w http.ResponseWriter, r *http.Request) {
	s.renderEstimates(w, r, http.StatusOK, s.estimateRunView(r))
}

// renderEstimates writes the estimates page with the run form run.
func (s *Server) renderEstimates(w http.ResponseWriter, r *http.Request, status int, run *EstimateRunView) {
	ests, err := s.store.ListEstimates(r.Context())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	pubs, _, err := s.store.ListPublishedEstimates(r.Context(), rollcall.ListOptions{Limit: maxLimit})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, status, "estimates", "nav.estimates",
		EstimatesView{Ours: estimateBars(estimate.Latest(ests)), Results: estimateGroups(ests), Published: pubs, Run: run})
}

// handleEstimatesChart draws the newest estimate per stratum and method
// beside its documented count (internal/chart's gonum/plot SVG).
func (s *Server) handleEstimatesChart(w http.ResponseWriter, r *http.Request) {
	ests, err := s.store.ListEstimates(r.Context())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	latest := estimate.Latest(ests)
	if len(latest) == 0 {
		http.NotFound(w, r)
		return
	}
	lang := state(r).lang
	l := s.chartLabels(lang, "chart.estimates.title")
	for _, e := range latest {
		if e.Fictional {
			// The chart is shown apart from the page's marks: it says so itself.
			l.Title += " — " + s.cat.T(lang, "chart.fictional")
			break
		}
	}
	l.Row = func(e store.EstimateRow) string {
		return s.stratumName(lang, e.Stratum) + " · " + s.methodName(lang, e.Method)
	}
	svg, err := chart.Estimates(latest, l)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(svg)
}

// handleAmnestyChart draws every decree's announced figure beside the
// documented, eligible, undetermined and released counts (an SVG by
// internal/chart with gonum/plot).
func (s *Server) handleAmnestyChart(w http.ResponseWriter, r *http.Request) {
	rows, err := amnesty.Timeline(r.Context(), s.store)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if len(rows) == 0 {
		http.NotFound(w, r)
		return
	}
	svg, err := chart.Amnesties(rows, s.chartLabels(state(r).lang, "chart.amnesty.title"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(svg)
}

// MapView is the data of the facility map page.
type MapView struct {
	Facilities []rollcall.Facility
}

func (s *Server) handleMap(w http.ResponseWriter, r *http.Request) {
	fs, _, err := s.store.ListFacilities(r.Context(), rollcall.ListOptions{Limit: maxLimit})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	lang := state(r).lang
	// Sorted by the name the reader sees, in the reader's collation.
	i18n.SortFunc(lang, fs, func(f rollcall.Facility) string {
		if lang == "ko" && f.NameKo != "" {
			return f.NameKo
		}
		return f.NameEn
	})
	s.render(w, r, http.StatusOK, "map", "nav.map", MapView{Facilities: fs})
}

// ReviewView is the data of the linkage review page: one pair at a time.
type ReviewView struct {
	Item    *ReviewItem
	Compare []CompareRow
	Total   int
	Offset  int
	SourceA *rollcall.Source
	SourceB *rollcall.Source
	Done    string // flash after a decision
	// Relink is the full relink run as a job.
	Relink RelinkView
}

// ActiveJob reports whether the page shows a relink still running.
func (v ReviewView) ActiveJob() bool { return v.Relink.Job != nil && v.Relink.Job.Active() }

func (s *Server) handleReview(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	off, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	off = max(off, 0)
	items, total, err := s.reviewItems(ctx, 1, off)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := ReviewView{Total: total, Offset: off, Done: r.URL.Query().Get("done"),
		Relink: RelinkView{Job: s.jobParam(r), Recent: s.recentJobs(r, work.KindRelink, 3)}}
	if len(items) > 0 {
		it := items[0]
		v.Item = &it
		v.Compare = s.compare([]*rollcall.Record{it.A, it.B}, state(r).lang)
		if v.SourceA, err = s.store.GetSource(ctx, it.A.SourceID); err != nil {
			s.renderError(w, r, err)
			return
		}
		if v.SourceB, err = s.store.GetSource(ctx, it.B.SourceID); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "review", "nav.review", v)
}

// handleReviewDecision records "same" or "different" (or skips) and shows
// the next pair.
func (s *Server) handleReviewDecision(w http.ResponseWriter, r *http.Request) {
	a, _ := strconv.ParseInt(r.PostFormValue("record_a"), 10, 64)
	b, _ := strconv.ParseInt(r.PostFormValue("record_b"), 10, 64)
	off, _ := strconv.Atoi(r.PostFormValue("offset"))
	decision := r.PostFormValue("decision")
	switch decision {
	case "same", "different":
		if err := s.decide(r.Context(), LinkDecisionInput{RecordA: a, RecordB: b, Same: decision == "same"}); err != nil {
			s.renderError(w, r, err)
			return
		}
	case "skip":
		off++ // the pair stays in the queue; move past it
	default:
		s.renderError(w, r, &rollcall.Error{Code: rollcall.EINVALID, Field: "decision", Message: "decide same, different or skip"})
		return
	}
	http.Redirect(w, r, "/review?offset="+strconv.Itoa(max(off, 0))+"&done="+decision, http.StatusSeeOther)
}
