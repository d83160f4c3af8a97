package rule

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"

	"github.com/rollcall-project/rollcall"
)

// Limits that keep a rule small and its evaluation bounded.
const (
	maxRuleLen    = 8 << 10 // bytes of rule text
	maxRuleDepth  = 64      // nesting of the parsed expression
	evalCostLimit = 100_000 // CEL cost units per evaluation
	maxCombos     = 256     // evaluations per person and decree
	maxCandidates = 24      // sampled values per uncertain fact
	smallIntRange = 12      // integer ranges up to this size are enumerated in full
	maxCriticals  = 64
)

// baseEnv declares the facts once; a cel.Env is immutable and safe to share.
var baseEnv = sync.OnceValues(func() (*cel.Env, error) {
	return cel.NewEnv(
		cel.Variable(FactAge, cel.IntType),
		cel.Variable(FactSex, cel.StringType),
		cel.Variable(FactFacility, cel.StringType),
		cel.Variable(FactFacilityType, cel.StringType),
		cel.Variable(FactCharges, cel.ListType(cel.StringType)),
		cel.Variable(FactSentenceYears, cel.DoubleType),
		cel.Variable(FactServedYears, cel.DoubleType),
		cel.Variable(FactDetained, cel.BoolType),
		cel.Variable(FactPriorAmnesties, cel.IntType),
		// Analysts write `sentence_years >= 10`, not `>= 10.0`.
		cel.CrossTypeNumericComparisons(true),
		cel.ParserExpressionSizeLimit(maxRuleLen),
		cel.ParserRecursionLimit(maxRuleDepth),
		cel.ExpressionNestingDepthLimit(maxRuleDepth),
		cel.RegexProgramSizeLimit(1000),
	)
})

// Rule is a compiled amnesty criterion. It is safe for concurrent use.
type Rule struct {
	src      string
	plain    cel.Program // for persons whose used facts are all known
	partial  cel.Program // with unknowns
	uses     [nFacts]bool
	consts   []float64
	patterns [nFacts]*cel.AttributePatternType
}

// Source is the rule text.
func (r *Rule) Source() string { return r.src }

// Uses lists the facts the rule refers to, in reporting order.
func (r *Rule) Uses() []string {
	var out []string
	for i, u := range r.uses {
		if u {
			out = append(out, FactNames[i])
		}
	}
	return out
}

// Compile parses and type-checks a rule, and reads the literals it compares
// with vocabulary-valued facts through voc (see vocab.go): "F" becomes "f",
// "교화소" becomes "kyohwaso", and a literal that names no value is an
// error listing the allowed ones. Errors are *rollcall.Error with code
// EINVALID and Field "rule", giving line:column in the rule.
func Compile(src string, voc *rollcall.Vocabulary) (*Rule, error) {
	if voc == nil {
		return nil, errors.New("amnesty: compile: no vocabulary to read the rule's values with")
	}
	if strings.TrimSpace(src) == "" {
		return nil, &rollcall.Error{Code: rollcall.EINVALID, Field: "rule", Message: "the rule is empty"}
	}
	if len(src) > maxRuleLen {
		return nil, &rollcall.Error{Code: rollcall.EINVALID, Field: "rule",
			Message: fmt.Sprintf("the rule is %d bytes long; the limit is %d", len(src), maxRuleLen)}
	}
	env, err := baseEnv()
	if err != nil {
		return nil, fmt.Errorf("amnesty: rule environment: %w", err)
	}
	ast, iss := env.Compile(src)
	if iss != nil && iss.Err() != nil {
		return nil, ruleError(iss.Errors())
	}
	if !ast.OutputType().IsExactType(cel.BoolType) {
		return nil, &rollcall.Error{Code: rollcall.EINVALID, Field: "rule",
			Message: fmt.Sprintf("rule 1:1: the rule must give true or false, not %s", ast.OutputType())}
	}
	edits, err := checkVocabulary(ast, voc)
	if err != nil {
		return nil, err
	}
	if len(edits) > 0 {
		if ast, err = rewriteLiterals(env, ast, edits); err != nil {
			return nil, err
		}
	}
	r := &Rule{src: src}
	if r.plain, err = env.Program(ast, cel.CostLimit(evalCostLimit)); err != nil {
		return nil, rollcall.WrapError(rollcall.EINVALID, err, "rule: cannot plan the rule")
	}
	if r.partial, err = env.Program(ast, cel.CostLimit(evalCostLimit), cel.EvalOptions(cel.OptPartialEval)); err != nil {
		return nil, rollcall.WrapError(rollcall.EINVALID, err, "rule: cannot plan the rule")
	}
	seen := map[float64]bool{}
	celast.PreOrderVisit(ast.NativeRep().Expr(), celast.NewExprVisitor(func(e celast.Expr) {
		switch e.Kind() {
		case celast.IdentKind:
			if i := factIndex(e.AsIdent()); i >= 0 {
				r.uses[i] = true
			}
		case celast.LiteralKind:
			var v float64
			switch c := e.AsLiteral().(type) {
			case types.Int:
				v = float64(c)
			case types.Uint:
				v = float64(c)
			case types.Double:
				v = float64(c)
			default:
				return
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return
			}
			for _, x := range []float64{v, -v} {
				if !seen[x] && len(r.consts) < maxCriticals {
					seen[x] = true
					r.consts = append(r.consts, x)
				}
			}
		}
	}))
	for i := range r.patterns {
		r.patterns[i] = cel.AttributePattern(FactNames[i])
	}
	return r, nil
}

