package web

import (
	"net/http"
	"strconv"

	"github.com/rollcall-project/rollcall"
)

func fl[T any](name, kind string, b binding[T]) field[T] {
	return field[T]{name: name, kind: kind, binding: b}
}

func req[T any](f field[T]) field[T] { f.req = true; return f }

func vocab[T any](name, scheme string, b binding[T]) field[T] {
	return field[T]{name: name, kind: "select", scheme: scheme, binding: b}
}

func choice[T any](name string, opts []string, b binding[T]) field[T] {
	return field[T]{name: name, kind: "select", options: opts, binding: b}
}

var sensitivities = []string{string(rollcall.Public), string(rollcall.Internal), string(rollcall.Confidential)}

// initForms builds the create/edit forms of sources, records, facilities
// and events.
func (s *Server) initForms() {
	st := s.store
	s.sourceForm = &form[rollcall.Source]{
		s: s, name: "form.source",
		fields: []field[rollcall.Source]{
			req(fl("key", "text", text(func(v *rollcall.Source) *string { return &v.Key }))),
			req(vocab("kind", rollcall.VocabSourceKind, text(func(v *rollcall.Source) *string { return &v.Kind }))),
			req(fl("title", "text", text(func(v *rollcall.Source) *string { return &v.Title }))),
			fl("author", "text", text(func(v *rollcall.Source) *string { return &v.Author })),
			fl("organisation", "text", text(func(v *rollcall.Source) *string { return &v.Organisation })),
			fl("date", "date", date(func(v *rollcall.Source) *rollcall.PartialDate { return &v.Date })),
			fl("language", "text", text(func(v *rollcall.Source) *string { return &v.Language })),
			fl("citation", "text", text(func(v *rollcall.Source) *string { return &v.Citation })),
			fl("url", "url", text(func(v *rollcall.Source) *string { return &v.URL })),
			choice("reliability", []string{"A", "B", "C", "D", "E", "F"}, text(func(v *rollcall.Source) *string { return &v.Reliability })),
			choice("credibility", []string{"1", "2", "3", "4", "5", "6"}, intv(func(v *rollcall.Source) *int { return &v.Credibility })),
			choice("sensitivity", sensitivities, sens(func(v *rollcall.Source) *rollcall.Sensitivity { return &v.Sensitivity })),
			fl("notes", "textarea", text(func(v *rollcall.Source) *string { return &v.Notes })),
			fl("fictional", "checkbox", boolv(func(v *rollcall.Source) *bool { return &v.Fictional })),
		},
		load: st.GetSource, create_: st.CreateSource, update_: st.UpdateSource,
		meta:    func(v *rollcall.Source) *rollcall.Meta { return &v.Meta },
		viewURL: func(v *rollcall.Source) string { return idURL("/sources", v.ID, "") },
		editURL: func(v *rollcall.Source) string { return idURL("/sources", v.ID, "") },
		newURL:  func(*http.Request) string { return "/sources" },
		blank: func(*http.Request) (*rollcall.Source, error) {
			return &rollcall.Source{Sensitivity: rollcall.Internal}, nil
		},
	}
	s.recordForm = &form[rollcall.Record]{
		s: s, name: "form.record",
		fields: []field[rollcall.Record]{
			req(fl("key", "text", text(func(v *rollcall.Record) *string { return &v.Key }))),
			req(fl("name", "text", text(func(v *rollcall.Record) *string { return &v.Name }))),
			fl("name_alt", "text", text(func(v *rollcall.Record) *string { return &v.NameAlt })),
			choice("sex", []string{"f", "m"}, text(func(v *rollcall.Record) *string { return &v.Sex })),
			fl("birth_date", "date", date(func(v *rollcall.Record) *rollcall.PartialDate { return &v.BirthDate })),
			fl("birth_place", "text", text(func(v *rollcall.Record) *string { return &v.BirthPlace })),
			fl("province", "text", text(func(v *rollcall.Record) *string { return &v.Province })),
			fl("charge", "text", text(func(v *rollcall.Record) *string { return &v.Charge })),
			vocab("charge_category", rollcall.VocabChargeCat, text(func(v *rollcall.Record) *string { return &v.ChargeCat })),
			fl("facility_text", "text", text(func(v *rollcall.Record) *string { return &v.FacilityText })),
			fl("facility_id", "number", int64p(func(v *rollcall.Record) **int64 { return &v.FacilityID })),
			fl("arrest_date", "date", date(func(v *rollcall.Record) *rollcall.PartialDate { return &v.ArrestDate })),
			fl("sentence_years", "number", floatp(func(v *rollcall.Record) **float64 { return &v.SentenceYears })),
			fl("detained_from", "date", date(func(v *rollcall.Record) *rollcall.PartialDate { return &v.DetainedFrom })),
			fl("released_on", "date", date(func(v *rollcall.Record) *rollcall.PartialDate { return &v.ReleasedOn })),
			vocab("fate", rollcall.VocabFate, text(func(v *rollcall.Record) *string { return &v.Fate })),
			choice("sensitivity", sensitivities, sens(func(v *rollcall.Record) *rollcall.Sensitivity { return &v.Sensitivity })),
			fl("fictional", "checkbox", boolv(func(v *rollcall.Record) *bool { return &v.Fictional })),
		},
		load: st.GetRecord, create_: st.CreateRecord, update_: st.UpdateRecord,
		meta:    func(v *rollcall.Record) *rollcall.Meta { return &v.Meta },
		viewURL: func(v *rollcall.Record) string { return idURL("/records", v.ID, "") },
		editURL: func(v *rollcall.Record) string { return idURL("/records", v.ID, "") },
		newURL:  func(r *http.Request) string { return "/sources/" + r.PathValue("id") + "/records" },
		blank: func(r *http.Request) (*rollcall.Record, error) {
			id, err := pathID(r)
			if err != nil {
				return nil, err
			}
			src, err := st.GetSource(r.Context(), id)
			if err != nil {
				return nil, err
			}
			return &rollcall.Record{SourceID: id, Sensitivity: src.Sensitivity, Fictional: src.Fictional}, nil
		},
	}
	s.facilityForm = &form[rollcall.Facility]{
		s: s, name: "form.facility",
		fields: []field[rollcall.Facility]{
			req(fl("key", "text", text(func(v *rollcall.Facility) *string { return &v.Key }))),
			fl("number", "text", text(func(v *rollcall.Facility) *string { return &v.Number })),
			req(fl("name_en", "text", text(func(v *rollcall.Facility) *string { return &v.NameEn }))),
			fl("name_ko", "text", text(func(v *rollcall.Facility) *string { return &v.NameKo })),
			fl("aliases", "text", list(func(v *rollcall.Facility) *[]string { return &v.Aliases })),
			req(vocab("type", rollcall.VocabFacilityType, text(func(v *rollcall.Facility) *string { return &v.Type }))),
			fl("agency", "text", text(func(v *rollcall.Facility) *string { return &v.Agency })),
			fl("province", "text", text(func(v *rollcall.Facility) *string { return &v.Province })),
			fl("county", "text", text(func(v *rollcall.Facility) *string { return &v.County })),
			fl("lat", "number", floatp(func(v *rollcall.Facility) **float64 { return &v.Lat })),
			fl("lon", "number", floatp(func(v *rollcall.Facility) **float64 { return &v.Lon })),
			choice("location_precision", []string{"exact", "approximate", "county", "province"}, text(func(v *rollcall.Facility) *string { return &v.LocationPrecision })),
			fl("opened", "date", date(func(v *rollcall.Facility) *rollcall.PartialDate { return &v.Opened })),
			fl("closed", "date", date(func(v *rollcall.Facility) *rollcall.PartialDate { return &v.Closed })),
			fl("status", "text", text(func(v *rollcall.Facility) *string { return &v.Status })),
			fl("population_estimate", "number", int64p(func(v *rollcall.Facility) **int64 { return &v.PopulationEst })),
			fl("population_year", "text", text(func(v *rollcall.Facility) *string { return &v.PopulationYear })),
			fl("source", "textarea", text(func(v *rollcall.Facility) *string { return &v.Source })),
		},
		load: st.GetFacility, create_: st.CreateFacility, update_: st.UpdateFacility,
		meta:    func(v *rollcall.Facility) *rollcall.Meta { return &v.Meta },
		viewURL: func(v *rollcall.Facility) string { return idURL("/facilities", v.ID, "") },
		editURL: func(v *rollcall.Facility) string { return idURL("/facilities", v.ID, "") },
		newURL:  func(*http.Request) string { return "/facilities" },
		blank:   func(*http.Request) (*rollcall.Facility, error) { return &rollcall.Facility{}, nil },
	}
	s.eventForm = &form[rollcall.Event]{
		s: s, name: "form.event",
		fields: []field[rollcall.Event]{
			fl("key", "text", text(func(v *rollcall.Event) *string { return &v.Key })),
			req(vocab("type", rollcall.VocabEventType, text(func(v *rollcall.Event) *string { return &v.Type }))),
			fl("date", "date", date(func(v *rollcall.Event) *rollcall.PartialDate { return &v.Date })),
			fl("end_date", "date", date(func(v *rollcall.Event) *rollcall.PartialDate { return &v.EndDate })),
			fl("facility_id", "number", int64p(func(v *rollcall.Event) **int64 { return &v.FacilityID })),
			fl("place", "text", text(func(v *rollcall.Event) *string { return &v.Place })),
			vocab("charge_category", rollcall.VocabChargeCat, text(func(v *rollcall.Event) *string { return &v.ChargeCat })),
			fl("sentence_years", "number", floatp(func(v *rollcall.Event) **float64 { return &v.SentenceYears })),
			fl("perpetrator", "text", text(func(v *rollcall.Event) *string { return &v.Perpetrator })),
			fl("description", "textarea", text(func(v *rollcall.Event) *string { return &v.Description })),
			fl("victims", "text", victims()),
			fl("source_ids", "text", ids(func(v *rollcall.Event) *[]int64 { return &v.SourceIDs })),
			choice("sensitivity", sensitivities, sens(func(v *rollcall.Event) *rollcall.Sensitivity { return &v.Sensitivity })),
			fl("fictional", "checkbox", boolv(func(v *rollcall.Event) *bool { return &v.Fictional })),
		},
		load: st.GetEvent, create_: st.CreateEvent, update_: st.UpdateEvent,
		meta:    func(v *rollcall.Event) *rollcall.Meta { return &v.Meta },
		viewURL: func(v *rollcall.Event) string { return idURL("/events", v.ID, "/edit") },
		editURL: func(v *rollcall.Event) string { return idURL("/events", v.ID, "") },
		newURL:  func(*http.Request) string { return "/events" },
		blank: func(r *http.Request) (*rollcall.Event, error) {
			e := &rollcall.Event{Sensitivity: rollcall.Internal}
			if f, err := strconv.ParseInt(r.URL.Query().Get("facility_id"), 10, 64); err == nil {
				e.FacilityID = &f
			}
			return e, nil
		},
	}
}

