package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/rollcall-project/rollcall"
)

// SaveEstimate stores one of our estimates and sets its ID and CreatedAt.
func (s *Store) SaveEstimate(ctx context.Context, e *EstimateRow) error {
	e.Method = strings.TrimSpace(e.Method)
	if e.Method == "" {
		return rollcall.Errorf(rollcall.EINVALID, "estimate: method is required")
	}
	if e.ParamsJSON == "" {
		e.ParamsJSON = "{}"
	}
	if !json.Valid([]byte(e.ParamsJSON)) {
		return rollcall.Errorf(rollcall.EINVALID, "estimate: parameters are not valid JSON")
	}
	if e.CreatedBy == "" {
		e.CreatedBy = actorName(ctx)
	}
	return s.write(ctx, func(tx *Store) error {
		now := tx.nowUTC()
		var id int64
		err := tx.q.QueryRowContext(ctx, `INSERT INTO estimates (stratum, method, observed, estimate, lower, upper, level, model,
			params, seed, input_hash, created_by, created_at, fictional) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
			e.Stratum, e.Method, e.Observed, e.Estimate, e.Lower, e.Upper, e.Level, e.Model, e.ParamsJSON, e.Seed, e.InputHash,
			e.CreatedBy, fmtTime(now), e.Fictional).Scan(&id)
		if err != nil {
			return mapErr(fmt.Errorf("save estimate: %w", err), "estimate", 0)
		}
		e.ID, e.CreatedAt = id, now
		_, err = tx.appendAuditEntry(ctx, ActionCreate, "estimate", id, "", hashOf(e), e.Method+" "+e.Stratum)
		return err
	})
}

// ListEstimates returns every stored estimate, oldest first.
func (s *Store) ListEstimates(ctx context.Context) ([]EstimateRow, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT id, stratum, method, observed, estimate, lower, upper, level, model, params, seed,
		input_hash, created_by, created_at, fictional FROM estimates ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list estimates: %w", err)
	}
	defer rows.Close()
	out := []EstimateRow{}
	for rows.Next() {
		var e EstimateRow
		var created string
		if err := rows.Scan(&e.ID, &e.Stratum, &e.Method, &e.Observed, &e.Estimate, &e.Lower, &e.Upper, &e.Level, &e.Model,
			&e.ParamsJSON, &e.Seed, &e.InputHash, &e.CreatedBy, &created, &e.Fictional); err != nil {
			return nil, fmt.Errorf("list estimates: %w", err)
		}
		e.CreatedAt = parseTime(created)
		out = append(out, e)
	}
	return out, rows.Err()
}
