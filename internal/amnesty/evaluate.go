package amnesty

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/amnesty/rule"
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
	PersonID    int64                `json:"person_id"`
	Name        string               `json:"name"`
	Fictional   bool                 `json:"fictional"`
	Sensitivity rollcall.Sensitivity `json:"sensitivity"`
	rule.Decision
	// Held is the detained fact: "true", "false" or "unknown".
	Held     string     `json:"held"`
	Facility string     `json:"facility"` // bucket: a facility, FacilityUnknown or FacilityUncertain
	Facts    rule.Facts `json:"facts"`
	// Detainee is what the facts were read from (for callers that need
	// the dates behind them, such as the demo's outcomes).
	Detainee rule.Detainee `json:"-"`
	// Outcome is the latest outcome row, if any.
	Outcome *rollcall.AmnestyOutcome `json:"outcome,omitempty"`
}

// DeclaredSensitivity is the person's (rollcall.Sensitive): a result is
// shown to whoever may see the person.
func (r PersonResult) DeclaredSensitivity() rollcall.Sensitivity { return r.Sensitivity }

// Evaluation is a decree applied to every documented person.
type Evaluation struct {
	Decree rollcall.AmnestyDecree `json:"decree"`
	// Date is the date facts were read on (effective, else announced, else decreed).
	Date    rollcall.PartialDate `json:"date"`
	HasRule bool                 `json:"has_rule"`
	// Uses are the facts the rule reads, in reporting order.
	Uses    []string       `json:"uses"`
	Results []PersonResult `json:"results"`
}

// Reasons are the facts a decision rests on: each fact the rule reads
// (uses, Evaluation.Uses) with what is known of it for this person, as
// "fact: value" ("detained: true", "charges: [crimes_against_state]",
// "age: 64–65", "sex: unknown").
func (r PersonResult) Reasons(uses []string) []string {
	d := r.Facts.Describe()
	out := make([]string, 0, len(uses))
	for _, f := range uses {
		out = append(out, f+": "+d[f])
	}
	return out
}

// Evaluate applies the decree with key decreeKey to every person in the
// store, reading their facts now (nothing is cached). A decree without a
// rule yields undetermined for everyone, with no missing facts.
func Evaluate(ctx context.Context, st *store.Store, decreeKey string) (*Evaluation, error) {
	d, err := st.DecreeByKey(ctx, decreeKey)
	if err != nil {
		return nil, fmt.Errorf("amnesty: decree %q: %w", decreeKey, err)
	}
	pop, err := loadPopulation(ctx, st, 0)
	if err != nil {
		return nil, err
	}
	return evaluateDecree(ctx, st, *d, pop)
}

func evaluateDecree(ctx context.Context, st *store.Store, d rollcall.AmnestyDecree, pop *population) (*Evaluation, error) {
	outs, err := st.AmnestyOutcomes(ctx, d.ID, 0)
	if err != nil {
		return nil, fmt.Errorf("amnesty: outcomes of %s: %w", d.Key, err)
	}
	ev, err := evaluateWith(d, pop, currentOutcomes(outs))
	if err != nil {
		return nil, err
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return ev, nil
}

// evaluateWith decides every person of pop under d; current holds the
// current outcome under d by person.
func evaluateWith(d rollcall.AmnestyDecree, pop *population, current map[int64]rollcall.AmnestyOutcome) (*Evaluation, error) {
	ev := &Evaluation{Decree: d, Date: rule.DecreeDate(d), HasRule: strings.TrimSpace(d.Rule) != ""}
	on, err := rule.NewOn(ev.Date)
	if err != nil {
		return nil, rollcall.Errorf(rollcall.EINVALID, "decree %s: %s", d.Key, rollcall.ErrorMessage(err))
	}
	var rl *rule.Rule
	ev.Uses = []string{}
	if ev.HasRule {
		if rl, err = compile(d, pop.voc); err != nil {
			return nil, err
		}
		ev.Uses = rl.Uses()
	}
	ev.Results = make([]PersonResult, len(pop.persons))
	for i, per := range pop.persons {
		det := pop.detainee(per, on)
		f := det.FactsOn(on)
		r := PersonResult{PersonID: per.ID, Name: per.Name, Fictional: per.Fictional, Sensitivity: per.Sensitivity, Facts: f,
			Held: "unknown", Detainee: det}
		if rl != nil {
			r.Decision = rl.Decide(f)
		} else {
			r.Decision = rule.Decision{Decision: rollcall.Undetermined, Missing: []string{}}
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
	slices.SortFunc(ev.Results, func(a, b PersonResult) int { return cmp.Compare(a.PersonID, b.PersonID) })
	return ev, nil
}

// PersonDecree is one decree's decision for one person, with the outcome
// history under it (oldest first).
type PersonDecree struct {
	DecreeKey   string                    `json:"decree"`
	DecreeTitle string                    `json:"decree_title"`
	Date        rollcall.PartialDate      `json:"date"`
	HasRule     bool                      `json:"has_rule"`
	Result      *PersonResult             `json:"result,omitempty"` // nil when the decree cannot be evaluated
	Problem     string                    `json:"problem,omitempty"`
	History     []rollcall.AmnestyOutcome `json:"history"`
}

// ForPerson decides one person under every decree, reading only that
// person's records and events (the same loader as Evaluate, for one
// person): for a person page.
func ForPerson(ctx context.Context, st *store.Store, personID int64) ([]PersonDecree, error) {
	pop, err := loadPopulation(ctx, st, personID)
	if err != nil {
		return nil, err
	}
	decrees := slices.Clone(pop.decrees)
	slices.SortFunc(decrees, func(a, b rollcall.AmnestyDecree) int {
		return cmp.Or(rule.DecreeDate(a).Compare(rule.DecreeDate(b)), cmp.Compare(a.Key, b.Key))
	})
	out := make([]PersonDecree, 0, len(decrees))
	for _, d := range decrees {
		pd := PersonDecree{DecreeKey: d.Key, DecreeTitle: d.Title, Date: rule.DecreeDate(d), HasRule: strings.TrimSpace(d.Rule) != "",
			History: []rollcall.AmnestyOutcome{}}
		for _, o := range pop.outcomes {
			if o.DecreeID == d.ID {
				pd.History = append(pd.History, o)
			}
		}
		ev, err := evaluateWith(d, pop, currentOutcomes(pd.History))
		switch {
		case err == nil:
			pd.Result = &ev.Results[0]
		case rollcall.ErrorCode(err) == rollcall.EINVALID:
			pd.Problem = rollcall.ErrorMessage(err)
		default:
			return nil, err
		}
		out = append(out, pd)
	}
	return out, nil
}

// compile compiles a decree's rule against the vocabularies; an error
// names the decree.
func compile(d rollcall.AmnestyDecree, voc *rollcall.Vocabulary) (*rule.Rule, error) {
	rl, err := rule.Compile(d.Rule, voc)
	if rollcall.ErrorCode(err) == rollcall.EINVALID {
		return nil, &rollcall.Error{Code: rollcall.EINVALID, Field: "rule", Message: fmt.Sprintf("decree %s: %s", d.Key, rollcall.ErrorMessage(err))}
	}
	if err != nil {
		return nil, fmt.Errorf("amnesty: decree %s: %w", d.Key, err)
	}
	return rl, nil
}
