package rule

import (
	"fmt"
	"strings"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"

	"github.com/rollcall-project/rollcall"
)

// Literals compared with vocabulary-valued facts are read as codes, or
// rejected (see the package doc, Vocabularies): ==, != and in, with the
// fact, a comprehension variable over charges or a list of literals.

// vocabScheme is the vocabulary scheme of each vocabulary-valued fact;
// sex has its own spelling rule (NormalizeSex).
var vocabScheme = map[int]string{iFacilityType: rollcall.VocabFacilityType, iCharges: rollcall.VocabChargeCat}

// vocabNoun names a fact's values in messages.
var vocabNoun = map[int]string{iSex: "sex", iFacilityType: "facility type", iCharges: "charge category"}

// noVocab marks a name that shadows a fact inside a comprehension.
const noVocab = -1

// vocabCheck walks a checked rule for literals compared with
// vocabulary-valued facts.
type vocabCheck struct {
	voc   *rollcall.Vocabulary
	info  *celast.SourceInfo
	edits map[int64]string // literal expression id → the code it names
	errs  []string
}

// checkVocabulary finds the vocabulary literals of a checked rule: those to
// rewrite (by expression id), or an EINVALID error naming each literal
// that names no value, with its line:column.
func checkVocabulary(a *cel.Ast, voc *rollcall.Vocabulary) (map[int64]string, error) {
	c := &vocabCheck{voc: voc, info: a.NativeRep().SourceInfo(), edits: map[int64]string{}}
	c.walk(a.NativeRep().Expr(), map[string]int{})
	if len(c.errs) > 0 {
		return nil, &rollcall.Error{Code: rollcall.EINVALID, Field: "rule", Message: strings.Join(c.errs, "; ")}
	}
	return c.edits, nil
}

// factOf says which vocabulary e draws from: a fact index (list true for
// charges, a list of codes), or noVocab.
func (c *vocabCheck) factOf(e celast.Expr, scope map[string]int) (fact int, list bool) {
	if e.Kind() != celast.IdentKind {
		return noVocab, false
	}
	name := e.AsIdent()
	if f, ok := scope[name]; ok {
		return f, false
	}
	switch i := factIndex(name); i {
	case iSex, iFacilityType:
		return i, false
	case iCharges:
		return i, true
	}
	return noVocab, false
}

func (c *vocabCheck) walk(e celast.Expr, scope map[string]int) {
	switch e.Kind() {
	case celast.CallKind:
		call := e.AsCall()
		args := call.Args()
		switch call.FunctionName() {
		case operators.Equals, operators.NotEquals:
			c.compare(args[0], args[1], scope)
			c.compare(args[1], args[0], scope)
		case operators.In:
			if f, list := c.factOf(args[1], scope); f != noVocab && list {
				c.literal(args[0], f) // "political" in charges
			}
			if f, list := c.factOf(args[0], scope); f != noVocab && !list {
				c.literals(args[1], f) // facility_type in ["kyohwaso", ...]
			}
		}
		if call.IsMemberFunction() {
			c.walk(call.Target(), scope)
		}
		for _, a := range args {
			c.walk(a, scope)
		}
	case celast.ComprehensionKind:
		comp := e.AsComprehension()
		c.walk(comp.IterRange(), scope)
		c.walk(comp.AccuInit(), scope)
		inner := make(map[string]int, len(scope)+3)
		for k, v := range scope {
			inner[k] = v
		}
		elem := comp.IterVar()
		if comp.HasIterVar2() {
			inner[elem] = noVocab // the index
			elem = comp.IterVar2()
		}
		inner[elem], inner[comp.AccuVar()] = noVocab, noVocab
		if f, list := c.factOf(comp.IterRange(), scope); f != noVocab && list {
			inner[elem] = f
		}
		c.walk(comp.LoopCondition(), inner)
		c.walk(comp.LoopStep(), inner)
		c.walk(comp.Result(), inner)
	case celast.ListKind:
		for _, x := range e.AsList().Elements() {
			c.walk(x, scope)
		}
	case celast.MapKind:
		for _, en := range e.AsMap().Entries() {
			c.walk(en.AsMapEntry().Key(), scope)
			c.walk(en.AsMapEntry().Value(), scope)
		}
	case celast.SelectKind:
		c.walk(e.AsSelect().Operand(), scope)
	}
}

