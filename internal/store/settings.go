package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Settings the program writes about a database itself.
const (
	// SettingDemo is "true" in a database `rollcall demo` created; the
	// demo refuses every database without it.
	SettingDemo = "demo"
)

// Setting returns the value stored under name; ok is false when there is
// none.
func (s *Store) Setting(ctx context.Context, name string) (value string, ok bool, err error) {
	err = s.q.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = $1`, name).Scan(&value)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("read setting %s: %w", name, err)
	}
	return value, true, nil
}

// SetSetting stores value under name and logs the change in the audit log,
// in one transaction.
func (s *Store) SetSetting(ctx context.Context, name, value string) error {
	return s.write(ctx, func(tx *Store) error {
		before, had, err := tx.Setting(ctx, name)
		if err != nil {
			return err
		}
		if had && before == value {
			return nil
		}
		_, err = tx.q.ExecContext(ctx, `INSERT INTO settings (name, value, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
			name, value, fmtTime(tx.nowUTC()))
		if err != nil {
			return mapErr(fmt.Errorf("write setting %s: %w", name, err), "setting", 0)
		}
		detail := name + "=" + value
		if had {
			detail = name + ": " + before + " → " + value
		}
		_, err = tx.appendAuditEntry(ctx, ActionUpdate, "setting", 0, "", "", detail)
		return err
	})
}
