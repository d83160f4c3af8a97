package web

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/i18n"
)

// formHandlers are the four handlers of an entity's create/edit form.
type formHandlers interface {
	new(http.ResponseWriter, *http.Request)
	create(http.ResponseWriter, *http.Request)
	edit(http.ResponseWriter, *http.Request)
	update(http.ResponseWriter, *http.Request)
}

// field binds one form input to a struct field of T.
type field[T any] struct {
	name    string // input name and message key suffix ("field."+name)
	kind    string // text, textarea, date, number, select, checkbox, checks, url, pick
	scheme  string // vocabulary for a select
	options []string
	req     bool
	pick    string // for a picker: what it picks (facility, source, person)
	multi   bool   // a picker of several, comma-separated
	secret  bool   // a confidential field (sealed in the store, editor and admin only)
	binding[T]
}

// binding reads and writes one struct field as form text. A picker's
// binding looks objects up, hence the context.
type binding[T any] struct {
	get func(context.Context, *T) string
	set func(context.Context, *T, string) error
}

// Field is one input as the form template sees it.
type Field struct {
	Name     string
	Kind     string
	Pick     string // what a picker picks
	Multi    bool
	Secret   bool
	Value    string
	Current  string // the stored value, shown after a conflict when it differs
	Error    string
	Required bool
	Options  []Option
}

// Option is a choice in a select.
type Option struct {
	Value, Label string
}

// FormView is the data of the form template.
type FormView struct {
	TitleKey string
	Action   string
	Cancel   string
	Version  int
	Fields   []Field
	Error    string
	Conflict bool
}

// form is the create/edit flow of one entity type.
type form[T any] struct {
	s       *Server
	name    string // message key of the form title: "form.source"
	fields  []field[T]
	load    func(context.Context, int64) (*T, error)
	create_ func(context.Context, *T) error
	update_ func(context.Context, *T) error
	meta    func(*T) *rollcall.Meta
	viewURL func(*T) string
	blank   func(*http.Request) (*T, error) // a new T, e.g. with its source set from the URL
	newURL  func(*http.Request) string      // where a new one is posted
	editURL func(*T) string                 // where an edit is posted
}

func (f *form[T]) view(r *http.Request, v *T, errs map[string]string) FormView {
	lang := state(r).lang
	fv := FormView{TitleKey: f.name, Version: f.meta(v).Version}
	for _, fd := range f.fields {
		in := Field{Name: fd.name, Kind: fd.kind, Pick: fd.pick, Multi: fd.multi, Secret: fd.secret,
			Value: fd.get(r.Context(), v), Error: errs[fd.name], Required: fd.req}
		if fd.kind == "checks" {
			for _, o := range fd.options {
				in.Options = append(in.Options, Option{o, f.s.cat.T(lang, "opt."+fd.name+"."+o)})
			}
		}
		if fd.kind == "select" {
			in.Options = append(in.Options, Option{"", "—"})
			for _, o := range fd.options {
				in.Options = append(in.Options, Option{o, f.s.cat.T(lang, "opt."+fd.name+"."+o)})
			}
			if fd.scheme != "" {
				var vocab []Option
				for _, t := range f.s.terms(fd.scheme) {
					l := t.LabelEn
					if lang == "ko" && t.LabelKo != "" {
						l = t.LabelKo
					}
					vocab = append(vocab, Option{t.Code, l})
				}
				i18n.SortFunc(lang, vocab, func(o Option) string { return o.Label })
				in.Options = append(in.Options, vocab...)
			}
			if !hasOption(in.Options, in.Value) {
				// A value outside the vocabulary is shown, never dropped.
				in.Options = append(in.Options, Option{in.Value, in.Value})
			}
		}
		fv.Fields = append(fv.Fields, in)
	}
	return fv
}

func hasOption(os []Option, v string) bool {
	for _, o := range os {
		if o.Value == v {
			return true
		}
	}
	return false
}

// bind copies the posted values into v and returns errors per field.
func (f *form[T]) bind(r *http.Request, v *T) map[string]string {
	errs := map[string]string{}
	lang := state(r).lang
	for _, fd := range f.fields {
		val := strings.TrimSpace(r.PostFormValue(fd.name))
		switch fd.kind {
		case "textarea":
			val = strings.ReplaceAll(r.PostFormValue(fd.name), "\r\n", "\n")
		case "checks":
			_ = r.ParseForm()
			val = strings.Join(r.PostForm[fd.name], ",")
		}
		if fd.req && val == "" {
			errs[fd.name] = f.s.cat.T(lang, "form.required")
			continue
		}
		if err := fd.set(r.Context(), v, val); err != nil {
			errs[fd.name] = rollcall.ErrorMessage(err)
		}
	}
	return errs
}

