// Package match is the record linkage engine: it links records that describe the same person (or thing):
// candidate pairs from blocking rules, comparison vectors with levels per
// field (exact / close / far / missing, as Splink does), a Fellegi–Sunter
// model whose m and u parameters are learned by EM (u also by random
// sampling), term-frequency adjustment, match probabilities, clusters by
// connected components guarded against chaining, a review band of doubtful
// pairs, and human same/different decisions honoured on every run.
//
// The package knows nothing about databases: callers build a Dataset (in
// memory, from CSV files with ReadCSV, or from stored records), call Run
// and store what they need from the Result. Settings (including the learned
// parameters) are JSON so that a run can be repeated exactly.
package match

import (
	"context"
	"math"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/rollcall-project/rollcall"
)

// Kind says how a field is compared.
type Kind string

const (
	Name     Kind = "name"     // personal names: variant- and romanization-aware
	Text     Kind = "text"     // free text: folded, Jaro–Winkler
	Date     Kind = "date"     // partial dates by precision (rollcall.ParseDate)
	Category Kind = "category" // vocabulary values: provinces, facilities, …
	Exact    Kind = "exact"    // identifiers: equal, one edit apart, or not
	Number   Kind = "number"   // numbers with a tolerance
	// Facility resolves any name, number, alias, Hangul or romanized form
	// of a known North Korean detention facility to the facility ("전거리
	// 교화소" = "Camp 12 (Jongori)" = "Kyohwaso 12"); other text compares
	// as text.
	Facility Kind = "facility"
	// Place resolves North Korean provinces, cities and counties in
	// English, Hangul, RR or MR, old names and abbreviations ("N.
	// Hamgyong" = "Hamgyongbuk-do" = "함경북도"); a city agrees with its
	// province; other text compares as text.
	Place Kind = "place"
)

// Kinds lists the valid kinds.
var Kinds = []Kind{Name, Text, Date, Category, Exact, Number, Facility, Place}

// ParseKind checks a kind name.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, nil
		}
	}
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = string(k)
	}
	return "", rollcall.Errorf(rollcall.EINVALID, "unknown field kind %q (want one of %s)", s, strings.Join(names, ", "))
}

// Record is one input record. Values line up with Dataset.Columns; an
// empty value is missing.
type Record struct {
	ID string
	// Source is the list (file, source document) the record comes from.
	// With link type "link" only records of different sources are paired.
	Source string
	Values []string
	// Dates, when not nil, also line up with Dataset.Columns: a date field
	// takes a known date from here as it is, instead of reading its text
	// (stored records carry typed dates; CSV input leaves Dates nil).
	Dates []rollcall.PartialDate
}

// text is the value of column ci as a person reads it.
func (r *Record) text(ci int) string {
	if r.Values[ci] == "" && r.Dates != nil && !r.Dates[ci].IsZero() {
		return r.Dates[ci].String()
	}
	return r.Values[ci]
}

// date is the typed date of column ci, the unknown date if none is given.
func (r *Record) date(ci int) rollcall.PartialDate {
	if r.Dates == nil {
		return rollcall.PartialDate{}
	}
	return r.Dates[ci]
}

// Dataset is the input to Run.
type Dataset struct {
	Columns []string
	Records []Record
}

// Column returns the index of a column, or -1.
func (d *Dataset) Column(name string) int {
	for i, c := range d.Columns {
		if c == name {
			return i
		}
	}
	return -1
}

// Link types.
const (
	Dedupe        = "dedupe"          // one list: every pair
	Link          = "link"            // several lists: only pairs across lists
	LinkAndDedupe = "link_and_dedupe" // several lists: all pairs
)

// Level holds the parameters of one comparison level: M is the probability
// of the level among matching pairs, U among non-matching pairs.
type Level struct {
	Name string  `json:"name"`
	M    float64 `json:"m"`
	U    float64 `json:"u"`
}

