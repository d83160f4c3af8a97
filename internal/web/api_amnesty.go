package web

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/amnesty"
)

// decreeRef finds a decree by key, else by numeric id.
func (s *Server) decreeRef(ctx context.Context, ref string) (*rollcall.AmnestyDecree, error) {
	d, err := s.store.DecreeByKey(ctx, ref)
	if rollcall.ErrorCode(err) != rollcall.ENOTFOUND {
		return d, err
	}
	if id, perr := strconv.ParseInt(ref, 10, 64); perr == nil && id > 0 {
		return s.store.GetAmnestyDecree(ctx, id)
	}
	return nil, rollcall.Errorf(rollcall.ENOTFOUND, "no amnesty decree %q", ref)
}

// Filters of the decree's person list.
var (
	decisionValues = []string{rollcall.Eligible, rollcall.NotEligible, rollcall.Undetermined}
	// outcomeFilterValues are the outcome statuses and "none" (no outcome
	// recorded).
	outcomeFilterValues = append(append([]string{}, amnesty.OutcomeStatuses...), "none")
)

// PersonFilter selects among a decree's decisions.
type PersonFilter struct {
	Decision string
	Outcome  string
	Facility string
	Offset   int
	Limit    int
}

// parsePersonFilter reads decision, outcome, facility, limit and offset,
// refusing other parameters and values with what is allowed.
func parsePersonFilter(r *http.Request, limit int) (PersonFilter, error) {
	f := PersonFilter{Limit: limit}
	for k, vs := range r.URL.Query() {
		v := strings.TrimSpace(vs[len(vs)-1])
		switch k {
		case "decision":
			if v != "" && !slices.Contains(decisionValues, v) {
				return f, &rollcall.Error{Code: rollcall.EINVALID, Field: k, Message: fmt.Sprintf("decision %q is not one of %s", v, strings.Join(decisionValues, ", "))}
			}
			f.Decision = v
		case "outcome":
			if v != "" && !slices.Contains(outcomeFilterValues, v) {
				return f, &rollcall.Error{Code: rollcall.EINVALID, Field: k, Message: fmt.Sprintf("outcome %q is not one of %s", v, strings.Join(outcomeFilterValues, ", "))}
			}
			f.Outcome = v
		case "facility":
			f.Facility = v
		case "limit", "offset":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return f, &rollcall.Error{Code: rollcall.EINVALID, Field: k, Message: k + " must be a whole number ≥ 0"}
			}
			if k == "limit" {
				f.Limit = min(max(n, 1), maxLimit)
			} else {
				f.Offset = n
			}
		case "job", "done", "decree":
			// page state, not filters
		default:
			return f, &rollcall.Error{Code: rollcall.EINVALID, Field: k,
				Message: fmt.Sprintf("cannot filter by %q (filters: decision, outcome, facility, limit, offset)", k)}
		}
	}
	return f, nil
}

func (f PersonFilter) keep(r amnesty.PersonResult) bool {
	if f.Decision != "" && r.Decision.Decision != f.Decision {
		return false
	}
	switch {
	case f.Outcome == "none" && r.Outcome != nil:
		return false
	case f.Outcome != "" && f.Outcome != "none" && (r.Outcome == nil || r.Outcome.Status != f.Outcome):
		return false
	}
	return f.Facility == "" || r.Facility == f.Facility
}

// DecisionItem is one person's decision under a decree, as the API and the
// tracker list it.
type DecisionItem struct {
	PersonID  int64  `json:"person_id"`
	Name      string `json:"name"`
	Fictional bool   `json:"fictional"`
	Decision  string `json:"decision"`
	// Reasons are the facts the rule reads with this person's values;
	// Missing the facts that would decide an undetermined case.
	Reasons []string `json:"reasons"`
	Missing []string `json:"missing"`
	Error   string   `json:"error,omitempty"`
	// Held is whether the person was held on the decree's date: true,
	// false or unknown.
	Held     string                   `json:"held"`
	Facility string                   `json:"facility"`
	Outcome  *rollcall.AmnestyOutcome `json:"outcome,omitempty"`
}

// DecisionCounts count the decisions of the persons the caller may see.
type DecisionCounts struct {
	Persons      int `json:"persons"`
	Eligible     int `json:"eligible"`
	NotEligible  int `json:"not_eligible"`
	Undetermined int `json:"undetermined"`
}

func (c *DecisionCounts) add(decision string) {
	c.Persons++
	switch decision {
	case rollcall.Eligible:
		c.Eligible++
	case rollcall.NotEligible:
		c.NotEligible++
	default:
		c.Undetermined++
	}
}

