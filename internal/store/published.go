package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/rollcall-project/rollcall"
)

const publishedCols = `id, version, created_at, updated_at, subject, period, low, high, point, unit, method, source, url`

func scanPublished(r scanner) (*rollcall.PublishedEstimate, error) {
	var v rollcall.PublishedEstimate
	var created, updated string
	err := r.Scan(&v.ID, &v.Version, &created, &updated, &v.Subject, &v.Period, &v.Low, &v.High, &v.Point, &v.Unit, &v.Method, &v.Source, &v.URL)
	if err != nil {
		return nil, err
	}
	v.CreatedAt, v.UpdatedAt = parseTime(created), parseTime(updated)
	return &v, nil
}

func validatePublished(v *rollcall.PublishedEstimate) error {
	if err := finite("published estimate", "low", v.Low, "high", v.High, "point", v.Point); err != nil {
		return err
	}
	v.Subject, v.Source = strings.TrimSpace(v.Subject), strings.TrimSpace(v.Source)
	if err := required("published estimate", "subject", v.Subject); err != nil {
		return err
	}
	if err := required("published estimate", "source", v.Source); err != nil {
		return err
	}
	if v.Low != nil && v.High != nil && *v.Low > *v.High {
		return &rollcall.Error{Code: rollcall.EINVALID, Field: "low", Message: fmt.Sprintf("published estimate %q: low %g is above high %g", v.Subject, *v.Low, *v.High)}
	}
	return nil
}

// CreatePublishedEstimate inserts v and sets ID, Version and times.
func (s *Store) CreatePublishedEstimate(ctx context.Context, v *rollcall.PublishedEstimate) error {
	if err := validatePublished(v); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Store) error {
		now := tx.nowUTC()
		var id int64
		err := tx.q.QueryRowContext(ctx, `INSERT INTO published_estimates (uid, version, created_at, updated_at, subject, period,
			low, high, point, unit, method, source, url) VALUES ($1, 1, $2, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
			newUID(), fmtTime(now), v.Subject, v.Period, v.Low, v.High, v.Point, v.Unit, v.Method, v.Source, v.URL).Scan(&id)
		if err != nil {
			return mapErr(fmt.Errorf("create published estimate: %w", err), "published estimate", 0)
		}
		v.ID, v.Version, v.CreatedAt, v.UpdatedAt = id, 1, now, now
		return tx.logChange(ctx, ActionCreate, "published_estimate", id, "", hashOf(v))
	})
}

// GetPublishedEstimate returns the published estimate with id.
func (s *Store) GetPublishedEstimate(ctx context.Context, id int64) (*rollcall.PublishedEstimate, error) {
	v, err := scanPublished(s.q.QueryRowContext(ctx, `SELECT `+publishedCols+` FROM published_estimates WHERE id = $1`, id))
	if err != nil {
		return nil, mapErr(fmt.Errorf("get published estimate: %w", err), "published estimate", id)
	}
	return v, nil
}

// UpdatePublishedEstimate writes v if v.Version is current, and increments it.
func (s *Store) UpdatePublishedEstimate(ctx context.Context, v *rollcall.PublishedEstimate) error {
	if err := validatePublished(v); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Store) error {
		cur, err := tx.GetPublishedEstimate(ctx, v.ID)
		if err != nil {
			return err
		}
		if cur.Version != v.Version {
			return conflict("published estimate", v.ID, cur.Version, v.Version)
		}
		now := tx.nowUTC()
		res, err := tx.q.ExecContext(ctx, `UPDATE published_estimates SET version = version + 1, updated_at = $1, subject = $2,
			period = $3, low = $4, high = $5, point = $6, unit = $7, method = $8, source = $9, url = $10
			WHERE id = $11 AND version = $12`,
			fmtTime(now), v.Subject, v.Period, v.Low, v.High, v.Point, v.Unit, v.Method, v.Source, v.URL, v.ID, v.Version)
		if err != nil {
			return mapErr(fmt.Errorf("update published estimate: %w", err), "published estimate", v.ID)
		}
		if err := checkUpdated(res, "published estimate", v.ID, v.Version); err != nil {
			return err
		}
		v.Version++
		v.CreatedAt, v.UpdatedAt = cur.CreatedAt, now
		return tx.logChange(ctx, ActionUpdate, "published_estimate", v.ID, hashOf(cur), hashOf(v))
	})
}

// DeletePublishedEstimate deletes the published estimate with id.
func (s *Store) DeletePublishedEstimate(ctx context.Context, id int64) error {
	return s.write(ctx, func(tx *Store) error {
		cur, err := tx.GetPublishedEstimate(ctx, id)
		if err != nil {
			return err
		}
		if _, err := tx.q.ExecContext(ctx, `DELETE FROM published_estimates WHERE id = $1`, id); err != nil {
			return mapErr(fmt.Errorf("delete published estimate: %w", err), "published estimate", id)
		}
		return tx.logChange(ctx, ActionDelete, "published_estimate", id, hashOf(cur), "")
	})
}

var publishedList = registerList(&listSpec{
	row:    rollcall.PublishedEstimate{},
	entity: "published estimate",
	table:  "published_estimates",
	filters: map[string]filterCol{
		"subject": {"subject", fText},
		"period":  {"period", fText},
		"source":  {"source", fText},
		"unit":    {"unit", fText},
	},
	search: []string{"subject", "source", "period", "method"},
	order:  "id",
})

// ListPublishedEstimates lists published estimates.
func (s *Store) ListPublishedEstimates(ctx context.Context, o rollcall.ListOptions) ([]rollcall.PublishedEstimate, int, error) {
	out := []rollcall.PublishedEstimate{}
	total, err := s.list(ctx, publishedList, publishedCols, o, func(r scanner) error {
		v, err := scanPublished(r)
		if err != nil {
			return err
		}
		out = append(out, *v)
		return nil
	})
	return out, total, err
}