// Field configures the comparison of one column.
type Field struct {
	Column string `json:"column"`
	Kind   Kind   `json:"kind"`
	// Alternatives are columns holding other forms of the same value (a
	// name also given in Hangul, a second date): a pair compares at the
	// closest level between any forms of the two records.
	Alternatives []string `json:"alternatives,omitempty"`
	// NamePart is "full", "surname" or "given" for name fields; empty means
	// guessed from the column name.
	NamePart string `json:"name_part,omitempty"`
	// Tolerance for number fields: values this close (absolute) are "close";
	// 0 means 1 for whole numbers (years, ages) and 5% of the larger
	// magnitude otherwise.
	Tolerance float64 `json:"tolerance,omitempty"`
	// TermFrequency weighs agreement on a rare value more than on a common
	// one (Kim is weak evidence, a rare surname strong). Default true for
	// every kind but date and number.
	TermFrequency *bool `json:"term_frequency,omitempty"`
	// Guard keeps apart records that disagree on this field beyond its
	// comparator's tolerance when only a chain of other links would join
	// them: no cluster holds two such records unless their own pair scored
	// at least StrongThreshold. Names compare their surnames (in either reading of the
	// order; Hangul surnames exactly, 조 is not 추), surname columns their
	// level (a surname written in the given-name column agrees), dates
	// their spans. Off unless set: test sets such as splink's fake_1000
	// corrupt surnames and birth dates on purpose and are linked only
	// through chains; real lists of detainees are better guarded.
	Guard bool `json:"guard,omitempty"`
	// Levels are the learned parameters, best level last; level 0 is
	// "missing" and is neutral. Filled by Run.
	Levels []Level `json:"levels,omitempty"`
}

// Settings configure a run; the zero value means "choose automatically".
// Result.Settings is the complete, trained version, savable as JSON.
type Settings struct {
	Fields []Field `json:"fields"`
	// Blocking rules: a pair is a candidate when, for some rule, all its
	// keys agree. A key is a column name (the field's default key: the name
	// key, the full date, the value), "column:year" for a date's year,
	// "column:year1" for its year ± 1, "column:given" / "column:surname"
	// for a part of a full name, "column:sound" for a full name's surname
	// and the consonants of its given name, "column:given1" and
	// "column:given2" for its surname and the first or last syllable of
	// its given name.
	// Empty means chosen automatically from the fields.
	Blocking [][]string `json:"blocking,omitempty"`
	// LinkType is dedupe, link or link_and_dedupe; empty: dedupe for one
	// source, link for several.
	LinkType string `json:"link_type,omitempty"`
	// Threshold is the match probability from which pairs join clusters.
	Threshold float64 `json:"threshold,omitempty"`
	// ChainThreshold guards against chaining: a merge through a link weaker
	// than this is refused when the two groups hold a pair the model scored
	// below ConflictBelow (evidence they are different people).
	ChainThreshold float64 `json:"chain_threshold,omitempty"`
	ConflictBelow  float64 `json:"conflict_below,omitempty"`
	// StrongThreshold: with several sources, two records of one list share
	// a cluster only when their own pair scored at least this, never
	// through a chain of other links (a list rarely names one person
	// twice; LambdaSameSource already asks more of such a pair). Default:
	// Threshold.
	StrongThreshold float64 `json:"strong_threshold,omitempty"`
	// ReviewLower and ReviewUpper bound the doubtful band sent to review.
	ReviewLower float64 `json:"review_lower,omitempty"`
	ReviewUpper float64 `json:"review_upper,omitempty"`
	// Lambda is the learned proportion of matches among comparable pairs
	// (across sources when LambdaSameSource is set).
	Lambda float64 `json:"lambda,omitempty"`
	// LambdaSameSource is the proportion among pairs of one source, when
	// several sources are deduplicated as well as linked: a list rarely
	// names one person twice, so its own pairs get a lower prior.
	LambdaSameSource float64 `json:"lambda_same_source,omitempty"`
	// Calibration maps the model's probabilities to calibrated ones (see
	// FitCalibration); empty: none.
	Calibration Calibration `json:"calibration,omitempty"`
	// Trained means the parameters are final: Run scores without EM.
	Trained bool `json:"trained,omitempty"`
	// MaxPairs bounds candidate pairs for automatic blocking (0: by size).
	MaxPairs int `json:"max_pairs,omitempty"`
	// Seed makes random sampling repeatable.
	Seed int64 `json:"seed,omitempty"`
}

