package amnesty

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/amnesty/rule"
	"github.com/rollcall-project/rollcall/internal/export/csvcell"
	"github.com/rollcall-project/rollcall/internal/store"
)

// Counts set what was announced beside what is documented for one decree
// (overall or in one facility). Eligibility counts cover the documented
// detainees: persons held, or possibly held, on the decree's date. Outcome
// counts cover everyone with a recorded outcome under the decree.
type Counts struct {
	Persons      int `json:"persons"`    // every person evaluated
	Documented   int `json:"documented"` // held or possibly held on the date
	HeldSure     int `json:"held"`       // of those, surely held
	Eligible     int `json:"eligible"`
	NotEligible  int `json:"not_eligible"`
	Undetermined int `json:"undetermined"`

	ReleaseVerified int `json:"release_verified"`
	ReleaseReported int `json:"release_reported"`
	NotReleased     int `json:"not_released"`
	DiedBefore      int `json:"died_before"`
	ReArrested      int `json:"re_arrested"`
	OutcomeUnknown  int `json:"outcome_unknown"`
	// EligibleNoOutcome are eligible detainees nobody has reported on yet.
	EligibleNoOutcome int `json:"eligible_no_outcome"`
	// ReleasedNotEligible are releases (verified or reported) of people the
	// rule does not find eligible: a sign the wording was read too narrowly.
	ReleasedNotEligible int `json:"released_not_eligible"`
	// Missing counts, for the undetermined, how often each fact would decide.
	Missing map[string]int `json:"missing,omitempty"`
}

// FacilityCounts are the counts for one facility bucket.
type FacilityCounts struct {
	Facility string `json:"facility"`
	Name     string `json:"name,omitempty"`
	Type     string `json:"type,omitempty"`
	Counts
}

// TimelineRow summarises one decree, for comparing decrees over time.
type TimelineRow struct {
	Key             string `json:"key"`
	Title           string `json:"title"`
	Date            string `json:"date"`
	HasRule         bool   `json:"has_rule"`
	AnnouncedNumber string `json:"announced_number,omitempty"`
	AnnouncedFigure *int64 `json:"announced_figure,omitempty"`
	// Problem says why the decree could not be evaluated (no usable date,
	// a rule that does not compile); its counts are then empty.
	Problem string `json:"problem,omitempty"`
	Counts
}

// ReportData is the tracker for one decree: the announced figure against
// documented, eligible, undetermined, verified released and not released,
// overall, per facility, and across all decrees over time.
type ReportData struct {
	Decree          rollcall.AmnestyDecree `json:"decree"`
	Date            string                 `json:"date"`
	HasRule         bool                   `json:"has_rule"`
	AnnouncedNumber string                 `json:"announced_number"`
	// AnnouncedFigure is the announced number when it is a plain number.
	AnnouncedFigure *int64           `json:"announced_figure,omitempty"`
	Overall         Counts           `json:"overall"`
	Facilities      []FacilityCounts `json:"facilities"`
	Timeline        []TimelineRow    `json:"timeline"`
	// Notes are the analyst's reading of the wording and what the figures
	// can and cannot show.
	Notes []string `json:"notes"`
	// Fictional is true when any person or outcome counted is fictional.
	Fictional bool `json:"fictional"`
	// Persons are the per-person decisions behind the counts.
	Persons []PersonResult `json:"persons,omitempty"`
}

