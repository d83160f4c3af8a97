package match

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/textnorm"
)

// work is the state of one run.
type work struct {
	ds   *Dataset
	s    *Settings
	opt  Options
	src  []int32
	nsrc int

	cols  []*column
	pairs []pairIdx
	gamma []uint8 // len(pairs) × len(cols), row-major
	prob  []float32
	bf    [][]float64 // log Bayes factor per field and level
	prior [2]float64  // prior log odds: across sources (or all), within one

	ruleStats []RuleStats
	emIters   int
	decided   []decided // the human decisions, on pairs
}

type pairIdx struct{ a, b int32 }

// column is a field prepared for fast comparison: values interned to
// integer ids, comparison strings as runes, keys, term frequencies.
type column struct {
	kind Kind
	nlev int
	tf   bool
	// n records; alts alternative columns, whose rows follow the
	// records' own (row = record + j × n)
	n    int32
	alts int

	vid []int32  // per record: value id, -1 when missing
	str [][]rune // per value id: the comparison form
	key []int32  // per record: variant key id (names), -1 when missing
	// partner is the surname column of a given-name column and the other
	// way round, to see names written in each other's columns
	partner *column
	// per key id (names): the key as runes; per surname key id (full
	// names): the surname key as runes
	keyStr  [][]rune
	skeyStr [][]rune
	elems   [][]string // per value id (category): the key, or the members of a set key
	words   [][]int32  // per value id (text): sorted distinct word ids
	// full names: the key in the other name order when the order is a
	// guess (-1 if none), keys of the given name and the surname alone,
	// and those in the other order
	key2         []int32
	gkey, skey   []int32
	gkey2, skey2 []int32
	snd, snd2    []int32 // sound keys (textnorm.NameInfo.SoundKey)
	// surname with the first / last given syllable (FirstKey, LastKey)
	syl1, syl1b, syl2, syl2b []int32
	// surnames as written (Hangul after the initial-sound law), per
	// reading, and their texts
	sur, sur2 []int32
	surStr    []string
	// given names as written, per reading (textnorm.GivenNamesCompatible)
	giv, giv2 []int32
	givStr    []string

	vidTF []float32 // per value id: share of records with the value
	keyTF []float32 // per key id
	// per given-name key id (full names): its share, and Σ share²
	givenTF     []float32
	givenTFMean float64
	tfMean      float64 // Σ share²: chance two random records agree

	// dates, per value id
	dlo, dhi []int32
	dprec    []uint8
	dyear    []int32
	ddig     [][]rune
	// numbers, per value id
	num []float64
	tol float64
}

// keyed reports kinds whose values have a key apart from their normalized
// form: names (the variant key), vocabularies, facilities and places.
func (c *column) keyed() bool {
	switch c.kind {
	case Name, Category, Facility, Place:
		return true
	}
	return false
}

// levelNames lists the comparison levels of a kind, worst first after
// "missing" (level 0, neutral).
func levelNames(k Kind) []string {
	switch k {
	case Name:
		// swapped: given name and surname in each other's columns
		// same_given: the given name's key agrees, the surname does not
		return []string{"missing", "different", "jaro_winkler_0.80", "same_given", "jaro_winkler_0.92", "swapped", "variant", "exact"}
	case Text:
		// same_words: the same words in another order or with a few more
		return []string{"missing", "different", "jaro_winkler_0.80", "same_words", "jaro_winkler_0.92", "exact"}
	case Date:
		return []string{"missing", "different", "within_a_year", "one_edit", "same_year", "same_month", "exact"}
	case Category:
		return []string{"missing", "different", "compatible", "exact"}
	case Facility:
		// unresolved: one text names no known facility and the other does
		// compatible: one of the facilities a text may mean, or their type
		return []string{"missing", "different", "unresolved", "compatible", "exact"}
	case Place:
		// same_province: two places of one province; within: one place in
		// the other (a city and its province), or unknown names spelled
		// nearly alike
		return []string{"missing", "different", "unresolved", "same_province", "within", "exact"}
	case Exact:
		return []string{"missing", "different", "one_edit", "exact"}
	case Number:
		return []string{"missing", "different", "close", "exact"}
	}
	return nil
}

