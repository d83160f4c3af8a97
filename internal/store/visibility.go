package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/rollcall-project/rollcall"
)

// SensitivityMaxFilter is the list filter that keeps rows at most as
// sensitive as its value ("public" < "internal" < "confidential"). The web
// server sets it for roles that may not see confidential rows, so that the
// database does the hiding before paging and a list's total counts only
// the rows the reader may see. A value that is no sensitivity is refused
// (EINVALID naming the levels), as for the exact "sensitivity" filter.
const SensitivityMaxFilter = "sensitivity_max"

// sensitivityMaxExpr ranks the row's sensitivity against the parameter. A
// row with no valid level ranks as confidential (hidden); the parameter is
// a level (fSens refuses anything else before the query is built).
var sensitivityMaxExpr = sensitivityRankSQL("sensitivity", rollcall.Confidential.Rank()) + ` <= ` +
	sensitivityRankSQL("CAST(%s AS TEXT)", -1)

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

// init registers the filter on the lists of rows that carry a sensitivity.
// It runs once, before any Store exists; the specs are read-only after.
func init() {
	for _, spec := range []*listSpec{sourceList, recordList, personList, eventList, followUpList} {
		spec.filters[SensitivityMaxFilter] = filterCol{expr: sensitivityMaxExpr, kind: fSens}
	}
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
