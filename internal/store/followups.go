package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/rollcall-project/rollcall"
)

const followUpCols = `id, version, created_at, updated_at, person_id, date, kind, observation, reported_by, source_id, sensitivity`

func scanFollowUp(r scanner) (*rollcall.FollowUp, error) {
	var v rollcall.FollowUp
	var created, updated string
	err := r.Scan(&v.ID, &v.Version, &created, &updated, &v.PersonID, &v.Date, &v.Kind, &v.Observation, &v.ReportedBy, &v.SourceID, &v.Sensitivity)
	if err != nil {
		return nil, err
	}
	v.CreatedAt, v.UpdatedAt = parseTime(created), parseTime(updated)
	return &v, nil
}

func validateFollowUp(v *rollcall.FollowUp) error {
	v.Kind, v.Observation = strings.TrimSpace(v.Kind), strings.TrimSpace(v.Observation)
	if v.PersonID == 0 {
		return &rollcall.Error{Code: rollcall.EINVALID, Field: "person_id", Message: "follow-up: person is required"}
	}
	if err := required("follow-up", "kind", v.Kind); err != nil {
		return err
	}
	if err := required("follow-up", "observation", v.Observation); err != nil {
		return err
	}
	return checkSensitivity("follow-up", &v.Sensitivity)
}

func followUpErr(err error, v *rollcall.FollowUp, op string) error {
	if constraintKind(err) == cForeignKey {
		return rollcall.WrapError(rollcall.EINVALID, err, "follow-up: person %d or its source does not exist", v.PersonID)
	}
	return mapErr(fmt.Errorf("%s follow-up: %w", op, err), "follow-up", v.ID)
}

// CreateFollowUp inserts v and sets ID, Version and times.
func (s *Store) CreateFollowUp(ctx context.Context, v *rollcall.FollowUp) error {
	if err := validateFollowUp(v); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Store) error {
		now := tx.nowUTC()
		var id int64
		err := tx.q.QueryRowContext(ctx, `INSERT INTO followups (uid, version, created_at, updated_at, person_id, date, date_sort,
			kind, observation, reported_by, source_id, sensitivity) VALUES ($1, 1, $2, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			newUID(), fmtTime(now), v.PersonID, v.Date, dateKey(v.Date), v.Kind, v.Observation, v.ReportedBy, v.SourceID,
			string(v.Sensitivity)).Scan(&id)
		if err != nil {
			return followUpErr(err, v, "create")
		}
		v.ID, v.Version, v.CreatedAt, v.UpdatedAt = id, 1, now, now
		return tx.logChange(ctx, ActionCreate, "followup", id, "", hashOf(v))
	})
}

// GetFollowUp returns the follow-up with id.
func (s *Store) GetFollowUp(ctx context.Context, id int64) (*rollcall.FollowUp, error) {
	v, err := scanFollowUp(s.q.QueryRowContext(ctx, `SELECT `+followUpCols+` FROM followups WHERE id = $1`, id))
	if err != nil {
		return nil, mapErr(fmt.Errorf("get follow-up: %w", err), "follow-up", id)
	}
	return v, nil
}

// UpdateFollowUp writes v if v.Version is current, and increments it.
func (s *Store) UpdateFollowUp(ctx context.Context, v *rollcall.FollowUp) error {
	if err := validateFollowUp(v); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Store) error {
		cur, err := tx.GetFollowUp(ctx, v.ID)
		if err != nil {
			return err
		}
		if cur.Version != v.Version {
			return conflict("follow-up", v.ID, cur.Version, v.Version)
		}
		now := tx.nowUTC()
		res, err := tx.q.ExecContext(ctx, `UPDATE followups SET version = version + 1, updated_at = $1, person_id = $2, date = $3,
			date_sort = $4, kind = $5, observation = $6, reported_by = $7, source_id = $8, sensitivity = $9
			WHERE id = $10 AND version = $11`,
			fmtTime(now), v.PersonID, v.Date, dateKey(v.Date), v.Kind, v.Observation, v.ReportedBy, v.SourceID,
			string(v.Sensitivity), v.ID, v.Version)
		if err != nil {
			return followUpErr(err, v, "update")
		}
		if err := checkUpdated(res, "follow-up", v.ID, v.Version); err != nil {
			return err
		}
		v.Version++
		v.CreatedAt, v.UpdatedAt = cur.CreatedAt, now
		return tx.logChange(ctx, ActionUpdate, "followup", v.ID, hashOf(cur), hashOf(v))
	})
}

// DeleteFollowUp deletes the follow-up with id.
func (s *Store) DeleteFollowUp(ctx context.Context, id int64) error {
	return s.write(ctx, func(tx *Store) error {
		cur, err := tx.GetFollowUp(ctx, id)
		if err != nil {
			return err
		}
		if _, err := tx.q.ExecContext(ctx, `DELETE FROM followups WHERE id = $1`, id); err != nil {
			return mapErr(fmt.Errorf("delete follow-up: %w", err), "follow-up", id)
		}
		return tx.logChange(ctx, ActionDelete, "followup", id, hashOf(cur), "")
	})
}

var followUpList = registerList(&listSpec{
	row:    rollcall.FollowUp{},
	entity: "follow-up",
	table:  "followups",
	filters: map[string]filterCol{
		"person_id":   {"person_id", fInt},
		"kind":        {"kind", fText},
		"source_id":   {"source_id", fNullID},
		"sensitivity": {"sensitivity", fSens},
	},
	search: []string{"observation", "reported_by"},
	order:  "CASE WHEN date_sort = '' THEN 1 ELSE 0 END, date_sort, id",
})

// ListFollowUps lists follow-ups by date.
func (s *Store) ListFollowUps(ctx context.Context, o rollcall.ListOptions) ([]rollcall.FollowUp, int, error) {
	out := []rollcall.FollowUp{}
	total, err := s.list(ctx, followUpList, followUpCols, o, func(r scanner) error {
		v, err := scanFollowUp(r)
		if err != nil {
			return err
		}
		out = append(out, *v)
		return nil
	})
	return out, total, err
}
