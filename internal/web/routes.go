package web

import (
	"net/http"
	"net/url"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/auth"
)

// Route is one endpoint and the least role it needs ("" for anyone).
type Route struct {
	Method  string
	Pattern string
	Role    string
	Page    bool // an HTML page: anonymous GETs are sent to the login form
	// ownCSRF marks a form that carries its own token (the login form,
	// which has no session yet).
	ownCSRF bool
	h       http.HandlerFunc
}

const (
	anyone  = ""
	viewer  = rollcall.RoleViewer
	analyst = rollcall.RoleAnalyst
	editor  = rollcall.RoleEditor
	admin   = rollcall.RoleAdmin
)

// routeTable lists every route. The route × role test walks this table.
func (s *Server) routeTable() []Route {
	page := func(method, pattern, role string, h http.HandlerFunc) Route {
		return Route{Method: method, Pattern: pattern, Role: role, Page: true, h: h}
	}
	api := func(method, pattern, role string, h http.HandlerFunc) Route {
		return Route{Method: method, Pattern: pattern, Role: role, h: h}
	}
	rs := []Route{
		api("GET", "/healthz", anyone, s.handleHealth),
		api("GET", "/metrics", admin, s.handleMetrics().ServeHTTP),
		api("GET", "/api/v1/openapi.yaml", anyone, s.handleOpenAPI),
		page("GET", "/static/", anyone, s.staticFS.ServeHTTP),
		page("GET", "/login", anyone, s.handleLoginForm),
		{Method: "POST", Pattern: "/login", Page: true, ownCSRF: true, h: s.handleLogin},
		page("POST", "/logout", viewer, s.handleLogout),
		page("POST", "/lang", anyone, s.handleLang),

		page("GET", "/{$}", viewer, s.handleDashboard),
		page("GET", "/", anyone, s.handleNotFound),
		page("GET", "/search", viewer, s.handleSearch),
		page("GET", "/persons", viewer, s.handlePersons),
		page("GET", "/persons/{id}", viewer, s.handlePerson),
		page("GET", "/persons/{id}/amnesty", viewer, s.handlePersonAmnesty),
		page("GET", "/sources", viewer, s.handleSources),
		page("GET", "/sources/{id}", viewer, s.handleSource),
		page("GET", "/records/{id}", viewer, s.handleRecord),
		page("GET", "/facilities", viewer, s.handleFacilities),
		page("GET", "/facilities/{id}", viewer, s.handleFacility),
		page("GET", "/events", viewer, s.handleEvents),
		page("GET", "/map", viewer, s.handleMap),
		page("GET", "/ledger", viewer, s.handleLedger),
		page("GET", "/estimates", viewer, s.handleEstimates),
		page("GET", "/estimates/chart.svg", viewer, s.handleEstimatesChart),
		page("GET", "/amnesty", viewer, s.handleAmnesty),
		page("GET", "/amnesty/chart.svg", viewer, s.handleAmnestyChart),
		page("GET", "/amnesty/{key}", viewer, s.handleAmnestyDecree),
		page("GET", "/amnesty/{key}/rule", analyst, s.handleRuleEditor),
		page("POST", "/amnesty/{key}/rule/check", analyst, s.handleRuleCheck),
		page("POST", "/amnesty/{key}/rule", analyst, s.handleRuleSave),
		page("POST", "/amnesty/{key}/outcomes", editor, s.handleOutcomeForm),
		page("POST", "/amnesty/followups", editor, s.handleFollowUpForm),
		page("POST", "/amnesty/evaluate", analyst, s.handleAmnestyEvaluate),
		page("GET", "/amnesty/source-options", editor, s.handleSourceOptions),

		page("GET", "/pick/{kind}", viewer, s.handlePick),

		page("GET", "/review", analyst, s.handleReview),
		page("POST", "/review", analyst, s.handleReviewDecision),
		page("POST", "/review/relink", analyst, s.handleRelinkRun),
		page("POST", "/estimates/run", analyst, s.handleEstimateRun),
		page("GET", "/jobs/{id}", analyst, s.handleJob),
		page("POST", "/jobs/{id}/cancel", analyst, s.handleJobCancel),

		page("GET", "/publications", admin, s.handlePublications),
		page("POST", "/publications", admin, s.handlePublish),
		page("GET", "/publications/{id}/{file}", admin, s.handlePublicationFile),

		page("GET", "/sources/new", editor, s.sourceForm.new),
		page("POST", "/sources", editor, s.sourceForm.create),
		page("GET", "/sources/{id}/edit", editor, s.sourceForm.edit),
		page("POST", "/sources/{id}", editor, s.sourceForm.update),
		page("GET", "/sources/{id}/records/new", editor, s.recordForm.new),
		page("POST", "/sources/{id}/records", editor, s.recordForm.create),
		page("GET", "/records/{id}/edit", editor, s.recordForm.edit),
		page("POST", "/records/{id}", editor, s.recordForm.update),
		page("GET", "/facilities/new", editor, s.facilityForm.new),
		page("POST", "/facilities", editor, s.facilityForm.create),
		page("GET", "/facilities/{id}/edit", editor, s.facilityForm.edit),
		page("POST", "/facilities/{id}", editor, s.facilityForm.update),
		page("GET", "/events/new", editor, s.eventForm.new),
		page("POST", "/events", editor, s.eventForm.create),
		page("GET", "/events/{id}/edit", editor, s.eventForm.edit),
		page("POST", "/events/{id}", editor, s.eventForm.update),

		api("GET", "/api/v1/me", viewer, s.handleMe),
		api("GET", "/api/v1/search", viewer, s.handleAPISearch),
		api("GET", "/api/v1/terms/{scheme}", viewer, s.handleTerms),
		api("GET", "/api/v1/estimates", viewer, s.handleAPIEstimates),
		api("POST", "/api/v1/estimates", analyst, s.handleAPIEstimateRun),
		api("POST", "/api/v1/relinks", analyst, s.handleAPIRelink),
		api("POST", "/api/v1/amnesty-evaluations", analyst, s.handleAPIAmnestyEvaluation),
		api("GET", "/api/v1/amnesty-decrees/{id}/persons", viewer, s.handleAPIDecreePersons),
		api("GET", "/api/v1/amnesty-decrees/{id}/rule-versions", viewer, s.handleAPIRuleVersions),
		api("POST", "/api/v1/amnesty-decrees/{id}/rule-check", analyst, s.handleAPIRuleCheck),
		api("PUT", "/api/v1/amnesty-decrees/{id}/rule", analyst, s.handleAPIRuleSave),
		api("POST", "/api/v1/amnesty-outcomes", editor, s.handleAPIOutcome),
		api("GET", "/api/v1/amnesty-overdue", viewer, s.handleAPIOverdue),
		api("GET", "/api/v1/jobs", analyst, s.handleAPIJobs),
		api("GET", "/api/v1/jobs/{id}", analyst, s.handleAPIJob),
		api("POST", "/api/v1/jobs/{id}/cancel", analyst, s.handleAPIJobCancel),
		api("GET", "/api/v1/persons/{id}/records", viewer, s.handlePersonRecords),
		api("GET", "/api/v1/review-queue", analyst, s.handleAPIReviewQueue),
		api("POST", "/api/v1/link-decisions", analyst, s.handleAPILinkDecision),
		api("GET", "/api/v1/users", admin, s.handleAPIUsers),
	}
	for _, e := range s.entities() {
		rs = append(rs,
			api("GET", "/api/v1/"+e.path(), viewer, e.list),
			api("GET", "/api/v1/"+e.path()+"/{id}", viewer, e.get),
			api("POST", "/api/v1/"+e.path(), editor, e.create),
			api("PUT", "/api/v1/"+e.path()+"/{id}", editor, e.update),
		)
	}
	return rs
}

// guard enforces a route's role and CSRF protection before its handler.
func (s *Server) guard(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := state(r)
		st.route = rt.Method + " " + rt.Pattern
		if rt.Role != anyone {
			if st.user == nil {
				if rt.Page && r.Method == http.MethodGet {
					http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
					return
				}
				s.fail(w, r, rollcall.Errorf(rollcall.EUNAUTHORIZED, "log in first"))
				return
			}
			if !auth.Allows(st.user.Role, rt.Role) {
				s.fail(w, r, rollcall.Errorf(rollcall.EFORBIDDEN, "your role (%s) may not do this", st.user.Role))
				return
			}
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !rt.ownCSRF {
			if err := s.checkCSRF(r, st); err != nil {
				s.fail(w, r, err)
				return
			}
		}
		rt.h(w, r)
	})
}
