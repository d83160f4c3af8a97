package amnesty

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/amnesty/rule"
	"github.com/rollcall-project/rollcall/internal/refdata"
	"github.com/rollcall-project/rollcall/internal/store"
)

// Event types (vocabulary "event_type") that show someone in custody on
// their date, and those that end custody.
var (
	custodyEvents = []string{"arrest", "interrogation", "detention", "transfer", "sentence", "forced_labour", "torture", "re_arrest", "forced_return"}
	releaseEvents = []string{"release", "amnesty_release", "pardon", "escape", "death_in_custody", "execution"}
	// placementEvents place a person at a facility from their date on.
	placementEvents = []string{"arrest", "detention", "transfer", "sentence", "re_arrest", "forced_return"}
	// Fates (vocabulary "fate") that say custody ended at some unknown date.
	endedFates = []string{"released", "amnesty_released", "died", "executed", "escaped", "left_country"}
)

// listAll lists every row (a negative limit means no limit in the store).
func listAll[T any](ctx context.Context, list func(context.Context, rollcall.ListOptions) ([]T, int, error), filters map[string]string) ([]T, error) {
	items, _, err := list(ctx, rollcall.ListOptions{Limit: -1, Filters: filters})
	return items, err
}

// population is everything the facts of every person are read from,
// loaded once per evaluation (and never cached across calls, so a change
// to the data shows in the next decision).
type population struct {
	persons []rollcall.Person
	records map[int64][]rollcall.Record // by person, in record order
	// events are each person's own events: those whose victims name the
	// person, or one of the person's records, as a victim (a witnessed
	// release ends nobody's custody).
	events     map[int64][]rollcall.Event
	facilities map[int64]rollcall.Facility
	// facilityByName resolves a record's facility text (folded name,
	// Korean name, alias or key) when the record has no facility id.
	facilityByName map[string]rollcall.Facility
	// releases under decrees, by person: the dates of current outcomes
	// release_verified/release_reported, with the decree date.
	amnestyReleases map[int64][]rollcall.PartialDate
	decrees         []rollcall.AmnestyDecree
	// outcomes are the outcome rows of the persons loaded, oldest first.
	outcomes []rollcall.AmnestyOutcome
	// voc reads the decrees' rules: the built-in vocabularies and the
	// database's terms.
	voc *rollcall.Vocabulary
}

// loadPopulation is the one loader of the detainee population, for the
// tracker, the report, the command line (personID 0: everyone) and the
// person page (personID: that person alone, read the same way).
func loadPopulation(ctx context.Context, st *store.Store, personID int64) (*population, error) {
	p := &population{records: map[int64][]rollcall.Record{}, events: map[int64][]rollcall.Event{},
		facilities: map[int64]rollcall.Facility{}, facilityByName: map[string]rollcall.Facility{}, amnestyReleases: map[int64][]rollcall.PartialDate{}}
	if err := p.loadPersons(ctx, st, personID); err != nil {
		return nil, err
	}
	if err := p.loadFacilities(ctx, st); err != nil {
		return nil, err
	}
	var err error
	if p.decrees, err = listAll(ctx, st.ListAmnestyDecrees, nil); err != nil {
		return nil, fmt.Errorf("amnesty: list decrees: %w", err)
	}
	if p.outcomes, err = st.AmnestyOutcomes(ctx, 0, personID); err != nil {
		return nil, fmt.Errorf("amnesty: outcomes: %w", err)
	}
	p.addReleases()
	if p.voc, err = refdata.Vocabulary(ctx, st); err != nil {
		return nil, fmt.Errorf("amnesty: %w", err)
	}
	return p, nil
}

