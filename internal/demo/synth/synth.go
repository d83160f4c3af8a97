// Package synth generates FICTIONAL test and demo data: a population of
// detainees with their true life courses, seen through several source lists
// that report each person with different chances and in different ways
// (hangul or romanized names in three systems and two name orders, partial
// and approximate birth dates, facility name variants, typos and duplicates
// within a list). The ground truth (which record describes which person) is
// kept apart so linkage and estimation can be measured. Every source, record
// and event it makes is marked Fictional. Generation is deterministic for a
// seed (math/rand/v2 PCG).
package synth

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/refdata"
	"github.com/rollcall-project/rollcall/internal/textnorm"
)

// Options size the generated data.
type Options struct {
	Persons int    // true population size; default 1000
	Seed    uint64 // random seed; the same seed gives the same data
	Sources int    // number of source lists; default 5
	// Hard renders the lists the way real ones differ most (see hard.go):
	// names in any order and spelling, popular given names, province and
	// facility aliases, fewer persons reported, more missing fields. The
	// default population is unchanged by it.
	Hard bool
}

// PersonID identifies a true (fictional) person, from 1.
type PersonID int

// RecordKey names a record by its source's key and its own key.
type RecordKey struct{ Source, Record string }

// Person is one fictional detainee as they really were: the truth the
// sources report imperfectly.
type Person struct {
	ID          PersonID
	Hangul      string // South Korean spelling, surname first
	NorthHangul string // North Korean spelling (리 for 이, ...)
	Sex         string // "m" or "f"
	Birth       time.Time
	Province    string // English name
	ProvinceKo  string
	// Class is the latent visibility class: 0 well known, 1 middling, 2
	// hardly reported. Sources' chances of reporting a person depend on it.
	Class     int
	ChargeCat string
	// Facility is where the person was mainly held; FirstFacility a
	// holding centre before a transfer there, or nil.
	Facility      *rollcall.Facility
	FirstFacility *rollcall.Facility
	Arrest        time.Time
	Detained      time.Time
	Transfer      time.Time // zero if none
	SentenceYears *float64  // nil: no trial (kwanliso)
	Released      time.Time // zero if not released
	Amnesty       bool      // released under the 2015 amnesty
	Died          time.Time // zero if not known dead
	Fate          string    // vocabulary "fate", as of the end of 2024

	sur   *surname
	given string
}

// Record is a generated record with the key of its source.
type Record struct {
	Source string
	rollcall.Record
	style style
}

// Event is a generated event with the keys it refers to: its source, the
// record of the victim in that source and the facility.
type Event struct {
	Source   string
	Record   string
	Facility string
	rollcall.Event
}

// Dataset is everything Generate makes.
type Dataset struct {
	Options Options
	Persons []Person
	Sources []rollcall.Source
	Records []Record
	Events  []Event
	// Truth maps every record to the person it describes.
	Truth map[RecordKey]PersonID

	styles map[string]style
}

// style is how a source writes names, dates and places.
type style int

const (
	styleRR     style = iota // NGO list: Revised Romanization, conventional surnames
	styleMR                  // UN submission: McCune–Reischauer, with or without diacritics
	styleHangul              // testimonies: hangul
	styleState               // state media: North Korean romanization, amnesty list
	stylePress               // press: "KIM, Yong Hui, b. c. 1961"
)

type profile struct {
	style       style
	key         string
	kind        string
	title       string
	org         string
	lang        string
	date        string
	reliability string
	credibility int
	p           [3]float64 // chance of reporting a person, by latent class
	dup, typo   float64
}

var profiles = []profile{
	{styleRR, "syn-ngo", "ngo_report", "Fictional NGO list of detainees", "Fictional Documentation Centre", "en", "2024-06", "B", 2, [3]float64{0.75, 0.35, 0.08}, 0.03, 0.04},
	{styleMR, "syn-un", "un_report", "Fictional submission to the UN Working Group", "Fictional Coalition", "en", "2023-11", "B", 3, [3]float64{0.55, 0.18, 0.04}, 0.02, 0.03},
	{styleHangul, "syn-testimony", "testimony", "Fictional interviews with former detainees", "Fictional Documentation Centre", "ko", "2024", "C", 3, [3]float64{0.5, 0.3, 0.1}, 0.04, 0.02},
	{styleState, "syn-state", "state_media", "Fictional state media list of amnestied convicts", "Fictional News Agency", "en", "2015-08", "E", 4, [3]float64{0.6, 0.45, 0.3}, 0.01, 0.01},
	{stylePress, "syn-press", "news_report", "Fictional press report on prison camps", "Fictional Daily", "en", "2022-03", "C", 3, [3]float64{0.4, 0.1, 0.02}, 0.01, 0.05},
}