func (f *form[T]) render(w http.ResponseWriter, r *http.Request, status int, fv FormView) {
	f.s.render(w, r, status, "form", f.name, fv)
}

func (f *form[T]) new(w http.ResponseWriter, r *http.Request) {
	v, err := f.blank(r)
	if err != nil {
		f.s.renderError(w, r, err)
		return
	}
	fv := f.view(r, v, nil)
	fv.Action, fv.Cancel = f.newURL(r), r.Referer()
	f.render(w, r, http.StatusOK, fv)
}

func (f *form[T]) create(w http.ResponseWriter, r *http.Request) {
	v, err := f.blank(r)
	if err != nil {
		f.s.renderError(w, r, err)
		return
	}
	errs := f.bind(r, v)
	if len(errs) == 0 {
		if err = validateBody(r.Context(), f.s.store, v); err == nil {
			err = f.create_(r.Context(), v)
		}
		if err == nil {
			http.Redirect(w, r, f.viewURL(v), http.StatusSeeOther)
			return
		}
	}
	f.failed(w, r, v, errs, err, f.newURL(r))
}

func (f *form[T]) edit(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		f.s.renderError(w, r, err)
		return
	}
	v, err := f.load(r.Context(), id)
	if err != nil {
		f.s.renderError(w, r, err)
		return
	}
	fv := f.view(r, v, nil)
	fv.Action, fv.Cancel = f.editURL(v), f.viewURL(v)
	f.render(w, r, http.StatusOK, fv)
}

func (f *form[T]) update(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		f.s.renderError(w, r, err)
		return
	}
	cur, err := f.load(r.Context(), id)
	if err != nil {
		f.s.renderError(w, r, err)
		return
	}
	v := new(T)
	*v = *cur
	errs := f.bind(r, v)
	ver, verr := strconv.Atoi(r.PostFormValue("version"))
	if verr != nil || ver <= 0 {
		f.s.renderError(w, r, rollcall.Errorf(rollcall.EINVALID, "the form has no version"))
		return
	}
	f.meta(v).Version = ver
	if len(errs) == 0 {
		if err = validateBody(r.Context(), f.s.store, v); err == nil {
			err = f.update_(r.Context(), v)
		}
		if err == nil {
			http.Redirect(w, r, f.viewURL(v), http.StatusSeeOther)
			return
		}
	}
	if rollcall.ErrorCode(err) == rollcall.ECONFLICT {
		f.conflict(w, r, v, id)
		return
	}
	f.failed(w, r, v, errs, err, f.editURL(cur))
}

// failed shows the form again with the user's values and the errors.
func (f *form[T]) failed(w http.ResponseWriter, r *http.Request, v *T, errs map[string]string, err error, action string) {
	fv := f.view(r, v, errs)
	for i := range fv.Fields {
		if fv.Fields[i].Error != "" && fv.Fields[i].Kind != "select" && fv.Fields[i].Kind != "checks" {
			// Show what the user typed, not what survived parsing.
			fv.Fields[i].Value = r.PostFormValue(fv.Fields[i].Name)
		}
	}
	fv.Action, fv.Cancel = action, r.Referer()
	status := http.StatusBadRequest
	if err != nil {
		var re *rollcall.Error
		if errors.As(err, &re) && re.Field != "" && hasField(fv.Fields, re.Field) {
			setFieldError(fv.Fields, re.Field, re.Message)
		} else {
			fv.Error = rollcall.ErrorMessage(err)
		}
		status = statusOf(err)
		f.s.logError(r, status, err)
	}
	f.render(w, r, status, fv)
}

// conflict keeps the user's edits in the form, shows the current stored
// values beside the fields that changed meanwhile, and takes the current
// version so that saving again knowingly overwrites.
func (f *form[T]) conflict(w http.ResponseWriter, r *http.Request, mine *T, id int64) {
	cur, err := f.load(r.Context(), id)
	if err != nil {
		f.s.renderError(w, r, err)
		return
	}
	fv := f.view(r, mine, nil)
	curView := f.view(r, cur, nil)
	for i := range fv.Fields {
		if curView.Fields[i].Value != fv.Fields[i].Value {
			fv.Fields[i].Current = curView.Fields[i].Value
			if fv.Fields[i].Current == "" {
				fv.Fields[i].Current = "—"
			}
		}
	}
	fv.Version = f.meta(cur).Version
	fv.Conflict = true
	fv.Action, fv.Cancel = f.editURL(cur), f.viewURL(cur)
	f.render(w, r, http.StatusConflict, fv)
}

