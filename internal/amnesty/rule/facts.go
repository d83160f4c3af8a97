package rule

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/rollcall-project/rollcall"
)

// Fact names, in the order decisions list them.
const (
	FactAge            = "age"
	FactSex            = "sex"
	FactFacility       = "facility"
	FactFacilityType   = "facility_type"
	FactCharges        = "charges"
	FactSentenceYears  = "sentence_years"
	FactServedYears    = "served_years"
	FactDetained       = "detained"
	FactPriorAmnesties = "prior_amnesties"
)

// FactNames lists every fact a rule may use, in reporting order.
var FactNames = [nFacts]string{FactAge, FactSex, FactFacility, FactFacilityType, FactCharges,
	FactSentenceYears, FactServedYears, FactDetained, FactPriorAmnesties}

const (
	iAge = iota
	iSex
	iFacility
	iFacilityType
	iCharges
	iSentenceYears
	iServedYears
	iDetained
	iPriorAmnesties
	nFacts
)

func factIndex(name string) int {
	switch name {
	case FactAge:
		return iAge
	case FactSex:
		return iSex
	case FactFacility:
		return iFacility
	case FactFacilityType:
		return iFacilityType
	case FactCharges:
		return iCharges
	case FactSentenceYears:
		return iSentenceYears
	case FactServedYears:
		return iServedYears
	case FactDetained:
		return iDetained
	case FactPriorAmnesties:
		return iPriorAmnesties
	}
	return -1
}

// maxAge bounds an age whose birth date has no lower bound ("before 1950").
const maxAge = 120

// Range is what is known about a numeric fact: nothing (Known false), or
// that it lies in [Lo, Hi]; Lo == Hi is an exact value and the ends may be
// infinite.
type Range struct {
	Known  bool
	Lo, Hi float64
}

// MarshalText writes String, so JSON shows "64–65" or "unknown" (and
// never an infinity JSON cannot hold).
func (r Range) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// Exact returns the range holding only v.
func Exact(v float64) Range { return Range{Known: true, Lo: v, Hi: v} }

// Between returns [lo, hi].
func Between(lo, hi float64) Range { return Range{Known: true, Lo: lo, Hi: hi} }

// AtLeast returns [lo, +Inf).
func AtLeast(lo float64) Range { return Range{Known: true, Lo: lo, Hi: math.Inf(1)} }