// maxFields bounds the compared fields: a comparison vector packs into 64
// bits, 4 per field.
const maxFields = 16

// Defaults for the thresholds.
const (
	DefaultThreshold      = 0.5
	DefaultChainThreshold = 0.9
	DefaultConflictBelow  = 0.01
	DefaultReviewLower    = 0.2
	DefaultReviewUpper    = 0.8
)

// Decision is a human judgement on a pair of record ids, honoured on every
// run: Same forces the two into one cluster (must-link), otherwise they
// are never clustered together (cannot-link).
type Decision struct {
	A, B string
	Same bool
}

// Pair is a scored candidate pair of record indexes (A < B).
type Pair struct {
	A, B int32
	// Prob is the match probability (1 or 0 for decided pairs).
	Prob float32
}

// RuleStats reports what one blocking rule contributed.
type RuleStats struct {
	Rule  []string `json:"rule"`
	Pairs int64    `json:"pairs"` // new pairs (not already given by an earlier rule)
}

// Stats describe a run.
type Stats struct {
	Records        int           `json:"records"`
	CandidatePairs int64         `json:"candidate_pairs"`
	Rules          []RuleStats   `json:"rules"`
	ComparablePair int64         `json:"comparable_pairs"` // all pairs the link type allows
	EMIterations   int           `json:"em_iterations"`
	Clusters       int           `json:"clusters"`
	Review         int           `json:"review"`
	Conflicts      int           `json:"conflicts"` // decisions contradicting each other (cannot-link inside a must-link group)
	Refused        int           `json:"refused"`   // merges refused by cannot-links and the chain guard
	Elapsed        time.Duration `json:"elapsed_ns"`
}

// Result of a run.
type Result struct {
	// Cluster gives, for each record index, its cluster number (0..n-1,
	// numbered in order of first record).
	Cluster []int32
	// Pairs are all scored candidate pairs (blocking order, then the pairs
	// of decisions that blocking did not give).
	Pairs []Pair
	// Review are the undecided pairs with ReviewLower ≤ Prob < ReviewUpper,
	// one per pair of clusters (one decision settles the rest), most
	// doubtful (nearest 0.5) first.
	Review []Pair
	// Settings are the settings used, with learned parameters.
	Settings Settings
	Stats    Stats

	w *work // kept for Explain
}

// Comparison explains one field of a scored pair.
type Comparison struct {
	Column string `json:"column"`
	Level  string `json:"level"`
	// Weight is the field's evidence in bits (log2 Bayes factor, with the
	// term-frequency adjustment): positive for, negative against a match.
	// With the prior they add up to the model's probability (ModelProb),
	// before calibration.
	Weight float64 `json:"weight"`
	A      string  `json:"a"`
	B      string  `json:"b"`
}

// Explain returns, field by field, why pair i of res.Pairs scored as it
// did: the comparison level reached and its weight of evidence.
func (res *Result) Explain(i int) []Comparison {
	w := res.w
	if w == nil || i < 0 || i >= len(w.pairs) {
		return nil
	}
	p := w.pairs[i]
	nf := len(w.cols)
	out := make([]Comparison, nf)
	for f := range w.cols {
		l := w.gamma[i*nf+f]
		ci := w.ds.Column(w.s.Fields[f].Column)
		out[f] = Comparison{
			Column: w.s.Fields[f].Column,
			Level:  levelNames(w.cols[f].kind)[l],
			Weight: w.weight(f, l, p.a) / math.Ln2,
			A:      w.ds.Records[p.a].text(ci),
			B:      w.ds.Records[p.b].text(ci),
		}
	}
	return out
}