// DecisionPage is a page of a decree's decisions.
type DecisionPage struct {
	Decree  string         `json:"decree"`
	HasRule bool           `json:"has_rule"`
	Date    string         `json:"date"`
	Items   []DecisionItem `json:"items"`
	Total   int            `json:"total"`
	Limit   int            `json:"limit"`
	Offset  int            `json:"offset"`
	// Counts are over every person the caller may see, before filters.
	Counts DecisionCounts `json:"counts"`
	// Facilities are the facility buckets present, for a filter.
	Facilities []string `json:"facilities"`
}

// decisions evaluates the decree now (amnesty.Evaluate) and pages the
// persons the actor may see through f.
func (s *Server) decisions(ctx context.Context, d *rollcall.AmnestyDecree, f PersonFilter) (*DecisionPage, error) {
	ev, err := amnesty.Evaluate(ctx, s.store, d.Key)
	if err != nil {
		return nil, err
	}
	return pageDecisions(ctx, ev.Decree.Key, ev.HasRule, ev.Date.String(), ev.Results, ev.Uses, f), nil
}

// pageDecisions counts, filters and pages results (the decisions under
// decree, whose rule reads the facts uses) for the actor in ctx, who does
// not see confidential persons unless their role allows.
func pageDecisions(ctx context.Context, decree string, hasRule bool, date string, results []amnesty.PersonResult, uses []string, f PersonFilter) *DecisionPage {
	actor := rollcall.ActorFrom(ctx)
	p := &DecisionPage{Decree: decree, HasRule: hasRule, Date: date, Items: []DecisionItem{}, Limit: f.Limit,
		Offset: f.Offset, Facilities: []string{}}
	for _, r := range results {
		if !rollcall.Visible(actor, r) {
			continue
		}
		p.Counts.add(r.Decision.Decision)
		if !slices.Contains(p.Facilities, r.Facility) {
			p.Facilities = append(p.Facilities, r.Facility)
		}
		if !f.keep(r) {
			continue
		}
		p.Total++
		if p.Total <= f.Offset || len(p.Items) >= f.Limit {
			continue
		}
		missing := r.Decision.Missing
		if missing == nil {
			missing = []string{}
		}
		p.Items = append(p.Items, DecisionItem{PersonID: r.PersonID, Name: r.Name, Fictional: r.Fictional, Decision: r.Decision.Decision,
			Reasons: r.Reasons(uses), Missing: missing, Error: r.Decision.Error, Held: r.Held, Facility: r.Facility, Outcome: r.Outcome})
	}
	slices.Sort(p.Facilities)
	return p
}

