package web

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/amnesty"
	"github.com/rollcall-project/rollcall/internal/chart"
	"github.com/rollcall-project/rollcall/internal/textnorm"
)

// Korean mode shows every word of the interface in Korean: catalog
// messages (internal/i18n), vocabulary labels (Term), reference-data texts
// (Ref: refdata.Korean, keyed by the English they translate), province
// names (Province), method names and strata (Method, Stratum) and chart
// labels. Personal names and what a source wrote stay as recorded.

// Ref is the Korean form of a reference-data text in Korean mode, else the
// text itself.
func (v *View) Ref(s string) string { return v.s.ref(v.Lang, s) }

func (s *Server) ref(lang, text string) string {
	if lang == "ko" {
		if k, ok := s.refKo[strings.TrimSpace(text)]; ok {
			return k
		}
	}
	return text
}

// Province names a province in the page's language when text names one
// (in any script or romanization), else returns text as written.
func (v *View) Province(text string) string {
	if n, ok := textnorm.ProvinceName(text, v.Lang); ok && v.Lang == "ko" {
		return n
	}
	return text
}

// FacilityName is a facility's name in the page's language (the reference
// data's Korean name in Korean mode when it has one).
func (v *View) FacilityName(f rollcall.Facility) string {
	if v.Lang == "ko" && f.NameKo != "" {
		return f.NameKo
	}
	return f.NameEn
}

// Method names an estimation method in the page's language.
func (v *View) Method(m string) string { return v.s.methodName(v.Lang, m) }

func (s *Server) methodName(lang, m string) string {
	if s.cat.Has(lang, "method."+m) {
		return s.cat.T(lang, "method."+m)
	}
	return m
}

// Stratum names a stored stratum ("all", "all (by facility_type)",
// "facility_type=kwanliso", "facility_type,sex=kwanliso|f") in the page's
// language.
func (v *View) Stratum(st string) string { return v.s.stratumName(v.Lang, st) }

func (s *Server) stratumName(lang, st string) string {
	if st == "all" || st == "" {
		return s.cat.T(lang, "est.all")
	}
	if by, ok := strings.CutPrefix(st, "all (by "); ok {
		by = strings.TrimSuffix(by, ")")
		return s.cat.T(lang, "est.allby", s.strataVarsName(lang, strings.Split(by, ",")))
	}
	vars, vals, ok := strings.Cut(st, "=")
	if !ok {
		return st
	}
	vs, xs := strings.Split(vars, ","), strings.Split(vals, "|")
	if len(vs) != len(xs) {
		return st
	}
	parts := make([]string, len(vs))
	for i := range vs {
		parts[i] = s.strataVarName(lang, vs[i]) + ": " + s.strataValue(lang, vs[i], xs[i])
	}
	return strings.Join(parts, ", ")
}

func (s *Server) strataVarsName(lang string, vars []string) string {
	out := make([]string, len(vars))
	for i, v := range vars {
		out[i] = s.strataVarName(lang, v)
	}
	return strings.Join(out, ", ")
}

func (s *Server) strataVarName(lang, v string) string {
	if s.cat.Has(lang, "strata."+v) {
		return s.cat.T(lang, "strata."+v)
	}
	return v
}

// strataValue labels one stratum value: vocabulary codes by their label,
// provinces by their name, "unknown" as unknown.
func (s *Server) strataValue(lang, v, x string) string {
	switch {
	case x == "unknown":
		return s.cat.T(lang, "est.unknown")
	case v == "facility_type":
		return s.termLabel(lang, rollcall.VocabFacilityType, x)
	case v == "fate":
		return s.termLabel(lang, rollcall.VocabFate, x)
	case v == "sex" && (x == "f" || x == "m"):
		return s.cat.T(lang, "opt.sex."+x)
	case v == "province":
		if n, ok := textnorm.ProvinceName(x, lang); ok && lang == "ko" {
			return n
		}
	case v == "decade" && lang == "ko" && strings.HasSuffix(x, "s"):
		return strings.TrimSuffix(x, "s") + "년대"
	}
	return x
}

// termLabel is a vocabulary code's label in lang (the code when unknown).
func (s *Server) termLabel(lang, scheme, code string) string {
	for _, t := range s.terms(scheme) {
		if t.Code == code {
			if lang == "ko" && t.LabelKo != "" {
				return t.LabelKo
			}
			if t.LabelEn != "" {
				return t.LabelEn
			}
		}
	}
	return code
}

// chartLabels are a chart's words in lang, from the catalog's chart.* keys.
func (s *Server) chartLabels(lang, titleKey string) chart.Labels {
	l := chart.Labels{Title: s.cat.T(lang, titleKey), Words: map[string]string{}}
	for _, k := range chart.WordKeys {
		key := "chart." + strings.NewReplacer(" ", "_", "(", "", ")", "").Replace(k)
		if s.cat.Has(lang, key) {
			l.Words[k] = s.cat.T(lang, key)
		}
	}
	return l
}

// When is a moment in the page's language, in UTC.
func (v *View) When(t time.Time) string {
	t = t.UTC()
	if v.Lang == "ko" {
		return fmt.Sprintf("%d년 %d월 %d일 %02d:%02d (UTC)", t.Year(), int(t.Month()), t.Day(), t.Hour(), t.Minute())
	}
	return t.Format("2 January 2006 15:04 UTC")
}

// Counted labels a run parameter that narrows who was counted.
func (v *View) Counted(p Param) string {
	name := p.Key
	if v.s.cat.Has(v.Lang, "est.counted."+p.Key) {
		name = v.T("est.counted." + p.Key)
	}
	val := p.Value
	switch p.Key {
	case "fate":
		val = v.Term(rollcall.VocabFate, p.Value)
	case "event", "event_type":
		val = v.Term(rollcall.VocabEventType, p.Value)
	case "facility_type":
		val = v.Term(rollcall.VocabFacilityType, p.Value)
	case "province":
		val = v.Province(p.Value)
	}
	return name + ": " + val
}

// Fixed formats a number with digits after the point.
func (v *View) Fixed(x *float64, digits int) string {
	if x == nil {
		return "—"
	}
	return strconv.FormatFloat(*x, 'f', digits, 64)
}

// localizeAmnesty puts the amnesty tracker's texts in lang: decree titles,
// the report's notes (internal/amnesty.ReportNotes with the decrees' Korean
// forms) and facility names. The counts are untouched.
func (s *Server) localizeAmnesty(ctx context.Context, v *AmnestyView, lang string) error {
	if lang != "ko" {
		return nil
	}
	tr := func(t string) string { return s.ref(lang, t) }
	for i := range v.Decrees {
		v.Decrees[i].Title = tr(v.Decrees[i].Title)
	}
	rep := v.Report
	if rep == nil {
		return nil
	}
	rep.Notes = amnesty.ReportNotes(rep, lang, tr)
	rep.Decree.Title = tr(rep.Decree.Title)
	for i := range rep.Timeline {
		rep.Timeline[i].Title = tr(rep.Timeline[i].Title)
	}
	facs, _, err := s.store.ListFacilities(ctx, rollcall.ListOptions{Limit: -1})
	if err != nil {
		return err
	}
	ko := map[string]string{}
	for _, f := range facs {
		if f.NameKo != "" {
			ko[f.Key] = f.NameKo
		}
	}
	for i := range rep.Facilities {
		if n, ok := ko[rep.Facilities[i].Facility]; ok {
			rep.Facilities[i].Name = n
		}
	}
	return nil
}