// Progress receives progress reports (stage name, done, total). Calls are
// serialized; it may be nil.
type Progress func(stage string, done, total int64)

// Options tune a run without being part of the model.
type Options struct {
	Progress Progress
	// Workers is the number of goroutines for comparison (0: GOMAXPROCS).
	Workers int
	// AfterBlocking, if set, sees the candidate pairs (Prob unset) and what
	// each rule gave, before any comparison or scoring: to report the pair
	// count, or pair completeness when a ground truth is at hand.
	AfterBlocking func(pairs []Pair, rules []RuleStats)
}

// Run links the records of ds with settings s, honouring decisions.
func Run(ctx context.Context, ds *Dataset, s Settings, decisions []Decision) (*Result, error) {
	return RunWithOptions(ctx, ds, s, decisions, Options{})
}

// RunWithOptions is Run with progress reporting and a worker count.
func RunWithOptions(ctx context.Context, ds *Dataset, s Settings, decisions []Decision, opt Options) (*Result, error) {
	start := time.Now()
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	if opt.Progress == nil {
		opt.Progress = func(string, int64, int64) {}
	}
	if err := s.fillDefaults(ds); err != nil {
		return nil, err
	}
	idx, err := indexIDs(ds)
	if err != nil {
		return nil, err
	}
	nsrc, srcOf := sourceIDs(ds)
	if s.LinkType == "" {
		s.LinkType = Dedupe
		if nsrc > 1 {
			s.LinkType = Link
		}
	}
	if len(ds.Records) < 2 {
		// Nothing to link: every record is its own cluster.
		res := &Result{Settings: s, Cluster: make([]int32, len(ds.Records))}
		res.Stats.Records, res.Stats.Clusters = len(ds.Records), len(ds.Records)
		return res, nil
	}
	w := &work{ds: ds, s: &s, opt: opt, src: srcOf, nsrc: nsrc}
	if err := w.prepare(ctx); err != nil {
		return nil, err
	}
	opt.Progress("blocking", 0, 1)
	if err := w.block(ctx); err != nil {
		return nil, err
	}
	if opt.AfterBlocking != nil {
		ps := make([]Pair, len(w.pairs))
		for i, p := range w.pairs {
			ps[i] = Pair{A: p.a, B: p.b}
		}
		opt.AfterBlocking(ps, w.ruleStats)
	}
	dec := w.decisionPairs(decisions, idx)
	w.decided = dec
	if err := w.compareAll(ctx); err != nil {
		return nil, err
	}
	if !s.Trained {
		if err := w.train(ctx); err != nil {
			return nil, err
		}
	}
	w.score(ctx)
	for _, d := range dec {
		w.prob[d.pair] = d.prob
	}
	res := &Result{Settings: s, w: w}
	res.Pairs = make([]Pair, len(w.pairs))
	for i, p := range w.pairs {
		res.Pairs[i] = Pair{A: p.a, B: p.b, Prob: w.prob[i]}
	}
	decided := map[int]bool{}
	for _, d := range dec {
		decided[d.pair] = true
	}
	res.Cluster, res.Stats.Refused, res.Stats.Conflicts = w.cluster(dec)
	res.Review = reviewQueue(res.Pairs, res.Cluster, decided, s.ReviewLower, s.ReviewUpper)
	res.Settings = *w.s
	res.Stats.Records = len(ds.Records)
	res.Stats.CandidatePairs = int64(len(w.pairs))
	res.Stats.Rules = w.ruleStats
	res.Stats.ComparablePair = w.comparablePairs()
	res.Stats.EMIterations = w.emIters
	res.Stats.Review = len(res.Review)
	nc := int32(0)
	for _, c := range res.Cluster {
		if c+1 > nc {
			nc = c + 1
		}
	}
	res.Stats.Clusters = int(nc)
	res.Stats.Elapsed = time.Since(start)
	return res, nil
}

