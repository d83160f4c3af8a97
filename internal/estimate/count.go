package estimate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/estimate/mse"
	"github.com/rollcall-project/rollcall/internal/store"
)

// Count says which persons an estimate counts. The zero value counts every
// documented person.
//
// With Fate, a person is counted when a record reports one of those fates,
// and a list captures the person only through such a record: a list that
// names the person without reporting the fate has not documented the
// death (or execution, disappearance).
//
// With Event, a person is counted when they are the victim (role victim,
// or none given) of an event of one of those types, dated From–To when a
// period is given; a list captures them through a record of theirs that
// is such an event's victim entry, or whose source the event cites as a
// source (the list documented the event, and names the person). An event
// counts in the period only when its date certainly lies in it: "1990s"
// is not in 1995–2005, an undated event in no period; how many were left
// out so is reported as a warning.
//
// The JSON names are those of the API's options.
type Count struct {
	// Fate holds codes of vocabulary "fate" (died, executed, …).
	Fate []string `json:"fate,omitempty"`
	// Event holds codes of vocabulary "event_type" (execution, …).
	Event []string `json:"event,omitempty"`
	// From and To bound the events' years, inclusive (0: open).
	From int `json:"from,omitempty"`
	To   int `json:"to,omitempty"`
}

// IsZero reports a count of every documented person.
func (c Count) IsZero() bool {
	return len(c.Fate) == 0 && len(c.Event) == 0 && c.From == 0 && c.To == 0
}

