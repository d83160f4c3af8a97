package store

import (
	"context"
	"fmt"

	"github.com/rollcall-project/rollcall/internal/audit/chain"
)

// ReindexNames recomputes the name_keys search column of every record and
// person with the store's NameKeys, e.g. after the name normalisation
// changed. One audit entry covers the run, and one per 1,000 changed rows
// carries their row hashes.
// It returns how many rows changed.
func (s *Store) ReindexNames(ctx context.Context) (int, error) {
	changed := 0
	err := s.write(ctx, func(tx *Store) error {
		for _, table := range []string{"records", "persons"} {
			n, err := tx.reindexTable(ctx, table)
			if err != nil {
				return err
			}
			changed += n
		}
		_, err := tx.appendAudit(ctx, chain.Entry{Action: "reindex", Entity: "name_keys", Detail: fmt.Sprintf("%d rows changed", changed)})
		return err
	})
	return changed, err
}

func (s *Store) reindexTable(ctx context.Context, table string) (int, error) {
	type row struct {
		id              int64
		name, alt, keys string
	}
	var last int64
	changed := 0
	for {
		rows, err := s.q.QueryContext(ctx, `SELECT id, name, name_alt, name_keys FROM `+table+` WHERE id > $1 ORDER BY id LIMIT 1000`, last)
		if err != nil {
			return 0, fmt.Errorf("reindex %s: %w", table, err)
		}
		var page []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.name, &r.alt, &r.keys); err != nil {
				rows.Close()
				return 0, fmt.Errorf("reindex %s: %w", table, err)
			}
			page = append(page, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, fmt.Errorf("reindex %s: %w", table, err)
		}
		if len(page) == 0 {
			return changed, nil
		}
		var ids []int64
		for _, r := range page {
			if k := s.nameKeyText(r.name, r.alt); k != r.keys {
				if _, err := s.q.ExecContext(ctx, `UPDATE `+table+` SET name_keys = $1 WHERE id = $2`, k, r.id); err != nil {
					return 0, fmt.Errorf("reindex %s: %w", table, err)
				}
				ids = append(ids, r.id)
				changed++
			}
		}
		if err := s.logRows(ctx, ActionRows, table, ids, "reindex"); err != nil {
			return 0, err
		}
		last = page[len(page)-1].id
	}
}
