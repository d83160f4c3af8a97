package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/rollcall-project/rollcall"
)

// RuleVersion is one rule a decree has had: the text, who saved it, when,
// and why (a note). An empty rule is a version too: the rule was removed.
type RuleVersion struct {
	ID       int64     `json:"id"`
	DecreeID int64     `json:"decree_id"`
	Rule     string    `json:"rule"`
	Note     string    `json:"note,omitempty"`
	SavedBy  string    `json:"saved_by"`
	SavedAt  time.Time `json:"saved_at"`
	Current  bool      `json:"current"`
}

// addRuleVersion records rule as the decree's newest version (inside the
// transaction that changes the decree).
func (s *Store) addRuleVersion(ctx context.Context, decreeID int64, rule, note string, now time.Time) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO rule_versions (decree_id, rule, note, saved_by, saved_at) VALUES ($1, $2, $3, $4, $5)`,
		decreeID, rule, strings.TrimSpace(note), actorName(ctx), fmtTime(now))
	if err != nil {
		return mapErr(fmt.Errorf("keep rule version: %w", err), "rule version", 0)
	}
	return nil
}

// RuleVersions lists every rule the decree has had, newest first; the
// first is the current one.
func (s *Store) RuleVersions(ctx context.Context, decreeID int64) ([]RuleVersion, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT id, decree_id, rule, note, saved_by, saved_at FROM rule_versions
		WHERE decree_id = $1 ORDER BY id DESC`, decreeID)
	if err != nil {
		return nil, fmt.Errorf("rule versions: %w", err)
	}
	defer rows.Close()
	out := []RuleVersion{}
	for rows.Next() {
		var v RuleVersion
		var at string
		if err := rows.Scan(&v.ID, &v.DecreeID, &v.Rule, &v.Note, &v.SavedBy, &at); err != nil {
			return nil, fmt.Errorf("rule versions: %w", err)
		}
		v.SavedAt = parseTime(at)
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("rule versions: %w", err)
	}
	if len(out) > 0 {
		out[0].Current = true
	}
	return out, nil
}

// SetDecreeRule replaces the rule of the decree with id if version is its
// current version, keeping the new rule as a version with note. The caller
// checks that the rule compiles (internal/amnesty.SaveRule).
func (s *Store) SetDecreeRule(ctx context.Context, id int64, version int, rule, note string) (*rollcall.AmnestyDecree, error) {
	var out *rollcall.AmnestyDecree
	err := s.write(ctx, func(tx *Store) error {
		d, err := tx.GetAmnestyDecree(ctx, id)
		if err != nil {
			return err
		}
		if d.Version != version {
			return conflict("amnesty decree", id, d.Version, version)
		}
		if d.Rule == rule {
			return rollcall.Errorf(rollcall.EINVALID, "the rule is unchanged")
		}
		d.Rule = rule
		if err := tx.updateDecree(ctx, d, note); err != nil {
			return err
		}
		out = d
		return nil
	})
	return out, err
}