// ParseCodes reads a comma-separated list of vocabulary values.
func ParseCodes(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// Normalize checks c against the vocabularies and writes every value as
// its code (a value may be given as code or English or Korean label). It
// refuses an unknown value naming the allowed ones, a period without
// event types, a period that ends before it starts, and Fate together
// with Event.
func (c *Count) Normalize(v *rollcall.Vocabulary) error {
	if len(c.Fate) > 0 && len(c.Event) > 0 {
		return &rollcall.Error{Code: rollcall.EINVALID, Field: "fate",
			Message: "count by fate or by event, not both: a fate is what a record reports, an event what happened when"}
	}
	if (c.From != 0 || c.To != 0) && len(c.Event) == 0 {
		return &rollcall.Error{Code: rollcall.EINVALID, Field: "from",
			Message: "a period (from, to) bounds the dates of events: give the event types too"}
	}
	if c.From != 0 && c.To != 0 && c.To < c.From {
		return &rollcall.Error{Code: rollcall.EINVALID, Field: "to", Message: fmt.Sprintf("the period ends (%d) before it starts (%d)", c.To, c.From)}
	}
	for _, y := range []struct {
		name string
		v    int
	}{{"from", c.From}, {"to", c.To}} {
		if y.v < 0 || y.v > 9999 {
			return &rollcall.Error{Code: rollcall.EINVALID, Field: y.name, Message: fmt.Sprintf("%s must be a year, not %d", y.name, y.v)}
		}
	}
	var err error
	if c.Fate, err = codes(v, rollcall.VocabFate, "fate", c.Fate); err != nil {
		return err
	}
	c.Event, err = codes(v, rollcall.VocabEventType, "event", c.Event)
	return err
}

// codes resolves each value to its code in scheme, once each, in the order given.
func codes(v *rollcall.Vocabulary, scheme, field string, vals []string) ([]string, error) {
	var out []string
	for _, s := range vals {
		code, ok := v.Code(scheme, s)
		if !ok {
			return nil, &rollcall.Error{Code: rollcall.EINVALID, Field: field,
				Message: fmt.Sprintf("unknown %s %q: choose %s", field, s, strings.Join(v.Codes(scheme), ", "))}
		}
		if !slices.Contains(out, code) {
			out = append(out, code)
		}
	}
	return out, nil
}

// String says in words who is counted: what a stored estimate shows.
func (c Count) String() string {
	switch {
	case len(c.Fate) > 0:
		return "persons with a record reporting the fate " + orList(c.Fate) + "; a list counts a person only through such a record"
	case len(c.Event) > 0:
		s := "victims of an event of type " + orList(c.Event)
		switch {
		case c.From != 0 && c.To != 0:
			s += fmt.Sprintf(" dated within %d–%d", c.From, c.To)
		case c.From != 0:
			s += fmt.Sprintf(" dated %d or later", c.From)
		case c.To != 0:
			s += fmt.Sprintf(" dated %d or earlier", c.To)
		}
		return s + "; a list counts a person only through a record that is the event's victim entry or whose source the event cites"
	}
	return "every documented person"
}

func orList(vals []string) string {
	if len(vals) == 1 {
		return vals[0]
	}
	return strings.Join(vals[:len(vals)-1], ", ") + " or " + vals[len(vals)-1]
}

// counter picks the records that capture a person for a Count.
type counter struct {
	// capture is the Histories filter (nil: every record captures).
	capture func(members []int) []int
	// may reports the records that capture in some clustering: their
	// sources are the lists.
	may func(i int) bool
	// warnings say what the count left out.
	warnings []mse.Warning
}

// newCounter prepares c over the records recs (all events read from evs).
func newCounter(c Count, recs []store.CaptureRecord, evs []rollcall.Event) counter {
	switch {
	case len(c.Fate) > 0:
		ok := func(i int) bool { return slices.Contains(c.Fate, recs[i].Fate) }
		return counter{capture: filter(ok), may: ok}
	case len(c.Event) > 0:
		return eventCounter(c, recs, evs)
	}
	return counter{may: func(int) bool { return true }}
}

func filter(ok func(i int) bool) func([]int) []int {
	return func(members []int) []int {
		var out []int
		for _, i := range members {
			if ok(i) {
				out = append(out, i)
			}
		}
		return out
	}
}

// eventCounter captures through the qualifying events (see Count).
func eventCounter(c Count, recs []store.CaptureRecord, evs []rollcall.Event) counter {
	recIndex := make(map[int64]int, len(recs))
	byPerson := map[int64][]int{}
	for i, r := range recs {
		recIndex[r.ID] = i
		if r.PersonID != 0 {
			byPerson[r.PersonID] = append(byPerson[r.PersonID], i)
		}
	}
	direct := make([]bool, len(recs))
	victimOf := map[int][]int{}  // record → qualifying events naming it or its stored person
	citedBy := map[int64][]int{} // source → qualifying events citing it
	var undated, uncertain int
	for e, ev := range evs {
		if !slices.Contains(c.Event, ev.Type) {
			continue
		}
		if c.From != 0 || c.To != 0 {
			if ev.Date.IsZero() {
				undated++
				continue
			}
			lo, _, _ := ev.Date.Earliest()
			hi, _, _ := ev.Date.Latest()
			if (c.From != 0 && hi < c.From) || (c.To != 0 && lo > c.To) {
				continue // certainly outside
			}
			if (c.From != 0 && lo < c.From) || (c.To != 0 && hi > c.To) {
				uncertain++
				continue
			}
		}
		for _, v := range ev.Victims {
			if v.Role != "" && v.Role != store.RoleVictim {
				continue
			}
			if v.RecordID != nil {
				if i, ok := recIndex[*v.RecordID]; ok {
					direct[i] = true
					victimOf[i] = append(victimOf[i], e)
				}
			}
			if v.PersonID != nil {
				for _, i := range byPerson[*v.PersonID] {
					victimOf[i] = append(victimOf[i], e)
				}
			}
		}
		for _, s := range ev.SourceIDs {
			citedBy[s] = append(citedBy[s], e)
		}
	}
	var out counter
	if undated+uncertain > 0 {
		out.warnings = append(out.warnings, mse.Warning{Code: WarnPeriodUncertain, Text: fmt.Sprintf(
			"%d events of type %s have no date and %d a date that may or may not lie in the period (such as \"1990s\"): they are not counted, so the estimate may be low",
			undated, orList(c.Event), uncertain)})
	}
	out.may = func(i int) bool { return direct[i] || len(citedBy[recs[i].SourceID]) > 0 }
	out.capture = func(members []int) []int {
		events := map[int]bool{}
		for _, i := range members {
			for _, e := range victimOf[i] {
				events[e] = true
			}
		}
		if len(events) == 0 {
			return nil
		}
		var take []int
		for _, i := range members {
			if direct[i] {
				take = append(take, i)
				continue
			}
			for _, e := range citedBy[recs[i].SourceID] {
				if events[e] {
					take = append(take, i)
					break
				}
			}
		}
		return take
	}
	return out
}

// WarnPeriodUncertain: events of the types asked for were left out because
// their date may lie outside the period.
const WarnPeriodUncertain = "period_uncertain"