// North Korean provinces with rough weights (border provinces are over-
// represented among the detained, as among escapees).
var provinces = []struct {
	en, ko string
	w      float64
}{
	{"Pyongyang", "평양시", 10}, {"South Pyongan", "평안남도", 14}, {"North Pyongan", "평안북도", 11},
	{"Chagang", "자강도", 5}, {"South Hwanghae", "황해남도", 9}, {"North Hwanghae", "황해북도", 8},
	{"Kangwon", "강원도", 6}, {"South Hamgyong", "함경남도", 12}, {"North Hamgyong", "함경북도", 16},
	{"Ryanggang", "량강도", 10}, {"Rason", "라선시", 1}, {"Nampo", "남포시", 2},
}

// Charges as sources write them, by charge category: English, Korean.
var chargeText = map[string][2]string{
	"political":               {"anti-state activity", "반국가 행위"},
	"crimes_against_state":    {"crime against the country and people", "반국가 반민족 범죄"},
	"economic":                {"illegal trade", "비법 장사"},
	"illegal_border_crossing": {"illegal border crossing", "비법월경"},
	"religious":               {"religious activity", "종교 활동"},
	"unauthorised_media":      {"watching South Korean dramas", "남한 드라마 시청"},
	"ordinary_criminal":       {"theft", "절도"},
	"guilt_by_association":    {"family of a defector", "연좌제"},
	"other":                   {"unknown", "모름"},
}

type weighted struct {
	v string
	w float64
}

var chargeMix = map[string][]weighted{
	"kwanliso":  {{"political", 55}, {"guilt_by_association", 30}, {"religious", 10}, {"unauthorised_media", 5}},
	"kyohwaso":  {{"crimes_against_state", 28}, {"economic", 22}, {"illegal_border_crossing", 15}, {"unauthorised_media", 10}, {"ordinary_criminal", 20}, {"religious", 3}, {"other", 2}},
	"jipkyulso": {{"illegal_border_crossing", 90}, {"other", 10}},
}

func pickW(r *rand.Rand, xs []weighted) string {
	w := make([]float64, len(xs))
	for i, x := range xs {
		w[i] = x.w
	}
	return xs[pickWeighted(r, w)].v
}

var (
	amnestyDate = time.Date(2015, 8, 1, 0, 0, 0, 0, time.UTC)
	horizon     = time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)
)

func day(t time.Time) rollcall.PartialDate {
	if t.IsZero() {
		return rollcall.PartialDate{}
	}
	d, _ := rollcall.NewDate(t.Year(), int(t.Month()), t.Day())
	return d
}

func addDays(t time.Time, n int) time.Time { return t.AddDate(0, 0, n) }

func between(r *rand.Rand, a, b time.Time) time.Time {
	days := int(b.Sub(a).Hours() / 24)
	if days <= 0 {
		return a
	}
	return addDays(a, r.IntN(days+1))
}

func closedYear(f *rollcall.Facility) int {
	if f.Closed.IsZero() {
		return 0
	}
	y, _, _ := f.Closed.Latest()
	return y
}

// Generate makes a dataset. It fails only if the embedded reference data
// cannot be read.
func Generate(opts Options) (*Dataset, error) {
	if opts.Persons <= 0 {
		opts.Persons = 1000
	}
	if opts.Sources <= 0 {
		opts.Sources = len(profiles)
	}
	nm, err := loadNames()
	if err != nil {
		return nil, err
	}
	facs, err := refdata.Facilities()
	if err != nil {
		return nil, err
	}
	byType := map[string][]*rollcall.Facility{}
	for i := range facs {
		byType[facs[i].Type] = append(byType[facs[i].Type], &facs[i])
	}
	r := newRand(opts.Seed)
	ds := &Dataset{Options: opts, Truth: map[RecordKey]PersonID{}, styles: map[string]style{}}
	ds.Persons = make([]Person, opts.Persons)
	for i := range ds.Persons {
		ds.Persons[i] = newPerson(r, nm, byType, PersonID(i+1), opts.Hard)
	}
	ds.observe(r)
	ds.makeEvents()
	return ds, nil
}

