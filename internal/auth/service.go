package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/rollcall-project/rollcall"
)

// Service logs users in and out and resolves credentials to actors.
type Service struct {
	Store      UserStore
	Params     Params
	SessionTTL time.Duration
	// Limiter throttles failed logins per (user name, client address) and
	// per user name.
	Limiter *Limiter
	Now     func() time.Time

	dummyOnce sync.Once
	dummyHash string // verified against for unknown users, to equalise timing
}

// NewService returns a Service with default parameters.
func NewService(st UserStore) *Service {
	return &Service{Store: st, Params: DefaultParams, SessionTTL: 12 * time.Hour,
		Limiter: NewLimiter(), Now: time.Now}
}

// ErrBadLogin is the one message for every failed login, so that a caller
// cannot tell an unknown user from a wrong password or a disabled account.
var ErrBadLogin = rollcall.Errorf(rollcall.EUNAUTHORIZED, "wrong user name or password")

// ErrTooMany is returned while a user name or address is throttled.
var ErrTooMany = rollcall.Errorf(rollcall.EFORBIDDEN, "too many failed logins; try again later")

// ThrottledError is the error Login returns while throttled: it is
// ErrTooMany (errors.Is) and says how long to wait.
type ThrottledError struct{ Wait time.Duration }

func (e *ThrottledError) Error() string        { return ErrTooMany.Message }
func (e *ThrottledError) Is(target error) bool { return target == ErrTooMany }
func (e *ThrottledError) Unwrap() error        { return ErrTooMany }

// RetryAfter returns how long a throttled login must wait, 0 if err is not
// a throttle.
func RetryAfter(err error) time.Duration {
	var te *ThrottledError
	if errors.As(err, &te) {
		return te.Wait
	}
	return 0
}

// ValidName checks an account name: 1–64 letters, digits, '.', '-', '_', '@'.
func ValidName(name string) error {
	if name == "" || len(name) > 64 {
		return &rollcall.Error{Code: rollcall.EINVALID, Field: "name", Message: "a user name has 1 to 64 characters"}
	}
	for _, r := range name {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(".-_@", r)) {
			return &rollcall.Error{Code: rollcall.EINVALID, Field: "name", Message: "a user name has only letters, digits and . - _ @"}
		}
	}
	return nil
}