// prepare builds the columns, one goroutine per field.
func (w *work) prepare(ctx context.Context) error {
	w.cols = make([]*column, len(w.s.Fields))
	var wg sync.WaitGroup
	sem := make(chan struct{}, w.opt.Workers)
	for i := range w.s.Fields {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			w.cols[i] = prepareColumn(w.ds, &w.s.Fields[i], w.opt.Workers)
		}(i)
	}
	wg.Wait()
	given, sur := -1, -1
	for i, f := range w.s.Fields {
		if f.Kind != Name {
			continue
		}
		switch {
		case f.NamePart == "given" && given < 0:
			given = i
		case f.NamePart == "surname" && sur < 0:
			sur = i
		}
	}
	if given >= 0 && sur >= 0 {
		w.cols[given].partner, w.cols[sur].partner = w.cols[sur], w.cols[given]
	}
	return ctx.Err()
}

// interner gives dense ids to strings.
type interner struct {
	ids  map[string]int32
	vals []string
}

func newInterner(n int) *interner { return &interner{ids: make(map[string]int32, n)} }

func (in *interner) id(s string) int32 {
	if id, ok := in.ids[s]; ok {
		return id
	}
	id := int32(len(in.vals))
	in.ids[s] = id
	in.vals = append(in.vals, s)
	return id
}

func prepareColumn(ds *Dataset, f *Field, workers int) *column {
	// Rows: the field's column for every record, then each alternative
	// column for every record (row = record + j × records).
	cis := []int{ds.Column(f.Column)}
	for _, a := range f.Alternatives {
		cis = append(cis, ds.Column(a))
	}
	nrec := len(ds.Records)
	c := &column{kind: f.Kind, nlev: len(levelNames(f.Kind)), tf: f.TermFrequency != nil && *f.TermFrequency,
		n: int32(nrec), alts: len(cis) - 1}
	raw, rawOf, typed := internRaw(ds, cis, f.Kind)
	infos := analyzeAll(f, raw.vals, typed, workers)
	ids := internForms(f, infos)
	c.assignRows(rawOf, ids)
	c.fillForms(f, ids.vals.vals, ids.keys.vals)
	if ids.surnames != nil {
		c.skeyStr = make([][]rune, len(ids.surnames.vals))
		for j, k := range ids.surnames.vals {
			c.skeyStr[j] = []rune(k)
		}
	}
	c.vidTF, c.tfMean = frequencies(c.vid, len(ids.vals.vals))
	if c.key != nil {
		c.keyTF, c.tfMean = frequencies(c.key, len(ids.keys.vals))
	}
	if c.gkey != nil {
		// common given names weigh less when only they agree
		c.givenTF, c.givenTFMean = frequencies(c.gkey, len(ids.givenKeys.vals))
	}
	switch f.Kind {
	case Date:
		dates := make([]rollcall.PartialDate, len(ids.vals.vals))
		for j, in := range infos {
			if ids.vid[j] >= 0 {
				dates[ids.vid[j]] = in.date
			}
		}
		c.prepareDates(ids.vals.vals, dates)
	case Number:
		c.num = make([]float64, len(ids.vals.vals))
		for j, v := range ids.vals.vals {
			c.num[j], _ = strconv.ParseFloat(v, 64)
		}
		c.tol = f.Tolerance
	}
	return c
}

// internRaw gives each distinct trimmed raw value of the rows an id, so
// that each is normalized once; rawOf is -1 for an empty row. For a date
// column, typed holds the raw ids of the dates the records carry typed
// (Record.Dates), which are never formatted and parsed again.
func internRaw(ds *Dataset, cis []int, kind Kind) (raw *interner, rawOf []int32, typed map[int32]rollcall.PartialDate) {
	nrec := len(ds.Records)
	n := nrec * len(cis)
	raw = newInterner(n / 4)
	rawOf = make([]int32, n)
	if kind == Date {
		typed = map[int32]rollcall.PartialDate{}
	}
	for row := range rawOf {
		rec := &ds.Records[row%nrec]
		if kind == Date {
			if d := rec.date(cis[row/nrec]); !d.IsZero() {
				rawOf[row] = raw.id(d.String())
				typed[rawOf[row]] = d
				continue
			}
		}
		v := strings.TrimSpace(rec.Values[cis[row/nrec]])
		if v == "" {
			rawOf[row] = -1
			continue
		}
		rawOf[row] = raw.id(v)
	}
	return raw, rawOf, typed
}

// analyzeAll normalizes the distinct raw values. Normalizing is the costly
// part (Unicode, romanization, name parsing): the values are spread over
// the workers.
func analyzeAll(f *Field, vals []string, typed map[int32]rollcall.PartialDate, workers int) []valueInfo {
	infos := make([]valueInfo, len(vals))
	var wg sync.WaitGroup
	chunk := max((len(vals)+workers-1)/max(workers, 1), 1)
	for lo := 0; lo < len(vals); lo += chunk {
		hi := min(lo+chunk, len(vals))
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			for j := lo; j < hi; j++ {
				if d, ok := typed[int32(j)]; ok {
					infos[j] = dateInfo(d)
				} else {
					infos[j] = analyzeValue(f, vals[j])
				}
			}
		}(lo, hi)
	}
	wg.Wait()
	return infos
}

// forms holds the normalized values and keys of a column's distinct raw
// values, interned, and per raw value their ids (-1: none).
type forms struct {
	vals, keys        *interner
	surnames          *interner // keys of surnames (full names)
	vid, key          []int32
	key2              []int32 // full names only, like the four below
	gkey, skey        []int32
	gkey2, skey2      []int32
	givenKeys         *interner
	snd, snd2         []int32
	syl1, syl1b       []int32
	syl2, syl2b       []int32
	sur, sur2         []int32
	surnamesAsWritten *interner
	giv, giv2         []int32
	givenAsWritten    *interner
}

func internForms(f *Field, infos []valueInfo) *forms {
	n := len(infos)
	fs := &forms{vals: newInterner(n), keys: newInterner(n), vid: make([]int32, n), key: make([]int32, n)}
	for j, in := range infos {
		fs.vid[j], fs.key[j] = -1, -1
		if in.norm == "" {
			continue
		}
		fs.vid[j] = fs.vals.id(in.norm)
		if in.key != "" {
			fs.key[j] = fs.keys.id(in.key)
		}
	}
	if f.Kind != Name || f.NamePart != "full" {
		return fs
	}
	// the key in the other name order shares the key space; the parts
	// have their own
	gk, sk := newInterner(n), newInterner(n)
	fs.surnames, fs.givenKeys = sk, gk
	fs.key2, fs.gkey, fs.skey = make([]int32, n), make([]int32, n), make([]int32, n)
	fs.gkey2, fs.skey2 = make([]int32, n), make([]int32, n)
	intern := func(in *interner, s string) int32 {
		if s == "" {
			return -1
		}
		return in.id(s)
	}
	for j, in := range infos {
		fs.key2[j] = -1
		if in.alt != "" && fs.key[j] >= 0 {
			fs.key2[j] = fs.keys.id(in.alt)
		}
		fs.gkey[j], fs.skey[j] = intern(gk, in.gkey), intern(sk, in.skey)
	}
	// after the first readings, so that their ids (and so the order of
	// blocking) do not depend on the second
	for j, in := range infos {
		fs.gkey2[j], fs.skey2[j] = intern(gk, in.gkey2), intern(sk, in.skey2)
	}
	snd := newInterner(n)
	fs.snd, fs.snd2 = make([]int32, n), make([]int32, n)
	for j, in := range infos {
		fs.snd[j] = intern(snd, in.snd)
	}
	for j, in := range infos {
		fs.snd2[j] = intern(snd, in.snd2)
	}
	sy := newInterner(n)
	fs.syl1, fs.syl1b, fs.syl2, fs.syl2b = make([]int32, n), make([]int32, n), make([]int32, n), make([]int32, n)
	for j, in := range infos {
		fs.syl1[j], fs.syl2[j] = intern(sy, in.syl1), intern(sy, in.syl2)
	}
	for j, in := range infos {
		fs.syl1b[j], fs.syl2b[j] = intern(sy, in.syl1b), intern(sy, in.syl2b)
	}
	sw := newInterner(n)
	fs.surnamesAsWritten = sw
	fs.sur, fs.sur2 = make([]int32, n), make([]int32, n)
	for j, in := range infos {
		fs.sur[j], fs.sur2[j] = intern(sw, in.sur), intern(sw, in.sur2)
	}
	gw := newInterner(n)
	fs.givenAsWritten = gw
	fs.giv, fs.giv2 = make([]int32, n), make([]int32, n)
	for j, in := range infos {
		fs.giv[j], fs.giv2[j] = intern(gw, in.giv), intern(gw, in.giv2)
	}
	return fs
}

// assignRows gives every row the ids of its raw value's forms.
func (c *column) assignRows(rawOf []int32, fs *forms) {
	n := len(rawOf)
	c.vid = make([]int32, n)
	if c.keyed() {
		c.key = make([]int32, n)
	}
	if fs.gkey != nil {
		c.key2, c.gkey, c.skey = make([]int32, n), make([]int32, n), make([]int32, n)
		c.gkey2, c.skey2 = make([]int32, n), make([]int32, n)
		c.snd, c.snd2 = make([]int32, n), make([]int32, n)
		c.sur, c.sur2 = make([]int32, n), make([]int32, n)
		c.surStr = fs.surnamesAsWritten.vals
		c.giv, c.giv2 = make([]int32, n), make([]int32, n)
		c.givStr = fs.givenAsWritten.vals
		c.syl1, c.syl1b, c.syl2, c.syl2b = make([]int32, n), make([]int32, n), make([]int32, n), make([]int32, n)
	}
	pick := func(ids []int32, r int32) int32 {
		if r < 0 {
			return -1
		}
		return ids[r]
	}
	for i, r := range rawOf {
		c.vid[i] = pick(fs.vid, r)
		if c.key != nil {
			c.key[i] = pick(fs.key, r)
		}
		if c.gkey != nil {
			c.gkey[i], c.skey[i], c.key2[i] = pick(fs.gkey, r), pick(fs.skey, r), pick(fs.key2, r)
			c.gkey2[i], c.skey2[i] = pick(fs.gkey2, r), pick(fs.skey2, r)
			c.snd[i], c.snd2[i] = pick(fs.snd, r), pick(fs.snd2, r)
			c.sur[i], c.sur2[i] = pick(fs.sur, r), pick(fs.sur2, r)
			c.giv[i], c.giv2[i] = pick(fs.giv, r), pick(fs.giv2, r)
			c.syl1[i], c.syl1b[i] = pick(fs.syl1, r), pick(fs.syl1b, r)
			c.syl2[i], c.syl2b[i] = pick(fs.syl2, r), pick(fs.syl2b, r)
		}
	}
}