// ruleError turns CEL issues into one EINVALID error listing each as
// "rule LINE:COL: message".
func ruleError(errs []*cel.Error) error {
	var b strings.Builder
	for i, e := range errs {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "rule %d:%d: %s", e.Location.Line(), e.Location.Column()+1, e.Message)
	}
	if len(errs) == 0 {
		b.WriteString("the rule does not compile")
	}
	return &rollcall.Error{Code: rollcall.EINVALID, Field: "rule", Message: b.String()}
}

// Decision is a rule's verdict for one person.
type Decision struct {
	Decision string `json:"decision"` // rollcall.Eligible, NotEligible or Undetermined
	// Missing names the facts that would decide an undetermined case.
	Missing []string `json:"missing"`
	// Error is set when the rule failed on this person's facts (e.g. an
	// index out of range); the decision is then undetermined.
	Error string `json:"error,omitempty"`
}

// activation feeds one combination of fact values to CEL; nil is unknown.
type activation struct{ vals *[nFacts]ref.Val }

func (a activation) ResolveName(name string) (any, bool) {
	i := factIndex(name)
	if i < 0 || a.vals[i] == nil {
		return nil, false
	}
	return a.vals[i], true
}

func (a activation) Parent() cel.Activation { return nil }

// result kinds of one evaluation.
const (
	kFalse uint8 = iota
	kTrue
	kUnknown
	kError
)

type outcome struct {
	kind    uint8
	unknown uint16 // bit i: fact i was an unknown the result depends on
	err     string
}