// handleAPIDecreePersons lists the persons under a decree with their
// decision, its reasons, the missing facts and the recorded outcome.
func (s *Server) handleAPIDecreePersons(w http.ResponseWriter, r *http.Request) {
	d, err := s.decreeRef(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	f, err := parsePersonFilter(r, defaultLimit)
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	p, err := s.decisions(r.Context(), d, f)
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// handleAPIRuleVersions lists every rule a decree has had, newest first.
func (s *Server) handleAPIRuleVersions(w http.ResponseWriter, r *http.Request) {
	d, err := s.decreeRef(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	vs, err := s.store.RuleVersions(r.Context(), d.ID)
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": vs})
}

// RuleProblem is one problem of a rule, at a line and column (1-based;
// 0 when the problem has no place).
type RuleProblem struct {
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

var problemAt = regexp.MustCompile(`^rule (\d+):(\d+): `)

// ruleProblems splits a compile error into its problems.
func ruleProblems(err error) []RuleProblem {
	var out []RuleProblem
	for _, part := range strings.Split(rollcall.ErrorMessage(err), "; rule ") {
		if !strings.HasPrefix(part, "rule ") && len(out) > 0 {
			part = "rule " + part
		}
		p := RuleProblem{Message: part}
		if m := problemAt.FindStringSubmatch(part); m != nil {
			p.Line, _ = strconv.Atoi(m[1])
			p.Column, _ = strconv.Atoi(m[2])
			p.Message = strings.TrimPrefix(part, m[0])
		}
		out = append(out, p)
	}
	return out
}

// RuleCheck is what checking a rule found: its problems, or, when it
// compiles, how the documented persons would be decided under it.
type RuleCheck struct {
	OK       bool            `json:"ok"`
	Empty    bool            `json:"empty,omitempty"`
	Problems []RuleProblem   `json:"problems"`
	Uses     []string        `json:"uses,omitempty"`
	Preview  *DecisionCounts `json:"preview,omitempty"`
	// Current counts the decisions under the decree's saved rule.
	Current *DecisionCounts `json:"current,omitempty"`
}

// checkRule compiles src against the vocabularies and, when it compiles,
// previews it over the persons the actor may see. An empty rule is valid
// (the decree then has no executable rule) and previews nothing.
func (s *Server) checkRule(ctx context.Context, d *rollcall.AmnestyDecree, src string) (*RuleCheck, error) {
	c := &RuleCheck{Problems: []RuleProblem{}}
	if strings.TrimSpace(src) == "" {
		c.OK, c.Empty = true, true
		return c, nil
	}
	rl, err := amnesty.CompileRule(ctx, s.store, src)
	if rollcall.ErrorCode(err) == rollcall.EINVALID {
		c.Problems = ruleProblems(err)
		return c, nil
	}
	if err != nil {
		return nil, err
	}
	c.OK, c.Uses = true, rl.Uses()
	count := func(rule string) (*DecisionCounts, error) {
		ev, err := amnesty.Preview(ctx, s.store, d.Key, rule)
		if err != nil {
			return nil, err
		}
		actor := rollcall.ActorFrom(ctx)
		n := &DecisionCounts{}
		for _, r := range ev.Results {
			if rollcall.Visible(actor, r) {
				n.add(r.Decision.Decision)
			}
		}
		return n, nil
	}
	if c.Preview, err = count(src); err != nil {
		return nil, err
	}
	if strings.TrimSpace(d.Rule) != "" {
		if c.Current, err = count(d.Rule); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// RuleInput is a rule to check or save.
type RuleInput struct {
	Rule string `json:"rule"`
	// Note says why (saved with the version).
	Note string `json:"note,omitempty"`
	// Version is the decree version the rule replaces (saving only).
	Version int `json:"version,omitempty"`
}

// handleAPIRuleCheck checks a rule as typed and previews its decisions.
func (s *Server) handleAPIRuleCheck(w http.ResponseWriter, r *http.Request) {
	d, err := s.decreeRef(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	var in RuleInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	c, err := s.checkRule(r.Context(), d, in.Rule)
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// handleAPIRuleSave saves a decree's rule as a new version.
func (s *Server) handleAPIRuleSave(w http.ResponseWriter, r *http.Request) {
	d, err := s.decreeRef(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	var in RuleInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	if in.Version == 0 {
		s.writeAPIError(w, r, &rollcall.Error{Code: rollcall.EINVALID, Field: "version", Message: "name the decree version the rule replaces"})
		return
	}
	out, err := amnesty.SaveRule(r.Context(), s.store, d.Key, in.Version, in.Rule, in.Note)
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// handleAPIOutcome records what happened to a person under a decree.
func (s *Server) handleAPIOutcome(w http.ResponseWriter, r *http.Request) {
	var in amnesty.OutcomeInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	o, err := s.addOutcome(r.Context(), in)
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, o)
}

// addOutcome records an outcome for a person the actor may see.
func (s *Server) addOutcome(ctx context.Context, in amnesty.OutcomeInput) (*rollcall.AmnestyOutcome, error) {
	if err := s.checkPersonVisible(ctx, in.PersonID); err != nil {
		return nil, err
	}
	return amnesty.AddOutcome(ctx, s.store, in)
}

// checkPersonVisible refuses a person the actor may not see as not found.
func (s *Server) checkPersonVisible(ctx context.Context, id int64) error {
	p, err := s.store.GetPerson(ctx, id)
	if rollcall.ErrorCode(err) == rollcall.ENOTFOUND {
		return &rollcall.Error{Code: rollcall.EINVALID, Field: "person_id", Message: fmt.Sprintf("no person %d", id)}
	}
	if err != nil {
		return err
	}
	if !visible(ctx, p) {
		return &rollcall.Error{Code: rollcall.EINVALID, Field: "person_id", Message: fmt.Sprintf("no person %d", id)}
	}
	return nil
}

// overdue lists the released persons without a follow-up for months,
// among those the actor may see.
func (s *Server) overdue(ctx context.Context, months int) ([]amnesty.OverdueRow, error) {
	rows, err := amnesty.Overdue(ctx, s.store, months, s.now())
	if err != nil {
		return nil, err
	}
	out := []amnesty.OverdueRow{}
	for _, o := range rows {
		if s.checkPersonVisible(ctx, o.PersonID) == nil {
			out = append(out, o)
		}
	}
	return out, nil
}

// handleAPIOverdue lists released persons whose follow-up is overdue.
func (s *Server) handleAPIOverdue(w http.ResponseWriter, r *http.Request) {
	months := 12
	for k, vs := range r.URL.Query() {
		if k != "months" {
			s.writeAPIError(w, r, &rollcall.Error{Code: rollcall.EINVALID, Field: k, Message: fmt.Sprintf("unknown parameter %q (parameters: months)", k)})
			return
		}
		n, err := strconv.Atoi(vs[len(vs)-1])
		if err != nil || n < 0 {
			s.writeAPIError(w, r, &rollcall.Error{Code: rollcall.EINVALID, Field: "months", Message: "months must be a whole number ≥ 0"})
			return
		}
		months = n
	}
	rows, err := s.overdue(r.Context(), months)
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"months": months, "items": rows})
}
