package rollcall

import (
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Precision is how much of a date a source gave.
type Precision uint8

const (
	PrecNone  Precision = iota // unknown date
	PrecYear                   // 1987
	PrecMonth                  // 1987-03
	PrecDay                    // 1987-03-04
)

// Qualifier softens or bounds a date as the source did.
type Qualifier uint8

const (
	QualNone   Qualifier = iota
	QualAbout            // "c. 1987", "1987년경"
	QualBefore           // "before 2001", "2001년 이전"
	QualAfter            // "after 1990", "1990년 이후"
)

// Unbounded ends of a date's possible span, as returned by Earliest and Latest.
const (
	MinYear = 0
	MaxYear = 9999
)

// PartialDate is a date as precise as a source gave it: a year, a year and
// month, or a full day; or a range of two such dates; optionally qualified as
// approximate, before or after. It never invents a day that no source gave:
// Earliest and Latest give the span of days it allows. The zero value is
// the unknown date.
type PartialDate struct {
	y, m, d    int16
	prec       Precision
	ey, em, ed int16 // end of a range; eprec == PrecNone when not a range
	eprec      Precision
	qual       Qualifier
}

// NewDate returns the date with year y, month m (0 if unknown) and day d (0 if
// unknown). It fails on impossible dates.
func NewDate(y, m, d int) (PartialDate, error) {
	if err := checkYMD(y, m, d); err != nil {
		return PartialDate{}, err
	}
	p := PartialDate{y: int16(y), m: int16(m), d: int16(d), prec: PrecYear}
	switch {
	case d != 0:
		p.prec = PrecDay
	case m != 0:
		p.prec = PrecMonth
	}
	return p, nil
}

// MustDate parses s and panics on error; for tests and literals.
func MustDate(s string) PartialDate {
	p, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return p
}

// NewRange returns the range from a to b (both simple dates, a not after b).
func NewRange(a, b PartialDate) (PartialDate, error) {
	if a.IsZero() || b.IsZero() || a.IsRange() || b.IsRange() || a.qual != QualNone || b.qual != QualNone {
		return PartialDate{}, Errorf(EINVALID, "a range needs two plain dates")
	}
	ay, am, ad := a.Earliest()
	by, bm, bd := b.Latest()
	if compareYMD(ay, am, ad, by, bm, bd) > 0 {
		return PartialDate{}, Errorf(EINVALID, "range %s/%s ends before it starts", a, b)
	}
	a.ey, a.em, a.ed, a.eprec = b.y, b.m, b.d, b.prec
	return a, nil
}

func checkYMD(y, m, d int) error {
	if y < 1 || y > 2999 {
		return Errorf(EINVALID, "year %d out of range", y)
	}
	if m < 0 || m > 12 {
		return Errorf(EINVALID, "month %d out of range", m)
	}
	if d != 0 {
		if m == 0 {
			return Errorf(EINVALID, "a day needs a month")
		}
		if d < 1 || d > daysIn(y, m) {
			return Errorf(EINVALID, "day %d out of range for %04d-%02d", d, y, m)
		}
	}
	return nil
}

func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// IsZero reports whether the date is unknown.
func (p PartialDate) IsZero() bool { return p.prec == PrecNone }

// IsRange reports whether the date is a range of two dates.
func (p PartialDate) IsRange() bool { return p.eprec != PrecNone }

// Precision is the precision of the (start) date.
func (p PartialDate) Precision() Precision { return p.prec }

// Qualifier returns the qualifier.
func (p PartialDate) Qualifier() Qualifier { return p.qual }

// Year is the (start) year, 0 when unknown.
func (p PartialDate) Year() int { return int(p.y) }

// Month is the (start) month, 0 when unknown.
func (p PartialDate) Month() int { return int(p.m) }

// Day is the (start) day, 0 when unknown.
func (p PartialDate) Day() int { return int(p.d) }

// WithQualifier returns p with qualifier q.
func (p PartialDate) WithQualifier(q Qualifier) PartialDate {
	if !p.IsZero() {
		p.qual = q
	}
	return p
}

func first(y, m, d int16) (int, int, int) {
	if m == 0 {
		m = 1
	}
	if d == 0 {
		d = 1
	}
	return int(y), int(m), int(d)
}

func last(y, m, d int16) (int, int, int) {
	if m == 0 {
		m = 12
	}
	if d == 0 {
		d = int16(daysIn(int(y), int(m)))
	}
	return int(y), int(m), int(d)
}

func addDays(y, m, d, n int) (int, int, int) {
	t := time.Date(y, time.Month(m), d+n, 0, 0, 0, 0, time.UTC)
	return t.Year(), int(t.Month()), t.Day()
}

// aboutMargin is how far "about" widens a date, by its precision: a year
// for a year, a month for a month, two weeks for a day.
func (p PartialDate) aboutMargin() (years, months, days int) {
	switch p.prec {
	case PrecYear:
		return 1, 0, 0
	case PrecMonth:
		return 0, 1, 0
	default:
		return 0, 0, 14
	}
}

// Earliest is the first day the date allows; y == MinYear when unbounded.
func (p PartialDate) Earliest() (y, m, d int) {
	switch {
	case p.IsZero(), p.qual == QualBefore:
		return MinYear, 1, 1
	case p.qual == QualAfter:
		ey, em, ed := p.endLast()
		return addDays(ey, em, ed, 1)
	}
	y, m, d = first(p.y, p.m, p.d)
	if p.qual == QualAbout {
		dy, dm, dd := p.aboutMargin()
		t := time.Date(y-dy, time.Month(m-dm), d-dd, 0, 0, 0, 0, time.UTC)
		return t.Year(), int(t.Month()), t.Day()
	}
	return y, m, d
}

func (p PartialDate) endLast() (int, int, int) {
	if p.IsRange() {
		return last(p.ey, p.em, p.ed)
	}
	return last(p.y, p.m, p.d)
}

// Latest is the last day the date allows; y == MaxYear when unbounded.
func (p PartialDate) Latest() (y, m, d int) {
	switch {
	case p.IsZero(), p.qual == QualAfter:
		return MaxYear, 12, 31
	case p.qual == QualBefore:
		sy, sm, sd := first(p.y, p.m, p.d)
		return addDays(sy, sm, sd, -1)
	}
	y, m, d = p.endLast()
	if p.qual == QualAbout {
		dy, dm, dd := p.aboutMargin()
		// Add to the first of the month so a month margin cannot overflow.
		t := time.Date(y+dy, time.Month(m+dm), 1, 0, 0, 0, 0, time.UTC)
		t = t.AddDate(0, 0, min(d, daysIn(t.Year(), int(t.Month())))-1+dd)
		return t.Year(), int(t.Month()), t.Day()
	}
	return y, m, d
}

// EarliestTime is Earliest at midnight UTC; the zero time when unbounded.
func (p PartialDate) EarliestTime() time.Time {
	y, m, d := p.Earliest()
	if y == MinYear {
		return time.Time{}
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
}

// LatestTime is Latest at midnight UTC; the zero time when unbounded.
func (p PartialDate) LatestTime() time.Time {
	y, m, d := p.Latest()
	if y == MaxYear {
		return time.Time{}
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
}

// Overlaps reports whether p and q can be the same day.
func (p PartialDate) Overlaps(q PartialDate) bool {
	py, pm, pd := p.Earliest()
	qy, qm, qd := q.Earliest()
	Py, Pm, Pd := p.Latest()
	Qy, Qm, Qd := q.Latest()
	return compareYMD(py, pm, pd, Qy, Qm, Qd) <= 0 && compareYMD(qy, qm, qd, Py, Pm, Pd) <= 0
}

func compareYMD(y1, m1, d1, y2, m2, d2 int) int {
	switch {
	case y1 != y2:
		return cmpInt(y1, y2)
	case m1 != m2:
		return cmpInt(m1, m2)
	default:
		return cmpInt(d1, d2)
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Compare orders dates for sorting: unknown last, then by earliest day, then
// the less precise (wider) first, then by latest day.
func (p PartialDate) Compare(q PartialDate) int {
	if p.IsZero() || q.IsZero() {
		switch {
		case p.IsZero() && q.IsZero():
			return 0
		case p.IsZero():
			return 1
		}
		return -1
	}
	py, pm, pd := p.Earliest()
	qy, qm, qd := q.Earliest()
	if c := compareYMD(py, pm, pd, qy, qm, qd); c != 0 {
		return c
	}
	if c := cmpInt(int(p.prec), int(q.prec)); c != 0 {
		return c
	}
	py, pm, pd = p.Latest()
	qy, qm, qd = q.Latest()
	return compareYMD(py, pm, pd, qy, qm, qd)
}

// SortKey is a string that sorts like the earliest day ("" for unknown):
// stored beside the canonical text so databases can order and filter.
func (p PartialDate) SortKey() string {
	if p.IsZero() {
		return ""
	}
	y, m, d := p.Earliest()
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d)
}

// EndKey is like SortKey for the latest day.
func (p PartialDate) EndKey() string {
	if p.IsZero() {
		return ""
	}
	y, m, d := p.Latest()
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d)
}

func ymdString(y, m, d int16, prec Precision) string {
	switch prec {
	case PrecYear:
		return fmt.Sprintf("%04d", y)
	case PrecMonth:
		return fmt.Sprintf("%04d-%02d", y, m)
	case PrecDay:
		return fmt.Sprintf("%04d-%02d-%02d", y, m, d)
	}
	return ""
}

// String is the canonical form, which ParseDate reads back: "1987",
// "1987-03", "1987-03-04", ranges "1980/1989", and the prefixes "~" (about),
// "<" (before) and ">" (after). The unknown date is "".
func (p PartialDate) String() string {
	if p.IsZero() {
		return ""
	}
	s := ymdString(p.y, p.m, p.d, p.prec)
	if p.IsRange() {
		s += "/" + ymdString(p.ey, p.em, p.ed, p.eprec)
	}
	switch p.qual {
	case QualAbout:
		s = "~" + s
	case QualBefore:
		s = "<" + s
	case QualAfter:
		s = ">" + s
	}
	return s
}

var monthsEn = [...]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}

func humanYMD(y, m, d int16, prec Precision, lang string) string {
	if lang == "ko" {
		switch prec {
		case PrecYear:
			return fmt.Sprintf("%d년", y)
		case PrecMonth:
			return fmt.Sprintf("%d년 %d월", y, m)
		default:
			return fmt.Sprintf("%d년 %d월 %d일", y, m, d)
		}
	}
	switch prec {
	case PrecYear:
		return fmt.Sprintf("%d", y)
	case PrecMonth:
		return fmt.Sprintf("%s %d", monthsEn[m-1], y)
	default:
		return fmt.Sprintf("%d %s %d", d, monthsEn[m-1], y)
	}
}

// Human renders the date at its precision for people, in English ("en") or
// Korean ("ko"): "1987", "March 1987", "c. 1987", "1987년 3월".
func (p PartialDate) Human(lang string) string {
	if p.IsZero() {
		if lang == "ko" {
			return "미상"
		}
		return "unknown"
	}
	s := humanYMD(p.y, p.m, p.d, p.prec, lang)
	if p.IsRange() {
		if p.prec == PrecYear && p.eprec == PrecYear && p.y%10 == 0 && p.ey == p.y+9 {
			if lang == "ko" {
				s = fmt.Sprintf("%d년대", p.y)
			} else {
				s = fmt.Sprintf("%ds", p.y)
			}
		} else {
			s += "–" + humanYMD(p.ey, p.em, p.ed, p.eprec, lang)
		}
	}
	switch p.qual {
	case QualAbout:
		if lang == "ko" {
			return s + "경"
		}
		return "c. " + s
	case QualBefore:
		if lang == "ko" {
			return s + " 이전"
		}
		return "before " + s
	case QualAfter:
		if lang == "ko" {
			return s + " 이후"
		}
		return "after " + s
	}
	return s
}

// MarshalText writes the canonical form.
func (p PartialDate) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText parses any form ParseDate accepts.
func (p *PartialDate) UnmarshalText(b []byte) error {
	q, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*p = q
	return nil
}

// Value stores the canonical form (NULL for unknown).
func (p PartialDate) Value() (driver.Value, error) {
	if p.IsZero() {
		return nil, nil
	}
	return p.String(), nil
}

// Scan reads a canonical form from the database.
func (p *PartialDate) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*p = PartialDate{}
		return nil
	case string:
		return p.UnmarshalText([]byte(v))
	case []byte:
		return p.UnmarshalText(v)
	}
	return fmt.Errorf("partial date: cannot scan %T", src)
}

