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
// other through the keys.
func (s *Store) SearchPersons(ctx context.Context, q string, limit int) ([]rollcall.Person, error) {
	ids, err := s.searchIDs(ctx, "persons", q, limit)
	if err != nil {
		return nil, err
	}
	out := make([]rollcall.Person, 0, len(ids))
	for _, id := range ids {
		p, err := s.GetPerson(ctx, id)
		if rollcall.ErrorCode(err) == rollcall.ENOTFOUND {
			continue // deleted meanwhile
		}
		if err != nil {
			return nil, err
		}
		out = append(out, *p)
	}
	return out, nil
}

// SearchRecords is SearchPersons for records.
func (s *Store) SearchRecords(ctx context.Context, q string, limit int) ([]rollcall.Record, error) {
	ids, err := s.searchIDs(ctx, "records", q, limit)
	if err != nil {
		return nil, err
	}
	out := make([]rollcall.Record, 0, len(ids))
	for _, id := range ids {
		r, err := s.GetRecord(ctx, id)
		if rollcall.ErrorCode(err) == rollcall.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, nil
}

// searchIDs finds the ids of rows of table ("persons" or "records") whose
// name_keys match q, lowest id first.
func (s *Store) searchIDs(ctx context.Context, table, q string, limit int) ([]int64, error) {
	if limit <= 0 {
		limit = DefaultLimit
	}
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
		return nil, nil
	}
	var query, match string
	if s.dialect == Postgres {
		match = strings.Join(alts, " | ")
		query = `SELECT id FROM ` + table + ` WHERE to_tsvector('simple', name_keys) @@ to_tsquery('simple', $1) ORDER BY id LIMIT $2`
	} else {
		match = strings.Join(alts, " OR ")
		query = `SELECT rowid FROM ` + table + `_fts WHERE ` + table + `_fts MATCH $1 ORDER BY rowid LIMIT $2`
	}
	rows, err := s.q.QueryContext(ctx, query, match, limit)
	if err != nil {
		return nil, fmt.Errorf("search %s: %w", table, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("search %s: %w", table, err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
