package amnesty

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/store"
)

// Facility buckets for persons whose facility on the date is not one value.
const (
	FacilityUnknown   = "(unknown)"
	FacilityUncertain = "(uncertain)"
)

// PersonResult is one person's decision under a decree, with the facts it
// was made from and the current recorded outcome.
type PersonResult struct {
	PersonID  int64  `json:"person_id"`
	Name      string `json:"name"`
	Fictional bool   `json:"fictional"`
	Decision
	// Held is the detained fact: "true", "false" or "unknown".
	Held     string `json:"held"`
	Facility string `json:"facility"` // bucket: a facility, FacilityUnknown or FacilityUncertain
	Facts    Facts  `json:"facts"`
	// Outcome is the latest outcome row, if any.
	Outcome *rollcall.AmnestyOutcome `json:"outcome,omitempty"`
}

// Evaluation is a decree applied to every documented person.
type Evaluation struct {
	Decree rollcall.AmnestyDecree `json:"decree"`
	// Date is the date facts were read on (effective, else announced, else decreed).
	Date    rollcall.PartialDate `json:"date"`
	HasRule bool                 `json:"has_rule"`
	Results []PersonResult       `json:"results"`
}

// Evaluate applies the decree with key decreeKey to every person in the
// store, reading their facts now (nothing is cached). A decree without a
// rule yields undetermined for everyone, with no missing facts.
func Evaluate(ctx context.Context, st *store.Store, decreeKey string) (*Evaluation, error) {
	d, err := st.DecreeByKey(ctx, decreeKey)
	if err != nil {
		return nil, fmt.Errorf("amnesty: decree %q: %w", decreeKey, err)
	}
	pop, err := loadPopulation(ctx, st)
	if err != nil {
		return nil, err
	}
	return evaluateDecree(ctx, st, *d, pop)
}

func evaluateDecree(ctx context.Context, st *store.Store, d rollcall.AmnestyDecree, pop *population) (*Evaluation, error) {
	ev := &Evaluation{Decree: d, Date: DecreeDate(d), HasRule: strings.TrimSpace(d.Rule) != ""}
	on, err := newOnDate(ev.Date)
	if err != nil {
		return nil, rollcall.WrapError(rollcall.EINVALID, err, "decree %s: %s", d.Key, rollcall.ErrorMessage(err))
	}
	var rule *Rule
	if ev.HasRule {
		if rule, err = Compile(d.Rule); err != nil {
			return nil, &rollcall.Error{Code: rollcall.EINVALID, Field: "rule", Message: fmt.Sprintf("decree %s: %s", d.Key, rollcall.ErrorMessage(err))}
		}
	}
	outs, err := st.AmnestyOutcomes(ctx, d.ID, 0)
	if err != nil {
		return nil, fmt.Errorf("amnesty: outcomes of %s: %w", d.Key, err)
	}
	current := currentOutcomes(outs)
	ev.Results = make([]PersonResult, len(pop.persons))
	for i, per := range pop.persons {
		if i%1024 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		det := pop.detainee(per, on)
		f := det.factsAt(on)
		r := PersonResult{PersonID: per.ID, Name: per.Name, Fictional: per.Fictional, Facts: f, Held: "unknown"}
		if rule != nil {
			r.Decision = rule.Decide(f)
		} else {
			r.Decision = Decision{Decision: rollcall.Undetermined, Missing: []string{}}
		}
		if f.Detained != nil {
			r.Held = fmt.Sprint(*f.Detained)
		}
		switch len(f.Facility) {
		case 0:
			r.Facility = FacilityUnknown
		case 1:
			r.Facility = f.Facility[0]
		default:
			r.Facility = FacilityUncertain
		}
		if o, ok := current[per.ID]; ok {
			r.Outcome = &o
		}
		ev.Results[i] = r
	}
	slices.SortFunc(ev.Results, func(a, b PersonResult) int { return int(a.PersonID - b.PersonID) })
	return ev, nil
}