// Report builds the tracker for the decree with key decreeKey. It
// evaluates every decree (for the timeline) from the current data.
func Report(ctx context.Context, st *store.Store, decreeKey string) (*ReportData, error) {
	d, err := st.DecreeByKey(ctx, decreeKey)
	if err != nil {
		return nil, fmt.Errorf("amnesty: decree %q: %w", decreeKey, err)
	}
	pop, err := loadPopulation(ctx, st, 0)
	if err != nil {
		return nil, err
	}
	ev, err := evaluateDecree(ctx, st, *d, pop)
	if err != nil {
		return nil, err
	}
	rep := &ReportData{Decree: *d, Date: ev.Date.String(), HasRule: ev.HasRule,
		AnnouncedNumber: d.AnnouncedNumber, AnnouncedFigure: AnnouncedFigure(d.AnnouncedNumber), Persons: ev.Results}
	byFac := map[string]*FacilityCounts{}
	for _, r := range ev.Results {
		rep.Overall.add(r)
		fc := byFac[r.Facility]
		if fc == nil {
			fc = &FacilityCounts{Facility: r.Facility}
			byFac[r.Facility] = fc
		}
		fc.add(r)
		if r.Fictional || (r.Outcome != nil && strings.Contains(strings.ToLower(r.Outcome.Note), "fictional")) {
			rep.Fictional = true
		}
	}
	facs, err := listAll(ctx, st.ListFacilities, nil)
	if err != nil {
		return nil, fmt.Errorf("amnesty: list facilities: %w", err)
	}
	names := map[string]rollcall.Facility{}
	for _, f := range facs {
		names[f.Key] = f
	}
	for _, fc := range byFac {
		if fc.Documented == 0 && fc.ReleaseVerified+fc.ReleaseReported+fc.NotReleased+fc.DiedBefore+fc.ReArrested+fc.OutcomeUnknown == 0 {
			continue
		}
		if f, ok := names[fc.Facility]; ok {
			fc.Name, fc.Type = f.NameEn, f.Type
		}
		rep.Facilities = append(rep.Facilities, *fc)
	}
	slices.SortFunc(rep.Facilities, func(a, b FacilityCounts) int {
		// Real facilities by size, the unknown and uncertain buckets last.
		ab, bb := strings.HasPrefix(a.Facility, "("), strings.HasPrefix(b.Facility, "(")
		if ab != bb {
			if ab {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(b.Documented, a.Documented), cmp.Compare(a.Facility, b.Facility))
	})

	if rep.Timeline, err = timeline(ctx, st, pop, ev); err != nil {
		return nil, err
	}
	rep.Notes = reportNotes(rep)
	return rep, nil
}

// Timeline summarises every decree by date: the tracker's view across
// decrees, and what ChartSVG draws.
func Timeline(ctx context.Context, st *store.Store) ([]TimelineRow, error) {
	pop, err := loadPopulation(ctx, st, 0)
	if err != nil {
		return nil, err
	}
	return timeline(ctx, st, pop, nil)
}

// timeline evaluates every decree over pop; done is a decree already
// evaluated (or nil).
func timeline(ctx context.Context, st *store.Store, pop *population, done *Evaluation) ([]TimelineRow, error) {
	decrees := slices.Clone(pop.decrees)
	slices.SortFunc(decrees, func(a, b rollcall.AmnestyDecree) int {
		return cmp.Or(rule.DecreeDate(a).Compare(rule.DecreeDate(b)), cmp.Compare(a.Key, b.Key))
	})
	out := []TimelineRow{}
	var err error
	for _, od := range decrees {
		row := TimelineRow{Key: od.Key, Title: od.Title, Date: rule.DecreeDate(od).String(),
			AnnouncedNumber: od.AnnouncedNumber, AnnouncedFigure: AnnouncedFigure(od.AnnouncedNumber)}
		oe := done
		if oe == nil || oe.Decree.Key != od.Key {
			oe, err = evaluateDecree(ctx, st, od, pop)
		}
		switch {
		case err == nil:
			row.HasRule = oe.HasRule
			for _, r := range oe.Results {
				row.add(r)
			}
		case rollcall.ErrorCode(err) != rollcall.EINVALID:
			return nil, err
		default:
			row.Problem = rollcall.ErrorMessage(err)
		}
		// A decree with no usable date stays in the timeline with its
		// announced figure only.
		err = nil
		row.Missing = nil
		out = append(out, row)
	}
	return out, nil
}

func (c *Counts) add(r PersonResult) {
	c.Persons++
	documented := r.Held != "false"
	if documented {
		c.Documented++
		if r.Held == "true" {
			c.HeldSure++
		}
		switch r.Decision.Decision {
		case rollcall.Eligible:
			c.Eligible++
			if r.Outcome == nil {
				c.EligibleNoOutcome++
			}
		case rollcall.NotEligible:
			c.NotEligible++
		case rollcall.Undetermined:
			c.Undetermined++
			for _, m := range r.Missing {
				if c.Missing == nil {
					c.Missing = map[string]int{}
				}
				c.Missing[m]++
			}
		}
	}
	if r.Outcome == nil {
		return
	}
	switch r.Outcome.Status {
	case rollcall.OutcomeReleaseVerified:
		c.ReleaseVerified++
	case rollcall.OutcomeReleaseReported:
		c.ReleaseReported++
	case rollcall.OutcomeNotReleased:
		c.NotReleased++
	case rollcall.OutcomeDiedBefore:
		c.DiedBefore++
	case rollcall.OutcomeReArrested:
		c.ReArrested++
	default:
		c.OutcomeUnknown++
	}
	if (r.Outcome.Status == rollcall.OutcomeReleaseVerified || r.Outcome.Status == rollcall.OutcomeReleaseReported) &&
		r.Decision.Decision == rollcall.NotEligible {
		c.ReleasedNotEligible++
	}
}

var plainNumber = regexp.MustCompile(`^(?:about|approximately|c\.|~)?\s*([0-9][0-9,. ]*[0-9]|[0-9])(?:\s*(?:persons|people|prisoners|inmates|released))?$`)

// AnnouncedFigure reads an announced number that is just a number
// ("3,740", "about 3000 prisoners"); anything with caveats stays text only.
func AnnouncedFigure(s string) *int64 {
	m := plainNumber.FindStringSubmatch(strings.ToLower(strings.TrimSpace(s)))
	if m == nil {
		return nil
	}
	digits := strings.NewReplacer(",", "", " ", "", ".", "").Replace(m[1])
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return nil
	}
	return &n
}