func hasField(fs []Field, name string) bool {
	for _, f := range fs {
		if f.Name == name {
			return true
		}
	}
	return false
}

func setFieldError(fs []Field, name, msg string) {
	for i := range fs {
		if fs[i].Name == name {
			fs[i].Error = msg
		}
	}
}

// Binding helpers: each binds one kind of struct field.

func text[T any](p func(*T) *string) binding[T] {
	return binding[T]{
		get: func(_ context.Context, v *T) string { return *p(v) },
		set: func(_ context.Context, v *T, s string) error { *p(v) = s; return nil },
	}
}

func date[T any](p func(*T) *rollcall.PartialDate) binding[T] {
	return binding[T]{
		get: func(_ context.Context, v *T) string { return p(v).String() },
		set: func(_ context.Context, v *T, s string) error {
			d, err := rollcall.ParseDate(s)
			if err != nil {
				return err
			}
			*p(v) = d
			return nil
		},
	}
}

func floatp[T any](p func(*T) **float64) binding[T] {
	return binding[T]{
		get: func(_ context.Context, v *T) string {
			if *p(v) == nil {
				return ""
			}
			return strconv.FormatFloat(**p(v), 'f', -1, 64)
		},
		set: func(_ context.Context, v *T, s string) error {
			if s == "" {
				*p(v) = nil
				return nil
			}
			f, err := strconv.ParseFloat(s, 64)
			// ParseFloat takes "NaN" and "Inf", which no field means (and
			// which JSON, hence the audit log, cannot hold).
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				return rollcall.Errorf(rollcall.EINVALID, "not a number")
			}
			*p(v) = &f
			return nil
		},
	}
}

func int64p[T any](p func(*T) **int64) binding[T] {
	return binding[T]{
		get: func(_ context.Context, v *T) string {
			if *p(v) == nil {
				return ""
			}
			return strconv.FormatInt(**p(v), 10)
		},
		set: func(_ context.Context, v *T, s string) error {
			if s == "" {
				*p(v) = nil
				return nil
			}
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return rollcall.Errorf(rollcall.EINVALID, "not a whole number")
			}
			*p(v) = &n
			return nil
		},
	}
}

func intv[T any](p func(*T) *int) binding[T] {
	return binding[T]{
		get: func(_ context.Context, v *T) string {
			if *p(v) == 0 {
				return ""
			}
			return strconv.Itoa(*p(v))
		},
		set: func(_ context.Context, v *T, s string) error {
			if s == "" {
				*p(v) = 0
				return nil
			}
			n, err := strconv.Atoi(s)
			if err != nil {
				return rollcall.Errorf(rollcall.EINVALID, "not a whole number")
			}
			*p(v) = n
			return nil
		},
	}
}

func boolv[T any](p func(*T) *bool) binding[T] {
	return binding[T]{
		get: func(_ context.Context, v *T) string {
			if *p(v) {
				return "on"
			}
			return ""
		},
		set: func(_ context.Context, v *T, s string) error { *p(v) = s == "on" || s == "true"; return nil },
	}
}

func list[T any](p func(*T) *[]string) binding[T] {
	return binding[T]{
		get: func(_ context.Context, v *T) string { return strings.Join(*p(v), ", ") },
		set: func(_ context.Context, v *T, s string) error {
			var out []string
			for _, x := range strings.Split(s, ",") {
				if x = strings.TrimSpace(x); x != "" {
					out = append(out, x)
				}
			}
			*p(v) = out
			return nil
		},
	}
}

func sens[T any](p func(*T) *rollcall.Sensitivity) binding[T] {
	return binding[T]{
		get: func(_ context.Context, v *T) string { return string(*p(v)) },
		set: func(_ context.Context, v *T, s string) error {
			*p(v) = rollcall.Sensitivity(s)
			if s != "" && !p(v).Valid() {
				return rollcall.Errorf(rollcall.EINVALID, "choose public, internal or confidential")
			}
			return nil
		},
	}
}

func idURL(prefix string, id int64, suffix string) string {
	return fmt.Sprintf("%s/%d%s", prefix, id, suffix)
}