func newPerson(r *rand.Rand, nm *names, byType map[string][]*rollcall.Facility, id PersonID, hard bool) Person {
	p := Person{ID: id}
	p.sur = nm.pickSurname(r)
	p.Sex = "m"
	if r.Float64() < 0.4 {
		p.Sex = "f"
	}
	syl := givenSyllables[p.Sex]
	for !hard {
		p.given = pick(r, syl[0]) + pick(r, syl[1])
		if []rune(p.given)[0] != []rune(p.given)[1] {
			break
		}
	}
	if hard {
		p.given = hardGiven(r, p.Sex)
	}
	p.Hangul = p.sur.hangul + p.given
	north := p.sur.hangul
	if n, ok := northSurname[north]; ok {
		north = n
	}
	p.NorthHangul = north + p.given
	pw := make([]float64, len(provinces))
	for i, pr := range provinces {
		pw[i] = pr.w
	}
	pr := provinces[pickWeighted(r, pw)]
	p.Province, p.ProvinceKo = pr.en, pr.ko
	p.Class = pickWeighted(r, []float64{0.2, 0.5, 0.3})

	p.Arrest = between(r, time.Date(1995, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2021, 12, 31, 0, 0, 0, 0, time.UTC))
	age := 18 + int(r.Float64()*r.Float64()*47) // skewed young, 18–64
	p.Birth = between(r, time.Date(p.Arrest.Year()-age-1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(p.Arrest.Year()-age-1, 12, 31, 0, 0, 0, 0, time.UTC))
	p.Detained = addDays(p.Arrest, 14+r.IntN(170))

	typ := pickW(r, []weighted{{"kwanliso", 30}, {"kyohwaso", 55}, {"jipkyulso", 15}})
	p.Facility = pickFacility(r, byType[typ], p.Detained.Year())
	p.ChargeCat = pickW(r, chargeMix[typ])
	switch typ {
	case "kwanliso":
		p.kwanlisoCourse(r, byType["kwanliso"])
	case "jipkyulso":
		stay := 30 + r.IntN(150)
		end := addDays(p.Detained, stay)
		if r.Float64() < 0.4 {
			// Transferred to a reeducation camp after sentencing.
			p.FirstFacility, p.Transfer = p.Facility, end
			p.Facility = pickFacility(r, byType["kyohwaso"], end.Year())
			p.kyohwasoCourse(r, end, 1+r.IntN(5))
		} else {
			p.Released, p.Fate = end, "released"
		}
	default:
		p.kyohwasoCourse(r, p.Detained, pick(r, []int{2, 3, 4, 5, 5, 7, 10, 10, 12, 15}))
	}
	return p
}

// pickFacility picks a facility of the type that was open in year y,
// falling back to any of the type.
func pickFacility(r *rand.Rand, fs []*rollcall.Facility, y int) *rollcall.Facility {
	var open []*rollcall.Facility
	for _, f := range fs {
		if cy := closedYear(f); cy == 0 || cy > y {
			open = append(open, f)
		}
	}
	if len(open) == 0 {
		open = fs
	}
	return pick(r, open)
}

func (p *Person) kwanlisoCourse(r *rand.Rand, camps []*rollcall.Facility) {
	// No trial, no term.
	x := r.Float64()
	last := horizon
	if cy := closedYear(p.Facility); cy != 0 {
		last = time.Date(cy, 6, 29, 0, 0, 0, 0, time.UTC)
	}
	switch {
	case x < 0.25:
		p.Died, p.Fate = between(r, addDays(p.Detained, 180), last), "died"
	case x < 0.33:
		p.Released, p.Fate = between(r, p.Detained.AddDate(3, 0, 0), p.Detained.AddDate(10, 0, 0)), "released"
		if p.Released.After(last) {
			p.Released = last
		}
	case x < 0.38:
		p.Fate = "unknown"
	default:
		p.Fate = "detained"
	}
	if !p.Released.IsZero() && p.Released.After(horizon) {
		p.Released, p.Fate = time.Time{}, "detained"
	}
	// A closed camp moved its prisoners elsewhere.
	if cy := closedYear(p.Facility); cy != 0 && p.Fate == "detained" {
		cl := time.Date(cy, 6, 30, 0, 0, 0, 0, time.UTC)
		if r.Float64() < 0.6 {
			p.FirstFacility, p.Transfer = p.Facility, cl
			p.Facility = pickFacility(r, camps, cy)
		} else {
			p.Fate = "unknown"
		}
	}
}

func (p *Person) kyohwasoCourse(r *rand.Rand, start time.Time, years int) {
	y := float64(years)
	p.SentenceYears = &y
	end := start.AddDate(years, 0, 0)
	heldOnAmnesty := !start.After(amnestyDate) && end.After(amnestyDate)
	x := r.Float64()
	switch {
	case heldOnAmnesty && (p.ChargeCat == "crimes_against_state" && x < 0.45 || x < 0.08):
		// Two rounds were reported: August and October 2015.
		if r.IntN(3) == 0 {
			p.Released = between(r, time.Date(2015, 10, 8, 0, 0, 0, 0, time.UTC), time.Date(2015, 10, 9, 0, 0, 0, 0, time.UTC))
		} else {
			p.Released = between(r, amnestyDate, time.Date(2015, 8, 15, 0, 0, 0, 0, time.UTC))
		}
		p.Amnesty, p.Fate = true, "amnesty_released"
	case x > 0.93:
		p.Died, p.Fate = between(r, addDays(start, 30), end), "died"
		if p.Died.After(horizon) {
			p.Died, p.Fate = time.Time{}, "detained"
		}
	case end.After(horizon):
		p.Fate = "detained"
	default:
		p.Released, p.Fate = end, "released"
	}
}

// knownAt reports what a source dated at asOf can know of the person's fate.
func (p *Person) fateAt(asOf time.Time) string {
	switch {
	case !p.Died.IsZero() && !p.Died.After(asOf):
		return "died"
	case !p.Released.IsZero() && !p.Released.After(asOf):
		if p.Amnesty {
			return "amnesty_released"
		}
		return "released"
	case p.Fate == "unknown":
		return "unknown"
	}
	return "detained"
}

func sourceDate(s string) time.Time {
	d := rollcall.MustDate(s)
	return d.LatestTime()
}

// observe decides which sources report whom and renders their records.
func (ds *Dataset) observe(r *rand.Rand) {
	n := ds.Options.Sources
	profs := make([]profile, n)
	for i := range n {
		pr := profiles[i%len(profiles)]
		if i >= len(profiles) {
			k := i/len(profiles) + 1
			pr.key = fmt.Sprintf("%s-%d", pr.key, k)
			pr.title = fmt.Sprintf("%s (%d)", pr.title, k)
			f := 0.5 + 0.7*r.Float64()
			for c := range pr.p {
				pr.p[c] = min(0.95, pr.p[c]*f)
			}
		}
		profs[i] = pr
		ds.styles[pr.key] = pr.style
		src := rollcall.Source{
			Key: pr.key, Kind: pr.kind, Title: pr.title, Organisation: pr.org,
			Date: rollcall.MustDate(pr.date), Language: pr.lang,
			Reliability: pr.reliability, Credibility: pr.credibility,
			Sensitivity: rollcall.Internal, Fictional: true,
			Notes: "FICTIONAL list generated by rollcall synth for tests and demos; no real person.",
		}
		if pr.kind == "testimony" {
			src.Sensitivity = rollcall.Confidential
		}
		ds.Sources = append(ds.Sources, src)
	}
	perSource := make([][]Record, n)
	inNGO := make([]bool, len(ds.Persons))
	for i := range ds.Persons {
		p := &ds.Persons[i]
		for s, pr := range profs {
			asOf := sourceDate(pr.date)
			if p.Arrest.After(asOf) {
				continue
			}
			prob := pr.p[p.Class]
			if ds.Options.Hard {
				prob *= hardCoverage
			}
			switch pr.style {
			case styleState:
				switch {
				case p.Amnesty:
				case p.ChargeCat == "crimes_against_state" && p.Detained.Before(amnestyDate):
					prob *= 0.2
				default:
					prob = 0
				}
			case styleMR:
				// The UN submission draws on the NGO's list.
				if inNGO[i] {
					prob = min(0.95, prob*1.6)
				}
			}
			if r.Float64() >= prob {
				continue
			}
			if pr.style == styleRR {
				inNGO[i] = true
			}
			copies := 1
			dup := pr.dup
			if ds.Options.Hard {
				dup = max(dup, hardDup)
			}
			if r.Float64() < dup {
				copies = 2
			}
			for range copies {
				perSource[s] = append(perSource[s], ds.render(r, p, pr, asOf))
			}
		}
	}
	for s, recs := range perSource {
		// Sources list people in their own order, not ours.
		r.Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
		prefix := strings.ToUpper(strings.TrimPrefix(profs[s].key, "syn-"))
		for i := range recs {
			recs[i].Key = fmt.Sprintf("%s-%06d", prefix, i+1)
			ds.Truth[RecordKey{recs[i].Source, recs[i].Key}] = PersonID(*recs[i].PersonID)
			recs[i].PersonID = nil
		}
		ds.Records = append(ds.Records, recs...)
	}
}

// pid carries the true person id through rendering; observe moves it to
// Truth and clears it, so records never carry the answer.
func pid(id PersonID) *int64 { v := int64(id); return &v }

func (ds *Dataset) render(r *rand.Rand, p *Person, pr profile, asOf time.Time) Record {
	rec := Record{Source: pr.key, style: pr.style}
	rec.Sensitivity = rollcall.Internal
	rec.Fictional = true
	rec.PersonID = pid(p.ID)
	rec.Sex = p.Sex
	if r.Float64() < 0.05 {
		rec.Sex = ""
	}
	rec.Name, rec.NameAlt = ds.renderName(r, p, pr.style)
	if r.Float64() < pr.typo {
		rec.Name = typo(r, rec.Name)
	}
	rec.BirthDate = renderBirth(r, p.Birth, pr.style)
	lang := 0
	if pr.style == styleHangul {
		lang = 1
		rec.Province = p.ProvinceKo
	} else if r.Float64() < 0.85 {
		rec.Province = p.Province
	}
	ct := chargeText[p.ChargeCat]
	switch pr.style {
	case styleState:
		rec.Charge = "crimes against the country and people"
		rec.ChargeCat = "crimes_against_state"
	default:
		if r.Float64() < 0.8 {
			rec.Charge = ct[lang]
		}
		if pr.style == styleRR && r.Float64() < 0.7 {
			rec.ChargeCat = p.ChargeCat
		}
	}
	rec.FacilityText = renderFacility(r, p.Facility, pr.style)
	rec.ArrestDate = coarsen(r, p.Arrest, pr.style)
	if pr.style == styleRR && r.Float64() < 0.6 {
		rec.DetainedFrom = rollcall.MustDate(p.Detained.Format("2006-01"))
	}
	if p.SentenceYears != nil && pr.style != styleState && r.Float64() < 0.7 {
		y := *p.SentenceYears
		rec.SentenceYears = &y
	}
	rec.Fate = p.fateAt(asOf)
	if rec.Fate == "amnesty_released" || rec.Fate == "released" {
		rec.ReleasedOn = coarsen(r, p.Released, pr.style)
	}
	if pr.style != styleState && r.Float64() < 0.1 {
		rec.Fate = "unknown"
	}
	if ds.Options.Hard {
		ds.harden(r, &rec, p, pr)
	}
	return rec
}

// firstSyllable returns the first rune of s as a string.
func firstSyllable(s string) string {
	for _, r := range s {
		return string(r)
	}
	return ""
}

// renderName writes the person's name the way the source style does.
func (ds *Dataset) renderName(r *rand.Rand, p *Person, st style) (name, alt string) {
	switch st {
	case styleRR:
		sur := p.sur.spellings[pickWeighted(r, p.sur.spellW)]
		syl := romanSyllables(p.given, textnorm.RR)
		var given string
		switch x := r.Float64(); {
		case x < 0.5:
			given = capitalize(strings.Join(syl, "-"))
		case x < 0.85:
			given = capitalize(strings.Join(syl, ""))
		default:
			given = capitalize(syl[0]) + " " + capitalize(syl[1])
		}
		name = sur + " " + given
		if r.Float64() < 0.15 {
			name = given + " " + sur // Western order
		}
		if r.Float64() < 0.3 {
			alt = p.Hangul
		}
	case styleMR:
		full := p.Hangul
		sur := p.sur.mr
		if r.Float64() < 0.3 {
			full = p.NorthHangul
			if nk, ok := northRomanSurname[firstSyllable(full)]; ok {
				sur = nk
			}
		}
		given := givenMR(full, textnorm.MR)
		if r.Float64() < 0.5 {
			sur, given = stripDiacritics(sur), stripDiacritics(given)
		}
		if r.Float64() < 0.4 {
			sur = strings.ToUpper(sur)
		}
		name = sur + " " + given
	case styleHangul:
		full := p.Hangul
		if r.Float64() < 0.3 {
			full = p.NorthHangul
		}
		name = full
		if r.Float64() < 0.15 {
			name = p.sur.hangul + " " + p.given
		}
	case styleState:
		sur := stripDiacritics(p.sur.mr)
		if nk, ok := northRomanSurname[firstSyllable(p.NorthHangul)]; ok {
			sur = nk
		}
		name = sur + " " + givenMR(p.NorthHangul, textnorm.NK)
	case stylePress:
		sur := stripDiacritics(p.sur.mr)
		if nk, ok := northRomanSurname[firstSyllable(p.NorthHangul)]; ok && r.Float64() < 0.5 {
			sur = nk
		}
		name = strings.ToUpper(sur) + ", " + givenMR(p.NorthHangul, textnorm.NK)
	}
	return name, alt
}

// renderBirth gives the birth date at the precision the style tends to
// give, sometimes approximate or a year off.
func renderBirth(r *rand.Rand, b time.Time, st style) rollcall.PartialDate {
	// chances of: full day, month, year, about the year, nothing
	w := map[style][]float64{
		styleRR:     {0.2, 0.1, 0.5, 0.1, 0.1},
		styleMR:     {0.4, 0.05, 0.35, 0, 0.2},
		styleHangul: {0.1, 0.05, 0.4, 0.3, 0.15},
		styleState:  {0, 0, 0.6, 0, 0.4},
		stylePress:  {0, 0, 0.2, 0.6, 0.2},
	}[st]
	y := b.Year()
	if r.Float64() < 0.08 {
		y += pick(r, []int{-1, 1})
	}
	switch pickWeighted(r, w) {
	case 0:
		d, err := rollcall.NewDate(y, int(b.Month()), b.Day())
		if err != nil { // 29 February moved to a common year
			d, _ = rollcall.NewDate(y, int(b.Month()), 28)
		}
		return d
	case 1:
		d, _ := rollcall.NewDate(y, int(b.Month()), 0)
		return d
	case 2:
		d, _ := rollcall.NewDate(y, 0, 0)
		return d
	case 3:
		d, _ := rollcall.NewDate(y, 0, 0)
		return d.WithQualifier(rollcall.QualAbout)
	}
	return rollcall.PartialDate{}
}

// coarsen gives an event date at the precision a style tends to know.
func coarsen(r *rand.Rand, t time.Time, st style) rollcall.PartialDate {
	if t.IsZero() {
		return rollcall.PartialDate{}
	}
	x := r.Float64()
	switch {
	case st == styleMR && x < 0.5, st == styleState && x < 0.8:
		return day(t)
	case (st == styleRR || st == styleMR) && x < 0.85:
		d, _ := rollcall.NewDate(t.Year(), int(t.Month()), 0)
		return d
	case st == styleHangul && x < 0.2:
		d, _ := rollcall.NewDate(t.Year(), 0, 0)
		return d.WithQualifier(rollcall.QualAbout)
	case x < 0.92:
		d, _ := rollcall.NewDate(t.Year(), 0, 0)
		return d
	}
	return rollcall.PartialDate{}
}

// renderFacility names the facility the way the style does: "Camp 15",
// "Kwan-li-so No. 15", "요덕 관리소", "Yodok".
func renderFacility(r *rand.Rand, f *rollcall.Facility, st style) string {
	if f == nil {
		return ""
	}
	var latin, hangul, numbered []string
	for _, a := range append([]string{f.NameEn, f.NameKo}, f.Aliases...) {
		switch {
		case a == "":
		case textnorm.HasHangul(a):
			hangul = append(hangul, a)
		default:
			latin = append(latin, a)
			if strings.Contains(a, "No.") {
				numbered = append(numbered, a)
			}
		}
	}
	switch st {
	case styleHangul:
		if len(hangul) > 0 {
			return pick(r, hangul)
		}
	case styleMR:
		if len(numbered) > 0 && r.Float64() < 0.7 {
			return pick(r, numbered)
		}
	case styleState:
		if r.Float64() < 0.7 {
			return ""
		}
		return f.Type
	}
	if r.Float64() < 0.05 {
		return ""
	}
	return pick(r, latin)
}

// makeEvents writes each reported person's life course as events, attached
// to one of their records (the most detailed source that reports them).
func (ds *Dataset) makeEvents() {
	pref := map[style]int{styleHangul: 0, styleRR: 1, styleMR: 2, stylePress: 3, styleState: 4}
	best := map[PersonID]RecordKey{}
	bestRank := map[PersonID]int{}
	for _, rec := range ds.Records {
		k := RecordKey{rec.Source, rec.Key}
		id := ds.Truth[k]
		rank := pref[rec.style]
		if old, ok := best[id]; !ok || rank < bestRank[id] || rank == bestRank[id] && (k.Source < old.Source || k.Source == old.Source && k.Record < old.Record) {
			best[id], bestRank[id] = k, rank
		}
	}
	for i := range ds.Persons {
		p := &ds.Persons[i]
		k, ok := best[p.ID]
		if !ok {
			continue
		}
		n := 0
		add := func(typ string, from, to time.Time, fac *rollcall.Facility, mod func(*rollcall.Event)) {
			n++
			e := Event{Source: k.Source, Record: k.Record}
			e.Key = fmt.Sprintf("syn-%d-%06d-%02d", ds.Options.Seed, p.ID, n)
			e.Type = typ
			e.Date, e.EndDate = day(from), day(to)
			if fac != nil {
				e.Facility = fac.Key
			}
			e.Sensitivity = rollcall.Internal
			e.Fictional = true
			if mod != nil {
				mod(&e.Event)
			}
			ds.Events = append(ds.Events, e)
		}
		agency := "People's Security"
		if p.Facility.Type == "kwanliso" {
			agency = "State Security"
		}
		add("arrest", p.Arrest, time.Time{}, nil, func(e *rollcall.Event) {
			e.Place, e.Perpetrator, e.ChargeCat = p.Province, agency, p.ChargeCat
		})
		add("interrogation", p.Arrest, addDays(p.Detained, -1), nil, func(e *rollcall.Event) {
			e.Place, e.Perpetrator = p.Province+" pre-trial detention", agency
		})
		if p.SentenceYears != nil {
			start := p.Detained
			if p.FirstFacility != nil && p.FirstFacility.Type == "jipkyulso" {
				start = p.Transfer
			}
			add("sentence", addDays(start, -1), time.Time{}, nil, func(e *rollcall.Event) {
				y := *p.SentenceYears
				e.SentenceYears, e.ChargeCat = &y, p.ChargeCat
			})
		}
		end := p.Released
		if !p.Died.IsZero() {
			end = p.Died
		}
		from := p.Detained
		if p.FirstFacility != nil {
			add("detention", p.Detained, p.Transfer, p.FirstFacility, nil)
			add("transfer", p.Transfer, time.Time{}, p.Facility, func(e *rollcall.Event) {
				e.Description = "from " + p.FirstFacility.Key
			})
			from = p.Transfer
		}
		add("detention", from, end, p.Facility, nil)
		switch {
		case !p.Died.IsZero():
			add("death_in_custody", p.Died, time.Time{}, p.Facility, nil)
		case p.Amnesty:
			add("amnesty_release", p.Released, time.Time{}, p.Facility, func(e *rollcall.Event) {
				e.Description = "released under the 2015 amnesty (kp-amnesty-2015)"
			})
		case !p.Released.IsZero():
			add("release", p.Released, time.Time{}, p.Facility, nil)
		}
	}
}

// TruthRow is one line of the ground truth.
type TruthRow struct {
	Key    RecordKey
	Person PersonID
}

// SortedTruth returns the truth sorted by source and record key.
func (ds *Dataset) SortedTruth() []TruthRow {
	out := make([]TruthRow, 0, len(ds.Truth))
	for k, v := range ds.Truth {
		out = append(out, TruthRow{k, v})
	}
	slices.SortFunc(out, func(a, b TruthRow) int {
		if c := strings.Compare(a.Key.Source, b.Key.Source); c != 0 {
			return c
		}
		return strings.Compare(a.Key.Record, b.Key.Record)
	})
	return out
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }
