package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/rollcall-project/rollcall"
)

// SensitivityMaxFilter is the list filter that keeps rows at most as
// sensitive as its value ("public" < "internal" < "confidential"): the
// reader's rollcall.Actor.Ceiling. Every list has it. The web server sets
// it for every reader but admins, so that the database does the hiding
// before paging and a list's total counts only the rows the reader may
// see. A value that is no sensitivity is refused (EINVALID naming the
// levels), as for the exact "sensitivity" filter.
const SensitivityMaxFilter = "sensitivity_max"

// undeclaredRank ranks the rows of a type that declares no sensitivity:
// above every level, so the filter keeps them from every reader (admins,
// who may see them, are not filtered).
const undeclaredRank = 3

// sensitivityMaxExpr is the filter's SQL for a list of row: the row's own
// level ranked (a row with no valid level ranks as confidential) when its
// type carries one per row, else the type's constant rank, against the
// parameter's rank. The parameter is a level (fSens refuses anything else
// before the query is built).
func sensitivityMaxExpr(row any) string {
	param := ` <= ` + sensitivityRankSQL("CAST(%s AS TEXT)", -1)
	if rollcall.SensitivityPerRow(row) {
		return sensitivityRankSQL("sensitivity", rollcall.Confidential.Rank()) + param
	}
	r := undeclaredRank
	if s, ok := rollcall.RowSensitivity(row); ok {
		r = s.Rank()
	}
	return strconv.Itoa(r) + param
}

// sensitivityRankSQL is rollcall.Sensitivity.Rank in SQL over expr, with
// otherwise for a value that is no level.
func sensitivityRankSQL(expr string, otherwise int) string {
	var b strings.Builder
	b.WriteString("(CASE " + expr)
	for _, s := range rollcall.Sensitivities() {
		fmt.Fprintf(&b, " WHEN '%s' THEN %d", s, s.Rank())
	}
	fmt.Fprintf(&b, " ELSE %d END)", otherwise)
	return b.String()
}

// lists are the registered lists, for the test that walks every one. It is
// filled at package initialisation and read-only after.
var lists []*listSpec

// registerList adds the sensitivity_max filter to a list, from the row
// type it names. Every list is declared through it, at package
// initialisation; the specs are read-only after.
func registerList(spec *listSpec) *listSpec {
	if spec.filters == nil {
		spec.filters = map[string]filterCol{}
	}
	spec.filters[SensitivityMaxFilter] = filterCol{expr: sensitivityMaxExpr(spec.row), kind: fSens}
	lists = append(lists, spec)
	return spec
}

// sensitivityChoices names the levels for a message: "public, internal or confidential".
func sensitivityChoices() string {
	var names []string
	for _, s := range rollcall.Sensitivities() {
		names = append(names, string(s))
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// ReviewQueueWithout is ReviewQueue without the pairs that hold a record
// more sensitive than max: for a reviewer who may not see confidential
// records, so that pages are full and the length counts only their pairs.
func (s *Store) ReviewQueueWithout(ctx context.Context, max rollcall.Sensitivity, limit, offset int) ([]ReviewPair, int, error) {
	r := max.Rank()
	if r < 0 {
		return nil, 0, &rollcall.Error{Code: rollcall.EINVALID, Field: "sensitivity", Message: fmt.Sprintf("no sensitivity %q", string(max))}
	}
	// The ranks are constants of this function, not input: no parameter.
	where := fmt.Sprintf(` WHERE record_a IN (%[1]s) AND record_b IN (%[1]s)`,
		fmt.Sprintf(`SELECT id FROM records WHERE %s <= %d`, sensitivityRankSQL("sensitivity", rollcall.Confidential.Rank()), r))
	var total int
	if err := s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM review_queue`+where).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("review queue: %w", err)
	}
	if limit <= 0 {
		limit = -1
	}
	pg, args := s.page(rollcall.ListOptions{Limit: limit, Offset: offset}, nil)
	rows, err := s.q.QueryContext(ctx, `SELECT record_a, record_b, probability, worth FROM review_queue`+where+`
		ORDER BY worth DESC, ABS(probability - 0.5), record_a, record_b`+pg, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("review queue: %w", err)
	}
	defer rows.Close()
	out := []ReviewPair{}
	for rows.Next() {
		var p ReviewPair
		if err := rows.Scan(&p.RecordA, &p.RecordB, &p.Probability, &p.Worth); err != nil {
			return nil, 0, fmt.Errorf("review queue: %w", err)
		}
		out = append(out, p)
	}
	return out, total, rows.Err()
}
