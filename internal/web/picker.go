package web

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/textnorm"
)

// A picker is a form field that names a facility, a source or a person by
// what people know them by (hangul or romanized), never by a raw id. The
// field is text: "Name (#12)" names object 12; any other text is looked up
// (the same search as the search page) and must match exactly one object,
// else the field says what matched and nothing is saved. With JavaScript,
// typing asks GET /pick/{kind} (htmx) for candidates and a click fills the
// field; without it, the server's lookup at submit is the picker.

// pickKinds are what a picker picks.
var pickKinds = map[string]bool{"facility": true, "source": true, "person": true}

// pickItem is one candidate of a picker.
type pickItem struct {
	ID     int64
	Label  string // "Name (#12)": what the field holds once picked
	Name   string
	Detail string
}

const pickLimit = 8

// fieldName is what a picker's field parameter may be.
var fieldName = regexp.MustCompile(`^[a-z_]{1,40}$`)

// idMarker is the "(#12)" or "#12" that ends a picked value.
var idMarker = regexp.MustCompile(`\(?#(\d+)\)?\s*$`)

func langOfCtx(ctx context.Context) string {
	if st, ok := ctx.Value(stateKey{}).(*reqState); ok && st.lang != "" {
		return st.lang
	}
	return "en"
}

// pickSearch finds candidates for q among the objects of kind the actor may see.
func (s *Server) pickSearch(ctx context.Context, kind, q string, limit int) ([]pickItem, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, nil
	}
	if len(q) > 200 {
		return nil, &rollcall.Error{Code: rollcall.EINVALID, Field: "q", Message: "the search text is too long"}
	}
	lang := langOfCtx(ctx)
	o := rollcall.ListOptions{Query: q, Limit: limit}
	var out []pickItem
	switch kind {
	case "facility":
		fs, _, err := s.store.ListFacilities(ctx, o)
		if err != nil {
			return nil, err
		}
		// The name a source uses ("Camp 15", "요덕 관리소", "Kyo-hwa-so No.
		// 12") names one facility by textnorm's rule: it comes first.
		if f := s.namedFacility(ctx, q); f != nil {
			out = append(out, s.facilityItem(*f, lang))
		}
		for _, f := range fs {
			if len(out) == 0 || f.ID != out[0].ID {
				out = append(out, s.facilityItem(f, lang))
			}
		}
	case "source":
		ss, _, err := visibleList(s.store.ListSources)(ctx, o)
		if err != nil {
			return nil, err
		}
		for _, src := range ss {
			out = append(out, s.sourceItem(src, lang))
		}
	case "person":
		ps, err := s.store.SearchPersons(ctx, q, limit)
		if err != nil {
			return nil, err
		}
		for _, p := range visibleOnly(ctx, ps) {
			out = append(out, s.personItem(p, lang))
		}
	default:
		return nil, rollcall.Errorf(rollcall.ENOTFOUND, "no such picker")
	}
	return out, nil
}

func item(id int64, name, detail string) pickItem {
	return pickItem{ID: id, Name: name, Detail: detail, Label: fmt.Sprintf("%s (#%d)", name, id)}
}

func (s *Server) facilityItem(f rollcall.Facility, lang string) pickItem {
	name, other := f.NameEn, f.NameKo
	if lang == "ko" && f.NameKo != "" {
		name, other = f.NameKo, f.NameEn
	}
	return item(f.ID, name, strings.TrimSpace(other+" · "+s.termLabel(lang, rollcall.VocabFacilityType, f.Type)))
}

func (s *Server) sourceItem(src rollcall.Source, lang string) pickItem {
	return item(src.ID, src.Title, strings.TrimSpace(src.Key+" · "+s.termLabel(lang, rollcall.VocabSourceKind, src.Kind)+" "+src.Date.Human(lang)))
}

func (s *Server) personItem(p rollcall.Person, lang string) pickItem {
	d := p.NameAlt
	if !p.BirthDate.IsZero() {
		d = strings.TrimSpace(d + " " + p.BirthDate.Human(lang))
	}
	return item(p.ID, p.Name, d)
}

// pickLabel is the field text of object id of kind ("" when it is gone).
func (s *Server) pickLabel(ctx context.Context, kind string, id int64) string {
	lang := langOfCtx(ctx)
	switch kind {
	case "facility":
		if f, err := s.store.GetFacility(ctx, id); err == nil {
			return s.facilityItem(*f, lang).Label
		}
	case "source":
		if src, err := s.store.GetSource(ctx, id); err == nil && visible(ctx, src) {
			return s.sourceItem(*src, lang).Label
		}
	case "person":
		if p, err := s.store.GetPerson(ctx, id); err == nil && visible(ctx, p) {
			return s.personItem(*p, lang).Label
		}
	}
	return fmt.Sprintf("#%d", id)
}