func pct(a, b int) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(a)/float64(b))
}

// reportNotes are the notes in English, as the report carries them.
func reportNotes(r *ReportData) []string { return ReportNotes(r, "en", nil) }

// noteText are the sentences of the notes by language ("en", "ko"); the
// arguments are numbered so that a language may order them as it needs.
var noteText = map[string]map[string]string{
	"en": {
		"reading": "Reading of the wording: ", "wording": "Wording (translation): ", "announced": "Announced figure: ",
		"noannounced": "No figure was announced.",
		"norule":      "No rule is written for this decree yet, so eligibility is undetermined for everyone.",
		"counts":      "Of %[1]d documented detainees possibly held on %[2]s (%[3]d surely held), %[4]d (%[5]s) are eligible under this reading, %[6]d not eligible and %[7]d undetermined.",
		"missing":     "Undetermined cases would be decided by: %s.",
		"outcomes":    "Releases verified: %[1]d, reported but unverified: %[2]d, not released: %[3]d, died before: %[4]d, re-arrested: %[5]d; %[6]d eligible detainees have no reported outcome.",
		"released":    "%d released persons are not eligible under this reading: the wording may be read too narrowly, or releases happened outside the decree.",
		"sample":      "Documented detainees are a sample of those held, not a census: the gap between the announced figure and verified releases is a floor on what is unaccounted for only within this sample.",
		"fictional":   "FICTIONAL DATA: some persons or outcomes counted here are fictional demo data.",
	},
	"ko": {
		"reading": "문구 해석: ", "wording": "문구 (번역): ", "announced": "발표된 인원: ",
		"noannounced": "발표된 인원이 없습니다.",
		"norule":      "이 사면령에는 아직 규칙이 없어 모든 사람의 대상 여부가 판단 불가입니다.",
		"counts":      "%[2]s에 구금되었을 수 있는 기록된 구금자 %[1]d명(확실히 구금 %[3]d명) 가운데 이 해석에 따르면 %[4]d명(%[5]s)이 대상, %[6]d명이 비대상, %[7]d명이 판단 불가입니다.",
		"missing":     "판단 불가인 경우를 가를 사실: %s.",
		"outcomes":    "석방 확인 %[1]d명, 보도되었으나 확인 안 됨 %[2]d명, 석방 안 됨 %[3]d명, 석방 전 사망 %[4]d명, 재체포 %[5]d명. 대상자 %[6]d명은 보고된 결과가 없습니다.",
		"released":    "석방된 %d명은 이 해석으로는 대상이 아닙니다. 문구를 너무 좁게 읽었거나, 사면령과 별개로 석방되었을 수 있습니다.",
		"sample":      "기록된 구금자는 구금된 이들의 표본일 뿐 전수가 아닙니다. 발표된 인원과 확인된 석방 사이의 차이는 이 표본 안에서만 행방을 모르는 인원의 하한입니다.",
		"fictional":   "가상 자료: 여기 집계된 일부 인물이나 결과는 시연용 가상 자료입니다.",
	},
}

