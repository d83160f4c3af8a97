package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/rollcall-project/rollcall"
)

func fl[T any](name, kind string, b binding[T]) field[T] {
	return field[T]{name: name, kind: kind, binding: b}
}

// picker is a field that names a facility, source or person by search.
func picker[T any](name, kind string, multi bool, b binding[T]) field[T] {
	return field[T]{name: name, kind: "pick", pick: kind, multi: multi, binding: b}
}

// secret marks a confidential field (sealed, editor and admin only).
func secret[T any](f field[T]) field[T] { f.secret = true; return f }

func req[T any](f field[T]) field[T] { f.req = true; return f }

func vocab[T any](name, scheme string, b binding[T]) field[T] {
	return field[T]{name: name, kind: "select", scheme: scheme, binding: b}
}

func choice[T any](name string, opts []string, b binding[T]) field[T] {
	return field[T]{name: name, kind: "select", options: opts, binding: b}
}

// sensitivities are the form's choices: rollcall.Sensitivities, as text.
var sensitivities = func() []string {
	var out []string
	for _, s := range rollcall.Sensitivities() {
		out = append(out, string(s))
	}
	return out
}()

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
			secret(fl("informant_name", "text", informant(func(in *rollcall.Informant) *string { return &in.Name }))),
			secret(fl("informant_contact", "text", informant(func(in *rollcall.Informant) *string { return &in.Contact }))),
			secret(field[rollcall.Source]{name: "informant_consent", kind: "checks", options: consentUses, binding: informantConsent()}),
			secret(fl("informant_testimony", "textarea", informant(func(in *rollcall.Informant) *string { return &in.Testimony }))),
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
			picker("facility_id", "facility", false, pickOne(s, "facility", func(v *rollcall.Record) **int64 { return &v.FacilityID })),
			fl("arrest_date", "date", date(func(v *rollcall.Record) *rollcall.PartialDate { return &v.ArrestDate })),
			fl("sentence_years", "number", floatp(func(v *rollcall.Record) **float64 { return &v.SentenceYears })),
			fl("detained_from", "date", date(func(v *rollcall.Record) *rollcall.PartialDate { return &v.DetainedFrom })),
			fl("released_on", "date", date(func(v *rollcall.Record) *rollcall.PartialDate { return &v.ReleasedOn })),
			vocab("fate", rollcall.VocabFate, text(func(v *rollcall.Record) *string { return &v.Fate })),
			secret(fl("testimony", "textarea", testimony())),
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
			picker("facility_id", "facility", false, pickOne(s, "facility", func(v *rollcall.Event) **int64 { return &v.FacilityID })),
			fl("place", "text", text(func(v *rollcall.Event) *string { return &v.Place })),
			vocab("charge_category", rollcall.VocabChargeCat, text(func(v *rollcall.Event) *string { return &v.ChargeCat })),
			fl("sentence_years", "number", floatp(func(v *rollcall.Event) **float64 { return &v.SentenceYears })),
			fl("perpetrator", "text", text(func(v *rollcall.Event) *string { return &v.Perpetrator })),
			fl("description", "textarea", text(func(v *rollcall.Event) *string { return &v.Description })),
			picker("victims", "person", true, s.victims()),
			picker("source_ids", "source", true, pickMany(s, "source", func(v *rollcall.Event) *[]int64 { return &v.SourceIDs })),
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