// victims binds an event's victims as "p12 victim, r34 witness": p for a
// person id, r for a record id, then the role.
func victims() binding[rollcall.Event] {
	return binding[rollcall.Event]{
		get: func(v *rollcall.Event) string {
			var out string
			for i, vi := range v.Victims {
				if i > 0 {
					out += ", "
				}
				switch {
				case vi.PersonID != nil:
					out += "p" + strconv.FormatInt(*vi.PersonID, 10)
				case vi.RecordID != nil:
					out += "r" + strconv.FormatInt(*vi.RecordID, 10)
				}
				out += " " + vi.Role
			}
			return out
		},
		set: func(v *rollcall.Event, s string) error {
			var out []rollcall.Victim
			for _, part := range splitComma(s) {
				var ref, role string
				if i := indexSpace(part); i >= 0 {
					ref, role = part[:i], trim(part[i+1:])
				} else {
					ref, role = part, "victim"
				}
				if len(ref) < 2 || (ref[0] != 'p' && ref[0] != 'r') {
					return rollcall.Errorf(rollcall.EINVALID, "%q: write p<person id> or r<record id>, then the role", part)
				}
				n, err := strconv.ParseInt(ref[1:], 10, 64)
				if err != nil || n <= 0 {
					return rollcall.Errorf(rollcall.EINVALID, "%q: not an id", ref)
				}
				vi := rollcall.Victim{Role: role}
				if ref[0] == 'p' {
					vi.PersonID = &n
				} else {
					vi.RecordID = &n
				}
				out = append(out, vi)
			}
			v.Victims = out
			return nil
		},
	}
}