// fillForms builds the per-value comparison forms: runes of every value,
// runes of name keys, the members of category set keys, text word ids.
func (c *column) fillForms(f *Field, vals, keys []string) {
	c.str = make([][]rune, len(vals))
	for j, v := range vals {
		c.str[j] = []rune(v)
	}
	switch f.Kind {
	case Name:
		c.keyStr = make([][]rune, len(keys))
		for j, k := range keys {
			c.keyStr[j] = []rune(k)
		}
	case Category, Facility:
		// a key "~a|b" stands for one of a, b
		c.elems = make([][]string, len(vals))
		for j, v := range vals {
			if strings.HasPrefix(v, "~") {
				c.elems[j] = strings.Split(v[1:], "|")
			} else {
				c.elems[j] = []string{v}
			}
		}
	case Place:
		// the areas a known place lies in, itself first
		c.elems = make([][]string, len(vals))
		for j, v := range vals {
			c.elems[j] = textnorm.PlaceAreas(v)
		}
	case Text:
		// word ids per value, sorted, for the word-set level
		words := newInterner(len(vals))
		c.words = make([][]int32, len(vals))
		for j, v := range vals {
			var ws []int32
			for _, t := range strings.Fields(v) {
				ws = append(ws, words.id(t))
			}
			slices.Sort(ws)
			c.words[j] = slices.Compact(ws)
		}
	}
}

// valueInfo is the comparison form of a raw value: the normalized value
// and, for names and categories, its variant key; for full names also the
// key in the other name order and the keys of the two parts.
type valueInfo struct {
	norm, key       string
	alt, gkey, skey string
	gkey2, skey2    string
	snd, snd2       string
	sur, sur2       string
	giv, giv2       string
	syl1, syl1b     string
	syl2, syl2b     string
	date            rollcall.PartialDate // dates: the date norm writes
}

// analyzeValue normalizes one raw value ("" norm: missing).
func analyzeValue(f *Field, v string) valueInfo {
	switch f.Kind {
	case Name:
		switch f.NamePart {
		case "surname":
			return valueInfo{norm: strings.ReplaceAll(textnorm.NormalizeName(v), " ", ""), key: textnorm.SurnameKey(v)}
		case "given":
			norm := strings.ReplaceAll(textnorm.Fold(v), " ", "")
			if textnorm.HasHangul(norm) {
				norm = textnorm.Romanize(norm, textnorm.RR)
			}
			return valueInfo{norm: norm, key: textnorm.GivenKey(v)}
		}
		in := textnorm.AnalyzeName(v)
		return valueInfo{norm: in.Norm, key: in.Key, alt: in.AltKey, gkey: in.GivenKey, skey: in.SurnameKey,
			gkey2: in.AltGivenKey, skey2: in.AltSurnameKey, snd: in.SoundKey, snd2: in.AltSoundKey,
			sur: surnameAsWritten(in.Surname), sur2: surnameAsWritten(in.AltSurname),
			giv: surnameAsWritten(in.Given), giv2: surnameAsWritten(in.AltGiven),
			syl1: in.FirstKey, syl1b: in.AltFirstKey, syl2: in.LastKey, syl2b: in.AltLastKey}
	case Category:
		k := textnorm.CategoryKey(v)
		return valueInfo{norm: k, key: k}
	case Facility:
		if r, ok := textnorm.FacilityRef(v); ok {
			return valueInfo{norm: r, key: r}
		}
		return unresolved(v)
	case Place:
		if id, ok := textnorm.PlaceKey(v); ok {
			// blocking and frequencies by province: records give a
			// province or a city in it
			prov, _, _ := strings.Cut(id, "/")
			return valueInfo{norm: id, key: prov}
		}
		return unresolved(v)
	case Number:
		x, err := strconv.ParseFloat(numberText(v), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return valueInfo{}
		}
		return valueInfo{norm: strconv.FormatFloat(x, 'g', -1, 64)}
	case Date:
		if p, err := rollcall.ParseDate(v); err == nil {
			return dateInfo(p)
		}
		// Unreadable dates (typos such as month 13) still compare by digits.
		return valueInfo{norm: "!" + digitsOf(v)}
	case Exact:
		return valueInfo{norm: strings.TrimSpace(v)}
	}
	return valueInfo{norm: textnorm.Fold(v)}
}

