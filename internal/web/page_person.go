package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/amnesty"
	"github.com/rollcall-project/rollcall/internal/textnorm"
)

// PersonView is the data of a person's page.
type PersonView struct {
	Person   *rollcall.Person
	Records  []RecordWithSource
	Compare  []CompareRow
	Timeline []TimelineItem
	Outcomes []rollcall.AmnestyOutcome
	Decrees  map[int64]string
}

// RecordWithSource is a record beside the source that gave it.
type RecordWithSource struct {
	rollcall.Record
	Source *rollcall.Source
}

// CompareRow is one attribute across records; Differs marks a conflict.
type CompareRow struct {
	Label   string // message key
	Values  []string
	Differs bool
}

// TimelineItem is a dated thing on a person's timeline.
type TimelineItem struct {
	Date      rollcall.PartialDate
	Kind      string // message key, for record dates
	EventType string // vocabulary code, for events
	Label     string
	Href      string
}

// recordField is one attribute compared side by side (person page and
// review queue): its label, its display value, and its date when it is
// one (dates of different precision that overlap do not conflict).
type recordField struct {
	key  string
	get  func(*rollcall.Record) string
	date func(*rollcall.Record) rollcall.PartialDate
}

// recordFields lists the compared attributes, rendering values for lang
// (dates at their precision, vocabulary codes as labels).
func (s *Server) recordFields(lang string) []recordField {
	num := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'f', -1, 64)
	}
	date := func(get func(*rollcall.Record) rollcall.PartialDate) recordField {
		return recordField{get: func(r *rollcall.Record) string { return datePart(get(r), lang) }, date: get}
	}
	with := func(key string, f recordField) recordField { f.key = key; return f }
	return []recordField{
		{key: "field.name", get: func(r *rollcall.Record) string { return r.Name }},
		{key: "field.name_alt", get: func(r *rollcall.Record) string { return r.NameAlt }},
		{key: "field.sex", get: func(r *rollcall.Record) string {
			if r.Sex == "" {
				return ""
			}
			return s.cat.T(lang, "opt.sex."+r.Sex)
		}},
		with("field.birth_date", date(func(r *rollcall.Record) rollcall.PartialDate { return r.BirthDate })),
		{key: "field.birth_place", get: func(r *rollcall.Record) string { return r.BirthPlace }},
		{key: "field.province", get: func(r *rollcall.Record) string { return r.Province }},
		{key: "field.charge", get: func(r *rollcall.Record) string { return r.Charge }},
		{key: "field.facility", get: func(r *rollcall.Record) string { return r.FacilityText }},
		with("field.arrest_date", date(func(r *rollcall.Record) rollcall.PartialDate { return r.ArrestDate })),
		{key: "field.sentence_years", get: func(r *rollcall.Record) string { return num(r.SentenceYears) }},
		with("field.detained_from", date(func(r *rollcall.Record) rollcall.PartialDate { return r.DetainedFrom })),
		with("field.released_on", date(func(r *rollcall.Record) rollcall.PartialDate { return r.ReleasedOn })),
		{key: "field.fate", get: func(r *rollcall.Record) string {
			if r.Fate == "" {
				return ""
			}
			return s.termLabel(lang, rollcall.VocabFate, r.Fate)
		}},
	}
}

func datePart(d rollcall.PartialDate, lang string) string {
	if d.IsZero() {
		return ""
	}
	return d.Human(lang)
}

// compare builds the side-by-side rows of recs. A field differs when two
// records give different non-empty values; the same value in two scripts
// or romanizations ("South Hwanghae" and "황해남도", 박순옥 and "Pak
// Sun-ok") is no difference (textnorm.SameAcrossScripts); dates differ only
// when they cannot be the same day ("April 2003" and "8 April 2003" agree).
func (s *Server) compare(recs []*rollcall.Record, lang string) []CompareRow {
	var rows []CompareRow
	for _, f := range s.recordFields(lang) {
		row := CompareRow{Label: f.key}
		for i, r := range recs {
			v := f.get(r)
			row.Values = append(row.Values, v)
			if v == "" {
				continue
			}
			for _, o := range recs[:i] {
				w := f.get(o)
				if w == "" || textnorm.SameAcrossScripts(w, v) {
					continue
				}
				if f.date == nil || !f.date(r).Overlaps(f.date(o)) {
					row.Differs = true
				}
			}
		}
		rows = append(rows, row)
	}
	return rows
}