var monthNames = map[string]int{}

func init() {
	for i, n := range monthsEn {
		l := strings.ToLower(n)
		monthNames[l] = i + 1
		monthNames[l[:3]] = i + 1
	}
	monthNames["sept"] = 9
}

// Qualifier words, longest first so "circa" wins over "ca".
var (
	aboutPrefixes  = []string{"approximately", "approx.", "approx", "around", "circa", "about", "ca.", "ca", "c.", "c", "~", "약"}
	beforePrefixes = []string{"before", "prior to", "until", "<", "by"}
	afterPrefixes  = []string{"after", "since", ">"}
	aboutSuffixes  = []string{"경", "쯤", "무렵", "?"}
	beforeSuffixes = []string{"이전", "전"}
	afterSuffixes  = []string{"이후", "후"}
)

func cutPrefixWord(s string, words []string) (string, bool) {
	for _, w := range words {
		if rest, ok := strings.CutPrefix(s, w); ok {
			// A word prefix must end at a boundary ("c.1987", "c 1987", not "circa" as "c"+"irca").
			if rest == "" {
				continue
			}
			r := rune(rest[0])
			if unicode.IsLetter(rune(w[len(w)-1])) && unicode.IsLetter(r) {
				continue
			}
			return strings.TrimSpace(rest), true
		}
	}
	return s, false
}