// dateInfo is the comparison form of a date; the unknown date is missing.
func dateInfo(p rollcall.PartialDate) valueInfo {
	if p.IsZero() {
		return valueInfo{}
	}
	return valueInfo{norm: p.String(), date: p}
}

// surnameAsWritten is a parsed surname (or given name) ready for
// textnorm.SurnamesCompatible (GivenNamesCompatible): Hangul after the
// initial-sound law.
func surnameAsWritten(s string) string {
	if textnorm.HasHangul(s) {
		return textnorm.Dueum(s)
	}
	return s
}

// unresolved is the form of a facility or place text that the gazetteer
// does not know: "?" and the folded text.
func unresolved(v string) valueInfo {
	f := textnorm.Fold(v)
	if f == "" {
		return valueInfo{}
	}
	return valueInfo{norm: "?" + f, key: "?" + f}
}

// numberText strips thousands separators, currency signs and spaces
// ("$1,044.00" → "1044.00").
func numberText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9', r == '.', r == '-', r == '+', r == 'e', r == 'E':
			b.WriteRune(r)
		case r == ',', r == ' ', r == '$', r == '€', r == '£', r == '¥', r == '₩', r == '\u00a0':
		default:
			return "" // words: not a number
		}
	}
	return b.String()
}

func digitsOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// frequencies returns each id's share of the non-missing records and the
// sum of squared shares.
func frequencies(ids []int32, n int) ([]float32, float64) {
	cnt := make([]int32, n)
	tot := 0
	for _, id := range ids {
		if id >= 0 {
			cnt[id]++
			tot++
		}
	}
	tf := make([]float32, n)
	sq := 0.0
	if tot == 0 {
		return tf, 0
	}
	for i, c := range cnt {
		p := float64(c) / float64(tot)
		tf[i] = float32(p)
		sq += p * p
	}
	return tf, sq
}

// prepareDates fills the date columns from the distinct values and their
// dates (unknown for unreadable text, kept as "!digits").
func (c *column) prepareDates(vals []string, dates []rollcall.PartialDate) {
	n := len(vals)
	c.dlo, c.dhi = make([]int32, n), make([]int32, n)
	c.dprec, c.dyear = make([]uint8, n), make([]int32, n)
	c.ddig = make([][]rune, n)
	for j, v := range vals {
		c.dyear[j] = -1
		if strings.HasPrefix(v, "!") {
			c.ddig[j] = []rune(v[1:])
			c.dprec[j] = 0
			if len(v) >= 5 {
				if y, err := strconv.Atoi(v[1:5]); err == nil {
					c.dyear[j] = int32(y)
				}
			}
			continue
		}
		p := dates[j]
		if p.IsZero() {
			continue
		}
		y1, m1, d1 := p.Earliest()
		y2, m2, d2 := p.Latest()
		c.dlo[j] = dayNumber(y1, m1, d1)
		c.dhi[j] = dayNumber(y2, m2, d2)
		c.dprec[j] = uint8(p.Precision())
		if p.Qualifier() == rollcall.QualAbout && c.dprec[j] > uint8(rollcall.PrecYear) {
			c.dprec[j] = uint8(rollcall.PrecYear)
		}
		if p.Qualifier() == rollcall.QualBefore || p.Qualifier() == rollcall.QualAfter || p.IsRange() {
			c.dprec[j] = uint8(rollcall.PrecYear)
		}
		if y1 == y2 || p.Qualifier() == rollcall.QualAbout {
			c.dyear[j] = int32((y1 + y2) / 2)
		}
		c.ddig[j] = []rune(digitsOf(v))
	}
}

// dayNumber counts days from 1 March of year 0 (proleptic Gregorian).
func dayNumber(y, m, d int) int32 {
	if m <= 2 {
		y--
		m += 12
	}
	return int32(365*y + y/4 - y/100 + y/400 + (153*(m-3)+2)/5 + d - 1)
}