// factNames are the rule facts' names in Korean (English uses the names).
var factNames = map[string]string{"age": "나이", "sex": "성별", "facility": "시설", "facility_type": "시설 유형",
	"charges": "혐의", "sentence_years": "형기", "served_years": "복역 기간", "detained": "구금 여부", "prior_amnesties": "이전 사면"}

// ReportNotes are the analyst's notes on the decree, then what the figures
// say and do not say, in lang ("en" or "ko"); tr gives a decree text's form
// in lang (nil: as stored).
func ReportNotes(r *ReportData, lang string, tr func(string) string) []string {
	txt, ok := noteText[lang]
	if !ok {
		txt = noteText["en"]
	}
	if tr == nil {
		tr = func(s string) string { return s }
	}
	var notes []string
	if r.Decree.Notes != "" {
		notes = append(notes, txt["reading"]+tr(r.Decree.Notes))
	}
	if r.Decree.WordingTranslation != "" {
		notes = append(notes, txt["wording"]+tr(r.Decree.WordingTranslation))
	}
	if r.AnnouncedNumber != "" {
		notes = append(notes, txt["announced"]+tr(r.AnnouncedNumber))
	} else {
		notes = append(notes, txt["noannounced"])
	}
	o := r.Overall
	if !r.HasRule {
		notes = append(notes, txt["norule"])
	} else {
		notes = append(notes, fmt.Sprintf(txt["counts"],
			o.Documented, r.Date, o.HeldSure, o.Eligible, pct(o.Eligible, o.Documented), o.NotEligible, o.Undetermined))
		if len(o.Missing) > 0 {
			type kv struct {
				k string
				v int
			}
			var ms []kv
			for k, v := range o.Missing {
				ms = append(ms, kv{k, v})
			}
			slices.SortFunc(ms, func(a, b kv) int { return cmp.Or(cmp.Compare(b.v, a.v), cmp.Compare(a.k, b.k)) })
			var parts []string
			for _, m := range ms {
				name := m.k
				if n, ok := factNames[m.k]; ok && lang == "ko" {
					name = n
				}
				parts = append(parts, fmt.Sprintf("%s (%d)", name, m.v))
			}
			notes = append(notes, fmt.Sprintf(txt["missing"], strings.Join(parts, ", ")))
		}
	}
	notes = append(notes, fmt.Sprintf(txt["outcomes"],
		o.ReleaseVerified, o.ReleaseReported, o.NotReleased, o.DiedBefore, o.ReArrested, o.EligibleNoOutcome))
	if o.ReleasedNotEligible > 0 {
		notes = append(notes, fmt.Sprintf(txt["released"], o.ReleasedNotEligible))
	}
	notes = append(notes, txt["sample"])
	if r.Fictional {
		notes = append(notes, txt["fictional"])
	}
	return notes
}

// countColumns are the table and CSV columns, in order.
var countColumns = []string{"persons", "documented", "held", "eligible", "not_eligible", "undetermined",
	"release_verified", "release_reported", "not_released", "died_before", "re_arrested", "outcome_unknown",
	"eligible_no_outcome", "released_not_eligible"}