// loadPersons reads the persons with their records and own events.
func (p *population) loadPersons(ctx context.Context, st *store.Store, personID int64) error {
	var recs []rollcall.Record
	var evs map[int64][]store.PersonEvent
	if personID == 0 {
		var err error
		if p.persons, err = listAll(ctx, st.ListPersons, nil); err != nil {
			return fmt.Errorf("amnesty: list persons: %w", err)
		}
		if recs, err = listAll(ctx, st.ListRecords, nil); err != nil {
			return fmt.Errorf("amnesty: list records: %w", err)
		}
		if evs, err = st.EventsByPerson(ctx); err != nil {
			return fmt.Errorf("amnesty: %w", err)
		}
	} else {
		per, err := st.GetPerson(ctx, personID)
		if err != nil {
			return fmt.Errorf("amnesty: person %d: %w", personID, err)
		}
		p.persons = []rollcall.Person{*per}
		if recs, err = st.RecordsOfPerson(ctx, personID); err != nil {
			return fmt.Errorf("amnesty: records of person %d: %w", personID, err)
		}
		own, err := st.EventsOfPerson(ctx, personID)
		if err != nil {
			return fmt.Errorf("amnesty: %w", err)
		}
		evs = map[int64][]store.PersonEvent{personID: own}
	}
	for _, r := range recs {
		if r.PersonID != nil {
			p.records[*r.PersonID] = append(p.records[*r.PersonID], r)
		}
	}
	for pid, es := range evs {
		for _, e := range es {
			if e.Role == store.RoleVictim {
				p.events[pid] = append(p.events[pid], e.Event)
			}
		}
	}
	return nil
}

// loadFacilities indexes every facility by id and by folded name.
func (p *population) loadFacilities(ctx context.Context, st *store.Store) error {
	facs, err := listAll(ctx, st.ListFacilities, nil)
	if err != nil {
		return fmt.Errorf("amnesty: list facilities: %w", err)
	}
	for _, f := range facs {
		p.facilities[f.ID] = f
		for _, n := range append([]string{f.Key, f.NameEn, f.NameKo}, f.Aliases...) {
			if k := foldFacility(n); k != "" {
				p.facilityByName[k] = f
			}
		}
	}
	return nil
}

// addReleases records, per person, the dates of current release outcomes
// (verified or reported) under any decree, for prior_amnesties.
func (p *population) addReleases() {
	dateOf := map[int64]rollcall.PartialDate{}
	for _, d := range p.decrees {
		dateOf[d.ID] = rule.DecreeDate(d)
	}
	type pd struct{ person, decree int64 }
	current := map[pd]rollcall.AmnestyOutcome{}
	for _, o := range p.outcomes { // oldest first: the last row per pair wins
		current[pd{o.PersonID, o.DecreeID}] = o
	}
	for k, o := range current {
		if o.Status == rollcall.OutcomeReleaseVerified || o.Status == rollcall.OutcomeReleaseReported {
			date := o.Date
			if date.IsZero() {
				date = dateOf[k.decree]
			}
			p.amnestyReleases[k.person] = append(p.amnestyReleases[k.person], date)
		}
	}
}

// currentOutcomes keeps the latest row (highest id) per person.
func currentOutcomes(rows []rollcall.AmnestyOutcome) map[int64]rollcall.AmnestyOutcome {
	out := map[int64]rollcall.AmnestyOutcome{}
	for _, o := range rows {
		if cur, ok := out[o.PersonID]; !ok || o.ID > cur.ID {
			out[o.PersonID] = o
		}
	}
	return out
}

// detainee builds a person's documented facts as of date e (see the
// package doc for how records and events become facts).
func (p *population) detainee(per rollcall.Person, e rule.On) rule.Detainee {
	recs, evs := p.records[per.ID], p.events[per.ID]
	d := rule.Detainee{ID: strconv.FormatInt(per.ID, 10), PersonID: per.ID}
	d.Sex, d.BirthDate = personal(per, recs)
	ep := custody(per, recs, evs, e)
	d.DetainedFrom, d.ReleasedOn = ep.start, ep.released
	d.SentenceStart, d.SentenceYears = sentence(recs, evs, ep, e)
	d.Charges = charges(recs, evs, e)
	d.ChargesKnown = len(d.Charges) > 0
	d.Facility, d.FacilityType, d.Placements = p.placement(recs, evs, ep, e)
	d.PriorAmnesties = p.priorAmnesties(per.ID, evs, e)
	return d
}

// personal is the person's sex and birth date: the person's own values,
// else what the records give by the attribute rule when they agree; when
// they conflict the fact is unknown (a decision never rests on a guess).
func personal(per rollcall.Person, recs []rollcall.Record) (string, rollcall.PartialDate) {
	sex, err := rule.NormalizeSex(per.Sex)
	if err != nil {
		sex = "" // a spelling that is neither: unknown, as an empty one
	}
	birth := per.BirthDate
	if sex == "" {
		var vals []string
		for _, r := range recs {
			if s, err := rule.NormalizeSex(r.Sex); err == nil {
				vals = append(vals, s)
			}
		}
		if a := rollcall.ResolveAttribute(vals); !a.Conflicting() {
			sex = a.Value
		}
	}
	if birth.IsZero() {
		vals := make([]rollcall.PartialDate, len(recs))
		for i, r := range recs {
			vals[i] = r.BirthDate
		}
		if a := rollcall.ResolveAttribute(vals); !a.Conflicting() {
			birth = a.Value
		}
	}
	return sex, birth
}

