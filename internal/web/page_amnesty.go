package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/amnesty"
	"github.com/rollcall-project/rollcall/internal/amnesty/rule"
	"github.com/rollcall-project/rollcall/internal/auth"
	"github.com/rollcall-project/rollcall/internal/demo"
	"github.com/rollcall-project/rollcall/internal/refdata"
	"github.com/rollcall-project/rollcall/internal/work"
)

// trackerPage is the page size of the tracker's person list.
const trackerPage = 20

// AmnestyView is the data of the amnesty tracker: internal/amnesty's
// report for one decree (announced against documented, eligible and
// verified released), the persons under it with their decisions, the
// forms that record outcomes and follow-ups, and the overdue follow-ups.
type AmnestyView struct {
	Decrees  []rollcall.AmnestyDecree
	Selected string
	Decree   *rollcall.AmnestyDecree
	Report   *amnesty.ReportData
	// Draft is the project's draft reading when the decree has no rule.
	Draft *refdata.DraftReading

	Filter    PersonFilter
	Decisions []string
	Persons   *DecisionPage
	Prev      string // URL of the previous page of persons
	More      string // URL of the next page
	Statuses  []string
	Kinds     []string
	// Sources are the first choices of the source picker (it searches
	// for more as the editor types).
	Sources []rollcall.Source
	// FacilityNames name facility keys in the page's language.
	FacilityNames map[string]string

	Overdue []amnesty.OverdueRow
	Months  int

	Job    *JobView
	Recent []*JobView

	Flash string
	// FormError is a refused outcome or follow-up, shown at the form of
	// FormPerson with the values entered (Form).
	FormError  string
	FormPerson int64
	Form       url.Values
}

// ActiveJob reports whether the page shows an evaluation still running.
func (v AmnestyView) ActiveJob() bool { return v.Job != nil && v.Job.Active() }

// FilterURL is the tracker URL with one filter changed (offset reset).
func (v AmnestyView) FilterURL(name, value string) string {
	q := url.Values{}
	for k, val := range map[string]string{"decision": v.Filter.Decision, "outcome": v.Filter.Outcome, "facility": v.Filter.Facility} {
		if k == name {
			val = value
		}
		if val != "" {
			q.Set(k, val)
		}
	}
	return v.pageURL(q)
}