// compare handles x == lit (or !=) with x a vocabulary value or list.
func (c *vocabCheck) compare(x, lit celast.Expr, scope map[string]int) {
	switch f, list := c.factOf(x, scope); {
	case f == noVocab:
	case list:
		c.literals(lit, f) // charges == ["political"]
	default:
		c.literal(lit, f)
	}
}

// literals checks each string literal of a list literal.
func (c *vocabCheck) literals(e celast.Expr, fact int) {
	if e.Kind() != celast.ListKind {
		return
	}
	for _, x := range e.AsList().Elements() {
		c.literal(x, fact)
	}
}

// literal checks one string literal against fact's vocabulary.
func (c *vocabCheck) literal(e celast.Expr, fact int) {
	if e.Kind() != celast.LiteralKind {
		return
	}
	s, ok := e.AsLiteral().(types.String)
	if !ok {
		return
	}
	var code string
	if fact == iSex {
		if v, err := NormalizeSex(string(s)); err == nil && v != "" {
			code, ok = v, true
		} else {
			ok = false
		}
	} else {
		code, ok = c.voc.Code(vocabScheme[fact], string(s))
	}
	if !ok {
		loc := c.info.GetStartLocation(e.ID())
		c.errs = append(c.errs, fmt.Sprintf("rule %d:%d: %q is not a %s (allowed: %s)", loc.Line(), loc.Column()+1,
			Truncate(string(s), 40), vocabNoun[fact], strings.Join(c.allowed(fact), ", ")))
		return
	}
	if code != string(s) {
		c.edits[e.ID()] = code
	}
}

func (c *vocabCheck) allowed(fact int) []string {
	if fact == iSex {
		return []string{"f", "m"}
	}
	return c.voc.Codes(vocabScheme[fact])
}

// rewriteLiterals replaces the literals named by edits with their codes
// (a CEL static optimizer pass, which type-checks the result again).
func rewriteLiterals(env *cel.Env, a *cel.Ast, edits map[int64]string) (*cel.Ast, error) {
	opt, err := cel.NewStaticOptimizer(literalEdits(edits))
	if err != nil {
		return nil, fmt.Errorf("amnesty: rule optimizer: %w", err)
	}
	out, iss := opt.Optimize(env, a)
	if iss != nil && iss.Err() != nil {
		return nil, ruleError(iss.Errors())
	}
	return out, nil
}

// literalEdits is a cel.ASTOptimizer that rewrites string literals by id.
type literalEdits map[int64]string

func (m literalEdits) Optimize(ctx *cel.OptimizerContext, a *celast.AST) *celast.AST {
	type hit struct {
		e    celast.Expr
		code string
	}
	var hits []hit // collected first: the walk must not see its own edits
	celast.PreOrderVisit(a.Expr(), celast.NewExprVisitor(func(e celast.Expr) {
		if code, ok := m[e.ID()]; ok && e.Kind() == celast.LiteralKind {
			hits = append(hits, hit{e, code})
		}
	}))
	for _, h := range hits {
		ctx.UpdateExpr(h.e, ctx.NewLiteral(types.String(h.code)))
	}
	return a
}

// Documented extends voc with the facility types and charges that persons
// hold outside it: a persons file may use its own categories, and a rule
// may then name them (and still nothing else).
func Documented(voc *rollcall.Vocabulary, persons []Detainee) *rollcall.Vocabulary {
	var types, charges []string
	for _, p := range persons {
		for _, t := range p.FacilityType {
			if _, ok := voc.Code(rollcall.VocabFacilityType, t); !ok {
				types = append(types, t)
			}
		}
		for _, c := range p.Charges {
			if _, ok := voc.Code(rollcall.VocabChargeCat, c); !ok {
				charges = append(charges, c)
			}
		}
	}
	if len(types)+len(charges) == 0 {
		return voc
	}
	return voc.With(rollcall.VocabFacilityType, types...).With(rollcall.VocabChargeCat, charges...)
}
