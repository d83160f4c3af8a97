package web

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rollcall-project/rollcall/internal/store"
)

// EstimateResult is one stored estimation run explained: what was counted,
// from which lists, by which method and model, its diagnostics, when and on
// how many documented persons. Rows holds the overall row first, then one
// row per stratum.
type EstimateResult struct {
	Rows      []store.EstimateRow
	Method    string
	Model     string
	Criterion string
	By        string   // stratum variables, comma-separated ("" for none)
	Lists     []string // the lists (sources or source kinds) used
	Grouping  string   // how sources became lists: source, kind, groups
	Counted   []Param  // what was counted beyond the documented detainees (fate, period, …)
	RHat, ESS *float64 // LCMCR convergence diagnostics
	Warnings  []string
	Observed  int // documented persons the run started from
	CreatedAt time.Time
	CreatedBy string
	Fictional bool
}

// Param is one named parameter of a run, as the page shows it.
type Param struct {
	Key, Value string
}

// EstimateGroup is the newest run of one question (same method, strata,
// lists and population) with the older runs of it, dated, under it.
type EstimateGroup struct {
	Newest EstimateResult
	Older  []EstimateResult
}

// countedKeys are the run parameters that narrow who was counted (the
// estimation options that select a fate, a period or an event), shown when
// a stored run has them.
var countedKeys = []string{"fate", "event", "event_type", "period", "from", "to", "since", "until", "decade", "facility", "facility_type", "province"}

// estimateGroups turns stored rows (oldest first) into runs, groups runs
// that answer the same question, and orders groups newest first.
func estimateGroups(rows []store.EstimateRow) []EstimateGroup {
	var runs []EstimateResult
	for _, r := range rows {
		if n := len(runs); n > 0 && sameRun(runs[n-1].Rows[0], r) {
			runs[n-1].Rows = append(runs[n-1].Rows, r)
			runs[n-1].Fictional = runs[n-1].Fictional || r.Fictional
			continue
		}
		runs = append(runs, explainRun(r))
	}
	index := map[string]int{}
	var groups []EstimateGroup
	for i := len(runs) - 1; i >= 0; i-- { // newest first
		k := runs[i].question()
		if j, ok := index[k]; ok {
			groups[j].Older = append(groups[j].Older, runs[i])
			continue
		}
		index[k] = len(groups)
		groups = append(groups, EstimateGroup{Newest: runs[i]})
	}
	slices.SortStableFunc(groups, func(a, b EstimateGroup) int { return b.Newest.CreatedAt.Compare(a.Newest.CreatedAt) })
	return groups
}

// sameRun reports whether row b was stored by the same run as a: one run
// stores its overall row and its strata with the same parameters and input.
func sameRun(a, b store.EstimateRow) bool {
	// The overall row of a stratified run says "stratified", its strata the
	// method: the parameters (which name the method) tell the run.
	return a.ParamsJSON == b.ParamsJSON && a.InputHash == b.InputHash &&
		a.CreatedBy == b.CreatedBy && !strings.HasPrefix(b.Stratum, "all")
}

// question identifies what a run estimated, whatever the data then held.
func (e EstimateResult) question() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s|%s|%s|%s", e.Method, e.By, e.Grouping, strings.Join(e.Lists, ","))
	for _, p := range e.Counted {
		fmt.Fprintf(&b, "|%s=%s", p.Key, p.Value)
	}
	return b.String()
}

// explainRun reads what the page says about a run from its first row and
// its stored parameters (internal/estimate writes them; unknown or missing
// keys are left out, never guessed).
func explainRun(r store.EstimateRow) EstimateResult {
	e := EstimateResult{Rows: []store.EstimateRow{r}, Method: r.Method, Model: r.Model, Observed: r.Observed,
		CreatedAt: r.CreatedAt, CreatedBy: r.CreatedBy, Fictional: r.Fictional}
	var p map[string]any
	if json.Unmarshal([]byte(r.ParamsJSON), &p) != nil {
		return e
	}
	str := func(k string) string {
		if v, ok := p[k].(string); ok {
			return v
		}
		return ""
	}
	num := func(k string) *float64 {
		if v, ok := p[k].(float64); ok {
			return &v
		}
		return nil
	}
	e.By, e.Grouping, e.Criterion = str("by"), str("grouping"), str("criterion")
	if m := str("method"); m != "" {
		e.Method = m // a stratified run's rows say "stratified"; the run names its method
	}
	if ls, ok := p["lists"].([]any); ok {
		for _, l := range ls {
			if s, ok := l.(string); ok {
				e.Lists = append(e.Lists, s)
			}
		}
	}
	e.RHat, e.ESS = num("rhat"), num("ess")
	if ws, ok := p["warnings"].([]any); ok {
		for _, w := range ws {
			switch w := w.(type) {
			case string:
				e.Warnings = append(e.Warnings, w)
			case map[string]any: // {code, message}
				if m, ok := w["message"].(string); ok {
					e.Warnings = append(e.Warnings, m)
				}
			}
		}
	}
	for _, k := range countedKeys {
		switch v := p[k].(type) {
		case string:
			if v != "" {
				e.Counted = append(e.Counted, Param{k, v})
			}
		case float64:
			e.Counted = append(e.Counted, Param{k, fmt.Sprint(v)})
		case []any:
			var s []string
			for _, x := range v {
				s = append(s, fmt.Sprint(x))
			}
			if len(s) > 0 {
				e.Counted = append(e.Counted, Param{k, strings.Join(s, ", ")})
			}
		}
	}
	return e
}