func (v AmnestyView) pageURL(q url.Values) string {
	u := "/amnesty/" + url.PathEscape(v.Selected)
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// Here is the tracker URL of this page (filters and offset), where its
// forms come back to.
func (v AmnestyView) Here() string {
	q := url.Values{}
	for k, val := range map[string]string{"decision": v.Filter.Decision, "outcome": v.Filter.Outcome, "facility": v.Filter.Facility} {
		if val != "" {
			q.Set(k, val)
		}
	}
	if v.Filter.Offset > 0 {
		q.Set("offset", strconv.Itoa(v.Filter.Offset))
	}
	return v.pageURL(q)
}

// FacilityName names a facility bucket for people.
func (v AmnestyView) FacilityName(key string) string {
	if n := v.FacilityNames[key]; n != "" {
		return n
	}
	return key
}

// Value is the value entered in the refused form of person id.
func (v AmnestyView) Value(id int64, name string) string {
	if v.FormPerson != id || v.Form == nil {
		return ""
	}
	return v.Form.Get(name)
}

func (s *Server) handleAmnesty(w http.ResponseWriter, r *http.Request) {
	s.renderAmnesty(w, r, http.StatusOK, r.URL.Query().Get("decree"), nil)
}

func (s *Server) handleAmnestyDecree(w http.ResponseWriter, r *http.Request) {
	s.renderAmnesty(w, r, http.StatusOK, r.PathValue("key"), nil)
}

// renderAmnesty writes the tracker for the decree key (empty: the demo's
// decree, else the newest); adjust, when set, adds a refused form.
func (s *Server) renderAmnesty(w http.ResponseWriter, r *http.Request, status int, key string, adjust func(*AmnestyView)) {
	ctx := r.Context()
	decs, _, err := s.store.ListAmnestyDecrees(ctx, rollcall.ListOptions{Limit: maxLimit})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := AmnestyView{Decrees: decs, Selected: key, Statuses: amnesty.OutcomeStatuses, Kinds: amnesty.FollowUpKinds, Decisions: decisionValues,
		Months: 12, Flash: r.URL.Query().Get("done")}
	if v.Selected == "" {
		for _, d := range decs {
			if d.Key == demo.DecreeKey || v.Selected == "" {
				v.Selected = d.Key
			}
		}
	}
	if v.Overdue, err = s.overdue(ctx, v.Months); err != nil {
		s.renderError(w, r, err)
		return
	}
	if v.Selected != "" {
		if err := s.fillTracker(r, &v); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	if adjust != nil {
		adjust(&v)
	}
	if err := s.localizeAmnesty(ctx, &v, state(r).lang); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, status, "amnesty", "nav.amnesty", v)
}

// fillTracker adds the selected decree's report, persons, job and forms.
func (s *Server) fillTracker(r *http.Request, v *AmnestyView) error {
	ctx := r.Context()
	var err error
	if v.Decree, err = s.store.DecreeByKey(ctx, v.Selected); err != nil {
		return err
	}
	if v.Filter, err = parsePersonFilter(r, trackerPage); err != nil {
		return err
	}
	if v.Report, err = amnesty.Report(ctx, s.store, v.Selected); err != nil {
		return err
	}
	uses := []string{}
	if v.Report.HasRule {
		rl, err := amnesty.CompileRule(ctx, s.store, v.Decree.Rule)
		if err != nil {
			return err
		}
		uses = rl.Uses()
	} else if drafts, err := refdata.DraftReadings(); err == nil {
		if d, ok := drafts[v.Selected]; ok {
			v.Draft = &d
		}
	}
	v.Persons = pageDecisions(ctx, v.Selected, v.Report.HasRule, v.Report.Date, v.Report.Persons, uses, v.Filter)
	v.Report.Persons = nil // the page lists them from Persons
	q := url.Values{}
	for k, val := range map[string]string{"decision": v.Filter.Decision, "outcome": v.Filter.Outcome, "facility": v.Filter.Facility} {
		if val != "" {
			q.Set(k, val)
		}
	}
	if v.Filter.Offset > 0 {
		q.Set("offset", strconv.Itoa(max(v.Filter.Offset-trackerPage, 0)))
		v.Prev = v.pageURL(q)
	}
	if next := v.Filter.Offset + trackerPage; next < v.Persons.Total {
		q.Set("offset", strconv.Itoa(next))
		v.More = v.pageURL(q)
	}
	lang := state(r).lang
	v.FacilityNames = map[string]string{amnesty.FacilityUnknown: s.cat.T(lang, "tracker.facility.unknown"),
		amnesty.FacilityUncertain: s.cat.T(lang, "tracker.facility.uncertain")}
	facs, _, err := s.store.ListFacilities(ctx, rollcall.ListOptions{Limit: -1})
	if err != nil {
		return err
	}
	for _, f := range facs {
		v.FacilityNames[f.Key] = f.NameEn
		if lang == "ko" && f.NameKo != "" {
			v.FacilityNames[f.Key] = f.NameKo
		}
	}
	if u := state(r).user; u != nil && auth.Allows(u.Role, editor) {
		if v.Sources, _, err = visibleList(s.store.ListSources)(ctx, rollcall.ListOptions{Limit: 30}); err != nil {
			return err
		}
	}
	if u := state(r).user; u != nil && auth.Allows(u.Role, analyst) {
		v.Job = s.jobParam(r)
		v.Recent = s.recentJobs(r, work.KindAmnesty, 3)
	}
	return nil
}

// trackerBack is where a tracker form returns to: the page it came from
// (its filters and offset), on the tracker only.
func trackerBack(r *http.Request, key string) string {
	back := r.PostFormValue("back")
	if !strings.HasPrefix(back, "/amnesty/") || strings.Contains(back, "//") {
		back = "/amnesty/" + url.PathEscape(key)
	}
	return back
}

// withParam adds name=value to the query of u.
func withParam(u, name, value string) string {
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + url.QueryEscape(name) + "=" + url.QueryEscape(value)
}

// handleOutcomeForm records an outcome from the tracker (editor).
func (s *Server) handleOutcomeForm(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	pid, _ := strconv.ParseInt(r.PostFormValue("person_id"), 10, 64)
	in := amnesty.OutcomeInput{PersonID: pid, DecreeKey: key, Status: r.PostFormValue("status"), Date: r.PostFormValue("date"),
		Source: r.PostFormValue("source"), Note: r.PostFormValue("note")}
	if _, err := s.addOutcome(r.Context(), in); err != nil {
		s.formRefused(w, r, key, pid, err)
		return
	}
	http.Redirect(w, r, withParam(trackerBack(r, key), "done", "outcome")+"#person-"+strconv.FormatInt(pid, 10), http.StatusSeeOther)
}

// handleFollowUpForm records a follow-up from the tracker (editor).
func (s *Server) handleFollowUpForm(w http.ResponseWriter, r *http.Request) {
	key := r.PostFormValue("decree")
	pid, _ := strconv.ParseInt(r.PostFormValue("person_id"), 10, 64)
	err := s.checkPersonVisible(r.Context(), pid)
	if err == nil {
		_, err = amnesty.AddFollowUp(r.Context(), s.store, amnesty.FollowUpInput{PersonID: pid, Kind: r.PostFormValue("kind"),
			Date: r.PostFormValue("date"), Observation: r.PostFormValue("observation"), ReportedBy: r.PostFormValue("reported_by"),
			Source: r.PostFormValue("source")})
	}
	if err != nil {
		s.formRefused(w, r, key, pid, err)
		return
	}
	http.Redirect(w, r, withParam(trackerBack(r, key), "done", "followup")+"#person-"+strconv.FormatInt(pid, 10), http.StatusSeeOther)
}

// formRefused shows the tracker again with the refused form's message and
// values; nothing was saved.
func (s *Server) formRefused(w http.ResponseWriter, r *http.Request, key string, pid int64, err error) {
	if statusOf(err) != http.StatusBadRequest {
		s.renderError(w, r, err)
		return
	}
	// The filters of the page the form came from.
	if back, perr := url.Parse(trackerBack(r, key)); perr == nil {
		r.URL.RawQuery = back.RawQuery
	}
	s.renderAmnesty(w, r, http.StatusBadRequest, key, func(v *AmnestyView) {
		v.FormError, v.FormPerson, v.Form, v.Flash = rollcall.ErrorMessage(err), pid, r.PostForm, ""
	})
}

// handleAmnestyEvaluate queues a re-evaluation of one decree, or all.
func (s *Server) handleAmnestyEvaluate(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimSpace(r.PostFormValue("decree"))
	p, err := work.ParseAmnestyParams(r.Context(), s.store, []byte(`{"decree":`+strconv.Quote(key)+`}`))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	j, err := s.enqueueAmnesty(r.Context(), p.Decree)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	back := "/amnesty"
	if key != "" {
		back += "/" + url.PathEscape(key)
	}
	http.Redirect(w, r, back+"?job="+strconv.FormatInt(j.ID, 10)+"#evaluate", http.StatusSeeOther)
}

// SourceOptions are the sources the picker offers.
type SourceOptions struct{ Sources []rollcall.Source }

// handleSourceOptions is the source picker's search: the sources whose
// key, title or author holds what was typed, as <option>s of a datalist.
func (s *Server) handleSourceOptions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("source")
	if q == "" {
		q = r.URL.Query().Get("q")
	}
	srcs, _, err := visibleList(s.store.ListSources)(r.Context(), rollcall.ListOptions{Query: q, Limit: 30})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.renderBlock(w, r, "amnesty", "sourceoptions", SourceOptions{Sources: srcs})
}

