package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/rollcall-project/rollcall"
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
	Date  rollcall.PartialDate
	Kind      string // message key, for record dates
	EventType string // vocabulary code, for events
	Label     string
	Href  string
}

// recordFields are the attributes compared side by side (person page and
// review queue), with their labels; lang renders dates.
func recordFields(lang string) []struct {
	key string
	get func(*rollcall.Record) string
} {
	num := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'f', -1, 64)
	}
	return []struct {
		key string
		get func(*rollcall.Record) string
	}{
		{"field.name", func(r *rollcall.Record) string { return r.Name }},
		{"field.name_alt", func(r *rollcall.Record) string { return r.NameAlt }},
		{"field.sex", func(r *rollcall.Record) string { return r.Sex }},
		{"field.birth_date", func(r *rollcall.Record) string { return datePart(r.BirthDate, lang) }},
		{"field.birth_place", func(r *rollcall.Record) string { return r.BirthPlace }},
		{"field.province", func(r *rollcall.Record) string { return r.Province }},
		{"field.charge", func(r *rollcall.Record) string { return r.Charge }},
		{"field.facility", func(r *rollcall.Record) string { return r.FacilityText }},
		{"field.arrest_date", func(r *rollcall.Record) string { return datePart(r.ArrestDate, lang) }},
		{"field.sentence_years", func(r *rollcall.Record) string { return num(r.SentenceYears) }},
		{"field.detained_from", func(r *rollcall.Record) string { return datePart(r.DetainedFrom, lang) }},
		{"field.released_on", func(r *rollcall.Record) string { return datePart(r.ReleasedOn, lang) }},
		{"field.fate", func(r *rollcall.Record) string { return r.Fate }},
	}
}

func datePart(d rollcall.PartialDate, lang string) string {
	if d.IsZero() {
		return ""
	}
	return d.Human(lang)
}

// compare builds the side-by-side rows of recs; a field differs when two
// records give different non-empty values.
func compare(recs []*rollcall.Record, lang string) []CompareRow {
	var rows []CompareRow
	for _, f := range recordFields(lang) {
		row := CompareRow{Label: f.key}
		seen := ""
		for _, r := range recs {
			v := f.get(r)
			row.Values = append(row.Values, v)
			if v != "" {
				if seen != "" && seen != v {
					row.Differs = true
				}
				seen = v
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
	p, err := s.store.GetPerson(ctx, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	recs, err := s.store.RecordsOfPerson(ctx, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
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
	v := PersonView{Person: p, Compare: compare(ptrs, lang), Decrees: map[int64]string{}}
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
	evs, _, err := s.store.ListEvents(ctx, rollcall.ListOptions{Filters: map[string]string{"person_id": strconv.FormatInt(id, 10)}, Limit: 200})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	for _, e := range evs {
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
