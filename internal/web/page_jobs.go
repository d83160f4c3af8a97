package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/auth"
	"github.com/rollcall-project/rollcall/internal/estimate"
	"github.com/rollcall-project/rollcall/internal/estimate/mse"
	"github.com/rollcall-project/rollcall/internal/jobs"
	"github.com/rollcall-project/rollcall/internal/link"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/work"
)

// JobView is a job as its panel shows it: status, a progress bar while it
// runs, and its result read by kind when it is done.
type JobView struct {
	Job *store.Job
	// Back is the page the job belongs to (estimates, review, tracker).
	Back     string
	Estimate *work.EstimateResult
	Relink   *link.Report
	Amnesty  *work.AmnestyResult
}

// Active reports whether the job may still change (the panel then polls).
func (j *JobView) Active() bool { return !j.Job.Finished() }

// Percent is the share done, 0–100, or -1 when the total is unknown.
func (j *JobView) Percent() int {
	p := j.Job.Progress
	if p.Total <= 0 {
		return -1
	}
	return int(min(100, p.Done*100/p.Total))
}

func newJobView(j *store.Job) *JobView {
	v := &JobView{Job: j}
	switch j.Kind {
	case work.KindEstimate:
		v.Back = "/estimates"
		if j.Result != nil {
			v.Estimate = new(work.EstimateResult)
			if json.Unmarshal(j.Result, v.Estimate) != nil {
				v.Estimate = nil
			}
		}
	case work.KindRelink:
		v.Back = "/review"
		if j.Result != nil {
			v.Relink = new(link.Report)
			if json.Unmarshal(j.Result, v.Relink) != nil {
				v.Relink = nil
			}
		}
	case work.KindAmnesty:
		v.Back = "/amnesty"
		var p work.AmnestyParams
		if json.Unmarshal(j.Params, &p) == nil && p.Decree != "" {
			v.Back = "/amnesty/" + url.PathEscape(p.Decree)
		}
		if j.Result != nil {
			v.Amnesty = new(work.AmnestyResult)
			if json.Unmarshal(j.Result, v.Amnesty) != nil {
				v.Amnesty = nil
			}
		}
	}
	return v
}

// JobMessage translates a job's progress message when the catalog knows
// it (jobs.msg.<message>), else shows it as the job wrote it.
func (v *View) JobMessage(msg string) string {
	if msg == "" {
		return ""
	}
	key := "jobs.msg." + strings.ReplaceAll(msg, " ", "_")
	if t := v.T(key); t != key {
		return t
	}
	return msg
}

// StrataLabel names comma-separated stratum variables in the page's
// language ("sex,decade" → "Sex, Decade of detention").
func (v *View) StrataLabel(by string) string {
	var out []string
	for _, s := range strings.Split(by, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, v.T("jobs.stratum."+s))
		}
	}
	return strings.Join(out, ", ")
}

// Refresh is the seconds after which a page without JavaScript reloads
// itself, while it shows a job that may still change (0: never). With
// JavaScript the job panel polls instead.
func (v *View) Refresh() int {
	type active interface{ ActiveJob() bool }
	if a, ok := v.Data.(active); ok && a.ActiveJob() {
		return 3
	}
	return 0
}

// jobParam reads the job to show from ?job=ID (nil when absent or gone).
func (s *Server) jobParam(r *http.Request) *JobView {
	id, err := strconv.ParseInt(r.URL.Query().Get("job"), 10, 64)
	if err != nil || id <= 0 {
		return nil
	}
	j, err := s.jobs.Get(r.Context(), id)
	if err != nil {
		return nil
	}
	return newJobView(j)
}

// recentJobs are the newest jobs of kind (up to n) for a page's history.
func (s *Server) recentJobs(r *http.Request, kind string, n int) []*JobView {
	items, _, err := s.jobs.List(r.Context(), rollcall.ListOptions{Limit: n, Filters: map[string]string{"kind": kind}})
	if err != nil {
		s.log.Warn("recent jobs", "kind", kind, "err", err)
		return nil
	}
	out := make([]*JobView, len(items))
	for i := range items {
		out[i] = newJobView(&items[i])
	}
	return out
}

// JobPage is the data of a job's own page.
type JobPage struct{ *JobView }

// ActiveJob makes the page reload itself without JavaScript.
func (p JobPage) ActiveJob() bool { return p.Active() }