// reviewQueue lists the undecided pairs with lower ≤ Prob < upper, one per
// pair of clusters (or per cluster, for doubtful pairs inside one): the
// most doubtful (nearest 0.5), since one decision on it settles the
// others (a must-link merges the clusters, a cannot-link keeps them
// apart). Most doubtful first.
func reviewQueue(pairs []Pair, cluster []int32, decided map[int]bool, lower, upper float64) []Pair {
	best := map[[2]int32]int{}
	for i, p := range pairs {
		if decided[i] || float64(p.Prob) < lower || float64(p.Prob) >= upper {
			continue
		}
		ca, cb := cluster[p.A], cluster[p.B]
		k := [2]int32{min(ca, cb), max(ca, cb)}
		if j, ok := best[k]; !ok || absf(p.Prob-0.5) < absf(pairs[j].Prob-0.5) {
			best[k] = i
		}
	}
	idx := make([]int, 0, len(best))
	for _, i := range best {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	out := make([]Pair, len(idx))
	for k, i := range idx {
		out[k] = pairs[i]
	}
	sort.SliceStable(out, func(i, j int) bool { return absf(out[i].Prob-0.5) < absf(out[j].Prob-0.5) })
	return out
}

func absf(x float32) float32 {
	if x < 0 {
		return -x
	}
	return x
}

func indexIDs(ds *Dataset) (map[string]int32, error) {
	idx := make(map[string]int32, len(ds.Records))
	for i, r := range ds.Records {
		if r.ID == "" {
			return nil, rollcall.Errorf(rollcall.EINVALID, "record %d has no id", i+1)
		}
		if _, dup := idx[r.ID]; dup {
			return nil, rollcall.Errorf(rollcall.EINVALID, "record id %q is not unique", r.ID)
		}
		if len(r.Values) != len(ds.Columns) {
			return nil, rollcall.Errorf(rollcall.EINVALID, "record %q has %d values for %d columns", r.ID, len(r.Values), len(ds.Columns))
		}
		if r.Dates != nil && len(r.Dates) != len(ds.Columns) {
			return nil, rollcall.Errorf(rollcall.EINVALID, "record %q has %d dates for %d columns", r.ID, len(r.Dates), len(ds.Columns))
		}
		idx[r.ID] = int32(i)
	}
	return idx, nil
}

func sourceIDs(ds *Dataset) (int, []int32) {
	ids := map[string]int32{}
	out := make([]int32, len(ds.Records))
	for i, r := range ds.Records {
		id, ok := ids[r.Source]
		if !ok {
			id = int32(len(ids))
			ids[r.Source] = id
		}
		out[i] = id
	}
	return len(ids), out
}

func (s *Settings) fillDefaults(ds *Dataset) error {
	if len(s.Fields) == 0 {
		return rollcall.Errorf(rollcall.EINVALID, "no fields to compare")
	}
	if len(s.Fields) > maxFields {
		return rollcall.Errorf(rollcall.EINVALID, "%d fields to compare: at most %d", len(s.Fields), maxFields)
	}
	for i := range s.Fields {
		f := &s.Fields[i]
		if ds.Column(f.Column) < 0 {
			return rollcall.Errorf(rollcall.EINVALID, "no column %q in the input", f.Column)
		}
		for _, a := range f.Alternatives {
			if ds.Column(a) < 0 {
				return rollcall.Errorf(rollcall.EINVALID, "no column %q (alternative of %q) in the input", a, f.Column)
			}
		}
		if _, err := ParseKind(string(f.Kind)); err != nil {
			return err
		}
		if f.Kind == Name && f.NamePart == "" {
			f.NamePart = guessNamePart(f.Column)
		}
		if f.TermFrequency == nil {
			tf := f.Kind != Date && f.Kind != Number
			f.TermFrequency = &tf
		}
		if s.Trained {
			if len(f.Levels) != len(levelNames(f.Kind)) {
				return rollcall.Errorf(rollcall.EINVALID, "model field %q has %d levels, want %d", f.Column, len(f.Levels), len(levelNames(f.Kind)))
			}
			for _, l := range f.Levels[1:] {
				if !(l.M > 0 && l.M <= 1 && l.U > 0 && l.U <= 1) {
					return rollcall.Errorf(rollcall.EINVALID, "model field %q level %q: m and u must be in (0, 1]", f.Column, l.Name)
				}
			}
		}
	}
	switch s.LinkType {
	case "", Dedupe, Link, LinkAndDedupe:
	default:
		return rollcall.Errorf(rollcall.EINVALID, "unknown link type %q", s.LinkType)
	}
	for _, rule := range s.Blocking {
		for _, k := range rule {
			if _, _, err := s.parseKey(ds, k); err != nil {
				return err
			}
		}
	}
	def := func(p *float64, v float64) {
		if *p == 0 {
			*p = v
		}
	}
	def(&s.Threshold, DefaultThreshold)
	def(&s.ChainThreshold, DefaultChainThreshold)
	def(&s.ConflictBelow, DefaultConflictBelow)
	def(&s.ReviewLower, DefaultReviewLower)
	def(&s.ReviewUpper, DefaultReviewUpper)
	def(&s.StrongThreshold, s.Threshold)
	if s.Threshold <= 0 || s.Threshold >= 1 {
		return rollcall.Errorf(rollcall.EINVALID, "threshold %g must be between 0 and 1", s.Threshold)
	}
	if s.Trained && !(s.Lambda > 0 && s.Lambda < 1) {
		return rollcall.Errorf(rollcall.EINVALID, "model lambda %g must be between 0 and 1", s.Lambda)
	}
	if !s.Calibration.valid() {
		return rollcall.Errorf(rollcall.EINVALID, "calibration knots must rise within (0, 1)")
	}
	if s.Trained && !(s.LambdaSameSource >= 0 && s.LambdaSameSource < 1) {
		return rollcall.Errorf(rollcall.EINVALID, "model lambda_same_source %g must be between 0 and 1", s.LambdaSameSource)
	}
	if s.Seed == 0 {
		s.Seed = 1
	}
	return nil
}

// guessNamePart reads the role of a name column from its name.
func guessNamePart(col string) string {
	c := lowerASCII(col)
	for _, w := range []string{"surname", "last", "family", "lname", "sur"} {
		if contains(c, w) {
			return "surname"
		}
	}
	for _, w := range []string{"given", "first", "fname", "forename", "christian"} {
		if contains(c, w) {
			return "given"
		}
	}
	return "full"
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// parseKey reads a blocking key "column" or "column:modifier": "year" for
// a date's year, "year1" for its year ± 1, "given" or "surname" for one
// part of a full name, "sound" for its surname and given consonants,
// "given1"/"given2" for its surname and first/last given syllable.
func (s *Settings) parseKey(ds *Dataset, k string) (field int, mod string, err error) {
	col := k
	for i := len(k) - 1; i >= 0; i-- {
		if k[i] == ':' {
			col, mod = k[:i], k[i+1:]
			break
		}
	}
	for i, f := range s.Fields {
		if f.Column != col {
			continue
		}
		switch {
		case mod == "":
			return i, "", nil
		case (mod == "year" || mod == "year1") && f.Kind == Date:
			return i, mod, nil
		case (mod == "given" || mod == "surname" || mod == "sound" || mod == "given1" || mod == "given2") && f.Kind == Name && f.NamePart == "full":
			return i, mod, nil
		}
		return 0, "", rollcall.Errorf(rollcall.EINVALID, "blocking key %q: modifier %q does not apply to a %s field", k, mod, f.Kind)
	}
	return 0, "", rollcall.Errorf(rollcall.EINVALID, "blocking key %q names no compared field", k)
}