// Decide evaluates the rule over f. See the package doc for the semantics.
func (r *Rule) Decide(f Facts) Decision {
	var cands [nFacts][]ref.Val // nil: unknown; one: fixed; more: alternatives
	var crit []float64
	criticals := func() []float64 {
		if crit == nil {
			crit = r.criticals(f)
		}
		return crit
	}
	for i := range nFacts {
		if !r.uses[i] {
			continue
		}
		cands[i] = factCandidates(i, f, criticals)
	}
	// Each uncertain fact is a dimension of the grid, except facility and
	// facility_type, which vary together when the alternatives are known
	// as pairs (a transfer date overlapping the decree date).
	var dims []dim
	linked := r.uses[iFacility] && r.uses[iFacilityType] && len(f.Placements) > 1 &&
		(len(cands[iFacility]) > 1 || len(cands[iFacilityType]) > 1) && cands[iFacility] != nil && cands[iFacilityType] != nil
	if linked {
		d := dim{facts: []int{iFacility, iFacilityType}}
		seen := map[[2]string]bool{}
		for _, pl := range f.Placements {
			if !seen[pl] {
				seen[pl] = true
				d.vals = append(d.vals, []ref.Val{types.String(pl[0]), types.String(pl[1])})
			}
		}
		dims = append(dims, d)
	}
	for i := range nFacts {
		if len(cands[i]) > 1 && !(linked && (i == iFacility || i == iFacilityType)) {
			d := dim{facts: []int{i}}
			for _, c := range cands[i] {
				d.vals = append(d.vals, []ref.Val{c})
			}
			dims = append(dims, d)
		}
	}
	// Bound the grid: the widest dimensions become unknowns (sound: an
	// unknown can only make a decision undetermined).
	for {
		n, widest := 1, -1
		for k, d := range dims {
			n *= len(d.vals)
			if widest < 0 || len(d.vals) > len(dims[widest].vals) {
				widest = k
			}
		}
		if n <= maxCombos {
			break
		}
		for _, i := range dims[widest].facts {
			cands[i] = nil
		}
		dims = slices.Delete(dims, widest, widest+1)
	}
	var unknowns []*cel.AttributePatternType
	var vals [nFacts]ref.Val
	for i := range nFacts {
		switch {
		case !r.uses[i]:
		case cands[i] == nil:
			unknowns = append(unknowns, r.patterns[i])
		default:
			vals[i] = cands[i][0]
		}
	}
	eval := func() outcome { return r.eval(&vals, unknowns) }
	if len(dims) == 0 {
		return decisionOf([]outcome{eval()}, nil)
	}
	// Enumerate the grid in mixed radix over the dimensions.
	total := 1
	for _, d := range dims {
		total *= len(d.vals)
	}
	outs := make([]outcome, total)
	for n := range total {
		rem := n
		for _, d := range dims {
			c := d.vals[rem%len(d.vals)]
			rem /= len(d.vals)
			for j, i := range d.facts {
				vals[i] = c[j]
			}
		}
		outs[n] = eval()
	}
	return decisionOf(outs, dims)
}

// dim is one dimension of the evaluation grid: facts that vary together,
// and their candidate values (vals[c][j] is facts[j]'s value in candidate c).
type dim struct {
	facts []int
	vals  [][]ref.Val
}

// varies reports whether fact j of the dimension takes more than one value.
func (d dim) varies(j int) bool {
	for _, c := range d.vals[1:] {
		if c[j].Equal(d.vals[0][j]) != types.True {
			return true
		}
	}
	return false
}

func (r *Rule) eval(vals *[nFacts]ref.Val, unknowns []*cel.AttributePatternType) outcome {
	var (
		out ref.Val
		err error
	)
	act := activation{vals}
	if len(unknowns) == 0 {
		out, _, err = r.plain.Eval(act)
	} else {
		pa, perr := cel.PartialVars(act, unknowns...)
		if perr != nil {
			return outcome{kind: kError, err: perr.Error()}
		}
		out, _, err = r.partial.Eval(pa)
	}
	if err != nil {
		return outcome{kind: kError, err: err.Error()}
	}
	switch v := out.(type) {
	case types.Bool:
		if v {
			return outcome{kind: kTrue}
		}
		return outcome{kind: kFalse}
	case *types.Unknown:
		var mask uint16
		for _, id := range v.IDs() {
			trails, _ := v.GetAttributeTrails(id)
			for _, t := range trails {
				if i := factIndex(t.Variable()); i >= 0 {
					mask |= 1 << i
				}
			}
		}
		return outcome{kind: kUnknown, unknown: mask}
	case *types.Err:
		return outcome{kind: kError, err: v.String()}
	}
	return outcome{kind: kError, err: fmt.Sprintf("the rule gave %v, not true or false", out)}
}

