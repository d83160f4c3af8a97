package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/rollcall-project/rollcall"
)

// SearchPersons returns up to limit persons (by id) whose name keys match
// q: every word of q, or every word of one of q's search keys, starts a
// word of the person's name_keys, as ListPersons' Query does, but through
// a full-text index (migration 00010) instead of a scan, so that the search
// page stays fast on 100,000 persons. Hangul and romanized forms find each
// other through the keys. Rows come as ListPersons gives them.
func (s *Store) SearchPersons(ctx context.Context, q string, limit int) ([]rollcall.Person, error) {
	sub, match, ok := s.searchQuery("persons", q, limit)
	if !ok {
		return []rollcall.Person{}, nil
	}
	rows, err := s.q.QueryContext(ctx, `SELECT `+personCols+` FROM persons WHERE id IN (`+sub+`) ORDER BY id`, match)
	if err != nil {
		return nil, fmt.Errorf("search persons: %w", err)
	}
	defer rows.Close()
	out := []rollcall.Person{}
	for rows.Next() {
		v, err := scanPerson(rows)
		if err != nil {
			return nil, fmt.Errorf("search persons: %w", err)
		}
		out = append(out, *v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search persons: %w", err)
	}
	if len(out) > 0 {
		if err := s.fillRecordIDs(ctx, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// SearchRecords is SearchPersons for records; as in ListRecords, the
// confidential testimony is not decrypted (TestimonyRedacted marks it).
func (s *Store) SearchRecords(ctx context.Context, q string, limit int) ([]rollcall.Record, error) {
	sub, match, ok := s.searchQuery("records", q, limit)
	if !ok {
		return []rollcall.Record{}, nil
	}
	rows, err := s.q.QueryContext(ctx, `SELECT `+recordCols+` FROM records WHERE id IN (`+sub+`) ORDER BY id`, match)
	if err != nil {
		return nil, fmt.Errorf("search records: %w", err)
	}
	defer rows.Close()
	out := []rollcall.Record{}
	for rows.Next() {
		row, err := scanRecord(rows)
		if err != nil {
			return nil, fmt.Errorf("search records: %w", err)
		}
		row.v.TestimonyRedacted = row.testimony != nil
		out = append(out, row.v)
	}
	return out, rows.Err()
}

func searchLimit(limit int) int {
	if limit <= 0 || limit > maxIn {
		return min(DefaultLimit, maxIn)
	}
	return limit
}

// searchQuery returns the subquery selecting the ids of table's rows
// ("persons" or "records") whose name_keys match q, lowest first, at most
// limit of them, with its one parameter $1, the match expression
// (returned). ok is false when q has no words to look for. The limit is
// written into the text: SQLite plans a LIMIT on a virtual table by its
// value, so a bound limit would have the statement parsed again at every
// use (and the limit takes few values).
func (s *Store) searchQuery(table, q string, limit int) (sub, match string, ok bool) {
	match, ok = s.matchExpr(q)
	if !ok {
		return "", "", false
	}
	lim := strconv.Itoa(searchLimit(limit))
	if s.dialect == Postgres {
		return `SELECT id FROM ` + table + ` WHERE to_tsvector('simple', name_keys) @@ to_tsquery('simple', $1) ORDER BY id LIMIT ` + lim,
			match, true
	}
	return `SELECT rowid FROM ` + table + `_fts WHERE ` + table + `_fts MATCH $1 ORDER BY rowid LIMIT ` + lim,
		match, true
}

// matchExpr is the full-text expression for q: any of q's token sets,
// each token a word prefix. Tokens in every set are taken out of the
// alternatives, "kim AND (yongjin OR yogcin)" instead of "(kim AND
// yongjin) OR (kim AND yogcin)": the same rows, but the index walks the
// long list of a common surname once instead of once per alternative
// (a third less time for a typical romanized name).
func (s *Store) matchExpr(q string) (string, bool) {
	var sets [][]string
	for _, set := range s.queryTokenSets(q) {
		if len(set) > 0 {
			sets = append(sets, set)
		}
	}
	if len(sets) == 0 {
		return "", false
	}
	and, or := " AND ", " OR "
	term := func(t string) string { return `"` + t + `"*` } // tokens are words: quoting is safe
	if s.dialect == Postgres {
		and, or = " & ", " | "
		term = func(t string) string { return t + ":*" }
	}
	var common []string
	for _, t := range sets[0] {
		in := !slices.Contains(common, t)
		for _, o := range sets[1:] {
			in = in && slices.Contains(o, t)
		}
		if in {
			common = append(common, t)
		}
	}
	conj := func(ts []string) string {
		parts := make([]string, len(ts))
		for i, t := range ts {
			parts[i] = term(t)
		}
		return strings.Join(parts, and)
	}
	var alts []string
	for _, set := range sets {
		var rest []string
		for _, t := range set {
			if !slices.Contains(common, t) {
				rest = append(rest, t)
			}
		}
		if len(rest) == 0 {
			// This alternative is the common part alone, which every
			// other alternative implies.
			return "(" + conj(common) + ")", true
		}
		alts = append(alts, "("+conj(rest)+")")
	}
	if len(common) == 0 {
		return strings.Join(alts, or), true
	}
	return "(" + conj(common) + ")" + and + "(" + strings.Join(alts, or) + ")", true
}

// OptimizeSearchIndex merges the full-text indexes of persons and records
// into one segment each (SQLite; PostgreSQL's GIN indexes need nothing).
// A bulk load leaves several segments: every search then seeks in each of
// them, and SQLite parses FTS5's internal lookup again whenever the
// segment number it binds changes. On 100,000 persons merging makes a
// name search about a third faster. It takes a fraction of a second per
// 100,000 rows; run it after large imports (automatic merging keeps the
// segment count bounded between runs).
func (s *Store) OptimizeSearchIndex(ctx context.Context) error {
	if s.dialect != SQLite {
		return nil
	}
	return s.write(ctx, func(tx *Store) error {
		for _, t := range []string{"persons_fts", "records_fts"} {
			if _, err := tx.q.ExecContext(ctx, `INSERT INTO `+t+` (`+t+`) VALUES ('optimize')`); err != nil {
				return fmt.Errorf("optimize %s: %w", t, err)
			}
		}
		return nil
	})
}