func fmtNum(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "∞"
	case math.IsInf(v, -1):
		return "-∞"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// String renders the range: "unknown", "65", "64–65", "≥ 2".
func (r Range) String() string {
	switch {
	case !r.Known:
		return "unknown"
	case r.Lo == r.Hi:
		return fmtNum(r.Lo)
	case math.IsInf(r.Hi, 1):
		return "≥ " + fmtNum(r.Lo)
	}
	return fmtNum(r.Lo) + "–" + fmtNum(r.Hi)
}

// Facts are one person's facts on a decree's effective date. A nil string
// slice is unknown; several strings are alternatives (exactly one holds).
type Facts struct {
	Age          Range    `json:"-"`
	Sex          []string `json:"-"`
	Facility     []string `json:"-"`
	FacilityType []string `json:"-"`
	// Placements, when set, are the (facility, facility_type) pairs that
	// can hold together, so a rule using both is not tried on impossible
	// mixes of one facility's name and another's type.
	Placements     [][2]string `json:"-"`
	ChargesKnown   bool        `json:"-"`
	Charges        []string    `json:"-"`
	SentenceYears  Range       `json:"-"`
	ServedYears    Range       `json:"-"`
	Detained       *bool       `json:"-"`
	PriorAmnesties Range       `json:"-"`
}

// Describe renders each fact for people: "unknown", a value, a range or
// alternatives joined by " | ". It is the JSON form of Facts.
func (f Facts) Describe() map[string]string {
	alt := func(v []string) string {
		if v == nil {
			return "unknown"
		}
		return strings.Join(v, " | ")
	}
	out := map[string]string{
		FactAge:            f.Age.String(),
		FactSex:            alt(f.Sex),
		FactFacility:       alt(f.Facility),
		FactFacilityType:   alt(f.FacilityType),
		FactSentenceYears:  f.SentenceYears.String(),
		FactServedYears:    roundRange(f.ServedYears).String(),
		FactPriorAmnesties: f.PriorAmnesties.String(),
		FactDetained:       "unknown",
		FactCharges:        "unknown",
	}
	if f.Detained != nil {
		out[FactDetained] = strconv.FormatBool(*f.Detained)
	}
	if f.ChargesKnown {
		out[FactCharges] = "[" + strings.Join(f.Charges, ", ") + "]"
	}
	return out
}

// MarshalJSON writes Describe.
func (f Facts) MarshalJSON() ([]byte, error) {
	return MarshalIndent(f.Describe())
}

func roundRange(r Range) Range {
	round := func(v float64) float64 {
		if math.IsInf(v, 0) {
			return v
		}
		return math.Round(v*100) / 100
	}
	r.Lo, r.Hi = round(r.Lo), round(r.Hi)
	return r
}

// Detainee is what is documented about one person, before it is read on a
// particular date. Empty values are unknown.
type Detainee struct {
	// ID names the person in output: the CSV id, or the person id.
	ID       string `json:"id"`
	PersonID int64  `json:"person_id,omitempty"`
	Sex      string `json:"sex,omitempty"`
	// BirthDate, SentenceStart, DetainedFrom and ReleasedOn may be partial.
	BirthDate rollcall.PartialDate `json:"birth_date"`
	// Facility and FacilityType are the alternatives on the effective date
	// (computed by the caller, who knows about transfers); nil is unknown.
	Facility     []string `json:"facility,omitempty"`
	FacilityType []string `json:"facility_type,omitempty"`
	// Placements pair each facility alternative with its type, when known.
	Placements    [][2]string          `json:"-"`
	ChargesKnown  bool                 `json:"charges_known"`
	Charges       []string             `json:"charges,omitempty"`
	SentenceYears Range                `json:"sentence_years"`
	SentenceStart rollcall.PartialDate `json:"sentence_start"`
	DetainedFrom  rollcall.PartialDate `json:"detained_from"`
	ReleasedOn    rollcall.PartialDate `json:"released_on"`
	// PriorAmnesties is a range: exact from a CSV, a lower bound from a database.
	PriorAmnesties Range `json:"prior_amnesties"`
}

// Span is the days a date may be, as day numbers since 1970-01-01, with
// infinite ends when it is unbounded.
type Span struct{ Lo, Hi float64 }

func dayNumber(y, m, d int) float64 {
	return float64(time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// SpanOf is the span of days p allows.
func SpanOf(p rollcall.PartialDate) Span {
	s := Span{math.Inf(-1), math.Inf(1)}
	if y, m, d := p.Earliest(); y != rollcall.MinYear {
		s.Lo = dayNumber(y, m, d)
	}
	if y, m, d := p.Latest(); y != rollcall.MaxYear {
		s.Hi = dayNumber(y, m, d)
	}
	return s
}

// On is the decree date facts are read on (NewOn), as a span of days and
// of calendar dates (for ages).
type On struct {
	// Days is the span of the date; both ends are finite.
	Days        Span
	early, late [3]int // y, m, d
	date        rollcall.PartialDate
}

// NewOn prepares p for reading facts on it; it must be a date with both
// ends bounded.
func NewOn(p rollcall.PartialDate) (On, error) {
	if p.IsZero() {
		return On{}, rollcall.Errorf(rollcall.EINVALID, "the decree has no effective, announced or decreed date")
	}
	ey, em, ed := p.Earliest()
	ly, lm, ld := p.Latest()
	if ey == rollcall.MinYear || ly == rollcall.MaxYear {
		return On{}, rollcall.Errorf(rollcall.EINVALID, "the decree date %q is open-ended", p.String())
	}
	return On{
		Days:  Span{dayNumber(ey, em, ed), dayNumber(ly, lm, ld)},
		early: [3]int{ey, em, ed}, late: [3]int{ly, lm, ld}, date: p,
	}, nil
}

// Date is the date as given.
func (o On) Date() rollcall.PartialDate { return o.date }

// Earliest is the first day the date may be.
func (o On) Earliest() time.Time {
	return time.Date(o.early[0], time.Month(o.early[1]), o.early[2], 0, 0, 0, 0, time.UTC)
}

// ageAt is the whole years from birth day b to day d.
func ageAt(b, d [3]int) int {
	a := d[0] - b[0]
	if d[1] < b[1] || (d[1] == b[1] && d[2] < b[2]) {
		a--
	}
	return a
}

// yearsBetween is the calendar years from day a to day b: whole years as
// for an age, plus the fraction of the year after the last anniversary, so
// 2010-08-01 to 2015-08-01 is exactly 5 whatever the leap days.
func yearsBetween(a, b [3]int) float64 {
	whole := ageAt(a, b)
	t := func(y int) time.Time { return time.Date(y, time.Month(a[1]), a[2], 0, 0, 0, 0, time.UTC) }
	anniv, next := t(a[0]+whole), t(a[0]+whole+1)
	day := time.Date(b[0], time.Month(b[1]), b[2], 0, 0, 0, 0, time.UTC)
	return float64(whole) + day.Sub(anniv).Hours()/next.Sub(anniv).Hours()
}

func clampAge(a int) float64 { return float64(min(max(a, 0), maxAge)) }

// FactsOn reads d's documented facts on the date e.
func (d Detainee) FactsOn(e On) Facts {
	var f Facts
	// Age: the youngest is born as late as possible and counted on the
	// earliest day; the oldest the other way round.
	if !d.BirthDate.IsZero() {
		lo, hi := 0.0, float64(maxAge)
		if y, m, dd := d.BirthDate.Latest(); y != rollcall.MaxYear {
			lo = clampAge(ageAt([3]int{y, m, dd}, e.early))
		}
		if y, m, dd := d.BirthDate.Earliest(); y != rollcall.MinYear {
			hi = clampAge(ageAt([3]int{y, m, dd}, e.late))
		}
		f.Age = Between(lo, max(lo, hi))
	}
	if d.Sex != "" {
		f.Sex = []string{d.Sex}
	}
	f.Facility = d.Facility
	f.FacilityType = d.FacilityType
	f.Placements = d.Placements
	f.ChargesKnown, f.Charges = d.ChargesKnown, d.Charges
	if f.ChargesKnown && f.Charges == nil {
		f.Charges = []string{}
	}
	f.SentenceYears = d.SentenceYears
	start := d.SentenceStart
	if start.IsZero() {
		start = d.DetainedFrom
	}
	if !start.IsZero() {
		lo, hi := 0.0, math.Inf(1)
		if y, m, dd := start.Latest(); y != rollcall.MaxYear {
			lo = max(0, yearsBetween([3]int{y, m, dd}, e.early))
		}
		if y, m, dd := start.Earliest(); y != rollcall.MinYear {
			hi = yearsBetween([3]int{y, m, dd}, e.late)
		}
		f.ServedYears = Between(lo, max(lo, hi))
	}
	f.Detained = detainedOn(d, e)
	f.PriorAmnesties = d.PriorAmnesties
	return f
}

// detainedOn applies the "held on E" rule of the package doc.
func detainedOn(d Detainee, e On) *bool {
	yes, no := true, false
	start := d.DetainedFrom
	if start.IsZero() {
		start = d.SentenceStart
	}
	if !d.ReleasedOn.IsZero() && SpanOf(d.ReleasedOn).Hi < e.Days.Lo {
		return &no
	}
	if start.IsZero() {
		return nil
	}
	s := SpanOf(start)
	if s.Lo > e.Days.Hi {
		return &no
	}
	if s.Hi <= e.Days.Lo && (d.ReleasedOn.IsZero() || SpanOf(d.ReleasedOn).Lo >= e.Days.Hi) {
		return &yes
	}
	return nil
}

// DecreeDate is the date a decree's facts are read on: effective, else
// announced, else decreed.
func DecreeDate(d rollcall.AmnestyDecree) rollcall.PartialDate {
	for _, p := range []rollcall.PartialDate{d.Effective, d.Announced, d.Decreed} {
		if !p.IsZero() {
			return p
		}
	}
	return rollcall.PartialDate{}
}

// FactsAt returns d's facts on date e (normally DecreeDate of a decree).
func (d Detainee) FactsAt(e rollcall.PartialDate) (Facts, error) {
	on, err := NewOn(e)
	if err != nil {
		return Facts{}, err
	}
	return d.FactsOn(on), nil
}

// NormalizeSex maps the usual spellings to "f" and "m"; "" stays unknown.
func NormalizeSex(s string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return "", nil
	case "f", "female", "woman", "여", "여성", "여자":
		return "f", nil
	case "m", "male", "man", "남", "남성", "남자":
		return "m", nil
	}
	return "", fmt.Errorf("sex %q is neither f nor m", s)
}