func (s *Server) sourcesByID(ctx context.Context, ids []int64) (map[int64]*rollcall.Source, error) {
	out := map[int64]*rollcall.Source{}
	for _, id := range ids {
		if _, ok := out[id]; ok {
			continue
		}
		src, err := s.store.GetSource(ctx, id)
		if err != nil {
			return nil, err
		}
		out[id] = src
	}
	return out, nil
}

func (s *Server) handlePerson(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p, recs, err := s.store.PersonWithRecords(ctx, id)
	if err == nil {
		err = checkVisible(ctx, p)
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	recs = visibleOnly(ctx, recs)
	var srcIDs []int64
	var ptrs []*rollcall.Record
	for i := range recs {
		srcIDs = append(srcIDs, recs[i].SourceID)
		ptrs = append(ptrs, &recs[i])
	}
	srcs, err := s.sourcesByID(ctx, srcIDs)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	lang := state(r).lang
	v := PersonView{Person: p, Compare: s.compare(ptrs, lang), Decrees: map[int64]string{}}
	for _, rec := range recs {
		v.Records = append(v.Records, RecordWithSource{Record: rec, Source: srcs[rec.SourceID]})
		src := srcs[rec.SourceID]
		href := fmt.Sprintf("/records/%d", rec.ID)
		add := func(d rollcall.PartialDate, kind string) {
			if !d.IsZero() {
				v.Timeline = append(v.Timeline, TimelineItem{Date: d, Kind: kind, Label: src.Title, Href: href})
			}
		}
		add(rec.ArrestDate, "field.arrest_date")
		add(rec.DetainedFrom, "field.detained_from")
		add(rec.ReleasedOn, "field.released_on")
	}
	// Events name the person, or one of the person's records, in any role.
	pevs, err := s.store.EventsOfPerson(ctx, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	evs := make([]rollcall.Event, len(pevs))
	for i, e := range pevs {
		evs[i] = e.Event
	}
	for _, e := range visibleOnly(ctx, evs) {
		v.Timeline = append(v.Timeline, TimelineItem{Date: e.Date, EventType: e.Type, Label: e.Description, Href: fmt.Sprintf("/events/%d/edit", e.ID)})
	}
	slices.SortStableFunc(v.Timeline, func(a, b TimelineItem) int { return a.Date.Compare(b.Date) })
	if v.Outcomes, err = s.store.AmnestyOutcomes(ctx, 0, id); err != nil {
		s.renderError(w, r, err)
		return
	}
	for _, o := range v.Outcomes {
		if _, ok := v.Decrees[o.DecreeID]; !ok {
			if d, err := s.store.GetAmnestyDecree(ctx, o.DecreeID); err == nil {
				v.Decrees[o.DecreeID] = d.Title
			}
		}
	}
	s.render(w, r, http.StatusOK, "person", "person.title", v)
}

// PersonAmnestyView is the person's standing under every decree.
type PersonAmnestyView struct {
	Decrees []amnesty.PersonDecree
}

// handlePersonAmnesty renders the amnesty section of a person's page, as a
// fragment the page loads after itself (evaluating every decree's rule
// costs more than the rest of the page).
func (s *Server) handlePersonAmnesty(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p, err := s.store.GetPerson(ctx, id)
	if err == nil {
		err = checkVisible(ctx, p)
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	ds, err := amnesty.ForPerson(ctx, s.store, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := PersonAmnestyView{Decrees: ds}
	if r.Header.Get("HX-Request") == "true" {
		s.renderBlock(w, r, "person", "amnesty", v)
		return
	}
	s.render(w, r, http.StatusOK, "person_amnesty", "person.amnesty.detail", v)
}