// AddUser creates an account with a hashed password.
func (s *Service) AddUser(ctx context.Context, name, role, password string) (*User, error) {
	if err := ValidName(name); err != nil {
		return nil, err
	}
	if !ValidRole(role) {
		return nil, &rollcall.Error{Code: rollcall.EINVALID, Field: "role", Message: fmt.Sprintf("unknown role %q (want one of %s)", role, strings.Join(Roles, ", "))}
	}
	if err := CheckPassword(password); err != nil {
		return nil, err
	}
	h, err := HashPassword(password, s.Params)
	if err != nil {
		return nil, err
	}
	u := &User{Name: name, Role: role, PasswordHash: h}
	if err := s.Store.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// SetPassword replaces a user's password and ends their sessions.
func (s *Service) SetPassword(ctx context.Context, name, password string) error {
	if err := CheckPassword(password); err != nil {
		return err
	}
	u, err := s.Store.UserByName(ctx, name)
	if err != nil {
		return err
	}
	if u.PasswordHash, err = HashPassword(password, s.Params); err != nil {
		return err
	}
	if err := s.Store.UpdateUser(ctx, u); err != nil {
		return err
	}
	return s.Store.DeleteUserSessions(ctx, u.ID)
}

// SetRole changes a user's role; SetDisabled blocks or unblocks the
// account. Both end the user's sessions so the change applies at once.
func (s *Service) SetRole(ctx context.Context, name, role string) error {
	if !ValidRole(role) {
		return &rollcall.Error{Code: rollcall.EINVALID, Field: "role", Message: fmt.Sprintf("unknown role %q (want one of %s)", role, strings.Join(Roles, ", "))}
	}
	return s.change(ctx, name, func(u *User) { u.Role = role })
}

// SetDisabled blocks (true) or unblocks an account.
func (s *Service) SetDisabled(ctx context.Context, name string, disabled bool) error {
	return s.change(ctx, name, func(u *User) { u.Disabled = disabled })
}

func (s *Service) change(ctx context.Context, name string, f func(*User)) error {
	u, err := s.Store.UserByName(ctx, name)
	if err != nil {
		return err
	}
	f(u)
	if err := s.Store.UpdateUser(ctx, u); err != nil {
		return err
	}
	return s.Store.DeleteUserSessions(ctx, u.ID)
}

// NewToken creates an API token for a user and returns its secret, which is
// shown once and never stored.
func (s *Service) NewToken(ctx context.Context, name, label string, ttl time.Duration) (string, *APIToken, error) {
	u, err := s.Store.UserByName(ctx, name)
	if err != nil {
		return "", nil, err
	}
	secret := TokenPrefix + NewSecret()
	t := &APIToken{UserID: u.ID, Name: label, Hash: HashSecret(secret)}
	if ttl > 0 {
		exp := s.Now().Add(ttl).UTC()
		t.ExpiresAt = &exp
	}
	if err := s.Store.CreateAPIToken(ctx, t); err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// Login checks a name and password and opens a new session (a fresh id, so
// a session id planted before login is worthless). It returns the cookie
// secret. client is the caller's address: failures are throttled per
// (name, client) and per name (see Limiter).
func (s *Service) Login(ctx context.Context, name, password, client string) (string, *Session, *User, error) {
	if wait := s.Limiter.Wait(name, client); wait > 0 {
		return "", nil, nil, &ThrottledError{Wait: wait}
	}
	u, err := s.Store.UserByName(ctx, name)
	if err != nil && rollcall.ErrorCode(err) != rollcall.ENOTFOUND {
		return "", nil, nil, err
	}
	hash := s.dummy()
	if u != nil {
		hash = u.PasswordHash
	}
	// Verify even for unknown users so both paths cost one Argon2 run.
	ok, verr := VerifyPassword(password, hash)
	if u == nil || !ok || u.Disabled {
		s.Limiter.Fail(name, client)
		if verr != nil && u != nil {
			return "", nil, nil, rollcall.WrapError(rollcall.EUNAUTHORIZED, verr, "%s", ErrBadLogin.Message)
		}
		return "", nil, nil, ErrBadLogin
	}
	s.Limiter.Reset(name, client)
	if NeedsRehash(u.PasswordHash, s.Params) {
		if h, err := HashPassword(password, s.Params); err == nil {
			u.PasswordHash = h
			_ = s.Store.UpdateUser(ctx, u) // best effort; the login stands
		}
	}
	secret, sess, err := s.openSession(ctx, u.ID)
	if err != nil {
		return "", nil, nil, err
	}
	return secret, sess, u, nil
}

func (s *Service) dummy() string {
	// Lazily, so that a Service whose Params were changed after NewService
	// keeps a dummy of the same cost.
	s.dummyOnce.Do(func() { s.dummyHash, _ = HashPassword("not a real password", s.Params) })
	return s.dummyHash
}

func (s *Service) openSession(ctx context.Context, userID int64) (string, *Session, error) {
	secret := NewSecret()
	now := s.Now().UTC()
	sess := &Session{IDHash: HashSecret(secret), UserID: userID, CSRF: NewSecret(), CreatedAt: now, ExpiresAt: now.Add(s.SessionTTL)}
	if err := s.Store.CreateSession(ctx, sess); err != nil {
		return "", nil, fmt.Errorf("open session: %w", err)
	}
	return secret, sess, nil
}

// Logout ends the session whose cookie secret is given.
func (s *Service) Logout(ctx context.Context, secret string) error {
	return s.Store.DeleteSession(ctx, HashSecret(secret))
}

// SessionUser resolves a session cookie secret to its session and user;
// an expired session, a disabled user or an unknown secret is EUNAUTHORIZED.
func (s *Service) SessionUser(ctx context.Context, secret string) (*Session, *User, error) {
	if secret == "" {
		return nil, nil, rollcall.Errorf(rollcall.EUNAUTHORIZED, "not logged in")
	}
	sess, err := s.Store.SessionByHash(ctx, HashSecret(secret))
	if err != nil {
		if rollcall.ErrorCode(err) == rollcall.ENOTFOUND {
			return nil, nil, rollcall.Errorf(rollcall.EUNAUTHORIZED, "not logged in")
		}
		return nil, nil, err
	}
	if !s.Now().Before(sess.ExpiresAt) {
		_ = s.Store.DeleteSession(ctx, sess.IDHash)
		return nil, nil, rollcall.Errorf(rollcall.EUNAUTHORIZED, "session expired")
	}
	u, err := s.activeUser(ctx, sess.UserID)
	if err != nil {
		return nil, nil, err
	}
	return sess, u, nil
}

// TokenUser resolves an API token to its user.
func (s *Service) TokenUser(ctx context.Context, secret string) (*User, error) {
	if !strings.HasPrefix(secret, TokenPrefix) {
		return nil, rollcall.Errorf(rollcall.EUNAUTHORIZED, "invalid token")
	}
	t, err := s.Store.APITokenByHash(ctx, HashSecret(secret))
	if err != nil {
		if rollcall.ErrorCode(err) == rollcall.ENOTFOUND {
			return nil, rollcall.Errorf(rollcall.EUNAUTHORIZED, "invalid token")
		}
		return nil, err
	}
	if t.ExpiresAt != nil && !s.Now().Before(*t.ExpiresAt) {
		return nil, rollcall.Errorf(rollcall.EUNAUTHORIZED, "token expired")
	}
	return s.activeUser(ctx, t.UserID)
}

func (s *Service) activeUser(ctx context.Context, id int64) (*User, error) {
	u, err := s.Store.UserByID(ctx, id)
	if err != nil {
		if rollcall.ErrorCode(err) == rollcall.ENOTFOUND {
			return nil, rollcall.Errorf(rollcall.EUNAUTHORIZED, "not logged in")
		}
		return nil, err
	}
	if u.Disabled {
		return nil, rollcall.Errorf(rollcall.EUNAUTHORIZED, "account disabled")
	}
	return u, nil
}

// Actor is the rollcall.Actor for u.
func (u *User) Actor() rollcall.Actor { return rollcall.Actor{Name: u.Name, Role: u.Role} }
