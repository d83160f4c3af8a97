package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/rollcall-project/rollcall"
)

const decreeCols = `id, version, created_at, updated_at, key, country, number, title, decreed, announced, effective,
	issuing_body, occasion, wording_original, wording_translation, announced_number, rule, notes, sources`

func scanDecree(r scanner) (*rollcall.AmnestyDecree, error) {
	var v rollcall.AmnestyDecree
	var created, updated string
	err := r.Scan(&v.ID, &v.Version, &created, &updated, &v.Key, &v.Country, &v.Number, &v.Title, &v.Decreed, &v.Announced,
		&v.Effective, &v.IssuingBody, &v.Occasion, &v.WordingOriginal, &v.WordingTranslation, &v.AnnouncedNumber, &v.Rule,
		&v.Notes, &v.Sources)
	if err != nil {
		return nil, err
	}
	v.CreatedAt, v.UpdatedAt = parseTime(created), parseTime(updated)
	return &v, nil
}

func validateDecree(v *rollcall.AmnestyDecree) error {
	v.Key, v.Country, v.Title = strings.TrimSpace(v.Key), strings.TrimSpace(v.Country), strings.TrimSpace(v.Title)
	for _, f := range [][2]string{{"key", v.Key}, {"country", v.Country}, {"title", v.Title}} {
		if err := required("amnesty decree", f[0], f[1]); err != nil {
			return err
		}
	}
	return nil
}

// CreateAmnestyDecree inserts v and sets ID, Version and times.
func (s *Store) CreateAmnestyDecree(ctx context.Context, v *rollcall.AmnestyDecree) error {
	if err := validateDecree(v); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Store) error {
		now := tx.nowUTC()
		var id int64
		err := tx.q.QueryRowContext(ctx, `INSERT INTO amnesty_decrees (uid, version, created_at, updated_at, key, country, number,
			title, decreed, announced, effective, effective_sort, issuing_body, occasion, wording_original, wording_translation,
			announced_number, rule, notes, sources)
			VALUES ($1, 1, $2, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id`,
			newUID(), fmtTime(now), v.Key, v.Country, v.Number, v.Title, v.Decreed, v.Announced, v.Effective, dateKey(v.Effective),
			v.IssuingBody, v.Occasion, v.WordingOriginal, v.WordingTranslation, v.AnnouncedNumber, v.Rule, v.Notes, v.Sources).Scan(&id)
		if err != nil {
			if e := keyTaken(err, "an amnesty decree", v.Key); e != nil {
				return e
			}
			return mapErr(fmt.Errorf("create amnesty decree: %w", err), "amnesty decree", 0)
		}
		v.ID, v.Version, v.CreatedAt, v.UpdatedAt = id, 1, now, now
		if strings.TrimSpace(v.Rule) != "" {
			if err := tx.addRuleVersion(ctx, id, v.Rule, "", now); err != nil {
				return err
			}
		}
		return tx.logChange(ctx, ActionCreate, "amnesty_decree", id, "", hashOf(v))
	})
}

// GetAmnestyDecree returns the decree with id.
func (s *Store) GetAmnestyDecree(ctx context.Context, id int64) (*rollcall.AmnestyDecree, error) {
	v, err := scanDecree(s.q.QueryRowContext(ctx, `SELECT `+decreeCols+` FROM amnesty_decrees WHERE id = $1`, id))
	if err != nil {
		return nil, mapErr(fmt.Errorf("get amnesty decree: %w", err), "amnesty decree", id)
	}
	return v, nil
}

// DecreeByKey returns the decree with key.
func (s *Store) DecreeByKey(ctx context.Context, key string) (*rollcall.AmnestyDecree, error) {
	v, err := scanDecree(s.q.QueryRowContext(ctx, `SELECT `+decreeCols+` FROM amnesty_decrees WHERE key = $1`, key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, rollcall.Errorf(rollcall.ENOTFOUND, "amnesty decree %q not found", key)
	}
	if err != nil {
		return nil, mapErr(fmt.Errorf("get amnesty decree: %w", err), "amnesty decree", 0)
	}
	return v, nil
}

// UpdateAmnestyDecree writes v if v.Version is current, and increments it.
// A changed rule is kept as a new rule version.
func (s *Store) UpdateAmnestyDecree(ctx context.Context, v *rollcall.AmnestyDecree) error {
	return s.updateDecree(ctx, v, "")
}

// updateDecree is UpdateAmnestyDecree with a note for the rule version.
func (s *Store) updateDecree(ctx context.Context, v *rollcall.AmnestyDecree, ruleNote string) error {
	if err := validateDecree(v); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Store) error {
		cur, err := tx.GetAmnestyDecree(ctx, v.ID)
		if err != nil {
			return err
		}
		if cur.Version != v.Version {
			return conflict("amnesty decree", v.ID, cur.Version, v.Version)
		}
		now := tx.nowUTC()
		res, err := tx.q.ExecContext(ctx, `UPDATE amnesty_decrees SET version = version + 1, updated_at = $1, key = $2,
			country = $3, number = $4, title = $5, decreed = $6, announced = $7, effective = $8, effective_sort = $9,
			issuing_body = $10, occasion = $11, wording_original = $12, wording_translation = $13, announced_number = $14,
			rule = $15, notes = $16, sources = $17 WHERE id = $18 AND version = $19`,
			fmtTime(now), v.Key, v.Country, v.Number, v.Title, v.Decreed, v.Announced, v.Effective, dateKey(v.Effective),
			v.IssuingBody, v.Occasion, v.WordingOriginal, v.WordingTranslation, v.AnnouncedNumber, v.Rule, v.Notes, v.Sources,
			v.ID, v.Version)
		if err != nil {
			if e := keyTaken(err, "an amnesty decree", v.Key); e != nil {
				return e
			}
			return mapErr(fmt.Errorf("update amnesty decree: %w", err), "amnesty decree", v.ID)
		}
		if err := checkUpdated(res, "amnesty decree", v.ID, v.Version); err != nil {
			return err
		}
		v.Version++
		v.CreatedAt, v.UpdatedAt = cur.CreatedAt, now
		if v.Rule != cur.Rule {
			if err := tx.addRuleVersion(ctx, v.ID, v.Rule, ruleNote, now); err != nil {
				return err
			}
		}
		return tx.logChange(ctx, ActionUpdate, "amnesty_decree", v.ID, hashOf(cur), hashOf(v))
	})
}