func cutSuffixWord(s string, words []string) (string, bool) {
	for _, w := range words {
		if rest, ok := strings.CutSuffix(s, w); ok && rest != "" {
			return strings.TrimSpace(rest), true
		}
	}
	return s, false
}

// ParseDate reads a date as people write it: "1987", "1987-03", "1987-03-04",
// "1987.3.4", "March 1987", "4 March 1987", "c. 1987", "~1987", "1980s",
// "before 2001", "after 1990", "1980-1985", "1980/1985", "between 1980 and
// 1985", and Korean forms "1987년 3월 4일", "1987년경", "1980년대", "2001년
// 이전". The empty string and "unknown"/"미상" give the unknown date. Numeric
// day-first forms like "04/03/1987" are rejected as ambiguous.
func ParseDate(s string) (PartialDate, error) {
	in := s
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.Join(strings.Fields(s), " ")
	switch s {
	case "", "unknown", "n/a", "na", "?", "-", "미상", "모름", "불명":
		return PartialDate{}, nil
	}
	if len(s) > 64 {
		return PartialDate{}, Errorf(EINVALID, "date %q is too long", truncate(in, 20))
	}
	qual := QualNone
	if r, ok := cutPrefixWord(s, aboutPrefixes); ok {
		s, qual = r, QualAbout
	} else if r, ok := cutPrefixWord(s, beforePrefixes); ok {
		s, qual = r, QualBefore
	} else if r, ok := cutPrefixWord(s, afterPrefixes); ok {
		s, qual = r, QualAfter
	}
	if qual == QualNone || qual == QualAbout {
		if r, ok := cutSuffixWord(s, aboutSuffixes); ok {
			s, qual = r, QualAbout
		} else if r, ok := cutSuffixWord(s, beforeSuffixes); ok && qual == QualNone {
			s, qual = r, QualBefore
		} else if r, ok := cutSuffixWord(s, afterSuffixes); ok && qual == QualNone {
			s, qual = r, QualAfter
		}
	}
	p, err := parseSpan(s)
	if err != nil {
		return PartialDate{}, Errorf(EINVALID, "cannot read %q as a date: %s", truncate(in, 40), ErrorMessage(err))
	}
	if qual != QualNone && p.IsRange() && qual != QualAbout {
		return PartialDate{}, Errorf(EINVALID, "cannot read %q as a date: a range cannot be before or after", truncate(in, 40))
	}
	p.qual = qual
	return p, nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// parseSpan reads a simple date, a decade or a range.
func parseSpan(s string) (PartialDate, error) {
	if r, ok := strings.CutPrefix(s, "between "); ok {
		a, b, ok := strings.Cut(r, " and ")
		if !ok {
			return PartialDate{}, Errorf(EINVALID, "\"between\" needs \"and\"")
		}
		return rangeOf(a, b)
	}
	for _, sep := range []string{"/", " to ", "–", "—", "~", " - "} {
		if a, b, ok := strings.Cut(s, sep); ok {
			// "1987/03/04" and "1987/3" are dates, not ranges.
			if sep == "/" && !strings.Contains(b, "/") && len(strings.TrimSpace(b)) < 4 {
				break
			}
			if sep == "/" && strings.Count(s, "/") == 2 {
				break
			}
			return rangeOf(a, b)
		}
	}
	// "1980-1985": a dash between two four-digit years.
	if len(s) == 9 && s[4] == '-' && allDigits(s[:4]) && allDigits(s[5:]) {
		return rangeOf(s[:4], s[5:])
	}
	if d, ok := strings.CutSuffix(s, "년대"); ok {
		return decade(strings.TrimSpace(d))
	}
	if d, ok := strings.CutSuffix(s, "'s"); ok && len(d) == 4 {
		return decade(d)
	}
	if d, ok := strings.CutSuffix(s, "s"); ok && len(d) == 4 && allDigits(d) {
		return decade(d)
	}
	return parseSimple(s)
}

func rangeOf(a, b string) (PartialDate, error) {
	pa, err := parseSimple(strings.TrimSpace(a))
	if err != nil {
		return PartialDate{}, err
	}
	pb, err := parseSimple(strings.TrimSpace(b))
	if err != nil {
		return PartialDate{}, err
	}
	return NewRange(pa, pb)
}

func decade(d string) (PartialDate, error) {
	y, err := strconv.Atoi(d)
	if err != nil || len(d) != 4 || y%10 != 0 {
		return PartialDate{}, Errorf(EINVALID, "a decade is written like 1980s")
	}
	a, err := NewDate(y, 0, 0)
	if err != nil {
		return PartialDate{}, err
	}
	b, err := NewDate(y+9, 0, 0)
	if err != nil {
		return PartialDate{}, err
	}
	return NewRange(a, b)
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// parseSimple reads one year, year-month or day.
func parseSimple(s string) (PartialDate, error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "."))
	if s == "" {
		return PartialDate{}, Errorf(EINVALID, "empty date")
	}
	// Korean: 1987년 3월 4일 (spaces optional).
	if strings.Contains(s, "년") {
		return parseKorean(s)
	}
	// Numeric: 1987, 1987-03, 1987-03-04, 1987.3.4, 1987/03/04, 19870304.
	if allDigits(s) {
		switch len(s) {
		case 4:
			y, _ := strconv.Atoi(s)
			return NewDate(y, 0, 0)
		case 8:
			y, _ := strconv.Atoi(s[:4])
			m, _ := strconv.Atoi(s[4:6])
			d, _ := strconv.Atoi(s[6:])
			return NewDate(y, m, d)
		}
		return PartialDate{}, Errorf(EINVALID, "a year has four digits")
	}
	if parts := strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '.' || r == '/' }); len(parts) >= 2 && allDigitParts(parts) {
		if len(parts[0]) != 4 {
			return PartialDate{}, Errorf(EINVALID, "write the year first (1987-03-04): day-first dates are ambiguous")
		}
		if len(parts) > 3 {
			return PartialDate{}, Errorf(EINVALID, "too many parts")
		}
		nums := make([]int, 3)
		for i, p := range parts {
			if len(p) > 4 || (i > 0 && len(p) > 2) {
				return PartialDate{}, Errorf(EINVALID, "malformed number %q", p)
			}
			nums[i], _ = strconv.Atoi(p)
		}
		if nums[1] == 0 || (len(parts) == 3 && nums[2] == 0) {
			return PartialDate{}, Errorf(EINVALID, "month and day start at 1")
		}
		return NewDate(nums[0], nums[1], nums[2])
	}
	// Words: "march 1987", "mar. 1987", "4 march 1987", "march 4, 1987".
	fields := strings.Fields(strings.NewReplacer(",", " ", ".", " ").Replace(s))
	var y, m, d int
	for _, f := range fields {
		switch {
		case monthNames[f] != 0:
			if m != 0 {
				return PartialDate{}, Errorf(EINVALID, "two months")
			}
			m = monthNames[f]
		case allDigits(f) && len(f) == 4:
			if y != 0 {
				return PartialDate{}, Errorf(EINVALID, "two years")
			}
			y, _ = strconv.Atoi(f)
		case allDigits(f) && len(f) <= 2:
			if d != 0 {
				return PartialDate{}, Errorf(EINVALID, "two days")
			}
			d, _ = strconv.Atoi(f)
		default:
			return PartialDate{}, Errorf(EINVALID, "unknown word %q", truncate(f, 12))
		}
	}
	if y == 0 {
		return PartialDate{}, Errorf(EINVALID, "no year")
	}
	if d != 0 && m == 0 {
		return PartialDate{}, Errorf(EINVALID, "a day needs a month name")
	}
	if d == 0 && m == 0 && len(fields) > 1 {
		return PartialDate{}, Errorf(EINVALID, "unexpected words")
	}
	return NewDate(y, m, d)
}

