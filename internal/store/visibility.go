package store

// SensitivityMaxFilter is the list filter that keeps rows at most as
// sensitive as its value ("public" < "internal" < "confidential"). The web
// server sets it for roles that may not see confidential rows, so that the
// database does the hiding before paging and a list's total counts only
// the rows the reader may see. A value that is no sensitivity matches
// nothing, as an exact-match filter with an unknown value does.
const SensitivityMaxFilter = "sensitivity_max"

// sensitivityMaxExpr ranks the row's sensitivity against the parameter.
const sensitivityMaxExpr = `(CASE sensitivity WHEN 'public' THEN 0 WHEN 'internal' THEN 1 ELSE 2 END) <= ` +
	`(CASE CAST(%s AS TEXT) WHEN 'public' THEN 0 WHEN 'internal' THEN 1 WHEN 'confidential' THEN 2 ELSE -1 END)`

// init registers the filter on the lists of rows that carry a sensitivity.
// It runs once, before any Store exists; the specs are read-only after.
func init() {
	for _, spec := range []*listSpec{sourceList, recordList, personList, eventList, followUpList} {
		spec.filters[SensitivityMaxFilter] = filterCol{expr: sensitivityMaxExpr, kind: fText}
	}
}