// RuleView is the data of a decree's rule editor.
type RuleView struct {
	Decree   *rollcall.AmnestyDecree
	Rule     string // the text in the editor
	Note     string
	Draft    *refdata.DraftReading
	Check    *RuleCheck
	Versions []RuleVersionView
	Facts    []string
	Saved    bool
	Error    string
}

// RuleVersionView is a saved version as the editor lists it.
type RuleVersionView struct {
	Rule, Note, SavedBy, SavedAt string
	Current                      bool
}

// ruleView builds the editor for the decree key with text in the editor.
func (s *Server) ruleView(r *http.Request, key string) (*RuleView, error) {
	ctx := r.Context()
	d, err := s.store.DecreeByKey(ctx, key)
	if err != nil {
		return nil, err
	}
	v := &RuleView{Decree: d, Rule: d.Rule, Facts: rule.FactNames[:], Saved: r.URL.Query().Get("saved") != ""}
	if drafts, err := refdata.DraftReadings(); err == nil {
		if dr, ok := drafts[key]; ok {
			v.Draft = &dr
		}
	}
	vs, err := s.store.RuleVersions(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	for _, x := range vs {
		v.Versions = append(v.Versions, RuleVersionView{Rule: x.Rule, Note: x.Note, SavedBy: x.SavedBy,
			SavedAt: x.SavedAt.Format("2006-01-02 15:04 MST"), Current: x.Current})
	}
	return v, nil
}

// handleRuleEditor shows a decree's rule editor; ?draft=1 loads the draft
// reading into it (for pages without JavaScript).
func (s *Server) handleRuleEditor(w http.ResponseWriter, r *http.Request) {
	v, err := s.ruleView(r, r.PathValue("key"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if r.URL.Query().Get("draft") != "" && v.Draft != nil && v.Draft.Rule != "" {
		v.Rule = v.Draft.Rule
	}
	if v.Check, err = s.checkRule(r.Context(), v.Decree, v.Rule); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "amnesty_rule", "rules.title", v)
}

// handleRuleCheck checks the rule in the editor: an htmx request gets the
// check alone (as typed), a plain form post the whole editor.
func (s *Server) handleRuleCheck(w http.ResponseWriter, r *http.Request) {
	v, err := s.ruleView(r, r.PathValue("key"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v.Rule, v.Note = r.PostFormValue("rule"), r.PostFormValue("note")
	if v.Check, err = s.checkRule(r.Context(), v.Decree, v.Rule); err != nil {
		s.renderError(w, r, err)
		return
	}
	if r.Header.Get("HX-Request") == "true" {
		s.renderBlock(w, r, "amnesty_rule", "rulecheck", v)
		return
	}
	s.render(w, r, http.StatusOK, "amnesty_rule", "rules.title", v)
}

// handleRuleSave saves the rule in the editor as a new version.
func (s *Server) handleRuleSave(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	_, err := amnesty.SaveRule(r.Context(), s.store, key, version, r.PostFormValue("rule"), r.PostFormValue("note"))
	if err == nil {
		http.Redirect(w, r, "/amnesty/"+url.PathEscape(key)+"/rule?saved=1", http.StatusSeeOther)
		return
	}
	if c := statusOf(err); c != http.StatusBadRequest && c != http.StatusConflict {
		s.renderError(w, r, err)
		return
	}
	v, verr := s.ruleView(r, key)
	if verr != nil {
		s.renderError(w, r, verr)
		return
	}
	v.Rule, v.Note, v.Error = r.PostFormValue("rule"), r.PostFormValue("note"), rollcall.ErrorMessage(err)
	if v.Check, verr = s.checkRule(r.Context(), v.Decree, v.Rule); verr != nil {
		s.renderError(w, r, verr)
		return
	}
	s.render(w, r, statusOf(err), "amnesty_rule", "rules.title", v)
}