// victims binds an event's victims: entries separated by commas, each a
// person picked by name ("박순옥 (#12)", or a name that matches one person)
// or a record ("r34"; "p12" names person 12 as before), then optionally
// its role ("witness", "목격자"); the role is "victim" when not given.
func (s *Server) victims() binding[rollcall.Event] {
	return binding[rollcall.Event]{
		get: func(ctx context.Context, v *rollcall.Event) string {
			lang := langOfCtx(ctx)
			var out []string
			for _, vi := range v.Victims {
				var ref string
				switch {
				case vi.PersonID != nil:
					ref = s.pickLabel(ctx, "person", *vi.PersonID)
				case vi.RecordID != nil:
					ref = "r" + strconv.FormatInt(*vi.RecordID, 10)
				}
				if vi.Role != "" && vi.Role != "victim" {
					ref += " " + s.termLabel(lang, rollcall.VocabVictimRole, vi.Role)
				}
				out = append(out, ref)
			}
			return strings.Join(out, ", ")
		},
		set: func(ctx context.Context, v *rollcall.Event, text string) error {
			var out []rollcall.Victim
			for _, part := range splitEntries(text) {
				who, role := s.splitRole(part)
				vi := rollcall.Victim{Role: role}
				if len(who) > 1 && (who[0] == 'p' || who[0] == 'r') && isDigits(who[1:]) {
					n, err := strconv.ParseInt(who[1:], 10, 64)
					if err != nil || n <= 0 {
						return rollcall.Errorf(rollcall.EINVALID, "%q: not an id", who)
					}
					if who[0] == 'p' {
						vi.PersonID = &n
					} else {
						vi.RecordID = &n
					}
				} else {
					id, err := s.pickResolve(ctx, "person", who)
					if err != nil {
						return err
					}
					vi.PersonID = &id
				}
				out = append(out, vi)
			}
			v.Victims = out
			return nil
		},
	}
}

// splitRole takes a victim role off the end of a victims entry: its code
// or its English or Korean label ("co-detainee", "동료 수감자").
func (s *Server) splitRole(entry string) (who, role string) {
	entry = strings.TrimSpace(entry)
	for _, t := range s.terms(rollcall.VocabVictimRole) {
		for _, name := range []string{t.Code, t.LabelEn, t.LabelKo} {
			if name == "" || len(name) >= len(entry) {
				continue
			}
			if strings.EqualFold(entry[len(entry)-len(name):], name) && entry[len(entry)-len(name)-1] == ' ' {
				return strings.TrimSpace(entry[:len(entry)-len(name)]), t.Code
			}
		}
	}
	return entry, "victim"
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// consentUses are the uses an informant may consent to.
var consentUses = []string{"research", "publication", "un", "legal"}

// informant binds one text field of a source's informant (sealed by the
// store). A source whose stored informant the reader may not open shows
// nothing and keeps it: the store leaves a redacted informant as it is.
func informant(p func(*rollcall.Informant) *string) binding[rollcall.Source] {
	return binding[rollcall.Source]{
		get: func(_ context.Context, v *rollcall.Source) string {
			if v.Informant == nil {
				return ""
			}
			return *p(v.Informant)
		},
		set: func(_ context.Context, v *rollcall.Source, s string) error {
			if v.Informant == nil {
				if s == "" {
					return nil
				}
				v.Informant = &rollcall.Informant{}
			}
			*p(v.Informant) = s
			if emptyInformant(v.Informant) {
				v.Informant = nil
			}
			return nil
		},
	}
}

func emptyInformant(in *rollcall.Informant) bool {
	return in.Name == "" && in.Contact == "" && in.Testimony == "" && len(in.Consent) == 0
}

// informantConsent binds the informant's consent (checkboxes).
func informantConsent() binding[rollcall.Source] {
	return binding[rollcall.Source]{
		get: func(_ context.Context, v *rollcall.Source) string {
			if v.Informant == nil {
				return ""
			}
			return strings.Join(v.Informant.Consent, ",")
		},
		set: func(_ context.Context, v *rollcall.Source, s string) error {
			var uses []string
			for _, u := range strings.Split(s, ",") {
				if u = strings.TrimSpace(u); u == "" {
					continue
				}
				if !slices.Contains(consentUses, u) {
					return rollcall.Errorf(rollcall.EINVALID, "consent %q: choose among %s", u, strings.Join(consentUses, ", "))
				}
				uses = append(uses, u)
			}
			if v.Informant == nil {
				if len(uses) == 0 {
					return nil
				}
				v.Informant = &rollcall.Informant{}
			}
			v.Informant.Consent = uses
			if emptyInformant(v.Informant) {
				v.Informant = nil
			}
			return nil
		},
	}
}

// testimony binds a record's testimony excerpt (sealed by the store).
func testimony() binding[rollcall.Record] {
	return text(func(v *rollcall.Record) *string { return &v.Testimony })
}