// DeleteAmnestyDecree deletes the decree with id; it fails while outcomes
// refer to it.
func (s *Store) DeleteAmnestyDecree(ctx context.Context, id int64) error {
	return s.write(ctx, func(tx *Store) error {
		cur, err := tx.GetAmnestyDecree(ctx, id)
		if err != nil {
			return err
		}
		if _, err := tx.q.ExecContext(ctx, `DELETE FROM amnesty_decrees WHERE id = $1`, id); err != nil {
			if constraintKind(err) == cForeignKey {
				return rollcall.WrapError(rollcall.EINVALID, err, "amnesty decree %d still has recorded outcomes", id)
			}
			return mapErr(fmt.Errorf("delete amnesty decree: %w", err), "amnesty decree", id)
		}
		return tx.logChange(ctx, ActionDelete, "amnesty_decree", id, hashOf(cur), "")
	})
}

var decreeList = registerList(&listSpec{
	row:    rollcall.AmnestyDecree{},
	entity: "amnesty decree",
	table:  "amnesty_decrees",
	filters: map[string]filterCol{
		"country": {"country", fText},
		"key":     {"key", fText},
		"number":  {"number", fText},
	},
	search: []string{"title", "key", "number", "occasion"},
	order:  "CASE WHEN effective_sort = '' THEN 1 ELSE 0 END, effective_sort, id",
})

// ListAmnestyDecrees lists decrees by effective date.
func (s *Store) ListAmnestyDecrees(ctx context.Context, o rollcall.ListOptions) ([]rollcall.AmnestyDecree, int, error) {
	out := []rollcall.AmnestyDecree{}
	total, err := s.list(ctx, decreeList, decreeCols, o, func(r scanner) error {
		v, err := scanDecree(r)
		if err != nil {
			return err
		}
		out = append(out, *v)
		return nil
	})
	return out, total, err
}

// AddAmnestyOutcome records what happened to a person under a decree. It
// is a new history row; earlier outcomes stay.
func (s *Store) AddAmnestyOutcome(ctx context.Context, v *rollcall.AmnestyOutcome) error {
	switch v.Status {
	case rollcall.OutcomeReleaseVerified, rollcall.OutcomeReleaseReported, rollcall.OutcomeNotReleased,
		rollcall.OutcomeDiedBefore, rollcall.OutcomeReArrested, rollcall.OutcomeUnknown:
	default:
		return &rollcall.Error{Code: rollcall.EINVALID, Field: "status", Message: fmt.Sprintf("amnesty outcome: unknown status %q", v.Status)}
	}
	if v.CreatedBy == "" {
		v.CreatedBy = actorName(ctx)
	}
	return s.write(ctx, func(tx *Store) error {
		now := tx.nowUTC()
		var id int64
		err := tx.q.QueryRowContext(ctx, `INSERT INTO amnesty_outcomes (person_id, decree_id, status, date, source_id, note,
			created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			v.PersonID, v.DecreeID, v.Status, v.Date, v.SourceID, v.Note, v.CreatedBy, fmtTime(now)).Scan(&id)
		if err != nil {
			if constraintKind(err) == cForeignKey {
				return rollcall.WrapError(rollcall.EINVALID, err, "amnesty outcome: person %d, decree %d or the source does not exist", v.PersonID, v.DecreeID)
			}
			return mapErr(fmt.Errorf("add amnesty outcome: %w", err), "amnesty outcome", 0)
		}
		v.ID, v.CreatedAt = id, now
		return tx.logChange(ctx, ActionCreate, "amnesty_outcome", id, "", hashOf(v))
	})
}

// AmnestyOutcomes returns the outcome history for a decree and a person
// (0 for either means all), oldest first so the current one is last.
func (s *Store) AmnestyOutcomes(ctx context.Context, decreeID, personID int64) ([]rollcall.AmnestyOutcome, error) {
	q := `SELECT id, person_id, decree_id, status, date, source_id, note, created_by, created_at FROM amnesty_outcomes WHERE 1 = 1`
	var args []any
	if decreeID != 0 {
		args = append(args, decreeID)
		q += fmt.Sprintf(" AND decree_id = $%d", len(args))
	}
	if personID != 0 {
		args = append(args, personID)
		q += fmt.Sprintf(" AND person_id = $%d", len(args))
	}
	rows, err := s.q.QueryContext(ctx, q+" ORDER BY id", args...)
	if err != nil {
		return nil, fmt.Errorf("amnesty outcomes: %w", err)
	}
	defer rows.Close()
	out := []rollcall.AmnestyOutcome{}
	for rows.Next() {
		var v rollcall.AmnestyOutcome
		var created string
		if err := rows.Scan(&v.ID, &v.PersonID, &v.DecreeID, &v.Status, &v.Date, &v.SourceID, &v.Note, &v.CreatedBy, &created); err != nil {
			return nil, fmt.Errorf("amnesty outcomes: %w", err)
		}
		v.CreatedAt = parseTime(created)
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("amnesty outcomes: %w", err)
	}
	return out, nil
}