// handleJob shows a job; an htmx request gets its panel alone (polling).
func (s *Server) handleJob(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	j, err := s.jobs.Get(r.Context(), id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := JobPage{newJobView(j)}
	if r.Header.Get("HX-Request") == "true" {
		s.renderBlock(w, r, "job", "jobfragment", v)
		return
	}
	s.render(w, r, http.StatusOK, "job", "jobs.title", v)
}

// handleJobCancel cancels a job from its panel and goes back to where the
// panel was.
func (s *Server) handleJobCancel(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	j, err := s.jobs.Cancel(r.Context(), id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, newJobView(j).Back+"?job="+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// EstimateRunView is the form that runs an estimate as a job, with the
// job it last started and the recent estimate jobs.
type EstimateRunView struct {
	Methods   []mse.Method
	Strata    []string
	ListModes []string
	Params    work.EstimateParams
	Seed      string
	Error     string
	Field     string
	Job       *JobView
	Recent    []*JobView
}

// Stratified reports whether the form had stratum variable v ticked.
func (e *EstimateRunView) Stratified(v string) bool {
	return slices.Contains(strings.Split(e.Params.By, ","), v)
}

// estimateRunView is the run form for an analyst (nil for other roles).
func (s *Server) estimateRunView(r *http.Request) *EstimateRunView {
	if u := state(r).user; u == nil || !auth.Allows(u.Role, analyst) {
		return nil
	}
	return &EstimateRunView{
		Methods:   mse.Methods(),
		Strata:    store.StratumVariables(),
		ListModes: []string{"auto", "source", "kind"},
		Params:    work.EstimateParams{Method: string(mse.MethodLogLinear), Lists: "auto"},
		Job:       s.jobParam(r),
		Recent:    s.recentJobs(r, work.KindEstimate, 5),
	}
}

// handleEstimateRun queues an estimate from the form and shows its
// progress on the estimates page; bad options are shown next to the form.
func (s *Server) handleEstimateRun(w http.ResponseWriter, r *http.Request) {
	p := work.EstimateParams{Method: r.PostFormValue("method"), Lists: r.PostFormValue("lists"),
		By: strings.Join(r.PostForm["by"], ",")}
	p.Fate = estimate.ParseCodes(r.PostFormValue("fate"))
	p.Event = estimate.ParseCodes(r.PostFormValue("event"))
	seed := strings.TrimSpace(r.PostFormValue("seed"))
	var err error
	for _, n := range []struct {
		field string
		v     *int
	}{{"from", &p.From}, {"to", &p.To}, {"linkage_draws", &p.LinkageDraws}} {
		if t := strings.TrimSpace(r.PostFormValue(n.field)); t != "" && err == nil {
			if *n.v, err = strconv.Atoi(t); err != nil {
				err = &rollcall.Error{Code: rollcall.EINVALID, Field: n.field, Message: fmt.Sprintf("%s is a whole number, not %q", n.field, t)}
			}
		}
	}
	if seed != "" && err == nil {
		n, perr := strconv.ParseUint(seed, 10, 63)
		if perr != nil {
			err = &rollcall.Error{Code: rollcall.EINVALID, Field: "seed", Message: "the seed is a whole number of at most 19 digits, or empty for a random one"}
		}
		p.Seed = &n
	}
	var j *jobs.Job
	if err == nil {
		j, err = s.enqueueEstimate(r.Context(), p)
	}
	if err != nil {
		if statusOf(err) != http.StatusBadRequest {
			s.renderError(w, r, err)
			return
		}
		run := s.estimateRunView(r)
		run.Params, run.Seed, run.Error = p, seed, rollcall.ErrorMessage(err)
		var re *rollcall.Error
		if errors.As(err, &re) {
			run.Field = re.Field
		}
		s.renderEstimates(w, r, http.StatusBadRequest, run)
		return
	}
	http.Redirect(w, r, "/estimates?job="+strconv.FormatInt(j.ID, 10)+"#estimate-run", http.StatusSeeOther)
}

// RelinkView is the full-relink form of the review page with its job.
type RelinkView struct {
	Job    *JobView
	Recent []*JobView
}

// handleRelinkRun queues a full relink (or finds the one queued) and
// shows it on the review page.
func (s *Server) handleRelinkRun(w http.ResponseWriter, r *http.Request) {
	j, err := s.enqueueRelink(r.Context())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/review?job="+strconv.FormatInt(j.ID, 10)+"#relink", http.StatusSeeOther)
}