// decisionOf combines the outcomes of a grid over the dimensions.
func decisionOf(outs []outcome, dims []dim) Decision {
	allTrue, allFalse := true, true
	var mask uint16
	var errs []string
	for _, o := range outs {
		allTrue = allTrue && o.kind == kTrue
		allFalse = allFalse && o.kind == kFalse
		mask |= o.unknown
		if o.kind == kError && !slices.Contains(errs, o.err) {
			errs = append(errs, o.err)
		}
	}
	switch {
	case allTrue:
		return Decision{Decision: rollcall.Eligible, Missing: []string{}}
	case allFalse:
		return Decision{Decision: rollcall.NotEligible, Missing: []string{}}
	}
	// A dimension matters if changing it alone changes the result.
	stride := 1
	for _, d := range dims {
		radix := len(d.vals)
		differs := false
		for n := 0; n < len(outs) && !differs; n++ {
			if (n/stride)%radix != 0 {
				continue
			}
			first := outs[n].kind
			for v := 1; v < radix; v++ {
				if outs[n+v*stride].kind != first {
					differs = true
					break
				}
			}
		}
		if differs {
			for j, i := range d.facts {
				if d.varies(j) {
					mask |= 1 << i
				}
			}
		}
		stride *= radix
	}
	d := Decision{Decision: rollcall.Undetermined, Missing: []string{}}
	for i := range nFacts {
		if mask&(1<<i) != 0 {
			d.Missing = append(d.Missing, FactNames[i])
		}
	}
	if len(errs) > 0 {
		d.Error = strings.Join(errs, "; ")
	}
	return d
}

// criticals are the numbers at which a comparison in the rule can flip: its
// constants, the exactly known numeric facts, and those combined.
func (r *Rule) criticals(f Facts) []float64 {
	out := slices.Clone(r.consts)
	for _, rg := range []Range{f.Age, f.SentenceYears, f.ServedYears, f.PriorAmnesties} {
		if !rg.Known || rg.Lo != rg.Hi || math.IsInf(rg.Lo, 0) {
			continue
		}
		v := rg.Lo
		out = append(out, v)
		for _, k := range r.consts {
			if len(out) >= maxCriticals {
				break
			}
			out = append(out, v+k, v*k)
			if k != 0 {
				out = append(out, v/k)
			}
		}
	}
	return out
}

var errTooWide = errors.New("amnesty: too many candidate values")

// factCandidates gives the CEL values fact i may take; nil when unknown.
func factCandidates(i int, f Facts, criticals func() []float64) []ref.Val {
	strs := func(v []string) []ref.Val {
		if v == nil {
			return nil
		}
		out := make([]ref.Val, len(v))
		for k, s := range v {
			out[k] = types.String(s)
		}
		return out
	}
	switch i {
	case iAge, iPriorAmnesties:
		rg := f.Age
		if i == iPriorAmnesties {
			rg = f.PriorAmnesties
		}
		c, err := rangeCandidates(rg, true, criticals)
		if err != nil {
			return nil
		}
		return c
	case iSentenceYears, iServedYears:
		rg := f.SentenceYears
		if i == iServedYears {
			rg = f.ServedYears
		}
		c, err := rangeCandidates(rg, false, criticals)
		if err != nil {
			return nil
		}
		return c
	case iSex:
		return strs(f.Sex)
	case iFacility:
		return strs(f.Facility)
	case iFacilityType:
		return strs(f.FacilityType)
	case iCharges:
		if !f.ChargesKnown {
			return nil
		}
		return []ref.Val{types.DefaultTypeAdapter.NativeToValue(f.Charges)}
	case iDetained:
		if f.Detained == nil {
			return nil
		}
		return []ref.Val{types.Bool(*f.Detained)}
	}
	return nil
}