// episode is the custody the facts are read in: from its first evidence
// (start) to the end that may follow the last evidence on or before E.
type episode struct {
	start, released rollcall.PartialDate
}

// in reports whether dt may fall in the episode, up to E.
func (ep episode) in(dt rollcall.PartialDate, e rule.On) bool {
	s := rule.SpanOf(dt)
	return !ep.start.IsZero() && s.Hi >= rule.SpanOf(ep.start).Lo && s.Lo <= e.Days.Hi
}

// custody finds the episode from dated evidence of being held and of
// custody ending.
func custody(per rollcall.Person, recs []rollcall.Record, evs []rollcall.Event, e rule.On) episode {
	var held, ended []rollcall.PartialDate
	var undatedEnd bool
	for _, r := range recs {
		for _, dt := range []rollcall.PartialDate{r.DetainedFrom, r.ArrestDate} {
			if !dt.IsZero() {
				held = append(held, dt)
			}
		}
		if !r.ReleasedOn.IsZero() {
			ended = append(ended, r.ReleasedOn)
		} else if slices.Contains(endedFates, r.Fate) {
			undatedEnd = true
		}
	}
	for _, ev := range evs {
		switch {
		case ev.Date.IsZero():
		case slices.Contains(custodyEvents, ev.Type):
			held = append(held, ev.Date)
		case slices.Contains(releaseEvents, ev.Type):
			ended = append(ended, ev.Date)
		}
	}
	if len(ended) == 0 && slices.Contains(endedFates, per.Status) {
		undatedEnd = true
	}
	sortDates(held)
	sortDates(ended)
	// The last custody evidence that may be on or before E, and the first
	// end of custody that may follow it.
	var last rollcall.PartialDate
	for _, h := range held {
		if rule.SpanOf(h).Lo <= e.Days.Hi {
			last = h
		}
	}
	if last.IsZero() && len(held) > 0 {
		last = held[0] // first held after E: detained is false
	}
	ep := episode{start: last}
	if last.IsZero() {
		return ep
	}
	ls := rule.SpanOf(last)
	var prevEnd *rule.Span
	for _, r := range ended {
		rs := rule.SpanOf(r)
		if rs.Hi < ls.Lo {
			prevEnd = &rs
		} else if ep.released.IsZero() {
			ep.released = r
		}
	}
	for _, h := range held {
		if prevEnd == nil || rule.SpanOf(h).Lo > prevEnd.Hi {
			ep.start = h
			break
		}
	}
	if ep.released.IsZero() && undatedEnd {
		// Custody ended at a date no source gave: some day after the last
		// evidence of it.
		if y, m, dd := last.Latest(); y != rollcall.MaxYear {
			after, err := rollcall.NewDate(y, m, dd)
			if err != nil {
				// Only a day past the years a date can hold fails: it is
				// after any decree date, so no bound is needed.
				return ep
			}
			ep.released = after.WithQualifier(rollcall.QualAfter)
		}
	}
	return ep
}

// sentence is the latest sentence event of the episode, else the records'
// terms (sources that disagree on the term give a range).
func sentence(recs []rollcall.Record, evs []rollcall.Event, ep episode, e rule.On) (rollcall.PartialDate, rule.Range) {
	var start rollcall.PartialDate
	var years []float64
	for _, ev := range evs {
		if ev.Type == "sentence" && ep.in(ev.Date, e) {
			start = ev.Date
			if ev.SentenceYears != nil {
				years = []float64{*ev.SentenceYears}
			}
		}
	}
	if years == nil {
		for _, r := range recs {
			if r.SentenceYears != nil && !slices.Contains(years, *r.SentenceYears) {
				years = append(years, *r.SentenceYears)
			}
		}
	}
	if len(years) == 0 {
		return start, rule.Range{}
	}
	return start, rule.Between(slices.Min(years), slices.Max(years))
}

