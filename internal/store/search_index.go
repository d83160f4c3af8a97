package store

import (
	"context"
	"fmt"
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
	sub, match, ok := s.searchQuery("persons", q)
	if !ok {
		return []rollcall.Person{}, nil
	}
	rows, err := s.q.QueryContext(ctx, `SELECT `+personCols+` FROM persons WHERE id IN (`+sub+`) ORDER BY id`, match, searchLimit(limit))
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
	sub, match, ok := s.searchQuery("records", q)
	if !ok {
		return []rollcall.Record{}, nil
	}
	rows, err := s.q.QueryContext(ctx, `SELECT `+recordCols+` FROM records WHERE id IN (`+sub+`) ORDER BY id`, match, searchLimit(limit))
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
// ("persons" or "records") whose name_keys match q, lowest first, with its
// two parameters: $1 the match expression (returned) and $2 the limit.
// ok is false when q has no words to look for.
func (s *Store) searchQuery(table, q string) (sub, match string, ok bool) {
	var alts []string
	for _, set := range s.queryTokenSets(q) {
		var and []string
		for _, t := range set {
			// Tokens are letters and digits only (words), so quoting is safe.
			if s.dialect == Postgres {
				and = append(and, t+":*")
			} else {
				and = append(and, `"`+t+`"*`)
			}
		}
		if len(and) == 0 {
			continue
		}
		if s.dialect == Postgres {
			alts = append(alts, "("+strings.Join(and, " & ")+")")
		} else {
			alts = append(alts, "("+strings.Join(and, " AND ")+")")
		}
	}
	if len(alts) == 0 {
		return "", "", false
	}
	if s.dialect == Postgres {
		return `SELECT id FROM ` + table + ` WHERE to_tsvector('simple', name_keys) @@ to_tsquery('simple', $1) ORDER BY id LIMIT $2`,
			strings.Join(alts, " | "), true
	}
	return `SELECT rowid FROM ` + table + `_fts WHERE ` + table + `_fts MATCH $1 ORDER BY rowid LIMIT $2`,
		strings.Join(alts, " OR "), true
}