// rangeCandidates samples a numeric range: every integer of a small integer
// range, else its ends and both sides of every critical number inside it.
func rangeCandidates(rg Range, integer bool, criticals func() []float64) ([]ref.Val, error) {
	if !rg.Known || math.IsNaN(rg.Lo) || math.IsNaN(rg.Hi) || rg.Lo > rg.Hi {
		return nil, errTooWide
	}
	mk := func(v float64) ref.Val {
		if integer {
			return types.Int(int64(v))
		}
		return types.Double(v)
	}
	if rg.Lo == rg.Hi {
		return []ref.Val{mk(rg.Lo)}, nil
	}
	lo, hi := rg.Lo, rg.Hi
	if integer {
		lo, hi = math.Ceil(lo), math.Floor(hi)
		if lo > hi {
			return nil, errTooWide
		}
		if !math.IsInf(hi, 0) && !math.IsInf(lo, 0) && hi-lo+1 <= smallIntRange {
			var out []ref.Val
			for v := lo; v <= hi; v++ {
				out = append(out, mk(v))
			}
			return out, nil
		}
	}
	var pts []float64
	in := func(v float64) bool { return v >= lo && v <= hi && !math.IsInf(v, 0) }
	add := func(v float64) {
		if in(v) {
			pts = append(pts, v)
		}
	}
	add(lo)
	add(hi)
	top, bottom := lo, hi
	for _, c := range criticals() {
		if integer {
			for _, v := range []float64{math.Floor(c) - 1, math.Floor(c), math.Ceil(c), math.Ceil(c) + 1} {
				add(v)
			}
		} else if c > lo && c < hi {
			eps := max(1e-9, math.Abs(c)*1e-9)
			add(c - eps)
			add(c)
			add(c + eps)
		}
		if in(c) {
			top, bottom = max(top, c), min(bottom, c)
		}
	}
	// An open end still needs a value beyond every threshold.
	if math.IsInf(hi, 1) {
		if math.IsInf(top, -1) {
			top = 0
		}
		pts = append(pts, math.Floor(top)+1)
	}
	if math.IsInf(lo, -1) {
		if math.IsInf(bottom, 1) {
			bottom = 0
		}
		pts = append(pts, math.Ceil(bottom)-1)
	}
	slices.Sort(pts)
	pts = slices.Compact(pts)
	if len(pts) > maxCandidates {
		return nil, errTooWide
	}
	out := make([]ref.Val, len(pts))
	for k, v := range pts {
		out[k] = mk(v)
	}
	return out, nil
}

// appendKey appends to buf a key that determines Decide's result for f:
// the facts the rule uses, exactly. DecideAll memoises on it within one
// call (many people share the same documented facts); nothing outlives
// the call, so a changed fact is always seen.
func (r *Rule) appendKey(buf []byte, f Facts) []byte {
	rng := func(x Range) {
		if !x.Known {
			buf = append(buf, 'u')
			return
		}
		buf = strconv.AppendFloat(append(buf, 'r'), x.Lo, 'g', -1, 64)
		buf = strconv.AppendFloat(append(buf, ','), x.Hi, 'g', -1, 64)
	}
	strs := func(known bool, v []string) {
		if !known {
			buf = append(buf, 'u')
			return
		}
		buf = append(buf, 's')
		for _, s := range v {
			buf = append(append(buf, s...), 0)
		}
	}
	for i := range nFacts {
		if !r.uses[i] {
			continue
		}
		buf = append(buf, byte(i), '|')
		switch i {
		case iAge:
			rng(f.Age)
		case iSentenceYears:
			rng(f.SentenceYears)
		case iServedYears:
			rng(f.ServedYears)
		case iPriorAmnesties:
			rng(f.PriorAmnesties)
		case iSex:
			strs(f.Sex != nil, f.Sex)
		case iFacility:
			strs(f.Facility != nil, f.Facility)
		case iFacilityType:
			strs(f.FacilityType != nil, f.FacilityType)
		case iCharges:
			strs(f.ChargesKnown, f.Charges)
		case iDetained:
			switch {
			case f.Detained == nil:
				buf = append(buf, 'u')
			case *f.Detained:
				buf = append(buf, 't')
			default:
				buf = append(buf, 'f')
			}
		}
	}
	if r.uses[iFacility] && r.uses[iFacilityType] {
		buf = append(buf, 'p')
		for _, p := range f.Placements {
			buf = append(append(append(append(buf, p[0]...), 0), p[1]...), 0)
		}
	}
	return buf
}