// pickResolve turns a picker's text into the id it names: "(#12)" at its
// end names 12 (which must exist and be visible), anything else must match
// exactly one object. The error says what is wrong in the reader's
// language, with the candidates when there are several.
func (s *Server) pickResolve(ctx context.Context, kind, text string) (int64, error) {
	lang := langOfCtx(ctx)
	text = strings.TrimSpace(text)
	if m := idMarker.FindStringSubmatch(text); m != nil {
		id, err := strconv.ParseInt(m[1], 10, 64)
		if err == nil && id > 0 && s.pickLabel(ctx, kind, id) != fmt.Sprintf("#%d", id) {
			return id, nil
		}
		return 0, rollcall.Errorf(rollcall.EINVALID, "%s", s.cat.T(lang, "pick.noid", s.cat.T(lang, "pick.kind."+kind), "#"+m[1]))
	}
	if kind == "facility" {
		if f := s.namedFacility(ctx, text); f != nil {
			return f.ID, nil
		}
	}
	hits, err := s.pickSearch(ctx, kind, text, pickLimit)
	if err != nil {
		return 0, err
	}
	switch len(hits) {
	case 1:
		return hits[0].ID, nil
	case 0:
		return 0, rollcall.Errorf(rollcall.EINVALID, "%s", s.cat.T(lang, "pick.none", s.cat.T(lang, "pick.kind."+kind), text))
	}
	labels := make([]string, len(hits))
	for i, h := range hits {
		labels[i] = h.Label
	}
	return 0, rollcall.Errorf(rollcall.EINVALID, "%s", s.cat.T(lang, "pick.many", text, strings.Join(labels, "; ")))
}

// pickOne binds a nullable id field to a picker of kind.
func pickOne[T any](s *Server, kind string, p func(*T) **int64) binding[T] {
	return binding[T]{
		get: func(ctx context.Context, v *T) string {
			if *p(v) == nil {
				return ""
			}
			return s.pickLabel(ctx, kind, **p(v))
		},
		set: func(ctx context.Context, v *T, text string) error {
			if strings.TrimSpace(text) == "" {
				*p(v) = nil
				return nil
			}
			id, err := s.pickResolve(ctx, kind, text)
			if err != nil {
				return err
			}
			*p(v) = &id
			return nil
		},
	}
}

// pickMany binds a list of ids to a picker of kind, entries comma-separated.
func pickMany[T any](s *Server, kind string, p func(*T) *[]int64) binding[T] {
	return binding[T]{
		get: func(ctx context.Context, v *T) string {
			var out []string
			for _, id := range *p(v) {
				out = append(out, s.pickLabel(ctx, kind, id))
			}
			return strings.Join(out, ", ")
		},
		set: func(ctx context.Context, v *T, text string) error {
			var ids []int64
			for _, part := range splitEntries(text) {
				id, err := s.pickResolve(ctx, kind, part)
				if err != nil {
					return err
				}
				ids = append(ids, id)
			}
			*p(v) = ids
			return nil
		},
	}
}

// splitEntries splits a picker's text at commas that are not inside
// parentheses ("Kim, Young-hee (#3), …" keeps its comma: names written
// "SURNAME, Given" are common).
func splitEntries(s string) []string {
	var out []string
	depth, start := 0, 0
	flush := func(end int) {
		if e := strings.TrimSpace(s[start:end]); e != "" {
			out = append(out, e)
		}
	}
	for i, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth = max(depth-1, 0)
		case ',':
			// A comma ends an entry after a "(#id)" marker; in free text it
			// ends one too unless it reads as "SURNAME, Given".
			if depth == 0 && (idMarker.MatchString(s[start:i]) || !surnameComma(s[start:i])) {
				flush(i)
				start = i + 1
			}
		}
	}
	flush(len(s))
	return out
}

// surnameComma reports whether text before a comma is a lone capitalised
// surname ("KIM"), so that "KIM, Young-hee" stays one entry.
func surnameComma(before string) bool {
	w := strings.TrimSpace(before)
	if w == "" || strings.ContainsAny(w, " ,") {
		return false
	}
	return strings.ToUpper(w) == w && strings.ToLower(w) != w
}

// PickView is the data of a picker's candidate list (an htmx fragment).
type PickView struct {
	Field string
	Multi bool
	Items []pickItem
	Query string
}

// handlePick answers a picker's search: the candidates as a list whose
// buttons fill the field (static/app.js).
func (s *Server) handlePick(w http.ResponseWriter, r *http.Request) {
	kind := r.PathValue("kind")
	if !pickKinds[kind] {
		s.renderError(w, r, rollcall.Errorf(rollcall.ENOTFOUND, "no such picker"))
		return
	}
	field := r.URL.Query().Get("field")
	if !fieldName.MatchString(field) {
		s.renderError(w, r, &rollcall.Error{Code: rollcall.EINVALID, Field: "field", Message: "field must name a form field"})
		return
	}
	q := r.URL.Query().Get(field)
	if q == "" {
		q = r.URL.Query().Get("q")
	}
	v := PickView{Field: field, Multi: r.URL.Query().Get("multi") == "1"}
	if v.Multi {
		// The entry being typed is the last one.
		if es := splitEntries(q); len(es) > 0 {
			q = es[len(es)-1]
		}
		if idMarker.MatchString(q) {
			q = ""
		}
	}
	v.Query = q
	items, err := s.pickSearch(r.Context(), kind, q, pickLimit)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v.Items = items
	s.renderBlock(w, r, "form", "picklist", v)
}

// namedFacility is the facility text names by textnorm.FacilityKey, if it
// names exactly one that is stored.
func (s *Server) namedFacility(ctx context.Context, text string) *rollcall.Facility {
	k, ok := textnorm.FacilityKey(text)
	if !ok {
		return nil
	}
	f, err := s.store.FacilityByKey(ctx, k)
	if err != nil {
		return nil
	}
	return f
}