func allDigitParts(parts []string) bool {
	for _, p := range parts {
		if !allDigits(p) {
			return false
		}
	}
	return true
}

func parseKorean(s string) (PartialDate, error) {
	var y, m, d int
	rest := strings.ReplaceAll(s, " ", "")
	take := func(unit string) (int, bool, error) {
		num, after, ok := strings.Cut(rest, unit)
		if !ok {
			return 0, false, nil
		}
		if !allDigits(num) {
			return 0, false, Errorf(EINVALID, "malformed %s", unit)
		}
		n, _ := strconv.Atoi(num)
		rest = after
		return n, true, nil
	}
	var ok bool
	var err error
	// "87년" means 1987 to its writer, but we cannot know the century.
	if num, _, _ := strings.Cut(rest, "년"); len(num) != 4 {
		return PartialDate{}, Errorf(EINVALID, "a year has four digits")
	}
	if y, ok, err = take("년"); err != nil || !ok {
		return PartialDate{}, Errorf(EINVALID, "no year")
	}
	if m, ok, err = take("월"); err != nil {
		return PartialDate{}, err
	}
	if ok {
		if d, _, err = take("일"); err != nil {
			return PartialDate{}, err
		}
		if m == 0 {
			return PartialDate{}, Errorf(EINVALID, "month starts at 1")
		}
	}
	if rest != "" {
		return PartialDate{}, Errorf(EINVALID, "unexpected %q", truncate(rest, 12))
	}
	if ok && d == 0 && strings.Contains(s, "일") {
		return PartialDate{}, Errorf(EINVALID, "day starts at 1")
	}
	return NewDate(y, m, d)
}
