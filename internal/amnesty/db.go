package amnesty

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/rollcall-project/rollcall"
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
	persons    []rollcall.Person
	records    map[int64][]rollcall.Record // by person
	events     map[int64][]rollcall.Event  // by person
	facilities map[int64]rollcall.Facility
	// facilityByName resolves a record's facility text (folded name,
	// Korean name, alias or key) when the record has no facility id.
	facilityByName map[string]rollcall.Facility
	// releases under decrees, by person: the dates of current outcomes
	// release_verified/release_reported, with the decree date.
	amnestyReleases map[int64][]rollcall.PartialDate
}

func loadPopulation(ctx context.Context, st *store.Store) (*population, error) {
	p := &population{records: map[int64][]rollcall.Record{}, events: map[int64][]rollcall.Event{},
		facilities: map[int64]rollcall.Facility{}, facilityByName: map[string]rollcall.Facility{}, amnestyReleases: map[int64][]rollcall.PartialDate{}}
	var err error
	if p.persons, err = listAll(ctx, st.ListPersons, nil); err != nil {
		return nil, fmt.Errorf("amnesty: list persons: %w", err)
	}
	recs, err := listAll(ctx, st.ListRecords, nil)
	if err != nil {
		return nil, fmt.Errorf("amnesty: list records: %w", err)
	}
	personOfRecord := map[int64]int64{}
	for _, r := range recs {
		if r.PersonID != nil {
			p.records[*r.PersonID] = append(p.records[*r.PersonID], r)
			personOfRecord[r.ID] = *r.PersonID
		}
	}
	evs, err := listAll(ctx, st.ListEvents, nil)
	if err != nil {
		return nil, fmt.Errorf("amnesty: list events: %w", err)
	}
	for _, e := range evs {
		seen := map[int64]bool{}
		for _, v := range e.Victims {
			if v.Role != "" && v.Role != "victim" {
				continue
			}
			var pid int64
			switch {
			case v.PersonID != nil:
				pid = *v.PersonID
			case v.RecordID != nil:
				pid = personOfRecord[*v.RecordID]
			}
			if pid != 0 && !seen[pid] {
				seen[pid] = true
				p.events[pid] = append(p.events[pid], e)
			}
		}
	}
	if err := p.loadFacilities(ctx, st); err != nil {
		return nil, err
	}
	decrees, err := listAll(ctx, st.ListAmnestyDecrees, nil)
	if err != nil {
		return nil, fmt.Errorf("amnesty: list decrees: %w", err)
	}
	outs, err := st.AmnestyOutcomes(ctx, 0, 0)
	if err != nil {
		return nil, fmt.Errorf("amnesty: outcomes: %w", err)
	}
	p.addReleases(decrees, outs)
	return p, nil
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
func (p *population) addReleases(decrees []rollcall.AmnestyDecree, outs []rollcall.AmnestyOutcome) {
	dateOf := map[int64]rollcall.PartialDate{}
	for _, d := range decrees {
		dateOf[d.ID] = DecreeDate(d)
	}
	type pd struct{ person, decree int64 }
	current := map[pd]rollcall.AmnestyOutcome{}
	for _, o := range outs { // oldest first: the last row per pair wins
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
func (p *population) detainee(per rollcall.Person, e onDate) Detainee {
	recs, evs := p.records[per.ID], p.events[per.ID]
	d := Detainee{ID: strconv.FormatInt(per.ID, 10), PersonID: per.ID}
	// Sex and birth date: the person's resolved values, else what the
	// records agree on.
	d.Sex, _ = NormalizeSex(per.Sex)
	d.BirthDate = per.BirthDate
	if d.Sex == "" || d.BirthDate.IsZero() {
		var sexes []string
		var births []rollcall.PartialDate
		for _, r := range recs {
			if s, err := NormalizeSex(r.Sex); err == nil && s != "" && !slices.Contains(sexes, s) {
				sexes = append(sexes, s)
			}
			if !r.BirthDate.IsZero() && !slices.ContainsFunc(births, func(b rollcall.PartialDate) bool { return b.String() == r.BirthDate.String() }) {
				births = append(births, r.BirthDate)
			}
		}
		if d.Sex == "" && len(sexes) == 1 {
			d.Sex = sexes[0]
		}
		if d.BirthDate.IsZero() && len(births) == 1 {
			d.BirthDate = births[0]
		}
	}

	// Custody: dated evidence of being held, and of custody ending.
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
		if spanOf(h).lo <= e.days.hi {
			last = h
		}
	}
	if last.IsZero() && len(held) > 0 {
		last = held[0] // first held after E: detained is false
	}
	episodeStart := last
	if !last.IsZero() {
		ls := spanOf(last)
		var prevEnd *span
		for _, r := range ended {
			rs := spanOf(r)
			if rs.hi < ls.lo {
				prevEnd = &rs
			} else if d.ReleasedOn.IsZero() {
				d.ReleasedOn = r
			}
		}
		for _, h := range held {
			if prevEnd == nil || spanOf(h).lo > prevEnd.hi {
				episodeStart = h
				break
			}
		}
		if d.ReleasedOn.IsZero() && undatedEnd {
			// Custody ended at a date no source gave: some day after the
			// last evidence of it.
			if y, m, dd := last.Latest(); y != rollcall.MaxYear {
				d.ReleasedOn, _ = rollcall.ParseDate(fmt.Sprintf(">%04d-%02d-%02d", y, m, dd))
			}
		}
	}
	d.DetainedFrom = episodeStart
	es := spanOf(episodeStart)
	inEpisode := func(dt rollcall.PartialDate) bool {
		s := spanOf(dt)
		return !episodeStart.IsZero() && s.hi >= es.lo && s.lo <= e.days.hi
	}

	// Sentence: the latest sentence event of the episode, else the records.
	var sentences []float64
	for _, ev := range evs {
		if ev.Type == "sentence" && inEpisode(ev.Date) {
			d.SentenceStart = ev.Date
			if ev.SentenceYears != nil {
				sentences = []float64{*ev.SentenceYears}
			}
		}
	}
	if sentences == nil {
		for _, r := range recs {
			if r.SentenceYears != nil && !slices.Contains(sentences, *r.SentenceYears) {
				sentences = append(sentences, *r.SentenceYears)
			}
		}
	}
	if len(sentences) > 0 {
		// Sources that disagree on the term give a range.
		d.SentenceYears = Between(slices.Min(sentences), slices.Max(sentences))
	}

	// Charges: every charge category documented up to E.
	for _, r := range recs {
		if r.ChargeCat != "" && !slices.Contains(d.Charges, r.ChargeCat) {
			d.Charges = append(d.Charges, r.ChargeCat)
		}
	}
	for _, ev := range evs {
		if ev.ChargeCat != "" && (ev.Date.IsZero() || spanOf(ev.Date).lo <= e.days.hi) && !slices.Contains(d.Charges, ev.ChargeCat) {
			d.Charges = append(d.Charges, ev.ChargeCat)
		}
	}
	d.ChargesKnown = len(d.Charges) > 0

	// Facility: the placement(s) that may be the last one on or before E.
	type placement struct {
		date rollcall.PartialDate
		fac  string
		typ  string
	}
	var placed, undated []placement
	fac := func(id *int64, text string) (string, string) {
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
	for _, ev := range evs {
		if ev.FacilityID == nil || !slices.Contains(placementEvents, ev.Type) {
			continue
		}
		k, t := fac(ev.FacilityID, "")
		if ev.Date.IsZero() {
			undated = append(undated, placement{fac: k, typ: t})
		} else if inEpisode(ev.Date) {
			placed = append(placed, placement{ev.Date, k, t})
		}
	}
	for _, r := range recs {
		k, t := fac(r.FacilityID, r.FacilityText)
		if k == "" {
			continue
		}
		dt := r.DetainedFrom
		if dt.IsZero() {
			undated = append(undated, placement{fac: k, typ: t})
		} else if inEpisode(dt) {
			placed = append(placed, placement{dt, k, t})
		}
	}
	var cands []placement
	for _, pl := range placed {
		ps := spanOf(pl.date)
		superseded := false
		for _, q := range placed {
			qs := spanOf(q.date)
			if qs.lo > ps.hi && qs.hi <= e.days.lo {
				superseded = true
				break
			}
		}
		if !superseded {
			cands = append(cands, pl)
		}
	}
	if len(cands) == 0 {
		cands = undated
	}
	var types []string
	typeKnown := true
	for _, c := range cands {
		if !slices.Contains(d.Facility, c.fac) {
			d.Facility = append(d.Facility, c.fac)
		}
		if c.typ == "" {
			typeKnown = false
		} else if !slices.Contains(types, c.typ) {
			types = append(types, c.typ)
		}
	}
	if typeKnown && len(types) > 0 {
		d.FacilityType = types
		if len(cands) > 1 {
			for _, c := range cands {
				d.Placements = append(d.Placements, [2]string{c.fac, c.typ})
			}
		}
	}

	// Prior amnesties: releases under earlier decrees or amnesty release
	// events before E; a lower bound.
	n := 0
	for _, dt := range p.amnestyReleases[per.ID] {
		if spanOf(dt).hi < e.days.lo {
			n++
		}
	}
	m := 0
	for _, ev := range evs {
		if ev.Type == "amnesty_release" && !ev.Date.IsZero() && spanOf(ev.Date).hi < e.days.lo {
			m++
		}
	}
	d.PriorAmnesties = AtLeast(float64(max(n, m)))
	return d
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
