package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/rollcall-project/rollcall"
)

type scanner interface{ Scan(dest ...any) error }

// newUID returns a random 16-byte row key (hex). It is bound into the
// ciphertext of a row's confidential columns and never changes.
func newUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return hex.EncodeToString(b[:])
}

// hashOf is the SHA-256 (hex) of the JSON of parts, for the audit log's
// before/after hashes. Callers pass rows with confidential plaintext removed
// (and the ciphertext instead), so the log cannot confirm a guessed value.
func hashOf(parts ...any) string {
	h := sha256.New()
	enc := json.NewEncoder(h)
	for _, p := range parts {
		if err := enc.Encode(p); err != nil {
			panic(fmt.Sprintf("audit hash: %v", err)) // domain types always encode
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Default and largest page sizes. A negative Limit asks for every row.
const (
	DefaultLimit = 100
)

// filter kinds.
const (
	fText   = iota // exact text
	fInt           // integer id or number
	fNullID        // nullable id: "none" or "" matches NULL
	fBool          // true/false
	fSens          // a sensitivity level (public, internal, confidential)
)

type filterCol struct {
	expr string // column, or an expression with %s (or %[1]s, repeated) for the parameter
	kind int
}

// listSpec describes how one entity is listed and searched.
type listSpec struct {
	// row is a zero value of the type the list returns: its sensitivity
	// (rollcall.RowSensitivity) decides what the sensitivity_max filter
	// compares, so every list can be filtered by the reader's ceiling.
	row     any
	entity  string // singular, for messages
	table   string
	filters map[string]filterCol
	search  []string // columns matched by case-insensitive substring
	keys    bool     // also match name_keys token prefixes
	order   string
}

// where builds the WHERE clause (with leading " WHERE " or "") and args for o.
func (s *Store) where(spec *listSpec, o rollcall.ListOptions, args []any) (string, []any, error) {
	var conds []string
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	names := make([]string, 0, len(o.Filters))
	for k := range o.Filters {
		names = append(names, k)
	}
	// Sorted so the same options give the same SQL text.
	sortStrings(names)
	for _, name := range names {
		val := o.Filters[name]
		f, ok := spec.filters[name]
		if !ok {
			return "", nil, &rollcall.Error{Code: rollcall.EINVALID, Field: name,
				Message: fmt.Sprintf("cannot filter %s by %q (filters: %s)", spec.table, name, strings.Join(spec.filterNames(), ", "))}
		}
		bad := func(want string) error {
			return &rollcall.Error{Code: rollcall.EINVALID, Field: name, Message: fmt.Sprintf("filter %s=%q: not %s", name, val, want)}
		}
		var v any
		switch f.kind {
		case fText:
			v = val
		case fInt:
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil {
				return "", nil, bad("a whole number")
			}
			v = n
		case fNullID:
			if val == "" || val == "none" || val == "null" {
				conds = append(conds, f.expr+" IS NULL")
				continue
			}
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil {
				return "", nil, bad(`a whole number (an id) or "none"`)
			}
			v = n
		case fBool:
			b, err := strconv.ParseBool(val)
			if err != nil {
				return "", nil, bad("true or false")
			}
			v = b
		case fSens:
			if !rollcall.Sensitivity(val).Valid() {
				return "", nil, bad(sensitivityChoices())
			}
			v = val
		}
		if strings.Contains(f.expr, "%s") || strings.Contains(f.expr, "%[1]s") {
			conds = append(conds, fmt.Sprintf(f.expr, arg(v)))
		} else {
			conds = append(conds, f.expr+" = "+arg(v))
		}
	}
	if q := strings.TrimSpace(o.Query); q != "" {
		// Substring tests are instr/strpos, not LIKE '%q%': SQLite parses a
		// statement again whenever a LIKE pattern parameter is bound (it may
		// change the plan), which defeats the statement cache. Both sides
		// are folded as lower() and LIKE fold them, so the matches are the
		// same.
		var alts []string
		if len(spec.search) > 0 {
			sub := arg(lowerASCII(q))
			for _, c := range spec.search {
				alts = append(alts, s.contains("lower("+c+")", sub))
			}
		}
		if spec.keys {
			for _, toks := range s.queryTokenSets(q) {
				var and []string
				for _, t := range toks {
					// " tok" in name_keys: tok starts one of its words.
					and = append(and, s.contains("name_keys", arg(" "+t)))
				}
				if len(and) > 0 {
					alts = append(alts, "("+strings.Join(and, " AND ")+")")
				}
			}
		}
		if len(alts) > 0 {
			conds = append(conds, "("+strings.Join(alts, " OR ")+")")
		}
	}
	if len(conds) == 0 {
		return "", args, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

func (spec *listSpec) filterNames() []string {
	var n []string
	for k := range spec.filters {
		n = append(n, k)
	}
	sortStrings(n)
	return n
}

func sortStrings(a []string) { slices.Sort(a) }

// page returns the LIMIT/OFFSET clause for o.
func (s *Store) page(o rollcall.ListOptions, args []any) (string, []any) {
	limit := o.Limit
	if limit == 0 {
		limit = DefaultLimit
	}
	offset := max(o.Offset, 0)
	if limit < 0 {
		if offset == 0 {
			return "", args
		}
		args = append(args, offset)
		if s.dialect == Postgres {
			return fmt.Sprintf(" OFFSET $%d", len(args)), args
		}
		return fmt.Sprintf(" LIMIT -1 OFFSET $%d", len(args)), args
	}
	args = append(args, limit, offset)
	return fmt.Sprintf(" LIMIT $%d OFFSET $%d", len(args)-1, len(args)), args
}

// list runs the page query for spec and, when the page alone cannot tell
// the total, the count; scan reads one row.
func (s *Store) list(ctx context.Context, spec *listSpec, cols string, o rollcall.ListOptions, scan func(scanner) error) (int, error) {
	where, args, err := s.where(spec, o, nil)
	if err != nil {
		return 0, err
	}
	pg, pargs := s.page(o, args)
	rows, err := s.q.QueryContext(ctx, "SELECT "+cols+" FROM "+spec.table+where+" ORDER BY "+spec.order+pg, pargs...)
	if err != nil {
		return 0, mapErr(fmt.Errorf("list %s: %w", spec.table, err), spec.entity, 0)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		if err := scan(rows); err != nil {
			return 0, fmt.Errorf("list %s: %w", spec.table, err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return 0, mapErr(fmt.Errorf("list %s: %w", spec.table, err), spec.entity, 0)
	}
	rows.Close()
	// A page that is not full (or every row) ends the list, so the total
	// is known without a COUNT(*), the most common case by far (a person's
	// events, a search among sources). An empty page past the first may
	// lie beyond the end, so it still counts.
	limit := o.Limit
	if limit == 0 {
		limit = DefaultLimit
	}
	offset := max(o.Offset, 0)
	if (limit < 0 || n < limit) && (n > 0 || offset == 0) {
		return offset + n, nil
	}
	var total int
	if err := s.q.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+spec.table+where, args...).Scan(&total); err != nil {
		return 0, mapErr(fmt.Errorf("count %s: %w", spec.table, err), spec.entity, 0)
	}
	return total, nil
}

// contains is the SQL condition "the text expr contains the parameter
// param" (a literal substring: no wildcards).
func (s *Store) contains(expr, param string) string {
	if s.dialect == Postgres {
		return "strpos(" + expr + ", " + param + ") > 0"
	}
	return "instr(" + expr + ", " + param + ") > 0"
}

// lowerASCII folds ASCII only, like SQLite's lower(), so both sides of a
// LIKE are folded the same way in both databases.
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// words splits s into lower-cased words of letters and digits.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// nameKeyText is the name_keys column for the given names: the words of
// the names and of their search keys, space-separated with a space at each
// end so that " tok" matches a token prefix.
func (s *Store) nameKeyText(names ...string) string {
	seen := map[string]bool{}
	var toks []string
	add := func(t string) {
		if t != "" && !seen[t] {
			seen[t] = true
			toks = append(toks, t)
		}
	}
	for _, n := range names {
		if n == "" {
			continue
		}
		for _, w := range words(n) {
			add(w)
		}
		if s.nameKeys != nil {
			for _, k := range s.nameKeys(n) {
				for _, w := range words(k) {
					add(w)
				}
			}
		}
	}
	if len(toks) == 0 {
		return ""
	}
	return " " + strings.Join(toks, " ") + " "
}

// queryTokenSets are the alternative token sets a name query matches by:
// its own words, and the words of each of its search keys. A row matches a
// set when every token of the set starts a token of its name_keys. A key
// whose words are all in another key (a surname alone, beside surname and
// given name) is dropped, or "Kim Young-hee" would find every Kim.
func (s *Store) queryTokenSets(q string) [][]string {
	sets := [][]string{words(q)}
	if s.nameKeys == nil {
		return sets
	}
	var keys [][]string
	for _, k := range s.nameKeys(q) {
		if w := words(k); len(w) > 0 {
			keys = append(keys, w)
		}
	}
	for i, k := range keys {
		covered := false
		for j, o := range keys {
			if i != j && subset(k, o) && (len(k) < len(o) || j < i) {
				covered = true
				break
			}
		}
		if !covered {
			sets = append(sets, k)
		}
	}
	return sets
}

// subset reports whether every word of a is in b.
func subset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

func checkSensitivity(entity string, v *rollcall.Sensitivity) error {
	if *v == "" {
		*v = rollcall.Internal
	}
	if !v.Valid() {
		return &rollcall.Error{Code: rollcall.EINVALID, Field: "sensitivity", Message: fmt.Sprintf("%s: sensitivity %q is not public, internal or confidential", entity, string(*v))}
	}
	return nil
}

// trimText trims the end of a free-text value and keeps its start: leading
// whitespace is data (dropping a tab before "=1+2" would make a formula of
// it), trailing whitespace is not.
func trimText(s string) string { return strings.TrimRightFunc(s, unicode.IsSpace) }

func required(entity, field, v string) error {
	if strings.TrimSpace(v) == "" {
		return &rollcall.Error{Code: rollcall.EINVALID, Field: field, Message: fmt.Sprintf("%s: %s is required", entity, field)}
	}
	return nil
}

// dateKey returns a PartialDate's sort key.
func dateKey(d rollcall.PartialDate) string { return d.SortKey() }

func actorName(ctx context.Context) string {
	return rollcall.ActorFrom(ctx).Name
}