// charges is every charge category documented up to E.
func charges(recs []rollcall.Record, evs []rollcall.Event, e rule.On) []string {
	var out []string
	for _, r := range recs {
		if r.ChargeCat != "" && !slices.Contains(out, r.ChargeCat) {
			out = append(out, r.ChargeCat)
		}
	}
	for _, ev := range evs {
		if ev.ChargeCat != "" && (ev.Date.IsZero() || rule.SpanOf(ev.Date).Lo <= e.Days.Hi) && !slices.Contains(out, ev.ChargeCat) {
			out = append(out, ev.ChargeCat)
		}
	}
	return out
}

// placement is a person at a facility from a date on.
type placement struct {
	date rollcall.PartialDate
	fac  string
	typ  string
}

// facilityOf resolves a facility id, else a facility text, to its key and
// type; unknown text stays as written, with no type.
func (p *population) facilityOf(id *int64, text string) (key, typ string) {
	if id != nil {
		if f, ok := p.facilities[*id]; ok {
			return f.Key, f.Type
		}
	}
	if f, ok := p.facilityByName[foldFacility(text)]; ok {
		return f.Key, f.Type
	}
	return text, ""
}

// placement gives the facility alternatives on E: the placements that may
// be the last one on or before E, with their types when all are known,
// paired when there are several.
func (p *population) placement(recs []rollcall.Record, evs []rollcall.Event, ep episode, e rule.On) (facility, types []string, pairs [][2]string) {
	var placed, undated []placement
	for _, ev := range evs {
		if ev.FacilityID == nil || !slices.Contains(placementEvents, ev.Type) {
			continue
		}
		k, t := p.facilityOf(ev.FacilityID, "")
		if ev.Date.IsZero() {
			undated = append(undated, placement{fac: k, typ: t})
		} else if ep.in(ev.Date, e) {
			placed = append(placed, placement{ev.Date, k, t})
		}
	}
	for _, r := range recs {
		k, t := p.facilityOf(r.FacilityID, r.FacilityText)
		if k == "" {
			continue
		}
		if r.DetainedFrom.IsZero() {
			undated = append(undated, placement{fac: k, typ: t})
		} else if ep.in(r.DetainedFrom, e) {
			placed = append(placed, placement{r.DetainedFrom, k, t})
		}
	}
	var cands []placement
	for _, pl := range placed {
		ps := rule.SpanOf(pl.date)
		superseded := slices.ContainsFunc(placed, func(q placement) bool {
			qs := rule.SpanOf(q.date)
			return qs.Lo > ps.Hi && qs.Hi <= e.Days.Lo
		})
		if !superseded {
			cands = append(cands, pl)
		}
	}
	if len(cands) == 0 {
		cands = undated
	}
	var typs []string
	typeKnown := true
	for _, c := range cands {
		if !slices.Contains(facility, c.fac) {
			facility = append(facility, c.fac)
		}
		if c.typ == "" {
			typeKnown = false
		} else if !slices.Contains(typs, c.typ) {
			typs = append(typs, c.typ)
		}
	}
	if !typeKnown || len(typs) == 0 {
		return facility, nil, nil
	}
	if len(cands) > 1 {
		for _, c := range cands {
			pairs = append(pairs, [2]string{c.fac, c.typ})
		}
	}
	return facility, typs, pairs
}

// priorAmnesties counts releases under earlier decrees or amnesty release
// events before E: a lower bound.
func (p *population) priorAmnesties(personID int64, evs []rollcall.Event, e rule.On) rule.Range {
	n := 0
	for _, dt := range p.amnestyReleases[personID] {
		if rule.SpanOf(dt).Hi < e.Days.Lo {
			n++
		}
	}
	m := 0
	for _, ev := range evs {
		if ev.Type == "amnesty_release" && !ev.Date.IsZero() && rule.SpanOf(ev.Date).Hi < e.Days.Lo {
			m++
		}
	}
	return rule.AtLeast(float64(max(n, m)))
}

// foldFacility is a facility name without case, spaces or punctuation,
// so "Kyo-hwa-so No. 12" and "kyohwaso no12" meet.
func foldFacility(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func sortDates(ds []rollcall.PartialDate) {
	slices.SortStableFunc(ds, func(a, b rollcall.PartialDate) int { return a.Compare(b) })
}
