package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/auth"
)

// The methods in this file implement auth.UserStore. Account rows are not
// research data, so they bypass the audit log; the CLI and server log
// account changes with slog.

var _ auth.UserStore = (*Store)(nil)

const userCols = `id, name, role, password_hash, disabled, lang, version, created_at, updated_at`

func scanUser(row interface{ Scan(...any) error }) (*auth.User, error) {
	var u auth.User
	var created, updated string
	if err := row.Scan(&u.ID, &u.Name, &u.Role, &u.PasswordHash, &u.Disabled, &u.Lang, &u.Version, &created, &updated); err != nil {
		return nil, err
	}
	u.CreatedAt, u.UpdatedAt = parseTime(created), parseTime(updated)
	return &u, nil
}

// CreateUser inserts u and sets its ID, Version and times.
func (s *Store) CreateUser(ctx context.Context, u *auth.User) error {
	now := s.nowUTC()
	err := s.q.QueryRowContext(ctx, `INSERT INTO users (name, role, password_hash, disabled, lang, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, 1, $6, $6) RETURNING id`,
		u.Name, u.Role, u.PasswordHash, u.Disabled, u.Lang, fmtTime(now)).Scan(&u.ID)
	if err != nil {
		if constraintKind(err) == cUnique {
			return rollcall.WrapError(rollcall.ECONFLICT, err, "a user named %q already exists", u.Name)
		}
		return mapErr(fmt.Errorf("create user: %w", err), "user", 0)
	}
	u.Version, u.CreatedAt, u.UpdatedAt = 1, now, now
	return nil
}

// UpdateUser writes u if its Version is current and bumps it.
func (s *Store) UpdateUser(ctx context.Context, u *auth.User) error {
	now := s.nowUTC()
	res, err := s.q.ExecContext(ctx, `UPDATE users SET role = $1, password_hash = $2, disabled = $3, lang = $4,
		version = version + 1, updated_at = $5 WHERE id = $6 AND version = $7`,
		u.Role, u.PasswordHash, u.Disabled, u.Lang, fmtTime(now), u.ID, u.Version)
	if err != nil {
		return mapErr(fmt.Errorf("update user: %w", err), "user", u.ID)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		cur, err := s.UserByID(ctx, u.ID)
		if err != nil {
			return err
		}
		return conflict("user", u.ID, cur.Version, u.Version)
	}
	u.Version++
	u.UpdatedAt = now
	return nil
}

// UserByName returns the user called name.
func (s *Store) UserByName(ctx context.Context, name string) (*auth.User, error) {
	u, err := scanUser(s.q.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE name = $1`, name))
	if err == sql.ErrNoRows {
		return nil, rollcall.Errorf(rollcall.ENOTFOUND, "no user named %q", name)
	}
	if err != nil {
		return nil, fmt.Errorf("user %q: %w", name, err)
	}
	return u, nil
}

// UserByID returns the user with id.
func (s *Store) UserByID(ctx context.Context, id int64) (*auth.User, error) {
	u, err := scanUser(s.q.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, id))
	if err == sql.ErrNoRows {
		return nil, notFound("user", id)
	}
	if err != nil {
		return nil, fmt.Errorf("user %d: %w", id, err)
	}
	return u, nil
}

// ListUsers returns every account by name.
func (s *Store) ListUsers(ctx context.Context) ([]auth.User, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+userCols+` FROM users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []auth.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, *u)
	}
	return out, rows.Err()
}

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, se *auth.Session) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		se.IDHash, se.UserID, se.CSRF, fmtTime(se.CreatedAt), fmtTime(se.ExpiresAt))
	return mapErr(err, "session", 0)
}

// SessionByHash returns the session whose id hashes to hash.
func (s *Store) SessionByHash(ctx context.Context, hash string) (*auth.Session, error) {
	var se auth.Session
	var created, expires string
	err := s.q.QueryRowContext(ctx, `SELECT id_hash, user_id, csrf, created_at, expires_at FROM sessions WHERE id_hash = $1`, hash).
		Scan(&se.IDHash, &se.UserID, &se.CSRF, &created, &expires)
	if err == sql.ErrNoRows {
		return nil, rollcall.Errorf(rollcall.ENOTFOUND, "no such session")
	}
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	se.CreatedAt, se.ExpiresAt = parseTime(created), parseTime(expires)
	return &se, nil
}

// DeleteSession ends one session (no error if it is gone already).
func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	_, err := s.q.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1`, hash)
	return mapErr(err, "session", 0)
}

// DeleteUserSessions ends every session of a user.
func (s *Store) DeleteUserSessions(ctx context.Context, userID int64) error {
	_, err := s.q.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
	return mapErr(err, "session", 0)
}

// DeleteExpiredSessions removes sessions that expired before now.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) error {
	_, err := s.q.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < $1`, fmtTime(now))
	return mapErr(err, "session", 0)
}

// CreateAPIToken stores a token (its hash) and sets its ID.
func (s *Store) CreateAPIToken(ctx context.Context, t *auth.APIToken) error {
	now := s.nowUTC()
	var exp any
	if t.ExpiresAt != nil {
		exp = fmtTime(*t.ExpiresAt)
	}
	err := s.q.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, name, hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		t.UserID, t.Name, t.Hash, fmtTime(now), exp).Scan(&t.ID)
	if err != nil {
		return mapErr(fmt.Errorf("create token: %w", err), "token", 0)
	}
	t.CreatedAt = now
	return nil
}

// APITokenByHash returns the token whose secret hashes to hash.
func (s *Store) APITokenByHash(ctx context.Context, hash string) (*auth.APIToken, error) {
	var t auth.APIToken
	var created string
	var exp sql.NullString
	err := s.q.QueryRowContext(ctx, `SELECT id, user_id, name, hash, created_at, expires_at FROM api_tokens WHERE hash = $1`, hash).
		Scan(&t.ID, &t.UserID, &t.Name, &t.Hash, &created, &exp)
	if err == sql.ErrNoRows {
		return nil, rollcall.Errorf(rollcall.ENOTFOUND, "no such token")
	}
	if err != nil {
		return nil, fmt.Errorf("token: %w", err)
	}
	t.CreatedAt = parseTime(created)
	if exp.Valid {
		e := parseTime(exp.String)
		t.ExpiresAt = &e
	}
	return &t, nil
}