func (c Counts) values() []string {
	vs := []int{c.Persons, c.Documented, c.HeldSure, c.Eligible, c.NotEligible, c.Undetermined,
		c.ReleaseVerified, c.ReleaseReported, c.NotReleased, c.DiedBefore, c.ReArrested, c.OutcomeUnknown,
		c.EligibleNoOutcome, c.ReleasedNotEligible}
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = strconv.Itoa(v)
	}
	return out
}

func figure(p *int64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatInt(*p, 10)
}

// WriteReport writes the report as "table" (for people), "csv" (one row
// per scope: overall, each facility, each decree of the timeline) or
// "json" (the whole ReportData, without the per-person rows unless
// withPersons).
func WriteReport(w io.Writer, r *ReportData, format string, withPersons bool) error {
	switch format {
	case "json":
		out := *r
		if !withPersons {
			out.Persons = nil
		}
		b, err := rule.MarshalIndent(out)
		if err != nil {
			return err
		}
		_, err = w.Write(append(b, '\n'))
		return err
	case "csv":
		cw := csvcell.NewWriter(w)
		_ = cw.Write(append([]string{"scope", "key", "name", "date", "announced_figure"}, countColumns...))
		_ = cw.Write(append([]string{"overall", r.Decree.Key, r.Decree.Title, r.Date, figure(r.AnnouncedFigure)}, r.Overall.values()...))
		for _, f := range r.Facilities {
			_ = cw.Write(append([]string{"facility", f.Facility, f.Name, r.Date, ""}, f.values()...))
		}
		for _, t := range r.Timeline {
			_ = cw.Write(append([]string{"decree", t.Key, t.Title, t.Date, figure(t.AnnouncedFigure)}, t.values()...))
		}
		cw.Flush()
		return cw.Error()
	case "", "table":
		return writeTable(w, r)
	}
	return rollcall.Errorf(rollcall.EINVALID, "unknown format %q (table, csv or json)", format)
}

func writeTable(w io.Writer, r *ReportData) error {
	if r.Fictional {
		fmt.Fprintln(w, "*** FICTIONAL DEMO DATA ***")
	}
	fmt.Fprintf(w, "%s  %s\n", r.Decree.Key, r.Decree.Title)
	fmt.Fprintf(w, "decreed %s, announced %s, effective %s\n", r.Decree.Decreed.Human("en"), r.Decree.Announced.Human("en"), r.Decree.Effective.Human("en"))
	if r.Decree.Rule != "" {
		fmt.Fprintf(w, "rule: %s\n", strings.Join(strings.Fields(r.Decree.Rule), " "))
	}
	announced := r.AnnouncedNumber
	if announced == "" {
		announced = "none"
	}
	fmt.Fprintf(w, "announced: %s\n\n", announced)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scope\tdocumented\teligible\tundetermined\tnot eligible\tverified released\treported released\tnot released\tno outcome (eligible)\t")
	row := func(name string, c Counts) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", rule.Truncate(name, 32), c.Documented, c.Eligible, c.Undetermined, c.NotEligible,
			c.ReleaseVerified, c.ReleaseReported, c.NotReleased, c.EligibleNoOutcome)
	}
	row("overall", r.Overall)
	for _, f := range r.Facilities {
		row(f.Facility, f.Counts)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.Timeline) > 0 {
		fmt.Fprintln(w, "\nacross decrees:")
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "decree\tdate\tannounced\tdocumented\teligible\tundetermined\tverified released\tnot released\t")
		for _, t := range r.Timeline {
			ann := figure(t.AnnouncedFigure)
			if ann == "" {
				ann = "–"
			}
			elig, und := strconv.Itoa(t.Eligible), strconv.Itoa(t.Undetermined)
			switch {
			case t.Problem != "":
				elig, und = "error", "–"
			case !t.HasRule:
				elig, und = "no rule", "–"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%d\t%d\t\n", t.Key, t.Date, ann, t.Documented, elig, und, t.ReleaseVerified, t.NotReleased)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	fmt.Fprintln(w, "\nnotes:")
	for _, n := range r.Notes {
		fmt.Fprintf(w, "- %s\n", n)
	}
	return nil
}
